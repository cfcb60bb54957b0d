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
	NewURL  string // shown once, right after creation
	Label   string
	Problem string
}

func (a *Area) calendarPage(w http.ResponseWriter, r *http.Request) {
	a.render(w, r, http.StatusOK, calendarData{})
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
		key := "cal.toolong"
		if ps[0].Code == "too-many" {
			key = "cal.toomany"
		}
		a.render(w, r, http.StatusUnprocessableEntity, calendarData{Label: label, Problem: i18n.T(page.Lang(r), key, ps[0].N)})
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
	a.render(w, r, http.StatusOK, calendarData{NewURL: base + "/feeds/" + token + ".ics"})
}

func (a *Area) revokeFeed(w http.ResponseWriter, r *http.Request) {
	if err := a.feeds.Revoke(r.Context(), page.Viewer(r), r.PathValue("id"), a.kit.Now()); err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/calendar?revoked=1", http.StatusSeeOther)
}
