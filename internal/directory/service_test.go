package directory_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"testing"

	"cartable/internal/access"
	"cartable/internal/db"
	"cartable/internal/demo"
	"cartable/internal/directory"
)

// world is the demo school with the witnesses the service tests need,
// found in the tables by relation so that a change of the demo fails
// loudly instead of testing nothing.
type world struct {
	t            *testing.T
	d            *db.DB
	p            *access.Policy
	main, second string // establishment IDs
}

func newWorld(t *testing.T) *world {
	// Large enough for a collège whose teachers do not all teach every
	// class.
	d := demoDB(t, 200)
	w := &world{t: t, d: d, p: access.New(d)}
	w.main = w.one(`SELECT id FROM establishments WHERE uai = ?`, demo.MainUAI)
	w.second = w.one(`SELECT id FROM establishments WHERE uai = ?`, demo.SecondUAI)
	return w
}

// all runs a query of one text column, sorted.
func (w *world) all(q string, args ...any) []string {
	w.t.Helper()
	return strings(w.t, w.d, q, args...)
}

// one is the first value of all; the test stops when there is none.
func (w *world) one(q string, args ...any) string {
	w.t.Helper()
	v := w.all(q, args...)
	if len(v) == 0 {
		w.t.Fatalf("no witness in the demo for: %s %v", q, args)
	}
	return v[0]
}

// pick is the first of candidates for which the query q, given the
// arguments args(candidate), finds a value: the candidate and that value.
func (w *world) pick(candidates []string, q string, args func(string) []any) (string, string) {
	w.t.Helper()
	for _, c := range candidates {
		if v := w.all(q, args(c)...); len(v) > 0 {
			return c, v[0]
		}
	}
	w.t.Fatalf("no witness in the demo for: %s", q)
	return "", ""
}

func (w *world) viewer(id string) *access.Viewer {
	w.t.Helper()
	v, err := w.p.Viewer(context.Background(), id)
	if err != nil {
		w.t.Fatalf("viewer %s: %v", id, err)
	}
	return v
}

func (w *world) person(id string) directory.Person {
	w.t.Helper()
	p, err := directory.PersonRow(context.Background(), access.System("test"), w.d, id)
	if err != nil {
		w.t.Fatal(err)
	}
	return p
}

// onlyMain completes "column IN …" into the SQL condition "the person
// in column %[1]s is attached to the main establishment only" (arguments:
// the main establishment twice).
const onlyMain = ` IN (SELECT person_id FROM memberships WHERE establishment_id = ?)
	AND %[1]s NOT IN (SELECT person_id FROM memberships WHERE establishment_id <> ?)`

func (w *world) staffWith(function string) string {
	return w.one(`SELECT person_id FROM functions WHERE establishment_id = ? AND function = ?`, w.main, function)
}

// refused checks that err is the policy's refusal naming res, which the
// pages audit and answer 404.
func refused(t *testing.T, what string, err error, res access.Resource) {
	t.Helper()
	var d *access.Denied
	if !errors.Is(err, access.ErrDenied) || !errors.As(err, &d) {
		t.Errorf("%s: %v, want a refusal", what, err)
		return
	}
	if d.Resource != res {
		t.Errorf("%s: the refusal names %v, want %v", what, d.Resource, res)
	}
}

// levels writes what a view holds: C (card), R (record), K (contact).
func levels(v directory.PersonView) string {
	s := "C"
	if v.Record != nil {
		s += "R"
	}
	if v.Contact != nil {
		s += "K"
	}
	return s
}

