package account

import (
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"strings"

	qrcode "github.com/skip2/go-qrcode"

	"cartable/internal/auth"
	"cartable/internal/web/page"
)

// Setting up an authenticator app (also a session's forced enrolment, at
// sign-in), and removing it.

type totpData struct {
	Enrolled bool
	Pending  bool
	Secret   string // grouped by four for reading
	URI      string
	QR       template.HTML
	Forced   bool // enrolment at sign-in
	Notice   string
	Error    string
}

func newTOTPData(e auth.TOTPEnrolment) totpData {
	d := totpData{Enrolled: e.Enrolled, Pending: e.Pending, Forced: e.Forced, URI: e.URI}
	if !e.Pending {
		return d
	}
	var groups []string
	for i := 0; i < len(e.Secret); i += 4 {
		groups = append(groups, e.Secret[i:min(i+4, len(e.Secret))])
	}
	d.Secret = strings.Join(groups, " ")
	d.QR = qrSVG(e.URI)
	return d
}

// qrSVG draws the QR code of text as one SVG path (no script, no request).
func qrSVG(text string) template.HTML {
	q, err := qrcode.New(text, qrcode.Medium)
	if err != nil {
		return ""
	}
	q.DisableBorder = false
	bm := q.Bitmap()
	var b strings.Builder
	n := len(bm)
	fmt.Fprintf(&b, `<svg class="qr" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="%d" height="%d" role="img" aria-label="QR code"><rect width="100%%" height="100%%" fill="#fff"/><path fill="#000" d="`, n, n, n*5, n*5)
	for y, row := range bm {
		for x, on := range row {
			if on {
				fmt.Fprintf(&b, "M%d %dh1v1h-1z", x, y)
			}
		}
	}
	b.WriteString(`"/></svg>`)
	return template.HTML(b.String())
}

func (a *Area) totpPage(w http.ResponseWriter, r *http.Request) {
	cur := page.Current(r)
	e, err := a.auth.TOTPEnrolment(r.Context(), cur.Viewer, cur.Session, page.ClientIP(r))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.pages.Render(w, r, http.StatusOK, "totp", "totp.title", newTOTPData(e))
}

func (a *Area) totpStart(w http.ResponseWriter, r *http.Request) {
	cur := page.Current(r)
	e, err := a.auth.StartTOTP(r.Context(), cur.Viewer, cur.Session, page.ClientIP(r))
	switch {
	case errors.Is(err, auth.ErrEnrolmentPending):
		d := newTOTPData(e)
		d.Notice = "totp.pending"
		a.pages.Render(w, r, http.StatusConflict, "totp", "totp.title", d)
	case errors.Is(err, auth.ErrAlreadyEnrolled):
		d := newTOTPData(e)
		d.Error = "totp.already"
		a.pages.Render(w, r, http.StatusConflict, "totp", "totp.title", d)
	case err != nil:
		a.fail(w, r, err)
	default:
		http.Redirect(w, r, "/account/totp", http.StatusSeeOther)
	}
}

func (a *Area) totpConfirm(w http.ResponseWriter, r *http.Request) {
	cur := page.Current(r)
	ctx := r.Context()
	done, err := a.auth.ConfirmTOTP(ctx, cur.Viewer, cur.Session, r.PostFormValue("code"), page.ClientIP(r))
	key, status := "", 0
	switch _, throttled := auth.Throttled(err); {
	case throttled:
		key, status = "passkey.wait", http.StatusTooManyRequests
	case errors.Is(err, auth.ErrBadCode):
		key, status = "totp.badcode", http.StatusUnprocessableEntity
	case errors.Is(err, auth.ErrNoEnrolment):
		key, status = "totp.noenrolment", http.StatusUnprocessableEntity
	case err != nil:
		a.fail(w, r, err)
		return
	}
	if key != "" {
		e, err := a.auth.TOTPEnrolment(ctx, cur.Viewer, cur.Session, page.ClientIP(r))
		if err != nil {
			a.fail(w, r, err)
			return
		}
		d := newTOTPData(e)
		d.Error = key
		a.pages.Render(w, r, status, "totp", "totp.title", d)
		return
	}
	token := cur.Token
	if done.Token != "" {
		token = done.Token
		a.kit.SetSessionCookie(w, done.Token, 0)
		a.kit.RememberDevice(w, r, a.auth)
	}
	a.showCodes(w, r, token, recoveryData{Codes: done.Codes, Forced: done.Forced})
}

// totpRemove removes the authenticator app, unless it is the last second
// factor of someone who must have one.
func (a *Area) totpRemove(w http.ResponseWriter, r *http.Request) {
	cur := page.Current(r)
	err := a.auth.RemoveTOTP(r.Context(), cur.Viewer, cur.Session, page.ClientIP(r))
	switch {
	case errors.Is(err, auth.ErrLastFactor):
		a.render(w, r, http.StatusConflict, accountData{Error: "account.lastfactor"})
	case err != nil:
		a.fail(w, r, err)
	default:
		http.Redirect(w, r, "/account?done=totp-removed", http.StatusSeeOther)
	}
}
