package timetable

import (
	"context"
	"testing"
	"time"
)

// The cache serves slot details and calendars until Reset or expiry, and
// a caller appending to a cached slice does not change what others read.
func TestCache(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	slot := f.slot(t, NewSlot{Weekday: 1, StartMin: 8 * 60, SubjectID: f.maths, TeacherIDs: []string{f.t1}, ClassIDs: []string{f.c6A}})
	c := &Cache{TTL: time.Hour}
	target := Target{Kind: TargetClass, ID: f.c6A}
	read := func() Lesson {
		t.Helper()
		p, err := c.Period(ctx, sys, f.d, target, "2026-11-30", "2026-11-30")
		if err != nil || len(p.Lessons) != 1 {
			t.Fatalf("period: %v %d", err, len(p.Lessons))
		}
		return p.Lessons[0]
	}
	l := read()
	if len(l.Slot.Teachers) != 1 || l.Slot.Teachers[0].ID != f.t1 {
		t.Fatalf("teachers: %+v", l.Slot.Teachers)
	}
	_ = append(l.Slot.Teachers, Person{ID: "intruder"})
	// A co-teacher added behind the cache's back is not seen until Reset.
	if _, err := f.d.Exec(ctx, `INSERT INTO tt_slot_teachers (slot_id, teacher_id) VALUES (?, ?)`, slot, f.t2); err != nil {
		t.Fatal(err)
	}
	if l := read(); len(l.Slot.Teachers) != 1 || l.Slot.Teachers[0].ID != f.t1 {
		t.Fatalf("cached teachers: %+v", l.Slot.Teachers)
	}
	c.Reset()
	if l := read(); len(l.Slot.Teachers) != 2 {
		t.Fatalf("after Reset: %+v", l.Slot.Teachers)
	}
	// Expired entries are read again.
	c.TTL = time.Nanosecond
	c.Reset()
	read()
	if _, err := f.d.Exec(ctx, `DELETE FROM tt_slot_teachers WHERE slot_id = ? AND teacher_id = ?`, slot, f.t2); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Millisecond)
	if l := read(); len(l.Slot.Teachers) != 1 {
		t.Fatalf("after expiry: %+v", l.Slot.Teachers)
	}
	// A nil cache reads everything.
	var none *Cache
	if p, err := none.Period(ctx, sys, f.d, target, "2026-11-30", "2026-11-30"); err != nil || len(p.Lessons) != 1 {
		t.Fatalf("nil cache: %v", err)
	}
}
