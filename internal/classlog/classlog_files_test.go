package classlog_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"cartable/internal/classlog"
	"cartable/internal/db"
	"cartable/internal/dbtest"
	"cartable/internal/demo"
)

// Two entries (an entry and its copy) share a file; the author detaches it
// from both at the same time. Whatever the interleaving, exactly one of the
// two transactions must see the file left without a reference, or it
// would stay in storage for ever.
func TestDetachSharedFileFromBothAtOnce(t *testing.T) {
	ctx := context.Background()
	d := dbtest.Open(t)
	if err := d.Tx(ctx, func(tx *db.Tx) error {
		_, err := demo.Generate(ctx, system, tx, demo.Options{Seed: 1, Students: 30})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	var est, teacher, class, subject string
	if err := d.QueryRow(ctx, `SELECT establishment_id, teacher_id, class_id, subject_id FROM teaching_assignments
		WHERE class_id IS NOT NULL ORDER BY id LIMIT 1`).Scan(&est, &teacher, &class, &subject); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	var a, b string
	const file = "sharedfile"
	err := d.Tx(ctx, func(tx *db.Tx) (err error) {
		in := classlog.EntryInput{EstablishmentID: est, AuthorID: teacher, LessonDate: "2026-12-01", Audience: "c:" + class,
			SubjectID: subject, Title: "Partagée", Category: "lesson"}
		if a, err = classlog.SaveIn(ctx, system, tx, in, now); err != nil {
			return err
		}
		if b, err = classlog.SaveIn(ctx, system, tx, in, now); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO files (id, establishment_id, owner_id, name, content_type, size, sha256, storage_key, created_at)
			VALUES (?, ?, ?, 'fiche.pdf', 'application/pdf', 1, '', ?, 0)`, file, est, teacher, est+"/"+file); err != nil {
			return err
		}
		if err := classlog.Attach(ctx, tx, a, file); err != nil {
			return err
		}
		return classlog.Attach(ctx, tx, b, file)
	})
	if err != nil {
		t.Fatal(err)
	}

	// The first transaction detaches and looks, then waits before it
	// commits; the second runs meanwhile.
	held, release := make(chan struct{}), make(chan struct{})
	second := make(chan struct{})
	var o1, o2 []string
	var e1, e2 error
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		e1 = d.Tx(ctx, func(tx *db.Tx) (err error) {
			if err = classlog.Detach(ctx, tx, a, teacher, []string{file}); err != nil {
				close(held)
				return err
			}
			o1, err = classlog.Orphans(ctx, tx, []string{file})
			close(held)
			<-release
			return err
		})
	}()
	<-held
	go func() {
		defer wg.Done()
		defer close(second)
		e2 = d.Tx(ctx, func(tx *db.Tx) (err error) {
			if err = classlog.Detach(ctx, tx, b, teacher, []string{file}); err != nil {
				return err
			}
			o2, err = classlog.Orphans(ctx, tx, []string{file})
			return err
		})
	}()
	// A correct second transaction waits for the first; an incorrect one
	// would be done well within this time.
	select {
	case <-second:
	case <-time.After(500 * time.Millisecond):
	}
	close(release)
	wg.Wait()
	if e1 != nil || e2 != nil {
		t.Fatalf("detach: %v / %v", e1, e2)
	}
	if len(o1)+len(o2) != 1 {
		t.Errorf("the shared file was found orphaned %d times (first %v, second %v), want once", len(o1)+len(o2), o1, o2)
	}
	var left int
	if err := d.QueryRow(ctx, `SELECT COUNT(*) FROM classlog_attachments WHERE file_id = ?`, file).Scan(&left); err != nil || left != 0 {
		t.Errorf("attachments left: %d %v", left, err)
	}

	// Detach refuses an entry of another author, and touches nothing.
	if err := d.Tx(ctx, func(tx *db.Tx) error {
		return classlog.Attach(ctx, tx, a, file)
	}); err != nil {
		t.Fatal(err)
	}
	err = d.Tx(ctx, func(tx *db.Tx) error { return classlog.Detach(ctx, tx, a, "someone-else", []string{file}) })
	if err != classlog.ErrNotFound {
		t.Errorf("detach by another author: %v", err)
	}
	if err := d.QueryRow(ctx, `SELECT COUNT(*) FROM classlog_attachments WHERE file_id = ?`, file).Scan(&left); err != nil || left != 1 {
		t.Errorf("another author's detach removed the attachment: %d %v", left, err)
	}
}
