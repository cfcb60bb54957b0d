// Package db opens the database (embedded SQLite or PostgreSQL), applies the
// embedded migrations and offers the few helpers every domain package uses.
//
// Queries are written once with '?' placeholders; they are rewritten to
// PostgreSQL's $n form on the fly. Only SQL that both engines accept is used.
package db

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite" // registers "sqlite" (pure Go)
)

// Dialect names the database engine behind a DB.
type Dialect int

const (
	SQLite Dialect = iota
	Postgres
)

func (d Dialect) String() string {
	if d == Postgres {
		return "postgres"
	}
	return "sqlite"
}

// DB is the application's handle. On SQLite, writes go through a single
// connection (SQLite allows one writer) and reads through a pool of
// read-only connections, so readers never wait behind a busy_timeout.
// On PostgreSQL both are the same pool.
type DB struct {
	dialect Dialect
	r, w    *sql.DB

	// Prepared statements by query text, per pool. SQLite spends most of a
	// small query's time parsing it; preparing once removes that. Query
	// texts built with a variable number of placeholders would grow the
	// cache without end, so it stops taking new entries at maxStmts.
	mu             sync.Mutex
	rstmts, wstmts map[string]*sql.Stmt

	sent   atomic.Int64 // statements sent, transactions' included (Statements)
	trips  atomic.Int64 // statements sent alone, and pipelines (RoundTrips)
	stalls atomic.Int64 // pipelines sent before every function waited (Together's stallAfter)

	// Trace, when set before use, is called with the text of every
	// statement: tests list the round trips of a page with it.
	Trace func(query string)
}

// Statements counts the statements sent through d and its transactions
// since it was opened: measurements divide it by the pages served to tell
// the database round trips of a page.
func (d *DB) Statements() int64 { return d.sent.Load() }

// RoundTrips counts the round trips to the database since it was opened:
// the statements sent alone and the pipelines of Together. It never goes
// down (a Prometheus counter): a gathered read counts when its pipeline is
// sent.
func (d *DB) RoundTrips() int64 { return d.trips.Load() }

// Stalls counts the pipelines of Together sent after stallAfter, before
// every function waited on a read: a busy machine, or a function waiting on
// something else than a read without saying so (Waiting).
func (d *DB) Stalls() int64 { return d.stalls.Load() }

// gathering is the Together whose reads ctx gathers, if any.
func (d *DB) gathering(ctx context.Context) *gather {
	if d.dialect != Postgres {
		return nil
	}
	if g := gatherOf(ctx); g != nil && g.d == d {
		return g
	}
	return nil
}

const maxStmts = 512

