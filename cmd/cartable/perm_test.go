//go:build unix

package main_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The data directory is entered by its owner only and the SQLite database
// read by its owner only, when the binary makes them and when an older one
// left them open.
func TestDataDirectoryAndDatabaseAreOwnerOnly(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	check := func() {
		t.Helper()
		if st, err := os.Stat(data); err != nil || st.Mode().Perm() != 0o700 {
			t.Fatalf("data directory: %v %v, want 0700", st.Mode().Perm(), err)
		}
		for _, name := range []string{"cartable.db", "cartable.db-wal", "cartable.db-shm"} {
			st, err := os.Stat(filepath.Join(data, name))
			if os.IsNotExist(err) && name != "cartable.db" {
				continue
			}
			if err != nil || st.Mode().Perm() != 0o600 {
				t.Fatalf("%s: %v %v, want 0600", name, st.Mode().Perm(), err)
			}
		}
	}
	out, code := run(t, "migrate", "--data", data)
	if code != 0 || !strings.Contains(out, "applied migrations") {
		t.Fatalf("migrate: %d %q", code, out)
	}
	check()
	os.Chmod(data, 0o755)
	os.Chmod(filepath.Join(data, "cartable.db"), 0o644)
	if out, code := run(t, "migrate", "--data", data); code != 0 {
		t.Fatalf("second migrate: %d %q", code, out)
	}
	check()
}
