package classlog_test

import (
	"cartable/internal/files"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"cartable/internal/access"
	"cartable/internal/classlog"
	"cartable/internal/db"
	"cartable/internal/dbtest"
	"cartable/internal/demo"
	"cartable/internal/timetable"
)

// The service answers for the viewer: the lesson's teacher writes its log
// and reads the hand-ins; a colleague of the establishment who does not
// teach it is refused every action on that entry exactly as on an entry
// that does not exist; a person may not do the system's work.
func TestServiceRefusesMissingAndForbiddenAlike(t *testing.T) {
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
	// A weekly lesson of one class and one teacher, and a teacher of the
	// establishment who neither teaches nor heads that class.
	var slot, teacher, class, est, colleague string
	if err := d.QueryRow(ctx, `SELECT s.id, t.teacher_id, a.class_id, s.establishment_id,
		(SELECT MIN(p.id) FROM people p JOIN memberships m ON m.person_id = p.id WHERE m.establishment_id = s.establishment_id
			AND p.profile = 'teacher' AND p.active
			AND NOT EXISTS (SELECT 1 FROM teaching_assignments x WHERE x.teacher_id = p.id AND x.class_id = a.class_id)
			AND NOT EXISTS (SELECT 1 FROM tt_slot_teachers x JOIN tt_slot_audiences y ON y.slot_id = x.slot_id
				WHERE x.teacher_id = p.id AND y.class_id = a.class_id)
			AND NOT EXISTS (SELECT 1 FROM head_teachers h WHERE h.teacher_id = p.id AND h.class_id = a.class_id))
		FROM tt_slots s JOIN tt_slot_teachers t ON t.slot_id = s.id JOIN tt_slot_audiences a ON a.slot_id = s.id
		WHERE a.class_id IS NOT NULL AND s.alternation_id IS NULL AND NOT s.exceptional
		AND (SELECT COUNT(*) FROM tt_slot_audiences y WHERE y.slot_id = s.id) = 1
		AND (SELECT COUNT(*) FROM tt_slot_teachers y WHERE y.slot_id = s.id) = 1
		ORDER BY s.id LIMIT 1`).Scan(&slot, &teacher, &class, &est, &colleague); err != nil {
		t.Fatal(err)
	}
	ls, err := timetable.Lessons(ctx, access.System("test"), d, timetable.Target{Kind: timetable.TargetClass, ID: class}, "2026-12-07", "2026-12-18")
	if err != nil {
		t.Fatal(err)
	}
	date := ""
	for _, l := range ls {
		if l.Slot.ID == slot && !l.Cancelled() && date == "" {
			date = l.Date
		}
	}
	if date == "" {
		t.Fatal("the lesson does not run in December")
	}
	p := access.New(d)
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	p.SetClock(func() time.Time { return now })
	svc := &classlog.Service{DB: d, Policy: p, Now: func() time.Time { return now }}
	as := func(id string) *access.Viewer {
		t.Helper()
		v, err := p.Viewer(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	tv, cv := as(teacher), as(colleague)

	in := classlog.EntryInput{SlotID: slot, LessonDate: date, Title: "Leçon", Category: "lesson",
		Homework: []classlog.HomeworkInput{{Description: "Exercices", DueDate: date, HandIn: "upload"}}}
	if _, err := svc.Save(ctx, cv, in, nil); !errors.Is(err, access.ErrDenied) {
		t.Fatalf("the colleague writes the lesson's log: %v", err)
	}
	entry, err := svc.Save(ctx, tv, in, nil)
	if err != nil {
		t.Fatalf("the teacher writes the lesson's log: %v", err)
	}
	log, err := svc.OfLesson(ctx, tv, slot, date)
	if err != nil || !log.CanWrite || log.Own == nil || log.Own.ID != entry || len(log.Own.Homework) != 1 {
		t.Fatalf("the teacher's lesson log: %+v %v", log, err)
	}
	hw := log.Own.Homework[0].ID
	if l, err := svc.HandIns(ctx, tv, hw); err != nil || l.Homework.ID != hw || len(l.Rows) == 0 {
		t.Fatalf("the author's list of hand-ins: %+v %v", l, err)
	}

	// The colleague: refused on the entry as on one that does not exist.
	for _, id := range []string{entry, "no-such-entry"} {
		for what, err := range map[string]error{
			"copy":   second(svc.Copy(ctx, cv, id, classlog.CopyInput{Target: "c:" + class})),
			"delete": second(svc.Delete(ctx, cv, id, true)),
			"detach": second(svc.Detach(ctx, cv, id, "some-file")),
		} {
			var denied *access.Denied
			if !errors.As(err, &denied) || strings.Contains(err.Error(), id) {
				t.Errorf("the colleague's %s of %s: %v", what, id, err)
			}
		}
	}
	for _, id := range []string{hw, "no-such-homework"} {
		if _, err := svc.HandIns(ctx, cv, id); !errors.Is(err, access.ErrDenied) {
			t.Errorf("the colleague reads the hand-ins of %s: %v", id, err)
		}
		if err := svc.SetDone(ctx, tv, id, true); !errors.Is(err, access.ErrDenied) {
			t.Errorf("a teacher ticks %s: %v", id, err)
		}
		if err := svc.HandIn(ctx, tv, id, "x.txt", strings.NewReader("x")); !errors.Is(err, access.ErrDenied) {
			t.Errorf("a teacher hands in for %s: %v", id, err)
		}
	}
	// The system's work is refused to a person.
	if err := d.Tx(ctx, func(tx *db.Tx) error {
		_, err := classlog.SaveIn(ctx, tv, tx, in, now)
		return err
	}); !errors.Is(err, access.ErrDenied) {
		t.Errorf("a teacher writes in a transaction: %v", err)
	}
	if _, err := files.DeleteUnreferenced(ctx, tv, d, now.Unix()); !errors.Is(err, access.ErrDenied) {
		t.Errorf("a teacher purges the files: %v", err)
	}
	if e, err := svc.Delete(ctx, tv, entry, true); err != nil || e.ID != entry {
		t.Fatalf("the author deletes the entry: %v", err)
	}
}

func second[T any](_ T, err error) error { return err }
