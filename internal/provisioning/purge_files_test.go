package provisioning_test

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"cartable/internal/access"
	"cartable/internal/db"
	"cartable/internal/dbtest"
	"cartable/internal/directory"
	"cartable/internal/files"
	"cartable/internal/provisioning"
)

// fileEnv is a store on a data directory, to see the blobs at rest.
type fileEnv struct {
	t     *testing.T
	d     *db.DB
	store *files.Store
	data  string
	est   string
}

func newFileEnv(t *testing.T, d *db.DB) *fileEnv {
	t.Helper()
	data := t.TempDir()
	s, err := files.Open(data)
	if err != nil {
		t.Fatal(err)
	}
	e, err := directory.EstablishmentByUAI(ctx, d, "0750001A")
	if err != nil {
		t.Fatal(err)
	}
	return &fileEnv{t: t, d: d, store: s, data: data, est: e.ID}
}

// save stores a file of owner recorded at the Unix time created.
func (e *fileEnv) save(owner, content string, created time.Time) files.File {
	e.t.Helper()
	f, err := e.store.Save(ctx, &access.Viewer{ID: owner}, e.d, e.est, "travail.txt", strings.NewReader(content), 0)
	if err != nil {
		e.t.Fatal(err)
	}
	if _, err := e.d.Exec(ctx, `UPDATE files SET created_at = ? WHERE id = ?`, created.Unix(), f.ID); err != nil {
		e.t.Fatal(err)
	}
	return f
}

// stored tells whether the file's blob is in the data directory.
func (e *fileEnv) stored(f files.File) bool {
	_, err := os.Stat(filepath.Join(e.data, "files", f.EstablishmentID, f.ID))
	return err == nil
}

// entry writes a class log entry of teacher for one of their classes,
// with a homework line to hand work in for, and returns both IDs.
// attachFile and handInFile write the class log's rows as its pages do
// (the purge's fixtures: the class log's own service asks for a signed-in
// teacher or student).
func attachFile(tx *db.Tx, entry, file string) error {
	_, err := tx.Exec(ctx, `INSERT INTO classlog_attachments (entry_id, file_id) VALUES (?, ?)`, entry, file)
	return err
}

func handInFile(tx *db.Tx, hw, student, file string, at time.Time) error {
	_, err := tx.Exec(ctx, `INSERT INTO homework_submissions (homework_id, student_id, file_id, submitted_at) VALUES (?, ?, ?, ?)`,
		hw, student, file, at.Unix())
	return err
}

func entry(t *testing.T, d *db.DB, id, teacher string) (string, string) {
	t.Helper()
	r, err := d.Exec(ctx, `INSERT INTO classlog_entries (id, establishment_id, author_id, lesson_date, class_id, subject_id,
		title, category, created_at, updated_at)
		SELECT ?, a.establishment_id, a.teacher_id, '2026-09-10', a.class_id, a.subject_id, 'Leçon', 'lesson', 0, 0
		FROM teaching_assignments a WHERE a.teacher_id = ? AND a.class_id IS NOT NULL ORDER BY a.id LIMIT 1`, id, teacher)
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := r.RowsAffected(); n != 1 {
		t.Fatalf("no class for an entry of %s", teacher)
	}
	hw := "hw-" + id
	if _, err := d.Exec(ctx, `INSERT INTO homework (id, entry_id, establishment_id, class_id, due_date, description, handin, created_at)
		SELECT ?, e.id, e.establishment_id, e.class_id, '2026-09-15', 'Exercices', 'upload', 0 FROM classlog_entries e WHERE e.id = ?`,
		hw, id); err != nil {
		t.Fatal(err)
	}
	return id, hw
}

