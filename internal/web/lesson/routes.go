// Package lesson is the page of one lesson occurrence, /lessons/{slot}/{date}:
// its details and changes, its class log entries, the form its teachers
// write the log with (homework, attachments), and the form staff change
// the occurrence with (or its teachers annotate it).
package lesson

import (
	"embed"
	"html/template"
	"net/http"

	"cartable/internal/attendance"
	"cartable/internal/classlog"
	"cartable/internal/db"
	"cartable/internal/files"
	"cartable/internal/i18n"
	"cartable/internal/web/page"
)

//go:embed templates
var templates embed.FS

// Deps is what the area calls.
type Deps struct {
	ClassLog *classlog.Service
	Files    *files.Store // its upload limit; nil refuses uploads
	DB       *db.DB       // the handle the timetable's functions read through
	// Registers tells whether the viewer takes this lesson's register, and
	// its state (the link to the roll call); nil: no link.
	Registers *attendance.Service
}

// Area serves the lesson page.
type Area struct {
	kit   *page.Kit
	pages *page.Set
	Deps
}

// New parses the area's templates.
func New(kit *page.Kit, d Deps) (*Area, error) {
	pages, err := kit.Parse(templates, template.FuncMap{"size": i18n.Size})
	if err != nil {
		return nil, err
	}
	return &Area{kit: kit, pages: pages, Deps: d}, nil
}

// Routes mounts the lesson page and its two forms.
func (a *Area) Routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /lessons/{slot}/{date}", a.kit.SignedIn(a.lesson))
	mux.HandleFunc("POST /lessons/{slot}/{date}/log", a.limitedLog(a.kit.SignedIn(a.saveEntry)))
	mux.HandleFunc("POST /lessons/{slot}/{date}/change", a.kit.SignedIn(a.change))
}