// The person view of every kind of viewer on every kind of target holds
// what the matrix of the access package documentation grants: the card
// (C), the school record (R), the contact details (K), or a refusal ("").
func TestViewPersonFollowsTheMatrix(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	M := w.main
	only := func(col string) string { return col + fmt.Sprintf(onlyMain, col) }

	// A student of the main establishment with a family, their class,
	// a classmate, a teacher, and a student sharing neither class nor group.
	s := w.one(`SELECT f.student_id FROM family_links f WHERE `+only("f.student_id"), M, M)
	class := w.one(`SELECT class_id FROM enrolments WHERE student_id = ?`, s)
	mate := w.one(`SELECT student_id FROM enrolments WHERE class_id = ? AND student_id <> ?`, class, s)
	sRelative := w.one(`SELECT relative_id FROM family_links WHERE student_id = ?`, s)
	sTeacher := w.one(`SELECT teacher_id FROM teaching_assignments WHERE class_id = ?`, class)
	stranger := w.one(`SELECT p.id FROM people p WHERE p.profile = 'student' AND `+only("p.id")+`
		AND p.id NOT IN (SELECT student_id FROM enrolments WHERE class_id IN (SELECT class_id FROM enrolments WHERE student_id = ?))
		AND p.id NOT IN (SELECT student_id FROM group_members WHERE group_id IN (SELECT group_id FROM group_members WHERE student_id = ?))`,
		M, M, s, s)
	strangerRelative := w.one(`SELECT relative_id FROM family_links WHERE student_id = ?
		AND relative_id NOT IN (SELECT relative_id FROM family_links WHERE student_id = ?)`, stranger, s)
	foreign := w.one(`SELECT p.id FROM people p WHERE p.profile = 'student' AND p.id IN
		(SELECT person_id FROM memberships WHERE establishment_id = ?) AND p.id NOT IN
		(SELECT person_id FROM memberships WHERE establishment_id = ?)`, w.second, M)

	// A legal guardian whose child has another relative (the co-parent),
	// and a linked relative who is not a guardian.
	guardian := w.one(`SELECT f.relative_id FROM family_links f WHERE f.legal_guardian AND `+only("f.student_id")+`
		AND EXISTS (SELECT 1 FROM family_links o WHERE o.student_id = f.student_id AND o.relative_id <> f.relative_id)`, M, M)
	gChild := w.one(`SELECT student_id FROM family_links WHERE relative_id = ? AND legal_guardian`, guardian)
	coParent := w.one(`SELECT relative_id FROM family_links WHERE student_id = ? AND relative_id <> ?`, gChild, guardian)
	gChildTeacher := w.one(`SELECT a.teacher_id FROM teaching_assignments a JOIN enrolments e ON e.class_id = a.class_id
		WHERE e.student_id = ?`, gChild)
	notGuardian := w.one(`SELECT relative_id FROM family_links WHERE NOT legal_guardian AND `+only("student_id"), M, M)
	ngChild := w.one(`SELECT student_id FROM family_links WHERE relative_id = ? AND NOT legal_guardian`, notGuardian)

	// A teacher of a class, one of its students and that student's
	// guardian, a colleague, and a student the teacher does not teach.
	teachers := w.all(`SELECT a.teacher_id FROM teaching_assignments a WHERE a.class_id IS NOT NULL AND `+only("a.teacher_id"), M, M)
	teacher, untaught := w.pick(teachers, `SELECT p.id FROM people p WHERE p.profile = 'student' AND `+only("p.id")+`
		AND p.id NOT IN (SELECT e.student_id FROM enrolments e JOIN teaching_assignments a ON a.class_id = e.class_id WHERE a.teacher_id = ?)
		AND p.id NOT IN (SELECT m.student_id FROM group_members m JOIN teaching_assignments a ON a.group_id = m.group_id WHERE a.teacher_id = ?)
		AND p.id NOT IN (SELECT e.student_id FROM enrolments e JOIN head_teachers h ON h.class_id = e.class_id WHERE h.teacher_id = ?)`,
		func(t string) []any { return []any{M, M, t, t, t} })
	tClass := w.one(`SELECT class_id FROM teaching_assignments WHERE teacher_id = ? AND class_id IS NOT NULL`, teacher)
	taught := w.one(`SELECT e.student_id FROM enrolments e WHERE e.class_id = ? AND e.student_id IN
		(SELECT student_id FROM family_links WHERE legal_guardian)`, tClass)
	taughtGuardian := w.one(`SELECT relative_id FROM family_links WHERE student_id = ? AND legal_guardian`, taught)
	colleague := w.one(`SELECT p.id FROM people p WHERE p.profile = 'teacher' AND p.id <> ? AND `+only("p.id"), teacher, M, M)

	head, secretary, cpe, doc := w.staffWith("head"), w.staffWith("secretary"), w.staffWith("cpe"), w.staffWith("documentalist")
	admin := w.one(`SELECT id FROM people WHERE profile = 'admin'`)

	// A member of staff without a function, whom the demo does not have.
	plain := &directory.Person{Profile: "staff", Login: "plain.staff", LastName: "PLAIN", FirstName: "Agent", Active: true}
	if err := w.d.Tx(ctx, func(tx *db.Tx) error {
		if err := directory.CreatePerson(ctx, access.System("test"), tx, plain, ""); err != nil {
			return err
		}
		return directory.AddMembership(ctx, access.System("test"), tx, plain.ID, M)
	}); err != nil {
		t.Fatal(err)
	}

	// A student who left: only the head, the deputy, the secretary and
	// the operators still see them.
	left := w.one(`SELECT e.student_id FROM enrolments e WHERE e.class_id = ? AND e.student_id NOT IN (?, ?, ?)`, tClass, s, mate, taught)
	if _, err := w.d.Exec(ctx, `UPDATE people SET active = FALSE WHERE id = ?`, left); err != nil {
		t.Fatal(err)
	}

	cases := []struct {
		who, viewer  string
		what, target string
		want         string
	}{
		{"student", s, "themself", s, "CRK"},
		{"student", s, "a classmate", mate, "C"},
		{"student", s, "their relative", sRelative, "C"},
		{"student", s, "their teacher", sTeacher, "C"},
		{"student", s, "the head", head, "C"},
		{"student", s, "a student sharing no class or group", stranger, ""},
		{"student", s, "another family's relative", strangerRelative, ""},
		{"student", s, "a student of another establishment", foreign, ""},
		{"student", s, "an unknown id", "nobody", ""},

		{"guardian", guardian, "their child", gChild, "CRK"},
		{"guardian", guardian, "their child's teacher", gChildTeacher, "C"},
		{"guardian", guardian, "the child's other relative", coParent, ""},
		{"guardian", guardian, "another family's child", stranger, ""},
		{"guardian", guardian, "the head", head, "C"},
		{"relative, not guardian", notGuardian, "their child", ngChild, "CR"},

		{"teacher", teacher, "a student taught", taught, "CR"},
		{"teacher", teacher, "the guardian of a student taught", taughtGuardian, "CK"},
		{"teacher", teacher, "a colleague", colleague, "C"},
		{"teacher", teacher, "a student not taught", untaught, ""},
		{"teacher", teacher, "a student taught who left", left, ""},
		{"teacher", teacher, "a student of another establishment", foreign, ""},

		{"head", head, "a student", stranger, "CRK"},
		{"head", head, "a relative", strangerRelative, "CRK"},
		{"head", head, "a teacher", teacher, "CRK"},
		{"head", head, "a student who left", left, "CRK"},
		{"head", head, "a student of another establishment", foreign, ""},
		{"head", head, "an unknown id", "nobody", ""},
		{"secretary", secretary, "a relative", strangerRelative, "CRK"},

		{"cpe", cpe, "a student", stranger, "CRK"},
		{"cpe", cpe, "a relative", strangerRelative, "CRK"},
		{"cpe", cpe, "a teacher", teacher, "C"},
		{"cpe", cpe, "a student who left", left, ""},

		{"documentalist", doc, "a student", stranger, "C"},
		{"documentalist", doc, "a teacher", teacher, "C"},
		{"documentalist", doc, "a relative", strangerRelative, ""},

		{"admin", admin, "a student", stranger, "CR"},
		{"admin", admin, "a relative", strangerRelative, "CR"},
		{"admin", admin, "a student who left", left, "CR"},

		{"staff without function", plain.ID, "a teacher", teacher, "C"},
		{"staff without function", plain.ID, "a student", stranger, ""},
	}
	for _, c := range cases {
		what := fmt.Sprintf("%s on %s", c.who, c.what)
		got, err := directory.ViewPerson(ctx, w.viewer(c.viewer), w.d, c.target)
		if c.want == "" {
			refused(t, what, err, access.Person(c.target))
			if got.ID != "" || got.Record != nil || got.Contact != nil {
				t.Errorf("%s: a refusal came with data: %+v", what, got)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", what, err)
			continue
		}
		if l := levels(got); l != c.want {
			t.Errorf("%s: sees %s, want %s", what, l, c.want)
		}
		// What is shown is the person's own data, level by level.
		p := w.person(c.target)
		if got.ID != p.ID || got.FirstName != p.FirstName || got.LastName != p.LastName || got.Profile != p.Profile || got.Active != p.Active {
			t.Errorf("%s: card %+v, person %+v", what, got.Card, p)
		}
		if r := got.Record; r != nil && (r.BirthDate != p.BirthDate || r.Login != p.Login) {
			t.Errorf("%s: record %+v, person %+v", what, r, p)
		}
		if k := got.Contact; k != nil && *k != (directory.Contact{Email: p.Email, Phone: p.Phone, Address: p.Address, PostalCode: p.PostalCode, City: p.City}) {
			t.Errorf("%s: contact %+v, person %+v", what, k, p)
		}
		if p.Profile == "student" {
			codes := w.all(`SELECT c.code FROM enrolments e JOIN classes c ON c.id = e.class_id
				JOIN school_years y ON y.id = c.school_year_id WHERE e.student_id = ? AND NOT y.closed`, p.ID)
			if !slices.Equal(got.Classes, codes) || len(codes) == 0 {
				t.Errorf("%s: class codes on the card %v, want %v", what, got.Classes, codes)
			}
		}
	}
}

// For every pair of a sample of viewers and every person of the demo, the
// view holds exactly what the policy answers, and the account management
// link follows manage-account.
func TestViewPersonAgreesWithThePolicy(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	var viewers []string
	for _, q := range []string{
		`SELECT id FROM people WHERE profile = 'student'`,
		`SELECT relative_id FROM family_links WHERE legal_guardian`,
		`SELECT relative_id FROM family_links WHERE NOT legal_guardian`,
		`SELECT teacher_id FROM head_teachers`,
		`SELECT person_id FROM functions WHERE function = 'head'`,
		`SELECT person_id FROM functions WHERE function = 'secretary'`,
		`SELECT person_id FROM functions WHERE function = 'cpe'`,
		`SELECT person_id FROM functions WHERE function = 'documentalist'`,
		`SELECT id FROM people WHERE profile = 'admin'`,
	} {
		viewers = append(viewers, w.one(q))
	}
	people := append(w.all(`SELECT id FROM people`), "nobody")
	granted := map[string]int{}
	for _, vid := range viewers {
		v := w.viewer(vid)
		for _, id := range people {
			res := access.Person(id)
			name, err := v.May(ctx, access.ReadName, res)
			if err != nil {
				t.Fatal(err)
			}
			got, err := directory.ViewPerson(ctx, v, w.d, id)
			if !name {
				refused(t, vid+" on "+id, err, res)
				continue
			}
			if err != nil {
				t.Fatalf("%s on %s: %v", vid, id, err)
			}
			record, _ := v.May(ctx, access.ReadRecord, res)
			contact, _ := v.May(ctx, access.ReadContact, res)
			manageErr := v.Can(ctx, access.ManageAccount, res)
			manage := manageErr == nil
			var why error // what the page explains
			for _, e := range []error{access.ErrPrivilege, access.ErrElsewhere} {
				if errors.Is(manageErr, e) {
					why = e
				}
			}
			if (got.Record != nil) != record || (got.Contact != nil) != contact || got.ManageAccount != manage {
				t.Errorf("%s on %s: record %v contact %v manage %v, the policy says %v %v %v", vid, id,
					got.Record != nil, got.Contact != nil, got.ManageAccount, record, contact, manage)
			}
			if got.NoManage != why {
				t.Errorf("%s on %s: the refusal explained is %v, want %v", vid, id, got.NoManage, why)
			}
			granted[levels(got)]++
			if got.ManageAccount {
				granted["manage"]++
			}
			if got.NoManage != nil {
				granted[got.NoManage.Error()]++
			}
		}
	}
	for _, l := range []string{"C", "CR", "CK", "CRK", "manage", access.ErrPrivilege.Error(), access.ErrElsewhere.Error()} {
		if granted[l] == 0 {
			t.Errorf("no view of kind %s: the sample does not exercise it (%v)", l, granted)
		}
	}
}

// The record's lists: a student's classes and groups; their family, each
// relative only if the viewer may see them; a relative's children; a
// teacher's teaching.
func TestViewPersonRecordLists(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	head := w.viewer(w.staffWith("head"))

	inMain := ` IN (SELECT person_id FROM memberships m JOIN establishments e ON e.id = m.establishment_id
		WHERE e.uai = '` + demo.MainUAI + `')`
	s := w.one(`SELECT student_id FROM group_members WHERE student_id IN (SELECT student_id FROM family_links)`)
	self, err := directory.ViewPerson(ctx, w.viewer(s), w.d, s)
	if err != nil {
		t.Fatal(err)
	}
	var classes, groups, relatives []string
	for _, c := range self.Record.Classes {
		classes = append(classes, c.ID)
	}
	for _, g := range self.Record.Groups {
		groups = append(groups, g.ID)
	}
	for _, k := range self.Record.Relatives {
		relatives = append(relatives, k.ID)
		if k.Link.StudentID != s || k.Link.RelativeID != k.ID {
			t.Errorf("relative %s: link %+v", k.ID, k.Link)
		}
	}
	sort.Strings(classes)
	sort.Strings(groups)
	sort.Strings(relatives)
	if want := w.all(`SELECT class_id FROM enrolments WHERE student_id = ?`, s); !slices.Equal(classes, want) {
		t.Errorf("own classes %v, want %v", classes, want)
	}
	if want := w.all(`SELECT group_id FROM group_members WHERE student_id = ?`, s); !slices.Equal(groups, want) || len(want) == 0 {
		t.Errorf("own groups %v, want %v", groups, want)
	}
	if want := w.all(`SELECT relative_id FROM family_links WHERE student_id = ?`, s); !slices.Equal(relatives, want) {
		t.Errorf("own relatives %v, want %v", relatives, want)
	}

	// A guardian reading their child's record sees themself among the
	// child's relatives, never the co-parent.
	guardian := w.one(`SELECT f.relative_id FROM family_links f WHERE f.legal_guardian AND f.student_id` + inMain + `
		AND EXISTS (SELECT 1 FROM family_links o WHERE o.student_id = f.student_id AND o.relative_id <> f.relative_id)`)
	child := w.one(`SELECT student_id FROM family_links WHERE relative_id = ? AND student_id`+inMain+` AND student_id IN
		(SELECT student_id FROM family_links WHERE relative_id <> ?)`, guardian, guardian)
	seen, err := directory.ViewPerson(ctx, w.viewer(guardian), w.d, child)
	if err != nil {
		t.Fatal(err)
	}
	if len(seen.Record.Relatives) != 1 || seen.Record.Relatives[0].ID != guardian {
		t.Errorf("a guardian sees the child's relatives %+v, want themself only", seen.Record.Relatives)
	}
	if all, _ := directory.ViewPerson(ctx, head, w.d, child); len(all.Record.Relatives) < 2 {
		t.Errorf("the head sees %d relatives of the child, want them all", len(all.Record.Relatives))
	}

	// A relative's record lists their active children; a teacher's their
	// teaching, line by line.
	rel, err := directory.ViewPerson(ctx, head, w.d, guardian)
	if err != nil {
		t.Fatal(err)
	}
	var kids []string
	for _, k := range rel.Record.Children {
		kids = append(kids, k.ID)
	}
	sort.Strings(kids)
	if want := w.all(`SELECT student_id FROM family_links WHERE relative_id = ?`, guardian); !slices.Equal(kids, want) {
		t.Errorf("children %v, want %v", kids, want)
	}
	teacher := w.one(`SELECT teacher_id FROM teaching_assignments WHERE teacher_id` + inMain)
	tv, err := directory.ViewPerson(ctx, head, w.d, teacher)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := teachingRows(tv.Record.Teaching), assignmentRows(t, w.d, `a.teacher_id = ?`, teacher); !slices.Equal(got, want) {
		t.Errorf("teaching on the record:\n got %q\nwant %q", got, want)
	}
	if self.Record.Children != nil || self.Record.Teaching != nil || rel.Record.Relatives != nil {
		t.Error("a record holds lists of another profile")
	}
}

func teacherSet(rows []directory.TeachingRow) map[string]bool {
	out := map[string]bool{}
	for _, r := range rows {
		out[r.Teacher.ID] = true
	}
	return out
}

func TestViewClassAndGroup(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	head := w.viewer(w.staffWith("head"))

	// A class taught through a group drawn from it with a teacher of the
	// school who teaches it nothing, a student of the class outside that
	// group, and the student's guardian.
	class, otherTeacher := w.pick(w.all(`SELECT gc.class_id FROM group_classes gc JOIN teaching_assignments a ON a.group_id = gc.group_id
		WHERE a.establishment_id = ?`, w.main), `SELECT p.id FROM people p JOIN memberships m ON m.person_id = p.id
		WHERE p.profile = 'teacher' AND m.establishment_id = ?
		AND p.id NOT IN (SELECT teacher_id FROM teaching_assignments WHERE class_id = ? OR group_id IN
			(SELECT group_id FROM group_classes WHERE class_id = ?))
		AND p.id NOT IN (SELECT teacher_id FROM head_teachers WHERE class_id = ?)`,
		func(c string) []any { return []any{w.main, c, c, c} })
	group := w.one(`SELECT gc.group_id FROM group_classes gc JOIN teaching_assignments a ON a.group_id = gc.group_id WHERE gc.class_id = ?`, class)
	s := w.one(`SELECT student_id FROM enrolments WHERE class_id = ? AND student_id NOT IN
		(SELECT student_id FROM group_members WHERE group_id = ?) AND student_id IN (SELECT student_id FROM family_links)`, class, group)
	guardian := w.one(`SELECT relative_id FROM family_links WHERE student_id = ?`, s)
	member := w.one(`SELECT student_id FROM group_members WHERE group_id = ?`, group)
	outsider := w.one(`SELECT e.student_id FROM enrolments e JOIN classes c ON c.id = e.class_id
		WHERE c.establishment_id = (SELECT establishment_id FROM classes WHERE id = ?) AND e.class_id <> ?
		AND e.student_id NOT IN (SELECT student_id FROM group_members WHERE group_id = ?)`, class, class, group)
	roster := w.all(`SELECT student_id FROM enrolments WHERE class_id = ?`, class)
	heads := w.all(`SELECT teacher_id FROM head_teachers WHERE class_id = ?`, class)

	ids := func(cs []directory.Card) []string {
		var out []string
		for _, c := range cs {
			out = append(out, c.ID)
		}
		sort.Strings(out)
		return out
	}
	all, err := directory.ViewClass(ctx, head, w.d, class)
	if err != nil {
		t.Fatal(err)
	}
	if !all.Shown || !slices.Equal(ids(all.Roster), roster) || !slices.Equal(ids(all.Heads), heads) || !all.Letters || all.Class.ID != class {
		t.Errorf("head on the class: shown %v, roster %v (want %v), heads %v (want %v), letters %v",
			all.Shown, ids(all.Roster), roster, ids(all.Heads), heads, all.Letters)
	}
	if got, want := len(all.Teaching), len(assignmentRows(t, w.d, `a.class_id = ? OR a.group_id IN (SELECT group_id FROM group_classes WHERE class_id = ?)`, class, class)); got != want {
		t.Errorf("head sees %d teaching lines, want %d", got, want)
	}

	// The student and their guardian see the class's teachers that teach
	// the student (or, for the guardian, another of their children), not
	// the teacher of a group the student is not in.
	teachersOf := func(students string, arg string) map[string]bool {
		out := map[string]bool{}
		for _, id := range w.all(`SELECT a.teacher_id FROM teaching_assignments a WHERE a.class_id IN
			(SELECT class_id FROM enrolments WHERE student_id IN (`+students+`)) OR a.group_id IN
			(SELECT group_id FROM group_members WHERE student_id IN (`+students+`))
			UNION SELECT teacher_id FROM head_teachers WHERE class_id IN
			(SELECT class_id FROM enrolments WHERE student_id IN (`+students+`))`, arg, arg, arg) {
			out[id] = true
		}
		return out
	}
	filtered := 0
	for who, vid := range map[string]string{"student": s, "guardian": guardian} {
		mine := teachersOf(`SELECT student_id FROM family_links WHERE relative_id = ?`, vid)
		if who == "student" {
			mine = teachersOf(`SELECT id FROM people WHERE id = ?`, vid)
		}
		got, err := directory.ViewClass(ctx, w.viewer(vid), w.d, class)
		if err != nil {
			t.Fatalf("%s on their class: %v", who, err)
		}
		for id := range teacherSet(got.Teaching) {
			if !mine[id] {
				t.Errorf("%s sees teacher %s, who does not teach the student", who, id)
			}
		}
		for _, r := range all.Teaching {
			if mine[r.Teacher.ID] && !teacherSet(got.Teaching)[r.Teacher.ID] {
				t.Errorf("%s does not see their teacher %s", who, r.Teacher.ID)
			}
			if !mine[r.Teacher.ID] {
				filtered++
			}
		}
		if !slices.Equal(ids(got.Heads), heads) || got.Letters {
			t.Errorf("%s: heads %v (want %v), letters %v", who, ids(got.Heads), heads, got.Letters)
		}
		if wantRoster := who == "student"; got.Shown != wantRoster || (got.Roster != nil) != wantRoster {
			t.Errorf("%s: roster shown %v (%d names), want %v", who, got.Shown, len(got.Roster), wantRoster)
		}
	}
	if filtered == 0 {
		t.Fatal("no teacher was left out: the test proves nothing about the filter")
	}

	// A teacher opens every class of the school, the roster only of those
	// taught; a student of another class opens nothing.
	other, err := directory.ViewClass(ctx, w.viewer(otherTeacher), w.d, class)
	if err != nil || other.Shown || other.Roster != nil || other.Letters {
		t.Errorf("a teacher not teaching the class: %v, shown %v, letters %v", err, other.Shown, other.Letters)
	}
	_, err = directory.ViewClass(ctx, w.viewer(outsider), w.d, class)
	refused(t, "a student on another class", err, access.Class(class))
	_, err = directory.ViewClass(ctx, head, w.d, "nothing")
	refused(t, "an unknown class", err, access.Class("nothing"))
	foreign := w.one(`SELECT id FROM classes WHERE establishment_id = ?`, w.second)
	_, err = directory.ViewClass(ctx, head, w.d, foreign)
	refused(t, "the head on a class of another establishment", err, access.Class(foreign))

	// The group: its members see the roster, a member's relative the
	// page only, a teacher who does not teach it nothing.
	members := w.all(`SELECT student_id FROM group_members WHERE group_id = ?`, group)
	g, err := directory.ViewGroup(ctx, w.viewer(member), w.d, group)
	if err != nil || !g.Shown || !slices.Equal(ids(g.Roster), members) || g.Group.ID != group || len(g.Group.ClassIDs) == 0 {
		t.Errorf("a member on their group: %v, shown %v, roster %v (want %v)", err, g.Shown, ids(g.Roster), members)
	}
	memberGuardian := w.one(`SELECT relative_id FROM family_links WHERE student_id = ?`, member)
	g, err = directory.ViewGroup(ctx, w.viewer(memberGuardian), w.d, group)
	if err != nil || g.Shown || g.Roster != nil {
		t.Errorf("a member's relative on the group: %v, shown %v", err, g.Shown)
	}
	_, err = directory.ViewGroup(ctx, w.viewer(otherTeacher), w.d, group)
	refused(t, "a teacher on a group not taught", err, access.Group(group))
	_, err = directory.ViewGroup(ctx, w.viewer(s), w.d, group)
	refused(t, "a student on a group not theirs", err, access.Group(group))
	_, err = directory.ViewGroup(ctx, head, w.d, "nothing")
	refused(t, "an unknown group", err, access.Group("nothing"))
}

func TestViewEstablishment(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	const day = "2026-11-28"
	head := w.viewer(w.staffWith("head"))
	o, err := directory.ViewEstablishment(ctx, head, w.d, w.main, day)
	if err != nil {
		t.Fatal(err)
	}
	for _, profile := range []string{"student", "relative", "teacher", "staff"} {
		want := len(w.all(`SELECT p.id FROM people p JOIN memberships m ON m.person_id = p.id
			WHERE m.establishment_id = ? AND p.active AND p.profile = ?`, w.main, profile))
		if o.Counts[profile] != want || want == 0 {
			t.Errorf("%s count %d, want %d", profile, o.Counts[profile], want)
		}
	}
	var classes, staff []string
	for _, c := range o.Classes {
		classes = append(classes, c.ID)
	}
	for _, s := range o.Staff {
		for _, f := range s.Functions {
			staff = append(staff, s.ID+" "+f)
		}
	}
	sort.Strings(classes)
	sort.Strings(staff)
	if want := w.all(`SELECT c.id FROM classes c JOIN school_years y ON y.id = c.school_year_id
		WHERE c.establishment_id = ? AND NOT y.closed`, w.main); !slices.Equal(classes, want) {
		t.Errorf("classes %v, want %v", classes, want)
	}
	if want := w.all(`SELECT person_id || ' ' || function FROM functions WHERE establishment_id = ?`, w.main); !slices.Equal(staff, want) {
		t.Errorf("staff %v, want %v", staff, want)
	}
	if o.Year == nil || o.Year.Label != "2026-2027" || len(o.Periods) != 3 || !o.Security {
		t.Errorf("year %+v, %d periods, security %v", o.Year, len(o.Periods), o.Security)
	}
	if o, err := directory.ViewEstablishment(ctx, head, w.d, w.main, "2031-01-01"); err != nil || o.Year == nil {
		t.Errorf("out of the year, the latest open one: %+v %v", o.Year, err)
	}

	cpe := w.viewer(w.staffWith("cpe"))
	if o, err := directory.ViewEstablishment(ctx, cpe, w.d, w.main, day); err != nil || o.Security || len(o.Classes) == 0 {
		t.Errorf("the CPE: %v, security %v", err, o.Security)
	}
	teacher := w.viewer(w.one(`SELECT teacher_id FROM teaching_assignments WHERE establishment_id = ?`, w.main))
	for what, c := range map[string]struct {
		v  *access.Viewer
		id string
	}{
		"a teacher":                    {teacher, w.main},
		"the head, elsewhere":          {head, w.second},
		"the head, an unknown id":      {head, "nowhere"},
		"the documentalist":            {w.viewer(w.staffWith("documentalist")), w.main},
		"a student of the school":      {w.viewer(w.one(`SELECT id FROM people WHERE profile = 'student'`)), w.main},
		"a relative with a child here": {w.viewer(w.one(`SELECT relative_id FROM family_links`)), w.main},
	} {
		o, err := directory.ViewEstablishment(ctx, c.v, w.d, c.id, day)
		refused(t, what, err, access.Establishment(c.id))
		if o.Counts != nil || o.Staff != nil {
			t.Errorf("%s: a refusal came with data", what)
		}
	}
}

func TestViewStudentSchool(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	guardian := w.one(`SELECT f.relative_id FROM family_links f WHERE f.legal_guardian
		AND EXISTS (SELECT 1 FROM family_links o WHERE o.student_id = f.student_id AND o.relative_id <> f.relative_id)`)
	child := w.one(`SELECT student_id FROM family_links WHERE relative_id = ? AND student_id IN
		(SELECT student_id FROM family_links WHERE relative_id <> ?)`, guardian, guardian)

	own, err := directory.ViewStudentSchool(ctx, w.viewer(child), w.d, child)
	if err != nil {
		t.Fatal(err)
	}
	wantTeaching := assignmentRows(t, w.d, `a.class_id IN (SELECT class_id FROM enrolments WHERE student_id = ?) OR
		a.group_id IN (SELECT group_id FROM group_members WHERE student_id = ?)`, child, child)
	if got := teachingRows(own.Teaching); !slices.Equal(got, wantTeaching) {
		t.Errorf("the student's own teachers:\n got %q\nwant %q", got, wantTeaching)
	}
	if own.Student.ID != child || len(own.Schooling) != 1 || len(own.Schooling[0].HeadTeachers) == 0 {
		t.Errorf("the student's schooling: %+v", own.Schooling)
	}
	if want := len(w.all(`SELECT relative_id FROM family_links WHERE student_id = ?`, child)); len(own.Relatives) != want {
		t.Errorf("the student sees %d relatives, want %d", len(own.Relatives), want)
	}

	// The guardian sees the same school and teachers, and among the
	// child's relatives only themself.
	seen, err := directory.ViewStudentSchool(ctx, w.viewer(guardian), w.d, child)
	if err != nil {
		t.Fatal(err)
	}
	if got := teachingRows(seen.Teaching); !slices.Equal(got, wantTeaching) {
		t.Errorf("the guardian's view of the teachers:\n got %q\nwant %q", got, wantTeaching)
	}
	if len(seen.Relatives) != 1 || seen.Relatives[0].ID != guardian {
		t.Errorf("the guardian sees the child's relatives %+v, want themself only", seen.Relatives)
	}

	mate := w.one(`SELECT student_id FROM enrolments WHERE class_id IN (SELECT class_id FROM enrolments WHERE student_id = ?)
		AND student_id <> ?`, child, child)
	teacher := w.one(`SELECT teacher_id FROM teaching_assignments WHERE establishment_id = ?`, w.main)
	head := w.viewer(w.staffWith("head"))
	for what, c := range map[string]struct {
		v  *access.Viewer
		id string
	}{
		"a classmate":            {w.viewer(mate), child},
		"another family":         {w.viewer(guardian), mate},
		"the head, on a teacher": {head, teacher},
		"the head, unknown id":   {head, "nobody"},
	} {
		o, err := directory.ViewStudentSchool(ctx, c.v, w.d, c.id)
		refused(t, what, err, access.Person(c.id))
		if o.Student.ID != "" || o.Schooling != nil || o.Teaching != nil {
			t.Errorf("%s: a refusal came with data", what)
		}
	}
}

func TestTheViewersOwnLists(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)

	// A relative's children: the active ones only.
	relative := w.one(`SELECT relative_id FROM family_links GROUP BY relative_id HAVING COUNT(*) >= 2`)
	kids := w.all(`SELECT student_id FROM family_links WHERE relative_id = ?`, relative)
	if _, err := w.d.Exec(ctx, `UPDATE people SET active = FALSE WHERE id = ?`, kids[0]); err != nil {
		t.Fatal(err)
	}
	children, err := directory.MyChildren(ctx, w.viewer(relative), w.d)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range children {
		got = append(got, c.ID)
		if c.Link.RelativeID != relative || c.FirstName == "" {
			t.Errorf("child %s: %+v", c.ID, c)
		}
	}
	sort.Strings(got)
	if !slices.Equal(got, kids[1:]) {
		t.Errorf("children %v, want %v (the first one left)", got, kids[1:])
	}
	student := w.one(`SELECT student_id FROM family_links WHERE student_id <> ?`, kids[0])
	if c, err := directory.MyChildren(ctx, w.viewer(student), w.d); err != nil || len(c) != 0 {
		t.Errorf("a student's children: %v %v", c, err)
	}
	if c, err := directory.MyChildren(ctx, access.System("test"), w.d); err != nil || c != nil {
		t.Errorf("the system's children: %v %v", c, err)
	}

	// A teacher's teaching and headed classes.
	teacher := w.one(`SELECT teacher_id FROM head_teachers`)
	rows, headed, err := directory.MyTeaching(ctx, w.viewer(teacher), w.d)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := teachingRows(rows), assignmentRows(t, w.d, `a.teacher_id = ?`, teacher); !slices.Equal(got, want) || len(want) == 0 {
		t.Errorf("teaching:\n got %q\nwant %q", got, want)
	}
	var headedIDs []string
	for _, c := range headed {
		headedIDs = append(headedIDs, c.ID)
	}
	sort.Strings(headedIDs)
	if want := w.all(`SELECT class_id FROM head_teachers WHERE teacher_id = ?`, teacher); !slices.Equal(headedIDs, want) {
		t.Errorf("headed %v, want %v", headedIDs, want)
	}

	// Establishments: the overview offered only where it may be read.
	schools := func(id string) map[string]directory.School {
		ss, err := directory.MySchools(ctx, w.viewer(id), w.d)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]directory.School{}
		for _, s := range ss {
			out[s.Establishment.ID] = s
		}
		return out
	}
	head := w.staffWith("head")
	hs := schools(head)
	if s := hs[w.main]; len(hs) != 1 || !s.Overview || !slices.Contains(s.Functions, "head") {
		t.Errorf("the head's schools: %+v", hs)
	}
	as := schools(w.one(`SELECT id FROM people WHERE profile = 'admin'`))
	if len(as) != 2 || !as[w.main].Overview || !as[w.second].Overview {
		t.Errorf("the operator's schools: %+v", as)
	}
	shared := w.one(`SELECT person_id FROM memberships WHERE establishment_id = ? AND person_id IN
		(SELECT teacher_id FROM teaching_assignments) INTERSECT SELECT person_id FROM memberships WHERE establishment_id = ?`, w.main, w.second)
	ts := schools(shared)
	if len(ts) != 2 || ts[w.main].Overview || ts[w.second].Overview {
		t.Errorf("a teacher of both schools: %+v", ts)
	}
}

