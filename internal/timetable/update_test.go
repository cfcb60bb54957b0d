package timetable

import (
	"cartable/internal/access"
	"cartable/internal/check"
	"context"
	"errors"
	"slices"
	"testing"
	"time"
)

func TestUpdateSlot(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	a := f.slot(t, NewSlot{Weekday: 1, StartMin: 8 * 60, SubjectID: f.maths, TeacherIDs: []string{f.t1}, ClassIDs: []string{f.c6A}, RoomID: f.r101})
	f.slot(t, NewSlot{Weekday: 1, StartMin: 9 * 60, SubjectID: f.esp, TeacherIDs: []string{f.t2}, ClassIDs: []string{f.c6B}, RoomID: f.r102})
	const beforeStart = "2026-08-25" // the year has not begun: changes are made in place
	update := func(n NewSlot, today string) (string, check.Problems) {
		t.Helper()
		n.ID, n.EstablishmentID = a, f.est
		if n.DurationMin == 0 {
			n.DurationMin = 55
		}
		var ps check.Problems
		var id string
		err := func() (err error) { id, err = UpdateSlot(ctx, sys, f.d, n, today); return err }()
		if err != nil && !errors.As(err, &ps) {
			t.Fatal(err)
		}
		return id, ps
	}
	// Into the other lesson's room and time: refused, nothing changed.
	_, ps := update(NewSlot{Weekday: 1, StartMin: 9 * 60, SubjectID: f.maths, TeacherIDs: []string{f.t1}, ClassIDs: []string{f.c6A}, RoomID: f.r102}, beforeStart)
	if !slices.ContainsFunc(ps, func(p check.Problem) bool { return p.Code == "overlap" && p.Field == "room" }) {
		t.Fatalf("overlap not refused: %v", ps)
	}
	s, err := SlotByID(ctx, sys, f.d, f.est, a)
	if err != nil || s.StartMin != 8*60 || s.Room.ID != f.r101 {
		t.Fatalf("a refused update changed the lesson: %+v %v", s, err)
	}
	// Its own time does not clash with itself; another room, a co-teacher
	// and the group as audience are stored, in place.
	if id, ps := update(NewSlot{Weekday: 1, StartMin: 8*60 + 5, SubjectID: f.maths, TeacherIDs: []string{f.t1, f.t2},
		GroupIDs: []string{f.gESP}, RoomID: f.r102}, beforeStart); len(ps) != 0 || id != a {
		t.Fatalf("update: %v %s", ps, id)
	}
	s, _ = SlotByID(ctx, sys, f.d, f.est, a)
	if s.StartMin != 8*60+5 || s.Room.ID != f.r102 || len(s.Teachers) != 2 || len(s.Audiences) != 1 || s.Audiences[0].GroupID != f.gESP ||
		s.ValidFrom != "2026-09-01" || s.ValidTo != "2027-07-03" {
		t.Fatalf("after update: %+v", s)
	}
	// Another establishment's lesson is not found.
	err = func() error {
		_, err := UpdateSlot(ctx, sys, f.d, NewSlot{ID: a, EstablishmentID: "other", Weekday: 1, StartMin: 600, DurationMin: 55, SubjectID: f.maths, ClassIDs: []string{f.c6A}}, beforeStart)
		return err
	}()
	if !errors.Is(err, access.ErrDenied) {
		t.Fatalf("update through another establishment: %v", err)
	}
}

// Once a lesson has begun, a change applies from today: the past keeps
// its room, the changes and entries of the coming weeks follow the new
// lesson, and a new day is refused while something holds a date of the
// old one.
func TestUpdateSlotFromToday(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	a := f.slot(t, NewSlot{Weekday: 1, StartMin: 8 * 60, SubjectID: f.maths, TeacherIDs: []string{f.t1}, ClassIDs: []string{f.c6A}, RoomID: f.r101})
	change := func(date, note string) {
		t.Helper()
		err := SetChange(ctx, sys, f.d, ChangeInput{SlotID: a, OnDate: date, Note: note}, time.Date(2026, 11, 1, 0, 0, 0, 0, Paris))
		if err != nil {
			t.Fatal(err)
		}
	}
	change("2026-11-23", "passé")
	change("2026-12-07", "à venir")
	const today = "2026-11-30"
	n := NewSlot{ID: a, EstablishmentID: f.est, Weekday: 2, StartMin: 8 * 60, DurationMin: 55, SubjectID: f.maths,
		TeacherIDs: []string{f.t1}, ClassIDs: []string{f.c6A}, RoomID: f.r101}
	var ps check.Problems
	err := func() error { _, err := UpdateSlot(ctx, sys, f.d, n, today); return err }()
	if !errors.As(err, &ps) || !slices.ContainsFunc(ps, func(p check.Problem) bool { return p.Code == "has-changes" && p.Value == "1" }) {
		t.Fatalf("a new day while a coming change holds Monday: %v", err)
	}
	// A new room from today: the lesson is split.
	n.Weekday, n.RoomID = 1, f.r102
	var id string
	if err := func() (err error) { id, err = UpdateSlot(ctx, sys, f.d, n, today); return err }(); err != nil {
		t.Fatal(err)
	}
	if id == a {
		t.Fatal("a lesson already begun was changed in place")
	}
	old, _ := SlotByID(ctx, sys, f.d, f.est, a)
	if old.ValidTo != "2026-11-29" || old.Room.ID != f.r101 {
		t.Fatalf("the old lesson: %+v", old)
	}
	ls, err := Lessons(ctx, sys, f.d, Target{Kind: TargetClass, ID: f.c6A}, "2026-11-23", "2026-12-07")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, l := range ls {
		note := ""
		if l.Change != nil {
			note = l.Change.Note
		}
		got[l.Date] = l.Room.ID + " " + note
	}
	want := map[string]string{"2026-11-23": f.r101 + " passé", "2026-11-30": f.r102 + " ", "2026-12-07": f.r102 + " à venir"}
	for d, w := range want {
		if got[d] != w {
			t.Errorf("%s: %q, want %q", d, got[d], w)
		}
	}
	if len(ls) != 3 {
		t.Errorf("%d lessons, want 3: %v", len(ls), got)
	}
	// Editing it again the same day changes the new lesson in place.
	n.ID, n.StartMin = id, 8*60+10
	var again string
	if err := func() (err error) { again, err = UpdateSlot(ctx, sys, f.d, n, today); return err }(); err != nil || again != id {
		t.Fatalf("second edit: %v %s", err, again)
	}
}
