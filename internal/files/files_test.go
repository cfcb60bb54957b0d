package files

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"cartable/internal/access"
	"cartable/internal/db"
	"cartable/internal/dbtest"
	"cartable/internal/directory"
	"cartable/internal/roles"
)

// system reads any file: the storage tests are not about who may.
var system = access.System("test")

// as is the viewer whose file Save records. Save reads only who the owner
// is (the caller's domain decided that they may send it); the policy's
// own answers are tested in TestReadAsksThePolicy.
func as(_ testing.TB, id string) *access.Viewer { return &access.Viewer{ID: id} }

// Read and Info answer the owner (a member of the file's establishment)
// and refuse others the same way whether the file exists or not; Save
// refuses to store a file for the system, which owns none.
func TestReadAsksThePolicy(t *testing.T) {
	ctx := context.Background()
	d, s, _, est, owner := setup(t)
	if err := directory.AddMembership(ctx, system, d, owner, est); err != nil {
		t.Fatal(err)
	}
	other := &directory.Person{Profile: roles.Teacher, Login: "autre", LastName: "AUTRE", FirstName: "A", Active: true}
	if err := directory.CreatePerson(ctx, system, d, other, ""); err != nil {
		t.Fatal(err)
	}
	if err := directory.AddMembership(ctx, system, d, other.ID, est); err != nil {
		t.Fatal(err)
	}
	p := access.New(d)
	me, err := p.Viewer(ctx, owner)
	if err != nil {
		t.Fatal(err)
	}
	them, err := p.Viewer(ctx, other.ID)
	if err != nil {
		t.Fatal(err)
	}
	f, err := s.Save(ctx, me, d, est, "devoir.pdf", bytes.NewReader(pdf), 0)
	if err != nil || f.OwnerID != owner {
		t.Fatalf("save: %+v %v", f, err)
	}
	if _, got, err := s.Read(ctx, me, d, f.ID); err != nil || !bytes.Equal(got, pdf) {
		t.Fatalf("the owner reads: %v", err)
	}
	if g, err := Info(ctx, me, d, f.ID); err != nil || g.Name != "devoir.pdf" {
		t.Fatalf("the owner's info: %+v %v", g, err)
	}
	for _, id := range []string{f.ID, "no-such-file"} {
		if _, _, err := s.Read(ctx, them, d, id); !errors.Is(err, access.ErrDenied) {
			t.Errorf("a colleague reads %s: %v", id, err)
		}
		if _, err := Info(ctx, them, d, id); !errors.Is(err, access.ErrDenied) {
			t.Errorf("a colleague's info of %s: %v", id, err)
		}
	}
	if _, err := s.Save(ctx, system, d, est, "x.pdf", bytes.NewReader(pdf), 0); !errors.Is(err, ErrNoOwner) {
		t.Errorf("the system saves a file: %v", err)
	}
}

func setup(t *testing.T) (*db.DB, *Store, string, string, string) {
	t.Helper()
	ctx := context.Background()
	d := dbtest.Open(t)
	e := &directory.Establishment{UAI: "0750001A", Name: "Collège", Kind: "college"}
	p := &directory.Person{Profile: roles.Teacher, Login: "prof", LastName: "PROF", FirstName: "P", Active: true}
	if err := directory.CreateEstablishment(ctx, system, d, e); err != nil {
		t.Fatal(err)
	}
	if err := directory.CreatePerson(ctx, system, d, p, ""); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	return d, s, dir, e.ID, p.ID
}

var pdf = []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\nUn devoir secret de Léa\n%%EOF\n")

func TestSaveReadEncrypted(t *testing.T) {
	d, s, dir, est, owner := setup(t)
	ctx := context.Background()
	f, err := s.Save(ctx, as(t, owner), d, est, `C:\Users\léa\devoir "final".pdf`, bytes.NewReader(pdf), 0)
	if err != nil {
		t.Fatal(err)
	}
	if f.Name != "devoir final.pdf" || f.ContentType != "application/pdf" || f.Size != int64(len(pdf)) {
		t.Fatalf("record %+v", f)
	}
	// At rest: neither the blob nor the database holds the content.
	blob, err := os.ReadFile(filepath.Join(dir, "files", est, f.ID))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(blob, []byte("secret")) || bytes.Contains(blob, []byte("%PDF")) {
		t.Fatal("the stored blob holds clear text")
	}
	var wrapped []byte
	d.QueryRow(ctx, `SELECT wrapped FROM file_keys WHERE establishment_id = ?`, est).Scan(&wrapped)
	if len(wrapped) != 12+32+16 {
		t.Fatalf("wrapped key of %d bytes", len(wrapped))
	}
	key, _ := os.ReadFile(filepath.Join(dir, "keys", "master.key"))
	if st, _ := os.Stat(filepath.Join(dir, "keys", "master.key")); len(key) != 32 || st.Mode().Perm() != 0o600 {
		t.Fatalf("master key: %d bytes, mode %v", len(key), st.Mode().Perm())
	}
	_, got, err := s.Read(ctx, system, d, f.ID)
	if err != nil || !bytes.Equal(got, pdf) {
		t.Fatalf("read back: %v", err)
	}
	// A second store on the same data directory (a restart, a replica)
	// opens it with the same master key.
	s2, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, got, err := s2.Read(ctx, system, d, f.ID); err != nil || !bytes.Equal(got, pdf) {
		t.Fatalf("second store: %v", err)
	}
	// Another master key opens nothing.
	s3, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	s3.Backend = s.Backend
	if _, _, err := s3.Read(ctx, system, d, f.ID); err == nil {
		t.Fatal("a foreign master key opened the file")
	}
	// A swapped or altered blob is refused.
	g, err := s.Save(ctx, as(t, owner), d, est, "autre.txt", strings.NewReader("autre contenu"), 0)
	if err != nil {
		t.Fatal(err)
	}
	other, _ := os.ReadFile(filepath.Join(dir, "files", est, g.ID))
	os.WriteFile(filepath.Join(dir, "files", est, f.ID), other, 0o600)
	if _, _, err := s.Read(ctx, system, d, f.ID); err == nil {
		t.Fatal("a blob moved from another file opened")
	}
}

