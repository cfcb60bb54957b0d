package timetable

import (
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"time"

	"cartable/internal/access"
	"cartable/internal/directory"
	"cartable/internal/i18n"
	"cartable/internal/roles"
	"cartable/internal/timetable"
	"cartable/internal/web/page"
)

// The week (or day) views: one's own timetable (a relative's children in
// tabs), a person's, a class's, a group's and a room's.

type dayColumn struct {
	Date    time.Time
	Lessons []page.LessonView
	Holiday string
	Today   bool
	Now     *nowMark // the current time on the grid, in today's column
}

type weekData struct {
	Heading             string // whose timetable
	Base                string // path of this timetable, without query
	Children            []directory.KinCard
	ChildID             string
	DayView             bool
	Start               time.Time    // Monday, or the day
	ThisWeek            time.Time    // Monday of the current week
	WeekOver            bool         // the default view moved on to the coming week
	ThisWeekURL, DayURL template.URL // "this week", "day view"
	Days                []dayColumn
	Prev, Next          template.URL // links to the previous and next week or day
	WeekLabels          []string
	Empty               bool
	Grid                string                    // classes of the time grid ("" for none)
	Scale               template.HTML             // its time scale
	Manage              []directory.Establishment // staff: timetable management links
	Classes             []directory.Class         // staff: other timetables to open
	Rooms               []timetable.Room
}

// PageTitle names the timetable and its week or day.
func (d weekData) PageTitle(lang string) string {
	if d.Heading == "" || d.Start.IsZero() {
		return ""
	}
	if d.DayView {
		return i18n.T(lang, "tt.pagetitle.day", d.Heading, i18n.DayName(lang, d.Start))
	}
	return i18n.T(lang, "tt.pagetitle.week", d.Heading, i18n.DayName(lang, d.Start))
}

// weekRange reads ?week= or ?day= (any date); default this week (chosen
// is false).
func weekRange(r *http.Request, now time.Time) (start time.Time, days int, dayView, chosen bool) {
	p := now.In(timetable.Paris)
	today := time.Date(p.Year(), p.Month(), p.Day(), 0, 0, 0, 0, timetable.Paris)
	if d, err := timetable.ParseDate(r.URL.Query().Get("day")); err == nil {
		return d, 1, true, true
	}
	if r.URL.Query().Has("day") {
		return today, 1, true, true
	}
	if d, err := timetable.ParseDate(r.URL.Query().Get("week")); err == nil {
		return timetable.Monday(d), 6, false, true
	}
	return timetable.Monday(today), 6, false, false
}

// weekOver tells whether the default view should show the coming week:
// on Sunday, and on Friday or Saturday once every lesson of the week (ls,
// cancelled ones included, so that a cancellation still to come stays in
// sight) has ended. Saturday-morning lessons keep the week until they end.
func weekOver(ls []timetable.Lesson, now time.Time) bool {
	switch now.In(timetable.Paris).Weekday() {
	case time.Sunday:
		return true
	case time.Friday, time.Saturday:
		for _, l := range ls {
			if l.End.After(now) {
				return false
			}
		}
		return true
	}
	return false
}

