package classlog_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"cartable/internal/check"
	"cartable/internal/classlog"
	"cartable/internal/db"
	"cartable/internal/dbtest"
	"cartable/internal/demo"
)

// Save refuses homework due at a lesson that does not exist or belongs to
// another establishment, naming the line, rather than failing on the
// reference or writing it across the establishment wall.
func TestSaveRefusesAForeignOrUnknownDueLesson(t *testing.T) {
	ctx := context.Background()
	d := dbtest.Open(t)
	if err := d.Tx(ctx, func(tx *db.Tx) error {
		if _, err := demo.Generate(ctx, system, tx, demo.Options{Seed: 1, Students: 30}); err != nil {
			return err
		}
		return demo.GenerateTimetable(ctx, system, tx, demo.TimetableOptions{Seed: 1, Today: "2026-11-30"})
	}); err != nil {
		t.Fatal(err)
	}
	var est, teacher, class, subject, ownSlot, foreignSlot string
	if err := d.QueryRow(ctx, `SELECT a.establishment_id, a.teacher_id, a.class_id, a.subject_id FROM teaching_assignments a
		WHERE a.class_id IS NOT NULL ORDER BY a.id LIMIT 1`).Scan(&est, &teacher, &class, &subject); err != nil {
		t.Fatal(err)
	}
	if err := d.QueryRow(ctx, `SELECT (SELECT MIN(id) FROM tt_slots WHERE establishment_id = ?), (SELECT MIN(id) FROM tt_slots WHERE establishment_id <> ?)`,
		est, est).Scan(&ownSlot, &foreignSlot); err != nil {
		t.Fatal(err)
	}
	count := func() (n int) {
		if err := d.QueryRow(ctx, `SELECT COUNT(*) FROM classlog_entries`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := count()
	for _, due := range []string{foreignSlot + "/2026-12-03", "nope/2026-12-03"} {
		in := classlog.EntryInput{EstablishmentID: est, AuthorID: teacher, LessonDate: "2026-12-01", Audience: "c:" + class, SubjectID: subject,
			Title: "Leçon", Category: "lesson", Homework: []classlog.HomeworkInput{
				{Description: "Lecture", DueDate: "2026-12-02"},
				{Description: "Exercices", DueSlotID: due}}}
		err := d.Tx(ctx, func(tx *db.Tx) error {
			_, err := classlog.SaveIn(ctx, system, tx, in, time.Now())
			return err
		})
		var ps check.Problems
		if !errors.As(err, &ps) || len(ps) != 1 || ps[0].Field != "homework.1.lesson" || ps[0].Code != "bad-lesson" || ps[0].Value != due {
			t.Errorf("due at %s: %v", due, err)
		}
	}
	if count() != before {
		t.Fatal("a refused entry was saved")
	}
	// A lesson of the entry's establishment passes this check (the caller
	// checks the rest: the day, the class or group).
	in := classlog.EntryInput{EstablishmentID: est, AuthorID: teacher, LessonDate: "2026-12-01", Audience: "c:" + class, SubjectID: subject,
		Title: "Leçon", Category: "lesson", Homework: []classlog.HomeworkInput{{Description: "Exercices", DueSlotID: ownSlot + "/2026-12-03"}}}
	if err := d.Tx(ctx, func(tx *db.Tx) error {
		_, err := classlog.SaveIn(ctx, system, tx, in, time.Now())
		return err
	}); err != nil {
		t.Fatal(err)
	}
}
