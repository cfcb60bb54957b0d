package account

import (
	"errors"
	"net/http"

	"cartable/internal/auth"
	"cartable/internal/check"
	"cartable/internal/web/page"
)

// The account page: second factors, password, recovery e-mail, sessions.

type accountData struct {
	auth.AccountView
	EmailTyped string
	Done       string
	Error      string // catalog key of the failed action
	Section    string // where the error belongs: password, email
	MinBits    int
	PasskeyAt  page.PasskeyPlace // passkeys are not offered at an IP address
}

func (a *Area) account(w http.ResponseWriter, r *http.Request) {
	d := accountData{}
	switch done := r.URL.Query().Get("done"); done {
	case "totp-removed", "passkey-added", "passkey-removed", "password", "email", "session", "others", "reauth":
		d.Done = "account.done." + done
	}
	a.render(w, r, http.StatusOK, d)
}

// render fills the account page around d (a failed form's state).
func (a *Area) render(w http.ResponseWriter, r *http.Request, status int, d accountData) {
	cur := page.Current(r)
	view, err := a.auth.Account(r.Context(), cur.Viewer, cur.Session)
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	d.AccountView = view
	if d.Section != "email" {
		d.EmailTyped = view.RecoveryEmail
	}
	d.MinBits = auth.MinPasswordBits
	d.PasskeyAt = a.kit.PasskeyPlace(r)
	a.pages.Render(w, r, status, "account", "account.title", d)
}

func (a *Area) changePassword(w http.ResponseWriter, r *http.Request) {
	cur := page.Current(r)
	token, err := a.auth.ChangePassword(r.Context(), cur.Viewer, cur.Session,
		r.PostFormValue("current"), r.PostFormValue("new"), r.PostFormValue("confirm"), page.ClientIP(r))
	fail := func(status int, key string) {
		a.render(w, r, status, accountData{Error: key, Section: "password"})
	}
	if ps, ok := check.As(err); ok {
		fail(http.StatusUnprocessableEntity, "password."+ps[0].Code) // password.required, mismatch, weak…
		return
	}
	if errors.Is(err, auth.ErrInvalidCredentials) {
		fail(http.StatusUnauthorized, "password.current")
		return
	}
	if _, ok := auth.Throttled(err); ok {
		fail(http.StatusTooManyRequests, "password.wait")
		return
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.kit.SetSessionCookie(w, token, 0)
	http.Redirect(w, r, "/account?done=password", http.StatusSeeOther)
}

func (a *Area) changeEmail(w http.ResponseWriter, r *http.Request) {
	cur := page.Current(r)
	email := r.PostFormValue("email")
	err := a.auth.SetRecoveryEmail(r.Context(), cur.Viewer, cur.Session, email, page.ClientIP(r))
	if ps, ok := check.As(err); ok {
		d := accountData{Error: "email." + ps[0].Code, Section: "email"} // email.required, email.invalid
		if len(email) <= auth.MaxEmailLen {
			d.EmailTyped = email
		}
		a.render(w, r, http.StatusUnprocessableEntity, d)
		return
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/account?done=email", http.StatusSeeOther)
}

func (a *Area) endSession(w http.ResponseWriter, r *http.Request) {
	cur := page.Current(r)
	current, err := a.auth.EndSession(r.Context(), cur.Viewer, cur.Session, r.PostFormValue("session"), page.ClientIP(r))
	switch {
	case errors.Is(err, auth.ErrNoSuchSession):
		a.render(w, r, http.StatusNotFound, accountData{Error: "sessions.unknown"})
	case err != nil:
		a.fail(w, r, err)
	case current:
		a.signedOut(w, r)
	default:
		http.Redirect(w, r, "/account?done=session#sessions", http.StatusSeeOther)
	}
}

func (a *Area) endOtherSessions(w http.ResponseWriter, r *http.Request) {
	cur := page.Current(r)
	if err := a.auth.EndOtherSessions(r.Context(), cur.Viewer, cur.Session, page.ClientIP(r)); err != nil {
		a.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/account?done=others#sessions", http.StatusSeeOther)
}

func (a *Area) endAllSessions(w http.ResponseWriter, r *http.Request) {
	cur := page.Current(r)
	if err := a.auth.EndAllSessions(r.Context(), cur.Viewer, cur.Session, page.ClientIP(r)); err != nil {
		a.fail(w, r, err)
		return
	}
	a.signedOut(w, r)
}

// signedOut answers the end of the request's own session.
func (a *Area) signedOut(w http.ResponseWriter, r *http.Request) {
	a.kit.SetSessionCookie(w, "", -1)
	http.Redirect(w, r, "/sign-in?notice=ended", http.StatusSeeOther)
}
