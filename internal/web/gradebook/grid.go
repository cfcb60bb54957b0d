package gradebook

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"cartable/internal/check"
	"cartable/internal/grades"
	"cartable/internal/i18n"
	"cartable/internal/web/page"
)

// GridRowView is a row of the grid as the page shows it.
type GridRowView struct {
	grades.GridRow
	Value  string // what the input holds
	Stored string // the stored mark, "" for none
	Was    string // the stored mark as the save compares it (Mark.Text(""))
}

type gridData struct {
	Grid     grades.Grid
	Rows     []GridRowView
	Problems problems
	Paste    string
	Saved    bool // after a save
	SavedN   int  // the number of marks it changed
	Draft    bool // the inputs show a draft
}

// PageTitle names the evaluation and the teaching.
func (d gridData) PageTitle(lang string) string {
	s := d.Grid.Evaluation.Title + " · " + d.Grid.Teaching.Name + " · " + d.Grid.Teaching.SubjectName
	if d.Problems.Messages != nil {
		s += " · " + i18n.T(lang, "gb.title.refused")
	}
	return s
}

// cellsOf reads the grid's inputs: m.<student> → text.
func cellsOf(r *http.Request) map[string]string { return prefixed(r, "m.") }

// shownOf reads the stored marks the grid showed: was.<student> → text.
func shownOf(r *http.Request) map[string]string { return prefixed(r, "was.") }

// changed drops the cells typed as the page showed them (shown: the
// stored mark as Mark.Text(""), "12.5" where the page wrote "12,5"), so
// that a draft or a refused page keeps only what was typed and never
// hides a mark stored since behind the old one.
func changed(cells, shown map[string]string) map[string]string {
	out := make(map[string]string, len(cells))
	for id, text := range cells {
		t := strings.TrimSpace(text)
		if was, ok := shown[id]; ok && (t == was || strings.Replace(t, ",", ".", 1) == was) {
			continue
		}
		out[id] = text
	}
	return out
}

func prefixed(r *http.Request, prefix string) map[string]string {
	out := map[string]string{}
	for k, vs := range r.PostForm {
		if id, ok := strings.CutPrefix(k, prefix); ok && len(vs) > 0 {
			out[id] = vs[0]
		}
	}
	return out
}

// view builds the page's rows: typed (after a refused save) wins, then
// the draft, then the stored mark.
func view(lang string, g grades.Grid, typed map[string]string) gridData {
	d := gridData{Grid: g}
	for _, row := range g.Rows {
		rv := GridRowView{GridRow: row}
		if row.Mark != nil {
			rv.Stored, rv.Was = row.Mark.Text(lang), row.Mark.Text("")
		}
		rv.Value = rv.Stored
		if t, ok := typed[row.Student.ID]; typed != nil && ok {
			rv.Value = t
		} else if row.InDraft && typed == nil {
			rv.Value = row.Draft
			d.Draft = d.Draft || row.Draft != rv.Stored
		}
		d.Rows = append(d.Rows, rv)
	}
	return d
}

// grid: an evaluation's entry grid.
func (a *Area) grid(w http.ResponseWriter, r *http.Request) {
	g, err := a.svc.Grid(r.Context(), page.Viewer(r), r.PathValue("id"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	d := view(page.Lang(r), g, nil)
	if q := r.URL.Query(); q.Has("saved") {
		d.Saved = true
		d.SavedN, _ = strconv.Atoi(q.Get("saved"))
	}
	a.pages.Render(w, r, http.StatusOK, "grid", "gb.title", d)
}

// saveMarks saves the grid's column (or a pasted one), all or nothing.
func (a *Area) saveMarks(w http.ResponseWriter, r *http.Request) {
	v := page.Viewer(r)
	id := r.PathValue("id")
	lang := page.Lang(r)
	cells, shown := cellsOf(r), shownOf(r)
	paste := r.PostFormValue("paste")
	g, err := a.svc.Grid(r.Context(), v, id)
	if err != nil {
		// Nothing typed is lost: the cells are kept as a draft for after
		// the step-up (a draft needs no second factor), and shown back.
		draft := a.svc.SaveDraft(r.Context(), v, id, changed(cells, shown)) == nil
		var typed []Typed
		roster, _ := a.svc.Roster(r.Context(), v, id)
		for _, st := range roster {
			if c := cells[st.ID]; c != "" {
				typed = append(typed, Typed{Label: st.Name(), Value: c})
			}
		}
		if strings.TrimSpace(paste) != "" {
			typed = append(typed, Typed{Label: i18n.T(lang, "gb.paste.label"), Value: paste})
		}
		a.refusedForm(w, r, err, "/gradebook/evaluations/"+id, typed, draft)
		return
	}
	names := map[string]string{}
	for _, row := range g.Rows {
		names[row.Student.ID] = row.Student.Name()
	}
	if strings.TrimSpace(paste) != "" {
		col, err := grades.PasteColumn(paste, len(g.Rows))
		var pe *grades.PasteError
		if errors.As(err, &pe) {
			d := view(lang, g, changed(cells, shown))
			d.Paste = paste
			d.Problems = problems{Messages: []string{i18n.T(lang, "gb.paste.count."+i18n.Form(lang, pe.Lines), pe.Lines, pe.Rows)},
				Bad: map[string]bool{"paste": true}}
			a.pages.Render(w, r, http.StatusUnprocessableEntity, "grid", "gb.title", d)
			return
		}
		for i, row := range g.Rows {
			cells[row.Student.ID] = col[i]
		}
	}
	// Only what the page showed and was changed is saved: a save from a
	// page drawn before someone else's never undoes theirs unseen.
	n, err := a.svc.SaveMarksSeen(r.Context(), v, id, cells, shown)
	if err == nil {
		http.Redirect(w, r, "/gradebook/evaluations/"+id+"?saved="+strconv.Itoa(n), http.StatusSeeOther)
		return
	}
	ps, ok := check.As(err)
	if !ok {
		a.refusedForm(w, r, err, "/gradebook/evaluations/"+id, nil, a.svc.SaveDraft(r.Context(), v, id, changed(cells, shown)) == nil)
		return
	}
	// Keep what was typed on the server too, should the session end now;
	// the page comes back with what was changed over the marks stored
	// now (a cell left alone shows someone else's mark since).
	typed := changed(cells, shown)
	_ = a.svc.SaveDraft(r.Context(), v, id, typed)
	d := view(lang, g, typed)
	d.Problems = rowProblems(lang, ps, names, g.Evaluation.ScaleX100)
	a.pages.Render(w, r, http.StatusUnprocessableEntity, "grid", "gb.title", d)
}

// saveDraft keeps the typed cells (the script posts them as one types).
func (a *Area) saveDraft(w http.ResponseWriter, r *http.Request) {
	if err := a.svc.SaveDraft(r.Context(), page.Viewer(r), r.PathValue("id"), changed(cellsOf(r), shownOf(r))); err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
