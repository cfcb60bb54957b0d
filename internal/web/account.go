package web

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"cartable/internal/audit"
	"cartable/internal/auth"
	"cartable/internal/files"
	"cartable/internal/i18n"
)

func t(r *http.Request, key string, args ...any) string { return i18n.T(langOf(r), key, args...) }

// accountRoutes are the pages of "Sécurité du compte": second factors,
// password, recovery e-mail, sessions; the second-factor step of sign-in;
// activation, password reset and the administrators' account pages.
func (s *Server) accountRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /sign-in/second-factor", s.partlySignedIn(s.secondFactorForm))
	mux.HandleFunc("POST /sign-in/second-factor", s.partlySignedIn(s.secondFactor))
	mux.HandleFunc("POST /sign-in/passkey/begin", s.partlySignedIn(s.passkeyLoginBegin))
	mux.HandleFunc("POST /sign-in/passkey/finish", s.partlySignedIn(s.passkeyLoginFinish))

	mux.HandleFunc("GET /account/totp", s.partlySignedIn(s.totpPage))
	mux.HandleFunc("POST /account/totp/start", s.partlySignedIn(s.totpStart))
	mux.HandleFunc("POST /account/totp/confirm", s.partlySignedIn(s.totpConfirm))
	mux.HandleFunc("POST /account/passkeys/begin", s.partlySignedIn(s.passkeyRegisterBegin))
	mux.HandleFunc("POST /account/passkeys/finish", s.partlySignedIn(s.passkeyRegisterFinish))

	mux.HandleFunc("GET /account", s.signedIn(s.account))
	mux.HandleFunc("GET /account/confirm", s.signedIn(s.confirmForm))
	mux.HandleFunc("POST /account/confirm", s.signedIn(s.confirm))
	mux.HandleFunc("POST /account/totp/remove", s.signedIn(s.totpRemove))
	mux.HandleFunc("POST /account/passkeys/remove", s.signedIn(s.passkeyRemove))
	mux.HandleFunc("POST /account/recovery-codes", s.signedIn(s.recoveryRegenerate))
	mux.HandleFunc("POST /account/password", s.signedIn(s.changePassword))
	mux.HandleFunc("POST /account/email", s.signedIn(s.changeEmail))
	mux.HandleFunc("POST /account/sessions/end", s.signedIn(s.endSession))
	mux.HandleFunc("POST /account/sessions/end-others", s.signedIn(s.endOtherSessions))
	mux.HandleFunc("POST /account/sessions/end-all", s.signedIn(s.endAllSessions))

	s.activationRoutes(mux)
}

type sessionRow struct {
	Handle   string
	Device   string
	Address  string
	Created  time.Time
	LastSeen time.Time
	Current  bool
	Pending  bool // still owes its second factor
}

type accountData struct {
	Enrolled      auth.Enrolled
	Must          bool
	Passkeys      []auth.Passkey
	PasskeysOn    bool
	RecoveryEmail string
	EmailTyped    string
	Sessions      []sessionRow
	Reauth        bool // password typed recently: sensitive changes need no confirmation
	Done          string
	Error         string // catalog key of the failed action
	Section       string // where the error belongs: password, email
	MinBits       int
}

func (s *Server) account(w http.ResponseWriter, r *http.Request) {
	d := accountData{}
	switch done := r.URL.Query().Get("done"); done {
	case "totp-removed", "passkey-added", "passkey-removed", "password", "email", "session", "others", "reauth":
		d.Done = "account.done." + done
	}
	s.renderAccount(w, r, http.StatusOK, d)
}

