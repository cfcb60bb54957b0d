package access_test

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"testing"

	"cartable/internal/access"
	"cartable/internal/db"
	"cartable/internal/dbtest"
	"cartable/internal/directory"
	"cartable/internal/roles"
)

// The hand-built fixture: two establishments, A (a collège) and B (a lycée).
//
//	A, open year:   classes 6A, 6B; groups ESP (from 6A+6B), LAT (from 6A)
//	A, closed year: class OLD (last year's)
//	B, open year:   class 2B; group GB (from 2B)
//
//	s1   A  6A, ESP (and OLD last year)    relatives p1, p2 (separated parents, both guardians)
//	s2   A  6A, LAT                        relatives p6 (guardian), p7 (grandmother, not guardian, contact flag)
//	s3   A  6B, ESP                        relatives p3 (guardian), p4 (not guardian, no contact flag)
//	s4   A  6B (and OLD last year)         no relative
//	sOff A  6A, deactivated                relative pOff (guardian, of sOff only)
//	s5   B  2B, GB                         s1's sibling: relatives p1, p2
//	p1 attached to A and B; p2 only to A; other relatives to A.
//	t1   A    teaches math to 6A, head teacher of 6A
//	t2   A+B  teaches Spanish to group ESP (A) and math to 2B (B)
//	t3   A    head teacher of 6B, teaches Latin to group LAT
//	tOld A    taught OLD (closed year) only
//	hA, depA, secA, cA, dA: head, deputy, secretary, CPE, documentalist of A (staff profile)
//	agA  A    staff with no function
//	hB   B    head of B; also holds a "head" function row in A without being attached to A
//	admA A    administrator (operator) attached to A
type fixture struct {
	people  map[string]string // login → ID
	structs map[string]access.Resource
	ests    map[string]string // "A", "B" → ID
}

