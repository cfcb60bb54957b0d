package web_test

import (
	"context"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"cartable/internal/access"
	"cartable/internal/audit"
	"cartable/internal/auth"
	"cartable/internal/db"
	"cartable/internal/dbtest"
	"cartable/internal/demo"
	"cartable/internal/files"
	"cartable/internal/web"
)

// Attempt limiting under concurrency: attempts fired together must be
// counted one after the other, so that no more credentials are checked than
// the limits allow, on one server or several sharing the database.

// lockAt is the policy of these tests: the account locks at the fifth
// failure, without waits before (so that only the lock can stop a burst).
const lockAt = 5

func lockPolicy() auth.Limits {
	l := auth.DefaultLimits
	l.AccountFree, l.AccountLock = lockAt, lockAt
	l.AddressFree = 1000 // every request comes from 127.0.0.1: the address must not stop a burst first
	return l
}

// shot is one request of a burst.
type shot struct {
	base   string // server URL
	client *http.Client
	path   string
	form   url.Values
	right  bool // carries the right credential
}

type result struct {
	shot
	status int
	err    error
}

func newClient() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, Timeout: 60 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// fire sends every shot at once, in a random order, and waits for all the
// answers.
func fire(t *testing.T, shots []shot) []result {
	t.Helper()
	rand.Shuffle(len(shots), func(i, j int) { shots[i], shots[j] = shots[j], shots[i] })
	out := make([]result, len(shots))
	start := make(chan struct{})
	var ready, done sync.WaitGroup
	for i, s := range shots {
		ready.Add(1)
		done.Add(1)
		go func() {
			defer done.Done()
			req, _ := http.NewRequest("POST", s.base+s.path, strings.NewReader(s.form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			ready.Done()
			<-start
			resp, err := s.client.Do(req)
			out[i] = result{shot: s, err: err}
			if err == nil {
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				out[i].status = resp.StatusCode
			}
		}()
	}
	ready.Wait()
	close(start)
	done.Wait()
	for _, r := range out {
		if r.err != nil {
			t.Fatalf("request: %v", r.err)
		}
	}
	return out
}

// tally counts the answers by status, and tells what the right one got.
func tally(rs []result) (byStatus map[int]int, right int) {
	byStatus = map[int]int{}
	for _, r := range rs {
		byStatus[r.status]++
		if r.right {
			right = r.status
		}
	}
	return byStatus, right
}

// events counts the audited events of an action about a person, by outcome.
func events(t *testing.T, d *db.DB, action, personID string) map[string]int {
	t.Helper()
	ev, err := audit.List(context.Background(), d, audit.Filter{Action: action, Limit: 10000})
	if err != nil {
		t.Fatal(err)
	}
	n := map[string]int{}
	for _, e := range ev {
		if e.Target == "person:"+personID || e.ActorID == personID {
			n[e.Outcome]++
		}
	}
	return n
}

// burstSignIns fires 39 wrong passwords and the right one at once at the
// servers (in turn) for login, and checks what the limits promise. It
// returns false when the right password came among the first lockAt
// attempts counted and rightly got in: the caller then tries another
// account.
func burstSignIns(t *testing.T, d *db.DB, servers []string, a *auth.Attempts, login, personID string) bool {
	t.Helper()
	var shots []shot
	for i := 0; i < 40; i++ {
		pw, right := "devine-"+strconv.Itoa(i), false
		if i == 0 {
			pw, right = demo.DefaultPassword, true
		}
		shots = append(shots, shot{base: servers[i%len(servers)], client: newClient(), path: "/sign-in",
			form: url.Values{"login": {login}, "password": {pw}}, right: right})
	}
	rs := fire(t, shots)
	byStatus, right := tally(rs)
	checked := events(t, d, audit.SignIn, personID)
	if right == http.StatusSeeOther {
		// The right password was counted before the lock: it signs in and
		// clears the account's counter, and the burst goes on against a
		// fresh counter. Still bounded: lockAt−1 failures before the
		// success, lockAt after.
		if byStatus[http.StatusUnauthorized] > 2*lockAt-1 || checked[audit.Failure] != byStatus[http.StatusUnauthorized] {
			t.Fatalf("after a success in the burst: %v, %d failures audited", byStatus, checked[audit.Failure])
		}
		t.Logf("the right password came among the first %d: %v", lockAt, byStatus)
		return false
	}
	// Exactly lockAt passwords were checked, all wrong; every other attempt,
	// the right one included, was refused unchecked.
	if right != http.StatusTooManyRequests || byStatus[http.StatusUnauthorized] != lockAt || byStatus[http.StatusTooManyRequests] != 40-lockAt {
		t.Fatalf("burst: %v, the right password got %d; want %d×401 and %d×429", byStatus, right, lockAt, 40-lockAt)
	}
	if checked[audit.Failure] != lockAt || checked[audit.Success] != 0 {
		t.Fatalf("passwords checked: %v, want %d failures", checked, lockAt)
	}
	ctx := context.Background()
	key := auth.LoginKey("login", login)
	if n, _ := a.Failures(ctx, key); n != lockAt {
		t.Fatalf("%d failures recorded, want %d", n, lockAt)
	}
	if wait, locked, _ := a.Wait(ctx, key); !locked || wait < 14*time.Minute {
		t.Fatalf("after the burst: wait %s, locked %v", wait, locked)
	}
	if n := events(t, d, audit.AccountLocked, personID)[audit.Denied]; n != 1 {
		t.Fatalf("lock audited %d times", n)
	}
	if n := events(t, d, audit.SignInThrottled, personID)[audit.Denied]; n != 40-lockAt {
		t.Fatalf("%d refusals audited, want %d", n, 40-lockAt)
	}
	// And the account stays locked for the right password.
	c := newClient()
	resp, err := c.PostForm(servers[0]+"/sign-in", url.Values{"login": {login}, "password": {demo.DefaultPassword}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("right password after the burst: %d", resp.StatusCode)
	}
	return true
}

// eachTeacher runs try on demo teachers until it returns true (the right
// password came after the lock), at most six times.
func eachTeacher(t *testing.T, accounts []demo.Account, try func(login string) bool) {
	t.Helper()
	n := 0
	for _, a := range accounts {
		if a.Profile != "teacher" {
			continue
		}
		if try(a.Login) {
			return
		}
		if n++; n == 6 {
			t.Fatal("the right password was checked among the first attempts six times in a row")
		}
	}
	t.Fatal("not enough teachers")
}

func TestParallelSignInsStopAtTheLimit(t *testing.T) {
	e := newEnv(t, 40)
	e.srv.Auth.Attempts.Limits = lockPolicy()
	eachTeacher(t, e.accounts, func(login string) bool {
		return burstSignIns(t, e.db, []string{e.ts.URL}, e.srv.Auth.Attempts, login, e.person(login).ID)
	})
}

// Two servers over one database, as two replicas: the attempts sent to
// either count under the same limit.
func TestParallelSignInsOnTwoReplicasShareTheLimit(t *testing.T) {
	ctx := context.Background()
	u := dbtest.URL(t)
	var servers []string
	var first *web.Server
	var d0 *db.DB
	var accts []demo.Account
	c := &clock{at: time.Now()}
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
			if err := d.Tx(ctx, func(tx *db.Tx) (err error) {
				accts, err = demo.Generate(ctx, access.System("test"), tx, demo.Options{Seed: 1, Students: 30})
				return err
			}); err != nil {
				t.Fatal(err)
			}
			d0 = d
		}
		store, err := files.Open(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		s, err := web.New(web.Options{DB: d, BaseURL: "http://127.0.0.1", Log: slog.New(slog.DiscardHandler), Files: store})
		if err != nil {
			t.Fatal(err)
		}
		s.Now, s.Sessions.Now = c.Now, c.Now
		s.Auth.Attempts.Limits = lockPolicy()
		if first == nil {
			first = s
		}
		ts := httptest.NewServer(s.Handler())
		t.Cleanup(ts.Close)
		servers = append(servers, ts.URL)
	}
	e := &env{t: t, db: d0}
	eachTeacher(t, accts, func(login string) bool {
		return burstSignIns(t, d0, servers, first.Auth.Attempts, login, e.person(login).ID)
	})
}

// Second-factor codes share one limit too: 39 wrong codes (TOTP and
// recovery) and the right one, each from its own password-only session.
func TestParallelSecondFactorCodesStopAtTheLimit(t *testing.T) {
	e := newEnv(t, 40)
	e.requireMFA()
	e.srv.Auth.Attempts.Limits = lockPolicy()
	ctx := context.Background()
	eachTeacher(t, e.accounts, func(login string) bool {
		me := e.person(login)
		secret := e.enrolAppAtSignIn(login)
		e.clock.Add(30 * time.Second) // the enrolment used this step's code
		right, _ := auth.TOTPCode(secret, e.clock.Now())
		valid := map[string]bool{}
		for _, d := range []time.Duration{-30 * time.Second, 0, 30 * time.Second} {
			c, _ := auth.TOTPCode(secret, e.clock.Now().Add(d))
			valid[c] = true
		}
		before := events(t, e.db, audit.SecondFactor, me.ID)
		var shots []shot
		for i := 0; i < 40; i++ {
			b, csrf := e.passwordOnly(login)
			form := url.Values{"csrf": {csrf}, "method": {"totp"}, "code": {right}}
			if i > 0 {
				wrong := right
				for valid[wrong] {
					wrong = strconv.Itoa(100000 + rand.IntN(900000))
				}
				form.Set("code", wrong)
				if i%2 == 0 {
					form.Set("method", "recovery")
					form.Set("code", "abcde-fghij")
				}
			}
			shots = append(shots, shot{base: e.ts.URL, client: b.client, path: "/sign-in/second-factor", form: form, right: i == 0})
		}
		rs := fire(t, shots)
		byStatus, rightStatus := tally(rs)
		checked := events(t, e.db, audit.SecondFactor, me.ID)
		for k, n := range before {
			checked[k] -= n
		}
		if rightStatus == http.StatusSeeOther {
			if byStatus[http.StatusUnauthorized] > 2*lockAt-1 || checked[audit.Failure] != byStatus[http.StatusUnauthorized] {
				t.Fatalf("after a success in the burst: %v, %d failures audited", byStatus, checked[audit.Failure])
			}
			t.Logf("the right code came among the first %d: %v", lockAt, byStatus)
			return false
		}
		if rightStatus != http.StatusTooManyRequests || byStatus[http.StatusUnauthorized] != lockAt || byStatus[http.StatusTooManyRequests] != 40-lockAt {
			t.Fatalf("burst of codes: %v, the right code got %d", byStatus, rightStatus)
		}
		if checked[audit.Failure] != lockAt || checked[audit.Success] != 0 {
			t.Fatalf("codes checked: %v, want %d failures", checked, lockAt)
		}
		if n, _ := e.srv.Auth.Attempts.Failures(ctx, "mfa:"+me.ID); n != lockAt {
			t.Fatalf("%d failures recorded, want %d", n, lockAt)
		}
		if _, locked, _ := e.srv.Auth.Attempts.Wait(ctx, "mfa:"+me.ID); !locked {
			t.Fatal("the second factor is not locked")
		}
		return true
	})
}
