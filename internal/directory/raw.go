package directory

import (
	"context"

	"cartable/internal/db"
)

// Raw reads kept with their former signature for the callers in packages
// another engineer owns (provisioning and its tests, the demo's test);
// every other caller goes through the service (PersonRow, Credentials,
// ViewCard, ViewPerson). They are listed in internal/archcheck's pending:
// delete this file once those callers have moved.

// PersonByID returns a person, active or not.
func PersonByID(ctx context.Context, q db.Querier, id string) (Person, error) {
	return personByID(ctx, q, id)
}

// PersonByLogin returns a person and their password hash.
func PersonByLogin(ctx context.Context, q db.Querier, login string) (Person, string, error) {
	return personByLogin(ctx, q, login)
}

// ClassesOfStudent lists a student's classes in open school years.
func ClassesOfStudent(ctx context.Context, q db.Querier, studentID string) ([]Class, error) {
	return classesOfStudent(ctx, q, studentID)
}
