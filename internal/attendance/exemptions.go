package attendance

import (
	"context"
	"strconv"
	"strings"
	"time"

	"cartable/internal/access"
	"cartable/internal/db"
	"cartable/internal/ids"
	"cartable/internal/timetable"
)

// Exemptions (dispenses): a student excused from a subject (or from every
// lesson) on some days: one-off (every day between two dates) or
// recurring (some weekdays, every week or one week in two counted from
// the week of the start date), still attending or not.

// Exemption is an exemption as its readers see it.
type Exemption struct {
	ID             string
	StudentID      string
	SubjectID      string // "" for every lesson
	SubjectName    string
	StartDate      string
	EndDate        string
	Weekdays       []int // 1 Monday … 6 Saturday; none: every day
	EveryOtherWeek bool
	Attendance     bool // the student still attends
}

// exemptionWithComment is an exemption with school life's comment.
type exemptionWithComment struct {
	Exemption
	comment string
}

// exemptionState is what the history keeps of an exemption.
type exemptionState struct {
	Subject    string `json:"subject"`
	Start      string `json:"start"`
	End        string `json:"end"`
	Weekdays   string `json:"weekdays,omitempty"`
	OtherWeek  bool   `json:"every_other_week,omitempty"`
	Attendance bool   `json:"attendance"`
}

func scanExemption(s db.Scanner) (exemptionWithComment, error) {
	var e exemptionWithComment
	var days string
	err := s.Scan(&e.ID, &e.StudentID, &e.SubjectID, &e.SubjectName, &e.StartDate, &e.EndDate, &days, &e.EveryOtherWeek, &e.Attendance, &e.comment)
	e.Weekdays = weekdays(days)
	return e, err
}

func weekdays(days string) []int {
	var out []int
	for _, d := range strings.Split(days, ",") {
		if n, err := strconv.Atoi(d); err == nil {
			out = append(out, n)
		}
	}
	return out
}

// exemptionsOf lists a student's exemptions, latest first.
func exemptionsOf(ctx context.Context, q db.Querier, student string) ([]exemptionWithComment, error) {
	return db.All(ctx, q, scanExemption, `SELECT x.id, x.student_id, COALESCE(x.subject_id, ''), COALESCE(s.name, ''), x.start_date, x.end_date,
		x.weekdays, x.every_other_week, x.attendance, x.comment
		FROM att_exemptions x LEFT JOIN subjects s ON s.id = x.subject_id WHERE x.student_id = ? ORDER BY x.start_date DESC, x.id`, student)
}

// Applies tells whether the exemption holds on day (YYYY-MM-DD).
func (e Exemption) Applies(day string) bool {
	if day < e.StartDate || day > e.EndDate {
		return false
	}
	if len(e.Weekdays) == 0 {
		return true
	}
	d, err := timetable.ParseDate(day)
	if err != nil {
		return false
	}
	wd := timetable.Weekday(d)
	found := false
	for _, w := range e.Weekdays {
		found = found || w == wd
	}
	if !found {
		return false
	}
	if !e.EveryOtherWeek {
		return true
	}
	s, err := timetable.ParseDate(e.StartDate)
	if err != nil {
		return false
	}
	weeks := int(timetable.Monday(d).Sub(timetable.Monday(s)).Hours()+12) / (24 * 7)
	return weeks%2 == 0
}

// Subject is a subject an exemption may name.
type Subject struct {
	ID   string
	Name string
}

// ExemptionForm is what the exemption form of a student offers.
type ExemptionForm struct {
	Student  StudentHead
	Subjects []Subject
}

// NewExemptionForm reads the student and the establishment's subjects, for
// school life.
func (s *Service) NewExemptionForm(ctx context.Context, v *access.Viewer, student string) (ExemptionForm, error) {
	var out ExemptionForm
	est, err := s.managedStudent(ctx, v, student)
	if err != nil {
		return out, err
	}
	if out.Student, err = studentHead(ctx, s.DB, student, est, s.today()); err != nil {
		return out, err
	}
	out.Subjects, err = db.All(ctx, s.DB, func(sc db.Scanner) (Subject, error) {
		var x Subject
		err := sc.Scan(&x.ID, &x.Name)
		return x, err
	}, `SELECT id, name FROM subjects WHERE establishment_id = ? ORDER BY name`, est)
	return out, err
}

