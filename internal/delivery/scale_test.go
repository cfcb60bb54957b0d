package delivery_test

import (
	"context"
	"fmt"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"cartable/internal/db"
	"cartable/internal/directory"
	"cartable/internal/i18n"
	"cartable/internal/notify"
	"cartable/internal/roles"
)

// The daily digests of 2,000 people, planned, written and sent through a
// real SMTP server by one worker: every one arrives. The time it took is
// printed (-v), the floor being 30 s; it is a figure to read on
// an idle machine, not a pass mark (a loaded machine would fail it).
func TestDigestRunFor2000People(t *testing.T) {
	if testing.Short() {
		t.Skip("2,000 digests")
	}
	const people = 2000
	ctx := context.Background()
	f := newFixture(t)
	srv, smtp := smtpServer(t)
	f.del.Mail = smtp
	at := time.Date(2026, 12, 4, 10, 0, 0, 0, i18n.Zone)
	err := f.d.Tx(ctx, func(tx *db.Tx) error {
		for i := range people {
			p := &directory.Person{Profile: roles.Relative, Login: "p" + strconv.Itoa(i), LastName: "P", FirstName: "P", Active: true, Email: fmt.Sprintf("p%d@example.org", i)}
			if err := directory.CreatePerson(ctx, sys, tx, p, ""); err != nil {
				return err
			}
			if err := directory.AddMembership(ctx, sys, tx, p.ID, f.est); err != nil {
				return err
			}
			for k, kind := range []string{"absence", "marks", "note-to-sign"} {
				if _, err := notify.Queue(ctx, sys, tx, notify.Notice{Establishment: f.est, Recipient: p.ID, Kind: kind,
					Key: kind + "/" + strconv.Itoa(k), Args: map[string]string{"child": "Léa"}, Link: "/notifications", NotBefore: at}); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var got atomic.Int32
	done := make(chan struct{})
	go func() {
		for range srv.Messages {
			if got.Add(1) == people {
				close(done)
				return
			}
		}
	}()
	f.now = time.Date(2026, 12, 4, 18, 0, 0, 0, i18n.Zone)
	start := time.Now()
	if _, err := f.del.Dispatch(ctx, sys); err != nil {
		t.Fatal(err)
	}
	if _, err := f.del.ScheduleDigests(ctx, sys); err != nil {
		t.Fatal(err)
	}
	f.drain(t)
	select {
	case <-done:
	case <-time.After(5 * time.Minute):
		t.Fatalf("%d of %d digests received", got.Load(), people)
	}
	t.Logf("%s: %d digests in %v", f.d.Dialect(), people, time.Since(start).Round(time.Millisecond))
}
