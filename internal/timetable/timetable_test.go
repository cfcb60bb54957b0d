package timetable

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"cartable/internal/access"
	"cartable/internal/check"
	"cartable/internal/db"
	"cartable/internal/dbtest"
	"cartable/internal/directory"
	"cartable/internal/roles"
)

// sys is the viewer of these tests: the policy's answers are tested in
// internal/access and by the pages; here, what the timetable computes.
var sys = access.System("test")

// fixture: one collège, year 2026-2027 with the Toussaint holidays
// (2026-10-17 → 2026-11-01) and the spring ones, classes 6A and 6B, a
// Spanish group from both, two teachers, two subjects, two rooms.
type fixture struct {
	d              *db.DB
	est, year      string
	c6A, c6B, gESP string
	maths, esp     string
	t1, t2, tOther string
	r101, r102     string
	student        string
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{d: dbtest.Open(t)}
	err := f.d.Tx(ctx, func(tx *db.Tx) error {
		var errs []error
		check := func(err error) { errs = append(errs, err) }
		e := &directory.Establishment{UAI: "0750001A", Name: "Collège", Kind: "college"}
		check(directory.CreateEstablishment(ctx, sys, tx, e))
		f.est = e.ID
		other := &directory.Establishment{UAI: "0750002B", Name: "Autre", Kind: "college"}
		check(directory.CreateEstablishment(ctx, sys, tx, other))
		y := &directory.SchoolYear{EstablishmentID: e.ID, Label: "2026-2027", StartsOn: "2026-09-01", EndsOn: "2027-07-03"}
		check(directory.CreateSchoolYear(ctx, sys, tx, y))
		f.year = y.ID
		for _, h := range [][3]string{{"Toussaint", "2026-10-17", "2026-11-01"}, {"Printemps", "2027-04-03", "2027-04-18"}} {
			check(directory.CreateHoliday(ctx, sys, tx, &directory.Holiday{SchoolYearID: y.ID, Label: h[0], StartsOn: h[1], EndsOn: h[2]}))
		}
		subj := func(code, short, name string) string {
			s := &directory.Subject{EstablishmentID: e.ID, Code: code, ShortName: short, Name: name}
			check(directory.CreateSubject(ctx, sys, tx, s))
			return s.ID
		}
		f.maths, f.esp = subj("061300", "MATHS", "Mathématiques"), subj("030602", "ESP2", "Espagnol LV2")
		class := func(code string) string {
			c := &directory.Class{EstablishmentID: e.ID, SchoolYearID: y.ID, Code: code, Name: code}
			check(directory.CreateClass(ctx, sys, tx, c))
			return c.ID
		}
		f.c6A, f.c6B = class("6A"), class("6B")
		g := &directory.Group{EstablishmentID: e.ID, SchoolYearID: y.ID, Code: "6AB-ESP", Name: "Espagnol 6AB", ClassIDs: []string{f.c6A, f.c6B}}
		check(directory.CreateGroup(ctx, sys, tx, g))
		f.gESP = g.ID
		person := func(login, profile, ext, est string) string {
			p := &directory.Person{Profile: profile, Login: login, LastName: strings.ToUpper(login), FirstName: "Prénom", ExternalID: ext, Active: true}
			check(directory.CreatePerson(ctx, sys, tx, p, ""))
			check(directory.AddMembership(ctx, sys, tx, p.ID, est))
			return p.ID
		}
		f.t1 = person("durand", roles.Teacher, "STS-1", e.ID)
		f.t2 = person("martin", roles.Teacher, "", e.ID)
		f.tOther = person("ailleurs", roles.Teacher, "STS-9", other.ID)
		f.student = person("eleve", roles.Student, "", e.ID)
		check(directory.Enrol(ctx, sys, tx, f.student, f.c6A))
		check(directory.AddGroupMember(ctx, sys, tx, f.student, f.gESP))
		for _, code := range []string{"101", "102"} {
			r := &Room{EstablishmentID: e.ID, Code: code, Name: "Salle " + code}
			check(CreateRoom(ctx, sys, tx, r))
			if code == "101" {
				f.r101 = r.ID
			} else {
				f.r102 = r.ID
			}
		}
		return errors.Join(errs...)
	})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fixture) slot(t *testing.T, n NewSlot) string {
	t.Helper()
	n.EstablishmentID, n.SchoolYearID = f.est, f.year
	if n.ValidFrom == "" {
		n.ValidFrom, n.ValidTo = "2026-09-01", "2027-07-03"
	}
	if n.DurationMin == 0 {
		n.DurationMin = 55
	}
	var id string
	err := func() (err error) {
		id, err = CreateSlot(context.Background(), sys, f.d, n)
		return err
	}()
	if err != nil {
		t.Fatalf("create slot: %v", err)
	}
	return id
}