// renderAccount fills the account page around d (a failed form's state).
func (s *Server) renderAccount(w http.ResponseWriter, r *http.Request, status int, d accountData) {
	cur := currentOf(r)
	ctx := r.Context()
	var err error
	if d.Enrolled, err = s.Auth.Factors.EnrolledOf(ctx, s.DB, cur.me.ID); err != nil {
		s.serverError(w, r, err)
		return
	}
	if d.Must, err = auth.MustUseSecondFactor(ctx, s.DB, cur.me); err != nil {
		s.serverError(w, r, err)
		return
	}
	if s.Auth.Passkeys != nil {
		d.PasskeysOn = true
		if d.Passkeys, err = s.Auth.Passkeys.List(ctx, cur.me.ID); err != nil {
			s.serverError(w, r, err)
			return
		}
	}
	if d.RecoveryEmail, err = auth.RecoveryEmail(ctx, s.DB, cur.me.ID); err != nil {
		s.serverError(w, r, err)
		return
	}
	if d.Section != "email" {
		d.EmailTyped = d.RecoveryEmail
	}
	sessions, err := s.Sessions.List(ctx, cur.me.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	for _, se := range sessions {
		d.Sessions = append(d.Sessions, sessionRow{Handle: se.Handle, Device: deviceName(se.UserAgent), Address: se.SourceIP,
			Created: se.CreatedAt, LastSeen: se.LastSeen, Current: se.TokenHash == cur.session.TokenHash, Pending: !se.MFADone})
	}
	d.Reauth = s.Now().Sub(cur.session.ReauthAt) < reauthWindow
	d.MinBits = auth.MinPasswordBits
	s.render(w, r, status, "account", "account.title", d)
}

// deviceName turns a user agent into "Firefox · Linux": enough to recognise
// one's own devices, nothing more.
func deviceName(ua string) string {
	browser, system := "", ""
	switch {
	case strings.Contains(ua, "Edg/"):
		browser = "Edge"
	case strings.Contains(ua, "Firefox/"):
		browser = "Firefox"
	case strings.Contains(ua, "Chrome/") || strings.Contains(ua, "Chromium/"):
		browser = "Chrome"
	case strings.Contains(ua, "Safari/"):
		browser = "Safari"
	case strings.HasPrefix(ua, "Go-http-client"):
		browser = "Go"
	}
	switch {
	case strings.Contains(ua, "Android"):
		system = "Android"
	case strings.Contains(ua, "iPhone") || strings.Contains(ua, "iPad"):
		system = "iOS"
	case strings.Contains(ua, "Windows"):
		system = "Windows"
	case strings.Contains(ua, "Mac OS X"):
		system = "macOS"
	case strings.Contains(ua, "CrOS"):
		system = "ChromeOS"
	case strings.Contains(ua, "Linux"):
		system = "Linux"
	}
	switch {
	case browser != "" && system != "":
		return browser + " · " + system
	case browser != "":
		return browser
	case system != "":
		return system
	}
	return "?"
}

type confirmData struct {
	Next  string
	Error string
	Wait  int
}

// safeNext is where the confirmation page goes on: a page of this site
// (localPath), else the account page.
func safeNext(next string) string { return localPath(next, "/account") }

func (s *Server) confirmForm(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "confirm", "confirm.title", confirmData{Next: safeNext(r.URL.Query().Get("next"))})
}

