package timetable

import (
	"context"
	"database/sql"
	"errors"

	"cartable/internal/access"
	"cartable/internal/db"
	"cartable/internal/directory"
)

// Openings are what a member of staff may open from their own timetable:
// the management pages of the establishments whose timetable they edit,
// and, where they hold a staff function, the timetables of its classes
// and rooms that they may read.
type Openings struct {
	Manage  []directory.Establishment
	Classes []directory.Class
	Rooms   []Room
}

// OpeningsOf lists v's openings (none for most people).
func OpeningsOf(ctx context.Context, v *access.Viewer, q db.Querier) (Openings, error) {
	var o Openings
	for _, est := range v.Establishments {
		edit, err := v.May(ctx, access.EditTimetable, access.Establishment(est))
		if err != nil {
			return o, err
		}
		if edit {
			e, err := directory.EstablishmentByID(ctx, q, est)
			if err != nil {
				return o, err
			}
			o.Manage = append(o.Manage, e)
		}
		if len(v.Functions[est]) == 0 {
			continue
		}
		classes, err := directory.ClassesOfEstablishment(ctx, q, est)
		if err != nil {
			return o, err
		}
		for _, c := range classes {
			ok, err := v.May(ctx, access.ReadTimetable, access.Class(c.ID))
			if err != nil {
				return o, err
			}
			if ok {
				o.Classes = append(o.Classes, c)
			}
		}
		rooms, err := rooms(ctx, q, est)
		if err != nil {
			return o, err
		}
		for _, r := range rooms {
			ok, err := v.May(ctx, access.ReadTimetable, access.Room(r.ID))
			if err != nil {
				return o, err
			}
			if ok {
				o.Rooms = append(o.Rooms, r)
			}
		}
	}
	return o, nil
}

// PersonTarget is the timetable of person id (a student's or a teacher's,
// by their profile), if v may read it.
func PersonTarget(ctx context.Context, v *access.Viewer, q db.Querier, id string) (Target, error) {
	t := Target{Kind: TargetTeacher, ID: id}
	if err := canRead(ctx, v, t); err != nil {
		return t, err
	}
	var profile string
	err := q.QueryRow(ctx, `SELECT profile FROM people WHERE id = ?`, id).Scan(&profile)
	if errors.Is(err, sql.ErrNoRows) {
		return t, refused(access.ReadTimetable, access.Person(id))
	}
	if err != nil {
		return t, err
	}
	if profile == "student" {
		t.Kind = TargetStudent
	}
	return t, nil
}
