package discipline

// The SQL of the discipline tables. Nothing here asks the policy: the
// service does before it calls these. Names come from people, classes
// from the open years' enrolments, lessons from the timetable's slots: the
// reads that a page needs stay in the domain that serves it.

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"cartable/internal/access"
	"cartable/internal/db"
	"cartable/internal/ids"
)

// errNotFound is a row that does not exist (the service answers it as a
// refusal).
var errNotFound = errors.New("discipline: not found")

func notFound(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return errNotFound
	}
	return err
}

// classOf is the SQL of a student's class code in an open year.
const classOf = `COALESCE((SELECT MIN(c.code) FROM enrolments en JOIN classes c ON c.id = en.class_id
	JOIN school_years y ON y.id = c.school_year_id WHERE en.student_id = st.id AND NOT y.closed), '')`

const studentCols = `st.id, st.first_name, st.last_name, ` + classOf

func scanStudent(s db.Scanner) (Student, error) {
	var st Student
	err := s.Scan(&st.ID, &st.FirstName, &st.LastName, &st.Class)
	return st, err
}

// studentFacts is a student with the establishment of their class.
type studentFacts struct {
	Student
	establishment string
}

// studentByID reads an active student and the establishment of their
// class in an open year (the one among prefer when they have several).
func studentByID(ctx context.Context, q db.Querier, id string, prefer []string) (studentFacts, error) {
	var f studentFacts
	err := q.QueryRow(ctx, `SELECT `+studentCols+` FROM people st WHERE st.id = ? AND st.profile = 'student' AND st.active`, id).
		Scan(&f.ID, &f.FirstName, &f.LastName, &f.Class)
	if err != nil {
		return f, notFound(err)
	}
	ests, err := db.Strings(ctx, q, `SELECT DISTINCT c.establishment_id FROM enrolments en JOIN classes c ON c.id = en.class_id
		JOIN school_years y ON y.id = c.school_year_id WHERE en.student_id = ? AND NOT y.closed ORDER BY c.establishment_id`, id)
	if err != nil {
		return f, err
	}
	if len(ests) == 0 {
		return f, errNotFound
	}
	f.establishment = ests[0]
	for _, e := range ests {
		for _, p := range prefer {
			if e == p {
				f.establishment = e
				return f, nil
			}
		}
	}
	return f, nil
}

// studentsOf lists the active students of establishments, by class and name.
func studentsOf(ctx context.Context, q db.Querier, ests []string) ([]Student, error) {
	if len(ests) == 0 {
		return nil, nil
	}
	return db.All(ctx, q, scanStudent, `SELECT `+studentCols+` FROM people st JOIN memberships m ON m.person_id = st.id
		WHERE st.profile = 'student' AND st.active AND `+db.In(q, "m.establishment_id")+`
		ORDER BY 4, st.last_name, st.first_name, st.id`, db.ListArg(q, ests))
}

// schoolYear is the open year of est containing day (or its latest).
func schoolYear(ctx context.Context, q db.Querier, est, day string) (Year, error) {
	var y Year
	err := q.QueryRow(ctx, `SELECT starts_on, ends_on FROM school_years WHERE establishment_id = ? AND NOT closed
		ORDER BY CASE WHEN starts_on <= ? AND ends_on >= ? THEN 0 ELSE 1 END, starts_on DESC LIMIT 1`, est, day, day).
		Scan(&y.StartsOn, &y.EndsOn)
	return y, notFound(err)
}

// guardians lists the active legal guardians of a student.
func guardians(ctx context.Context, q db.Querier, student string) ([]string, error) {
	return db.Strings(ctx, q, `SELECT f.relative_id FROM family_links f JOIN people p ON p.id = f.relative_id
		WHERE f.student_id = ? AND f.legal_guardian AND p.active ORDER BY f.relative_id`, student)
}

// schoolLifeHeads lists the active head and CPEs of an establishment: to
// whom the report of an exclusion from a lesson is addressed.
func schoolLifeHeads(ctx context.Context, q db.Querier, est string) ([]string, error) {
	return db.Strings(ctx, q, `SELECT DISTINCT f.person_id FROM functions f JOIN people p ON p.id = f.person_id
		WHERE f.establishment_id = ? AND f.function IN ('head', 'cpe') AND p.active ORDER BY f.person_id`, est)
}

