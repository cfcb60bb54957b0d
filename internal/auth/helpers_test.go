package auth

import (
	"context"
	"testing"

	"cartable/internal/access"
	"cartable/internal/db"
	"cartable/internal/directory"
	"cartable/internal/roles"
)

func createPerson(t *testing.T, d *db.DB) string {
	t.Helper()
	p := &directory.Person{Profile: roles.Teacher, Login: "camille.martin", FirstName: "Camille", LastName: "Martin", Active: true}
	if err := directory.CreatePerson(context.Background(), access.System("test"), d, p, ""); err != nil {
		t.Fatal(err)
	}
	return p.ID
}
