package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"cartable/internal/auth"
	"cartable/internal/demo"
)

// signInStrong signs login in with the password (the demo does not ask
// for a second factor), sets up an authenticator app from the account
// area, and steps the session up with a code of it, as entering marks
// requires whatever the establishment's setting.
func (e *env) signInStrong(login string) *browser {
	e.t.Helper()
	b := e.signIn(login)
	csrf := b.csrf()
	if r := b.post("/account/totp/start", url.Values{"csrf": {csrf}}); r.status != http.StatusSeeOther {
		e.t.Fatalf("TOTP start for %s: %d", login, r.status)
	}
	m := secretRe.FindStringSubmatch(b.get("/account/totp").body)
	if m == nil {
		e.t.Fatal("no TOTP secret shown")
	}
	secret := strings.ReplaceAll(m[1], " ", "")
	if e.secrets == nil {
		e.secrets = map[string]string{}
	}
	e.secrets[login] = secret
	code, _ := auth.TOTPCode(secret, e.clock.Now())
	if r := b.post("/account/totp/confirm", url.Values{"csrf": {csrf}, "code": {code}}); r.status != http.StatusSeeOther {
		e.t.Fatalf("TOTP confirm for %s: %d", login, r.status)
	}
	e.clock.Add(30 * time.Second) // a code serves once: the next step's
	code, _ = auth.TOTPCode(secret, e.clock.Now())
	r := b.post("/sign-in/second-factor", url.Values{"csrf": {b.csrf()}, "method": {"totp"}, "code": {code}, "next": {"/"}})
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/" {
		e.t.Fatalf("step-up of %s: %d → %s %.300s", login, r.status, r.header.Get("Location"), r.body)
	}
	return b
}

// strong tells whether the browser's session passed a second factor.
func (e *env) strong(b *browser) bool {
	e.t.Helper()
	var done bool
	err := e.db.QueryRow(context.Background(), `SELECT second_factor FROM sessions WHERE token_hash = ?`,
		auth.HashToken(b.cookie("cartable"))).Scan(&done)
	if err != nil {
		e.t.Fatalf("session of the browser: %v", err)
	}
	return done
}

// A session let in on a password alone steps up with a second factor: the
// page offers it (with where to go next), the code makes the session
// strong, and an address of another host is never followed.
func TestStepUpToSecondFactor(t *testing.T) {
	e := newEnv(t, 40)
	teacher := e.account(func(a demo.Account) bool { return a.Profile == "teacher" })
	b := e.signIn(teacher.Login)
	if e.strong(b) {
		t.Fatal("a password-only session counts as strong")
	}
	if r := b.get("/sign-in/second-factor?next=/grades"); r.status != http.StatusOK || !strings.Contains(r.body, "/account/totp/start") {
		t.Fatalf("step-up page without a factor: %d %.300s", r.status, r.body)
	}
	b = e.signInStrong(teacher.Login)
	if !e.strong(b) {
		t.Fatal("the session did not step up")
	}
	if r := b.get("/sign-in/second-factor?next=//evil.example/x"); r.status != http.StatusSeeOther || r.header.Get("Location") != "/" {
		t.Fatalf("strong session on the step-up page: %d → %s", r.status, r.header.Get("Location"))
	}
	if r := b.get("/sign-in/second-factor?next=/grades"); r.header.Get("Location") != "/grades" {
		t.Fatalf("next not followed: → %s", r.header.Get("Location"))
	}
}
