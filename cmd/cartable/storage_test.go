package main_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"cartable/internal/access"
	"cartable/internal/db"
	"cartable/internal/dbtest"
	"cartable/internal/directory"
	"cartable/internal/files"
	"cartable/internal/roles"
)

const (
	s3Access = "CMDTESTACCESS"
	s3Secret = "cmd-test-secret-never-printed"
)

// startS3 runs gofakes3 (a real S3 protocol server, in memory) on a
// loopback HTTP port with one bucket, and returns the storage URL.
func startS3(t *testing.T) (string, *s3mem.Backend) {
	t.Helper()
	mem := s3mem.New()
	if err := mem.CreateBucket("cartable"); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(gofakes3.New(mem).Server())
	t.Cleanup(srv.Close)
	host := strings.TrimPrefix(srv.URL, "http://")
	return "s3://cartable/ent?endpoint=" + host + "&region=us-east-1&tls=false&path-style=true", mem
}

// runEnv is run with extra environment variables.
func runEnv(t *testing.T, env []string, args ...string) (string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, args...)
	cmd.Env = append(cleanEnv(), env...)
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return string(out), ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return string(out), 0
}

// nothingCreated checks that a refused start left no database and no key.
func nothingCreated(t *testing.T, data string) {
	t.Helper()
	for _, name := range []string{"cartable.db", "keys", "files"} {
		if _, err := os.Stat(filepath.Join(data, name)); err == nil {
			t.Errorf("%s was created although the server could not start", name)
		}
	}
}

func TestStorageRefusals(t *testing.T) {
	good, _ := startS3(t)
	creds := []string{"CARTABLE_S3_ACCESS_KEY=" + s3Access, "CARTABLE_S3_SECRET_KEY=" + s3Secret}
	for _, tc := range []struct {
		name    string
		storage string
		env     []string
		want    string
	}{
		{"unknown kind", "ftp://files", creds, "write dir"},
		{"bad bucket name", "s3://Mon_Bucket", creds, "not a valid bucket name"},
		{"keys in the URL", "s3://" + s3Access + ":" + s3Secret + "@cartable", creds, "never in the URL"},
		{"unknown setting", strings.Replace(good, "region=", "regoin=", 1), creds, `unknown setting "regoin"`},
		{"no keys", good, nil, "CARTABLE_S3_ACCESS_KEY"},
		{"absent bucket", strings.Replace(good, "s3://cartable/", "s3://absent-bucket/", 1), creds, "bucket does not exist"},
		{"nobody listens", "s3://cartable?endpoint=127.0.0.1:1&tls=false&region=us-east-1", creds, "cannot reach the bucket"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := t.TempDir()
			out, code := runEnv(t, tc.env, "serve", "--data", data, "--listen", freePort(t), "--storage", tc.storage)
			oneLineError(t, out, code, tc.want)
			if code != 1 {
				t.Errorf("exit %d, want 1", code)
			}
			if strings.Contains(out, s3Secret) {
				t.Errorf("the secret key was printed: %q", out)
			}
			nothingCreated(t, data)
		})
	}
	t.Run("from the environment, for demo too", func(t *testing.T) {
		data := t.TempDir()
		out, code := runEnv(t, append([]string{"CARTABLE_STORAGE=s3://Mon_Bucket"}, creds...), "demo", "--data", data, "--listen", freePort(t))
		oneLineError(t, out, code, "not a valid bucket name")
		nothingCreated(t, data)
	})
}

// TestServeOnS3 starts the real server on a bucket, with the keys in the
// environment, and checks that they never reach the logs.
func TestServeOnS3(t *testing.T) {
	storage, _ := startS3(t)
	data := t.TempDir()
	addr := freePort(t)
	url := dbtest.URL(t)
	cmd := exec.Command(binary, "serve", "--data", data, "--listen", addr, "--database", url)
	cmd.Env = append(cleanEnv(), "CARTABLE_STORAGE="+storage, "CARTABLE_S3_ACCESS_KEY="+s3Access, "CARTABLE_S3_SECRET_KEY="+s3Secret)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	ready := false
	for i := 0; i < 100 && !ready; i++ {
		time.Sleep(100 * time.Millisecond)
		if resp, err := http.Get("http://" + addr + "/readyz"); err == nil {
			ready = resp.StatusCode == 200
			resp.Body.Close()
		}
	}
	if !ready {
		t.Fatalf("the server did not start:\n%s", out.String())
	}
	// No master-key rotation while the server runs.
	if msg, code := run(t, "keys", "rotate", "--data", data, "--database", url); code != 1 || !strings.Contains(msg, "a server is running") {
		t.Errorf("keys rotate beside a running server: exit %d\n%s", code, msg)
	}
	cmd.Process.Signal(syscall.SIGTERM)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("stop: %v\n%s", err, out.String())
	}
	log := out.String()
	if !strings.Contains(log, `"msg":"file storage","backend":"s3://cartable/ent/`) {
		t.Errorf("the log does not name the bucket:\n%s", log)
	}
	if strings.Contains(log, s3Secret) || strings.Contains(log, s3Access) {
		t.Errorf("the keys reached the log:\n%s", log)
	}
	if _, err := os.Stat(filepath.Join(data, "files")); err == nil {
		t.Error("DATA/files was made although the files go to the bucket")
	}
}

