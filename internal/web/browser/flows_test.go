package browser_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"cartable/internal/access"
	"cartable/internal/demo"
	"cartable/internal/directory"
	"cartable/internal/i18n"
)

func TestBrowserSignInAsParentAndSwitchChildren(t *testing.T) {
	s := newSuite(t)
	parent := s.account("relative with two children", func(a demo.Account) bool {
		return a.Profile == "relative" && len(a.Children) >= 2
	})
	me := s.person(parent.Login)
	children := map[string]directory.Person{} // by ID
	for _, login := range parent.Children {
		c := s.person(login)
		children[c.ID] = c
	}
	b := s.newTab()

	// An anonymous visitor is sent to the sign-in form.
	if st := b.open("/"); st != http.StatusOK || b.path() != "/sign-in" {
		t.Fatalf("anonymous home: status %d at %s", st, b.path())
	}
	if h := b.text("h1"); h != "Se connecter à Cartable" {
		t.Fatalf("sign-in heading: %q", h)
	}
	b.do(chromedp.SendKeys(chromedp.ID("login"), parent.Login),
		chromedp.SendKeys(chromedp.ID("password"), demo.DefaultPassword))
	// The focus is in the password field: Enter sends the form.
	if st := b.load(chromedp.KeyEvent(kb.Enter)); st != http.StatusOK || b.path() != "/" {
		t.Fatalf("sign-in: status %d at %s", st, b.path())
	}
	if h := b.text("h1"); h != "Bonjour "+me.FirstName {
		t.Fatalf("home heading: %q, want %q", h, "Bonjour "+me.FirstName)
	}
	if who := b.text("header .who"); !strings.Contains(who, me.FirstName+" "+me.LastName) || !strings.Contains(who, "responsable") {
		t.Errorf("header shows %q", who)
	}

	// One tab per child; the first is the current one.
	type link struct{ Href, Text, Current string }
	tabs := eval[[]link](b, `[...document.querySelectorAll('nav.tabs a')].map(a => ({
		Href: a.getAttribute('href'), Text: a.innerText.trim(), Current: a.getAttribute('aria-current') || ''}))`)
	if len(tabs) != len(children) {
		t.Fatalf("%d child tabs, want %d: %+v", len(tabs), len(children), tabs)
	}
	var order []directory.Person
	for i, l := range tabs {
		c, ok := children[strings.TrimPrefix(l.Href, "/?child=")]
		if !ok || l.Text != c.FirstName+" "+c.LastName {
			t.Fatalf("tab %d is %+v, not one of the parent's children", i, l)
		}
		if (l.Current == "page") != (i == 0) {
			t.Errorf("tab %d aria-current=%q", i, l.Current)
		}
		order = append(order, c)
	}
	if label := b.attr("nav.tabs", "aria-label"); label != "Mes enfants" {
		t.Errorf("children navigation is labelled %q", label)
	}
	first, second := order[0], order[1]
	if h := b.text("#school-h"); h != "Scolarité de "+first.FirstName {
		t.Errorf("before switching, the page shows %q", h)
	}

	// Click the second child's tab.
	if st := b.load(chromedp.Click(chromedp.CSS(`nav.tabs li:nth-child(2) a`))); st != http.StatusOK {
		t.Fatalf("second child's tab: status %d", st)
	}
	if p := b.path(); p != "/?child="+second.ID {
		t.Fatalf("after the click the browser is at %s", p)
	}
	if cur := b.text(`nav.tabs a[aria-current="page"]`); cur != second.FirstName+" "+second.LastName {
		t.Errorf("current tab: %q, want the second child %s %s", cur, second.FirstName, second.LastName)
	}
	if n := b.count(`nav.tabs a[aria-current]`); n != 1 {
		t.Errorf("%d tabs are marked current", n)
	}
	if h := b.text("#school-h"); h != "Scolarité de "+second.FirstName {
		t.Errorf("after switching, the page shows %q", h)
	}
	sp, err := directory.ViewPerson(context.Background(), access.System("test"), s.db, second.ID)
	if err != nil {
		t.Fatal(err)
	}
	classes := sp.Record.Classes
	if len(classes) == 0 {
		t.Fatalf("%s has no class", second.Login)
	}
	facts := b.text("dl.facts")
	for _, c := range classes {
		if !strings.Contains(facts, "Classe "+c.Name) {
			t.Errorf("the second child's class %s is not shown: %q", c.Name, facts)
		}
	}
	if href := b.attr(`dl.facts a[href^="/classes/"]`, "href"); href != "/classes/"+classes[0].ID {
		t.Errorf("class link: %s, want /classes/%s", href, classes[0].ID)
	}

	// Sign out with the header button: back on the sign-in form.
	if st := b.load(chromedp.Click(chromedp.CSS(`form[action="/sign-out"] button`))); st != http.StatusOK || b.path() != "/sign-in" {
		t.Fatalf("sign-out: status %d at %s", st, b.path())
	}
	if v := b.value("#login"); v != "" {
		t.Errorf("after sign-out the login field holds %q", v)
	}
	if n := b.count(`form[action="/sign-out"]`); n != 0 {
		t.Error("the sign-out button is still shown")
	}
	// The session is over: home sends to the sign-in form again.
	if st := b.open("/"); st != http.StatusOK || b.path() != "/sign-in" {
		t.Fatalf("home after sign-out: status %d at %s", st, b.path())
	}
	if st := b.open("/?child=" + second.ID); st != http.StatusOK || b.path() != "/sign-in" {
		t.Fatalf("child page after sign-out: status %d at %s", st, b.path())
	}
}

