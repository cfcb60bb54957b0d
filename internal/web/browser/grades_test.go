package browser_test

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"cartable/internal/auth"
	"cartable/internal/demo"
	"cartable/internal/i18n"
)

// stepUpTeacher signs a teacher in, adds an authenticator app to their
// account and opens path, which asks for the second factor first: the
// tab ends on path with a session that may enter marks.
func (b *tab) stepUpTeacher(login, path string) {
	b.t.Helper()
	b.signIn(login)
	b.open("/account/totp")
	b.load(chromedp.Click(chromedp.CSS(`form[action="/account/totp/start"] button`)))
	secret := stripSpaces(b.text("#secret"))
	code, _ := auth.TOTPCode(secret, time.Now())
	b.do(chromedp.SendKeys(chromedp.ID("code"), code))
	b.load(chromedp.Click(chromedp.CSS(`form[action="/account/totp/confirm"] button`)))
	b.open(path)
	if p := b.path(); !strings.HasPrefix(p, "/sign-in/second-factor?next=") {
		b.t.Fatalf("a password-only session opened %s at %s", path, p)
	}
	code, _ = auth.TOTPCode(secret, time.Now().Add(30*time.Second)) // the next step: a code serves once
	b.do(chromedp.SendKeys(chromedp.ID("code"), code))
	if st := b.load(chromedp.Click(chromedp.CSS(`form[action="/sign-in/second-factor"] button[type=submit]`))); st != http.StatusOK || b.path() != path {
		b.t.Fatalf("step-up: %d at %s, want %s", st, b.path(), path)
	}
}

// averageLine is the explanation's division: "Moyenne : points ÷ weights = average".
var averageLine = regexp.MustCompile(`^Moyenne : ([\d  ]+(?:,\d+)?) ÷ ([\d  ]+(?:,\d+)?) = ([\d  ]+(?:,\d+)?)$`)

func frNumber(t *testing.T, s string) float64 {
	t.Helper()
	f, err := strconv.ParseFloat(strings.NewReplacer(",", ".", " ", "", " ", "").Replace(s), 64)
	if err != nil {
		t.Fatalf("not a number: %q", s)
	}
	return f
}

