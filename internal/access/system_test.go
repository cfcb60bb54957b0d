package access_test

import (
	. "cartable/internal/access"
	"context"
	"errors"
	"testing"

	"cartable/internal/dbtest"
)

// A system viewer may do everything; a viewer not loaded by the policy may
// do nothing; a refusal says what was refused on what.
func TestSystemAndUnloadedViewers(t *testing.T) {
	ctx := context.Background()
	d := dbtest.Open(t)
	f := buildFixture(t, d)
	p := New(d)

	sys := System("purge")
	if !sys.IsSystem() || sys.Actor() != "system:purge" {
		t.Fatalf("system viewer: %v %q", sys.IsSystem(), sys.Actor())
	}
	target := Person(f.people["s1"])
	for _, a := range []Action{ReadName, ReadContact, Provision, ManageAccount} {
		if err := sys.Can(ctx, a, target); err != nil {
			t.Errorf("system %s: %v", a, err)
		}
		if err := p.Can(ctx, sys, a, target); err != nil {
			t.Errorf("policy, system %s: %v", a, err)
		}
	}
	if ok, _ := sys.Visible(ctx, ReadContact, []string{"a", "b"}); !ok["a"] || !ok["b"] {
		t.Errorf("system Visible: %v", ok)
	}

	// A Viewer made by hand, whatever its fields say, is nobody.
	forged := &Viewer{ID: f.people["hA"], Profile: "staff", Establishments: []string{f.ests["A"]},
		Functions: map[string][]string{f.ests["A"]: {"head"}}}
	err := forged.Can(ctx, ReadContact, target)
	var den *Denied
	if !errors.As(err, &den) || !errors.Is(err, ErrDenied) || den.Resource != target || den.Action != ReadContact {
		t.Fatalf("forged viewer: %v", err)
	}
	if err := p.Can(ctx, forged, ReadName, target); !errors.Is(err, ErrDenied) {
		t.Fatalf("policy, forged viewer: %v", err)
	}
	if ok, _ := forged.Visible(ctx, ReadName, []string{f.people["s1"]}); len(ok) != 0 {
		t.Fatalf("forged viewer sees %v", ok)
	}
	if forged.IsSystem() || forged.Actor() != f.people["hA"] {
		t.Fatal("a person is not the system")
	}

	// A loaded viewer: the policy's answer, with the refusal typed.
	s2, err := p.Viewer(ctx, f.people["s2"])
	if err != nil {
		t.Fatal(err)
	}
	err = s2.Can(ctx, ReadRecord, target)
	if !errors.As(err, &den) || den.Action != ReadRecord || den.Resource != target || den.Reason == "" {
		t.Fatalf("student reading a classmate's record: %v", err)
	}
	if ok, err := s2.May(ctx, ReadName, target); !ok || err != nil {
		t.Fatalf("student reading a classmate's name: %v %v", ok, err)
	}
	if ok, err := s2.May(ctx, ReadContact, target); ok || err != nil {
		t.Fatalf("May on a refusal: %v %v", ok, err)
	}
	if err := Refuse(ReadName, target, "gone"); !errors.Is(err, ErrDenied) {
		t.Fatal("Refuse is a refusal")
	}
}
