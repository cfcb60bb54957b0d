// Package home is the home page: what each person opens every morning. A
// student sees their school and their day; a relative the same for the
// child they choose; a teacher their classes and their day; staff and
// operators their establishments.
package home

import (
	"embed"
	"net/http"

	"cartable/internal/db"
	"cartable/internal/timetable"
	"cartable/internal/web/page"
)

//go:embed templates
var templates embed.FS

// Area serves the home page.
type Area struct {
	kit   *page.Kit
	pages *page.Set
	db    *db.DB
	weeks *timetable.Cache // "now and next", shared with the week views
}

// New parses the area's templates.
func New(kit *page.Kit, d *db.DB, weeks *timetable.Cache) (*Area, error) {
	pages, err := kit.Parse(templates, nil)
	if err != nil {
		return nil, err
	}
	return &Area{kit: kit, pages: pages, db: d, weeks: weeks}, nil
}

// Routes registers the home page.
func (a *Area) Routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /{$}", a.kit.SignedIn(a.home))
}
