// Package timetable is the timetable area of the web interface: the week
// views of a person, a class, a group and a room, and the management pages
// of an establishment's timetable (lessons, import, rooms, week patterns,
// the class log's settings). It parses, calls the timetable domain with
// the request's viewer, and renders.
package timetable

import (
	"embed"
	"net/http"

	"cartable/internal/attendance"
	"cartable/internal/classlog"
	"cartable/internal/db"
	"cartable/internal/timetable"
	"cartable/internal/web/page"
)

//go:embed templates/*.html
var templates embed.FS

// Area serves the timetable pages.
type Area struct {
	kit   *page.Kit
	pages *page.Set
	db    *db.DB
	cache *timetable.Cache  // shared with the home page's "now and next"
	log   *classlog.Service // the class log's settings, on the management page
	// Registers gives the links to the registers the viewer takes (week
	// views); nil: none.
	Registers *attendance.Service
}

// New parses the area's templates.
func New(kit *page.Kit, d *db.DB, cache *timetable.Cache, log *classlog.Service) (*Area, error) {
	pages, err := kit.Parse(templates, nil)
	if err != nil {
		return nil, err
	}
	return &Area{kit: kit, pages: pages, db: d, cache: cache, log: log}, nil
}

// Routes mounts the area.
func (a *Area) Routes(mux *http.ServeMux) {
	in := a.kit.SignedIn
	mux.HandleFunc("GET /timetable", in(a.myTimetable))
	mux.HandleFunc("GET /timetable/people/{id}", in(a.personTimetable))
	mux.HandleFunc("GET /timetable/classes/{id}", in(a.classTimetable))
	mux.HandleFunc("GET /timetable/groups/{id}", in(a.groupTimetable))
	mux.HandleFunc("GET /timetable/rooms/{id}", in(a.roomTimetable))

	mux.HandleFunc("GET /timetable/manage/{est}", in(a.manage))
	mux.HandleFunc("POST /timetable/manage/{est}/slots", in(a.addSlot))
	mux.HandleFunc("POST /timetable/manage/{est}/slots/{slot}", in(a.updateSlot))
	mux.HandleFunc("POST /timetable/manage/{est}/slots/{slot}/delete", in(a.deleteSlot))
	mux.HandleFunc("POST /timetable/manage/{est}/import", in(a.importTimetable))
	mux.HandleFunc("POST /timetable/manage/{est}/settings", in(a.classlogSettings))

	mux.HandleFunc("GET /timetable/manage/{est}/rooms", in(a.roomsPage))
	mux.HandleFunc("POST /timetable/manage/{est}/rooms", in(a.saveRoom))
	mux.HandleFunc("GET /timetable/manage/{est}/rooms/{room}", in(a.roomsPage))
	mux.HandleFunc("POST /timetable/manage/{est}/rooms/{room}", in(a.saveRoom))
	mux.HandleFunc("POST /timetable/manage/{est}/rooms/{room}/delete", in(a.deleteRoom))
	mux.HandleFunc("GET /timetable/manage/{est}/weeks", in(a.weeksPage))
	mux.HandleFunc("POST /timetable/manage/{est}/weeks", in(a.saveWeeks))
	mux.HandleFunc("GET /timetable/manage/{est}/weeks/{alt}", in(a.weeksPage))
	mux.HandleFunc("POST /timetable/manage/{est}/weeks/{alt}", in(a.saveWeeks))
	mux.HandleFunc("POST /timetable/manage/{est}/weeks/{alt}/delete", in(a.deleteWeeks))
}

// today is the application's date in Paris.
func (a *Area) today() string { return a.kit.Now().In(timetable.Paris).Format(timetable.DateFormat) }
