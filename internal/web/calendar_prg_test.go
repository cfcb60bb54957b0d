package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"cartable/internal/demo"
)

// createFeed creates a calendar feed as the browser's person and returns
// the page the creation leads to (post/redirect/get), which shows the new
// address once.
func (b *browser) createFeed(label string) response {
	b.e.t.Helper()
	r := b.post("/calendar/feeds", url.Values{"csrf": {b.csrf()}, "label": {label}})
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/calendar" {
		b.e.t.Fatalf("create feed: %d to %q, want 303 to /calendar", r.status, r.header.Get("Location"))
	}
	return b.get("/calendar")
}

var feedURLRe = regexp.MustCompile(`value="(http://[^"]+/feeds/[A-Za-z0-9_-]+\.ics)"`)

// TestCalendarFeedPostRedirectGet: creating a feed redirects (a reload
// creates nothing more), the address is shown once after the redirect and
// never travels in a URL; it opens only in the session that created it.
func TestCalendarFeedPostRedirectGet(t *testing.T) {
	e := newEnv(t, 30)
	parent := e.account(func(a demo.Account) bool { return a.Profile == "relative" })
	p := e.signIn(parent.Login)
	r := p.post("/calendar/feeds", url.Values{"csrf": {p.csrf()}, "label": {"Téléphone"}})
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/calendar" {
		t.Fatalf("create: %d to %q", r.status, r.header.Get("Location"))
	}
	if strings.Contains(r.header.Get("Location"), "feeds/") || strings.Contains(r.body, "/feeds/") {
		t.Fatal("the secret address is in the redirect")
	}
	var flash string
	for _, c := range r.header.Values("Set-Cookie") {
		if strings.HasPrefix(c, "flash-feed=") {
			flash = c
		}
	}
	if flash == "" || !strings.Contains(flash, "HttpOnly") || strings.Contains(flash, "/feeds/") {
		t.Fatalf("the flash cookie: %q", flash)
	}
	// Another session presenting the same cookie learns nothing.
	other := e.signIn(parent.Login)
	u, _ := url.Parse(e.ts.URL)
	other.client.Jar.SetCookies(u, []*http.Cookie{{Name: "flash-feed", Value: strings.SplitN(strings.TrimPrefix(flash, "flash-feed="), ";", 2)[0]}})
	if r := other.get("/calendar"); feedURLRe.MatchString(r.body) {
		t.Fatal("another session opened the flash")
	}

	page := p.get("/calendar")
	m := feedURLRe.FindStringSubmatch(page.body)
	if page.status != 200 || m == nil || !strings.Contains(page.body, "adresse est créée") {
		t.Fatalf("the page after creation: %d, no address", page.status)
	}
	if r := e.browser().get(strings.TrimPrefix(m[1], "http://127.0.0.1")); r.status != 200 {
		t.Errorf("the address shown does not open the feed: %d", r.status)
	}
	// Once: a reload shows the list, not the address again.
	again := p.get("/calendar")
	if feedURLRe.MatchString(again.body) || !strings.Contains(again.body, "Téléphone") {
		t.Errorf("reload: the address is shown again, or the feed is not listed")
	}
	// Title and revocation notice.
	if got := title(again); got != "Agenda sur mon téléphone · Cartable" {
		t.Errorf("title %q", got)
	}
	// A failed creation stays on the form with what was typed.
	r = p.post("/calendar/feeds", url.Values{"csrf": {p.csrf()}, "label": {strings.Repeat("x", 81)}})
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "trop long") || !strings.Contains(r.body, strings.Repeat("x", 81)) {
		t.Errorf("too long a label: %d", r.status)
	}
	// The count of active feeds is said by the plural rule.
	for i := 0; i < 20; i++ {
		r = p.post("/calendar/feeds", url.Values{"csrf": {p.csrf()}, "label": {"n"}})
		if r.status == http.StatusUnprocessableEntity {
			break
		}
	}
	if r.status != http.StatusUnprocessableEntity || !regexp.MustCompile(`Vous avez déjà \d+ adresses actives`).MatchString(r.body) {
		t.Errorf("too many feeds: %d %s", r.status, regexp.MustCompile(`(?s)<div class="alert".*?</div>`).FindString(r.body))
	}
}
