package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"cartable/internal/audit"
	"cartable/internal/auth"
	"cartable/internal/demo"
)

// Enrolment while the second factor is owed: a session opened by the
// password alone must not add a factor (and thereby complete itself) when
// the person already has one. Only forced enrolment — a person with no
// factor yet — may enrol from such a session.

// owes tells whether the browser's session still owes its second factor.
func (e *env) owes(b *browser) bool {
	e.t.Helper()
	var done bool
	err := e.db.QueryRow(context.Background(), `SELECT mfa_done FROM sessions WHERE token_hash = ?`,
		auth.HashToken(b.cookie("cartable"))).Scan(&done)
	if err != nil {
		e.t.Fatalf("session of the browser: %v", err)
	}
	return !done
}

// passwordOnly signs in with the password and returns the browser, owing
// its second factor, and the form token of the second-factor page.
func (e *env) passwordOnly(login string) (*browser, string) {
	e.t.Helper()
	b := e.browser()
	r := b.post("/sign-in", url.Values{"login": {login}, "password": {demo.DefaultPassword}})
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/sign-in/second-factor" {
		e.t.Fatalf("sign-in of %s: %d → %s", login, r.status, r.header.Get("Location"))
	}
	return b, formToken(e.t.(*testing.T), b.get("/sign-in/second-factor").body)
}

// enrolAppAtSignIn sets up an authenticator app for login through forced
// enrolment and returns its secret.
func (e *env) enrolAppAtSignIn(login string) string {
	e.t.Helper()
	t := e.t.(*testing.T)
	b, csrf := e.passwordOnly(login)
	if r := b.post("/account/totp/start", url.Values{"csrf": {csrf}}); r.status != http.StatusSeeOther {
		t.Fatalf("TOTP start: %d", r.status)
	}
	m := secretRe.FindStringSubmatch(b.get("/account/totp").body)
	if m == nil {
		t.Fatal("no TOTP secret shown")
	}
	secret := strings.ReplaceAll(m[1], " ", "")
	code, _ := auth.TOTPCode(secret, e.clock.Now())
	if r := b.post("/account/totp/confirm", url.Values{"csrf": {csrf}, "code": {code}}); r.status != http.StatusSeeOther || r.header.Get("Location") != "/account/recovery-codes" {
		t.Fatalf("TOTP confirm: %d", r.status)
	}
	return secret
}

func (e *env) count(q string, args ...any) int {
	e.t.Helper()
	var n int
	if err := e.db.QueryRow(context.Background(), q, args...).Scan(&n); err != nil {
		e.t.Fatal(err)
	}
	return n
}

// deniedEnrolments counts the audited refusals of an enrolment by method.
func (e *env) deniedEnrolments(personID, method string) int {
	e.t.Helper()
	ev, err := audit.List(context.Background(), e.db, audit.Filter{ActorID: personID, Action: audit.MFAEnrolled})
	if err != nil {
		e.t.Fatal(err)
	}
	n := 0
	for _, x := range ev {
		if x.Outcome == audit.Denied && x.Target == "method:"+method {
			n++
		}
	}
	return n
}

func TestOwedTOTPCannotBeSkippedByRegisteringAPasskey(t *testing.T) {
	e := newEnv(t, 40)
	e.requireMFA()
	teacher := e.account(func(a demo.Account) bool { return a.Profile == "teacher" })
	me := e.person(teacher.Login)
	e.enrolAppAtSignIn(teacher.Login)

	// Someone who knows the password only.
	b, csrf := e.passwordOnly(teacher.Login)
	k := e.passkeys(t)
	r := b.post("/account/passkeys/begin", url.Values{"csrf": {csrf}})
	if r.status != http.StatusForbidden || !strings.Contains(r.body, "double authentification") {
		t.Fatalf("passkey registration begun while the TOTP is owed: %d %.200s", r.status, r.body)
	}
	if n := e.count(`SELECT COUNT(*) FROM webauthn_ceremonies`); n != 0 {
		t.Fatalf("%d ceremonies stored by a refused begin", n)
	}
	// A finish with an answer made up for any challenge: refused before
	// anything is read.
	r = b.post("/account/passkeys/finish", url.Values{"csrf": {csrf}, "name": {"Pirate"},
		"credential": {k.create(t, `{"publicKey":{"challenge":"AAAAAAAAAAAAAAAAAAAAAA"}}`)}})
	if r.status != http.StatusForbidden {
		t.Fatalf("passkey registration finished while the TOTP is owed: %d %.200s", r.status, r.body)
	}
	if n := e.count(`SELECT COUNT(*) FROM webauthn_credentials WHERE person_id = ?`, me.ID); n != 0 {
		t.Fatalf("%d passkeys stored", n)
	}
	if !e.owes(b) {
		t.Fatal("the session no longer owes its second factor")
	}
	if r := b.get("/"); r.status != http.StatusSeeOther || r.header.Get("Location") != "/sign-in/second-factor" {
		t.Fatalf("home after the refusals: %d → %s", r.status, r.header.Get("Location"))
	}
	// The TOTP routes refuse as well: no second app over the first, no
	// page showing an enrolment.
	if r := b.get("/account/totp"); r.status != http.StatusSeeOther || r.header.Get("Location") != "/sign-in/second-factor" {
		t.Fatalf("TOTP page while the TOTP is owed: %d → %s", r.status, r.header.Get("Location"))
	}
	for _, p := range []string{"/account/totp/start", "/account/totp/confirm"} {
		if r := b.post(p, url.Values{"csrf": {csrf}, "code": {"123456"}}); r.status != http.StatusForbidden {
			t.Fatalf("POST %s while the TOTP is owed: %d", p, r.status)
		}
	}
	if n := e.count(`SELECT COUNT(*) FROM totp_credentials WHERE person_id = ? AND confirmed`, me.ID); n != 1 {
		t.Fatalf("%d confirmed apps", n)
	}
	if !e.owes(b) {
		t.Fatal("the session no longer owes its second factor")
	}
	if n := e.deniedEnrolments(me.ID, "passkey"); n != 2 {
		t.Errorf("%d refused passkey enrolments audited, want 2", n)
	}
	if n := e.deniedEnrolments(me.ID, "totp"); n != 3 {
		t.Errorf("%d refused TOTP enrolments audited, want 3", n)
	}
}

