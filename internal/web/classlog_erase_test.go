package web_test

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"cartable/internal/files"
)

// A removed attachment whose blob the storage refuses to delete stays
// queued, and the next erasure takes it; a file whose blob is missing
// answers 404, not a server error.
func TestRemovedFilesAreErasedEvenAfterAFailure(t *testing.T) {
	e := newTTEnv(t, 60)
	row := e.query(`SELECT s.id || '|' || t.teacher_id || '|' || a.class_id FROM tt_slots s
		JOIN tt_slot_teachers t ON t.slot_id = s.id JOIN tt_slot_audiences a ON a.slot_id = s.id
		WHERE s.weekday = 2 AND a.class_id IS NOT NULL AND s.alternation_id IS NULL
		AND NOT EXISTS (SELECT 1 FROM classlog_entries c WHERE c.slot_id = s.id AND c.lesson_date = '2026-12-01')
		ORDER BY s.id LIMIT 1`)
	if len(row) == 0 {
		t.Fatal("the demo has no Tuesday lesson of a class")
	}
	parts := strings.Split(row[0], "|")
	slot, teacher, class := parts[0], parts[1], parts[2]
	lesson := "/lessons/" + slot + "/2026-12-01"
	tb := e.signIn(e.login(teacher))
	sb := e.signIn(e.login(e.query(`SELECT student_id FROM enrolments WHERE class_id = ? ORDER BY 1 LIMIT 1`, class)[0]))
	r := tb.uploadFiles(lesson+"/log", url.Values{"csrf": {tb.csrf()}, "title": {"Les fractions"}, "category": {"lesson"}},
		[]upFile{{"attachment", "fiche.pdf", pdf("fiche")}, {"attachment", "notes.txt", []byte("Notes")}}, false)
	if r.status != http.StatusSeeOther {
		t.Fatalf("save: %d %s", r.status, alertRe.FindString(r.body))
	}
	entry := e.query(`SELECT id FROM classlog_entries WHERE slot_id = ? AND lesson_date = '2026-12-01'`, slot)[0]
	fileOf := func(name string) files.File {
		row := e.query(`SELECT f.establishment_id || '|' || f.id FROM classlog_attachments a JOIN files f ON f.id = a.file_id
			WHERE a.entry_id = ? AND f.name = ?`, entry, name)
		if len(row) != 1 {
			t.Fatalf("%s is not attached", name)
		}
		est, id, _ := strings.Cut(row[0], "|")
		return files.File{ID: id, EstablishmentID: est}
	}
	fiche, notes := fileOf("fiche.pdf"), fileOf("notes.txt")
	root := e.srv.Files.Backend.(files.Dir).Root
	blob := func(f files.File) string { return filepath.Join(root, f.EstablishmentID, f.ID) }

	// The storage refuses to delete fiche.pdf's blob (its path became a
	// folder that is not empty). The removal still succeeds for the
	// teacher; the file is gone for everyone; its blob waits in the queue.
	os.Remove(blob(fiche))
	if err := os.MkdirAll(filepath.Join(blob(fiche), "x"), 0o700); err != nil {
		t.Fatal(err)
	}
	r = tb.post("/classlog/entries/"+entry+"/attachments/"+fiche.ID+"/remove", url.Values{"csrf": {tb.csrf()}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("removal with the storage refusing: %d", r.status)
	}
	if got := sb.get("/files/" + fiche.ID); got.status != http.StatusNotFound {
		t.Errorf("download of the removed file: %d", got.status)
	}
	if len(e.query(`SELECT id FROM files WHERE id = ?`, fiche.ID)) != 0 {
		t.Error("the removed file's record is still there")
	}
	if q := e.query(`SELECT storage_key FROM file_erasures`); len(q) != 1 || q[0] != fiche.Key() {
		t.Fatalf("queued for erasure: %v", q)
	}
	// Repaired, the next erasure takes it.
	os.RemoveAll(blob(fiche))
	if n, err := e.srv.Files.EraseQueued(context.Background(), e.db); n != 1 || err != nil {
		t.Fatalf("erasure: %d %v", n, err)
	}
	if q := e.query(`SELECT storage_key FROM file_erasures`); len(q) != 0 {
		t.Errorf("still queued: %v", q)
	}

	// notes.txt's blob goes missing from the storage: its download is a
	// 404 page, not a server error, for the class and the author alike.
	if got := sb.get("/files/" + notes.ID); got.status != http.StatusOK || got.body != "Notes" {
		t.Fatalf("download before: %d", got.status)
	}
	if err := os.Remove(blob(notes)); err != nil {
		t.Fatal(err)
	}
	for who, b := range map[string]*browser{"student": sb, "teacher": tb} {
		if got := b.get("/files/" + notes.ID); got.status != http.StatusNotFound || !strings.Contains(got.body, "n&#39;existe pas") {
			t.Errorf("%s downloads a file whose blob is missing: %d", who, got.status)
		}
	}
}
