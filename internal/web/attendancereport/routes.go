// Package attendancereport is school life's figures: the per-period
// counts of an establishment's students (half-days justified and not,
// lateness, missed hours) with their CSV export, the monthly counter of
// compulsory schooling (L131-8) and the tasks raised by thresholds, and a
// student's school-life record as a PDF.
package attendancereport

import (
	"embed"
	"errors"
	"net/http"

	"cartable/internal/attendance"
	"cartable/internal/directory"
	"cartable/internal/web/page"
)

//go:embed templates
var templates embed.FS

// Area serves the report pages.
type Area struct {
	kit   *page.Kit
	pages *page.Set
	att   *attendance.Service
}

// New parses the area's templates.
func New(kit *page.Kit, att *attendance.Service) (*Area, error) {
	pages, err := kit.Parse(templates, nil)
	if err != nil {
		return nil, err
	}
	return &Area{kit: kit, pages: pages, att: att}, nil
}

// Routes mounts the report pages.
func (a *Area) Routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /school-life/counts", a.kit.SignedIn(a.counts))
	mux.HandleFunc("GET /school-life/counts.csv", a.kit.SignedIn(a.csv))
	mux.HandleFunc("GET /school-life/counter", a.kit.SignedIn(a.counter))
	mux.HandleFunc("POST /school-life/tasks/{id}/done", a.kit.SignedIn(a.taskDone))
	mux.HandleFunc("GET /school-life/students/{id}/record.pdf", a.kit.SignedIn(a.recordPDF))
}

var errNoSchool = errors.New("attendancereport: no establishment")

// school picks the establishment of a page: ?est= among those whose
// school life the viewer reads (the first by default). One not among them
// is asked of the domain, which refuses it.
func (a *Area) school(r *http.Request) ([]directory.Establishment, directory.Establishment, error) {
	want := r.URL.Query().Get("est")
	ests, err := a.att.Establishments(r.Context(), page.Viewer(r))
	if err != nil {
		return nil, directory.Establishment{}, err
	}
	for _, e := range ests {
		if want == "" || e.ID == want {
			return ests, e, nil
		}
	}
	if want != "" {
		if _, err := a.att.Periods(r.Context(), page.Viewer(r), want); err != nil {
			return nil, directory.Establishment{}, err
		}
	}
	return nil, directory.Establishment{}, errNoSchool
}

// fail answers a page without an establishment "not found", the rest as
// the kit does.
func (a *Area) fail(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, errNoSchool) {
		a.kit.NotFound(w, r)
		return
	}
	a.kit.Fail(w, r, err)
}
