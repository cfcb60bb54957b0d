// Package homework is the homework pages: a student's list (their own, or
// a relative's child's) with the done-ticks, the hand-in form and the work
// handed in, each item leading to its lesson; the homework a teacher set,
// a page at a time, filtered by class or group and due dates; and who
// handed in a homework's work (everyone for its author, one's own for a
// student, a child's for a relative).
package homework

import (
	"embed"
	"html/template"
	"net/http"

	"cartable/internal/classlog"
	"cartable/internal/files"
	"cartable/internal/i18n"
	"cartable/internal/web/page"
)

//go:embed templates
var templates embed.FS

// Area serves the homework pages.
type Area struct {
	kit   *page.Kit
	pages *page.Set
	log   *classlog.Service
	files *files.Store // its upload limit; nil refuses uploads
}

// New parses the area's templates.
func New(kit *page.Kit, log *classlog.Service, store *files.Store) (*Area, error) {
	pages, err := kit.Parse(templates, template.FuncMap{"size": i18n.Size, "dec": func(i int) int { return i - 1 }})
	if err != nil {
		return nil, err
	}
	return &Area{kit: kit, pages: pages, log: log, files: store}, nil
}

// Routes mounts the homework pages.
func (a *Area) Routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /homework", a.kit.SignedIn(a.list))
	mux.HandleFunc("POST /homework/{id}/done", a.kit.SignedIn(a.done))
	mux.HandleFunc("POST /homework/{id}/hand-in", a.limited(a.kit.SignedIn(a.handIn)))
	mux.HandleFunc("GET /homework/{id}/hand-ins", a.kit.SignedIn(a.handIns))
}
