package account

import (
	"errors"
	"net/http"

	"cartable/internal/auth"
	"cartable/internal/web/page"
)

// Adding a passkey (also a session's forced enrolment, at sign-in) and
// removing one. The browser side is static/webauthn.js; the ceremony
// answers JSON.

func (a *Area) passkeyBegin(w http.ResponseWriter, r *http.Request) {
	cur := page.Current(r)
	opts, err := a.auth.BeginPasskeyRegistration(r.Context(), cur.Viewer, cur.Session, page.ClientIP(r))
	if err != nil {
		a.failJSON(w, r, err)
		return
	}
	page.RawJSON(w, opts)
}

func (a *Area) passkeyFinish(w http.ResponseWriter, r *http.Request) {
	cur := page.Current(r)
	token, err := a.auth.FinishPasskeyRegistration(r.Context(), cur.Viewer, cur.Session,
		[]byte(r.PostFormValue("credential")), r.PostFormValue("name"), page.ClientIP(r))
	if err != nil {
		a.failJSON(w, r, err)
		return
	}
	next := "/account?done=passkey-added"
	if token != "" { // the first factor, owed by the session: now complete
		a.kit.SetSessionCookie(w, token, 0)
		a.kit.RememberDevice(w, r, a.auth)
		next = "/account?done=passkey-added#recovery"
	}
	page.JSONNext(w, next)
}

func (a *Area) passkeyRemove(w http.ResponseWriter, r *http.Request) {
	cur := page.Current(r)
	err := a.auth.RemovePasskey(r.Context(), cur.Viewer, cur.Session, r.PostFormValue("id"), page.ClientIP(r))
	switch {
	case errors.Is(err, auth.ErrPasskeysOff):
		a.kit.NotFound(w, r)
	case errors.Is(err, auth.ErrLastFactor):
		a.render(w, r, http.StatusConflict, accountData{Error: "account.lastfactor"})
	case errors.Is(err, auth.ErrNoSuchPasskey):
		a.render(w, r, http.StatusNotFound, accountData{Error: "passkey.unknown"})
	case err != nil:
		a.fail(w, r, err)
	default:
		http.Redirect(w, r, "/account?done=passkey-removed", http.StatusSeeOther)
	}
}
