package grades

// The brevet's continuous assessment (diplôme national du brevet, from the
// 2026 session): the brevet is marked out of 20, the final exams counting
// for 60 % and the continuous assessment for 40 %; the continuous
// assessment is the equal-weight mean of all the annual subject averages
// of 3e. The annual averages come from the year's marks, computed by the
// engine (averages.YearAverage) with the establishment's settings, and
// their mean by averages.BrevetAverage, so that every step can be shown.

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"cartable/internal/access"
	"cartable/internal/averages"
	"cartable/internal/db"
)

// Brevet weights from the 2026 session, in percent of the mark /20.
const (
	BrevetExamsPercent      = 60
	BrevetContinuousPercent = 40
)

// Brevet is a 3e student's continuous-assessment mark with its steps.
type Brevet struct {
	Student  StudentRef
	Class    CycleClass // Class.Cycle is 4 for a 3e class; another class has no brevet mark
	Subjects []BrevetSubject
	Mean     averages.Result
}

// InThird tells whether the student is in 3e (the mark applies).
func (b Brevet) InThird() bool { return b.Class.Cycle == 4 }

// BrevetSubject is one annual subject average, with its steps.
type BrevetSubject struct {
	Subject Ref
	Year    averages.Result
}

// BrevetClass is a class's continuous-assessment marks.
type BrevetClass struct {
	Class    CycleClass
	Students []Brevet
}

// brevetFrame is what every student's computation shares.
type brevetFrame struct {
	class   CycleClass
	set     averages.Settings
	periods []Period
	names   map[string]string
	subs    map[string][]averages.SubSubject
	family  bool   // only published evaluations count
	today   string // for the publication date
}

func (s *Service) brevetFrame(ctx context.Context, v *access.Viewer, class CycleClass) (brevetFrame, error) {
	f := brevetFrame{class: class, names: map[string]string{}, subs: map[string][]averages.SubSubject{},
		family: family(v), today: s.today()}
	set, err := settingsOf(ctx, s.DB, class.Establishment)
	if err != nil {
		return f, err
	}
	f.set = set.Engine()
	all, err := periodsOf(ctx, s.DB, class.Establishment)
	if err != nil {
		return f, err
	}
	for _, p := range all {
		if p.Year == class.Year {
			f.periods = append(f.periods, p)
		}
	}
	subjects, err := cmpSubjects(ctx, s.DB, class.Establishment)
	if err != nil {
		return f, err
	}
	for _, r := range subjects {
		f.names[r.ID] = r.Name
	}
	type sub struct {
		subject string
		s       averages.SubSubject
	}
	subs, err := db.All(ctx, s.DB, func(sc db.Scanner) (r sub, err error) {
		var coef int
		err = sc.Scan(&r.subject, &r.s.ID, &r.s.Label, &coef)
		r.s.Coefficient = float64(coef) / 100
		return
	}, `SELECT subject_id, id, name, coef_x100 FROM gr_sub_subjects WHERE establishment_id = ? ORDER BY name, id`, class.Establishment)
	if err != nil {
		return f, err
	}
	for _, r := range subs {
		f.subs[r.subject] = append(f.subs[r.subject], r.s)
	}
	return f, nil
}

// cmpPeriodLabel names a period in steps: T1, T2… or S1, S2.
func cmpPeriodLabel(p Period) string {
	k := "T"
	if p.Kind == "semestre" {
		k = "S"
	}
	return k + strconv.Itoa(p.Number)
}

