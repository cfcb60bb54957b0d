package news

import (
	"errors"
	"mime"
	"net/http"
	"net/url"
	"strconv"

	"cartable/internal/check"
	"cartable/internal/files"
	"cartable/internal/i18n"
	"cartable/internal/news"
	"cartable/internal/web/page"
)

// uploads opens the files of the form's "attachments" input; the caller
// closes them.
func uploads(r *http.Request) ([]news.Upload, func()) { return page.Uploads(r, "attachments") }

type editData struct {
	News     news.News
	In       news.Edit
	Removed  map[string]bool
	Problems []string
	Bad      map[string]bool
	MaxTitle int
	MaxBody  int
	MaxFiles int
	Accepted string
}

// PageTitle names the news being edited, apart from the news's own page.
func (d editData) PageTitle(lang string) string {
	return i18n.T(lang, "news.edit.pagetitle", d.News.Title)
}

// edit shows the form of a news item as it stands, for its author.
func (a *Area) edit(w http.ResponseWriter, r *http.Request) {
	n, in, err := a.news.EditOf(r.Context(), page.Viewer(r), r.PathValue("id"))
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	a.showEdit(w, r, http.StatusOK, editData{News: n, In: in, Removed: map[string]bool{}})
}

func (a *Area) showEdit(w http.ResponseWriter, r *http.Request, status int, d editData) {
	d.MaxTitle, d.MaxBody, d.MaxFiles, d.Accepted = news.MaxTitle, news.MaxBody, news.MaxAttachments, files.AcceptedExtensions
	a.pages.Render(w, r, status, "edit", "news.edit.title", d)
}

// change saves an edit; problems show the form again as typed (the files
// chosen are to be chosen again: a browser never refills a file input).
func (a *Area) change(w http.ResponseWriter, r *http.Request) {
	ctx, v, id := r.Context(), page.Viewer(r), r.PathValue("id")
	_ = r.ParseForm() // read already by the form token's check
	f := r.PostForm
	in := news.Edit{Title: f.Get("title"), Body: f.Get("body"), From: f.Get("from"), Until: f.Get("until"),
		AckRequired: f.Get("ack") != "", AckBy: f.Get("ackby"), AskAgain: f.Get("askagain") != "", Remove: f["remove"]}
	var done func()
	in.Attachments, done = uploads(r)
	defer done()
	err := a.news.Change(ctx, v, id, in)
	if ps, ok := check.As(err); ok {
		n, _, err := a.news.EditOf(ctx, v, id)
		if err != nil {
			a.kit.Fail(w, r, err)
			return
		}
		d := editData{News: n, In: in, Removed: map[string]bool{}, Problems: page.ProblemText(page.Lang(r), "news", ps), Bad: ps.Fields()}
		for _, x := range in.Remove {
			d.Removed[x] = true
		}
		a.showEdit(w, r, http.StatusUnprocessableEntity, d)
		return
	}
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	saved := "edited"
	if in.AskAgain {
		saved = "askedagain"
	}
	a.back(w, r, saved)
}

// withdraw takes a published news away from its recipients (a draft is
// deleted); the box "I confirm" must be ticked.
func (a *Area) withdraw(w http.ResponseWriter, r *http.Request) {
	deleted, err := a.news.Withdraw(r.Context(), page.Viewer(r), r.PathValue("id"), r.PostFormValue("confirm") != "")
	if _, ok := check.As(err); ok {
		a.back(w, r, "confirm")
		return
	}
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	if deleted {
		http.Redirect(w, r, "/news?saved=deleted", http.StatusSeeOther)
		return
	}
	a.back(w, r, "withdrawn")
}

// download serves a news item's attachment to whoever reads the news, as
// the file download does: an attachment, in a sandbox, never rendered as
// a page of the site.
func (a *Area) download(w http.ResponseWriter, r *http.Request) {
	f, data, err := a.news.File(r.Context(), page.Viewer(r), r.PathValue("id"), r.PathValue("file"))
	if errors.Is(err, files.ErrNotFound) { // a storage away answers 503 (kit.Fail)
		a.kit.NotFound(w, r)
		return
	}
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", f.ContentType)
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": f.Name}))
	h.Set("Content-Security-Policy", "sandbox; default-src 'none'")
	h.Set("Cache-Control", "private, no-store")
	h.Set("Content-Length", strconv.Itoa(len(data)))
	w.Write(data)
}

// remindSurvey reminds those who have not answered, once a day.
func (a *Area) remindSurvey(w http.ResponseWriter, r *http.Request) {
	saved := "reminded"
	_, err := a.news.RemindSurvey(r.Context(), page.Viewer(r), r.PathValue("id"))
	if errors.Is(err, news.ErrRemindedToday) {
		saved, err = "notagain", nil
	}
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/surveys/"+url.PathEscape(r.PathValue("id"))+"?saved="+saved, http.StatusSeeOther)
}