// The system viewer passes every policy question: a row it asks for that
// does not exist is still the refusal, never ErrNotFound or a zero view.
func TestUnknownRowsAreRefusalsForTheSystem(t *testing.T) {
	ctx := context.Background()
	d := demoDB(t, 60)
	sys := access.System("test")
	_, err := directory.ViewPerson(ctx, sys, d, "nobody")
	refused(t, "person", err, access.Person("nobody"))
	_, err = directory.ViewStudentSchool(ctx, sys, d, "nobody")
	refused(t, "student", err, access.Person("nobody"))
	_, err = directory.ViewClass(ctx, sys, d, "nothing")
	refused(t, "class", err, access.Class("nothing"))
	_, err = directory.ViewGroup(ctx, sys, d, "nothing")
	refused(t, "group", err, access.Group("nothing"))
	_, err = directory.ViewEstablishment(ctx, sys, d, "nowhere", "2026-11-28")
	refused(t, "establishment", err, access.Establishment("nowhere"))
	_, err = directory.ViewCard(ctx, sys, d, "nobody")
	refused(t, "card", err, access.Person("nobody"))
}

// A whole row (every column of a person, and with a login the password
// hash) is for the person themself and the system viewer only: the head,
// who may read everything of a pupil, is refused it (their view is
// ViewPerson), and so is a viewer the policy did not load.
func TestWholeRowsForThePersonOrTheSystemOnly(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	sys := access.System("test")
	student := w.one(`SELECT p.id FROM people p WHERE p.profile = 'student' AND p.active AND p.id`+fmt.Sprintf(onlyMain, "p.id"), w.main, w.main)
	head := w.viewer(w.staffWith("head"))
	if err := head.Can(ctx, access.ReadContact, access.Person(student)); err != nil {
		t.Fatalf("the head may not read the pupil's contact details: %v; the test proves nothing", err)
	}
	row := w.person(student)
	if row.ID != student || row.Login == "" || row.LastName == "" {
		t.Fatalf("the system's row: %+v", row)
	}
	if own, err := directory.PersonRow(ctx, w.viewer(student), w.d, student); err != nil || own != row {
		t.Errorf("the pupil's own row: %+v %v, want %+v", own, err, row)
	}
	_, err := directory.PersonRow(ctx, head, w.d, student)
	refused(t, "the head reads the pupil's row", err, access.Person(student))
	if _, err := directory.PersonRow(ctx, &access.Viewer{ID: student}, w.d, student); !errors.Is(err, access.ErrDenied) {
		t.Errorf("a viewer the policy did not load reads a row: %v", err)
	}
	if _, err := directory.PersonRow(ctx, nil, w.d, student); !errors.Is(err, access.ErrDenied) {
		t.Errorf("no viewer reads a row: %v", err)
	}

	want := w.one(`SELECT password_hash FROM people WHERE id = ?`, student)
	p, hash, err := directory.Credentials(ctx, sys, w.d, row.Login)
	if err != nil || p != row || hash != want {
		t.Errorf("the sign-in's credentials: %+v %q %v", p, hash, err)
	}
	for who, v := range map[string]*access.Viewer{"the pupil": w.viewer(student), "the head": head} {
		if _, _, err := directory.Credentials(ctx, v, w.d, row.Login); !errors.Is(err, access.ErrDenied) {
			t.Errorf("%s reads credentials: %v", who, err)
		}
		if _, err := directory.PeopleByLogins(ctx, v, w.d, []string{row.Login}); !errors.Is(err, access.ErrDenied) {
			t.Errorf("%s reads rows by login: %v", who, err)
		}
	}
	if ps, err := directory.PeopleByLogins(ctx, sys, w.d, []string{row.Login, "nobody"}); err != nil || len(ps) != 1 || ps[0] != row {
		t.Errorf("rows by login: %+v %v", ps, err)
	}
}