// openWithEstablishment opens and migrates the database at url and adds
// one establishment to it.
func openWithEstablishment(t *testing.T, url string) (*db.DB, *directory.Establishment) {
	t.Helper()
	ctx := context.Background()
	d, err := db.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Migrate(ctx); err != nil {
		d.Close()
		t.Fatal(err)
	}
	e := &directory.Establishment{UAI: "0750001A", Name: "Collège", Kind: "college"}
	if err := directory.CreateEstablishment(ctx, access.System("test"), d, e); err != nil {
		d.Close()
		t.Fatal(err)
	}
	return d, e
}

// seedFile stores one file under the data directory's master key, on the
// database at url, and returns its ID.
func seedFile(t *testing.T, url, data string, content string) string {
	t.Helper()
	ctx := context.Background()
	d, e := openWithEstablishment(t, url)
	defer d.Close()
	p := &directory.Person{Profile: roles.Teacher, Login: "prof", LastName: "PROF", FirstName: "P", Active: true}
	if err := directory.CreatePerson(ctx, access.System("test"), d, p, ""); err != nil {
		t.Fatal(err)
	}
	s, err := files.Open(data)
	if err != nil {
		t.Fatal(err)
	}
	f, err := s.Save(ctx, &access.Viewer{ID: p.ID}, d, e.ID, "notes.txt", strings.NewReader(content), 0)
	if err != nil {
		t.Fatal(err)
	}
	return f.ID
}

func readFile(t *testing.T, url, data, id string) ([]byte, error) {
	t.Helper()
	ctx := context.Background()
	d, err := db.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	s, err := files.Open(data)
	if err != nil {
		return nil, err
	}
	_, b, err := s.Read(ctx, access.System("test"), d, id)
	return b, err
}

func TestKeysRotate(t *testing.T) {
	data := t.TempDir()
	url := dbtest.URL(t)
	id := seedFile(t, url, data, "contenu confidentiel")
	keyPath := filepath.Join(data, "keys", "master.key")
	old, _ := os.ReadFile(keyPath)

	out, code := run(t, "keys", "rotate", "--data", data, "--database", url, "--dry-run")
	if code != 0 || !strings.Contains(out, "1 data keys would be re-wrapped") {
		t.Fatalf("dry run: %d %q", code, out)
	}
	if now, _ := os.ReadFile(keyPath); !bytes.Equal(now, old) {
		t.Fatal("the dry run changed the master key")
	}

	out, code = run(t, "keys", "rotate", "--data", data, "--database", url)
	if code != 0 || !strings.Contains(out, "1 data keys re-wrapped") {
		t.Fatalf("rotate: %d %q", code, out)
	}
	key, _ := os.ReadFile(keyPath)
	if len(key) != 32 || bytes.Equal(key, old) {
		t.Fatal("the master key was not replaced")
	}
	if b, err := readFile(t, url, data, id); err != nil || string(b) != "contenu confidentiel" {
		t.Fatalf("after rotation: %q %v", b, err)
	}
	// The old key, put back (a stale replica), no longer opens the data
	// keys: the server refuses to start, saying why.
	os.WriteFile(keyPath, old, 0o600)
	out, code = run(t, "serve", "--data", data, "--database", url, "--listen", freePort(t))
	oneLineError(t, out, code, "do not open with this master key")
	out, code = run(t, "keys", "rotate", "--data", data, "--database", url)
	oneLineError(t, out, code, "do not open")
	os.WriteFile(keyPath, key, 0o600)

	// An interrupted rotation (the next key written, the database not yet
	// changed) still starts, and a rerun finishes with that next key.
	next := bytes.Repeat([]byte{7}, 32)
	os.WriteFile(filepath.Join(data, "keys", "master.key.new"), next, 0o600)
	if b, err := readFile(t, url, data, id); err != nil || string(b) != "contenu confidentiel" {
		t.Fatalf("with a pending rotation: %v", err)
	}
	out, code = run(t, "keys", "rotate", "--data", data, "--database", url)
	if code != 0 || !strings.Contains(out, "interrupted rotation was finished") {
		t.Fatalf("resume: %d %q", code, out)
	}
	if now, _ := os.ReadFile(keyPath); !bytes.Equal(now, next) {
		t.Fatal("the resumed rotation did not keep the next key")
	}
	if b, err := readFile(t, url, data, id); err != nil || string(b) != "contenu confidentiel" {
		t.Fatalf("after the resumed rotation: %v", err)
	}

	// Usage.
	if _, code := run(t, "keys"); code != 2 {
		t.Errorf("keys alone: exit %d", code)
	}
	if _, code := run(t, "keys", "rotate", "extra"); code != 2 {
		t.Errorf("extra argument: exit %d", code)
	}
	empty := t.TempDir()
	out, code = run(t, "keys", "rotate", "--data", empty)
	oneLineError(t, out, code, "nothing to rotate")
	nothingCreated(t, empty)
}
