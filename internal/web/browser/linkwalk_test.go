package browser_test

import (
	"context"
	"io"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"cartable/internal/demo"
)

// TestBrowserLinkWalk signs in as each role of the demo establishment on a
// 390 px wide phone and follows every link reachable from its home page:
// no link may answer 4xx or 5xx, no page may be wider than the screen, and
// no two pages showing different content may share a title (tabs and screen readers tell
// pages apart by it).
func TestBrowserLinkWalk(t *testing.T) {
	s := newSuite(t)
	// The class whose first term report cards the demo publishes: its
	// head teacher and one of its students.
	var headTeacher, carded string
	if err := s.db.QueryRow(context.Background(), `SELECT t.login, st.login FROM gr_report_cards r JOIN head_teachers h ON h.class_id = r.class_id
		JOIN people t ON t.id = h.teacher_id JOIN people st ON st.id = r.student_id ORDER BY t.login, st.login LIMIT 1`).Scan(&headTeacher, &carded); err != nil {
		t.Fatalf("the demo publishes no report card: %v", err)
	}
	family := []string{"/grades", "/grades/subject/", "/grades/explain?", "/grades/rules", "/report-cards", "/competences/student/"}
	roles := []struct {
		name string
		pick func(demo.Account) bool
		// must: the walk reaches a page of each of these prefixes (the
		// grades pages, from the menu and the pages it leads to).
		must []string
	}{
		{"student", func(a demo.Account) bool { return a.Profile == "student" && a.Establishment == demo.MainUAI }, family},
		// The report cards' class is a 3e: the brevet's link shows there.
		{"student with a report card", func(a demo.Account) bool { return a.Login == carded }, append(family, "/report-cards/", "/brevet")},
		{"relative", func(a demo.Account) bool {
			return a.Profile == "relative" && len(a.Children) >= 2 && a.Establishment == demo.MainUAI
		}, family},
		{"teacher", func(a demo.Account) bool { return a.Profile == "teacher" && a.Establishment == demo.MainUAI },
			[]string{"/gradebook", "/gradebook/class/", "/grades/teaching/", "/competences"}},
		{"head teacher", func(a demo.Account) bool { return a.Login == headTeacher },
			[]string{"/gradebook", "/grades/teaching/", "/report-cards/class/", "/competences/cycle/", "/brevet/class/"}},
		{"cpe", func(a demo.Account) bool { return hasFunction("cpe")(a) && a.Establishment == demo.MainUAI }, []string{"/report-cards"}},
		{"head", func(a demo.Account) bool { return hasFunction("head")(a) && a.Establishment == demo.MainUAI },
			[]string{"/gradebook/settings", "/gradebook/periods", "/gradebook/coefficients", "/gradebook/history", "/report-cards/class/", "/competences/items"}},
		{"operator", func(a demo.Account) bool { return a.Profile == "admin" }, nil},
	}
	for _, role := range roles {
		t.Run(role.name, func(t *testing.T) {
			acc := s.account(role.name, role.pick)
			b := s.newTab()
			b.t = t
			b.signIn(acc.Login)
			w := &walk{b: b, t: t, role: role.name, seen: map[string]bool{}, shapes: map[string]int{}, titles: map[string]seenTitle{}}
			w.run()
			t.Logf("%s (%s): %d pages, %d other links checked", role.name, acc.Login, w.pages, w.others)
			for _, p := range role.must {
				if !slices.ContainsFunc(slices.Collect(maps.Keys(w.seen)), func(s string) bool { return strings.HasPrefix(s, p) }) {
					t.Errorf("no link leads to %s", p)
				}
			}
		})
	}
}

// A walk bounds itself: at most maxShape pages of one shape (the same path
// with ids and dates replaced), so that "next week" links end, and at most
// maxPages pages in all.
const (
	maxShape = 3
	maxPages = 250
	phone    = 390
)

// seenTitle is the first page seen with a title, and its main content: two
// addresses showing the same content (a default made explicit, such as a
// relative's first child) are one page.
type seenTitle struct{ ref, main string }

type walk struct {
	role   string
	b      *tab
	t      *testing.T
	seen   map[string]bool      // path?query visited or queued
	shapes map[string]int       // pages visited per shape
	titles map[string]seenTitle // title → first page that had it
	pages  int
	others int // links to files, feeds and letters, checked by status
	client *http.Client
	cookie string
}

// Segments that name one thing (ids, dates, codes): two paths differing
// only there have one shape.
var variable = regexp.MustCompile(`^[a-z2-7]{16}$|^[0-9a-f-]{8,}$|^\d{4}-\d{2}-\d{2}$|^\d+$|^[A-Z0-9]{7,8}$`)

func shape(u *url.URL) string {
	parts := strings.Split(u.Path, "/")
	for i, p := range parts {
		if variable.MatchString(p) {
			parts[i] = "{}"
		}
	}
	keys := slices.Sorted(func(yield func(string) bool) {
		for k := range u.Query() {
			if !yield(k) {
				return
			}
		}
	})
	return strings.Join(parts, "/") + "?" + strings.Join(keys, "&")
}

