package auth

import (
	"context"
	"fmt"
	"runtime"
	"testing"
	"time"

	"cartable/internal/access"
	"cartable/internal/directory"
	"cartable/internal/roles"
)

// Password hashing runs in one fewer slots than the Go processors (at
// least one). A sign-in whose request ends while it waits for a slot
// opens no session and is not counted against the account: after more
// such waits than the free attempts, the right password still signs in
// at once.
func TestSignInWaitingForASlot(t *testing.T) {
	s := newSchool(t)
	ctx := context.Background()
	if got, want := cap(s.a.slots), min(16, max(1, runtime.GOMAXPROCS(0)-1)); got != want {
		t.Fatalf("%d hashing slots, want %d", got, want)
	}
	const pw = "le chat dort sur le canapé"
	h, err := HashPassword(pw)
	if err != nil {
		t.Fatal(err)
	}
	if err := directory.SetPasswordHash(ctx, access.System("test"), s.d, s.teacher, h); err != nil {
		t.Fatal(err)
	}
	in := SignInRequest{Login: "tom.prof", Password: pw, UserAgent: "Firefox/1 Linux", SourceIP: "192.0.2.7"}
	sessions := s.count(t, `SELECT COUNT(*) FROM sessions`)

	for range cap(s.a.slots) {
		s.a.slots <- struct{}{} // every slot busy
	}
	for range DefaultLimits.AccountFree + 2 {
		c, cancel := context.WithCancel(ctx)
		time.AfterFunc(300*time.Millisecond, cancel)
		if _, err := s.a.SignIn(c, in); err == nil {
			t.Fatal("a sign-in went through with every slot busy")
		}
		cancel()
	}
	if n := s.count(t, `SELECT COUNT(*) FROM sessions`); n != sessions {
		t.Fatalf("%d sessions after the abandoned sign-ins, want %d", n, sessions)
	}
	if n := s.count(t, `SELECT COALESCE(SUM(failures), 0) FROM auth_attempts`); n != 0 {
		t.Fatalf("abandoned sign-ins counted as %d failures", n)
	}
	if w := s.a.Waiting(); w != 0 {
		t.Fatalf("%d abandoned checks still counted waiting", w)
	}

	for range cap(s.a.slots) {
		<-s.a.slots
	}
	r, err := s.a.SignIn(ctx, in)
	if err != nil || r.Token == "" {
		t.Fatalf("sign-in once a slot is free: %+v, %v", r, err)
	}
}

// Sign-ins queued behind busy slots are not counted yet: more of them at
// once from one address (a school's pupils behind its one address) than
// the address's free attempts all go through once the slots free up.
func TestSignInsQueuedFromOneAddress(t *testing.T) {
	s := newSchool(t)
	ctx := context.Background()
	const pw = "le chat dort sur le canapé"
	h, err := HashPassword(pw)
	if err != nil {
		t.Fatal(err)
	}
	n := DefaultLimits.AddressFree + 5
	logins := make([]string, n)
	for i := range logins {
		p := &directory.Person{Profile: roles.Student, Login: fmt.Sprintf("eleve.%02d", i), FirstName: "Élève", LastName: "Nom", Active: true}
		if err := directory.CreatePerson(ctx, access.System("test"), s.d, p, h); err != nil {
			t.Fatal(err)
		}
		logins[i] = p.Login
	}
	for range cap(s.a.slots) {
		s.a.slots <- struct{}{} // every slot busy while they arrive
	}
	errs := make(chan error, n)
	for _, login := range logins {
		go func() {
			_, err := s.a.SignIn(ctx, SignInRequest{Login: login, Password: pw, UserAgent: "Firefox/1 Linux", SourceIP: "192.0.2.30"})
			errs <- err
		}()
	}
	// Every one queued (counted by Waiting) before the slots free up.
	for start := time.Now(); s.a.Waiting() < n; time.Sleep(time.Millisecond) {
		if time.Since(start) > 30*time.Second {
			t.Fatalf("%d of %d sign-ins reached the queue", s.a.Waiting(), n)
		}
	}
	for range cap(s.a.slots) {
		<-s.a.slots
	}
	for range n {
		if err := <-errs; err != nil {
			t.Errorf("a sign-in queued from the school's address: %v", err)
		}
	}
	if w := s.a.Waiting(); w != 0 {
		t.Errorf("%d checks still counted waiting once all went through", w)
	}
}

// An attempt under a key in a lock or a wait is refused at once, without
// waiting for a slot behind the sign-ins being checked.
func TestThrottledSignInDoesNotQueue(t *testing.T) {
	s := newSchool(t)
	ctx := context.Background()
	h, err := HashPassword("le chat dort sur le canapé")
	if err != nil {
		t.Fatal(err)
	}
	if err := directory.SetPasswordHash(ctx, access.System("test"), s.d, s.teacher, h); err != nil {
		t.Fatal(err)
	}
	now := s.clock.now().Unix()
	if _, err := s.d.Exec(ctx, `INSERT INTO auth_attempts (counter_key, failures, last_failure, blocked_until, locked) VALUES (?, 10, ?, ?, ?)`,
		LoginKey("login", "tom.prof"), now, now+900, true); err != nil {
		t.Fatal(err)
	}
	for range cap(s.a.slots) {
		s.a.slots <- struct{}{} // every slot busy
	}
	defer func() {
		for range cap(s.a.slots) {
			<-s.a.slots
		}
	}()
	c, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	_, err = s.a.SignIn(c, SignInRequest{Login: "tom.prof", Password: "le chat dort sur le canapé", UserAgent: "Firefox/1 Linux", SourceIP: "192.0.2.8"})
	if wait, ok := Throttled(err); !ok || wait < 800 {
		t.Fatalf("a sign-in on a locked account: %v, want refused at once with the lock's wait", err)
	}
}
