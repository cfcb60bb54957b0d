package access

import (
	"context"
	"errors"
	"testing"

	"cartable/internal/db"
	"cartable/internal/dbtest"
	"cartable/internal/demo"
	"cartable/internal/directory"
)

// TestAccountAdministrationOnDemo checks manage-account and manage-security
// for viewers of every profile and function against every person, class and
// establishment of the demo, with the rule of doc.go written independently.
func TestAccountAdministrationOnDemo(t *testing.T) {
	ctx := context.Background()
	d := dbtest.Open(t)
	var accounts []demo.Account
	if err := d.Tx(ctx, func(tx *db.Tx) (err error) {
		accounts, err = demo.Generate(ctx, tx, demo.Options{Seed: 2, Students: 48})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	type facts struct {
		profile string
		est     map[string]bool
		fn      map[string][]string
	}
	people := map[string]*facts{}
	rows, err := d.Query(ctx, `SELECT p.id, p.profile, m.establishment_id FROM people p JOIN memberships m ON m.person_id = p.id`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id, profile, est string
		rows.Scan(&id, &profile, &est)
		if people[id] == nil {
			people[id] = &facts{profile: profile, est: map[string]bool{}, fn: map[string][]string{}}
		}
		people[id].est[est] = true
	}
	rows.Close()
	rows, _ = d.Query(ctx, `SELECT person_id, establishment_id, function FROM functions`)
	for rows.Next() {
		var id, est, fn string
		rows.Scan(&id, &est, &fn)
		people[id].fn[est] = append(people[id].fn[est], fn)
	}
	rows.Close()
	classes := map[string]string{}
	rows, _ = d.Query(ctx, `SELECT id, establishment_id FROM classes`)
	for rows.Next() {
		var id, est string
		rows.Scan(&id, &est)
		classes[id] = est
	}
	rows.Close()
	ests, _ := directory.AllEstablishments(ctx, d)

	allPowers := func(v *facts, e string) bool { // head, deputy or secretary, for staff and teachers
		if v.profile != directory.Staff && v.profile != directory.Teacher {
			return false
		}
		for _, f := range v.fn[e] {
			if f == directory.Head || f == directory.Deputy || f == directory.Secretary {
				return true
			}
		}
		return false
	}
	policyHead := func(v *facts, e string) bool {
		if v.profile != directory.Staff && v.profile != directory.Teacher {
			return false
		}
		for _, f := range v.fn[e] {
			if f == directory.Head || f == directory.Deputy {
				return true
			}
		}
		return false
	}

	// Viewers: one of each profile and of each function.
	picked := map[string]string{}
	for _, a := range accounts {
		key := a.Profile
		if len(a.Functions) > 0 {
			key = a.Functions[0]
		}
		if _, ok := picked[key]; !ok {
			ps, _ := directory.PeopleByLogins(ctx, d, []string{a.Login})
			picked[key] = ps[0].ID
		}
	}
	p := New(d)
	var allowed, denied int
	check := func(what string, got error, want bool) {
		t.Helper()
		if got != nil && !errors.Is(got, ErrDenied) {
			t.Fatalf("%s: %v", what, got)
		}
		if (got == nil) != want {
			t.Errorf("%s: allowed=%v, want %v", what, got == nil, want)
		}
		if want {
			allowed++
		} else {
			denied++
		}
	}
	for kind, vid := range picked {
		v, err := p.Viewer(ctx, vid)
		if err != nil {
			t.Fatal(err)
		}
		vf := people[vid]
		for tid, tf := range people {
			want := false
			for e := range tf.est {
				if vf.est[e] && tid != vid && (vf.profile == directory.Admin || (allPowers(vf, e) && tf.profile != directory.Admin)) {
					want = true
				}
			}
			check(kind+" manages person "+tf.profile, p.Can(ctx, v, ManageAccount, Person(tid)), want)
		}
		check(kind+" manages unknown person", p.Can(ctx, v, ManageAccount, Person("nosuchperson0000")), false)
		for cid, e := range classes {
			check(kind+" manages class", p.Can(ctx, v, ManageAccount, Class(cid)), vf.est[e] && (vf.profile == directory.Admin || allPowers(vf, e)))
		}
		for _, e := range ests {
			check(kind+" sets the policy", p.Can(ctx, v, ManageSecurity, Establishment(e.ID)), vf.est[e.ID] && (vf.profile == directory.Admin || policyHead(vf, e.ID)))
			check(kind+" manage-security on a person", p.Can(ctx, v, ManageSecurity, Person(vid)), false)
		}
	}
	if allowed == 0 || denied == 0 {
		t.Fatalf("%d allowed, %d denied: the sample does not exercise both", allowed, denied)
	}
	t.Logf("%d allowed, %d denied", allowed, denied)
}
