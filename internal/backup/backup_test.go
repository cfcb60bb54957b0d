package backup_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cartable/internal/access"
	"cartable/internal/backup"
	"cartable/internal/db"
	"cartable/internal/delivery"
	"cartable/internal/demo"
	"cartable/internal/files"
)

// A backup of a running SQLite instance restores into a new data
// directory with every table identical and every file readable with the
// restored key; a blob whose record was deleted meanwhile (queued for
// erasure) is kept with it. A damaged backup, a non-empty target and a
// non-empty destination are refused with nothing written.
// populate migrates d, fills it with the demo and three stored files (one
// of them deleted since: its blob waits for erasure), and returns the
// store and the files' contents by ID.
func populate(t *testing.T, d *db.DB, dataDir string) (*files.Store, map[string][]byte) {
	t.Helper()
	ctx := context.Background()
	if _, err := d.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	sys := access.System("test")
	err := d.Tx(ctx, func(tx *db.Tx) error {
		if _, err := demo.Generate(ctx, sys, tx, demo.Options{Seed: 1, Students: 30}); err != nil {
			return err
		}
		return demo.GenerateTimetable(ctx, sys, tx, demo.TimetableOptions{Seed: 1, Today: time.Now().Format("2006-01-02")})
	})
	if err != nil {
		t.Fatal(err)
	}
	store, err := files.Open(dataDir)
	if err != nil {
		t.Fatal(err)
	}
	var est string
	if err := d.QueryRow(ctx, `SELECT id FROM establishments ORDER BY id LIMIT 1`).Scan(&est); err != nil {
		t.Fatal(err)
	}
	var teacher string
	if err := d.QueryRow(ctx, `SELECT p.id FROM people p JOIN memberships m ON m.person_id = p.id
		WHERE p.profile = 'teacher' AND m.establishment_id = ? ORDER BY p.id LIMIT 1`, est).Scan(&teacher); err != nil {
		t.Fatal(err)
	}
	owner, err := access.New(d).Viewer(ctx, teacher)
	if err != nil {
		t.Fatal(err)
	}
	contents := map[string][]byte{}
	for i, body := range []string{"%PDF-1.4\nun\n%%EOF", "%PDF-1.4\ndeux\n%%EOF", "%PDF-1.4\ntrois\n%%EOF"} {
		f, err := store.Save(ctx, owner, d, est, "fiche"+string(rune('a'+i))+".pdf", strings.NewReader(body), 1<<20)
		if err != nil {
			t.Fatal(err)
		}
		contents[f.ID] = []byte(body)
	}
	if _, err := d.Exec(ctx, `DELETE FROM files WHERE id = (SELECT MIN(id) FROM files)`); err != nil {
		t.Fatal(err)
	}
	return store, contents
}

