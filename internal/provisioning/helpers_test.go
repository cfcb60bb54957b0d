package provisioning_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"cartable/internal/access"
	"cartable/internal/db"
	"cartable/internal/directory"
	"cartable/internal/provisioning"
)

var ctx = context.Background()

// system runs the tests' imports and lifecycle acts, as the command line
// does.
var system = access.System("test")

// viewer is the viewer of the person with a join key, as a page has it.
func viewer(t testing.TB, d *db.DB, key string) *access.Viewer {
	t.Helper()
	v, err := access.New(d).Viewer(ctx, person(t, d, key).ID)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// day0 is the clock of the tests: the complete fixture's date.
var day0 = time.Date(2026, 9, 1, 8, 0, 0, 0, time.UTC)

func at(t time.Time) func() time.Time { return func() time.Time { return t } }

// read reads a fixture delivery of testdata.
func read(t testing.TB, source string, paths ...string) *provisioning.Delivery {
	t.Helper()
	files, err := provisioning.FilesFromPaths(paths)
	if err != nil {
		t.Fatal(err)
	}
	dl, err := provisioning.Read(source, files, "0750001A", false)
	if err != nil {
		t.Fatalf("read %v: %v", paths, err)
	}
	return dl
}

// importAAF reads and imports an AAF folder.
func importAAF(t testing.TB, d *db.DB, dir string, o provisioning.Options) *provisioning.Summary {
	t.Helper()
	if o.Now == nil {
		o.Now = at(day0)
	}
	sum, err := provisioning.Import(ctx, system, d, read(t, provisioning.AAF, dir), o)
	if err != nil {
		t.Fatalf("import %s: %v", dir, err)
	}
	return sum
}

// person returns the person with a join key.
func person(t testing.TB, d *db.DB, key string) directory.Person {
	t.Helper()
	var id string
	if err := d.QueryRow(ctx, `SELECT id FROM people WHERE external_id = ?`, key).Scan(&id); err != nil {
		t.Fatalf("person %s: %v", key, err)
	}
	p, err := directory.PersonRow(ctx, access.System("test"), d, id)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// column reads one text column of a query, sorted.
func column(t testing.TB, q db.Querier, query string, args ...any) []string {
	t.Helper()
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

func count(t testing.TB, q db.Querier, query string, args ...any) int {
	t.Helper()
	var n int
	if err := q.QueryRow(ctx, query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// snapshot digests every row of the tables an import writes, so that a
// test can tell "exactly as before".
func snapshot(t testing.TB, d *db.DB) string {
	t.Helper()
	return digest(t, d, snapshotTables)
}

// snapshotTables are the tables an import writes.
var snapshotTables = []string{"establishments", "provisioning_establishments", "school_years", "subjects", "classes", "groups",
	"group_classes", "people", "memberships", "functions", "enrolments", "group_members", "family_links",
	"teaching_assignments", "head_teachers", "sessions", "provisioning_orphans", "provisioning_nomenclature",
	"import_runs", "import_run_establishments", "audit_events", "account_closures", "purge_runs"}

// digest hashes every row of tables.
func digest(t testing.TB, d *db.DB, tables []string) string {
	t.Helper()
	h := sha256.New()
	for _, table := range tables {
		rows, err := d.Query(ctx, `SELECT * FROM `+table)
		if err != nil {
			t.Fatalf("snapshot %s: %v", table, err)
		}
		cols, _ := rows.Columns()
		var lines []string
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			lines = append(lines, fmt.Sprint(vals...))
		}
		rows.Close()
		sort.Strings(lines)
		fmt.Fprintf(h, "%s:%d\n%s\n", table, len(lines), strings.Join(lines, "\n"))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// copyDir copies a fixture folder, leaving out files for which skip is true.
func copyDir(t testing.TB, src string, edit func(name string, b []byte) []byte) string {
	t.Helper()
	dst := t.TempDir()
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if edit != nil {
			b = edit(e.Name(), b)
		}
		if b == nil {
			continue
		}
		if err := os.WriteFile(filepath.Join(dst, e.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

const (
	completeDir = "testdata/aaf/complete"
	deltaDir    = "testdata/aaf/delta"
)

// snapshotExcept is snapshot without some tables (the history of imports,
// the audit trail), for a test that expects them to grow.
func snapshotExcept(t testing.TB, d *db.DB, skip ...string) string {
	t.Helper()
	return digest(t, d, slices.DeleteFunc(slices.Clone(snapshotTables), func(s string) bool { return slices.Contains(skip, s) }))
}
