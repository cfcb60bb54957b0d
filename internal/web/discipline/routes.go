// Package discipline is the pages of punishments, sanctions and incidents:
// a student's record (the family's view for the student and their
// relatives, the staff's for teachers and school life), the punishment
// form (give, edit, cancel), the sanction form and the revocation of a
// suspension (the head), incidents (school life), the desk of school life
// or the teacher's list of punishments given, and the history of changes
// (the head and the CPE).
package discipline

import (
	"embed"
	"errors"
	"html/template"
	"net/http"

	"cartable/internal/check"
	"cartable/internal/discipline"
	"cartable/internal/timetable"
	"cartable/internal/web/page"
)

//go:embed templates
var templates embed.FS

// Area serves the discipline pages.
type Area struct {
	kit   *page.Kit
	pages *page.Set
	svc   *discipline.Service
}

// New parses the area's templates.
func New(kit *page.Kit, svc *discipline.Service) (*Area, error) {
	pages, err := kit.Parse(templates, template.FuncMap{
		"hhmm": timetable.HHMM,
		"has":  func(m map[string]bool, k string) bool { return m[k] },
		"strs": func(s ...string) []string { return s },
		"val":  value,
	})
	if err != nil {
		return nil, err
	}
	return &Area{kit: kit, pages: pages, svc: svc}, nil
}

// Routes mounts the discipline pages.
func (a *Area) Routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /discipline", a.kit.SignedIn(a.desk))
	mux.HandleFunc("GET /discipline/students/{id}", a.kit.SignedIn(a.record))
	mux.HandleFunc("GET /discipline/punish", a.kit.SignedIn(a.newPunishment))
	mux.HandleFunc("POST /discipline/punish", a.kit.SignedIn(a.give))
	mux.HandleFunc("GET /discipline/punishments/{id}", a.kit.SignedIn(a.punishment))
	mux.HandleFunc("POST /discipline/punishments/{id}", a.kit.SignedIn(a.edit))
	mux.HandleFunc("POST /discipline/punishments/{id}/cancel", a.kit.SignedIn(a.cancel))
	mux.HandleFunc("GET /discipline/sanction", a.kit.SignedIn(a.newSanction))
	mux.HandleFunc("POST /discipline/sanction", a.kit.SignedIn(a.decide))
	mux.HandleFunc("POST /discipline/sanctions/{id}/revoke", a.kit.SignedIn(a.revoke))
	mux.HandleFunc("GET /discipline/incidents/new", a.kit.SignedIn(a.newIncident))
	mux.HandleFunc("POST /discipline/incidents", a.kit.SignedIn(a.recordIncident))
	mux.HandleFunc("GET /discipline/incidents/{id}", a.kit.SignedIn(a.incident))
	mux.HandleFunc("POST /discipline/incidents/{id}", a.kit.SignedIn(a.editIncident))
	mux.HandleFunc("GET /discipline/history", a.kit.SignedIn(a.history))
	mux.HandleFunc("GET /discipline/export.csv", a.kit.SignedIn(a.export))
}

// problems is a form's faults for its page: the messages, and the fields
// to mark. A refusal among them (a forged value) is audited.
type problems struct {
	Messages []string
	Bad      map[string]bool
}

// asProblems reads the problems of err, auditing the refusals a rejected
// form carries; ok is false for any other error.
func (a *Area) asProblems(r *http.Request, err error) (problems, bool) {
	var rejected *discipline.Rejected
	if errors.As(err, &rejected) {
		for _, d := range rejected.Refusals {
			a.kit.AuditRefusal(r, d.Resource)
		}
	}
	ps, ok := check.As(err)
	if !ok {
		return problems{}, false
	}
	return problems{Messages: page.ProblemText(page.Lang(r), "dis", ps), Bad: ps.Fields()}, true
}
