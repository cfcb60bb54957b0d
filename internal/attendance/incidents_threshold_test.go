package attendance_test

import (
	"context"
	"testing"
	"time"

	"cartable/internal/access"
	"cartable/internal/attendance"
	"cartable/internal/db"
	"cartable/internal/dbtest"
	"cartable/internal/demo"
	"cartable/internal/directory"
)

// The incidents threshold raises a task for school life when a student
// was the author of that many incidents since the start of the year (the
// demo's term has one incident with one author), once.
func TestIncidentThreshold(t *testing.T) {
	ctx := context.Background()
	d := dbtest.Open(t)
	sys := access.System("test")
	err := d.Tx(ctx, func(tx *db.Tx) error {
		if _, err := demo.Generate(ctx, sys, tx, demo.Options{Seed: 1, Students: 60}); err != nil {
			return err
		}
		return demo.GenerateTimetable(ctx, sys, tx, demo.TimetableOptions{Seed: 1, Today: "2026-11-30"})
	})
	if err != nil {
		t.Fatal(err)
	}
	est, err := directory.EstablishmentByUAI(ctx, d, demo.MainUAI)
	if err != nil {
		t.Fatal(err)
	}
	s := &attendance.Service{DB: d, Policy: access.New(d), Now: func() time.Time { return time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC) }}
	tasks := func() int {
		var n int
		if err := d.QueryRow(ctx, `SELECT COUNT(*) FROM att_tasks WHERE establishment_id = ? AND kind = 'incidents'`, est.ID).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if _, err := d.Exec(ctx, `INSERT INTO att_settings (establishment_id, max_incidents) VALUES (?, 2)`, est.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RaiseThresholds(ctx, sys, est.ID); err != nil || tasks() != 0 {
		t.Fatalf("one incident, threshold 2: %d tasks, %v", tasks(), err)
	}
	if _, err := d.Exec(ctx, `UPDATE att_settings SET max_incidents = 1 WHERE establishment_id = ?`, est.ID); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := s.RaiseThresholds(ctx, sys, est.ID); err != nil || tasks() != 1 {
			t.Fatalf("one incident, threshold 1: %d tasks, %v", tasks(), err)
		}
	}
}
