package grades_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"cartable/internal/access"
	"cartable/internal/check"
	"cartable/internal/db"
	"cartable/internal/dbtest"
	"cartable/internal/demo"
	"cartable/internal/grades"
	"cartable/internal/timetable"
)

// fixture is the demo collège with one teaching and the people around it.
type fixture struct {
	t        *testing.T
	ctx      context.Context
	d        *db.DB
	svc      *grades.Service
	est      string
	teaching access.Resource
	class    string
	subject  string
	teacher  string // teaches the class in the subject
	period1  string // trimester 1 (today's)
	period2  string
}

var today = time.Date(2026, 11, 20, 10, 0, 0, 0, timetable.Paris)

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	d := dbtest.Open(t)
	sys := access.System("test")
	if err := d.Tx(ctx, func(tx *db.Tx) error {
		_, err := demo.Generate(ctx, sys, tx, demo.Options{Seed: 1, Students: 200})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, ctx: ctx, d: d, svc: &grades.Service{DB: d, Policy: access.New(d), Now: func() time.Time { return today }}}
	f.est = f.str(`SELECT id FROM establishments WHERE uai = ?`, demo.MainUAI)
	// A class taught in a subject that has students.
	if err := d.QueryRow(ctx, `SELECT a.teacher_id, a.class_id, a.subject_id FROM teaching_assignments a
		WHERE a.establishment_id = ? AND a.class_id IS NOT NULL AND (SELECT COUNT(*) FROM enrolments e WHERE e.class_id = a.class_id) > 2
		ORDER BY a.id LIMIT 1`, f.est).Scan(&f.teacher, &f.class, &f.subject); err != nil {
		t.Fatal(err)
	}
	f.teaching = access.Teaching(access.Class(f.class), f.subject)
	f.period1 = f.str(`SELECT p.id FROM periods p JOIN school_years y ON y.id = p.school_year_id WHERE y.establishment_id = ? AND p.number = 1`, f.est)
	f.period2 = f.str(`SELECT p.id FROM periods p JOIN school_years y ON y.id = p.school_year_id WHERE y.establishment_id = ? AND p.number = 2`, f.est)
	return f
}

func (f *fixture) str(q string, args ...any) string {
	f.t.Helper()
	var s string
	if err := f.d.QueryRow(f.ctx, q, args...).Scan(&s); err != nil {
		f.t.Fatalf("%s: %v", q, err)
	}
	return s
}

func (f *fixture) count(q string, args ...any) int {
	f.t.Helper()
	var n int
	if err := f.d.QueryRow(f.ctx, q, args...).Scan(&n); err != nil {
		f.t.Fatalf("%s: %v", q, err)
	}
	return n
}

// viewer loads a person's viewer; strong says whether their session
// passed a second factor.
func (f *fixture) viewer(id string, strong bool) *access.Viewer {
	f.t.Helper()
	v, err := access.New(f.d).Viewer(f.ctx, id)
	if err != nil {
		f.t.Fatal(err)
	}
	v.SetSecondFactor(strong)
	return v
}

func (f *fixture) head(uai string) string {
	return f.str(`SELECT fn.person_id FROM functions fn JOIN establishments e ON e.id = fn.establishment_id
		WHERE e.uai = ? AND fn.function = 'head' ORDER BY fn.person_id LIMIT 1`, uai)
}

func (f *fixture) roster() []string {
	rows, err := db.Strings(f.ctx, f.d, `SELECT p.id FROM enrolments e JOIN people p ON p.id = e.student_id
		WHERE e.class_id = ? AND p.active ORDER BY p.last_name, p.first_name, p.id`, f.class)
	if err != nil {
		f.t.Fatal(err)
	}
	return rows
}

func (f *fixture) input() grades.EvaluationInput {
	return grades.EvaluationInput{Title: "Contrôle 1", HeldOn: "2026-11-10", Period: f.period1, Scale: "20", Coefficient: "2", To20: true}
}

func (f *fixture) create(v *access.Viewer) string {
	f.t.Helper()
	id, err := f.svc.CreateEvaluation(f.ctx, v, f.teaching, f.input())
	if err != nil {
		f.t.Fatal(err)
	}
	return id
}

// state is a fingerprint of the grading tables, to tell that a refused
// write changed nothing.
func (f *fixture) state() [5]int {
	return [5]int{f.count(`SELECT COUNT(*) FROM gr_evaluations`), f.count(`SELECT COUNT(*) FROM gr_marks`),
		f.count(`SELECT COALESCE(SUM(value_x100), 0) FROM gr_marks`), f.count(`SELECT COUNT(*) FROM gr_history`),
		f.count(`SELECT COUNT(*) FROM gr_appraisals`)}
}

