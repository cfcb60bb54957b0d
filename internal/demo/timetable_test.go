package demo

import (
	"context"
	"testing"
	"time"

	"cartable/internal/db"
	"cartable/internal/dbtest"
)

func genWithTimetable(t testing.TB, d *db.DB, students int, today string) {
	t.Helper()
	ctx := context.Background()
	err := d.Tx(ctx, func(tx *db.Tx) error {
		if _, err := Generate(ctx, tx, Options{Seed: 1, Students: students}); err != nil {
			return err
		}
		return GenerateTimetable(ctx, tx, TimetableOptions{Seed: 1, Today: today})
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestTimetableDemo(t *testing.T) {
	d := dbtest.Open(t)
	start := time.Now()
	genWithTimetable(t, d, 600, "2026-11-30")
	t.Logf("generated in %s", time.Since(start))
	for _, q := range []string{"tt_slots", "tt_changes", "classlog_entries", "homework", "tt_rooms", "notification_outbox"} {
		t.Logf("%s: %d", q, count(t, d, "SELECT COUNT(*) FROM "+q))
	}
}