func TestOwedPasskeyCannotBeSkippedByEnrollingTOTP(t *testing.T) {
	e := newEnv(t, 40)
	e.requireMFA()
	teacher := e.account(func(a demo.Account) bool { return a.Profile == "teacher" })
	me := e.person(teacher.Login)

	// Forced enrolment by passkey: allowed, and it completes the session.
	owner, csrf := e.passwordOnly(teacher.Login)
	k := e.passkeys(t)
	begin, finish := owner.registerPasskey(t, k, csrf)
	if begin.status != 200 || finish.status != 200 || !strings.Contains(finish.body, `"next"`) {
		t.Fatalf("forced passkey enrolment: %d, %d %.300s", begin.status, finish.status, finish.body)
	}
	if r := owner.get("/"); r.status != 200 {
		t.Fatalf("home after the forced passkey enrolment: %d", r.status)
	}
	// The passkey then serves as the second factor.
	b2, csrf2 := e.passwordOnly(teacher.Login)
	opts := b2.post("/sign-in/passkey/begin", url.Values{"csrf": {csrf2}})
	if opts.status != 200 {
		t.Fatalf("passkey sign-in begin: %d %.200s", opts.status, opts.body)
	}
	if r := b2.post("/sign-in/passkey/finish", url.Values{"csrf": {csrf2}, "credential": {k.get(t, opts.body)}}); r.status != 200 {
		t.Fatalf("passkey sign-in: %d %.200s", r.status, r.body)
	}
	if r := b2.get("/"); r.status != 200 {
		t.Fatalf("home after the passkey: %d", r.status)
	}

	// The owner starts an app enrolment from the full session; the secret
	// is pending for 15 minutes.
	ocsrf := owner.csrf()
	if r := owner.post("/account/totp/start", url.Values{"csrf": {ocsrf}}); r.status != http.StatusSeeOther {
		t.Fatalf("owner's TOTP start: %d", r.status)
	}
	pending := strings.ReplaceAll(secretRe.FindStringSubmatch(owner.get("/account/totp").body)[1], " ", "")

	// Someone with the password only may neither read that secret, nor
	// enrol an app, nor register another passkey.
	b, csrf := e.passwordOnly(teacher.Login)
	r := b.get("/account/totp")
	if r.status != http.StatusSeeOther || strings.Contains(r.body, pending[:8]) {
		t.Fatalf("TOTP page while the passkey is owed: %d", r.status)
	}
	if r := b.post("/account/totp/start", url.Values{"csrf": {csrf}}); r.status != http.StatusForbidden {
		t.Fatalf("TOTP start while the passkey is owed: %d", r.status)
	}
	code, _ := auth.TOTPCode(pending, e.clock.Now())
	if r := b.post("/account/totp/confirm", url.Values{"csrf": {csrf}, "code": {code}}); r.status != http.StatusForbidden {
		t.Fatalf("TOTP confirm while the passkey is owed: %d %.200s", r.status, r.body)
	}
	if n := e.count(`SELECT COUNT(*) FROM totp_credentials WHERE person_id = ? AND confirmed`, me.ID); n != 0 {
		t.Fatal("an app was confirmed by a session owing its passkey")
	}
	if r := b.post("/account/passkeys/begin", url.Values{"csrf": {csrf}}); r.status != http.StatusForbidden {
		t.Fatalf("second passkey while the first is owed: %d", r.status)
	}
	if n := e.count(`SELECT COUNT(*) FROM webauthn_credentials WHERE person_id = ?`, me.ID); n != 1 {
		t.Fatalf("%d passkeys", n)
	}
	if !e.owes(b) {
		t.Fatal("the session no longer owes its second factor")
	}
	if r := b.get("/"); r.status != http.StatusSeeOther {
		t.Fatalf("home: %d", r.status)
	}
	if n := e.deniedEnrolments(me.ID, "totp"); n != 3 {
		t.Errorf("%d refused TOTP enrolments audited, want 3", n)
	}
	// The owner's enrolment is still theirs to finish.
	if r := owner.post("/account/totp/confirm", url.Values{"csrf": {ocsrf}, "code": {code}}); r.status != http.StatusSeeOther {
		t.Fatalf("owner's TOTP confirm: %d", r.status)
	}
}

