package web

import (
	"context"
	"errors"
	"html"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"time"

	"cartable/internal/access"
	"cartable/internal/directory"
	"cartable/internal/i18n"
	"cartable/internal/timetable"
	"cartable/internal/web/page"
)

func (s *Server) timetableRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /timetable", s.signedIn(s.myTimetable))
	mux.HandleFunc("GET /timetable/people/{id}", s.signedIn(s.personTimetable))
	mux.HandleFunc("GET /timetable/classes/{id}", s.signedIn(s.structureTimetable))
	mux.HandleFunc("GET /timetable/groups/{id}", s.signedIn(s.structureTimetable))
	mux.HandleFunc("GET /timetable/rooms/{id}", s.signedIn(s.roomTimetable))
	mux.HandleFunc("GET /timetable/manage/{est}", s.signedIn(s.manageTimetable))
	mux.HandleFunc("POST /timetable/manage/{est}/slots", s.signedIn(s.addSlot))
	mux.HandleFunc("POST /timetable/manage/{est}/slots/{slot}", s.signedIn(s.updateSlot))
	mux.HandleFunc("POST /timetable/manage/{est}/slots/{slot}/delete", s.signedIn(s.deleteSlot))
	mux.HandleFunc("POST /timetable/manage/{est}/import", s.signedIn(s.importTimetable))
	mux.HandleFunc("POST /timetable/manage/{est}/settings", s.signedIn(s.classlogSettings))
	s.timetableSetupRoutes(mux)
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
func explain(lang string, l timetable.Lesson) []string { return page.LessonNotes(lang, l) }

func mustDate(s string) time.Time {
	d, _ := timetable.ParseDate(s)
	return d
}

func teacherNames(ps []timetable.Person) string { return page.TeacherNames(ps) }

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
		children, err := s.visibleChildren(r)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		d.Children = children
		if len(children) == 0 {
			s.render(w, r, http.StatusOK, "timetable", "tt.title", d)
			return
		}
		child, ok := s.chosenChild(r)
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
	return page.TimetableProblems(lang, ps)
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
