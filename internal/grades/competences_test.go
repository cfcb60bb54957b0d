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
	"cartable/internal/ids"
	"cartable/internal/timetable"
)

// cmpFix is the demo collège seen from its 3e class: who may and who may
// not read or write its competences.
type cmpFix struct {
	t                         *testing.T
	d                         *db.DB
	svc                       *grades.Service
	policy                    *access.Policy
	est, otherEst             string
	year, t1, t2              string
	class3, class5, class6    string
	subject                   string // taught to class3 by teacher
	otherSubject              string // another subject of the collège
	teacher, otherTeacher     string
	headTeacher               string
	student, relative         string
	otherStudent, otherFamily string
	head, otherHead           string
}

// cmpDay is the tests' day: in the second term of the demo's year.
var cmpDay = time.Date(2026, 12, 8, 10, 0, 0, 0, timetable.Paris)

func cmpFixture(t *testing.T) *cmpFix {
	t.Helper()
	ctx := context.Background()
	d := dbtest.Open(t)
	sys := access.System("test")
	if err := d.Tx(ctx, func(tx *db.Tx) error {
		_, err := demo.Generate(ctx, sys, tx, demo.Options{Seed: 1, Students: 60})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	f := &cmpFix{t: t, d: d, policy: access.New(d)}
	f.svc = &grades.Service{DB: d, Policy: f.policy, Now: func() time.Time { return cmpDay }}
	one := func(dst *string, query string, args ...any) {
		t.Helper()
		if err := d.QueryRow(ctx, query, args...).Scan(dst); err != nil {
			t.Fatalf("fixture %q: %v", query, err)
		}
	}
	one(&f.est, `SELECT id FROM establishments WHERE uai = ?`, demo.MainUAI)
	one(&f.otherEst, `SELECT id FROM establishments WHERE uai = ?`, demo.SecondUAI)
	one(&f.class3, `SELECT id FROM classes WHERE establishment_id = ? AND level = '3e' ORDER BY code LIMIT 1`, f.est)
	one(&f.class5, `SELECT id FROM classes WHERE establishment_id = ? AND level = '5e' ORDER BY code LIMIT 1`, f.est)
	one(&f.class6, `SELECT id FROM classes WHERE establishment_id = ? AND level = '6e' ORDER BY code LIMIT 1`, f.est)
	one(&f.year, `SELECT school_year_id FROM classes WHERE id = ?`, f.class3)
	one(&f.t1, `SELECT id FROM periods WHERE school_year_id = ? AND number = 1`, f.year)
	one(&f.t2, `SELECT id FROM periods WHERE school_year_id = ? AND number = 2`, f.year)
	one(&f.headTeacher, `SELECT teacher_id FROM head_teachers WHERE class_id = ?`, f.class3)
	one(&f.teacher, `SELECT teacher_id FROM teaching_assignments WHERE class_id = ? AND teacher_id <> ? ORDER BY id LIMIT 1`, f.class3, f.headTeacher)
	one(&f.subject, `SELECT subject_id FROM teaching_assignments WHERE class_id = ? AND teacher_id = ? ORDER BY id LIMIT 1`, f.class3, f.teacher)
	one(&f.otherSubject, `SELECT id FROM subjects WHERE establishment_id = ? AND id <> ? ORDER BY code LIMIT 1`, f.est, f.subject)
	one(&f.otherTeacher, `SELECT p.id FROM people p JOIN memberships m ON m.person_id = p.id WHERE p.profile = 'teacher'
		AND m.establishment_id = ? AND NOT EXISTS (SELECT 1 FROM teaching_assignments a WHERE a.teacher_id = p.id AND a.class_id = ?)
		AND NOT EXISTS (SELECT 1 FROM head_teachers h WHERE h.teacher_id = p.id AND h.class_id = ?) ORDER BY p.id LIMIT 1`, f.est, f.class3, f.class3)
	one(&f.student, `SELECT e.student_id FROM enrolments e JOIN family_links l ON l.student_id = e.student_id
		WHERE e.class_id = ? AND l.legal_guardian ORDER BY e.student_id LIMIT 1`, f.class3)
	one(&f.relative, `SELECT relative_id FROM family_links WHERE student_id = ? AND legal_guardian ORDER BY relative_id LIMIT 1`, f.student)
	one(&f.otherStudent, `SELECT student_id FROM enrolments WHERE class_id = ? AND student_id <> ? ORDER BY student_id LIMIT 1`, f.class3, f.student)
	one(&f.otherFamily, `SELECT p.id FROM people p WHERE p.profile = 'relative' AND NOT EXISTS
		(SELECT 1 FROM family_links l WHERE l.relative_id = p.id AND l.student_id = ?) ORDER BY p.id LIMIT 1`, f.student)
	one(&f.head, `SELECT person_id FROM functions WHERE establishment_id = ? AND function = 'head'`, f.est)
	one(&f.otherHead, `SELECT person_id FROM functions WHERE establishment_id = ? AND function = 'head'`, f.otherEst)
	return f
}

// viewer loads a person as a viewer; strong: their session passed a
// second factor.
func (f *cmpFix) viewer(id string, strong bool) *access.Viewer {
	f.t.Helper()
	v, err := f.policy.Viewer(context.Background(), id)
	if err != nil {
		f.t.Fatal(err)
	}
	v.SetSecondFactor(strong)
	return v
}

// eval inserts an evaluation of class3 (the entry side is written
// elsewhere): out of 20 unless scale says otherwise.
func (f *cmpFix) eval(subject, period, title, heldOn, publishOn string, coefX100 int) string {
	f.t.Helper()
	id := ids.New()
	if _, err := f.d.Exec(context.Background(), `INSERT INTO gr_evaluations (id, establishment_id, class_id, subject_id, period_id, title,
		held_on, scale_x100, coef_x100, publish_on, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 2000, ?, ?, 0, 0)`,
		id, f.est, f.class3, subject, period, title, heldOn, coefX100, publishOn); err != nil {
		f.t.Fatal(err)
	}
	return id
}

func (f *cmpFix) mark(eval, student string, valueX100 int, special string) {
	f.t.Helper()
	var value any = valueX100
	if special != "" {
		value = nil
	}
	if _, err := f.d.Exec(context.Background(), `INSERT INTO gr_marks (evaluation_id, student_id, value_x100, special, updated_at)
		VALUES (?, ?, ?, ?, 0)`, eval, student, value, special); err != nil {
		f.t.Fatal(err)
	}
}

func (f *cmpFix) count(query string, args ...any) int {
	f.t.Helper()
	var n int
	if err := f.d.QueryRow(context.Background(), query, args...).Scan(&n); err != nil {
		f.t.Fatal(err)
	}
	return n
}

func cmpDenied(t *testing.T, what string, err error) {
	t.Helper()
	if !errors.Is(err, access.ErrDenied) {
		t.Errorf("%s: want a refusal, got %v", what, err)
	}
}

func cmpProblems(t *testing.T, what string, err error, want ...string) check.Problems {
	t.Helper()
	ps, ok := check.As(err)
	if !ok {
		t.Fatalf("%s: want problems, got %v", what, err)
	}
	for _, w := range want {
		found := false
		for _, p := range ps {
			found = found || p.Field+" "+p.Code == w
		}
		if !found {
			t.Errorf("%s: no problem %q in %v", what, w, ps)
		}
	}
	return ps
}

// items creates two items of the teacher's subject (French and methods)
// and one establishment-wide, as the head.
func (f *cmpFix) items() (fr, met, wide string) {
	f.t.Helper()
	ctx := context.Background()
	head := f.viewer(f.head, false)
	var err error
	if fr, err = f.svc.CreateItem(ctx, head, grades.ItemInput{Establishment: f.est, Subject: f.subject, Component: "CPD_FRA", Label: "Lire et comprendre"}); err != nil {
		f.t.Fatal(err)
	}
	if met, err = f.svc.CreateItem(ctx, head, grades.ItemInput{Establishment: f.est, Subject: f.subject, Component: "MET_APP", Label: "S'organiser"}); err != nil {
		f.t.Fatal(err)
	}
	if wide, err = f.svc.CreateItem(ctx, head, grades.ItemInput{Establishment: f.est, Component: "FRM_CIT", Label: "Respecter autrui"}); err != nil {
		f.t.Fatal(err)
	}
	return
}

func TestCompetenceItems(t *testing.T) {
	f := cmpFixture(t)
	ctx := context.Background()
	fr, _, wide := f.items()
	teaching := access.Teaching(access.Class(f.class3), f.subject).ID

	// A teacher adds an item to the subject of their teaching, with a
	// second factor only.
	in := grades.ItemInput{Teaching: teaching, Component: "CPD_SCI", Label: "Raisonner"}
	if _, err := f.svc.CreateItem(ctx, f.viewer(f.teacher, false), in); !access.IsSecondFactorRefusal(err) {
		t.Errorf("password-only teacher: %v", err)
	}
	id, err := f.svc.CreateItem(ctx, f.viewer(f.teacher, true), in)
	if err != nil {
		t.Fatal(err)
	}
	var subj string
	if err := f.d.QueryRow(ctx, `SELECT subject_id FROM gr_competence_items WHERE id = ?`, id).Scan(&subj); err != nil || subj != f.subject {
		t.Errorf("the teacher's item is not of their subject: %q %v", subj, err)
	}
	// … not to another subject, not establishment-wide, and not an edit.
	forged := grades.ItemInput{Teaching: access.Teaching(access.Class(f.class3), f.otherSubject).ID, Component: "CPD_SCI", Label: "x"}
	if f.count(`SELECT COUNT(*) FROM teaching_assignments WHERE teacher_id = ? AND class_id = ? AND subject_id = ?`, f.teacher, f.class3, f.otherSubject) == 0 {
		_, err = f.svc.CreateItem(ctx, f.viewer(f.teacher, true), forged)
		cmpDenied(t, "teacher, another subject", err)
	}
	_, err = f.svc.CreateItem(ctx, f.viewer(f.teacher, true), grades.ItemInput{Establishment: f.est, Component: "CPD_SCI", Label: "x"})
	cmpDenied(t, "teacher, establishment-wide", err)
	cmpDenied(t, "teacher edits", f.svc.EditItem(ctx, f.viewer(f.teacher, true), fr, grades.ItemInput{Component: "CPD_FRA", Label: "y"}))
	_, err = f.svc.CreateItem(ctx, f.viewer(f.otherTeacher, true), in)
	cmpDenied(t, "another class's teacher", err)
	_, err = f.svc.CreateItem(ctx, f.viewer(f.student, false), grades.ItemInput{Establishment: f.est, Component: "CPD_SCI", Label: "x"})
	cmpDenied(t, "student", err)
	_, err = f.svc.CreateItem(ctx, f.viewer(f.otherHead, false), grades.ItemInput{Establishment: f.est, Component: "CPD_SCI", Label: "x"})
	cmpDenied(t, "head of another establishment", err)
	cmpDenied(t, "head of another establishment edits", f.svc.EditItem(ctx, f.viewer(f.otherHead, false), fr, grades.ItemInput{Component: "CPD_FRA", Label: "y"}))
	cmpDenied(t, "forged item", f.svc.EditItem(ctx, f.viewer(f.head, false), "nope", grades.ItemInput{Component: "CPD_FRA", Label: "y"}))
	_, err = f.svc.Items(ctx, f.viewer(f.teacher, true), f.est)
	cmpDenied(t, "teacher lists the admin", err)

	// Bad input: every field named, nothing written.
	before := f.count(`SELECT COUNT(*) FROM gr_competence_items`)
	_, err = f.svc.CreateItem(ctx, f.viewer(f.head, false), grades.ItemInput{Establishment: f.est, Component: "CPD_XXX", Label: "  "})
	cmpProblems(t, "bad item", err, "label required", "component unknown-component")
	_, err = f.svc.CreateItem(ctx, f.viewer(f.head, false), grades.ItemInput{Establishment: f.est, Subject: "forged", Component: "CPD_FRA", Label: "x"})
	cmpProblems(t, "forged subject", err, "subject unknown-subject")
	if f.count(`SELECT COUNT(*) FROM gr_competence_items`) != before {
		t.Error("a refused item was written")
	}

	// The head archives: the item is offered no more but listed.
	if err := f.svc.EditItem(ctx, f.viewer(f.head, false), wide, grades.ItemInput{Component: "FRM_CIT", Label: "Respecter autrui", Archived: true}); err != nil {
		t.Fatal(err)
	}
	adm, err := f.svc.Items(ctx, f.viewer(f.head, false), f.est)
	if err != nil || len(adm.Items) != 4 {
		t.Fatalf("admin list: %d items, %v", len(adm.Items), err)
	}
	desk, err := f.svc.Desk(ctx, f.viewer(f.teacher, false))
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, tc := range desk.Teachings {
		if tc.Teaching == teaching {
			found = true
			if len(tc.Items) != 3 {
				t.Errorf("teaching offers %d items, want 3 (the archived one left out)", len(tc.Items))
			}
		}
	}
	if !found {
		t.Errorf("the teacher's desk lacks their teaching: %+v", desk.Teachings)
	}
	if n := f.count(`SELECT COUNT(*) FROM gr_history WHERE subject LIKE 'item:%'`); n != 5 {
		t.Errorf("history of items: %d lines, want 5", n)
	}
	// An item no evaluation assessed can be deleted, by the head only.
	cmpDenied(t, "teacher deletes", f.svc.DeleteItem(ctx, f.viewer(f.teacher, true), id))
	cmpDenied(t, "head of another establishment deletes", f.svc.DeleteItem(ctx, f.viewer(f.otherHead, true), id))
	if err := f.svc.DeleteItem(ctx, f.viewer(f.head, false), id); err != nil {
		t.Fatal(err)
	}
	if n := f.count(`SELECT COUNT(*) FROM gr_competence_items WHERE id = ?`, id); n != 0 {
		t.Error("the item is still there")
	}
}

func TestLevelsGrid(t *testing.T) {
	f := cmpFixture(t)
	ctx := context.Background()
	fr, met, _ := f.items()
	ev := f.eval(f.subject, f.t1, "Dictée", "2026-10-05", "2026-10-06", 100)
	teacher := f.viewer(f.teacher, true)

	if err := f.svc.SetEvaluationItems(ctx, f.viewer(f.teacher, false), ev, []string{fr}); !access.IsSecondFactorRefusal(err) {
		t.Errorf("password-only: %v", err)
	}
	cmpProblems(t, "forged item", f.svc.SetEvaluationItems(ctx, teacher, ev, []string{fr, "forged"}), "items unknown-item")
	if err := f.svc.SetEvaluationItems(ctx, teacher, ev, []string{fr, met}); err != nil {
		t.Fatal(err)
	}
	g, err := f.svc.EvaluationLevels(ctx, teacher, ev)
	if err != nil || len(g.Items) != 2 || !g.MayEnter || len(g.Students) == 0 {
		t.Fatalf("grid: %d items, may %v, %d students, %v", len(g.Items), g.MayEnter, len(g.Students), err)
	}

	// Bad cells: each named by its row and column; nothing saved.
	cells := map[string]map[string]string{
		f.student:      {fr: "5", met: "3"},
		f.otherStudent: {fr: "TBM", met: "bof"},
		"forged":       {fr: "2"},
	}
	ps := cmpProblems(t, "bad grid", f.svc.SaveLevels(ctx, teacher, ev, cells),
		f.student+"/"+fr+" bad-level", f.otherStudent+"/"+met+" bad-level", "forged/"+fr+" unknown-student")
	if len(ps) != 3 {
		t.Errorf("problems: %v", ps)
	}
	if n := f.count(`SELECT COUNT(*) FROM gr_levels`); n != 0 {
		t.Fatalf("%d levels saved from a refused grid", n)
	}
	cmpProblems(t, "column not assessed", f.svc.SaveLevels(ctx, teacher, ev, map[string]map[string]string{f.student: {"other": "2"}}),
		f.student+"/other unknown-item")

	// A good grid: initials, codes and numbers alike.
	cells = map[string]map[string]string{f.student: {fr: "3", met: "disp"}, f.otherStudent: {fr: "tbm", met: "ABS"}}
	if err := f.svc.SaveLevels(ctx, teacher, ev, cells); err != nil {
		t.Fatal(err)
	}
	g, _ = f.svc.EvaluationLevels(ctx, teacher, ev)
	if g.Cell(f.student, fr) != "3" || g.Cell(f.student, met) != "disp" || g.Cell(f.otherStudent, fr) != "4" || g.Cell(f.otherStudent, met) != "abs" {
		t.Errorf("stored cells: %v", g.Cells)
	}
	if n := f.count(`SELECT COUNT(*) FROM gr_history WHERE subject LIKE 'level:%'`); n != 4 {
		t.Errorf("history: %d lines, want 4", n)
	}
	// A change and a clearing: two more lines, with before and after.
	if err := f.svc.SaveLevels(ctx, teacher, ev, map[string]map[string]string{f.student: {fr: "2", met: ""}}); err != nil {
		t.Fatal(err)
	}
	var before, after string
	if err := f.d.QueryRow(ctx, `SELECT before_state, after_state FROM gr_history WHERE subject = ? AND student_id = ? ORDER BY id DESC LIMIT 1`,
		"level:"+ev+"/"+fr, f.student).Scan(&before, &after); err != nil || before != "3" || after != "2" {
		t.Errorf("history of the change: %q → %q, %v", before, after, err)
	}
	if n := f.count(`SELECT COUNT(*) FROM gr_levels WHERE student_id = ?`, f.student); n != 1 {
		t.Errorf("cleared cell still stored: %d", n)
	}
	// A used item cannot be deleted (archive it); with levels it cannot be
	// taken off the evaluation.
	cmpProblems(t, "delete a used item", f.svc.DeleteItem(ctx, f.viewer(f.head, false), fr), "item item-used")
	// An item with levels cannot be taken off.
	cmpProblems(t, "remove a used item", f.svc.SetEvaluationItems(ctx, teacher, ev, []string{met}), "items item-has-levels")

	// Refusals.
	for who, v := range map[string]*access.Viewer{
		"another class's teacher": f.viewer(f.otherTeacher, true), "student": f.viewer(f.student, true),
		"relative": f.viewer(f.relative, true), "head of another establishment": f.viewer(f.otherHead, true),
		"head teacher (reads, enters nothing)": f.viewer(f.headTeacher, true),
	} {
		cmpDenied(t, who+" saves", f.svc.SaveLevels(ctx, v, ev, map[string]map[string]string{f.student: {fr: "1"}}))
	}
	for who, v := range map[string]*access.Viewer{"another class's teacher": f.viewer(f.otherTeacher, true),
		"student": f.viewer(f.student, true), "other family": f.viewer(f.otherFamily, true), "head of another establishment": f.viewer(f.otherHead, true)} {
		_, err := f.svc.EvaluationLevels(ctx, v, ev)
		cmpDenied(t, who+" reads the grid", err)
	}
	_, err = f.svc.EvaluationLevels(ctx, teacher, "forged")
	cmpDenied(t, "forged evaluation", err)
	if err := f.svc.SaveLevels(ctx, f.viewer(f.teacher, false), ev, map[string]map[string]string{f.student: {fr: "1"}}); !access.IsSecondFactorRefusal(err) {
		t.Errorf("password-only save: %v", err)
	}
	g, err = f.svc.EvaluationLevels(ctx, f.viewer(f.teacher, false), ev)
	if err != nil || g.MayEnter || !g.SecondFactor {
		t.Errorf("password-only grid: may %v, second factor %v, %v", g.MayEnter, g.SecondFactor, err)
	}

	// A locked period refuses entry and keeps what is stored.
	if _, err := f.d.Exec(ctx, `INSERT INTO gr_periods (period_id, entry_deadline) VALUES (?, '2026-11-30')`, f.t1); err != nil {
		t.Fatal(err)
	}
	cmpProblems(t, "locked", f.svc.SaveLevels(ctx, teacher, ev, map[string]map[string]string{f.student: {fr: "1"}}), "period locked")
	if g, _ := f.svc.EvaluationLevels(ctx, teacher, ev); !g.Locked || g.Cell(f.student, fr) != "2" {
		t.Errorf("locked grid: %v %q", g.Locked, g.Cell(f.student, fr))
	}
}

func TestStudentCompetences(t *testing.T) {
	f := cmpFixture(t)
	ctx := context.Background()
	fr, met, _ := f.items()
	teacher := f.viewer(f.teacher, true)
	e1 := f.eval(f.subject, f.t1, "Dictée", "2026-10-05", "2026-10-06", 100)
	e2 := f.eval(f.subject, f.t1, "Rédaction", "2026-11-05", "2026-11-06", 100)
	hidden := f.eval(f.subject, f.t1, "Exposé", "2026-11-20", "2027-01-10", 100) // published after today
	for _, e := range []string{e1, e2, hidden} {
		if err := f.svc.SetEvaluationItems(ctx, teacher, e, []string{fr, met}); err != nil {
			t.Fatal(err)
		}
	}
	save := func(e, a, b string) {
		if err := f.svc.SaveLevels(ctx, teacher, e, map[string]map[string]string{f.student: {fr: a, met: b}}); err != nil {
			t.Fatal(err)
		}
	}
	save(e1, "2", "4")
	save(e2, "3", "abs")
	save(hidden, "1", "1")

	// The relative: published levels only. Subject: 2, 4, 3 → mean 3.
	sl, err := f.svc.StudentCompetences(ctx, f.viewer(f.relative, false), f.student, f.t1)
	if err != nil || len(sl.Subjects) != 1 {
		t.Fatalf("relative's view: %+v %v", sl.Subjects, err)
	}
	lv := sl.Subjects[0].Level
	if !lv.Assessed || lv.Level != 3 || lv.Mean != 3 || len(sl.Subjects[0].Assessments) != 4 {
		t.Errorf("subject level: %+v, %d assessments", lv, len(sl.Subjects[0].Assessments))
	}
	if !sl.Subjects[0].MarkOK || sl.Subjects[0].Mark != 15 {
		t.Errorf("level as a mark: %v %v", sl.Subjects[0].Mark, sl.Subjects[0].MarkOK)
	}
	for _, c := range sl.Components {
		switch c.Component {
		case grades.CompFrench:
			if c.Level.Level != 3 || c.Level.Mean != 2.5 { // (2 + 3) ÷ 2 = 2.5 → 3 (half up)
				t.Errorf("CPD_FRA: %+v", c.Level)
			}
		case grades.CompMethods:
			if c.Level.Level != 4 {
				t.Errorf("MET_APP: %+v", c.Level)
			}
		default:
			if c.Level.Assessed {
				t.Errorf("%s assessed: %+v", c.Component, c.Level)
			}
		}
	}
	// The head sees every level, the unpublished one too: 2, 4, 3, 1, 1 → 2.2 → 2.
	sl, err = f.svc.StudentCompetences(ctx, f.viewer(f.head, false), f.student, f.t1)
	if err != nil || sl.Subjects[0].Level.Level != 2 {
		t.Errorf("head's view: %+v %v", sl.Subjects, err)
	}
	// "highest": the establishment's setting.
	if _, err := f.d.Exec(ctx, `INSERT INTO gr_settings (establishment_id, level_mode) VALUES (?, 'highest')`, f.est); err != nil {
		t.Fatal(err)
	}
	sl, _ = f.svc.StudentCompetences(ctx, f.viewer(f.student, false), f.student, f.t1)
	if len(sl.Subjects) != 1 || sl.Subjects[0].Level.Level != 4 {
		t.Errorf("highest: %+v", sl.Subjects)
	}
	if sl, _ := f.svc.StudentCompetences(ctx, f.viewer(f.student, false), f.student, f.t2); len(sl.Subjects) != 0 {
		t.Errorf("second term has levels: %+v", sl.Subjects)
	}
	for who, v := range map[string]*access.Viewer{"other family": f.viewer(f.otherFamily, true), "another student": f.viewer(f.otherStudent, true),
		"another class's teacher": f.viewer(f.otherTeacher, true), "head of another establishment": f.viewer(f.otherHead, true)} {
		_, err := f.svc.StudentCompetences(ctx, v, f.student, "")
		cmpDenied(t, who, err)
	}
	_, err = f.svc.StudentCompetences(ctx, f.viewer(f.relative, false), f.student, "forged")
	cmpDenied(t, "forged period", err)
	if _, err := f.svc.StudentCompetences(ctx, f.viewer(f.headTeacher, false), f.student, ""); err != nil {
		t.Errorf("head teacher: %v", err)
	}
}
