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
	take := func(name, holder string, at time.Time) bool {
		t.Helper()
		ok, err := jobs.TakeRound(ctx, sys, d, name, holder, at, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		return ok
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
				ok, err := jobs.TakeRound(ctx, sys, d, "reminders", string(rune('a'+i)), at, time.Minute)
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
		if take("reminders", "late", at.Add(53*time.Second)) {
			t.Fatalf("round %d taken again 53 s later, within its period", round)
		}
	}
	// Rounds are apart: another name is free.
	if !take("sweep", "a", t0.Add(2*time.Minute)) {
		t.Fatal("another round was not free")
	}
	// A holder that died: the next tick of another replica after the
	// period takes the round.
	if !take("reminders", "b", t0.Add(2*time.Minute+54*time.Second)) {
		t.Fatal("the round stayed held past its period")
	}
}

// A round is the instance's: no person, no empty viewer.
func TestTakeRoundRefusesPeople(t *testing.T) {
	ctx := context.Background()
	d := dbtest.Open(t)
	for _, v := range []*access.Viewer{nil, {ID: "someone"}} {
		if ok, err := jobs.TakeRound(ctx, v, d, "reminders", "a", time.Now(), time.Minute); err == nil || ok {
			t.Errorf("viewer %v: took the round (%v, %v)", v, ok, err)
		}
	}
	if _, err := jobs.TakeRound(ctx, sys, d, "", "a", time.Now(), time.Minute); err == nil {
		t.Error("a round without a name was taken")
	}
}
