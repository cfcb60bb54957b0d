package browser_test

import (
	"context"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"cartable/internal/demo"
	"cartable/internal/directory"
)

func (b *tab) viewport(w, h int64) {
	b.t.Helper()
	b.do(chromedp.EmulateViewport(w, h))
}

// narrowOK fails the test when the page shown is wider than the window.
func (b *tab) narrowOK(what string) {
	b.t.Helper()
	if w := eval[int](b, `document.documentElement.scrollWidth`); w > 390 {
		// The outermost elements reaching past the window, to say why.
		wide := eval[[]string](b, `[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > 391 &&
			e.parentElement.getBoundingClientRect().right <= 391).slice(0, 5).map(e => e.tagName.toLowerCase() +
			(e.id ? '#' + e.id : '') + (e.className ? '.' + String(e.className).split(' ').join('.') : '') + ' ' + Math.round(e.getBoundingClientRect().right))`)
		b.t.Errorf("%s is %d px wide at 390 px: %s", what, w, strings.Join(wide, ", "))
	}
}

// TestBrowserTimetablePagesFitPhones opens every timetable page at 390 px
// (a phone) and fails on any horizontal overflow
// (document.documentElement.scrollWidth > 390): the week views of a class,
// a room, a student and one's own, the day view, the management page with
// a class's lessons and the lesson edit form, the rooms and week patterns
// with their edit forms.
func TestBrowserTimetablePagesFitPhones(t *testing.T) {
	s := newSuite(t)
	est := s.mainEstablishment()
	base := "/timetable/manage/" + est
	classes, err := directory.ClassesOfEstablishment(context.Background(), s.db, est)
	if err != nil || len(classes) == 0 {
		t.Fatalf("classes: %v", err)
	}
	class := classes[0].ID
	head := s.account("head of the collège", func(a demo.Account) bool { return hasFunction("head")(a) && a.Establishment == demo.MainUAI })
	student := s.account("a student of the collège", func(a demo.Account) bool { return a.Profile == "student" && a.Establishment == demo.MainUAI })
	b := s.newTab()
	b.viewport(390, 844)
	b.signIn(head.Login)
	b.open(base + "/rooms")
	room := strings.TrimPrefix(eval[string](b, `document.querySelector('a[href^="/timetable/rooms/"]')?.getAttribute('href') ?? ''`), "/timetable/rooms/")
	if room == "" {
		t.Fatal("no room timetable link on the rooms page")
	}
	pages := []string{"/timetable", "/timetable/classes/" + class, "/timetable/classes/" + class + "?day=" + b.todayOrMonday(),
		"/timetable/rooms/" + room, "/timetable/people/" + s.person(student.Login).ID,
		base, base + "?class=" + class, base + "/rooms", base + "/weeks"}
	for _, p := range pages {
		if st := b.open(p); st != http.StatusOK {
			t.Errorf("%s: %d", p, st)
			continue
		}
		b.narrowOK(p)
	}
	// The forms: a lesson's, a room's and a week pattern's.
	b.open(base + "?class=" + class)
	b.screenshot("manage-390")
	if os.Getenv(envAxe) != "" {
		b.audit("timetable management at 390 px", loadAxe(t))
	}
	edit := eval[string](b, `document.querySelector('a[href*="&edit="]')?.getAttribute('href') ?? ''`)
	if edit == "" {
		t.Fatal("no lesson to edit on the management page")
	}
	b.open(edit)
	b.narrowOK(edit)
	for _, list := range []string{base + "/rooms", base + "/weeks"} {
		b.open(list)
		href := b.usedRowEdit(list + "/")
		b.open(href)
		b.narrowOK(href)
	}
	// One's own week: a student, a teacher, a relative.
	for _, who := range []func(demo.Account) bool{
		func(a demo.Account) bool { return a.Profile == "student" && a.Establishment == demo.MainUAI },
		func(a demo.Account) bool { return a.Profile == "teacher" && a.Establishment == demo.MainUAI },
		func(a demo.Account) bool { return a.Profile == "relative" && len(a.Children) >= 2 },
	} {
		acct := s.account("a person with a week", who)
		p := s.newTab()
		p.viewport(390, 844)
		p.signIn(acct.Login)
		p.open("/timetable")
		p.narrowOK("/timetable of a " + acct.Profile)
	}
}

// todayOrMonday is the date of the day link of the week shown ("Vue du jour").
func (b *tab) todayOrMonday() string {
	b.t.Helper()
	b.open("/timetable")
	href := eval[string](b, `[...document.querySelectorAll('.weeknav a')].find(a => a.href.includes('day='))?.getAttribute('href') ?? ''`)
	_, day, ok := strings.Cut(href, "day=")
	if !ok {
		b.t.Fatal("no day view link")
	}
	day, _, _ = strings.Cut(day, "&")
	return day
}