// A card alone is for those who may read the name; a person's
// establishments and functions are part of their record.
func TestCardAndAttachmentsFollowThePolicy(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	only := fmt.Sprintf(onlyMain, "p.id")
	student := w.one(`SELECT p.id FROM people p WHERE p.profile = 'student' AND p.active AND p.id`+only, w.main, w.main)
	mate := w.one(`SELECT e.student_id FROM enrolments e JOIN people p ON p.id = e.student_id WHERE p.active AND e.student_id <> ?
		AND e.class_id IN (SELECT class_id FROM enrolments WHERE student_id = ?)`, student, student)
	foreign := w.one(`SELECT p.id FROM people p WHERE p.profile = 'student' AND p.id IN
		(SELECT person_id FROM memberships WHERE establishment_id = ?) AND p.id NOT IN
		(SELECT person_id FROM memberships WHERE establishment_id = ?)`, w.second, w.main)
	headID := w.staffWith("head")
	head := w.viewer(headID)

	row := w.person(mate)
	want := directory.Card{ID: row.ID, Profile: row.Profile, Title: row.Title, FirstName: row.FirstName, LastName: row.LastName, Active: true}
	if c, err := directory.ViewCard(ctx, w.viewer(student), w.d, mate); err != nil || !reflect.DeepEqual(c, want) {
		t.Errorf("a classmate's card: %+v %v, want %+v", c, err, want)
	}
	_, err := directory.ViewCard(ctx, head, w.d, foreign)
	refused(t, "the head reads the card of the other school's pupil", err, access.Person(foreign))

	ms, err := directory.Memberships(ctx, head, w.d, student)
	if want := w.all(`SELECT establishment_id FROM memberships WHERE person_id = ?`, student); err != nil || !slices.Equal(ms, want) {
		t.Errorf("the pupil's establishments for the head: %v %v, want %v", ms, err, want)
	}
	fns, err := directory.FunctionsOf(ctx, head, w.d, headID)
	if want := w.all(`SELECT function FROM functions WHERE person_id = ? AND establishment_id = ?`, headID, w.main); err != nil ||
		!slices.Equal(fns[w.main], want) || !slices.Contains(want, "head") {
		t.Errorf("the head's own functions: %v %v, want %v", fns, err, want)
	}
	_, err = directory.Memberships(ctx, w.viewer(student), w.d, mate)
	refused(t, "a pupil reads a classmate's establishments", err, access.Person(mate))
	_, err = directory.FunctionsOf(ctx, w.viewer(student), w.d, headID)
	refused(t, "a pupil reads the head's functions", err, access.Person(headID))

	// By login: the card within reach; a login out of reach and one nobody
	// has are the same refusal.
	c, err := directory.CardByLogin(ctx, head, w.d, row.Login)
	if err != nil || c.ID != mate {
		t.Errorf("the head finds a pupil of theirs by login: %+v %v", c, err)
	}
	other := w.person(foreign)
	_, err = directory.CardByLogin(ctx, head, w.d, other.Login)
	refused(t, "the head names the other school's pupil by login", err, access.Resource{Kind: access.KindPerson})
	_, err = directory.CardByLogin(ctx, head, w.d, "nobody.here")
	refused(t, "the head names a login nobody has", err, access.Resource{Kind: access.KindPerson})
}
