package calendar

import (
	"net/http"

	"cartable/internal/check"
	"cartable/internal/feeds"
	"cartable/internal/i18n"
	"cartable/internal/web/page"
)

// The page of a person's calendar feeds.

type calendarData struct {
	Feeds   []feeds.Feed
	NewURL  string // shown once, on the page a creation redirects to
	Revoked bool   // a feed was just revoked
	Label   string
	Problem string
}

// flashFeed names the flash that carries a new feed's address to the page
// the creation redirects to: it is a secret, so never in the URL.
const flashFeed = "feed"

func (a *Area) calendarPage(w http.ResponseWriter, r *http.Request) {
	d := calendarData{Revoked: r.URL.Query().Get("revoked") == "1"}
	d.NewURL, _ = a.kit.TakeFlash(w, r, flashFeed)
	a.render(w, r, http.StatusOK, d)
}

func (a *Area) render(w http.ResponseWriter, r *http.Request, status int, d calendarData) {
	var err error
	if d.Feeds, err = a.feeds.List(r.Context(), page.Viewer(r)); err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	a.pages.Render(w, r, status, "calendar", "cal.title", d)
}

func (a *Area) createFeed(w http.ResponseWriter, r *http.Request) {
	label := r.PostFormValue("label")
	token, err := a.feeds.Create(r.Context(), page.Viewer(r), label, a.kit.Now())
	if ps, ok := check.As(err); ok && len(ps) > 0 {
		lang := page.Lang(r)
		problem := i18n.T(lang, "cal.toolong", ps[0].N)
		if ps[0].Code == "too-many" {
			problem = i18n.N(lang, "cal.toomany", ps[0].N)
		}
		a.render(w, r, http.StatusUnprocessableEntity, calendarData{Label: label, Problem: problem})
		return
	}
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	base := a.baseURL
	if base == "" {
		base = "http://" + r.Host
	}
	// Post/redirect/get: a reload of the page shows the list, and creates
	// nothing more. The address is shown once, there.
	a.kit.SetFlash(w, page.Current(r).Token, flashFeed, base+"/feeds/"+token+".ics")
	http.Redirect(w, r, "/calendar", http.StatusSeeOther)
}

func (a *Area) revokeFeed(w http.ResponseWriter, r *http.Request) {
	if err := a.feeds.Revoke(r.Context(), page.Viewer(r), r.PathValue("id"), a.kit.Now()); err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/calendar?revoked=1", http.StatusSeeOther)
}
