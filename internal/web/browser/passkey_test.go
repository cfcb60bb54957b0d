package browser_test

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	cdpwebauthn "github.com/chromedp/cdproto/webauthn"
	"github.com/chromedp/chromedp"

	"cartable/internal/audit"
	"cartable/internal/auth"
	"cartable/internal/demo"
	"cartable/internal/files"
	"cartable/internal/web"
)

// TestBrowserPasskeyRegistrationAndSignIn registers a passkey from the
// account page and signs in with it as the second factor, in headless
// Chromium with a virtual authenticator (DevTools WebAuthn domain).
// WebAuthn needs a host name, not an IP address, as relying party: the
// server is reached as http://localhost:PORT, a secure context.
func TestBrowserPasskeyRegistrationAndSignIn(t *testing.T) {
	s := newSuite(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	base := "http://localhost:" + itoa(port)
	// A file store: its master key seals the passkeys at rest.
	store, err := files.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	srv, err := web.New(web.Options{DB: s.db, BaseURL: base, Log: slog.New(slog.DiscardHandler), Files: store})
	if err != nil {
		t.Fatal(err)
	}
	if srv.Auth.Passkeys == nil {
		t.Fatal("passkeys are off for " + base)
	}
	ts := httptest.NewUnstartedServer(srv.Handler())
	ts.Listener.Close()
	ts.Listener = ln
	ts.Start()
	t.Cleanup(ts.Close)
	ts.URL = base
	s.ts, s.host = ts, "localhost:"+itoa(port)
	// Creating a credential makes Chromium itself (not the page) ask its
	// update redirector for a component; the suite's proxy refuses it, so
	// nothing leaves the machine. Any other request still fails the test.
	s.browserOwn = []string{"through the proxy: CONNECT redirector.gvt1.com:443"}

	teacher := s.account("teacher", func(a demo.Account) bool { return a.Profile == "teacher" })
	me := s.person(teacher.Login)
	b := s.newTab()
	var authenticator cdpwebauthn.AuthenticatorID
	b.do(chromedp.Action[chromedp.Void](func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		if _, err := cdp.Call(ctx, tg, cdpwebauthn.Enable, cdpwebauthn.EnableParams{}); err != nil {
			return chromedp.Void{}, err
		}
		res, err := cdp.Call(ctx, tg, cdpwebauthn.AddVirtualAuthenticator, cdpwebauthn.AddVirtualAuthenticatorParams{
			Options: &cdpwebauthn.VirtualAuthenticatorOptions{Protocol: cdpwebauthn.AuthenticatorProtocolCtap2,
				Ctap2version: cdpwebauthn.Ctap2versionCtap21, Transport: cdpwebauthn.AuthenticatorTransportInternal,
				HasResidentKey: true, HasUserVerification: true, IsUserVerified: true, AutomaticPresenceSimulation: true}})
		authenticator = res.AuthenticatorID
		return chromedp.Void{}, err
	}))

	// Register a passkey from the account page, right after signing in.
	b.signIn(teacher.Login)
	if st := b.open("/account"); st != http.StatusOK {
		t.Fatalf("account page: %d", st)
	}
	if n := b.count(`.passkey-only:not([hidden]) form[data-passkey="register"]`); n != 1 {
		t.Fatalf("the passkey form is not shown by the script (%d)", n)
	}
	b.do(chromedp.SendKeys(chromedp.ID("passkey-name"), "Ordinateur de test"))
	b.do(chromedp.Click(chromedp.CSS(`form[data-passkey="register"] button`)))
	b.waitPath("/account?done=passkey-added")
	if txt := b.text("main"); !strings.Contains(txt, "Ordinateur de test") || !strings.Contains(txt, "La clé d'accès a été ajoutée") {
		t.Fatalf("after registration the page says: %.400s", txt)
	}
	// What the account page lists, for the teacher's own session.
	mine := func() auth.AccountView {
		t.Helper()
		v, err := srv.Policy.Viewer(context.Background(), me.ID)
		if err != nil {
			t.Fatal(err)
		}
		view, err := srv.Auth.Account(context.Background(), v, auth.Session{PersonID: me.ID, Person: me})
		if err != nil {
			t.Fatal(err)
		}
		return view
	}
	if keys := mine().Passkeys; len(keys) != 1 || keys[0].Name != "Ordinateur de test" {
		t.Fatalf("stored passkeys: %+v", keys)
	}
	var creds cdpwebauthn.GetCredentialsResult
	b.do(chromedp.Action[chromedp.Void](func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		creds, err = cdp.Call(ctx, tg, cdpwebauthn.GetCredentials, cdpwebauthn.GetCredentialsParams{AuthenticatorID: authenticator})
		return chromedp.Void{}, err
	}))
	if len(creds.Credentials) != 1 || creds.Credentials[0].RpID != "localhost" {
		t.Fatalf("the virtual authenticator holds %+v", creds.Credentials)
	}

	// Sign out, sign in again: the passkey is now asked as second factor.
	b.load(chromedp.Click(chromedp.CSS(`form[action="/sign-out"] button`)))
	b.open("/sign-in")
	b.do(chromedp.SendKeys(chromedp.ID("login"), teacher.Login), chromedp.SendKeys(chromedp.ID("password"), demo.DefaultPassword))
	b.load(chromedp.Click(chromedp.CSS(`form[action="/sign-in"] button[type=submit]`)))
	if p := b.path(); p != "/sign-in/second-factor" {
		t.Fatalf("sign-in with a passkey enrolled went to %s", p)
	}
	b.do(chromedp.Click(chromedp.CSS(`form[data-passkey="login"] button`)))
	b.waitPath("/")
	if h := b.text("h1"); !strings.HasPrefix(h, "Bonjour ") {
		t.Fatalf("home after the passkey: %q", h)
	}
	events, _ := audit.List(context.Background(), s.db, audit.Filter{ActorID: me.ID, Action: audit.SecondFactor})
	if len(events) == 0 || events[0].Target != "method:passkey" || events[0].Outcome != audit.Success {
		t.Fatalf("second factor audit: %+v", events)
	}
	if en := mine().Enrolled; en.Passkeys != 1 {
		t.Fatalf("enrolled %+v", en)
	}

}

func itoa(n int) string {
	const digits = "0123456789"
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{digits[n%10]}, b...)
	}
	return string(b)
}

// waitPath waits until the page's path is p (a script navigates).
func (b *tab) waitPath(p string) {
	b.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if b.path() == p {
			if err := chromedp.Do(b.ctx, chromedp.WaitReady("body")); err != nil {
				b.t.Fatal(err)
			}
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	status := eval[string](b, `[...document.querySelectorAll('[data-passkey-status]')].map(e => e.textContent).join(' | ')`)
	b.t.Fatalf("the page stayed at %s (want %s); status: %q", b.path(), p, status)
}
