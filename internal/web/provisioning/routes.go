// Package provisioning is the provisioning pages: upload a delivery,
// review its changes, confirm or cancel; the import history; the yearly
// rollover with its preview; the closed accounts of an establishment
// (close, reopen, record a person's choice about their contributions).
// The provisioning service asks access.Provision for every one.
package provisioning

import (
	"embed"
	"html/template"
	"net/http"
	"time"

	"cartable/internal/auth"
	"cartable/internal/db"
	"cartable/internal/files"
	"cartable/internal/i18n"
	"cartable/internal/provisioning"
	"cartable/internal/web/page"
)

//go:embed templates
var templates embed.FS

// maxUpload bounds a web upload (the files, or one zip). An academy-sized
// delivery goes through "cartable import aaf", which streams from disk.
const maxUpload = 64 << 20

// Deps is what the provisioning pages need besides the kit.
type Deps struct {
	DB *db.DB
	// Files seals pending uploads under its instance key
	// files.PendingUploads; nil refuses uploads.
	Files *files.Store
	// Auth tells the review whether bringing establishments in will
	// require a second factor of the operator (nil: never said).
	Auth *auth.Authenticator
	// PurgeAfterDays is the delay before a closed account is erased
	// (provisioning.PurgeDelay); MaxDeactivation the share of an
	// establishment an import may deactivate. 0 takes the defaults.
	PurgeAfterDays  int
	MaxDeactivation float64
}

// Area serves the provisioning pages.
type Area struct {
	kit             *page.Kit
	pages           *page.Set
	db              *db.DB
	sealer          provisioning.Sealer // nil: uploads refused
	auth            *auth.Authenticator
	purgeDelay      time.Duration
	maxDeactivation float64
}

// New parses the area's templates.
func New(kit *page.Kit, d Deps) (*Area, error) {
	pages, err := kit.Parse(templates, template.FuncMap{
		// plural is the plural form of a count, "one" or "other", for a
		// message that takes more than the count.
		"plural": i18n.Form,
	})
	if err != nil {
		return nil, err
	}
	a := &Area{kit: kit, pages: pages, db: d.DB, auth: d.Auth, purgeDelay: provisioning.PurgeDelay(d.PurgeAfterDays),
		maxDeactivation: d.MaxDeactivation}
	if d.Files != nil {
		a.sealer = d.Files.Sealer(d.DB, files.PendingUploads)
	}
	return a, nil
}

// Routes mounts the provisioning pages.
func (a *Area) Routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /provisioning", a.kit.SignedIn(a.index))
	// The right is checked before anything of the body is read: the form
	// token is in the body, so it comes after.
	mux.HandleFunc("POST /provisioning/uploads", a.provisioner(a.limitBody(maxUpload, a.kit.SignedIn(a.upload))))
	mux.HandleFunc("GET /provisioning/uploads/{id}", a.kit.SignedIn(a.review))
	mux.HandleFunc("POST /provisioning/uploads/{id}/confirm", a.kit.SignedIn(a.confirm))
	mux.HandleFunc("POST /provisioning/uploads/{id}/cancel", a.kit.SignedIn(a.cancel))
	mux.HandleFunc("GET /provisioning/imports/{id}", a.kit.SignedIn(a.run))
	mux.HandleFunc("GET /provisioning/establishments/{id}/rollover", a.kit.SignedIn(a.rolloverForm))
	mux.HandleFunc("POST /provisioning/establishments/{id}/rollover", a.kit.SignedIn(a.rollover))
	mux.HandleFunc("GET /provisioning/establishments/{id}/accounts", a.kit.SignedIn(a.accounts))
	mux.HandleFunc("POST /provisioning/establishments/{id}/accounts/close", a.kit.SignedIn(a.close))
	mux.HandleFunc("POST /provisioning/people/{id}/reactivate", a.kit.SignedIn(a.reactivate))
	mux.HandleFunc("POST /provisioning/people/{id}/choice", a.kit.SignedIn(a.choice))
}

// limitBody refuses bodies larger than n before anything reads them, with
// a page that says so when the size is announced.
func (a *Area) limitBody(n int64, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > n {
			a.kit.Error(w, r, http.StatusRequestEntityTooLarge, "prov.error.toolarge")
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, n)
		h(w, r)
	}
}

// provisioner refuses, without reading the request's body, anyone who may
// provision nothing (provisioning.MayImport). Signed-out visitors and
// sessions that still owe their second factor are refused as SignedIn
// refuses them.
func (a *Area) provisioner(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		cur := page.Current(r)
		if cur == nil {
			a.kit.Error(w, r, http.StatusForbidden, "error.session")
			return
		}
		if !cur.Session.MFADone {
			a.kit.Error(w, r, http.StatusForbidden, "error.mfa")
			return
		}
		if err := provisioning.MayImport(r.Context(), cur.Viewer); err != nil {
			a.kit.Fail(w, r, err)
			return
		}
		h(w, r)
	}
}
