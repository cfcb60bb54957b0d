package demo

import (
	"slices"
	"testing"

	"cartable/internal/dbtest"
)

// The demo tells a couple of lesson changes and one homework, the same
// for a seed and a day (identifiers, recipients, arguments), and
// leaves the other change events to the server.
func TestDemoLearningNoticesDeterministic(t *testing.T) {
	a, b := dbtest.Open(t), dbtest.Open(t)
	genWithTimetable(t, a, 150, "2026-11-30")
	genWithTimetable(t, b, 150, "2026-11-30")
	// (A homework's key holds its ID, which the class log mints.)
	q := `SELECT id || '|' || recipient_id || '|' || kind || '|' || CASE WHEN kind LIKE 'lesson-%' THEN dedupe_key ELSE '' END
		|| '|' || args FROM notifications
		WHERE kind LIKE 'lesson-%' OR kind LIKE 'homework%' ORDER BY id`
	got := strs(t, a, q)
	if other := strs(t, b, q); !slices.Equal(got, other) {
		for i := range min(len(got), len(other)) {
			if got[i] != other[i] {
				t.Logf("%s\n%s", got[i], other[i])
				break
			}
		}
		t.Fatalf("the same seed and day gave two different notices (%d, %d)", len(got), len(other))
	}
	for what, q := range map[string]string{
		"lesson-change notices":     `SELECT COUNT(*) FROM notifications WHERE kind LIKE 'lesson-%'`,
		"homework notices":          `SELECT COUNT(*) FROM notifications WHERE kind = 'homework'`,
		"events left to the server": `SELECT COUNT(*) FROM notification_outbox WHERE delivered_at IS NULL`,
		"events told":               `SELECT COUNT(*) FROM notification_outbox WHERE delivered_at IS NOT NULL`,
	} {
		if count(t, a, q) == 0 {
			t.Errorf("no demo %s", what)
		}
	}
	if n := count(t, a, `SELECT COUNT(*) FROM notification_outbox WHERE delivered_at IS NOT NULL`); n != demoChangeEvents {
		t.Errorf("%d events told, want %d", n, demoChangeEvents)
	}
	if n := count(t, a, `SELECT COUNT(DISTINCT dedupe_key) FROM notifications WHERE kind = 'homework'`); n != demoHomeworkTold {
		t.Errorf("%d homework told, want %d", n, demoHomeworkTold)
	}
}
