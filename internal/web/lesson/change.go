package lesson

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"cartable/internal/access"
	"cartable/internal/db"
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

// edit runs one change of the timetable in a transaction, then empties
// the timetable's caches, whatever the outcome.
func (a *Area) edit(r *http.Request, fn func(tx *db.Tx) error) error {
	defer a.Weeks.Reset()
	return a.DB.Tx(r.Context(), fn)
}

// change records a change of the occurrence (cancelled, moved, another
// room, a replacement), or its teacher's annotation.
func (a *Area) change(w http.ResponseWriter, r *http.Request) {
	l, ok := a.loadLesson(w, r)
	if !ok {
		return
	}
	full, err := page.May(r, access.ChangeLesson, access.Lesson(l.Slot.ID))
	if err != nil {
		a.kit.ServerError(w, r, err)
		return
	}
	if !full {
		// A lesson's own teacher records a test planned or a note only.
		if a.kit.Allowed(w, r, access.AnnotateLesson, access.Lesson(l.Slot.ID)) {
			a.annotate(w, r, l)
		}
		return
	}
	f := changeForm{Cancelled: r.PostFormValue("cancelled") == "1", Reason: r.PostFormValue("reason"),
		NewDate: strings.TrimSpace(r.PostFormValue("new_date")), NewStart: strings.TrimSpace(r.PostFormValue("new_start")),
		NewDuration: strings.TrimSpace(r.PostFormValue("new_duration")), Room: r.PostFormValue("room"),
		Replacement: r.PostFormValue("replacement"), Note: r.PostFormValue("note"), Test: r.PostFormValue("test") == "1"}
	in := timetable.ChangeInput{SlotID: l.Slot.ID, OnDate: l.Date, Cancelled: f.Cancelled, Reason: f.Reason,
		NewDate: f.NewDate, NewStart: f.NewStart, NewRoomID: f.Room, ReplacementID: f.Replacement,
		TestPlanned: f.Test, Note: f.Note, By: page.Viewer(r).ID}
	var ps timetable.Problems
	if f.NewDuration != "" {
		if _, err := fmt.Sscan(f.NewDuration, &in.NewDuration); err != nil {
			ps = append(ps, timetable.Problem{Field: "duration", Code: "bad-duration", Value: f.NewDuration})
		}
	}
	if len(ps) > 0 {
		err = ps
	} else {
		err = a.edit(r, func(tx *db.Tx) error {
			return timetable.SetChange(r.Context(), tx, l.Slot.EstablishmentID, in, a.kit.Now())
		})
	}
	a.changed(w, r, l, f, err)
}

// annotate records a teacher's "test planned" and note on one occurrence
// of their lesson, keeping the changes made by staff.
func (a *Area) annotate(w http.ResponseWriter, r *http.Request, l timetable.Lesson) {
	f := changeForm{Note: r.PostFormValue("note"), Test: r.PostFormValue("test") == "1"}
	err := a.edit(r, func(tx *db.Tx) error {
		return timetable.Annotate(r.Context(), tx, l.Slot.EstablishmentID, l.Slot.ID, l.Date, f.Test, f.Note, page.Viewer(r).ID, a.kit.Now())
	})
	a.changed(w, r, l, f, err)
}

// changed answers a change: back to the lesson, or the form again with
// what was typed and why nothing was saved.
func (a *Area) changed(w http.ResponseWriter, r *http.Request, l timetable.Lesson, f changeForm, err error) {
	var ps timetable.Problems
	if errors.As(err, &ps) {
		f.Problems = page.TimetableProblems(page.Lang(r), ps)
		a.render(w, r, l, http.StatusUnprocessableEntity, nil, &f)
		return
	}
	if err != nil {
		a.kit.ServerError(w, r, err)
		return
	}
	http.Redirect(w, r, "/lessons/"+l.Slot.ID+"/"+l.Date+"?saved=change", http.StatusSeeOther)
}
