package directory

import (
	"context"

	"cartable/internal/access"
	"cartable/internal/db"
)

// A person's whole row (every column, the password hash aside) is for the
// system viewer (the sign-in steps before anyone is known, imports, tests)
// and for the person themself. Everyone else sees a person through a view
// (ViewPerson, ViewCard), which holds what the policy grants them.

// PersonRow returns the whole row of person id, active or not, to the
// system viewer or to the person themself; anyone else is refused. A
// missing person is ErrNotFound (only the system may ask for another).
func PersonRow(ctx context.Context, v *access.Viewer, q db.Querier, id string) (Person, error) {
	switch {
	case v.IsSystem():
	case v != nil && v.ID != "" && v.ID == id:
		// Oneself, for a viewer the policy loaded (Can refuses any other).
		if err := v.Can(ctx, access.ReadContact, access.Person(id)); err != nil {
			return Person{}, err
		}
	default:
		return Person{}, access.Refuse("read-row", access.Person(id), "a whole row is read by the person or the system only")
	}
	return personByID(ctx, q, id)
}

// Credentials returns the person with a login and their password hash, to
// the system viewer only: the sign-in steps (sign-in, activation, reset)
// read them before anyone is known. An unknown login is ErrNotFound.
func Credentials(ctx context.Context, v *access.Viewer, q db.Querier, login string) (Person, string, error) {
	if !v.IsSystem() {
		return Person{}, "", access.Refuse("read-credentials", access.Person(""), "credentials are read by the sign-in steps only")
	}
	return personByLogin(ctx, q, login)
}

// PeopleByLogins returns the whole rows of the people with these logins,
// by login, to the system viewer only (tests and tools that know people by
// login).
func PeopleByLogins(ctx context.Context, v *access.Viewer, q db.Querier, logins []string) ([]Person, error) {
	if !v.IsSystem() {
		return nil, access.Refuse("read-row", access.Person(""), "rows by login are read by the system only")
	}
	return peopleByLogins(ctx, q, logins)
}
