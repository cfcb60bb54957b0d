// Package dbtest gives tests a fresh, migrated database on the engine under
// test: an SQLite file in the test's temporary directory by default, or a
// private PostgreSQL schema when CARTABLE_TEST_POSTGRES holds a connection
// URL (e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable).
//
//	d := dbtest.Open(t)
//
// Each call gives an empty database of its own, so tests may run in
// parallel; everything is closed and dropped when the test ends.
package dbtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"cartable/internal/db"
)

// EnvPostgres names the environment variable that selects PostgreSQL.
const EnvPostgres = "CARTABLE_TEST_POSTGRES"

// schemaPrefix starts the name of every schema made here; leftovers of
// crashed test runs older than staleAfter are dropped at the next run.
const (
	schemaPrefix = "cartable_test_"
	staleAfter   = 2 * time.Hour
)

// Postgres reports whether tests run against PostgreSQL.
func Postgres() bool { return os.Getenv(EnvPostgres) != "" }

// Open returns a fresh, migrated database for the current engine. It is
// closed (and on PostgreSQL its schema dropped) when the test ends.
func Open(t testing.TB) *db.DB {
	t.Helper()
	d := OpenEmpty(t)
	if _, err := d.Migrate(context.Background()); err != nil {
		t.Fatalf("dbtest: migrate %s: %v", d.Dialect(), err)
	}
	return d
}

// OpenEmpty is Open without the migrations, for tests of the migrations.
func OpenEmpty(t testing.TB) *db.DB {
	t.Helper()
	if u := os.Getenv(EnvPostgres); u != "" {
		return openPostgres(t, u)
	}
	return openSQLite(t)
}

func openSQLite(t testing.TB) *db.DB {
	t.Helper()
	ctx := context.Background()
	d, err := db.Open(ctx, filepath.Join(t.TempDir(), "test.db"))
	if err != nil {
		t.Fatalf("dbtest: %v", err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

// admin is one connection pool per test binary used to create and drop the
// per-test schemas.
var admin struct {
	once sync.Once
	db   *db.DB
	err  error
}

func adminDB(rawURL string) (*db.DB, error) {
	admin.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		admin.db, admin.err = db.Open(ctx, rawURL)
		if admin.err == nil {
			dropStale(ctx, admin.db)
		}
	})
	return admin.db, admin.err
}

// dropStale removes schemas left by test binaries that died before their
// cleanup ran. The schema name carries its creation time.
func dropStale(ctx context.Context, a *db.DB) {
	rows, err := a.Query(ctx, `SELECT nspname FROM pg_namespace WHERE nspname LIKE 'cartable\_test\_%'`)
	if err != nil {
		return
	}
	var stale []string
	for rows.Next() {
		var name string
		if rows.Scan(&name) != nil {
			continue
		}
		ts, _, _ := strings.Cut(strings.TrimPrefix(name, schemaPrefix), "_")
		if sec, err := strconv.ParseInt(ts, 10, 64); err == nil && time.Since(time.Unix(sec, 0)) > staleAfter {
			stale = append(stale, name)
		}
	}
	rows.Close()
	for _, name := range stale {
		a.Exec(ctx, `DROP SCHEMA IF EXISTS "`+name+`" CASCADE`)
	}
}

// URL returns a database URL for a fresh, empty database of the engine
// under test — a SQLite file, or a private PostgreSQL schema dropped at the
// end of the test — for tests that run the binary.
func URL(t testing.TB) string {
	t.Helper()
	if u := os.Getenv(EnvPostgres); u != "" {
		return schemaURL(t, u)
	}
	return filepath.Join(t.TempDir(), "test.db")
}

// schemaURL creates a private schema and returns the URL that selects it.
func schemaURL(t testing.TB, rawURL string) string {
	t.Helper()
	ctx := context.Background()
	a, err := adminDB(rawURL)
	if err != nil {
		t.Fatalf("dbtest: %s is set but PostgreSQL cannot be used: %v", EnvPostgres, err)
	}
	schema := schemaName(t.Name())
	if _, err := a.Exec(ctx, `CREATE SCHEMA "`+schema+`"`); err != nil {
		t.Fatalf("dbtest: create schema: %v", err)
	}
	// Registered first, so it runs after the test's pool is closed.
	t.Cleanup(func() {
		if _, err := a.Exec(context.Background(), `DROP SCHEMA IF EXISTS "`+schema+`" CASCADE`); err != nil {
			t.Logf("dbtest: drop schema %s: %v", schema, err)
		}
	})
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatalf("dbtest: %s: %v", EnvPostgres, err)
	}
	qs := u.Query()
	qs.Set("search_path", schema) // pgx sends unknown parameters as run-time settings
	u.RawQuery = qs.Encode()
	return u.String()
}

func openPostgres(t testing.TB, rawURL string) *db.DB {
	t.Helper()
	d, err := db.Open(context.Background(), schemaURL(t, rawURL))
	if err != nil {
		t.Fatalf("dbtest: %v", err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

// schemaName is cartable_test_<unix seconds>_<random>_<test name>, a valid
// unquoted PostgreSQL identifier of at most 63 bytes.
func schemaName(test string) string {
	var b [4]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	var n strings.Builder
	for _, r := range strings.ToLower(test) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			n.WriteRune(r)
		} else if n.Len() > 0 && !strings.HasSuffix(n.String(), "_") {
			n.WriteByte('_')
		}
	}
	s := fmt.Sprintf("%s%d_%s_%s", schemaPrefix, time.Now().Unix(), hex.EncodeToString(b[:]), n.String())
	if len(s) > 63 {
		s = s[:63]
	}
	return strings.TrimRight(s, "_")
}
