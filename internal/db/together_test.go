package db_test

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"sync"
	"testing"

	"cartable/internal/db"
	"cartable/internal/dbtest"
)

// togetherTable makes a small table of the values a page reads: text
// (empty and NULL), integers, booleans.
func togetherTable(t *testing.T) *db.DB {
	t.Helper()
	ctx := context.Background()
	d := dbtest.OpenEmpty(t)
	if _, err := d.Exec(ctx, `CREATE TABLE tg (id INTEGER PRIMARY KEY, name TEXT NOT NULL, note TEXT, big BIGINT NOT NULL, flag BOOLEAN NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	for i, name := range []string{"Alice", "", "Chloé"} {
		var note any
		if i == 0 {
			note = "première"
		}
		if _, err := d.Exec(ctx, `INSERT INTO tg (id, name, note, big, flag) VALUES (?, ?, ?, ?, ?)`, i+1, name, note, int64(1)<<40+int64(i), i%2 == 0); err != nil {
			t.Fatal(err)
		}
	}
	return d
}

type tgRow struct {
	ID   int
	Name string
	Note sql.NullString
	Big  int64
	Flag bool
}

func readTG(ctx context.Context, q db.Querier, id int) (tgRow, error) {
	var r tgRow
	err := q.QueryRow(ctx, `SELECT id, name, note, big, flag FROM tg WHERE id = ?`, id).Scan(&r.ID, &r.Name, &r.Note, &r.Big, &r.Flag)
	return r, err
}

// TestTogetherReadsAsAlone: functions run together read what they read
// alone, in fewer round trips on PostgreSQL, and a missing row, a failed
// statement and a write inside behave as they do alone.
func TestTogetherReadsAsAlone(t *testing.T) {
	ctx := context.Background()
	d := togetherTable(t)
	var alone [3]tgRow
	for i := range alone {
		var err error
		if alone[i], err = readTG(ctx, d, i+1); err != nil {
			t.Fatal(err)
		}
	}
	if alone[1].Name != "" || alone[1].Note.Valid || !alone[0].Note.Valid || alone[0].Note.String != "première" || alone[2].Big != 1<<40+2 || !alone[2].Flag || alone[1].Flag {
		t.Fatalf("read alone: %+v", alone)
	}

	var got [3]tgRow
	var names []string
	var count int
	var missing error
	before, trips := d.Statements(), d.RoundTrips()
	err := d.Together(ctx,
		func(ctx context.Context) (err error) {
			if got[0], err = readTG(ctx, d, 1); err != nil {
				return err
			}
			got[1], err = readTG(ctx, d, 2) // a second round
			return err
		},
		func(ctx context.Context) (err error) {
			got[2], err = readTG(ctx, d, 3)
			return err
		},
		func(ctx context.Context) (err error) {
			names, err = db.Strings(ctx, d, `SELECT name FROM tg ORDER BY id`)
			return err
		},
		func(ctx context.Context) error {
			missing = d.QueryRow(ctx, `SELECT name FROM tg WHERE id = ?`, 99).Scan(new(string))
			if _, err := d.Exec(ctx, `UPDATE tg SET big = big + 1 WHERE id = ?`, 3); err != nil {
				return err
			}
			return d.QueryRow(ctx, `SELECT COUNT(*) FROM tg WHERE big > ?`, int64(1)<<40).Scan(&count)
		},
	)
	if err != nil {
		t.Fatal(err)
	}
	if got != alone {
		t.Fatalf("read together %+v, alone %+v", got, alone)
	}
	if strings.Join(names, "|") != "Alice||Chloé" || count != 2 || !errors.Is(missing, sql.ErrNoRows) {
		t.Fatalf("names %q, count %d, missing row: %v", names, count, missing)
	}
	statements, roundTrips := d.Statements()-before, d.RoundTrips()-trips
	if statements != 7 {
		t.Fatalf("%d statements, want 7", statements)
	}
	if dbtest.Postgres() && roundTrips > 4 {
		t.Fatalf("PostgreSQL: %d round trips for 7 statements, want at most 4 (two pipelines, the write, the last read)", roundTrips)
	}
	if !dbtest.Postgres() && roundTrips != statements {
		t.Fatalf("SQLite: %d round trips counted for %d statements", roundTrips, statements)
	}

	// A failed statement fails its function and the first error in the
	// order of the functions is returned. On PostgreSQL a read queued after
	// it in the same pipeline fails with it (which one comes first depends
	// on the goroutines), so only SQLite's read is checked.
	var ok tgRow
	err = d.Together(ctx,
		func(ctx context.Context) (err error) { ok, err = readTG(ctx, d, 1); return },
		func(ctx context.Context) error {
			_, err := d.Query(ctx, `SELECT no_such_column FROM tg`)
			return err
		},
	)
	if err == nil || !strings.Contains(err.Error(), "no_such_column") {
		t.Fatalf("a failed statement together: %v", err)
	}
	if ok != alone[0] && !dbtest.Postgres() {
		t.Fatalf("SQLite: the read before the failed one gave %+v", ok)
	}
}

// TestTogetherDoesNotWaitForever: a function waiting on a lock that a
// function reading holds does not hold the reads back for good, and one
// that says so (db.Waiting) does not hold them back at all.
func TestTogetherDoesNotWaitForever(t *testing.T) {
	ctx := context.Background()
	d := togetherTable(t)
	for _, says := range []bool{false, true} {
		var mu sync.Mutex
		lock := func(ctx context.Context) {
			if says && !mu.TryLock() {
				defer db.Waiting(ctx)()
				mu.Lock()
			} else if !says {
				mu.Lock()
			}
		}
		var a, b tgRow
		stalls := d.Stalls()
		err := d.Together(ctx,
			func(ctx context.Context) (err error) {
				lock(ctx)
				defer mu.Unlock()
				a, err = readTG(ctx, d, 1)
				return err
			},
			func(ctx context.Context) (err error) {
				lock(ctx)
				defer mu.Unlock()
				b, err = readTG(ctx, d, 2)
				return err
			},
		)
		if err != nil || a.Name != "Alice" || b.ID != 2 {
			t.Fatalf("says %v: %+v %+v %v", says, a, b, err)
		}
		if says && d.Stalls() != stalls {
			t.Errorf("a function waiting on the lock said so, yet the reads waited for the delay")
		}
	}
}

// TestTogetherPanicIsAnError: a panic in one function fails the page, not
// the process.
func TestTogetherPanicIsAnError(t *testing.T) {
	d := togetherTable(t)
	err := d.Together(context.Background(),
		func(ctx context.Context) error { _, err := readTG(ctx, d, 1); return err },
		func(ctx context.Context) error { panic("boom") },
	)
	if err == nil || !strings.Contains(err.Error(), "boom") {
		t.Fatalf("panic together: %v", err)
	}
}

// TestTogetherInsideTogether: the parts of a Together inside another join
// the outer one's pipelines, and the part that called it goes on when they
// are done.
func TestTogetherInsideTogether(t *testing.T) {
	ctx := context.Background()
	d := togetherTable(t)
	// The fewest round trips of three runs: on a busy machine a goroutine
	// late for a core sends a pipeline early (stallAfter).
	fewest := -1
	for range 3 {
		var got [3]tgRow
		var after tgRow
		trips := d.RoundTrips()
		err := d.Together(ctx,
			func(ctx context.Context) (err error) {
				got[0], err = readTG(ctx, d, 1)
				return err
			},
			func(ctx context.Context) error {
				err := d.Together(ctx,
					func(ctx context.Context) (err error) { got[1], err = readTG(ctx, d, 2); return },
					func(ctx context.Context) (err error) { got[2], err = readTG(ctx, d, 3); return },
				)
				if err != nil {
					return err
				}
				after, err = readTG(ctx, d, 1) // after the inner parts: a round of its own
				return err
			},
		)
		if err != nil {
			t.Fatal(err)
		}
		for i := range got {
			if got[i].ID != i+1 {
				t.Fatalf("read %d inside: %+v", i+1, got[i])
			}
		}
		if after != got[0] {
			t.Fatalf("the read after the inner Together: %+v", after)
		}
		if n := int(d.RoundTrips() - trips); fewest < 0 || n < fewest {
			fewest = n
		}
	}
	if dbtest.Postgres() && fewest != 2 {
		t.Fatalf("PostgreSQL: %d round trips, want 2 (the three first reads in one pipeline, then the last)", fewest)
	}
	// A failed part inside fails the outer Together, whose other part
	// still ends.
	err := d.Together(ctx,
		func(ctx context.Context) error { _, err := readTG(ctx, d, 1); return err },
		func(ctx context.Context) error {
			return d.Together(ctx,
				func(ctx context.Context) error { _, err := readTG(ctx, d, 2); return err },
				func(ctx context.Context) error { _, err := d.Query(ctx, `SELECT no_such_column FROM tg`); return err },
			)
		},
	)
	if err == nil || !strings.Contains(err.Error(), "no_such_column") {
		t.Fatalf("a failed statement inside: %v", err)
	}
}
