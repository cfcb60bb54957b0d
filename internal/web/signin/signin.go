package signin

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"cartable/internal/auth"
	"cartable/internal/check"
	"cartable/internal/web/page"
)

type signInData struct {
	Login  string // kept when the form fails
	Error  string // catalog key
	Wait   int    // seconds to wait, with signin.throttled
	Notice string // catalog key of an information message
	Next   string
}

func (a *Area) signInForm(w http.ResponseWriter, r *http.Request) {
	if cur := page.Current(r); cur != nil {
		if !cur.Session.MFADone {
			http.Redirect(w, r, "/sign-in/second-factor", http.StatusSeeOther)
			return
		}
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	d := signInData{}
	switch r.URL.Query().Get("notice") {
	case "reset":
		d.Notice = "signin.notice.reset"
	case "ended":
		d.Notice = "signin.notice.ended"
	}
	a.pages.Render(w, r, http.StatusOK, "signin", "signin.title", d)
}

func (a *Area) signIn(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 8<<10)
	if err := r.ParseForm(); err != nil {
		a.pages.Render(w, r, http.StatusBadRequest, "signin", "signin.title", signInData{Error: "signin.malformed"})
		return
	}
	login := strings.TrimSpace(r.PostFormValue("login"))
	data := signInData{Login: login}
	if len(login) > auth.MaxLoginLen {
		data.Login = ""
	}
	res, err := a.auth.SignIn(r.Context(), auth.SignInRequest{Login: login, Password: r.PostFormValue("password"),
		UserAgent: r.UserAgent(), SourceIP: page.ClientIP(r), DeviceToken: a.kit.DeviceToken(r), Previous: a.previousSession(r)})
	if _, ok := check.As(err); ok {
		data.Error = "signin.missing"
		a.pages.Render(w, r, http.StatusUnprocessableEntity, "signin", "signin.title", data)
		return
	}
	if wait, ok := auth.Throttled(err); ok {
		data.Error, data.Wait = "signin.throttled", wait
		w.Header().Set("Retry-After", strconv.Itoa(wait))
		a.pages.Render(w, r, http.StatusTooManyRequests, "signin", "signin.title", data)
		return
	}
	if errors.Is(err, auth.ErrInvalidCredentials) {
		data.Error = "signin.invalid"
		a.pages.Render(w, r, http.StatusUnauthorized, "signin", "signin.title", data)
		return
	}
	if err != nil {
		a.kit.ServerError(w, r, err)
		return
	}
	a.startSession(w, r, res)
}

func (a *Area) signOut(w http.ResponseWriter, r *http.Request) {
	cur := page.Current(r)
	if err := a.auth.SignOut(r.Context(), cur.Viewer, cur.Session, page.ClientIP(r)); err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	a.kit.SetSessionCookie(w, "", -1)
	http.Redirect(w, r, "/sign-in", http.StatusSeeOther)
}