// skipped are links the walk must not follow: signing out ends the walk.
func skipped(u *url.URL) bool {
	return u.Path == "/sign-out"
}

func (w *walk) run() {
	w.t.Helper()
	b := w.b
	b.do(chromedp.EmulateViewport(phone, 844))
	got, err := chromedp.Run(b.ctx, chromedp.Action[network.GetCookiesResult](func(ctx context.Context, t *chromedp.Target) (network.GetCookiesResult, error) {
		return cdp.Call(ctx, t, network.GetCookies, network.GetCookiesParams{})
	}))
	if err != nil {
		w.t.Fatal(err)
	}
	var parts []string
	for _, c := range got.Cookies {
		parts = append(parts, c.Name+"="+c.Value)
	}
	w.cookie = strings.Join(parts, "; ")
	w.client = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

	queue := []string{"/"}
	w.seen["/"] = true
	for len(queue) > 0 && w.pages < maxPages {
		from := queue[0]
		queue = queue[1:]
		for _, next := range w.visit(from) {
			if !w.seen[next] {
				w.seen[next] = true
				queue = append(queue, next)
			}
		}
	}
	if w.pages >= maxPages {
		w.t.Logf("stopped after %d pages", maxPages)
	}
}

// visit checks one URL and returns the links of its page.
func (w *walk) visit(ref string) []string {
	w.t.Helper()
	u, _ := url.Parse(ref)
	if w.shapes[shape(u)] >= maxShape {
		return nil
	}
	// The status and kind first, without the browser: a file or a letter
	// is checked, not opened.
	req, _ := http.NewRequest(http.MethodGet, w.b.s.ts.URL+ref, nil)
	req.Header.Set("Cookie", w.cookie)
	resp, err := w.client.Do(req)
	if err != nil {
		w.t.Errorf("%s: %v", ref, err)
		return nil
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusUnprocessableEntity && strings.HasPrefix(u.Path, "/report-cards/lsu/"):
		// The national record's export names what it lacks instead: the
		// demo's people have no national identifiers (id-be, STS).
		w.t.Logf("%s answers %d: the export is refused with its reasons", ref, resp.StatusCode)
		return nil
	case resp.StatusCode >= 400:
		w.t.Errorf("%s answers %d", ref, resp.StatusCode)
		return nil
	case resp.StatusCode >= 300:
		loc, err := u.Parse(resp.Header.Get("Location"))
		if err != nil || loc.Host != "" && loc.Host != w.b.s.host {
			w.t.Errorf("%s redirects away: %q", ref, resp.Header.Get("Location"))
			return nil
		}
		if skipped(loc) {
			return nil
		}
		return []string{loc.RequestURI()}
	case !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html"):
		w.others++
		return nil
	}
	w.shapes[shape(u)]++
	w.pages++

	if st := w.b.open(ref); st != http.StatusOK {
		w.t.Errorf("%s answers %d in the browser", ref, st)
		return nil
	}
	type facts struct {
		Title string
		Main  string
		Width int
		Wide  []string
		Links []string
	}
	f := eval[facts](w.b, `(() => {
		const vw = document.documentElement.clientWidth;
		const wide = [...document.querySelectorAll('body *')]
			.filter(e => e.getBoundingClientRect().right > vw + 1 && getComputedStyle(e).position !== 'fixed')
			.filter(e => !e.parentElement.closest('[data-overflow]'))
			.slice(0, 3)
			.map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className ? '.' + String(e.className).split(' ').join('.') : ''));
		return {
			Title: document.title,
			Main: document.querySelector('main')?.innerText ?? '',
			Width: document.documentElement.scrollWidth,
			Wide: wide,
			Links: [...document.querySelectorAll('a[href]')].map(a => a.href),
		};
	})()`)
	if w.shapes[shape(u)] == 1 { // the first page of each shape, to look at
		w.b.screenshot("walk-" + w.role + strings.NewReplacer("/", "_", "?", "-", "&", "-", "{}", "x").Replace(shape(u)))
	}
	if f.Width > phone {
		w.t.Errorf("%s is %d px wide on a %d px phone (too wide: %s)", ref, f.Width, phone, strings.Join(f.Wide, ", "))
	}
	if first, dup := w.titles[f.Title]; dup && first.main != f.Main {
		w.t.Errorf("%s and %s show different pages under one title %q", first.ref, ref, f.Title)
	} else if !dup {
		w.titles[f.Title] = seenTitle{ref, f.Main}
	}

	var out []string
	for _, l := range f.Links {
		lu, err := url.Parse(l)
		if err != nil || lu.Host != w.b.s.host || skipped(lu) {
			continue
		}
		lu.Fragment = ""
		out = append(out, lu.RequestURI())
	}
	sort.Strings(out)
	return slices.Compact(out)
}
