package attendance

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"cartable/internal/db"
	"cartable/internal/timetable"
)

// The SQL of registers and marks. Reads of the directory's tables (who
// attends a lesson, who is a student's legal guardian) stay here, for the
// pages this domain serves (docs/architecture.md).

// Student is a student as a register lists them.
type Student struct{ ID, FirstName, LastName string }

// Name is "LASTNAME Firstname", the order of a roll call.
func (s Student) Name() string { return strings.ToUpper(s.LastName) + " " + s.FirstName }

// rosterOf lists the active students of a lesson's classes and groups,
// once each, by name.
func rosterOf(ctx context.Context, q db.Querier, l timetable.Lesson) ([]Student, error) {
	var classes, groups []string
	for _, a := range l.Slot.Audiences {
		if a.GroupID != "" {
			groups = append(groups, a.GroupID)
		} else {
			classes = append(classes, a.ClassID)
		}
	}
	return db.All(ctx, q, func(s db.Scanner) (Student, error) {
		var st Student
		err := s.Scan(&st.ID, &st.FirstName, &st.LastName)
		return st, err
	}, `SELECT p.id, p.first_name, p.last_name FROM people p WHERE p.active AND p.profile = 'student' AND p.id IN (
		SELECT e.student_id FROM enrolments e WHERE `+db.In(q, "e.class_id")+`
		UNION SELECT m.student_id FROM group_members m WHERE `+db.In(q, "m.group_id")+`)
		ORDER BY p.last_name, p.first_name, p.id`, db.ListArg(q, classes), db.ListArg(q, groups))
}

// registerRow is att_registers' row of an occurrence.
type registerRow struct {
	State     string
	TakenBy   string
	TakenName string
	StartedAt int64
	DoneAt    int64
}

