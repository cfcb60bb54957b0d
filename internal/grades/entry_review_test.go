package grades_test

import (
	"testing"

	"cartable/internal/demo"
	"cartable/internal/grades"
)

// A locked period refuses every write of its evaluations, marks, levels
// and appraisals, whichever way the write comes: an evaluation edited in
// place, moved into it or out of it, its items.
func TestReviewLockedPeriodEveryPath(t *testing.T) {
	f := newFixture(t)
	v := f.viewer(f.teacher, true)
	head := f.viewer(f.head(demo.MainUAI), true)
	locked := f.create(v)
	in2 := f.input()
	in2.Period, in2.HeldOn = f.period2, f.str(`SELECT starts_on FROM periods WHERE id = ?`, f.period2)
	open, err := f.svc.CreateEvaluation(f.ctx, v, f.teaching, in2)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.svc.SavePeriod(f.ctx, head, f.period1, grades.PeriodInput{EntryDeadline: "2026-11-15"}); err != nil {
		t.Fatal(err)
	}
	before := f.state()
	edit := f.input()
	edit.Title = "Renamed"
	if ps := problemsOf(t, f.svc.UpdateEvaluation(f.ctx, v, locked, edit)); !ps.Has("period") {
		t.Errorf("edited in a locked period: %v", ps)
	}
	edit.Period, edit.HeldOn = f.period2, in2.HeldOn
	if ps := problemsOf(t, f.svc.UpdateEvaluation(f.ctx, v, locked, edit)); !ps.Has("period") {
		t.Errorf("moved out of a locked period: %v", ps)
	}
	into := f.input()
	if ps := problemsOf(t, f.svc.UpdateEvaluation(f.ctx, v, open, into)); !ps.Has("period") {
		t.Errorf("moved into a locked period: %v", ps)
	}
	if ps := problemsOf(t, f.svc.SetEvaluationItems(f.ctx, v, locked, nil)); !ps.Has("period") {
		t.Errorf("items in a locked period: %v", ps)
	}
	if _, err := f.svc.SaveMarksSeen(f.ctx, v, locked, map[string]string{f.roster()[0]: "12"}, map[string]string{}); problemsOf(t, err) == nil {
		t.Error("marks in a locked period through the grid's save")
	}
	if f.state() != before || f.str(`SELECT period_id FROM gr_evaluations WHERE id = ?`, open) != f.period2 {
		t.Error("a locked period changed")
	}
}

// The class's head teacher reads every subject of the class but enters
// nothing in a subject they do not teach; the CPE and the deputy enter no
// marks; the deputy does not read the history (the head's alone).
func TestReviewWhoEntersWhat(t *testing.T) {
	f := newFixture(t)
	v := f.viewer(f.teacher, true)
	id := f.create(v)
	roster := f.roster()
	before := f.state()
	est := f.est
	headTeacher := f.str(`SELECT teacher_id FROM head_teachers WHERE class_id = ?`, f.class)
	cpe := f.str(`SELECT person_id FROM functions WHERE establishment_id = ? AND function = 'cpe' ORDER BY person_id LIMIT 1`, est)
	deputy := f.str(`SELECT person_id FROM functions WHERE establishment_id = ? AND function = 'deputy' AND person_id NOT IN
		(SELECT person_id FROM functions WHERE function = 'head') ORDER BY person_id LIMIT 1`, est)
	who := map[string]string{"cpe": cpe, "deputy": deputy}
	if f.count(`SELECT COUNT(*) FROM teaching_assignments WHERE teacher_id = ? AND class_id = ? AND subject_id = ?`, headTeacher, f.class, f.subject) == 0 {
		who["head teacher"] = headTeacher
		if _, err := f.svc.ClassResults(f.ctx, f.viewer(headTeacher, false), f.teaching, ""); err != nil {
			t.Errorf("the head teacher reads the class's subject: %v", err)
		}
		if _, err := f.svc.StudentResults(f.ctx, f.viewer(headTeacher, false), roster[0], ""); err != nil {
			t.Errorf("the head teacher reads a student of the class: %v", err)
		}
	}
	for name, id2 := range who {
		w := f.viewer(id2, true)
		if _, err := f.svc.SaveMarks(f.ctx, w, id, map[string]string{roster[0]: "1"}); err == nil {
			t.Errorf("%s saved marks", name)
		}
		if err := f.svc.SaveAppraisals(f.ctx, w, f.teaching, f.period1, map[string]string{roster[0]: "x"}); err == nil {
			t.Errorf("%s saved an appraisal", name)
		}
		if err := f.svc.SaveLevels(f.ctx, w, id, map[string]map[string]string{}); err == nil {
			t.Errorf("%s saved levels", name)
		}
		if _, err := f.svc.CreateEvaluation(f.ctx, w, f.teaching, f.input()); err == nil {
			t.Errorf("%s created an evaluation", name)
		}
	}
	if _, err := f.svc.History(f.ctx, f.viewer(deputy, true), est, grades.HistoryFilter{}); err == nil {
		t.Error("the deputy read the history")
	}
	if _, err := f.svc.History(f.ctx, f.viewer(f.head(demo.MainUAI), true), est, grades.HistoryFilter{}); err != nil {
		t.Errorf("the head's history: %v", err)
	}
	if f.state() != before {
		t.Error("a refused write changed something")
	}
}