// managedStudent asks ManageSchoolLife on student and returns the
// student's establishment.
func (s *Service) managedStudent(ctx context.Context, v *access.Viewer, student string) (string, error) {
	if err := v.Can(ctx, access.ManageSchoolLife, access.Person(student)); err != nil {
		return "", err
	}
	est, err := studentEstablishment(ctx, s.DB, student)
	if err != nil {
		return "", err
	}
	if est == "" {
		return "", access.Refuse(access.ManageSchoolLife, access.Person(student), "not a student")
	}
	return est, nil
}

// AddExemption records an exemption of in.StudentID, for school life; it
// is in the student's history.
func (s *Service) AddExemption(ctx context.Context, v *access.Viewer, in ExemptionInput) (string, error) {
	id := ids.For(ctx)
	err := s.DB.Tx(ctx, func(tx *db.Tx) error { return AddExemptionIn(ctx, v, tx, id, in, s.now()) })
	if err != nil {
		return "", err
	}
	return id, nil
}

// AddExemptionIn is AddExemption in the caller's transaction q (the
// demo), with the new exemption's id.
func AddExemptionIn(ctx context.Context, v *access.Viewer, q db.Querier, id string, in ExemptionInput, at time.Time) error {
	if err := v.Can(ctx, access.ManageSchoolLife, access.Person(in.StudentID)); err != nil {
		return err
	}
	est, err := studentEstablishment(ctx, q, in.StudentID)
	if err != nil {
		return err
	}
	if est == "" {
		return access.Refuse(access.ManageSchoolLife, access.Person(in.StudentID), "not a student")
	}
	sp, days, ps := checkExemption(in)
	subject := strings.TrimSpace(in.SubjectID)
	if subject != "" {
		var n int
		if err := q.QueryRow(ctx, `SELECT COUNT(*) FROM subjects WHERE id = ? AND establishment_id = ?`, subject, est).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			ps.Add("subject", "bad-choice", subject)
		}
	}
	if sp.startDate != "" && sp.endDate != "" && !ps.Has("end-date") {
		ok, err := inSchoolYear(ctx, q, est, sp.startDate, sp.endDate)
		if err != nil {
			return err
		}
		if !ok {
			ps.Add("start-date", "out-of-year", sp.startDate)
		}
	}
	if len(ps) > 0 {
		return ps
	}
	now := at.Unix()
	if _, err := q.Exec(ctx, `INSERT INTO att_exemptions (id, establishment_id, student_id, subject_id, start_date, end_date, weekdays,
		every_other_week, attendance, comment, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		id, est, in.StudentID, nullable(subject), sp.startDate, sp.endDate, days, in.EveryOtherWeek, in.Attendance,
		strings.TrimSpace(in.Comment), v.Actor(), now); err != nil {
		return err
	}
	return record(ctx, q, v, est, in.StudentID, "exemption:"+id, now, nil, exemptionState{Subject: orNone(subject),
		Start: sp.startDate, End: sp.endDate, Weekdays: days, OtherWeek: in.EveryOtherWeek, Attendance: in.Attendance})
}

// DeleteExemption removes an exemption, for school life; it returns the
// student's ID.
func (s *Service) DeleteExemption(ctx context.Context, v *access.Viewer, id string) (string, error) {
	var student string
	err := s.DB.Tx(ctx, func(tx *db.Tx) error {
		xs, err := db.All(ctx, tx, scanExemption, `SELECT id, student_id, COALESCE(subject_id, ''), '', start_date, end_date, weekdays,
			every_other_week, attendance, comment FROM att_exemptions WHERE id = ?`, id)
		if err != nil {
			return err
		}
		if len(xs) == 0 {
			return access.Refuse(access.ManageSchoolLife, access.Resource{Kind: "exemption", ID: id}, "no such exemption")
		}
		x := xs[0]
		student = x.StudentID
		est, err := s.managedStudent(ctx, v, x.StudentID)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM att_exemptions WHERE id = ?`, id); err != nil {
			return err
		}
		return record(ctx, tx, v, est, x.StudentID, "exemption:"+id, s.now().Unix(), exemptionState{Subject: orNone(x.SubjectID),
			Start: x.StartDate, End: x.EndDate, Weekdays: joinDays(x.Weekdays), OtherWeek: x.EveryOtherWeek, Attendance: x.Attendance}, nil)
	})
	return student, err
}

func joinDays(ds []int) string {
	var out []string
	for _, d := range ds {
		out = append(out, strconv.Itoa(d))
	}
	return strings.Join(out, ",")
}
