package discipline_test

import (
	"context"
	"errors"
	"testing"

	"cartable/internal/access"
	"cartable/internal/db"
	"cartable/internal/dbtest"
	"cartable/internal/demo"
	"cartable/internal/directory"
	"cartable/internal/discipline"
)

// The demo's incident counts once for its author; a teacher may not count.
func TestIncidentCounts(t *testing.T) {
	ctx := context.Background()
	d := dbtest.Open(t)
	sys := access.System("test")
	var accounts []demo.Account
	err := d.Tx(ctx, func(tx *db.Tx) (err error) {
		if accounts, err = demo.Generate(ctx, sys, tx, demo.Options{Seed: 1, Students: 60}); err != nil {
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
	counts, err := discipline.IncidentCounts(ctx, sys, d, est.ID, "2026-09-01")
	if err != nil || len(counts) != 1 {
		t.Fatalf("counts: %v, %v", counts, err)
	}
	for _, n := range counts {
		if n != 1 {
			t.Errorf("the author has %d incidents", n)
		}
	}
	if later, _ := discipline.IncidentCounts(ctx, sys, d, est.ID, "2026-12-01"); len(later) != 0 {
		t.Errorf("counts since after the incident: %v", later)
	}
	for _, a := range accounts {
		if a.Profile != "teacher" {
			continue
		}
		ps, _ := directory.PeopleByLogins(ctx, sys, d, []string{a.Login})
		v, err := access.New(d).Viewer(ctx, ps[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := discipline.IncidentCounts(ctx, v, d, est.ID, "2026-09-01"); !errors.Is(err, access.ErrDenied) {
			t.Errorf("a teacher counts incidents: %v", err)
		}
		break
	}
}
