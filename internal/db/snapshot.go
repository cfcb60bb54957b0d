package db

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
)

// Tables lists the database's own tables, by name.
func (d *DB) Tables(ctx context.Context) ([]string, error) {
	q := `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`
	if d.dialect == Postgres {
		q = `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`
	}
	return Strings(ctx, d, q)
}

// TableDigest is what a table holds, summed up: its number of rows and a
// SHA-256 over its rows in a canonical order, so that two copies compare
// without holding both.
type TableDigest struct {
	Rows   int64  `json:"rows"`
	SHA256 string `json:"sha256"`
}

// Digests sums up every table (Tables): a backup records them, a restore
// finds them again. It reads every row; it is for backups, not pages.
func (d *DB) Digests(ctx context.Context) (map[string]TableDigest, error) {
	tables, err := d.Tables(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[string]TableDigest, len(tables))
	for _, t := range tables {
		if strings.ContainsAny(t, `"; `) {
			return nil, fmt.Errorf("database: unexpected table name %q", t)
		}
		rows, err := d.r.QueryContext(ctx, `SELECT * FROM "`+t+`"`)
		if err != nil {
			return nil, fmt.Errorf("database: read %s: %w", t, err)
		}
		cols, err := rows.Columns()
		if err != nil {
			rows.Close()
			return nil, err
		}
		var lines []string
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				rows.Close()
				return nil, err
			}
			var b strings.Builder
			for _, v := range vals {
				b.WriteString(canonical(v))
				b.WriteByte(0)
			}
			lines = append(lines, b.String())
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		sort.Strings(lines)
		h := sha256.New()
		for _, l := range lines {
			h.Write([]byte(l))
			h.Write([]byte{'\n'})
		}
		out[t] = TableDigest{Rows: int64(len(lines)), SHA256: hex.EncodeToString(h.Sum(nil))}
	}
	return out, nil
}

// canonical writes a value the same way whatever the driver gave.
func canonical(v any) string {
	switch x := v.(type) {
	case nil:
		return "\x01NULL"
	case []byte:
		return hex.EncodeToString(x)
	case time.Time:
		return x.UTC().Format(time.RFC3339Nano)
	default:
		return fmt.Sprint(x)
	}
}

// SnapshotTo writes a consistent copy of a SQLite database to path (which
// must not exist) while the server runs: SQLite's VACUUM INTO reads one
// snapshot and writes a compact, self-contained file. PostgreSQL is
// copied with pg_dump instead (internal/backup).
func (d *DB) SnapshotTo(ctx context.Context, path string) error {
	if d.dialect == Postgres {
		return errors.New("database: SnapshotTo is for SQLite; PostgreSQL is copied with pg_dump")
	}
	_, err := d.w.ExecContext(ctx, `VACUUM INTO ?`, path)
	return err
}
