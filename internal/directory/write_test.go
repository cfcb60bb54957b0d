package directory_test

import (
	"context"
	"errors"
	"testing"

	"cartable/internal/access"
	"cartable/internal/demo"
	"cartable/internal/directory"
	"cartable/internal/roles"
)

// The writes ask the provision right on what they change: a head writes
// in their establishment only, never brings an establishment or a person
// in, never changes someone another establishment answers for; a row
// they may not reach and a missing one are refused alike, and a refusal
// writes nothing. The system passes.
func TestWritesAskTheProvisionRight(t *testing.T) {
	ctx := context.Background()
	d := demoDB(t, 60)
	one := func(q string, args ...any) string {
		t.Helper()
		out := strings(t, d, q, args...)
		if len(out) == 0 {
			t.Fatalf("nothing for %s %v", q, args)
		}
		return out[0]
	}
	main := one(`SELECT id FROM establishments WHERE uai = ?`, demo.MainUAI)
	second := one(`SELECT id FROM establishments WHERE uai = ?`, demo.SecondUAI)
	headID := one(`SELECT f.person_id FROM functions f WHERE f.function = 'head' AND f.establishment_id = ?
		AND NOT EXISTS (SELECT 1 FROM memberships m WHERE m.person_id = f.person_id AND m.establishment_id <> ?)`, main, main)
	head, err := access.New(d).Viewer(ctx, headID)
	if err != nil {
		t.Fatal(err)
	}
	onlyIn := func(profile, est string) string {
		return one(`SELECT p.id FROM people p JOIN memberships m ON m.person_id = p.id AND m.establishment_id = ?
			WHERE p.profile = ? AND NOT EXISTS (SELECT 1 FROM memberships o WHERE o.person_id = p.id AND o.establishment_id <> ?)
			ORDER BY p.id`, est, profile, est)
	}
	pupil, foreignPupil := onlyIn(roles.Student, main), onlyIn(roles.Student, second)
	shared := one(`SELECT p.id FROM people p WHERE p.profile = 'teacher' AND
		(SELECT COUNT(*) FROM memberships m WHERE m.person_id = p.id) = 2 ORDER BY p.id`)
	yearOf := func(est string) string {
		return one(`SELECT id FROM school_years WHERE establishment_id = ? AND NOT closed`, est)
	}
	classOf := func(est string) string {
		return one(`SELECT id FROM classes WHERE establishment_id = ? ORDER BY id`, est)
	}
	sys := access.System("test")
	loner := &directory.Person{Profile: roles.Relative, Login: "loner", LastName: "LONER", FirstName: "L", Active: true}
	if err := directory.CreatePerson(ctx, sys, d, loner, ""); err != nil {
		t.Fatal(err)
	}

	refused := []struct {
		name  string
		write func(v *access.Viewer) error
	}{
		{"an establishment", func(v *access.Viewer) error {
			return directory.CreateEstablishment(ctx, v, d, &directory.Establishment{UAI: "0759999Z", Name: "Z", Kind: "college"})
		}},
		{"a person", func(v *access.Viewer) error {
			return directory.CreatePerson(ctx, v, d, &directory.Person{Profile: roles.Student, Login: "new", Active: true}, "")
		}},
		{"another's school year", func(v *access.Viewer) error {
			return directory.CreateSchoolYear(ctx, v, d, &directory.SchoolYear{EstablishmentID: second, Label: "2030-2031", StartsOn: "2030-09-01", EndsOn: "2031-08-31"})
		}},
		{"another's period", func(v *access.Viewer) error {
			return directory.CreatePeriod(ctx, v, d, &directory.Period{SchoolYearID: yearOf(second), Kind: "trimestre", Number: 9, StartsOn: "2030-09-01", EndsOn: "2030-12-01"})
		}},
		{"a missing year's holiday", func(v *access.Viewer) error {
			return directory.CreateHoliday(ctx, v, d, &directory.Holiday{SchoolYearID: "nothing", Label: "X", StartsOn: "2030-10-01", EndsOn: "2030-10-02"})
		}},
		{"another's class", func(v *access.Viewer) error {
			return directory.CreateClass(ctx, v, d, &directory.Class{EstablishmentID: second, SchoolYearID: yearOf(second), Code: "ZZ", Name: "ZZ"})
		}},
		{"another's group", func(v *access.Viewer) error {
			return directory.CreateGroup(ctx, v, d, &directory.Group{EstablishmentID: second, SchoolYearID: yearOf(second), Code: "ZZ", Name: "ZZ"})
		}},
		{"another's subject", func(v *access.Viewer) error {
			return directory.CreateSubject(ctx, v, d, &directory.Subject{EstablishmentID: second, Code: "999999", Name: "Z"})
		}},
		{"a function elsewhere", func(v *access.Viewer) error { return directory.AddFunction(ctx, v, d, pupil, second, "cpe") }},
		{"an enrolment in another's class", func(v *access.Viewer) error { return directory.Enrol(ctx, v, d, pupil, classOf(second)) }},
		{"an enrolment in a missing class", func(v *access.Viewer) error { return directory.Enrol(ctx, v, d, pupil, "nothing") }},
		{"a member of a missing group", func(v *access.Viewer) error { return directory.AddGroupMember(ctx, v, d, pupil, "nothing") }},
		{"another's head teacher", func(v *access.Viewer) error { return directory.AddHeadTeacher(ctx, v, d, classOf(second), shared) }},
		{"another's assignment", func(v *access.Viewer) error {
			return directory.CreateAssignment(ctx, v, d, &directory.Assignment{EstablishmentID: second, TeacherID: shared, ClassID: classOf(second), SubjectID: "x"})
		}},
		{"pulling another's pupil in", func(v *access.Viewer) error { return directory.AddMembership(ctx, v, d, foreignPupil, main) }},
		{"attaching someone attached nowhere", func(v *access.Viewer) error { return directory.AddMembership(ctx, v, d, loner.ID, main) }},
		{"a family link of another's pupil", func(v *access.Viewer) error {
			return directory.Link(ctx, v, d, directory.FamilyLink{StudentID: foreignPupil, RelativeID: loner.ID, Relationship: "other"})
		}},
		{"the password of someone of two schools", func(v *access.Viewer) error { return directory.SetPasswordHash(ctx, v, d, shared, "x") }},
		{"their own password", func(v *access.Viewer) error { return directory.SetPasswordHash(ctx, v, d, headID, "x") }},
	}
	tables := []string{"establishments", "school_years", "periods", "holidays", "classes", "groups", "subjects", "people",
		"memberships", "functions", "enrolments", "group_members", "head_teachers", "teaching_assignments", "family_links"}
	snapshot := func() map[string]string {
		out := map[string]string{}
		for _, table := range tables {
			out[table] = strings(t, d, `SELECT CAST(COUNT(*) AS TEXT) FROM `+table)[0]
		}
		out["hashes"] = strings(t, d, `SELECT password_hash FROM people WHERE id IN (?, ?)`, shared, headID)[0]
		return out
	}
	before := snapshot()
	for _, c := range refused {
		if err := c.write(head); !errors.Is(err, access.ErrDenied) {
			t.Errorf("the head writes %s: %v", c.name, err)
		}
	}
	after := snapshot()
	for k, v := range before {
		if after[k] != v {
			t.Errorf("a refused write changed %s: %s → %s", k, v, after[k])
		}
	}

	// In their own establishment, for their own pupils, the head may.
	class := &directory.Class{EstablishmentID: main, SchoolYearID: yearOf(main), Code: "ZZ", Name: "ZZ"}
	if err := directory.CreateClass(ctx, head, d, class); err != nil {
		t.Fatal(err)
	}
	for name, write := range map[string]func() error{
		"a period": func() error {
			return directory.CreatePeriod(ctx, head, d, &directory.Period{SchoolYearID: yearOf(main), Kind: "trimestre", Number: 9, StartsOn: "2030-09-01", EndsOn: "2030-12-01"})
		},
		"an enrolment": func() error { return directory.Enrol(ctx, head, d, pupil, class.ID) },
		"a family link": func() error {
			return directory.Link(ctx, head, d, directory.FamilyLink{StudentID: pupil, RelativeID: loner.ID, Relationship: "other"})
		},
		"a password": func() error { return directory.SetPasswordHash(ctx, head, d, pupil, "x") },
	} {
		if err := write(); err != nil {
			t.Errorf("the head writes %s in their establishment: %v", name, err)
		}
	}

	// The system is never refused (the database may still refuse a row).
	for _, c := range refused {
		if err := c.write(sys); errors.Is(err, access.ErrDenied) {
			t.Errorf("the system writes %s: %v", c.name, err)
		}
	}
}
