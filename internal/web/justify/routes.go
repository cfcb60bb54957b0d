// Package justify is families' justifications and school life's review:
// a relative's page of a child's absences and lateness with their state,
// the justifications sent and their outcome, and the form of a legal
// guardian who justifies (period, reason, text, optional document) or
// declares an absence ahead; a student's own page; the CPE's queue of
// justifications to review, oldest first, accepted or refused with a
// message.
package justify

import (
	"embed"
	"html/template"
	"net/http"

	"cartable/internal/attendance"
	"cartable/internal/timetable"
	"cartable/internal/web/page"
)

//go:embed templates
var templates embed.FS

// Area serves the justification pages.
type Area struct {
	kit   *page.Kit
	pages *page.Set
	att   *attendance.Service
}

// New parses the area's templates.
func New(kit *page.Kit, att *attendance.Service) (*Area, error) {
	pages, err := kit.Parse(templates, template.FuncMap{"hhmm": timetable.HHMM})
	if err != nil {
		return nil, err
	}
	return &Area{kit: kit, pages: pages, att: att}, nil
}

// Routes mounts the justification pages.
func (a *Area) Routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /justifications", a.kit.SignedIn(a.family))
	mux.HandleFunc("POST /justifications", a.limited(a.kit.SignedIn(a.justify)))
	mux.HandleFunc("GET /school-life/justifications", a.kit.SignedIn(a.queue))
	mux.HandleFunc("POST /school-life/justifications/{id}/review", a.kit.SignedIn(a.review))
}

// bodyLimit is the largest form read: four times a document's limit, so
// that a document somewhat too large is answered on the form, with what
// was typed, rather than by an error page.
const bodyLimit = 4*attendance.MaxDocument + 256<<10

// limited refuses, before anything is read, a body announced larger than
// bodyLimit; a body that turns out larger is cut there.
func (a *Area) limited(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > bodyLimit {
			w.Header().Set("Connection", "close")
			a.kit.Error(w, r, http.StatusRequestEntityTooLarge, "just.toolarge")
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, bodyLimit)
		h(w, r)
	}
}