func TestBrowserWrongPasswordKeepsLogin(t *testing.T) {
	s := newSuite(t)
	student := s.account("student", func(a demo.Account) bool { return a.Profile == "student" })
	b := s.newTab()
	if st := b.open("/sign-in"); st != http.StatusOK {
		t.Fatalf("sign-in page: %d", st)
	}
	b.do(chromedp.SendKeys(chromedp.ID("login"), student.Login),
		chromedp.SendKeys(chromedp.ID("password"), "pas-le-bon-mot-de-passe"))
	if st := b.load(chromedp.Click(chromedp.CSS(`form[action="/sign-in"] button[type=submit]`))); st != http.StatusUnauthorized {
		t.Fatalf("wrong password: status %d, want 401", st)
	}
	if p := b.path(); p != "/sign-in" {
		t.Fatalf("after a wrong password the browser is at %s", p)
	}
	if msg := b.text(`#signin-error[role="alert"]`); msg != "Identifiant ou mot de passe incorrect." {
		t.Errorf("error message: %q", msg)
	}
	if v := b.value("#login"); v != student.Login {
		t.Errorf("login field holds %q, want %q", v, student.Login)
	}
	if v := b.value("#password"); v != "" {
		t.Errorf("password field holds %q, want it empty", v)
	}
	if d := b.attr("#login", "aria-describedby"); d != "signin-error" {
		t.Errorf("login field is described by %q, want the error", d)
	}
	if n := b.count(`form[action="/sign-out"]`); n != 0 {
		t.Error("a failed sign-in shows the sign-out button")
	}
	// The kept login needs only the password to be typed again.
	b.do(chromedp.SendKeys(chromedp.ID("password"), demo.DefaultPassword))
	if st := b.load(chromedp.KeyEvent(kb.Enter)); st != http.StatusOK || b.path() != "/" {
		t.Fatalf("second try: status %d at %s", st, b.path())
	}
	if h := b.text("h1"); h != "Bonjour "+s.person(student.Login).FirstName {
		t.Errorf("home heading: %q", h)
	}
}

