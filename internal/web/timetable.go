package web

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"cartable/internal/access"
	"cartable/internal/check"
	"cartable/internal/classlog"
	"cartable/internal/directory"
	"cartable/internal/i18n"
	"cartable/internal/roles"
	"cartable/internal/timetable"
	"cartable/internal/web/page"
)

func dayName(lang string, t time.Time) string { return page.DayName(lang, t) }

// The lesson page stays here until the class log's area takes it; the
// week views and the management pages are the timetable area's
// (internal/web/timetable), the feeds the calendar area's.
func (s *Server) timetableRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /lessons/{slot}/{date}", s.signedIn(s.lesson))
	mux.HandleFunc("POST /lessons/{slot}/{date}/change", s.signedIn(s.lessonChange))
	s.classlogRoutes(mux)
}

func mustDate(s string) time.Time {
	d, _ := timetable.ParseDate(s)
	return d
}

func (s *Server) visibleChildren(r *http.Request) ([]directory.Kin, error) {
	return page.VisibleChildren(r.Context(), s.DB, currentOf(r).viewer)
}

// chosenChild is the child the request chose; ok is false (and the
// refusal audited) when ?child= is not one of the viewer's.
func (s *Server) chosenChild(r *http.Request) (directory.Kin, bool) {
	f, err := s.kit.Family(r)
	if err != nil {
		if page.Refused(err) {
			s.auditRefusal(r, access.Person(r.URL.Query().Get("child")))
		}
		return directory.Kin{}, false
	}
	return f.Chosen, true
}

type lessonData struct {
	Lesson      page.LessonView
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
	Upcoming    []timetable.Lesson // next lessons of the same audience, for "due at a lesson"
	CopyTo      []directory.Teaching
	Saved       string
	Now         time.Time
}

// hasAudience tells whether a class or group attends a lesson (a group
// drawn from a class is not the class).
func hasAudience(l timetable.Lesson, a timetable.Audience) bool {
	for _, x := range l.Slot.Audiences {
		if x.ClassID == a.ClassID && x.GroupID == a.GroupID {
			return true
		}
	}
	return false
}

// teaches tells whether a teacher gives a lesson: one of its teachers, or
// the replacement of that occurrence.
func teaches(l timetable.Lesson, id string) bool {
	for _, t := range l.Slot.Teachers {
		if t.ID == id {
			return true
		}
	}
	return l.Change != nil && l.Change.Replacement != nil && l.Change.Replacement.ID == id
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
			return i18n.T(lang, "log.lesson.other", dayName(lang, t))
		}
	}
	return i18n.T(lang, "log.lesson.unknown", key)
}

type changeForm struct {
	Cancelled                       bool
	Reason, NewDate, NewStart, Room string
	Replacement, Note               string
	NewDuration                     string
	Test                            bool
	Problems                        []string
}

func (s *Server) loadLesson(w http.ResponseWriter, r *http.Request) (timetable.Lesson, bool) {
	l, err := timetable.LessonAt(r.Context(), currentOf(r).viewer, s.DB, r.PathValue("slot"), r.PathValue("date"))
	if err != nil {
		s.kit.Fail(w, r, err)
		return l, false
	}
	return l, true
}

func (s *Server) lesson(w http.ResponseWriter, r *http.Request) {
	l, ok := s.loadLesson(w, r)
	if !ok {
		return
	}
	s.renderLesson(w, r, l, http.StatusOK, nil, nil)
}

// renderLesson shows the lesson page; form and change carry what was
// typed when a submission failed.
func (s *Server) renderLesson(w http.ResponseWriter, r *http.Request, l timetable.Lesson, status int, form *entryForm, change *changeForm) {
	ctx := r.Context()
	v := currentOf(r).viewer
	lang := langOf(r)
	now := s.Now()
	d := lessonData{Lesson: page.LessonViews(lang, []timetable.Lesson{l}, now)[0], Reasons: timetable.Reasons,
		Categories: classlog.Categories, HandIns: classlog.HandIns, Saved: r.URL.Query().Get("saved"), Now: now}
	entries, err := classlog.EntriesOfLesson(ctx, s.DB, l.Slot.ID, l.Date)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	ids := make([]string, len(entries))
	for i, e := range entries {
		ids[i] = e.ID
	}
	ok, err := s.Policy.VisibleEntries(ctx, v, ids)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	for _, e := range entries {
		if ok[e.ID] {
			d.Entries = append(d.Entries, e)
		}
	}
	// The teacher's form (this lesson's teachers, or the replacement of this
	// occurrence): edit their own entry for this lesson, or a new one.
	if d.CanWrite, err = s.may(r, access.WriteClassLog, access.Occurrence(l.Slot.ID, l.Date)); err != nil {
		s.serverError(w, r, err)
		return
	}
	if d.CanWrite {
		if form != nil {
			d.Form = *form
		} else {
			d.Form = entryForm{Category: "lesson", Audience: audienceKey(l.Slot.Audiences[0])}
			for _, e := range d.Entries {
				if e.AuthorID == v.ID {
					d.Form = formFromEntry(e)
					break
				}
			}
		}
		end := mustDate(l.Date).AddDate(0, 0, 21).Format(timetable.DateFormat)
		target := timetable.Target{Kind: timetable.TargetClass, ID: l.Slot.Audiences[0].ClassID}
		if l.Slot.Audiences[0].GroupID != "" {
			target = timetable.Target{Kind: timetable.TargetGroup, ID: l.Slot.Audiences[0].GroupID}
		}
		from := mustDate(l.Date).AddDate(0, 0, 1).Format(timetable.DateFormat)
		next, err := timetable.Lessons(ctx, v, s.DB, target, from, end)
		if errors.Is(err, access.ErrDenied) {
			// A co-teacher or a replacement who does not read the class's
			// timetable: the lessons they teach themselves.
			next, err = timetable.Lessons(ctx, v, s.DB, timetable.Target{Kind: timetable.TargetTeacher, ID: v.ID}, from, end)
		}
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		// The next lessons of the subject that a homework may be due at: of
		// the same class or group (not a group drawn from the class), or
		// taught by the teacher, as the save checks (dueLessonProblems).
		for _, n := range next {
			if n.Slot.SubjectID == l.Slot.SubjectID && !n.Cancelled() && len(d.Upcoming) < 6 &&
				(hasAudience(n, l.Slot.Audiences[0]) || teaches(n, v.ID)) {
				d.Upcoming = append(d.Upcoming, n)
			}
		}
		teaching, err := directory.TeachingOfTeacher(ctx, s.DB, v.ID)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		for _, t := range teaching {
			if t.SubjectCode == l.Slot.SubjectCode && t.EstablishmentID == l.Slot.EstablishmentID {
				d.CopyTo = append(d.CopyTo, t)
			}
		}
	}
	if d.CanEdit, err = s.may(r, access.ChangeLesson, access.Lesson(l.Slot.ID)); err != nil {
		s.serverError(w, r, err)
		return
	}
	if !d.CanEdit {
		if d.CanAnnotate, err = s.may(r, access.AnnotateLesson, access.Lesson(l.Slot.ID)); err != nil {
			s.serverError(w, r, err)
			return
		}
	}
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
		if d.Rooms, err = timetable.Rooms(ctx, v, s.DB, l.Slot.EstablishmentID); err != nil {
			s.serverError(w, r, err)
			return
		}
		if d.Teachers, err = directory.TeachersOf(ctx, v, s.DB, l.Slot.EstablishmentID); err != nil {
			s.serverError(w, r, err)
			return
		}
	}
	s.render(w, r, status, "lesson", "tt.lesson.title", d)
}

