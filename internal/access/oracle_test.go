package access_test

import (
	"context"
	"testing"

	"cartable/internal/access"
	"cartable/internal/db"
	"cartable/internal/dbtest"
)

// oracle computes the expected answers straight from the tables, read whole
// with plain SQL, restating the rules of the package documentation in plain
// Go. It shares no code with the policy (no scope query, no cache), so the
// two can be compared on any data set, the demo in particular.
type oracle struct {
	profile  map[string]string
	active   map[string]bool
	member   map[string]map[string]bool            // person → establishments
	function map[string]map[string]map[string]bool // person → establishment → functions
	// open classes and groups: structure → establishment (closed years absent)
	openClass, openGroup map[string]string
	classEst, groupEst   map[string]string          // every class and group → establishment
	enrolled             map[string]map[string]bool // student → classes
	inGroup              map[string]map[string]bool // student → groups
	teachesClass         map[string]map[string]bool // teacher → classes assigned or headed
	teachesGroup         map[string]map[string]bool // teacher → groups assigned
	links                []oracleLink
	people               []string
	ests                 []string
}

type oracleLink struct {
	student, relative string
	guardian, contact bool
}

func add(m map[string]map[string]bool, k, v string) {
	if m[k] == nil {
		m[k] = map[string]bool{}
	}
	m[k][v] = true
}

func loadOracle(t *testing.T, q db.Querier) *oracle {
	t.Helper()
	ctx := context.Background()
	o := &oracle{profile: map[string]string{}, active: map[string]bool{}, member: map[string]map[string]bool{},
		function: map[string]map[string]map[string]bool{}, openClass: map[string]string{}, openGroup: map[string]string{},
		classEst: map[string]string{}, groupEst: map[string]string{},
		enrolled: map[string]map[string]bool{}, inGroup: map[string]map[string]bool{},
		teachesClass: map[string]map[string]bool{}, teachesGroup: map[string]map[string]bool{}}
	each := func(query string, scan func(rows interface{ Scan(...any) error }) error) {
		t.Helper()
		rows, err := q.Query(ctx, query)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			if err := scan(rows); err != nil {
				t.Fatal(err)
			}
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
	}
	each(`SELECT id, profile, active FROM people ORDER BY id`, func(r interface{ Scan(...any) error }) error {
		var id, p string
		var a bool
		err := r.Scan(&id, &p, &a)
		o.profile[id], o.active[id] = p, a
		o.people = append(o.people, id)
		return err
	})
	each(`SELECT id FROM establishments ORDER BY id`, func(r interface{ Scan(...any) error }) error {
		var id string
		err := r.Scan(&id)
		o.ests = append(o.ests, id)
		return err
	})
	each(`SELECT person_id, establishment_id FROM memberships`, func(r interface{ Scan(...any) error }) error {
		var p, e string
		err := r.Scan(&p, &e)
		add(o.member, p, e)
		return err
	})
	each(`SELECT person_id, establishment_id, function FROM functions`, func(r interface{ Scan(...any) error }) error {
		var p, e, f string
		err := r.Scan(&p, &e, &f)
		if o.function[p] == nil {
			o.function[p] = map[string]map[string]bool{}
		}
		add(o.function[p], e, f)
		return err
	})
	each(`SELECT c.id, c.establishment_id, y.closed FROM classes c, school_years y WHERE y.id = c.school_year_id`,
		func(r interface{ Scan(...any) error }) error {
			var id, e string
			var closed bool
			err := r.Scan(&id, &e, &closed)
			o.classEst[id] = e
			if !closed {
				o.openClass[id] = e
			}
			return err
		})
	each(`SELECT g.id, g.establishment_id, y.closed FROM groups g, school_years y WHERE y.id = g.school_year_id`,
		func(r interface{ Scan(...any) error }) error {
			var id, e string
			var closed bool
			err := r.Scan(&id, &e, &closed)
			o.groupEst[id] = e
			if !closed {
				o.openGroup[id] = e
			}
			return err
		})
	pairs := func(query string, m map[string]map[string]bool) {
		each(query, func(r interface{ Scan(...any) error }) error {
			var a, b string
			err := r.Scan(&a, &b)
			add(m, a, b)
			return err
		})
	}
	pairs(`SELECT student_id, class_id FROM enrolments`, o.enrolled)
	pairs(`SELECT student_id, group_id FROM group_members`, o.inGroup)
	pairs(`SELECT teacher_id, class_id FROM teaching_assignments WHERE class_id IS NOT NULL`, o.teachesClass)
	pairs(`SELECT teacher_id, class_id FROM head_teachers`, o.teachesClass)
	pairs(`SELECT teacher_id, group_id FROM teaching_assignments WHERE group_id IS NOT NULL`, o.teachesGroup)
	each(`SELECT student_id, relative_id, legal_guardian, contact FROM family_links`, func(r interface{ Scan(...any) error }) error {
		var l oracleLink
		err := r.Scan(&l.student, &l.relative, &l.guardian, &l.contact)
		o.links = append(o.links, l)
		return err
	})
	return o
}