func TestBrowserKeyboardOnly(t *testing.T) {
	s := newSuite(t)
	teacher := s.account("teacher", func(a demo.Account) bool { return a.Profile == "teacher" })
	b := s.newTab()
	fr := func(key string) string { return i18n.T("fr", key) }

	if st := b.open("/sign-in"); st != http.StatusOK {
		t.Fatalf("sign-in page: %d", st)
	}
	want := []string{
		`a.skip "Aller au contenu"`,
		`a.brand "Cartable"`,
		`input#login`,
		`input#password`,
		`button.primary "` + fr("signin.submit") + `"`,
		`a "` + fr("signin.forgot") + `"`,
		`a "` + fr("signin.activate") + `"`,
		`a "` + fr("nav.legal") + `"`,
		`select#lang-select`,
		`button "` + fr("nav.apply") + `"`,
	}
	for i, w := range want {
		b.do(chromedp.KeyEvent(kb.Tab))
		got := b.focused()
		if got != w {
			t.Fatalf("Tab %d focuses %s, want %s", i+1, got, w)
		}
		if i == 0 {
			// The skip link, hidden until focused, is then on screen.
			r := eval[struct{ Left, Top, Width, Height float64 }](b,
				`(() => { const r = document.activeElement.getBoundingClientRect(); return {Left: r.left, Top: r.top, Width: r.width, Height: r.height}; })()`)
			if r.Left < 0 || r.Top < 0 || r.Width < 20 || r.Height < 10 || r.Left > 1280 {
				t.Errorf("the focused skip link is not visible: %+v", r)
			}
		}
	}
	// Shift+Tab goes back the same way.
	b.do(chromedp.KeyEvent(kb.Tab, chromedp.KeyModifiers(chromedp.ModifierShift)))
	if got := b.focused(); got != want[len(want)-2] {
		t.Errorf("Shift+Tab focuses %s, want %s", got, want[len(want)-2])
	}

	// From a fresh page: Tab, Enter on the skip link moves to the content,
	// and the next Tab reaches the login field.
	b.open("/sign-in")
	b.do(chromedp.KeyEvent(kb.Tab))
	if got := b.focused(); got != want[0] {
		t.Fatalf("first Tab focuses %s", got)
	}
	b.do(chromedp.KeyEvent(kb.Enter))
	if got := b.focused(); got != "main#main" {
		t.Errorf("after the skip link the focus is on %s, want main#main", got)
	}
	b.do(chromedp.KeyEvent(kb.Tab))
	if got := b.focused(); got != "input#login" {
		t.Fatalf("Tab after the skip link focuses %s, want input#login", got)
	}
	// Type the login, Tab, the password, Enter: nothing but keys.
	b.do(chromedp.KeyEvent(teacher.Login), chromedp.KeyEvent(kb.Tab), chromedp.KeyEvent(demo.DefaultPassword))
	if got := b.focused(); got != "input#password" {
		t.Fatalf("the password was typed into %s", got)
	}
	if st := b.load(chromedp.KeyEvent(kb.Enter)); st != http.StatusOK || b.path() != "/" {
		t.Fatalf("keyboard sign-in: status %d at %s", st, b.path())
	}
	if h := b.text("h1"); h != "Bonjour "+s.person(teacher.Login).FirstName {
		t.Fatalf("home heading: %q", h)
	}

	// On the home page too, the skip link comes first, then the header (a
	// teacher's menu has the gradebook and the people search; the demo's
	// first teacher heads a class, hence the report cards); the sign-out
	// button is reached with Tab and pressed with Enter.
	b.do(chromedp.KeyEvent(kb.Tab))
	if got := b.focused(); got != want[0] {
		t.Errorf("first Tab on the home page focuses %s", got)
	}
	signOut := `button.link "` + fr("nav.signout") + `"`
	var stops []string
	for range 24 {
		b.do(chromedp.KeyEvent(kb.Tab))
		if stops = append(stops, b.focused()); stops[len(stops)-1] == signOut {
			break
		}
	}
	wantStops := []string{`a.brand "Cartable"`, `a "` + fr("nav.home") + `"`, `a "` + fr("nav.timetable") + `"`, `a "` + fr("nav.homework") + `"`,
		`a "` + fr("nav.gradebook") + `"`, `a "` + fr("nav.reportcards") + `"`, `a "` + fr("nav.todo") + `"`, `a "` + fr("nav.messages") + `"`,
		`a "` + fr("nav.news") + `"`, `a "` + fr("nav.surveys") + `"`, `a "` + fr("nav.discipline") + `"`, `a "` + fr("nav.notes") + `"`, `a "` + fr("nav.profile") + `"`, `a "` + fr("nav.people") + `"`,
		`a "` + fr("nav.notifications") + `"`, `a "` + fr("nav.account") + `"`, signOut}
	if strings.Join(stops, " → ") != strings.Join(wantStops, " → ") {
		t.Fatalf("Tab order in the header: %s\nwant %s", strings.Join(stops, " → "), strings.Join(wantStops, " → "))
	}
	if st := b.load(chromedp.KeyEvent(kb.Enter)); st != http.StatusOK || b.path() != "/sign-in" {
		t.Fatalf("keyboard sign-out: status %d at %s", st, b.path())
	}
	if st := b.open("/"); b.path() != "/sign-in" {
		t.Errorf("after a keyboard sign-out home answers %d at %s", st, b.path())
	}
}

// TestBrowserWatchSeesOtherHosts proves the network watch is not blind: a
// page asking for another host, and the browser sent to another host, are
// both recorded (and refused: the other host is never reached).
func TestBrowserWatchSeesOtherHosts(t *testing.T) {
	s := newSuite(t)
	b := s.newTab()
	b.open("/sign-in")
	// Markup that the page's CSP refuses: an image from another host and
	// an inline style.
	b.do(chromedp.Evaluate[chromedp.Void](`document.querySelector('main').insertAdjacentHTML('beforeend',
		'<img alt="" src="http://other-host.invalid/pixel.png"><p style="color: red">x</p>')`))
	// The browser itself sent to another host goes through the refusing proxy.
	if st := b.open("/"); st != http.StatusOK {
		t.Fatalf("home: %d", st)
	}
	if st := b.load(chromedp.Navigate("http://other-host.invalid/page")); st != http.StatusForbidden {
		t.Errorf("another host answered %d, want the proxy's 403", st)
	}
	s.mu.Lock()
	foreign, problems := s.foreign, s.problems
	s.foreign, s.problems = nil, nil // seen: the final check is for the rest
	s.mu.Unlock()
	for _, want := range []string{
		"GET http://other-host.invalid/pixel.png",
		"GET http://other-host.invalid/page",
		"through the proxy: GET other-host.invalid /page",
	} {
		if !slices.ContainsFunc(foreign, func(f string) bool { return strings.HasPrefix(f, want) }) {
			t.Errorf("the watch missed %q; it recorded %q", want, foreign)
		}
	}
	var csp int
	for _, p := range problems {
		if strings.Contains(p, "Content Security Policy") {
			csp++
		}
	}
	if csp != 2 {
		t.Errorf("%d CSP refusals recorded, want 2: %q", csp, problems)
	}
}
