package jobs_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"cartable/internal/access"
	"cartable/internal/dbtest"
	"cartable/internal/jobs"
)

// Replicas ticking at once: one takes the round, the others skip it
// until the period (less its tenth) has passed.
func TestTakeRoundOnceAPeriod(t *testing.T) {
	ctx := context.Background()
	d := dbtest.Open(t)
	t0 := time.Date(2026, 12, 7, 8, 0, 0, 0, time.UTC)
	take := func(name, holder string, at time.Time) (jobs.Round, bool) {
		t.Helper()
		r, ok, err := jobs.TakeRound(ctx, sys, d, name, holder, at, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		return r, ok
	}
	// Many replicas' ticks at the same moment, the first round included
	// (the row does not exist yet).
	for round, at := range []time.Time{t0, t0.Add(54 * time.Second), t0.Add(2 * time.Minute)} {
		var won atomic.Int32
		var wg sync.WaitGroup
		for i := range 12 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, ok, err := jobs.TakeRound(ctx, sys, d, "reminders", string(rune('a'+i)), at, time.Minute)
				if err != nil {
					t.Error(err)
				}
				if ok {
					won.Add(1)
				}
			}()
		}
		wg.Wait()
		if won.Load() != 1 {
			t.Fatalf("round %d: %d replicas took it, want 1", round, won.Load())
		}
		if _, ok := take("reminders", "late", at.Add(53*time.Second)); ok {
			t.Fatalf("round %d taken again 53 s later, within its period", round)
		}
	}
	// Rounds are apart: another name is free.
	if _, ok := take("sweep", "a", t0.Add(2*time.Minute)); !ok {
		t.Fatal("another round was not free")
	}
}

// A round that failed is given back: the next tick takes it, whoever
// ticks. A release by a holder whose claim was taken over changes
// nothing.
func TestReleaseRound(t *testing.T) {
	ctx := context.Background()
	d := dbtest.Open(t)
	t0 := time.Date(2026, 12, 7, 8, 0, 0, 0, time.UTC)
	r, ok, err := jobs.TakeRound(ctx, sys, d, "reminders", "a", t0, time.Minute)
	if err != nil || !ok {
		t.Fatal(ok, err)
	}
	if err := jobs.ReleaseRound(ctx, sys, d, r); err != nil {
		t.Fatal(err)
	}
	_, ok, err = jobs.TakeRound(ctx, sys, d, "reminders", "b", t0.Add(time.Second), time.Minute)
	if err != nil || !ok {
		t.Fatalf("a released round was not taken at the next tick: %v %v", ok, err)
	}
	if err := jobs.ReleaseRound(ctx, sys, d, r); err != nil { // a's stale claim
		t.Fatal(err)
	}
	if _, ok, _ := jobs.TakeRound(ctx, sys, d, "reminders", "c", t0.Add(2*time.Second), time.Minute); ok {
		t.Fatal("a stale release gave away b's claim")
	}
}

// A replica whose clock ran an hour ahead set next_at an hour on: the
// others take the round over at their next tick rather than skip it for
// an hour. Clocks within a tenth of the period keep one replica a round.
func TestTakeRoundClockAhead(t *testing.T) {
	ctx := context.Background()
	d := dbtest.Open(t)
	t0 := time.Date(2026, 12, 7, 8, 0, 0, 0, time.UTC)
	if _, ok, err := jobs.TakeRound(ctx, sys, d, "reminders", "fast", t0.Add(time.Hour), time.Minute); err != nil || !ok {
		t.Fatal(ok, err)
	}
	if _, ok, err := jobs.TakeRound(ctx, sys, d, "reminders", "right", t0, time.Minute); err != nil || !ok {
		t.Fatalf("a claim an hour ahead was waited for: %v %v", ok, err)
	}
	if _, ok, _ := jobs.TakeRound(ctx, sys, d, "reminders", "slightly-fast", t0.Add(3*time.Second), time.Minute); ok {
		t.Fatal("a clock 3 s ahead took the round within its period")
	}
}

// A round is the instance's: no person, no empty viewer.
func TestTakeRoundRefusesPeople(t *testing.T) {
	ctx := context.Background()
	d := dbtest.Open(t)
	for _, v := range []*access.Viewer{nil, {ID: "someone"}} {
		if _, ok, err := jobs.TakeRound(ctx, v, d, "reminders", "a", time.Now(), time.Minute); err == nil || ok {
			t.Errorf("viewer %v: took the round (%v, %v)", v, ok, err)
		}
		if err := jobs.ReleaseRound(ctx, v, d, jobs.Round{Name: "reminders", Holder: "a"}); err == nil {
			t.Errorf("viewer %v: released a round", v)
		}
	}
	if _, _, err := jobs.TakeRound(ctx, sys, d, "", "a", time.Now(), time.Minute); err == nil {
		t.Error("a round without a name was taken")
	}
}
