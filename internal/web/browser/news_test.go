package browser_test

import (
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"cartable/internal/demo"
)

// TestBrowserNewsAcknowledgement: a teacher posts news to a class's
// families that needs an acknowledgement; a legal guardian finds it in the
// to-do list and acknowledges; the teacher's tracking shows it. With
// CARTABLE_AXE set, the pages are audited too.
func TestBrowserNewsAcknowledgement(t *testing.T) {
	s := newSuite(t)
	axe := ""
	if os.Getenv(envAxe) != "" {
		axe = loadAxe(t)
	}
	audit := func(b *tab, name string) {
		if axe != "" {
			b.audit(name, axe)
		}
	}
	// A teacher without functions of the collège, a class they teach, a
	// legal guardian of one of its students.
	row := s.query(`SELECT t.login || ' ' || a.class_id || ' ' || g.login || ' ' || g.id FROM teaching_assignments a
		JOIN people t ON t.id = a.teacher_id JOIN classes c ON c.id = a.class_id JOIN establishments x ON x.id = c.establishment_id
		JOIN enrolments m ON m.class_id = a.class_id JOIN family_links f ON f.student_id = m.student_id AND f.legal_guardian
		JOIN people g ON g.id = f.relative_id
		WHERE x.uai = ? AND t.profile = 'teacher' AND g.active AND NOT EXISTS (SELECT 1 FROM functions fn WHERE fn.person_id = t.id)
		ORDER BY t.login, g.login LIMIT 1`, demo.MainUAI)
	if len(row) == 0 {
		t.Fatal("no teacher, class and guardian in the demo")
	}
	parts := strings.Fields(row[0])
	teacherLogin, class, guardianLogin, guardianID := parts[0], parts[1], parts[2], parts[3]

	tb := s.newTab()
	tb.signIn(teacherLogin)
	if st := tb.open("/news/new"); st != http.StatusOK {
		t.Fatalf("the form: %d", st)
	}
	audit(tb, "news form")
	tb.do(chromedp.SendKeys(chromedp.ID("title"), "Sortie au planétarium"),
		chromedp.SendKeys(chromedp.ID("body"), "Merci de confirmer que vous avez lu."),
		chromedp.Click(chromedp.CSS(`input[name=targets][value="class:`+class+`"]`)),
		chromedp.Click(chromedp.CSS(`input[name=ack]`)),
		chromedp.SetValue(chromedp.ID("ackby"), "2030-06-30"))
	if st := tb.load(chromedp.Click(chromedp.CSS(`button[name=action][value=publish]`))); st != http.StatusOK || !strings.HasPrefix(tb.path(), "/news/") {
		t.Fatalf("publish: %d at %s", st, tb.path())
	}
	newsPath, _, _ := strings.Cut(tb.path(), "?")
	if c := tb.text("#counts"); !strings.Contains(c, "Lu par 0") {
		t.Fatalf("tracking before: %q", c)
	}
	audit(tb, "news tracking")

	gb := s.newTab()
	gb.signIn(guardianLogin)
	if gb.count(`a[href="`+newsPath+`"]`) == 0 {
		t.Fatal("the guardian's home does not link to the news to acknowledge")
	}
	if st := gb.open("/todo"); st != http.StatusOK || !strings.Contains(gb.text("#tasks"), "Sortie au planétarium") {
		t.Fatalf("the to-do list: %d", st)
	}
	audit(gb, "to-do list")
	if st := gb.load(chromedp.Click(chromedp.CSS(`#tasks a[href="` + newsPath + `"]`))); st != http.StatusOK {
		t.Fatalf("open the news: %d", st)
	}
	audit(gb, "news to acknowledge")
	if st := gb.load(chromedp.Click(chromedp.ID("acknowledge"))); st != http.StatusOK || gb.count("#acked") != 1 {
		t.Fatalf("acknowledge: %d", st)
	}

	tb.open(newsPath)
	if r := tb.text("#r-" + guardianID); strings.Contains(r, "Pas encore confirmé") {
		t.Fatalf("the tracking does not show the acknowledgement: %q", r)
	}
	if c := tb.text("#counts"); !strings.Contains(c, "confirmée par 1") {
		t.Fatalf("tracking after: %q", c)
	}
	// The teacher corrects the news and asks again, on a phone: the page
	// fits 390 px; the guardian is asked to acknowledge again.
	tb.do(chromedp.EmulateViewport(390, 844))
	if st := tb.load(chromedp.Click(chromedp.ID("edit"))); st != http.StatusOK || !strings.HasSuffix(tb.path(), "/edit") {
		t.Fatalf("the edit form: %d at %s", st, tb.path())
	}
	if w := eval[int](tb, `document.documentElement.scrollWidth`); w > 390 {
		t.Errorf("the edit form is %d px wide on a 390 px phone", w)
	}
	audit(tb, "news edit form")
	tb.do(chromedp.SendKeys(chromedp.ID("body"), " Départ à 8 h."), chromedp.Click(chromedp.ID("askagain")))
	if st := tb.load(chromedp.Click(chromedp.ID("save"))); st != http.StatusOK || !strings.Contains(tb.path(), "saved=askedagain") {
		t.Fatalf("save the edit: %d at %s", st, tb.path())
	}
	if w := eval[int](tb, `document.documentElement.scrollWidth`); w > 390 {
		t.Errorf("the tracking is %d px wide on a 390 px phone", w)
	}
	audit(tb, "news tracking, second round")
	gb.open(newsPath)
	if gb.count("#acknowledge") != 1 || !strings.Contains(gb.text("main"), "Départ à 8 h.") {
		t.Fatal("the guardian is not asked again")
	}
	tb.do(chromedp.EmulateViewport(1280, 900))
	for _, p := range []string{"/news", "/surveys", "/surveys/new"} {
		if st := tb.open(p); st != http.StatusOK {
			t.Fatalf("%s: %d", p, st)
		}
		audit(tb, p)
	}
}