// showWeek renders the week (or day) of a target. heading, when not nil,
// names it once the timetable was allowed; own is the viewer's own
// timetable, shown empty to a profile that has none (an administrator).
func (a *Area) showWeek(w http.ResponseWriter, r *http.Request, t timetable.Target, d weekData, heading func() (string, error), own bool) {
	ctx := r.Context()
	now := a.kit.Now()
	start, n, dayView, chosen := weekRange(r, now)
	thisMonday := timetable.Monday(now.In(timetable.Paris))
	load := func(from time.Time, days int) (timetable.Span, error) {
		end := from.AddDate(0, 0, days-1)
		span, err := a.cache.Period(ctx, page.Viewer(r), a.db, t, from.Format(timetable.DateFormat), end.Format(timetable.DateFormat))
		if own && errors.Is(err, access.ErrDenied) {
			return timetable.Span{}, nil
		}
		return span, err
	}
	// opening is the Monday the timetable opens on without ?week= (see
	// weekOver). The clock decides, but on Friday and Saturday the current
	// week's lessons do: current holds them once read.
	var current *timetable.Span
	opening := func() (time.Time, error) {
		switch now.In(timetable.Paris).Weekday() {
		case time.Sunday:
			return thisMonday.AddDate(0, 0, 7), nil
		case time.Friday, time.Saturday:
			if current == nil {
				s, err := load(thisMonday, 6)
				if err != nil {
					return thisMonday, err
				}
				current = &s
			}
			if weekOver(current.Lessons, now) {
				return thisMonday.AddDate(0, 0, 7), nil
			}
		}
		return thisMonday, nil
	}
	var span timetable.Span
	var open time.Time
	var err error
	if !chosen {
		if open, err = opening(); err == nil {
			start, d.WeekOver = open, !open.Equal(thisMonday)
			if current != nil && start.Equal(thisMonday) {
				span = *current
			} else {
				span, err = load(start, n)
			}
		}
	} else if span, err = load(start, n); err == nil {
		if !dayView && start.Equal(thisMonday) {
			current = &span
		}
		open, err = opening()
	}
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	if heading != nil {
		if d.Heading, err = heading(); err != nil {
			a.kit.Fail(w, r, err)
			return
		}
	}
	ls, cal := span.Lessons, span.Calendar
	d.DayView, d.Start = dayView, start
	g := placeOnGrid(ls)
	views := page.LessonViewsIn(page.Lang(r), ls, now, g.Lessons)
	if a.Registers != nil {
		states, err := a.Registers.RegisterStates(r.Context(), page.Viewer(r), ls)
		if err != nil {
			a.kit.Fail(w, r, err)
			return
		}
		for i := range views {
			if st := states[views[i].Key()]; st != "" {
				views[i].SetRegister(page.Lang(r), st)
			}
		}
	}
	if g.Hours > 0 {
		d.Grid, d.Scale = gridSpan[g.Hours], g.scale()
	}
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
		if col.Today {
			col.Now = g.now(now)
		}
		// Saturday shows only when it has lessons.
		if i == 5 && len(col.Lessons) == 0 {
			continue
		}
		d.Days = append(d.Days, col)
	}
	if d.Grid != "" {
		d.Grid += gridDays[len(d.Days)]
	}
	d.Empty = len(ls) == 0
	// Links are written one way for one page: the week the timetable opens
	// on, and the first child (the default), go without their parameter.
	child := ""
	if d.ChildID != "" && (len(d.Children) == 0 || d.ChildID != d.Children[0].ID) {
		child = "child=" + url.QueryEscape(d.ChildID)
	}
	link := func(kind string, day time.Time) template.URL {
		q := kind + "=" + day.Format(timetable.DateFormat)
		if kind == "week" && day.Equal(open) {
			q = ""
		}
		if child != "" {
			q = strings.TrimPrefix(q+"&"+child, "&")
		}
		if q == "" {
			return template.URL(d.Base)
		}
		return template.URL(d.Base + "?" + q) // a local path built from a date and an identifier
	}
	d.ThisWeekURL, d.DayURL = link("week", thisMonday), link("day", start)
	if dayView {
		d.Prev, d.Next = link("day", start.AddDate(0, 0, -1)), link("day", start.AddDate(0, 0, 1))
	} else {
		d.Prev, d.Next = link("week", start.AddDate(0, 0, -7)), link("week", start.AddDate(0, 0, 7))
		d.WeekLabels = span.WeekLabels[start.Format(timetable.DateFormat)]
	}
	a.pages.Render(w, r, http.StatusOK, "week", "tt.title", d)
}

// myTimetable: a student's or teacher's own; a relative's children (tabs);
// staff get links to the timetables they may open.
func (a *Area) myTimetable(w http.ResponseWriter, r *http.Request) {
	cur := page.Current(r)
	v := cur.Viewer
	d := weekData{Base: "/timetable", Heading: cur.Me.DisplayName()}
	if v.Profile == roles.Relative {
		f, err := a.kit.Family(r)
		if err != nil {
			a.kit.Fail(w, r, err)
			return
		}
		d.Children = f.Children
		if len(f.Children) == 0 {
			a.pages.Render(w, r, http.StatusOK, "week", "tt.title", d)
			return
		}
		d.ChildID, d.Heading = f.Chosen.ID, f.Chosen.FirstName+" "+f.Chosen.LastName
		a.showWeek(w, r, timetable.Target{Kind: timetable.TargetStudent, ID: f.Chosen.ID}, d, nil, false)
		return
	}
	o, err := timetable.OpeningsOf(r.Context(), v, a.db)
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	d.Manage, d.Classes, d.Rooms = o.Manage, o.Classes, o.Rooms
	t := timetable.Target{Kind: timetable.TargetTeacher, ID: v.ID}
	if v.Profile == roles.Student {
		t.Kind = timetable.TargetStudent
	}
	a.showWeek(w, r, t, d, nil, v.Profile != roles.Student && v.Profile != roles.Teacher)
}

func (a *Area) personTimetable(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	t, err := timetable.PersonTarget(r.Context(), page.Viewer(r), a.db, id)
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	a.showWeek(w, r, t, weekData{Base: "/timetable/people/" + id}, func() (string, error) {
		c, err := directory.ViewCard(r.Context(), page.Viewer(r), a.db, id)
		return c.DisplayName(), err
	}, false)
}

func (a *Area) classTimetable(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	a.showWeek(w, r, timetable.Target{Kind: timetable.TargetClass, ID: id}, weekData{Base: "/timetable/classes/" + id}, func() (string, error) {
		c, err := directory.ClassByID(r.Context(), a.db, id)
		return i18n.T(page.Lang(r), "class.heading", c.Name), err
	}, false)
}

func (a *Area) groupTimetable(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	a.showWeek(w, r, timetable.Target{Kind: timetable.TargetGroup, ID: id}, weekData{Base: "/timetable/groups/" + id}, func() (string, error) {
		g, err := directory.GroupByID(r.Context(), a.db, id)
		return i18n.T(page.Lang(r), "group.heading", g.Name), err
	}, false)
}

func (a *Area) roomTimetable(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	a.showWeek(w, r, timetable.Target{Kind: timetable.TargetRoom, ID: id}, weekData{Base: "/timetable/rooms/" + id}, func() (string, error) {
		rm, err := timetable.RoomByID(r.Context(), page.Viewer(r), a.db, id)
		return rm.Name, err
	}, false)
}
