// Package results is the pages of what students, relatives and teachers
// read of marks: a student's results by subject and period (a relative
// chooses the child), a subject's detail with the what-if simulation
// (recomputed on the server, never stored), the explanation of each
// average and the rules, the CSV exports, the new-mark notices switch and
// a teaching's table of students × evaluations for its teachers.
package results

import (
	"embed"
	"html/template"
	"net/http"
	"net/url"
	"strconv"

	"cartable/internal/averages"
	"cartable/internal/grades"
	"cartable/internal/web/page"
)

//go:embed templates
var templates embed.FS

// Area serves the results pages.
type Area struct {
	kit   *page.Kit
	pages *page.Set
	svc   *grades.Service
}

// New parses the area's templates.
func New(kit *page.Kit, svc *grades.Service) (*Area, error) {
	pages, err := kit.Parse(templates, template.FuncMap{
		"num": averages.Number,
		"avg": func(lang string, r averages.Result) string { return r.Format(lang) },
		"mark": func(lang string, marked bool, v float64, c averages.Code) string {
			if !marked {
				return "—"
			}
			return grades.MarkText(lang, marked, v, c)
		},
		"stat": func(lang string, show bool, s grades.Stats, x float64) string {
			if !show || s.Count == 0 {
				return "—"
			}
			return averages.Number(lang, x)
		},
		"rows":     evalRows,
		"sections": subjectSections,
		"stats":    stats,
		"explain":  func(lang string, r averages.Result) []string { return r.Explain(lang) },
		"qs":       url.QueryEscape,
		"has":      func(m map[string]bool, k string) bool { return m[k] },
		"list3":    func(a, b, c any) []any { return []any{a, b, c} },
		"field":    func(prefix string, i int) string { return prefix + "-" + strconv.Itoa(i+1) },
		"val":      func(m map[string]string, k string) string { return m[k] },
	})
	if err != nil {
		return nil, err
	}
	return &Area{kit: kit, pages: pages, svc: svc}, nil
}

// Routes mounts the results pages.
func (a *Area) Routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /grades", a.kit.SignedIn(a.overview))
	mux.HandleFunc("GET /grades/subject/{subject}", a.kit.SignedIn(a.subject))
	mux.HandleFunc("POST /grades/simulate", a.kit.SignedIn(a.simulate))
	mux.HandleFunc("GET /grades/explain", a.kit.SignedIn(a.explain))
	mux.HandleFunc("GET /grades/rules", a.kit.SignedIn(a.rules))
	mux.HandleFunc("GET /grades/export.csv", a.kit.SignedIn(a.exportStudent))
	mux.HandleFunc("POST /grades/notices", a.kit.SignedIn(a.notices))
	mux.HandleFunc("GET /grades/teaching/{kind}/{id}/{subject}", a.kit.SignedIn(a.teaching))
	mux.HandleFunc("GET /grades/teaching/{kind}/{id}/{subject}/export.csv", a.kit.SignedIn(a.exportTeaching))
}
