package directory

import (
	"context"

	"cartable/internal/access"
	"cartable/internal/db"
	"cartable/internal/roles"
)

// ViewSchooling is the short form of ViewStudentSchool that a home page
// shows every morning: the student's card and their classes with their
// establishments and head teachers (read-record on the student; each head
// teacher only if v may read their card). Teachers and family are left out
// (Teaching and Relatives are empty): the class page lists the teachers,
// the student's page the family.
func ViewSchooling(ctx context.Context, v *access.Viewer, q db.Querier, studentID string) (StudentSchool, error) {
	res := access.Person(studentID)
	if err := v.Can(ctx, access.ReadRecord, res); err != nil {
		return StudentSchool{}, err
	}
	p, err := personByID(ctx, q, studentID)
	if err != nil {
		return StudentSchool{}, refusedIfMissing(err, access.ReadRecord, res)
	}
	if p.Profile != roles.Student {
		return StudentSchool{}, access.Refuse(access.ReadRecord, res, "not a student")
	}
	view := StudentSchool{Student: cardOf(p)}
	if view.Schooling, err = schoolingOf(ctx, q, studentID); err != nil {
		return StudentSchool{}, err
	}
	var heads []string
	for _, sc := range view.Schooling {
		heads = append(heads, cardIDs(sc.HeadTeachers)...)
	}
	ok, err := visible(ctx, v, heads)
	if err != nil {
		return StudentSchool{}, err
	}
	for i := range view.Schooling {
		view.Schooling[i].HeadTeachers = keep(view.Schooling[i].HeadTeachers, ok, func(c Card) string { return c.ID })
	}
	return view, nil
}
