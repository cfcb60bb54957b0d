package web

import (
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"cartable/internal/access"
	"cartable/internal/auth"
	"cartable/internal/directory"
	"cartable/internal/i18n"
)

// The content security policy allows nothing from other hosts and no
// inline script. The only script is static/webauthn.js (passkeys), on the
// pages that offer them; every page works without it.
const csp = "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

func securityHeaders(next http.Handler, secure bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", csp)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()")
		if secure {
			h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
		}
		next.ServeHTTP(w, r)
	})
}

// statusWriter remembers the status and size for the access log.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += n
	return n, err
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// logged writes one structured line per request: the route pattern (not
// the path, which may hold identifiers), status, duration and size. No
// address, no query string, no personal data.
func (s *Server) logged(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		route := new(string)
		next.ServeHTTP(sw, r.WithContext(context.WithValue(r.Context(), routeKey{}, route)))
		if r.URL.Path == "/healthz" || r.URL.Path == "/readyz" {
			return
		}
		pattern := *route
		if pattern == "" {
			pattern = r.Method + " (unmatched)"
		}
		s.Log.LogAttrs(r.Context(), levelFor(sw.status), "request",
			slog.String("route", pattern), slog.Int("status", sw.status),
			slog.Duration("duration", time.Since(start)), slog.Int("bytes", sw.bytes))
	})
}

type routeKey struct{}

// routed passes the pattern the mux matched back to logged: middleware
// between them hands the mux a copy of the request, whose Pattern the
// outer request never sees.
func routed(mux http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mux.ServeHTTP(w, r)
		if p, ok := r.Context().Value(routeKey{}).(*string); ok {
			*p = r.Pattern
		}
	})
}

func levelFor(status int) slog.Level {
	if status >= http.StatusInternalServerError {
		return slog.LevelError
	}
	return slog.LevelInfo
}

func (s *Server) recovered(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.Log.Error("panic while serving", "route", r.Pattern, "panic", fmt.Sprint(v))
				http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
			}
		}()
		next.ServeHTTP(w, r)
	})
}

var gzipPool = sync.Pool{New: func() any {
	w, _ := gzip.NewWriterLevel(io.Discard, gzip.BestSpeed)
	return w
}}

type gzipWriter struct {
	http.ResponseWriter
	gz      *gzip.Writer
	decided bool
	on      bool
}

func (w *gzipWriter) decide() {
	if w.decided {
		return
	}
	w.decided = true
	h := w.Header()
	ct := h.Get("Content-Type")
	if h.Get("Content-Encoding") == "" && (strings.HasPrefix(ct, "text/") || strings.Contains(ct, "json") || strings.Contains(ct, "javascript")) {
		w.on = true
		h.Set("Content-Encoding", "gzip")
		h.Del("Content-Length")
		h.Add("Vary", "Accept-Encoding")
		w.gz = gzipPool.Get().(*gzip.Writer)
		w.gz.Reset(w.ResponseWriter)
	}
}

func (w *gzipWriter) WriteHeader(code int) {
	if code != http.StatusNoContent && code != http.StatusNotModified && code >= 200 {
		w.decide()
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *gzipWriter) Write(b []byte) (int, error) {
	if !w.decided {
		if w.Header().Get("Content-Type") == "" {
			w.Header().Set("Content-Type", http.DetectContentType(b))
		}
		w.decide()
	}
	if w.on {
		return w.gz.Write(b)
	}
	return w.ResponseWriter.Write(b)
}

func (w *gzipWriter) close() {
	if w.on {
		w.gz.Close()
		gzipPool.Put(w.gz)
	}
}

// gzipped compresses text responses for clients that accept it: pages
// weigh a few kilobytes on the wire.
func gzipped(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") || r.Method == http.MethodHead {
			next.ServeHTTP(w, r)
			return
		}
		gw := &gzipWriter{ResponseWriter: w}
		defer gw.close()
		next.ServeHTTP(gw, r)
	})
}

type ctxKey int

