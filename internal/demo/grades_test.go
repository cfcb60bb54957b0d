package demo

import (
	"slices"
	"testing"

	"cartable/internal/dbtest"
)

func TestDemoGradesDeterministicAndVaried(t *testing.T) {
	a, b := dbtest.Open(t), dbtest.Open(t)
	genWithTimetable(t, a, 150, "2026-11-30")
	genWithTimetable(t, b, 150, "2026-11-30")
	queries := []string{
		`SELECT id || COALESCE(class_id, '') || COALESCE(group_id, '') || subject_id || COALESCE(sub_subject_id, '') || title || held_on || scale_x100 || coef_x100 || to20 || formative || bonus || optional FROM gr_evaluations ORDER BY 1`,
		`SELECT evaluation_id || student_id || COALESCE(value_x100, -1) || special || updated_by FROM gr_marks ORDER BY 1`,
		`SELECT period_id || student_id || subject_id || body FROM gr_appraisals ORDER BY 1`,
		`SELECT period_id || entry_deadline || council_on FROM gr_periods ORDER BY 1`,
	}
	for _, q := range queries {
		x, y := strs(t, a, q), strs(t, b, q)
		if len(x) == 0 || !slices.Equal(x, y) {
			t.Errorf("%s: %d rows, then %d, or different", q[:40], len(x), len(y))
		}
	}
	// Every teaching of the collège has 3 to 6 evaluations in trimester 1.
	if n := count(t, a, `SELECT COUNT(*) FROM (SELECT DISTINCT a.class_id, a.group_id, a.subject_id FROM teaching_assignments a
		JOIN establishments e ON e.id = a.establishment_id WHERE e.uai = ?) x
		WHERE (SELECT COUNT(*) FROM gr_evaluations g WHERE g.subject_id = x.subject_id
			AND (g.class_id = x.class_id OR g.group_id = x.group_id)) NOT BETWEEN 3 AND 6`, MainUAI); n != 0 {
		t.Errorf("%d teachings without 3 to 6 evaluations", n)
	}
	for _, code := range []string{"abs", "disp", "nn", "inap", "nr", "abs0", "nr0", "felic"} {
		if n := count(t, a, `SELECT COUNT(*) FROM gr_marks WHERE special = ?`, code); n == 0 {
			t.Errorf("no %s mark", code)
		}
	}
	for _, q := range []string{
		`SELECT COUNT(*) FROM gr_evaluations WHERE formative`,
		`SELECT COUNT(*) FROM gr_evaluations WHERE bonus`,
		`SELECT COUNT(*) FROM gr_evaluations WHERE optional`,
		`SELECT COUNT(*) FROM gr_evaluations WHERE sub_subject_id IS NOT NULL`,
		`SELECT COUNT(*) FROM gr_evaluations WHERE scale_x100 = 4000`,
		`SELECT COUNT(*) FROM gr_evaluations WHERE coef_x100 = 50`,
		`SELECT COUNT(*) FROM gr_periods WHERE entry_deadline <> ''`,
	} {
		if count(t, a, q) == 0 {
			t.Errorf("none: %s", q)
		}
	}
	// Every student of a class has a mark in each of its evaluations.
	if n := count(t, a, `SELECT COUNT(*) FROM gr_evaluations g JOIN enrolments en ON en.class_id = g.class_id
		JOIN people p ON p.id = en.student_id AND p.active
		WHERE NOT EXISTS (SELECT 1 FROM gr_marks m WHERE m.evaluation_id = g.id AND m.student_id = en.student_id)`); n != 0 {
		t.Errorf("%d missing marks", n)
	}
	if n := count(t, a, `SELECT COUNT(*) FROM gr_marks WHERE value_x100 > (SELECT scale_x100 FROM gr_evaluations g WHERE g.id = evaluation_id)`); n != 0 {
		t.Errorf("%d marks above their scale", n)
	}
}
