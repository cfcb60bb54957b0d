package demo

import (
	"slices"
	"testing"

	"cartable/internal/dbtest"
)

// TestSchoolLifeDemo: the collège's school life is the same for the same
// seed and day, and shows something of each kind: absences over several
// days, confidential reasons, every state, a trip, exemptions, its own
// reasons beside the defaults, each absence in the history.
func TestSchoolLifeDemo(t *testing.T) {
	a, b := dbtest.Open(t), dbtest.Open(t)
	genWithTimetable(t, a, 150, "2026-11-30")
	genWithTimetable(t, b, 150, "2026-11-30")
	q := []string{
		`SELECT id || student_id || start_date || start_min || end_date || end_min || COALESCE(reason_id, '') || state || comment FROM att_absences ORDER BY id`,
		`SELECT id || label FROM att_reasons ORDER BY id`,
		`SELECT id || COALESCE(class_id, '') || start_date FROM att_collective ORDER BY id`,
		`SELECT id || student_id || weekdays FROM att_exemptions ORDER BY id`,
	}
	for _, s := range q {
		if !slices.Equal(strs(t, a, s), strs(t, b, s)) {
			t.Errorf("two different results for the same seed: %s", s)
		}
	}
	for what, query := range map[string]string{
		"absences":             `SELECT COUNT(*) FROM att_absences`,
		"over several days":    `SELECT COUNT(*) FROM att_absences WHERE end_date > start_date`,
		"confidential reasons": `SELECT COUNT(*) FROM att_absences a JOIN att_reasons r ON r.id = a.reason_id WHERE r.confidential`,
		"no reason":            `SELECT COUNT(*) FROM att_absences WHERE state = 'no-reason'`,
		"justified":            `SELECT COUNT(*) FROM att_absences WHERE state = 'justified'`,
		"not accepted":         `SELECT COUNT(*) FROM att_absences WHERE state = 'not-accepted'`,
		"trip":                 `SELECT COUNT(*) FROM att_collective`,
		"exemptions":           `SELECT COUNT(*) FROM att_exemptions`,
		"own reasons":          `SELECT COUNT(*) FROM att_reasons WHERE label = 'Compétition sportive (UNSS)'`,
	} {
		if n := count(t, a, query); n == 0 {
			t.Errorf("the demo has no %s", what)
		}
	}
	if n, h := count(t, a, `SELECT COUNT(*) FROM att_absences`), count(t, a, `SELECT COUNT(DISTINCT subject) FROM att_history WHERE subject LIKE 'absence:%'`); n != h {
		t.Errorf("%d absences, %d in the history", n, h)
	}
}
