package browser_test

import (
	"testing"

	"github.com/chromedp/chromedp"

	"cartable/internal/demo"
)

// The head's rules page on a phone (390 px), with the parent
// representatives' section and a class's families to choose from: no
// horizontal scrolling, and the designation by clicks, without JavaScript
// needed.
func TestBrowserParentRepresentativesOnPhone(t *testing.T) {
	s := newSuite(t)
	head := s.account("head", func(a demo.Account) bool { return hasFunction("head")(a) && a.Establishment == demo.MainUAI })
	b := s.newTab()
	b.do(chromedp.EmulateViewport(390, 844))
	b.signIn(head.Login)
	if st := b.open("/messages/rules"); st != 200 {
		t.Fatalf("rules page: status %d", st)
	}
	class := b.attr("#rep-from option:nth-child(2)", "value")
	if st := b.open("/messages/rules?q=&class=" + class); st != 200 {
		t.Fatalf("a class's families: status %d", st)
	}
	if b.count(`#rep-add input[name="person"]`) < 2 {
		t.Fatal("no family to choose from")
	}
	b.phoneFits("rules with representatives")
	b.screenshot("reps-phone-search")
	// The last one: the demo's representative may come first.
	b.do(chromedp.Click(chromedp.CSS(`#rep-add fieldset label:last-of-type input`)))
	if st := b.load(chromedp.Click(chromedp.CSS(`#rep-add button[type="submit"]`))); st != 200 {
		t.Fatalf("designate: status %d: %s", st, b.text("#rep-problems"))
	}
	if b.count(`#reps-list tbody tr`) < 2 {
		t.Error("the designation is not listed")
	}
	b.phoneFits("rules after a designation")
	b.screenshot("reps-phone-list")
}
