package grades

// The SQL shared by the features: evaluations, marks, settings, periods and
// the history. Nothing here asks the policy: the service does before it
// calls these.

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"time"

	"cartable/internal/access"
	"cartable/internal/db"
)

// errNotFound is a row that does not exist (the service answers it as a
// refusal, so that a forged id learns nothing).
var errNotFound = errors.New("grades: not found")

func notFound(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return errNotFound
	}
	return err
}

const evaluationCols = `e.id, e.establishment_id, COALESCE(e.class_id, ''), COALESCE(e.group_id, ''), e.subject_id,
	COALESCE(e.sub_subject_id, ''), e.period_id, e.title, e.description, e.held_on, e.publish_on, e.scale_x100, e.coef_x100,
	e.to20, e.formative, e.bonus, e.optional, COALESCE(e.author_id, ''), e.created_at, e.updated_at`

func scanEvaluation(s db.Scanner) (Evaluation, error) {
	var e Evaluation
	var class, group string
	var created, updated int64
	err := s.Scan(&e.ID, &e.Establishment, &class, &group, &e.Subject, &e.SubSubject, &e.Period, &e.Title, &e.Description,
		&e.HeldOn, &e.PublishOn, &e.ScaleX100, &e.CoefX100, &e.To20, &e.Formative, &e.Bonus, &e.Optional, &e.Author, &created, &updated)
	if class != "" {
		e.Structure = access.Class(class)
	} else {
		e.Structure = access.Group(group)
	}
	e.CreatedAt, e.UpdatedAt = time.Unix(created, 0), time.Unix(updated, 0)
	return e, err
}

// evaluationByID reads one evaluation.
func evaluationByID(ctx context.Context, q db.Querier, id string) (Evaluation, error) {
	e, err := scanEvaluation(q.QueryRow(ctx, `SELECT `+evaluationCols+` FROM gr_evaluations e WHERE e.id = ?`, id))
	return e, notFound(err)
}

// evaluationsOf lists a teaching's evaluations in a period ("" : every
// period), oldest first.
func evaluationsOf(ctx context.Context, q db.Querier, structure access.Resource, subject, period string) ([]Evaluation, error) {
	col := "e.class_id"
	if structure.Kind == access.KindGroup {
		col = "e.group_id"
	}
	query := `SELECT ` + evaluationCols + ` FROM gr_evaluations e WHERE ` + col + ` = ? AND e.subject_id = ?`
	args := []any{structure.ID, subject}
	if period != "" {
		query += ` AND e.period_id = ?`
		args = append(args, period)
	}
	return db.All(ctx, q, scanEvaluation, query+` ORDER BY e.held_on, e.created_at, e.id`, args...)
}

// evaluationsOfStudent lists the evaluations of every class and group of
// an open year the student belongs to, in a period ("" : every period).
func evaluationsOfStudent(ctx context.Context, q db.Querier, student, period string) ([]Evaluation, error) {
	query := `SELECT ` + evaluationCols + ` FROM gr_evaluations e WHERE (e.class_id IN (SELECT en.class_id FROM enrolments en
		JOIN classes c ON c.id = en.class_id JOIN school_years y ON y.id = c.school_year_id WHERE en.student_id = ? AND NOT y.closed)
		OR e.group_id IN (SELECT m.group_id FROM group_members m JOIN groups g ON g.id = m.group_id
		JOIN school_years y ON y.id = g.school_year_id WHERE m.student_id = ? AND NOT y.closed))`
	args := []any{student, student}
	if period != "" {
		query += ` AND e.period_id = ?`
		args = append(args, period)
	}
	return db.All(ctx, q, scanEvaluation, query+` ORDER BY e.subject_id, e.held_on, e.created_at, e.id`, args...)
}

// marksOf reads the marks of evaluations, for the students given (nil:
// every student): evaluation → student → mark.
func marksOf(ctx context.Context, q db.Querier, evaluations, students []string) (map[string]map[string]Mark, error) {
	out := map[string]map[string]Mark{}
	if len(evaluations) == 0 {
		return out, nil
	}
	query := `SELECT evaluation_id, student_id, COALESCE(value_x100, 0), special, updated_at, updated_by FROM gr_marks m WHERE ` +
		db.In(q, "m.evaluation_id")
	args := []any{db.ListArg(q, evaluations)}
	if students != nil {
		if len(students) == 0 {
			return out, nil
		}
		query += ` AND ` + db.In(q, "m.student_id")
		args = append(args, db.ListArg(q, students))
	}
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var m Mark
		var at int64
		if err := rows.Scan(&m.Evaluation, &m.Student, &m.ValueX100, &m.Special, &at, &m.UpdatedBy); err != nil {
			return nil, err
		}
		m.UpdatedAt = time.Unix(at, 0)
		if out[m.Evaluation] == nil {
			out[m.Evaluation] = map[string]Mark{}
		}
		out[m.Evaluation][m.Student] = m
	}
	return out, rows.Err()
}

