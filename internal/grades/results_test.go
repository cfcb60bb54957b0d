package grades_test

import (
	"context"
	"errors"
	"math"
	"testing"
	"time"

	"cartable/internal/access"
	"cartable/internal/check"
	"cartable/internal/db"
	"cartable/internal/dbtest"
	"cartable/internal/demo"
	"cartable/internal/grades"
	"cartable/internal/i18n"
)

// school is a small demo collège with a term of marks in one teaching of
// class C, inserted here (the entry side is another feature's):
//
//	e1 "Contrôle fractions" /20 coef 2, published 2026-12-02: S 12, S2 abs, others 5 + 7k mod 15
//	e2 "DM géométrie" /10 coef 1, published 2026-12-07 (today): S 8, others 3k mod 11
//	e3 "Interro surprise" /20 coef 1, published 2027-01-10 (not yet): S 4, others 10
type school struct {
	d                        *db.DB
	s                        *grades.Service
	est, class, subject      string
	period                   string
	teaching                 access.Resource
	student, mate            string
	students                 []string // C's students, S first
	e1, e2, e3               string
	values1, values2         map[string]float64
	me, mateV, parent, other *access.Viewer // S, S2, S's guardian, another family's guardian
	teacher, otherTeacher    *access.Viewer // C's subject teacher (not its head teacher), a teacher of other classes
	headTeacher, head, headB *access.Viewer
}

var resultsDay = time.Date(2026, 12, 7, 10, 0, 0, 0, i18n.Zone)