func buildFixture(t *testing.T, d *db.DB) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{people: map[string]string{}, structs: map[string]access.Resource{}, ests: map[string]string{}}
	err := d.Tx(ctx, func(tx *db.Tx) error {
		var errs []error
		check := func(err error) { errs = append(errs, err) }
		sys := access.System("fixture")
		est := func(key, uai, kind string) string {
			e := &directory.Establishment{UAI: uai, Name: key, Kind: kind}
			check(directory.CreateEstablishment(ctx, sys, tx, e))
			f.ests[key] = e.ID
			return e.ID
		}
		A, B := est("A", "0750001A", "college"), est("B", "0750002B", "lycee")
		year := func(e, label string, closed bool) string {
			y := &directory.SchoolYear{EstablishmentID: e, Label: label, StartsOn: label[:4] + "-09-01", EndsOn: label[5:] + "-07-04", Closed: closed}
			check(directory.CreateSchoolYear(ctx, sys, tx, y))
			return y.ID
		}
		yA, yOld, yB := year(A, "2026-2027", false), year(A, "2025-2026", true), year(B, "2026-2027", false)
		subject := func(e string) string {
			s := &directory.Subject{EstablishmentID: e, Code: "061300", Name: "Mathématiques"}
			check(directory.CreateSubject(ctx, sys, tx, s))
			return s.ID
		}
		subA, subB := subject(A), subject(B)
		class := func(name, e, y string) string {
			c := &directory.Class{EstablishmentID: e, SchoolYearID: y, Code: name, Name: name}
			check(directory.CreateClass(ctx, sys, tx, c))
			f.structs[name] = access.Class(c.ID)
			return c.ID
		}
		c6A, c6B, cOld, c2B := class("6A", A, yA), class("6B", A, yA), class("OLD", A, yOld), class("2B", B, yB)
		group := func(name, e, y string, classes ...string) string {
			g := &directory.Group{EstablishmentID: e, SchoolYearID: y, Code: name, Name: name, ClassIDs: classes}
			check(directory.CreateGroup(ctx, sys, tx, g))
			f.structs[name] = access.Group(g.ID)
			return g.ID
		}
		gESP, gLAT, gB := group("ESP", A, yA, c6A, c6B), group("LAT", A, yA, c6A), group("GB", B, yB, c2B)
		person := func(login, profile string, active bool, ests ...string) string {
			p := &directory.Person{Profile: profile, Login: login, LastName: strings.ToUpper(login), FirstName: login,
				Email: login + "@example.org", Phone: "0600000000", Address: "1 rue " + login, Active: active}
			check(directory.CreatePerson(ctx, sys, tx, p, ""))
			for _, e := range ests {
				check(directory.AddMembership(ctx, sys, tx, p.ID, e))
			}
			f.people[login] = p.ID
			return p.ID
		}
		student := func(login string, active bool, e string, classes []string, groups ...string) string {
			id := person(login, roles.Student, active, e)
			for _, c := range classes {
				check(directory.Enrol(ctx, sys, tx, id, c))
			}
			for _, g := range groups {
				check(directory.AddGroupMember(ctx, sys, tx, id, g))
			}
			return id
		}
		s1 := student("s1", true, A, []string{c6A, cOld}, gESP)
		s2 := student("s2", true, A, []string{c6A}, gLAT)
		s3 := student("s3", true, A, []string{c6B}, gESP)
		student("s4", true, A, []string{c6B, cOld})
		sOff := student("sOff", false, A, []string{c6A})
		s5 := student("s5", true, B, []string{c2B}, gB)

		link := func(studentID, relativeID, rel string, guardian, contact bool) {
			check(directory.Link(ctx, sys, tx, directory.FamilyLink{StudentID: studentID, RelativeID: relativeID,
				Relationship: rel, LegalGuardian: guardian, Contact: contact}))
		}
		p1, p2 := person("p1", roles.Relative, true, A, B), person("p2", roles.Relative, true, A)
		link(s1, p1, "mere", true, true)
		link(s5, p1, "mere", true, true)
		link(s1, p2, "pere", true, true)
		link(s5, p2, "pere", true, true)
		link(s2, person("p6", roles.Relative, true, A), "mere", true, true)
		link(s2, person("p7", roles.Relative, true, A), "autre", false, true)
		link(s3, person("p3", roles.Relative, true, A), "pere", true, false)
		link(s3, person("p4", roles.Relative, true, A), "autre", false, false)
		link(sOff, person("pOff", roles.Relative, true, A), "mere", true, true)

		assign := func(teacher, e, subject, class, group string) {
			check(directory.CreateAssignment(ctx, sys, tx, &directory.Assignment{EstablishmentID: e, TeacherID: teacher,
				ClassID: class, GroupID: group, SubjectID: subject}))
		}
		t1 := person("t1", roles.Teacher, true, A)
		assign(t1, A, subA, c6A, "")
		check(directory.AddHeadTeacher(ctx, sys, tx, c6A, t1))
		t2 := person("t2", roles.Teacher, true, A, B)
		assign(t2, A, subA, "", gESP)
		assign(t2, B, subB, c2B, "")
		t3 := person("t3", roles.Teacher, true, A)
		check(directory.AddHeadTeacher(ctx, sys, tx, c6B, t3))
		assign(t3, A, subA, "", gLAT)
		assign(person("tOld", roles.Teacher, true, A), A, subA, cOld, "")

		for login, fn := range map[string]string{"hA": roles.Head, "depA": roles.Deputy, "secA": roles.Secretary,
			"cA": roles.CPE, "dA": roles.Documentalist} {
			check(directory.AddFunction(ctx, sys, tx, person(login, roles.Staff, true, A), A, fn))
		}
		person("agA", roles.Staff, true, A)
		hB := person("hB", roles.Staff, true, B)
		check(directory.AddFunction(ctx, sys, tx, hB, B, roles.Head))
		check(directory.AddFunction(ctx, sys, tx, hB, A, roles.Head)) // not attached to A: counts for nothing
		person("admA", roles.Admin, true, A)
		return errors.Join(errs...)
	})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// expect lists, for one viewer, every resource each action is allowed on
// (space-separated logins, structure names, establishment keys). Anything
// not listed must be refused.
type expect struct {
	name, record, contact string // people
	class, roster         string // classes and groups
	est                   string // establishments
}

