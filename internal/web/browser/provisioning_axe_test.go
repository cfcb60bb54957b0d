package browser_test

import (
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"cartable/internal/demo"
)

// TestBrowserProvisioning drives the directory pages in a real browser,
// without JavaScript of ours: the operator uploads a delivery through the
// form, reviews the changes, applies them; the head previews the change of
// school year and closes an account. Every page is audited with axe-core.
func TestBrowserProvisioning(t *testing.T) {
	skipUnlessBrowser(t)
	axe := loadAxe(t)
	s := newSuite(t)

	admin := s.account("operator", func(a demo.Account) bool { return a.Profile == "admin" })
	b := s.newTab()
	b.signIn(admin.Login)
	if st := b.load(chromedp.Click(chromedp.CSS(`header nav a[href="/provisioning"]`))); st != http.StatusOK {
		t.Fatalf("provisioning page: %d", st)
	}
	b.audit("provisioning page", axe)

	files, err := filepath.Glob("../../provisioning/testdata/aaf/complete/*.xml")
	if err != nil || len(files) == 0 {
		t.Fatalf("fixture: %v", err)
	}
	for i := range files {
		files[i], _ = filepath.Abs(files[i])
	}
	b.do(chromedp.SetUploadFiles(chromedp.CSS(`#prov-files`), files))
	if st := b.load(chromedp.Click(chromedp.CSS(`form[action="/provisioning/uploads"] button[type=submit]`))); st != http.StatusOK {
		t.Fatalf("upload: %d", st)
	}
	if !strings.HasPrefix(b.path(), "/provisioning/uploads/") || !strings.Contains(b.text("main"), "4 élèves créés") ||
		!strings.Contains(b.text("main"), "À votre prochaine connexion, une double authentification vous sera demandée.") {
		t.Fatalf("review page at %s: %.300s", b.path(), b.text("main"))
	}
	b.audit("review of an upload", axe)
	b.fitsPhone("review of an upload")
	// Left unconfirmed, the upload waits on the provisioning page, which
	// leads back to its review.
	review := b.path()
	b.open("/provisioning")
	if !strings.Contains(b.text("main"), "Imports en attente de confirmation") || b.count(`a[href="`+review+`"]`) != 1 {
		t.Fatalf("the pending upload is not listed: %.1500s", b.text("main"))
	}
	b.audit("provisioning page with a pending upload", axe)
	b.fitsPhone("provisioning page with a pending upload")
	if st := b.load(chromedp.Click(chromedp.CSS(`a[href="` + review + `"]`))); st != http.StatusOK || b.path() != review {
		t.Fatalf("back to the review: %d %s", st, b.path())
	}
	if st := b.load(chromedp.Click(chromedp.CSS(`form[action$="/confirm"] button`))); st != http.StatusOK {
		t.Fatalf("confirm: %d", st)
	}
	if !strings.HasPrefix(b.path(), "/provisioning/imports/") || !strings.Contains(b.text("main"), "appliquée") {
		t.Fatalf("run page at %s", b.path())
	}
	b.audit("an import of the history", axe)
	b.fitsPhone("an import of the history")

	head := s.account("head", func(a demo.Account) bool { return hasFunction("head")(a) && a.Establishment == demo.MainUAI })
	h := s.newTab()
	h.signIn(head.Login)
	h.open("/provisioning")
	if st := h.load(chromedp.Click(chromedp.CSS(`a[href$="/rollover"]`))); st != http.StatusOK {
		t.Fatalf("rollover page: %d", st)
	}
	if st := h.load(chromedp.Click(chromedp.CSS(`form[method="get"] button`))); st != http.StatusOK || !strings.Contains(h.text("main"), "Clore l’année") {
		t.Fatalf("rollover preview: %d", st)
	}
	h.audit("rollover preview", axe)
	h.fitsPhone("rollover preview")

	student := s.account("student", func(a demo.Account) bool { return a.Profile == "student" && a.Establishment == demo.MainUAI })
	h.open("/provisioning")
	if st := h.load(chromedp.Click(chromedp.CSS(`a[href$="/accounts"]`))); st != http.StatusOK {
		t.Fatalf("accounts page: %d", st)
	}
	h.do(chromedp.SendKeys(chromedp.ID("close-login"), student.Login))
	if st := h.load(chromedp.Click(chromedp.CSS(`form[action$="/accounts/close"] button`))); st != http.StatusOK {
		t.Fatalf("close: %d", st)
	}
	if !strings.Contains(h.text("main"), s.person(student.Login).LastName) {
		t.Fatal("the closed account is not listed")
	}
	h.audit("closed accounts", axe)
	h.fitsPhone("closed accounts")
}

// fitsPhone checks the page on a 390 px wide screen: nothing wider than
// the screen (no horizontal scrolling), then restores the window.
func (b *tab) fitsPhone(name string) {
	b.t.Helper()
	b.do(chromedp.EmulateViewport(390, 844))
	defer b.do(chromedp.EmulateReset())
	b.screenshot(strings.ReplaceAll(name, " ", "-") + "-390")
	if w := eval[int](b, `document.documentElement.scrollWidth`); w > 390 {
		b.t.Errorf("%s (%s): %d px wide at 390 px", name, b.path(), w)
	}
}
