package classlog_test

import (
	"context"
	"errors"
	"slices"
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

// Homework set for the coming days is told, once the entry has settled,
// to the class's pupils and their legal guardians (and to nobody else);
// a second round tells nothing, a change on the same day waits for the
// next day and is then told as a change; a draft is never told.
func TestHomeworkNotices(t *testing.T) {
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
	var slot, teacher, class string
	if err := d.QueryRow(ctx, `SELECT s.id, t.teacher_id, a.class_id
		FROM tt_slots s JOIN tt_slot_teachers t ON t.slot_id = s.id JOIN tt_slot_audiences a ON a.slot_id = s.id
		WHERE a.class_id IS NOT NULL AND s.alternation_id IS NULL AND NOT s.exceptional
		AND (SELECT COUNT(*) FROM tt_slot_audiences y WHERE y.slot_id = s.id) = 1
		AND (SELECT COUNT(*) FROM tt_slot_teachers y WHERE y.slot_id = s.id) = 1
		ORDER BY s.id LIMIT 1`).Scan(&slot, &teacher, &class); err != nil {
		t.Fatal(err)
	}
	sys := access.System("test")
	ls, err := timetable.Lessons(ctx, sys, d, timetable.Target{Kind: timetable.TargetClass, ID: class}, "2026-12-02", "2026-12-08")
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
		t.Fatal("the lesson does not run that week")
	}
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, timetable.Paris)
	p := access.New(d)
	p.SetClock(func() time.Time { return now })
	svc := &classlog.Service{DB: d, Policy: p, Now: func() time.Time { return now }}
	tv, err := p.Viewer(ctx, teacher)
	if err != nil {
		t.Fatal(err)
	}
	announce := func(at time.Time) int {
		t.Helper()
		n, err := classlog.AnnounceHomework(ctx, sys, d, at)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	announce(now) // whatever the demo left to tell
	in := classlog.EntryInput{SlotID: slot, LessonDate: date, Title: "Leçon", Category: "lesson",
		Homework: []classlog.HomeworkInput{{Description: "<p>Exercices 3 et 4 page 52</p>", DueDate: date, HandIn: "none"}}}
	entry, err := svc.Save(ctx, tv, in, nil)
	if err != nil {
		t.Fatal(err)
	}
	var hw string
	if err := d.QueryRow(ctx, `SELECT id FROM homework WHERE entry_id = ?`, entry).Scan(&hw); err != nil {
		t.Fatal(err)
	}
	// Those to tell: the class's active pupils and their active legal
	// guardians.
	want, err := db.Strings(ctx, d, `SELECT e.student_id FROM enrolments e JOIN people p ON p.id = e.student_id WHERE e.class_id = ? AND p.active
		UNION SELECT f.relative_id FROM family_links f JOIN enrolments e ON e.student_id = f.student_id JOIN people p ON p.id = f.relative_id
		WHERE e.class_id = ? AND f.legal_guardian AND p.active ORDER BY 1`, class, class)
	if err != nil || len(want) < 2 {
		t.Fatalf("the class's families: %v %v", want, err)
	}
	told := func(kind string) []string {
		t.Helper()
		got, err := db.Strings(ctx, d, `SELECT recipient_id FROM notifications WHERE kind = ? AND substr(dedupe_key, 1, ?) = ? ORDER BY 1`,
			kind, len("homework/"+hw+"/"), "homework/"+hw+"/")
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	if n := announce(now.Add(time.Minute)); n != 0 || len(told("homework")) != 0 {
		t.Fatalf("told before the entry settled: %d", n)
	}
	if n := announce(now.Add(11 * time.Minute)); n != len(want) {
		t.Fatalf("set: %d notices, want %d", n, len(want))
	}
	if got := told("homework"); !slices.Equal(got, want) {
		t.Fatalf("told %v, want %v", got, want)
	}
	var args, link string
	if err := d.QueryRow(ctx, `SELECT args, link FROM notifications WHERE recipient_id = ? AND dedupe_key = ?`, want[0],
		"homework/"+hw+"/2026-12-01").Scan(&args, &link); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(link, "/homework") || !containsAll(args, `"work":"Exercices 3 et 4 page 52"`, `"date":"`+date+`"`) {
		t.Errorf("args: %s, link %s", args, link)
	}
	if n := announce(now.Add(12 * time.Minute)); n != 0 {
		t.Fatalf("a second round: %d", n)
	}

	// Edited the same day: told the next day, as a change, once.
	now = now.Add(time.Hour)
	in.ID = entry
	in.Homework[0].ID, in.Homework[0].Description = hw, "<p>Exercices 3, 4 et 5 page 52</p>"
	if _, err := svc.Save(ctx, tv, in, nil); err != nil {
		t.Fatal(err)
	}
	if n := announce(now.Add(time.Hour)); n != 0 {
		t.Fatalf("a second notice the same day: %d", n)
	}
	tomorrow := time.Date(2026, 12, 2, 7, 0, 0, 0, timetable.Paris)
	if n := announce(tomorrow); n != len(want) || !slices.Equal(told("homework-changed"), want) {
		t.Fatalf("the change: %d notices", n)
	}
	if n := announce(tomorrow.Add(time.Hour)); n != 0 {
		t.Fatalf("the change told twice: %d", n)
	}

	// A draft is not told.
	draft := classlog.EntryInput{SlotID: slot, LessonDate: date, Title: "Brouillon", Category: "lesson", Draft: true,
		Homework: []classlog.HomeworkInput{{Description: "Rédaction", DueDate: date, HandIn: "none"}}}
	if _, err := svc.Save(ctx, tv, draft, nil); err != nil {
		t.Fatal(err)
	}
	if n := announce(now.Add(2 * time.Hour)); n != 0 {
		t.Fatalf("a draft told: %d", n)
	}
	// The round is the instance's.
	if _, err := classlog.AnnounceHomework(ctx, tv, d, now); !errors.Is(err, access.ErrDenied) {
		t.Fatalf("a teacher runs the round: %v", err)
	}
}

func containsAll(s string, subs ...string) bool {
	for _, x := range subs {
		if !strings.Contains(s, x) {
			return false
		}
	}
	return true
}
