package browser_test

import (
	"fmt"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"cartable/internal/demo"
)

// axeRun audits the whole document against WCAG 2.0 and 2.1, levels A and
// AA, and returns what the Go side needs.
const axeRun = `axe.run(document, {
	runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']},
	resultTypes: ['violations'],
}).then(r => ({
	version: axe.version,
	passes: r.passes.map(v => v.id),
	incomplete: r.incomplete.map(v => v.id),
	violations: r.violations.map(v => ({
		id: v.id, impact: v.impact || '', help: v.help, helpUrl: v.helpUrl,
		nodes: v.nodes.map(n => ({
			target: n.target.map(x => Array.isArray(x) ? x.join(' >>> ') : String(x)),
			summary: n.failureSummary || '',
		})),
	})),
}))`

type axeResult struct {
	Version    string   `json:"version"`
	Passes     []string `json:"passes"`
	Incomplete []string `json:"incomplete"`
	Violations []struct {
		ID      string `json:"id"`
		Impact  string `json:"impact"`
		Help    string `json:"help"`
		HelpURL string `json:"helpUrl"`
		Nodes   []struct {
			Target  []string `json:"target"`
			Summary string   `json:"summary"`
		} `json:"nodes"`
	} `json:"violations"`
}

// loadAxe reads axe.min.js from CARTABLE_AXE. The suite was asked for, so a
// missing file is a failure, not a reason to skip.
func loadAxe(t *testing.T) string {
	t.Helper()
	p := os.Getenv(envAxe)
	if p == "" {
		t.Fatalf("%s is not set: it must be the absolute path of axe.min.js of the npm package axe-core (`npm install --no-save --prefix .ci axe-core@4`, then %s=$PWD/.ci/node_modules/axe-core/axe.min.js)", envAxe, envAxe)
	}
	src, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("%s=%s: %v (install it with `npm install --no-save --prefix .ci axe-core@4`; a relative path is read from the test's package directory)", envAxe, p, err)
	}
	if !strings.Contains(string(src[:min(len(src), 2000)]), "axe") {
		t.Fatalf("%s=%s does not look like axe-core", envAxe, p)
	}
	return string(src)
}

// runAxe injects axe-core into the current page and runs it. The pages'
// CSP allows no script, but DevTools evaluation is not subject to it.
func (b *tab) runAxe(axe string) axeResult {
	b.t.Helper()
	if eval[bool](b, `typeof axe === 'undefined'`) {
		b.do(chromedp.Evaluate[chromedp.Void](axe))
	}
	r := eval[axeResult](b, axeRun, chromedp.EvalAwaitPromise)
	if !strings.HasPrefix(r.Version, "4.") || len(r.Passes) < 5 {
		b.t.Fatalf("%s: axe-core %q passed only %d rules: it did not run", b.path(), r.Version, len(r.Passes))
	}
	return r
}

func (r axeResult) violationIDs() []string {
	var ids []string
	for _, v := range r.Violations {
		ids = append(ids, v.ID)
	}
	return ids
}

// audit reports every WCAG 2.0/2.1 A and AA violation of the current page
// as a test error.
func (b *tab) audit(name, axe string) {
	b.t.Helper()
	where := fmt.Sprintf("%s (%s)", name, b.path())
	// The audit means something only with the stylesheet applied.
	if n := eval[int](b, `[...document.styleSheets].reduce((n, s) => n + s.cssRules.length, 0)`); n < 20 {
		b.t.Fatalf("%s: the stylesheet is not applied (%d rules)", where, n)
	}
	r := b.runAxe(axe)
	// Contrast must have been decided, not left for review.
	if !slices.Contains(r.Passes, "color-contrast") && !slices.Contains(r.violationIDs(), "color-contrast") {
		b.t.Errorf("%s: axe could not decide the colour contrast (to review: %v)", where, r.Incomplete)
	}
	var out []string
	for _, v := range r.Violations {
		out = append(out, fmt.Sprintf("[%s] %s: %s (%s)", v.Impact, v.ID, v.Help, v.HelpURL))
		for _, n := range v.Nodes {
			out = append(out, fmt.Sprintf("      %s\n        %s", strings.Join(n.Target, " "),
				strings.ReplaceAll(n.Summary, "\n", "\n        ")))
		}
	}
	if len(out) > 0 {
		b.t.Errorf("%s: %d accessibility violation(s) (axe-core %s, WCAG 2.1 A/AA):\n    %s",
			where, len(r.Violations), r.Version, strings.Join(out, "\n    "))
	} else {
		b.t.Logf("%s: no violation, %d rules passed, %d to review by hand %v", where, len(r.Passes), len(r.Incomplete), r.Incomplete)
	}
}

