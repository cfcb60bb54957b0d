package db

import "database/sql"

// Rows is the result of a query: *sql.Rows, or the rows of a read sent in
// a pipeline (Together), already read off the wire.
type Rows interface {
	Next() bool
	Scan(dest ...any) error
	Columns() ([]string, error)
	Err() error
	Close() error
}

// Row is the result of a query of at most one row, as *sql.Row: Scan says
// sql.ErrNoRows when there is none.
type Row interface {
	Scan(dest ...any) error
	Err() error
}

// firstRow is a Row over Rows (a pipelined read).
type firstRow struct {
	rows Rows
	err  error
}

func (r *firstRow) Err() error { return r.err }

func (r *firstRow) Scan(dest ...any) error {
	if r.err != nil {
		return r.err
	}
	defer r.rows.Close()
	if !r.rows.Next() {
		if err := r.rows.Err(); err != nil {
			return err
		}
		return sql.ErrNoRows
	}
	if err := r.rows.Scan(dest...); err != nil {
		return err
	}
	return r.rows.Close()
}
