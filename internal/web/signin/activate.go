package signin

import (
	"errors"
	"net/http"
	"strings"

	"cartable/internal/auth"
	"cartable/internal/check"
	"cartable/internal/web/page"
)

type activateData struct {
	Step     int // 1: login and code; 2: password (and e-mail)
	Login    string
	Code     string
	Relative bool
	Email    string
	Error    string
	Wait     int
	MinBits  int
}

func (a *Area) activateForm(w http.ResponseWriter, r *http.Request) {
	a.pages.Render(w, r, http.StatusOK, "activate", "activate.title", activateData{Step: 1})
}

func (a *Area) activate(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 8<<10)
	if err := r.ParseForm(); err != nil {
		a.pages.Render(w, r, http.StatusBadRequest, "activate", "activate.title", activateData{Step: 1, Error: "signin.malformed"})
		return
	}
	d := activateData{Step: 1, Login: strings.TrimSpace(r.PostFormValue("login")), Code: strings.TrimSpace(r.PostFormValue("code")), MinBits: auth.MinPasswordBits}
	var err error
	if r.PostFormValue("step") != "2" {
		d.Relative, err = a.auth.CheckActivation(r.Context(), d.Login, d.Code, page.ClientIP(r))
		if err == nil {
			d.Step = 2
		}
	} else {
		d.Step = 2
		d.Relative = r.PostFormValue("relative") == "1"
		d.Email = strings.TrimSpace(r.PostFormValue("email"))
		if len(d.Email) > auth.MaxEmailLen {
			d.Email = ""
		}
		var res auth.SignInResult
		res, err = a.auth.Activate(r.Context(), auth.ActivateRequest{Login: d.Login, Code: d.Code,
			Password: r.PostFormValue("password"), Confirm: r.PostFormValue("confirm"), RecoveryEmail: d.Email,
			UserAgent: r.UserAgent(), SourceIP: page.ClientIP(r), Previous: a.previousSession(r), DeviceToken: a.kit.DeviceToken(r)})
		if err == nil {
			a.startSession(w, r, res)
			return
		}
	}
	if err == nil {
		a.pages.Render(w, r, http.StatusOK, "activate", "activate.title", d)
		return
	}
	if ps, ok := check.As(err); ok {
		a.activationProblem(w, r, d, ps[0])
		return
	}
	if wait, ok := auth.Throttled(err); ok {
		d.Step, d.Error, d.Wait = 1, "signin.throttled", wait
		a.pages.Render(w, r, http.StatusTooManyRequests, "activate", "activate.title", d)
		return
	}
	switch {
	case errors.Is(err, auth.ErrBadActivation):
		d.Step, d.Error = 1, "activate.invalid"
		a.pages.Render(w, r, http.StatusUnauthorized, "activate", "activate.title", d)
	case errors.Is(err, auth.ErrActivationExpired):
		d.Step, d.Error = 1, "activate.expired"
		a.pages.Render(w, r, http.StatusGone, "activate", "activate.title", d)
	case errors.Is(err, auth.ErrAlreadyActivated):
		d.Step, d.Error = 1, "activate.already"
		a.pages.Render(w, r, http.StatusConflict, "activate", "activate.title", d)
	default:
		a.kit.ServerError(w, r, err)
	}
}

// activationProblem answers the first problem of the activation form: on
// the login and code, the first step again (emptied when overlong); on the
// password or the e-mail, the second.
func (a *Area) activationProblem(w http.ResponseWriter, r *http.Request, d activateData, p check.Problem) {
	switch p.Field {
	case auth.FieldLogin, auth.FieldCode:
		d.Step, d.Error = 1, "activate.missing"
		if p.Code == auth.CodeTooLong {
			d.Login, d.Code, d.Error = "", "", "activate.invalid"
		}
	case auth.FieldEmail:
		d.Error = "email." + p.Code // email.required, email.invalid
		if p.Code == auth.CodeRequired {
			d.Relative = true
		}
	default:
		d.Error = "password." + p.Code
	}
	a.pages.Render(w, r, http.StatusUnprocessableEntity, "activate", "activate.title", d)
}
