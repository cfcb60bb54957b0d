package signin

import (
	"errors"
	"net/http"
	"strings"

	"cartable/internal/auth"
	"cartable/internal/web/page"
)

// The second factor of a sign-in: a code of the authenticator app, a
// recovery code or a passkey (static/webauthn.js; JSON answers). A person
// who must have one and has none is sent to set one up (the account area).

type secondFactorData struct {
	Enrol     bool // the person must set up a second factor first
	TOTP      bool
	Passkeys  int
	Method    string // form that failed: totp or recovery
	Error     string
	Wait      int
	PasskeyAt page.PasskeyPlace // passkeys are not offered at an IP address
	StepUp    bool              // a complete session stepping up for marks
	Next      string            // where to go once done (a local path)
}

func (a *Area) secondFactorData(r *http.Request) (secondFactorData, error) {
	cur := page.Current(r)
	en, err := a.auth.Enrolled(r.Context(), cur.Viewer, cur.Session)
	if err != nil {
		return secondFactorData{}, err
	}
	return secondFactorData{Enrol: !en.Any(), TOTP: en.TOTP, Passkeys: en.Passkeys, PasskeyAt: a.kit.PasskeyPlace(r)}, nil
}

// secondFactorForm asks for the second factor, or sends to enrolment.
func (a *Area) secondFactorForm(w http.ResponseWriter, r *http.Request) {
	cur := page.Current(r)
	if cur.Session.Strong() {
		http.Redirect(w, r, stepUpNext(r), http.StatusSeeOther)
		return
	}
	d, err := a.secondFactorData(r)
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	// A complete session that never passed a second factor comes here to
	// step up (marks need it): with no factor set up, it is sent to set one.
	d.StepUp, d.Next = cur.Session.MFADone, stepUpNext(r)
	a.pages.Render(w, r, http.StatusOK, "second-factor", "mfa.title", d)
}

func (a *Area) secondFactor(w http.ResponseWriter, r *http.Request) {
	cur := page.Current(r)
	if cur.Session.Strong() {
		http.Redirect(w, r, stepUpNext(r), http.StatusSeeOther)
		return
	}
	d, err := a.secondFactorData(r)
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	d.StepUp, d.Next = cur.Session.MFADone, stepUpNext(r)
	if d.Enrol {
		http.Redirect(w, r, "/sign-in/second-factor", http.StatusSeeOther)
		return
	}
	d.Method = r.PostFormValue("method")
	code := r.PostFormValue("code")
	if strings.TrimSpace(code) == "" {
		d.Error = "mfa.missing"
		a.pages.Render(w, r, http.StatusUnprocessableEntity, "second-factor", "mfa.title", d)
		return
	}
	token, err := a.auth.SecondFactor(r.Context(), cur.Viewer, cur.Session, d.Method, code, page.ClientIP(r))
	if wait, ok := auth.Throttled(err); ok {
		d.Error, d.Wait = "signin.throttled", wait
		a.pages.Render(w, r, http.StatusTooManyRequests, "second-factor", "mfa.title", d)
		return
	}
	if errors.Is(err, auth.ErrBadCode) {
		d.Error = "mfa.badcode"
		if d.Method == "recovery" {
			d.Error = "mfa.badrecovery"
		}
		a.pages.Render(w, r, http.StatusUnauthorized, "second-factor", "mfa.title", d)
		return
	}
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	a.kit.SetSessionCookie(w, token, 0)
	a.kit.RememberDevice(w, r, a.auth)
	http.Redirect(w, r, d.Next, http.StatusSeeOther)
}

// stepUpNext is where a second factor leads: the local path of the form's
// or address's "next", or home.
func stepUpNext(r *http.Request) string { return page.LocalPath(r.FormValue("next"), "/") }

func (a *Area) passkeyBegin(w http.ResponseWriter, r *http.Request) {
	cur := page.Current(r)
	opts, err := a.auth.BeginPasskeySecondFactor(r.Context(), cur.Viewer, cur.Session)
	switch {
	case errors.Is(err, auth.ErrPasskeysOff):
		page.JSONError(w, r, http.StatusNotFound, "passkey.unavailable")
	case errors.Is(err, auth.ErrPasskey):
		page.JSONError(w, r, http.StatusConflict, "passkey.none")
	case err != nil:
		a.kit.Fail(w, r, err)
	default:
		page.RawJSON(w, opts)
	}
}

func (a *Area) passkeyFinish(w http.ResponseWriter, r *http.Request) {
	cur := page.Current(r)
	token, err := a.auth.PasskeySecondFactor(r.Context(), cur.Viewer, cur.Session, []byte(r.PostFormValue("credential")), page.ClientIP(r))
	if _, ok := auth.Throttled(err); ok {
		page.JSONError(w, r, http.StatusTooManyRequests, "passkey.wait")
		return
	}
	switch {
	case errors.Is(err, auth.ErrPasskeysOff):
		page.JSONError(w, r, http.StatusNotFound, "passkey.unavailable")
		return
	case errors.Is(err, auth.ErrPasskey):
		page.JSONError(w, r, http.StatusUnauthorized, "passkey.refused")
		return
	case err != nil:
		a.kit.Fail(w, r, err)
		return
	}
	if token != "" { // "": the session owed nothing
		a.kit.SetSessionCookie(w, token, 0)
		a.kit.RememberDevice(w, r, a.auth)
	}
	page.JSONNext(w, stepUpNext(r))
}
