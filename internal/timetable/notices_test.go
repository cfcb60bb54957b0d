package timetable

import (
	"context"
	"errors"
	"sort"
	"strings"
	"testing"
	"time"

	"cartable/internal/access"
	"cartable/internal/db"
	"cartable/internal/directory"
	"cartable/internal/notify"
	"cartable/internal/roles"
)

// families adds to the fixture a pupil of 6B, a legal guardian of each
// pupil, a person in charge of the 6A pupil (not a legal guardian) and an
// inactive guardian of the 6A pupil.
func (f *fixture) families(t *testing.T) map[string]string {
	t.Helper()
	ctx := context.Background()
	p := map[string]string{}
	err := f.d.Tx(ctx, func(tx *db.Tx) error {
		var errs []error
		person := func(login, profile string, active bool) string {
			x := &directory.Person{Profile: profile, Login: login, LastName: strings.ToUpper(login), FirstName: "Prénom", Active: active}
			errs = append(errs, directory.CreatePerson(ctx, sys, tx, x, ""), directory.AddMembership(ctx, sys, tx, x.ID, f.est))
			p[login] = x.ID
			return x.ID
		}
		p["eleve"] = f.student
		s6B := person("eleve6b", roles.Student, true)
		errs = append(errs, directory.Enrol(ctx, sys, tx, s6B, f.c6B), directory.AddGroupMember(ctx, sys, tx, s6B, f.gESP))
		for _, l := range []struct {
			login, student string
			guardian       bool
			active         bool
		}{{"parent", f.student, true, true}, {"charge", f.student, false, true}, {"ancien", f.student, true, false}, {"parent6b", s6B, true, true}} {
			id := person(l.login, roles.Relative, l.active)
			errs = append(errs, directory.Link(ctx, sys, tx, directory.FamilyLink{StudentID: l.student, RelativeID: id, Relationship: "autre",
				LegalGuardian: l.guardian}))
		}
		return errors.Join(errs...)
	})
	if err != nil {
		t.Fatal(err)
	}
	p["durand"], p["martin"] = f.t1, f.t2
	return p
}

// told returns, per login, the kinds of the notices pending for them.
func (f *fixture) told(t *testing.T, people map[string]string) map[string][]notify.Notice {
	t.Helper()
	out := map[string][]notify.Notice{}
	for login, id := range people {
		ns, err := notify.Pending(context.Background(), sys, f.d, id)
		if err != nil {
			t.Fatal(err)
		}
		if len(ns) > 0 {
			out[login] = ns
		}
	}
	return out
}

func kinds(ns []notify.Notice) string {
	var out []string
	for _, n := range ns {
		out = append(out, n.Kind)
	}
	sort.Strings(out)
	return strings.Join(out, " ")
}

// latest is the notice of ns whose key names the occurrence about (a slot
// or "slot/date"): one per occurrence in these tests.
func latest(ns []notify.Notice, about string) notify.Notice {
	for _, n := range ns {
		if strings.HasPrefix(n.Key, "lesson/"+about) {
			return n
		}
	}
	return notify.Notice{}
}

func logins(m map[string][]notify.Notice) string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return strings.Join(out, " ")
}