// brevetOf computes one student's mark.
func (s *Service) brevetOf(ctx context.Context, f brevetFrame, student StudentRef) (Brevet, error) {
	b := Brevet{Student: student, Class: f.class}
	evs, err := evaluationsOfStudent(ctx, s.DB, student.ID, "")
	if err != nil {
		return b, err
	}
	inYear := map[string]int{} // period → index
	for i, p := range f.periods {
		inYear[p.ID] = i
	}
	var kept []Evaluation
	for _, e := range evs {
		if _, ok := inYear[e.Period]; !ok || (f.family && e.PublishOn > f.today) {
			continue
		}
		kept = append(kept, e)
	}
	evalIDs := make([]string, len(kept))
	for i, e := range kept {
		evalIDs[i] = e.ID
	}
	marks, err := marksOf(ctx, s.DB, evalIDs, []string{student.ID})
	if err != nil {
		return b, err
	}
	// subject → period index → entries
	entries := map[string][][]averages.Entry{}
	var subjects []string
	for _, e := range kept {
		m, ok := marks[e.ID][student.ID]
		if !ok {
			continue // no mark: the evaluation does not concern them
		}
		if entries[e.Subject] == nil {
			entries[e.Subject] = make([][]averages.Entry, len(f.periods))
			subjects = append(subjects, e.Subject)
		}
		i := inYear[e.Period]
		entries[e.Subject][i] = append(entries[e.Subject][i], averages.Entry{Eval: e.Engine(), Mark: m.Engine()})
	}
	slices.SortFunc(subjects, func(a, c string) int { return strings.Compare(f.names[a], f.names[c]) })
	var lines []averages.SubjectLine
	for _, subj := range subjects {
		ps := make([]averages.Period, len(f.periods))
		for i, p := range f.periods {
			ps[i] = averages.Period{ID: p.ID, Label: cmpPeriodLabel(p), Entries: entries[subj][i]}
		}
		ref := Ref{ID: subj, Name: f.names[subj]}
		year := averages.YearAverage(averages.Subject{ID: subj, Label: ref.Name, SubSubjects: f.subs[subj]}, ps, f.set)
		b.Subjects = append(b.Subjects, BrevetSubject{Subject: ref, Year: year})
		lines = append(lines, averages.SubjectLine{Subject: averages.Ref{Kind: averages.RefSubject, ID: subj, Label: ref.Name},
			Coefficient: 1, Average: year})
	}
	b.Mean = averages.BrevetAverage(lines, f.set)
	return b, nil
}

// BrevetOfStudent is a student's continuous-assessment mark, for those who
// read the student's grades (the student, their relatives, the head
// teacher, the head and deputies). Families count only the evaluations
// published by today. A student who is not in 3e gets no mark
// (InThird false).
func (s *Service) BrevetOfStudent(ctx context.Context, v *access.Viewer, student string) (Brevet, error) {
	if err := v.Can(ctx, access.ReadGrades, access.Person(student)); err != nil {
		return Brevet{}, err
	}
	ref, err := cmpStudentRef(ctx, s.DB, student)
	if err != nil {
		return Brevet{}, s.cmpMissing(err, access.Person(student))
	}
	class, err := cmpStudentClass(ctx, s.DB, student)
	if err != nil {
		return Brevet{Student: ref}, s.cmpMissing(err, access.Person(student))
	}
	if class.Cycle != 4 {
		return Brevet{Student: ref, Class: class}, nil
	}
	f, err := s.brevetFrame(ctx, v, class)
	if err != nil {
		return Brevet{}, err
	}
	return s.brevetOf(ctx, f, ref)
}

// BrevetOfClass is every student's mark in a 3e class, for those who read
// the class's grades (its head teacher, the head and deputies).
func (s *Service) BrevetOfClass(ctx context.Context, v *access.Viewer, classID string) (BrevetClass, error) {
	class, err := s.cycleClass(ctx, v, access.ReadGrades, classID)
	if err != nil {
		return BrevetClass{}, err
	}
	out := BrevetClass{Class: class}
	if class.Cycle != 4 {
		return out, nil
	}
	f, err := s.brevetFrame(ctx, v, class)
	if err != nil {
		return out, err
	}
	students, err := cmpRoster(ctx, s.DB, access.Class(classID))
	if err != nil {
		return out, err
	}
	for _, st := range students {
		b, err := s.brevetOf(ctx, f, st)
		if err != nil {
			return out, err
		}
		out.Students = append(out.Students, b)
	}
	return out, nil
}
