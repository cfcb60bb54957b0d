package signin

import (
	"errors"
	"net/http"
	"strings"

	"cartable/internal/auth"
	"cartable/internal/check"
	"cartable/internal/web/page"
)

// The password reset by e-mail: asking for a link, then using it.

type forgotData struct {
	Login string
	Sent  bool
	Error string
	Wait  int
}

func (a *Area) forgotForm(w http.ResponseWriter, r *http.Request) {
	a.pages.Render(w, r, http.StatusOK, "forgot", "forgot.title", forgotData{Sent: r.URL.Query().Get("sent") == "1"})
}

func (a *Area) forgot(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 4<<10)
	if err := r.ParseForm(); err != nil {
		a.pages.Render(w, r, http.StatusBadRequest, "forgot", "forgot.title", forgotData{Error: "signin.malformed"})
		return
	}
	d := forgotData{Login: strings.TrimSpace(r.PostFormValue("login"))}
	err := a.auth.RequestReset(r.Context(), d.Login, page.ClientIP(r))
	if _, ok := check.As(err); ok {
		d.Login, d.Error = "", "forgot.missing"
		a.pages.Render(w, r, http.StatusUnprocessableEntity, "forgot", "forgot.title", d)
		return
	}
	if wait, ok := auth.Throttled(err); ok {
		d.Error, d.Wait = "signin.throttled", wait
		a.pages.Render(w, r, http.StatusTooManyRequests, "forgot", "forgot.title", d)
		return
	}
	if err != nil {
		a.kit.ServerError(w, r, err)
		return
	}
	// Post/redirect/get: a reload does not send another e-mail. The page
	// says the same whether the login exists or not.
	http.Redirect(w, r, "/password/forgot?sent=1", http.StatusSeeOther)
}

type resetData struct {
	Token   string
	Login   string
	Invalid string // catalog key when the link cannot be used
	Error   string
	MinBits int
}

func (a *Area) resetForm(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	d := resetData{Token: token, MinBits: auth.MinPasswordBits}
	login, err := a.auth.CheckReset(r.Context(), token, page.ClientIP(r))
	if a.resetInvalid(w, r, err, &d) {
		return
	}
	d.Login = login
	a.pages.Render(w, r, http.StatusOK, "reset", "reset.title", d)
}

// resetInvalid answers a link that cannot be used (unknown, used or
// expired) or a failure, and tells whether it did.
func (a *Area) resetInvalid(w http.ResponseWriter, r *http.Request, err error, d *resetData) bool {
	switch {
	case errors.Is(err, auth.ErrResetExpired):
		d.Invalid, d.Token = "reset.expired", ""
		a.pages.Render(w, r, http.StatusGone, "reset", "reset.title", d)
		return true
	case errors.Is(err, auth.ErrResetInvalid):
		d.Invalid, d.Token = "reset.invalid", ""
		a.pages.Render(w, r, http.StatusNotFound, "reset", "reset.title", d)
		return true
	case err != nil:
		a.kit.ServerError(w, r, err)
		return true
	}
	return false
}

func (a *Area) reset(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 4<<10)
	token := r.PathValue("token")
	d := resetData{Token: token, MinBits: auth.MinPasswordBits}
	if err := r.ParseForm(); err != nil {
		d.Error = "signin.malformed"
		a.pages.Render(w, r, http.StatusBadRequest, "reset", "reset.title", d)
		return
	}
	login, err := a.auth.CheckReset(r.Context(), token, page.ClientIP(r))
	if a.resetInvalid(w, r, err, &d) {
		return
	}
	d.Login = login
	err = a.auth.ResetPassword(r.Context(), token, r.PostFormValue("password"), r.PostFormValue("confirm"), page.ClientIP(r))
	if ps, ok := check.As(err); ok {
		d.Error = "password." + ps[0].Code
		a.pages.Render(w, r, http.StatusUnprocessableEntity, "reset", "reset.title", d)
		return
	}
	if a.resetInvalid(w, r, err, &d) {
		return
	}
	http.Redirect(w, r, "/sign-in?notice=reset", http.StatusSeeOther)
}