// colleaguesA are the teachers and staff of A (not the administrator).
const colleaguesA = "t1 t2 t3 tOld hA depA secA cA dA agA"

// everyoneA is every person attached to A, the deactivated student included.
const everyoneA = "s1 s2 s3 s4 sOff p1 p2 p6 p7 p3 p4 pOff " + colleaguesA + " admA"

var allA = expect{name: everyoneA, record: everyoneA, contact: everyoneA,
	class: "6A 6B OLD ESP LAT", roster: "6A 6B OLD ESP LAT", est: "A"}

// The whole matrix: viewer → what it may see. Self is listed explicitly.
var matrix = map[string]expect{
	// Students: classmates, own teachers, function holders, own relatives — names only.
	"s1": {name: "s1 s2 s3 t1 t2 hA depA secA cA dA p1 p2", record: "s1", contact: "s1",
		class: "6A ESP", roster: "6A ESP"},
	"s2": {name: "s2 s1 t1 t3 hA depA secA cA dA p6 p7", record: "s2", contact: "s2",
		class: "6A LAT", roster: "6A LAT"},
	"s3": {name: "s3 s4 s1 t3 t2 hA depA secA cA dA p3 p4", record: "s3", contact: "s3",
		class: "6B ESP", roster: "6B ESP"},
	"s4": {name: "s4 s3 t3 hA depA secA cA dA", record: "s4", contact: "s4",
		class: "6B", roster: "6B"},
	"s5": {name: "s5 t2 hB p1", record: "s5", contact: "s5", class: "2B GB", roster: "2B GB"},

	// Relatives: own children (contact for guardians), their teachers, function holders.
	"p1": {name: "p1 s1 s5 t1 t2 hA depA secA cA dA hB", record: "p1 s1 s5", contact: "p1 s1 s5",
		class: "6A ESP 2B GB"},
	"p2":   {name: "p2 s1 t1 t2 hA depA secA cA dA", record: "p2 s1", contact: "p2 s1", class: "6A ESP"},
	"p6":   {name: "p6 s2 t1 t3 hA depA secA cA dA", record: "p6 s2", contact: "p6 s2", class: "6A LAT"},
	"p7":   {name: "p7 s2 t1 t3 hA depA secA cA dA", record: "p7 s2", contact: "p7", class: "6A LAT"},
	"p3":   {name: "p3 s3 t3 t2 hA depA secA cA dA", record: "p3 s3", contact: "p3 s3", class: "6B ESP"},
	"p4":   {name: "p4 s3 t3 t2 hA depA secA cA dA", record: "p4 s3", contact: "p4", class: "6B ESP"},
	"pOff": {name: "pOff", record: "pOff", contact: "pOff"},

	// Teachers: students taught (name, record), their guardians/contacts
	// (name, contact), colleagues (name); every class page of their schools.
	"t1": {name: "s1 s2 p1 p2 p6 p7 " + colleaguesA, record: "t1 s1 s2", contact: "t1 p1 p2 p6 p7",
		class: "6A 6B OLD", roster: "6A"},
	"t2": {name: "s1 s3 s5 p1 p2 p3 hB " + colleaguesA, record: "t2 s1 s3 s5", contact: "t2 p1 p2 p3",
		class: "6A 6B OLD 2B ESP", roster: "ESP 2B"},
	"t3": {name: "s2 s3 s4 p3 p6 p7 " + colleaguesA, record: "t3 s2 s3 s4", contact: "t3 p3 p6 p7",
		class: "6A 6B OLD LAT", roster: "6B LAT"},
	"tOld": {name: colleaguesA, record: "tOld", contact: "tOld", class: "6A 6B OLD"},

	// Staff by function.
	"hA":   allA,
	"depA": allA,
	"secA": allA,
	"cA": {name: "s1 s2 s3 s4 p1 p2 p6 p7 p3 p4 pOff " + colleaguesA, record: "cA s1 s2 s3 s4 p1 p2 p6 p7 p3 p4 pOff",
		contact: "cA s1 s2 s3 s4 p1 p2 p6 p7 p3 p4 pOff", class: allA.class, roster: allA.roster, est: "A"},
	"dA":  {name: "s1 s2 s3 s4 " + colleaguesA, record: "dA", contact: "dA", class: "6A 6B OLD", roster: "6A 6B OLD"},
	"agA": {name: colleaguesA, record: "agA", contact: "agA"},
	"hB": {name: "s5 p1 t2 hB", record: "s5 p1 t2 hB", contact: "s5 p1 t2 hB",
		class: "2B GB", roster: "2B GB", est: "B"},

	// Operator: names and records of everyone in A, no contact details but their own.
	"admA": {name: everyoneA, record: everyoneA, contact: "admA",
		class: allA.class, roster: allA.roster, est: "A"},
}

