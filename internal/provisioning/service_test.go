package provisioning_test

import (
	"errors"
	"testing"
	"time"

	"cartable/internal/access"
	"cartable/internal/dbtest"
	"cartable/internal/provisioning"
)

// Every function of the service asks the policy for its viewer: the head
// of the collège (H1) reaches the collège only, its CPE (C1) and its
// students nothing; what they may not reach is refused as what does not
// exist, and a refusal changes nothing. The system reaches everything.
func TestServiceAsksThePolicy(t *testing.T) {
	d := dbtest.Open(t)
	importAAF(t, d, completeDir, provisioning.Options{})
	a := column(t, d, `SELECT id FROM establishments WHERE uai = '0750001A'`)[0]
	b := column(t, d, `SELECT id FROM establishments WHERE uai = '0750002B'`)[0]
	head, cpe, pupil := viewer(t, d, "H1"), viewer(t, d, "C1"), viewer(t, d, "S1")
	s4 := person(t, d, "S4") // a student of the lycée
	// An import that concerned the lycée only.
	if _, err := d.Exec(ctx, `INSERT INTO import_runs (id, at, actor_id, source, mode, delivery_date, outcome, summary)
		VALUES ('lycee-run', 1, '', 'sts', 'complete', '', 'applied', '{}')`); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Exec(ctx, `INSERT INTO import_run_establishments (run_id, establishment_id) VALUES ('lycee-run', ?)`, b); err != nil {
		t.Fatal(err)
	}
	if err := provisioning.Deactivate(ctx, system, d, s4.ID, day0); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, d)
	now := day0.Add(200 * 24 * time.Hour)

	// Who may provision nothing is refused everything, first of all the
	// upload.
	for _, v := range []*access.Viewer{cpe, pupil, nil} {
		if err := provisioning.MayImport(ctx, v); !errors.Is(err, access.ErrDenied) {
			t.Errorf("MayImport: %v", err)
		}
		if _, _, err := provisioning.Establishments(ctx, v, d); !errors.Is(err, access.ErrDenied) {
			t.Errorf("Establishments: %v", err)
		}
		if _, err := provisioning.Import(ctx, v, d, read(t, provisioning.AAF, completeDir), provisioning.Options{Now: at(day0)}); !errors.Is(err, access.ErrDenied) {
			t.Errorf("Import: %v", err)
		}
		if err := provisioning.SaveUpload(ctx, v, d, &provisioning.Upload{Source: provisioning.AAF}, nil); !errors.Is(err, access.ErrDenied) {
			t.Errorf("SaveUpload: %v", err)
		}
	}

	// The head: the collège, its history, nothing of the lycée's.
	ests, operator, err := provisioning.Establishments(ctx, head, d)
	if err != nil || operator || len(ests) != 1 || ests[0].ID != a {
		t.Fatalf("the head's establishments: %v %v %v", ests, operator, err)
	}
	runs, err := provisioning.Runs(ctx, head, d, 10)
	if err != nil || len(runs) != 1 || runs[0].ID == "lycee-run" || !runs[0].Actor.System {
		t.Fatalf("the head's history: %+v %v", runs, err)
	}
	if _, err := provisioning.RunByID(ctx, head, d, runs[0].ID); err != nil {
		t.Errorf("the head reads the collège's import: %v", err)
	}
	refusedAlike := func(what string, forbidden, missing error) {
		t.Helper()
		var f, m *access.Denied
		if !errors.As(forbidden, &f) || !errors.As(missing, &m) || f.Action != m.Action || f.Resource.Kind != m.Resource.Kind {
			t.Errorf("%s: forbidden %v, missing %v", what, forbidden, missing)
		}
	}
	_, forbidden := provisioning.RunByID(ctx, head, d, "lycee-run")
	_, missing := provisioning.RunByID(ctx, head, d, "nothing")
	refusedAlike("an import", forbidden, missing)
	_, forbidden = provisioning.Establishment(ctx, head, d, b)
	_, missing = provisioning.Establishment(ctx, head, d, "nothing")
	refusedAlike("an establishment", forbidden, missing)
	_, forbidden = provisioning.PlanRollover(ctx, head, d, b, "2027-2028")
	_, missing = provisioning.PlanRollover(ctx, head, d, "nothing", "2027-2028")
	refusedAlike("a rollover", forbidden, missing)
	_, forbidden = provisioning.LoadUpload(ctx, head, d, "nothing", now)
	_, missing = provisioning.LoadUpload(ctx, cpe, d, "nothing", now)
	refusedAlike("an upload", forbidden, missing)

	for name, call := range map[string]func() error{
		"the lycée's closed accounts": func() error { _, err := provisioning.ClosedAccounts(ctx, head, d, b, 90*day); return err },
		"the instance's closed accounts": func() error {
			_, err := provisioning.ClosedAccounts(ctx, head, d, "", 90*day)
			return err
		},
		"the lycée's rollover":      func() error { _, err := provisioning.Rollover(ctx, head, d, b, "2027-2028", now); return err },
		"the lycée's next year":     func() error { _, err := provisioning.NextYear(ctx, head, d, b, now); return err },
		"reopening a lycée student": func() error { return provisioning.Reactivate(ctx, head, d, a, s4.ID, now) },
		"reopening from the lycée's page": func() error {
			return provisioning.Reactivate(ctx, head, d, b, s4.ID, now)
		},
		"a lycée student's choice": func() error { return provisioning.RecordChoice(ctx, head, d, a, s4.ID, true, now) },
		"closing a lycée student":  func() error { _, err := provisioning.Close(ctx, head, d, s4.ID, b, now); return err },
		"closing them from here":   func() error { _, err := provisioning.Close(ctx, head, d, s4.ID, a, now); return err },
		"closing oneself": func() error {
			_, err := provisioning.CloseByLogin(ctx, head, d, provisioning.CloseForm{Establishment: a, Login: person(t, d, "H1").Login}, now)
			return err
		},
		"deactivating a lycée student": func() error { return provisioning.Deactivate(ctx, head, d, s4.ID, now) },
		"the purge": func() error {
			_, err := provisioning.Purge(ctx, head, d, provisioning.PurgeOptions{Now: now, DelayDays: 90})
			return err
		},
		"the last purge": func() error { _, err := provisioning.LastPurge(ctx, head, d); return err },
		"the purges":     func() error { _, err := provisioning.PurgeRuns(ctx, head, d, 5); return err },
		"the whole feed": func() error {
			_, err := provisioning.Import(ctx, head, d, read(t, provisioning.AAF, completeDir), provisioning.Options{DryRun: true, Now: at(day0)})
			return err
		},
	} {
		if err := call(); !errors.Is(err, access.ErrDenied) {
			t.Errorf("the head: %s: %v", name, err)
		}
	}
	var own *access.Denied
	if _, err := provisioning.CloseByLogin(ctx, head, d, provisioning.CloseForm{Establishment: a, Login: person(t, d, "H1").Login}, now); !errors.As(err, &own) ||
		!errors.Is(err, access.ErrOwnAccount) || own.Resource.Kind != access.KindMembership {
		t.Errorf("closing one's own account is explained: %v", err)
	}
	if snapshot(t, d) != before {
		t.Fatal("a refused call changed something")
	}

	// The system reaches the instance.
	list, err := provisioning.ClosedAccounts(ctx, system, d, "", 90*day)
	if err != nil || len(list.Accounts) != 1 || list.Accounts[0].Person.ID != s4.ID {
		t.Fatalf("the system's closed accounts: %+v %v", list, err)
	}
	if _, err := provisioning.Purge(ctx, system, d, provisioning.PurgeOptions{Now: now, DelayDays: 90}); err != nil {
		t.Fatal(err)
	}
	if runs, err := provisioning.PurgeRuns(ctx, system, d, 5); err != nil || len(runs) != 1 || runs[0].ActorID != "" {
		t.Fatalf("purges: %+v %v", runs, err)
	}
}