func registerOf(ctx context.Context, q db.Querier, slot, date string) (*registerRow, error) {
	var r registerRow
	err := q.QueryRow(ctx, `SELECT g.state, COALESCE(g.taken_by, ''), COALESCE(p.first_name || ' ' || p.last_name, ''), g.started_at, COALESCE(g.done_at, 0)
		FROM att_registers g LEFT JOIN people p ON p.id = g.taken_by WHERE g.slot_id = ? AND g.lesson_date = ?`, slot, date).
		Scan(&r.State, &r.TakenBy, &r.TakenName, &r.StartedAt, &r.DoneAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return &r, err
}

// markRow is one att_marks row.
type markRow struct {
	ID, Student, Kind, Note, AbsenceID string
	Minutes                            int
}

func marksOf(ctx context.Context, q db.Querier, slot, date string) ([]markRow, error) {
	return db.All(ctx, q, scanMark, `SELECT id, student_id, kind, minutes, note, COALESCE(absence_id, '') FROM att_marks
		WHERE slot_id = ? AND lesson_date = ? ORDER BY student_id, kind`, slot, date)
}

func scanMark(s db.Scanner) (markRow, error) {
	var m markRow
	err := s.Scan(&m.ID, &m.Student, &m.Kind, &m.Minutes, &m.Note, &m.AbsenceID)
	return m, err
}

// registerState is what the lists of registers need of a register's row.
type registerState struct {
	State    string
	Reminded bool // its teachers were chased (reminded_at)
}

// registerStates reads the states of the registers of the given slots
// between two dates, by "slot/date".
func registerStates(ctx context.Context, q db.Querier, slots []string, from, to string) (map[string]registerState, error) {
	type st struct {
		key string
		registerState
	}
	rows, err := db.All(ctx, q, func(s db.Scanner) (st, error) {
		var r st
		var slot, date string
		var reminded int64
		err := s.Scan(&slot, &date, &r.State, &reminded)
		r.key, r.Reminded = slot+"/"+date, reminded != 0
		return r, err
	}, `SELECT slot_id, lesson_date, state, COALESCE(reminded_at, 0) FROM att_registers WHERE `+db.In(q, "slot_id")+` AND lesson_date BETWEEN ? AND ?`,
		db.ListArg(q, slots), from, to)
	out := make(map[string]registerState, len(rows))
	for _, r := range rows {
		out[r.key] = r.registerState
	}
	return out, err
}

// absenceRow is the part of an att_absences row the register handles.
type absenceRow struct {
	ID, Student, Source, State, ReasonID string
	StartDate, EndDate                   string
	StartMin, EndMin                     int
}

const absenceCols = `id, student_id, source, state, COALESCE(reason_id, ''), start_date, start_min, end_date, end_min FROM att_absences `

func scanAbsence(s db.Scanner) (absenceRow, error) {
	var a absenceRow
	err := s.Scan(&a.ID, &a.Student, &a.Source, &a.State, &a.ReasonID, &a.StartDate, &a.StartMin, &a.EndDate, &a.EndMin)
	return a, err
}

// absencesOn reads the absences of the students that touch date.
func absencesOn(ctx context.Context, q db.Querier, students []string, date string) ([]absenceRow, error) {
	return db.All(ctx, q, scanAbsence, `SELECT `+absenceCols+`WHERE `+db.In(q, "student_id")+` AND start_date <= ? AND end_date >= ?
		ORDER BY start_date, start_min, id`, db.ListArg(q, students), date, date)
}

// covers tells whether absence a covers the span [from, to] of date.
func (a absenceRow) covers(date string, from, to int) bool {
	startOK := a.StartDate < date || a.StartDate == date && a.StartMin <= from
	endOK := a.EndDate > date || a.EndDate == date && a.EndMin >= to
	return startOK && endOK
}

// collectiveRow is a collective absence of a class or group.
type collectiveRow struct {
	ID, Label, Student string
}

// collectivesOn lists, for the students of a roster, the collective
// absences (of a class or group they belong to) overlapping [from, to] of
// date.
func collectivesOn(ctx context.Context, q db.Querier, est, date string, from, to int) ([]collectiveRow, error) {
	scan := func(s db.Scanner) (collectiveRow, error) {
		var c collectiveRow
		err := s.Scan(&c.ID, &c.Label, &c.Student)
		return c, err
	}
	const overlap = ` AND (c.start_date < ? OR (c.start_date = ? AND c.start_min < ?))
		AND (c.end_date > ? OR (c.end_date = ? AND c.end_min > ?))`
	return db.All(ctx, q, scan, `SELECT c.id, c.label, e.student_id FROM att_collective c JOIN enrolments e ON e.class_id = c.class_id
		WHERE c.establishment_id = ?`+overlap+`
		UNION SELECT c.id, c.label, m.student_id FROM att_collective c JOIN group_members m ON m.group_id = c.group_id
		WHERE c.establishment_id = ?`+overlap,
		est, date, date, to, date, date, from, est, date, date, to, date, date, from)
}

// exemptionRow is an exemption of a student.
type exemptionRow struct {
	Student, SubjectID, StartDate, EndDate, Weekdays string
	EveryOther, Attendance                           bool
}

func exemptionsOn(ctx context.Context, q db.Querier, students []string, date string) ([]exemptionRow, error) {
	return db.All(ctx, q, func(s db.Scanner) (exemptionRow, error) {
		var e exemptionRow
		err := s.Scan(&e.Student, &e.SubjectID, &e.StartDate, &e.EndDate, &e.Weekdays, &e.EveryOther, &e.Attendance)
		return e, err
	}, `SELECT student_id, COALESCE(subject_id, ''), start_date, end_date, weekdays, every_other_week, attendance FROM att_exemptions
		WHERE `+db.In(q, "student_id")+` AND start_date <= ? AND end_date >= ?`, db.ListArg(q, students), date, date)
}

// guardiansOf lists the active legal guardians of a student.
func guardiansOf(ctx context.Context, q db.Querier, student string) ([]string, error) {
	return db.Strings(ctx, q, `SELECT f.relative_id FROM family_links f JOIN people p ON p.id = f.relative_id
		WHERE f.student_id = ? AND f.legal_guardian AND p.active ORDER BY f.relative_id`, student)
}

// establishmentsWithLessons lists the establishments that have a lesson
// valid on date (the reminders' round).
func establishmentsWithLessons(ctx context.Context, q db.Querier, date string) ([]string, error) {
	return db.Strings(ctx, q, `SELECT DISTINCT establishment_id FROM tt_slots WHERE valid_from <= ? AND valid_to >= ? ORDER BY establishment_id`, date, date)
}
