// Package page is the kit every area of the web interface is built with:
// the signed-in person of a request and the checks of signedIn pages, the
// session and known-device cookies, the layout and rendering, the answers
// to refusals and failures, the one check of redirect targets, the JSON
// answers of the passkey ceremonies, the relative's child picker and the
// formatting used by templates. An area
// (internal/web/<area>) parses its own templates with the kit, registers
// its routes, and renders through it; it holds no SQL and no policy.
package page

import (
	"log/slog"
	"net/http"
	"time"

	"cartable/internal/access"
	"cartable/internal/auth"
	"cartable/internal/db"
)

// Kit is what every page needs, shared by the areas.
type Kit struct {
	DB       *db.DB // the audit trail of refusals
	Sessions *auth.Sessions
	Policy   *access.Policy // loads the viewer of each request
	Facts    *access.Facts  // keeps viewers' facts per directory version (nil: none)
	Log      *slog.Logger
	// Secure is true when the public base URL is https: cookies then get
	// the Secure flag and the __Host- prefix.
	Secure bool
	// Clock is the time of the application (tests move it); nil is the
	// real time.
	Clock func() time.Time
	// Menu tells which entries of the navigation open for a viewer; nil
	// offers only those every signed-in person has.
	Menu MenuFunc
	// BaseURL is the public URL; the passkeys' note names it (passkeys.go).
	BaseURL string

	errors *Set // the error page
}

// New returns a kit; its error page is parsed once here.
func New(k Kit) (*Kit, error) {
	if k.Log == nil {
		k.Log = slog.Default()
	}
	kit := &k
	set, err := kit.Parse(nil, nil)
	if err != nil {
		return nil, err
	}
	kit.errors = set
	return kit, nil
}

// Now is the application's time.
func (k *Kit) Now() time.Time {
	if k.Clock != nil {
		return k.Clock()
	}
	return time.Now()
}

// Area is a part of the interface with its routes.
type Area interface {
	Routes(mux *http.ServeMux)
}
