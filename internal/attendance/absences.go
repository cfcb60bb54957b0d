package attendance

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"cartable/internal/access"
	"cartable/internal/check"
	"cartable/internal/db"
	"cartable/internal/ids"
	"cartable/internal/timetable"
)

// Absences over time recorded by school life. Overlapping absences of one
// student are refused, not merged: the message names the absence already
// there, which school life extends instead (an absence created by a
// register is one of them). Merging silently would change the state and
// reason of an absence nobody was looking at.

// Absence is an absence over time as school life handles it (the whole
// row: only ManageSchoolLife reads it this way).
type Absence struct {
	ID            string
	Establishment string
	StudentID     string
	StartDate     string
	StartMin      int
	EndDate       string
	EndMin        int
	Source        string // "register", "school-life", "family"
	ReasonID      string
	State         string
	Comment       string
	CreatedBy     string
	CreatedAt     int64
	UpdatedAt     int64
}

// absenceFields is what the history keeps of an absence.
type absenceFields struct {
	Start   string `json:"start,omitempty"`
	End     string `json:"end,omitempty"`
	Reason  string `json:"reason,omitempty"`
	State   string `json:"state,omitempty"`
	Comment string `json:"comment,omitempty"`
}

func stamp(d string, m int) string { return d + " " + timetable.HHMM(m) }

func (a Absence) state() absenceFields {
	return absenceFields{Start: stamp(a.StartDate, a.StartMin), End: stamp(a.EndDate, a.EndMin), Reason: a.ReasonID, State: a.State, Comment: a.Comment}
}

// changed keeps the fields that differ, in both states.
func changed(b, a absenceFields) (absenceFields, absenceFields) {
	var x, y absenceFields
	if b.Start != a.Start {
		x.Start, y.Start = b.Start, a.Start
	}
	if b.End != a.End {
		x.End, y.End = b.End, a.End
	}
	if b.Reason != a.Reason {
		x.Reason, y.Reason = orNone(b.Reason), orNone(a.Reason)
	}
	if b.State != a.State {
		x.State, y.State = b.State, a.State
	}
	if b.Comment != a.Comment {
		x.Comment, y.Comment = orNone(b.Comment), orNone(a.Comment)
	}
	return x, y
}

