package attendance

import (
	"context"
	"slices"
	"strings"
	"time"

	"cartable/internal/access"
	"cartable/internal/db"
	"cartable/internal/timetable"
)

// The CPE's desk: the day of the whole establishment. Absences over time
// that touch the day (from registers, school life or families) and the
// lateness and early departures the registers marked, by class, filtered;
// the collective absences of the day beside them. Its readers (head,
// deputy, CPE) read every reason, confidential ones included.

// DayFilter narrows the day view; empty fields keep everything.
type DayFilter struct {
	Class  string // a class ID
	State  string // one of States
	Reason string // a reason ID, or "none"
	Kind   string // "absence", "late", "left-early"
}

// Kinds of the desk's lines.
var DayKinds = []string{"absence", Late, LeftEarly}

// DayLine is one event of the day: an absence or a mark.
type DayLine struct {
	Kind      string // "absence", "late", "left-early"
	ID        string // the absence's or the mark's
	Student   StudentHead
	StartDate string // an absence's period; a mark's day
	StartMin  int    // a mark: its lesson's start
	EndDate   string
	EndMin    int
	Minutes   int // lateness in minutes; leaving early: the minute of the day
	Source    string
	Reason    string // the reason's label, "" for none
	State     string
	// Away: the student is out with their class or group at some time of
	// the day (a collective absence); the line is shown for school life
	// to check, and not counted as an absence for that time.
	Away bool
}

// ClassDay is a class's lines of the day (ClassName "" for students in
// no class).
type ClassDay struct {
	ClassID   string
	ClassName string
	Lines     []DayLine
}

// DayView is an establishment's day at school life's desk.
type DayView struct {
	Establishment string
	Date          string
	Prev, Next    string // the school days before and after (weekends skipped)
	Filter        DayFilter
	Classes       []ClassDay
	Count         int // lines shown
	Collective    []Collective
	Roster        []StudentHead // the filtered class's students, to reach their records
	History       bool          // the viewer reads the establishment's history
	// What the filters offer.
	ClassChoices []Audience
	Reasons      []Reason
}

// schoolDay moves d by step days, skipping Saturdays and Sundays.
func schoolDay(d time.Time, step int) string {
	for {
		d = d.AddDate(0, 0, step)
		if wd := d.Weekday(); wd != time.Saturday && wd != time.Sunday {
			return d.Format(timetable.DateFormat)
		}
	}
}