func (f *fixture) calendar(t *testing.T) Calendar {
	t.Helper()
	c, err := LoadCalendar(context.Background(), f.d, []string{f.year})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func dates(ls []Lesson) []string {
	var out []string
	for _, l := range ls {
		out = append(out, l.Date)
	}
	return out
}

func TestPublicHolidays(t *testing.T) {
	got := map[string]string{}
	for _, h := range PublicHolidays(2027) {
		got[h.Label] = h.StartsOn
	}
	want := map[string]string{"Lundi de Pâques": "2027-03-29", "Ascension": "2027-05-06", "Lundi de Pentecôte": "2027-05-17",
		"Armistice": "2027-11-11", "Fête du Travail": "2027-05-01"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s 2027: got %s, want %s", k, got[k], v)
		}
	}
	if e := easter(2026).Format(DateFormat); e != "2026-04-05" {
		t.Errorf("Easter 2026: %s", e)
	}
}

// Week A/B across holidays: holiday weeks belong to neither pattern, and
// the alternation resumes after them (or follows the calendar when asked).
func TestWeeksABAcrossHolidays(t *testing.T) {
	// A one-week break makes the two practices differ.
	c := Calendar{Holidays: []Holiday{{Label: "Pont", StartsOn: "2026-09-19", Ends: "2026-09-27"}}}
	a, b := WeeksAB(c, "2026-09-01", "2026-10-16", false)
	wantA := []string{"2026-08-31", "2026-09-14", "2026-10-05"}
	wantB := []string{"2026-09-07", "2026-09-28", "2026-10-12"}
	if !slices.Equal(a, wantA) || !slices.Equal(b, wantB) {
		t.Fatalf("resume after holidays: A %v B %v; want A %v B %v", a, b, wantA, wantB)
	}
	a, b = WeeksAB(c, "2026-09-01", "2026-10-16", true)
	wantA = []string{"2026-08-31", "2026-09-14", "2026-09-28", "2026-10-12"}
	wantB = []string{"2026-09-07", "2026-10-05"}
	if !slices.Equal(a, wantA) || !slices.Equal(b, wantB) {
		t.Fatalf("calendar parity: A %v B %v; want A %v B %v", a, b, wantA, wantB)
	}
	if slices.Contains(append(a, b...), "2026-09-21") {
		t.Error("a week wholly on holiday got a letter")
	}
}

