// Package admin is the area of account administration: a person's account
// as an administrator sees it (activation letter, ending their sessions,
// removing their second factors), the activation letters of a class, and
// an establishment's second-factor policy. The auth domain asks the policy
// (manage-account, manage-security); a refusal the policy explains (one's
// own account, a rank as high as the viewer's, an establishment elsewhere)
// is answered 403 with the reason, every other one as a missing page.
package admin

import (
	"embed"
	"net/http"

	"cartable/internal/auth"
	"cartable/internal/web/page"
)

//go:embed templates
var templates embed.FS

// Area serves the administration pages.
type Area struct {
	kit   *page.Kit
	pages *page.Set
	auth  *auth.Authenticator
}

// New parses the area's templates.
func New(kit *page.Kit, au *auth.Authenticator) (*Area, error) {
	pages, err := kit.Parse(templates, nil)
	if err != nil {
		return nil, err
	}
	return &Area{kit: kit, pages: pages, auth: au}, nil
}

// Routes registers the area's pages.
func (a *Area) Routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /admin/people/{id}/account", a.kit.SignedIn(a.account))
	mux.HandleFunc("POST /admin/people/{id}/activation", a.kit.SignedIn(a.personLetter))
	mux.HandleFunc("POST /admin/people/{id}/sessions/end", a.kit.SignedIn(a.endSessions))
	mux.HandleFunc("POST /admin/people/{id}/second-factors/remove", a.kit.SignedIn(a.removeFactors))
	mux.HandleFunc("POST /admin/classes/{id}/activation", a.kit.SignedIn(a.classLetters))
	mux.HandleFunc("GET /admin/establishments/{id}/security", a.kit.SignedIn(a.securityForm))
	mux.HandleFunc("POST /admin/establishments/{id}/security", a.kit.SignedIn(a.security))
}
