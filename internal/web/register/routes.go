// Package register is the roll call of a lesson occurrence,
// /registers/{slot}/{date} (one form, one line per student, everyone
// present by default: it works on a phone and without JavaScript), and
// school life's day of registers of an establishment: which are not taken
// in time (/registers/day, refreshing itself) and the printable register
// of the day (/registers/day/print).
package register

import (
	"embed"
	"html/template"
	"net/http"

	"cartable/internal/attendance"
	"cartable/internal/web/page"
)

//go:embed templates
var templates embed.FS

// Area serves the registers.
type Area struct {
	kit   *page.Kit
	pages *page.Set
	att   *attendance.Service
}

// New parses the area's templates.
func New(kit *page.Kit, att *attendance.Service) (*Area, error) {
	pages, err := kit.Parse(templates, template.FuncMap{"teachers": page.TeacherNames})
	if err != nil {
		return nil, err
	}
	return &Area{kit: kit, pages: pages, att: att}, nil
}

// Routes mounts the register of a lesson and school life's day.
func (a *Area) Routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /registers/day", a.kit.SignedIn(a.day))
	mux.HandleFunc("GET /registers/day/print", a.kit.SignedIn(a.print))
	mux.HandleFunc("GET /registers/{slot}/{date}", a.kit.SignedIn(a.register))
	mux.HandleFunc("POST /registers/{slot}/{date}", a.kit.SignedIn(a.save))
}
