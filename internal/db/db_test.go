package db_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"cartable/internal/db"
	"cartable/internal/dbtest"
)

func TestMigrateTwiceAppliesNothingTheSecondTime(t *testing.T) {
	ctx := context.Background()
	d := dbtest.OpenEmpty(t)
	if v, err := d.Version(ctx); err != nil || v != 0 {
		t.Fatalf("empty database: version %d, %v", v, err)
	}
	first, err := d.Migrate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(first) == 0 || first[len(first)-1] != db.LatestVersion() {
		t.Fatalf("first run applied %v, latest is %d", first, db.LatestVersion())
	}
	second, err := d.Migrate(ctx)
	if err != nil || len(second) != 0 {
		t.Fatalf("second run applied %v (%v)", second, err)
	}
	if v, _ := d.Version(ctx); v != db.LatestVersion() {
		t.Fatalf("version %d after migrating, want %d", v, db.LatestVersion())
	}
	// The schema is usable: foreign keys are enforced on both engines.
	_, err = d.Exec(ctx, `INSERT INTO memberships (person_id, establishment_id) VALUES ('nobody', 'nowhere')`)
	if err == nil {
		t.Fatal("a membership of an unknown person was accepted: foreign keys are off")
	}
}

func TestSchemaNewerThanBinaryIsRefused(t *testing.T) {
	ctx := context.Background()
	d := dbtest.Open(t)
	future := db.LatestVersion() + 1
	if _, err := d.Exec(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, 'from the future', 0)`, future); err != nil {
		t.Fatal(err)
	}
	_, err := d.Migrate(ctx)
	var tooNew db.ErrSchemaTooNew
	if !errors.As(err, &tooNew) || tooNew.Database != future {
		t.Fatalf("migrating a newer schema: %v", err)
	}
	if err := d.CheckVersion(ctx); !errors.As(err, &tooNew) {
		t.Fatalf("CheckVersion: %v", err)
	}
	if v, _ := d.Version(ctx); v != future {
		t.Fatalf("the refusal changed the version to %d", v)
	}
}

func TestRebindAndLists(t *testing.T) {
	ctx := context.Background()
	d := dbtest.Open(t)
	if _, err := d.Exec(ctx, `INSERT INTO establishments (id, uai, name, kind, city, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
		"e1", "0000001A", "École ?", "ecole", "Paris", 1); err != nil {
		t.Fatal(err)
	}
	var name string
	if err := d.QueryRow(ctx, `SELECT name FROM establishments WHERE id = ? AND kind = ?`, "e1", "ecole").Scan(&name); err != nil || name != "École ?" {
		t.Fatalf("rebind: %q %v", name, err)
	}
	for _, ids := range [][]string{nil, {"e1"}, {"x", "e1", "y"}} {
		var n int
		if err := d.QueryRow(ctx, `SELECT COUNT(*) FROM establishments WHERE `+db.In(d, "id"), db.ListArg(d, ids)).Scan(&n); err != nil {
			t.Fatalf("In %v: %v", ids, err)
		}
		want := 0
		for _, id := range ids {
			if id == "e1" {
				want = 1
			}
		}
		if n != want {
			t.Errorf("In %v: %d rows, want %d", ids, n, want)
		}
	}
	// A failed transaction leaves nothing behind.
	err := d.Tx(ctx, func(tx *db.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE establishments SET name = 'changed' WHERE id = 'e1'`); err != nil {
			return err
		}
		return errors.New("boom")
	})
	if err == nil || err.Error() != "boom" {
		t.Fatal(err)
	}
	d.QueryRow(ctx, `SELECT name FROM establishments WHERE id = 'e1'`).Scan(&name)
	if name != "École ?" {
		t.Fatalf("rolled-back change is visible: %q", name)
	}
}

func TestOpenErrorsNameTheProblem(t *testing.T) {
	ctx := context.Background()
	cases := map[string]string{
		"mysql://localhost/x":                   "unsupported URL scheme",
		"/no/such/dir/cartable.db":              "/no/such/dir",
		"":                                      "no database",
		"postgres://nobody@127.0.0.1:1/nothing": "cannot reach PostgreSQL",
	}
	for url, want := range cases {
		_, err := db.Open(ctx, url)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Open(%q) = %v, want an error containing %q", url, err, want)
		}
	}
	if os.Getuid() != 0 { // root writes anywhere
		dir := t.TempDir()
		os.Chmod(dir, 0o500)
		defer os.Chmod(dir, 0o700)
		if _, err := db.Open(ctx, filepath.Join(dir, "x.db")); err == nil {
			t.Error("opening a file in a read-only directory succeeded")
		}
	}
}

// TestPostgresSessionDefaults: Cartable's connections plan once per
// statement and cost random reads as on SSD, unless the URL says
// otherwise (an operator's choice wins).
func TestPostgresSessionDefaults(t *testing.T) {
	base := os.Getenv(dbtest.EnvPostgres)
	if base == "" {
		t.Skip("PostgreSQL only (set " + dbtest.EnvPostgres + ")")
	}
	ctx := context.Background()
	show := func(url, setting string) string {
		d, err := db.Open(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		defer d.Close()
		var v string
		if err := d.QueryRow(ctx, "SHOW "+setting).Scan(&v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	if v := show(base, "plan_cache_mode"); v != "force_generic_plan" {
		t.Errorf("plan_cache_mode = %q, want force_generic_plan", v)
	}
	if v := show(base, "random_page_cost"); v != "1.1" {
		t.Errorf("random_page_cost = %q, want 1.1", v)
	}
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	if v := show(base+sep+"plan_cache_mode=auto", "plan_cache_mode"); v != "auto" {
		t.Errorf("with plan_cache_mode=auto in the URL: %q, want auto", v)
	}
}
