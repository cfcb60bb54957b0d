package delivery_test

import (
	"context"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"cartable/internal/delivery"
	"cartable/internal/i18n"
	"cartable/internal/mail/smtptest"
	"cartable/internal/notify"
)

// parsedMail is one received e-mail read as a mail client would.
type parsedMail struct {
	header     mail.Header
	subject    string
	text, html string
}

// receivedParsed waits for the next e-mail and reads it with net/mail and
// mime/multipart: a multipart/alternative of exactly a text/plain then a
// text/html part, each UTF-8 and quoted-printable.
func receivedParsed(t *testing.T, s *smtptest.Server) (smtptest.Message, parsedMail) {
	t.Helper()
	var m smtptest.Message
	select {
	case m = <-s.Messages:
	case <-time.After(5 * time.Second):
		t.Fatal("no e-mail received")
	}
	msg, err := mail.ReadMessage(strings.NewReader(m.Data))
	if err != nil {
		t.Fatal(err)
	}
	p := parsedMail{header: msg.Header}
	if p.subject, err = new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject")); err != nil {
		t.Fatalf("subject %q: %v", msg.Header.Get("Subject"), err)
	}
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/alternative" || params["boundary"] == "" {
		t.Fatalf("Content-Type %q (%v)", msg.Header.Get("Content-Type"), err)
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	var types []string
	for {
		part, err := mr.NextRawPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		ct, cp, err := mime.ParseMediaType(part.Header.Get("Content-Type"))
		if err != nil || cp["charset"] != "utf-8" {
			t.Fatalf("part Content-Type %q", part.Header.Get("Content-Type"))
		}
		if cte := part.Header.Get("Content-Transfer-Encoding"); cte != "quoted-printable" {
			t.Fatalf("part %s encoded %q", ct, cte)
		}
		raw, err := io.ReadAll(part)
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(strings.ReplaceAll(string(raw), "\r\n", "\n"), "\n") {
			if len(line) > 76 {
				t.Fatalf("a line of %d characters in the %s part", len(line), ct)
			}
		}
		dec, err := io.ReadAll(quotedprintable.NewReader(strings.NewReader(string(raw))))
		if err != nil {
			t.Fatalf("%s part: %v", ct, err)
		}
		types = append(types, ct)
		switch ct {
		case "text/plain":
			p.text = strings.ReplaceAll(string(dec), "\r\n", "\n")
		case "text/html":
			p.html = string(dec)
		}
	}
	if strings.Join(types, ",") != "text/plain,text/html" {
		t.Fatalf("parts %v, want text/plain then text/html", types)
	}
	return m, p
}

// voidElements have no end tag.
var voidElements = map[string]bool{"meta": true, "br": true, "hr": true, "link": true, "img": true, "input": true}

// checkHTML fails unless doc is a well-formed document (every element
// closed in order) in lang, self-contained (no image, style sheet, script
// nor frame; links only to base), with a heading.
func checkHTML(t *testing.T, doc, lang, base string) {
	t.Helper()
	if !strings.HasPrefix(doc, "<!DOCTYPE html>") {
		t.Errorf("no doctype: %.40q", doc)
	}
	z := html.NewTokenizer(strings.NewReader(doc))
	var stack []string
	seen := map[string]int{}
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			if z.Err() != io.EOF {
				t.Fatal(z.Err())
			}
			break
		}
		tok := z.Token()
		switch tt {
		case html.StartTagToken, html.SelfClosingTagToken:
			seen[tok.Data]++
			switch tok.Data {
			case "img", "script", "style", "link", "iframe", "object", "embed", "form":
				t.Errorf("the HTML part holds <%s>", tok.Data)
			}
			for _, a := range tok.Attr {
				switch {
				case a.Key == "src" || a.Key == "srcset" || a.Key == "background":
					t.Errorf("<%s %s=%q>: a remote resource", tok.Data, a.Key, a.Val)
				case a.Key == "href" && !strings.HasPrefix(a.Val, base+"/"):
					t.Errorf("a link outside the instance: %q", a.Val)
				case a.Key == "style" && strings.Contains(a.Val, "url("):
					t.Errorf("a style loading %q", a.Val)
				case tok.Data == "html" && a.Key == "lang" && a.Val != lang:
					t.Errorf("lang=%q, want %q", a.Val, lang)
				}
			}
			if tok.Data == "html" && len(tok.Attr) == 0 {
				t.Error("<html> declares no language")
			}
			if tt == html.StartTagToken && !voidElements[tok.Data] {
				stack = append(stack, tok.Data)
			}
		case html.EndTagToken:
			if len(stack) == 0 || stack[len(stack)-1] != tok.Data {
				t.Fatalf("</%s> closes %v", tok.Data, stack)
			}
			stack = stack[:len(stack)-1]
		}
	}
	if len(stack) > 0 {
		t.Errorf("elements left open: %v", stack)
	}
	for _, el := range []string{"html", "head", "title", "body", "h1", "a"} {
		if seen[el] == 0 {
			t.Errorf("no <%s>", el)
		}
	}
	if strings.Contains(doc, "<style") || strings.Contains(doc, "http://") {
		t.Error("a style sheet or an http link")
	}
}

