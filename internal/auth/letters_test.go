package auth

import (
	"context"
	"slices"
	"testing"

	"cartable/internal/access"
	"cartable/internal/directory"
	"cartable/internal/letters"
	"cartable/internal/roles"
)

// Class letters hold what the viewer's view of each person holds: the
// postal address only when it holds the contact details (the head's does,
// an operator's does not), a relative's children by name, each person's
// login. An activated account gets no letter and is counted.
func TestClassLettersHoldWhatTheViewHolds(t *testing.T) {
	s := newSchool(t)
	ctx := context.Background()
	sys := access.System("test")
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	y := &directory.SchoolYear{EstablishmentID: s.est, Label: "2026-2027", StartsOn: "2026-09-01", EndsOn: "2027-07-03"}
	must(directory.CreateSchoolYear(ctx, sys, s.d, y))
	c := &directory.Class{EstablishmentID: s.est, SchoolYearID: y.ID, Code: "6A", Name: "6e A"}
	must(directory.CreateClass(ctx, sys, s.d, c))
	person := func(p *directory.Person, hash string) string {
		p.Active = true
		must(directory.CreatePerson(ctx, sys, s.d, p, hash))
		must(directory.AddMembership(ctx, sys, s.d, p.ID, s.est))
		return p.ID
	}
	done := person(&directory.Person{Profile: roles.Student, Login: "noe.eleve", FirstName: "Noé", LastName: "Durand"}, "activated")
	relative := person(&directory.Person{Profile: roles.Relative, Login: "marie.parent", FirstName: "Marie", LastName: "Martin",
		Address: "3 rue des Lilas", PostalCode: "75011", City: "Paris"}, "")
	operator := person(&directory.Person{Profile: roles.Admin, Login: "oscar.admin", FirstName: "Oscar", LastName: "Admin"}, "")
	must(directory.Enrol(ctx, sys, s.d, s.student, c.ID))
	must(directory.Enrol(ctx, sys, s.d, done, c.ID))
	must(directory.Link(ctx, sys, s.d, directory.FamilyLink{StudentID: s.student, RelativeID: relative, Relationship: "mere", LegalGuardian: true}))

	byLogin := func(b LetterBatch) map[string]letters.Letter {
		out := map[string]letters.Letter{}
		for _, l := range b.Letters {
			out[l.Login] = l
		}
		return out
	}
	b, err := s.a.ClassLetters(ctx, s.viewer(t, s.head), c.ID, "both", 0, "")
	if err != nil {
		t.Fatal(err)
	}
	got := byLogin(b)
	if len(got) != 2 || b.Skipped != (letters.Skipped{Activated: 1}) || b.Filename != "activation-6A.pdf" {
		t.Fatalf("the head's letters: %+v", b)
	}
	st, rel := got["lea.eleve"], got["marie.parent"]
	if st.Name != "Prénom Nom" || st.Profile != roles.Student || st.Children != nil || st.Address != nil || st.Establishment != "Collège A" {
		t.Errorf("the student's letter: %+v", st)
	}
	if rel.Name != "Marie Martin" || !slices.Equal(rel.Address, []string{"3 rue des Lilas", "75011 Paris"}) ||
		!slices.Equal(rel.Children, []string{"Prénom Nom"}) {
		t.Errorf("the relative's letter for the head: %+v", rel)
	}

	b, err = s.a.ClassLetters(ctx, s.viewer(t, operator), c.ID, "relatives", 0, "")
	if err != nil {
		t.Fatal(err)
	}
	if rel := byLogin(b)["marie.parent"]; len(b.Letters) != 1 || rel.Address != nil || !slices.Equal(rel.Children, []string{"Prénom Nom"}) {
		t.Errorf("the operator's letters: %+v", b)
	}
}
