package browser_test

import (
	"context"
	"net/http"
	"net/url"
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

// phoneFits fails when the page is wider than a phone's 390 px, naming
// the widest elements.
func (b *tab) phoneFits(name string) {
	b.t.Helper()
	w := eval[struct {
		Doc, View int
		Wide      []string
	}](b, `(() => {
		const wide = [...document.querySelectorAll('main *')].filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
			.slice(0, 5).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className ? '.' + e.className : ''));
		return {Doc: document.documentElement.scrollWidth, View: window.innerWidth, Wide: wide};
	})()`)
	if w.Doc > w.View {
		b.t.Errorf("%s (%s): %d px wide on a %d px phone; too wide: %v", name, b.path(), w.Doc, w.View, w.Wide)
	}
}

// The homework and class log pages on a phone (390 px): the teacher's
// list filtered through its form (the filter in the address), a lesson's
// copy form and its due dates, the hand-ins; the student's list, the
// lesson it leads to and their own hand-in. None is wider than the
// screen, each passes the accessibility audit and has a title of its own.
func TestBrowserHomeworkPagesOnAPhone(t *testing.T) {
	s := newSuite(t)
	axe := loadAxe(t)
	var teacher, slot, date, hw string
	if err := s.db.QueryRow(context.Background(), `SELECT e.author_id, e.slot_id, e.lesson_date, h.id FROM classlog_entries e
		JOIN homework h ON h.entry_id = e.id JOIN tt_slot_audiences a ON a.slot_id = e.slot_id AND a.class_id IS NOT NULL
		WHERE h.handin = 'upload' ORDER BY e.lesson_date DESC, e.id LIMIT 1`).Scan(&teacher, &slot, &date, &hw); err != nil {
		t.Fatalf("the demo has no homework to hand in: %v", err)
	}
	titles := map[string]string{}
	check := func(b *tab, name string) {
		t.Helper()
		b.phoneFits(name)
		b.audit(name, axe)
		b.screenshot("phone-" + name)
		// One address may be seen by two readers; two addresses never
		// share a title.
		title, path := eval[string](b, `document.title`), strings.Split(b.path(), "?")[0]
		if other, ok := titles[title]; ok && other != path {
			t.Errorf("%s and %s share the title %q", path, other, title)
		}
		titles[title] = path
	}

	tb := s.newTab()
	tb.do(chromedp.EmulateViewport(390, 844))
	tb.signIn(s.login(teacher))
	if code := tb.open("/homework"); code != http.StatusOK {
		t.Fatalf("the teacher's list: %d", code)
	}
	check(tb, "teacher-list")
	aud := tb.attr(`#f-aud option:nth-child(2)`, "value")
	tb.do(chromedp.SetValue(chromedp.ID("f-aud"), aud))
	if code := tb.load(chromedp.Click(chromedp.CSS(`form.filters button[type=submit]`))); code != http.StatusOK || !strings.Contains(tb.path(), "aud="+url.QueryEscape(aud)) {
		t.Fatalf("the filter: %d at %s", code, tb.path())
	}
	check(tb, "teacher-list-filtered")
	if code := tb.open("/lessons/" + slot + "/" + date); code != http.StatusOK {
		t.Fatalf("the lesson: %d", code)
	}
	check(tb, "teacher-lesson")
	if tb.count(`form[action$="/copy"] select option`) > 0 {
		if code := tb.load(chromedp.Click(chromedp.CSS(`form[action$="/copy"] button[type=submit]`))); code != http.StatusOK {
			t.Fatalf("the copy form: %d", code)
		}
		if tb.count(`input[name^="due_"]`) == 0 {
			t.Error("the copy form shows no due date")
		}
		check(tb, "copy")
	}
	if code := tb.open("/homework/" + hw + "/hand-ins"); code != http.StatusOK {
		t.Fatalf("the hand-ins: %d", code)
	}
	check(tb, "teacher-handins")

	// A student of the lesson's class.
	var student string
	if err := s.db.QueryRow(context.Background(), `SELECT x.student_id FROM homework h JOIN enrolments x ON x.class_id = h.class_id
		WHERE h.id = ? ORDER BY 1 LIMIT 1`, hw).Scan(&student); err != nil {
		t.Fatal(err)
	}
	st := s.newTab()
	st.do(chromedp.EmulateViewport(390, 844))
	st.signIn(s.login(student))
	if code := st.open("/homework?from=" + date); code != http.StatusOK {
		t.Fatalf("the student's list: %d", code)
	}
	check(st, "student-list")
	if code := st.load(chromedp.Click(chromedp.CSS(`#hw-` + hw + ` a[href^="/lessons/"]`))); code != http.StatusOK || !strings.HasPrefix(st.path(), "/lessons/") {
		t.Fatalf("the item's lesson: %d at %s", code, st.path())
	}
	check(st, "student-lesson")
	if code := st.load(chromedp.Click(chromedp.CSS(`a[href="/homework/` + hw + `/hand-ins"]`))); code != http.StatusOK {
		t.Fatalf("the student's hand-in: %d", code)
	}
	check(st, "student-handin")
}