// attends tells whether a student is in one of a lesson's classes or groups
// (a group drawn from a class is not the class).
func attends(ctx context.Context, q db.Querier, student, slot string) (bool, error) {
	var n int
	err := q.QueryRow(ctx, `SELECT COUNT(*) FROM tt_slot_audiences a WHERE a.slot_id = ? AND (
		a.class_id IN (SELECT class_id FROM enrolments WHERE student_id = ?) OR
		a.group_id IN (SELECT group_id FROM group_members WHERE student_id = ?))`, slot, student, student).Scan(&n)
	return n > 0, err
}

// --- punishments ---

const punishmentCols = `p.id, p.establishment_id, p.kind, p.given_on, p.reason, p.private_note, p.work, p.due_on, p.on_date,
	p.start_min, p.duration_min, p.place, p.outcome, COALESCE(p.slot_id, ''), p.lesson_date, COALESCE(su.name, ''),
	COALESCE(sl.start_min, 0), p.report, p.cancelled, COALESCE(p.author_id, ''),
	COALESCE(TRIM(au.title || ' ' || au.last_name), ''), COALESCE(p.incident_id, ''), p.created_at, ` + studentCols + `
	FROM dis_punishments p JOIN people st ON st.id = p.student_id LEFT JOIN people au ON au.id = p.author_id
	LEFT JOIN tt_slots sl ON sl.id = p.slot_id LEFT JOIN subjects su ON su.id = sl.subject_id `

// punRow is a punishment as stored, with its establishment.
type punRow struct {
	StaffPunishment
	establishment string
}

func scanPunishment(s db.Scanner) (punRow, error) {
	var r punRow
	p := &r.StaffPunishment
	var slot, lessonDate, subject string
	var start int
	var created int64
	err := s.Scan(&p.ID, &r.establishment, &p.Kind, &p.GivenOn, &p.Reason, &p.PrivateNote, &p.Work, &p.DueOn, &p.OnDate,
		&p.StartMin, &p.DurationMin, &p.Place, &p.Outcome, &slot, &lessonDate, &subject, &start, &p.Report, &p.Cancelled,
		&p.AuthorID, &p.Author, &p.IncidentID, &created,
		&p.Student.ID, &p.Student.FirstName, &p.Student.LastName, &p.Student.Class)
	if slot != "" || lessonDate != "" {
		p.Lesson = &LessonRef{SlotID: slot, Date: lessonDate, Subject: subject, StartMin: start}
	}
	p.CreatedAt = time.Unix(created, 0)
	return r, err
}

func punishmentByID(ctx context.Context, q db.Querier, id string) (punRow, error) {
	r, err := scanPunishment(q.QueryRow(ctx, `SELECT `+punishmentCols+`WHERE p.id = ?`, id))
	return r, notFound(err)
}

// punishmentsWhere reads punishments, newest first, at most limit (0: all).
func punishmentsWhere(ctx context.Context, q db.Querier, limit int, where string, args ...any) ([]punRow, error) {
	query := `SELECT ` + punishmentCols + `WHERE ` + where + ` ORDER BY p.given_on DESC, p.created_at DESC, p.id`
	if limit > 0 {
		query += ` LIMIT ?`
		args = append(args, limit)
	}
	return db.All(ctx, q, scanPunishment, query, args...)
}

