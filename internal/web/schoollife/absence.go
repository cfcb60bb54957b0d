package schoollife

import (
	"net/http"

	"cartable/internal/attendance"
	"cartable/internal/i18n"
	"cartable/internal/timetable"
	"cartable/internal/web/page"
)

// Recording and editing an absence over time (school life).

type absenceData struct {
	Form     attendance.AbsenceForm
	In       attendance.AbsenceInput // as typed
	New      bool
	Action   string
	States   []string
	Problems problems
}

func (d absenceData) PageTitle(lang string) string {
	key := "desk.absence.edittitle"
	if d.New {
		key = "desk.absence.newtitle"
	}
	return i18n.T(lang, key, d.Form.Student.FirstName+" "+d.Form.Student.LastName)
}

func absenceInput(r *http.Request, student string) attendance.AbsenceInput {
	return attendance.AbsenceInput{StudentID: student, StartDate: r.PostFormValue("start-date"), StartTime: r.PostFormValue("start-time"),
		EndDate: r.PostFormValue("end-date"), EndTime: r.PostFormValue("end-time"), ReasonID: r.PostFormValue("reason"),
		State: r.PostFormValue("state"), Comment: r.PostFormValue("comment")}
}

func (a *Area) newAbsence(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	f, err := a.att.NewAbsenceForm(r.Context(), page.Viewer(r), id)
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	today := a.kit.Now().In(timetable.Paris).Format(timetable.DateFormat)
	in := attendance.AbsenceInput{StudentID: id, StartDate: today, EndDate: today, State: attendance.NoReason}
	a.pages.Render(w, r, http.StatusOK, "absence", "desk.absence.new", absenceData{Form: f, In: in, New: true,
		Action: "/school-life/students/" + id + "/absences", States: attendance.States})
}

func (a *Area) createAbsence(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	in := absenceInput(r, id)
	_, err := a.att.RecordAbsence(r.Context(), page.Viewer(r), in)
	if ps, ok := formProblems(err); ok {
		f, err := a.att.NewAbsenceForm(r.Context(), page.Viewer(r), id)
		if err != nil {
			a.kit.Fail(w, r, err)
			return
		}
		a.pages.Render(w, r, http.StatusUnprocessableEntity, "absence", "desk.absence.new", absenceData{Form: f, In: in, New: true,
			Action: "/school-life/students/" + id + "/absences", States: attendance.States, Problems: problemsOf(r, ps)})
		return
	}
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/school-life/students/"+id+"?done=saved", http.StatusSeeOther)
}

func (a *Area) editAbsence(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	f, err := a.att.EditAbsence(r.Context(), page.Viewer(r), id)
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	ab := f.Absence
	in := attendance.AbsenceInput{StudentID: ab.StudentID, StartDate: ab.StartDate, StartTime: timetable.HHMM(ab.StartMin), EndDate: ab.EndDate,
		EndTime: timetable.HHMM(ab.EndMin), ReasonID: ab.ReasonID, State: ab.State, Comment: ab.Comment}
	a.pages.Render(w, r, http.StatusOK, "absence", "desk.absence.edit", absenceData{Form: f, In: in, Action: "/school-life/absences/" + id,
		States: attendance.States})
}

func (a *Area) updateAbsence(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	in := absenceInput(r, "")
	err := a.att.UpdateAbsence(r.Context(), page.Viewer(r), id, in)
	if ps, ok := formProblems(err); ok {
		f, err := a.att.EditAbsence(r.Context(), page.Viewer(r), id)
		if err != nil {
			a.kit.Fail(w, r, err)
			return
		}
		in.StudentID = f.Absence.StudentID
		a.pages.Render(w, r, http.StatusUnprocessableEntity, "absence", "desk.absence.edit", absenceData{Form: f, In: in,
			Action: "/school-life/absences/" + id, States: attendance.States, Problems: problemsOf(r, ps)})
		return
	}
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	f, err := a.att.EditAbsence(r.Context(), page.Viewer(r), id)
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/school-life/students/"+f.Absence.StudentID+"?done=saved", http.StatusSeeOther)
}

func (a *Area) deleteAbsence(w http.ResponseWriter, r *http.Request) {
	student, err := a.att.DeleteAbsence(r.Context(), page.Viewer(r), r.PathValue("id"))
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/school-life/students/"+student+"?done=deleted", http.StatusSeeOther)
}
