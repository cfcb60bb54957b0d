package directory

import (
	"context"

	"cartable/internal/db"
)

// The store functions the tests check against the tables directly.
var (
	SchoolingOf     = schoolingOf
	ChildrenOf      = childrenOf
	RelativesOf     = relativesOf
	StudentsOfClass = studentsOfClass
)

// TeachingOfStudent and TeachingOfClass give the store's lines as the views
// show them.
func TeachingOfStudent(ctx context.Context, q db.Querier, id string) ([]TeachingRow, error) {
	ts, err := teachingOfStudent(ctx, q, id)
	return teachingRowsOf(ts), err
}

func TeachingOfClass(ctx context.Context, q db.Querier, id string) ([]TeachingRow, error) {
	ts, err := teachingOfClass(ctx, q, id)
	return teachingRowsOf(ts), err
}
