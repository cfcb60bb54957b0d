package access

// Rules for grades, competences and report cards. The tables are in doc.go
// ("Grades").

import (
	"context"
	"strings"

	"cartable/internal/db"
	"cartable/internal/roles"
)

const (
	// ReadGrades: the marks, averages and competence levels of one student
	// (on a person: every subject), of a class's subject (on a teaching),
	// of a whole class (on a class: the council view) or of an
	// establishment (on an establishment).
	ReadGrades Action = "read-grades"
	// EnterMarks: create evaluations and enter or change marks, levels and
	// subject appraisals for one teaching (a class or group in a subject).
	// It needs a session that passed a second factor, whatever the
	// establishment's setting (CNIL).
	EnterMarks Action = "enter-marks"
	// ReadReportCard: a student's report cards (families: once published).
	ReadReportCard Action = "read-report-card"
	// WriteCouncil: the head teacher's general appraisal, the council's
	// mention and orientation opinion for the students of a class, and
	// their end-of-cycle positioning. Like EnterMarks, it needs a session
	// that passed a second factor.
	WriteCouncil Action = "write-council"
	// WriteLifeAppraisal: the CPE's appraisal on a class's report cards
	// (with a second factor, like EnterMarks).
	WriteLifeAppraisal Action = "write-life-appraisal"
	// ManageGrades: an establishment's grading settings, periods'
	// deadlines (and reopening), subject coefficients, competence items,
	// publishing report cards, the national record export.
	ManageGrades Action = "manage-grades"
	// ReadGradesAudit: who changed which mark, appraisal or report card,
	// when, before and after.
	ReadGradesAudit Action = "read-grades-audit"
)

// KindTeaching is a class or group taught in a subject: "class:ID/SUBJECT"
// or "group:ID/SUBJECT". Evaluations belong to one.
const KindTeaching Kind = "teaching"

// Teaching names the teaching of subject to the class or group
// structure (a Class or Group resource).
func Teaching(structure Resource, subject string) Resource {
	return Resource{KindTeaching, string(structure.Kind) + ":" + structure.ID + "/" + subject}
}

// ParseTeaching splits a Teaching resource's ID into its structure and
// subject; ok is false for a malformed one.
func ParseTeaching(r Resource) (structure Resource, subject string, ok bool) {
	if r.Kind != KindTeaching {
		return Resource{}, "", false
	}
	k, rest, ok1 := strings.Cut(r.ID, ":")
	id, subject, ok2 := strings.Cut(rest, "/")
	if !ok1 || !ok2 || id == "" || subject == "" || (k != string(KindClass) && k != string(KindGroup)) {
		return Resource{}, "", false
	}
	return Resource{Kind(k), id}, subject, true
}

func gradesAction(a Action) bool {
	switch a {
	case ReadGrades, EnterMarks, ReadReportCard, WriteCouncil, WriteLifeAppraisal, ManageGrades, ReadGradesAudit:
		return true
	}
	return false
}

// fnDirection: the head and deputies, who read every grade of their
// establishment (the secretary does not: need to know).
const fnDirection = fnHead | fnDeputy

// SetSecondFactor records that the viewer's session passed a second factor
// (the web layer calls it when it loads the viewer of such a session).
// EnterMarks is refused to a viewer without it.
func (v *Viewer) SetSecondFactor(done bool) {
	if v == nil || v.system != "" {
		return
	}
	v.strong.Store(done)
}

// SecondFactor tells whether the viewer's session passed a second factor.
func (v *Viewer) SecondFactor() bool {
	if v == nil {
		return false
	}
	return v.strong.Load() || v.system != ""
}

// SecondFactorReason is the one a refusal of EnterMarks, WriteCouncil or
// WriteLifeAppraisal gives when only the second factor is missing, so
// that the web layer can offer it.
const SecondFactorReason = "a second factor is required to enter marks"

// IsSecondFactorRefusal tells whether err refused only for want of a
// second factor.
func IsSecondFactorRefusal(err error) bool {
	d, ok := err.(*Denied)
	return ok && d.Reason == SecondFactorReason
}

