package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"strings"
	"time"

	qrcode "github.com/skip2/go-qrcode"

	"cartable/internal/audit"
	"cartable/internal/auth"
)

// reauthWindow is how long after typing their password a person may change
// their password, second factors or e-mail without typing it again.
const reauthWindow = 10 * time.Minute

type secondFactorData struct {
	Enrol    bool // the person must set up a second factor first
	TOTP     bool
	Passkeys int
	Method   string // form that failed: totp or recovery
	Error    string
	Wait     int
}

// secondFactorForm asks for the second factor, or sends to enrolment.
func (s *Server) secondFactorForm(w http.ResponseWriter, r *http.Request) {
	cur := currentOf(r)
	if cur.session.MFADone {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	d, err := s.secondFactorData(r)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "second-factor", "mfa.title", d)
}

func (s *Server) secondFactorData(r *http.Request) (secondFactorData, error) {
	cur := currentOf(r)
	en, err := s.Auth.Factors.EnrolledOf(r.Context(), s.DB, cur.me.ID)
	if err != nil {
		return secondFactorData{}, err
	}
	return secondFactorData{Enrol: !en.Any(), TOTP: en.TOTP, Passkeys: en.Passkeys}, nil
}

func (s *Server) secondFactor(w http.ResponseWriter, r *http.Request) {
	cur := currentOf(r)
	if cur.session.MFADone {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	d, err := s.secondFactorData(r)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if d.Enrol {
		http.Redirect(w, r, "/sign-in/second-factor", http.StatusSeeOther)
		return
	}
	d.Method = r.PostFormValue("method")
	code := r.PostFormValue("code")
	if strings.TrimSpace(code) == "" {
		d.Error = "mfa.missing"
		s.render(w, r, http.StatusUnprocessableEntity, "second-factor", "mfa.title", d)
		return
	}
	token, err := s.Auth.SecondFactor(r.Context(), cur.token, cur.me, d.Method, code, clientIP(r))
	if wait, ok := waitSeconds(err); ok {
		d.Error, d.Wait = "signin.throttled", wait
		s.render(w, r, http.StatusTooManyRequests, "second-factor", "mfa.title", d)
		return
	}
	if errors.Is(err, auth.ErrBadCode) {
		d.Error = "mfa.badcode"
		if d.Method == "recovery" {
			d.Error = "mfa.badrecovery"
		}
		s.render(w, r, http.StatusUnauthorized, "second-factor", "mfa.title", d)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.setSessionCookie(w, token, 0)
	s.rememberDevice(w, r, cur.me.ID)
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// recentlyAuthenticated sends a person who has not typed their password
// for a while to the confirmation page first. Sessions still owing their
// second factor were just opened by a password: they pass.
func (s *Server) recentlyAuthenticated(w http.ResponseWriter, r *http.Request) bool {
	cur := currentOf(r)
	if s.Now().Sub(cur.session.ReauthAt) < reauthWindow {
		return true
	}
	if r.Method == http.MethodGet {
		http.Redirect(w, r, "/account/confirm?next="+template.URLQueryEscaper(r.URL.Path), http.StatusSeeOther)
		return false
	}
	s.renderError(w, r, http.StatusForbidden, "account.reauth.expired")
	return false
}

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

// mayEnrol tells whether this session may add a second factor. A complete
// session may. A session that still owes its second factor may only when
// the person has none yet (forced enrolment): someone who has a factor must
// use it, and a new factor must never stand in for the one owed. first
// tells that the enrolment must be the person's first factor; the storage
// checks it again, atomically, when the factor is saved.
func (s *Server) mayEnrol(r *http.Request) (ok, first bool, err error) {
	cur := currentOf(r)
	if cur.session.MFADone {
		return true, false, nil
	}
	en, err := s.Auth.Factors.EnrolledOf(r.Context(), s.DB, cur.me.ID)
	if err != nil {
		return false, false, err
	}
	return !en.Any(), true, nil
}

// refuseEnrolment answers an enrolment tried by a session that owes the
// factor the person already has: audited, and refused as every page such a
// session may not reach (the second-factor step for a page, 403 for a form
// or a passkey ceremony). Nothing is stored.
func (s *Server) refuseEnrolment(w http.ResponseWriter, r *http.Request, method string, asJSON bool) {
	cur := currentOf(r)
	_ = audit.Record(r.Context(), s.DB, audit.Event{ActorID: cur.me.ID, Action: audit.MFAEnrolled, Target: "method:" + method,
		Outcome: audit.Denied, SourceIP: clientIP(r)})
	switch {
	case asJSON:
		s.jsonErr(w, r, http.StatusForbidden, "error.mfa")
	case r.Method == http.MethodGet:
		http.Redirect(w, r, "/sign-in/second-factor", http.StatusSeeOther)
	default:
		s.renderError(w, r, http.StatusForbidden, "error.mfa")
	}
}

// enrolling checks mayEnrol for a TOTP page or form and answers when the
// session may not enrol; it returns whether the handler goes on.
func (s *Server) enrolling(w http.ResponseWriter, r *http.Request) bool {
	ok, _, err := s.mayEnrol(r)
	if err != nil {
		s.serverError(w, r, err)
		return false
	}
	if !ok {
		s.refuseEnrolment(w, r, "totp", false)
		return false
	}
	return s.recentlyAuthenticated(w, r)
}

func (s *Server) totpPage(w http.ResponseWriter, r *http.Request) {
	if !s.enrolling(w, r) {
		return
	}
	d, err := s.totpData(r)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "totp", "totp.title", d)
}

func (s *Server) totpData(r *http.Request) (totpData, error) {
	cur := currentOf(r)
	ctx := r.Context()
	d := totpData{Forced: !cur.session.MFADone}
	en, err := s.Auth.Factors.EnrolledOf(ctx, s.DB, cur.me.ID)
	if err != nil {
		return d, err
	}
	d.Enrolled = en.TOTP
	secret, pending, err := s.Auth.Factors.PendingTOTP(ctx, cur.me.ID)
	if err != nil || !pending {
		return d, err
	}
	d.Pending = true
	d.fill(secret, cur.me.Login)
	return d, nil
}

func (d *totpData) fill(secret, login string) {
	var groups []string
	for i := 0; i < len(secret); i += 4 {
		groups = append(groups, secret[i:min(i+4, len(secret))])
	}
	d.Secret = strings.Join(groups, " ")
	d.URI = auth.TOTPURI(secret, "Cartable", login)
	d.QR = qrSVG(d.URI)
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

func (s *Server) totpStart(w http.ResponseWriter, r *http.Request) {
	if !s.enrolling(w, r) {
		return
	}
	cur := currentOf(r)
	secret, err := s.Auth.Factors.StartTOTP(r.Context(), cur.me.ID)
	switch {
	case errors.Is(err, auth.ErrEnrolmentPending):
		d, derr := s.totpData(r)
		if derr != nil {
			s.serverError(w, r, derr)
			return
		}
		d.Notice = "totp.pending"
		s.render(w, r, http.StatusConflict, "totp", "totp.title", d)
		return
	case errors.Is(err, auth.ErrAlreadyEnrolled):
		d, derr := s.totpData(r)
		if derr != nil {
			s.serverError(w, r, derr)
			return
		}
		d.Error = "totp.already"
		s.render(w, r, http.StatusConflict, "totp", "totp.title", d)
		return
	case err != nil:
		s.serverError(w, r, err)
		return
	}
	_ = secret
	http.Redirect(w, r, "/account/totp", http.StatusSeeOther)
}

type recoveryData struct {
	Codes  []string
	Forced bool
}

func (s *Server) totpConfirm(w http.ResponseWriter, r *http.Request) {
	if !s.enrolling(w, r) {
		return
	}
	cur := currentOf(r)
	ctx := r.Context()
	forced := !cur.session.MFADone
	codes, err := s.Auth.ConfirmTOTP(ctx, cur.me, r.PostFormValue("code"), forced, clientIP(r))
	if _, ok := waitSeconds(err); ok {
		d, derr := s.totpData(r)
		if derr != nil {
			s.serverError(w, r, derr)
			return
		}
		d.Error = "passkey.wait"
		s.render(w, r, http.StatusTooManyRequests, "totp", "totp.title", d)
		return
	}
	if errors.Is(err, auth.ErrFactorOwed) {
		s.refuseEnrolment(w, r, "totp", false)
		return
	}
	if errors.Is(err, auth.ErrBadCode) || errors.Is(err, auth.ErrNoEnrolment) {
		_ = audit.Record(ctx, s.DB, audit.Event{ActorID: cur.me.ID, Action: audit.MFAEnrolled, Target: "method:totp", Outcome: audit.Failure, SourceIP: clientIP(r)})
		d, derr := s.totpData(r)
		if derr != nil {
			s.serverError(w, r, derr)
			return
		}
		d.Error = "totp.badcode"
		if errors.Is(err, auth.ErrNoEnrolment) {
			d.Error = "totp.noenrolment"
		}
		s.render(w, r, http.StatusUnprocessableEntity, "totp", "totp.title", d)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	_ = audit.Record(ctx, s.DB, audit.Event{ActorID: cur.me.ID, Action: audit.MFAEnrolled, Target: "method:totp", Outcome: audit.Success, SourceIP: clientIP(r)})
	_ = audit.Record(ctx, s.DB, audit.Event{ActorID: cur.me.ID, Action: audit.RecoveryCodesMade, Outcome: audit.Success, SourceIP: clientIP(r)})
	if forced {
		token, err := s.Auth.CompleteSecondFactor(ctx, cur.token, cur.me.ID, "totp-enrolment", clientIP(r))
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		s.setSessionCookie(w, token, 0)
		s.rememberDevice(w, r, cur.me.ID)
	}
	s.render(w, r, http.StatusOK, "recovery-codes", "recovery.title", recoveryData{Codes: codes, Forced: forced})
}

// totpRemove deletes the authenticator app, unless it is the last second
// factor of someone who must have one.
func (s *Server) totpRemove(w http.ResponseWriter, r *http.Request) {
	if !s.recentlyAuthenticated(w, r) {
		return
	}
	cur := currentOf(r)
	ctx := r.Context()
	ok, err := s.mayDropFactor(r, true)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if !ok {
		s.renderAccount(w, r, http.StatusConflict, accountData{Error: "account.lastfactor"})
		return
	}
	if err := s.Auth.Factors.RemoveTOTP(ctx, cur.me.ID); err != nil {
		s.serverError(w, r, err)
		return
	}
	_ = audit.Record(ctx, s.DB, audit.Event{ActorID: cur.me.ID, Action: audit.MFARemoved, Target: "method:totp", Outcome: audit.Success, SourceIP: clientIP(r)})
	http.Redirect(w, r, "/account?done=totp-removed", http.StatusSeeOther)
}

// mayDropFactor tells whether the person may remove one factor (the TOTP
// app, or one passkey): not the last one when the establishment requires one.
func (s *Server) mayDropFactor(r *http.Request, totp bool) (bool, error) {
	cur := currentOf(r)
	en, err := s.Auth.Factors.EnrolledOf(r.Context(), s.DB, cur.me.ID)
	if err != nil {
		return false, err
	}
	left := en.Passkeys // removing the app leaves the passkeys
	if !totp {
		left = en.Passkeys - 1
		if en.TOTP {
			left++
		}
	}
	if left > 0 {
		return true, nil
	}
	must, err := auth.MustUseSecondFactor(r.Context(), s.DB, cur.me)
	return !must, err
}

func (s *Server) recoveryRegenerate(w http.ResponseWriter, r *http.Request) {
	if !s.recentlyAuthenticated(w, r) {
		return
	}
	cur := currentOf(r)
	en, err := s.Auth.Factors.EnrolledOf(r.Context(), s.DB, cur.me.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if !en.Any() {
		s.renderAccount(w, r, http.StatusConflict, accountData{Error: "recovery.nofactor"})
		return
	}
	codes, err := s.Auth.Factors.RegenerateRecoveryCodes(r.Context(), cur.me.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	_ = audit.Record(r.Context(), s.DB, audit.Event{ActorID: cur.me.ID, Action: audit.RecoveryCodesMade, Outcome: audit.Success, SourceIP: clientIP(r)})
	s.render(w, r, http.StatusOK, "recovery-codes", "recovery.title", recoveryData{Codes: codes})
}

// Passkeys. The browser side is static/webauthn.js; answers are JSON.

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

type jsonError struct {
	Error string `json:"error"`
}

func (s *Server) jsonErr(w http.ResponseWriter, r *http.Request, status int, key string) {
	writeJSON(w, status, jsonError{Error: t(r, key)})
}

const maxPasskeyResponse = 64 << 10

func (s *Server) passkeyRegisterBegin(w http.ResponseWriter, r *http.Request) {
	if s.Auth.Passkeys == nil {
		s.jsonErr(w, r, http.StatusNotFound, "passkey.unavailable")
		return
	}
	cur := currentOf(r)
	if ok, _, err := s.mayEnrol(r); err != nil || !ok {
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		s.refuseEnrolment(w, r, "passkey", true)
		return
	}
	if s.Now().Sub(cur.session.ReauthAt) >= reauthWindow {
		s.jsonErr(w, r, http.StatusForbidden, "account.reauth.expired")
		return
	}
	opts, err := s.Auth.Passkeys.BeginRegistration(r.Context(), cur.me, cur.session.TokenHash)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Write(opts)
}

type nextJSON struct {
	Next string `json:"next"`
}

func (s *Server) passkeyRegisterFinish(w http.ResponseWriter, r *http.Request) {
	if s.Auth.Passkeys == nil {
		s.jsonErr(w, r, http.StatusNotFound, "passkey.unavailable")
		return
	}
	cur := currentOf(r)
	ctx := r.Context()
	ok, first, err := s.mayEnrol(r)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if !ok {
		s.refuseEnrolment(w, r, "passkey", true)
		return
	}
	resp := r.PostFormValue("credential")
	if len(resp) > maxPasskeyResponse {
		s.jsonErr(w, r, http.StatusRequestEntityTooLarge, "passkey.refused")
		return
	}
	err = s.Auth.Passkeys.FinishRegistration(ctx, cur.me, cur.session.TokenHash, []byte(resp), r.PostFormValue("name"), first)
	if errors.Is(err, auth.ErrFactorOwed) {
		s.refuseEnrolment(w, r, "passkey", true)
		return
	}
	if errors.Is(err, auth.ErrPasskey) {
		_ = audit.Record(ctx, s.DB, audit.Event{ActorID: cur.me.ID, Action: audit.MFAEnrolled, Target: "method:passkey", Outcome: audit.Failure, SourceIP: clientIP(r)})
		s.jsonErr(w, r, http.StatusUnprocessableEntity, "passkey.refused")
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	_ = audit.Record(ctx, s.DB, audit.Event{ActorID: cur.me.ID, Action: audit.MFAEnrolled, Target: "method:passkey", Outcome: audit.Success, SourceIP: clientIP(r)})
	next := "/account?done=passkey-added"
	if !cur.session.MFADone {
		token, err := s.Auth.CompleteSecondFactor(ctx, cur.token, cur.me.ID, "passkey-enrolment", clientIP(r))
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		s.setSessionCookie(w, token, 0)
		s.rememberDevice(w, r, cur.me.ID)
		next = "/account?done=passkey-added#recovery"
	}
	writeJSON(w, http.StatusOK, nextJSON{Next: next})
}

func (s *Server) passkeyLoginBegin(w http.ResponseWriter, r *http.Request) {
	if s.Auth.Passkeys == nil {
		s.jsonErr(w, r, http.StatusNotFound, "passkey.unavailable")
		return
	}
	cur := currentOf(r)
	opts, err := s.Auth.Passkeys.BeginLogin(r.Context(), cur.me, cur.session.TokenHash)
	if errors.Is(err, auth.ErrPasskey) {
		s.jsonErr(w, r, http.StatusConflict, "passkey.none")
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Write(opts)
}

func (s *Server) passkeyLoginFinish(w http.ResponseWriter, r *http.Request) {
	if s.Auth.Passkeys == nil {
		s.jsonErr(w, r, http.StatusNotFound, "passkey.unavailable")
		return
	}
	cur := currentOf(r)
	ctx := r.Context()
	if cur.session.MFADone {
		writeJSON(w, http.StatusOK, nextJSON{Next: "/"})
		return
	}
	resp := r.PostFormValue("credential")
	if len(resp) > maxPasskeyResponse {
		resp = ""
	}
	token, err := s.Auth.PasskeySecondFactor(ctx, cur.token, cur.me, []byte(resp), clientIP(r))
	if _, ok := waitSeconds(err); ok {
		s.jsonErr(w, r, http.StatusTooManyRequests, "passkey.wait")
		return
	}
	if errors.Is(err, auth.ErrPasskey) {
		s.jsonErr(w, r, http.StatusUnauthorized, "passkey.refused")
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.setSessionCookie(w, token, 0)
	s.rememberDevice(w, r, cur.me.ID)
	writeJSON(w, http.StatusOK, nextJSON{Next: "/"})
}

func (s *Server) passkeyRemove(w http.ResponseWriter, r *http.Request) {
	if !s.recentlyAuthenticated(w, r) {
		return
	}
	if s.Auth.Passkeys == nil {
		s.notFound(w, r)
		return
	}
	cur := currentOf(r)
	ok, err := s.mayDropFactor(r, false)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if !ok {
		s.renderAccount(w, r, http.StatusConflict, accountData{Error: "account.lastfactor"})
		return
	}
	found, err := s.Auth.Passkeys.Remove(r.Context(), cur.me.ID, r.PostFormValue("id"))
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if !found {
		s.renderAccount(w, r, http.StatusNotFound, accountData{Error: "passkey.unknown"})
		return
	}
	_ = audit.Record(r.Context(), s.DB, audit.Event{ActorID: cur.me.ID, Action: audit.MFARemoved, Target: "method:passkey", Outcome: audit.Success, SourceIP: clientIP(r)})
	http.Redirect(w, r, "/account?done=passkey-removed", http.StatusSeeOther)
}