const (
	langKey ctxKey = iota
	sessionKey
)

// withLanguage takes the interface language from the "lang" cookie;
// French unless the person chose English.
func withLanguage(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		lang := i18n.Default
		if c, err := r.Cookie("lang"); err == nil && i18n.Supported(c.Value) {
			lang = c.Value
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), langKey, lang)))
	})
}

func langOf(r *http.Request) string {
	if l, ok := r.Context().Value(langKey).(string); ok {
		return l
	}
	return i18n.Default
}

// current is the signed-in person for one request.
type current struct {
	token   string
	session auth.Session
	viewer  *access.Viewer
	me      directory.Person
}

func (s *Server) cookieName() string {
	if s.Secure {
		return "__Host-cartable"
	}
	return "cartable"
}

func (s *Server) setSessionCookie(w http.ResponseWriter, token string, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: s.cookieName(), Value: token, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: s.Secure, SameSite: http.SameSiteLaxMode})
}

// withSession attaches the signed-in person, if any, to the request. A
// stale cookie is cleared.
func (s *Server) withSession(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/static/") || r.URL.Path == "/healthz" || r.URL.Path == "/readyz" {
			next.ServeHTTP(w, r)
			return
		}
		c, err := r.Cookie(s.cookieName())
		if err != nil || c.Value == "" {
			next.ServeHTTP(w, r)
			return
		}
		se, err := s.Sessions.Lookup(r.Context(), c.Value)
		if errors.Is(err, auth.ErrNoSession) {
			s.setSessionCookie(w, "", -1)
			next.ServeHTTP(w, r)
			return
		}
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		v, err := s.Policy.Viewer(r.Context(), se.PersonID)
		if err != nil {
			if errors.Is(err, access.ErrInactive) {
				s.setSessionCookie(w, "", -1)
				next.ServeHTTP(w, r)
				return
			}
			s.serverError(w, r, err)
			return
		}
		cur := &current{token: c.Value, session: se, viewer: v, me: se.Person}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), sessionKey, cur)))
	})
}

func currentOf(r *http.Request) *current {
	c, _ := r.Context().Value(sessionKey).(*current)
	return c
}

// signedIn sends anonymous visitors to the sign-in page and checks the
// form token of every state-changing request. The token is derived from
// the session secret, which script on another site cannot read.
func (s *Server) signedIn(h http.HandlerFunc) http.HandlerFunc { return s.requireSession(h, true) }

// partlySignedIn is signedIn for the pages a session may reach while it
// still owes its second factor (or an enrolment): those of the second
// factor itself. Every other page sends such a session there.
func (s *Server) partlySignedIn(h http.HandlerFunc) http.HandlerFunc {
	return s.requireSession(h, false)
}

func (s *Server) requireSession(h http.HandlerFunc, complete bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		cur := currentOf(r)
		if cur == nil {
			if r.Method == http.MethodGet {
				http.Redirect(w, r, "/sign-in", http.StatusSeeOther)
				return
			}
			s.renderError(w, r, http.StatusForbidden, "error.session")
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			if r.PostFormValue("csrf") != csrfToken(cur.token) {
				s.renderError(w, r, http.StatusForbidden, "error.csrf")
				return
			}
		}
		if complete && !cur.session.MFADone {
			if r.Method == http.MethodGet {
				http.Redirect(w, r, "/sign-in/second-factor", http.StatusSeeOther)
				return
			}
			s.renderError(w, r, http.StatusForbidden, "error.mfa")
			return
		}
		h(w, r)
	}
}

func csrfToken(sessionToken string) string {
	sum := sha256.Sum256([]byte("cartable-form:" + sessionToken))
	return base64.RawURLEncoding.EncodeToString(sum[:18])
}

func (s *Server) crossOriginDenied(w http.ResponseWriter, r *http.Request) {
	s.renderError(w, r, http.StatusForbidden, "error.crossorigin")
}

// clientIP is the peer address; trusted reverse proxies come later.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
