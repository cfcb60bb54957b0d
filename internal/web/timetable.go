package web

import (
	"context"
	"errors"
	"fmt"
	"html"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"time"

	"cartable/internal/access"
	"cartable/internal/classlog"
	"cartable/internal/db"
	"cartable/internal/directory"
	"cartable/internal/i18n"
	"cartable/internal/timetable"
	"cartable/internal/web/page"
)

func dayName(lang string, t time.Time) string { return page.DayName(lang, t) }

func (s *Server) timetableRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /timetable", s.signedIn(s.myTimetable))
	mux.HandleFunc("GET /timetable/people/{id}", s.signedIn(s.personTimetable))
	mux.HandleFunc("GET /timetable/classes/{id}", s.signedIn(s.structureTimetable))
	mux.HandleFunc("GET /timetable/groups/{id}", s.signedIn(s.structureTimetable))
	mux.HandleFunc("GET /timetable/rooms/{id}", s.signedIn(s.roomTimetable))
	mux.HandleFunc("GET /lessons/{slot}/{date}", s.signedIn(s.lesson))
	mux.HandleFunc("POST /lessons/{slot}/{date}/change", s.signedIn(s.lessonChange))
	mux.HandleFunc("GET /timetable/manage/{est}", s.signedIn(s.manageTimetable))
	mux.HandleFunc("POST /timetable/manage/{est}/slots", s.signedIn(s.addSlot))
	mux.HandleFunc("POST /timetable/manage/{est}/slots/{slot}", s.signedIn(s.updateSlot))
	mux.HandleFunc("POST /timetable/manage/{est}/slots/{slot}/delete", s.signedIn(s.deleteSlot))
	mux.HandleFunc("POST /timetable/manage/{est}/import", s.signedIn(s.importTimetable))
	mux.HandleFunc("POST /timetable/manage/{est}/settings", s.signedIn(s.classlogSettings))
	s.timetableSetupRoutes(mux)
	s.classlogRoutes(mux)
	s.feedRoutes(mux)
}

// lessonView is a lesson ready for a template: its link and its changes
// explained in words.
type lessonView struct {
	timetable.Lesson
	Href    string
	Notes   []string
	Teacher string
	Now     bool
	// Precomputed for the week grid, which shows many lessons per page.
	Class, When, DateTime, Day, Where string
	// Card is the lesson's list item, escaped here once rather than field
	// by field by the template engine (a third of the page's cost).
	Card template.HTML
}

type dayColumn struct {
	Date    time.Time
	Lessons []lessonView
	Holiday string
	Today   bool
}

type weekData struct {
	Heading    string // whose timetable
	Base       string // path of this timetable, without query
	Children   []directory.Kin
	ChildID    string
	DayView    bool
	Start      time.Time // Monday, or the day
	Days       []dayColumn
	Prev, Next template.URL // links to the previous and next week or day
	WeekLabels []string
	Empty      bool
	Manage     []directory.Establishment // staff: timetable management links
	Classes    []directory.Class         // staff: other timetables to open
	Rooms      []timetable.Room
}

// explain puts a lesson's changes into words.
func explain(lang string, l timetable.Lesson) []string {
	var out []string
	if l.Slot.Exceptional {
		out = append(out, i18n.T(lang, "tt.exceptional"))
	}
	c := l.Change
	if c == nil {
		return out
	}
	if c.Cancelled {
		out = append(out, i18n.T(lang, "tt.cancelled", i18n.T(lang, "tt.reason."+c.Reason)))
	}
	if l.Moved() {
		orig := timetable.At(mustDate(l.Date), l.Slot.StartMin)
		out = append(out, i18n.T(lang, "tt.moved", dayName(lang, l.Start), l.Start.Format("15:04"), l.End.Format("15:04"),
			dayName(lang, orig), orig.Format("15:04")))
	}
	if c.NewRoom != nil {
		was := "—"
		if l.Slot.Room != nil {
			was = l.Slot.Room.Name
		}
		out = append(out, i18n.T(lang, "tt.roomchange", c.NewRoom.Name, was))
	}
	if c.Replacement != nil {
		var names []string
		for _, t := range l.Slot.Teachers {
			names = append(names, t.Name())
		}
		out = append(out, i18n.T(lang, "tt.replaced", c.Replacement.Name(), strings.Join(names, ", ")))
	}
	if c.TestPlanned {
		out = append(out, i18n.T(lang, "tt.test"))
	}
	if c.Note != "" {
		out = append(out, i18n.T(lang, "tt.note", c.Note))
	}
	return out
}

