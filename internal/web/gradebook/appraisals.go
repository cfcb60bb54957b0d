package gradebook

import (
	"net/http"
	"strings"

	"cartable/internal/check"
	"cartable/internal/grades"
	"cartable/internal/i18n"
	"cartable/internal/web/page"
)

type appraisalsData struct {
	grades.Appraisals
	Typed    map[string]string // after a refused save
	Problems problems
	Saved    bool
	Max      int
}

// PageTitle names the teaching and the period.
func (d appraisalsData) PageTitle(lang string) string {
	return i18n.T(lang, "gb.appraisals.title") + " · " + d.Teaching.Name + " · " + d.Teaching.SubjectName
}

// Body is what a row's textarea holds.
func (d appraisalsData) Body(row grades.AppraisalRow) string {
	if t, ok := d.Typed[row.Student.ID]; ok {
		return t
	}
	return row.Body
}

// appraisals: a teaching's appraisals of a period (?period=).
func (a *Area) appraisals(w http.ResponseWriter, r *http.Request) {
	res, ok := teachingOf(r)
	if !ok {
		a.notFound(w, r)
		return
	}
	ap, err := a.svc.AppraisalsOf(r.Context(), page.Viewer(r), res, r.URL.Query().Get("period"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.pages.Render(w, r, http.StatusOK, "appraisals", "gb.appraisals.title",
		appraisalsData{Appraisals: ap, Saved: r.URL.Query().Has("saved"), Max: grades.MaxAppraisal})
}

// saveAppraisals writes the appraisals of a period.
func (a *Area) saveAppraisals(w http.ResponseWriter, r *http.Request) {
	res, ok := teachingOf(r)
	if !ok {
		a.notFound(w, r)
		return
	}
	v := page.Viewer(r)
	period := r.PostFormValue("period")
	bodies := map[string]string{}
	for k, vs := range r.PostForm {
		if id, ok := strings.CutPrefix(k, "a."); ok && len(vs) > 0 {
			bodies[id] = vs[0]
		}
	}
	// Only what was changed from the page is saved: a save from a page
	// drawn before a co-teacher's never undoes theirs unseen.
	err := a.svc.SaveAppraisalsSeen(r.Context(), v, res, period, bodies, shownOf(r))
	back := strings.TrimSuffix(r.URL.Path, "/appraisals") + "/appraisals?period=" + period
	if err == nil {
		http.Redirect(w, r, back+"&saved=1", http.StatusSeeOther)
		return
	}
	ps, ok := check.As(err)
	if !ok {
		var typed []Typed
		roster, _ := a.svc.TeachingRoster(r.Context(), v, res)
		for _, st := range roster {
			if b := strings.TrimSpace(bodies[st.ID]); b != "" {
				typed = append(typed, Typed{Label: st.Name(), Value: b})
			}
		}
		a.refusedForm(w, r, err, back, typed, false)
		return
	}
	ap, err := a.svc.AppraisalsOf(r.Context(), v, res, period)
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	names := map[string]string{}
	for _, row := range ap.Rows {
		names[row.Student.ID] = row.Student.Name()
	}
	lang := page.Lang(r)
	// The page comes back with what was changed over the texts stored now.
	typed := map[string]string{}
	shown := shownOf(r)
	for id, b := range bodies {
		if was, ok := shown[id]; !ok || strings.TrimSpace(strings.ReplaceAll(b, "\r\n", "\n")) != strings.TrimSpace(strings.ReplaceAll(was, "\r\n", "\n")) {
			typed[id] = b
		}
	}
	a.pages.Render(w, r, http.StatusUnprocessableEntity, "appraisals", "gb.appraisals.title",
		appraisalsData{Appraisals: ap, Typed: typed, Problems: rowProblems(lang, ps, names, 0), Max: grades.MaxAppraisal})
}
