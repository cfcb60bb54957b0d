package timetable

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"cartable/internal/db"
)

func TestUpdateSlot(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	a := f.slot(t, NewSlot{Weekday: 1, StartMin: 8 * 60, SubjectID: f.maths, TeacherIDs: []string{f.t1}, ClassIDs: []string{f.c6A}, RoomID: f.r101})
	f.slot(t, NewSlot{Weekday: 1, StartMin: 9 * 60, SubjectID: f.esp, TeacherIDs: []string{f.t2}, ClassIDs: []string{f.c6B}, RoomID: f.r102})
	update := func(n NewSlot) Problems {
		t.Helper()
		n.ID, n.EstablishmentID = a, f.est
		if n.DurationMin == 0 {
			n.DurationMin = 55
		}
		var ps Problems
		err := f.d.Tx(ctx, func(tx *db.Tx) error { return UpdateSlot(ctx, tx, n) })
		if err != nil && !errors.As(err, &ps) {
			t.Fatal(err)
		}
		return ps
	}
	// Into the other lesson's room and time: refused, nothing changed.
	ps := update(NewSlot{Weekday: 1, StartMin: 9 * 60, SubjectID: f.maths, TeacherIDs: []string{f.t1}, ClassIDs: []string{f.c6A}, RoomID: f.r102})
	if !slices.ContainsFunc(ps, func(p Problem) bool { return p.Code == "overlap" && p.Field == "room" }) {
		t.Fatalf("overlap not refused: %v", ps)
	}
	s, err := SlotByID(ctx, f.d, a)
	if err != nil || s.StartMin != 8*60 || s.Room.ID != f.r101 {
		t.Fatalf("a refused update changed the lesson: %+v %v", s, err)
	}
	// Its own time does not clash with itself; another room, a co-teacher
	// and the group as audience are stored.
	if ps := update(NewSlot{Weekday: 1, StartMin: 8*60 + 5, SubjectID: f.maths, TeacherIDs: []string{f.t1, f.t2},
		GroupIDs: []string{f.gESP}, RoomID: f.r102}); len(ps) != 0 {
		t.Fatalf("update: %v", ps)
	}
	s, _ = SlotByID(ctx, f.d, a)
	if s.StartMin != 8*60+5 || s.Room.ID != f.r102 || len(s.Teachers) != 2 || len(s.Audiences) != 1 || s.Audiences[0].GroupID != f.gESP ||
		s.ValidFrom != "2026-09-01" || s.ValidTo != "2027-07-03" {
		t.Fatalf("after update: %+v", s)
	}
	// Once an occurrence carries a change, the lesson keeps its day.
	err = f.d.Tx(ctx, func(tx *db.Tx) error {
		return SetChange(ctx, tx, f.est, ChangeInput{SlotID: a, OnDate: "2026-11-30", TestPlanned: true}, time.Date(2026, 11, 1, 0, 0, 0, 0, Paris))
	})
	if err != nil {
		t.Fatal(err)
	}
	ps = update(NewSlot{Weekday: 2, StartMin: 8 * 60, SubjectID: f.maths, TeacherIDs: []string{f.t1}, ClassIDs: []string{f.c6A}})
	if !slices.ContainsFunc(ps, func(p Problem) bool { return p.Code == "has-changes" && p.Value == "1" }) {
		t.Fatalf("day change with recorded changes: %v", ps)
	}
	// Another establishment's lesson is not found.
	err = f.d.Tx(ctx, func(tx *db.Tx) error {
		return UpdateSlot(ctx, tx, NewSlot{ID: a, EstablishmentID: "other", Weekday: 1, StartMin: 600, DurationMin: 55, SubjectID: f.maths, ClassIDs: []string{f.c6A}})
	})
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("update through another establishment: %v", err)
	}
}