// TestBrowserMarksReachTheFamily is the walk through: a teacher
// steps up to a second factor, opens a new evaluation's grid and types a
// column from the keyboard (Enter and Tab, a decimal comma, a special
// code), then saves. The evaluation is published tomorrow: a relative of
// the first student typed sees nothing of it. The teacher moves the
// publication to today: the relative sees the mark with the class mean and
// the subject average, opens "comment est calculée cette moyenne ?" and
// finds the line of the new mark among steps that can be redone by hand.
func TestBrowserMarksReachTheFamily(t *testing.T) {
	s := newSuite(t)
	ctx := context.Background()
	var login, class, subject string
	if err := s.db.QueryRow(ctx, `SELECT p.login, a.class_id, a.subject_id FROM teaching_assignments a JOIN people p ON p.id = a.teacher_id
		JOIN establishments e ON e.id = a.establishment_id WHERE e.uai = ? AND a.class_id IS NOT NULL ORDER BY a.id LIMIT 1`, demo.MainUAI).
		Scan(&login, &class, &subject); err != nil {
		t.Fatal(err)
	}
	today := time.Now().In(i18n.Zone)
	tb := s.newTab()
	newPath := "/gradebook/new?teaching=" + url.QueryEscape("class:"+class+"/"+subject)
	tb.stepUpTeacher(login, newPath)

	const title = "Contrôle de connaissances"
	tb.do(chromedp.SendKeys(chromedp.ID("title"), title),
		chromedp.SetValue(chromedp.ID("publish_on"), today.AddDate(0, 0, 1).Format("2006-01-02")))
	if st := tb.load(chromedp.Click(chromedp.CSS(`form[action="/gradebook/new"] button[type=submit]`))); st != http.StatusOK || !strings.HasPrefix(tb.path(), "/gradebook/evaluations/") {
		t.Fatalf("new evaluation: %d at %s", st, tb.path())
	}
	ev := strings.TrimPrefix(tb.path(), "/gradebook/evaluations/")

	// The first row whose student has a relative with an account, and
	// three rows after it.
	cells := eval[[]string](tb, `[...document.querySelectorAll('input[data-cell]')].map(i => i.dataset.cell)`)
	var student, relative string
	var row int
	for i, id := range cells[:max(len(cells)-3, 0)] {
		child := s.login(id)
		for _, a := range s.accounts {
			if a.Profile == "relative" && slices.Contains(a.Children, child) {
				student, relative, row = id, a.Login, i
				break
			}
		}
		if student != "" {
			break
		}
	}
	if student == "" {
		t.Fatalf("no student of the %d rows has a relative account", len(cells))
	}
	// Typed as a person does: the keyboard alone, from the row on.
	tb.do(chromedp.Focus(chromedp.ID("m-"+student)),
		chromedp.KeyEvent("14,5"+kb.Enter), chromedp.KeyEvent("abs"+kb.Tab),
		chromedp.KeyEvent("8"+kb.Enter), chromedp.KeyEvent("12"+kb.Tab))
	if got := tb.focused(); row+4 < len(cells) && got != "input#m-"+cells[row+4] {
		t.Errorf("after the column the focus is on %s, want the next row", got)
	}
	typed := []string{"14,5", "abs", "8", "12"}
	for i, want := range typed {
		if v := tb.value("#m-" + cells[row+i]); v != want {
			t.Fatalf("row %d holds %q, want %q", row+i, v, want)
		}
	}
	if st := tb.load(chromedp.Click(chromedp.CSS(`#gb-grid button[type=submit]`))); st != http.StatusOK || !strings.Contains(tb.text("main"), "4 notes modifiées") {
		t.Fatalf("save: %d %q", st, tb.text("main"))
	}
	tb.screenshot("grades-grid-saved")

	// Published tomorrow: the family sees nothing of it yet.
	rb := s.newTab()
	rb.signIn(relative)
	overview := "/grades?child=" + student
	// Today is in a period without the demo's marks (they are the first
	// term's): the subject's section is missing until the new mark shows,
	// so its pages are opened by their address; they answer "not found"
	// while the subject has nothing published.
	hidden := func(when string) {
		t.Helper()
		for _, p := range []string{overview, "/grades/subject/" + subject + "?child=" + student,
			"/grades/explain?child=" + student + "&subject=" + subject} {
			if st := rb.open(p); st != http.StatusOK && (p == overview || st != http.StatusNotFound) {
				t.Fatalf("%s: %s answers %d", when, p, st)
			}
			if rb.count("#ev-"+ev) != 0 || strings.Contains(rb.text("main"), title) {
				t.Errorf("%s: the family sees the evaluation on %s", when, p)
			}
		}
	}
	hidden("published tomorrow")

	// The teacher publishes it today.
	if st := tb.load(chromedp.Click(chromedp.CSS(`a[href="/gradebook/evaluations/` + ev + `/edit"]`))); st != http.StatusOK {
		t.Fatalf("the evaluation's form: %d", st)
	}
	tb.do(chromedp.SetValue(chromedp.ID("publish_on"), today.Format("2006-01-02")))
	if st := tb.load(chromedp.Click(chromedp.CSS(`form[action="/gradebook/evaluations/` + ev + `/edit"] button[type=submit]`))); st != http.StatusOK || tb.count("p.ok") != 1 {
		t.Fatalf("publishing today: %d at %s: %q", st, tb.path(), tb.text("main"))
	}

	// The family sees the mark, the class mean (14,5 + 8 + 12) ÷ 3 and
	// the subject's average.
	if st := rb.open(overview); st != http.StatusOK {
		t.Fatalf("%s: %d", overview, st)
	}
	section := `section[aria-labelledby="s-` + subject + `"]`
	line := section + " #ev-" + ev
	if rb.count(line) != 1 {
		t.Fatalf("the family does not see the evaluation published today: %q", rb.text("main"))
	}
	if got := rb.text(line + ` td[data-label="Note"]`); got != "14,5/20" {
		t.Errorf("the mark reads %q", got)
	}
	if got := rb.text(line + ` td[data-label="Moyenne de la classe"]`); got != "11,5" {
		t.Errorf("the class mean reads %q, want 11,5", got)
	}
	if rb.count(line+` td[data-label="Note la plus basse"]`) == 1 {
		if lo, hi := rb.text(line+` td[data-label="Note la plus basse"]`), rb.text(line+` td[data-label="Note la plus haute"]`); lo != "8" || hi != "14,5" {
			t.Errorf("min and max read %q and %q", lo, hi)
		}
	}
	avg := rb.text(section + ` tfoot strong`)
	if _, err := strconv.ParseFloat(strings.Replace(avg, ",", ".", 1), 64); err != nil {
		t.Fatalf("the subject's average reads %q", avg)
	}
	rb.screenshot("grades-relative-published")

	// "Comment est calculée cette moyenne ?"
	link := section + ` a[href^="/grades/explain?"]`
	if got := rb.text(link); got != "Comment est calculée cette moyenne ?" {
		t.Errorf("the explanation's link reads %q", got)
	}
	if st := rb.load(chromedp.Click(chromedp.CSS(link))); st != http.StatusOK || !strings.HasPrefix(rb.path(), "/grades/explain?") {
		t.Fatalf("the explanation: %d at %s", st, rb.path())
	}
	if got := rb.text("#result-h strong"); got != avg {
		t.Errorf("the explanation ends on %q, the overview shows %q", got, avg)
	}
	lines := eval[[]string](rb, `[...document.querySelectorAll('ol.steps li')].map(l => l.innerText.trim())`)
	rb.screenshot("grades-relative-explain")
	if !slices.ContainsFunc(lines, func(l string) bool { return strings.HasPrefix(l, title+" : 14,5/20") }) {
		t.Errorf("no step for the mark just typed:\n  %s", strings.Join(lines, "\n  "))
	}
	// The steps can be redone: the last division gives the average.
	var redone bool
	for _, l := range lines {
		if m := averageLine.FindStringSubmatch(l); m != nil {
			points, weights, got := frNumber(t, m[1]), frNumber(t, m[2]), frNumber(t, m[3])
			if d := points/weights - got; d > 0.001 || d < -0.001 {
				t.Errorf("%q does not redo: %g", l, points/weights)
			}
			redone = true
		}
	}
	if !redone {
		t.Errorf("no line divides the points by the weights:\n  %s", strings.Join(lines, "\n  "))
	}

	// Published in the future again: hidden again, everywhere.
	tb.do(chromedp.SetValue(chromedp.ID("publish_on"), today.AddDate(0, 0, 7).Format("2006-01-02")))
	if st := tb.load(chromedp.Click(chromedp.CSS(`form[action="/gradebook/evaluations/` + ev + `/edit"] button[type=submit]`))); st != http.StatusOK {
		t.Fatalf("publishing next week: %d", st)
	}
	hidden("published next week")
}

