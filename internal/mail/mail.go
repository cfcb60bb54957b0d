// Package mail sends the messages Cartable writes itself (password reset
// links, notices of a locked account, notifications and their digests)
// through the SMTP server the operator configured, as plain text or as
// text and HTML alternatives. Nothing is sent when no server is
// configured.
package mail

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/smtp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Message is one e-mail: plain text, and optionally an HTML alternative
// of the same content (sent then as multipart/alternative).
type Message struct {
	To      string
	Subject string
	Body    string // plain text, always sent
	HTML    string // a whole HTML document, or "" for text only
	// Headers are extra header fields (List-Unsubscribe…), written as
	// given after a check that they hold no line break.
	Headers map[string]string
	// ID, when set, makes the Message-ID (with the sender's domain): a
	// job sent again after a replica died mid-send carries the same one,
	// so that mailboxes that drop duplicates (and threading) see one
	// message. Random when empty.
	ID string
}

// Sender is what the domains need to send mail.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// ErrNotConfigured is returned when no SMTP server is configured.
var ErrNotConfigured = errors.New("mail: no SMTP server configured")

// Security modes of the connection to the SMTP server.
const (
	StartTLS = "starttls" // plain connection upgraded with STARTTLS (port 587); required
	TLS      = "tls"      // TLS from the first byte (port 465)
	None     = "none"     // no encryption: only for a relay on the same host
)

// SMTP sends through one SMTP server.
type SMTP struct {
	Host     string
	Port     int
	Username string
	Password string
	From     string // address of the sender, e.g. "Cartable <ent@college.example.fr>"
	Security string // StartTLS (default), TLS or None
	// TLSConfig overrides the TLS settings (tests trust their own CA).
	TLSConfig *tls.Config
	Timeout   time.Duration
}

// Configured reports whether a server is set.
func (s *SMTP) Configured() bool { return s != nil && s.Host != "" }

// Validate checks the settings, for a one-line error at start.
func (s *SMTP) Validate() error {
	if !s.Configured() {
		return nil
	}
	if s.Port <= 0 || s.Port > 65535 {
		return fmt.Errorf("mail: SMTP port %d is not a port number", s.Port)
	}
	switch s.Security {
	case "", StartTLS, TLS, None:
	default:
		return fmt.Errorf("mail: SMTP security %q: use starttls, tls or none", s.Security)
	}
	if _, err := mail.ParseAddress(s.From); err != nil {
		return fmt.Errorf("mail: SMTP sender %q is not an e-mail address", s.From)
	}
	return nil
}

