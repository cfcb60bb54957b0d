package schoollife

import (
	"net/http"
	"strconv"

	"cartable/internal/attendance"
	"cartable/internal/timetable"
	"cartable/internal/web/page"
)

// The establishment's settings and reasons; the collective absences.

type settingsData struct {
	Page     attendance.SettingsPage
	In       attendance.SettingsInput // as typed (or as saved)
	Units    []string
	Problems problems
	// A reason form refused: which ("new" or the reason's ID), as typed.
	ReasonFor      string
	Reason         attendance.ReasonInput
	ReasonProblems problems
	Done           string
}

func settingsInput(s attendance.Settings) attendance.SettingsInput {
	n := strconv.Itoa
	return attendance.SettingsInput{Unit: s.Unit, Boundary: timetable.HHMM(s.BoundaryMin), OpensBefore: n(s.OpensBefore),
		LateAfter: n(s.LateAfter), AlertDelay: n(s.AlertDelay), AlertFrom: timetable.HHMM(s.AlertFrom), AlertUntil: timetable.HHMM(s.AlertUntil),
		MaxAbsences: n(s.MaxAbsences), MaxLateness: n(s.MaxLateness), MaxIncidents: n(s.MaxIncidents)}
}

func (a *Area) settingsPage(w http.ResponseWriter, r *http.Request, status int, est string, d settingsData) {
	p, err := a.att.SettingsOf(r.Context(), page.Viewer(r), est)
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	d.Page, d.Units = p, attendance.Units
	if d.In == (attendance.SettingsInput{}) {
		d.In = settingsInput(p.Settings)
	}
	a.pages.Render(w, r, status, "settings", "desk.settings.title", d)
}

func (a *Area) settings(w http.ResponseWriter, r *http.Request) {
	done := r.URL.Query().Get("done")
	if done != "settings" && done != "reason" {
		done = ""
	}
	a.settingsPage(w, r, http.StatusOK, r.URL.Query().Get("est"), settingsData{Done: done})
}

func (a *Area) saveSettings(w http.ResponseWriter, r *http.Request) {
	est := r.PostFormValue("est")
	in := attendance.SettingsInput{Unit: r.PostFormValue("unit"), Boundary: r.PostFormValue("boundary"), OpensBefore: r.PostFormValue("opens-before"),
		LateAfter: r.PostFormValue("late-after"), AlertDelay: r.PostFormValue("alert-delay"), AlertFrom: r.PostFormValue("alert-from"),
		AlertUntil: r.PostFormValue("alert-until"), MaxAbsences: r.PostFormValue("max-absences"), MaxLateness: r.PostFormValue("max-lateness"),
		MaxIncidents: r.PostFormValue("max-incidents")}
	err := a.att.SaveSettings(r.Context(), page.Viewer(r), est, in)
	if ps, ok := formProblems(err); ok {
		a.settingsPage(w, r, http.StatusUnprocessableEntity, est, settingsData{In: in, Problems: problemsOf(r, ps)})
		return
	}
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/school-life/settings?done=settings", http.StatusSeeOther)
}

func (a *Area) saveReason(w http.ResponseWriter, r *http.Request) {
	est, id := r.PostFormValue("est"), r.PathValue("id")
	in := attendance.ReasonInput{Label: r.PostFormValue("label"), Legitimate: r.PostFormValue("legitimate") != "",
		Confidential: r.PostFormValue("confidential") != "", Active: r.PostFormValue("active") != "", Position: r.PostFormValue("position")}
	err := a.att.SaveReason(r.Context(), page.Viewer(r), est, id, in)
	if ps, ok := formProblems(err); ok {
		which := id
		if which == "" {
			which = "new"
		}
		a.settingsPage(w, r, http.StatusUnprocessableEntity, est, settingsData{ReasonFor: which, Reason: in, ReasonProblems: problemsOf(r, ps)})
		return
	}
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/school-life/settings?done=reason", http.StatusSeeOther)
}

type collectiveData struct {
	Page     attendance.CollectivePage
	In       attendance.CollectiveInput
	Problems problems
	Done     string
}

func (a *Area) collectivePage(w http.ResponseWriter, r *http.Request, status int, est string, d collectiveData) {
	p, err := a.att.Collectives(r.Context(), page.Viewer(r), est)
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	d.Page = p
	a.pages.Render(w, r, status, "collective", "desk.collective.title", d)
}

func (a *Area) collective(w http.ResponseWriter, r *http.Request) {
	done := r.URL.Query().Get("done")
	if done != "added" && done != "deleted" {
		done = ""
	}
	today := a.kit.Now().In(timetable.Paris).Format(timetable.DateFormat)
	a.collectivePage(w, r, http.StatusOK, r.URL.Query().Get("est"), collectiveData{Done: done,
		In: attendance.CollectiveInput{StartDate: today, EndDate: today, StartTime: "08:00", EndTime: "17:00"}})
}

func (a *Area) createCollective(w http.ResponseWriter, r *http.Request) {
	est := r.PostFormValue("est")
	in := attendance.CollectiveInput{Audience: r.PostFormValue("audience"), Label: r.PostFormValue("label"), StartDate: r.PostFormValue("start-date"),
		StartTime: r.PostFormValue("start-time"), EndDate: r.PostFormValue("end-date"), EndTime: r.PostFormValue("end-time")}
	_, err := a.att.AddCollective(r.Context(), page.Viewer(r), est, in)
	if ps, ok := formProblems(err); ok {
		a.collectivePage(w, r, http.StatusUnprocessableEntity, est, collectiveData{In: in, Problems: problemsOf(r, ps)})
		return
	}
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/school-life/collective?done=added", http.StatusSeeOther)
}

func (a *Area) deleteCollective(w http.ResponseWriter, r *http.Request) {
	if _, err := a.att.DeleteCollective(r.Context(), page.Viewer(r), r.PathValue("id")); err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/school-life/collective?done=deleted", http.StatusSeeOther)
}