func problemsOf(t *testing.T, err error) check.Problems {
	t.Helper()
	ps, ok := check.As(err)
	if !ok {
		t.Fatalf("want problems, got %v", err)
	}
	return ps
}

func TestEvaluationFormRefusesBadInput(t *testing.T) {
	f := newFixture(t)
	v := f.viewer(f.teacher, true)
	before := f.state()
	cases := []struct {
		field string
		edit  func(*grades.EvaluationInput)
	}{
		{"coefficient", func(in *grades.EvaluationInput) { in.Coefficient = "0" }},
		{"coefficient", func(in *grades.EvaluationInput) { in.Coefficient = "1000" }},
		{"coefficient", func(in *grades.EvaluationInput) { in.Coefficient = "-1" }},
		{"scale", func(in *grades.EvaluationInput) { in.Scale = "0" }},
		{"scale", func(in *grades.EvaluationInput) { in.Scale = "101" }},
		{"title", func(in *grades.EvaluationInput) { in.Title = " " }},
		{"held_on", func(in *grades.EvaluationInput) { in.HeldOn = "2026-13-01" }},
		{"held_on", func(in *grades.EvaluationInput) { in.HeldOn = "2027-01-10" }}, // outside trimester 1
		{"period", func(in *grades.EvaluationInput) { in.Period = "forged" }},
		{"sub_subject", func(in *grades.EvaluationInput) { in.SubSubject = "forged" }},
	}
	for _, c := range cases {
		in := f.input()
		c.edit(&in)
		_, err := f.svc.CreateEvaluation(f.ctx, v, f.teaching, in)
		if ps := problemsOf(t, err); !ps.Has(c.field) || len(ps) != 1 {
			t.Errorf("%+v: problems %v, want one on %s", in, ps, c.field)
		}
	}
	if f.state() != before {
		t.Error("a refused evaluation changed something")
	}
	// Decimals are allowed for scales and coefficients.
	in := f.input()
	in.Scale, in.Coefficient = "12,5", "0.5"
	id, err := f.svc.CreateEvaluation(f.ctx, v, f.teaching, in)
	if err != nil {
		t.Fatal(err)
	}
	e, err := f.svc.EditEvaluation(f.ctx, v, id)
	if err != nil || e.Evaluation.ScaleX100 != 1250 || e.Evaluation.CoefX100 != 50 || e.Evaluation.PublishOn != in.HeldOn {
		t.Errorf("stored %+v, %v", e.Evaluation, err)
	}
}

func TestGridSavesAColumnAllOrNothing(t *testing.T) {
	f := newFixture(t)
	v := f.viewer(f.teacher, true)
	id := f.create(v)
	roster := f.roster()
	cells := map[string]string{roster[0]: "14,5", roster[1]: "abs", roster[2]: "20"}
	n, err := f.svc.SaveMarks(f.ctx, v, id, cells)
	if err != nil || n != 3 {
		t.Fatalf("save: %d, %v", n, err)
	}
	before := f.state()
	// Every bad cell is named by its row; nothing is saved.
	bad := map[string]string{roster[0]: "21", roster[1]: "-2", roster[2]: "zz", roster[3]: "12"}
	_, err = f.svc.SaveMarks(f.ctx, v, id, bad)
	ps := problemsOf(t, err)
	want := map[string]string{roster[0]: "above", roster[1]: "negative", roster[2]: "code"}
	if len(ps) != 3 {
		t.Fatalf("problems %v", ps)
	}
	for _, p := range ps {
		if want[p.Field] != p.Code || p.Value != bad[p.Field] {
			t.Errorf("problem %+v, want %s", p, want[p.Field])
		}
	}
	if f.state() != before {
		t.Error("a refused column changed something")
	}
	// Changing and removing marks writes the history, before → after.
	if _, err := f.svc.SaveMarks(f.ctx, v, id, map[string]string{roster[0]: "15", roster[1]: "abs", roster[2]: ""}); err != nil {
		t.Fatal(err)
	}
	if got := f.str(`SELECT before_state || '→' || after_state FROM gr_history WHERE subject = ? AND student_id = ? ORDER BY id DESC LIMIT 1`,
		"mark:"+id, roster[0]); got != "14.5→15" {
		t.Errorf("history of a change: %q", got)
	}
	if got := f.str(`SELECT before_state || '→' || after_state FROM gr_history WHERE subject = ? AND student_id = ? ORDER BY id DESC LIMIT 1`,
		"mark:"+id, roster[2]); got != "20→" {
		t.Errorf("history of a removal: %q", got)
	}
	if n := f.count(`SELECT COUNT(*) FROM gr_history WHERE subject = ? AND student_id = ?`, "mark:"+id, roster[1]); n != 1 {
		t.Errorf("an unchanged mark was recorded again: %d lines", n)
	}
	if got := f.str(`SELECT actor FROM gr_history WHERE subject = ? ORDER BY id DESC LIMIT 1`, "mark:"+id); got != f.teacher {
		t.Errorf("actor %q", got)
	}
}

