package web_test

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"cartable/internal/db"
	"cartable/internal/files"
)

// dumpHits reads every column of every table, as a raw dump would, and
// lists where needle appears: in the bytes themselves or inside any cell
// that is a readable zip archive (an upload kept as sent).
func (e *env) dumpHits(needles ...string) []string {
	e.t.Helper()
	ctx := context.Background()
	q := `SELECT name FROM sqlite_master WHERE type = 'table'`
	if e.db.Dialect() == db.Postgres {
		q = `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`
	}
	var tables []string
	rows, err := e.db.Query(ctx, q)
	if err != nil {
		e.t.Fatal(err)
	}
	for rows.Next() {
		var s string
		rows.Scan(&s)
		tables = append(tables, s)
	}
	rows.Close()
	var hits []string
	for _, table := range tables {
		rows, err := e.db.Query(ctx, `SELECT * FROM `+table)
		if err != nil {
			e.t.Fatalf("%s: %v", table, err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				e.t.Fatal(err)
			}
			for i, v := range vals {
				var b []byte
				switch v := v.(type) {
				case []byte:
					b = v
				case string:
					b = []byte(v)
				default:
					b = []byte(fmt.Sprint(v))
				}
				contents := [][]byte{b}
				if zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b))); err == nil {
					hits = append(hits, table+"."+cols[i]+" (a readable zip)")
					for _, f := range zr.File {
						if rc, err := f.Open(); err == nil {
							x, _ := io.ReadAll(rc)
							rc.Close()
							contents = append(contents, x)
						}
					}
				}
				for _, c := range contents {
					for _, n := range needles {
						if bytes.Contains(c, []byte(n)) {
							hits = append(hits, table+"."+cols[i]+": "+n)
						}
					}
				}
			}
		}
		rows.Close()
	}
	return hits
}

// A delivery waiting for review is sealed: a dump of the database shows
// neither the national student numbers (INE) nor the scholarship status
// it carries, and the confirmation still applies it.
func TestProvisioningPendingUploadIsSealed(t *testing.T) {
	e := newEnv(t, 60)
	admin := e.signIn(e.account(provOperator).Login)
	delivery := provZip(t, provFixtures+"/aaf/complete", nil)
	// The fixture carries them (inside its compressed files).
	zr, _ := zip.NewReader(bytes.NewReader(delivery), int64(len(delivery)))
	carried := false
	for _, f := range zr.File {
		rc, _ := f.Open()
		b, _ := io.ReadAll(rc)
		rc.Close()
		carried = carried || bytes.Contains(b, []byte("0123456789A")) && bytes.Contains(b, []byte("ENTEleveBoursier"))
	}
	if !carried {
		t.Fatal("the fixture carries no INE nor scholarship status")
	}
	if hits := e.dumpHits("0123456789A", "ENTEleveBoursier", "Boursier"); len(hits) != 0 {
		t.Fatalf("before the upload: %v", hits)
	}
	r := admin.provUpload(url.Values{"source": {"aaf"}}, map[string][]byte{"livraison.zip": delivery})
	if r.status != http.StatusSeeOther {
		t.Fatalf("upload: %d %.500s", r.status, r.body)
	}
	review := r.header.Get("Location")
	if hits := e.dumpHits("0123456789A", "ENTEleveBoursier", "Boursier"); len(hits) != 0 {
		t.Errorf("a dump of the pending upload reveals: %v", hits)
	}
	if n := e.provCount(`SELECT COUNT(*) FROM instance_keys WHERE name = ?`, files.PendingUploads); n != 1 {
		t.Errorf("%d instance keys for pending uploads", n)
	}
	if r := admin.get(review); r.status != 200 || !strings.Contains(r.body, "4 élèves créés") {
		t.Fatalf("review: %d", r.status)
	}
	if r := admin.provPost(review+"/confirm", nil); r.status != http.StatusSeeOther {
		t.Fatalf("confirm: %d %.500s", r.status, r.body)
	}
	if n := e.provCount(`SELECT COUNT(*) FROM people WHERE external_id IS NOT NULL`); n != 14 {
		t.Errorf("%d people imported", n)
	}
	// Imports never store them either.
	if hits := e.dumpHits("0123456789A", "ENTEleveBoursier", "Boursier"); len(hits) != 0 {
		t.Errorf("after the import: %v", hits)
	}
}

// An upload an older version stored in clear does not open: its
// confirmation forgets it and asks for it again, and nothing is imported;
// the server's start forgets such uploads before any request
// (provisioning.ForgetUnreadableUploads).
func TestProvisioningUploadStoredInClearIsForgotten(t *testing.T) {
	e := newEnv(t, 60)
	admin := e.signIn(e.account(provOperator).Login)
	delivery := provZip(t, provFixtures+"/aaf/complete", nil)
	r := admin.provUpload(url.Values{"source": {"aaf"}}, map[string][]byte{"livraison.zip": delivery})
	if r.status != http.StatusSeeOther {
		t.Fatalf("upload: %d %.500s", r.status, r.body)
	}
	if _, err := e.db.Exec(context.Background(), `UPDATE import_uploads SET archive = ?`, delivery); err != nil {
		t.Fatal(err)
	}
	r = admin.provPost(r.header.Get("Location")+"/confirm", nil)
	if r.status != http.StatusGone || !strings.Contains(r.body, "envoyez-la de nouveau") {
		t.Fatalf("confirm of an upload stored in clear: %d %.800s", r.status, r.body)
	}
	if n := e.provCount(`SELECT COUNT(*) FROM import_uploads`); n != 0 {
		t.Error("the unreadable upload was kept")
	}
	if n := e.provCount(`SELECT COUNT(*) FROM people WHERE external_id IS NOT NULL`); n != 0 {
		t.Errorf("%d people imported", n)
	}
}
