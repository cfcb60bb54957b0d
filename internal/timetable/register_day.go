package timetable

import (
	"context"

	"cartable/internal/access"
	"cartable/internal/db"
)

// targetEstablishment selects every lesson of an establishment: the day of
// registers school life follows (internal/attendance). It is not a
// timetable anyone reads as such (canRead refuses it: no resource of
// that kind), only through EstablishmentLessons.
const targetEstablishment = "establishment"

func init() {
	slotQueries[targetEstablishment] = `SELECT ` + slotCols + `WHERE s.establishment_id = ? AND s.establishment_id = ?
		AND s.valid_from <= ? AND s.valid_to >= ?`
}

// EstablishmentLessons returns every lesson of est between from and to
// (dates, included), changes applied, with their teachers and audiences,
// in order of start, to those who edit est's timetable and to the system
// (a domain that asked its own question first: school life's day of
// registers, the reminders of registers not taken).
func EstablishmentLessons(ctx context.Context, v *access.Viewer, q db.Querier, est, from, to string) ([]Lesson, error) {
	if err := canEdit(ctx, v, est); err != nil {
		return nil, err
	}
	span, err := period(ctx, q, nil, Target{Kind: targetEstablishment, ID: est}, from, to, true)
	return span.Lessons, err
}
