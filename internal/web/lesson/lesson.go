package lesson

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"cartable/internal/classlog"
	"cartable/internal/directory"
	"cartable/internal/i18n"
	"cartable/internal/roles"
	"cartable/internal/timetable"
	"cartable/internal/web/page"
)

// lessonView is the occurrence with its teachers' names and its changes
// in words.
type lessonView struct {
	timetable.Lesson
	Teacher string
	Notes   []string
}

type lessonData struct {
	Lesson      lessonView
	Entries     []classlog.Entry
	CanWrite    bool
	CanEdit     bool // changes of this occurrence
	CanAnnotate bool // the lesson's teacher: test planned and note only
	Form        entryForm
	Change      changeForm
	Rooms       []timetable.Room
	Teachers    []directory.Named
	Reasons     []string
	Categories  []string
	HandIns     []string
	Upcoming    []timetable.Lesson      // next lessons of the same audience, for "due at a lesson"
	Audiences   []classlog.AudienceLink // the lesson's classes and groups, with the page each opens
	CopyTo      []directory.TeachingRow
	Saved       string
	Now         time.Time
	Relative    bool   // the viewer reads a child's hand-ins
	Register    string // the register's state when the viewer takes it, else ""
}

// PageTitle names the lesson: subject, classes or groups, day.
func (d lessonData) PageTitle(lang string) string {
	var names []string
	for _, a := range d.Lesson.Slot.Audiences {
		names = append(names, a.Name)
	}
	return strings.Join([]string{d.Lesson.Slot.SubjectName, strings.Join(names, ", "), i18n.DayName(lang, d.Lesson.Start)}, " · ")
}

// OtherLesson names the lesson a homework line is due at when the form
// does not offer it (a value sent by a forged or older form, shown back as
// it came), or "" when it is one of Upcoming.
func (d lessonData) OtherLesson(lang, key string) string {
	if key == "" {
		return ""
	}
	for _, u := range d.Upcoming {
		if u.Key() == key {
			return ""
		}
	}
	if _, date, ok := strings.Cut(key, "/"); ok {
		if t, err := timetable.ParseDate(date); err == nil {
			return i18n.T(lang, "log.lesson.other", page.DayName(lang, t))
		}
	}
	return i18n.T(lang, "log.lesson.unknown", key)
}

// loadLesson reads the occurrence of the request's address, answering
// "not found" (a refusal audited) when the viewer may not see it.
func (a *Area) loadLesson(w http.ResponseWriter, r *http.Request) (timetable.Lesson, bool) {
	l, err := timetable.LessonAt(r.Context(), page.Viewer(r), a.DB, r.PathValue("slot"), r.PathValue("date"))
	if err != nil {
		a.kit.Fail(w, r, err)
		return l, false
	}
	return l, true
}

func (a *Area) lesson(w http.ResponseWriter, r *http.Request) {
	l, ok := a.loadLesson(w, r)
	if !ok {
		return
	}
	a.render(w, r, l, http.StatusOK, nil, nil)
}

// render shows the lesson page; form and change carry what was typed when
// a submission failed.
func (a *Area) render(w http.ResponseWriter, r *http.Request, l timetable.Lesson, status int, form *entryForm, change *changeForm) {
	ctx := r.Context()
	lang := page.Lang(r)
	now := a.kit.Now()
	log, err := a.ClassLog.OfLesson(ctx, page.Viewer(r), l.Slot.ID, l.Date)
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	d := lessonData{Lesson: lessonView{Lesson: l, Teacher: page.TeacherNames(l.Teachers), Notes: page.Explain(lang, l)},
		Entries: log.Entries, CanWrite: log.CanWrite, Upcoming: log.DueAt, CopyTo: log.CopyTo,
		Reasons: timetable.Reasons, Categories: classlog.Categories, HandIns: classlog.HandIns,
		Saved: r.URL.Query().Get("saved"), Now: now, Relative: page.Viewer(r).Profile == roles.Relative}
	if d.Audiences, err = a.ClassLog.AudienceLinks(ctx, page.Viewer(r), l.Slot.Audiences); err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	// The teacher's form (this lesson's teachers, or the replacement of this
	// occurrence): edit their own entry for this lesson, or a new one.
	if d.CanWrite {
		switch {
		case form != nil:
			d.Form = *form
			d.Form.fromSaved(log.Entries)
		case log.Own != nil:
			d.Form = formFromEntry(*log.Own)
		default:
			d.Form = entryForm{Category: "lesson"}
		}
		if d.Form.Audience == "" {
			d.Form.Audience = classlog.AudienceKey(l.Slot.Audiences[0].ClassID, l.Slot.Audiences[0].GroupID)
		}
	}
	if a.Registers != nil {
		states, err := a.Registers.RegisterStates(ctx, page.Viewer(r), []timetable.Lesson{l})
		if err != nil {
			a.kit.Fail(w, r, err)
			return
		}
		d.Register = states[l.Key()]
	}
	rights, err := timetable.RightsOn(ctx, page.Viewer(r), l.Slot.ID)
	if err != nil {
		a.kit.ServerError(w, r, err)
		return
	}
	d.CanEdit, d.CanAnnotate = rights.Change, rights.Annotate && !rights.Change
	if d.CanEdit || d.CanAnnotate {
		if change != nil {
			d.Change = *change
		} else if c := l.Change; c != nil {
			d.Change = changeForm{Cancelled: c.Cancelled, Reason: c.Reason, NewDate: c.NewDate, Test: c.TestPlanned, Note: c.Note}
			if c.NewStartMin != 0 {
				d.Change.NewStart = timetable.HHMM(c.NewStartMin)
			}
			if c.NewDurationMin != 0 {
				d.Change.NewDuration = fmt.Sprint(c.NewDurationMin)
			}
			if c.NewRoom != nil {
				d.Change.Room = c.NewRoom.ID
			}
			if c.Replacement != nil {
				d.Change.Replacement = c.Replacement.ID
			}
		}
	}
	if d.CanEdit {
		if d.Rooms, err = timetable.Rooms(ctx, page.Viewer(r), a.DB, l.Slot.EstablishmentID); err != nil {
			a.kit.ServerError(w, r, err)
			return
		}
		if d.Teachers, err = directory.TeachersOf(ctx, page.Viewer(r), a.DB, l.Slot.EstablishmentID); err != nil {
			a.kit.ServerError(w, r, err)
			return
		}
	}
	a.pages.Render(w, r, status, "lesson", "tt.lesson.title", d)
}
