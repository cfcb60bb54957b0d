// Package home is the home page: what each person opens every morning,
// answering "what do I need today?" in blocks (blocks.go) — a student's
// day, the next day, the homework due then and what the teachers published
// since the last visit; the same for the child a relative chooses; a
// teacher's day, the class log still to write and the work handed in; for
// the head's office and the CPE, the day's absent teachers, cancelled
// lessons and changes — then the person's school, classes or
// establishments.
package home

import (
	"embed"
	"net/http"

	"cartable/internal/attendance"
	"cartable/internal/classlog"
	"cartable/internal/db"
	"cartable/internal/grades"
	"cartable/internal/liaison"
	"cartable/internal/messaging"
	"cartable/internal/news"
	"cartable/internal/timetable"
	"cartable/internal/web/page"
)

//go:embed templates
var templates embed.FS

// Area serves the home page.
type Area struct {
	kit      *page.Kit
	pages    *page.Set
	db       *db.DB
	weeks    *timetable.Cache   // the coming week, shared with the week views
	log      *classlog.Service  // homework, news, hand-ins, done-ticks
	notes    *liaison.Service   // notes to sign, notes awaiting signature (notes.go); nil: none
	news     *news.Service      // news to acknowledge (news.go); nil: none
	messages *messaging.Service // unread conversations (messages.go); nil: none
	// Attendance gives school life's blocks (absences to justify,
	// justifications to review, the monthly counter); nil: none.
	Attendance *attendance.Service
	// Registers gives the teacher's registers of the day and school
	// life's registers not taken (registers.go); nil: no such blocks.
	Registers *attendance.Service
	// Grades gives students and relatives the latest marks (grades.go);
	// nil: no such block.
	Grades *grades.Service
}

// New parses the area's templates.
func New(kit *page.Kit, d *db.DB, weeks *timetable.Cache, log *classlog.Service) (*Area, error) {
	pages, err := kit.Parse(templates, nil)
	if err != nil {
		return nil, err
	}
	return &Area{kit: kit, pages: pages, db: d, weeks: weeks, log: log}, nil
}

// Routes registers the home page and its done-tick.
func (a *Area) Routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /{$}", a.kit.SignedIn(a.home))
	mux.HandleFunc("POST /home/homework/{id}/done", a.kit.SignedIn(a.done))
}
