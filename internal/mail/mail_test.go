package mail_test

import (
	"context"
	"io"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strconv"
	"strings"
	"testing"
	"time"

	cmail "cartable/internal/mail"
	"cartable/internal/mail/smtptest"
)

func TestSendToARealSMTPServer(t *testing.T) {
	srv, err := smtptest.Start()
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	host, port, _ := net.SplitHostPort(srv.Addr)
	p, _ := strconv.Atoi(port)
	s := &cmail.SMTP{Host: host, Port: p, From: "Cartable <ent@college.example.fr>", Security: cmail.None}
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	body := "Bonjour Élodie,\n\nVoici un lien très long : https://ent.example.fr/password/reset/" + strings.Repeat("x", 90) + "\n"
	if err := s.Send(context.Background(), cmail.Message{To: "elodie@example.org", Subject: "Cartable : sécurité", Body: body}); err != nil {
		t.Fatal(err)
	}
	var m smtptest.Message
	select {
	case m = <-srv.Messages:
	case <-time.After(10 * time.Second):
		t.Fatal("no message received")
	}
	if m.From != "ent@college.example.fr" || len(m.To) != 1 || m.To[0] != "elodie@example.org" {
		t.Fatalf("envelope %q → %q", m.From, m.To)
	}
	msg, err := mail.ReadMessage(strings.NewReader(m.Data))
	if err != nil {
		t.Fatal(err)
	}
	subj, err := new(mimeDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil || subj != "Cartable : sécurité" {
		t.Errorf("subject %q (%v)", subj, err)
	}
	raw, _ := io.ReadAll(quotedprintable.NewReader(msg.Body))
	if got := strings.ReplaceAll(string(raw), "\r\n", "\n"); got != body {
		t.Errorf("body:\n%q\nwant\n%q", got, body)
	}
	if msg.Header.Get("Message-ID") == "" || msg.Header.Get("Date") == "" {
		t.Error("missing Message-ID or Date")
	}
}

func TestStartTLSIsRequiredByDefault(t *testing.T) {
	srv, err := smtptest.Start()
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	host, port, _ := net.SplitHostPort(srv.Addr)
	p, _ := strconv.Atoi(port)
	s := &cmail.SMTP{Host: host, Port: p, From: "ent@college.example.fr"}
	err = s.Send(context.Background(), cmail.Message{To: "a@example.org", Subject: "x", Body: "x"})
	if err == nil || !strings.Contains(err.Error(), "STARTTLS") {
		t.Fatalf("sending in clear to a server without STARTTLS: %v", err)
	}
	select {
	case <-srv.Messages:
		t.Fatal("a message was sent in clear")
	default:
	}
}

func TestBadSettingsAndMessages(t *testing.T) {
	for _, s := range []cmail.SMTP{{Host: "h", Port: 0, From: "a@b.fr"}, {Host: "h", Port: 25, From: "pas une adresse"}, {Host: "h", Port: 25, From: "a@b.fr", Security: "ssl"}} {
		if err := s.Validate(); err == nil {
			t.Errorf("%+v validated", s)
		}
	}
	var none *cmail.SMTP
	if err := none.Send(context.Background(), cmail.Message{}); err != cmail.ErrNotConfigured {
		t.Errorf("unconfigured: %v", err)
	}
	s := &cmail.SMTP{Host: "127.0.0.1", Port: 1, From: "a@b.fr", Security: cmail.None}
	if err := s.Send(context.Background(), cmail.Message{To: "x@y.fr", Subject: "a\r\nBcc: z@y.fr", Body: "x"}); err == nil || !strings.Contains(err.Error(), "line break") {
		t.Errorf("header injection: %v", err)
	}
}

type mimeDecoder = mime.WordDecoder

// Extra headers are written as given, and refused when they could inject
// another header; with HTML the message is a multipart/alternative whose
// boundary appears in neither part.
func TestHeadersAndAlternative(t *testing.T) {
	from, _ := mail.ParseAddress("Cartable <ent@college.example.fr>")
	to, _ := mail.ParseAddress("a@example.org")
	raw := cmail.Format(from, to, cmail.Message{Subject: "Objet", Body: "texte =_ à", HTML: "<p>texte =_ à</p>",
		Headers: map[string]string{"List-Unsubscribe": "<https://ent.example.fr/u/x>"}}, time.Now())
	msg, err := mail.ReadMessage(strings.NewReader(string(raw)))
	if err != nil {
		t.Fatal(err)
	}
	if msg.Header.Get("List-Unsubscribe") != "<https://ent.example.fr/u/x>" {
		t.Errorf("List-Unsubscribe %q", msg.Header.Get("List-Unsubscribe"))
	}
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/alternative" {
		t.Fatalf("Content-Type %q", msg.Header.Get("Content-Type"))
	}
	if n := strings.Count(string(raw), params["boundary"]); n != 4 {
		t.Errorf("the boundary appears %d times, want 4 (header, two parts, end)", n)
	}
	s := &cmail.SMTP{Host: "127.0.0.1", Port: 1, From: "a@b.fr", Security: cmail.None}
	for _, h := range []map[string]string{{"X-A": "v\r\nBcc: z@y.fr"}, {"X-A\r\nBcc": "z@y.fr"}, {"X A": "v"}, {"": "v"}} {
		if err := s.Send(context.Background(), cmail.Message{To: "x@y.fr", Subject: "s", Body: "x", Headers: h}); err == nil || !strings.Contains(err.Error(), "malformed") {
			t.Errorf("header %q: %v", h, err)
		}
	}
}