// Send delivers m, or returns why it could not.
func (s *SMTP) Send(ctx context.Context, m Message) error {
	if !s.Configured() {
		return ErrNotConfigured
	}
	from, err := mail.ParseAddress(s.From)
	if err != nil {
		return fmt.Errorf("mail: sender: %w", err)
	}
	to, err := mail.ParseAddress(m.To)
	if err != nil {
		return fmt.Errorf("mail: recipient is not an address")
	}
	if strings.ContainsAny(m.Subject, "\r\n") {
		return errors.New("mail: subject holds a line break")
	}
	for k, v := range m.Headers {
		if strings.ContainsAny(k+v, "\r\n") || k == "" || strings.ContainsAny(k, ": ") {
			return fmt.Errorf("mail: header %q is malformed", k)
		}
	}
	timeout := s.Timeout
	if timeout == 0 {
		timeout = 20 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	addr := net.JoinHostPort(s.Host, strconv.Itoa(s.Port))
	tlsConf := s.TLSConfig
	if tlsConf == nil {
		tlsConf = &tls.Config{ServerName: s.Host, MinVersion: tls.VersionTLS12}
	}
	var conn net.Conn
	d := &net.Dialer{}
	if s.Security == TLS {
		conn, err = (&tls.Dialer{NetDialer: d, Config: tlsConf}).DialContext(ctx, "tcp", addr)
	} else {
		conn, err = d.DialContext(ctx, "tcp", addr)
	}
	if err != nil {
		return fmt.Errorf("mail: cannot reach %s: %w", addr, err)
	}
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
	c, err := smtp.NewClient(conn, s.Host)
	if err != nil {
		conn.Close()
		return fmt.Errorf("mail: %s: %w", addr, err)
	}
	defer c.Close()
	if err := c.Hello(helloName(from.Address)); err != nil {
		return fmt.Errorf("mail: HELO: %w", err)
	}
	if s.Security == "" || s.Security == StartTLS {
		if ok, _ := c.Extension("STARTTLS"); !ok {
			return fmt.Errorf("mail: %s does not offer STARTTLS; refusing to send in clear", addr)
		}
		if err := c.StartTLS(tlsConf); err != nil {
			return fmt.Errorf("mail: STARTTLS: %w", err)
		}
	}
	if s.Username != "" {
		if err := c.Auth(smtp.PlainAuth("", s.Username, s.Password, s.Host)); err != nil {
			return fmt.Errorf("mail: authentication: %w", err)
		}
	}
	if err := c.Mail(from.Address); err != nil {
		return fmt.Errorf("mail: MAIL FROM: %w", err)
	}
	if err := c.Rcpt(to.Address); err != nil {
		return fmt.Errorf("mail: RCPT TO: %w", err)
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("mail: DATA: %w", err)
	}
	if _, err := w.Write(Format(from, to, m, time.Now())); err != nil {
		return fmt.Errorf("mail: writing the message: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("mail: message refused: %w", err)
	}
	return c.Quit()
}

func helloName(from string) string {
	if i := strings.LastIndexByte(from, '@'); i >= 0 {
		return from[i+1:]
	}
	return "localhost"
}

// Format writes the message with its headers: UTF-8 text,
// quoted-printable, the subject encoded as RFC 2047 words when it is not
// ASCII; with an HTML alternative, a multipart/alternative whose text part
// comes first (RFC 2046: the last part is the preferred one).
func Format(from, to *mail.Address, m Message, now time.Time) []byte {
	var b strings.Builder
	var id [12]byte
	rand.Read(id[:])
	hdr := func(k, v string) { b.WriteString(k + ": " + v + "\r\n") }
	hdr("From", from.String())
	hdr("To", to.String())
	hdr("Subject", mime.QEncoding.Encode("utf-8", m.Subject))
	hdr("Date", now.Format(time.RFC1123Z))
	local := hex.EncodeToString(id[:])
	if m.ID != "" {
		local = m.ID
	}
	hdr("Message-ID", "<"+local+"@"+helloName(from.Address)+">")
	hdr("MIME-Version", "1.0")
	hdr("Auto-Submitted", "auto-generated")
	keys := make([]string, 0, len(m.Headers))
	for k := range m.Headers {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		hdr(k, m.Headers[k])
	}
	if m.HTML == "" {
		hdr("Content-Type", "text/plain; charset=utf-8")
		hdr("Content-Transfer-Encoding", "quoted-printable")
		b.WriteString("\r\n")
		writeQP(&b, m.Body)
		return []byte(b.String())
	}
	var bnd [12]byte
	rand.Read(bnd[:])
	// "=_" cannot occur in quoted-printable text: the boundary never
	// appears in a part.
	boundary := "=_" + hex.EncodeToString(bnd[:])
	hdr("Content-Type", `multipart/alternative; boundary="`+boundary+`"`)
	b.WriteString("\r\n")
	for _, part := range []struct{ typ, body string }{{"text/plain", m.Body}, {"text/html", m.HTML}} {
		b.WriteString("--" + boundary + "\r\n")
		hdr("Content-Type", part.typ+"; charset=utf-8")
		hdr("Content-Transfer-Encoding", "quoted-printable")
		b.WriteString("\r\n")
		writeQP(&b, part.body)
	}
	b.WriteString("--" + boundary + "--\r\n")
	return []byte(b.String())
}

// writeQP writes text quoted-printable with CRLF line ends, ending with one.
func writeQP(b *strings.Builder, text string) {
	qp := quotedprintable.NewWriter(b)
	qp.Write([]byte(strings.ReplaceAll(strings.ReplaceAll(text, "\r\n", "\n"), "\n", "\r\n")))
	qp.Close()
	if !strings.HasSuffix(b.String(), "\r\n") {
		b.WriteString("\r\n")
	}
}
