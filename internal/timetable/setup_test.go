package timetable

import (
	"cartable/internal/access"
	"cartable/internal/check"
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

// codes lists "field/code" of problems, for compact comparisons.
func codes(err error) []string {
	var ps check.Problems
	if !errors.As(err, &ps) {
		return nil
	}
	var out []string
	for _, p := range ps {
		out = append(out, p.Field+"/"+p.Code)
	}
	return out
}

func (f *fixture) saveRoom(id string, in RoomInput) (string, error) {
	return SaveRoom(context.Background(), sys, f.d, f.est, id, in)
}

func (f *fixture) schoolYear(t *testing.T) SchoolYear {
	t.Helper()
	y, err := CurrentYear(context.Background(), sys, f.d, f.est, "2026-11-30")
	if err != nil || y.ID != f.year {
		t.Fatalf("current year: %v %v", y, err)
	}
	return y
}

func (f *fixture) saveAlt(t *testing.T, id string, in AlternationInput) (string, error) {
	t.Helper()
	y := f.schoolYear(t)
	return SaveAlternation(context.Background(), sys, f.d, f.est, y, id, in)
}

func TestSaveRoomValidation(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	for _, c := range []struct {
		in   RoomInput
		want []string
	}{
		{RoomInput{Code: "  ", Name: ""}, []string{"code/required", "name/required"}},
		{RoomInput{Code: strings.Repeat("x", MaxCodeLen+1), Name: "Salle"}, []string{"code/too-long"}},
		{RoomInput{Code: "B2", Name: strings.Repeat("é", MaxNameLen+1)}, []string{"name/too-long"}},
		{RoomInput{Code: "B\x002", Name: "Salle"}, []string{"code/bad-text"}},
		{RoomInput{Code: " 101 ", Name: "Autre 101"}, []string{"code/duplicate-room"}},
		{RoomInput{Code: "lab  1", Name: "x"}, nil}, // saved below, then clashes with "LAB 1"
		{RoomInput{Code: "LAB 1", Name: "Labo"}, []string{"code/duplicate-room"}},
	} {
		_, err := f.saveRoom("", c.in)
		if got := codes(err); !slices.Equal(got, c.want) || c.want == nil && err != nil {
			t.Errorf("%q/%q: problems %v (%v), want %v", c.in.Code, c.in.Name, got, err, c.want)
		}
	}
	rooms, _ := Rooms(ctx, sys, f.d, f.est)
	if len(rooms) != 3 {
		t.Fatalf("rooms after refusals: %+v", rooms)
	}
	// Trimmed on create; rename keeping or changing the code.
	id, err := f.saveRoom("", RoomInput{Code: "  CDI ", Name: "  Centre de documentation  "})
	if err != nil {
		t.Fatal(err)
	}
	r, _ := RoomByID(ctx, sys, f.d, id)
	if r.Code != "CDI" || r.Name != "Centre de documentation" || r.EstablishmentID != f.est {
		t.Fatalf("stored room: %+v", r)
	}
	if _, err := f.saveRoom(id, RoomInput{Code: "cdi", Name: "CDI"}); err != nil {
		t.Fatalf("rename keeping its own code: %v", err)
	}
	if _, err := f.saveRoom(id, RoomInput{Code: "102", Name: "CDI"}); !slices.Equal(codes(err), []string{"code/duplicate-room"}) {
		t.Fatalf("rename onto another room's code: %v", err)
	}
	if r, _ := RoomByID(ctx, sys, f.d, id); r.Code != "cdi" {
		t.Errorf("refused rename changed the room: %+v", r)
	}
	// A room of another establishment is not found.
	var other string
	f.d.QueryRow(ctx, `SELECT id FROM establishments WHERE id <> ?`, f.est).Scan(&other)
	_, err = SaveRoom(ctx, sys, f.d, other, f.r101, RoomInput{Code: "Z", Name: "Z"})
	if !errors.Is(err, access.ErrDenied) {
		t.Errorf("rename through another establishment: %v", err)
	}
	if err := DeleteRoom(ctx, sys, f.d, other, f.r101); !errors.Is(err, access.ErrDenied) {
		t.Errorf("delete through another establishment: %v", err)
	}
}

func TestDeleteRoomInUse(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	del := func(id string) error {
		return DeleteRoom(ctx, sys, f.d, f.est, id)
	}
	mon := f.slot(t, NewSlot{Weekday: 1, StartMin: 8 * 60, SubjectID: f.maths, TeacherIDs: []string{f.t1}, ClassIDs: []string{f.c6A}, RoomID: f.r101})
	err := del(f.r101)
	var ps check.Problems
	if !errors.As(err, &ps) || len(ps) != 1 || ps[0].Code != "room-used-lessons" || ps[0].Value != "1" {
		t.Fatalf("delete a room in use: %v", err)
	}
	// A change moving an occurrence to 102 keeps 102.
	err = SetChange(ctx, sys, f.d, ChangeInput{SlotID: mon, OnDate: "2026-11-30", NewRoomID: f.r102}, time.Date(2026, 11, 27, 12, 0, 0, 0, Paris))
	if err != nil {
		t.Fatal(err)
	}
	if got := codes(del(f.r102)); !slices.Equal(got, []string{"room/room-used-changes"}) {
		t.Fatalf("delete a room some change uses: %v", got)
	}
	var n int
	f.d.QueryRow(ctx, `SELECT COUNT(*) FROM tt_slots WHERE room_id = ?`, f.r101).Scan(&n)
	if n != 1 {
		t.Fatal("the refused deletion emptied the lesson's room")
	}
	if err := DeleteSlot(ctx, sys, f.d, f.est, mon); err != nil {
		t.Fatal(err)
	}
	if err := del(f.r101); err != nil {
		t.Fatalf("delete an unused room: %v", err)
	}
	if _, err := RoomByID(ctx, sys, f.d, f.r101); !errors.Is(err, access.ErrDenied) {
		t.Errorf("deleted room still there: %v", err)
	}
	if err := del(f.r101); !errors.Is(err, access.ErrDenied) {
		t.Errorf("delete twice: %v", err)
	}
}

// Week A from the first week and week B from the second split the school
// weeks of the year between them across the Toussaint holidays, where the
// alternation resumes with the letter after the last week of classes.
func TestAlternationEveryOtherWeekAcrossHolidays(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	idA, err := f.saveAlt(t, "", AlternationInput{Code: " A ", Label: "Semaine A", Alternate: true, EveryOtherFrom: "2026-08-31"})
	if err != nil {
		t.Fatal(err)
	}
	idB, err := f.saveAlt(t, "", AlternationInput{Code: "B", Label: "Semaine B", Alternate: true, EveryOtherFrom: "2026-09-07"})
	if err != nil {
		t.Fatal(err)
	}
	a, _ := AlternationByID(ctx, sys, f.d, f.est, idA)
	b, _ := AlternationByID(ctx, sys, f.d, f.est, idB)
	if a.Code != "A" || a.Label != "Semaine A" {
		t.Errorf("not trimmed: %+v", a)
	}
	wa, wb := WeeksAB(f.calendar(t), "2026-09-01", "2027-07-03", false)
	if !slices.Equal(a.Mondays, wa) || !slices.Equal(b.Mondays, wb) {
		t.Fatalf("A %v\nB %v\nwant A %v\nB %v", a.Mondays, b.Mondays, wa, wb)
	}
	for _, m := range []string{"2026-08-31", "2026-09-14", "2026-10-12", "2026-11-09"} {
		if !slices.Contains(a.Mondays, m) {
			t.Errorf("week A lacks %s", m)
		}
	}
	for _, m := range []string{"2026-09-07", "2026-10-05", "2026-11-02"} {
		if !slices.Contains(b.Mondays, m) {
			t.Errorf("week B lacks %s", m)
		}
	}
	for _, m := range []string{"2026-10-19", "2026-10-26"} { // Toussaint
		if slices.Contains(a.Mondays, m) || slices.Contains(b.Mondays, m) {
			t.Errorf("holiday week %s got a letter", m)
		}
	}
	// Every week of the year is in exactly one of them, or wholly on holiday.
	for _, w := range YearWeeks(f.calendar(t), f.schoolYear(t)) {
		inA, inB := slices.Contains(a.Mondays, w.Monday), slices.Contains(b.Mondays, w.Monday)
		if w.Closed == (inA || inB) || inA && inB {
			t.Errorf("week %s: closed %v, A %v, B %v", w.Monday, w.Closed, inA, inB)
		}
	}
	// Starting on a holiday week: the first week of classes after it.
	id, err := f.saveAlt(t, "", AlternationInput{Code: "T", Label: "Après Toussaint", Alternate: true, EveryOtherFrom: "2026-10-19"})
	if err != nil {
		t.Fatal(err)
	}
	tt, _ := AlternationByID(ctx, sys, f.d, f.est, id)
	if tt.Mondays[0] != "2026-11-02" || tt.Mondays[1] != "2026-11-16" {
		t.Errorf("from a holiday week: %v", tt.Mondays[:2])
	}
}

func TestYearWeeksShowHolidays(t *testing.T) {
	f := newFixture(t)
	ws := YearWeeks(f.calendar(t), f.schoolYear(t))
	if ws[0].Monday != "2026-08-31" || ws[len(ws)-1].Monday != "2027-06-28" {
		t.Fatalf("weeks from %s to %s", ws[0].Monday, ws[len(ws)-1].Monday)
	}
	get := func(m string) Week {
		for _, w := range ws {
			if w.Monday == m {
				return w
			}
		}
		t.Fatalf("no week %s", m)
		return Week{}
	}
	if w := get("2026-10-19"); !w.Closed || !slices.Contains(w.Holidays, "Toussaint") {
		t.Errorf("Toussaint week: %+v", w)
	}
	if w := get("2026-11-09"); w.Closed || !slices.Equal(w.Holidays, []string{"Armistice"}) {
		t.Errorf("week of 11 November: %+v", w)
	}
	if w := get("2026-11-30"); w.Closed || len(w.Holidays) != 0 {
		t.Errorf("plain week: %+v", w)
	}
}

func TestSaveAlternationValidation(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if _, err := f.saveAlt(t, "", AlternationInput{Code: "Q1", Label: "Quinzaine 1", Mondays: []string{"2026-09-07", "2026-09-21"}}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		in   AlternationInput
		want []string
	}{
		{"empty", AlternationInput{}, []string{"code/required", "label/required", "weeks/no-week"}},
		{"no start", AlternationInput{Code: "X", Label: "X", Alternate: true}, []string{"start/required"}},
		{"start not a Monday", AlternationInput{Code: "X", Label: "X", Alternate: true, EveryOtherFrom: "2026-09-08"}, []string{"start/bad-week"}},
		{"bad weeks", AlternationInput{Code: "X", Label: "X", Mondays: []string{"2026-09-07", "2026-09-08", "2027-09-06", "lundi", "2026-08-24"}},
			[]string{"weeks/bad-week", "weeks/bad-week", "weeks/bad-week", "weeks/bad-week"}},
		{"reserved", AlternationInput{Code: "toutes", Label: "X", Mondays: []string{"2026-09-07"}}, []string{"code/reserved-code"}},
		{"duplicate", AlternationInput{Code: " q1", Label: "X", Mondays: []string{"2026-09-07"}}, []string{"code/duplicate-alternation"}},
		{"too long", AlternationInput{Code: "X", Label: strings.Repeat("l", MaxLabelLen+1), Mondays: []string{"2026-09-07"}}, []string{"label/too-long"}},
	} {
		_, err := f.saveAlt(t, "", c.in)
		if got := codes(err); !slices.Equal(got, c.want) {
			t.Errorf("%s: %v (%v), want %v", c.name, got, err, c.want)
		}
	}
	// The bad week named is the one typed.
	_, err := f.saveAlt(t, "", AlternationInput{Code: "X", Label: "X", Mondays: []string{"2026-09-08"}})
	var ps check.Problems
	if !errors.As(err, &ps) || ps[0].Value != "2026-09-08" {
		t.Errorf("bad week value: %v", err)
	}
	alts, _ := Alternations(ctx, sys, f.d, f.est)
	if len(alts) != 1 {
		t.Fatalf("refused patterns were saved: %+v", alts)
	}
	// Editing the weeks of this year leaves those of another year alone.
	id := alts[0].ID
	if _, err := f.d.Exec(ctx, `INSERT INTO tt_alternation_weeks (alternation_id, monday) VALUES (?, '2025-09-08')`, id); err != nil {
		t.Fatal(err)
	}
	if _, err := f.saveAlt(t, id, AlternationInput{Code: "Q1", Label: "Quinzaine", Mondays: []string{"2026-10-05", "2026-09-14", "2026-10-05"}}); err != nil {
		t.Fatal(err)
	}
	a, _ := AlternationByID(ctx, sys, f.d, f.est, id)
	if !slices.Equal(a.Mondays, []string{"2025-09-08", "2026-09-14", "2026-10-05"}) || a.Label != "Quinzaine" {
		t.Errorf("after edit: %+v", a)
	}
}

func TestAlternationInUse(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	idA, err := f.saveAlt(t, "", AlternationInput{Code: "A", Label: "Semaine A", Alternate: true, EveryOtherFrom: "2026-08-31"})
	if err != nil {
		t.Fatal(err)
	}
	idB, err := f.saveAlt(t, "", AlternationInput{Code: "B", Label: "Semaine B", Alternate: true, EveryOtherFrom: "2026-09-07"})
	if err != nil {
		t.Fatal(err)
	}
	inA := f.slot(t, NewSlot{Weekday: 3, StartMin: 8 * 60, SubjectID: f.maths, TeacherIDs: []string{f.t1}, ClassIDs: []string{f.c6A}, AlternationID: idA})
	f.slot(t, NewSlot{Weekday: 3, StartMin: 8 * 60, SubjectID: f.esp, TeacherIDs: []string{f.t1}, ClassIDs: []string{f.c6B}, AlternationID: idB})
	del := func(id string) error {
		return DeleteAlternation(ctx, sys, f.d, f.est, id)
	}
	var ps check.Problems
	if err := del(idA); !errors.As(err, &ps) || ps[0].Code != "alternation-used" || ps[0].Value != "1" {
		t.Fatalf("delete a pattern in use: %v", err)
	}
	// Giving week A a week of B makes the teacher's two lessons clash.
	before, _ := AlternationByID(ctx, sys, f.d, f.est, idA)
	_, err = f.saveAlt(t, idA, AlternationInput{Code: "A", Label: "Semaine A", Mondays: append([]string{"2026-09-07"}, before.Mondays...)})
	if !errors.As(err, &ps) || ps[0].Field != "weeks" || ps[0].Code != "overlap-teacher" || ps[0].Value != "mercredi 08:00–08:55" {
		t.Fatalf("weeks making lessons overlap: %v", err)
	}
	if after, _ := AlternationByID(ctx, sys, f.d, f.est, idA); !slices.Equal(after.Mondays, before.Mondays) {
		t.Fatal("a refused change of weeks was saved")
	}
	// Renaming without touching the weeks is fine.
	if _, err := f.saveAlt(t, idA, AlternationInput{Code: "SA", Label: "Sem. A", Mondays: before.Mondays}); err != nil {
		t.Fatalf("rename: %v", err)
	}
	if err := DeleteSlot(ctx, sys, f.d, f.est, inA); err != nil {
		t.Fatal(err)
	}
	if err := del(idA); err != nil {
		t.Fatalf("delete an unused pattern: %v", err)
	}
	if _, err := AlternationByID(ctx, sys, f.d, f.est, idA); !errors.Is(err, access.ErrDenied) {
		t.Errorf("deleted pattern: %v", err)
	}
}
