package competences

import (
	"net/http"
	"strconv"
	"strings"

	"cartable/internal/check"
	"cartable/internal/grades"
	"cartable/internal/i18n"
	"cartable/internal/web/page"
)

type evalData struct {
	grades.LevelGrid
	Typed    map[string]map[string]string // what was typed, sent back with its problems
	Problems problems
	Saved    string // items, levels
	StepUp   string // the second factor's page, back here
}

// PageTitle names the evaluation and the class.
func (d evalData) PageTitle(lang string) string {
	parts := []string{i18n.T(lang, "cmp.eval.title"), d.Evaluation.Title, d.Structure.Name}
	if d.Problems.Messages != nil {
		parts = append(parts, i18n.T(lang, "cmp.title.refused"))
	}
	return strings.Join(parts, " · ")
}

// Val is a cell's value: as typed when the grid comes back, else stored.
func (d evalData) Val(student, item string) string {
	if row, ok := d.Typed[student]; ok {
		if v, ok := row[item]; ok {
			return v
		}
	}
	return d.Cell(student, item)
}

// Bad tells whether a cell has a problem.
func (d evalData) Bad(student, item string) bool { return d.Problems.Bad[student+"/"+item] }

// cellName names a grid's cell in a message: its row (number and student)
// and its column (the item).
func cellName(lang string, g grades.LevelGrid) func(check.Problem) string {
	return func(p check.Problem) string {
		student, item, ok := strings.Cut(p.Field, "/")
		if !ok {
			return ""
		}
		row, name := 0, ""
		for i, s := range g.Students {
			if s.ID == student {
				row, name = i+1, s.DisplayName()
			}
		}
		col := item
		for _, it := range g.Items {
			if it.ID == item {
				col = it.Label
			}
		}
		if row == 0 {
			return i18n.T(lang, "cmp.at.unknownrow", col)
		}
		return i18n.T(lang, "cmp.at.cell", strconv.Itoa(row), name, col)
	}
}

// evaluation: the items an evaluation assesses and its levels grid.
func (a *Area) evaluation(w http.ResponseWriter, r *http.Request) {
	a.showEvaluation(w, r, http.StatusOK, evalData{Saved: r.URL.Query().Get("saved")})
}

func (a *Area) showEvaluation(w http.ResponseWriter, r *http.Request, status int, d evalData) {
	g, err := a.svc.EvaluationLevels(r.Context(), page.Viewer(r), r.PathValue("id"))
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	d.LevelGrid = g
	if g.SecondFactor {
		d.StepUp = "/sign-in/second-factor?next=" + r.URL.EscapedPath()
	}
	if d.Saved != "items" && d.Saved != "levels" {
		d.Saved = ""
	}
	a.pages.Render(w, r, status, "evaluation", "cmp.eval.title", d)
}

// chooseItems sets the items an evaluation assesses: the ticked ones, in
// the order shown.
func (a *Area) chooseItems(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	r.ParseForm()
	err := a.svc.SetEvaluationItems(r.Context(), page.Viewer(r), id, r.PostForm["item"])
	a.after(w, r, err, "items")
}

// saveLevels saves the grid: every cell or none.
func (a *Area) saveLevels(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	r.ParseForm()
	cells, shown := gridCells(r, "lv"), gridCells(r, "was")
	// Only what was changed from the page is saved: a save from a grid
	// drawn before a co-teacher's never undoes theirs unseen.
	err := a.svc.SaveLevelsSeen(r.Context(), page.Viewer(r), id, cells, shown)
	if err == nil {
		http.Redirect(w, r, "/competences/evaluations/"+id+"?saved=levels", http.StatusSeeOther)
		return
	}
	if stepUp(w, r, err, "/competences/evaluations/"+id) {
		return
	}
	g, gerr := a.svc.EvaluationLevels(r.Context(), page.Viewer(r), id)
	if gerr != nil {
		a.kit.Fail(w, r, gerr)
		return
	}
	ps, ok := asProblems(r, err, cellName(page.Lang(r), g))
	if !ok {
		a.kit.Fail(w, r, err)
		return
	}
	// The grid comes back with what was changed over the levels stored now.
	typed := map[string]map[string]string{}
	for st, row := range cells {
		for it, v := range row {
			if was, ok := shown[st][it]; ok {
				if lv, okv := grades.ParseLevel(v); okv && lv == was {
					continue
				}
			}
			if typed[st] == nil {
				typed[st] = map[string]string{}
			}
			typed[st][it] = v
		}
	}
	a.showEvaluation(w, r, http.StatusUnprocessableEntity, evalData{Typed: typed, Problems: ps})
}

// after answers a write of the evaluation's page.
func (a *Area) after(w http.ResponseWriter, r *http.Request, err error, saved string) {
	id := r.PathValue("id")
	if err == nil {
		http.Redirect(w, r, "/competences/evaluations/"+id+"?saved="+saved, http.StatusSeeOther)
		return
	}
	if stepUp(w, r, err, "/competences/evaluations/"+id) {
		return
	}
	ps, ok := asProblems(r, err, nil)
	if !ok {
		a.kit.Fail(w, r, err)
		return
	}
	a.showEvaluation(w, r, http.StatusUnprocessableEntity, evalData{Problems: ps})
}