func (o *oracle) isStaff(p string) bool { return o.profile[p] == "teacher" || o.profile[p] == "staff" }

// fn is p's function f in e, counted for staff and teacher profiles only.
func (o *oracle) fn(p, e, f string) bool { return o.isStaff(p) && o.function[p][e][f] }

func (o *oracle) anyFn(p, e string) bool {
	for _, f := range []string{"head", "deputy", "secretary", "cpe", "documentalist"} {
		if o.fn(p, e, f) {
			return true
		}
	}
	return false
}

func (o *oracle) fullFn(p, e string) bool {
	return o.fn(p, e, "head") || o.fn(p, e, "deputy") || o.fn(p, e, "secretary")
}

// teaches: teacher t teaches or heads, in an open year of e, a class of s or
// teaches a group of s.
func (o *oracle) teaches(t, s, e string) bool {
	for c := range o.enrolled[s] {
		if o.openClass[c] == e && o.teachesClass[t][c] {
			return true
		}
	}
	for g := range o.inGroup[s] {
		if o.openGroup[g] == e && o.teachesGroup[t][g] {
			return true
		}
	}
	return false
}

// mates: a and b share an open class or group of e.
func (o *oracle) mates(a, b, e string) bool {
	for c := range o.enrolled[a] {
		if o.openClass[c] == e && o.enrolled[b][c] {
			return true
		}
	}
	for g := range o.inGroup[a] {
		if o.openGroup[g] == e && o.inGroup[b][g] {
			return true
		}
	}
	return false
}

func (o *oracle) allowPerson(v, t string, a access.Action) bool {
	if v == t {
		return true
	}
	if o.profile[t] == "" {
		return false
	}
	for e := range o.member[v] {
		if o.member[t][e] && o.allowPersonIn(v, t, e, a) {
			return true
		}
	}
	return false
}

func (o *oracle) allowPersonIn(v, t, e string, a access.Action) bool {
	pv, pt := o.profile[v], o.profile[t]
	name := a == access.ReadName
	if o.fullFn(v, e) {
		return true
	}
	if pv == "admin" {
		return a != access.ReadContact
	}
	if !o.active[t] {
		return false
	}
	if o.fn(v, e, "cpe") && (pt == "student" || pt == "relative" || name && o.isStaff(t)) {
		return true
	}
	if o.fn(v, e, "documentalist") && name && (pt == "student" || o.isStaff(t)) {
		return true
	}
	switch pv {
	case "teacher", "staff":
		if name && o.isStaff(t) {
			return true
		}
	}
	switch pv {
	case "student":
		if !name {
			return false
		}
		if o.anyFn(t, e) || o.mates(v, t, e) || o.teaches(t, v, e) {
			return true
		}
		for _, l := range o.links {
			if l.student == v && l.relative == t {
				return true
			}
		}
	case "relative":
		for _, l := range o.links {
			if l.relative != v || !o.active[l.student] {
				continue
			}
			c := l.student
			if c == t && (a != access.ReadContact || l.guardian) {
				return true
			}
			if name && (o.teaches(t, c, e) || o.anyFn(t, e) && o.member[c][e]) {
				return true
			}
		}
	case "teacher":
		if pt == "student" && a != access.ReadContact && o.teaches(v, t, e) {
			return true
		}
		if a == access.ReadRecord {
			return false
		}
		for _, l := range o.links {
			if l.relative == t && (l.guardian || l.contact) && o.active[l.student] && o.teaches(v, l.student, e) {
				return true
			}
		}
	}
	return false
}

// allowStructure: kind is "class" or "group".
func (o *oracle) allowStructure(v string, kind access.Kind, id string, a access.Action) bool {
	est, open, students := o.classEst, o.openClass, o.enrolled
	if kind == access.KindGroup {
		est, open, students = o.groupEst, o.openGroup, o.inGroup
	}
	e, ok := est[id]
	if !ok || !o.member[v][e] {
		return false
	}
	switch {
	case o.profile[v] == "admin", o.fullFn(v, e), o.fn(v, e, "cpe"):
		return true
	case o.fn(v, e, "documentalist") && kind == access.KindClass:
		return true
	case o.profile[v] == "teacher" && kind == access.KindClass && a == access.ReadClass:
		return true
	}
	if open[id] == "" {
		return false
	}
	switch o.profile[v] {
	case "student":
		return students[v][id]
	case "relative":
		if a != access.ReadClass {
			return false
		}
		for _, l := range o.links {
			if l.relative == v && o.active[l.student] && students[l.student][id] {
				return true
			}
		}
	case "teacher":
		if kind == access.KindClass {
			return o.teachesClass[v][id]
		}
		return o.teachesGroup[v][id]
	}
	return false
}

