package grades_test

import (
	"context"
	"testing"

	"cartable/internal/access"
	"cartable/internal/grades"
)

func TestCyclePositioning(t *testing.T) {
	f := cmpFixture(t)
	ctx := context.Background()
	fr, met, wide := f.items()
	teacher := f.viewer(f.teacher, true)
	e1 := f.eval(f.subject, f.t1, "Dictée", "2026-10-05", "2026-10-06", 100)
	e2 := f.eval(f.subject, f.t2, "Lecture", "2026-12-01", "2026-12-02", 100)
	for _, e := range []string{e1, e2} {
		if err := f.svc.SetEvaluationItems(ctx, teacher, e, []string{fr, met, wide}); err != nil {
			t.Fatal(err)
		}
	}
	f.svc.SaveLevels(ctx, teacher, e1, map[string]map[string]string{f.student: {fr: "4", met: "disp", wide: "1"}})
	f.svc.SaveLevels(ctx, teacher, e2, map[string]map[string]string{f.student: {fr: "3", met: "disp", wide: "abs"}})

	g, err := f.svc.Cycle(ctx, f.viewer(f.headTeacher, true), f.class3)
	if err != nil || g.Class.Cycle != 4 || len(g.Students) == 0 {
		t.Fatalf("cycle grid: %+v %v", g.Class, err)
	}
	// CPD_FRA: (4 + 3) ÷ 2 = 3.5 → 4; MET_APP: exempt only → 0; FRM_CIT: 1
	// (the absence is no level); others: nothing.
	for comp, want := range map[grades.Component]string{grades.CompFrench: "4", grades.CompMethods: "0", grades.CompCitizen: "1", grades.CompWorld: ""} {
		if got := g.Suggested(f.student, comp); got != want {
			t.Errorf("suggestion %s: %q, want %q (%+v)", comp, got, want, g.Suggestion(f.student, comp))
		}
	}
	if s := g.Suggestion(f.student, grades.CompFrench); s.Mean != 3.5 || len(s.Steps) != 3 {
		t.Errorf("suggestion's steps: %+v", s)
	}

	// Bad cells named; nothing saved.
	cells := map[string]map[string]string{f.student: {"CPD_FRA": "5", "CPD_XXX": "2"}, "forged": {"CPD_FRA": "1"}}
	cmpProblems(t, "bad cycle", f.svc.SaveCycle(ctx, f.viewer(f.headTeacher, true), f.class3, cells),
		f.student+"/CPD_FRA bad-position", f.student+"/CPD_XXX unknown-component", "forged/CPD_FRA unknown-student")
	if n := f.count(`SELECT COUNT(*) FROM gr_cycle_positions`); n != 0 {
		t.Fatalf("%d positions saved from a refused grid", n)
	}
	cells = map[string]map[string]string{f.student: {"CPD_FRA": "4", "MET_APP": "disp", "CPD_ETR": ""}}
	if err := f.svc.SaveCycle(ctx, f.viewer(f.headTeacher, true), f.class3, cells); err != nil {
		t.Fatal(err)
	}
	g, _ = f.svc.Cycle(ctx, f.viewer(f.head, true), f.class3)
	if g.Stored(f.student, grades.CompFrench) != "4" || g.Stored(f.student, grades.CompMethods) != "0" || g.Stored(f.student, grades.CompLanguages) != "" {
		t.Errorf("stored: %+v", g.Positions[f.student])
	}
	if p := g.Positions[f.student][grades.CompFrench]; p.Author == "" || p.UpdatedAt.Unix() != cmpDay.Unix() {
		t.Errorf("author and time: %+v", p)
	}
	if n := f.count(`SELECT COUNT(*) FROM gr_history WHERE subject LIKE 'cycle:%' AND student_id = ?`, f.student); n != 2 {
		t.Errorf("history: %d", n)
	}
	if err := f.svc.SaveCycle(ctx, f.viewer(f.head, true), f.class3, map[string]map[string]string{f.student: {"CPD_FRA": ""}}); err != nil {
		t.Fatal(err)
	}
	var before, after string
	f.d.QueryRow(ctx, `SELECT before_state, after_state FROM gr_history WHERE subject = ? ORDER BY id DESC LIMIT 1`,
		"cycle:"+f.year+"/CPD_FRA").Scan(&before, &after)
	if before != "4" || after != "" {
		t.Errorf("history of a clearing: %q → %q", before, after)
	}

	// 6e ends cycle 3, 5e no cycle.
	if g, err := f.svc.Cycle(ctx, f.viewer(f.head, true), f.class6); err != nil || g.Class.Cycle != 3 {
		t.Errorf("6e: %d %v", g.Class.Cycle, err)
	}
	if g, err := f.svc.Cycle(ctx, f.viewer(f.head, true), f.class5); err != nil || g.Class.Cycle != 0 || len(g.Students) != 0 {
		t.Errorf("5e: %d %v", g.Class.Cycle, err)
	}
	cmpProblems(t, "5e", f.svc.SaveCycle(ctx, f.viewer(f.head, true), f.class5, map[string]map[string]string{}), "class no-cycle")

	for who, v := range map[string]*access.Viewer{"teacher of the class": teacher, "another class's teacher": f.viewer(f.otherTeacher, true),
		"student": f.viewer(f.student, true), "relative": f.viewer(f.relative, true), "head of another establishment": f.viewer(f.otherHead, true)} {
		_, err := f.svc.Cycle(ctx, v, f.class3)
		cmpDenied(t, who+" reads", err)
		cmpDenied(t, who+" writes", f.svc.SaveCycle(ctx, v, f.class3, map[string]map[string]string{f.student: {"CPD_FRA": "1"}}))
	}
	_, err = f.svc.Cycle(ctx, f.viewer(f.head, true), "forged")
	cmpDenied(t, "forged class", err)
}
