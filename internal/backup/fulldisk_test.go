package backup_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"cartable/internal/backup"
	"cartable/internal/db"
)

// A backup written to a disk that fills up fails with the system's word
// for it, leaves nothing behind that looks like a backup (no destination,
// no work directory) and changes nothing in the instance. The small disk
// is a 256 KiB tmpfs, which needs root: elsewhere the test is skipped.
func TestBackupToAFullDisk(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("mounting a small tmpfs needs root")
	}
	full := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", full).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs here: %v %s", err, out)
	}
	t.Cleanup(func() { syscall.Unmount(full, 0) })

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
	store, _ := populate(t, d, dataDir)
	before, err := d.Digests(ctx)
	if err != nil {
		t.Fatal(err)
	}
	dest := filepath.Join(full, "b1")
	_, err = backup.Take(ctx, backup.Source{DB: d, DataDir: dataDir, Backend: store.Backend}, dest)
	if err == nil || !(strings.Contains(err.Error(), "full") || strings.Contains(err.Error(), "no space")) {
		t.Fatalf("a backup to a full disk: %v", err)
	}
	t.Logf("the backup says: %v", err)
	left, _ := os.ReadDir(full)
	if len(left) != 0 {
		t.Fatalf("a failed backup left %v", left)
	}
	after, err := d.Digests(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for table, dg := range before {
		if after[table] != dg {
			t.Errorf("table %s changed by a failed backup", table)
		}
	}
}
