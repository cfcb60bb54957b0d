package auth

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"cartable/internal/db"
	"cartable/internal/dbtest"
)

func TestReserveCountsBeforeTheCheck(t *testing.T) {
	d := dbtest.Open(t)
	ctx := context.Background()
	c := &testClock{at: time.Unix(1_800_000_000, 0)}
	a := &Attempts{DB: d, Limits: DefaultLimits, Now: c.now}
	key, ip := LoginKey("login", "jean.dupont"), AddressKey("192.0.2.1")

	// Three free attempts, each counted as soon as it is reserved.
	for i := 1; i <= 3; i++ {
		if _, err := a.Reserve(ctx, key, ip); err != nil {
			t.Fatalf("attempt %d: %v", i, err)
		}
		if n, _ := a.Failures(ctx, key); n != i {
			t.Fatalf("attempt %d reserved, %d counted", i, n)
		}
	}
	// The fourth brings a wait, from its reservation on: a fifth made
	// while it is checked is refused, and counted nowhere.
	fourth, err := a.Reserve(ctx, key, ip)
	if err != nil {
		t.Fatal(err)
	}
	_, err = a.Reserve(ctx, key, ip)
	var te *ThrottledError
	if !errors.As(err, &te) || te.Wait != time.Second || te.Locked {
		t.Fatalf("attempt during the wait: %v", err)
	}
	if n, _ := a.Failures(ctx, key); n != 4 {
		t.Fatalf("%d failures after a refusal, want 4", n)
	}
	if n, _ := a.Failures(ctx, ip); n != 4 {
		t.Fatalf("the refused attempt was counted under the address: %d", n)
	}
	// Nothing was checked (say the request ended): the attempt is given
	// back, wait included.
	if err := fourth.Release(ctx); err != nil {
		t.Fatal(err)
	}
	if n, _ := a.Failures(ctx, key); n != 3 {
		t.Fatalf("%d failures after the release, want 3", n)
	}
	if w, _, _ := a.Wait(ctx, key); w != 0 {
		t.Fatalf("the released attempt's wait stayed: %s", w)
	}
	// A success clears the account key and gives the address its attempt back.
	ok, err := a.Reserve(ctx, key, ip)
	if err != nil {
		t.Fatal(err)
	}
	if err := ok.Succeeded(ctx, key); err != nil {
		t.Fatal(err)
	}
	if n, _ := a.Failures(ctx, key); n != 0 {
		t.Fatalf("%d failures after a success", n)
	}
	if n, _ := a.Failures(ctx, ip); n != 3 {
		t.Fatalf("address: %d failures after a success, want 3", n)
	}
	// An attempt released after others were counted takes only its own
	// failure back.
	r1, _ := a.Reserve(ctx, ip)
	r2, _ := a.Reserve(ctx, ip)
	if err := r1.Release(ctx); err != nil {
		t.Fatal(err)
	}
	if n, _ := a.Failures(ctx, ip); n != 4 {
		t.Fatalf("address: %d failures, want 4", n)
	}
	_ = r2

	// A key held makes the whole reservation fail: nothing is counted
	// under the other keys either.
	locked := LoginKey("login", "someone.else")
	for i := 0; i < DefaultLimits.AccountLock; i++ {
		a.fail(ctx, locked)
	}
	before, _ := a.Failures(ctx, ip)
	if _, err := a.Reserve(ctx, ip, locked); !errors.As(err, &te) || !te.Locked || te.Wait != 15*time.Minute {
		t.Fatalf("reservation with a locked key: %v", err)
	}
	if n, _ := a.Failures(ctx, ip); n != before {
		t.Fatalf("the address was counted beside a locked key: %d, want %d", n, before)
	}
	// The reservation that reaches the lock says so.
	other := LoginKey("login", "third.person")
	for i := 1; i < DefaultLimits.AccountLock; i++ {
		r, err := a.Reserve(ctx, other)
		if err != nil {
			t.Fatal(err)
		}
		if len(r.LockedNow()) != 0 {
			t.Fatalf("attempt %d locked", i)
		}
		w, _, _ := a.Wait(ctx, other)
		c.at = c.at.Add(w)
	}
	r, err := a.Reserve(ctx, other)
	if err != nil || len(r.LockedNow()) != 1 || r.LockedNow()[0] != other {
		t.Fatalf("the locking attempt: %v %v", r, err)
	}
}

// Attempts made at once on two handles of one database (two replicas) are
// counted one after the other: exactly AccountLock reservations pass.
func TestReserveUnderConcurrencyOnTwoHandles(t *testing.T) {
	ctx := context.Background()
	u := dbtest.URL(t)
	var handles []*db.DB
	for i := 0; i < 2; i++ {
		d, err := db.Open(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { d.Close() })
		if i == 0 {
			if _, err := d.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
		}
		handles = append(handles, d)
	}
	limits := DefaultLimits
	limits.AccountFree, limits.AccountLock = 5, 5
	key, ip := LoginKey("login", "jean.dupont"), AddressKey("192.0.2.7")
	var mu sync.Mutex
	passed, refused, locks := 0, 0, 0
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := 0; i < 60; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			a := &Attempts{DB: handles[i%2], Limits: limits}
			<-start
			keys := []string{ip, key} // in either order
			if i%3 == 0 {
				keys = []string{key, ip}
			}
			r, err := a.Reserve(ctx, keys...)
			mu.Lock()
			defer mu.Unlock()
			var te *ThrottledError
			switch {
			case errors.As(err, &te):
				refused++
			case err != nil:
				t.Error(err)
			default:
				passed++
				locks += len(r.LockedNow())
			}
		}()
	}
	close(start)
	wg.Wait()
	a := &Attempts{DB: handles[0], Limits: limits}
	n, _ := a.Failures(ctx, key)
	if passed != 5 || n != 5 || locks != 1 {
		t.Fatalf("%d reservations passed (%d refused), %d failures counted, %d locks; want 5, 5, 1", passed, refused, n, locks)
	}
	if _, locked, _ := a.Wait(ctx, key); !locked {
		t.Fatal("the key is not locked")
	}
}
