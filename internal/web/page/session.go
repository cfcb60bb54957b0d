package page

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net"
	"net/http"
	"strings"

	"cartable/internal/access"
	"cartable/internal/auth"
	"cartable/internal/directory"
	"cartable/internal/i18n"
)

type ctxKey int

const (
	langKey ctxKey = iota
	sessionKey
)

// WithLanguage takes the interface language from the "lang" cookie;
// French unless the person chose English.
func WithLanguage(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		lang := i18n.Default
		if c, err := r.Cookie("lang"); err == nil && i18n.Supported(c.Value) {
			lang = c.Value
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), langKey, lang)))
	})
}

// Lang is the interface language of the request.
func Lang(r *http.Request) string {
	if l, ok := r.Context().Value(langKey).(string); ok {
		return l
	}
	return i18n.Default
}

// T translates a catalog key in the request's language.
func T(r *http.Request, key string, args ...any) string { return i18n.T(Lang(r), key, args...) }

// Session is the signed-in person of one request.
type Session struct {
	Token   string
	Session auth.Session
	Viewer  *access.Viewer
	Me      directory.Person
}

// CookieName is the session cookie's name.
func (k *Kit) CookieName() string {
	if k.Secure {
		return "__Host-cartable"
	}
	return "cartable"
}

// SetSessionCookie sets (or with maxAge -1 clears) the session cookie.
func (k *Kit) SetSessionCookie(w http.ResponseWriter, token string, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: k.CookieName(), Value: token, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: k.Secure, SameSite: http.SameSiteLaxMode})
}

// WithSession attaches the signed-in person, if any, to the request. A
// stale cookie is cleared.
func (k *Kit) WithSession(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/static/") || r.URL.Path == "/healthz" || r.URL.Path == "/readyz" {
			next.ServeHTTP(w, r)
			return
		}
		c, err := r.Cookie(k.CookieName())
		if err != nil || c.Value == "" {
			next.ServeHTTP(w, r)
			return
		}
		se, err := k.Sessions.Lookup(r.Context(), c.Value)
		if errors.Is(err, auth.ErrNoSession) {
			k.SetSessionCookie(w, "", -1)
			next.ServeHTTP(w, r)
			return
		}
		if err != nil {
			k.ServerError(w, r, err)
			return
		}
		v, err := k.Policy.ViewerAt(r.Context(), k.Facts, se.PersonID, se.DirectoryVersion)
		if err != nil {
			if errors.Is(err, access.ErrInactive) {
				k.SetSessionCookie(w, "", -1)
				next.ServeHTTP(w, r)
				return
			}
			k.ServerError(w, r, err)
			return
		}
		v.SetSecondFactor(se.Strong())
		cur := &Session{Token: c.Value, Session: se, Viewer: v, Me: se.Person}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), sessionKey, cur)))
	})
}

// Current is the signed-in person of the request, or nil.
func Current(r *http.Request) *Session {
	c, _ := r.Context().Value(sessionKey).(*Session)
	return c
}

// Viewer is the viewer of a signedIn request (nil when nobody is signed in).
func Viewer(r *http.Request) *access.Viewer {
	if c := Current(r); c != nil {
		return c.Viewer
	}
	return nil
}

// SignedIn sends anonymous visitors to the sign-in page, sessions that
// owe their second factor to it, and checks the form token of every
// state-changing request. The token is derived from the session secret,
// which script on another site cannot read.
func (k *Kit) SignedIn(h http.HandlerFunc) http.HandlerFunc { return k.requireSession(h, true) }

// PartlySignedIn is SignedIn for the pages a session may reach while it
// still owes its second factor (or an enrolment): those of the second
// factor itself. Every other page sends such a session there.
func (k *Kit) PartlySignedIn(h http.HandlerFunc) http.HandlerFunc {
	return k.requireSession(h, false)
}

func (k *Kit) requireSession(h http.HandlerFunc, complete bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		cur := Current(r)
		if cur == nil {
			if r.Method == http.MethodGet {
				http.Redirect(w, r, "/sign-in", http.StatusSeeOther)
				return
			}
			k.Error(w, r, http.StatusForbidden, "error.session")
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			if r.PostFormValue("csrf") != CSRFToken(cur.Token) {
				k.Error(w, r, http.StatusForbidden, "error.csrf")
				return
			}
		}
		if complete && !cur.Session.MFADone {
			if r.Method == http.MethodGet {
				http.Redirect(w, r, "/sign-in/second-factor", http.StatusSeeOther)
				return
			}
			k.Error(w, r, http.StatusForbidden, "error.mfa")
			return
		}
		h(w, r)
	}
}

// CSRFToken is the form token of a session.
func CSRFToken(sessionToken string) string {
	sum := sha256.Sum256([]byte("cartable-form:" + sessionToken))
	return base64.RawURLEncoding.EncodeToString(sum[:18])
}

// ClientIP is the peer address (web.fromTrustedProxy has already put the
// client named by trusted proxies there).
func ClientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
