package access_test

import (
	"context"
	"errors"
	"testing"

	"cartable/internal/access"
	"cartable/internal/dbtest"
)

// A system viewer may do everything; a viewer not loaded by the policy may
// do nothing; a refusal says what was refused on what.
func TestSystemAndUnloadedViewers(t *testing.T) {
	ctx := context.Background()
	d := dbtest.Open(t)
	f := buildFixture(t, d)
	p := access.New(d)

	sys := access.System("purge")
	if !sys.IsSystem() || sys.Actor() != "system:purge" {
		t.Fatalf("system viewer: %v %q", sys.IsSystem(), sys.Actor())
	}
	target := access.Person(f.people["s1"])
	for _, a := range []access.Action{access.ReadName, access.ReadContact, access.Provision, access.ManageAccount} {
		if err := sys.Can(ctx, a, target); err != nil {
			t.Errorf("system %s: %v", a, err)
		}
		if err := p.Can(ctx, sys, a, target); err != nil {
			t.Errorf("policy, system %s: %v", a, err)
		}
	}
	if ok, _ := sys.Visible(ctx, access.ReadContact, []string{"a", "b"}); !ok["a"] || !ok["b"] {
		t.Errorf("system Visible: %v", ok)
	}

	// A Viewer made by hand, whatever its fields say, is nobody.
	forged := &access.Viewer{ID: f.people["hA"], Profile: "staff", Establishments: []string{f.ests["A"]},
		Functions: map[string][]string{f.ests["A"]: {"head"}}}
	err := forged.Can(ctx, access.ReadContact, target)
	var den *access.Denied
	if !errors.As(err, &den) || !errors.Is(err, access.ErrDenied) || den.Resource != target || den.Action != access.ReadContact {
		t.Fatalf("forged viewer: %v", err)
	}
	if err := p.Can(ctx, forged, access.ReadName, target); !errors.Is(err, access.ErrDenied) {
		t.Fatalf("policy, forged viewer: %v", err)
	}
	if ok, _ := forged.Visible(ctx, access.ReadName, []string{f.people["s1"]}); len(ok) != 0 {
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
	err = s2.Can(ctx, access.ReadRecord, target)
	if !errors.As(err, &den) || den.Action != access.ReadRecord || den.Resource != target || den.Reason == "" {
		t.Fatalf("student reading a classmate's record: %v", err)
	}
	if ok, err := s2.May(ctx, access.ReadName, target); !ok || err != nil {
		t.Fatalf("student reading a classmate's name: %v %v", ok, err)
	}
	if ok, err := s2.May(ctx, access.ReadContact, target); ok || err != nil {
		t.Fatalf("May on a refusal: %v %v", ok, err)
	}
	if err := access.Refuse(access.ReadName, target, "gone"); !errors.Is(err, access.ErrDenied) {
		t.Fatal("Refuse is a refusal")
	}
}
