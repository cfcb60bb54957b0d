// Package classlog is the class log's own pages: a class's or group's log
// (/classlog/classes/{id}, /classlog/groups/{id}), whose way back skips
// the weeks without entries, and the actions on one entry that are not the
// lesson's form: copy (a form proposing the copy's date and due dates,
// which the teacher changes before saving), delete, remove an attachment.
package classlog

import (
	"embed"
	"html/template"
	"net/http"

	"cartable/internal/classlog"
	"cartable/internal/i18n"
	"cartable/internal/web/page"
)

//go:embed templates
var templates embed.FS

// Area serves the class log's pages.
type Area struct {
	kit   *page.Kit
	pages *page.Set
	log   *classlog.Service
}

// New parses the area's templates.
func New(kit *page.Kit, log *classlog.Service) (*Area, error) {
	pages, err := kit.Parse(templates, template.FuncMap{"size": i18n.Size})
	if err != nil {
		return nil, err
	}
	return &Area{kit: kit, pages: pages, log: log}, nil
}

// Routes mounts the class log's pages.
func (a *Area) Routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /classlog/entries/{id}/copy", a.kit.SignedIn(a.copyForm))
	mux.HandleFunc("POST /classlog/entries/{id}/copy", a.kit.SignedIn(a.copyEntry))
	mux.HandleFunc("POST /classlog/entries/{id}/delete", a.kit.SignedIn(a.deleteEntry))
	mux.HandleFunc("POST /classlog/entries/{id}/attachments/{file}/remove", a.kit.SignedIn(a.removeAttachment))
	mux.HandleFunc("GET /classlog/classes/{id}", a.kit.SignedIn(a.structureLog))
	mux.HandleFunc("GET /classlog/groups/{id}", a.kit.SignedIn(a.structureLog))
}

// logOf is the address of a class's or group's log.
func logOf(classID, groupID string) string {
	if groupID != "" {
		return "/classlog/groups/" + groupID
	}
	return "/classlog/classes/" + classID
}
