package browser_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"cartable/internal/demo"
)

// A student ticks a homework item as done; a parent sees the tick, and
// may not tick for the child; another family sees nothing.
func TestBrowserStudentTicksHomeworkRelativeSeesIt(t *testing.T) {
	s := newSuite(t)
	parent := s.account("relative with a child who has homework", func(a demo.Account) bool {
		return a.Profile == "relative" && len(a.Children) >= 1 && len(a.Establishments) == 1
	})
	child := s.person(parent.Children[0])

	st := s.newTab()
	st.signIn(parent.Children[0])
	if code := st.load(chromedp.Click(chromedp.CSS(`header a[href="/homework"]`))); code != http.StatusOK || st.path() != "/homework" {
		t.Fatalf("homework page: status %d at %s", code, st.path())
	}
	n := st.count(`button[id^="tick-"]`)
	if n == 0 {
		t.Fatal("the student has no homework to tick")
	}
	id := strings.TrimPrefix(st.attr(`button[id^="tick-"]`, "id"), "tick-")
	item := `#hw-` + id
	if got := st.text(item + " .status"); got != "à faire" {
		t.Fatalf("before the tick: %q", got)
	}
	st.screenshot("homework-before")
	if code := st.load(chromedp.Click(chromedp.ID("tick-" + id))); code != http.StatusOK {
		t.Fatalf("tick: status %d", code)
	}
	if p := st.path(); !strings.HasPrefix(p, "/homework?saved=done") {
		t.Fatalf("after the tick the browser is at %s", p)
	}
	if got := st.text(item + " .status"); got != "fait ✓" {
		t.Fatalf("after the tick: %q", got)
	}
	if st.count(`#undo-`+id) != 1 || st.count(`button[id^="tick-"]`) != n-1 {
		t.Error("the ticked item does not offer to undo")
	}
	if msg := st.text(`[role=status]`); msg != "C'est noté." {
		t.Errorf("confirmation %q", msg)
	}
	st.screenshot("homework-after")

	// The parent, in another browser, sees the tick on the child's list.
	pt := s.newTab()
	pt.signIn(parent.Login)
	if code := pt.open("/homework?child=" + child.ID); code != http.StatusOK {
		t.Fatalf("parent's homework page: %d", code)
	}
	if got := pt.text(item + " .status"); got != "fait ✓" {
		t.Fatalf("the parent sees %q", got)
	}
	if pt.count(`form[action$="/done"]`) != 0 {
		t.Error("the parent is offered to tick")
	}
	pt.screenshot("homework-parent")

	// Another family gets nothing about this child.
	other := s.account("another relative", func(a demo.Account) bool {
		return a.Profile == "relative" && a.Login != parent.Login && !strings.Contains(strings.Join(a.Children, " "), parent.Children[0])
	})
	ot := s.newTab()
	ot.signIn(other.Login)
	if code := ot.open("/homework?child=" + child.ID); code != http.StatusNotFound {
		t.Errorf("another family opens the child's homework: %d", code)
	}
}
