// Package notices is the page of one's notifications: what the outbox
// (internal/notify) addressed to the viewer — a child marked absent, a
// note to sign, a justification reviewed — written in the viewer's
// language from the notice's kind and arguments, newest first.
package notices

import (
	"embed"
	"net/http"
	"time"

	"cartable/internal/db"
	"cartable/internal/i18n"
	"cartable/internal/notify"
	"cartable/internal/web/page"
)

//go:embed templates
var templates embed.FS

// Area serves the notifications page.
type Area struct {
	kit   *page.Kit
	pages *page.Set
	db    *db.DB
}

// New parses the area's templates.
func New(kit *page.Kit, d *db.DB) (*Area, error) {
	pages, err := kit.Parse(templates, nil)
	if err != nil {
		return nil, err
	}
	return &Area{kit: kit, pages: pages, db: d}, nil
}

// Routes mounts the page and its "mark all read" form.
func (a *Area) Routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /notifications", a.kit.SignedIn(a.list))
	mux.HandleFunc("POST /notifications/read", a.kit.SignedIn(a.markRead))
}

// Notice is a notification as the page shows it.
type Notice struct {
	Text string
	Link string
	At   time.Time
	Read bool
}

type listData struct {
	Notices []Notice
	Unread  int
}

func (listData) PageTitle(lang string) string { return i18n.T(lang, "notices.title") }

// shown is how many notices the page lists.
const shown = 50

func (a *Area) list(w http.ResponseWriter, r *http.Request) {
	v := page.Viewer(r)
	items, err := notify.Mine(r.Context(), v, a.db, shown)
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	lang := page.Lang(r)
	data := listData{Notices: make([]Notice, len(items))}
	for i, it := range items {
		data.Notices[i] = Notice{Text: page.NoticeText(lang, it.Kind, it.Args), Link: page.LocalPath(it.Link, ""), At: it.CreatedAt, Read: it.Read}
		if !it.Read {
			data.Unread++
		}
	}
	a.pages.Render(w, r, http.StatusOK, "list", "notices.title", data)
}

func (a *Area) markRead(w http.ResponseWriter, r *http.Request) {
	if err := notify.MarkAllRead(r.Context(), page.Viewer(r), a.db); err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/notifications", http.StatusSeeOther)
}
