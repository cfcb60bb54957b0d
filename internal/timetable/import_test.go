package timetable

import (
	"context"
	"os"
	"slices"
	"strings"
	"testing"

	"cartable/internal/db"
)

func (f *fixture) importFile(t *testing.T, name string, skip bool) ImportReport {
	t.Helper()
	ctx := context.Background()
	data, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	var rep ImportReport
	err = f.d.Tx(ctx, func(tx *db.Tx) (err error) {
		o := ImportOptions{EstablishmentID: f.est, SchoolYearID: f.year, SkipFaulty: skip}
		if strings.HasSuffix(name, ".xml") {
			rep, err = ImportEDT(ctx, sys, tx, strings.NewReader(string(data)), o)
		} else {
			rep, err = ImportCSV(ctx, sys, tx, data, o)
		}
		return err
	})
	if err != nil {
		t.Fatalf("import %s: %v", name, err)
	}
	return rep
}

func (f *fixture) count(t *testing.T, q string) int {
	t.Helper()
	var n int
	if err := f.d.QueryRow(context.Background(), q).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestImportEDT(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	// An earlier lesson is replaced by the import.
	f.slot(t, NewSlot{Weekday: 5, StartMin: 15 * 60, SubjectID: f.maths, TeacherIDs: []string{f.t2}, ClassIDs: []string{f.c6B}})
	rep := f.importFile(t, "edt_ok.xml", false)
	if !rep.Applied || len(rep.Problems) != 0 || rep.Lessons != 4 || rep.Rooms != 1 || rep.Alternations != 2 {
		t.Fatalf("report %+v", rep)
	}
	if n := f.count(t, `SELECT COUNT(*) FROM tt_slots`); n != 4 {
		t.Fatalf("%d slots after import, want 4 (the old one replaced)", n)
	}
	// Teacher matched by external ID (STS-1) and by name (4242 → MARTIN);
	// subject by code and by CODE_GESTION; room 101 existed, LAB created;
	// week A/B from the file.
	ls, err := Lessons(ctx, sys, f.d, Target{Kind: TargetStudent, ID: f.student}, "2026-09-14", "2026-09-18")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, l := range ls {
		got = append(got, l.Start.Format("Mon 15:04")+" "+l.Slot.SubjectCode+" "+l.Teachers[0].LastName+" "+l.Room.Code)
	}
	want := []string{"Mon 08:00 061300 DURAND 101", "Tue 14:00 030602 MARTIN LAB", "Wed 10:00 061300 DURAND 101"}
	if !slices.Equal(got, want) {
		t.Fatalf("week A lessons: %v, want %v", got, want)
	}
	if d := ls[1].End.Sub(ls[1].Start).Minutes(); d != 90 {
		t.Errorf("DUREE 0130 gave %v minutes", d)
	}
	// Week B (21 Sep): 6B has its Wednesday lesson, 6A not.
	ls, _ = Lessons(ctx, sys, f.d, Target{Kind: TargetClass, ID: f.c6B}, "2026-09-21", "2026-09-25")
	if !slices.ContainsFunc(ls, func(l Lesson) bool { return l.Date == "2026-09-23" }) {
		t.Error("week B lesson of 6B missing")
	}
	ls, _ = Lessons(ctx, sys, f.d, Target{Kind: TargetClass, ID: f.c6A}, "2026-09-21", "2026-09-25")
	if slices.ContainsFunc(ls, func(l Lesson) bool { return l.Date == "2026-09-23" }) {
		t.Error("week A lesson of 6A given in week B")
	}
}

func TestImportEDTBadInput(t *testing.T) {
	f := newFixture(t)
	before := f.slot(t, NewSlot{Weekday: 5, StartMin: 15 * 60, SubjectID: f.maths, TeacherIDs: []string{f.t2}, ClassIDs: []string{f.c6B}})
	rep := f.importFile(t, "edt_bad.xml", false)
	if rep.Applied {
		t.Fatal("a faulty file was applied")
	}
	codes := map[string]int{}
	for _, p := range rep.Problems {
		codes[p.Code] = p.Line
		if p.Line == 0 {
			t.Errorf("problem without a line: %+v", p)
		}
	}
	for _, c := range []string{"overlap-line", "unknown-room", "bad-day", "bad-time", "bad-duration", "empty-alternation", "unknown-teacher", "unknown-class"} {
		if _, ok := codes[c]; !ok {
			t.Errorf("no %q problem in %+v", c, rep.Problems)
		}
	}
	if codes["unknown-room"] != 18 || codes["unknown-class"] != 28 {
		t.Errorf("lines: unknown room at %d (want 18), unknown class at %d (want 28)", codes["unknown-room"], codes["unknown-class"])
	}
	// Nothing changed.
	if n := f.count(t, `SELECT COUNT(*) FROM tt_slots`); n != 1 {
		t.Fatalf("%d slots after a refused import", n)
	}
	if _, err := SlotByID(context.Background(), sys, f.d, f.est, before); err != nil {
		t.Fatal("the existing lesson is gone")
	}
	// Asked to import the rest: only the first Monday lesson is sound.
	rep = f.importFile(t, "edt_bad.xml", true)
	if !rep.Applied || rep.Lessons != 1 || rep.Skipped != 6 {
		t.Fatalf("skip faulty: %+v", rep)
	}
}

func TestImportCSV(t *testing.T) {
	var err error
	f := newFixture(t)
	ctx := context.Background()
	rep := f.importFile(t, "tt_1252.csv", false)
	if !rep.Applied || rep.Lessons != 3 || rep.Alternations != 2 {
		t.Fatalf("report %+v", rep)
	}
	ls, err := Lessons(ctx, sys, f.d, Target{Kind: TargetTeacher, ID: f.t2}, "2026-08-31", "2026-09-11") // shadows
	if err != nil {
		t.Fatal(err)
	}
	// Week A is the first week: the Spanish lesson (Windows-1252 name
	// "Prénom MARTIN") runs on 1 September, not on the 8th.
	if len(ls) != 1 || ls[0].Date != "2026-09-01" || ls[0].End.Sub(ls[0].Start).Minutes() != 90 {
		t.Fatalf("Spanish lessons: %v", dates(ls))
	}
	rep = f.importFile(t, "tt_bad.csv", false)
	if rep.Applied {
		t.Fatal("a faulty CSV was applied")
	}
	byLine := map[int][]string{}
	for _, p := range rep.Problems {
		byLine[p.Line] = append(byLine[p.Line], p.Code)
	}
	want := map[int][]string{3: {"overlap-line"}, 4: {"bad-time", "bad-end"}, 5: {"bad-end"},
		6: {"unknown-subject", "unknown-teacher", "unknown-class", "unknown-room", "unknown-alternation"}}
	for line, codes := range want {
		for _, c := range codes {
			if !slices.Contains(byLine[line], c) {
				t.Errorf("line %d: %v, want %s", line, byLine[line], c)
			}
		}
	}
	if n := f.count(t, `SELECT COUNT(*) FROM tt_slots`); n != 3 {
		t.Errorf("%d slots: the refused CSV changed the timetable", n)
	}
	// Missing columns are named.
	err = f.d.Tx(ctx, func(tx *db.Tx) error {
		rep, err := ImportCSV(ctx, sys, tx, []byte("nom;prenom\nA;B\n"), ImportOptions{EstablishmentID: f.est, SchoolYearID: f.year})
		if err == nil && (len(rep.Problems) != 1 || rep.Problems[0].Code != "missing-columns" || !strings.Contains(rep.Problems[0].Value, "day")) {
			t.Errorf("missing columns: %+v", rep.Problems)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}