func mustDate(s string) time.Time {
	d, _ := timetable.ParseDate(s)
	return d
}

func teacherNames(ps []timetable.Person) string {
	var names []string
	for _, p := range ps {
		names = append(names, p.Name())
	}
	return strings.Join(names, ", ")
}

func (s *Server) lessonViews(lang string, ls []timetable.Lesson, now time.Time) []lessonView {
	out := make([]lessonView, len(ls))
	for i, l := range ls {
		v := lessonView{Lesson: l, Href: "/lessons/" + l.Slot.ID + "/" + l.Date, Notes: explain(lang, l),
			Teacher: teacherNames(l.Teachers), Now: !now.Before(l.Start) && now.Before(l.End)}
		start, end := l.Start.In(timetable.Paris), l.End.In(timetable.Paris)
		v.When = start.Format("15:04") + "–" + end.Format("15:04")
		v.DateTime = start.Format("2006-01-02T15:04")
		v.Day = start.Format(timetable.DateFormat)
		v.Class = "lesson"
		switch {
		case l.Cancelled():
			v.Class += " cancelled"
		case l.Changed():
			v.Class += " changed"
		}
		if v.Now {
			v.Class += " now"
		}
		where := v.Teacher
		if l.Room != nil {
			where += " · " + l.Room.Name
		}
		if len(l.Slot.Audiences) > 0 {
			where += " · " + l.Audience()
		}
		v.Where = where
		v.Card = lessonCard(lang, &v)
		out[i] = v
	}
	return out
}

// weekRange reads ?week= or ?day= (any date); default this week.
func weekRange(r *http.Request, now time.Time) (start time.Time, days int, dayView bool) {
	today := time.Date(now.In(timetable.Paris).Year(), now.In(timetable.Paris).Month(), now.In(timetable.Paris).Day(), 0, 0, 0, 0, timetable.Paris)
	if d, err := timetable.ParseDate(r.URL.Query().Get("day")); err == nil {
		return d, 1, true
	}
	if r.URL.Query().Has("day") {
		return today, 1, true
	}
	if d, err := timetable.ParseDate(r.URL.Query().Get("week")); err == nil {
		return timetable.Monday(d), 6, false
	}
	return timetable.Monday(today), 6, false
}

// showWeek renders the week (or day) of a target.
func (s *Server) showWeek(w http.ResponseWriter, r *http.Request, t timetable.Target, d weekData) {
	ctx := r.Context()
	now := s.Now()
	start, n, dayView := weekRange(r, now)
	end := start.AddDate(0, 0, n-1)
	span, err := s.weeks.Period(ctx, s.DB, t, start.Format(timetable.DateFormat), end.Format(timetable.DateFormat))
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	ls, cal := span.Lessons, span.Calendar
	d.DayView, d.Start = dayView, start
	lang := langOf(r)
	views := s.lessonViews(lang, ls, now)
	todayISO := now.In(timetable.Paris).Format(timetable.DateFormat)
	for i := 0; i < n; i++ {
		day := start.AddDate(0, 0, i)
		iso := day.Format(timetable.DateFormat)
		col := dayColumn{Date: day, Today: iso == todayISO}
		if h, closed := cal.Closed(iso); closed {
			col.Holiday = h.Label
		}
		for _, v := range views {
			if v.Day == iso {
				col.Lessons = append(col.Lessons, v)
			}
		}
		// Saturday shows only when it has lessons.
		if i == 5 && len(col.Lessons) == 0 {
			continue
		}
		d.Days = append(d.Days, col)
	}
	d.Empty = len(ls) == 0
	link := func(kind string, day time.Time) template.URL {
		u := d.Base + "?" + kind + "=" + day.Format(timetable.DateFormat)
		if d.ChildID != "" {
			u += "&child=" + url.QueryEscape(d.ChildID)
		}
		return template.URL(u) // a local path built from a date and an identifier
	}
	if dayView {
		d.Prev, d.Next = link("day", start.AddDate(0, 0, -1)), link("day", start.AddDate(0, 0, 1))
	} else {
		d.Prev, d.Next = link("week", start.AddDate(0, 0, -7)), link("week", start.AddDate(0, 0, 7))
		d.WeekLabels = span.WeekLabels[start.Format(timetable.DateFormat)]
	}
	s.render(w, r, http.StatusOK, "timetable", "tt.title", d)
}

