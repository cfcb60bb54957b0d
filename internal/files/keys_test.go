package files

import (
	"bytes"
	"context"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"cartable/internal/audit"
	"cartable/internal/db"
	"cartable/internal/dbtest"
	"cartable/internal/directory"
	"cartable/internal/roles"
)

// rotation is a data directory with files in two establishments.
type rotation struct {
	d       *db.DB
	dir     string
	backend Backend
	owner   string
	files   map[string][]byte // file ID → content
}

func newRotation(t *testing.T) *rotation {
	t.Helper()
	ctx := context.Background()
	r := &rotation{d: dbtest.Open(t), dir: t.TempDir(), files: map[string][]byte{}}
	r.backend = Dir{Root: filepath.Join(r.dir, "files")}
	p := &directory.Person{Profile: roles.Teacher, Login: "prof", LastName: "PROF", FirstName: "P", Active: true}
	if err := directory.CreatePerson(ctx, system, r.d, p, ""); err != nil {
		t.Fatal(err)
	}
	r.owner = p.ID
	s, err := Open(r.dir)
	if err != nil {
		t.Fatal(err)
	}
	for i, uai := range []string{"0750001A", "0750002B"} {
		r.save(t, s, newEstablishment(t, r.d, uai), strings.Repeat("contenu ", i+1))
	}
	return r
}

func (r *rotation) save(t *testing.T, s *Store, est, content string) {
	t.Helper()
	f, err := s.Save(context.Background(), as(t, r.owner), r.d, est, "notes.txt", strings.NewReader(content), 0)
	if err != nil {
		t.Fatal(err)
	}
	r.files[f.ID] = []byte(content)
}

func (r *rotation) key(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(r.dir, "keys", name))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	return b
}

// readAll checks that a store opens every file, as a restarted server does.
func (r *rotation) readAll(t *testing.T, s *Store) {
	t.Helper()
	ctx := context.Background()
	if _, err := s.CheckKeys(ctx, r.d); err != nil {
		t.Fatal(err)
	}
	for id, want := range r.files {
		if _, got, err := s.Read(ctx, system, r.d, id); err != nil || !bytes.Equal(got, want) {
			t.Fatalf("file %s: %v", id, err)
		}
	}
}

// restart opens the data directory afresh and reads every file.
func (r *rotation) restart(t *testing.T) *Store {
	t.Helper()
	s, err := Open(r.dir)
	if err != nil {
		t.Fatal(err)
	}
	r.readAll(t, s)
	return s
}