// TestBrowserGradesOnAPhone opens the grades pages on a phone (390 px):
// a relative's results, a subject with the what-if simulation and its
// result, the explanation, the report cards and one card, the
// competences and the brevet of a child in the 3e class whose first term
// report cards are published; a teacher's gradebook, a teaching and an
// evaluation's grid and its competence levels; the head's class council. None is wider than the screen (a wide table scrolls
// in its own region); with CARTABLE_AXE each passes the accessibility
// audit.
func TestBrowserGradesOnAPhone(t *testing.T) {
	s := newSuite(t)
	ctx := context.Background()
	var axe string
	if os.Getenv(envAxe) != "" {
		axe = loadAxe(t)
	}
	check := func(b *tab, name string) {
		t.Helper()
		b.phoneFits(name)
		if axe != "" {
			b.audit(name, axe)
		}
		b.screenshot("phone-grades-" + name)
	}
	opened := func(b *tab, st int64, want string) {
		t.Helper()
		if st != http.StatusOK || !strings.HasPrefix(b.path(), want) {
			t.Fatalf("%s: %d at %s", want, st, b.path())
		}
	}

	// A relative of a student whose report card is published.
	var student, period, relative string
	ids, err := s.db.Query(ctx, `SELECT DISTINCT student_id, period_id FROM gr_report_cards ORDER BY student_id`)
	if err != nil {
		t.Fatal(err)
	}
	type card struct{ student, period string }
	var cards []card
	for ids.Next() {
		var c card
		if err := ids.Scan(&c.student, &c.period); err != nil {
			t.Fatal(err)
		}
		cards = append(cards, c)
	}
	ids.Close()
	for _, c := range cards {
		login := s.login(c.student)
		for _, a := range s.accounts {
			if a.Profile == "relative" && slices.Contains(a.Children, login) {
				student, period, relative = c.student, c.period, a.Login
			}
		}
		if relative != "" {
			break
		}
	}
	if relative == "" {
		t.Fatalf("no relative of the %d students with a published report card", len(cards))
	}
	rb := s.newTab()
	rb.do(chromedp.EmulateViewport(390, 844))
	rb.signIn(relative)
	opened(rb, rb.open("/grades?child="+student+"&period="+period), "/grades?")
	if rb.count("main section table") == 0 {
		t.Fatalf("the first term shows no marks: %q", rb.text("main"))
	}
	check(rb, "relative-results")
	opened(rb, rb.load(chromedp.Click(chromedp.CSS(`main section h2 a[href^="/grades/subject/"]`))), "/grades/subject/")
	check(rb, "relative-subject")
	// What if the next mark were 18?
	rb.do(chromedp.SendKeys(chromedp.ID("value-1"), "18"))
	opened(rb, rb.load(chromedp.Click(chromedp.CSS(`form[action="/grades/simulate"] button[type=submit]`))), "/grades/")
	if rb.count("tr.hypothetical") == 0 || rb.count(".alert.simulation") != 1 {
		t.Errorf("the simulation shows no hypothetical mark: %q", rb.text("main"))
	}
	check(rb, "relative-whatif")
	opened(rb, rb.open("/grades?child="+student+"&period="+period), "/grades?")
	opened(rb, rb.load(chromedp.Click(chromedp.CSS(`main section a[href^="/grades/explain?"]`))), "/grades/explain?")
	if rb.count("ol.steps li") < 3 {
		t.Errorf("the explanation has %d steps", rb.count("ol.steps li"))
	}
	check(rb, "relative-explain")
	opened(rb, rb.load(chromedp.Click(chromedp.CSS(`header a[href="/report-cards"]`))), "/report-cards")
	check(rb, "relative-report-cards")
	opened(rb, rb.load(chromedp.Click(chromedp.CSS(`main a[href^="/report-cards/"]:not([href$=".pdf"])`))), "/report-cards/")
	check(rb, "relative-report-card")
	opened(rb, rb.open("/grades?child="+student+"&period="+period), "/grades?")
	opened(rb, rb.load(chromedp.Click(chromedp.CSS(`main a[href^="/competences/student/"]`))), "/competences/student/"+student)
	check(rb, "relative-competences")
	opened(rb, rb.open("/grades?child="+student+"&period="+period), "/grades?")
	opened(rb, rb.load(chromedp.Click(chromedp.CSS(`main a[href^="/brevet"]`))), "/brevet")
	if rb.count("details summary") == 0 {
		t.Errorf("the brevet of a 3e student shows no steps: %q", rb.text("main"))
	}
	check(rb, "relative-brevet")

	// A teacher of the demo's evaluations.
	var teacher, ev, evPeriod string
	if err := s.db.QueryRow(ctx, `SELECT p.login, e.id, e.period_id FROM gr_evaluations e JOIN people p ON p.id = e.author_id
		WHERE e.class_id IS NOT NULL ORDER BY e.held_on, e.id LIMIT 1`).Scan(&teacher, &ev, &evPeriod); err != nil {
		t.Fatal(err)
	}
	tb := s.newTab()
	tb.do(chromedp.EmulateViewport(390, 844))
	tb.stepUpTeacher(teacher, "/gradebook/evaluations/"+ev)
	if tb.count("input[data-cell]") < 3 {
		t.Fatalf("the grid has %d rows", tb.count("input[data-cell]"))
	}
	check(tb, "teacher-grid")
	opened(tb, tb.load(chromedp.Click(chromedp.CSS(`main a[href^="/competences/evaluations/"]`))), "/competences/evaluations/")
	check(tb, "teacher-competence-levels")
	opened(tb, tb.load(chromedp.Click(chromedp.CSS(`header a[href="/gradebook"]`))), "/gradebook")
	check(tb, "teacher-gradebook")
	opened(tb, tb.load(chromedp.Click(chromedp.CSS(`main section h2 a[href^="/gradebook/"]`))), "/gradebook/")
	// The demo's term, with its evaluations.
	tb.do(chromedp.SetValue(chromedp.ID("period"), evPeriod))
	opened(tb, tb.load(chromedp.Click(chromedp.CSS(`main form[method="get"] button[type=submit]`))), "/gradebook/")
	if tb.count("main table tbody tr") == 0 {
		t.Errorf("the teaching shows no evaluation for the demo's term: %q", tb.text("main"))
	}
	check(tb, "teacher-teaching")
	opened(tb, tb.load(chromedp.Click(chromedp.CSS(`main a[href^="/grades/teaching/"]`))), "/grades/teaching/")
	check(tb, "teacher-class-results")

	// The class council (the head's: every field and the publication),
	// a wide table and forms.
	var class string
	if err := s.db.QueryRow(ctx, `SELECT class_id FROM gr_report_cards ORDER BY id LIMIT 1`).Scan(&class); err != nil {
		t.Fatal(err)
	}
	head := s.account("head", func(a demo.Account) bool { return hasFunction("head")(a) && a.Establishment == demo.MainUAI })
	hb := s.newTab()
	hb.do(chromedp.EmulateViewport(390, 844))
	hb.signIn(head.Login)
	opened(hb, hb.open("/report-cards/class/"+class+"/"+period), "/report-cards/class/")
	check(hb, "head-council")
}

