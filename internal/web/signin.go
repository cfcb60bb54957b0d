package web

import (
	"errors"
	"net/http"
	"strings"

	"cartable/internal/auth"
)

type signInData struct {
	Login string // kept when the form fails
	Error string // catalog key
	Next  string
}

func (s *Server) signInForm(w http.ResponseWriter, r *http.Request) {
	if currentOf(r) != nil {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	s.render(w, r, http.StatusOK, "signin", "signin.title", signInData{})
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
	_, token, err := s.Auth.SignIn(r.Context(), login, password, r.UserAgent(), clientIP(r))
	if errors.Is(err, auth.ErrInvalidCredentials) {
		data.Error = "signin.invalid"
		s.render(w, r, http.StatusUnauthorized, "signin", "signin.title", data)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	// A previous session cookie of this browser is ended: the identifier
	// always changes at sign-in.
	if c, err := r.Cookie(s.cookieName()); err == nil && c.Value != "" {
		_ = s.Sessions.Revoke(r.Context(), c.Value)
	}
	s.setSessionCookie(w, token, 0)
	http.Redirect(w, r, "/", http.StatusSeeOther)
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
	next := r.PostFormValue("next")
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.Contains(next, "\\") {
		next = "/"
	}
	if lang == "fr" || lang == "en" {
		http.SetCookie(w, &http.Cookie{Name: "lang", Value: lang, Path: "/", MaxAge: 365 * 24 * 3600,
			HttpOnly: true, Secure: s.Secure, SameSite: http.SameSiteLaxMode})
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (s *Server) legal(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "legal", "legal.title", nil)
}
