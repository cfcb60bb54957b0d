package demo

import (
	"slices"
	"testing"

	"cartable/internal/dbtest"
)

func TestDemoDisciplineDeterministicAndTrue(t *testing.T) {
	a, b := dbtest.Open(t), dbtest.Open(t)
	genWithTimetable(t, a, 150, "2026-11-30")
	genWithTimetable(t, b, 150, "2026-11-30")
	queries := []string{
		`SELECT id || student_id || kind || given_on || reason || work || due_on || on_date || outcome || COALESCE(slot_id, '') || lesson_date || COALESCE(author_id, '') || COALESCE(incident_id, '') FROM dis_punishments ORDER BY 1`,
		`SELECT id || student_id || kind || decided_on || days || suspension || suspended_until || removal_on || COALESCE(decided_by, '') FROM dis_sanctions ORDER BY 1`,
		`SELECT id || occurred_on || occurred_min || place || kind || seriousness FROM dis_incidents ORDER BY 1`,
		`SELECT incident_id || student_id || role FROM dis_protagonists ORDER BY 1`,
		`SELECT subject || actor || before_state || after_state FROM dis_history ORDER BY 1`,
	}
	for _, q := range queries {
		x, y := strs(t, a, q), strs(t, b, q)
		if len(x) == 0 || !slices.Equal(x, y) {
			t.Errorf("%s: %d rows, then %d, or different", q[:40], len(x), len(y))
		}
	}
	for q, want := range map[string]int{
		`SELECT COUNT(*) FROM dis_punishments WHERE kind = 'detention' AND outcome = 'done'`:                                      1,
		`SELECT COUNT(*) FROM dis_punishments WHERE kind = 'detention' AND outcome = 'not-done'`:                                  1,
		`SELECT COUNT(*) FROM dis_punishments WHERE kind = 'extra-work'`:                                                          1,
		`SELECT COUNT(*) FROM dis_punishments WHERE kind = 'lesson-exclusion' AND report <> ''`:                                   1,
		`SELECT COUNT(*) FROM dis_punishments WHERE incident_id IS NOT NULL`:                                                      1,
		`SELECT COUNT(*) FROM dis_incidents WHERE processed`:                                                                      1,
		`SELECT COUNT(*) FROM dis_protagonists`:                                                                                   3,
		`SELECT COUNT(*) FROM dis_sanctions WHERE suspension = 'total' AND incident_id IS NOT NULL AND removal_on = '2027-11-25'`: 1,
		`SELECT COUNT(*) FROM dis_history WHERE before_state <> ''`:                                                               1,
	} {
		if n := count(t, a, q); n != want {
			t.Errorf("%s: %d, want %d", q, n, want)
		}
	}
	if n := count(t, a, `SELECT COUNT(*) FROM notifications WHERE kind IN ('punishment', 'sanction')`); n == 0 {
		t.Error("no family told")
	}
	// The exclusion's report goes to the head and the two CPEs.
	if n := count(t, a, `SELECT COUNT(*) FROM notifications WHERE kind = 'exclusion-report'`); n != 3 {
		t.Errorf("the exclusion's report told to %d people", n)
	}
}
