package main

import (
	"crypto/tls"
	"log/slog"
	"net/http"
	"path/filepath"
	"time"

	"golang.org/x/crypto/acme"
	"golang.org/x/crypto/acme/autocert"

	"cartable/internal/config"
	"cartable/internal/mail"
)

// transport sets up TLS on srv when the configuration asks for it: from
// certificate files, or from an ACME authority for the public host name
// (certificates cached in DATA/acme). It returns the plain-HTTP server that
// redirects to HTTPS (and answers ACME's HTTP challenges), or nil.
func transport(c *config.Config, srv *http.Server, log *slog.Logger) (*http.Server, error) {
	s := c.Security
	if !s.TLS() {
		return nil, nil
	}
	plain := redirectToHTTPS(c.BaseURL)
	conf := &tls.Config{MinVersion: tls.VersionTLS12}
	if s.TLSCert != "" {
		cert, err := tls.LoadX509KeyPair(s.TLSCert, s.TLSKey)
		if err != nil {
			return nil, err
		}
		conf.Certificates = []tls.Certificate{cert}
	} else {
		m := &autocert.Manager{
			Prompt:     autocert.AcceptTOS,
			HostPolicy: autocert.HostWhitelist(s.ACMEHost),
			Cache:      autocert.DirCache(filepath.Join(c.DataDir, "acme")),
			Email:      s.ACMEEmail,
		}
		if s.ACMEDirectory != "" {
			m.Client = &acme.Client{DirectoryURL: s.ACMEDirectory}
		}
		conf = m.TLSConfig()
		conf.MinVersion = tls.VersionTLS12
		plain = m.HTTPHandler(plain)
		log.Info("TLS certificates by ACME", "host", s.ACMEHost)
	}
	srv.TLSConfig = conf
	if s.RedirectListen == "" {
		return nil, nil
	}
	return &http.Server{Addr: s.RedirectListen, Handler: plain, ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout: 10 * time.Second, WriteTimeout: 10 * time.Second, IdleTimeout: 30 * time.Second,
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}, nil
}

// redirectToHTTPS sends every plain-HTTP request to the same path on the
// public base URL (never to the Host the client named: no open redirect).
func redirectToHTTPS(base string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, base+r.URL.RequestURI(), http.StatusPermanentRedirect)
	})
}

// mailer is the configured SMTP server, or nil.
func mailer(c *config.Config) mail.Sender {
	s := c.Security
	if s.SMTPHost == "" {
		return nil
	}
	return &mail.SMTP{Host: s.SMTPHost, Port: s.SMTPPort, Username: s.SMTPUsername, Password: s.SMTPPassword,
		From: s.SMTPFrom, Security: s.SMTPSecurity}
}