// A forced enrolment begun while the person had no factor cannot finish
// once they have one: the check is made again when the factor is stored.
func TestForcedEnrolmentRacingTheOwnersEnrolment(t *testing.T) {
	e := newEnv(t, 40)
	e.requireMFA()
	teacher := e.account(func(a demo.Account) bool { return a.Profile == "teacher" })
	me := e.person(teacher.Login)
	k := e.passkeys(t)

	attacker, acsrf := e.passwordOnly(teacher.Login)
	begin := attacker.post("/account/passkeys/begin", url.Values{"csrf": {acsrf}})
	if begin.status != 200 {
		t.Fatalf("forced passkey enrolment begin: %d", begin.status)
	}
	// Meanwhile the owner enrols an app (forced enrolment by TOTP).
	e.enrolAppAtSignIn(teacher.Login)

	r := attacker.post("/account/passkeys/finish", url.Values{"csrf": {acsrf}, "name": {"x"}, "credential": {k.create(t, begin.body)}})
	if r.status != http.StatusForbidden {
		t.Fatalf("passkey finished after the owner's enrolment: %d %.200s", r.status, r.body)
	}
	if n := e.count(`SELECT COUNT(*) FROM webauthn_credentials WHERE person_id = ?`, me.ID); n != 0 {
		t.Fatalf("%d passkeys stored", n)
	}
	if !e.owes(attacker) {
		t.Fatal("the attacker's session was completed")
	}
	if n := e.deniedEnrolments(me.ID, "passkey"); n != 1 {
		t.Errorf("%d refused passkey enrolments audited, want 1", n)
	}
}

// Someone who cannot finish the second factor must be able to leave: the
// sign-out form of the second-factor page works (with its form token).
func TestSignOutWhileTheSecondFactorIsOwed(t *testing.T) {
	e := newEnv(t, 40)
	e.requireMFA()
	teacher := e.account(func(a demo.Account) bool { return a.Profile == "teacher" })
	me := e.person(teacher.Login)
	e.enrolAppAtSignIn(teacher.Login)
	for _, enrolled := range []bool{true, false} {
		login := teacher.Login
		if !enrolled {
			// A person who must enrol and gives up.
			login = e.account(func(a demo.Account) bool { return a.Profile == "teacher" && a.Login != teacher.Login }).Login
		}
		b, csrf := e.passwordOnly(login)
		token := b.cookie("cartable")
		if r := b.post("/sign-out", url.Values{}); r.status != http.StatusForbidden {
			t.Fatalf("sign-out without the form token: %d", r.status)
		}
		r := b.post("/sign-out", url.Values{"csrf": {csrf}})
		if r.status != http.StatusSeeOther || r.header.Get("Location") != "/sign-in" {
			t.Fatalf("sign-out while the factor is owed (enrolled %v): %d → %s", enrolled, r.status, r.header.Get("Location"))
		}
		if n := e.count(`SELECT COUNT(*) FROM sessions WHERE token_hash = ?`, auth.HashToken(token)); n != 0 {
			t.Fatal("the session survived the sign-out")
		}
		if r := b.get("/sign-in/second-factor"); r.status != http.StatusSeeOther || r.header.Get("Location") != "/sign-in" {
			t.Fatalf("after sign-out: %d → %s", r.status, r.header.Get("Location"))
		}
	}
	ev, _ := audit.List(context.Background(), e.db, audit.Filter{ActorID: me.ID, Action: audit.SignOut})
	if len(ev) != 1 {
		t.Errorf("%d sign-outs audited for the enrolled teacher, want 1", len(ev))
	}
}