// stmt returns the cached prepared statement for q on pool p, preparing it
// if needed; nil means "run it unprepared".
func (d *DB) stmt(ctx context.Context, p *sql.DB, cache *map[string]*sql.Stmt, q string) *sql.Stmt {
	d.mu.Lock()
	st, ok := (*cache)[q]
	full := len(*cache) >= maxStmts
	d.mu.Unlock()
	if ok {
		return st
	}
	if full || strings.Contains(q, listMark) {
		return nil
	}
	st, err := p.PrepareContext(ctx, q)
	if err != nil {
		return nil // the unprepared call reports the error
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if *cache == nil {
		*cache = map[string]*sql.Stmt{}
	}
	if prev, ok := (*cache)[q]; ok {
		st.Close()
		return prev
	}
	(*cache)[q] = st
	return st
}

// Querier is what both DB and Tx offer; domain functions accept it so that
// they run inside or outside a transaction alike.
type Querier interface {
	Query(ctx context.Context, q string, args ...any) (Rows, error)
	QueryRow(ctx context.Context, q string, args ...any) Row
	Exec(ctx context.Context, q string, args ...any) (sql.Result, error)
	Dialect() Dialect
}

// Open connects to url: "postgres://…" or "postgresql://…" selects
// PostgreSQL; "sqlite:PATH", "file:PATH" or a plain path selects SQLite.
func Open(ctx context.Context, url string) (*DB, error) {
	switch {
	case url == "":
		return nil, errors.New("database: no database URL or path given")
	case strings.HasPrefix(url, "postgres://"), strings.HasPrefix(url, "postgresql://"):
		return openPostgres(ctx, url)
	case strings.Contains(url, "://") && !strings.HasPrefix(url, "sqlite://"):
		scheme := url[:strings.Index(url, "://")]
		return nil, fmt.Errorf("database: unsupported URL scheme %q (use postgres://… or a SQLite file path)", scheme)
	}
	path := strings.TrimPrefix(strings.TrimPrefix(strings.TrimPrefix(url, "sqlite://"), "sqlite:"), "file:")
	return openSQLite(ctx, path)
}

// sessionDefaults are the PostgreSQL settings Cartable's connections use
// unless the database URL names them (any URL parameter pgx does not know
// is sent as a setting, e.g. ?plan_cache_mode=auto).
//   - plan_cache_mode: our statements are prepared once per connection and
//     are index lookups whose best plan does not depend on the values; in
//     "auto" mode PostgreSQL planned the larger ones again at every
//     execution, which cost up to 0.7 ms a statement on a home page.
//   - random_page_cost: a school's working set sits in memory or on SSD;
//     the default (4, for spinning disks) made the planner hash whole
//     tables instead of following an index for a few rows.
//
// The home page went from 2.48 to 1.73 ms a request (issue 14, measured
// with BenchmarkHomeVersusBare on PostgreSQL 15).
var sessionDefaults = map[string]string{
	"plan_cache_mode":  "force_generic_plan",
	"random_page_cost": "1.1",
}

func openPostgres(ctx context.Context, url string) (*DB, error) {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("database: %s", oneLine(err))
	}
	for k, v := range sessionDefaults {
		if _, set := cfg.RuntimeParams[k]; !set {
			cfg.RuntimeParams[k] = v
		}
	}
	p := stdlib.OpenDB(*cfg)
	p.SetMaxOpenConns(4 * runtime.NumCPU())
	p.SetMaxIdleConns(4 * runtime.NumCPU())
	if err := p.PingContext(ctx); err != nil {
		p.Close()
		return nil, fmt.Errorf("database: cannot reach PostgreSQL: %s", oneLine(err))
	}
	return &DB{dialect: Postgres, r: p, w: p}, nil
}

func openSQLite(ctx context.Context, path string) (*DB, error) {
	if path == "" {
		return nil, errors.New("database: empty SQLite path")
	}
	if dir := filepath.Dir(path); dir != "" {
		st, err := os.Stat(dir)
		if err != nil {
			return nil, fmt.Errorf("database: directory %s: %s", dir, oneLine(err))
		}
		if !st.IsDir() {
			return nil, fmt.Errorf("database: %s is not a directory", dir)
		}
	}
	if err := ownerOnly(path); err != nil {
		return nil, err
	}
	const pragmas = "_pragma=foreign_keys(1)&_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_txlock=immediate"
	w, err := sql.Open("sqlite", "file:"+path+"?"+pragmas)
	if err != nil {
		return nil, fmt.Errorf("database: %v", err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		return nil, fmt.Errorf("database: cannot open SQLite file %s: %s", path, oneLine(err))
	}
	// A write probe: an unwritable file or folder is reported now, not at the
	// first sign-in.
	if _, err := w.ExecContext(ctx, "CREATE TABLE IF NOT EXISTS cartable_probe (x INTEGER); DROP TABLE cartable_probe"); err != nil {
		w.Close()
		return nil, fmt.Errorf("database: SQLite file %s is not writable: %s", path, oneLine(err))
	}
	r, err := sql.Open("sqlite", "file:"+path+"?"+pragmas+"&_pragma=query_only(1)")
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("database: %v", err)
	}
	n := 2 * runtime.NumCPU()
	r.SetMaxOpenConns(n)
	r.SetMaxIdleConns(n)
	r.SetConnMaxLifetime(0)
	return &DB{dialect: SQLite, r: r, w: w}, nil
}

// ownerOnly creates the SQLite file readable and writable by its owner
// only (0600) when it does not exist, and takes the group's and others'
// rights off an existing one and off its -wal and -shm files, so that
// nobody else on the host reads the database. SQLite creates -wal and -shm
// with the database file's mode, so they stay 0600 afterwards.
func ownerOnly(path string) error {
	if path == ":memory:" || strings.HasPrefix(path, ":memory:?") {
		return nil
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("database: cannot open SQLite file %s: %s", path, oneLine(err))
	}
	f.Close()
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		st, err := os.Stat(p)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err == nil && st.Mode().Perm()&0o077 != 0 {
			err = os.Chmod(p, st.Mode().Perm()&^0o077)
		}
		if err != nil {
			return fmt.Errorf("database: cannot restrict SQLite file %s to its owner: %s", p, oneLine(err))
		}
	}
	return nil
}