func (s *Server) lessonChange(w http.ResponseWriter, r *http.Request) {
	l, ok := s.loadLesson(w, r)
	if !ok {
		return
	}
	full, err := s.may(r, access.ChangeLesson, access.Lesson(l.Slot.ID))
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if !full {
		// A lesson's own teacher records a test planned or a note only.
		if s.allowed(w, r, access.AnnotateLesson, access.Lesson(l.Slot.ID)) {
			s.lessonAnnotate(w, r, l)
		}
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
		err = timetable.SetChange(r.Context(), currentOf(r).viewer, s.DB, in, s.Now())
	}
	if ps, ok := check.As(err); ok {
		f.Problems = page.ProblemText(langOf(r), "tt", ps)
		s.renderLesson(w, r, l, http.StatusUnprocessableEntity, nil, &f)
		return
	}
	if err != nil {
		s.kit.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/lessons/"+l.Slot.ID+"/"+l.Date+"?saved=change", http.StatusSeeOther)
}

// lessonAnnotate records a teacher's "test planned" and note on one
// occurrence of their lesson, keeping the changes made by staff.
func (s *Server) lessonAnnotate(w http.ResponseWriter, r *http.Request, l timetable.Lesson) {
	f := changeForm{Note: r.PostFormValue("note"), Test: r.PostFormValue("test") == "1"}
	err := timetable.Annotate(r.Context(), currentOf(r).viewer, s.DB, l.Slot.ID, l.Date, f.Test, f.Note, s.Now())
	if ps, ok := check.As(err); ok {
		f.Problems = page.ProblemText(langOf(r), "tt", ps)
		s.renderLesson(w, r, l, http.StatusUnprocessableEntity, nil, &f)
		return
	}
	if err != nil {
		s.kit.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/lessons/"+l.Slot.ID+"/"+l.Date+"?saved=change", http.StatusSeeOther)
}

// nowNext is the home page's "now and next" (timetable.Cache.NowNext)
// ready for its template: the lesson under way, the next one, and the
// changes of the coming week, for the student, the selected child or the
// teacher.
type nowNext struct {
	Now, Next      *page.LessonView
	Changes        []page.LessonView
	Link, Homework string
}

func (s *Server) nowNext(r *http.Request, data *homeData) (*nowNext, error) {
	v := currentOf(r).viewer
	var t timetable.Target
	n := &nowNext{Link: "/timetable", Homework: "/homework"}
	switch v.Profile {
	case roles.Student:
		t = timetable.Target{Kind: timetable.TargetStudent, ID: v.ID}
	case roles.Relative:
		if data.ChildID == "" {
			return nil, nil
		}
		t = timetable.Target{Kind: timetable.TargetStudent, ID: data.ChildID}
		n.Link, n.Homework = "/timetable?child="+data.ChildID, "/homework?child="+data.ChildID
	case roles.Teacher:
		t = timetable.Target{Kind: timetable.TargetTeacher, ID: v.ID}
	default:
		return nil, nil
	}
	now := s.Now()
	nn, err := s.weeks.NowNext(r.Context(), v, s.DB, t, now)
	if errors.Is(err, access.ErrDenied) {
		return nil, nil // no timetable to show: the rest of the home page is
	}
	if err != nil || nn == nil {
		return nil, err
	}
	shown := make([]timetable.Lesson, 0, 2+len(nn.Changes))
	for _, l := range []*timetable.Lesson{nn.Now, nn.Next} {
		if l != nil {
			shown = append(shown, *l)
		}
	}
	views := page.LessonViews(langOf(r), append(shown, nn.Changes...), now)
	i := 0
	if nn.Now != nil {
		n.Now, i = &views[i], i+1
	}
	if nn.Next != nil {
		n.Next, i = &views[i], i+1
	}
	n.Changes = views[i:]
	return n, nil
}