// A lesson's change is told to its teachers, its pupils and their legal
// guardians — not to another class's families, a person in charge, an
// inactive account or the author — once: a second round, or the same
// change saved again, tells nothing; taking the change back tells those
// who were told.
func TestLessonChangeNotices(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	people := f.families(t)
	mon := f.slot(t, NewSlot{Weekday: 1, StartMin: 8 * 60, SubjectID: f.maths, TeacherIDs: []string{f.t1}, ClassIDs: []string{f.c6A}, RoomID: f.r101})
	wed := f.slot(t, NewSlot{Weekday: 3, StartMin: 10 * 60, SubjectID: f.esp, TeacherIDs: []string{f.t2}, GroupIDs: []string{f.gESP}, RoomID: f.r101})
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, Paris)
	announce := func() int {
		t.Helper()
		n, err := AnnounceChanges(ctx, sys, f.d, now, 100)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if err := SetChange(ctx, sys, f.d, ChangeInput{SlotID: mon, OnDate: "2026-11-30", Cancelled: true, Reason: "teacher-absent",
		Note: "Mme Durand est malade"}, now); err != nil {
		t.Fatal(err)
	}
	if n := announce(); n != 3 {
		t.Fatalf("cancelled: %d notices, want 3", n)
	}
	got := f.told(t, people)
	if logins(got) != "durand eleve parent" {
		t.Fatalf("told of the cancellation: %s", logins(got))
	}
	n := got["parent"][0]
	if n.Kind != NoticeLessonCancelled || n.About != f.student || n.Args["subject"] != "Mathématiques" || n.Args["date"] != "2026-11-30" ||
		n.Args["time"] != "08:00" || n.Args["audience"] != "6A" || n.Link != "/lessons/"+mon+"/2026-11-30" {
		t.Errorf("the parent's notice: %+v", n)
	}
	for _, v := range n.Args {
		if strings.Contains(v, "malade") || strings.Contains(v, "teacher-absent") {
			t.Errorf("a notice tells the reason or the note: %+v", n.Args)
		}
	}
	if k, _ := EventBacklog(ctx, f.d); k != 0 {
		t.Fatalf("%d events left undelivered", k)
	}
	if n := announce(); n != 0 {
		t.Fatalf("a second round queued %d", n)
	}
	// The same cancellation saved again (another note): nothing new.
	if err := SetChange(ctx, sys, f.d, ChangeInput{SlotID: mon, OnDate: "2026-11-30", Cancelled: true, Reason: "strike"}, now); err != nil {
		t.Fatal(err)
	}
	if n := announce(); n != 0 {
		t.Fatalf("the same change saved again: %d notices", n)
	}
	// Taken back: those told hear it is on again.
	if err := SetChange(ctx, sys, f.d, ChangeInput{SlotID: mon, OnDate: "2026-11-30"}, now); err != nil {
		t.Fatal(err)
	}
	if n := announce(); n != 3 {
		t.Fatalf("restored: %d notices", n)
	}
	if k := kinds(f.told(t, people)["eleve"]); k != "lesson-cancelled lesson-restored" {
		t.Fatalf("the pupil's notices: %s", k)
	}

	// The group's teacher plans a test: the group's pupils (from both
	// classes) and their guardians are told, not the author.
	teacher, err := access.New(f.d).Viewer(ctx, f.t2)
	if err != nil {
		t.Fatal(err)
	}
	if err := Annotate(ctx, teacher, f.d, wed, "2026-12-02", true, "", now); err != nil {
		t.Fatal(err)
	}
	before := f.told(t, people)
	if n := announce(); n != 4 {
		t.Fatalf("test planned: %d notices, want 4", n)
	}
	after := f.told(t, people)
	for _, login := range []string{"eleve", "parent", "eleve6b", "parent6b"} {
		if len(after[login]) != len(before[login])+1 {
			t.Errorf("%s not told of the test", login)
			continue
		}
		if n := latest(after[login], wed); n.Kind != NoticeLessonChanged || n.Args["parts"] != "test" {
			t.Errorf("%s's notice: %+v", login, n)
		}
	}
	if len(after["martin"]) != 0 || len(after["charge"]) != 0 || len(after["ancien"]) != 0 {
		t.Errorf("the author, a person in charge or an inactive guardian told: %+v", after)
	}

	// Two edits before a round make one notice with the latest state; the
	// replacement hears of it too.
	for _, in := range []ChangeInput{{SlotID: mon, OnDate: "2026-12-07", NewRoomID: f.r102},
		{SlotID: mon, OnDate: "2026-12-07", NewRoomID: f.r102, ReplacementID: f.t2, NewStart: "09:00"}} {
		if err := SetChange(ctx, sys, f.d, in, now); err != nil {
			t.Fatal(err)
		}
	}
	if n := announce(); n != 4 {
		t.Fatalf("room and replacement: %d notices, want 4 (durand, martin, eleve, parent)", n)
	}
	after = f.told(t, people)
	n = latest(after["martin"], mon+"/2026-12-07")
	if n.Args["parts"] != "moved,room,replacement" || n.Args["room"] != "Salle 102" || n.Args["teacher"] != "Prénom MARTIN" ||
		n.Args["new_date"] != "2026-12-07" || n.Args["new_time"] != "09:00–09:55" {
		t.Errorf("the replacement's notice: %+v", n)
	}
	if len(after["eleve6b"]) != len(before["eleve6b"])+1 {
		t.Errorf("another class's pupil told of 6A's lesson: %+v", after["eleve6b"])
	}

	// A change of a lesson over by the time of the round: delivered,
	// nobody told.
	if err := SetChange(ctx, sys, f.d, ChangeInput{SlotID: mon, OnDate: "2026-11-30", NewRoomID: f.r102}, now); err != nil {
		t.Fatal(err)
	}
	if k, err := AnnounceChanges(ctx, sys, f.d, now.AddDate(0, 0, 5), 100); err != nil || k != 0 {
		t.Fatalf("a past lesson: %d %v", k, err)
	}
	if k, _ := EventBacklog(ctx, f.d); k != 0 {
		t.Fatalf("%d events left undelivered", k)
	}
	// The outbox is the instance's.
	if _, err := AnnounceChanges(ctx, teacher, f.d, now, 10); !errors.Is(err, access.ErrDenied) {
		t.Fatalf("a teacher runs the round: %v", err)
	}
}