func set(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// checkAnswer fails unless err is nil (want) or a plain refusal (!want).
func checkAnswer(t *testing.T, err error, want bool, what string) {
	t.Helper()
	switch {
	case want && err != nil:
		t.Errorf("%s: refused (%v), want allowed", what, err)
	case !want && err == nil:
		t.Errorf("%s: allowed, want refused", what)
	case !want && !errors.Is(err, access.ErrDenied):
		t.Errorf("%s: error %v, want ErrDenied", what, err)
	}
}

func TestMatrixOnFixture(t *testing.T) {
	ctx := context.Background()
	d := dbtest.Open(t)
	f := buildFixture(t, d)
	p := access.New(d)

	if got, want := sortedKeys(matrix), sortedKeys(f.people); strings.Join(got, " ") != strings.Join(remove(want, "sOff"), " ") {
		t.Fatalf("matrix viewers %v, want every active person %v", got, remove(want, "sOff"))
	}
	for _, login := range sortedKeys(matrix) {
		e := matrix[login]
		t.Run(login, func(t *testing.T) {
			for _, list := range []string{e.name, e.record, e.contact} {
				for w := range set(list) {
					if _, ok := f.people[w]; !ok {
						t.Fatalf("matrix names unknown person %q", w)
					}
				}
			}
			v, err := p.Viewer(ctx, f.people[login])
			if err != nil {
				t.Fatal(err)
			}
			people := map[access.Action]map[string]bool{access.ReadName: set(e.name), access.ReadRecord: set(e.record), access.ReadContact: set(e.contact)}
			for _, a := range []access.Action{access.ReadName, access.ReadRecord, access.ReadContact} {
				people[a][login] = true // anyone: themself
			}
			for _, target := range sortedKeys(f.people) {
				for _, a := range []access.Action{access.ReadName, access.ReadRecord, access.ReadContact} {
					checkAnswer(t, p.Can(ctx, v, a, access.Person(f.people[target])), people[a][target], string(a)+" "+target)
				}
				for _, a := range []access.Action{access.ReadClass, access.ReadRoster, access.ReadEstablishment, "delete"} {
					checkAnswer(t, p.Can(ctx, v, a, access.Person(f.people[target])), false, string(a)+" person "+target)
				}
			}
			structs := map[access.Action]map[string]bool{access.ReadClass: set(e.class), access.ReadRoster: set(e.roster)}
			for _, name := range sortedKeys(f.structs) {
				r := f.structs[name]
				for _, a := range []access.Action{access.ReadClass, access.ReadRoster} {
					checkAnswer(t, p.Can(ctx, v, a, r), structs[a][name], string(a)+" "+name)
				}
				for _, a := range []access.Action{access.ReadName, access.ReadRecord, access.ReadContact, access.ReadEstablishment} {
					checkAnswer(t, p.Can(ctx, v, a, r), false, string(a)+" on "+name)
				}
			}
			for _, key := range sortedKeys(f.ests) {
				checkAnswer(t, p.Can(ctx, v, access.ReadEstablishment, access.Establishment(f.ests[key])), set(e.est)[key], "read-establishment "+key)
				checkAnswer(t, p.Can(ctx, v, access.ReadClass, access.Establishment(f.ests[key])), false, "read-class on establishment "+key)
			}
			// Unknown targets and kinds are refused like forbidden ones.
			for _, r := range []access.Resource{access.Person("nobody"), access.Class("noclass"), access.Group("nogroup"), access.Establishment("noest"),
				{Kind: "document", ID: f.people[login]}, {Kind: "", ID: f.people[login]}} {
				for _, a := range []access.Action{access.ReadName, access.ReadRecord, access.ReadContact, access.ReadClass, access.ReadRoster, access.ReadEstablishment} {
					checkAnswer(t, p.Can(ctx, v, a, r), false, string(a)+" on missing "+string(r.Kind)+" "+r.ID)
				}
			}

			// The list filter agrees with Can, on a fresh viewer (cold caches).
			all := make([]string, 0, len(f.people)+1)
			for _, id := range f.people {
				all = append(all, id)
			}
			all = append(all, "nobody")
			for _, a := range []access.Action{access.ReadName, access.ReadRecord, access.ReadContact} {
				fresh, err := p.Viewer(ctx, f.people[login])
				if err != nil {
					t.Fatal(err)
				}
				vis, err := p.VisiblePeople(ctx, fresh, a, all)
				if err != nil {
					t.Fatal(err)
				}
				for _, target := range sortedKeys(f.people) {
					if vis[f.people[target]] != people[a][target] {
						t.Errorf("VisiblePeople %s %s = %v, want %v", a, target, vis[f.people[target]], people[a][target])
					}
				}
				if vis["nobody"] {
					t.Errorf("VisiblePeople %s: unknown id listed", a)
				}
			}
		})
	}
}

func remove(list []string, w string) []string {
	var out []string
	for _, s := range list {
		if s != w {
			out = append(out, s)
		}
	}
	return out
}

// The refusals that matter most, spelled out (they are also in the matrix).
func TestRefusals(t *testing.T) {
	ctx := context.Background()
	d := dbtest.Open(t)
	f := buildFixture(t, d)
	p := access.New(d)
	cases := []struct {
		why    string
		viewer string
		action access.Action
		target string // a login, a structure name, or "est:A"
	}{
		{"a parent asking for another family's child", "p1", access.ReadName, "s2"},
		{"a parent asking for another family's child's record", "p6", access.ReadRecord, "s1"},
		{"a parent asking for the co-parent's address (separated parents)", "p1", access.ReadContact, "p2"},
		{"a parent asking for the co-parent's name", "p2", access.ReadName, "p1"},
		{"a parent asking for a child in an establishment they are not attached to", "p2", access.ReadName, "s5"},
		{"a non-guardian relative asking for the child's address", "p7", access.ReadContact, "s2"},
		{"a parent asking for their child's classmate", "p1", access.ReadName, "s2"},
		{"a parent asking for their child's class roster", "p1", access.ReadRoster, "6A"},
		{"a parent whose only child left asking for that child", "pOff", access.ReadName, "sOff"},
		{"a parent whose only child left asking for the head", "pOff", access.ReadName, "hA"},
		{"a student asking a classmate's record", "s1", access.ReadRecord, "s2"},
		{"a student asking a classmate's address", "s1", access.ReadContact, "s2"},
		{"a student asking for their parent's address", "s1", access.ReadContact, "p1"},
		{"a student asking for a classmate's parent", "s1", access.ReadName, "p6"},
		{"a student asking for last year's classmate", "s1", access.ReadName, "s4"},
		{"a student asking for a deactivated classmate", "s1", access.ReadName, "sOff"},
		{"a student asking for a staff member without function", "s1", access.ReadName, "agA"},
		{"a student asking for another class's roster", "s1", access.ReadRoster, "6B"},
		{"a student asking for the establishment overview", "s1", access.ReadEstablishment, "est:A"},
		{"a teacher asking for a student of a class they don't teach", "t1", access.ReadName, "s3"},
		{"a teacher asking for a student's address", "t1", access.ReadContact, "s1"},
		{"a group teacher asking for a class-mate of the group outside the group", "t2", access.ReadName, "s2"},
		{"a teacher asking for a relative who is neither guardian nor contact", "t2", access.ReadName, "p4"},
		{"a teacher asking for a relative's record", "t1", access.ReadRecord, "p1"},
		{"a teacher asking for the roster of a class they don't teach", "t1", access.ReadRoster, "6B"},
		{"a teacher asking for last year's students", "tOld", access.ReadName, "s1"},
		{"a teacher asking for last year's class roster", "tOld", access.ReadRoster, "OLD"},
		{"a teacher asking for a colleague's address", "t1", access.ReadContact, "t2"},
		{"a teacher asking for the establishment overview", "t1", access.ReadEstablishment, "est:A"},
		{"a teacher asking for a deactivated student of their class", "t1", access.ReadName, "sOff"},
		{"a teacher asking for the parent of a deactivated student", "t1", access.ReadName, "pOff"},
		{"a head of establishment A asking about a student of B", "hA", access.ReadName, "s5"},
		{"a head of establishment A asking about B's overview", "hA", access.ReadEstablishment, "est:B"},
		{"a head of establishment A asking about B's class", "hA", access.ReadClass, "2B"},
		{"a head of B with a function row in A but no attachment", "hB", access.ReadName, "s1"},
		{"a head of B with a function row in A but no attachment (overview)", "hB", access.ReadEstablishment, "est:A"},
		{"a CPE asking for a deactivated student", "cA", access.ReadName, "sOff"},
		{"a CPE asking for a teacher's address", "cA", access.ReadContact, "t1"},
		{"a documentalist asking for a student's record", "dA", access.ReadRecord, "s1"},
		{"a documentalist asking for a relative", "dA", access.ReadName, "p1"},
		{"a documentalist asking for a group roster", "dA", access.ReadRoster, "ESP"},
		{"a staff member without function asking for a student", "agA", access.ReadName, "s1"},
		{"a staff member without function asking for a class", "agA", access.ReadClass, "6A"},
		{"an operator asking for a family's address", "admA", access.ReadContact, "p1"},
		{"an operator asking for a student's phone", "admA", access.ReadContact, "s1"},
		{"an operator asking about an establishment they are not attached to", "admA", access.ReadName, "s5"},
		{"an operator asking for another establishment's overview", "admA", access.ReadEstablishment, "est:B"},
	}
	for _, c := range cases {
		v, err := p.Viewer(ctx, f.people[c.viewer])
		if err != nil {
			t.Fatal(err)
		}
		var r access.Resource
		switch {
		case strings.HasPrefix(c.target, "est:"):
			r = access.Establishment(f.ests[strings.TrimPrefix(c.target, "est:")])
		case f.people[c.target] != "":
			r = access.Person(f.people[c.target])
		default:
			r = f.structs[c.target]
		}
		if r.ID == "" {
			t.Fatalf("%s: unknown target %q", c.why, c.target)
		}
		err = p.Can(ctx, v, c.action, r)
		if !errors.Is(err, access.ErrDenied) {
			t.Errorf("%s (%s %s %s): got %v, want ErrDenied", c.why, c.viewer, c.action, c.target, err)
			continue
		}
		// The reason is for logs: no identifier, no name.
		if strings.Contains(err.Error(), r.ID) {
			t.Errorf("%s: refusal reason %q reveals the target", c.why, err)
		}
	}
}

func TestViewer(t *testing.T) {
	ctx := context.Background()
	d := dbtest.Open(t)
	f := buildFixture(t, d)
	p := access.New(d)

	for _, id := range []string{f.people["sOff"], "nobody"} {
		if _, err := p.Viewer(ctx, id); !errors.Is(err, access.ErrInactive) {
			t.Errorf("Viewer(%s) = %v, want ErrInactive", id, err)
		}
	}

	v, err := p.Viewer(ctx, f.people["t2"])
	if err != nil {
		t.Fatal(err)
	}
	if v.Profile != roles.Teacher || strings.Join(v.Establishments, " ") != strings.Join(sortedIDs(f.ests["A"], f.ests["B"]), " ") {
		t.Errorf("t2 viewer = %+v", v)
	}
	hB, err := p.Viewer(ctx, f.people["hB"])
	if err != nil {
		t.Fatal(err)
	}
	if len(hB.Functions) != 1 || strings.Join(hB.Functions[f.ests["B"]], " ") != roles.Head {
		t.Errorf("hB functions = %v, want head in B only (not attached to A)", hB.Functions)
	}

	// A hand-made or nil viewer is refused.
	fake := &access.Viewer{ID: f.people["hA"], Profile: roles.Admin, Establishments: []string{f.ests["A"]}}
	checkAnswer(t, p.Can(ctx, fake, access.ReadName, access.Person(f.people["hA"])), false, "hand-made viewer")
	checkAnswer(t, p.Can(ctx, nil, access.ReadName, access.Person(f.people["hA"])), false, "nil viewer")
	if vis, err := p.VisiblePeople(ctx, fake, access.ReadName, []string{f.people["hA"]}); err != nil || len(vis) != 0 {
		t.Errorf("VisiblePeople with a hand-made viewer = %v, %v", vis, err)
	}

	// Editing the exported fields widens nothing.
	ag, err := p.Viewer(ctx, f.people["agA"])
	if err != nil {
		t.Fatal(err)
	}
	ag.Profile = roles.Admin
	ag.Functions[f.ests["A"]] = []string{roles.Head}
	ag.Establishments = append(ag.Establishments, f.ests["B"])
	checkAnswer(t, p.Can(ctx, ag, access.ReadName, access.Person(f.people["s1"])), false, "agA promoted by hand")
	checkAnswer(t, p.Can(ctx, ag, access.ReadEstablishment, access.Establishment(f.ests["A"])), false, "agA promoted by hand")
}

func sortedIDs(ids ...string) []string {
	sort.Strings(ids)
	return ids
}

// countingQuerier counts the queries a policy sends.
type countingQuerier struct {
	db.Querier
	n int
}

func (c *countingQuerier) Query(ctx context.Context, q string, args ...any) (db.Rows, error) {
	c.n++
	return c.Querier.Query(ctx, q, args...)
}

// A page asking many questions costs a handful of queries.
func TestRoundTrips(t *testing.T) {
	ctx := context.Background()
	d := dbtest.Open(t)
	f := buildFixture(t, d)
	for _, login := range []string{"t2", "s1", "p1", "hA"} {
		cq := &countingQuerier{Querier: d}
		p := access.New(cq)
		v, err := p.Viewer(ctx, f.people[login])
		if err != nil {
			t.Fatal(err)
		}
		ids := make([]string, 0, len(f.people))
		for _, id := range f.people {
			ids = append(ids, id)
		}
		cq.n = 0
		for _, a := range []access.Action{access.ReadName, access.ReadRecord, access.ReadContact} {
			if _, err := p.VisiblePeople(ctx, v, a, ids); err != nil {
				t.Fatal(err)
			}
		}
		for _, id := range ids {
			for _, a := range []access.Action{access.ReadName, access.ReadRecord, access.ReadContact} {
				p.Can(ctx, v, a, access.Person(id))
			}
		}
		// One query for the targets, at most one for the viewer's scope.
		if cq.n > 2 {
			t.Errorf("%s: %d queries for %d people × 3 actions, want at most 2", login, cq.n, len(ids))
		}
	}
}

// One Viewer may be shared by the goroutines of a request.
func TestConcurrentViewer(t *testing.T) {
	ctx := context.Background()
	d := dbtest.Open(t)
	f := buildFixture(t, d)
	p := access.New(d)
	v, err := p.Viewer(ctx, f.people["t2"])
	if err != nil {
		t.Fatal(err)
	}
	want := set(matrix["t2"].name)
	errs := make(chan error, len(f.people))
	for login, id := range f.people {
		go func() {
			err := p.Can(ctx, v, access.ReadName, access.Person(id))
			if (err == nil) != (want[login] || login == "t2") {
				err = fmt.Errorf("read-name %s: got %v", login, err)
			} else {
				err = nil
			}
			errs <- err
		}()
	}
	for range f.people {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}