// Lessons across the Toussaint holidays and both daylight-saving changes:
// no lesson on holidays or public holidays, 08:00 stays 08:00 in Paris while
// its UTC instant moves by an hour.
func TestLessonsAcrossHolidaysAndDST(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	cal := f.calendar(t)
	wa, wb := WeeksAB(cal, "2026-09-01", "2027-07-03", false)
	var altA, altB Alternation
	err := f.d.Tx(ctx, func(tx *db.Tx) error {
		altA = Alternation{EstablishmentID: f.est, Code: "SA", Label: "Semaine A", Mondays: wa}
		altB = Alternation{EstablishmentID: f.est, Code: "SB", Label: "Semaine B", Mondays: wb}
		if err := CreateAlternation(ctx, sys, tx, &altA); err != nil {
			return err
		}
		return CreateAlternation(ctx, sys, tx, &altB)
	})
	if err != nil {
		t.Fatal(err)
	}
	// Every Friday and Monday at 08:00, maths for 6A; Tuesday week A only.
	f.slot(t, NewSlot{Weekday: 5, StartMin: 8 * 60, SubjectID: f.maths, TeacherIDs: []string{f.t1}, ClassIDs: []string{f.c6A}, RoomID: f.r101})
	f.slot(t, NewSlot{Weekday: 1, StartMin: 8 * 60, SubjectID: f.maths, TeacherIDs: []string{f.t1}, ClassIDs: []string{f.c6A}, RoomID: f.r101})
	f.slot(t, NewSlot{Weekday: 2, StartMin: 10 * 60, SubjectID: f.esp, TeacherIDs: []string{f.t2}, GroupIDs: []string{f.gESP}, AlternationID: altA.ID})

	ls, err := Lessons(ctx, sys, f.d, Target{Kind: TargetStudent, ID: f.student}, "2026-10-12", "2026-11-10")
	if err != nil {
		t.Fatal(err)
	}
	got := dates(ls)
	// Week of 12 Oct is A (7th school week from 31 Aug); holidays 17 Oct–1 Nov;
	// week of 2 Nov is B (the alternation resumes); 9 Nov is A.
	want := []string{"2026-10-12", "2026-10-13", "2026-10-16", "2026-11-02", "2026-11-06", "2026-11-09", "2026-11-10"}
	if !slices.Equal(got, want) {
		t.Fatalf("lessons around Toussaint: got %v, want %v", got, want)
	}
	utc := map[string]int{}
	for _, l := range ls {
		if l.Start.In(Paris).Hour() != 8 && l.Start.In(Paris).Hour() != 10 {
			t.Errorf("%s: local start %s", l.Date, l.Start.In(Paris))
		}
		utc[l.Date] = l.Start.UTC().Hour()
	}
	if utc["2026-10-16"] != 6 || utc["2026-11-02"] != 7 {
		t.Errorf("autumn change: 16 Oct 08:00 Paris = %d:00Z (want 6), 2 Nov = %d:00Z (want 7)", utc["2026-10-16"], utc["2026-11-02"])
	}
	// Spring change (28 March 2027) with Easter Monday (29 March) off.
	ls, err = Lessons(ctx, sys, f.d, Target{Kind: TargetClass, ID: f.c6A}, "2027-03-22", "2027-04-05")
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range ls {
		utc[l.Date] = l.Start.UTC().Hour()
		if l.Date == "2027-03-29" {
			t.Error("a lesson on Easter Monday")
		}
		if l.Date >= "2027-04-03" {
			t.Errorf("a lesson during the spring holidays: %s", l.Date)
		}
	}
	if utc["2027-03-26"] != 7 || utc["2027-04-02"] != 6 {
		t.Errorf("spring change: 26 Mar = %d:00Z (want 7), 2 Apr = %d:00Z (want 6)", utc["2027-03-26"], utc["2027-04-02"])
	}
	if l := ls[0]; l.End.Sub(l.Start) != 55*time.Minute {
		t.Errorf("duration %s", l.End.Sub(l.Start))
	}
}