// The purge deletes the purged people's files (a student's hand-ins, a
// teacher's files outside their entries, everything of an objector) and
// the old files nothing refers to; the erasure then removes their blobs
// from storage. A teacher's attachments stay with the entries kept.
func TestPurgeErasesFilesButKeepsContributions(t *testing.T) {
	d := dbtest.Open(t)
	importAAF(t, d, completeDir, provisioning.Options{})
	t1, t2, s1, s2 := person(t, d, "T1"), person(t, d, "T2"), person(t, d, "S1"), person(t, d, "S2")
	fe := newFileEnv(t, d)
	now := day0.Add(30 * day)
	old := day0.Add(-time.Hour)

	e1, hw1 := entry(t, d, "entry1", t1.ID)
	e2, _ := entry(t, d, "entry2", t2.ID)
	kept := fe.save(t1.ID, "fiche de T1", old)         // attached to T1's entry: kept
	loose := fe.save(t1.ID, "brouillon de T1", old)    // T1's, attached to nothing: goes
	objected := fe.save(t2.ID, "fiche de T2", old)     // T2 objected: goes
	handIn := fe.save(s1.ID, "copie de S1", old)       // S1 purged: goes
	other := fe.save(s2.ID, "copie de S2", old)        // S2 still here: stays
	orphan := fe.save(s2.ID, "oubli", now.Add(-2*day)) // nothing refers to it: goes
	fresh := fe.save(s2.ID, "en cours", now.Add(-time.Hour))
	if err := d.Tx(ctx, func(tx *db.Tx) error {
		for _, a := range [][2]string{{e1, kept.ID}, {e2, objected.ID}} {
			if err := attachFile(tx, a[0], a[1]); err != nil {
				return err
			}
		}
		for _, h := range []struct{ student, file string }{{s1.ID, handIn.ID}, {s2.ID, other.ID}} {
			if err := handInFile(tx, hw1, h.student, h.file, day0); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	for _, p := range []directory.Person{t1, t2, s1} {
		if err := provisioning.Deactivate(ctx, system, d, p.ID, day0); err != nil {
			t.Fatal(err)
		}
	}
	if err := provisioning.RecordChoice(ctx, system, d, "", t2.ID, true, day0); err != nil {
		t.Fatal(err)
	}

	res, err := provisioning.Purge(ctx, system, d, provisioning.PurgeOptions{Now: now, DelayDays: 30})
	if err != nil || res.Anonymised != 2 || res.Deleted != 1 {
		t.Fatalf("purge %+v %v", res, err)
	}
	if res.FilesDeleted != 4 {
		t.Errorf("%d files deleted, want 4 (the loose file, the objector's, the hand-in, the orphan)", res.FilesDeleted)
	}
	if runs, err := provisioning.PurgeRuns(ctx, system, d, 1); err != nil || runs[0].FilesDeleted != res.FilesDeleted {
		t.Errorf("purge record %+v %v", runs, err)
	}
	gone := []files.File{loose, objected, handIn, orphan}
	stay := []files.File{kept, other, fresh}
	// The records are gone at once; the blobs wait in the queue until the
	// erasure, which the caller runs after the purge.
	for _, f := range gone {
		if _, err := files.Info(ctx, system, d, f.ID); !errors.Is(err, files.ErrNotFound) || !fe.stored(f) {
			t.Errorf("%s after the purge: record %v, blob stored %v", f.ID, err, fe.stored(f))
		}
	}
	n, err := fe.store.EraseQueued(ctx, d)
	if err != nil || n != 4 {
		t.Fatalf("erasure: %d %v", n, err)
	}
	for _, f := range gone {
		if fe.stored(f) {
			t.Errorf("the blob of %s is still in the data directory", f.ID)
		}
	}
	for _, f := range stay {
		if !fe.stored(f) {
			t.Errorf("the blob of %s was erased", f.ID)
		}
	}
	// The kept entry still holds its attachment, which still opens; its
	// owner is the anonymous stub.
	if got := column(t, d, `SELECT file_id FROM classlog_attachments WHERE entry_id = ?`, e1); !slices.Equal(got, []string{kept.ID}) {
		t.Errorf("attachments of the kept entry: %v", got)
	}
	if f, b, err := fe.store.Read(ctx, system, d, kept.ID); err != nil || string(b) != "fiche de T1" || f.OwnerID != t1.ID {
		t.Errorf("the kept attachment: %q %v (owner %s)", b, err, f.OwnerID)
	}
	if got := column(t, d, `SELECT id FROM classlog_entries`); !slices.Equal(got, []string{"entry1"}) {
		t.Errorf("entries left: %v", got)
	}
	if got := column(t, d, `SELECT student_id FROM homework_submissions`); !slices.Equal(got, []string{s2.ID}) {
		t.Errorf("hand-ins left: %v", got)
	}
	// A purge the next day finds nothing more; the fresh upload, now old
	// and still unreferenced, goes with it.
	res, err = provisioning.Purge(ctx, system, d, provisioning.PurgeOptions{Now: now.Add(day), DelayDays: 30})
	if err != nil || res.FilesDeleted != 1 || res.Anonymised+res.Deleted != 0 {
		t.Fatalf("next purge %+v %v", res, err)
	}
	if n, err := fe.store.EraseQueued(ctx, d); err != nil || n != 1 || fe.stored(fresh) || !fe.stored(kept) || !fe.stored(other) {
		t.Fatalf("next erasure: %d %v", n, err)
	}
}

// A closed school year deleted by the purge takes its classes' entries,
// homework and hand-ins with it: their files, left without a reference,
// go in the same purge and their blobs with the erasure.
func TestPurgeOfClosedYearErasesItsFiles(t *testing.T) {
	d := dbtest.Open(t)
	importAAF(t, d, completeDir, provisioning.Options{})
	t1, s1 := person(t, d, "T1"), person(t, d, "S1")
	fe := newFileEnv(t, d)
	e1, hw1 := entry(t, d, "entry1", t1.ID)
	att := fe.save(t1.ID, "fiche", day0)
	handIn := fe.save(s1.ID, "copie", day0)
	if err := d.Tx(ctx, func(tx *db.Tx) error {
		if err := attachFile(tx, e1, att.ID); err != nil {
			return err
		}
		return handInFile(tx, hw1, s1.ID, handIn.ID, day0)
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := provisioning.Rollover(ctx, system, d, fe.est, "2027-2028", day0.AddDate(1, 0, -5)); err != nil {
		t.Fatal(err)
	}
	// The year is kept a year after its end: nothing goes before.
	res, err := provisioning.Purge(ctx, system, d, provisioning.PurgeOptions{Now: time.Date(2028, 3, 1, 0, 0, 0, 0, time.UTC), DelayDays: 90})
	if err != nil || res.SchoolYearsDeleted != 0 || res.FilesDeleted != 0 {
		t.Fatalf("early purge %+v %v", res, err)
	}
	res, err = provisioning.Purge(ctx, system, d, provisioning.PurgeOptions{Now: time.Date(2028, 9, 1, 0, 0, 0, 0, time.UTC), DelayDays: 90})
	if err != nil || res.SchoolYearsDeleted != 1 || res.FilesDeleted != 2 {
		t.Fatalf("purge of the closed year %+v %v", res, err)
	}
	if n := count(t, d, `SELECT COUNT(*) FROM classlog_entries`); n != 0 {
		t.Fatalf("%d entries left", n)
	}
	if n, err := fe.store.EraseQueued(ctx, d); err != nil || n != 2 || fe.stored(att) || fe.stored(handIn) {
		t.Fatalf("erasure: %d %v (attachment stored %v, hand-in stored %v)", n, err, fe.stored(att), fe.stored(handIn))
	}
}