// writesAssessment tells the actions that write what a student is
// assessed on: marks, levels and subject appraisals (EnterMarks), the
// council's appraisals, mentions and end-of-cycle positioning
// (WriteCouncil), the CPE's appraisal (WriteLifeAppraisal). Each needs a
// session that passed a second factor (CNIL), as the marks do.
func writesAssessment(a Action) bool {
	return a == EnterMarks || a == WriteCouncil || a == WriteLifeAppraisal
}

// grading is what the policy knows of a teacher's teachings, loaded once
// on first need.
type grading struct {
	taught    map[Resource]bool // Teaching resources assigned to the viewer
	headOf    map[string]bool   // classes whose head teacher the viewer is
	headGroup map[string]bool   // groups drawing from such a class
	headKids  map[string]bool   // students enrolled in such a class
}

const gradingFacts = `SELECT 'a', COALESCE(a.class_id, ''), COALESCE(a.group_id, ''), a.subject_id
	FROM teaching_assignments a
	LEFT JOIN classes c ON c.id = a.class_id LEFT JOIN groups g ON g.id = a.group_id
	JOIN school_years y ON y.id = COALESCE(c.school_year_id, g.school_year_id)
	WHERE a.teacher_id = ? AND NOT y.closed
UNION ALL SELECT 'h', c.id, '', '' FROM head_teachers h JOIN classes c ON c.id = h.class_id
	JOIN school_years y ON y.id = c.school_year_id WHERE h.teacher_id = ? AND NOT y.closed
UNION ALL SELECT 'hg', c.id, gc.group_id, '' FROM head_teachers h JOIN classes c ON c.id = h.class_id
	JOIN school_years y ON y.id = c.school_year_id JOIN group_classes gc ON gc.class_id = c.id
	WHERE h.teacher_id = ? AND NOT y.closed
UNION ALL SELECT 'hs', c.id, e.student_id, '' FROM head_teachers h JOIN classes c ON c.id = h.class_id
	JOIN school_years y ON y.id = c.school_year_id JOIN enrolments e ON e.class_id = c.id
	WHERE h.teacher_id = ? AND NOT y.closed`

