package attendance

import (
	"context"
	"database/sql"
	"errors"
	"sort"
	"strings"
	"time"

	"cartable/internal/access"
	"cartable/internal/db"
	"cartable/internal/discipline"
	"cartable/internal/timetable"
)

// Task is a task raised for school life: a threshold crossed since the
// start of the year (absences, lateness), or the monthly counter of
// L131-8 (compulsory-schooling, keyed by the month).
type Task struct {
	ID        string
	Student   StudentName
	Kind      string // absences, lateness, incidents, compulsory-schooling
	Key       string // the month (YYYY-MM) or the school year's label
	Count     int
	CreatedAt time.Time
	Done      bool
}

// RaiseThresholds compares est's students' unjustified half-days and
// lateness since the start of the current school year to the settings'
// thresholds (MaxAbsences, MaxLateness) and raises a task, once per
// student, kind and year, for each crossed. It returns how many it raised.
// The viewer manages est's school life.
func (s *Service) RaiseThresholds(ctx context.Context, v *access.Viewer, est string) (int, error) {
	if err := v.Can(ctx, access.ManageSchoolLife, access.Establishment(est)); err != nil {
		return 0, err
	}
	today := s.now().In(timetable.Paris).Format(timetable.DateFormat)
	n := 0
	err := s.DB.Tx(ctx, func(tx *db.Tx) error {
		var err error
		n, err = raiseThresholds(ctx, v, tx, est, today, s.now())
		return err
	})
	return n, err
}

// raiseThresholds is RaiseThresholds in q.
func raiseThresholds(ctx context.Context, v *access.Viewer, q db.Querier, est, today string, now time.Time) (int, error) {
	set, err := settingsOf(ctx, q, est)
	if err != nil {
		return 0, err
	}
	var year Period
	err = q.QueryRow(ctx, `SELECT id, label, starts_on FROM school_years WHERE establishment_id = ? AND NOT closed AND starts_on <= ? AND ends_on >= ?
		ORDER BY starts_on DESC LIMIT 1`, est, today, today).Scan(&year.Year, &year.YearLabel, &year.StartsOn)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	year.EndsOn = today
	raised := 0
	// Incidents a student was the author of since the start of the year
	// (the discipline's count, asked as the viewer).
	if set.MaxIncidents > 0 {
		byStudent, err := discipline.IncidentCounts(ctx, v, q, est, year.StartsOn)
		if err != nil {
			return 0, err
		}
		authors := make([]string, 0, len(byStudent))
		for id := range byStudent {
			authors = append(authors, id)
		}
		sort.Strings(authors)
		for _, id := range authors {
			if byStudent[id] < set.MaxIncidents {
				continue
			}
			if _, _, err := raiseTask(ctx, q, est, id, "incidents", year.YearLabel, byStudent[id], now); err != nil {
				return 0, err
			}
			raised++
		}
	}
	// Only students with something since the start of the year.
	studs, err := db.Strings(ctx, q, `SELECT student_id FROM att_absences WHERE establishment_id = ? AND end_date >= ? AND start_date <= ?
		UNION SELECT student_id FROM att_marks WHERE establishment_id = ? AND kind = 'late' AND lesson_date >= ? AND lesson_date <= ?`,
		est, year.StartsOn, today, est, year.StartsOn, today)
	if err != nil || len(studs) == 0 {
		return raised, err
	}
	sort.Strings(studs)
	sts, closed, err := loadStudents(ctx, q, est, year.Year, year.StartsOn, today, studs)
	if err != nil {
		return 0, err
	}
	for _, id := range studs {
		c := sts[id].counts(set, dayNum(year.StartsOn), dayNum(today), closed)
		for _, t := range []struct {
			kind       string
			count, max int
		}{{"absences", c.UnjustifiedHalfDays, set.MaxAbsences}, {"lateness", c.Lateness, set.MaxLateness}} {
			if t.max <= 0 || t.count < t.max {
				continue
			}
			if _, _, err := raiseTask(ctx, q, est, id, t.kind, year.YearLabel, t.count, now); err != nil {
				return 0, err
			}
			raised++
		}
	}
	return raised, nil
}

// Tasks lists est's tasks: the open ones first, oldest first, then those
// done in the last 30 days. The viewer manages est's school life.
func (s *Service) Tasks(ctx context.Context, v *access.Viewer, est string) ([]Task, error) {
	if err := v.Can(ctx, access.ManageSchoolLife, access.Establishment(est)); err != nil {
		return nil, err
	}
	ts, err := db.All(ctx, s.DB, func(sc db.Scanner) (Task, error) {
		var t Task
		var at int64
		var done *int64
		err := sc.Scan(&t.ID, &t.Student.ID, &t.Kind, &t.Key, &t.Count, &at, &done)
		t.CreatedAt, t.Done = time.Unix(at, 0), done != nil
		return t, err
	}, `SELECT id, student_id, kind, key, count, created_at, done_at FROM att_tasks
		WHERE establishment_id = ? AND (done_at IS NULL OR done_at >= ?) ORDER BY CASE WHEN done_at IS NULL THEN 0 ELSE 1 END, created_at, id`,
		est, s.now().Add(-30*24*time.Hour).Unix())
	if err != nil {
		return nil, err
	}
	var studs []string
	for _, t := range ts {
		studs = append(studs, t.Student.ID)
	}
	names, err := studentNames(ctx, s.DB, studs)
	if err != nil {
		return nil, err
	}
	for i := range ts {
		ts[i].Student = names[ts[i].Student.ID]
	}
	return ts, nil
}

// TaskDone marks a task of a student done: the viewer manages that
// student's school life.
func (s *Service) TaskDone(ctx context.Context, v *access.Viewer, id string) error {
	var student string
	err := s.DB.QueryRow(ctx, `SELECT student_id FROM att_tasks WHERE id = ?`, id).Scan(&student)
	if errors.Is(err, sql.ErrNoRows) {
		return access.Refuse(access.ManageSchoolLife, access.Person(""), "no such task")
	}
	if err != nil {
		return err
	}
	if err := v.Can(ctx, access.ManageSchoolLife, access.Person(student)); err != nil {
		return err
	}
	_, err = s.DB.Exec(ctx, `UPDATE att_tasks SET done_by = ?, done_at = ? WHERE id = ? AND done_at IS NULL`, v.ID, s.now().Unix(), id)
	return err
}

// sortNames sorts lines by the student's last name, first name, id.
func sortNames[T any](xs []T, name func(T) StudentName) {
	sort.SliceStable(xs, func(i, j int) bool {
		a, b := name(xs[i]), name(xs[j])
		if c := strings.Compare(strings.ToLower(a.LastName), strings.ToLower(b.LastName)); c != 0 {
			return c < 0
		}
		if a.FirstName != b.FirstName {
			return a.FirstName < b.FirstName
		}
		return a.ID < b.ID
	})
}
