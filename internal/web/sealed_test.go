package web_test

import (
	"bytes"
	"context"
	"encoding/base32"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"cartable/internal/auth"
	"cartable/internal/db"
	"cartable/internal/demo"
	"cartable/internal/files"
	"cartable/internal/web"
)

// withDataDir returns a copy of e served by a new server whose file store
// (and so the key that seals second factors) lives in dataDir, as a
// restarted server over the same database and data directory.
func (e *env) withDataDir(t *testing.T, dataDir string) *env {
	t.Helper()
	store, err := files.Open(dataDir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.CheckKeys(context.Background(), e.db); err != nil {
		t.Fatal(err)
	}
	s, err := web.New(web.Options{DB: e.db, BaseURL: "http://127.0.0.1", Log: slog.New(slog.DiscardHandler), Files: store})
	if err != nil {
		t.Fatal(err)
	}
	s.Now, s.Sessions.Now = e.clock.Now, e.clock.Now
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(ts.Close)
	c := *e
	c.srv, c.ts = s, ts
	return &c
}

// dump is what a copy of the database shows: on SQLite the bytes of the
// file and its log, on PostgreSQL every column of every row of the second
// factors' tables, as text.
func (e *env) dump(t *testing.T) []byte {
	t.Helper()
	ctx := context.Background()
	if e.db.Dialect() == db.SQLite {
		var path string
		if err := e.db.QueryRow(ctx, `SELECT file FROM pragma_database_list WHERE name = 'main'`).Scan(&path); err != nil {
			t.Fatal(err)
		}
		var out []byte
		for _, p := range []string{path, path + "-wal"} {
			b, err := os.ReadFile(p)
			if err != nil && !errors.Is(err, os.ErrNotExist) {
				t.Fatal(err)
			}
			out = append(out, b...)
		}
		return out
	}
	var out []byte
	for _, q := range []string{`SELECT CAST(t.* AS text) FROM totp_credentials t`, `SELECT CAST(w.* AS text) FROM webauthn_credentials w`,
		`SELECT CAST(k.* AS text) FROM instance_keys k`} {
		rows, err := e.db.Query(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var s string
			rows.Scan(&s)
			out = append(out, s...)
		}
		rows.Close()
	}
	return out
}

func TestSecondFactorsAreSealedAndSurviveAKeyRotation(t *testing.T) {
	base := newEnv(t, 40)
	base.requireMFA()
	data := t.TempDir()
	e := base.withDataDir(t, data)
	ctx := context.Background()
	teachers := []demo.Account{}
	for _, a := range e.accounts {
		if a.Profile == "teacher" && len(teachers) < 2 {
			teachers = append(teachers, a)
		}
	}
	// One teacher sets up an app, the other a passkey.
	secret := e.enrolAppAtSignIn(teachers[0].Login)
	k := e.passkeys(t)
	b, csrf := e.passwordOnly(teachers[1].Login)
	if begin, finish := b.registerPasskey(t, k, csrf); begin.status != 200 || finish.status != 200 {
		t.Fatalf("passkey enrolment: %d %d", begin.status, finish.status)
	}

	// A copy of the database shows neither the secret nor the public key.
	key, _ := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(secret)
	x := k.priv.PublicKey.X.FillBytes(make([]byte, 32))
	dump := e.dump(t)
	for what, leak := range map[string][]byte{"TOTP secret": []byte(secret), "TOTP key": key, "passkey public key": x} {
		if bytes.Contains(dump, leak) {
			t.Errorf("the database shows the %s", what)
		}
	}
	if n := e.count(`SELECT COUNT(*) FROM totp_credentials WHERE secret <> '' OR secret_sealed IS NULL`); n != 0 {
		t.Errorf("%d TOTP rows in clear", n)
	}
	if n := e.count(`SELECT COUNT(*) FROM webauthn_credentials WHERE credential <> '' OR credential_sealed IS NULL`); n != 0 {
		t.Errorf("%d passkeys in clear", n)
	}
	if n := e.count(`SELECT COUNT(*) FROM instance_keys`); n != 1 {
		t.Fatalf("%d instance keys", n)
	}

	// The operator rotates the master key, servers stopped.
	old, _ := os.ReadFile(filepath.Join(data, "keys", "master.key"))
	res, err := files.Rotate(ctx, e.db, data, files.RotateOptions{})
	if err != nil || res.DataKeys != 1 {
		t.Fatalf("rotation: %+v %v", res, err)
	}
	// A restarted server signs both in with their factors.
	r := e.withDataDir(t, data)
	r.clock.Add(30 * time.Second)
	b1, csrf1 := r.passwordOnly(teachers[0].Login)
	code, _ := auth.TOTPCode(secret, r.clock.Now())
	if resp := b1.post("/sign-in/second-factor", url.Values{"csrf": {csrf1}, "method": {"totp"}, "code": {code}}); resp.status != http.StatusSeeOther {
		t.Fatalf("TOTP after the rotation: %d", resp.status)
	}
	r.passkeys(t)
	b2, csrf2 := r.passwordOnly(teachers[1].Login)
	opts := b2.post("/sign-in/passkey/begin", url.Values{"csrf": {csrf2}})
	if resp := b2.post("/sign-in/passkey/finish", url.Values{"csrf": {csrf2}, "credential": {k.get(t, opts.body)}}); resp.status != 200 {
		t.Fatalf("passkey after the rotation: %d %.200s", resp.status, resp.body)
	}
	// The old master key opens nothing any more: a server given it refuses
	// to start.
	stale := t.TempDir()
	os.MkdirAll(filepath.Join(stale, "keys"), 0o700)
	os.WriteFile(filepath.Join(stale, "keys", "master.key"), old, 0o600)
	s, err := files.Open(stale)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CheckKeys(ctx, e.db); err == nil {
		t.Fatal("the old master key still opens the instance key")
	}
}
