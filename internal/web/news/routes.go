// Package news is the news pages: the news addressed to the viewer
// (awaiting acknowledgement first), the form of a news item for an
// audience (kept as a draft or published), a news item as its recipient
// reads it (with "J'ai pris connaissance" when asked) or as its author
// follows it (who has read, who has acknowledged, a reminder, a CSV
// export), surveys (the form, answering, the results), and the to-do list
// that gathers what awaits the viewer's action.
package news

import (
	"embed"
	"html/template"
	"net/http"
	"strconv"
	"strings"

	"cartable/internal/liaison"
	"cartable/internal/news"
	"cartable/internal/web/page"
)

//go:embed templates
var templates embed.FS

// Area serves the news and the to-do list.
type Area struct {
	kit   *page.Kit
	pages *page.Set
	news  *news.Service
	notes *liaison.Service // correspondence notes to sign, for the to-do list
}

// New parses the area's templates.
func New(kit *page.Kit, svc *news.Service, notes *liaison.Service) (*Area, error) {
	pages, err := kit.Parse(templates, template.FuncMap{
		"lines": func(s string) []string { return strings.Split(s, "\n") },
		"sub":   func(a, b int) int { return a - b },
		// kb shows a file's size in kilobytes, at least 1.
		"kb": func(n int64) string { return strconv.FormatInt(max((n+1023)/1024, 1), 10) + " ko" },
		"pct": func(n, of int) int {
			if of == 0 {
				return 0
			}
			return n * 100 / of
		},
	})
	if err != nil {
		return nil, err
	}
	return &Area{kit: kit, pages: pages, news: svc, notes: notes}, nil
}

// Routes mounts the pages.
func (a *Area) Routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /news", a.kit.SignedIn(a.list))
	mux.HandleFunc("GET /news/new", a.kit.SignedIn(a.compose))
	mux.HandleFunc("POST /news", a.kit.SignedIn(a.create))
	mux.HandleFunc("GET /news/{id}", a.kit.SignedIn(a.show))
	mux.HandleFunc("POST /news/{id}/ack", a.kit.SignedIn(a.ack))
	mux.HandleFunc("POST /news/{id}/publish", a.kit.SignedIn(a.publish))
	mux.HandleFunc("POST /news/{id}/remind", a.kit.SignedIn(a.remind))
	mux.HandleFunc("GET /news/{id}/export.csv", a.kit.SignedIn(a.export))
	mux.HandleFunc("GET /news/{id}/edit", a.kit.SignedIn(a.edit))
	mux.HandleFunc("POST /news/{id}/edit", a.kit.SignedIn(a.change))
	mux.HandleFunc("POST /news/{id}/withdraw", a.kit.SignedIn(a.withdraw))
	mux.HandleFunc("GET /news/{id}/files/{file}", a.kit.SignedIn(a.download))
	mux.HandleFunc("GET /todo", a.kit.SignedIn(a.todo))
	mux.HandleFunc("GET /surveys", a.kit.SignedIn(a.surveys))
	mux.HandleFunc("GET /surveys/new", a.kit.SignedIn(a.newSurvey))
	mux.HandleFunc("POST /surveys", a.kit.SignedIn(a.createSurvey))
	mux.HandleFunc("GET /surveys/{id}", a.kit.SignedIn(a.showSurvey))
	mux.HandleFunc("POST /surveys/{id}/answer", a.kit.SignedIn(a.answer))
	mux.HandleFunc("POST /surveys/{id}/publish", a.kit.SignedIn(a.publishSurvey))
	mux.HandleFunc("POST /surveys/{id}/remind", a.kit.SignedIn(a.remindSurvey))
}