func TestChangesAndOutbox(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	mon := f.slot(t, NewSlot{Weekday: 1, StartMin: 8 * 60, SubjectID: f.maths, TeacherIDs: []string{f.t1}, ClassIDs: []string{f.c6A}, RoomID: f.r101})
	tue := f.slot(t, NewSlot{Weekday: 2, StartMin: 9 * 60, SubjectID: f.maths, TeacherIDs: []string{f.t1}, ClassIDs: []string{f.c6A}, RoomID: f.r101})
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, Paris)
	set := func(in ChangeInput) error {
		return SetChange(ctx, sys, f.d, in, now)
	}
	if err := set(ChangeInput{SlotID: mon, OnDate: "2026-11-30", Cancelled: true, Reason: "teacher-absent"}); err != nil {
		t.Fatal(err)
	}
	if err := set(ChangeInput{SlotID: tue, OnDate: "2026-12-01", NewDate: "2026-12-03", NewStart: "14:00", NewRoomID: f.r102, ReplacementID: f.t2}); err != nil {
		t.Fatal(err)
	}
	// Far ahead: stored, but no outbox event.
	if err := set(ChangeInput{SlotID: mon, OnDate: "2027-01-11", TestPlanned: true, Note: "Contrôle"}); err != nil {
		t.Fatal(err)
	}
	ls, err := Lessons(ctx, sys, f.d, Target{Kind: TargetClass, ID: f.c6A}, "2026-11-30", "2026-12-06")
	if err != nil {
		t.Fatal(err)
	}
	if len(ls) != 2 || !ls[0].Cancelled() || ls[0].Change.Reason != "teacher-absent" {
		t.Fatalf("cancelled Monday: %+v", ls)
	}
	moved := ls[1]
	if !moved.Moved() || moved.Start.Format("2006-01-02 15:04") != "2026-12-03 14:00" || moved.Room.ID != f.r102 || moved.Teachers[0].ID != f.t2 {
		t.Fatalf("moved lesson: start %s room %v teachers %v", moved.Start, moved.Room, moved.Teachers)
	}
	// The replacement sees it in their timetable; the usual teacher too
	// (as replaced), the room it left does not.
	for _, c := range []struct {
		t    Target
		want int
	}{{Target{TargetTeacher, f.t2}, 1}, {Target{TargetTeacher, f.t1}, 2}, {Target{TargetRoom, f.r102}, 1}, {Target{TargetRoom, f.r101}, 1}} {
		ls, err := Lessons(ctx, sys, f.d, c.t, "2026-11-30", "2026-12-06")
		if err != nil {
			t.Fatal(err)
		}
		if len(ls) != c.want {
			t.Errorf("%s %s: %d lessons, want %d", c.t.Kind, c.t.ID, len(ls), c.want)
		}
	}
	evs, err := PendingEvents(ctx, sys, f.d, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 2 || evs[0].Kind != EventLessonChanged || evs[0].Subject != "lesson:"+mon+"/2026-11-30" {
		t.Fatalf("outbox: %+v", evs)
	}
	if strings.Contains(evs[0].Payload, "DURAND") {
		t.Error("the outbox holds a name")
	}
	// Bad changes: clear problems, nothing stored.
	for _, in := range []ChangeInput{
		{SlotID: mon, OnDate: "2026-12-07", Cancelled: true},                                        // no reason
		{SlotID: mon, OnDate: "2026-12-07", NewStart: "25:00"},                                      // impossible time
		{SlotID: mon, OnDate: "2026-12-07", NewRoomID: "nope"},                                      // unknown room
		{SlotID: mon, OnDate: "2026-12-07", ReplacementID: f.tOther},                                // teacher of another school
		{SlotID: mon, OnDate: "2026-12-07", Cancelled: true, Reason: "exam", NewDate: "2026-12-08"}, // both
		{SlotID: mon, OnDate: "2026-12-07", NewStart: "23:30", NewDuration: 60},                     // past midnight
	} {
		var ps check.Problems
		if err := set(in); !errors.As(err, &ps) {
			t.Errorf("%+v: want problems, got %v", in, err)
		}
	}
	if err := set(ChangeInput{SlotID: mon, OnDate: "2026-12-08"}); !errors.Is(err, access.ErrDenied) {
		t.Errorf("a change on a day the lesson does not run: %v", err)
	}
	var n int
	f.d.QueryRow(ctx, `SELECT COUNT(*) FROM tt_changes WHERE on_date = '2026-12-07'`).Scan(&n)
	if n != 0 {
		t.Error("a refused change was stored")
	}
}

