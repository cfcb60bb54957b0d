package discipline

import (
	"net/http"
	"strings"

	"cartable/internal/discipline"
	"cartable/internal/i18n"
	"cartable/internal/web/page"
)

type punishData struct {
	discipline.PunishmentForm
	Kinds    []string
	In       discipline.PunishmentInput
	Edit     *discipline.StaffPunishment // the punishment edited; nil for a new one
	Problems problems
	Saved    string
}

// PageTitle names the form and the student.
func (d punishData) PageTitle(lang string) string {
	key := "dis.punish.title"
	if d.Edit != nil {
		key = "dis.punish.edit.title"
	}
	parts := []string{i18n.T(lang, key), d.Student.DisplayName()}
	if d.Problems.Messages != nil {
		parts = append(parts, i18n.T(lang, "dis.title.refused"))
	}
	return strings.Join(parts, " · ")
}

func punishmentInput(r *http.Request) discipline.PunishmentInput {
	f := r.PostFormValue
	return discipline.PunishmentInput{StudentID: f("student"), Kind: f("kind"), Reason: f("reason"), PrivateNote: f("private_note"),
		Work: f("work"), DueOn: f("due_on"), OnDate: f("on_date"), Start: f("start"), Duration: f("duration"), Place: f("place"),
		Outcome: f("outcome"), Lesson: f("lesson"), Report: f("report")}
}

// newPunishment: the form to punish a student (?student=, ?incident=).
func (a *Area) newPunishment(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	form, err := a.svc.NewPunishment(r.Context(), page.Viewer(r), q.Get("student"))
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	form.Incident = q.Get("incident")
	in := discipline.PunishmentInput{StudentID: form.Student.ID, Kind: discipline.Note, Duration: "60", Start: "16:00"}
	a.pages.Render(w, r, http.StatusOK, "punish", "dis.punish.title", punishData{PunishmentForm: form, Kinds: discipline.PunishmentKinds, In: in})
}

// give records a punishment.
func (a *Area) give(w http.ResponseWriter, r *http.Request) {
	v := page.Viewer(r)
	in := punishmentInput(r)
	incident := r.PostFormValue("incident")
	_, err := a.svc.Give(r.Context(), v, in, incident)
	if err == nil {
		http.Redirect(w, r, "/discipline/students/"+in.StudentID+"?saved=punishment", http.StatusSeeOther)
		return
	}
	ps, ok := a.asProblems(r, err)
	if !ok {
		a.kit.Fail(w, r, err)
		return
	}
	form, err := a.svc.NewPunishment(r.Context(), v, in.StudentID)
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	form.Incident = incident
	a.pages.Render(w, r, http.StatusUnprocessableEntity, "punish", "dis.punish.title",
		punishData{PunishmentForm: form, Kinds: discipline.PunishmentKinds, In: in, Problems: ps})
}

// inputOf is a stored punishment as its form shows it.
func inputOf(p discipline.StaffPunishment) discipline.PunishmentInput {
	in := discipline.PunishmentInput{StudentID: p.Student.ID, Kind: p.Kind, Reason: p.Reason, PrivateNote: p.PrivateNote,
		Work: p.Work, DueOn: p.DueOn, OnDate: p.OnDate, Place: p.Place, Outcome: p.Outcome, Report: p.Report}
	if p.Kind == discipline.Detention {
		in.Start = hhmm(p.StartMin)
		in.Duration = itoa(p.DurationMin)
	}
	if p.Lesson != nil {
		in.Lesson = p.Lesson.SlotID + "/" + p.Lesson.Date
	}
	return in
}

// punishment: the edit form of a punishment (its author, school life).
func (a *Area) punishment(w http.ResponseWriter, r *http.Request) {
	f, err := a.svc.Punishment(r.Context(), page.Viewer(r), r.PathValue("id"))
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	a.pages.Render(w, r, http.StatusOK, "punish", "dis.punish.edit.title", punishData{PunishmentForm: f.PunishmentForm,
		Kinds: discipline.PunishmentKinds, In: inputOf(f.Punishment), Edit: &f.Punishment, Saved: r.URL.Query().Get("saved")})
}

// edit changes a punishment.
func (a *Area) edit(w http.ResponseWriter, r *http.Request) {
	v := page.Viewer(r)
	id := r.PathValue("id")
	in := punishmentInput(r)
	err := a.svc.Edit(r.Context(), v, id, in)
	if err == nil {
		http.Redirect(w, r, "/discipline/punishments/"+id+"?saved=1", http.StatusSeeOther)
		return
	}
	ps, ok := a.asProblems(r, err)
	if !ok {
		a.kit.Fail(w, r, err)
		return
	}
	f, err := a.svc.Punishment(r.Context(), v, id)
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	in.StudentID = f.Punishment.Student.ID
	a.pages.Render(w, r, http.StatusUnprocessableEntity, "punish", "dis.punish.edit.title", punishData{PunishmentForm: f.PunishmentForm,
		Kinds: discipline.PunishmentKinds, In: in, Edit: &f.Punishment, Problems: ps})
}

// cancel cancels a punishment.
func (a *Area) cancel(w http.ResponseWriter, r *http.Request) {
	v := page.Viewer(r)
	id := r.PathValue("id")
	f, err := a.svc.Punishment(r.Context(), v, id)
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	if err := a.svc.Cancel(r.Context(), v, id); err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/discipline/students/"+f.Punishment.Student.ID+"?saved=cancelled", http.StatusSeeOther)
}