// same checks that d2 and b2 hold what d and b hold, every table and every
// blob, and that the files open with the restored master key of dir2.
func same(t *testing.T, d, d2 *db.DB, store *files.Store, b2 files.Backend, dir2 string, contents map[string][]byte) {
	t.Helper()
	ctx := context.Background()
	want, err := d.Digests(ctx)
	if err != nil {
		t.Fatal(err)
	}
	got, err := d2.Digests(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("%d tables restored, %d in the source", len(got), len(want))
	}
	for name, w := range want {
		if got[name] != w {
			t.Errorf("table %s: restored %+v, source %+v", name, got[name], w)
		}
	}
	keys, err := files.StorageKeys(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != 3 {
		t.Fatalf("%d storage keys, want 3 (two records, one queued for erasure)", len(keys))
	}
	for _, k := range keys {
		a, _ := store.Backend.Get(ctx, k)
		b, err := b2.Get(ctx, k)
		if err != nil || !bytes.Equal(a, b) {
			t.Errorf("blob %s differs after restore: %v", k, err)
		}
	}
	store2, err := files.OpenWith(dir2, b2)
	if err != nil {
		t.Fatal(err)
	}
	sys := access.System("test")
	opened := 0
	for id, body := range contents {
		if _, err := files.Info(ctx, sys, d2, id); err != nil {
			continue // the deleted record
		}
		_, b, err := store2.Read(ctx, sys, d2, id)
		if err != nil || !bytes.Equal(b, body) {
			t.Errorf("file %s after restore: %q, %v", id, b, err)
		}
		opened++
	}
	if opened != 2 {
		t.Errorf("%d files opened after restore, want 2", opened)
	}
}

// A backup of a running SQLite instance restores into a new data
// directory with every table identical and every file readable with the
// restored key; a blob whose record was deleted meanwhile (queued for
// erasure) is kept with it. A damaged backup, a non-empty target and a
// non-empty destination are refused with nothing written.
func TestBackupRestoreSQLite(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	dataDir := filepath.Join(root, "data")
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		t.Fatal(err)
	}
	d, err := db.Open(ctx, filepath.Join(dataDir, "cartable.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	store, contents := populate(t, d, dataDir)
	// The keys the server makes at its first start besides the master key.
	if _, err := delivery.LoadVAPID(dataDir); err != nil {
		t.Fatal(err)
	}
	if _, err := delivery.LoadUnsubscriber(dataDir); err != nil {
		t.Fatal(err)
	}
	dest := filepath.Join(root, "backups", "b1")
	m, err := backup.Take(ctx, backup.Source{DB: d, DataDir: dataDir, Backend: store.Backend}, dest)
	if err != nil {
		t.Fatal(err)
	}
	if m.Engine != "sqlite" || m.Tables["people"].Rows == 0 || len(m.Missing) != 0 || m.Files["keys/master.key"] == "" ||
		m.Files["keys/"+delivery.VAPIDKeyFile] == "" || m.Files["keys/"+delivery.UnsubscribeKeyFile] == "" {
		t.Fatalf("manifest: %+v", m)
	}
	if left, _ := filepath.Glob(filepath.Join(root, "backups", ".b1.partial-*")); len(left) != 0 {
		t.Errorf("work directories left: %v", left)
	}
	if _, err := backup.Take(ctx, backup.Source{DB: d, DataDir: dataDir, Backend: store.Backend}, dest); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Errorf("a backup into a non-empty directory: %v", err)
	}

	newDir := filepath.Join(root, "restored")
	target := backup.Target{Database: filepath.Join(newDir, "cartable.db"), DataDir: newDir, Backend: files.Dir{Root: filepath.Join(newDir, "files")}}
	if _, warnings, err := backup.Restore(ctx, dest, target); err != nil || len(warnings) != 0 {
		t.Fatalf("restore: %v %v", err, warnings)
	}
	d2, err := db.Open(ctx, target.Database)
	if err != nil {
		t.Fatal(err)
	}
	defer d2.Close()
	same(t, d, d2, store, target.Backend, newDir, contents)
	for _, name := range []string{delivery.VAPIDKeyFile, delivery.UnsubscribeKeyFile} {
		a, _ := os.ReadFile(filepath.Join(dataDir, "keys", name))
		b, err := os.ReadFile(filepath.Join(newDir, "keys", name))
		if err != nil || len(a) == 0 || !bytes.Equal(a, b) {
			t.Errorf("keys/%s after restore: %v, identical %v", name, err, bytes.Equal(a, b))
		}
		if fi, err := os.Stat(filepath.Join(newDir, "keys", name)); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("keys/%s restored with mode %v (%v)", name, fi.Mode(), err)
		}
	}

	// A second restore into the same target is refused.
	if _, _, err := backup.Restore(ctx, dest, target); err == nil || !strings.Contains(err.Error(), "already has a master key") {
		t.Errorf("restore into a non-empty target: %v", err)
	}
	// A damaged backup is refused before anything is written.
	blobs, _ := filepath.Glob(filepath.Join(dest, "blobs", "*", "*"))
	raw, _ := os.ReadFile(blobs[0])
	raw[len(raw)-1] ^= 1
	os.WriteFile(blobs[0], raw, 0o600)
	third := filepath.Join(root, "third")
	_, _, err = backup.Restore(ctx, dest, backup.Target{Database: filepath.Join(third, "cartable.db"), DataDir: third, Backend: files.Dir{Root: filepath.Join(third, "files")}})
	if err == nil || !strings.Contains(err.Error(), "damaged") {
		t.Fatalf("a damaged backup: %v", err)
	}
	if _, err := os.Stat(third); !os.IsNotExist(err) {
		t.Errorf("a refused restore wrote %s", third)
	}
}
