package browser_test

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"cartable/internal/auth"
	"cartable/internal/demo"
)

// TestBrowserGradebookKeyboardEntry: a teacher steps up to a second
// factor, creates an evaluation and types a column from the keyboard,
// Enter moving down the rows; what is typed is kept in the browser and as
// a server draft as they type, and saved at once.
func TestBrowserGradebookKeyboardEntry(t *testing.T) {
	s := newSuite(t)
	ctx := context.Background()
	var login, class, subject string
	if err := s.db.QueryRow(ctx, `SELECT p.login, a.class_id, a.subject_id FROM teaching_assignments a JOIN people p ON p.id = a.teacher_id
		JOIN establishments e ON e.id = a.establishment_id WHERE e.uai = ? AND a.class_id IS NOT NULL ORDER BY a.id LIMIT 1`, demo.MainUAI).
		Scan(&login, &class, &subject); err != nil {
		t.Fatal(err)
	}
	b := s.newTab()
	b.signIn(login)
	// An authenticator app, then the step-up that entering marks asks for.
	b.open("/account/totp")
	b.load(chromedp.Click(chromedp.CSS(`form[action="/account/totp/start"] button`)))
	secret := stripSpaces(b.text("#secret"))
	code, _ := auth.TOTPCode(secret, time.Now())
	b.do(chromedp.SendKeys(chromedp.ID("code"), code))
	b.load(chromedp.Click(chromedp.CSS(`form[action="/account/totp/confirm"] button`)))
	newPath := "/gradebook/new?teaching=" + url.QueryEscape("class:"+class+"/"+subject)
	b.open(newPath)
	if p := b.path(); !strings.HasPrefix(p, "/sign-in/second-factor?next=") {
		t.Fatalf("a password-only session went to %s", p)
	}
	code, _ = auth.TOTPCode(secret, time.Now().Add(30*time.Second)) // the next step: a code serves once
	b.do(chromedp.SendKeys(chromedp.ID("code"), code))
	if st := b.load(chromedp.Click(chromedp.CSS(`form[action="/sign-in/second-factor"] button[type=submit]`))); st != http.StatusOK || !strings.HasPrefix(b.path(), "/gradebook/new?") {
		t.Fatalf("step-up: %d at %s", st, b.path())
	}
	b.do(chromedp.SendKeys(chromedp.ID("title"), "Dictée"))
	if st := b.load(chromedp.Click(chromedp.CSS(`form[action="/gradebook/new"] button[type=submit]`))); st != http.StatusOK || !strings.HasPrefix(b.path(), "/gradebook/evaluations/") {
		t.Fatalf("new evaluation: %d at %s", st, b.path())
	}
	id := strings.TrimPrefix(b.path(), "/gradebook/evaluations/")
	if os.Getenv(envAxe) != "" {
		b.audit("entry grid", loadAxe(t))
	}
	rows := b.count("input[data-cell]")
	if rows < 3 {
		t.Fatalf("%d rows", rows)
	}
	first := b.attr("input[data-cell]", "id")
	// The keyboard alone: type, Enter, type, Enter…
	b.do(chromedp.Focus(chromedp.ID(first)), chromedp.KeyEvent("14,5"+kb.Enter))
	second := b.focused()
	if !strings.HasPrefix(second, "input#m-") || second == "input#"+first {
		t.Fatalf("Enter moved to %s", second)
	}
	b.do(chromedp.KeyEvent("abs"+kb.Enter), chromedp.KeyEvent("8"+kb.Tab))
	kept := eval[string](b, `localStorage.getItem("cartable.gradebook.`+id+`") || ""`)
	if !strings.Contains(kept, `"14,5"`) || !strings.Contains(kept, `"abs"`) {
		t.Errorf("kept in the browser: %q", kept)
	}
	// The draft reaches the server a moment after typing stops.
	deadline := time.Now().Add(5 * time.Second)
	for {
		var n int
		_ = s.db.QueryRow(ctx, `SELECT COUNT(*) FROM gr_drafts WHERE evaluation_id = ?`, id).Scan(&n)
		if n == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no server draft after typing")
		}
		time.Sleep(100 * time.Millisecond)
	}
	if st := b.load(chromedp.Click(chromedp.CSS(`#gb-grid button[type=submit]`))); st != http.StatusOK || !strings.Contains(b.text("main"), "3 notes modifiées") {
		t.Fatalf("save: %d %q", st, b.text("main"))
	}
	var marks, drafts int
	_ = s.db.QueryRow(ctx, `SELECT COUNT(*) FROM gr_marks WHERE evaluation_id = ?`, id).Scan(&marks)
	_ = s.db.QueryRow(ctx, `SELECT COUNT(*) FROM gr_drafts WHERE evaluation_id = ?`, id).Scan(&drafts)
	if marks != 3 || drafts != 0 {
		t.Errorf("%d marks, %d drafts after the save", marks, drafts)
	}
	if kept := eval[string](b, `localStorage.getItem("cartable.gradebook.`+id+`") || ""`); kept != "" {
		t.Errorf("the browser kept %q after the save", kept)
	}
	// Typed, then the page left before the draft was posted (a session
	// that ends): the browser's copy comes back, said so.
	b.do(chromedp.Focus(chromedp.ID(first)), chromedp.KeyEvent(kb.End+kb.Backspace+kb.Backspace+kb.Backspace+kb.Backspace+"9"))
	b.open("/gradebook/evaluations/" + id)
	if v := b.value("#" + first); v != "9" || b.count("#gb-restored:not([hidden])") != 1 {
		t.Errorf("restored %q, notice shown: %d", v, b.count("#gb-restored:not([hidden])"))
	}
	if os.Getenv(envAxe) == "" {
		return
	}
	// Every page of the area passes the accessibility audit.
	axe := loadAxe(t)
	teaching := "/gradebook/class/" + class + "/" + subject
	for _, p := range []string{"/gradebook", teaching, teaching + "/appraisals", "/gradebook/evaluations/" + id + "/edit", newPath} {
		if st := b.open(p); st != http.StatusOK {
			t.Fatalf("%s: %d", p, st)
		}
		b.audit(p, axe)
	}
	b.open("/gradebook/evaluations/" + id)
	b.do(chromedp.SetValue(chromedp.ID(first), "25"))
	if st := b.load(chromedp.Click(chromedp.CSS(`#gb-grid button[type=submit]`))); st != http.StatusUnprocessableEntity {
		t.Fatalf("a mark above the scale: %d", st)
	}
	b.audit("the grid refusing a mark", axe)
	head := s.account("head", func(a demo.Account) bool { return hasFunction("head")(a) && a.Establishment == demo.MainUAI })
	hb := s.newTab()
	hb.signIn(head.Login)
	for _, p := range []string{"/gradebook", "/gradebook/settings", "/gradebook/periods", "/gradebook/coefficients", "/gradebook/history"} {
		if st := hb.open(p); st != http.StatusOK {
			t.Fatalf("%s: %d", p, st)
		}
		hb.audit(p, axe)
	}
}
