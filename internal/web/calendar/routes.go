// Package calendar is the calendar area of the web interface: a person's
// private calendar feeds (create, list, revoke) and the feed itself,
// fetched by calendar applications with its secret token.
package calendar

import (
	"embed"
	"net/http"

	"cartable/internal/feeds"
	"cartable/internal/web/page"
)

//go:embed templates/*.html
var templates embed.FS

// Area serves the calendar pages and feeds.
type Area struct {
	kit     *page.Kit
	pages   *page.Set
	feeds   *feeds.Service
	baseURL string // the public URL, for the feed's address ("": the request's host)
}

// New parses the area's templates.
func New(kit *page.Kit, f *feeds.Service, baseURL string) (*Area, error) {
	pages, err := kit.Parse(templates, nil)
	if err != nil {
		return nil, err
	}
	return &Area{kit: kit, pages: pages, feeds: f, baseURL: baseURL}, nil
}

// Routes mounts the area.
func (a *Area) Routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /calendar", a.kit.SignedIn(a.calendarPage))
	mux.HandleFunc("POST /calendar/feeds", a.kit.SignedIn(a.createFeed))
	mux.HandleFunc("POST /calendar/feeds/{id}/revoke", a.kit.SignedIn(a.revokeFeed))
	// The feed itself is fetched by calendar applications without a
	// session: the unguessable token is the credential.
	mux.HandleFunc("GET /feeds/{token}", a.feed)
}
