package account

import (
	"errors"
	"net/http"

	"cartable/internal/auth"
	"cartable/internal/web/page"
)

// The confirmation of the password before a sensitive change.

type confirmData struct {
	Next  string
	Error string
	Wait  int
}

// safeNext is where the confirmation page goes on: a page of this site
// (page.LocalPath), else the account page.
func safeNext(next string) string { return page.LocalPath(next, "/account") }

func (a *Area) confirmForm(w http.ResponseWriter, r *http.Request) {
	a.pages.Render(w, r, http.StatusOK, "confirm", "confirm.title", confirmData{Next: safeNext(r.URL.Query().Get("next"))})
}

func (a *Area) confirm(w http.ResponseWriter, r *http.Request) {
	cur := page.Current(r)
	d := confirmData{Next: safeNext(r.PostFormValue("next"))}
	err := a.auth.Reauthenticate(r.Context(), cur.Viewer, cur.Session, r.PostFormValue("password"), page.ClientIP(r))
	if wait, ok := auth.Throttled(err); ok {
		d.Error, d.Wait = "signin.throttled", wait
		a.pages.Render(w, r, http.StatusTooManyRequests, "confirm", "confirm.title", d)
		return
	}
	if errors.Is(err, auth.ErrInvalidCredentials) {
		d.Error = "confirm.invalid"
		a.pages.Render(w, r, http.StatusUnauthorized, "confirm", "confirm.title", d)
		return
	}
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	if d.Next == "/account" {
		d.Next = "/account?done=reauth"
	}
	http.Redirect(w, r, d.Next, http.StatusSeeOther)
}
