package classlog_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"cartable/internal/check"
	"cartable/internal/classlog"
	"cartable/internal/db"
	"cartable/internal/dbtest"
	"cartable/internal/demo"
)

// Save updates a homework line in place when the form carries its ID,
// ignores an ID that is not the entry's own, and removes a line holding
// hand-ins only when the form confirms it, counting a hand-in written
// while the teacher saves.
func TestSaveKeepsHomeworkIdentity(t *testing.T) {
	ctx := context.Background()
	d := dbtest.Open(t)
	if err := d.Tx(ctx, func(tx *db.Tx) error {
		_, err := demo.Generate(ctx, system, tx, demo.Options{Seed: 1, Students: 30})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	var est, teacher, class, subject, s1, s2 string
	if err := d.QueryRow(ctx, `SELECT a.establishment_id, a.teacher_id, a.class_id, a.subject_id, MIN(e.student_id), MAX(e.student_id)
		FROM teaching_assignments a JOIN enrolments e ON e.class_id = a.class_id
		GROUP BY a.id, a.establishment_id, a.teacher_id, a.class_id, a.subject_id ORDER BY a.id LIMIT 1`).
		Scan(&est, &teacher, &class, &subject, &s1, &s2); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	in := classlog.EntryInput{EstablishmentID: est, AuthorID: teacher, LessonDate: "2026-12-01", Audience: "c:" + class,
		SubjectID: subject, Title: "Leçon", Category: "lesson", Homework: []classlog.HomeworkInput{
			{Description: "Exercices", DueDate: "2026-12-03", HandIn: "upload"},
			{Description: "Lecture", DueDate: "2026-12-04", HandIn: "upload"}}}
	save := func(in classlog.EntryInput) (string, error) {
		var id string
		err := d.Tx(ctx, func(tx *db.Tx) (err error) {
			id, err = classlog.SaveIn(ctx, system, tx, in, now)
			return err
		})
		return id, err
	}
	file := func(id, owner string) {
		if _, err := d.Exec(ctx, `INSERT INTO files (id, establishment_id, owner_id, name, content_type, size, sha256, storage_key, created_at)
			VALUES (?, ?, ?, 'x.pdf', 'application/pdf', 1, '', ?, 0)`, id, est, owner, est+"/"+id); err != nil {
			t.Fatal(err)
		}
	}
	entry, err := save(in)
	if err != nil {
		t.Fatal(err)
	}
	other, err := save(in) // a second entry of the same teacher
	if err != nil {
		t.Fatal(err)
	}
	lines := func(entry string) []classlog.Homework {
		e, err := classlog.EntryByID(ctx, d, entry)
		if err != nil {
			t.Fatal(err)
		}
		return e.Homework
	}
	hw := lines(entry)
	a, b := hw[0].ID, hw[1].ID
	file("fa", s1)
	if _, err := classlog.Submit(ctx, d, a, s1, "fa", now); err != nil {
		t.Fatal(err)
	}
	if err := classlog.SetDone(ctx, d, a, s2, true, now); err != nil {
		t.Fatal(err)
	}
	otherBefore := fmt.Sprint(lines(other))

	// The line edited with its ID: same row, hand-in and ticks kept.
	in.ID = entry
	in.Homework = []classlog.HomeworkInput{{ID: a, Description: "Exercices corrigés", DueDate: "2026-12-04", HandIn: "paper", Minutes: "30"},
		{ID: b, Description: "Lecture", DueDate: "2026-12-04", HandIn: "upload"}}
	if _, err := save(in); err != nil {
		t.Fatal(err)
	}
	hw = lines(entry)
	if h := find(hw, a); len(hw) != 2 || h.DueDate != "2026-12-04" || h.HandIn != "paper" || h.Minutes != 30 ||
		h.Submissions != 1 || find(hw, b).ID != b {
		t.Fatalf("after the edit: %+v", hw)
	}
	var ticks int
	if err := d.QueryRow(ctx, `SELECT COUNT(*) FROM homework_done WHERE homework_id = ?`, a).Scan(&ticks); err != nil || ticks != 2 {
		t.Errorf("ticks after the edit: %d %v", ticks, err)
	}

	// Another entry's homework IDs, written and emptied: ignored there,
	// the written line is new here.
	ob := lines(other)
	in.Homework = append(in.Homework, classlog.HomeworkInput{ID: ob[0].ID, Description: "Piraté", DueDate: "2026-12-05"},
		classlog.HomeworkInput{ID: ob[1].ID, DiscardHandIns: true})
	if _, err := save(in); err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(lines(other)); got != otherBefore {
		t.Errorf("a forged ID changed another entry:\n got %s\nwant %s", got, otherBefore)
	}
	if hw = lines(entry); len(hw) != 3 || find(hw, a).ID != a || find(hw, b).ID != b || find(hw, ob[0].ID).ID != "" {
		t.Errorf("the forged line: %+v", hw)
	}
	in.Homework = in.Homework[:2]

	// Emptying the handed-in line: refused, naming it; nothing written.
	in.Title = "Changé"
	in.Homework[0] = classlog.HomeworkInput{ID: a}
	_, err = save(in)
	var ps check.Problems
	if !errors.As(err, &ps) || len(ps) != 1 || ps[0] != (check.Problem{Field: "homework.0.remove", Code: "has-handins", Value: a, N: 1}) {
		t.Fatalf("emptying a line with a hand-in: %v", err)
	}
	if e, _ := classlog.EntryByID(ctx, d, entry); e.Title != "Leçon" || len(e.Homework) != 3 {
		t.Errorf("the refused save wrote: %q, %d lines", e.Title, len(e.Homework))
	}

	// A hand-in written while the teacher removes its line: the removal
	// waits for it (PostgreSQL: row lock; SQLite: one writer) and counts it.
	file("fb", s2)
	in.Homework[0] = classlog.HomeworkInput{ID: a, Description: "Exercices corrigés", DueDate: "2026-12-04", HandIn: "paper"}
	in.Homework[1] = classlog.HomeworkInput{ID: b}
	held, release, done := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	go func() {
		done <- d.Tx(ctx, func(tx *db.Tx) error {
			_, err := classlog.Submit(ctx, tx, b, s2, "fb", now)
			close(held)
			<-release
			return err
		})
	}()
	<-held
	saved := make(chan error, 1)
	go func() { _, err := save(in); saved <- err }()
	select {
	case err := <-saved:
		t.Fatalf("the removal did not wait for the hand-in being written: %v", err)
	case <-time.After(300 * time.Millisecond):
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	err = <-saved
	if !errors.As(err, &ps) || len(ps) != 1 || ps[0].Value != b || ps[0].Field != "homework.1.remove" {
		t.Fatalf("removing a line while it was handed in: %v", err)
	}

	// Confirmed: the line goes with its hand-in, whose file is let go.
	in.Homework[1].DiscardHandIns = true
	var orphans []string
	err = d.Tx(ctx, func(tx *db.Tx) error {
		held, err := classlog.FilesOf(ctx, tx, entry)
		if err != nil {
			return err
		}
		if _, err := classlog.SaveIn(ctx, system, tx, in, now); err != nil {
			return err
		}
		orphans, err = classlog.Orphans(ctx, tx, held)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if hw = lines(entry); len(hw) != 1 || hw[0].ID != a || hw[0].Submissions != 1 || fmt.Sprint(orphans) != "[fb]" {
		t.Errorf("after the confirmed removal: %+v, orphans %v", hw, orphans)
	}
}

func find(hw []classlog.Homework, id string) classlog.Homework {
	for _, h := range hw {
		if h.ID == id {
			return h
		}
	}
	return classlog.Homework{}
}
