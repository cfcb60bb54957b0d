// Package schoollife is school life's pages (vie scolaire): the CPE's
// desk (the day of the whole establishment, filtered, a day at a time),
// the student's school-life record as each reader sees it, the forms of
// school life (absences over time, exemptions, collective absences, the
// establishment's settings and reasons) and the history of changes.
package schoollife

import (
	"embed"
	"html/template"
	"net/http"
	"strconv"

	"cartable/internal/attendance"
	"cartable/internal/check"
	"cartable/internal/i18n"
	"cartable/internal/timetable"
	"cartable/internal/web/page"
)

//go:embed templates
var templates embed.FS

// Area serves school life's pages.
type Area struct {
	kit   *page.Kit
	pages *page.Set
	att   *attendance.Service
}

// New parses the area's templates.
func New(kit *page.Kit, att *attendance.Service) (*Area, error) {
	pages, err := kit.Parse(templates, template.FuncMap{
		"clock": func(min int) string { return timetable.HHMM(min) },
		"dec":   func(i int) int { return i - 1 },
		// hfield names a field of the history, as itself when the catalog
		// does not know it (another part's field).
		"hfield": func(lang, f string) string {
			k := "desk.hfield." + f
			if s := i18n.T(lang, k); s != k {
				return s
			}
			return f
		},
		// hvalue shows a value of the history: a state by its name.
		"hvalue": func(lang, field, v string) string {
			if field == "state" && v != "" {
				k := "desk.state." + v
				if s := i18n.T(lang, k); s != k {
					return s
				}
			}
			return v
		},
		"has": func(xs []int, x int) bool {
			for _, y := range xs {
				if y == x {
					return true
				}
			}
			return false
		},
		"hasstr": func(xs []string, x int) bool {
			s := strconv.Itoa(x)
			for _, y := range xs {
				if y == s {
					return true
				}
			}
			return false
		},
	})
	if err != nil {
		return nil, err
	}
	return &Area{kit: kit, pages: pages, att: att}, nil
}

// Routes mounts school life's pages.
func (a *Area) Routes(mux *http.ServeMux) {
	s := a.kit.SignedIn
	mux.HandleFunc("GET /school-life", s(a.desk))
	mux.HandleFunc("GET /school-life/students/{id}", s(a.record))
	mux.HandleFunc("GET /school-life/students/{id}/history", s(a.studentHistory))
	mux.HandleFunc("GET /school-life/students/{id}/absences/new", s(a.newAbsence))
	mux.HandleFunc("POST /school-life/students/{id}/absences", s(a.createAbsence))
	mux.HandleFunc("GET /school-life/absences/{id}", s(a.editAbsence))
	mux.HandleFunc("POST /school-life/absences/{id}", s(a.updateAbsence))
	mux.HandleFunc("POST /school-life/absences/{id}/delete", s(a.deleteAbsence))
	mux.HandleFunc("GET /school-life/students/{id}/exemptions/new", s(a.newExemption))
	mux.HandleFunc("POST /school-life/students/{id}/exemptions", s(a.createExemption))
	mux.HandleFunc("POST /school-life/exemptions/{id}/delete", s(a.deleteExemption))
	mux.HandleFunc("GET /school-life/collective", s(a.collective))
	mux.HandleFunc("POST /school-life/collective", s(a.createCollective))
	mux.HandleFunc("POST /school-life/collective/{id}/delete", s(a.deleteCollective))
	mux.HandleFunc("GET /school-life/settings", s(a.settings))
	mux.HandleFunc("POST /school-life/settings", s(a.saveSettings))
	mux.HandleFunc("POST /school-life/reasons", s(a.saveReason))
	mux.HandleFunc("POST /school-life/reasons/{id}", s(a.saveReason))
	mux.HandleFunc("GET /school-life/history", s(a.history))
}

// problems is a form's faults as the page shows them: the messages, each
// saying where, and the fields to mark.
type problems struct {
	Messages []string
	Bad      map[string]bool
}

func problemsOf(r *http.Request, ps check.Problems) problems {
	return problems{Messages: page.ProblemText(page.Lang(r), "desk", ps), Bad: ps.Fields()}
}

// formProblems tells whether err is a form's problems (and gives them).
func formProblems(err error) (check.Problems, bool) {
	ps, ok := check.As(err)
	return ps, ok && len(ps) > 0
}
