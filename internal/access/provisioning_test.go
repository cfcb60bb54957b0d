package access_test

import (
	"context"
	"testing"

	"cartable/internal/access"
	"cartable/internal/dbtest"
)

// TestProvisionOnFixture walks every viewer of the fixture against every
// establishment, the instance and every person, for Provision.
func TestProvisionOnFixture(t *testing.T) {
	ctx := context.Background()
	d := dbtest.Open(t)
	f := buildFixture(t, d)
	p := access.New(d)
	o := loadOracle(t, d)

	// Who may provision which establishment: the operator attached to it,
	// its head and its secretary. Not the deputy, the CPE, the
	// documentalist, a teacher, a student, a parent, nor hB, who holds a
	// head function in A without being attached to A.
	estRights := map[string]string{"admA": "A", "hA": "A", "secA": "A", "hB": "B"}
	attached := map[string]map[string]bool{} // login → establishments
	logins := map[string]string{}            // ID → login
	for login, id := range f.people {
		logins[id] = login
		attached[login] = map[string]bool{}
	}
	rows, err := d.Query(ctx, `SELECT person_id, establishment_id FROM memberships`)
	if err != nil {
		t.Fatal(err)
	}
	estKey := map[string]string{f.ests["A"]: "A", f.ests["B"]: "B"}
	for rows.Next() {
		var pid, eid string
		if err := rows.Scan(&pid, &eid); err != nil {
			t.Fatal(err)
		}
		attached[logins[pid]][estKey[eid]] = true
	}
	rows.Close()

	for _, login := range sortedKeys(f.people) {
		if login == "sOff" {
			continue // no viewer for a deactivated account
		}
		v, err := p.Viewer(ctx, f.people[login])
		if err != nil {
			t.Fatal(err)
		}
		for _, key := range sortedKeys(f.ests) {
			checkAnswer(t, p.Can(ctx, v, access.Provision, access.Establishment(f.ests[key])), estRights[login] == key, login+" provision establishment "+key)
		}
		checkAnswer(t, p.Can(ctx, v, access.Provision, access.Instance()), login == "admA", login+" provision instance")
		// On a person: the whole account, so the right on every
		// establishment they are attached to, above their privilege level
		// (the oracle, checked by hand in TestAccountMatrixOnFixture).
		for _, target := range sortedKeys(f.people) {
			want := o.allowProvisionPerson(f.people[login], f.people[target])
			if want && (!attached[target][estRights[login]] || target == login) {
				t.Fatalf("oracle: %s provision %s outside the establishment where they hold the right", login, target)
			}
			checkAnswer(t, p.Can(ctx, v, access.Provision, access.Person(f.people[target])), want, login+" provision "+target)
		}
		checkAnswer(t, p.Can(ctx, v, access.Provision, access.Person("no-such-person")), false, login+" provision unknown person")
		checkAnswer(t, p.Can(ctx, v, access.Provision, access.Establishment("no-such-establishment")), false, login+" provision unknown establishment")
		for _, r := range f.structs {
			checkAnswer(t, p.Can(ctx, v, access.Provision, r), false, login+" provision a class or group")
		}
	}
}

// TestProvisionRefusals names the refusals that matter most.
func TestProvisionRefusals(t *testing.T) {
	ctx := context.Background()
	d := dbtest.Open(t)
	f := buildFixture(t, d)
	p := access.New(d)
	for _, c := range []struct {
		why, viewer string
		r           access.Resource
	}{
		{"a deputy importing for their establishment", "depA", access.Establishment(f.ests["A"])},
		{"a CPE closing a student's account", "cA", access.Person(f.people["s1"])},
		{"a teacher closing a student's account", "t1", access.Person(f.people["s1"])},
		{"a parent closing their child's account", "p1", access.Person(f.people["s1"])},
		{"a head closing the account of another establishment's student", "hA", access.Person(f.people["s5"])},
		{"a head closing the operator's account", "hA", access.Person(f.people["admA"])},
		{"a head closing their own account", "hA", access.Person(f.people["hA"])},
		{"a head reopening the whole account of a parent also attached to B", "hA", access.Person(f.people["p1"])},
		{"a head reopening the whole account of a teacher also attached to B", "hA", access.Person(f.people["t2"])},
		{"a secretary closing the head's account", "secA", access.Person(f.people["hA"])},
		{"a secretary closing the CPE's account (same level)", "secA", access.Person(f.people["cA"])},
		{"a secretary closing the head's attachment", "secA", access.Membership(f.people["hA"], f.ests["A"])},
		{"a head closing a parent's attachment to B", "hA", access.Membership(f.people["p1"], f.ests["B"])},
		{"a head bringing new establishments in", "hA", access.Instance()},
		{"an operator importing for an establishment they are not attached to", "admA", access.Establishment(f.ests["B"])},
		{"a head with a function row where they are not attached", "hB", access.Establishment(f.ests["A"])},
		{"staff with no function", "agA", access.Establishment(f.ests["A"])},
	} {
		v, err := p.Viewer(ctx, f.people[c.viewer])
		if err != nil {
			t.Fatal(err)
		}
		checkAnswer(t, p.Can(ctx, v, access.Provision, c.r), false, c.why)
	}
	// A deactivated student stays within reach of the head (to reopen).
	v, _ := p.Viewer(ctx, f.people["hA"])
	checkAnswer(t, p.Can(ctx, v, access.Provision, access.Person(f.people["sOff"])), true, "head on a deactivated student")
}