var unsubLink = regexp.MustCompile(`^<(https://ent\.example\.fr/notifications/unsubscribe/([A-Za-z0-9_-]+))>$`)

// An immediate notice is sent as text and HTML, in the person's language,
// with the headers a mail client needs and the one-click unsubscribe.
func TestNoticeMailTextAndHTML(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, "alice")
	srv, smtp := smtpServer(t)
	f.del.Mail = smtp
	unsub, err := delivery.NewUnsubscriber([]byte(strings.Repeat("k", 32)))
	if err != nil {
		t.Fatal(err)
	}
	f.del.Unsubscribe = unsub
	s, _ := delivery.Mine(ctx, f.viewer("alice"), f.d)
	s.Lang = "en"
	s.SetMode(delivery.SchoolLife, delivery.Email, delivery.Immediate)
	if err := delivery.Save(ctx, f.viewer("alice"), f.d, s); err != nil {
		t.Fatal(err)
	}
	f.notice(t, "alice", "absence", `Léa <b> & "co"`, f.now)
	before := time.Now().Add(-time.Second)
	if _, err := f.del.Dispatch(ctx, sys); err != nil {
		t.Fatal(err)
	}
	f.drain(t)
	m, p := receivedParsed(t, srv)
	if len(m.To) != 1 || m.To[0] != "alice@example.org" {
		t.Fatalf("sent to %v", m.To)
	}
	h := p.header
	if p.subject != "Cartable: new notification" {
		t.Errorf("subject %q", p.subject)
	}
	if d, err := mail.ParseDate(h.Get("Date")); err != nil || d.Before(before) || d.After(time.Now().Add(time.Second)) {
		t.Errorf("Date %q (%v)", h.Get("Date"), err)
	}
	if id := h.Get("Message-ID"); !regexp.MustCompile(`^<[0-9a-f]{24}@example\.fr>$`).MatchString(id) {
		t.Errorf("Message-ID %q", id)
	}
	for k, want := range map[string]string{"Auto-Submitted": "auto-generated", "MIME-Version": "1.0",
		"List-Unsubscribe-Post": "List-Unsubscribe=One-Click", "To": "<alice@example.org>"} {
		if got := h.Get(k); got != want {
			t.Errorf("%s: %q, want %q", k, got, want)
		}
	}
	lu := unsubLink.FindStringSubmatch(h.Get("List-Unsubscribe"))
	if lu == nil {
		t.Fatalf("List-Unsubscribe %q", h.Get("List-Unsubscribe"))
	}
	stop, err := unsub.Open(lu[2])
	if err != nil || stop.Person != f.people["alice"].ID || stop.Category != delivery.SchoolLife || stop.Digest != "" {
		t.Fatalf("the link's token: %+v %v", stop, err)
	}
	if strings.Contains(lu[2], f.people["alice"].ID) {
		t.Error("the person's ID is readable in the link")
	}
	text := `en:absence:Léa <b> & "co"`
	for _, want := range []string{text, "https://ent.example.fr/school-life", "https://ent.example.fr/notifications/settings", lu[1]} {
		if !strings.Contains(p.text, want) {
			t.Errorf("the text part lacks %q:\n%s", want, p.text)
		}
	}
	checkHTML(t, p.html, "en", "https://ent.example.fr")
	for _, want := range []string{`<a href="https://ent.example.fr/school-life"`, `en:absence:Léa &lt;b&gt; &amp; &#34;co&#34;</a>`,
		`<h1 style="font-size:22px;line-height:1.3;margin:0 0 16px;color:#1a1a1a">Cartable: new notification</h1>`,
		`href="https://ent.example.fr/notifications/settings"`, `href="` + lu[1] + `"`, "Stop e-mails about “Absences and school life”"} {
		if !strings.Contains(p.html, want) {
			t.Errorf("the HTML part lacks %s:\n%s", want, p.html)
		}
	}
}