func (s *Server) confirm(w http.ResponseWriter, r *http.Request) {
	cur := currentOf(r)
	d := confirmData{Next: safeNext(r.PostFormValue("next"))}
	err := s.Auth.Reauthenticate(r.Context(), cur.token, cur.me, r.PostFormValue("password"), clientIP(r))
	if wait, ok := waitSeconds(err); ok {
		d.Error, d.Wait = "signin.throttled", wait
		s.render(w, r, http.StatusTooManyRequests, "confirm", "confirm.title", d)
		return
	}
	if errors.Is(err, auth.ErrInvalidCredentials) {
		d.Error = "confirm.invalid"
		s.render(w, r, http.StatusUnauthorized, "confirm", "confirm.title", d)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if d.Next == "/account" {
		d.Next = "/account?done=reauth"
	}
	http.Redirect(w, r, d.Next, http.StatusSeeOther)
}

func (s *Server) changePassword(w http.ResponseWriter, r *http.Request) {
	cur := currentOf(r)
	current, fresh, again := r.PostFormValue("current"), r.PostFormValue("new"), r.PostFormValue("confirm")
	fail := func(status int, key string) {
		s.renderAccount(w, r, status, accountData{Error: key, Section: "password"})
	}
	if current == "" || fresh == "" {
		fail(http.StatusUnprocessableEntity, "password.missing")
		return
	}
	if fresh != again {
		fail(http.StatusUnprocessableEntity, "password.mismatch")
		return
	}
	token, err := s.Auth.ChangePassword(r.Context(), cur.token, cur.me, current, fresh, clientIP(r))
	var pe *auth.PasswordError
	switch {
	case errors.As(err, &pe):
		fail(http.StatusUnprocessableEntity, pe.Key)
		return
	case errors.Is(err, auth.ErrInvalidCredentials):
		fail(http.StatusUnauthorized, "password.current")
		return
	case errors.Is(err, auth.ErrSamePassword):
		fail(http.StatusUnprocessableEntity, "password.same")
		return
	}
	if _, ok := waitSeconds(err); ok {
		fail(http.StatusTooManyRequests, "password.wait")
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.setSessionCookie(w, token, 0)
	http.Redirect(w, r, "/account?done=password", http.StatusSeeOther)
}

func (s *Server) changeEmail(w http.ResponseWriter, r *http.Request) {
	if !s.recentlyAuthenticated(w, r) {
		return
	}
	cur := currentOf(r)
	email := r.PostFormValue("email")
	if len(email) > auth.MaxEmailLen {
		s.renderAccount(w, r, http.StatusUnprocessableEntity, accountData{Error: "email.invalid", Section: "email"})
		return
	}
	err := s.Auth.SetRecoveryEmail(r.Context(), cur.me, email, clientIP(r))
	if errors.Is(err, auth.ErrEmailInvalid) || errors.Is(err, auth.ErrEmailRequired) {
		key := "email.invalid"
		if errors.Is(err, auth.ErrEmailRequired) {
			key = "email.required"
		}
		s.renderAccount(w, r, http.StatusUnprocessableEntity, accountData{Error: key, Section: "email", EmailTyped: email})
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, "/account?done=email", http.StatusSeeOther)
}

func (s *Server) endSession(w http.ResponseWriter, r *http.Request) {
	cur := currentOf(r)
	handle := r.PostFormValue("session")
	if handle == cur.session.Handle {
		s.endAllOrCurrent(w, r, false)
		return
	}
	found, err := s.Sessions.RevokeHandle(r.Context(), cur.me.ID, handle)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if !found {
		s.renderAccount(w, r, http.StatusNotFound, accountData{Error: "sessions.unknown"})
		return
	}
	_ = audit.Record(r.Context(), s.DB, audit.Event{ActorID: cur.me.ID, Action: audit.SessionEnded, Target: "person:" + cur.me.ID, Outcome: audit.Success, SourceIP: clientIP(r)})
	http.Redirect(w, r, "/account?done=session#sessions", http.StatusSeeOther)
}

func (s *Server) endOtherSessions(w http.ResponseWriter, r *http.Request) {
	cur := currentOf(r)
	if _, err := s.Sessions.RevokeOthers(r.Context(), cur.me.ID, cur.token); err != nil {
		s.serverError(w, r, err)
		return
	}
	_ = audit.Record(r.Context(), s.DB, audit.Event{ActorID: cur.me.ID, Action: audit.SessionEnded, Target: "person:" + cur.me.ID, Outcome: audit.Success, SourceIP: clientIP(r)})
	http.Redirect(w, r, "/account?done=others#sessions", http.StatusSeeOther)
}

func (s *Server) endAllSessions(w http.ResponseWriter, r *http.Request) {
	s.endAllOrCurrent(w, r, true)
}

func (s *Server) endAllOrCurrent(w http.ResponseWriter, r *http.Request, all bool) {
	cur := currentOf(r)
	var err error
	if all {
		err = s.Sessions.RevokeAll(r.Context(), cur.me.ID)
	} else {
		err = s.Sessions.Revoke(r.Context(), cur.token)
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	_ = audit.Record(r.Context(), s.DB, audit.Event{ActorID: cur.me.ID, Action: audit.SessionEnded, Target: "person:" + cur.me.ID, Outcome: audit.Success, SourceIP: clientIP(r)})
	s.setSessionCookie(w, "", -1)
	http.Redirect(w, r, "/sign-in?notice=ended", http.StatusSeeOther)
}

// setUpAccounts wires the account-security parts of the server: its clock
// into the authenticator, e-mail, and passkeys for the base URL.
func (s *Server) setUpAccounts(o Options) {
	now := func() time.Time { return s.Now() }
	s.Auth.Now = now
	s.Auth.Log = s.Log
	s.Auth.BaseURL = s.BaseURL
	s.Auth.Mail = o.Mail
	// Second factors are sealed under the instance key of the file store's
	// master key (auth/sealed.go); without a file store none can be stored.
	var sealer auth.Sealer
	if o.Files != nil {
		sealer = o.Files.Sealer(s.DB, files.AccountSecrets)
	}
	s.Auth.Factors.Sealer = sealer
	pk, err := auth.NewPasskeys(s.BaseURL, s.DB, now)
	if err != nil {
		s.Log.Warn("passkeys are off", "err", err.Error())
		return
	}
	pk.Sealer = sealer
	s.Auth.Passkeys = pk
}
