package timetable

import (
	"context"
	"errors"
	"sync/atomic"

	"cartable/internal/access"
	"cartable/internal/db"
)

// The access questions of the timetable, asked by every exported read and
// write before it touches anything (docs/access.md, internal/access
// learning.go).

// resourceOf names a target for the policy.
func resourceOf(t Target) access.Resource {
	switch t.Kind {
	case TargetClass:
		return access.Class(t.ID)
	case TargetGroup:
		return access.Group(t.ID)
	case TargetRoom:
		return access.Room(t.ID)
	}
	return access.Person(t.ID)
}

// canRead asks whether v may read t's timetable.
func canRead(ctx context.Context, v *access.Viewer, t Target) error {
	if _, ok := slotQueries[t.Kind]; !ok {
		return access.Refuse(access.ReadTimetable, access.Resource{Kind: access.Kind(t.Kind), ID: t.ID}, "unknown kind of timetable")
	}
	return v.Can(ctx, access.ReadTimetable, resourceOf(t))
}

// canEdit asks whether v may edit est's timetable.
func canEdit(ctx context.Context, v *access.Viewer, est string) error {
	return v.Can(ctx, access.EditTimetable, access.Establishment(est))
}

// refused is the answer for a row missing or of another establishment:
// the same as a refusal, so that nobody learns which.
func refused(a access.Action, r access.Resource) error {
	return access.Refuse(a, r, "missing or out of reach")
}

// notFound turns the store's errNotFound into that refusal.
func notFound(err error, a access.Action, r access.Resource) error {
	if errors.Is(err, errNotFound) {
		return refused(a, r)
	}
	return err
}

// errNotFound is the store's answer for a slot, room, pattern or
// occurrence that does not exist; exported functions answer a refusal.
var errNotFound = errors.New("timetable: not found")

// edits counts the timetable writes of this process. A Cache forgets what
// it holds when the count moves (cache.go), so that no write can leave a
// page stale in this process, whoever made it.
var edits atomic.Uint64

func edited() { edits.Add(1) }

// write runs fn in a transaction of its own, then tells the caches.
func write(ctx context.Context, d *db.DB, fn func(tx *db.Tx) error) error {
	defer edited()
	return d.Tx(ctx, fn)
}

// Rights are what a viewer may do to the occurrences of a lesson: change
// one (cancel, move, replace: school life and the heads) or annotate one
// (a test planned, a note: its own teachers too). The lesson page offers
// the forms they allow; SetChange and Annotate ask again.
type Rights struct{ Change, Annotate bool }

// RightsOn tells what v may do to the occurrences of lesson slotID.
func RightsOn(ctx context.Context, v *access.Viewer, slotID string) (Rights, error) {
	var r Rights
	var err error
	if r.Change, err = v.May(ctx, access.ChangeLesson, access.Lesson(slotID)); err != nil || r.Change {
		r.Annotate = r.Change
		return r, err
	}
	r.Annotate, err = v.May(ctx, access.AnnotateLesson, access.Lesson(slotID))
	return r, err
}
