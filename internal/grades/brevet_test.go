package grades_test

import (
	"context"
	"testing"

	"cartable/internal/access"
)

// TestBrevet checks the continuous-assessment mark by hand:
//
//	subject A, T1: 12 and 16 (coef 1 each) → 14; T2: nothing → year 14
//	subject B, T1: 15 (coef 2) and 9 (coef 1) → 39 ÷ 3 = 13; T2: 10 → year (13 + 10) ÷ 2 = 11.5
//	brevet: (14 + 11.5) ÷ 2 = 12.75
//
// Relatives count only what is published: without B's T2 mark (not yet
// published), B's year is 13 and the mark (14 + 13) ÷ 2 = 13.5.
func TestBrevet(t *testing.T) {
	f := cmpFixture(t)
	ctx := context.Background()
	a1 := f.eval(f.subject, f.t1, "A1", "2026-10-01", "2026-10-01", 100)
	a2 := f.eval(f.subject, f.t1, "A2", "2026-10-08", "2026-10-08", 100)
	b1 := f.eval(f.otherSubject, f.t1, "B1", "2026-10-02", "2026-10-02", 200)
	b2 := f.eval(f.otherSubject, f.t1, "B2", "2026-10-09", "2026-10-09", 100)
	b3 := f.eval(f.otherSubject, f.t2, "B3", "2026-12-07", "2026-12-20", 100)
	f.mark(a1, f.student, 1200, "")
	f.mark(a2, f.student, 1600, "")
	f.mark(b1, f.student, 1500, "")
	f.mark(b2, f.student, 900, "")
	f.mark(b3, f.student, 1000, "")
	f.mark(a1, f.otherStudent, 0, "abs") // counts nowhere: NN in A

	b, err := f.svc.BrevetOfStudent(ctx, f.viewer(f.head, false), f.student)
	if err != nil || !b.InThird() || len(b.Subjects) != 2 {
		t.Fatalf("brevet: %+v %v", b, err)
	}
	if !b.Mean.Graded || b.Mean.Value != 12.75 || b.Mean.Rounded != 12.75 {
		t.Errorf("mean: %+v", b.Mean)
	}
	years := map[string]float64{}
	for _, s := range b.Subjects {
		years[s.Subject.ID] = s.Year.Value
	}
	if years[f.subject] != 14 || years[f.otherSubject] != 11.5 {
		t.Errorf("year averages: %v", years)
	}
	if lines := b.Mean.Explain("fr"); len(lines) < 4 {
		t.Errorf("steps: %q", lines)
	}
	b, err = f.svc.BrevetOfStudent(ctx, f.viewer(f.relative, false), f.student)
	if err != nil || b.Mean.Value != 13.5 {
		t.Errorf("relative's brevet: %+v %v", b.Mean, err)
	}
	if b, _ := f.svc.BrevetOfStudent(ctx, f.viewer(f.student, false), f.student); b.Mean.Value != 13.5 {
		t.Errorf("student's brevet: %+v", b.Mean)
	}

	cl, err := f.svc.BrevetOfClass(ctx, f.viewer(f.headTeacher, false), f.class3)
	if err != nil || len(cl.Students) == 0 {
		t.Fatalf("class: %v", err)
	}
	for _, s := range cl.Students {
		switch s.Student.ID {
		case f.student:
			if s.Mean.Value != 12.75 {
				t.Errorf("class view of the student: %v", s.Mean.Value)
			}
		case f.otherStudent:
			if s.Mean.Graded {
				t.Errorf("an absence only gives a mark: %+v", s.Mean)
			}
		}
	}
	// Rounding as the establishment says: to the tenth, up.
	if _, err := f.d.Exec(ctx, `INSERT INTO gr_settings (establishment_id, rounding_x100, rounding_mode) VALUES (?, 10, 'up')`, f.est); err != nil {
		t.Fatal(err)
	}
	if b, _ := f.svc.BrevetOfStudent(ctx, f.viewer(f.head, false), f.student); b.Mean.Rounded != 12.8 {
		t.Errorf("rounded up to the tenth: %v", b.Mean.Rounded)
	}

	for who, v := range map[string]*access.Viewer{"other family": f.viewer(f.otherFamily, false), "another student": f.viewer(f.otherStudent, false),
		"teacher (not head teacher)": f.viewer(f.teacher, true), "head of another establishment": f.viewer(f.otherHead, false)} {
		_, err := f.svc.BrevetOfStudent(ctx, v, f.student)
		cmpDenied(t, who, err)
	}
	for who, v := range map[string]*access.Viewer{"relative": f.viewer(f.relative, false), "another class's teacher": f.viewer(f.otherTeacher, true),
		"head of another establishment": f.viewer(f.otherHead, false)} {
		_, err := f.svc.BrevetOfClass(ctx, v, f.class3)
		cmpDenied(t, who+" on the class", err)
	}
	// A 5e class has no brevet mark.
	if cl, err := f.svc.BrevetOfClass(ctx, f.viewer(f.head, false), f.class5); err != nil || len(cl.Students) != 0 || cl.Class.Cycle == 4 {
		t.Errorf("5e: %+v %v", cl, err)
	}
}