func newSchool(t testing.TB) *school {
	t.Helper()
	ctx := context.Background()
	d := dbtest.Open(t)
	if err := d.Tx(ctx, func(tx *db.Tx) error {
		_, err := demo.Generate(ctx, access.System("test"), tx, demo.Options{Seed: 1, Students: 200})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	sc := &school{d: d, values1: map[string]float64{}, values2: map[string]float64{}}
	sc.s = &grades.Service{DB: d, Policy: access.New(d), Now: func() time.Time { return resultsDay }}
	one := func(q string, args ...any) string {
		t.Helper()
		var s string
		if err := d.QueryRow(ctx, q, args...).Scan(&s); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return s
	}
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := d.Exec(ctx, q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	sc.est = one(`SELECT id FROM establishments WHERE uai = ?`, demo.MainUAI)
	estB := one(`SELECT id FROM establishments WHERE uai = ?`, demo.SecondUAI)
	var teacher string
	if err := d.QueryRow(ctx, `SELECT a.class_id, a.subject_id, a.teacher_id FROM teaching_assignments a JOIN classes c ON c.id = a.class_id
		WHERE c.establishment_id = ? AND NOT EXISTS (SELECT 1 FROM head_teachers h WHERE h.class_id = a.class_id AND h.teacher_id = a.teacher_id)
		AND EXISTS (SELECT 1 FROM enrolments e JOIN family_links f ON f.student_id = e.student_id AND f.legal_guardian WHERE e.class_id = a.class_id)
		ORDER BY a.id LIMIT 1`, sc.est).Scan(&sc.class, &sc.subject, &teacher); err != nil {
		t.Fatal(err)
	}
	sc.teaching = access.Teaching(access.Class(sc.class), sc.subject)
	sc.student = one(`SELECT MIN(e.student_id) FROM enrolments e WHERE e.class_id = ?
		AND EXISTS (SELECT 1 FROM family_links f WHERE f.student_id = e.student_id AND f.legal_guardian)`, sc.class)
	others, err := db.Strings(ctx, d, `SELECT student_id FROM enrolments WHERE class_id = ? AND student_id <> ? ORDER BY student_id`, sc.class, sc.student)
	if err != nil || len(others) < 3 {
		t.Fatalf("classmates: %v %v", others, err)
	}
	sc.mate = others[0]
	sc.students = append([]string{sc.student}, others...)
	period := one(`SELECT p.id FROM periods p JOIN school_years y ON y.id = p.school_year_id WHERE y.establishment_id = ? AND p.starts_on <= '2026-12-07' AND p.ends_on >= '2026-12-07'`, sc.est)
	sc.period = period
	eval := func(title string, scale, coef int, held, publish string) string {
		id := "ev-" + held
		exec(`INSERT INTO gr_evaluations (id, establishment_id, class_id, subject_id, period_id, title, held_on, scale_x100, coef_x100, publish_on,
			author_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0)`,
			id, sc.est, sc.class, sc.subject, period, title, held, scale*100, coef*100, publish, teacher)
		return id
	}
	sc.e1 = eval("Contrôle fractions", 20, 2, "2026-11-30", "2026-12-02")
	sc.e2 = eval("DM géométrie", 10, 1, "2026-12-01", "2026-12-07")
	sc.e3 = eval("Interro surprise", 20, 1, "2026-12-04", "2027-01-10")
	mark := func(ev, st string, v float64, special string) {
		var value any
		if special == "" {
			value = int(v * 100)
		}
		exec(`INSERT INTO gr_marks (evaluation_id, student_id, value_x100, special, updated_at, updated_by) VALUES (?, ?, ?, ?, 0, '')`,
			ev, st, value, special)
	}
	for k, st := range sc.students {
		switch {
		case k == 0:
			mark(sc.e1, st, 12, "")
			sc.values1[st] = 12
			mark(sc.e2, st, 8, "")
			sc.values2[st] = 8
			mark(sc.e3, st, 4, "")
			continue
		case k == 1:
			mark(sc.e1, st, 0, "abs")
		default:
			v := float64(5 + (7*k)%15)
			mark(sc.e1, st, v, "")
			sc.values1[st] = v
		}
		v := float64((3 * k) % 11)
		mark(sc.e2, st, v, "")
		sc.values2[st] = v
		mark(sc.e3, st, 10, "")
	}
	p := access.New(d)
	viewer := func(id string) *access.Viewer {
		t.Helper()
		v, err := p.Viewer(ctx, id)
		if err != nil {
			t.Fatalf("viewer %s: %v", id, err)
		}
		return v
	}
	sc.me, sc.mateV = viewer(sc.student), viewer(sc.mate)
	sc.parent = viewer(one(`SELECT MIN(relative_id) FROM family_links WHERE student_id = ? AND legal_guardian`, sc.student))
	sc.other = viewer(one(`SELECT MIN(f.relative_id) FROM family_links f WHERE f.legal_guardian AND f.relative_id NOT IN
		(SELECT g.relative_id FROM family_links g JOIN enrolments e ON e.student_id = g.student_id WHERE e.class_id = ?)`, sc.class))
	sc.teacher = viewer(teacher)
	sc.otherTeacher = viewer(one(`SELECT MIN(a.teacher_id) FROM teaching_assignments a WHERE a.establishment_id = ? AND a.teacher_id NOT IN
		(SELECT b.teacher_id FROM teaching_assignments b WHERE b.class_id = ? OR b.group_id IN (SELECT group_id FROM group_classes WHERE class_id = ?))
		AND a.teacher_id NOT IN (SELECT teacher_id FROM head_teachers WHERE class_id = ?)`, sc.est, sc.class, sc.class, sc.class))
	sc.headTeacher = viewer(one(`SELECT MIN(teacher_id) FROM head_teachers WHERE class_id = ?`, sc.class))
	sc.head = viewer(one(`SELECT MIN(person_id) FROM functions WHERE establishment_id = ? AND function = 'head'`, sc.est))
	sc.headB = viewer(one(`SELECT MIN(person_id) FROM functions WHERE establishment_id = ? AND function = 'head'
		AND person_id NOT IN (SELECT person_id FROM functions WHERE establishment_id = ?)`, estB, sc.est))
	return sc
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func mean(xs []float64) float64 {
	s := 0.0
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}

func TestFamilySeesPublishedMarksWithStatistics(t *testing.T) {
	sc := newSchool(t)
	ctx := context.Background()
	for name, v := range map[string]*access.Viewer{"student": sc.me, "relative": sc.parent} {
		r, err := sc.s.StudentResults(ctx, v, sc.student, "")
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !r.Family || r.Period.ID != sc.period || len(r.Subjects) != 1 {
			t.Fatalf("%s: family %v, period %q, %d subjects", name, r.Family, r.Period.ID, len(r.Subjects))
		}
		sr := r.Subjects[0]
		if len(sr.Evaluations) != 2 || sr.Evaluations[0].ID != sc.e1 || sr.Evaluations[1].ID != sc.e2 {
			t.Fatalf("%s: evaluations %+v, want e1 and e2 only (e3 is not published)", name, sr.Evaluations)
		}
		if e := sr.Evaluations[0]; !e.Marked || e.Value != 12 || e.Scale != 20 || e.Coefficient != 2 {
			t.Errorf("%s: e1 %+v", name, e)
		}
		var v1 []float64
		for _, x := range sc.values1 {
			v1 = append(v1, x)
		}
		st := sr.Evaluations[0].Class
		// The defaults show the mean, min and max, not the median; abs is
		// left out of the statistics.
		if st.Count != len(sc.students)-1 || math.Abs(st.Mean-mean(v1)) > 0.005 || st.Median != 0 || !st.ShowMean || st.ShowMedian {
			t.Errorf("%s: e1 statistics %+v, want mean %.4f over %d", name, st, mean(v1), len(sc.students)-1)
		}
		// (12 × 2 + 16 × 1) ÷ 3 = 13,333… reported to the hundredth.
		if !sr.Average.Graded || !near(sr.Average.Rounded, 13.33) || !near(sr.Average.Value, 40.0/3) {
			t.Errorf("%s: average %+v, want 13,33", name, sr.Average)
		}
		if !near(r.Overall.Rounded, 13.33) {
			t.Errorf("%s: overall %v, want 13,33", name, r.Overall.Rounded)
		}
		if sr.Name == "" || len(sr.Teachers) == 0 {
			t.Errorf("%s: subject %q teachers %v", name, sr.Name, sr.Teachers)
		}
		if sr.Class.Count != len(sc.students) {
			t.Errorf("%s: subject statistics over %d students, want %d", name, sr.Class.Count, len(sc.students))
		}
	}
}

func TestStaffSeeUnpublishedEvaluations(t *testing.T) {
	sc := newSchool(t)
	ctx := context.Background()
	for name, v := range map[string]*access.Viewer{"head": sc.head, "head teacher": sc.headTeacher} {
		r, err := sc.s.StudentResults(ctx, v, sc.student, sc.period)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		sr := r.Subjects[0]
		if r.Family || len(sr.Evaluations) != 3 || sr.Evaluations[2].Published {
			t.Fatalf("%s: %d evaluations, family %v", name, len(sr.Evaluations), r.Family)
		}
		// (24 + 16 + 4) ÷ 4 = 11.
		if !near(sr.Average.Rounded, 11) || !sr.Evaluations[0].Class.ShowMedian || sr.Evaluations[0].Class.Median == 0 {
			t.Errorf("%s: average %v, e1 statistics %+v", name, sr.Average.Rounded, sr.Evaluations[0].Class)
		}
	}
	// The year: the mean of the period averages (one period here).
	r, err := sc.s.StudentResults(ctx, sc.parent, sc.student, grades.YearPeriod)
	if err != nil || !r.Year || !near(r.Subjects[0].Average.Rounded, 13.33) {
		t.Fatalf("year: %v %+v", err, r)
	}
}

func TestStatisticsAsTheEstablishmentChose(t *testing.T) {
	sc := newSchool(t)
	ctx := context.Background()
	if _, err := sc.d.Exec(ctx, `INSERT INTO gr_settings (establishment_id, show_mean, show_min_max, show_median, rounding_x100)
		VALUES (?, FALSE, FALSE, TRUE, 10)`, sc.est); err != nil {
		t.Fatal(err)
	}
	r, err := sc.s.StudentResults(ctx, sc.parent, sc.student, "")
	if err != nil {
		t.Fatal(err)
	}
	st := r.Subjects[0].Evaluations[0].Class
	if st.Mean != 0 || st.Min != 0 || st.Max != 0 || st.Median == 0 || st.ShowMean || st.ShowMinMax || !st.ShowMedian {
		t.Errorf("family statistics %+v: the median only", st)
	}
	if sub := r.Subjects[0].Class; sub.Mean != 0 || sub.Max != 0 || sub.Median == 0 {
		t.Errorf("family subject statistics %+v: the median only", sub)
	}
	if !near(r.Subjects[0].Average.Rounded, 13.3) {
		t.Errorf("rounded to the tenth: %v", r.Subjects[0].Average.Rounded)
	}
	r, err = sc.s.StudentResults(ctx, sc.head, sc.student, "")
	if err != nil {
		t.Fatal(err)
	}
	if st := r.Subjects[0].Evaluations[0].Class; st.Mean == 0 || st.Max == 0 {
		t.Errorf("the head sees every statistic: %+v", st)
	}
}

func TestRefusals(t *testing.T) {
	sc := newSchool(t)
	ctx := context.Background()
	for name, c := range map[string]struct {
		v       *access.Viewer
		student string
	}{
		"another family":          {sc.other, sc.student},
		"a classmate":             {sc.mateV, sc.student},
		"the subject teacher":     {sc.teacher, sc.student}, // through the teaching only
		"another class's teacher": {sc.otherTeacher, sc.student},
		"another school's head":   {sc.headB, sc.student},
		"a forged id":             {sc.parent, "no-such-person"},
		"a teacher's id":          {sc.head, sc.teacher.ID},
	} {
		if _, err := sc.s.StudentResults(ctx, c.v, c.student, ""); !errors.Is(err, access.ErrDenied) {
			t.Errorf("%s: results %v, want a refusal", name, err)
		}
		if _, err := sc.s.Explain(ctx, c.v, c.student, sc.subject, ""); !errors.Is(err, access.ErrDenied) {
			t.Errorf("%s: explain %v, want a refusal", name, err)
		}
		if _, err := sc.s.Simulate(ctx, c.v, c.student, sc.subject, "", grades.Hypothesis{}); !errors.Is(err, access.ErrDenied) {
			t.Errorf("%s: simulate %v, want a refusal", name, err)
		}
	}
	// A forged period or subject on one's own results.
	if _, err := sc.s.StudentResults(ctx, sc.me, sc.student, "no-such-period"); !errors.Is(err, access.ErrDenied) {
		t.Errorf("forged period: %v", err)
	}
	if _, err := sc.s.Explain(ctx, sc.me, sc.student, "no-such-subject", ""); !errors.Is(err, access.ErrDenied) {
		t.Errorf("forged subject: %v", err)
	}
	for name, c := range map[string]struct {
		v        *access.Viewer
		teaching access.Resource
	}{
		"another class's teacher": {sc.otherTeacher, sc.teaching},
		"a student":               {sc.me, sc.teaching},
		"a relative":              {sc.parent, sc.teaching},
		"another school's head":   {sc.headB, sc.teaching},
		"a forged teaching":       {sc.teacher, access.Teaching(access.Class("nope"), sc.subject)},
		"a malformed teaching":    {sc.teacher, access.Resource{Kind: access.KindTeaching, ID: "class:x"}},
	} {
		if _, err := sc.s.ClassResults(ctx, c.v, c.teaching, ""); !errors.Is(err, access.ErrDenied) {
			t.Errorf("%s: class results %v, want a refusal", name, err)
		}
	}
	// Latest marks of another family's child: nothing.
	if ms, err := sc.s.LatestMarks(ctx, sc.other, sc.student, 5); err != nil || len(ms) != 0 {
		t.Errorf("another family's latest marks: %v %v", ms, err)
	}
}

func TestClassResults(t *testing.T) {
	sc := newSchool(t)
	ctx := context.Background()
	for name, v := range map[string]*access.Viewer{"teacher": sc.teacher, "head teacher": sc.headTeacher, "head": sc.head} {
		c, err := sc.s.ClassResults(ctx, v, sc.teaching, "")
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(c.Evaluations) != 3 || len(c.Students) != len(sc.students) {
			t.Fatalf("%s: %d evaluations, %d students", name, len(c.Evaluations), len(c.Students))
		}
		var v2 []float64
		for _, x := range sc.values2 {
			v2 = append(v2, x)
		}
		if st := c.Evaluations[1].Stats; math.Abs(st.Mean-mean(v2)) > 0.005 || st.Count != len(sc.students) {
			t.Errorf("%s: e2 statistics %+v, want mean %.4f", name, st, mean(v2))
		}
		for _, row := range c.Students {
			if row.ID == sc.student && (!near(row.Average.Rounded, 11) || row.Marks[0].Value != 12) {
				t.Errorf("%s: S's row %+v", name, row)
			}
			if row.ID == sc.mate && row.Marks[0].Code != "abs" {
				t.Errorf("%s: S2's e1 %+v", name, row.Marks[0])
			}
		}
	}
}

func TestLatestMarks(t *testing.T) {
	sc := newSchool(t)
	ms, err := sc.s.LatestMarks(context.Background(), sc.parent, sc.student, 5)
	if err != nil {
		t.Fatal(err)
	}
	// e2 (published today) then e1; e3 is not published.
	if len(ms) != 2 || ms[0].Evaluation != sc.e2 || ms[1].Evaluation != sc.e1 || ms[0].Value != 8 || ms[0].Scale != 10 {
		t.Fatalf("latest marks %+v", ms)
	}

	// A mark carries its evaluation's dates (migration 0030's triggers):
	// the teacher publishes e3 today and moves e1's publication later;
	// the list follows, e3 first (held after e2, published the same day).
	ctx := context.Background()
	sc.teacher.SetSecondFactor(true)
	move := func(id, publish string) {
		t.Helper()
		ed, err := sc.s.EditEvaluation(ctx, sc.teacher, id)
		if err != nil {
			t.Fatal(err)
		}
		in := grades.InputOf("fr", ed.Evaluation)
		in.PublishOn = publish
		if err := sc.s.UpdateEvaluation(ctx, sc.teacher, id, in); err != nil {
			t.Fatalf("moving %s to %s: %v", id, publish, err)
		}
	}
	move(sc.e3, "2026-12-07")
	move(sc.e1, "2026-12-20")
	ms, err = sc.s.LatestMarks(ctx, sc.parent, sc.student, 5)
	if err != nil || len(ms) != 2 || ms[0].Evaluation != sc.e3 || ms[1].Evaluation != sc.e2 || ms[0].Value != 4 {
		t.Fatalf("latest marks after the dates moved: %+v %v", ms, err)
	}
	// A mark entered after the move takes the evaluation's new dates.
	if _, err := sc.d.Exec(ctx, `DELETE FROM gr_marks WHERE evaluation_id = ? AND student_id = ?`, sc.e3, sc.student); err != nil {
		t.Fatal(err)
	}
	if _, err := sc.s.SaveMarks(ctx, sc.teacher, sc.e3, map[string]string{sc.student: "15"}); err != nil {
		t.Fatal(err)
	}
	var publish, held string
	if err := sc.d.QueryRow(ctx, `SELECT publish_on, held_on FROM gr_marks WHERE evaluation_id = ? AND student_id = ?`, sc.e3, sc.student).Scan(&publish, &held); err != nil ||
		publish != "2026-12-07" || held != "2026-12-04" {
		t.Fatalf("a new mark's dates %q %q (%v), want its evaluation's", publish, held, err)
	}
}

// counts counts every gr_ table's rows, and the notices.
func counts(t *testing.T, d *db.DB) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, tb := range []string{"gr_settings", "gr_periods", "gr_subject_coefficients", "gr_sub_subjects", "gr_evaluations", "gr_marks",
		"gr_drafts", "gr_appraisals", "gr_mark_notices", "gr_history", "notifications", "audit_events"} {
		var n int
		if err := d.QueryRow(context.Background(), `SELECT COUNT(*) FROM `+tb).Scan(&n); err != nil {
			t.Fatalf("%s: %v", tb, err)
		}
		out[tb] = n
	}
	return out
}

func TestWhatIfWritesNothing(t *testing.T) {
	sc := newSchool(t)
	ctx := context.Background()
	before := counts(t, sc.d)
	// e1 becomes 18 instead of 12, and a hypothetical 20/20 coef 1:
	// (36 + 16 + 20) ÷ 4 = 18.
	sim, err := sc.s.Simulate(ctx, sc.parent, sc.student, sc.subject, "", grades.Hypothesis{
		Changed: map[string]string{sc.e1: "18"}, Added: []grades.Added{{Value: "20", Scale: "20", Coefficient: "1"}, {}}})
	if err != nil {
		t.Fatal(err)
	}
	if !near(sim.Subject.Average.Rounded, 18) || !sim.Subject.Average.Hypothetical || !near(sim.Real.Rounded, 13.33) || !near(sim.Overall.Rounded, 18) {
		t.Errorf("simulated %v (hypothetical %v), real %v, overall %v", sim.Subject.Average.Rounded, sim.Subject.Average.Hypothetical,
			sim.Real.Rounded, sim.Overall.Rounded)
	}
	if n := len(sim.Subject.Evaluations); n != 3 || !sim.Subject.Evaluations[0].Hypothetical || sim.Subject.Evaluations[1].Hypothetical ||
		!sim.Subject.Evaluations[2].Hypothetical {
		t.Errorf("simulated rows %+v", sim.Subject.Evaluations)
	}
	// The unpublished e3 cannot be simulated by a family: it is not in
	// their results, so a change on it is ignored.
	if _, err := sc.s.Simulate(ctx, sc.parent, sc.student, sc.subject, "", grades.Hypothesis{Changed: map[string]string{sc.e3: "1"}}); err != nil {
		t.Errorf("change on a hidden evaluation: %v", err)
	}
	// Bad input names each field.
	_, err = sc.s.Simulate(ctx, sc.me, sc.student, sc.subject, "", grades.Hypothesis{Changed: map[string]string{sc.e1: "25"},
		Added: []grades.Added{{Value: "x"}, {Value: "5", Scale: "0"}, {Value: "5", Coefficient: "-1"}}})
	ps, ok := check.As(err)
	if !ok {
		t.Fatalf("bad input: %v", err)
	}
	want := map[string]string{"mark-" + sc.e1: "above", "value-1": "code", "scale-2": "scale", "coef-3": "coefficient"}
	got := map[string]string{}
	for _, p := range ps {
		got[p.Field] = p.Code
	}
	for f, c := range want {
		if got[f] != c {
			t.Errorf("field %s: %q, want %q (all: %v)", f, got[f], c, got)
		}
	}
	after := counts(t, sc.d)
	for tb, n := range before {
		if after[tb] != n {
			t.Errorf("%s: %d rows before the simulation, %d after", tb, n, after[tb])
		}
	}
	// The real results are unchanged.
	r, err := sc.s.StudentResults(ctx, sc.parent, sc.student, "")
	if err != nil || !near(r.Subjects[0].Average.Rounded, 13.33) {
		t.Errorf("after: %v %v", err, r.Subjects[0].Average.Rounded)
	}
}

func TestNewMarkNotices(t *testing.T) {
	sc := newSchool(t)
	ctx := context.Background()
	sys := access.System("test")
	// S and their guardian opt in today; another family too; S2 does not.
	for _, v := range []*access.Viewer{sc.me, sc.parent, sc.other} {
		if err := sc.s.SetMarkNotices(ctx, v, true); err != nil {
			t.Fatal(err)
		}
	}
	if err := sc.s.SetMarkNotices(ctx, sc.teacher, true); !errors.Is(err, access.ErrDenied) {
		t.Errorf("a teacher's opt-in: %v", err)
	}
	if on, err := sc.s.MarkNotices(ctx, sc.parent); err != nil || !on {
		t.Errorf("parent's opt-in: %v %v", on, err)
	}
	notices := func(who string) int {
		var n int
		if err := sc.d.QueryRow(ctx, `SELECT COUNT(*) FROM notifications WHERE recipient_id = ? AND kind = 'marks'`, who).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	// Today: e2 is published today (e1 was before the opt-in, e3 later).
	n, err := grades.AnnounceMarks(ctx, sys, sc.d, resultsDay)
	if err != nil || n != 2 {
		t.Fatalf("announced %d (%v), want 2: S and their guardian, e2", n, err)
	}
	if n, err := grades.AnnounceMarks(ctx, sys, sc.d, resultsDay.Add(5*time.Minute)); err != nil || n != 0 {
		t.Fatalf("a second round announced %d (%v): once per person and evaluation", n, err)
	}
	if notices(sc.student) != 1 || notices(sc.parent.ID) != 1 || notices(sc.other.ID) != 0 || notices(sc.mate) != 0 {
		t.Errorf("notices: S %d, parent %d, other family %d, S2 (not opted in) %d", notices(sc.student), notices(sc.parent.ID),
			notices(sc.other.ID), notices(sc.mate))
	}
	var key, link string
	if err := sc.d.QueryRow(ctx, `SELECT dedupe_key, link FROM notifications WHERE recipient_id = ?`, sc.parent.ID).Scan(&key, &link); err != nil {
		t.Fatal(err)
	}
	if key != "marks/"+sc.e2+"/"+sc.student || link != "/grades/subject/"+sc.subject+"?period="+sc.period+"&child="+sc.student {
		t.Errorf("key %q link %q", key, link)
	}
	// A mark entered after the opt-in on an evaluation published before
	// it is told too: S2 opts in, then gets a late mark on e1.
	if err := sc.s.SetMarkNotices(ctx, sc.mateV, true); err != nil {
		t.Fatal(err)
	}
	if n, err := grades.AnnounceMarks(ctx, sys, sc.d, resultsDay.Add(10*time.Minute)); err != nil || n != 1 {
		t.Fatalf("S2's opt-in announced %d (%v): e2 (published today) only", n, err)
	}
	if _, err := sc.d.Exec(ctx, `UPDATE gr_marks SET special = '', value_x100 = 1500, updated_at = ? WHERE evaluation_id = ? AND student_id = ?`,
		resultsDay.Add(time.Hour).Unix(), sc.e1, sc.mate); err != nil {
		t.Fatal(err)
	}
	if n, err := grades.AnnounceMarks(ctx, sys, sc.d, resultsDay.Add(2*time.Hour)); err != nil || n != 1 || notices(sc.mate) != 2 {
		t.Fatalf("S2's late mark announced %d (%v)", n, err)
	}
	// e3's publication day.
	n, err = grades.AnnounceMarks(ctx, sys, sc.d, time.Date(2027, 1, 10, 8, 0, 0, 0, i18n.Zone))
	if err != nil || n != 3 {
		t.Fatalf("e3 announced %d (%v), want 3: S, their guardian and S2", n, err)
	}
	// Opting out stops them.
	if err := sc.s.SetMarkNotices(ctx, sc.parent, false); err != nil {
		t.Fatal(err)
	}
	if on, _ := sc.s.MarkNotices(ctx, sc.parent); on {
		t.Error("still opted in")
	}
}
