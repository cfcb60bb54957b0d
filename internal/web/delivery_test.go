package web_test

import (
	"crypto/ecdh"
	"crypto/rand"
	"encoding/base64"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

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
	for _, want := range []string{`name="mode_marks_email"`, `<option value="daily" selected>`, `name="quiet_from"`, `Absences et vie scolaire`} {
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
	if r = b.post("/notifications/settings", form); r.status != http.StatusSeeOther {
		t.Fatalf("save: %d %.300s", r.status, r.body)
	}
	r = b.get("/notifications/settings?saved=1")
	for _, want := range []string{`value="22:30"`, `<option value="en" selected>`, `name="mode_marks_email" aria-label="Notes — Par e-mail"><option value="immediate" selected>`} {
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
