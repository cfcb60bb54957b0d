// Package liaison is the carnet de liaison's pages: the lists of notes
// (the author's, signed or not; school life's unsigned notes of the
// establishment; a family's per child, unsigned first; a student's own),
// the form of a new note (to one student, or several of a class or group:
// one note each), and a note as its reader may see it, with the
// guardian's acknowledgement ("J'ai pris connaissance") and the answers.
package liaison

import (
	"embed"
	"html/template"
	"net/http"
	"strings"

	"cartable/internal/liaison"
	"cartable/internal/web/page"
)

//go:embed templates
var templates embed.FS

// Area serves the carnet de liaison.
type Area struct {
	kit   *page.Kit
	pages *page.Set
	notes *liaison.Service
}

// New parses the area's templates.
func New(kit *page.Kit, notes *liaison.Service) (*Area, error) {
	pages, err := kit.Parse(templates, template.FuncMap{
		// lines splits a plain text at its line ends, for <br>s.
		"lines": func(s string) []string { return strings.Split(s, "\n") },
	})
	if err != nil {
		return nil, err
	}
	return &Area{kit: kit, pages: pages, notes: notes}, nil
}

// Routes mounts the carnet's pages.
func (a *Area) Routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /notes", a.kit.SignedIn(a.list))
	mux.HandleFunc("GET /notes/new", a.kit.SignedIn(a.compose))
	mux.HandleFunc("POST /notes", a.kit.SignedIn(a.write))
	mux.HandleFunc("GET /notes/{id}", a.kit.SignedIn(a.note))
	mux.HandleFunc("POST /notes/{id}/sign", a.kit.SignedIn(a.sign))
	mux.HandleFunc("POST /notes/{id}/reply", a.kit.SignedIn(a.reply))
}