// The daily digest in French: an RFC 2047 subject, a list in HTML, read
// notices marked, and a link that stops that digest.
func TestDigestMailTextAndHTML(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, "alice")
	srv, smtp := smtpServer(t)
	f.del.Mail = smtp
	unsub, _ := delivery.NewUnsubscriber([]byte(strings.Repeat("k", 32)))
	f.del.Unsubscribe = unsub
	f.notice(t, "alice", "absence", "Léa", f.now)
	f.notice(t, "alice", "marks", "Léa", f.now.Add(time.Hour))
	if err := notify.MarkAllRead(ctx, f.viewer("alice"), f.d); err != nil {
		t.Fatal(err)
	}
	f.now = time.Date(2026, 12, 4, 18, 5, 0, 0, i18n.Zone)
	if _, err := f.del.ScheduleDigests(ctx, sys); err != nil {
		t.Fatal(err)
	}
	f.drain(t)
	m, p := receivedParsed(t, srv)
	if raw := p.header.Get("Subject"); !strings.HasPrefix(raw, "=?utf-8?q?") {
		t.Errorf("raw subject %q is not an RFC 2047 encoded word", raw)
	}
	if p.subject != "Cartable : le récapitulatif du jour" {
		t.Errorf("subject %q", p.subject)
	}
	if strings.Contains(m.Data, "é") {
		t.Error("8-bit text on the wire: the parts should be quoted-printable")
	}
	checkHTML(t, p.html, "fr", "https://ent.example.fr")
	if n := strings.Count(p.html, `<li style="margin:0 0 12px"><span style="color:#4d4d4d">(déjà lue)</span> <a`); n != 2 {
		t.Errorf("%d notices listed in HTML, want 2:\n%s", n, p.html)
	}
	for _, want := range []string{"2 notifications aujourd", "(déjà lue)", "fr:absence:Léa", "fr:marks:Léa", "Ne plus recevoir le récapitulatif du jour"} {
		if !strings.Contains(p.html, want) || !strings.Contains(p.text, want) {
			t.Errorf("a part lacks %q:\ntext:\n%s\nhtml:\n%s", want, p.text, p.html)
		}
	}
	lu := unsubLink.FindStringSubmatch(p.header.Get("List-Unsubscribe"))
	if lu == nil {
		t.Fatalf("List-Unsubscribe %q", p.header.Get("List-Unsubscribe"))
	}
	if stop, err := unsub.Open(lu[2]); err != nil || stop.Digest != delivery.Daily || stop.Category != "" {
		t.Fatalf("the digest's link: %+v %v", stop, err)
	}
}

// Over plain http (a test instance) no List-Unsubscribe header is sent:
// RFC 8058 wants https; the footer keeps the link.
func TestNoUnsubscribeHeaderOverHTTP(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, "alice")
	srv, smtp := smtpServer(t)
	f.del.Mail, f.del.BaseURL = smtp, "http://127.0.0.1:8080"
	f.del.Unsubscribe, _ = delivery.NewUnsubscriber([]byte(strings.Repeat("k", 32)))
	s, _ := delivery.Mine(ctx, f.viewer("alice"), f.d)
	s.SetMode(delivery.Marks, delivery.Email, delivery.Immediate)
	if err := delivery.Save(ctx, f.viewer("alice"), f.d, s); err != nil {
		t.Fatal(err)
	}
	f.notice(t, "alice", "marks", "Léa", f.now)
	f.del.Dispatch(ctx, sys)
	f.drain(t)
	_, p := receivedParsed(t, srv)
	if p.header.Get("List-Unsubscribe") != "" || p.header.Get("List-Unsubscribe-Post") != "" {
		t.Error("List-Unsubscribe over http")
	}
	if !strings.Contains(p.text, "http://127.0.0.1:8080/notifications/unsubscribe/") {
		t.Errorf("no unsubscribe link in the footer:\n%s", p.text)
	}
}

// Tokens: a genuine one opens until it expires; one altered anywhere,
// made with another key, cut short or made up is refused.
func TestUnsubscribeTokens(t *testing.T) {
	now := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	u, _ := delivery.NewUnsubscriber([]byte(strings.Repeat("k", 32)))
	u.Now = func() time.Time { return now }
	other, _ := delivery.NewUnsubscriber([]byte(strings.Repeat("x", 32)))
	if _, err := delivery.NewUnsubscriber([]byte("short")); err == nil {
		t.Error("a short secret accepted")
	}
	tok := u.Token(delivery.Stop{Person: "P1234", Category: delivery.Marks})
	s, err := u.Open(tok)
	if err != nil || s.Person != "P1234" || s.Category != delivery.Marks || !s.Expires.Equal(now.Add(delivery.UnsubscribeTTL)) {
		t.Fatalf("open: %+v %v", s, err)
	}
	if u.Token(delivery.Stop{Person: "P1234", Category: delivery.Marks}) == tok {
		t.Error("two tokens alike: the token should be randomised")
	}
	raw := []byte(tok)
	for i := range raw {
		alt := append([]byte(nil), raw...)
		if alt[i] == 'A' {
			alt[i] = 'B'
		} else {
			alt[i] = 'A'
		}
		if _, err := u.Open(string(alt)); !errors.Is(err, delivery.ErrBadToken) {
			t.Fatalf("altered at %d: %v", i, err)
		}
	}
	for name, bad := range map[string]string{"other key": other.Token(delivery.Stop{Person: "P1234", Category: delivery.Marks}),
		"truncated": tok[:len(tok)-4], "empty": "", "made up": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "not base64": "…"} {
		if _, err := u.Open(bad); !errors.Is(err, delivery.ErrBadToken) {
			t.Errorf("%s: %v", name, err)
		}
	}
	now = now.Add(delivery.UnsubscribeTTL)
	if _, err := u.Open(tok); !errors.Is(err, delivery.ErrExpiredToken) {
		t.Errorf("expired: %v", err)
	}
}

