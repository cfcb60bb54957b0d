package web_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"cartable/internal/demo"
	"cartable/internal/web"
)

// getAt is a GET of path with the Host header a browser sends when it
// reaches the server by host (the test server listens on 127.0.0.1), with
// the browser's cookies (the jar would pick them by that host).
func (b *browser) getAt(base, host, path string) response {
	b.e.t.Helper()
	req, err := http.NewRequest("GET", base+path, nil)
	if err != nil {
		b.e.t.Fatal(err)
	}
	req.Host = host
	u, _ := url.Parse(b.e.ts.URL)
	for _, c := range b.client.Jar.Cookies(u) {
		req.AddCookie(c)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		b.e.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return response{status: resp.StatusCode, header: resp.Header, body: string(raw)}
}

const (
	noteShown  = `<p class="note passkey-address">`
	noteHidden = `<p class="note passkey-address" hidden>`
)

// TestPasskeysAreNotOfferedAtAnIPAddress: WebAuthn refuses an IP address
// as relying party, so a page reached by one offers no passkey (neither to
// add one nor to sign in with it) and says why, naming the address to use;
// reached by a name, it offers them.
func TestPasskeysAreNotOfferedAtAnIPAddress(t *testing.T) {
	e := newEnv(t, 30)
	k := e.passkeys(t)
	teacher := e.account(func(a demo.Account) bool { return a.Profile == "teacher" })
	b := e.signIn(teacher.Login)
	if begin, finish := b.registerPasskey(t, k, b.csrf()); begin.status != 200 || finish.status != 200 {
		t.Fatalf("passkey registration: %d %d", begin.status, finish.status)
	}
	// A server whose public URL is a name, as `cartable demo` now is.
	s, err := web.New(web.Options{DB: e.db, BaseURL: "http://localhost:8080", Log: slog.New(slog.DiscardHandler), Files: nil})
	if err != nil {
		t.Fatal(err)
	}
	s.Now, s.Sessions.Now = e.clock.Now, e.clock.Now
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(ts.Close)
	addr := strings.TrimPrefix(ts.URL, "http://")

	// The account page.
	r := b.getAt(ts.URL, addr, "/account")
	if r.status != 200 || !strings.Contains(r.body, noteShown) || strings.Contains(r.body, `data-passkey="register"`) {
		t.Fatalf("account page at %s: %d, passkeys offered or not explained", addr, r.status)
	}
	if !strings.Contains(r.body, "adresse IP") || !strings.Contains(r.body, `<a href="http://localhost:8080">`) {
		t.Error("the note does not say why, nor where to go")
	}
	r = b.getAt(ts.URL, "localhost:8080", "/account")
	if r.status != 200 || !strings.Contains(r.body, noteHidden) || !strings.Contains(r.body, `data-passkey="register"`) {
		t.Errorf("account page at localhost: %d, passkeys not offered", r.status)
	}

	// The second factor of the next sign-in.
	b2 := e.browser()
	if r := b2.post("/sign-in", url.Values{"login": {teacher.Login}, "password": {demo.DefaultPassword}}); r.header.Get("Location") != "/sign-in/second-factor" {
		t.Fatalf("sign-in with a passkey: %d to %q", r.status, r.header.Get("Location"))
	}
	r = b2.getAt(ts.URL, addr, "/sign-in/second-factor")
	if r.status != 200 || !strings.Contains(r.body, noteShown) || strings.Contains(r.body, `data-passkey="login"`) {
		t.Errorf("second factor at %s: %d, passkey offered or not explained", addr, r.status)
	}
	if !strings.Contains(r.body, `name="method" value="recovery"`) {
		t.Error("the recovery code is not offered instead")
	}
	r = b2.getAt(ts.URL, "localhost:8080", "/sign-in/second-factor")
	if r.status != 200 || strings.Contains(r.body, noteShown) || !strings.Contains(r.body, `data-passkey="login"`) {
		t.Errorf("second factor at localhost: %d, passkey not offered", r.status)
	}

	// The forced enrolment of someone who has no second factor yet.
	e.requireMFA()
	other := e.account(func(a demo.Account) bool { return a.Profile == "teacher" && a.Login != teacher.Login })
	b3, _ := e.passwordOnly(other.Login)
	r = b3.getAt(ts.URL, addr, "/sign-in/second-factor")
	if r.status != 200 || !strings.Contains(r.body, "/account/totp/start") || !strings.Contains(r.body, noteShown) || strings.Contains(r.body, `data-passkey="register"`) {
		t.Errorf("enrolment at %s: %d, passkey offered or not explained", addr, r.status)
	}
	r = b3.getAt(ts.URL, "localhost:8080", "/sign-in/second-factor")
	if r.status != 200 || !strings.Contains(r.body, noteHidden) || !strings.Contains(r.body, `data-passkey="register"`) {
		t.Errorf("enrolment at localhost: %d, passkey not offered", r.status)
	}

	// The test server's own base URL is an address: the note has no link.
	r = b.get("/account")
	if !strings.Contains(r.body, noteShown) || strings.Contains(r.body, "Ouvrir Cartable") {
		t.Errorf("account page of a server named by an address: %d", r.status)
	}
}