func oneLine(err error) string {
	return strings.Join(strings.Fields(err.Error()), " ")
}

// Close releases the statements and both pools.
func (d *DB) Close() error {
	d.mu.Lock()
	for _, c := range []map[string]*sql.Stmt{d.rstmts, d.wstmts} {
		for _, st := range c {
			st.Close()
		}
	}
	d.rstmts, d.wstmts = nil, nil
	d.mu.Unlock()
	err := d.w.Close()
	if d.r != d.w {
		if e := d.r.Close(); err == nil {
			err = e
		}
	}
	return err
}

// Ping checks the database answers (for /readyz).
func (d *DB) Ping(ctx context.Context) error { return d.r.PingContext(ctx) }

func (d *DB) Query(ctx context.Context, q string, args ...any) (Rows, error) {
	g := d.gathering(ctx)
	q = d.rebind(q, g == nil)
	if g != nil {
		return g.query(q, args)
	}
	var rows *sql.Rows
	var err error
	if st := d.stmt(ctx, d.r, &d.rstmts, q); st != nil {
		rows, err = st.QueryContext(ctx, args...)
	} else {
		rows, err = d.r.QueryContext(ctx, q, args...)
	}
	if err != nil {
		return nil, err // not a nil *sql.Rows in a non-nil Rows
	}
	return rows, nil
}

func (d *DB) QueryRow(ctx context.Context, q string, args ...any) Row {
	g := d.gathering(ctx)
	q = d.rebind(q, g == nil)
	if g != nil {
		rows, err := g.query(q, args)
		return &firstRow{rows: rows, err: err}
	}
	if st := d.stmt(ctx, d.r, &d.rstmts, q); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return d.r.QueryRowContext(ctx, q, args...)
}

func (d *DB) Exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	q = d.rebind(q, true)
	if st := d.stmt(ctx, d.w, &d.wstmts, q); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return d.w.ExecContext(ctx, q, args...)
}

// Dialect tells which engine is behind the handle.
func (d *DB) Dialect() Dialect { return d.dialect }

// Tx runs fn in one transaction on the writer; any error rolls it all back.
func (d *DB) Tx(ctx context.Context, fn func(tx *Tx) error) (err error) {
	t, err := d.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() {
		if p := recover(); p != nil {
			t.Rollback()
			panic(p)
		}
		if err != nil {
			t.Rollback()
		}
	}()
	if err = fn(&Tx{tx: t, db: d}); err != nil {
		return err
	}
	return t.Commit()
}

// Tx is a transaction; it offers the same methods as DB.
type Tx struct {
	tx *sql.Tx
	db *DB
}

func (t *Tx) Query(ctx context.Context, q string, args ...any) (Rows, error) {
	rows, err := t.tx.QueryContext(ctx, t.db.rebind(q, true), args...)
	if err != nil {
		return nil, err
	}
	return rows, nil
}

func (t *Tx) QueryRow(ctx context.Context, q string, args ...any) Row {
	return t.tx.QueryRowContext(ctx, t.db.rebind(q, true), args...)
}

func (t *Tx) Exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	return t.tx.ExecContext(ctx, t.db.rebind(q, true), args...)
}

// Prepare prepares a statement for repeated use inside bulk loads.
func (t *Tx) Prepare(ctx context.Context, q string) (*sql.Stmt, error) {
	return t.tx.PrepareContext(ctx, t.db.rebind(q, true))
}

func (t *Tx) Dialect() Dialect { return t.db.dialect }

var rebound sync.Map // query text → PostgreSQL form

// rebind counts a statement (alone: a round trip of its own, not a read
// gathered into a pipeline) and gives its text for the engine.
func (d *DB) rebind(q string, alone bool) string {
	d.sent.Add(1) // every statement passes here once
	if alone {
		d.trips.Add(1)
	}
	if d.Trace != nil {
		d.Trace(q)
	}
	if d.dialect != Postgres || !strings.Contains(q, "?") {
		return q
	}
	if v, ok := rebound.Load(q); ok {
		return v.(string)
	}
	var b strings.Builder
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(q[i])
	}
	s := b.String()
	rebound.Store(q, s)
	return s
}

