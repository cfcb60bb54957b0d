package news

import (
	"bytes"
	"errors"
	"net/http"
	"net/url"

	"cartable/internal/check"
	"cartable/internal/files"
	"cartable/internal/news"
	"cartable/internal/web/page"
)

// saved is the confirmation asked for by ?saved=, one the pages know, or
// none (the message key is built from it).
func saved(r *http.Request) string {
	switch s := r.URL.Query().Get("saved"); s {
	case "published", "draft", "acked", "reminded", "already", "answered", "edited", "askedagain", "withdrawn", "deleted", "confirm", "notagain":
		return s
	}
	return ""
}

type listData struct {
	Saved   string
	Mine    []news.Received
	Written []news.Item
	Writer  bool // may publish to some audience
}

// list: the news addressed to the viewer; for those who write, theirs.
func (a *Area) list(w http.ResponseWriter, r *http.Request) {
	ctx, v := r.Context(), page.Viewer(r)
	d := listData{Saved: saved(r)}
	var err error
	if d.Mine, err = a.news.Mine(ctx, v, 100); err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	if v.Profile == "teacher" || v.Profile == "staff" {
		opts, err := a.news.Options(ctx, v)
		if err == nil {
			d.Writer = len(opts.Establishments)+len(opts.Structures) > 0
			d.Written, err = a.news.Written(ctx, v, 100)
		}
		if err != nil {
			a.kit.Fail(w, r, err)
			return
		}
	}
	a.pages.Render(w, r, http.StatusOK, "list", "news.title", d)
}

type composeData struct {
	Options  news.Audience
	In       news.Input
	Checked  map[string]bool
	Problems []string
	Bad      map[string]bool
	Profiles []string
	Fns      []string
	MaxTitle int
	MaxBody  int
	MaxFiles int
	Accepted string
}

func (a *Area) compose(w http.ResponseWriter, r *http.Request) {
	a.showCompose(w, r, http.StatusOK, composeData{In: news.Input{ClassFamilies: true}, Checked: map[string]bool{}})
}

func (a *Area) showCompose(w http.ResponseWriter, r *http.Request, status int, d composeData) {
	var err error
	if d.Options, err = a.news.Options(r.Context(), page.Viewer(r)); err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	if len(d.Options.Establishments)+len(d.Options.Structures) == 0 {
		a.kit.NotFound(w, r) // students and relatives publish nothing
		return
	}
	d.Profiles, d.Fns, d.MaxTitle, d.MaxBody = news.Profiles, news.Functions, news.MaxTitle, news.MaxBody
	d.MaxFiles, d.Accepted = news.MaxAttachments, files.AcceptedExtensions
	a.pages.Render(w, r, status, "compose", "news.new", d)
}

// create saves the news, published or as a draft; problems show the form
// again as typed.
func (a *Area) create(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	f := r.PostForm
	in := news.Input{Establishment: f.Get("establishment"), Title: f.Get("title"), Body: f.Get("body"), Targets: f["targets"],
		ClassStudents: f.Get("students") != "", ClassFamilies: f.Get("families") != "", From: f.Get("from"), Until: f.Get("until"),
		AckRequired: f.Get("ack") != "", AckBy: f.Get("ackby"), Publish: f.Get("action") != "draft"}
	var done func()
	in.Attachments, done = uploads(r)
	defer done()
	id, err := a.news.Create(r.Context(), page.Viewer(r), in)
	var ps check.Problems
	switch {
	case errors.As(err, &ps):
		d := composeData{In: in, Checked: map[string]bool{}, Problems: page.ProblemText(page.Lang(r), "news", ps), Bad: ps.Fields()}
		for _, t := range in.Targets {
			d.Checked[t] = true
		}
		a.showCompose(w, r, http.StatusUnprocessableEntity, d)
		return
	case err != nil:
		a.kit.Fail(w, r, err)
		return
	}
	saved := "published"
	if !in.Publish {
		saved = "draft"
	}
	http.Redirect(w, r, "/news/"+url.PathEscape(id)+"?saved="+saved, http.StatusSeeOther)
}

type showData struct {
	View  news.View
	Saved string
	Mine  bool // the viewer wrote it: they may edit it
}

// PageTitle is the news's title.
func (d showData) PageTitle(string) string {
	if d.View.Author != nil {
		return d.View.Author.Title
	}
	return d.View.Reader.Title
}

func (a *Area) show(w http.ResponseWriter, r *http.Request) {
	v, err := a.news.View(r.Context(), page.Viewer(r), r.PathValue("id"))
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	d := showData{View: v, Saved: saved(r)}
	d.Mine = v.Author != nil && v.Author.AuthorID == page.Viewer(r).ID
	a.pages.Render(w, r, http.StatusOK, "show", "news.title", d)
}

func (a *Area) back(w http.ResponseWriter, r *http.Request, saved string) {
	http.Redirect(w, r, "/news/"+url.PathEscape(r.PathValue("id"))+"?saved="+saved, http.StatusSeeOther)
}

func (a *Area) ack(w http.ResponseWriter, r *http.Request) {
	if _, err := a.news.Acknowledge(r.Context(), page.Viewer(r), r.PathValue("id")); err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	a.back(w, r, "acked")
}

func (a *Area) publish(w http.ResponseWriter, r *http.Request) {
	if _, err := a.news.Publish(r.Context(), page.Viewer(r), r.PathValue("id")); err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	a.back(w, r, "published")
}

func (a *Area) remind(w http.ResponseWriter, r *http.Request) {
	_, err := a.news.Remind(r.Context(), page.Viewer(r), r.PathValue("id"))
	if errors.Is(err, news.ErrRemindedToday) {
		a.back(w, r, "already")
		return
	}
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	a.back(w, r, "reminded")
}

func (a *Area) export(w http.ResponseWriter, r *http.Request) {
	var buf bytes.Buffer
	if err := a.news.Export(r.Context(), page.Viewer(r), r.PathValue("id"), &buf); err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="accuses-de-lecture.csv"`)
	w.Header().Set("Cache-Control", "no-store")
	w.Write(buf.Bytes())
}
