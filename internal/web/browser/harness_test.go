package browser_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"cartable/internal/access"
	"cartable/internal/db"
	"cartable/internal/dbtest"
	"cartable/internal/demo"
	"cartable/internal/directory"
	"cartable/internal/files"
	"cartable/internal/web"
)

const (
	envBrowser     = "CARTABLE_TEST_BROWSER"
	envAxe         = "CARTABLE_AXE"
	envScreenshots = "CARTABLE_SCREENSHOTS"
	chromiumPath   = "/usr/bin/chromium"
)

func skipUnlessBrowser(t *testing.T) {
	t.Helper()
	if os.Getenv(envBrowser) != "1" {
		t.Skip("browser suite: set " + envBrowser + "=1 to run it (needs " + chromiumPath + ")")
	}
}

// suite is a real server over a real database holding the demo school, and
// one headless Chromium whose every request is watched.
type suite struct {
	t        *testing.T
	db       *db.DB
	ts       *httptest.Server
	host     string // host:port of ts
	accounts []demo.Account
	browser  context.Context

	mu       sync.Mutex
	seen     int                                        // requests to the test server
	foreign  []string                                   // requests to anything else
	problems []string                                   // uncaught exceptions, failed subresources, CSP refusals
	kinds    map[network.RequestID]network.ResourceType // resource type of each request
	// browserOwn lists prefixes of requests of Chromium itself (never of a page) that a
	// test expects and that the proxy refuses: they are logged, not failed.
	browserOwn []string
}

func newSuite(t *testing.T) *suite { return newSuiteAt(t, time.Time{}) }

