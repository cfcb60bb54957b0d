package web_test

import (
	"crypto/ecdh"
	"crypto/rand"
	"encoding/base64"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"cartable/internal/delivery"
	"cartable/internal/demo"
	"cartable/internal/roles"
	"cartable/internal/web"
)

// The delivery settings: defaults shown, a bad time refused naming its
// field with what was typed kept, a good form saved; without push the
// page offers no device registration.
func TestDeliverySettingsPage(t *testing.T) {
	e := newEnv(t, 20)
	parent := e.account(func(a demo.Account) bool { return a.Profile == roles.Relative })
	b := e.signIn(parent.Login)
	r := b.get("/notifications/settings")
	if r.status != http.StatusOK {
		t.Fatalf("settings: %d", r.status)
	}
	for _, want := range []string{`name="mode_marks_email"`, `<option value="daily" selected>`, `name="quiet_from"`, `Absences et vie scolaire`,
		`<label for="digest_hour">`, `<option value="18" selected>18:00</option>`} {
		if !strings.Contains(r.body, want) {
			t.Errorf("the page lacks %s", want)
		}
	}
	if strings.Contains(r.body, "push.js") {
		t.Error("push offered without a VAPID key")
	}
	form := url.Values{"csrf": {b.csrf()}, "lang": {"en"}, "mode_marks_email": {"immediate"}, "mode_marks_push": {"off"},
		"quiet": {"1"}, "quiet_from": {"25:99"}, "quiet_to": {"07:00"}}
	r = b.post("/notifications/settings", form)
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "Heures calmes, début") || !strings.Contains(r.body, `value="25:99"`) {
		t.Fatalf("a bad time: %d %.300s", r.status, r.body)
	}
	if r = b.get("/notifications/settings"); strings.Contains(r.body, `<option value="immediate" selected>Tout de suite</option></select></td><td><select name="mode_marks_push"`) {
		t.Fatal("a refused form changed the settings")
	}
	form.Set("quiet_from", "22:30")
	form.Set("digest_hour", "23")
	r = b.post("/notifications/settings", form)
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "Heure des récapitulatifs : choisissez une heure entière") || !strings.Contains(r.body, `value="22:30"`) {
		t.Fatalf("digest at 23:00: %d %.300s", r.status, r.body)
	}
	form.Set("digest_hour", "7")
	if r = b.post("/notifications/settings", form); r.status != http.StatusSeeOther {
		t.Fatalf("save: %d %.300s", r.status, r.body)
	}
	r = b.get("/notifications/settings?saved=1")
	for _, want := range []string{`value="22:30"`, `<option value="en" selected>`, `<option value="7" selected>07:00</option>`, `name="mode_marks_email" aria-label="Notes — Par e-mail"><option value="immediate" selected>`} {
		if !strings.Contains(r.body, want) {
			t.Errorf("after saving, the page lacks %s", want)
		}
	}
	if r = b.post("/notifications/devices", url.Values{"csrf": {b.csrf()}}); r.status != http.StatusNotFound {
		t.Errorf("a device registered without push: %d", r.status)
	}
	if r = e.browser().get("/notifications/settings"); r.status != http.StatusSeeOther {
		t.Errorf("signed out: %d", r.status)
	}
}

// With a VAPID key the page offers push through its own script; a device
// is registered with well-formed keys only, each refusal named.
func TestDevicePushRegistration(t *testing.T) {
	e := newEnv(t, 20)
	key, err := delivery.LoadVAPID(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	s, err := web.New(web.Options{DB: e.db, BaseURL: "http://127.0.0.1", Log: slog.New(slog.DiscardHandler), Push: &delivery.Pusher{Key: key}})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(ts.Close)
	pe := *e
	pe.srv, pe.ts = s, ts
	parent := e.account(func(a demo.Account) bool { return a.Profile == roles.Relative })
	b := pe.signIn(parent.Login)
	r := b.get("/notifications/settings")
	if !strings.Contains(r.body, `<script src="/notifications/push.js" defer>`) || !strings.Contains(r.body, (&delivery.Pusher{Key: key}).PublicKey()) {
		t.Fatalf("push not offered: %.500s", r.body)
	}
	for _, path := range []string{"/notifications/push.js", "/notifications/sw.js"} {
		if r := b.get(path); r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/javascript") {
			t.Errorf("%s: %d %s", path, r.status, r.header.Get("Content-Type"))
		}
	}
	dev, _ := ecdh.P256().GenerateKey(rand.Reader)
	auth := make([]byte, 16)
	rand.Read(auth)
	enc := base64.RawURLEncoding.EncodeToString
	good := url.Values{"csrf": {b.csrf()}, "endpoint": {"https://push.example.net/send/abc"}, "p256dh": {enc(dev.PublicKey().Bytes())}, "auth": {enc(auth)}}
	for field, want := range map[string]string{"endpoint": "Adresse d'envoi", "p256dh": "Clé de l'appareil", "auth": "Secret de l'appareil"} {
		bad := url.Values{}
		for k, v := range good {
			bad[k] = v
		}
		bad.Set(field, "http://x")
		if r := b.post("/notifications/devices", bad); r.status != http.StatusBadRequest || !strings.Contains(r.body, want) {
			t.Errorf("bad %s: %d %q", field, r.status, r.body)
		}
	}
	if r := b.post("/notifications/devices", good); r.status != http.StatusNoContent {
		t.Fatalf("register: %d %s", r.status, r.body)
	}
	if n := e.count(`SELECT COUNT(*) FROM push_subscriptions`); n != 1 {
		t.Fatalf("%d devices stored", n)
	}
	if r := b.get("/notifications/settings"); !strings.Contains(r.body, "1 appareil reçoit") {
		t.Error("the device is not counted")
	}
	if r := b.post("/notifications/devices/forget", url.Values{"csrf": {b.csrf()}}); r.status != http.StatusSeeOther || e.count(`SELECT COUNT(*) FROM push_subscriptions`) != 0 {
		t.Errorf("forget: %d", r.status)
	}
}

