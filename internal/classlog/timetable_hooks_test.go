package classlog_test

import (
	"context"
	"errors"
	"testing"

	"cartable/internal/access"
	"cartable/internal/check"
	"cartable/internal/db"
	"cartable/internal/dbtest"
	"cartable/internal/demo"
	"cartable/internal/timetable"
)

// The class log follows a lesson the timetable splits (its hooks,
// timetable_hooks.go): the entries written for the occurrences from the
// split on, and the homework due at them, move to the new lesson; earlier
// ones stay; and a change of day is refused while the class log holds an
// occurrence it would leave out.
func TestTimetableHooksFollowASplit(t *testing.T) {
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
	// A weekly lesson with entries before and after a date of its own.
	var slot, since string
	if err := d.QueryRow(ctx, `SELECT e.slot_id, MAX(e.lesson_date) FROM classlog_entries e JOIN tt_slots s ON s.id = e.slot_id
		WHERE NOT s.exceptional AND s.alternation_id IS NULL GROUP BY e.slot_id HAVING COUNT(*) > 1 ORDER BY e.slot_id LIMIT 1`).Scan(&slot, &since); err != nil {
		t.Fatal(err)
	}
	count := func(query string, args ...any) (n int) {
		t.Helper()
		if err := d.QueryRow(ctx, query, args...).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	entriesFrom := count(`SELECT COUNT(*) FROM classlog_entries WHERE slot_id = ? AND lesson_date >= ?`, slot, since)
	entriesBefore := count(`SELECT COUNT(*) FROM classlog_entries WHERE slot_id = ? AND lesson_date < ?`, slot, since)
	dueFrom := count(`SELECT COUNT(*) FROM homework WHERE due_slot_id = ? AND due_date >= ?`, slot, since)
	if entriesFrom == 0 || entriesBefore == 0 {
		t.Fatalf("fixture: %d entries from %s, %d before", entriesFrom, since, entriesBefore)
	}
	sys := access.System("test")
	var est string
	if err := d.QueryRow(ctx, `SELECT establishment_id FROM tt_slots WHERE id = ?`, slot).Scan(&est); err != nil {
		t.Fatal(err)
	}
	s, err := timetable.SlotByID(ctx, sys, d, est, slot)
	if err != nil {
		t.Fatal(err)
	}
	n := timetable.NewSlot{ID: slot, EstablishmentID: est, Weekday: s.Weekday, StartMin: s.StartMin, DurationMin: s.DurationMin,
		SubjectID: s.SubjectID}
	for _, p := range s.Teachers {
		n.TeacherIDs = append(n.TeacherIDs, p.ID)
	}
	for _, a := range s.Audiences {
		if a.GroupID != "" {
			n.GroupIDs = append(n.GroupIDs, a.GroupID)
		} else {
			n.ClassIDs = append(n.ClassIDs, a.ClassID)
		}
	}
	// Another day: refused, the class log holding occurrences from then on.
	other := n
	other.Weekday = s.Weekday%5 + 1
	_, err = timetable.UpdateSlot(ctx, sys, d, other, since)
	if ps, ok := check.As(err); !ok || !ps.Has("day") {
		t.Fatalf("a new day while the class log holds the old one: %v", err)
	}
	// The same lesson with a longer duration from since: split.
	n.DurationMin += 5
	id, err := timetable.UpdateSlot(ctx, sys, d, n, since)
	if err != nil {
		var ps check.Problems
		if errors.As(err, &ps) {
			t.Skipf("the longer lesson clashes in the demo: %v", ps)
		}
		t.Fatal(err)
	}
	if id == slot {
		t.Fatal("a lesson already begun was changed in place")
	}
	if got := count(`SELECT COUNT(*) FROM classlog_entries WHERE slot_id = ?`, id); got != entriesFrom {
		t.Errorf("entries moved to the new lesson: %d, want %d", got, entriesFrom)
	}
	if got := count(`SELECT COUNT(*) FROM classlog_entries WHERE slot_id = ?`, slot); got != entriesBefore {
		t.Errorf("entries left on the old lesson: %d, want %d", got, entriesBefore)
	}
	if got := count(`SELECT COUNT(*) FROM homework WHERE due_slot_id = ?`, id); got != dueFrom {
		t.Errorf("homework due at the new lesson: %d, want %d", got, dueFrom)
	}
}
