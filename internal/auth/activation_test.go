package auth

import (
	"context"
	"errors"
	"testing"
	"time"

	"cartable/internal/access"
	"cartable/internal/audit"
	"cartable/internal/dbtest"
	"cartable/internal/directory"
	"cartable/internal/roles"
)

// An activation code never replaces a password: none is issued for an
// activated account, and one issued before the account got a password no
// longer works.
func TestActivationNeverReplacesAPassword(t *testing.T) {
	d := dbtest.Open(t)
	ctx := context.Background()
	a := NewAuthenticator(d, &Sessions{DB: d, Idle: time.Hour, Absolute: 12 * time.Hour})
	person := func(login, hash string) directory.Person {
		p := directory.Person{Profile: roles.Student, Login: login, FirstName: "Léa", LastName: "Martin", Active: true}
		if err := directory.CreatePerson(ctx, access.System("test"), d, &p, hash); err != nil {
			t.Fatal(err)
		}
		return p
	}
	hashOf := func(id string) string {
		var h string
		if err := d.QueryRow(ctx, `SELECT password_hash FROM people WHERE id = ?`, id).Scan(&h); err != nil {
			t.Fatal(err)
		}
		return h
	}
	codes := func(id string) int {
		var n int
		if err := d.QueryRow(ctx, `SELECT COUNT(*) FROM activation_codes WHERE person_id = ?`, id).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	hash, err := HashPassword("Un-mot-de-passe-deja-choisi-42")
	if err != nil {
		t.Fatal(err)
	}
	fresh, used := person("lea.martin", ""), person("noe.martin", hash)

	// A batch holding an activated account issues nothing at all.
	if _, err := a.IssueActivationCodes(ctx, access.System("test"), "", []directory.Person{fresh, used}, "", 0); !errors.Is(err, ErrAlreadyActivated) {
		t.Fatalf("letters for an activated account: %v", err)
	}
	if codes(fresh.ID)+codes(used.ID) != 0 {
		t.Fatal("a refused batch left codes behind")
	}
	if ev, _ := audit.List(ctx, d, audit.Filter{Action: audit.ActivationIssued}); len(ev) != 0 {
		t.Fatalf("a refused batch was audited as issued: %d events", len(ev))
	}
	if got, err := activatedOf(ctx, d, []string{fresh.ID, used.ID}); err != nil || got[fresh.ID] || !got[used.ID] {
		t.Fatalf("Activated = %v, %v", got, err)
	}

	// A code issued while the account had no password, which then gets one
	// (a reset by e-mail, say), no longer works, and changes nothing.
	est := &directory.Establishment{UAI: "0750001A", Name: "A", Kind: "college"}
	if err := directory.CreateEstablishment(ctx, access.System("test"), d, est); err != nil {
		t.Fatal(err)
	}
	issued, err := a.IssueActivationCodes(ctx, access.System("test"), est.ID, []directory.Person{fresh}, "", 0)
	if err != nil || len(issued) != 1 {
		t.Fatalf("letter for a new account: %v", err)
	}
	if _, err := a.CheckActivation(ctx, fresh.Login, issued[0].Code, "192.0.2.1"); err != nil {
		t.Fatalf("the fresh code: %v", err)
	}
	if err := a.setPassword(ctx, d, fresh.ID, hash); err != nil {
		t.Fatal(err)
	}
	if _, err := a.CheckActivation(ctx, fresh.Login, issued[0].Code, "192.0.2.1"); !errors.Is(err, ErrAlreadyActivated) {
		t.Fatalf("an old code after a password was set: %v", err)
	}
	_, err = a.Activate(ctx, ActivateRequest{Login: fresh.Login, Code: issued[0].Code, Password: "Le-nouveau-mot-de-passe-du-voleur-7",
		Confirm: "Le-nouveau-mot-de-passe-du-voleur-7", SourceIP: "192.0.2.1"})
	if !errors.Is(err, ErrAlreadyActivated) {
		t.Fatalf("activation over a password: %v", err)
	}
	if hashOf(fresh.ID) != hash {
		t.Fatal("the password was replaced")
	}
	ev, _ := audit.List(ctx, d, audit.Filter{Action: audit.AccountActivated})
	var denied int
	for _, e := range ev {
		if e.Outcome == audit.Denied && e.Target == "person:"+fresh.ID {
			denied++
		}
		if e.Outcome == audit.Success {
			t.Fatal("an activation succeeded")
		}
	}
	if denied == 0 {
		t.Fatal("the refused activation was not audited")
	}
}