// newSuiteAt is newSuite with the application's clock stopped at now (the
// demo's changes placed around it), for pages that show the time of day;
// the zero time is the real clock.
func newSuiteAt(t *testing.T, now time.Time) *suite {
	t.Helper()
	skipUnlessBrowser(t)
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Fatalf("browser suite: %v (install Debian's chromium package)", err)
	}
	s := &suite{t: t, kinds: map[network.RequestID]network.ResourceType{}}

	ctx := context.Background()
	s.db = dbtest.Open(t)
	err := s.db.Tx(ctx, func(tx *db.Tx) (err error) {
		if s.accounts, err = demo.Generate(ctx, access.System("test"), tx, demo.Options{Seed: 1, Students: 120}); err != nil {
			return err
		}
		today := time.Now()
		if !now.IsZero() {
			today = now
		}
		return demo.GenerateTimetable(ctx, access.System("test"), tx, demo.TimetableOptions{Seed: 1, Today: today.Format("2006-01-02")})
	})
	if err != nil {
		t.Fatalf("demo: %v", err)
	}
	// A real file store: the class log form takes attachments.
	store, err := files.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	srv, err := web.New(web.Options{DB: s.db, BaseURL: "http://127.0.0.1", Log: slog.New(slog.DiscardHandler), Files: store})
	if err != nil {
		t.Fatal(err)
	}
	if !now.IsZero() {
		clock := func() time.Time { return now }
		srv.Now, srv.Sessions.Now = clock, clock
		srv.Policy.SetClock(clock)
	}
	s.ts = httptest.NewServer(srv.Handler())
	t.Cleanup(s.ts.Close)
	u, _ := url.Parse(s.ts.URL)
	s.host = u.Host

	// Checked last, once the browser is gone.
	t.Cleanup(s.checkNetwork)

	// Every request of the browser itself (not only of the pages) to another
	// host goes through this proxy, which records and refuses it. Chromium
	// never proxies the loopback, so the test server is reached directly.
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(io.LimitReader(r.Body, 400))
		s.mu.Lock()
		s.foreign = append(s.foreign, "through the proxy: "+r.Method+" "+r.Host+" "+r.URL.Path+" "+string(body))
		s.mu.Unlock()
		// An HTML answer with an inline icon, so that no favicon request follows.
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusForbidden)
		io.WriteString(w, `<!DOCTYPE html><link rel="icon" href="data:,"><title>refused</title><p>The browser suite allows no other host.`)
	}))
	t.Cleanup(proxy.Close)

	profile, err := os.MkdirTemp("", "cartable-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for range 50 { // Chromium's helpers may outlive the main process briefly.
			if os.RemoveAll(profile) == nil {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
	// No spellchecker: typing words into a field would otherwise make
	// Chromium fetch a Hunspell dictionary from Google's servers. Both
	// dictionary preferences are emptied: an empty list alone is refilled
	// from the older one-dictionary preference (the browser's locale).
	// The incognito contexts of the tabs read these preferences too.
	if err := os.MkdirAll(filepath.Join(profile, "Default"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(profile, "Default", "Preferences"),
		[]byte(`{"browser": {"enable_spellchecking": false}, "spellcheck": {"dictionaries": [], "dictionary": ""}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.NoFirstRun,
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		// Chromium's own services that the flags above leave on: autofill
		// server queries, network time, optimization hints...
		chromedp.Flag("disable-features", "Translate,BlinkGenPropertyTrees,AutofillServerCommunication,NetworkTimeServiceQuerying,OptimizationHints"),
		// ... and two that no flag turns off: the on-demand component
		// updater (on-device model manifest) and the Google accounts list
		// of the profile. They are pointed at port 0, which Chromium refuses
		// itself (ERR_UNSAFE_PORT) before opening any socket.
		chromedp.Flag("component-updater", "url-source=http://127.0.0.1:0"),
		chromedp.Flag("gaia-url", "http://127.0.0.1:0"),
		chromedp.UserDataDir(profile),
		chromedp.ProxyServer(proxy.URL),
		chromedp.WindowSize(1280, 900),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelAlloc) // waits for the browser process to end
	bctx, cancelBrowser := chromedp.NewContext(actx)
	t.Cleanup(cancelBrowser)
	// The first Do starts the browser and binds its life to bctx.
	if err := chromedp.Do(bctx); err != nil {
		t.Fatalf("starting %s: %v", chromiumPath, err)
	}
	s.browser = bctx
	return s
}

// watch sees every event of every tab, in order, from the tab's start.
func (s *suite) watch(ev any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch ev := ev.(type) {
	case *network.EventRequestWillBeSent:
		s.kinds[ev.RequestID] = ev.Type
		u, err := url.Parse(ev.Request.URL)
		switch {
		case err == nil && u.Scheme == "http" && u.Host == s.host:
			s.seen++
		case err == nil && (u.Scheme == "data" || ev.Request.URL == "about:blank"):
			// no network
		default:
			s.foreign = append(s.foreign, ev.Request.Method+" "+ev.Request.URL)
		}
	case *runtime.EventExceptionThrown:
		s.problems = append(s.problems, "uncaught exception: "+ev.ExceptionDetails.Text)
	case *log.EventEntryAdded:
		e := ev.Entry
		if e.Level != log.EntryLevelError {
			return
		}
		// A page answered 401 or 404 on purpose is logged as a failed
		// document load; anything else (a stylesheet, an icon, a CSP
		// refusal) is a problem.
		if e.Source == log.EntrySourceNetwork && e.NetworkRequestID != "" && s.kinds[e.NetworkRequestID] == network.ResourceTypeDocument {
			return
		}
		s.problems = append(s.problems, fmt.Sprintf("console %s error: %s (%s)", e.Source, e.Text, e.URL))
	}
}

func (s *suite) checkNetwork() {
	s.mu.Lock()
	defer s.mu.Unlock()
	kept := s.foreign[:0]
	for _, f := range s.foreign {
		if slices.ContainsFunc(s.browserOwn, func(p string) bool { return strings.HasPrefix(f, p) }) {
			s.t.Logf("refused by the proxy, Chromium's own request: %s", f)
			continue
		}
		kept = append(kept, f)
	}
	s.foreign = kept
	if len(s.foreign) > 0 {
		s.t.Errorf("Chromium made %d request(s) to a host other than the test server %s:\n  %s",
			len(s.foreign), s.host, strings.Join(s.foreign, "\n  "))
	}
	if s.seen == 0 {
		s.t.Error("no request to the test server was recorded: the network watch does not work")
	}
	if len(s.problems) > 0 {
		s.t.Errorf("the pages reported %d problem(s):\n  %s", len(s.problems), strings.Join(s.problems, "\n  "))
	}
}

func (s *suite) account(what string, pred func(demo.Account) bool) demo.Account {
	s.t.Helper()
	for _, a := range s.accounts {
		if pred(a) {
			return a
		}
	}
	s.t.Fatalf("no demo account: %s", what)
	return demo.Account{}
}

func (s *suite) person(login string) directory.Person {
	s.t.Helper()
	ps, err := directory.PeopleByLogins(context.Background(), access.System("test"), s.db, []string{login})
	if err != nil || len(ps) != 1 {
		s.t.Fatalf("person %s: %v", login, err)
	}
	return ps[0]
}

// login is the login of person id.
func (s *suite) login(id string) string {
	s.t.Helper()
	p, err := directory.PersonRow(context.Background(), access.System("test"), s.db, id)
	if err != nil {
		s.t.Fatalf("person %s: %v", id, err)
	}
	return p.Login
}

func hasFunction(f string) func(demo.Account) bool {
	return func(a demo.Account) bool { return slices.Contains(a.Functions, f) }
}

// tab is one page in a browser context of its own (its own cookies).
type tab struct {
	s   *suite
	t   *testing.T
	ctx context.Context
}

func (s *suite) newTab() *tab {
	s.t.Helper()
	ctx, cancel := chromedp.NewContext(s.browser, chromedp.WithNewBrowserContext(), chromedp.WithListener(s.watch))
	s.t.Cleanup(cancel)
	ctx, cancelT := context.WithTimeout(ctx, 3*time.Minute)
	s.t.Cleanup(cancelT)
	// A headless page is not focused until something happens in it; a
	// person's browser window is. Emulate that, so that autofocus and the
	// first Tab behave as they do for a person.
	if _, err := chromedp.Run(ctx, chromedp.Action[cdp.Empty](func(ctx context.Context, t *chromedp.Target) (cdp.Empty, error) {
		return cdp.Call(ctx, t, emulation.SetFocusEmulationEnabled, emulation.SetFocusEmulationEnabledParams{Enabled: true})
	})); err != nil {
		s.t.Fatalf("new tab: %v", err)
	}
	return &tab{s: s, t: s.t, ctx: ctx}
}

func (b *tab) do(steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, steps...); err != nil {
		b.t.Fatal(err)
	}
}

// load runs an action that loads a page (a click, a key, a navigation) and
// returns the status of the page finally shown.
func (b *tab) load(trigger chromedp.Action[chromedp.Void]) int64 {
	b.t.Helper()
	resp, err := chromedp.RunResponse(b.ctx, trigger)
	if err != nil {
		b.t.Fatal(err)
	}
	return resp.Status
}

func (b *tab) open(path string) int64 {
	b.t.Helper()
	return b.load(chromedp.Navigate(b.s.ts.URL + path))
}

// path is the current path and query, relative to the test server.
func (b *tab) path() string {
	b.t.Helper()
	loc, err := chromedp.Run(b.ctx, chromedp.Location())
	if err != nil {
		b.t.Fatal(err)
	}
	if !strings.HasPrefix(loc, b.s.ts.URL+"/") {
		b.t.Fatalf("the browser left the test server: %s", loc)
	}
	return strings.TrimPrefix(loc, b.s.ts.URL)
}

func eval[T any](b *tab, expr string, opts ...chromedp.EvaluateOption) T {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[T](expr, opts...))
	if err != nil {
		b.t.Fatalf("evaluating %.80q: %v", expr, err)
	}
	return v
}

func jsString(s string) string {
	j, _ := json.Marshal(s)
	return string(j)
}

// text is the rendered text of the first element matching sel; the test
// fails if there is none.
func (b *tab) text(sel string) string {
	b.t.Helper()
	v := eval[*string](b, `document.querySelector(`+jsString(sel)+`)?.innerText ?? null`)
	if v == nil {
		b.t.Fatalf("%s: no element %s", b.path(), sel)
	}
	return strings.Join(strings.Fields(*v), " ")
}

func (b *tab) count(sel string) int {
	b.t.Helper()
	return eval[int](b, `document.querySelectorAll(`+jsString(sel)+`).length`)
}

func (b *tab) attr(sel, name string) string {
	b.t.Helper()
	v := eval[*string](b, `document.querySelector(`+jsString(sel)+`)?.getAttribute(`+jsString(name)+`) ?? null`)
	if v == nil {
		b.t.Fatalf("%s: no attribute %s on %s", b.path(), name, sel)
	}
	return *v
}

func (b *tab) value(sel string) string {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Value(chromedp.CSS(sel)))
	if err != nil {
		b.t.Fatal(err)
	}
	return v
}

// focused describes the focused element: tag, id or classes, and the
// text of a link or button, e.g. `a.skip "Aller au contenu"`.
func (b *tab) focused() string {
	b.t.Helper()
	return eval[string](b, `(() => {
		const e = document.activeElement;
		if (!e || e === document.body) return 'body';
		let d = e.tagName.toLowerCase();
		if (e.id) d += '#' + e.id; else if (e.classList.length) d += '.' + [...e.classList].join('.');
		if (e.matches('a, button')) d += ' "' + e.textContent.trim().replace(/\s+/g, ' ') + '"';
		return d;
	})()`)
}

// signIn fills and sends the sign-in form and checks that the home page shows.
func (b *tab) signIn(login string) {
	b.t.Helper()
	if st := b.open("/sign-in"); st != http.StatusOK {
		b.t.Fatalf("sign-in page: status %d", st)
	}
	b.do(chromedp.SendKeys(chromedp.ID("login"), login),
		chromedp.SendKeys(chromedp.ID("password"), demo.DefaultPassword))
	if st := b.load(chromedp.Click(chromedp.CSS(`form[action="/sign-in"] button[type=submit]`))); st != http.StatusOK || b.path() != "/" {
		b.t.Fatalf("sign-in of %s: status %d at %s", login, st, b.path())
	}
	if h := b.text("h1"); !strings.HasPrefix(h, "Bonjour ") {
		b.t.Fatalf("home of %s greets %q", login, h)
	}
}

// screenshot writes a full-page PNG into CARTABLE_SCREENSHOTS, when set.
func (b *tab) screenshot(name string) {
	b.t.Helper()
	dir := os.Getenv(envScreenshots)
	if dir == "" {
		return
	}
	png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.t.Fatal(err)
	}
	p := filepath.Join(dir, name+".png")
	if err := os.WriteFile(p, png, 0o644); err != nil {
		b.t.Fatal(err)
	}
	b.t.Logf("screenshot %s (%d bytes)", p, len(png))
}