// DeskDay reads an establishment's day (est "" for the viewer's own) for those
// who read its whole school life. An impossible date is today.
func (s *Service) DeskDay(ctx context.Context, v *access.Viewer, est, date string, f DayFilter) (DayView, error) {
	var out DayView
	est, err := managedEstablishment(ctx, v, access.ReadSchoolLife, est)
	if err != nil {
		return out, err
	}
	d, err := timetable.ParseDate(date)
	if err != nil {
		date = s.today()
		d, _ = timetable.ParseDate(date)
	}
	out.Establishment, out.Date, out.Filter = est, date, f
	out.Prev, out.Next = schoolDay(d, -1), schoolDay(d, 1)
	if out.History, err = v.May(ctx, access.ReadSchoolLifeHistory, access.Establishment(est)); err != nil {
		return out, err
	}
	if out.Reasons, err = reasonsOf(ctx, s.DB, est); err != nil {
		return out, err
	}
	label := map[string]string{}
	for _, r := range out.Reasons {
		label[r.ID] = r.Label
	}
	auds, err := audiencesOf(ctx, s.DB, est, date)
	if err != nil {
		return out, err
	}
	for _, a := range auds {
		if strings.HasPrefix(a.Key, "class:") {
			out.ClassChoices = append(out.ClassChoices, Audience{Key: strings.TrimPrefix(a.Key, "class:"), Name: a.Name})
		}
	}
	if out.Collective, err = collectiveOn(ctx, s.DB, est, date); err != nil {
		return out, err
	}
	var lines []DayLine
	keep := func(l DayLine, reasonID string) bool {
		switch {
		case f.Kind != "" && f.Kind != l.Kind,
			f.State != "" && f.State != l.State,
			f.Reason == "none" && reasonID != "",
			f.Reason != "" && f.Reason != "none" && f.Reason != reasonID,
			f.Class != "" && f.Class != l.Student.ClassID:
			return false
		}
		return true
	}
	// The students' classes of the day's school year: one subquery.
	const classOf = `LEFT JOIN (SELECT e.student_id, c.id AS cid, c.name AS cname FROM enrolments e JOIN classes c ON c.id = e.class_id
		JOIN school_years y ON y.id = c.school_year_id WHERE c.establishment_id = ? AND y.starts_on <= ? AND y.ends_on >= ?) k ON k.student_id = p.id`
	if f.Kind == "" || f.Kind == "absence" {
		err := eachRow(ctx, s.DB, func(sc db.Scanner) error {
			var l DayLine
			var reason string
			l.Kind = "absence"
			if err := sc.Scan(&l.ID, &l.Student.ID, &l.Student.FirstName, &l.Student.LastName, &l.Student.ClassID, &l.Student.ClassName,
				&l.StartDate, &l.StartMin, &l.EndDate, &l.EndMin, &l.Source, &reason, &l.State); err != nil {
				return err
			}
			l.Reason = label[reason]
			if keep(l, reason) {
				lines = append(lines, l)
			}
			return nil
		}, `SELECT a.id, p.id, p.first_name, p.last_name, COALESCE(k.cid, ''), COALESCE(k.cname, ''), a.start_date, a.start_min, a.end_date, a.end_min,
			a.source, COALESCE(a.reason_id, ''), a.state
			FROM att_absences a JOIN people p ON p.id = a.student_id `+classOf+`
			WHERE a.establishment_id = ? AND a.start_date <= ? AND a.end_date >= ?`, est, date, date, est, date, date)
		if err != nil {
			return out, err
		}
	}
	if f.Kind == "" || f.Kind == Late || f.Kind == LeftEarly {
		err := eachRow(ctx, s.DB, func(sc db.Scanner) error {
			var l DayLine
			var reason string
			if err := sc.Scan(&l.ID, &l.Kind, &l.Student.ID, &l.Student.FirstName, &l.Student.LastName, &l.Student.ClassID, &l.Student.ClassName,
				&l.StartMin, &l.Minutes, &reason, &l.State); err != nil {
				return err
			}
			l.StartDate, l.EndDate, l.EndMin, l.Source = date, date, l.StartMin, "register"
			l.Reason = label[reason]
			if keep(l, reason) {
				lines = append(lines, l)
			}
			return nil
		}, `SELECT m.id, m.kind, p.id, p.first_name, p.last_name, COALESCE(k.cid, ''), COALESCE(k.cname, ''), COALESCE(t.start_min, 0), m.minutes,
			COALESCE(m.reason_id, ''), m.state
			FROM att_marks m JOIN people p ON p.id = m.student_id LEFT JOIN tt_slots t ON t.id = m.slot_id `+classOf+`
			WHERE m.establishment_id = ? AND m.lesson_date = ? AND m.kind IN ('late', 'left-early')`, est, date, date, est, date)
		if err != nil {
			return out, err
		}
	}
	if len(out.Collective) > 0 {
		away, err := awayTogether(ctx, s.DB, est, date, 0, 1440)
		if err != nil {
			return out, err
		}
		for i := range lines {
			lines[i].Away = away[lines[i].Student.ID]
		}
	}
	slices.SortFunc(lines, func(a, b DayLine) int {
		if a.Student.ClassName != b.Student.ClassName {
			switch {
			case a.Student.ClassName == "":
				return 1 // the classless last
			case b.Student.ClassName == "":
				return -1
			}
			return strings.Compare(a.Student.ClassName, b.Student.ClassName)
		}
		if c := strings.Compare(a.Student.LastName, b.Student.LastName); c != 0 {
			return c
		}
		if c := strings.Compare(a.Student.FirstName, b.Student.FirstName); c != 0 {
			return c
		}
		if c := strings.Compare(a.Student.ID, b.Student.ID); c != 0 {
			return c
		}
		return a.StartMin - b.StartMin
	})
	for _, l := range lines {
		if n := len(out.Classes); n == 0 || out.Classes[n-1].ClassID != l.Student.ClassID {
			out.Classes = append(out.Classes, ClassDay{ClassID: l.Student.ClassID, ClassName: l.Student.ClassName})
		}
		c := &out.Classes[len(out.Classes)-1]
		c.Lines = append(c.Lines, l)
	}
	out.Count = len(lines)
	if f.Class != "" {
		if out.Roster, err = db.All(ctx, s.DB, func(sc db.Scanner) (StudentHead, error) {
			h := StudentHead{ClassID: f.Class}
			err := sc.Scan(&h.ID, &h.FirstName, &h.LastName, &h.ClassName)
			return h, err
		}, `SELECT p.id, p.first_name, p.last_name, c.name FROM enrolments e JOIN classes c ON c.id = e.class_id JOIN people p ON p.id = e.student_id
			WHERE e.class_id = ? AND c.establishment_id = ? AND p.active ORDER BY p.last_name, p.first_name, p.id`, f.Class, est); err != nil {
			return out, err
		}
	}
	return out, nil
}

// eachRow runs scan on every row of the query.
func eachRow(ctx context.Context, q db.Querier, scan func(db.Scanner) error, query string, args ...any) error {
	_, err := db.All(ctx, q, func(s db.Scanner) (struct{}, error) { return struct{}{}, scan(s) }, query, args...)
	return err
}

// MaySeeDesk tells whether v reads the whole school life of one of their
// establishments (the menu's "Vie scolaire").
func MaySeeDesk(ctx context.Context, v *access.Viewer) (bool, error) {
	for _, e := range v.Establishments {
		ok, err := v.May(ctx, access.ReadSchoolLife, access.Establishment(e))
		if err != nil || ok {
			return ok, err
		}
	}
	return false, nil
}
