//go:build unix

package db_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"cartable/internal/db"
)

func mode(t *testing.T, path string) os.FileMode {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return st.Mode().Perm()
}

// The SQLite file and its -wal and -shm are readable by their owner only,
// whether the file is new or was made world-readable before.
func TestSQLiteFilesAreOwnerOnly(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "cartable.db")
	open := func() {
		t.Helper()
		d, err := db.Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := d.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		// A write, so that the WAL and the shared memory exist.
		if _, err := d.Exec(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (100000, 'probe', 0)`); err != nil {
			t.Fatal(err)
		}
		if _, err := d.Exec(ctx, `DELETE FROM schema_migrations WHERE version = 100000`); err != nil {
			t.Fatal(err)
		}
		for _, p := range []string{path, path + "-wal", path + "-shm"} {
			if m := mode(t, p); m != 0o600 {
				t.Errorf("%s: mode %v, want 0600", filepath.Base(p), m)
			}
		}
		d.Close()
	}
	open()
	// An older binary left them world-readable: the next open tightens them.
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		if _, err := os.Stat(p); err == nil {
			if err := os.Chmod(p, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	open()
}
