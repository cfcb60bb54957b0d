package browser_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"cartable/internal/demo"
)

// The home page of each profile on a phone (390 px): no horizontal
// scrolling, and its blocks there. A student ticks the homework due next
// without JavaScript, lands back on the home page at that homework, and
// the tick stays.
func TestBrowserHomeOnPhone(t *testing.T) {
	s := newSuite(t)
	profiles := []struct {
		name  string
		pick  func(demo.Account) bool
		block string
	}{
		{"student", func(a demo.Account) bool { return a.Profile == "student" && len(a.Classes) > 0 }, "#b-due"},
		{"relative", func(a demo.Account) bool { return a.Profile == "relative" && len(a.Children) >= 2 }, "#b-news"},
		{"teacher", func(a demo.Account) bool { return a.Profile == "teacher" }, "#b-towrite"},
		{"head", func(a demo.Account) bool { return hasFunction("head")(a) && a.Establishment == demo.MainUAI }, "#b-absent"},
		{"cpe", func(a demo.Account) bool { return hasFunction("cpe")(a) && a.Establishment == demo.MainUAI }, "#b-cancelled"},
	}
	for _, p := range profiles {
		acct := s.account(p.name, p.pick)
		b := s.newTab()
		b.do(chromedp.EmulateViewport(390, 844))
		b.signIn(acct.Login)
		if b.count(p.block) != 1 {
			t.Errorf("%s: no %s block on the home page", p.name, p.block)
		}
		if w := eval[int](b, `document.documentElement.scrollWidth`); w > 390 {
			t.Errorf("%s: the home page is %d px wide on a 390 px phone", p.name, w)
		}
		b.screenshot("home-phone-" + p.name)
		if p.name != "student" {
			continue
		}
		// Tick the first homework due, by clicking as a person does.
		id := eval[string](b, `(document.querySelector('section[aria-labelledby="b-due"] button[id^="tick-"]') || {id: ''}).id`)
		if id == "" {
			t.Logf("student %s has no homework due next: nothing to tick", acct.Login)
			continue
		}
		hw := strings.TrimPrefix(id, "tick-")
		if st := b.load(chromedp.Click(chromedp.ID(id))); st != http.StatusOK {
			t.Fatalf("tick: status %d", st)
		}
		if p := b.path(); p != "/?saved=done#hw-"+hw {
			t.Errorf("after the tick the browser is at %s", p)
		}
		if b.count("#undo-"+hw) != 1 || !strings.Contains(b.text("#hw-"+hw), "fait") {
			t.Errorf("the tick did not stay: %q", b.text("#hw-"+hw))
		}
	}
}
