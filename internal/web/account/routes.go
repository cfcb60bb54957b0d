// Package account is the area of a person's own account ("Sécurité du
// compte"): second factors (authenticator app, passkeys, recovery codes),
// password, recovery e-mail, sessions, and the confirmation of the
// password that sensitive changes ask first. Every handler acts for the
// signed-in viewer, on their own account only (auth: account.go, enrol.go).
package account

import (
	"embed"
	"errors"
	"html/template"
	"net/http"

	"cartable/internal/auth"
	"cartable/internal/web/page"
)

//go:embed templates
var templates embed.FS

// Area serves the account pages.
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
	// Setting up a first second factor is open to a session that owes one.
	mux.HandleFunc("GET /account/totp", a.kit.PartlySignedIn(a.totpPage))
	mux.HandleFunc("POST /account/totp/start", a.kit.PartlySignedIn(a.totpStart))
	mux.HandleFunc("POST /account/totp/confirm", a.kit.PartlySignedIn(a.totpConfirm))
	mux.HandleFunc("POST /account/passkeys/begin", a.kit.PartlySignedIn(a.passkeyBegin))
	mux.HandleFunc("POST /account/passkeys/finish", a.kit.PartlySignedIn(a.passkeyFinish))

	mux.HandleFunc("GET /account", a.kit.SignedIn(a.account))
	mux.HandleFunc("GET /account/confirm", a.kit.SignedIn(a.confirmForm))
	mux.HandleFunc("POST /account/confirm", a.kit.SignedIn(a.confirm))
	mux.HandleFunc("POST /account/totp/remove", a.kit.SignedIn(a.totpRemove))
	mux.HandleFunc("POST /account/passkeys/remove", a.kit.SignedIn(a.passkeyRemove))
	mux.HandleFunc("GET /account/recovery-codes", a.kit.SignedIn(a.recoveryCodes))
	mux.HandleFunc("POST /account/recovery-codes", a.kit.SignedIn(a.recoveryRegenerate))
	mux.HandleFunc("POST /account/password", a.kit.SignedIn(a.changePassword))
	mux.HandleFunc("POST /account/email", a.kit.SignedIn(a.changeEmail))
	mux.HandleFunc("POST /account/sessions/end", a.kit.SignedIn(a.endSession))
	mux.HandleFunc("POST /account/sessions/end-others", a.kit.SignedIn(a.endOtherSessions))
	mux.HandleFunc("POST /account/sessions/end-all", a.kit.SignedIn(a.endAllSessions))
}

// fail answers the errors every account page shares: a password to type
// again first (a page goes to the confirmation, a form is refused: the
// page said so); an enrolment by a session that owes the factor the
// person already has (refused as every page such a session may not reach:
// the second-factor step for a page, 403 for a form); anything else as
// the kit does.
func (a *Area) fail(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, auth.ErrReauth) && r.Method == http.MethodGet:
		http.Redirect(w, r, "/account/confirm?next="+template.URLQueryEscaper(r.URL.Path), http.StatusSeeOther)
	case errors.Is(err, auth.ErrReauth):
		a.kit.Error(w, r, http.StatusForbidden, "account.reauth.expired")
	case errors.Is(err, auth.ErrFactorOwed) && r.Method == http.MethodGet:
		http.Redirect(w, r, "/sign-in/second-factor", http.StatusSeeOther)
	case errors.Is(err, auth.ErrFactorOwed):
		a.kit.Error(w, r, http.StatusForbidden, "error.mfa")
	default:
		a.kit.Fail(w, r, err)
	}
}

// failJSON is fail for the passkey ceremonies, which answer JSON.
func (a *Area) failJSON(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, auth.ErrPasskeysOff):
		page.JSONError(w, r, http.StatusNotFound, "passkey.unavailable")
	case errors.Is(err, auth.ErrReauth):
		page.JSONError(w, r, http.StatusForbidden, "account.reauth.expired")
	case errors.Is(err, auth.ErrFactorOwed):
		page.JSONError(w, r, http.StatusForbidden, "error.mfa")
	case errors.Is(err, auth.ErrPasskeyTooLarge):
		page.JSONError(w, r, http.StatusRequestEntityTooLarge, "passkey.refused")
	case errors.Is(err, auth.ErrPasskey):
		page.JSONError(w, r, http.StatusUnprocessableEntity, "passkey.refused")
	default:
		a.kit.Fail(w, r, err)
	}
}
