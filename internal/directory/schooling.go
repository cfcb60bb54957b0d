package directory

import (
	"context"

	"cartable/internal/access"
	"cartable/internal/db"
)

// ViewSchooling is the short form of ViewStudentSchool that a home page
// shows every morning: the student's card and their classes with their
// establishments and head teachers (read-record on the student; each head
// teacher only if v may read their card). Teachers and family are left out
// (Teaching and Relatives are empty): the class page lists the teachers,
// the student's page the family.
func ViewSchooling(ctx context.Context, v *access.Viewer, q db.Querier, studentID string) (StudentSchool, error) {
	return studentSchool(ctx, v, q, studentID, false)
}