func TestCreateSlotRefusesOverlapsAndImpossibleTimes(t *testing.T) {
	f := newFixture(t)
	f.slot(t, NewSlot{Weekday: 1, StartMin: 8 * 60, SubjectID: f.maths, TeacherIDs: []string{f.t1}, ClassIDs: []string{f.c6A}, RoomID: f.r101})
	try := func(n NewSlot) check.Problems {
		n.EstablishmentID, n.SchoolYearID, n.ValidFrom, n.ValidTo = f.est, f.year, "2026-09-01", "2027-07-03"
		var ps check.Problems
		_, err := CreateSlot(context.Background(), sys, f.d, n)
		errors.As(err, &ps)
		if err != nil && ps == nil {
			t.Fatal(err)
		}
		return ps
	}
	cases := []struct {
		name string
		n    NewSlot
		code string
	}{
		{"same teacher", NewSlot{Weekday: 1, StartMin: 8*60 + 30, DurationMin: 55, SubjectID: f.maths, TeacherIDs: []string{f.t1}, ClassIDs: []string{f.c6B}}, "overlap"},
		{"same room", NewSlot{Weekday: 1, StartMin: 8 * 60, DurationMin: 55, SubjectID: f.maths, TeacherIDs: []string{f.t2}, ClassIDs: []string{f.c6B}, RoomID: f.r101}, "overlap"},
		{"same class", NewSlot{Weekday: 1, StartMin: 8 * 60, DurationMin: 55, SubjectID: f.esp, TeacherIDs: []string{f.t2}, ClassIDs: []string{f.c6A}}, "overlap"},
		{"impossible start", NewSlot{Weekday: 2, StartMin: 1500, DurationMin: 55, SubjectID: f.maths, TeacherIDs: []string{f.t1}, ClassIDs: []string{f.c6A}}, "bad-time"},
		{"past midnight", NewSlot{Weekday: 2, StartMin: 23 * 60, DurationMin: 90, SubjectID: f.maths, TeacherIDs: []string{f.t1}, ClassIDs: []string{f.c6A}}, "past-midnight"},
		{"no audience", NewSlot{Weekday: 2, StartMin: 9 * 60, DurationMin: 55, SubjectID: f.maths, TeacherIDs: []string{f.t1}}, "no-audience"},
		{"teacher elsewhere", NewSlot{Weekday: 2, StartMin: 9 * 60, DurationMin: 55, SubjectID: f.maths, TeacherIDs: []string{f.tOther}, ClassIDs: []string{f.c6A}}, "unknown-teacher"},
	}
	for _, c := range cases {
		ps := try(c.n)
		if !slices.ContainsFunc(ps, func(p check.Problem) bool { return p.Code == c.code }) {
			t.Errorf("%s: problems %v, want %s", c.name, ps, c.code)
		}
	}
	// Week A and week B lessons at the same time do not clash.
	cal := f.calendar(t)
	wa, wb := WeeksAB(cal, "2026-09-01", "2027-07-03", false)
	var a, b Alternation
	f.d.Tx(context.Background(), func(tx *db.Tx) error {
		a = Alternation{EstablishmentID: f.est, Code: "A", Label: "A", Mondays: wa}
		b = Alternation{EstablishmentID: f.est, Code: "B", Label: "B", Mondays: wb}
		CreateAlternation(context.Background(), sys, tx, &a)
		return CreateAlternation(context.Background(), sys, tx, &b)
	})
	f.slot(t, NewSlot{Weekday: 3, StartMin: 8 * 60, SubjectID: f.maths, TeacherIDs: []string{f.t1}, ClassIDs: []string{f.c6A}, AlternationID: a.ID})
	if ps := try(NewSlot{Weekday: 3, StartMin: 8 * 60, DurationMin: 55, SubjectID: f.esp, TeacherIDs: []string{f.t1}, ClassIDs: []string{f.c6A}, AlternationID: b.ID}); len(ps) != 0 {
		t.Errorf("week A and week B clash: %v", ps)
	}
}

func TestParseClock(t *testing.T) {
	for in, want := range map[string]int{"08:30": 510, "8h30": 510, "8h": 480, "0830": 510, "23:59": 1439} {
		if got, ok := ParseClock(in); !ok || got != want {
			t.Errorf("%q: %d %v", in, got, ok)
		}
	}
	for _, bad := range []string{"24:00", "12:60", "abc", "", "8", "-1:00"} {
		if _, ok := ParseClock(bad); ok {
			t.Errorf("%q accepted", bad)
		}
	}
}