func dedupeStrings(xs []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, x := range xs {
		if x != "" && !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

// myTimetable: a student's or teacher's own; a relative's children (tabs);
// staff get links to the timetables they may open.
func (s *Server) myTimetable(w http.ResponseWriter, r *http.Request) {
	cur := currentOf(r)
	v := cur.viewer
	ctx := r.Context()
	d := weekData{Base: "/timetable", Heading: cur.me.DisplayName()}
	switch v.Profile {
	case directory.Student, directory.Teacher:
		kind := timetable.TargetStudent
		if v.Profile == directory.Teacher {
			kind = timetable.TargetTeacher
		}
		if !s.allowed(w, r, access.ReadTimetable, access.Person(v.ID)) {
			return
		}
		if err := s.staffLinks(ctx, v, &d); err != nil {
			s.serverError(w, r, err)
			return
		}
		s.showWeek(w, r, timetable.Target{Kind: kind, ID: v.ID}, d)
	case directory.Relative:
		children, err := s.visibleChildren(ctx, v)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		d.Children = children
		if len(children) == 0 {
			s.render(w, r, http.StatusOK, "timetable", "tt.title", d)
			return
		}
		child, ok := s.chosenChild(r, children)
		if !ok {
			s.renderError(w, r, http.StatusNotFound, "error.notfound")
			return
		}
		if !s.allowed(w, r, access.ReadTimetable, access.Person(child.ID)) {
			return
		}
		d.ChildID, d.Heading = child.ID, child.FirstName+" "+child.LastName
		s.showWeek(w, r, timetable.Target{Kind: timetable.TargetStudent, ID: child.ID}, d)
	default:
		if err := s.staffLinks(ctx, v, &d); err != nil {
			s.serverError(w, r, err)
			return
		}
		s.showWeek(w, r, timetable.Target{Kind: timetable.TargetTeacher, ID: v.ID}, d)
	}
}

// staffLinks lists, for people with staff functions, the class and room
// timetables and the management pages they may open.
func (s *Server) staffLinks(ctx context.Context, v *access.Viewer, d *weekData) error {
	for _, est := range v.Establishments {
		if err := s.Policy.Can(ctx, v, access.EditTimetable, access.Establishment(est)); err == nil {
			e, err := directory.EstablishmentByID(ctx, s.DB, est)
			if err != nil {
				return err
			}
			d.Manage = append(d.Manage, e)
		} else if !errors.Is(err, access.ErrDenied) {
			return err
		}
		if len(v.Functions[est]) == 0 {
			continue
		}
		classes, err := directory.ClassesOfEstablishment(ctx, s.DB, est)
		if err != nil {
			return err
		}
		for _, c := range classes {
			if err := s.Policy.Can(ctx, v, access.ReadTimetable, access.Class(c.ID)); err == nil {
				d.Classes = append(d.Classes, c)
			}
		}
		rooms, err := timetable.Rooms(ctx, s.DB, est)
		if err != nil {
			return err
		}
		for _, rm := range rooms {
			if err := s.Policy.Can(ctx, v, access.ReadTimetable, access.Room(rm.ID)); err == nil {
				d.Rooms = append(d.Rooms, rm)
			}
		}
	}
	return nil
}

func (s *Server) visibleChildren(ctx context.Context, v *access.Viewer) ([]directory.Kin, error) {
	children, err := directory.ChildrenOf(ctx, s.DB, v.ID)
	if err != nil {
		return nil, err
	}
	ok, err := s.visible(ctx, v, kinIDs(children))
	if err != nil {
		return nil, err
	}
	return keep(children, ok, kinID), nil
}

// chosenChild returns the child named by ?child= among a relative's
// children (not empty), or the first one. A child who is not theirs is
// refused, and the refusal audited.
func (s *Server) chosenChild(r *http.Request, children []directory.Kin) (directory.Kin, bool) {
	want := r.URL.Query().Get("child")
	if want == "" {
		return children[0], true
	}
	for _, c := range children {
		if c.ID == want {
			return c, true
		}
	}
	s.auditRefusal(r, access.Person(want))
	return directory.Kin{}, false
}

func (s *Server) personTimetable(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if !s.allowed(w, r, access.ReadTimetable, access.Person(id)) {
		return
	}
	p, err := directory.PersonByID(r.Context(), s.DB, id)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	kind := timetable.TargetTeacher
	if p.Profile == directory.Student {
		kind = timetable.TargetStudent
	}
	s.showWeek(w, r, timetable.Target{Kind: kind, ID: id}, weekData{Base: "/timetable/people/" + id, Heading: p.DisplayName()})
}

func (s *Server) structureTimetable(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	ctx := r.Context()
	if strings.HasPrefix(r.URL.Path, "/timetable/classes/") {
		if !s.allowed(w, r, access.ReadTimetable, access.Class(id)) {
			return
		}
		c, err := directory.ClassByID(ctx, s.DB, id)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		s.showWeek(w, r, timetable.Target{Kind: timetable.TargetClass, ID: id},
			weekData{Base: "/timetable/classes/" + id, Heading: i18n.T(langOf(r), "class.heading", c.Name)})
		return
	}
	if !s.allowed(w, r, access.ReadTimetable, access.Group(id)) {
		return
	}
	g, err := directory.GroupByID(ctx, s.DB, id)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.showWeek(w, r, timetable.Target{Kind: timetable.TargetGroup, ID: id},
		weekData{Base: "/timetable/groups/" + id, Heading: i18n.T(langOf(r), "group.heading", g.Name)})
}

func (s *Server) roomTimetable(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if !s.allowed(w, r, access.ReadTimetable, access.Room(id)) {
		return
	}
	rm, err := timetable.RoomByID(r.Context(), s.DB, id)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.showWeek(w, r, timetable.Target{Kind: timetable.TargetRoom, ID: id},
		weekData{Base: "/timetable/rooms/" + id, Heading: rm.Name})
}

// mayLesson decides whether the viewer sees a lesson occurrence: through
// the timetable of one of its classes or groups, or as one of its teachers
// (or the replacement), or as staff editing the timetable.
func (s *Server) mayLesson(r *http.Request, l timetable.Lesson) (bool, error) {
	v := currentOf(r).viewer
	for _, t := range append(append([]timetable.Person{}, l.Slot.Teachers...), l.Teachers...) {
		if t.ID == v.ID {
			return true, nil
		}
	}
	for _, a := range l.Slot.Audiences {
		res := access.Class(a.ClassID)
		if a.GroupID != "" {
			res = access.Group(a.GroupID)
		}
		if ok, err := s.may(r, access.ReadTimetable, res); err != nil || ok {
			return ok, err
		}
	}
	// Relatives and students reach a lesson through a child's or their own
	// timetable, which the audiences above already cover.
	return s.may(r, access.EditTimetable, access.Establishment(l.Slot.EstablishmentID))
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
	Teachers    []directory.Person
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
	l, err := timetable.LessonAt(r.Context(), s.DB, r.PathValue("slot"), r.PathValue("date"))
	if errors.Is(err, timetable.ErrNotFound) {
		s.renderError(w, r, http.StatusNotFound, "error.notfound")
		return l, false
	}
	if err != nil {
		s.serverError(w, r, err)
		return l, false
	}
	ok, err := s.mayLesson(r, l)
	if err != nil {
		s.serverError(w, r, err)
		return l, false
	}
	if !ok {
		s.auditRefusal(r, access.Resource{Kind: "lesson", ID: l.Slot.ID})
		s.renderError(w, r, http.StatusNotFound, "error.notfound")
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
	d := lessonData{Lesson: s.lessonViews(lang, []timetable.Lesson{l}, now)[0], Reasons: timetable.Reasons,
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
		next, err := timetable.Lessons(ctx, s.DB, target, mustDate(l.Date).AddDate(0, 0, 1).Format(timetable.DateFormat), end)
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
		if d.Rooms, err = timetable.Rooms(ctx, s.DB, l.Slot.EstablishmentID); err != nil {
			s.serverError(w, r, err)
			return
		}
		if d.Teachers, err = teachersOf(ctx, s, l.Slot.EstablishmentID); err != nil {
			s.serverError(w, r, err)
			return
		}
	}
	s.render(w, r, status, "lesson", "tt.lesson.title", d)
}

// teachersOf lists the active teachers of an establishment (replacements).
func teachersOf(ctx context.Context, s *Server, est string) ([]directory.Person, error) {
	rows, err := s.DB.Query(ctx, `SELECT `+directory.PersonColumns+` FROM people p JOIN memberships m ON m.person_id = p.id
		WHERE m.establishment_id = ? AND p.profile = 'teacher' AND p.active ORDER BY p.last_name, p.first_name, p.id`, est)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []directory.Person
	for rows.Next() {
		p, err := directory.ScanPerson(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// problemText translates timetable problems into sentences.
func problemText(lang string, ps timetable.Problems) []string {
	var out []string
	for _, p := range ps {
		msg := i18n.T(lang, "tt.problem."+p.Code, p.Value)
		field := i18n.T(lang, "tt.field."+p.Field)
		if p.Line > 0 {
			out = append(out, i18n.T(lang, "tt.problem.atline", p.Line, field, msg))
		} else {
			out = append(out, i18n.T(lang, "tt.problem.atfield", field, msg))
		}
	}
	return out
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
		TestPlanned: f.Test, Note: f.Note, By: currentOf(r).viewer.ID}
	var ps timetable.Problems
	if f.NewDuration != "" {
		if _, err := fmt.Sscan(f.NewDuration, &in.NewDuration); err != nil {
			ps = append(ps, timetable.Problem{Field: "duration", Code: "bad-duration", Value: f.NewDuration})
		}
	}
	if len(ps) > 0 {
		err = ps
	} else {
		err = s.editTimetable(r.Context(), func(tx *db.Tx) error {
			return timetable.SetChange(r.Context(), tx, l.Slot.EstablishmentID, in, s.Now())
		})
	}
	if errors.As(err, &ps) {
		f.Problems = problemText(langOf(r), ps)
		s.renderLesson(w, r, l, http.StatusUnprocessableEntity, nil, &f)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, "/lessons/"+l.Slot.ID+"/"+l.Date+"?saved=change", http.StatusSeeOther)
}

// lessonAnnotate records a teacher's "test planned" and note on one
// occurrence of their lesson, keeping the changes made by staff.
func (s *Server) lessonAnnotate(w http.ResponseWriter, r *http.Request, l timetable.Lesson) {
	f := changeForm{Note: r.PostFormValue("note"), Test: r.PostFormValue("test") == "1"}
	err := s.editTimetable(r.Context(), func(tx *db.Tx) error {
		return timetable.Annotate(r.Context(), tx, l.Slot.EstablishmentID, l.Slot.ID, l.Date, f.Test, f.Note, currentOf(r).viewer.ID, s.Now())
	})
	var ps timetable.Problems
	if errors.As(err, &ps) {
		f.Problems = problemText(langOf(r), ps)
		s.renderLesson(w, r, l, http.StatusUnprocessableEntity, nil, &f)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, "/lessons/"+l.Slot.ID+"/"+l.Date+"?saved=change", http.StatusSeeOther)
}

// nowNext is the home page's "now and next": the lesson under way, the
// next one, and the changes of the coming week, for the student, the
// selected child or the teacher.
type nowNext struct {
	Now, Next      *lessonView
	Changes        []lessonView
	Link, Homework string
}

func (s *Server) nowNext(r *http.Request, data *homeData) (*nowNext, error) {
	v := currentOf(r).viewer
	var t timetable.Target
	n := &nowNext{Link: "/timetable", Homework: "/homework"}
	switch v.Profile {
	case directory.Student:
		t = timetable.Target{Kind: timetable.TargetStudent, ID: v.ID}
	case directory.Relative:
		if data.ChildID == "" {
			return nil, nil
		}
		t = timetable.Target{Kind: timetable.TargetStudent, ID: data.ChildID}
		n.Link, n.Homework = "/timetable?child="+data.ChildID, "/homework?child="+data.ChildID
	case directory.Teacher:
		t = timetable.Target{Kind: timetable.TargetTeacher, ID: v.ID}
	default:
		return nil, nil
	}
	if ok, err := s.may(r, access.ReadTimetable, access.Person(t.ID)); err != nil || !ok {
		return nil, err
	}
	now := s.Now()
	today := now.In(timetable.Paris)
	from := today.Format(timetable.DateFormat)
	to := today.AddDate(0, 0, 7).Format(timetable.DateFormat)
	// The week is read bare; only the few lessons shown get their teachers
	// and audiences: the home page is the busiest page of all.
	ls, err := s.weeks.LessonsBare(r.Context(), s.DB, t, from, to)
	if err != nil {
		return nil, err
	}
	var shown []timetable.Lesson
	nowIdx, nextIdx := -1, -1
	var changes []int
	for i, l := range ls {
		switch {
		case nowIdx < 0 && !now.Before(l.Start) && now.Before(l.End):
			nowIdx = i
		case nextIdx < 0 && l.Start.After(now) && !l.Cancelled():
			nextIdx = i
		}
		if l.End.After(now) && l.Changed() && len(changes) < 6 {
			changes = append(changes, i)
		}
	}
	index := map[int]int{}
	for _, i := range append([]int{nowIdx, nextIdx}, changes...) {
		if _, ok := index[i]; i >= 0 && !ok {
			index[i] = len(shown)
			shown = append(shown, ls[i])
		}
	}
	if len(shown) == 0 {
		return nil, nil
	}
	for i := range shown { // the cached slots are shared: fill copies
		sl := *shown[i].Slot
		shown[i].Slot = &sl
	}
	if err := timetable.FillLessons(r.Context(), s.DB, shown); err != nil {
		return nil, err
	}
	views := s.lessonViews(langOf(r), shown, now)
	if nowIdx >= 0 {
		n.Now = &views[index[nowIdx]]
	}
	if nextIdx >= 0 {
		n.Next = &views[index[nextIdx]]
	}
	for _, i := range changes {
		n.Changes = append(n.Changes, views[index[i]])
	}
	return n, nil
}

// lessonCard writes a lesson of the week grid; every value is escaped.
func lessonCard(lang string, v *lessonView) template.HTML {
	var b strings.Builder
	esc := html.EscapeString
	b.WriteString(`<li class="` + v.Class + `"><p class="when"><time datetime="` + v.DateTime + `">` + v.When + `</time>`)
	if v.Now {
		b.WriteString(` <strong>` + esc(i18n.T(lang, "tt.now")) + `</strong>`)
	}
	b.WriteString(`</p><p class="what"><a href="` + esc(v.Href) + `">` + esc(v.Slot.SubjectName) + `</a></p><p class="who">` + esc(v.Where) + `</p>`)
	if len(v.Notes) > 0 {
		b.WriteString(`<ul class="notes">`)
		for _, n := range v.Notes {
			b.WriteString(`<li>` + esc(n) + `</li>`)
		}
		b.WriteString(`</ul>`)
	}
	b.WriteString("</li>\n")
	return template.HTML(b.String())
}