// TestBrowserGradesAccessibility audits the grades pages on a wide screen
// (CARTABLE_AXE): a student's results, a subject's simulation refusing a
// mark, the explanation, the rules, the report cards, the competences and
// the brevet; the head teacher's council; the head's view of a class's
// table, of a student's results, of the council and its refused export,
// of the competences desk, items, end-of-cycle positioning and the
// class's brevet.
func TestBrowserGradesAccessibility(t *testing.T) {
	skipUnlessBrowser(t)
	if os.Getenv(envAxe) == "" {
		t.Skip("set " + envAxe + " to audit the grades pages")
	}
	axe := loadAxe(t)
	s := newSuite(t)
	ctx := context.Background()
	var card, student, class, period, headTeacher, subject string
	if err := s.db.QueryRow(ctx, `SELECT r.id, r.student_id, r.class_id, r.period_id, t.login FROM gr_report_cards r
		JOIN head_teachers h ON h.class_id = r.class_id JOIN people t ON t.id = h.teacher_id ORDER BY r.student_id LIMIT 1`).
		Scan(&card, &student, &class, &period, &headTeacher); err != nil {
		t.Fatalf("the demo publishes no report card: %v", err)
	}
	if err := s.db.QueryRow(ctx, `SELECT subject_id FROM gr_evaluations WHERE class_id = ? AND period_id = ? ORDER BY id LIMIT 1`, class, period).Scan(&subject); err != nil {
		t.Fatal(err)
	}
	audit := func(b *tab, want int64, p string) {
		t.Helper()
		if st := b.open(p); st != want {
			t.Fatalf("%s: %d, want %d", p, st, want)
		}
		b.audit(p, axe)
	}

	st := s.newTab()
	st.signIn(s.login(student))
	for _, p := range []string{"/grades?period=" + period, "/grades/subject/" + subject + "?period=" + period,
		"/grades/explain?subject=" + subject + "&period=" + period, "/grades/explain?period=" + period, "/grades/rules",
		"/report-cards", "/report-cards/" + card, "/competences/student/" + student + "?period=" + period, "/brevet"} {
		audit(st, http.StatusOK, p)
	}
	// A simulation refused: the field named, what was typed kept.
	st.open("/grades/subject/" + subject + "?period=" + period)
	st.do(chromedp.SendKeys(chromedp.ID("value-1"), "vingt"))
	if code := st.load(chromedp.Click(chromedp.CSS(`form[action="/grades/simulate"] button[type=submit]`))); code != http.StatusUnprocessableEntity {
		t.Fatalf("a word for a mark: %d", code)
	}
	if st.value("#value-1") != "vingt" || st.attr("#value-1", "aria-invalid") != "true" {
		t.Error("the refused simulation does not keep and mark the field")
	}
	st.audit("the simulation refusing a mark", axe)

	ht := s.newTab()
	ht.signIn(headTeacher)
	audit(ht, http.StatusOK, "/report-cards/class/"+class+"/"+period)

	head := s.account("head", func(a demo.Account) bool { return hasFunction("head")(a) && a.Establishment == demo.MainUAI })
	hb := s.newTab()
	hb.signIn(head.Login)
	for _, p := range []string{"/grades/teaching/class/" + class + "/" + subject + "?period=" + period, "/grades?student=" + student + "&period=" + period,
		"/report-cards", "/report-cards/class/" + class + "/" + period, "/report-cards/" + card, "/competences", "/competences/items",
		"/competences/cycle/" + class, "/brevet/class/" + class, "/competences/student/" + student} {
		audit(hb, http.StatusOK, p)
	}
	// The national record's export, refused with its reasons.
	audit(hb, http.StatusUnprocessableEntity, "/report-cards/lsu/"+class+"/"+period+".xml")
}
