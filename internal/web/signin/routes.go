// Package signin is the area of the pages before and around a session: the
// sign-in and its second factor, the sign-out, activation by code, the
// password reset by e-mail, the language and the legal page.
package signin

import (
	"embed"
	"net/http"

	"cartable/internal/auth"
	"cartable/internal/web/page"
)

//go:embed templates
var templates embed.FS

// Area serves the sign-in pages.
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
	mux.HandleFunc("GET /sign-in", a.signInForm)
	mux.HandleFunc("POST /sign-in", a.signIn)
	// A session still owing its second factor may always leave.
	mux.HandleFunc("POST /sign-out", a.kit.PartlySignedIn(a.signOut))

	mux.HandleFunc("GET /sign-in/second-factor", a.kit.PartlySignedIn(a.secondFactorForm))
	mux.HandleFunc("POST /sign-in/second-factor", a.kit.PartlySignedIn(a.secondFactor))
	mux.HandleFunc("POST /sign-in/passkey/begin", a.kit.PartlySignedIn(a.passkeyBegin))
	mux.HandleFunc("POST /sign-in/passkey/finish", a.kit.PartlySignedIn(a.passkeyFinish))

	mux.HandleFunc("GET /activate", a.activateForm)
	mux.HandleFunc("POST /activate", a.activate)
	mux.HandleFunc("GET /password/forgot", a.forgotForm)
	mux.HandleFunc("POST /password/forgot", a.forgot)
	mux.HandleFunc("GET /password/reset/{token}", a.resetForm)
	mux.HandleFunc("POST /password/reset/{token}", a.reset)

	mux.HandleFunc("POST /language", a.setLanguage)
	mux.HandleFunc("GET /legal", a.legal)
}

// startSession gives the browser the session a sign-in step opened (the
// one it held before ended with it) and sends it on: home, or the
// second-factor step.
func (a *Area) startSession(w http.ResponseWriter, r *http.Request, res auth.SignInResult) {
	a.kit.SetSessionCookie(w, res.Token, 0)
	if res.MFA != auth.MFADone {
		http.Redirect(w, r, "/sign-in/second-factor", http.StatusSeeOther)
		return
	}
	a.kit.SetDeviceCookie(w, res.Device)
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// previousSession is the session cookie the browser holds, which a new
// sign-in ends.
func (a *Area) previousSession(r *http.Request) string {
	if c, err := r.Cookie(a.kit.CookieName()); err == nil {
		return c.Value
	}
	return ""
}