// listMark tags the variable-length lists made by Placeholders: a query
// holding one is never kept prepared, since each length is another text.
const listMark = "/*list*/"

// Placeholders returns "?, ?, …" with n marks, for IN lists.
func Placeholders(n int) string {
	if n <= 0 {
		return ""
	}
	return listMark + strings.Repeat("?, ", n-1) + "?"
}

// In returns the condition "column is one of a list" with a single
// argument, made by ListArg. The query text does not depend on the list's
// length, so it is prepared once, unlike a list of placeholders. PostgreSQL
// gets "= ANY(text[])", which its planner turns into an index lookup.
func In(q Querier, column string) string {
	if q.Dialect() == Postgres {
		return column + " = ANY(CAST(? AS text[]))"
	}
	return column + " IN (SELECT value FROM json_each(?))"
}

// ListArg encodes values as the argument of In.
func ListArg(q Querier, values []string) any {
	if values == nil {
		values = []string{}
	}
	if q.Dialect() == Postgres {
		return values // pgx sends a []string as text[]
	}
	b, _ := json.Marshal(values)
	return string(b)
}

// Analyze refreshes PostgreSQL's planner statistics of the tables named
// (constants of the caller, never input), or of every table; call it after
// a bulk load, or PostgreSQL keeps planning for the empty tables it saw
// before. On SQLite it does nothing on purpose: with statistics (STAT4)
// SQLite re-plans a prepared statement each time its arguments change,
// which tripled the cost of a page, and our indexed queries need no
// statistics.
func (d *DB) Analyze(ctx context.Context, tables ...string) error {
	if d.dialect != Postgres {
		return nil
	}
	_, err := d.w.ExecContext(ctx, "ANALYZE "+strings.Join(tables, ", "))
	return err
}

// IsUniqueViolation reports whether err is a unique-constraint failure on
// either engine.
func IsUniqueViolation(err error) bool {
	if err == nil {
		return false
	}
	s := err.Error()
	return strings.Contains(s, "UNIQUE constraint failed") || strings.Contains(s, "SQLSTATE 23505")
}

// Scanner is a row being read: *sql.Row and *sql.Rows both are.
type Scanner interface{ Scan(dest ...any) error }

// All runs a query and reads every row with scan: the one loop over rows,
// so that callers write only how a row becomes a value.
func All[T any](ctx context.Context, q Querier, scan func(Scanner) (T, error), query string, args ...any) ([]T, error) {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// Strings runs a query of one text column and returns its values.
func Strings(ctx context.Context, q Querier, query string, args ...any) ([]string, error) {
	return All(ctx, q, func(s Scanner) (v string, err error) { err = s.Scan(&v); return }, query, args...)
}

// Advisory takes a PostgreSQL session-level advisory lock on a connection
// of its own, held until release: shared holders coexist, an exclusive
// holder excludes everyone. It does not wait: ok is false when the lock is
// taken. On SQLite it holds nothing and ok is true (one host: callers lock
// a file of their own).
func (d *DB) Advisory(ctx context.Context, key int64, shared bool) (release func(), ok bool, err error) {
	if d.dialect != Postgres {
		return func() {}, true, nil
	}
	conn, err := d.w.Conn(ctx)
	if err != nil {
		return nil, false, err
	}
	kind := ""
	if shared {
		kind = "_shared"
	}
	if err := conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock`+kind+`($1)`, key).Scan(&ok); err != nil || !ok {
		conn.Close()
		return nil, false, err
	}
	return func() {
		// A connection back in the pool must not keep the lock: unlock, or
		// throw the connection away.
		var unlocked bool
		if conn.QueryRowContext(context.Background(), `SELECT pg_advisory_unlock`+kind+`($1)`, key).Scan(&unlocked); !unlocked {
			conn.Raw(func(any) error { return driver.ErrBadConn })
		}
		conn.Close()
	}, true, nil
}

// Pool is a connection pool's figures, for the metrics.
type Pool struct {
	Open, InUse, Waits int64
	Waited             time.Duration
}

// PoolStats are the read pool's and the write pool's figures (one and
// the same pool on PostgreSQL).
func (d *DB) PoolStats() (read, write Pool) {
	of := func(s sql.DBStats) Pool {
		return Pool{Open: int64(s.OpenConnections), InUse: int64(s.InUse), Waits: s.WaitCount, Waited: s.WaitDuration}
	}
	return of(d.r.Stats()), of(d.w.Stats())
}
