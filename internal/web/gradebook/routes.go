// Package gradebook is the teacher's side of grades: the teachings and
// their evaluations, the evaluation form, the keyboard-friendly entry grid
// (drafts kept as one types, a column pasted from a spreadsheet), subject
// appraisals; and the head's grading administration: settings, periods'
// calendar, subject coefficients, the history of changes.
//
// Entering marks needs a session that passed a second factor: a page
// refused for that alone sends its reader to the step-up and back; a
// refused form keeps what was typed and links to it.
package gradebook

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
	"cartable/internal/timetable"
	"cartable/internal/web/page"
)

//go:embed templates static
var files embed.FS

// Area serves the gradebook pages.
type Area struct {
	kit   *page.Kit
	pages *page.Set
	svc   *grades.Service
}

// New parses the area's templates.
func New(kit *page.Kit, svc *grades.Service) (*Area, error) {
	pages, err := kit.Parse(files, template.FuncMap{
		"x100": grades.FormatX100,
		"has":  func(m map[string]bool, k string) bool { return m[k] },
		"codes": func() []string {
			out := make([]string, len(averages.Codes))
			for i, c := range averages.Codes {
				out[i] = string(c)
			}
			return out
		},
		"runes": func(s string) int { return len([]rune(s)) },
		"strs":  func(s ...string) []string { return s },
		"period": func(lang string, p grades.Period) string {
			return i18n.T(lang, "gb.period."+p.Kind, p.Number)
		},
	})
	if err != nil {
		return nil, err
	}
	return &Area{kit: kit, pages: pages, svc: svc}, nil
}

// Routes mounts the gradebook pages.
func (a *Area) Routes(mux *http.ServeMux) {
	s := a.kit.SignedIn
	mux.HandleFunc("GET /gradebook", s(a.index))
	mux.HandleFunc("GET /gradebook/grid.js", a.script)
	for _, kind := range []string{"class", "group"} {
		base := "/gradebook/" + kind + "/{id}/{subject}"
		mux.HandleFunc("GET "+base, s(a.teaching))
		mux.HandleFunc("GET "+base+"/appraisals", s(a.appraisals))
		mux.HandleFunc("POST "+base+"/appraisals", s(a.saveAppraisals))
	}
	mux.HandleFunc("GET /gradebook/new", s(a.newEvaluation))
	mux.HandleFunc("POST /gradebook/new", s(a.createEvaluation))
	mux.HandleFunc("GET /gradebook/evaluations/{id}", s(a.grid))
	mux.HandleFunc("POST /gradebook/evaluations/{id}/marks", s(a.saveMarks))
	mux.HandleFunc("POST /gradebook/evaluations/{id}/draft", s(a.saveDraft))
	mux.HandleFunc("GET /gradebook/evaluations/{id}/edit", s(a.editEvaluation))
	mux.HandleFunc("POST /gradebook/evaluations/{id}/edit", s(a.updateEvaluation))
	mux.HandleFunc("POST /gradebook/evaluations/{id}/delete", s(a.deleteEvaluation))
	mux.HandleFunc("GET /gradebook/settings", s(a.settings))
	mux.HandleFunc("POST /gradebook/settings", s(a.saveSettings))
	mux.HandleFunc("GET /gradebook/periods", s(a.periods))
	mux.HandleFunc("POST /gradebook/periods/{id}", s(a.savePeriod))
	mux.HandleFunc("GET /gradebook/coefficients", s(a.coefficients))
	mux.HandleFunc("POST /gradebook/coefficients", s(a.saveCoefficient))
	mux.HandleFunc("POST /gradebook/sub-subjects", s(a.saveSubSubject))
	mux.HandleFunc("GET /gradebook/history", s(a.history))
}