// Applying a link sets the e-mail of its category off and nothing else;
// a digest's link stops the categories of that digest only.
func TestUnsubscribeChangesOnlyItsCategory(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, "alice", "bob")
	u, _ := delivery.NewUnsubscriber([]byte(strings.Repeat("k", 32)))
	a := f.viewer("alice")
	s, _ := delivery.Mine(ctx, a, f.d)
	s.SetMode(delivery.Marks, delivery.Email, delivery.Immediate)
	s.SetMode(delivery.SchoolLife, delivery.Email, delivery.Immediate)
	s.SetMode(delivery.News, delivery.Email, delivery.Weekly)
	if err := delivery.Save(ctx, a, f.d, s); err != nil {
		t.Fatal(err)
	}
	if _, err := u.Unsubscribe(ctx, f.d, u.Token(delivery.Stop{Person: f.people["alice"].ID, Category: delivery.Marks})); err != nil {
		t.Fatal(err)
	}
	// What each category was before, push included (a relative's homework
	// is off by default on both channels: delivery.DefaultFor).
	s, _ = delivery.Mine(ctx, a, f.d)
	want, push := map[delivery.Category]delivery.Mode{}, map[delivery.Category]delivery.Mode{}
	for _, c := range delivery.Categories {
		want[c], push[c] = s.Mode(c, delivery.Email), s.Mode(c, delivery.Push)
	}
	bob, _ := delivery.Mine(ctx, f.viewer("bob"), f.d)
	bobBefore := map[delivery.Category]delivery.Mode{}
	for _, c := range delivery.Categories {
		bobBefore[c] = bob.Mode(c, delivery.Email)
	}
	if _, err := u.Unsubscribe(ctx, f.d, u.Token(delivery.Stop{Person: f.people["alice"].ID, Category: delivery.Marks})); err != nil {
		t.Fatal(err)
	}
	s, _ = delivery.Mine(ctx, a, f.d)
	want[delivery.Marks] = delivery.Off
	for c, m := range want {
		if got := s.Mode(c, delivery.Email); got != m {
			t.Errorf("after the marks link, %s by e-mail: %s, want %s", c, got, m)
		}
		if got := s.Mode(c, delivery.Push); got != push[c] {
			t.Errorf("after the marks link, %s by push: %s, want %s", c, got, push[c])
		}
	}
	if _, err := u.Unsubscribe(ctx, f.d, u.Token(delivery.Stop{Person: f.people["alice"].ID, Digest: delivery.Daily})); err != nil {
		t.Fatal(err)
	}
	s, _ = delivery.Mine(ctx, a, f.d)
	stopped := 0
	for c, m := range want {
		if m == delivery.Daily {
			want[c] = delivery.Off
			stopped++
		}
	}
	if stopped == 0 {
		t.Fatal("no category by daily digest to stop")
	}
	for c, m := range want {
		if got := s.Mode(c, delivery.Email); got != m {
			t.Errorf("after the daily digest's link, %s by e-mail: %s, want %s", c, got, m)
		}
	}
	b, _ := delivery.Mine(ctx, f.viewer("bob"), f.d)
	for _, c := range delivery.Categories {
		if b.Mode(c, delivery.Email) != bobBefore[c] {
			t.Errorf("bob's %s changed", c)
		}
	}
	// A forged token changes nothing.
	if _, err := u.Unsubscribe(ctx, f.d, "AAAA"); !errors.Is(err, delivery.ErrBadToken) {
		t.Errorf("forged: %v", err)
	}
}

// The key is made once in DATA/keys, mode 0600, and read back the same.
func TestUnsubscribeKeyFile(t *testing.T) {
	dir := t.TempDir()
	u1, err := delivery.LoadUnsubscriber(dir)
	if err != nil {
		t.Fatal(err)
	}
	u2, err := delivery.LoadUnsubscriber(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := u2.Open(u1.Token(delivery.Stop{Person: "P", Category: delivery.News})); err != nil {
		t.Fatalf("a token of the same key refused: %v", err)
	}
	st, err := os.Stat(dir + "/keys/" + delivery.UnsubscribeKeyFile)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v", st, err)
	}
}
