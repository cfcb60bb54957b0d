package browser_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"cartable/internal/demo"
)

// fits fails when the page is wider than the phone's screen.
func (b *tab) fits(width int) {
	b.t.Helper()
	if w := eval[int](b, `document.documentElement.scrollWidth`); w > width {
		wide := eval[string](b, `[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > `+itoa(width)+`).slice(-3).map(e => e.tagName + '.' + e.className).join(', ')`)
		b.t.Errorf("%s is %d px wide at %d px (%s)", b.path(), w, width, wide)
	}
}

// TestBrowserPeopleSearchAndAccountOnAPhone: the CPE, on a phone 390 px
// wide, reaches the people search from the menu, searches as they would
// type (no accent), opens a person found, then their account and calendar
// pages: nothing is wider than the screen (/account was 613 px), the new
// calendar address shows once after its creation and not on a reload.
func TestBrowserPeopleSearchAndAccountOnAPhone(t *testing.T) {
	s := newSuite(t)
	axe := loadAxe(t)
	cpe := s.account("CPE of the collège", func(a demo.Account) bool { return hasFunction("cpe")(a) && a.Establishment == demo.MainUAI })
	// A second session, so that the sessions table has two rows.
	s.newTab().signIn(cpe.Login)

	b := s.newTab()
	b.do(chromedp.EmulateViewport(390, 844))
	b.signIn(cpe.Login)
	b.fits(390)
	if b.count(`header a[href="/provisioning"]`) != 0 {
		t.Error("the CPE's menu offers the provisioning pages")
	}
	if code := b.load(chromedp.Click(chromedp.CSS(`header a[href="/people"]`))); code != http.StatusOK || b.path() != "/people" {
		t.Fatalf("the menu's directory: %d at %s", code, b.path())
	}
	b.do(chromedp.SendKeys(chromedp.ID("q"), "ma"))
	if code := b.load(chromedp.Click(chromedp.CSS(`form[role=search] button[type=submit]`))); code != http.StatusOK || b.path() != "/people?q=ma" {
		t.Fatalf("search: %d at %s", code, b.path())
	}
	if n := b.count(`ul.found li`); n != 30 || !strings.Contains(b.text("#results"), "affinez") {
		t.Errorf("\"ma\": %d people, and the advice to refine?", n)
	}
	b.fits(390)
	b.screenshot("people-search-phone")
	b.audit("people search", axe)
	name := b.text(`ul.found li a`)
	if code := b.load(chromedp.Click(chromedp.CSS(`ul.found li a`))); code != http.StatusOK || !strings.HasPrefix(b.path(), "/people/") {
		t.Fatalf("a person found: %d at %s", code, b.path())
	}
	if title := eval[string](b, `document.title`); !strings.Contains(title, strings.Join(strings.Fields(name)[1:], " ")) {
		t.Errorf("the person's page is titled %q", title)
	}
	b.fits(390)

	// As you type (static/search.js): the results follow without a submit.
	if code := b.open("/people"); code != http.StatusOK {
		t.Fatalf("search page: %d", code)
	}
	b.do(chromedp.SendKeys(chromedp.ID("q"), "MA"), chromedp.WaitVisible(chromedp.CSS(`ul.found li a`)))
	if p := b.path(); p != "/people?q=MA" {
		t.Errorf("as you type, the address is %s", p)
	}
	if st := b.text("#search-status"); !strings.Contains(st, "personnes trouvées") {
		t.Errorf("the status line says %q", st)
	}

	if code := b.open("/account"); code != http.StatusOK {
		t.Fatalf("account: %d", code)
	}
	if n := b.count(`#sessions tbody tr`); n < 2 {
		t.Errorf("%d sessions listed", n)
	}
	b.fits(390)
	b.screenshot("account-phone")
	b.audit("account on a phone", axe)

	b.open("/calendar")
	b.do(chromedp.SendKeys(chromedp.ID("label"), "Téléphone"))
	if code := b.load(chromedp.Click(chromedp.CSS(`form[action="/calendar/feeds"] button`))); code != http.StatusOK || b.path() != "/calendar" {
		t.Fatalf("feed creation: %d at %s", code, b.path())
	}
	if u := b.value("#feed-url"); !strings.Contains(u, "/feeds/") {
		t.Fatalf("the new address: %q", u)
	}
	b.fits(390)
	b.screenshot("calendar-phone")
	if code := b.load(chromedp.Reload()); code != http.StatusOK || b.count("#feed-url") != 0 || !strings.Contains(b.text("main"), "Téléphone") {
		t.Errorf("reload after creation: %d, the address shown %d times", code, b.count("#feed-url"))
	}
}