// script is the grid's progressive enhancement (Enter moves down, drafts
// kept as one types); the page works without it.
func (a *Area) script(w http.ResponseWriter, r *http.Request) {
	b, err := files.ReadFile("static/grid.js")
	if err != nil {
		a.kit.ServerError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	w.Write(b)
}

// stepUp is the address of the second factor's page, coming back to next.
func stepUp(next string) string {
	return "/sign-in/second-factor?next=" + url.QueryEscape(next)
}

// fail answers a domain's error on a page read: a refusal for want of a
// second factor sends the reader to the step-up and back here.
func (a *Area) fail(w http.ResponseWriter, r *http.Request, err error) {
	if access.IsSecondFactorRefusal(err) && r.Method == http.MethodGet {
		http.Redirect(w, r, stepUp(r.URL.RequestURI()), http.StatusSeeOther)
		return
	}
	a.kit.Fail(w, r, err)
}

// Typed is one value a refused form held, shown back to its author.
type Typed struct{ Label, Value string }

type stepUpData struct {
	Back  string // the page to come back to after the step-up
	Link  string
	Typed []Typed
	Draft bool // the typed marks were kept as a draft
}

// refusedForm answers a form refused for want of a second factor: nothing
// typed is lost (shown back, or kept as a draft), and the step-up is
// offered with the way back. Any other error goes to kit.Fail.
func (a *Area) refusedForm(w http.ResponseWriter, r *http.Request, err error, back string, typed []Typed, draft bool) {
	if !access.IsSecondFactorRefusal(err) {
		a.kit.Fail(w, r, err)
		return
	}
	a.pages.Render(w, r, http.StatusForbidden, "stepup", "gb.stepup.title",
		stepUpData{Back: back, Link: stepUp(back), Typed: typed, Draft: draft})
}

// problems is a form's faults for its page: the messages, and the fields
// (or rows) to mark.
type problems struct {
	Messages []string
	Bad      map[string]bool
}

// formProblems translates the problems of err with the gb catalog; ok is
// false for any other error.
func formProblems(r *http.Request, err error) (problems, bool) {
	ps, ok := check.As(err)
	if !ok {
		return problems{}, false
	}
	lang := page.Lang(r)
	return problems{Messages: page.ProblemText(lang, "gb", readableDays(lang, ps)), Bad: ps.Fields()}, true
}

// readableDays writes the days the problems quote ("locked since…") as
// the reader reads them.
func readableDays(lang string, ps check.Problems) check.Problems {
	out := make(check.Problems, len(ps))
	for i, p := range ps {
		switch p.Code {
		case "locked", "outside-period", "before-period", "reopen-before-deadline":
			if d, err := timetable.ParseDate(p.Value); err == nil {
				p.Value = i18n.Date(lang, d)
			}
		}
		out[i] = p
	}
	return out
}

// rowProblems translates the problems of a grid or appraisal form, each
// naming its row by the student's name; problems on other fields (the
// period) are translated as a form's.
func rowProblems(lang string, ps check.Problems, names map[string]string, scaleX100 int) problems {
	out := problems{Bad: ps.Fields()}
	for _, p := range ps {
		name, ok := names[p.Field]
		if !ok {
			out.Messages = append(out.Messages, page.ProblemText(lang, "gb", readableDays(lang, check.Problems{p}))...)
			continue
		}
		var msg string
		switch p.Code {
		case "appraisal-long":
			msg = i18n.T(lang, "gb.appraisal.long."+i18n.Form(lang, p.N), p.N, grades.MaxAppraisal)
		case "changed-meanwhile":
			now := p.Value
			if now == "" {
				now = i18n.T(lang, "gb.changed.none")
			} else if n, ok := grades.ParseX100(now); ok {
				now = grades.FormatX100(lang, n)
			}
			msg = i18n.T(lang, "gb.changed.meanwhile", now)
		case "appraisal-changed-meanwhile":
			now := p.Value
			if now == "" {
				now = i18n.T(lang, "gb.changed.none")
			}
			msg = i18n.T(lang, "gb.changed.appraisal", now)
		default:
			msg = (&averages.InputError{Kind: p.Code, Input: p.Value, Scale: float64(scaleX100) / 100}).Message(lang)
		}
		out.Messages = append(out.Messages, i18n.T(lang, "gb.problem.row", name, msg))
	}
	return out
}

// teachingOf reads the teaching named by the request's path.
func teachingOf(r *http.Request) (access.Resource, bool) {
	kind := strings.Split(strings.TrimPrefix(r.URL.Path, "/gradebook/"), "/")[0]
	return grades.TeachingOf(kind, r.PathValue("id"), r.PathValue("subject"))
}

// notFound answers a malformed address like a missing page.
func (a *Area) notFound(w http.ResponseWriter, r *http.Request) { a.kit.NotFound(w, r) }