func insertPunishment(ctx context.Context, q db.Querier, id, est, student, author, incident, given string, c cleanPunishment, now int64) error {
	var slot, inc any
	if c.slot != "" {
		slot = c.slot
	}
	if incident != "" {
		inc = incident
	}
	_, err := q.Exec(ctx, `INSERT INTO dis_punishments (id, establishment_id, student_id, incident_id, kind, given_on, reason,
		private_note, work, due_on, on_date, start_min, duration_min, place, outcome, slot_id, lesson_date, report, author_id,
		created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		id, est, student, inc, c.kind, given, c.reason, c.note, c.work, c.due, c.onDate, c.start, c.duration, c.place,
		c.outcome, slot, c.lessonDate, c.report, author, now, now)
	return err
}

func updatePunishment(ctx context.Context, q db.Querier, id string, c cleanPunishment, now int64) error {
	var slot any
	if c.slot != "" {
		slot = c.slot
	}
	_, err := q.Exec(ctx, `UPDATE dis_punishments SET kind = ?, reason = ?, private_note = ?, work = ?, due_on = ?, on_date = ?,
		start_min = ?, duration_min = ?, place = ?, outcome = ?, slot_id = ?, lesson_date = ?, report = ?, updated_at = ?
		WHERE id = ?`, c.kind, c.reason, c.note, c.work, c.due, c.onDate, c.start, c.duration, c.place, c.outcome, slot,
		c.lessonDate, c.report, now, id)
	return err
}

func cancelPunishment(ctx context.Context, q db.Querier, id string, now int64) error {
	_, err := q.Exec(ctx, `UPDATE dis_punishments SET cancelled = TRUE, updated_at = ? WHERE id = ?`, now, id)
	return err
}

// --- sanctions ---

const sanctionCols = `s.id, s.establishment_id, s.kind, s.decided_on, s.reason, s.hours, s.days, s.starts_on, s.service, s.board_on,
	s.suspension, s.suspended_units, s.suspended_until, s.revoked_on, s.revocation_reason,
	COALESCE(TRIM(rb.title || ' ' || rb.last_name), ''), s.removal_on, COALESCE(TRIM(dby.title || ' ' || dby.last_name), ''),
	COALESCE(s.incident_id, ''), ` + studentCols + `
	FROM dis_sanctions s JOIN people st ON st.id = s.student_id LEFT JOIN people dby ON dby.id = s.decided_by
	LEFT JOIN people rb ON rb.id = s.revoked_by `

// sanRow is a sanction as stored, with its establishment.
type sanRow struct {
	StaffSanction
	establishment string
}

func scanSanction(sc db.Scanner) (sanRow, error) {
	var r sanRow
	s := &r.StaffSanction
	err := sc.Scan(&s.ID, &r.establishment, &s.Kind, &s.DecidedOn, &s.Reason, &s.Hours, &s.Days, &s.StartsOn, &s.Service,
		&s.BoardOn, &s.Suspension, &s.SuspendedUnits, &s.SuspendedUntil, &s.RevokedOn, &s.RevocationReason, &s.RevokedBy,
		&s.RemovalOn, &s.DecidedBy, &s.IncidentID, &s.Student.ID, &s.Student.FirstName, &s.Student.LastName, &s.Student.Class)
	return r, err
}

// inRecord is the condition of a sanction still in the record on a day.
const inRecord = `(s.removal_on = '' OR s.removal_on > ?)`

func sanctionByID(ctx context.Context, q db.Querier, id, today string) (sanRow, error) {
	r, err := scanSanction(q.QueryRow(ctx, `SELECT `+sanctionCols+`WHERE s.id = ? AND `+inRecord, id, today))
	return r, notFound(err)
}

func sanctionsWhere(ctx context.Context, q db.Querier, today, where string, args ...any) ([]sanRow, error) {
	return db.All(ctx, q, scanSanction, `SELECT `+sanctionCols+`WHERE `+inRecord+` AND `+where+
		` ORDER BY s.decided_on DESC, s.created_at DESC, s.id`, append([]any{today}, args...)...)
}

func insertSanction(ctx context.Context, q db.Querier, id, est, student, by, incident string, c cleanSanction, now int64) error {
	var inc any
	if incident != "" {
		inc = incident
	}
	board := ""
	if c.kind == PermanentExclusion {
		board = c.decided
	}
	_, err := q.Exec(ctx, `INSERT INTO dis_sanctions (id, establishment_id, student_id, incident_id, kind, decided_on, reason, hours,
		days, starts_on, service, board_on, suspension, suspended_units, suspended_until, removal_on, decided_by, created_at,
		updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		id, est, student, inc, c.kind, c.decided, c.reason, c.hours, c.days, c.starts, c.service, board, c.suspension, c.units,
		c.until, c.removal, by, now, now)
	return err
}

func revokeSanction(ctx context.Context, q db.Querier, id, on, reason, by string, now int64) error {
	_, err := q.Exec(ctx, `UPDATE dis_sanctions SET revoked_on = ?, revocation_reason = ?, revoked_by = ?, updated_at = ?
		WHERE id = ? AND revoked_on = ''`, on, reason, by, now, id)
	return err
}

// --- incidents ---

const incidentCols = `i.id, i.establishment_id, i.occurred_on, i.occurred_min, i.place, i.kind, i.seriousness, i.description,
	i.processed, COALESCE(TRIM(cb.title || ' ' || cb.last_name), '')
	FROM dis_incidents i LEFT JOIN people cb ON cb.id = i.created_by `

func scanIncident(s db.Scanner) (Incident, error) {
	var i Incident
	err := s.Scan(&i.ID, &i.EstablishmentID, &i.OccurredOn, &i.OccurredMin, &i.Place, &i.Kind, &i.Seriousness, &i.Description,
		&i.Processed, &i.CreatedBy)
	return i, err
}

func incidentByID(ctx context.Context, q db.Querier, id string) (Incident, error) {
	i, err := scanIncident(q.QueryRow(ctx, `SELECT `+incidentCols+`WHERE i.id = ?`, id))
	if err != nil {
		return i, notFound(err)
	}
	i.Protagonists, err = protagonists(ctx, q, id)
	return i, err
}

func incidentsOf(ctx context.Context, q db.Querier, est string, limit int) ([]Incident, error) {
	out, err := db.All(ctx, q, scanIncident, `SELECT `+incidentCols+`WHERE i.establishment_id = ?
		ORDER BY i.processed, i.occurred_on DESC, i.occurred_min DESC, i.id LIMIT ?`, est, limit)
	if err != nil {
		return nil, err
	}
	for k := range out {
		if out[k].Protagonists, err = protagonists(ctx, q, out[k].ID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func protagonists(ctx context.Context, q db.Querier, incident string) ([]Protagonist, error) {
	return db.All(ctx, q, func(s db.Scanner) (p Protagonist, err error) {
		err = s.Scan(&p.Role, &p.ID, &p.FirstName, &p.LastName, &p.Class)
		return
	}, `SELECT x.role, `+studentCols+` FROM dis_protagonists x JOIN people st ON st.id = x.student_id
		WHERE x.incident_id = ? ORDER BY CASE x.role WHEN 'author' THEN 0 WHEN 'victim' THEN 1 ELSE 2 END, st.last_name, st.first_name`, incident)
}

func saveIncident(ctx context.Context, q db.Querier, id, est, by string, c cleanIncident, processed, create bool, now int64) error {
	var err error
	if create {
		_, err = q.Exec(ctx, `INSERT INTO dis_incidents (id, establishment_id, occurred_on, occurred_min, place, kind, seriousness,
			description, processed, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			id, est, c.on, c.at, c.place, c.kind, c.seriousness, c.description, processed, by, now, now)
	} else {
		_, err = q.Exec(ctx, `UPDATE dis_incidents SET occurred_on = ?, occurred_min = ?, place = ?, kind = ?, seriousness = ?,
			description = ?, processed = ?, updated_at = ? WHERE id = ?`,
			c.on, c.at, c.place, c.kind, c.seriousness, c.description, processed, now, id)
		if err == nil {
			_, err = q.Exec(ctx, `DELETE FROM dis_protagonists WHERE incident_id = ?`, id)
		}
	}
	if err != nil {
		return err
	}
	for _, p := range c.protagonists {
		if _, err := q.Exec(ctx, `INSERT INTO dis_protagonists (incident_id, student_id, role) VALUES (?, ?, ?)`, id, p.StudentID, p.Role); err != nil {
			return err
		}
	}
	return nil
}

// --- history ---

// record appends to dis_history that v changed subject ("punishment:ID",
// "sanction:ID", "incident:ID") of student ("" for an incident), from
// before to after (the changed fields; nil for a creation), in q, the
// change's own transaction.
func record(ctx context.Context, q db.Querier, v *access.Viewer, est, student, subject string, at int64, before, after map[string]string) error {
	enc := func(m map[string]string) (string, error) {
		if m == nil {
			return "", nil
		}
		b, err := json.Marshal(m)
		return string(b), err
	}
	b, err := enc(before)
	if err != nil {
		return err
	}
	a, err := enc(after)
	if err != nil {
		return err
	}
	var st any
	if student != "" {
		st = student
	}
	_, err = q.Exec(ctx, `INSERT INTO dis_history (establishment_id, student_id, subject, actor, at, before_state, after_state)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, est, st, subject, v.Actor(), at, b, a)
	return err
}

// history reads an establishment's changes, newest first, leaving out
// those of sanctions removed from the record (today), optionally of one
// student.
func history(ctx context.Context, q db.Querier, est, student, today string, limit int) ([]Change, error) {
	where, args := `h.establishment_id = ?`, []any{est}
	if student != "" {
		where += ` AND h.student_id = ?`
		args = append(args, student)
	}
	args = append(args, today, limit)
	return db.All(ctx, q, func(s db.Scanner) (Change, error) {
		var c Change
		var at int64
		var before, after string
		var st Student
		var sid, first, last, class sql.NullString
		err := s.Scan(&at, &c.Actor, &c.Subject, &before, &after, &sid, &first, &last, &class)
		if err != nil {
			return c, err
		}
		st.ID, st.FirstName, st.LastName, st.Class = sid.String, first.String, last.String, class.String
		c.Student, c.At = st, time.Unix(at, 0)
		c.Subject, c.ID, _ = strings.Cut(c.Subject, ":")
		if before != "" {
			err = json.Unmarshal([]byte(before), &c.Before)
		}
		if err == nil && after != "" {
			err = json.Unmarshal([]byte(after), &c.After)
		}
		return c, err
	}, `SELECT h.at, COALESCE(TRIM(a.first_name || ' ' || a.last_name), ''), h.subject, h.before_state, h.after_state,
		st.id, st.first_name, st.last_name, CASE WHEN st.id IS NULL THEN '' ELSE `+classOf+` END
		FROM dis_history h LEFT JOIN people a ON a.id = h.actor LEFT JOIN people st ON st.id = h.student_id
		WHERE `+where+` AND NOT EXISTS (SELECT 1 FROM dis_sanctions s WHERE h.subject = 'sanction:' || s.id
			AND s.removal_on <> '' AND s.removal_on <= ?)
		ORDER BY h.at DESC, h.id DESC LIMIT ?`, args...)
}

// purgeRemoved deletes the sanctions whose removal day has come, and their
// history; it returns how many sanctions went.
func purgeRemoved(ctx context.Context, q db.Querier, today string) (int, error) {
	gone, err := db.Strings(ctx, q, `SELECT id FROM dis_sanctions WHERE removal_on <> '' AND removal_on <= ? ORDER BY id`, today)
	if err != nil || len(gone) == 0 {
		return 0, err
	}
	subjects := make([]string, len(gone))
	for i, id := range gone {
		subjects[i] = "sanction:" + id
	}
	if _, err := q.Exec(ctx, `DELETE FROM dis_history WHERE `+db.In(q, "subject"), db.ListArg(q, subjects)); err != nil {
		return 0, err
	}
	if _, err := q.Exec(ctx, `DELETE FROM dis_sanctions WHERE `+db.In(q, "id"), db.ListArg(q, gone)); err != nil {
		return 0, err
	}
	return len(gone), nil
}

func newID() string { return ids.New() }

// authorCounts counts the incidents of est since from per author.
func authorCounts(ctx context.Context, q db.Querier, est, from string) (map[string]int, error) {
	type row struct {
		student string
		n       int
	}
	rows, err := db.All(ctx, q, func(s db.Scanner) (r row, err error) {
		err = s.Scan(&r.student, &r.n)
		return
	}, `SELECT x.student_id, COUNT(*) FROM dis_protagonists x JOIN dis_incidents i ON i.id = x.incident_id
		WHERE i.establishment_id = ? AND i.occurred_on >= ? AND x.role = 'author' GROUP BY x.student_id ORDER BY x.student_id`, est, from)
	if err != nil {
		return nil, err
	}
	out := make(map[string]int, len(rows))
	for _, r := range rows {
		out[r.student] = r.n
	}
	return out, nil
}
