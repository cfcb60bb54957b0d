package lesson

import (
	"fmt"
	"net/http"
	"strings"

	"cartable/internal/check"
	"cartable/internal/timetable"
	"cartable/internal/web/page"
)

type changeForm struct {
	Cancelled                       bool
	Reason, NewDate, NewStart, Room string
	Replacement, Note               string
	NewDuration                     string
	Test                            bool
	Problems                        []string
}

// change records a change of the occurrence (cancelled, moved, another
// room, a replacement), or its teacher's annotation.
func (a *Area) change(w http.ResponseWriter, r *http.Request) {
	l, ok := a.loadLesson(w, r)
	if !ok {
		return
	}
	rights, err := timetable.RightsOn(r.Context(), page.Viewer(r), l.Slot.ID)
	if err != nil {
		a.kit.ServerError(w, r, err)
		return
	}
	if !rights.Change {
		// A lesson's own teacher records a test planned or a note only;
		// Annotate refuses anyone else (audited, "not found").
		a.annotate(w, r, l)
		return
	}
	f := changeForm{Cancelled: r.PostFormValue("cancelled") == "1", Reason: r.PostFormValue("reason"),
		NewDate: strings.TrimSpace(r.PostFormValue("new_date")), NewStart: strings.TrimSpace(r.PostFormValue("new_start")),
		NewDuration: strings.TrimSpace(r.PostFormValue("new_duration")), Room: r.PostFormValue("room"),
		Replacement: r.PostFormValue("replacement"), Note: r.PostFormValue("note"), Test: r.PostFormValue("test") == "1"}
	in := timetable.ChangeInput{SlotID: l.Slot.ID, OnDate: l.Date, Cancelled: f.Cancelled, Reason: f.Reason,
		NewDate: f.NewDate, NewStart: f.NewStart, NewRoomID: f.Room, ReplacementID: f.Replacement,
		TestPlanned: f.Test, Note: f.Note}
	var ps check.Problems
	if f.NewDuration != "" {
		if _, err := fmt.Sscan(f.NewDuration, &in.NewDuration); err != nil {
			ps.Add("duration", "bad-duration", f.NewDuration)
		}
	}
	if len(ps) > 0 {
		err = ps
	} else {
		err = timetable.SetChange(r.Context(), page.Viewer(r), a.DB, in, a.kit.Now())
	}
	a.changed(w, r, l, f, err)
}

// annotate records a teacher's "test planned" and note on one occurrence
// of their lesson, keeping the changes made by staff.
func (a *Area) annotate(w http.ResponseWriter, r *http.Request, l timetable.Lesson) {
	f := changeForm{Note: r.PostFormValue("note"), Test: r.PostFormValue("test") == "1"}
	err := timetable.Annotate(r.Context(), page.Viewer(r), a.DB, l.Slot.ID, l.Date, f.Test, f.Note, a.kit.Now())
	a.changed(w, r, l, f, err)
}

// changed answers a change: back to the lesson, or the form again with
// what was typed and why nothing was saved.
func (a *Area) changed(w http.ResponseWriter, r *http.Request, l timetable.Lesson, f changeForm, err error) {
	if ps, ok := check.As(err); ok {
		f.Problems = page.ProblemText(page.Lang(r), "tt", ps)
		a.render(w, r, l, http.StatusUnprocessableEntity, nil, &f)
		return
	}
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/lessons/"+l.Slot.ID+"/"+l.Date+"?saved=change", http.StatusSeeOther)
}
