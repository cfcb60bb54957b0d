package attendance

import (
	"context"
	"fmt"
	"time"

	"cartable/internal/access"
	"cartable/internal/check"
	"cartable/internal/db"
	"cartable/internal/ids"
	"cartable/internal/timetable"
)

// CompulsoryThreshold is the number of unexcused half-days in a calendar
// month from which the head refers a pupil's case to the academic
// authority (Code de l'éducation, article L131-8).
const CompulsoryThreshold = 4

// CounterLine is a student over the monthly counter: the half-days that
// count, in order.
type CounterLine struct {
	Student  StudentName
	HalfDays []HalfDay
	TaskID   string // the task raised for it
	Done     bool   // school life marked the task done
}

// StudentName is how school life's lists name a student.
type StudentName struct {
	ID, FirstName, LastName, Class string
}

// Name is "First LAST".
func (n StudentName) Name() string { return n.FirstName + " " + n.LastName }

// Counter is the L131-8 counter of one month of an establishment.
type Counter struct {
	Month string // YYYY-MM
	Lines []CounterLine
}

// ParseMonth checks a month written YYYY-MM and returns its first and last
// days.
func ParseMonth(m string) (first, last string, err error) {
	t, err := time.Parse("2006-01", m)
	if err != nil || len(m) != 7 {
		return "", "", fmt.Errorf("attendance: %q is not a month (YYYY-MM)", m)
	}
	return t.Format(timetable.DateFormat), t.AddDate(0, 1, -1).Format(timetable.DateFormat), nil
}

// LastCompleteMonth is the calendar month before now's (Europe/Paris).
func LastCompleteMonth(now time.Time) string {
	t := now.In(timetable.Paris)
	return time.Date(t.Year(), t.Month()-1, 1, 0, 0, 0, 0, timetable.Paris).Format("2006-01")
}

// MonthlyCounter lists est's students with CompulsoryThreshold or more
// unexcused half-days in month (YYYY-MM), with the list of those half-days,
// and raises for each, once, a task "compulsory-schooling" keyed by the
// month on school life's desk. The viewer manages est's school life (the
// CPE, the head, the deputy).
func (s *Service) MonthlyCounter(ctx context.Context, v *access.Viewer, est, month string) (Counter, error) {
	if err := v.Can(ctx, access.ManageSchoolLife, access.Establishment(est)); err != nil {
		return Counter{}, err
	}
	first, last, err := ParseMonth(month)
	if err != nil {
		return Counter{}, check.Problems{{Field: "month", Code: "invalid", Value: month}}
	}
	c := Counter{Month: month}
	var lines []CounterLine
	err = s.DB.Tx(ctx, func(tx *db.Tx) error {
		var err error
		lines, err = monthly(ctx, tx, est, first, last)
		if err != nil {
			return err
		}
		for i := range lines {
			if lines[i].TaskID, lines[i].Done, err = raiseTask(ctx, tx, est, lines[i].Student.ID, "compulsory-schooling", month,
				len(lines[i].HalfDays), s.now()); err != nil {
				return err
			}
		}
		return nil
	})
	c.Lines = lines
	return c, err
}

// monthly computes the counter between two days of one month.
func monthly(ctx context.Context, q db.Querier, est, first, last string) ([]CounterLine, error) {
	set, err := settingsOf(ctx, q, est)
	if err != nil {
		return nil, err
	}
	// The students with an unexcused absence that month: few.
	studs, err := db.Strings(ctx, q, `SELECT DISTINCT a.student_id FROM att_absences a LEFT JOIN att_reasons r ON r.id = a.reason_id
		WHERE a.establishment_id = ? AND a.start_date <= ? AND a.end_date >= ?
		AND (a.state IN ('no-reason', 'not-accepted') OR (a.state = 'reason-given' AND NOT COALESCE(r.legitimate, FALSE)))
		ORDER BY a.student_id`, est, last, first)
	if err != nil || len(studs) == 0 {
		return nil, err
	}
	years, err := db.Strings(ctx, q, `SELECT id FROM school_years WHERE establishment_id = ? AND starts_on <= ? AND ends_on >= ?`, est, last, first)
	if err != nil {
		return nil, err
	}
	year := ""
	if len(years) > 0 {
		year = years[0]
	}
	sts, closed, err := loadStudents(ctx, q, est, year, first, last, studs)
	if err != nil {
		return nil, err
	}
	names, err := studentNames(ctx, q, studs)
	if err != nil {
		return nil, err
	}
	var out []CounterLine
	for _, id := range studs {
		st := sts[id]
		var hds []HalfDay
		for _, hd := range st.units(st.days(dayNum(first), dayNum(last), closed), segments("half-day", set.BoundaryMin)) {
			if hd.Unexcused {
				hds = append(hds, hd)
			}
		}
		if len(hds) >= CompulsoryThreshold {
			out = append(out, CounterLine{Student: names[id], HalfDays: hds})
		}
	}
	sortNames(out, func(l CounterLine) StudentName { return l.Student })
	return out, nil
}

// raiseTask writes the task of a student, kind and key once (a later call
// keeps the first, updating its count) and returns it.
func raiseTask(ctx context.Context, q db.Querier, est, student, kind, key string, count int, now time.Time) (string, bool, error) {
	if _, err := q.Exec(ctx, `INSERT INTO att_tasks (id, establishment_id, student_id, kind, key, count, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (student_id, kind, key) DO UPDATE SET count = excluded.count`,
		ids.For(ctx), est, student, kind, key, count, now.Unix()); err != nil {
		return "", false, err
	}
	var id string
	var done *int64
	err := q.QueryRow(ctx, `SELECT id, done_at FROM att_tasks WHERE student_id = ? AND kind = ? AND key = ?`, student, kind, key).Scan(&id, &done)
	return id, done != nil, err
}

// studentNames reads the names and current class of students.
func studentNames(ctx context.Context, q db.Querier, studs []string) (map[string]StudentName, error) {
	out := make(map[string]StudentName, len(studs))
	if len(studs) == 0 {
		return out, nil
	}
	ns, err := db.All(ctx, q, func(sc db.Scanner) (StudentName, error) {
		var n StudentName
		err := sc.Scan(&n.ID, &n.FirstName, &n.LastName, &n.Class)
		return n, err
	}, `SELECT p.id, p.first_name, p.last_name, COALESCE((SELECT MAX(c.name) FROM enrolments e JOIN classes c ON c.id = e.class_id
		JOIN school_years y ON y.id = c.school_year_id WHERE e.student_id = p.id AND NOT y.closed), '')
		FROM people p WHERE `+db.In(q, "p.id"), db.ListArg(q, studs))
	if err != nil {
		return nil, err
	}
	for _, n := range ns {
		out[n.ID] = n
	}
	return out, nil
}
