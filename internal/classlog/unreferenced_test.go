package classlog_test

import (
	"cartable/internal/files"
	"context"
	"slices"
	"testing"
	"time"

	"cartable/internal/classlog"
	"cartable/internal/db"
	"cartable/internal/dbtest"
	"cartable/internal/demo"
)

// DeleteUnreferencedFiles deletes the old files no attachment and no
// hand-in holds, keeps the others and the young ones, and the deletion
// queues their blobs for erasure.
func TestDeleteUnreferencedFiles(t *testing.T) {
	ctx := context.Background()
	d := dbtest.Open(t)
	if err := d.Tx(ctx, func(tx *db.Tx) error {
		_, err := demo.Generate(ctx, system, tx, demo.Options{Seed: 1, Students: 30})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	var est, teacher, class, subject, student string
	if err := d.QueryRow(ctx, `SELECT a.establishment_id, a.teacher_id, a.class_id, a.subject_id, e.student_id
		FROM teaching_assignments a JOIN enrolments e ON e.class_id = a.class_id ORDER BY a.id, e.student_id LIMIT 1`).
		Scan(&est, &teacher, &class, &subject, &student); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	old, young := now.Add(-48*time.Hour).Unix(), now.Add(-time.Hour).Unix()
	err := d.Tx(ctx, func(tx *db.Tx) error {
		for _, f := range []struct {
			id    string
			owner string
			at    int64
		}{{"attached", teacher, old}, {"handed", student, old}, {"lost", teacher, old}, {"lost2", student, old}, {"uploading", student, young}} {
			if _, err := tx.Exec(ctx, `INSERT INTO files (id, establishment_id, owner_id, name, content_type, size, sha256, storage_key, created_at)
				VALUES (?, ?, ?, 'x.txt', 'text/plain', 1, '', ?, ?)`, f.id, est, f.owner, est+"/"+f.id, f.at); err != nil {
				return err
			}
		}
		entry, err := classlog.SaveIn(ctx, system, tx, classlog.EntryInput{EstablishmentID: est, AuthorID: teacher, LessonDate: "2026-12-01",
			Audience: "c:" + class, SubjectID: subject, Title: "Leçon", Category: "lesson"}, now)
		if err != nil {
			return err
		}
		if err := classlog.Attach(ctx, tx, entry, "attached"); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO homework (id, entry_id, establishment_id, class_id, due_date, description, handin, created_at)
			VALUES ('hw', ?, ?, ?, '2026-12-03', 'Exercices', 'upload', 0)`, entry, est, class); err != nil {
			return err
		}
		_, err = classlog.Submit(ctx, tx, "hw", student, "handed", now)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	n, err := files.DeleteUnreferenced(ctx, system, d, now.Add(-24*time.Hour).Unix())
	if err != nil || n != 2 {
		t.Fatalf("deleted %d, %v; want 2", n, err)
	}
	left, _ := db.Strings(ctx, d, `SELECT id FROM files ORDER BY id`)
	if !slices.Equal(left, []string{"attached", "handed", "uploading"}) {
		t.Errorf("files left: %v", left)
	}
	queued, _ := db.Strings(ctx, d, `SELECT storage_key FROM file_erasures ORDER BY storage_key`)
	if !slices.Equal(queued, []string{est + "/lost", est + "/lost2"}) {
		t.Errorf("queued for erasure: %v", queued)
	}
}
