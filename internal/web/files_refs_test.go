package web_test

import (
	"slices"
	"testing"

	"cartable/internal/dbtest"
	"cartable/internal/files"
)

// Every column of the schema that refers to stored files is registered by
// its domain (files.RegisterReference) in the binary the server is built
// from: otherwise the purge (files.DeleteUnreferenced) would delete files
// still referred to.
func TestEveryReferenceToFilesIsRegistered(t *testing.T) {
	d := dbtest.Open(t)
	e := &env{t: t, db: d}
	query := `SELECT m.name || '.' || f."from" FROM sqlite_master m, pragma_foreign_key_list(m.name) f
		WHERE m.type = 'table' AND f."table" = 'files' ORDER BY 1`
	if dbtest.Postgres() {
		query = `SELECT cl.relname || '.' || att.attname FROM pg_constraint c JOIN pg_class cl ON cl.oid = c.conrelid
			JOIN pg_class ref ON ref.oid = c.confrelid JOIN pg_namespace n ON n.oid = cl.relnamespace
			JOIN pg_attribute att ON att.attrelid = c.conrelid AND att.attnum = ANY (c.conkey)
			WHERE c.contype = 'f' AND ref.relname = 'files' AND n.nspname = current_schema() ORDER BY 1`
	}
	if got, want := e.query(query), files.References(); !slices.Equal(got, want) {
		t.Errorf("columns referring to files: %v; registered: %v", got, want)
	}
}
