// Package messages is the messaging's pages (/messages): the folders, a
// conversation with its answers and, for its author, who read each
// message; the form of a new message (recipients found among the people
// the rules allow, and groups of a class), saved as a draft by a button
// or, with JavaScript, as one types; "why can't I write to X?"; the
// head's page of the communication rules, retention and elected parent
// representatives; school life's
// queue of reported messages.
package messages

import (
	"embed"
	"html/template"
	"net/http"

	"cartable/internal/access"
	"cartable/internal/messaging"
	"cartable/internal/web/page"
)

//go:embed templates autosave.js
var assets embed.FS

// Area serves the messaging.
type Area struct {
	kit   *page.Kit
	pages *page.Set
	msg   *messaging.Service
}

// New parses the area's templates.
func New(kit *page.Kit, msg *messaging.Service) (*Area, error) {
	pages, err := kit.Parse(assets, template.FuncMap{
		"folderKey": func(f string) string { return "msg.folder." + f },
		"scopeKey":  func(s any) string { return "msg.scope." + toString(s) },
		"catKey":    func(c any) string { return "msg.cat." + toString(c) },
	})
	if err != nil {
		return nil, err
	}
	return &Area{kit: kit, pages: pages, msg: msg}, nil
}

func toString(v any) string {
	switch s := v.(type) {
	case string:
		return s
	case access.CommCategory: // named string types: no String method
		return string(s)
	case access.CommScope:
		return string(s)
	case interface{ String() string }:
		return s.String()
	}
	return ""
}

// Routes mounts the messaging's pages.
func (a *Area) Routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /messages", a.kit.SignedIn(a.folder))
	mux.HandleFunc("GET /messages/new", a.kit.SignedIn(a.compose))
	mux.HandleFunc("POST /messages/new", a.kit.SignedIn(a.composePost))
	mux.HandleFunc("POST /messages/draft", a.kit.SignedIn(a.autosave))
	mux.HandleFunc("GET /messages/autosave.js", a.script)
	mux.HandleFunc("GET /messages/c/{id}", a.kit.SignedIn(a.conversation))
	mux.HandleFunc("POST /messages/c/{id}/reply", a.kit.SignedIn(a.reply))
	mux.HandleFunc("POST /messages/c/{id}/move", a.kit.SignedIn(a.move))
	mux.HandleFunc("POST /messages/c/{id}/close", a.kit.SignedIn(a.closeConversation))
	mux.HandleFunc("GET /messages/preferences", a.kit.SignedIn(a.prefs))
	mux.HandleFunc("POST /messages/preferences", a.kit.SignedIn(a.savePrefs))
	mux.HandleFunc("POST /messages/c/{id}/report", a.kit.SignedIn(a.report))
	mux.HandleFunc("GET /messages/c/{id}/files/{file}", a.kit.SignedIn(a.download))
	mux.HandleFunc("GET /messages/why", a.kit.SignedIn(a.why))
	mux.HandleFunc("GET /messages/rules", a.kit.SignedIn(a.rules))
	mux.HandleFunc("POST /messages/rules", a.kit.SignedIn(a.saveRules))
	mux.HandleFunc("POST /messages/rules/reps", a.kit.SignedIn(a.addRep))
	mux.HandleFunc("POST /messages/rules/reps/{id}/remove", a.kit.SignedIn(a.removeRep))
	mux.HandleFunc("GET /messages/reports", a.kit.SignedIn(a.reports))
	mux.HandleFunc("POST /messages/reports/{id}/close", a.kit.SignedIn(a.closeReport))
}

func (a *Area) script(w http.ResponseWriter, r *http.Request) {
	b, _ := assets.ReadFile("autosave.js")
	w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	w.Write(b)
}