// settingsOf reads an establishment's settings, or the defaults.
func settingsOf(ctx context.Context, q db.Querier, est string) (Settings, error) {
	s := DefaultSettings(est)
	var levels string
	err := q.QueryRow(ctx, `SELECT rounding_x100, rounding_mode, overall_weighted, year_mode, show_mean, show_min_max, show_median,
		level_mode, level_marks FROM gr_settings WHERE establishment_id = ?`, est).
		Scan(&s.RoundingX100, &s.RoundingMode, &s.OverallWeighted, &s.YearMode, &s.ShowMean, &s.ShowMinMax, &s.ShowMedian, &s.LevelMode, &levels)
	if errors.Is(err, sql.ErrNoRows) {
		return s, nil
	}
	if err != nil {
		return s, err
	}
	for i, f := range strings.SplitN(levels, ",", 4) {
		if n, err := strconv.Atoi(strings.TrimSpace(f)); err == nil {
			s.LevelMarksX100[i] = n
		}
	}
	return s, nil
}

const periodCols = `p.id, y.establishment_id, y.id, y.label, p.kind, p.number, p.starts_on, p.ends_on,
	COALESCE(g.entry_deadline, ''), COALESCE(g.reopened_until, ''), COALESCE(g.council_on, '')`

const periodFrom = ` FROM periods p JOIN school_years y ON y.id = p.school_year_id LEFT JOIN gr_periods g ON g.period_id = p.id`

func scanPeriod(s db.Scanner) (Period, error) {
	var p Period
	err := s.Scan(&p.ID, &p.Establishment, &p.Year, &p.YearLabel, &p.Kind, &p.Number, &p.StartsOn, &p.EndsOn,
		&p.EntryDeadline, &p.ReopenedUntil, &p.CouncilOn)
	return p, err
}

// periodByID reads a period with its grading calendar.
func periodByID(ctx context.Context, q db.Querier, id string) (Period, error) {
	p, err := scanPeriod(q.QueryRow(ctx, `SELECT `+periodCols+periodFrom+` WHERE p.id = ?`, id))
	return p, notFound(err)
}

// periodsOf lists the periods of an establishment's open school years.
func periodsOf(ctx context.Context, q db.Querier, est string) ([]Period, error) {
	return db.All(ctx, q, scanPeriod, `SELECT `+periodCols+periodFrom+` WHERE y.establishment_id = ? AND NOT y.closed
		ORDER BY y.starts_on, p.number`, est)
}

// periodOn returns the period of est that contains day, if any.
func periodOn(ctx context.Context, q db.Querier, est, day string) (Period, bool, error) {
	p, err := scanPeriod(q.QueryRow(ctx, `SELECT `+periodCols+periodFrom+` WHERE y.establishment_id = ? AND NOT y.closed
		AND p.starts_on <= ? AND p.ends_on >= ? ORDER BY p.number LIMIT 1`, est, day, day))
	if errors.Is(err, sql.ErrNoRows) {
		return p, false, nil
	}
	return p, err == nil, err
}

// change is one line of the history.
type change struct {
	Establishment string
	Student       string // "" when the change concerns no one student
	Subject       string // "mark:EVAL", "appraisal:PERIOD/SUBJECT", "report-card:ID", "level:EVAL/ITEM"…
	Actor         string // access.Viewer.Actor()
	Before, After string
}

// record writes a change to the history, in the caller's transaction.
func record(ctx context.Context, q db.Querier, at time.Time, c change) error {
	var student any
	if c.Student != "" {
		student = c.Student
	}
	_, err := q.Exec(ctx, `INSERT INTO gr_history (establishment_id, student_id, subject, actor, at, before_state, after_state)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, c.Establishment, student, c.Subject, c.Actor, at.Unix(), c.Before, c.After)
	return err
}
