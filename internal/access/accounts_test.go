package access_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"cartable/internal/access"
	"cartable/internal/db"
	"cartable/internal/dbtest"
	"cartable/internal/demo"
	"cartable/internal/directory"
	"cartable/internal/roles"
)

// TestAccountAdministrationOnDemo checks manage-account, manage-security
// and provision on people and memberships for viewers of every profile and
// function against every person, class and establishment of the demo, with
// the rules of doc.go written independently (here, and in the oracle for
// the privilege order and the reach of an account).
func TestAccountAdministrationOnDemo(t *testing.T) {
	ctx := context.Background()
	d := dbtest.Open(t)
	var accounts []demo.Account
	if err := d.Tx(ctx, func(tx *db.Tx) (err error) {
		accounts, err = demo.Generate(ctx, access.System("test"), tx, demo.Options{Seed: 2, Students: 48})
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
	ests, err := db.Strings(ctx, d, `SELECT id FROM establishments ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}

	allPowers := func(v *facts, e string) bool { // head, deputy or secretary, for staff and teachers
		if v.profile != roles.Staff && v.profile != roles.Teacher {
			return false
		}
		for _, f := range v.fn[e] {
			if f == roles.Head || f == roles.Deputy || f == roles.Secretary {
				return true
			}
		}
		return false
	}
	policyHead := func(v *facts, e string) bool {
		if v.profile != roles.Staff && v.profile != roles.Teacher {
			return false
		}
		for _, f := range v.fn[e] {
			if f == roles.Head || f == roles.Deputy {
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
			ps, _ := directory.PeopleByLogins(ctx, access.System("test"), d, []string{a.Login})
			picked[key] = ps[0].ID
		}
	}
	p := access.New(d)
	var allowed, denied int
	check := func(what string, got error, want bool) {
		t.Helper()
		if got != nil && !errors.Is(got, access.ErrDenied) {
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
	o := loadOracle(t, d)
	for kind, vid := range picked {
		v, err := p.Viewer(ctx, vid)
		if err != nil {
			t.Fatal(err)
		}
		vf := people[vid]
		for tid, tf := range people {
			check(kind+" manages person "+tf.profile, p.Can(ctx, v, access.ManageAccount, access.Person(tid)), o.allowManageAccount(vid, tid))
			check(kind+" provisions person "+tf.profile, p.Can(ctx, v, access.Provision, access.Person(tid)), o.allowProvisionPerson(vid, tid))
			for _, e := range ests {
				check(kind+" provisions a membership of "+tf.profile, p.Can(ctx, v, access.Provision, access.Membership(tid, e)), o.allowProvisionMembership(vid, tid, e))
			}
		}
		check(kind+" manages unknown person", p.Can(ctx, v, access.ManageAccount, access.Person("nosuchperson0000")), false)
		for cid, e := range classes {
			check(kind+" manages class", p.Can(ctx, v, access.ManageAccount, access.Class(cid)), vf.est[e] && (vf.profile == roles.Admin || allPowers(vf, e)))
		}
		for _, e := range ests {
			check(kind+" sets the policy", p.Can(ctx, v, access.ManageSecurity, access.Establishment(e)), vf.est[e] && (vf.profile == roles.Admin || policyHead(vf, e)))
			check(kind+" manage-security on a person", p.Can(ctx, v, access.ManageSecurity, access.Person(vid)), false)
		}
	}
	if allowed == 0 || denied == 0 {
		t.Fatalf("%d allowed, %d denied: the sample does not exercise both", allowed, denied)
	}
	t.Logf("%d allowed, %d denied", allowed, denied)
}

// addAccountPeople adds to the fixture the people that account
// administration needs beyond it: an operator attached to both
// establishments (admAB), a second secretary of A (secA2) and a teacher of
// A who is also its deputy (tdA).
func addAccountPeople(t *testing.T, d *db.DB, f *fixture) {
	t.Helper()
	ctx := context.Background()
	A, B := f.ests["A"], f.ests["B"]
	err := d.Tx(ctx, func(tx *db.Tx) error {
		var errs []error
		sys := access.System("fixture")
		person := func(login, profile string, ests ...string) string {
			p := &directory.Person{Profile: profile, Login: login, LastName: login, FirstName: login, Active: true}
			errs = append(errs, directory.CreatePerson(ctx, sys, tx, p, ""))
			for _, e := range ests {
				errs = append(errs, directory.AddMembership(ctx, sys, tx, p.ID, e))
			}
			f.people[login] = p.ID
			return p.ID
		}
		person("admAB", roles.Admin, A, B)
		errs = append(errs, directory.AddFunction(ctx, sys, tx, person("secA2", roles.Staff, A), A, roles.Secretary))
		errs = append(errs, directory.AddFunction(ctx, sys, tx, person("tdA", roles.Teacher, A), A, roles.Deputy))
		return errors.Join(errs...)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// Account rights on the extended fixture, written by hand: viewer → the
// people each right allows (space-separated logins). Every other person is
// refused; a viewer absent from the table may do nothing.
//
// Levels: admA, admAB 5; hA, hB 4; depA, tdA 3; secA, secA2, cA, dA, agA 2;
// teachers 1; students and relatives 0. Reach: p1 and t2 are attached to A
// and B; p2 is attached to A only but has a child (s5) in B; admAB is
// attached to A and B.
const (
	familyOfAOnly = "s1 s2 s3 s4 sOff p6 p7 p3 p4 pOff" // students and relatives reaching A only (not p1, p2)
	teachersAOnly = "t1 t3 tOld"
	staffLevelA   = "secA secA2 cA dA agA"
)

var accountMatrix = map[string]struct{ manage, provision string }{
	"admA": {manage: familyOfAOnly + " " + teachersAOnly + " hA depA tdA " + staffLevelA,
		provision: familyOfAOnly + " p2 " + teachersAOnly + " hA depA tdA " + staffLevelA},
	"admAB": {manage: familyOfAOnly + " p1 p2 s5 t2 hB admA " + teachersAOnly + " hA depA tdA " + staffLevelA,
		provision: familyOfAOnly + " p1 p2 s5 t2 hB admA " + teachersAOnly + " hA depA tdA " + staffLevelA},
	"hA": {manage: familyOfAOnly + " " + teachersAOnly + " depA tdA " + staffLevelA,
		provision: familyOfAOnly + " p2 " + teachersAOnly + " depA tdA " + staffLevelA},
	"depA":  {manage: familyOfAOnly + " " + teachersAOnly + " " + staffLevelA},
	"tdA":   {manage: familyOfAOnly + " " + teachersAOnly + " " + staffLevelA},
	"secA":  {manage: familyOfAOnly + " " + teachersAOnly, provision: familyOfAOnly + " p2 " + teachersAOnly},
	"secA2": {manage: familyOfAOnly + " " + teachersAOnly, provision: familyOfAOnly + " p2 " + teachersAOnly},
	"hB":    {manage: "s5", provision: "s5"},
}

// TestAccountMatrixOnFixture walks every active viewer of the extended
// fixture against every person for manage-account, provision on the person
// and provision on each of their memberships (which needs the right on
// that establishment only), and checks the oracle against the same table.
func TestAccountMatrixOnFixture(t *testing.T) {
	ctx := context.Background()
	d := dbtest.Open(t)
	f := buildFixture(t, d)
	addAccountPeople(t, d, f)
	p := access.New(d)
	o := loadOracle(t, d)
	for _, login := range sortedKeys(f.people) {
		if login == "sOff" {
			continue
		}
		v, err := p.Viewer(ctx, f.people[login])
		if err != nil {
			t.Fatal(err)
		}
		manage, provision := set(accountMatrix[login].manage), set(accountMatrix[login].provision)
		for w := range set(accountMatrix[login].manage + " " + accountMatrix[login].provision) {
			if f.people[w] == "" {
				t.Fatalf("account matrix names unknown person %q", w)
			}
		}
		for _, target := range sortedKeys(f.people) {
			id := f.people[target]
			checkAnswer(t, p.Can(ctx, v, access.ManageAccount, access.Person(id)), manage[target], login+" manage-account "+target)
			checkAnswer(t, p.Can(ctx, v, access.Provision, access.Person(id)), provision[target], login+" provision "+target)
			if got := o.allowManageAccount(f.people[login], id); got != manage[target] {
				t.Errorf("oracle %s manage-account %s = %v", login, target, got)
			}
			if got := o.allowProvisionPerson(f.people[login], id); got != provision[target] {
				t.Errorf("oracle %s provision %s = %v", login, target, got)
			}
			for _, key := range sortedKeys(f.ests) {
				e := f.ests[key]
				want := o.allowProvisionMembership(f.people[login], id, e)
				checkAnswer(t, p.Can(ctx, v, access.Provision, access.Membership(id, e)), want, login+" provision "+target+" in "+key)
			}
		}
		checkAnswer(t, p.Can(ctx, v, access.ManageAccount, access.Person("nobody")), false, login+" manage-account unknown")
		checkAnswer(t, p.Can(ctx, v, access.Provision, access.Membership("nobody", f.ests["A"])), false, login+" provision unknown membership")
		checkAnswer(t, p.Can(ctx, v, access.Provision, access.Membership(f.people["s1"], "")), false, login+" provision membership without establishment")
		checkAnswer(t, p.Can(ctx, v, access.Provision, access.Resource{access.KindMembership, f.people["s1"]}), false, login+" provision malformed membership")
		checkAnswer(t, p.Can(ctx, v, access.ReadName, access.Membership(f.people["s1"], f.ests["A"])), false, login+" read-name on a membership")
	}
	// The memberships: the head of A closes anyone below them there, the
	// two-school parent and teacher included (that ends their attachment
	// to A only); nobody in B.
	v, _ := p.Viewer(ctx, f.people["hA"])
	for _, target := range []string{"p1", "t2", "p2", "s1", "depA"} {
		checkAnswer(t, p.Can(ctx, v, access.Provision, access.Membership(f.people[target], f.ests["A"])), true, "hA closes "+target+" in A")
	}
	for _, target := range []string{"p1", "t2", "s5"} {
		checkAnswer(t, p.Can(ctx, v, access.Provision, access.Membership(f.people[target], f.ests["B"])), false, "hA closes "+target+" in B")
	}
}

// TestAccountRefusals names the refusals of account administration that
// matter most, with the reason a page explains (or the plain refusal,
// which looks like a missing page).
func TestAccountRefusals(t *testing.T) {
	ctx := context.Background()
	d := dbtest.Open(t)
	f := buildFixture(t, d)
	addAccountPeople(t, d, f)
	p := access.New(d)
	const plain = "plain"
	for _, c := range []struct {
		why, viewer string
		action      access.Action
		r           access.Resource
		want        any // ErrPrivilege, ErrElsewhere, ErrOwnAccount or plain
	}{
		{"the head of A issuing a letter to a parent whose other child is in B", "hA", access.ManageAccount, access.Person(f.people["p1"]), access.ErrElsewhere},
		{"the head of A issuing a letter to a parent attached to A only whose child is in B", "hA", access.ManageAccount, access.Person(f.people["p2"]), access.ErrElsewhere},
		{"the head of A managing a teacher who also teaches in B", "hA", access.ManageAccount, access.Person(f.people["t2"]), access.ErrElsewhere},
		{"the head of B managing the two-school parent", "hB", access.ManageAccount, access.Person(f.people["p1"]), access.ErrElsewhere},
		{"the operator of A managing the operator of A and B", "admA", access.ManageAccount, access.Person(f.people["admAB"]), access.ErrElsewhere},
		{"a secretary managing the head", "secA", access.ManageAccount, access.Person(f.people["hA"]), access.ErrPrivilege},
		{"a secretary managing the deputy", "secA", access.ManageAccount, access.Person(f.people["depA"]), access.ErrPrivilege},
		{"a secretary managing another secretary", "secA", access.ManageAccount, access.Person(f.people["secA2"]), access.ErrPrivilege},
		{"a secretary managing the CPE", "secA", access.ManageAccount, access.Person(f.people["cA"]), access.ErrPrivilege},
		{"a deputy managing the head", "depA", access.ManageAccount, access.Person(f.people["hA"]), access.ErrPrivilege},
		{"a deputy managing a teacher who is deputy too", "depA", access.ManageAccount, access.Person(f.people["tdA"]), access.ErrPrivilege},
		{"a head managing the operator", "hA", access.ManageAccount, access.Person(f.people["admA"]), access.ErrPrivilege},
		{"a head managing the two-school operator", "hA", access.ManageAccount, access.Person(f.people["admAB"]), access.ErrPrivilege},
		{"a head managing their own account", "hA", access.ManageAccount, access.Person(f.people["hA"]), access.ErrOwnAccount},
		{"an operator managing their own account", "admA", access.ManageAccount, access.Person(f.people["admA"]), access.ErrOwnAccount},
		{"the head of A managing a student of B", "hA", access.ManageAccount, access.Person(f.people["s5"]), plain},
		{"the head of B managing a parent attached to A only", "hB", access.ManageAccount, access.Person(f.people["p2"]), plain},
		{"a CPE managing a student", "cA", access.ManageAccount, access.Person(f.people["s1"]), plain},
		{"a teacher managing a student", "t1", access.ManageAccount, access.Person(f.people["s1"]), plain},
		{"a parent managing their child", "p1", access.ManageAccount, access.Person(f.people["s1"]), plain},
		{"the head of A reopening or closing the whole account of the two-school parent", "hA", access.Provision, access.Person(f.people["p1"]), access.ErrElsewhere},
		{"the head of A reopening the whole account of the two-school teacher", "hA", access.Provision, access.Person(f.people["t2"]), access.ErrElsewhere},
		{"a secretary closing the head's account", "secA", access.Provision, access.Person(f.people["hA"]), access.ErrPrivilege},
		{"a secretary closing the head's attachment", "secA", access.Provision, access.Membership(f.people["hA"], f.ests["A"]), access.ErrPrivilege},
		{"a secretary closing another secretary", "secA", access.Provision, access.Membership(f.people["secA2"], f.ests["A"]), access.ErrPrivilege},
		{"a head closing the operator", "hA", access.Provision, access.Membership(f.people["admA"], f.ests["A"]), access.ErrPrivilege},
		{"a head closing their own attachment", "hA", access.Provision, access.Membership(f.people["hA"], f.ests["A"]), access.ErrOwnAccount},
		{"the head of A closing the two-school parent in B", "hA", access.Provision, access.Membership(f.people["p1"], f.ests["B"]), plain},
		{"the head of A closing a student of B where it is not attached", "hA", access.Provision, access.Membership(f.people["s5"], f.ests["A"]), plain},
		{"a deputy closing a student", "depA", access.Provision, access.Membership(f.people["s1"], f.ests["A"]), plain},
	} {
		v, err := p.Viewer(ctx, f.people[c.viewer])
		if err != nil {
			t.Fatal(err)
		}
		err = p.Can(ctx, v, c.action, c.r)
		switch want := c.want.(type) {
		case error:
			if !errors.Is(err, want) {
				t.Errorf("%s: got %v, want %v", c.why, err, want)
			}
		default:
			if !errors.Is(err, access.ErrDenied) || errors.Is(err, access.ErrPrivilege) || errors.Is(err, access.ErrElsewhere) || errors.Is(err, access.ErrOwnAccount) {
				t.Errorf("%s: got %v, want the plain refusal", c.why, err)
			}
		}
		if err != nil && strings.Contains(err.Error(), f.people[c.viewer]) {
			t.Errorf("%s: refusal reason %q reveals an identifier", c.why, err)
		}
	}
	// What still works: the head on their own school's teacher, on a
	// single-school parent; the operator attached to both on the
	// two-school parent.
	for _, c := range []struct{ viewer, target string }{{"hA", "t1"}, {"hA", "p6"}, {"hA", "depA"}, {"secA", "t1"}, {"admAB", "p1"}, {"admAB", "admA"}, {"admA", "hA"}} {
		v, _ := p.Viewer(ctx, f.people[c.viewer])
		checkAnswer(t, p.Can(ctx, v, access.ManageAccount, access.Person(f.people[c.target])), true, c.viewer+" manages "+c.target)
	}
}
