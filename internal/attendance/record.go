package attendance

import (
	"context"

	"cartable/internal/access"
	"cartable/internal/db"
)

// The student's school-life record, as each audience sees it. Everyone
// ReadSchoolLife allows (the student, their relatives, the teachers of
// their classes, school life) reads the absences with their state, the
// lateness and the exemptions. What differs is in the types: a reason
// marked confidential reaches a reader without ReadConfidential (a
// teacher) as a SealedReason with no label; school life's follow-up
// comments exist only in SchoolLife, filled for those who manage the
// student.

// ShownReason is a reason as a reader sees it: its label, or, when it is
// confidential and the reader may not read it, Sealed and no label.
type ShownReason struct {
	Label      string
	Legitimate bool
	Sealed     bool // "motif confidentiel"
}

// RecordAbsence is an absence on the record.
type RecordAbsence struct {
	ID        string
	StartDate string
	StartMin  int
	EndDate   string
	EndMin    int
	Source    string
	State     string
	Reason    *ShownReason // nil: no reason
}

// RecordMark is a lateness or an early departure a register marked.
type RecordMark struct {
	ID       string
	Kind     string // "late", "left-early"
	Date     string
	StartMin int // the lesson's start
	Subject  string
	Minutes  int // late: minutes; left early: the minute of the day
	State    string
	Reason   *ShownReason
}

// StudentRecord is a student's school-life record for one reader.
type StudentRecord struct {
	Student    StudentHead
	Absences   []RecordAbsence // latest first
	Marks      []RecordMark    // latest first
	Exemptions []Exemption     // latest first
	// SchoolLife is school life's part (nil for the others): follow-up
	// comments, the reasons to choose, the way to the history.
	SchoolLife *SchoolLifeRecord
}

// SchoolLifeRecord is what only school life sees of a record.
type SchoolLifeRecord struct {
	AbsenceComments   map[string]string // absence ID → follow-up comment
	ExemptionComments map[string]string // exemption ID → comment
	History           bool              // the viewer reads the history (ReadSchoolLifeHistory)
}

// Record reads a student's school-life record for v (ReadSchoolLife on the
// student; a refusal otherwise, missing or forbidden alike).
func (s *Service) Record(ctx context.Context, v *access.Viewer, student string) (StudentRecord, error) {
	var out StudentRecord
	if err := v.Can(ctx, access.ReadSchoolLife, access.Person(student)); err != nil {
		return out, err
	}
	est, err := studentEstablishment(ctx, s.DB, student)
	if err != nil {
		return out, err
	}
	if est == "" {
		return out, access.Refuse(access.ReadSchoolLife, access.Person(student), "not a student")
	}
	confidential, err := v.May(ctx, access.ReadConfidential, access.Person(student))
	if err != nil {
		return out, err
	}
	manage, err := v.May(ctx, access.ManageSchoolLife, access.Person(student))
	if err != nil {
		return out, err
	}
	if out.Student, err = studentHead(ctx, s.DB, student, est, s.today()); err != nil {
		return out, err
	}
	rs, err := reasonsOf(ctx, s.DB, est)
	if err != nil {
		return out, err
	}
	byID := make(map[string]Reason, len(rs))
	for _, r := range rs {
		byID[r.ID] = r
	}
	show := func(id string) *ShownReason {
		r, ok := byID[id]
		if !ok {
			return nil
		}
		if r.Confidential && !confidential {
			return &ShownReason{Sealed: true}
		}
		return &ShownReason{Label: r.Label, Legitimate: r.Legitimate}
	}
	as, err := db.All(ctx, s.DB, scanManagedAbsence, `SELECT `+managedAbsenceCols+` FROM att_absences WHERE student_id = ? AND establishment_id = ?
		ORDER BY start_date DESC, start_min DESC`, student, est)
	if err != nil {
		return out, err
	}
	if manage {
		out.SchoolLife = &SchoolLifeRecord{AbsenceComments: map[string]string{}, ExemptionComments: map[string]string{}}
		if out.SchoolLife.History, err = v.May(ctx, access.ReadSchoolLifeHistory, access.Establishment(est)); err != nil {
			return out, err
		}
	}
	for _, a := range as {
		out.Absences = append(out.Absences, RecordAbsence{ID: a.ID, StartDate: a.StartDate, StartMin: a.StartMin, EndDate: a.EndDate,
			EndMin: a.EndMin, Source: a.Source, State: a.State, Reason: show(a.ReasonID)})
		if manage && a.Comment != "" {
			out.SchoolLife.AbsenceComments[a.ID] = a.Comment
		}
	}
	if out.Marks, err = db.All(ctx, s.DB, func(sc db.Scanner) (RecordMark, error) {
		var m RecordMark
		var reason string
		err := sc.Scan(&m.ID, &m.Kind, &m.Date, &m.StartMin, &m.Subject, &m.Minutes, &m.State, &reason)
		m.Reason = show(reason)
		return m, err
	}, `SELECT m.id, m.kind, m.lesson_date, COALESCE(t.start_min, 0), COALESCE(j.name, ''), m.minutes, m.state, COALESCE(m.reason_id, '')
		FROM att_marks m LEFT JOIN tt_slots t ON t.id = m.slot_id LEFT JOIN subjects j ON j.id = t.subject_id
		WHERE m.student_id = ? AND m.establishment_id = ? AND m.kind IN ('late', 'left-early')
		ORDER BY m.lesson_date DESC, t.start_min DESC`, student, est); err != nil {
		return out, err
	}
	xs, err := exemptionsOf(ctx, s.DB, student)
	if err != nil {
		return out, err
	}
	for _, x := range xs {
		out.Exemptions = append(out.Exemptions, x.Exemption)
		if manage && x.comment != "" {
			out.SchoolLife.ExemptionComments[x.ID] = x.comment
		}
	}
	return out, nil
}
