package gradebook

import (
	"net/http"

	"cartable/internal/grades"
	"cartable/internal/web/page"
)

type indexData struct {
	Teachings []grades.TeachingEvaluations
	Managed   []grades.Establishment
}

// index: the viewer's teachings, each with the evaluations of the current
// period, and the head's administration links.
func (a *Area) index(w http.ResponseWriter, r *http.Request) {
	v := page.Viewer(r)
	ts, err := a.svc.Teachings(r.Context(), v)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	var d indexData
	for _, t := range ts {
		te, err := a.svc.EvaluationsOf(r.Context(), v, t.Resource(), "")
		if err != nil {
			a.fail(w, r, err)
			return
		}
		d.Teachings = append(d.Teachings, te)
	}
	if d.Managed, err = a.svc.Managed(r.Context(), v); err != nil {
		a.fail(w, r, err)
		return
	}
	a.pages.Render(w, r, http.StatusOK, "index", "gb.title", d)
}

type teachingData struct {
	grades.TeachingEvaluations
	Deleted bool
}

// teaching: a teaching's evaluations in a period (?period=).
func (a *Area) teaching(w http.ResponseWriter, r *http.Request) {
	res, ok := teachingOf(r)
	if !ok {
		a.notFound(w, r)
		return
	}
	te, err := a.svc.EvaluationsOf(r.Context(), page.Viewer(r), res, r.URL.Query().Get("period"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.pages.Render(w, r, http.StatusOK, "teaching", "gb.title", teachingData{TeachingEvaluations: te, Deleted: r.URL.Query().Has("deleted")})
}

// PageTitle names the teaching.
func (d teachingData) PageTitle(lang string) string {
	return d.Teaching.Name + " · " + d.Teaching.SubjectName
}