func TestLimitsAndTypes(t *testing.T) {
	d, s, dir, est, owner := setup(t)
	ctx := context.Background()
	s.MaxSize = 1000
	big := append(append([]byte{}, pdf...), bytes.Repeat([]byte("x"), 1000)...)
	var tl TooLarge
	if _, err := s.Save(ctx, as(t, owner), d, est, "gros.pdf", bytes.NewReader(big), 0); !errors.As(err, &tl) || tl.Limit != 1000 {
		t.Fatalf("too large: %v", err)
	}
	if _, err := s.Save(ctx, as(t, owner), d, est, "petit.pdf", bytes.NewReader(pdf), 10); !errors.As(err, &tl) || tl.Limit != 10 {
		t.Fatalf("caller's limit: %v", err)
	}
	if _, err := s.Save(ctx, as(t, owner), d, est, "vide.pdf", bytes.NewReader(nil), 0); !errors.Is(err, ErrEmpty) {
		t.Fatalf("empty: %v", err)
	}
	var rf Refused
	for name, content := range map[string]string{
		"page.html":   "<!DOCTYPE html><script>alert(1)</script>",
		"faux.pdf":    "<html><body>not a pdf</body></html>",
		"image.svg":   `<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`,
		"prog.exe":    "MZ\x90\x00\x03\x00\x00\x00",
		"sans-ext":    "hello",
		"texte.png":   "just text",
		"archive.odt": "plain text, not a zip",
	} {
		if _, err := s.Save(ctx, as(t, owner), d, est, name, strings.NewReader(content), 0); !errors.As(err, &rf) {
			t.Errorf("%s accepted: %v", name, err)
		}
	}
	// Nothing of the refused files was kept.
	var n int
	d.QueryRow(ctx, `SELECT COUNT(*) FROM files`).Scan(&n)
	entries, _ := os.ReadDir(filepath.Join(dir, "files", est))
	if n != 0 || len(entries) != 0 {
		t.Fatalf("%d records and %d blobs left by refused uploads", n, len(entries))
	}
	for name, content := range map[string][]byte{
		"photo.png": {0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0},
		"notes.txt": []byte("Mes notes en UTF-8 : é à ç"),
		"doc.odt":   []byte("PK\x03\x04 mimetypeapplication/vnd.oasis.opendocument.text"),
	} {
		if _, err := s.Save(ctx, as(t, owner), d, est, name, bytes.NewReader(content), 0); err != nil {
			t.Errorf("%s refused: %v", name, err)
		}
	}
}

// A data key created in a transaction that rolls back is not kept: the
// next file is sealed with a key the database holds, and opens after a
// restart.
func TestDataKeyOfRolledBackTransaction(t *testing.T) {
	d, s, dir, est, owner := setup(t)
	ctx := context.Background()
	rollback := errors.New("rolled back")
	err := d.Tx(ctx, func(tx *db.Tx) error {
		f, err := s.Save(ctx, as(t, owner), tx, est, "a.pdf", bytes.NewReader(pdf), 0)
		if err != nil {
			return err
		}
		s.Discard(ctx, d, f)
		return rollback
	})
	if !errors.Is(err, rollback) {
		t.Fatal(err)
	}
	var f File
	if err := d.Tx(ctx, func(tx *db.Tx) (err error) {
		f, err = s.Save(ctx, as(t, owner), tx, est, "b.pdf", bytes.NewReader(pdf), 0)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	restarted, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, got, err := restarted.Read(ctx, system, d, f.ID); err != nil || !bytes.Equal(got, pdf) {
		t.Fatalf("after a restart: %v", err)
	}
}