func (o *oracle) allowEstablishment(v, e string) bool {
	return o.member[v][e] && (o.profile[v] == "admin" || o.fullFn(v, e) || o.fn(v, e, "cpe"))
}

// allowSearch: the people search of an establishment, to its teachers,
// staff and administrators.
func (o *oracle) allowSearch(v, e string) bool {
	p := o.profile[v]
	return o.member[v][e] && (p == "teacher" || p == "staff" || p == "admin")
}

// The oracle itself is checked against the hand-written matrix, so that the
// demo test compares the policy with something known to be right.
func TestOracleOnFixture(t *testing.T) {
	d := dbtest.Open(t)
	f := buildFixture(t, d)
	o := loadOracle(t, d)
	for viewer, e := range matrix {
		v := f.people[viewer]
		people := map[access.Action]map[string]bool{access.ReadName: set(e.name), access.ReadRecord: set(e.record), access.ReadContact: set(e.contact)}
		for target, id := range f.people {
			for a, allowed := range people {
				if got, want := o.allowPerson(v, id, a), allowed[target] || target == viewer; got != want {
					t.Errorf("oracle %s %s %s = %v, want %v", viewer, a, target, got, want)
				}
			}
		}
		structs := map[access.Action]map[string]bool{access.ReadClass: set(e.class), access.ReadRoster: set(e.roster)}
		for name, r := range f.structs {
			for a, allowed := range structs {
				if got := o.allowStructure(v, r.Kind, r.ID, a); got != allowed[name] {
					t.Errorf("oracle %s %s %s = %v, want %v", viewer, a, name, got, allowed[name])
				}
			}
		}
		for key, id := range f.ests {
			if got := o.allowEstablishment(v, id); got != set(e.est)[key] {
				t.Errorf("oracle %s read-establishment %s = %v", viewer, key, got)
			}
		}
	}
}

// Account administration and the account lifecycle (accounts.go,
// provisioning.go), restated from doc.go.

// level is p's privilege level: operators 5, head 4, deputy 3, any other
// staff function or the staff profile 2, teachers 1, students and
// relatives 0. Functions count where p is attached, for staff and
// teachers only.
func (o *oracle) level(p string) int {
	switch o.profile[p] {
	case "admin":
		return 5
	case "student", "relative":
		return 0
	}
	l := 1
	if o.profile[p] == "staff" {
		l = 2
	}
	for e := range o.member[p] {
		for f := range o.function[p][e] {
			switch {
			case f == "head" && o.isStaff(p):
				l = max(l, 4)
			case f == "deputy" && o.isStaff(p):
				l = max(l, 3)
			case o.isStaff(p):
				l = max(l, 2)
			}
		}
	}
	return l
}

// actLevel is the level at which v acts in e with one of fns; -1 without
// such a right there.
func (o *oracle) actLevel(v, e string, fns ...string) int {
	if !o.member[v][e] {
		return -1
	}
	if o.profile[v] == "admin" {
		return 5
	}
	l := -1
	for _, f := range fns {
		if o.fn(v, e, f) {
			l = max(l, map[string]int{"head": 4, "deputy": 3, "secretary": 2}[f])
		}
	}
	return l
}

// overAccount: v holds the right (one of fns) in an establishment of
// reach that t is attached to, and in every establishment of reach at a
// level above t's (operators: at least equal).
func (o *oracle) overAccount(v, t string, reach map[string]bool, fns ...string) bool {
	if v == t || o.profile[t] == "" {
		return false
	}
	known := false
	for e := range reach {
		if o.member[t][e] && o.actLevel(v, e, fns...) >= 0 {
			known = true
		}
	}
	if !known {
		return false
	}
	for e := range reach {
		l := o.actLevel(v, e, fns...)
		if l < 0 || (l <= o.level(t) && !(l == 5 && o.level(t) == 5)) {
			return false
		}
	}
	return true
}

// allowManageAccount: manage-account on person t. A relative's account
// reaches the establishments of their active children too.
func (o *oracle) allowManageAccount(v, t string) bool {
	reach := map[string]bool{}
	for e := range o.member[t] {
		reach[e] = true
	}
	if o.profile[t] == "relative" {
		for _, l := range o.links {
			if l.relative == t && o.active[l.student] {
				for e := range o.member[l.student] {
					reach[e] = true
				}
			}
		}
	}
	return o.overAccount(v, t, reach, "head", "deputy", "secretary")
}

// allowProvisionPerson: provision on person t (the whole account).
func (o *oracle) allowProvisionPerson(v, t string) bool {
	return o.overAccount(v, t, o.member[t], "head", "secretary")
}

// allowProvisionMembership: provision on t's attachment to e.
func (o *oracle) allowProvisionMembership(v, t, e string) bool {
	return o.member[t][e] && o.overAccount(v, t, map[string]bool{e: true}, "head", "secretary")
}
