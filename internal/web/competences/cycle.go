package competences

import (
	"net/http"
	"strings"

	"cartable/internal/check"
	"cartable/internal/grades"
	"cartable/internal/i18n"
	"cartable/internal/web/page"
)

type cycleData struct {
	grades.CycleGrid
	Typed    map[string]map[string]string
	Problems problems
	Saved    bool
}

// PageTitle names the class.
func (d cycleData) PageTitle(lang string) string {
	parts := []string{i18n.T(lang, "cmp.cycle.title"), d.Class.Name}
	if d.Problems.Messages != nil {
		parts = append(parts, i18n.T(lang, "cmp.title.refused"))
	}
	return strings.Join(parts, " · ")
}

// Val is a cell's value: as typed when the grid comes back, else stored,
// else the suggestion (the grid is prefilled with it).
func (d cycleData) Val(student string, c grades.Component) string {
	if row, ok := d.Typed[student]; ok {
		if v, ok := row[string(c)]; ok {
			return v
		}
	}
	if s := d.Stored(student, c); s != "" {
		return s
	}
	return d.Suggested(student, c)
}

// Bad tells whether a cell has a problem.
func (d cycleData) Bad(student string, c grades.Component) bool {
	return d.Problems.Bad[student+"/"+string(c)]
}

func cycleCellName(lang string, g grades.CycleGrid) func(check.Problem) string {
	return func(p check.Problem) string {
		student, comp, ok := strings.Cut(p.Field, "/")
		if !ok {
			return ""
		}
		row, name := 0, ""
		for i, s := range g.Students {
			if s.ID == student {
				row, name = i+1, s.DisplayName()
			}
		}
		col := comp
		if grades.Component(comp).Valid() {
			col = componentLabel(lang, grades.Component(comp))
		}
		if row == 0 {
			return i18n.T(lang, "cmp.at.unknownrow", col)
		}
		return i18n.T(lang, "cmp.at.cell", itoa(row), name, col)
	}
}

// cycle: a class's end-of-cycle positioning, prefilled with suggestions.
func (a *Area) cycle(w http.ResponseWriter, r *http.Request) {
	a.showCycle(w, r, http.StatusOK, cycleData{Saved: r.URL.Query().Get("saved") != ""})
}

func (a *Area) showCycle(w http.ResponseWriter, r *http.Request, status int, d cycleData) {
	g, err := a.svc.Cycle(r.Context(), page.Viewer(r), r.PathValue("class"))
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	d.CycleGrid = g
	a.pages.Render(w, r, status, "cycle", "cmp.cycle.title", d)
}

// saveCycle saves the grid: every cell or none.
func (a *Area) saveCycle(w http.ResponseWriter, r *http.Request) {
	class := r.PathValue("class")
	r.ParseForm()
	cells, shown := gridCells(r, "cy"), gridCells(r, "was")
	v := page.Viewer(r)
	// A save from a grid drawn before someone else's never undoes theirs
	// unseen.
	err := a.svc.SaveCycleSeen(r.Context(), v, class, cells, shown)
	if err == nil {
		http.Redirect(w, r, "/competences/cycle/"+class+"?saved=1", http.StatusSeeOther)
		return
	}
	g, gerr := a.svc.Cycle(r.Context(), v, class)
	if gerr != nil {
		a.kit.Fail(w, r, gerr)
		return
	}
	ps, ok := asProblems(r, err, cycleCellName(page.Lang(r), g))
	if !ok {
		a.kit.Fail(w, r, err)
		return
	}
	a.showCycle(w, r, http.StatusUnprocessableEntity, cycleData{Typed: cells, Problems: ps})
}

// Who says who positioned a cell and when ("" : not positioned yet).
func (d cycleData) Who(lang, student string, c grades.Component) string {
	p, ok := d.Positions[student][c]
	if !ok {
		return ""
	}
	return i18n.T(lang, "cmp.cycle.who", p.Position, p.Author, i18n.DateTime(lang, p.UpdatedAt))
}