// auditCanFail proves the audit is not blind: a faulty fragment added to
// the page (an image without text, an unlabelled field, grey on white)
// must be reported.
func (b *tab) auditCanFail(axe string) {
	b.t.Helper()
	b.do(chromedp.Evaluate[chromedp.Void](`(() => {
		const d = document.createElement('div'); d.id = 'axe-self-check';
		const img = document.createElement('img'); img.src = 'data:image/gif;base64,R0lGODlhAQABAAAAACw=';
		const input = document.createElement('input'); input.type = 'text';
		const p = document.createElement('p'); p.textContent = 'texte trop pâle'; p.style.color = '#c8c8c8';
		d.append(img, input, p); document.querySelector('main').append(d);
	})()`))
	got := b.runAxe(axe).violationIDs()
	for _, want := range []string{"image-alt", "label", "color-contrast"} {
		if !slices.Contains(got, want) {
			b.t.Errorf("axe self-check: a faulty fragment should violate %s; got %v", want, got)
		}
	}
	b.do(chromedp.Evaluate[chromedp.Void](`document.getElementById('axe-self-check').remove()`))
}

func TestBrowserAccessibility(t *testing.T) {
	skipUnlessBrowser(t)
	axe := loadAxe(t)
	s := newSuite(t)

	// Anonymous pages.
	b := s.newTab()
	if st := b.open("/sign-in"); st != http.StatusOK {
		t.Fatalf("sign-in: %d", st)
	}
	b.screenshot("signin")
	b.audit("sign-in", axe)
	b.do(chromedp.SendKeys(chromedp.ID("login"), "personne.inconnue"),
		chromedp.SendKeys(chromedp.ID("password"), "pas-le-bon"))
	if st := b.load(chromedp.Click(chromedp.CSS(`form[action="/sign-in"] button[type=submit]`))); st != http.StatusUnauthorized {
		t.Fatalf("wrong password: %d", st)
	}
	if b.count("#signin-error") != 1 {
		t.Fatal("no error shown after a wrong password")
	}
	b.audit("sign-in with an error", axe)
	if st := b.open("/legal"); st != http.StatusOK || !strings.Contains(b.text("main"), "trois mois") {
		t.Fatalf("legal page in French: %d", st)
	}
	b.audit("legal page, French", axe)
	if st := b.open("/no/such/page"); st != http.StatusNotFound {
		t.Fatalf("unknown page: %d, want 404", st)
	}
	b.audit("404 page", axe)
	b.auditCanFail(axe)
	// English, chosen with the footer form.
	b.open("/legal")
	b.do(chromedp.SetValue(chromedp.ID("lang-select"), "en"))
	if st := b.load(chromedp.Click(chromedp.CSS(`form.lang button`))); st != http.StatusOK || b.path() != "/legal" {
		t.Fatalf("language switch: %d at %s", st, b.path())
	}
	if lang := b.attr("html", "lang"); lang != "en" || !strings.Contains(b.text("main"), "three months") {
		t.Fatalf("legal page after choosing English: lang=%q", lang)
	}
	b.audit("legal page, English", axe)

	// The home page of each profile, and the pages a head reaches from it.
	profiles := []struct {
		name string
		pick func(demo.Account) bool
	}{
		{"student", func(a demo.Account) bool { return a.Profile == "student" && len(a.Classes) > 0 }},
		{"relative", func(a demo.Account) bool { return a.Profile == "relative" && len(a.Children) >= 2 }},
		{"teacher", func(a demo.Account) bool { return a.Profile == "teacher" }},
		{"head", func(a demo.Account) bool { return hasFunction("head")(a) && a.Establishment == demo.MainUAI }},
		{"cpe", hasFunction("cpe")},
		{"admin", func(a demo.Account) bool { return a.Profile == "admin" }},
	}
	for _, p := range profiles {
		acct := s.account(p.name, p.pick)
		b := s.newTab()
		b.signIn(acct.Login)
		if p.name != "cpe" && p.name != "admin" {
			b.screenshot("home-" + p.name)
		}
		b.audit("home page, "+p.name, axe)

		switch p.name {
		case "student":
			if st := b.load(chromedp.Click(chromedp.CSS(`dl.facts a[href^="/classes/"]`))); st != http.StatusOK {
				t.Fatalf("student's class: %d", st)
			}
			b.audit("class page seen by its student", axe)
		case "head":
			if st := b.load(chromedp.Click(chromedp.CSS(`a[href^="/establishments/"]`))); st != http.StatusOK {
				t.Fatalf("establishment overview: %d", st)
			}
			b.audit("establishment page", axe)
			if st := b.load(chromedp.Click(chromedp.CSS(`ul.columns a[href^="/classes/"]`))); st != http.StatusOK {
				t.Fatalf("class page: %d", st)
			}
			if b.count("ol.roster a") == 0 {
				t.Fatal("the head sees no roster on a class page")
			}
			b.audit("class page seen by the head", axe)
			if st := b.load(chromedp.Click(chromedp.CSS(`ol.roster a`))); st != http.StatusOK {
				t.Fatalf("person page: %d", st)
			}
			b.audit("a student's page seen by the head", axe)
			if st := b.load(chromedp.Click(chromedp.CSS(`header nav a[href^="/people/"]`))); st != http.StatusOK {
				t.Fatalf("own page: %d", st)
			}
			b.audit("the head's own page", axe)
		}
	}
}
