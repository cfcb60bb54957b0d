package files

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"cartable/internal/db"
	"cartable/internal/dbtest"
	"cartable/internal/directory"
	"cartable/internal/roles"
)

const (
	testBucket    = "cartable-test"
	testAccessKey = "CARTABLETESTKEY"
	testSecretKey = "cartable-test-secret-do-not-log"
)

// fakeS3 is gofakes3, an S3 server speaking the real wire protocol, on a
// real HTTP listener; mem is its storage, read directly to see what the
// bucket holds.
type fakeS3 struct {
	srv *httptest.Server
	mem *s3mem.Backend
}

func startS3(t *testing.T) *fakeS3 {
	t.Helper()
	mem := s3mem.New()
	if err := mem.CreateBucket(testBucket); err != nil {
		t.Fatal(err)
	}
	h := gofakes3.New(mem).Server()
	// gofakes3 does not check signatures; this at least refuses requests
	// signed with another access key, as a real server does.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.Contains(r.Header.Get("Authorization"), "Credential="+testAccessKey+"/") {
			w.Header().Set("Content-Type", "application/xml")
			w.WriteHeader(http.StatusForbidden)
			io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>`)
			return
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return &fakeS3{srv: srv, mem: mem}
}

func (f *fakeS3) config() S3Config {
	return S3Config{Bucket: testBucket, Prefix: "ent/", Endpoint: strings.TrimPrefix(f.srv.URL, "http://"),
		Region: "us-east-1", PathStyle: "true", AccessKey: testAccessKey, SecretKey: testSecretKey}
}

// object returns the bytes the bucket holds under name, nil when absent.
func (f *fakeS3) object(t *testing.T, name string) []byte {
	t.Helper()
	obj, err := f.mem.GetObject(testBucket, name, nil)
	if err != nil {
		return nil
	}
	defer obj.Contents.Close()
	b, err := io.ReadAll(obj.Contents)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func (f *fakeS3) count(t *testing.T) int {
	t.Helper()
	list, err := f.mem.ListBucket(testBucket, &gofakes3.Prefix{}, gofakes3.ListBucketPage{})
	if err != nil {
		t.Fatal(err)
	}
	return len(list.Contents)
}

// backendCase is one backend under test, with a view of what it holds at
// rest that does not go through the backend itself.
type backendCase struct {
	name string
	open func(t *testing.T, dataDir string) (b Backend, raw func(key string) []byte, count func() int)
}

var backendCases = []backendCase{
	{"dir", func(t *testing.T, dataDir string) (Backend, func(string) []byte, func() int) {
		root := filepath.Join(dataDir, "files")
		raw := func(key string) []byte {
			b, _ := os.ReadFile(filepath.Join(root, filepath.FromSlash(key)))
			return b
		}
		count := func() int {
			n := 0
			filepath.WalkDir(root, func(_ string, d fs.DirEntry, _ error) error {
				if d != nil && !d.IsDir() {
					n++
				}
				return nil
			})
			return n
		}
		return Dir{Root: root}, raw, count
	}},
	{"s3", func(t *testing.T, _ string) (Backend, func(string) []byte, func() int) {
		f := startS3(t)
		b, err := NewS3(context.Background(), f.config())
		if err != nil {
			t.Fatal(err)
		}
		return b, func(key string) []byte { return f.object(t, "ent/"+key) }, func() int { return f.count(t) }
	}},
}

func newEstablishment(t *testing.T, d *db.DB, uai string) string {
	t.Helper()
	e := &directory.Establishment{UAI: uai, Name: "Collège " + uai, Kind: "college"}
	if err := directory.CreateEstablishment(context.Background(), system, d, e); err != nil {
		t.Fatal(err)
	}
	return e.ID
}

// TestStoreOnEveryBackend runs the same store cases against the directory
// and a real S3 protocol server.
func TestStoreOnEveryBackend(t *testing.T) {
	for _, bc := range backendCases {
		t.Run(bc.name, func(t *testing.T) {
			ctx := context.Background()
			d := dbtest.Open(t)
			est := newEstablishment(t, d, "0750001A")
			p := &directory.Person{Profile: roles.Teacher, Login: "prof", LastName: "PROF", FirstName: "P", Active: true}
			if err := directory.CreatePerson(ctx, system, d, p, ""); err != nil {
				t.Fatal(err)
			}
			dataDir := t.TempDir()
			b, raw, count := bc.open(t, dataDir)
			s, err := OpenWith(dataDir, b)
			if err != nil {
				t.Fatal(err)
			}

			f, err := s.Save(ctx, as(t, p.ID), d, est, "devoir.pdf", bytes.NewReader(pdf), 0)
			if err != nil {
				t.Fatal(err)
			}
			// At rest the blob is sealed: no clear text, and it is not the
			// clear content with a header either.
			blob := raw(est + "/" + f.ID)
			if len(blob) != len(pdf)+12+16 {
				t.Fatalf("blob of %d bytes at rest, want %d", len(blob), len(pdf)+28)
			}
			if bytes.Contains(blob, []byte("secret")) || bytes.Contains(blob, []byte("%PDF")) {
				t.Fatal("the stored blob holds clear text")
			}
			if _, got, err := s.Read(ctx, system, d, f.ID); err != nil || !bytes.Equal(got, pdf) {
				t.Fatalf("read back: %v", err)
			}
			// A restart (a new store on the same data directory and backend).
			s2, err := OpenWith(dataDir, b)
			if err != nil {
				t.Fatal(err)
			}
			if _, got, err := s2.Read(ctx, system, d, f.ID); err != nil || !bytes.Equal(got, pdf) {
				t.Fatalf("after restart: %v", err)
			}

			// Missing keys: Get says not-exist, Delete is quiet, an unknown
			// file is not found.
			if _, err := b.Get(ctx, est+"/nothing-here"); !errors.Is(err, fs.ErrNotExist) {
				t.Fatalf("get of a missing key: %v", err)
			}
			if err := b.Delete(ctx, est+"/nothing-here"); err != nil {
				t.Fatalf("delete of a missing key: %v", err)
			}
			if _, _, err := s.Read(ctx, system, d, "no-such-file"); !errors.Is(err, ErrNotFound) {
				t.Fatalf("unknown file: %v", err)
			}
			for _, bad := range []string{"", "../escape", "/abs", est + "/../x"} {
				if err := b.Put(ctx, bad, []byte("x")); err == nil {
					t.Errorf("key %q accepted", bad)
				}
			}

			// A blob swapped from another file is refused; Put replaces whole.
			g, err := s.Save(ctx, as(t, p.ID), d, est, "autre.txt", strings.NewReader("autre contenu"), 0)
			if err != nil {
				t.Fatal(err)
			}
			if err := b.Put(ctx, est+"/"+f.ID, raw(est+"/"+g.ID)); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(raw(est+"/"+f.ID), raw(est+"/"+g.ID)) {
				t.Fatal("put did not replace the blob")
			}
			if _, _, err := s.Read(ctx, system, d, f.ID); err == nil || errors.Is(err, ErrNotFound) {
				t.Fatalf("a blob moved from another file: %v", err)
			}

			// Refused uploads leave nothing; Discard removes the blob and
			// the record left behind reads as not found.
			before := count()
			if _, err := s.Save(ctx, as(t, p.ID), d, est, "page.html", strings.NewReader("<!DOCTYPE html><p>x"), 0); err == nil {
				t.Fatal("html accepted")
			}
			if count() != before {
				t.Fatal("a refused upload left a blob")
			}
			s.Discard(ctx, d, g)
			if raw(est+"/"+g.ID) != nil || count() != before-1 {
				t.Fatal("discard left the blob")
			}
			if _, _, err := s.Read(ctx, system, d, g.ID); !errors.Is(err, ErrNotFound) {
				t.Fatalf("record without blob: %v", err)
			}
			// A record that cannot be written (unknown owner) takes its
			// blob back.
			if _, err := s.Save(ctx, as(t, "no-such-owner"), d, est, "notes.txt", strings.NewReader("notes"), 0); err == nil {
				t.Fatal("saved for an unknown owner")
			}
			if count() != before-1 {
				t.Fatal("a failed record left its blob")
			}
		})
	}
}

func TestParseS3URL(t *testing.T) {
	good := map[string]S3Config{
		"s3://ecole":           {Bucket: "ecole", Endpoint: "s3.amazonaws.com", TLS: true},
		"s3://ecole/ent/prod/": {Bucket: "ecole", Prefix: "ent/prod/", Endpoint: "s3.amazonaws.com", TLS: true},
		"s3://ecole.files?region=fr-par&endpoint=s3.fr-par.scw.cloud": {Bucket: "ecole.files", Endpoint: "s3.fr-par.scw.cloud", Region: "fr-par", TLS: true},
		"s3://cartable/x?endpoint=127.0.0.1:3900&region=garage&tls=false&path-style=true": {Bucket: "cartable", Prefix: "x/",
			Endpoint: "127.0.0.1:3900", Region: "garage", PathStyle: "true"},
		"s3://cartable?path-style=false": {Bucket: "cartable", Endpoint: "s3.amazonaws.com", TLS: true, PathStyle: "false"},
	}
	for raw, want := range good {
		got, err := ParseS3URL(raw)
		if err != nil || got != want {
			t.Errorf("%s: %+v, %v; want %+v", raw, got, err, want)
		}
	}
	bad := map[string]string{
		"s3://AK:SECRETVALUE@ecole":        "CARTABLE_S3_ACCESS_KEY",
		"s3://Ecole_Files":                 "not a valid bucket name",
		"s3://ab":                          "not a valid bucket name",
		"s3://":                            "not a valid bucket name",
		"s3://ecole/../up":                 "prefix",
		"s3://ecole?endpoint=https://s3.x": "without http://",
		"s3://ecole?endpoint=host:99999":   "valid port",
		"s3://ecole?tls=maybe":             "tls=",
		"s3://ecole?path-style=yes":        "path-style=",
		"s3://ecole?regoin=fr-par":         `unknown setting "regoin"`,
		"s3://ecole/%zz":                   "not a valid URL",
		"http://ecole":                     "not a valid URL",
	}
	for raw, want := range bad {
		_, err := ParseS3URL(raw)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", raw, err, want)
		}
		if err != nil && strings.Contains(err.Error(), "SECRETVALUE") {
			t.Errorf("%s: the error repeats the secret: %v", raw, err)
		}
	}
}

func TestS3Refusals(t *testing.T) {
	ctx := context.Background()
	f := startS3(t)
	c := f.config()
	if _, err := NewS3(ctx, c); err != nil {
		t.Fatalf("good config: %v", err)
	}
	for name, tc := range map[string]struct {
		change func(*S3Config)
		want   string
	}{
		"no such bucket":   {func(c *S3Config) { c.Bucket = "absent-bucket" }, "does not exist"},
		"wrong access key": {func(c *S3Config) { c.AccessKey = "SOMEONEELSE" }, "access denied"},
		"no keys":          {func(c *S3Config) { c.SecretKey = "" }, "CARTABLE_S3_SECRET_KEY"},
		"nobody listens":   {func(c *S3Config) { c.Endpoint = "127.0.0.1:1" }, "cannot reach"},
	} {
		t.Run(name, func(t *testing.T) {
			bad := c
			tc.change(&bad)
			_, err := NewS3(ctx, bad)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want %q", err, tc.want)
			}
			if strings.Contains(err.Error(), testSecretKey) {
				t.Fatalf("the error shows the secret key: %v", err)
			}
		})
	}
	// OpenBackend: dir, s3 and anything else.
	if b, err := OpenBackend(ctx, "dir", "/data", Credentials{}); err != nil || b.(Dir).Root != "/data/files" {
		t.Fatalf("dir: %v %v", b, err)
	}
	u := "s3://" + testBucket + "/ent?endpoint=" + c.Endpoint + "&tls=false&path-style=true&region=us-east-1"
	b, err := OpenBackend(ctx, u, "/data", Credentials{testAccessKey, testSecretKey})
	if err != nil {
		t.Fatal(err)
	}
	if s := b.(*S3).String(); strings.Contains(s, testSecretKey) || strings.Contains(s, testAccessKey) || !strings.Contains(s, testBucket) {
		t.Fatalf("description %q", s)
	}
	if _, err := OpenBackend(ctx, "ftp://x", "/data", Credentials{}); err == nil || !strings.Contains(err.Error(), "dir") {
		t.Fatalf("unknown storage: %v", err)
	}
}

// Ready answers whether the storage answers: a bucket gone or a data
// directory replaced by a file make it fail; its answer is kept a while.
func TestReady(t *testing.T) {
	ctx := context.Background()
	f := startS3(t)
	b, err := NewS3(ctx, f.config())
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(b, make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Ready(ctx); err != nil {
		t.Fatalf("a bucket that answers: %v", err)
	}
	f.srv.Close()
	if err := s.Ready(ctx); err != nil {
		t.Fatalf("the last answer is kept %s: %v", readyEvery, err)
	}
	s.checked = s.checked.Add(-readyEvery)
	if err := s.Ready(ctx); err == nil {
		t.Fatal("a bucket that no longer answers is ready")
	}

	root := filepath.Join(t.TempDir(), "files")
	d, err := New(Dir{Root: root}, make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Ready(ctx); err != nil {
		t.Fatalf("a directory not made yet: %v", err)
	}
	if err := os.WriteFile(root, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	d.checked = time.Time{}
	if err := d.Ready(ctx); err == nil {
		t.Fatal("a file in place of the directory is ready")
	}
}

// An S3 server that stops answering while the service runs: a save fails
// with ErrUnavailable and records nothing, a read fails the same way, and
// both work again when the server is back.
func TestS3GoneSavesNothing(t *testing.T) {
	ctx := context.Background()
	d := dbtest.Open(t)
	est := newEstablishment(t, d, "0750001A")
	p := &directory.Person{Profile: roles.Teacher, Login: "prof", LastName: "PROF", FirstName: "P", Active: true}
	if err := directory.CreatePerson(ctx, system, d, p, ""); err != nil {
		t.Fatal(err)
	}
	f := startS3(t)
	up := true
	var mu sync.Mutex
	h := f.srv.Config.Handler
	f.srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		ok := up
		mu.Unlock()
		if !ok { // the server hangs up, as a host going down does
			if hj, isHJ := w.(http.Hijacker); isHJ {
				if c, _, err := hj.Hijack(); err == nil {
					c.Close()
					return
				}
			}
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		h.ServeHTTP(w, r)
	})
	setUp := func(v bool) { mu.Lock(); up = v; mu.Unlock() }
	b, err := NewS3(ctx, f.config())
	if err != nil {
		t.Fatal(err)
	}
	s, err := OpenWith(t.TempDir(), b)
	if err != nil {
		t.Fatal(err)
	}
	kept, err := s.Save(ctx, as(t, p.ID), d, est, "avant.pdf", bytes.NewReader(pdf), 0)
	if err != nil {
		t.Fatal(err)
	}
	count := func() int {
		var n int
		if err := d.QueryRow(ctx, `SELECT COUNT(*) FROM files`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	setUp(false)
	sctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if _, err := s.Save(sctx, as(t, p.ID), d, est, "pendant.pdf", bytes.NewReader(pdf), 0); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("save while S3 is away: %v", err)
	}
	if n := count(); n != 1 {
		t.Fatalf("%d file records after a failed save, want 1", n)
	}
	if _, _, err := s.Read(sctx, system, d, kept.ID); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("read while S3 is away: %v", err)
	}
	setUp(true)
	if _, got, err := s.Read(ctx, system, d, kept.ID); err != nil || !bytes.Equal(got, pdf) {
		t.Fatalf("read when S3 is back: %v", err)
	}
	if _, err := s.Save(ctx, as(t, p.ID), d, est, "apres.pdf", bytes.NewReader(pdf), 0); err != nil {
		t.Fatalf("save when S3 is back: %v", err)
	}
}
