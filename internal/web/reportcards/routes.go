// Package reportcards is the pages of report cards: the list per role
// (a family's published cards, the classes a head teacher, the CPE or the
// head reads), the class council's page of a class and period (its form,
// publication, the class's PDF and the national record export), one card
// in HTML and its frozen PDF, and the head's correction.
package reportcards

import (
	"embed"
	"fmt"
	"html/template"
	"net/http"
	"strings"

	"cartable/internal/check"
	"cartable/internal/grades"
	"cartable/internal/i18n"
	"cartable/internal/web/page"
)

//go:embed templates
var templates embed.FS

// Area serves the report card pages.
type Area struct {
	kit   *page.Kit
	pages *page.Set
	svc   *grades.Service
}

// New parses the area's templates.
func New(kit *page.Kit, svc *grades.Service) (*Area, error) {
	pages, err := kit.Parse(templates, template.FuncMap{
		"mention": grades.MentionLabel,
	})
	if err != nil {
		return nil, err
	}
	return &Area{kit: kit, pages: pages, svc: svc}, nil
}

// Routes mounts the pages. A ".pdf" or ".xml" ending on the last segment
// asks for the file rather than the page (a pattern's wildcard is a whole
// segment).
func (a *Area) Routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /report-cards", a.kit.SignedIn(a.index))
	mux.HandleFunc("GET /report-cards/class/{class}/{period}", a.kit.SignedIn(a.council))
	mux.HandleFunc("POST /report-cards/class/{class}/{period}", a.kit.SignedIn(a.saveCouncil))
	mux.HandleFunc("POST /report-cards/class/{class}/{period}/publish", a.kit.SignedIn(a.publish))
	mux.HandleFunc("GET /report-cards/lsu/{class}/{period}", a.kit.SignedIn(a.lsu))
	mux.HandleFunc("GET /report-cards/{id}", a.kit.SignedIn(a.card))
	mux.HandleFunc("POST /report-cards/{id}/correct", a.kit.SignedIn(a.correct))
}

// messages translates a form's problems; each names its row or field.
func messages(lang string, ps check.Problems) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = i18n.T(lang, "rc.problem."+p.Code, p.Value, p.N)
		if strings.Contains(out[i], "%!") { // a message that quotes less than given
			out[i] = i18n.T(lang, "rc.problem."+p.Code)
		}
	}
	return out
}

func (a *Area) index(w http.ResponseWriter, r *http.Request) {
	idx, err := a.svc.Index(r.Context(), page.Viewer(r))
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	a.pages.Render(w, r, http.StatusOK, "index", "rc.index.title", idx)
}

// file answers a download.
func file(w http.ResponseWriter, kind, name string, body []byte) {
	w.Header().Set("Content-Type", kind)
	w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", name))
	w.Header().Set("Cache-Control", "no-store")
	w.Write(body)
}
