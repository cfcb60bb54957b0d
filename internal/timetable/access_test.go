package timetable

import (
	"context"
	"errors"
	"testing"
	"time"

	"cartable/internal/access"
)

// Every exported read and write asks the policy for the viewer it is
// given: a refusal changes nothing, and a missing row is refused like a
// forbidden one.
func TestTheDomainAsksThePolicy(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	slot := f.slot(t, NewSlot{Weekday: 1, StartMin: 8 * 60, SubjectID: f.maths, TeacherIDs: []string{f.t1}, ClassIDs: []string{f.c6A}, RoomID: f.r101})
	p := access.New(f.d)
	viewer := func(id string) *access.Viewer {
		v, err := p.Viewer(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	student, teacher, foreign := viewer(f.student), viewer(f.t1), viewer(f.tOther)
	refused := func(what string, err error) {
		t.Helper()
		if !errors.Is(err, access.ErrDenied) {
			t.Errorf("%s: %v, want a refusal", what, err)
		}
	}
	const day = "2026-11-30"
	week := func(v *access.Viewer, tg Target) error {
		_, err := Lessons(ctx, v, f.d, tg, day, "2026-12-04")
		return err
	}
	if err := week(student, Target{TargetStudent, f.student}); err != nil {
		t.Errorf("a student's own week: %v", err)
	}
	refused("a student reads a teacher's week", week(student, Target{TargetTeacher, f.t1}))
	refused("an unknown kind of timetable", week(student, Target{"nope", f.student}))
	if _, err := LessonAt(ctx, student, f.d, slot, day); err != nil {
		t.Errorf("a student's own lesson: %v", err)
	}
	_, errForbidden := LessonAt(ctx, foreign, f.d, slot, day)
	_, errMissing := LessonAt(ctx, foreign, f.d, slot, "2026-12-01")
	refused("another school's teacher opens the lesson", errForbidden)
	refused("a day the lesson does not run", errMissing)
	if errForbidden.Error() != errMissing.Error() {
		t.Errorf("forbidden and missing answer differently: %q, %q", errForbidden, errMissing)
	}
	// The lesson's teacher annotates it but does not change it; a student
	// does neither; nor does anyone create lessons without editing rights.
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, Paris)
	refused("the teacher cancels", SetChange(ctx, teacher, f.d, ChangeInput{SlotID: slot, OnDate: day, Cancelled: true, Reason: "strike"}, now))
	refused("a student annotates", Annotate(ctx, student, f.d, slot, day, true, "", now))
	if err := Annotate(ctx, teacher, f.d, slot, day, true, "Contrôle", now); err != nil {
		t.Fatalf("the teacher annotates: %v", err)
	}
	_, err := CreateSlot(ctx, teacher, f.d, NewSlot{EstablishmentID: f.est, SchoolYearID: f.year, Weekday: 2, StartMin: 600, DurationMin: 55,
		SubjectID: f.maths, ClassIDs: []string{f.c6A}, ValidFrom: "2026-09-01", ValidTo: "2027-07-03"})
	refused("a teacher creates a lesson", err)
	refused("a teacher deletes a lesson", DeleteSlot(ctx, teacher, f.d, f.est, slot))
	l, err := LessonAt(ctx, teacher, f.d, slot, day)
	if err != nil || !l.TestPlanned() || l.Cancelled() {
		t.Fatalf("after the refusals: %+v %v", l.Change, err)
	}
	_, err = PendingEvents(ctx, teacher, f.d, 10)
	refused("a person reads the outbox", err)
}
