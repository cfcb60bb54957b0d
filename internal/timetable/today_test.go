package timetable

import (
	"context"
	"slices"
	"testing"
	"time"
)

// The home page's days: on Friday, the next day with lessons is Monday; a
// lesson moved from Monday to Wednesday is listed on Monday (missed there),
// not again on Wednesday; a day's changes of the establishment
// name the teacher absent (cancelled for absence, or replaced) and keep
// the cancelled lessons apart.
func TestAgendaAndDayChanges(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	fri := f.slot(t, NewSlot{Weekday: 5, StartMin: 8 * 60, SubjectID: f.maths, TeacherIDs: []string{f.t1}, ClassIDs: []string{f.c6A}, RoomID: f.r101})
	mon := f.slot(t, NewSlot{Weekday: 1, StartMin: 8 * 60, SubjectID: f.maths, TeacherIDs: []string{f.t1}, ClassIDs: []string{f.c6A}, RoomID: f.r101})
	mon2 := f.slot(t, NewSlot{Weekday: 1, StartMin: 10 * 60, SubjectID: f.esp, TeacherIDs: []string{f.t2}, GroupIDs: []string{f.gESP}, RoomID: f.r102})
	tue := f.slot(t, NewSlot{Weekday: 2, StartMin: 9 * 60, SubjectID: f.maths, TeacherIDs: []string{f.t1}, ClassIDs: []string{f.c6A}, RoomID: f.r101})
	now := time.Date(2026, 11, 27, 9, 0, 0, 0, Paris) // Friday
	for _, in := range []ChangeInput{
		{SlotID: mon, OnDate: "2026-11-30", NewDate: "2026-12-02", NewStart: "14:00"},
		{SlotID: mon2, OnDate: "2026-11-30", Cancelled: true, Reason: "teacher-absent"},
		{SlotID: tue, OnDate: "2026-12-01", ReplacementID: f.t2},
	} {
		if err := SetChange(ctx, sys, f.d, in, now); err != nil {
			t.Fatal(err)
		}
	}
	var c Cache
	ag, err := c.Agenda(ctx, sys, f.d, Target{Kind: TargetStudent, ID: f.student}, now)
	if err != nil {
		t.Fatal(err)
	}
	if len(ag.Today) != 1 || ag.Today[0].Slot.ID != fri || len(ag.Today[0].Teachers) != 1 || len(ag.Today[0].Slot.Audiences) != 1 {
		t.Errorf("today: %+v", ag.Today)
	}
	if ag.NextDate != "2026-11-30" || !slices.Equal(slotIDs(ag.Next), []string{mon2, mon}) || !ag.Next[0].Cancelled() || !ag.Next[1].Moved() {
		t.Errorf("next day %s: %v", ag.NextDate, slotIDs(ag.Next))
	}
	// After Monday: Tuesday's replacement.
	if !slices.Equal(slotIDs(ag.Later), []string{tue}) {
		t.Errorf("later changes: %v", slotIDs(ag.Later))
	}

	days, err := c.DayChanges(ctx, sys, f.d, "2026-11-30")
	if err != nil {
		t.Fatal(err)
	}
	// The system viewer follows no establishment: nothing.
	if len(days) != 0 {
		t.Fatalf("the system viewer's day: %+v", days)
	}
	d, err := c.dayChanges(ctx, f.d, f.est, "2026-11-30")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(slotIDs(d.Cancelled), []string{mon2}) || !slices.Equal(slotIDs(d.Changed), []string{mon}) {
		t.Errorf("Monday: cancelled %v, changed %v", slotIDs(d.Cancelled), slotIDs(d.Changed))
	}
	if len(d.Absent) != 1 || d.Absent[0].ID != f.t2 {
		t.Errorf("Monday's absent teachers: %+v", d.Absent)
	}
	d, err = c.dayChanges(ctx, f.d, f.est, "2026-12-01")
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Cancelled) != 0 || len(d.Absent) != 1 || d.Absent[0].ID != f.t1 {
		t.Errorf("Tuesday: %+v", d)
	}
	// Wednesday receives the moved lesson: a change of that day, nobody absent.
	d, err = c.dayChanges(ctx, f.d, f.est, "2026-12-02")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(slotIDs(d.Changed), []string{mon}) || len(d.Absent) != 0 {
		t.Errorf("Wednesday: %+v", d)
	}
}

func slotIDs(ls []Lesson) []string {
	var out []string
	for _, l := range ls {
		out = append(out, l.Slot.ID)
	}
	return out
}