func orNone(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

const managedAbsenceCols = `id, establishment_id, student_id, start_date, start_min, end_date, end_min, source, COALESCE(reason_id, ''), state, comment, created_by, created_at, updated_at`

func scanManagedAbsence(s db.Scanner) (Absence, error) {
	var a Absence
	err := s.Scan(&a.ID, &a.Establishment, &a.StudentID, &a.StartDate, &a.StartMin, &a.EndDate, &a.EndMin, &a.Source, &a.ReasonID,
		&a.State, &a.Comment, &a.CreatedBy, &a.CreatedAt, &a.UpdatedAt)
	return a, err
}

func absenceByID(ctx context.Context, q db.Querier, id string) (*Absence, error) {
	a, err := scanManagedAbsence(q.QueryRow(ctx, `SELECT `+managedAbsenceCols+` FROM att_absences WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &a, nil
}

// studentEstablishment is the establishment a student is attached to (the
// first, should there be several); "" for a person who is not a student.
func studentEstablishment(ctx context.Context, q db.Querier, student string) (string, error) {
	ests, err := db.Strings(ctx, q, `SELECT m.establishment_id FROM memberships m JOIN people p ON p.id = m.person_id
		WHERE m.person_id = ? AND p.profile = 'student' ORDER BY m.establishment_id`, student)
	if err != nil || len(ests) == 0 {
		return "", err
	}
	return ests[0], nil
}

// inSchoolYear tells whether the days from..to lie in one school year of est.
func inSchoolYear(ctx context.Context, q db.Querier, est, from, to string) (bool, error) {
	var n int
	err := q.QueryRow(ctx, `SELECT COUNT(*) FROM school_years WHERE establishment_id = ? AND starts_on <= ? AND ends_on >= ?`, est, from, to).Scan(&n)
	return n > 0, err
}

// overlapping returns an absence of student other than except that
// overlaps the span, nil when none does.
func overlapping(ctx context.Context, q db.Querier, student, except string, s span) (*Absence, error) {
	as, err := db.All(ctx, q, scanManagedAbsence, `SELECT `+managedAbsenceCols+` FROM att_absences
		WHERE student_id = ? AND id <> ?
		  AND (start_date < ? OR (start_date = ? AND start_min < ?))
		  AND (end_date > ? OR (end_date = ? AND end_min > ?))
		ORDER BY start_date, start_min`, student, except, s.endDate, s.endDate, s.endMin, s.startDate, s.startDate, s.startMin)
	if err != nil || len(as) == 0 {
		return nil, err
	}
	return &as[0], nil
}

// reasonOf returns est's reason id, nil when est has none such.
func reasonOf(ctx context.Context, q db.Querier, est, id string) (*Reason, error) {
	var r Reason
	err := q.QueryRow(ctx, `SELECT id, label, legitimate, confidential, active, position FROM att_reasons WHERE id = ? AND establishment_id = ?`,
		id, est).Scan(&r.ID, &r.Label, &r.Legitimate, &r.Confidential, &r.Active, &r.Position)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &r, nil
}

// checkAbsenceFacts adds what the database tells about an absence of
// student in est: the school year, overlaps (except the absence itself),
// the reason (an active reason of est, or the one the absence already
// has).
func checkAbsenceFacts(ctx context.Context, q db.Querier, ps *check.Problems, est, student, except, keepReason string, s span, reason string) error {
	if s.startDate != "" && s.endDate != "" && !ps.Has("end-date") && !ps.Has("start-time") && !ps.Has("end-time") {
		ok, err := inSchoolYear(ctx, q, est, s.startDate, s.endDate)
		if err != nil {
			return err
		}
		if !ok {
			ps.Add("start-date", "out-of-year", s.startDate)
		} else {
			o, err := overlapping(ctx, q, student, except, s)
			if err != nil {
				return err
			}
			if o != nil {
				ps.Add("start-date", "overlap", stamp(o.StartDate, o.StartMin)+" – "+stamp(o.EndDate, o.EndMin))
			}
		}
	}
	if reason = strings.TrimSpace(reason); reason != "" {
		r, err := reasonOf(ctx, q, est, reason)
		if err != nil {
			return err
		}
		if r == nil || (!r.Active && reason != keepReason) {
			ps.Add("reason", "unknown-reason", reason)
		}
	}
	return nil
}

// stateFor is the state an absence takes: the one chosen, else "reason
// given" once a reason is, else "no reason".
func stateFor(state, reason string) string {
	if state != "" {
		return state
	}
	if reason != "" {
		return ReasonGiven
	}
	return NoReason
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// RecordAbsence records an absence of in.StudentID over a period, for
// school life (ManageSchoolLife on the student): the form's problems, a
// period outside the school year, an overlap or an unknown reason are
// check.Problems and nothing is written. The creation is in the history.
func (s *Service) RecordAbsence(ctx context.Context, v *access.Viewer, in AbsenceInput) (string, error) {
	id := ids.For(ctx)
	err := s.DB.Tx(ctx, func(tx *db.Tx) error {
		return RecordAbsenceIn(ctx, v, tx, id, in, s.now())
	})
	if err != nil {
		return "", err
	}
	return id, nil
}

// RecordAbsenceIn is RecordAbsence in the caller's transaction q (the
// demo), with the new absence's id.
func RecordAbsenceIn(ctx context.Context, v *access.Viewer, q db.Querier, id string, in AbsenceInput, at time.Time) error {
	if err := v.Can(ctx, access.ManageSchoolLife, access.Person(in.StudentID)); err != nil {
		return err
	}
	sp, ps := checkAbsence(in)
	reason := strings.TrimSpace(in.ReasonID)
	est, err := studentEstablishment(ctx, q, in.StudentID)
	if err != nil {
		return err
	}
	if est == "" {
		return access.Refuse(access.ManageSchoolLife, access.Person(in.StudentID), "not a student")
	}
	if err := checkAbsenceFacts(ctx, q, &ps, est, in.StudentID, "", "", sp, reason); err != nil {
		return err
	}
	if len(ps) > 0 {
		return ps
	}
	now := at.Unix()
	a := Absence{ID: id, Establishment: est, StudentID: in.StudentID, StartDate: sp.startDate, StartMin: sp.startMin,
		EndDate: sp.endDate, EndMin: sp.endMin, Source: "school-life", ReasonID: reason, State: stateFor(in.State, reason),
		Comment: strings.TrimSpace(in.Comment)}
	if _, err := q.Exec(ctx, `INSERT INTO att_absences (id, establishment_id, student_id, start_date, start_min, end_date, end_min,
		source, reason_id, state, comment, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		a.ID, est, a.StudentID, a.StartDate, a.StartMin, a.EndDate, a.EndMin, a.Source, nullable(a.ReasonID), a.State, a.Comment,
		v.Actor(), now, now); err != nil {
		return err
	}
	return record(ctx, q, v, est, a.StudentID, "absence:"+id, now, nil, a.state())
}

// loadManaged loads an absence that v manages; missing and forbidden
// alike are a refusal.
func loadManaged(ctx context.Context, q db.Querier, v *access.Viewer, id string) (*Absence, error) {
	a, err := absenceByID(ctx, q, id)
	if err != nil {
		return nil, err
	}
	if a == nil {
		return nil, access.Refuse(access.ManageSchoolLife, access.Resource{Kind: "absence", ID: id}, "no such absence")
	}
	if err := v.Can(ctx, access.ManageSchoolLife, access.Person(a.StudentID)); err != nil {
		return nil, err
	}
	return a, nil
}

// AbsenceForm is an absence to edit with the reasons to choose from.
type AbsenceForm struct {
	Absence Absence
	Student StudentHead
	Reasons []Reason // the active reasons, and the absence's own
}

// EditAbsence reads an absence for school life to edit.
func (s *Service) EditAbsence(ctx context.Context, v *access.Viewer, id string) (AbsenceForm, error) {
	var out AbsenceForm
	a, err := loadManaged(ctx, s.DB, v, id)
	if err != nil {
		return out, err
	}
	out.Absence = *a
	if out.Student, err = studentHead(ctx, s.DB, a.StudentID, a.Establishment, s.today()); err != nil {
		return out, err
	}
	out.Reasons, err = s.choosable(ctx, a.Establishment, a.ReasonID)
	return out, err
}

// choosable is est's active reasons and keep (an absence's own, even
// inactive); the defaults are written the first time.
func (s *Service) choosable(ctx context.Context, est, keep string) ([]Reason, error) {
	var rs []Reason
	err := s.DB.Tx(ctx, func(tx *db.Tx) (err error) {
		rs, err = ensureReasons(ctx, tx, est)
		return err
	})
	if err != nil {
		return nil, err
	}
	var out []Reason
	for _, r := range rs {
		if r.Active || r.ID == keep {
			out = append(out, r)
		}
	}
	return out, nil
}

// UpdateAbsence changes an absence's period, reason, state and comment,
// for school life; the change (before → after of what changed) is in the
// history.
func (s *Service) UpdateAbsence(ctx context.Context, v *access.Viewer, id string, in AbsenceInput) error {
	return s.DB.Tx(ctx, func(tx *db.Tx) error {
		a, err := loadManaged(ctx, tx, v, id)
		if err != nil {
			return err
		}
		in.StudentID = a.StudentID
		sp, ps := checkAbsence(in)
		reason := strings.TrimSpace(in.ReasonID)
		if err := checkAbsenceFacts(ctx, tx, &ps, a.Establishment, a.StudentID, a.ID, a.ReasonID, sp, reason); err != nil {
			return err
		}
		if len(ps) > 0 {
			return ps
		}
		n := *a
		n.StartDate, n.StartMin, n.EndDate, n.EndMin = sp.startDate, sp.startMin, sp.endDate, sp.endMin
		n.ReasonID, n.State, n.Comment = reason, stateFor(in.State, reason), strings.TrimSpace(in.Comment)
		b, af := changed(a.state(), n.state())
		if b == (absenceFields{}) && af == (absenceFields{}) {
			return nil // nothing changed: nothing to record
		}
		now := s.now().Unix()
		if _, err := tx.Exec(ctx, `UPDATE att_absences SET start_date = ?, start_min = ?, end_date = ?, end_min = ?, reason_id = ?, state = ?,
			comment = ?, updated_at = ? WHERE id = ?`, n.StartDate, n.StartMin, n.EndDate, n.EndMin, nullable(n.ReasonID), n.State, n.Comment, now, id); err != nil {
			return err
		}
		return record(ctx, tx, v, a.Establishment, a.StudentID, "absence:"+id, now, b, af)
	})
}

// DeleteAbsence removes an absence (its register marks stay, unlinked);
// the history keeps what it was. It returns the student's ID.
func (s *Service) DeleteAbsence(ctx context.Context, v *access.Viewer, id string) (string, error) {
	var student string
	err := s.DB.Tx(ctx, func(tx *db.Tx) error {
		a, err := loadManaged(ctx, tx, v, id)
		if err != nil {
			return err
		}
		student = a.StudentID
		if _, err := tx.Exec(ctx, `DELETE FROM att_absences WHERE id = ?`, id); err != nil {
			return err
		}
		return record(ctx, tx, v, a.Establishment, a.StudentID, "absence:"+id, s.now().Unix(), a.state(), nil)
	})
	return student, err
}

// NewAbsenceForm is what the form recording an absence of student offers:
// the student and the reasons (school life only).
func (s *Service) NewAbsenceForm(ctx context.Context, v *access.Viewer, student string) (AbsenceForm, error) {
	var out AbsenceForm
	if err := v.Can(ctx, access.ManageSchoolLife, access.Person(student)); err != nil {
		return out, err
	}
	est, err := studentEstablishment(ctx, s.DB, student)
	if err != nil {
		return out, err
	}
	if est == "" {
		return out, access.Refuse(access.ManageSchoolLife, access.Person(student), "not a student")
	}
	if out.Student, err = studentHead(ctx, s.DB, student, est, s.today()); err != nil {
		return out, err
	}
	out.Absence = Absence{StudentID: student, Establishment: est}
	out.Reasons, err = s.choosable(ctx, est, "")
	return out, err
}

// today is the application's day in Paris.
func (s *Service) today() string { return s.now().In(timetable.Paris).Format(timetable.DateFormat) }

// StudentHead names a student on school life's pages.
type StudentHead struct {
	ID        string
	FirstName string
	LastName  string
	ClassID   string
	ClassName string
}

// studentHead reads a student's name and class of the school year of day.
func studentHead(ctx context.Context, q db.Querier, student, est, day string) (StudentHead, error) {
	h := StudentHead{ID: student}
	err := q.QueryRow(ctx, `SELECT p.first_name, p.last_name,
		COALESCE((SELECT c.id FROM enrolments e JOIN classes c ON c.id = e.class_id JOIN school_years y ON y.id = c.school_year_id
			WHERE e.student_id = p.id AND c.establishment_id = ? AND y.starts_on <= ? AND y.ends_on >= ? ORDER BY c.code LIMIT 1), ''),
		COALESCE((SELECT c.name FROM enrolments e JOIN classes c ON c.id = e.class_id JOIN school_years y ON y.id = c.school_year_id
			WHERE e.student_id = p.id AND c.establishment_id = ? AND y.starts_on <= ? AND y.ends_on >= ? ORDER BY c.code LIMIT 1), '')
		FROM people p WHERE p.id = ?`, est, day, day, est, day, day, student).Scan(&h.FirstName, &h.LastName, &h.ClassID, &h.ClassName)
	return h, err
}
