package browser_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"cartable/internal/access"
	"cartable/internal/auth"
	"cartable/internal/demo"
	"cartable/internal/directory"
)

// TestBrowserAccountPagesAccessibility audits the account-security pages
// with axe-core: activation, forgotten password, second-factor enrolment,
// the TOTP set-up with its QR code, the account page and the
// administrators' pages.
func TestBrowserAccountPagesAccessibility(t *testing.T) {
	skipUnlessBrowser(t)
	axe := loadAxe(t)
	s := newSuite(t)
	ctx := context.Background()

	b := s.newTab()
	for _, p := range []string{"/activate", "/password/forgot"} {
		if st := b.open(p); st != http.StatusOK {
			t.Fatalf("%s: %d", p, st)
		}
		b.audit(p, axe)
	}
	b.open("/activate")
	b.do(chromedp.SendKeys(chromedp.ID("login"), "personne"), chromedp.SendKeys(chromedp.ID("code"), "AAAA-BBBB-CCCC"))
	if st := b.load(chromedp.Click(chromedp.CSS(`form[action="/activate"] button`))); st != http.StatusUnauthorized {
		t.Fatalf("wrong activation code: %d", st)
	}
	b.audit("activation with an error", axe)

	// A teacher of an establishment that requires a second factor.
	est, err := directory.EstablishmentByUAI(ctx, s.db, demo.MainUAI)
	if err != nil {
		t.Fatal(err)
	}
	if err := auth.SetMFAPolicy(ctx, s.db, access.System("test"), est.ID, auth.DefaultMFAProfiles, nil, time.Now()); err != nil {
		t.Fatal(err)
	}
	teacher := s.account("teacher of the collège", func(a demo.Account) bool { return a.Profile == "teacher" && a.Establishment == demo.MainUAI })
	tb := s.newTab()
	tb.open("/sign-in")
	tb.do(chromedp.SendKeys(chromedp.ID("login"), teacher.Login), chromedp.SendKeys(chromedp.ID("password"), demo.DefaultPassword))
	tb.load(chromedp.Click(chromedp.CSS(`form[action="/sign-in"] button[type=submit]`)))
	if p := tb.path(); p != "/sign-in/second-factor" {
		t.Fatalf("teacher sent to %s", p)
	}
	tb.audit("second-factor enrolment", axe)
	tb.load(chromedp.Click(chromedp.CSS(`form[action="/account/totp/start"] button`)))
	if tb.count("svg.qr") != 1 || tb.count("#secret") != 1 {
		t.Fatal("no QR code or secret on the TOTP page")
	}
	tb.screenshot("totp-enrolment")
	tb.audit("TOTP set-up", axe)

	head := s.account("head", func(a demo.Account) bool { return hasFunction("head")(a) && a.Establishment == demo.MainUAI })
	hb := s.newTab()
	// The head is staff: enrol first, with a code computed here.
	hb.open("/sign-in")
	hb.do(chromedp.SendKeys(chromedp.ID("login"), head.Login), chromedp.SendKeys(chromedp.ID("password"), demo.DefaultPassword))
	hb.load(chromedp.Click(chromedp.CSS(`form[action="/sign-in"] button[type=submit]`)))
	hb.load(chromedp.Click(chromedp.CSS(`form[action="/account/totp/start"] button`)))
	secret := hb.text("#secret")
	code, _ := auth.TOTPCode(stripSpaces(secret), time.Now())
	hb.do(chromedp.SendKeys(chromedp.ID("code"), code))
	hb.load(chromedp.Click(chromedp.CSS(`form[action="/account/totp/confirm"] button`)))
	if hb.count("ul.codes li") != 10 {
		t.Fatal("no recovery codes after enrolment")
	}
	hb.audit("recovery codes", axe)
	for _, p := range []string{"/account", "/admin/establishments/" + est.ID + "/security"} {
		if st := hb.open(p); st != http.StatusOK {
			t.Fatalf("%s: %d", p, st)
		}
		hb.audit(p, axe)
	}
	hb.screenshot("account")
	st := s.account("student", func(a demo.Account) bool { return a.Profile == "student" && a.Establishment == demo.MainUAI })
	if code := hb.open("/admin/people/" + s.person(st.Login).ID + "/account"); code != http.StatusOK {
		t.Fatalf("admin account page: %d", code)
	}
	hb.audit("a student's account seen by the head", axe)
}

func stripSpaces(s string) string {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] != ' ' {
			out = append(out, s[i])
		}
	}
	return string(out)
}
