package competences

import (
	"net/http"
	"strings"

	"cartable/internal/directory"
	"cartable/internal/grades"
	"cartable/internal/i18n"
	"cartable/internal/roles"
	"cartable/internal/web/page"
)

type studentData struct {
	grades.StudentLevels
	Children []directory.KinCard // a relative's child picker
}

// PageTitle names the student and the period.
func (d studentData) PageTitle(lang string) string {
	parts := []string{i18n.T(lang, "cmp.student.title"), d.Student.DisplayName()}
	if d.Period.ID != "" {
		parts = append(parts, i18n.T(lang, "cmp.period."+d.Period.Kind, d.Period.Number))
	}
	return strings.Join(parts, " · ")
}

// student: a student's levels per subject and component for a period.
func (a *Area) student(w http.ResponseWriter, r *http.Request) {
	v := page.Viewer(r)
	sl, err := a.svc.StudentCompetences(r.Context(), v, r.PathValue("id"), r.URL.Query().Get("period"))
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	d := studentData{StudentLevels: sl}
	if v.Profile == roles.Relative {
		if d.Children, err = directory.MyChildren(r.Context(), v, a.kit.DB); err != nil {
			a.kit.Fail(w, r, err)
			return
		}
	}
	a.pages.Render(w, r, http.StatusOK, "student", "cmp.student.title", d)
}
