package dbtest

import (
	"context"
	"strings"
	"testing"

	"cartable/internal/db"
)

func TestOpenIsolated(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	a, b := Open(t), Open(t)
	want := db.SQLite
	if Postgres() {
		want = db.Postgres
	}
	for _, d := range []*db.DB{a, b} {
		if d.Dialect() != want {
			t.Fatalf("dialect %v, want %v", d.Dialect(), want)
		}
		if v, err := d.Version(ctx); err != nil || v != db.LatestVersion() {
			t.Fatalf("schema version %d, %v; want %d", v, err, db.LatestVersion())
		}
	}
	if _, err := a.Exec(ctx, `INSERT INTO establishments (id, uai, name, kind, city, created_at) VALUES ('e1', '0000001A', 'Test', 'college', '', 0)`); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := b.QueryRow(ctx, `SELECT COUNT(*) FROM establishments`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("second database sees %d establishments (%v), want 0", n, err)
	}
	if err := a.QueryRow(ctx, `SELECT COUNT(*) FROM establishments`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("first database sees %d establishments (%v), want 1", n, err)
	}
}

func TestSchemaDropped(t *testing.T) {
	if !Postgres() {
		t.Skip("PostgreSQL only (set " + EnvPostgres + ")")
	}
	t.Parallel()
	ctx := context.Background()
	var schema string
	t.Run("inner", func(t *testing.T) {
		d := Open(t)
		if err := d.QueryRow(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(schema, schemaPrefix) {
			t.Fatalf("current schema %q", schema)
		}
	})
	var n int
	if err := admin.db.QueryRow(ctx, `SELECT COUNT(*) FROM pg_namespace WHERE nspname = ?`, schema).Scan(&n); err != nil || n != 0 {
		t.Fatalf("schema %s still there after the test (%d, %v)", schema, n, err)
	}
}

func TestSchemaName(t *testing.T) {
	for _, name := range []string{"TestX", "TestA/sub test #1", strings.Repeat("Long", 40), "Été/ünïcode"} {
		s := schemaName(name)
		if len(s) > 63 || !strings.HasPrefix(s, schemaPrefix) || strings.HasSuffix(s, "_") {
			t.Errorf("schemaName(%q) = %q", name, s)
		}
		for _, r := range s {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_') {
				t.Errorf("schemaName(%q) = %q: bad character %q", name, s, r)
			}
		}
	}
}
