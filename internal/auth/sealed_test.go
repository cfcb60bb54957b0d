package auth

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cartable/internal/access"
	"cartable/internal/db"
	"cartable/internal/dbtest"
	"cartable/internal/directory"
	"cartable/internal/files"
	"cartable/internal/roles"
)

// testSealer is the sealer a server has: the instance key of a fresh data
// directory's master key.
func testSealer(t *testing.T, d *db.DB) Sealer {
	t.Helper()
	s, err := files.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return s.Sealer(d, files.AccountSecrets)
}

// rawDatabase returns every byte the database shows of the second
// factors: on SQLite the file and its log, on PostgreSQL every column of
// the tables as text.
func rawDatabase(t *testing.T, d *db.DB, sqlitePath string) []byte {
	t.Helper()
	ctx := context.Background()
	if d.Dialect() == db.SQLite {
		var out []byte
		for _, p := range []string{sqlitePath, sqlitePath + "-wal"} {
			b, err := os.ReadFile(p)
			if err != nil && !errors.Is(err, os.ErrNotExist) {
				t.Fatal(err)
			}
			out = append(out, b...)
		}
		return out
	}
	var out []byte
	for _, q := range []string{`SELECT CAST(t.* AS text) FROM totp_credentials t`, `SELECT CAST(w.* AS text) FROM webauthn_credentials w`} {
		rows, err := d.Query(ctx, q)
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

// openAt opens a migrated database whose SQLite file path is known.
func openAt(t *testing.T) (*db.DB, string) {
	t.Helper()
	if dbtest.Postgres() {
		return dbtest.Open(t), ""
	}
	path := filepath.Join(t.TempDir(), "cartable.db")
	d, err := db.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	if _, err := d.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return d, path
}

func TestTOTPSecretsAreSealedAtRest(t *testing.T) {
	d, path := openAt(t)
	ctx := context.Background()
	pid := createPerson(t, d)
	c := &testClock{at: time.Unix(1_800_000_000, 0)}
	f := &Factors{DB: d, Now: c.now, Sealer: testSealer(t, d)}
	secret, err := f.startTOTP(ctx, pid)
	if err != nil {
		t.Fatal(err)
	}
	code, _ := TOTPCode(secret, c.at)
	if _, err := f.confirmTOTP(ctx, pid, code, false); err != nil {
		t.Fatal(err)
	}
	key, _ := b32.DecodeString(secret)
	raw := rawDatabase(t, d, path)
	if bytes.Contains(raw, []byte(secret)) || bytes.Contains(raw, key) {
		t.Fatal("the database shows the TOTP secret")
	}
	var clear string
	d.QueryRow(ctx, `SELECT secret FROM totp_credentials WHERE person_id = ?`, pid).Scan(&clear)
	if clear != "" {
		t.Fatalf("clear column holds %q", clear)
	}
	// It still works, and a seal moved to another person does not open.
	c.at = c.at.Add(30 * time.Second)
	next, _ := TOTPCode(secret, c.at)
	if err := f.verifyTOTP(ctx, pid, next); err != nil {
		t.Fatalf("code refused after sealing: %v", err)
	}
	other := createOther(t, d)
	if _, err := d.Exec(ctx, `INSERT INTO totp_credentials (person_id, secret, secret_sealed, confirmed, created_at)
		SELECT ?, '', secret_sealed, TRUE, created_at FROM totp_credentials WHERE person_id = ?`, other, pid); err != nil {
		t.Fatal(err)
	}
	c.at = c.at.Add(30 * time.Second)
	next, _ = TOTPCode(secret, c.at)
	if err := f.verifyTOTP(ctx, other, next); err == nil || errors.Is(err, ErrBadCode) {
		t.Fatalf("a seal copied to another person opened: %v", err)
	}
	// Without a key nothing is stored.
	nokey := &Factors{DB: d, Now: c.now}
	if _, err := nokey.startTOTP(ctx, createThird(t, d)); !errors.Is(err, ErrNoSealer) {
		t.Fatalf("enrolment without a key: %v", err)
	}
}

// Rows written in clear before migration 0008 (demo databases) are sealed
// by SealStoredSecrets, once, and keep working.
func TestSealStoredSecretsConvertsClearRows(t *testing.T) {
	d, path := openAt(t)
	ctx := context.Background()
	pid := createPerson(t, d)
	c := &testClock{at: time.Unix(1_800_000_000, 0)}
	const secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
	cred := `{"id":"AQID","publicKey":"cGstb2YtY2FtaWxsZS1tYXJ0aW4","attestationType":"none","authenticator":{"signCount":7}}`
	if _, err := d.Exec(ctx, `INSERT INTO totp_credentials (person_id, secret, confirmed, created_at, last_step) VALUES (?, ?, TRUE, 0, 0)`, pid, secret); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Exec(ctx, `INSERT INTO webauthn_credentials (id, person_id, name, credential, created_at) VALUES ('AQID', ?, 'Téléphone', ?, 0)`, pid, cred); err != nil {
		t.Fatal(err)
	}
	s := testSealer(t, d)
	n, err := SealStoredSecrets(ctx, d, s)
	if err != nil || n != 2 {
		t.Fatalf("sealed %d rows: %v", n, err)
	}
	raw := rawDatabase(t, d, path)
	for _, leak := range []string{secret, "cGstb2YtY2FtaWxsZS1tYXJ0aW4", `"signCount"`} {
		if bytes.Contains(raw, []byte(leak)) {
			t.Errorf("the database still shows %q after sealing", leak)
		}
	}
	if n, err := SealStoredSecrets(ctx, d, s); err != nil || n != 0 {
		t.Fatalf("second run sealed %d rows: %v", n, err)
	}
	f := &Factors{DB: d, Now: c.now, Sealer: s}
	code, _ := TOTPCode(secret, c.at)
	if err := f.verifyTOTP(ctx, pid, code); err != nil {
		t.Fatalf("converted TOTP: %v", err)
	}
	var sealed []byte
	d.QueryRow(ctx, `SELECT credential_sealed FROM webauthn_credentials WHERE id = 'AQID'`).Scan(&sealed)
	plain, err := s.Open(ctx, sealed, passkeyAAD(pid, "AQID"))
	if err != nil || !json.Valid(plain) || !strings.Contains(string(plain), `"signCount":7`) {
		t.Fatalf("converted passkey: %s %v", plain, err)
	}
}

func createOther(t *testing.T, d *db.DB) string { return createNamed(t, d, "jules.bernard") }
func createThird(t *testing.T, d *db.DB) string { return createNamed(t, d, "lea.petit") }

func createNamed(t *testing.T, d *db.DB, login string) string {
	t.Helper()
	p := &directory.Person{Profile: roles.Teacher, Login: login, FirstName: "X", LastName: "Y", Active: true}
	if err := directory.CreatePerson(context.Background(), access.System("test"), d, p, ""); err != nil {
		t.Fatal(err)
	}
	return p.ID
}
