package web

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"cartable/internal/auth"
)

type signInData struct {
	Login  string // kept when the form fails
	Error  string // catalog key
	Wait   int    // seconds to wait, with signin.throttled
	Notice string // catalog key of an information message
	Next   string
}

func (s *Server) signInForm(w http.ResponseWriter, r *http.Request) {
	if cur := currentOf(r); cur != nil {
		if !cur.session.MFADone {
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
	s.render(w, r, http.StatusOK, "signin", "signin.title", d)
}

// deviceCookie names the cookie marking a browser where the person already
// signed in (see auth.Attempts).
func (s *Server) deviceCookie() string {
	if s.Secure {
		return "__Host-cartable-device"
	}
	return "cartable-device"
}

func (s *Server) deviceToken(r *http.Request) string {
	if c, err := r.Cookie(s.deviceCookie()); err == nil {
		return c.Value
	}
	return ""
}

// throttled renders the "too many attempts" answer with the wait rounded
// up to the second.
func waitSeconds(err error) (int, bool) {
	var te *auth.ThrottledError
	if !errors.As(err, &te) {
		return 0, false
	}
	return int((te.Wait + time.Second - 1) / time.Second), true
}

func (s *Server) signIn(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 8<<10)
	if err := r.ParseForm(); err != nil {
		s.render(w, r, http.StatusBadRequest, "signin", "signin.title", signInData{Error: "signin.malformed"})
		return
	}
	login := strings.TrimSpace(r.PostFormValue("login"))
	password := r.PostFormValue("password")
	data := signInData{Login: login}
	if len(login) > auth.MaxLoginLen {
		data.Login = ""
	}
	if login == "" || password == "" {
		data.Error = "signin.missing"
		s.render(w, r, http.StatusUnprocessableEntity, "signin", "signin.title", data)
		return
	}
	res, err := s.Auth.SignIn(r.Context(), auth.SignInRequest{Login: login, Password: password,
		UserAgent: r.UserAgent(), SourceIP: clientIP(r), DeviceToken: s.deviceToken(r)})
	if wait, ok := waitSeconds(err); ok {
		data.Error, data.Wait = "signin.throttled", wait
		w.Header().Set("Retry-After", itoa(wait))
		s.render(w, r, http.StatusTooManyRequests, "signin", "signin.title", data)
		return
	}
	if errors.Is(err, auth.ErrInvalidCredentials) {
		data.Error = "signin.invalid"
		s.render(w, r, http.StatusUnauthorized, "signin", "signin.title", data)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.startSession(w, r, res)
}

// startSession gives the browser its new session (the identifier always
// changes at sign-in: the session this browser held before ends) and sends
// it on: home, or the second-factor step.
func (s *Server) startSession(w http.ResponseWriter, r *http.Request, res auth.SignInResult) {
	if c, err := r.Cookie(s.kit.CookieName()); err == nil && c.Value != "" {
		_ = s.Sessions.Revoke(r.Context(), c.Value)
	}
	s.setSessionCookie(w, res.Token, 0)
	if res.MFA != auth.MFADone {
		http.Redirect(w, r, "/sign-in/second-factor", http.StatusSeeOther)
		return
	}
	s.rememberDevice(w, r, res.Person.ID)
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// rememberDevice marks this browser as known for the person, once the
// sign-in is complete.
func (s *Server) rememberDevice(w http.ResponseWriter, r *http.Request, personID string) {
	tok, err := s.Auth.RememberDevice(r.Context(), s.deviceToken(r), personID)
	if err != nil {
		s.Log.Warn("cannot remember the device", "err", err.Error())
		return
	}
	http.SetCookie(w, &http.Cookie{Name: s.deviceCookie(), Value: tok, Path: "/", MaxAge: 365 * 24 * 3600,
		HttpOnly: true, Secure: s.Secure, SameSite: http.SameSiteLaxMode})
}

func (s *Server) signOut(w http.ResponseWriter, r *http.Request) {
	cur := currentOf(r)
	if err := s.Auth.SignOut(r.Context(), cur.token, cur.session.PersonID, clientIP(r)); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.setSessionCookie(w, "", -1)
	http.Redirect(w, r, "/sign-in", http.StatusSeeOther)
}

// setLanguage stores the chosen language in a cookie and returns to the page.
func (s *Server) setLanguage(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 4<<10)
	lang := r.PostFormValue("lang")
	next := localPath(r.PostFormValue("next"), "/")
	if lang == "fr" || lang == "en" {
		http.SetCookie(w, &http.Cookie{Name: "lang", Value: lang, Path: "/", MaxAge: 365 * 24 * 3600,
			HttpOnly: true, Secure: s.Secure, SameSite: http.SameSiteLaxMode})
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// localPath returns next when it can only name a page of this site, else
// fallback. It is the one check of every redirect target a request names
// ("next" parameters). Accepted: a path starting with one "/", at most 200
// bytes of printable ASCII, without a backslash or "//" anywhere, that
// parses with neither scheme nor host. Browsers drop tabs and newlines
// from a Location and read a backslash as a slash, so "/\t/evil.example",
// "/\\evil.example" and "//evil.example" would all leave the site.
func localPath(next, fallback string) string {
	if next == "" || len(next) > 200 || next[0] != '/' || strings.Contains(next, "//") {
		return fallback
	}
	for i := 0; i < len(next); i++ {
		if c := next[i]; c <= ' ' || c >= 0x7f || c == '\\' {
			return fallback
		}
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.Opaque != "" || u.User != nil {
		return fallback
	}
	return next
}

func (s *Server) legal(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "legal", "legal.title", nil)
}