// The unsubscribe link of an e-mail, over real HTTP and without any
// session: GET only asks (a link scanner changes nothing); the one-click
// POST of RFC 8058, sent by a mail provider's server, sets that
// category's e-mail off and nothing else; forged and expired links are
// refused with a page saying so, nothing changed.
func TestUnsubscribeLink(t *testing.T) {
	e := newEnv(t, 20)
	unsub, err := delivery.LoadUnsubscriber(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	s, err := web.New(web.Options{DB: e.db, BaseURL: "http://127.0.0.1", Log: slog.New(slog.DiscardHandler), Unsubscribe: unsub})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(ts.Close)
	parent := e.account(func(a demo.Account) bool { return a.Profile == roles.Relative })
	id := e.query(`SELECT id FROM people WHERE login = ?`, parent.Login)[0]
	prefs := func() string {
		return strings.Join(e.query(`SELECT category || '/' || channel || '/' || mode FROM delivery_prefs WHERE person_id = ? ORDER BY category, channel`, id), " ")
	}
	// The person chose marks and school life at once by e-mail, marks by push.
	for _, row := range [][3]string{{"marks", "email", "immediate"}, {"schoollife", "email", "immediate"}, {"marks", "push", "immediate"}} {
		if _, err := e.db.Exec(t.Context(), `INSERT INTO delivery_prefs (person_id, category, channel, mode) VALUES (?, ?, ?, ?)`, id, row[0], row[1], row[2]); err != nil {
			t.Fatal(err)
		}
	}
	before := prefs()
	do := func(method, path string, body string, header map[string]string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(method, ts.URL+path, strings.NewReader(body))
		for k, v := range header {
			req.Header.Set(k, v)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	link := "/notifications/unsubscribe/" + unsub.Token(delivery.Stop{Person: id, Category: delivery.Marks})

	status, body := do("GET", link, "", nil)
	if status != http.StatusOK || !strings.Contains(body, "Ne plus recevoir par e-mail les notifications « Notes » ?") ||
		!strings.Contains(body, `<form method="post" action="`+link+`">`) || !strings.Contains(body, `<button type="submit">`) {
		t.Fatalf("GET: %d %s", status, body)
	}
	if prefs() != before {
		t.Fatal("a GET changed the settings")
	}

	forged := link[:len(link)-3] + "AAA"
	if forged == link {
		forged = link[:len(link)-3] + "BBB"
	}
	oneClick := map[string]string{"Content-Type": "application/x-www-form-urlencoded", "Sec-Fetch-Site": "cross-site", "Origin": "https://mail.example.net"}
	for name, c := range map[string]struct {
		path, want string
		status     int
	}{
		"forged":  {forged, "Ce lien de désinscription n&#39;est pas reconnu", http.StatusBadRequest},
		"garbage": {"/notifications/unsubscribe/not-a-token", "Ce lien de désinscription n&#39;est pas reconnu", http.StatusBadRequest},
		"expired": {"/notifications/unsubscribe/" + expiredToken(t, unsub, id), "Ce lien de désinscription a expiré", http.StatusGone},
	} {
		for _, method := range []string{"GET", "POST"} {
			status, body := do(method, c.path, "List-Unsubscribe=One-Click", oneClick)
			if status != c.status || !strings.Contains(body, c.want) || !strings.Contains(body, `href="/notifications/settings"`) {
				t.Errorf("%s %s: %d %.600s", name, method, status, body)
			}
		}
	}
	if prefs() != before {
		t.Fatal("a refused link changed the settings")
	}

	// The provider's one-click POST: no cookie, no form token, cross-site.
	status, body = do("POST", link, "List-Unsubscribe=One-Click", oneClick)
	if status != http.StatusOK || !strings.Contains(body, "C&#39;est fait : vous ne recevrez plus d&#39;e-mails « Notes ».") {
		t.Fatalf("one-click POST: %d %.600s", status, body)
	}
	if got, want := prefs(), "marks/email/off marks/push/immediate schoollife/email/immediate"; got != want {
		t.Fatalf("after the one-click POST: %q, want %q", got, want)
	}
	// Again: harmless.
	if status, _ := do("POST", link, "List-Unsubscribe=One-Click", oneClick); status != http.StatusOK {
		t.Errorf("second POST: %d", status)
	}
	// Another person's settings are untouched.
	if n := e.count(`SELECT COUNT(*) FROM delivery_prefs WHERE person_id <> ?`, id); n != 0 {
		t.Errorf("%d rows of other people written", n)
	}
}

// expiredToken is a genuine token made 91 days ago.
func expiredToken(t *testing.T, u *delivery.Unsubscriber, person string) string {
	t.Helper()
	old := *u
	old.Now = func() time.Time { return time.Now().Add(-delivery.UnsubscribeTTL - 24*time.Hour) }
	return old.Token(delivery.Stop{Person: person, Category: delivery.Marks})
}
