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