func TestPasteColumn(t *testing.T) {
	cells, err := grades.PasteColumn("12\r\n14,5\t\nabs\n", 3)
	if err != nil || len(cells) != 3 || cells[1] != "14,5" || cells[2] != "abs" {
		t.Errorf("paste: %q, %v", cells, err)
	}
	var pe *grades.PasteError
	if _, err := grades.PasteColumn("1\n2\n3\n4", 3); !errors.As(err, &pe) || pe.Lines != 4 || pe.Rows != 3 {
		t.Errorf("too long: %v", err)
	}
	if _, err := grades.PasteColumn("1\n2", 3); !errors.As(err, &pe) || pe.Lines != 2 || pe.Rows != 3 {
		t.Errorf("too short: %v", err)
	}
	if cells, err := grades.PasteColumn("1\n\n3", 3); err != nil || cells[1] != "" {
		t.Errorf("an empty line is an empty cell: %q %v", cells, err)
	}
}

func TestDraftsKeepWhatWasTyped(t *testing.T) {
	f := newFixture(t)
	v := f.viewer(f.teacher, true)
	id := f.create(v)
	roster := f.roster()
	// A password-only session keeps its draft too, for after the step-up.
	weak := f.viewer(f.teacher, false)
	if err := f.svc.SaveDraft(f.ctx, weak, id, map[string]string{roster[0]: "13", "forged": "x"}); err != nil {
		t.Fatal(err)
	}
	g, err := f.svc.Grid(f.ctx, v, id)
	if err != nil {
		t.Fatal(err)
	}
	if g.DraftAt.IsZero() || !g.Rows[0].InDraft || g.Rows[0].Draft != "13" || g.Rows[1].InDraft {
		t.Errorf("draft on the grid: %+v at %v", g.Rows[:2], g.DraftAt)
	}
	if strings := f.str(`SELECT cells FROM gr_drafts WHERE evaluation_id = ?`, id); strings != `{"`+roster[0]+`":"13"}` {
		t.Errorf("stored draft %s", strings)
	}
	if _, err := f.svc.SaveMarks(f.ctx, v, id, map[string]string{roster[0]: "13"}); err != nil {
		t.Fatal(err)
	}
	if n := f.count(`SELECT COUNT(*) FROM gr_drafts`); n != 0 {
		t.Error("saving for good kept the draft")
	}
	// Someone else's draft is refused.
	other := f.str(`SELECT a.teacher_id FROM teaching_assignments a WHERE a.establishment_id = ? AND a.teacher_id <> ?
		AND a.class_id <> ? ORDER BY a.id LIMIT 1`, f.est, f.teacher, f.class)
	if err := f.svc.SaveDraft(f.ctx, f.viewer(other, true), id, map[string]string{roster[0]: "1"}); !errors.Is(err, access.ErrDenied) {
		t.Errorf("another teacher's draft: %v", err)
	}
}

