package notify_test

import (
	"context"
	"errors"
	"testing"

	"cartable/internal/access"
	"cartable/internal/db"
	"cartable/internal/dbtest"
	"cartable/internal/directory"
	"cartable/internal/notify"
	"cartable/internal/roles"
)

func TestQueueOncePerKeyAndReadByRecipientOnly(t *testing.T) {
	ctx := context.Background()
	d := dbtest.Open(t)
	sys := access.System("test")
	e := &directory.Establishment{UAI: "0750001A", Name: "A", Kind: "college"}
	people := map[string]*directory.Person{}
	err := d.Tx(ctx, func(tx *db.Tx) error {
		if err := directory.CreateEstablishment(ctx, sys, tx, e); err != nil {
			return err
		}
		for _, login := range []string{"parent", "other"} {
			p := &directory.Person{Profile: roles.Relative, Login: login, LastName: login, FirstName: login, Active: true}
			if err := directory.CreatePerson(ctx, sys, tx, p, ""); err != nil {
				return err
			}
			if err := directory.AddMembership(ctx, sys, tx, p.ID, e.ID); err != nil {
				return err
			}
			people[login] = p
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	n := notify.Notice{Establishment: e.ID, Recipient: people["parent"].ID, Kind: "absence", Key: "absence/x/2026-12-07/am",
		Args: map[string]string{"name": "Léa"}, Link: "/school-life"}
	for i, want := range []bool{true, false} {
		got, err := notify.Queue(ctx, sys, d, n)
		if err != nil || got != want {
			t.Fatalf("queue #%d: %v, %v; want %v", i+1, got, err, want)
		}
	}
	if _, err := notify.Queue(ctx, nil, d, n); !errors.Is(err, access.ErrDenied) {
		t.Fatalf("queue without a viewer: %v", err)
	}
	pending, err := notify.Pending(ctx, sys, d, people["parent"].ID)
	if err != nil || len(pending) != 1 || pending[0].Args["name"] != "Léa" {
		t.Fatalf("pending: %+v, %v", pending, err)
	}
	p := access.New(d)
	parent, err := p.Viewer(ctx, people["parent"].ID)
	if err != nil {
		t.Fatal(err)
	}
	other, err := p.Viewer(ctx, people["other"].ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := notify.Pending(ctx, parent, d, people["parent"].ID); !errors.Is(err, access.ErrDenied) {
		t.Fatalf("a person reads the outbox: %v", err)
	}
	mine, err := notify.Mine(ctx, parent, d, 10)
	if err != nil || len(mine) != 1 || mine[0].Read {
		t.Fatalf("mine: %+v, %v", mine, err)
	}
	if theirs, _ := notify.Mine(ctx, other, d, 10); len(theirs) != 0 {
		t.Fatalf("another person reads the parent's notices: %+v", theirs)
	}
	if err := notify.MarkRead(ctx, other, d, mine[0].ID); !errors.Is(err, access.ErrDenied) {
		t.Fatalf("another person marks it read: %v", err)
	}
	if err := notify.MarkRead(ctx, parent, d, mine[0].ID); err != nil {
		t.Fatal(err)
	}
	if mine, _ = notify.Mine(ctx, parent, d, 10); !mine[0].Read {
		t.Fatal("not marked read")
	}
}
