// Package competences is the pages of the socle's competences (collège)
// and of the brevet's continuous assessment: a teacher's desk (their
// teachings, evaluations and items) or the head's (items, classes); the
// items' administration; an evaluation's items and its levels grid; a
// student's levels per subject and component; a class's end-of-cycle
// positioning; the continuous-assessment marks with their steps.
package competences

import (
	"embed"
	"html/template"
	"net/http"
	"net/url"
	"strings"

	"cartable/internal/access"
	"cartable/internal/averages"
	"cartable/internal/check"
	"cartable/internal/grades"
	"cartable/internal/i18n"
	"cartable/internal/web/page"
)

//go:embed templates
var templates embed.FS

// Area serves the competences and brevet pages.
type Area struct {
	kit   *page.Kit
	pages *page.Set
	svc   *grades.Service
}

// New parses the area's templates.
func New(kit *page.Kit, svc *grades.Service) (*Area, error) {
	pages, err := kit.Parse(templates, template.FuncMap{
		"component":  componentLabel,
		"components": func() []grades.Component { return grades.Components },
		"levelname":  levelName,
		"explain":    func(lang string, r averages.LevelResult) []string { return r.Explain(lang) },
		"explainavg": func(lang string, r averages.Result) []string { return r.Explain(lang) },
		"avg":        func(lang string, r averages.Result) string { return r.Format(lang) },
		"num":        averages.Number,
		"has":        func(m map[string]bool, k string) bool { return m[k] },
		"cellname":   func(a, b string) string { return a + "." + b },
	})
	if err != nil {
		return nil, err
	}
	return &Area{kit: kit, pages: pages, svc: svc}, nil
}

// Routes mounts the pages.
func (a *Area) Routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /competences", a.kit.SignedIn(a.desk))
	mux.HandleFunc("GET /competences/items", a.kit.SignedIn(a.items))
	mux.HandleFunc("POST /competences/items", a.kit.SignedIn(a.createItem))
	mux.HandleFunc("POST /competences/items/{id}", a.kit.SignedIn(a.editItem))
	mux.HandleFunc("POST /competences/items/{id}/delete", a.kit.SignedIn(a.deleteItem))
	mux.HandleFunc("GET /competences/evaluations/{id}", a.kit.SignedIn(a.evaluation))
	mux.HandleFunc("POST /competences/evaluations/{id}/items", a.kit.SignedIn(a.chooseItems))
	mux.HandleFunc("POST /competences/evaluations/{id}/levels", a.kit.SignedIn(a.saveLevels))
	mux.HandleFunc("GET /competences/student/{id}", a.kit.SignedIn(a.student))
	mux.HandleFunc("GET /competences/cycle/{class}", a.kit.SignedIn(a.cycle))
	mux.HandleFunc("POST /competences/cycle/{class}", a.kit.SignedIn(a.saveCycle))
	mux.HandleFunc("GET /brevet", a.kit.SignedIn(a.brevet))
	mux.HandleFunc("GET /brevet/class/{id}", a.kit.SignedIn(a.brevetClass))
}

// componentLabel is a component's name in lang, with its code.
func componentLabel(lang string, c grades.Component) string {
	return i18n.T(lang, "cmp.component."+string(c))
}

// levelName names a stored level ("1"…"4", "abs", "disp").
func levelName(lang, v string) string {
	if v == "" {
		return ""
	}
	return i18n.T(lang, "cmp.level."+v)
}

// problems is a form's faults for its page.
type problems struct {
	Messages []string
	Bad      map[string]bool
}

// asProblems reads the problems of err; ok is false for any other error.
func asProblems(r *http.Request, err error, name func(check.Problem) string) (problems, bool) {
	ps, ok := check.As(err)
	if !ok {
		return problems{}, false
	}
	lang := page.Lang(r)
	out := problems{Bad: ps.Fields()}
	for _, p := range ps {
		key := "cmp.problem." + p.Code
		msg := i18n.T(lang, key)
		switch {
		case p.N > 0:
			msg = i18n.N(lang, key, p.N)
		case strings.Contains(msg, "%"):
			msg = i18n.T(lang, key, p.Value)
		}
		where := ""
		if name != nil {
			where = name(p)
		}
		if where == "" {
			where = i18n.T(lang, "cmp.field."+p.Field)
		}
		out.Messages = append(out.Messages, i18n.T(lang, "cmp.problem.at", where, msg))
	}
	return out, true
}

// stepUp sends a session that owes a second factor to it, then back to
// next; ok is false for any other error.
func stepUp(w http.ResponseWriter, r *http.Request, err error, next string) bool {
	if !access.IsSecondFactorRefusal(err) {
		return false
	}
	http.Redirect(w, r, "/sign-in/second-factor?next="+url.QueryEscape(next), http.StatusSeeOther)
	return true
}

// gridCells reads the cells of a grid form: inputs named PREFIX.ROW.COLUMN.
func gridCells(r *http.Request, prefix string) map[string]map[string]string {
	out := map[string]map[string]string{}
	for k, vs := range r.PostForm {
		rest, ok := strings.CutPrefix(k, prefix+".")
		if !ok || len(vs) == 0 {
			continue
		}
		row, col, ok := strings.Cut(rest, ".")
		if !ok {
			continue
		}
		if out[row] == nil {
			out[row] = map[string]string{}
		}
		out[row][col] = vs[0]
	}
	return out
}

func averagesNumber(lang string, x float64) string { return averages.Number(lang, x) }
