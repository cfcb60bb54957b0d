package schoollife

import (
	"net/http"

	"cartable/internal/attendance"
	"cartable/internal/i18n"
	"cartable/internal/timetable"
	"cartable/internal/web/page"
)

// Exemptions (school life).

type exemptionData struct {
	Form     attendance.ExemptionForm
	In       attendance.ExemptionInput
	Days     []int
	Problems problems
}

func (d exemptionData) PageTitle(lang string) string {
	return i18n.T(lang, "desk.exemption.title", d.Form.Student.FirstName+" "+d.Form.Student.LastName)
}

var weekdays = []int{1, 2, 3, 4, 5, 6}

func (a *Area) newExemption(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	f, err := a.att.NewExemptionForm(r.Context(), page.Viewer(r), id)
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	today := a.kit.Now().In(timetable.Paris).Format(timetable.DateFormat)
	a.pages.Render(w, r, http.StatusOK, "exemption", "desk.exemption.heading", exemptionData{Form: f, Days: weekdays,
		In: attendance.ExemptionInput{StudentID: id, StartDate: today, EndDate: today, Attendance: true}})
}

func (a *Area) createExemption(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	in := attendance.ExemptionInput{StudentID: id, SubjectID: r.PostFormValue("subject"), StartDate: r.PostFormValue("start-date"),
		EndDate: r.PostFormValue("end-date"), Weekdays: r.PostForm["weekdays"], EveryOtherWeek: r.PostFormValue("every-other-week") != "",
		Attendance: r.PostFormValue("attendance") != "", Comment: r.PostFormValue("comment")}
	_, err := a.att.AddExemption(r.Context(), page.Viewer(r), in)
	if ps, ok := formProblems(err); ok {
		f, err := a.att.NewExemptionForm(r.Context(), page.Viewer(r), id)
		if err != nil {
			a.kit.Fail(w, r, err)
			return
		}
		a.pages.Render(w, r, http.StatusUnprocessableEntity, "exemption", "desk.exemption.heading", exemptionData{Form: f, In: in,
			Days: weekdays, Problems: problemsOf(r, ps)})
		return
	}
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/school-life/students/"+id+"?done=exemption", http.StatusSeeOther)
}

func (a *Area) deleteExemption(w http.ResponseWriter, r *http.Request) {
	student, err := a.att.DeleteExemption(r.Context(), page.Viewer(r), r.PathValue("id"))
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/school-life/students/"+student+"?done=unexempted", http.StatusSeeOther)
}
