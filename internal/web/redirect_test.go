package web_test

import (
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"cartable/internal/demo"
)

// offSite are "next" values a browser would follow to another site (or
// that are not a plain path of this one).
var offSite = []string{
	"/\t/evil.example", "/\n/evil.example", "/\r\n/evil.example", "//evil.example", "//evil.example/account",
	"/\\evil.example", "/\\/evil.example", "\\\\evil.example", "/account//evil.example", "///evil.example",
	"https://evil.example", "http:/evil.example", "javascript:alert(1)", "evil.example", " /account",
	"/ /evil.example", "/\x00/evil.example", "/\x7f/evil.example", "/caf\u00e9", "", "/" + strings.Repeat("a", 300),
}

func TestRedirectParametersStayOnThisSite(t *testing.T) {
	e := newEnv(t, 30)
	st := e.account(func(a demo.Account) bool { return a.Profile == "student" })
	b := e.signIn(st.Login)
	csrf := b.csrf()

	// The reported case, as a link: /account/confirm?next=/%09/evil.example.
	r := b.get("/account/confirm?next=/%09/evil.example")
	if r.status != 200 || !strings.Contains(r.body, `name="next" value="/account"`) {
		t.Fatalf("confirmation page for an off-site next: %d", r.status)
	}
	for _, next := range offSite {
		r := b.get("/account/confirm?next=" + url.QueryEscape(next))
		if r.status != 200 || !strings.Contains(r.body, `name="next" value="/account"`) {
			t.Errorf("GET confirm next=%q: %d, next kept", next, r.status)
		}
		r = b.post("/account/confirm", url.Values{"csrf": {csrf}, "password": {demo.DefaultPassword}, "next": {next}})
		if loc := r.header.Get("Location"); r.status != http.StatusSeeOther || loc != "/account?done=reauth" {
			t.Errorf("POST confirm next=%q: %d → %q", next, r.status, loc)
		}
		r = b.post("/language", url.Values{"lang": {"fr"}, "next": {next}})
		if loc := r.header.Get("Location"); r.status != http.StatusSeeOther || loc != "/" {
			t.Errorf("language next=%q: %d → %q", next, r.status, loc)
		}
	}
	// Pages of the site are kept, with their query.
	for _, next := range []string{"/account/totp", "/timetable?week=2025-09-01", "/legal"} {
		r := b.get("/account/confirm?next=" + url.QueryEscape(next))
		if !strings.Contains(r.body, `name="next" value="`+html.EscapeString(next)+`"`) {
			t.Errorf("GET confirm next=%q: not kept", next)
		}
		r = b.post("/account/confirm", url.Values{"csrf": {csrf}, "password": {demo.DefaultPassword}, "next": {next}})
		if loc := r.header.Get("Location"); loc != next {
			t.Errorf("POST confirm next=%q → %q", next, loc)
		}
		if loc := b.post("/language", url.Values{"lang": {"fr"}, "next": {next}}).header.Get("Location"); loc != next {
			t.Errorf("language next=%q → %q", next, loc)
		}
	}
}
