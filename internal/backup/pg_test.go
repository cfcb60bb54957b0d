package backup_test

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"cartable/internal/backup"
	"cartable/internal/db"
	"cartable/internal/dbtest"
	"cartable/internal/files"
)

// pgDatabase creates an empty database of its own on the server of
// CARTABLE_TEST_POSTGRES (a backup copies a whole database, not a test
// schema) and drops it when the test ends.
func pgDatabase(t *testing.T, name string) string {
	t.Helper()
	ctx := context.Background()
	base := os.Getenv(dbtest.EnvPostgres)
	admin, err := db.Open(ctx, base)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() })
	name = fmt.Sprintf("cartable_%s_%d", name, os.Getpid())
	admin.Exec(ctx, `DROP DATABASE IF EXISTS `+name)
	if _, err := admin.Exec(ctx, `CREATE DATABASE `+name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Exec(context.Background(), `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`) })
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}

// The same backup and restore on PostgreSQL, through pg_dump and
// pg_restore into a new, empty database; a target with tables is refused.
func TestBackupRestorePostgres(t *testing.T) {
	if !dbtest.Postgres() {
		t.Skip("PostgreSQL only (" + dbtest.EnvPostgres + ")")
	}
	if _, err := exec.LookPath("pg_dump"); err != nil {
		t.Skip("pg_dump is not installed")
	}
	ctx := context.Background()
	root := t.TempDir()
	srcURL := pgDatabase(t, "bk_src")
	d, err := db.Open(ctx, srcURL)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	dataDir := filepath.Join(root, "data")
	store, contents := populate(t, d, dataDir)
	dest := filepath.Join(root, "b1")
	m, err := backup.Take(ctx, backup.Source{DB: d, Database: srcURL, DataDir: dataDir, Backend: store.Backend}, dest)
	if err != nil {
		t.Fatal(err)
	}
	if m.Engine != "postgres" || m.Files["database.pgdump"] == "" {
		t.Fatalf("manifest: %+v", m)
	}
	dstURL := pgDatabase(t, "bk_dst")
	newDir := filepath.Join(root, "restored")
	target := backup.Target{Database: dstURL, DataDir: newDir, Backend: files.Dir{Root: filepath.Join(newDir, "files")}}
	if _, warnings, err := backup.Restore(ctx, dest, target); err != nil || len(warnings) != 0 {
		t.Fatalf("restore: %v %v", err, warnings)
	}
	d2, err := db.Open(ctx, dstURL)
	if err != nil {
		t.Fatal(err)
	}
	defer d2.Close()
	same(t, d, d2, store, target.Backend, newDir, contents)
	other := t.TempDir()
	if _, _, err := backup.Restore(ctx, dest, backup.Target{Database: dstURL, DataDir: other, Backend: files.Dir{Root: filepath.Join(other, "files")}}); err == nil ||
		!strings.Contains(err.Error(), "holds") {
		t.Errorf("restore into a database with tables: %v", err)
	}
}
