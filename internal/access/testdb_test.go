package access

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"cartable/internal/db"
	"cartable/internal/ids"
)

// openTestDB returns a fresh migrated database: SQLite in a temporary
// folder, or a throw-away schema on the PostgreSQL of
// CARTABLE_TEST_POSTGRES.
func openTestDB(t *testing.T) *db.DB {
	t.Helper()
	ctx := context.Background()
	var d *db.DB
	if url := os.Getenv("CARTABLE_TEST_POSTGRES"); url != "" {
		admin, err := db.Open(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		schema := "access_test_" + ids.New()
		if _, err := admin.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			admin.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
			admin.Close()
		})
		sep := "?"
		if strings.Contains(url, "?") {
			sep = "&"
		}
		d, err = db.Open(ctx, url+sep+"search_path="+schema)
		if err != nil {
			t.Fatal(err)
		}
	} else {
		var err error
		d, err = db.Open(ctx, filepath.Join(t.TempDir(), "test.db"))
		if err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() { d.Close() })
	if _, err := d.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return d
}