// loadedGrading returns the viewer's teaching facts. Callers hold v.mu.
func (v *Viewer) loadedGrading(ctx context.Context, q db.Querier) (*grading, error) {
	if v.grading != nil {
		return v.grading, nil
	}
	g := &grading{taught: map[Resource]bool{}, headOf: map[string]bool{}, headGroup: map[string]bool{}, headKids: map[string]bool{}}
	if v.profile == roles.Teacher {
		rows, err := q.Query(ctx, gradingFacts, v.ID, v.ID, v.ID, v.ID)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		for rows.Next() {
			var kind, a, b, subject string
			if err := rows.Scan(&kind, &a, &b, &subject); err != nil {
				return nil, err
			}
			switch kind {
			case "a":
				if a != "" {
					g.taught[Teaching(Class(a), subject)] = true
				} else {
					g.taught[Teaching(Group(b), subject)] = true
				}
			case "h":
				g.headOf[a] = true
			case "hg":
				g.headGroup[b] = true
			case "hs":
				g.headKids[b] = true
			}
		}
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	v.grading = g
	if v.keep != nil {
		v.keep(nil, g)
	}
	return g, nil
}

// canGrades answers the grade actions. Callers hold v.mu.
func (p *Policy) canGrades(ctx context.Context, v *Viewer, a Action, r Resource) error {
	ok, err := p.grades(ctx, v, a, r)
	if err != nil {
		return err
	}
	if ok && writesAssessment(a) && !v.strong.Load() {
		return deny(SecondFactorReason)
	}
	if ok {
		return nil
	}
	return deny(string(a) + " on " + string(r.Kind) + ": no rule grants it")
}

func (p *Policy) grades(ctx context.Context, v *Viewer, a Action, r Resource) (bool, error) {
	switch r.Kind {
	case KindEstablishment:
		if !v.est[r.ID] {
			return false, nil
		}
		fn := v.fn[r.ID]
		switch a {
		case ReadGrades, ManageGrades:
			return fn&fnDirection != 0, nil
		case ReadGradesAudit:
			return fn&fnHead != 0, nil
		}
		return false, nil
	case KindTeaching:
		structure, _, ok := ParseTeaching(r)
		if !ok || (a != ReadGrades && a != EnterMarks) {
			return false, nil
		}
		est, found, err := v.structure(ctx, p.q, structure)
		if err != nil || !found || !v.est[est] {
			return false, err
		}
		g, err := v.loadedGrading(ctx, p.q)
		if err != nil {
			return false, err
		}
		if g.taught[r] {
			return true, nil // the class's or group's teacher in that subject
		}
		if a != ReadGrades {
			return false, nil
		}
		if v.fn[est]&fnDirection != 0 {
			return true, nil
		}
		// The head teacher reads every subject of their class, and the
		// groups drawing from it.
		return (structure.Kind == KindClass && g.headOf[structure.ID]) || (structure.Kind == KindGroup && g.headGroup[structure.ID]), nil
	case KindClass:
		if a != ReadGrades && a != WriteCouncil && a != WriteLifeAppraisal && a != ReadReportCard {
			return false, nil
		}
		est, found, err := v.structure(ctx, p.q, r)
		if err != nil || !found || !v.est[est] {
			return false, err
		}
		fn := v.fn[est]
		if fn&fnDirection != 0 {
			return true, nil
		}
		if a == WriteLifeAppraisal || a == ReadReportCard {
			if fn&fnCPE != 0 {
				return true, nil
			}
		}
		if a == WriteLifeAppraisal {
			return false, nil
		}
		g, err := v.loadedGrading(ctx, p.q)
		if err != nil {
			return false, err
		}
		return g.headOf[r.ID], nil
	case KindPerson:
		if a != ReadGrades && a != ReadReportCard {
			return false, nil
		}
		t, err := v.target(ctx, p.q, r.ID)
		if err != nil || (t == nil && r.ID != v.ID) {
			return false, err
		}
		return p.gradesOn(ctx, v, a, r.ID, t)
	}
	return false, nil
}

// gradesOn decides ReadGrades or ReadReportCard on the student id (t its
// facts, nil for oneself). Callers hold v.mu.
func (p *Policy) gradesOn(ctx context.Context, v *Viewer, a Action, id string, t *target) (bool, error) {
	if id == v.ID {
		return v.profile == roles.Student, nil
	}
	if t == nil || !t.active || t.profile != roles.Student {
		return false, nil
	}
	for e := range t.est {
		if !v.est[e] {
			continue
		}
		if v.fn[e]&fnDirection != 0 || (a == ReadReportCard && v.fn[e]&fnCPE != 0) {
			return true, nil
		}
	}
	switch v.profile {
	case roles.Relative:
		s, err := v.loadedScope(ctx, p.q)
		if err != nil {
			return false, err
		}
		return s.family[id]&famChild != 0, nil
	case roles.Teacher:
		// Other teachers read a student's marks through their teaching
		// only (KindTeaching); the head teacher reads them all.
		g, err := v.loadedGrading(ctx, p.q)
		if err != nil {
			return false, err
		}
		return g.headKids[id], nil
	}
	return false, nil
}

// VisibleGrades tells which of the students ids v may do a (ReadGrades or
// ReadReportCard) on, in a few queries whatever the length of the list;
// refused and unknown ids are absent.
func (v *Viewer) VisibleGrades(ctx context.Context, a Action, ids []string) (map[string]bool, error) {
	if v == nil || (v.policy == nil && v.system == "") {
		return map[string]bool{}, nil
	}
	p := v.policy
	return p.visible(ctx, v, a == ReadGrades || a == ReadReportCard, ids, func(id string, t *target) (bool, error) {
		if t == nil && id != v.ID {
			return false, nil // unknown
		}
		return p.gradesOn(ctx, v, a, id, t)
	})
}

// HeadsAClass tells whether the viewer is the head teacher of a class of
// an open year (the report cards' council view opens for them).
func (v *Viewer) HeadsAClass(ctx context.Context) (bool, error) {
	if v == nil || v.policy == nil || v.system != "" {
		return false, nil
	}
	v.lock(ctx)
	defer v.mu.Unlock()
	g, err := v.loadedGrading(ctx, v.policy.q)
	if err != nil {
		return false, err
	}
	return len(g.headOf) > 0, nil
}
