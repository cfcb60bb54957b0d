package competences

import (
	"net/http"
	"strconv"
	"strings"

	"cartable/internal/directory"
	"cartable/internal/grades"
	"cartable/internal/i18n"
	"cartable/internal/roles"
	"cartable/internal/web/page"
)

func itoa(n int) string { return strconv.Itoa(n) }

type brevetData struct {
	grades.Brevet
	Children []directory.KinCard
	Exams    int    // percent
	Cont     int    // percent
	Share    string // the continuous assessment's points out of 20 (mark × 40 %)
}

// PageTitle names the student.
func (d brevetData) PageTitle(lang string) string {
	return strings.Join([]string{i18n.T(lang, "cmp.brevet.title"), d.Student.DisplayName()}, " · ")
}

// brevet: the continuous-assessment mark of the student, or of the child
// a relative chooses (?child=).
func (a *Area) brevet(w http.ResponseWriter, r *http.Request) {
	v := page.Viewer(r)
	var d brevetData
	student := v.ID
	switch v.Profile {
	case roles.Student:
	case roles.Relative:
		fam, err := a.kit.Family(r)
		if err != nil {
			a.kit.Fail(w, r, err)
			return
		}
		if fam.Chosen.ID == "" {
			a.pages.Render(w, r, http.StatusOK, "nochild", "cmp.brevet.title", nil)
			return
		}
		student, d.Children = fam.Chosen.ID, fam.Children
	default:
		http.Redirect(w, r, "/competences", http.StatusSeeOther)
		return
	}
	b, err := a.svc.BrevetOfStudent(r.Context(), v, student)
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	d.Brevet = b
	d.Exams, d.Cont = grades.BrevetExamsPercent, grades.BrevetContinuousPercent
	if b.Mean.Graded {
		d.Share = averagesNumber(page.Lang(r), b.Mean.Rounded*float64(grades.BrevetContinuousPercent)/100)
	}
	a.pages.Render(w, r, http.StatusOK, "brevet", "cmp.brevet.title", d)
}

type brevetClassData struct {
	grades.BrevetClass
	Exams, Cont int
}

// PageTitle names the class.
func (d brevetClassData) PageTitle(lang string) string {
	return strings.Join([]string{i18n.T(lang, "cmp.brevet.title"), d.Class.Name}, " · ")
}

// brevetClass: a 3e class's marks, for its head teacher and the head.
func (a *Area) brevetClass(w http.ResponseWriter, r *http.Request) {
	bc, err := a.svc.BrevetOfClass(r.Context(), page.Viewer(r), r.PathValue("id"))
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	a.pages.Render(w, r, http.StatusOK, "brevetclass", "cmp.brevet.title",
		brevetClassData{BrevetClass: bc, Exams: grades.BrevetExamsPercent, Cont: grades.BrevetContinuousPercent})
}
