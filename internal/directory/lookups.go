package directory

import (
	"context"

	"cartable/internal/access"
	"cartable/internal/db"
)

// Lookups for the timetable's forms: the subjects, groups and teachers an
// establishment's lesson form and a lesson's change form offer. Each takes
// the viewer and asks the policy itself.

// Named is a person as a form's list offers them: enough to recognise and
// choose, nothing else of the record.
type Named struct {
	ID, FirstName, LastName string
}

// TeachersOf lists by name the active teachers of an establishment (the
// teachers of a lesson, its replacement) whose name v may read.
func TeachersOf(ctx context.Context, v *access.Viewer, q db.Querier, est string) ([]Named, error) {
	all, err := db.All(ctx, q, func(sc db.Scanner) (n Named, err error) {
		err = sc.Scan(&n.ID, &n.FirstName, &n.LastName)
		return
	}, `SELECT p.id, p.first_name, p.last_name FROM people p JOIN memberships m ON m.person_id = p.id
		WHERE m.establishment_id = ? AND p.profile = 'teacher' AND p.active ORDER BY p.last_name, p.first_name, p.id`, est)
	if err != nil || len(all) == 0 {
		return nil, err
	}
	ids := make([]string, len(all))
	for i, n := range all {
		ids[i] = n.ID
	}
	ok, err := v.Visible(ctx, access.ReadName, ids)
	if err != nil {
		return nil, err
	}
	var out []Named
	for _, n := range all {
		if ok[n.ID] {
			out = append(out, n)
		}
	}
	return out, nil
}

// SubjectsOf lists by name the subjects of an establishment, to those who
// edit its timetable.
func SubjectsOf(ctx context.Context, v *access.Viewer, q db.Querier, est string) ([]Subject, error) {
	if err := v.Can(ctx, access.EditTimetable, access.Establishment(est)); err != nil {
		return nil, err
	}
	return db.All(ctx, q, func(sc db.Scanner) (x Subject, err error) {
		err = sc.Scan(&x.ID, &x.EstablishmentID, &x.Code, &x.ShortName, &x.Name)
		return
	}, `SELECT id, establishment_id, code, short_name, name FROM subjects WHERE establishment_id = ? ORDER BY name`, est)
}

// GroupsOf lists by code the groups of an establishment's school year, to
// those who edit its timetable.
func GroupsOf(ctx context.Context, v *access.Viewer, q db.Querier, est, year string) ([]Group, error) {
	if err := v.Can(ctx, access.EditTimetable, access.Establishment(est)); err != nil {
		return nil, err
	}
	return db.All(ctx, q, func(sc db.Scanner) (g Group, err error) {
		err = sc.Scan(&g.ID, &g.EstablishmentID, &g.SchoolYearID, &g.Code, &g.Name)
		return
	}, `SELECT id, establishment_id, school_year_id, code, name FROM groups
		WHERE establishment_id = ? AND school_year_id = ? ORDER BY code`, est, year)
}