// onlyKey is a store holding just one master key, with nothing cached.
func (r *rotation) onlyKey(t *testing.T, key []byte) *Store {
	t.Helper()
	s, err := New(r.backend, key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func (r *rotation) wrapped(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	rows, err := r.d.Query(context.Background(), `SELECT establishment_id, wrapped FROM file_keys`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var est string
		var w []byte
		rows.Scan(&est, &w)
		out[est] = string(w)
	}
	return out
}

func crashAt(t *testing.T, stage string) {
	errCrash := errors.New("crash at " + stage)
	rotateHook = func(s string) error {
		if s == stage {
			return errCrash
		}
		return nil
	}
	t.Cleanup(func() { rotateHook = func(string) error { return nil } })
}

func TestRotate(t *testing.T) {
	ctx := context.Background()
	r := newRotation(t)
	old := r.key(t, MasterKeyFile)
	wrappedBefore := r.wrapped(t)

	// Dry run: counts, checks, changes nothing.
	res, err := Rotate(ctx, r.d, r.dir, RotateOptions{DryRun: true})
	if err != nil || res.DataKeys != 2 || res.Resumed {
		t.Fatalf("dry run: %+v %v", res, err)
	}
	if !bytes.Equal(r.key(t, MasterKeyFile), old) || r.key(t, NextKeyFile) != nil || len(r.wrapped(t)) != 2 {
		t.Fatal("the dry run changed something")
	}
	for est, w := range r.wrapped(t) {
		if wrappedBefore[est] != w {
			t.Fatal("the dry run re-wrapped a key")
		}
	}

	res, err = Rotate(ctx, r.d, r.dir, RotateOptions{})
	if err != nil || res.DataKeys != 2 || res.Resumed {
		t.Fatalf("rotate: %+v %v", res, err)
	}
	key := r.key(t, MasterKeyFile)
	if len(key) != 32 || bytes.Equal(key, old) || r.key(t, NextKeyFile) != nil {
		t.Fatal("the master key was not replaced")
	}
	if st, _ := os.Stat(filepath.Join(r.dir, "keys", MasterKeyFile)); st.Mode().Perm() != 0o600 {
		t.Fatalf("master key mode %v", st.Mode().Perm())
	}
	entries, _ := os.ReadDir(filepath.Join(r.dir, "keys"))
	if len(entries) != 1 {
		t.Fatalf("keys/ holds %d files, want only master.key", len(entries))
	}
	// Every file opens with the new key alone; the old key opens nothing.
	r.readAll(t, r.onlyKey(t, key))
	r.restart(t)
	stale := r.onlyKey(t, old)
	if _, err := stale.CheckKeys(ctx, r.d); err == nil || !strings.Contains(err.Error(), "2 of 2 data keys") {
		t.Fatalf("old key: %v", err)
	}
	for id := range r.files {
		if _, _, err := stale.Read(ctx, system, r.d, id); err == nil {
			t.Fatal("the old master key still opens a file")
		}
	}
	// One audit event, counts only.
	events, err := audit.List(ctx, r.d, audit.Filter{Action: AuditKeyRotation})
	if err != nil || len(events) != 1 || events[0].Target != "data-keys:2" || events[0].Outcome != audit.Success {
		t.Fatalf("audit: %+v %v", events, err)
	}

	// A second rotation works the same.
	if res, err := Rotate(ctx, r.d, r.dir, RotateOptions{}); err != nil || res.DataKeys != 2 {
		t.Fatalf("second rotation: %+v %v", res, err)
	}
	r.restart(t)
}

func TestRotateCrashBeforeCommit(t *testing.T) {
	ctx := context.Background()
	r := newRotation(t)
	old := r.key(t, MasterKeyFile)
	crashAt(t, "before-commit")
	if _, err := Rotate(ctx, r.d, r.dir, RotateOptions{}); err == nil {
		t.Fatal("no crash")
	}
	next := r.key(t, NextKeyFile)
	if len(next) != 32 || !bytes.Equal(r.key(t, MasterKeyFile), old) || !PendingRotation(r.dir) {
		t.Fatal("state after the crash: want master.key unchanged and master.key.new written")
	}
	// The database is still under the old key, which alone opens it.
	r.readAll(t, r.onlyKey(t, old))
	events, _ := audit.List(ctx, r.d, audit.Filter{Action: AuditKeyRotation})
	if len(events) != 0 {
		t.Fatal("a rolled-back rotation left an audit event")
	}
	// A start now works, and a new establishment's key is wrapped under
	// the next key, which the finished rotation keeps.
	s := r.restart(t)
	est := newEstablishment(t, r.d, "0750003C")
	r.save(t, s, est, "après la panne")
	var w []byte
	r.d.QueryRow(ctx, `SELECT wrapped FROM file_keys WHERE establishment_id = ?`, est).Scan(&w)
	if _, ok := openWrapped(r.onlyKey(t, next).masters, est, w); !ok {
		t.Fatal("a data key made during a rotation is not under the next key")
	}

	rotateHook = func(string) error { return nil }
	res, err := Rotate(ctx, r.d, r.dir, RotateOptions{})
	if err != nil || !res.Resumed || res.DataKeys != 3 {
		t.Fatalf("rerun: %+v %v", res, err)
	}
	if !bytes.Equal(r.key(t, MasterKeyFile), next) || PendingRotation(r.dir) {
		t.Fatal("the rerun did not finish with the key written before the crash")
	}
	r.readAll(t, r.onlyKey(t, next))
}

func TestRotateCrashAfterCommit(t *testing.T) {
	ctx := context.Background()
	r := newRotation(t)
	old := r.key(t, MasterKeyFile)
	crashAt(t, "after-commit")
	if _, err := Rotate(ctx, r.d, r.dir, RotateOptions{}); err == nil {
		t.Fatal("no crash")
	}
	next := r.key(t, NextKeyFile)
	if !bytes.Equal(r.key(t, MasterKeyFile), old) || len(next) != 32 {
		t.Fatal("state after the crash: want both key files")
	}
	// The database is under the next key already: the old one alone fails,
	// a start (which loads both files) works.
	if _, err := r.onlyKey(t, old).CheckKeys(ctx, r.d); err == nil {
		t.Fatal("the old key still opens the committed data keys")
	}
	r.readAll(t, r.onlyKey(t, next))
	r.restart(t)

	rotateHook = func(string) error { return nil }
	res, err := Rotate(ctx, r.d, r.dir, RotateOptions{})
	if err != nil || !res.Resumed || res.DataKeys != 2 {
		t.Fatalf("rerun: %+v %v", res, err)
	}
	if !bytes.Equal(r.key(t, MasterKeyFile), next) || r.key(t, NextKeyFile) != nil {
		t.Fatal("the rerun did not finish")
	}
	r.readAll(t, r.onlyKey(t, next))
	events, _ := audit.List(ctx, r.d, audit.Filter{Action: AuditKeyRotation})
	if len(events) != 2 {
		t.Fatalf("%d audit events, want one per committed re-wrap", len(events))
	}
}

// TestRotateCatchesStragglers: a server left running with only the old key
// adds a data key between the commit and the rename; the rotation, which
// still knows the old key, re-wraps it before it is lost.
func TestRotateCatchesStragglers(t *testing.T) {
	ctx := context.Background()
	r := newRotation(t)
	old := r.key(t, MasterKeyFile)
	running := r.onlyKey(t, old)
	est := newEstablishment(t, r.d, "0750003C")
	rotateHook = func(stage string) error {
		if stage == "after-commit" {
			r.save(t, running, est, "écrit pendant la rotation")
		}
		return nil
	}
	t.Cleanup(func() { rotateHook = func(string) error { return nil } })
	res, err := Rotate(ctx, r.d, r.dir, RotateOptions{})
	if err != nil || res.DataKeys != 3 {
		t.Fatalf("rotate: %+v %v", res, err)
	}
	r.readAll(t, r.onlyKey(t, r.key(t, MasterKeyFile)))
}

func TestRotateRefusals(t *testing.T) {
	ctx := context.Background()
	r := newRotation(t)
	// No master key: nothing to rotate, nothing created.
	empty := t.TempDir()
	if _, err := Rotate(ctx, r.d, empty, RotateOptions{}); err == nil || !strings.Contains(err.Error(), "no master key") {
		t.Fatalf("no key: %v", err)
	}
	if _, err := os.Stat(filepath.Join(empty, "keys")); err == nil {
		t.Fatal("a rotation without a key created keys/")
	}
	// A master key that does not go with the database: refused before
	// anything is written, dry run included.
	other := t.TempDir()
	if _, err := Open(other); err != nil {
		t.Fatal(err)
	}
	before := r.wrapped(t)
	for _, dry := range []bool{true, false} {
		if _, err := Rotate(ctx, r.d, other, RotateOptions{DryRun: dry}); err == nil || !strings.Contains(err.Error(), "do not open") {
			t.Fatalf("foreign key (dry run %v): %v", dry, err)
		}
	}
	if PendingRotation(other) {
		t.Fatal("a refused rotation wrote master.key.new")
	}
	for est, w := range r.wrapped(t) {
		if before[est] != w {
			t.Fatal("a refused rotation changed a data key")
		}
	}
	// A start refuses the foreign key at once.
	s, _ := Open(other)
	if _, err := s.CheckKeys(ctx, r.d); err == nil || !strings.Contains(err.Error(), "restore the keys/master.key") {
		t.Fatalf("check: %v", err)
	}
	// A lost master.key beside a next key is not silently replaced.
	crashAt(t, "before-commit")
	Rotate(ctx, r.d, r.dir, RotateOptions{})
	os.Rename(filepath.Join(r.dir, "keys", MasterKeyFile), filepath.Join(r.dir, "moved"))
	if _, err := Open(r.dir); err == nil || !strings.Contains(err.Error(), "is missing") {
		t.Fatalf("open without master.key: %v", err)
	}
	if r.key(t, MasterKeyFile) != nil {
		t.Fatal("a new master key was made beside a next key")
	}
	// A truncated key file is named.
	os.WriteFile(filepath.Join(r.dir, "keys", MasterKeyFile), []byte("short"), 0o600)
	if _, err := Open(r.dir); err == nil || !strings.Contains(err.Error(), "32 bytes") {
		t.Fatalf("short key: %v", err)
	}
}

// A rotation is refused while a server holds the data directory or the
// database, changes nothing, and runs once the server is gone; a server
// does not start during a rotation.
func TestRotateRefusedWhileInUse(t *testing.T) {
	ctx := context.Background()
	r := newRotation(t)
	before := r.wrapped(t)
	release, err := InUse(ctx, r.d, r.dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Rotate(ctx, r.d, r.dir, RotateOptions{}); !errors.Is(err, ErrInUse) {
		t.Fatalf("rotation beside a running server: %v", err)
	}
	if got := r.wrapped(t); !maps.Equal(got, before) {
		t.Fatal("a refused rotation changed the data keys")
	}
	// A second server shares the mark.
	second, err := InUse(ctx, r.d, r.dir)
	if err != nil {
		t.Fatalf("a second server: %v", err)
	}
	second()
	if r.d.Dialect() == db.Postgres {
		// Servers of other hosts (other data directories) share the
		// database: its lock refuses the rotation's exclusive hold too.
		if _, ok, err := r.d.Advisory(ctx, rotationLock, false); err != nil || ok {
			t.Fatalf("the database's lock taken beside a running server: %v %v", ok, err)
		}
	}
	release()
	if _, err := Rotate(ctx, r.d, r.dir, RotateOptions{}); err != nil {
		t.Fatalf("rotation once the server is gone: %v", err)
	}
	// During a rotation (here: its lock, held), no server starts.
	hold, err := hold(ctx, r.d, r.dir, false, ErrInUse)
	if err != nil {
		t.Fatal(err)
	}
	defer hold()
	if _, err := InUse(ctx, r.d, r.dir); !errors.Is(err, ErrRotating) {
		t.Fatalf("a server starting during a rotation: %v", err)
	}
}