func TestLockedPeriodAndReopening(t *testing.T) {
	f := newFixture(t)
	v := f.viewer(f.teacher, true)
	head := f.viewer(f.head(demo.MainUAI), true)
	id := f.create(v)
	roster := f.roster()
	// A deadline before a reopening is refused, naming the field.
	err := f.svc.SavePeriod(f.ctx, head, f.period1, grades.PeriodInput{EntryDeadline: "2026-11-15", ReopenedUntil: "2026-11-10"})
	if ps := problemsOf(t, err); !ps.Has("reopened_until") {
		t.Errorf("reopen before the deadline: %v", ps)
	}
	if err := f.svc.SavePeriod(f.ctx, head, f.period1, grades.PeriodInput{EntryDeadline: "2026-11-15", CouncilOn: "2026-12-01"}); err != nil {
		t.Fatal(err)
	}
	before := f.state()
	_, err = f.svc.SaveMarks(f.ctx, v, id, map[string]string{roster[0]: "12"})
	if ps := problemsOf(t, err); !ps.Has("period") || ps[0].Code != "locked" {
		t.Errorf("marks in a locked period: %v", ps)
	}
	_, err = f.svc.CreateEvaluation(f.ctx, v, f.teaching, f.input())
	if ps := problemsOf(t, err); !ps.Has("period") {
		t.Errorf("evaluation in a locked period: %v", ps)
	}
	if err := f.svc.SaveAppraisals(f.ctx, v, f.teaching, f.period1, map[string]string{roster[0]: "Bien"}); problemsOf(t, err) == nil {
		t.Error("appraisal in a locked period")
	}
	if _, err := f.svc.DeleteEvaluation(f.ctx, v, id); problemsOf(t, err) == nil {
		t.Error("deleted in a locked period")
	}
	if f.state() != before {
		t.Error("a locked period changed")
	}
	// The head reopens entry: marks go in again, and the reopening is audited.
	if err := f.svc.SavePeriod(f.ctx, head, f.period1, grades.PeriodInput{EntryDeadline: "2026-11-15", ReopenedUntil: "2026-11-25"}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.SaveMarks(f.ctx, v, id, map[string]string{roster[0]: "12"}); err != nil {
		t.Errorf("marks after reopening: %v", err)
	}
	if got := f.str(`SELECT after_state FROM gr_history WHERE subject = ? ORDER BY id DESC LIMIT 1`, "period:"+f.period1); got != "deadline=2026-11-15 reopened=2026-11-25 council=" {
		t.Errorf("reopening recorded as %q", got)
	}
	// A teacher may not set deadlines.
	if err := f.svc.SavePeriod(f.ctx, v, f.period1, grades.PeriodInput{}); !errors.Is(err, access.ErrDenied) {
		t.Errorf("a teacher set the calendar: %v", err)
	}
}

func TestEntryRefusals(t *testing.T) {
	f := newFixture(t)
	v := f.viewer(f.teacher, true)
	id := f.create(v)
	roster := f.roster()
	before := f.state()
	otherClass := f.str(`SELECT a.teacher_id FROM teaching_assignments a WHERE a.establishment_id = ? AND a.class_id IS NOT NULL
		AND a.class_id <> ? AND a.teacher_id NOT IN (SELECT teacher_id FROM teaching_assignments WHERE class_id = ?)
		AND a.teacher_id NOT IN (SELECT teacher_id FROM head_teachers WHERE class_id = ?) ORDER BY a.id LIMIT 1`, f.est, f.class, f.class, f.class)
	otherSubject := f.str(`SELECT a.teacher_id FROM teaching_assignments a WHERE a.class_id = ? AND a.subject_id <> ?
		AND a.teacher_id NOT IN (SELECT teacher_id FROM teaching_assignments WHERE class_id = ? AND subject_id = ?) ORDER BY a.id LIMIT 1`,
		f.class, f.subject, f.class, f.subject)
	relative := f.str(`SELECT relative_id FROM family_links WHERE student_id = ? LIMIT 1`, roster[0])
	who := map[string]*access.Viewer{
		"teacher of another class":              f.viewer(otherClass, true),
		"teacher of the class, another subject": f.viewer(otherSubject, true),
		"student":                               f.viewer(roster[0], true),
		"relative":                              f.viewer(relative, true),
		"head of another establishment":         f.viewer(f.head(demo.SecondUAI), true),
		"head of the establishment":             f.viewer(f.head(demo.MainUAI), true), // reads, does not enter marks
	}
	for name, w := range who {
		if _, err := f.svc.SaveMarks(f.ctx, w, id, map[string]string{roster[0]: "1"}); !errors.Is(err, access.ErrDenied) {
			t.Errorf("%s saved marks: %v", name, err)
		}
		if _, err := f.svc.Grid(f.ctx, w, id); !errors.Is(err, access.ErrDenied) {
			t.Errorf("%s opened the grid: %v", name, err)
		}
		if _, err := f.svc.CreateEvaluation(f.ctx, w, f.teaching, f.input()); !errors.Is(err, access.ErrDenied) {
			t.Errorf("%s created an evaluation: %v", name, err)
		}
		if err := f.svc.SaveAppraisals(f.ctx, w, f.teaching, f.period1, map[string]string{roster[0]: "x"}); !errors.Is(err, access.ErrDenied) {
			t.Errorf("%s wrote an appraisal: %v", name, err)
		}
		if _, err := f.svc.DeleteEvaluation(f.ctx, w, id); !errors.Is(err, access.ErrDenied) {
			t.Errorf("%s deleted: %v", name, err)
		}
	}
	// A password-only session: the refusal says a second factor is missing.
	weak := f.viewer(f.teacher, false)
	if _, err := f.svc.SaveMarks(f.ctx, weak, id, map[string]string{roster[0]: "1"}); !access.IsSecondFactorRefusal(err) {
		t.Errorf("password-only session: %v", err)
	}
	if _, err := f.svc.Grid(f.ctx, weak, id); !access.IsSecondFactorRefusal(err) {
		t.Errorf("password-only grid: %v", err)
	}
	// It still lists its teachings and their evaluations.
	if ts, err := f.svc.Teachings(f.ctx, weak); err != nil || len(ts) == 0 {
		t.Errorf("teachings of a password-only session: %v, %v", ts, err)
	}
	// Forged ids.
	if _, err := f.svc.SaveMarks(f.ctx, v, "forged", map[string]string{roster[0]: "1"}); !errors.Is(err, access.ErrDenied) {
		t.Errorf("forged evaluation: %v", err)
	}
	if _, err := f.svc.CreateEvaluation(f.ctx, v, access.Teaching(access.Class("forged"), f.subject), f.input()); !errors.Is(err, access.ErrDenied) {
		t.Errorf("forged class: %v", err)
	}
	// A student outside the roster is ignored, never written.
	if _, err := f.svc.SaveMarks(f.ctx, v, id, map[string]string{"forged": "12"}); err != nil {
		t.Fatal(err)
	}
	if f.state() != before {
		t.Error("a refusal changed something")
	}
}

func TestAppraisals(t *testing.T) {
	f := newFixture(t)
	v := f.viewer(f.teacher, true)
	roster := f.roster()
	long := make([]rune, 301)
	for i := range long {
		long[i] = 'é'
	}
	before := f.state()
	err := f.svc.SaveAppraisals(f.ctx, v, f.teaching, f.period1, map[string]string{roster[0]: "Bon trimestre.", roster[1]: string(long)})
	ps := problemsOf(t, err)
	if len(ps) != 1 || ps[0].Field != roster[1] || ps[0].N != 301 {
		t.Errorf("long appraisal: %+v", ps)
	}
	if f.state() != before {
		t.Error("a refused appraisal was saved")
	}
	if err := f.svc.SaveAppraisals(f.ctx, v, f.teaching, f.period1, map[string]string{roster[0]: "Bon trimestre.", roster[1]: string(long[:300])}); err != nil {
		t.Fatal(err)
	}
	a, err := f.svc.AppraisalsOf(f.ctx, v, f.teaching, f.period1)
	if err != nil || a.Rows[0].Body != "Bon trimestre." {
		t.Fatalf("appraisals: %+v %v", a.Rows[:1], err)
	}
	if n := f.count(`SELECT COUNT(*) FROM gr_history WHERE subject = ?`, "appraisal:"+f.period1+"/"+f.subject); n != 2 {
		t.Errorf("%d appraisal changes recorded", n)
	}
	if _, err := f.svc.AppraisalsOf(f.ctx, v, f.teaching, "forged"); !errors.Is(err, access.ErrDenied) {
		t.Errorf("forged period: %v", err)
	}
}

func TestHeadAdministration(t *testing.T) {
	f := newFixture(t)
	head := f.viewer(f.head(demo.MainUAI), false) // no second factor needed to manage
	in := grades.SettingsInputOf("fr", grades.DefaultSettings(f.est))
	in.Rounding, in.Levels[1] = "0,3", "25"
	ps := problemsOf(t, f.svc.SaveSettings(f.ctx, head, f.est, in))
	if !ps.Has("rounding") || !ps.Has("level2") || len(ps) != 2 {
		t.Errorf("settings problems: %v", ps)
	}
	in = grades.SettingsInputOf("fr", grades.DefaultSettings(f.est))
	in.Rounding, in.RoundingMode, in.OverallWeighted = "0,1", "up", false
	if err := f.svc.SaveSettings(f.ctx, head, f.est, in); err != nil {
		t.Fatal(err)
	}
	st, err := f.svc.SettingsOf(f.ctx, head, f.est)
	if err != nil || st.RoundingX100 != 10 || st.RoundingMode != "up" || st.OverallWeighted {
		t.Errorf("settings %+v %v", st, err)
	}
	// Coefficients: zero and absurd refused; a level's set and removed.
	c, err := f.svc.CoefficientsOf(f.ctx, head, f.est)
	if err != nil || len(c.Levels) == 0 {
		t.Fatalf("coefficients: %v", err)
	}
	for _, bad := range []string{"0", "1000", "x"} {
		err := f.svc.SetCoefficient(f.ctx, head, f.est, grades.CoefficientInput{Subject: f.subject, Level: c.Levels[0], Coefficient: bad})
		if ps := problemsOf(t, err); !ps.Has("coefficient") {
			t.Errorf("coefficient %s: %v", bad, ps)
		}
	}
	if err := f.svc.SetCoefficient(f.ctx, head, f.est, grades.CoefficientInput{Subject: f.subject, Level: c.Levels[0], Coefficient: "3"}); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.SaveSubSubject(f.ctx, head, f.est, grades.SubSubjectInput{Subject: f.subject, Name: "Écrit", Coefficient: "2"}); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.SaveSubSubject(f.ctx, head, f.est, grades.SubSubjectInput{Subject: f.subject, Name: "écrit", Coefficient: "1"}); problemsOf(t, err) == nil {
		t.Error("a duplicate sub-subject")
	}
	c, _ = f.svc.CoefficientsOf(f.ctx, head, f.est)
	if len(c.Rows) != 1 || c.Rows[0].CoefX100 != 300 || len(c.SubSubjects) != 1 {
		t.Errorf("coefficients %+v, sub-subjects %+v", c.Rows, c.SubSubjects)
	}
	// The history: paged, filtered, with who and before → after.
	h, err := f.svc.History(f.ctx, head, f.est, grades.HistoryFilter{})
	if err != nil || len(h.Lines) != 3 || h.Lines[0].ActorName == "" {
		t.Errorf("history: %+v %v", h, err)
	}
	// Others may not.
	teacher := f.viewer(f.teacher, true)
	other := f.viewer(f.head(demo.SecondUAI), true)
	for name, w := range map[string]*access.Viewer{"teacher": teacher, "head of another establishment": other} {
		if err := f.svc.SaveSettings(f.ctx, w, f.est, in); !errors.Is(err, access.ErrDenied) {
			t.Errorf("%s saved settings: %v", name, err)
		}
		if _, err := f.svc.History(f.ctx, w, f.est, grades.HistoryFilter{}); !errors.Is(err, access.ErrDenied) {
			t.Errorf("%s read the history: %v", name, err)
		}
		if err := f.svc.SetCoefficient(f.ctx, w, f.est, grades.CoefficientInput{Subject: f.subject, Level: c.Levels[0], Coefficient: "2"}); !errors.Is(err, access.ErrDenied) {
			t.Errorf("%s set a coefficient: %v", name, err)
		}
	}
}

// The bulk load goes through the same checks and the same refusals.
func TestLoadIn(t *testing.T) {
	f := newFixture(t)
	roster := f.roster()
	col := grades.Column{Input: f.input(), Cells: map[string]string{roster[0]: "12", roster[1]: "nr0"}, At: today}
	err := f.d.Tx(f.ctx, func(tx *db.Tx) error {
		_, err := f.svc.LoadIn(f.ctx, f.viewer(roster[0], true), tx, f.teaching, []grades.Column{col})
		return err
	})
	if !errors.Is(err, access.ErrDenied) {
		t.Errorf("a student loaded marks: %v", err)
	}
	bad := col
	bad.Cells = map[string]string{roster[0]: "21"}
	err = f.d.Tx(f.ctx, func(tx *db.Tx) error {
		_, err := f.svc.LoadIn(f.ctx, f.viewer(f.teacher, true), tx, f.teaching, []grades.Column{bad})
		return err
	})
	if ps := problemsOf(t, err); !ps.Has(roster[0]) {
		t.Errorf("a mark above the scale loaded: %v", ps)
	}
	var ids []string
	err = f.d.Tx(f.ctx, func(tx *db.Tx) (err error) {
		ids, err = f.svc.LoadIn(f.ctx, f.viewer(f.teacher, true), tx, f.teaching, []grades.Column{col})
		return err
	})
	if err != nil || len(ids) != 1 {
		t.Fatal(err)
	}
	if n := f.count(`SELECT COUNT(*) FROM gr_history WHERE subject = ?`, "mark:"+ids[0]); n != 2 {
		t.Errorf("%d history lines for 2 marks", n)
	}
}
