package main_test

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"cartable/internal/access"
	"cartable/internal/db"
	"cartable/internal/dbtest"
	"cartable/internal/directory"
	"cartable/internal/files"
	"cartable/internal/roles"
)

// A database from before migration 0008 holds TOTP secrets and passkey
// credentials in clear (demo databases do). The first start of the server
// seals them; a master-key rotation then keeps them readable.
func TestServeSealsClearSecondFactorsAndKeysRotateKeepsThem(t *testing.T) {
	ctx := context.Background()
	data := t.TempDir()
	url := dbtest.URL(t)
	const secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
	const cred = `{"id":"AQID","publicKey":"cHVibGljLWtleS1vZi1wcm9m","authenticator":{"signCount":3}}`
	d, _ := openWithEstablishment(t, url)
	p := &directory.Person{Profile: roles.Teacher, Login: "camille.sealed", LastName: "PROF", FirstName: "P", Active: true}
	if err := directory.CreatePerson(ctx, access.System("test"), d, p, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Exec(ctx, `INSERT INTO totp_credentials (person_id, secret, confirmed, created_at) VALUES (?, ?, TRUE, 0)`, p.ID, secret); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Exec(ctx, `INSERT INTO webauthn_credentials (id, person_id, name, credential, created_at) VALUES ('AQID', ?, 'Clé', ?, 0)`, p.ID, cred); err != nil {
		t.Fatal(err)
	}
	d.Close()

	addr := freePort(t)
	cmd := exec.Command(binary, "serve", "--data", data, "--database", url, "--listen", addr)
	cmd.Env = cleanEnv()
	var logs bytes.Buffer
	cmd.Stderr = &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	for i := 0; ; i++ {
		resp, err := http.Get("http://" + addr + "/readyz")
		if err == nil {
			resp.Body.Close()
			break
		}
		if i == 200 {
			t.Fatalf("the server did not start: %s", logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	cmd.Process.Signal(syscall.SIGTERM)
	cmd.Wait()
	if !strings.Contains(logs.String(), `"second factors sealed at rest","count":2`) {
		t.Errorf("the start did not say it sealed 2 rows:\n%s", logs.String())
	}
	if strings.Contains(logs.String(), secret) || strings.Contains(logs.String(), "camille.sealed") {
		t.Error("the log shows a secret or a login")
	}

	check := func(when string) {
		t.Helper()
		d, err := db.Open(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		defer d.Close()
		var clear string
		var sealed []byte
		if err := d.QueryRow(ctx, `SELECT secret, secret_sealed FROM totp_credentials WHERE person_id = ?`, p.ID).Scan(&clear, &sealed); err != nil {
			t.Fatal(err)
		}
		var clearCred string
		var sealedCred []byte
		if err := d.QueryRow(ctx, `SELECT credential, credential_sealed FROM webauthn_credentials WHERE id = 'AQID'`).Scan(&clearCred, &sealedCred); err != nil {
			t.Fatal(err)
		}
		if clear != "" || clearCred != "" || bytes.Contains(sealed, []byte(secret)) {
			t.Fatalf("%s: still in clear", when)
		}
		s, err := files.Open(data)
		if err != nil {
			t.Fatal(err)
		}
		x := s.Sealer(d, files.AccountSecrets)
		if plain, err := x.Open(ctx, sealed, []byte("cartable-totp:"+p.ID)); err != nil || string(plain) != secret {
			t.Fatalf("%s: the sealed secret opens to %q (%v)", when, plain, err)
		}
		if plain, err := x.Open(ctx, sealedCred, []byte("cartable-passkey:"+p.ID+":AQID")); err != nil || string(plain) != cred {
			t.Fatalf("%s: the sealed passkey opens to %q (%v)", when, plain, err)
		}
	}
	check("after the first start")

	old, _ := os.ReadFile(data + "/keys/master.key")
	out, code := run(t, "keys", "rotate", "--data", data, "--database", url)
	if code != 0 || !strings.Contains(out, "1 data keys re-wrapped") {
		t.Fatalf("rotate: %d %q", code, out)
	}
	if now, _ := os.ReadFile(data + "/keys/master.key"); bytes.Equal(now, old) {
		t.Fatal("the master key was not replaced")
	}
	check("after the rotation")
}
