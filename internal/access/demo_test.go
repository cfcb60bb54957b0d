package access_test

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"

	"cartable/internal/access"
	"cartable/internal/db"
	"cartable/internal/dbtest"
	"cartable/internal/demo"
	"cartable/internal/directory"
	"cartable/internal/roles"
)

// TestMatrixOnDemo walks the role × resource matrix on the demo data: for a
// sample of viewers of every profile and function, every person, class,
// group and establishment of the instance, every action, the policy's answer
// must equal the oracle's (computed from the tables, see oracle_test.go).
// Every allow and every deny is asserted.
func TestMatrixOnDemo(t *testing.T) {
	if testing.Short() {
		t.Skip("demo generation skipped in -short mode")
	}
	ctx := context.Background()
	d := dbtest.Open(t)
	var accounts []demo.Account
	if err := d.Tx(ctx, func(tx *db.Tx) (err error) {
		accounts, err = demo.Generate(ctx, access.System("test"), tx, demo.Options{Seed: 1, Students: 120})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	deactivateSome(t, d)
	o := loadOracle(t, d)
	viewers := sampleViewers(t, d, accounts)
	p := access.New(d)

	type tally struct{ allow, deny int }
	tallies := map[string]*tally{}
	for _, s := range viewers {
		record := func(allowed bool) {
			for _, kind := range s.kinds {
				tl := tallies[kind]
				if tl == nil {
					tl = &tally{}
					tallies[kind] = tl
				}
				if allowed {
					tl.allow++
				} else {
					tl.deny++
				}
			}
		}
		v, err := p.Viewer(ctx, s.id)
		if err != nil {
			t.Fatalf("viewer %s (%s): %v", s.login, s.kind(), err)
		}
		for _, a := range []access.Action{access.ReadName, access.ReadRecord, access.ReadContact} {
			vis, err := p.VisiblePeople(ctx, v, a, o.people)
			if err != nil {
				t.Fatal(err)
			}
			for _, target := range o.people {
				want := o.allowPerson(s.id, target, a)
				record(want)
				if vis[target] != want {
					t.Errorf("%s (%s) VisiblePeople %s %s (%s): %v, want %v", s.login, s.kind(), a, target, o.profile[target], vis[target], want)
				}
				checkAnswer(t, p.Can(ctx, v, a, access.Person(target)), want,
					fmt.Sprintf("%s (%s) %s %s (%s)", s.login, s.kind(), a, target, o.profile[target]))
			}
		}
		for _, kind := range []access.Kind{access.KindClass, access.KindGroup} {
			ids := sortedKeys(o.classEst)
			if kind == access.KindGroup {
				ids = sortedKeys(o.groupEst)
			}
			for _, id := range ids {
				for _, a := range []access.Action{access.ReadClass, access.ReadRoster} {
					want := o.allowStructure(s.id, kind, id, a)
					record(want)
					checkAnswer(t, p.Can(ctx, v, a, access.Resource{kind, id}), want, fmt.Sprintf("%s (%s) %s %s %s", s.login, s.kind(), a, kind, id))
				}
			}
		}
		// Account administration and the lifecycle: the privilege order
		// and the reach of each account, deactivated children included.
		for _, target := range o.people {
			want := o.allowManageAccount(s.id, target)
			record(want)
			checkAnswer(t, p.Can(ctx, v, access.ManageAccount, access.Person(target)), want,
				fmt.Sprintf("%s (%s) manage-account %s (%s)", s.login, s.kind(), target, o.profile[target]))
			want = o.allowProvisionPerson(s.id, target)
			record(want)
			checkAnswer(t, p.Can(ctx, v, access.Provision, access.Person(target)), want,
				fmt.Sprintf("%s (%s) provision %s (%s)", s.login, s.kind(), target, o.profile[target]))
			for _, e := range o.ests {
				want = o.allowProvisionMembership(s.id, target, e)
				record(want)
				checkAnswer(t, p.Can(ctx, v, access.Provision, access.Membership(target, e)), want,
					fmt.Sprintf("%s (%s) provision %s (%s) in %s", s.login, s.kind(), target, o.profile[target], e))
			}
		}
		for _, e := range o.ests {
			want := o.allowEstablishment(s.id, e)
			record(want)
			checkAnswer(t, p.Can(ctx, v, access.ReadEstablishment, access.Establishment(e)), want, fmt.Sprintf("%s (%s) read-establishment %s", s.login, s.kind(), e))
			want = o.allowSearch(s.id, e)
			record(want)
			checkAnswer(t, p.Can(ctx, v, access.SearchPeople, access.Establishment(e)), want, fmt.Sprintf("%s (%s) search-people %s", s.login, s.kind(), e))
		}
	}
	// The walk would prove little if one side were all refusals: every kind
	// of viewer must meet both answers.
	for _, kind := range sortedKeys(tallies) {
		tl := tallies[kind]
		t.Logf("%-28s %6d allowed %6d refused", kind, tl.allow, tl.deny)
		if tl.allow == 0 || tl.deny == 0 {
			t.Errorf("%s: %d allowed, %d refused: the sample does not exercise the rules", kind, tl.allow, tl.deny)
		}
	}
}

type sampled struct {
	id, login string
	kinds     []string
}

func (s sampled) kind() string { return strings.Join(s.kinds, ",") }

// deactivateSome deactivates one person in ten of every profile but admin
// (by ID order, so the same ones each run), so that the walk meets
// deactivated targets and relations through them.
func deactivateSome(t *testing.T, d *db.DB) {
	t.Helper()
	ctx := context.Background()
	rows, err := d.Query(ctx, `SELECT id FROM people WHERE profile <> 'admin' ORDER BY profile, id`)
	if err != nil {
		t.Fatal(err)
	}
	var ids []any
	for i := 0; rows.Next(); i++ {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		if i%10 == 3 {
			ids = append(ids, id)
		}
	}
	rows.Close()
	if _, err := d.Exec(ctx, `UPDATE people SET active = FALSE WHERE id IN (`+db.Placeholders(len(ids))+`)`, ids...); err != nil {
		t.Fatal(err)
	}
}

// sampleViewers picks up to four active accounts of every kind (profile,
// staff function), and of the unusual ones: people attached to several
// establishments, relatives who are not legal guardians or not contacts,
// head teachers, group teachers.
func sampleViewers(t *testing.T, q db.Querier, accounts []demo.Account) []sampled {
	t.Helper()
	ctx := context.Background()
	byKind := map[string][]string{}
	for _, a := range accounts {
		var kinds []string
		for _, f := range a.Functions {
			kinds = append(kinds, a.Profile+"/"+f)
		}
		if len(kinds) == 0 {
			kinds = []string{a.Profile}
			if a.Profile == roles.Staff {
				kinds = []string{"staff/none"}
			}
		}
		if len(a.Establishments) > 1 {
			kinds = append(kinds, a.Profile+"/several-establishments")
		}
		for _, k := range kinds {
			byKind[k] = append(byKind[k], a.Login)
		}
	}
	extra := map[string]string{
		"relative/not-guardian": `SELECT DISTINCT p.login FROM people p JOIN family_links f ON f.relative_id = p.id WHERE NOT f.legal_guardian`,
		"relative/no-contact":   `SELECT DISTINCT p.login FROM people p JOIN family_links f ON f.relative_id = p.id WHERE NOT f.contact`,
		"teacher/head-teacher":  `SELECT DISTINCT p.login FROM people p JOIN head_teachers h ON h.teacher_id = p.id`,
		"teacher/groups":        `SELECT DISTINCT p.login FROM people p JOIN teaching_assignments a ON a.teacher_id = p.id WHERE a.group_id IS NOT NULL`,
	}
	for kind, query := range extra {
		rows, err := q.Query(ctx, query+` ORDER BY 1`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var login string
			if err := rows.Scan(&login); err != nil {
				t.Fatal(err)
			}
			byKind[kind] = append(byKind[kind], login)
		}
		rows.Close()
	}
	for _, want := range []string{roles.Student, roles.Relative, roles.Teacher, roles.Admin, "staff/none",
		"staff/" + roles.Head, "staff/" + roles.Deputy, "staff/" + roles.CPE,
		"staff/" + roles.Documentalist, "staff/" + roles.Secretary} {
		if len(byKind[want]) == 0 {
			t.Logf("the demo has no %s account: not covered here (the fixture test covers it)", want)
		}
	}
	var logins []string
	all, err := directory.PeopleByLogins(ctx, access.System("test"), q, sortedKeys(setOf(byKind)))
	if err != nil {
		t.Fatal(err)
	}
	active := map[string]string{} // login → ID
	for _, p := range all {
		if p.Active {
			active[p.Login] = p.ID
		}
	}
	kindsOf := map[string][]string{}
	for _, kind := range sortedKeys(byKind) {
		var list []string
		for _, l := range byKind[kind] {
			if active[l] != "" {
				list = append(list, l)
			}
		}
		sort.Strings(list)
		// Spread the picks over the list rather than taking the first ones.
		n := min(4, len(list))
		for i := 0; i < n; i++ {
			l := list[i*len(list)/n]
			if kindsOf[l] == nil {
				logins = append(logins, l)
			}
			kindsOf[l] = append(kindsOf[l], kind)
		}
	}
	var out []sampled
	for _, l := range logins {
		out = append(out, sampled{id: active[l], login: l, kinds: kindsOf[l]})
	}
	if len(out) < 10 {
		t.Fatalf("only %d viewers sampled: %s", len(out), strings.Join(logins, " "))
	}
	return out
}

func setOf(byKind map[string][]string) map[string]bool {
	m := map[string]bool{}
	for _, list := range byKind {
		for _, l := range list {
			m[l] = true
		}
	}
	return m
}
