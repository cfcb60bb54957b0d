package messages

import (
	"errors"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"cartable/internal/check"
	"cartable/internal/files"
	"cartable/internal/i18n"
	"cartable/internal/messaging"
	"cartable/internal/web/page"
)

type folderData struct {
	Folder  string
	Folders []string
	List    []messaging.Summary
	Drafts  []messaging.Draft
	Page    int
	More    bool
	Unread  int
	Saved   string
	Rules   bool // the viewer may edit the rules of an establishment
}

// folder lists a folder (the inbox by default).
func (a *Area) folder(w http.ResponseWriter, r *http.Request) {
	ctx, v := r.Context(), page.Viewer(r)
	d := folderData{Folder: r.URL.Query().Get("folder"), Folders: messaging.Folders, Saved: r.URL.Query().Get("saved")}
	if d.Folder == "" {
		d.Folder = messaging.Inbox
	}
	d.Page, _ = strconv.Atoi(r.URL.Query().Get("page"))
	if d.Page < 0 {
		d.Page = 0
	}
	var err error
	if d.Folder == messaging.Drafts {
		d.Drafts, err = a.msg.Drafts(ctx, v)
	} else {
		d.List, err = a.msg.Folder(ctx, v, d.Folder, d.Page)
	}
	if _, ok := check.As(err); ok {
		a.kit.NotFound(w, r)
		return
	}
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	d.More = len(d.List) == messaging.PageSize
	if d.Unread, err = a.msg.Unread(ctx, v); err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	d.Rules = len(a.ruledEstablishments(r)) > 0
	a.pages.Render(w, r, http.StatusOK, "folder", "msg.title", d)
}

// ruledEstablishments are the establishments whose rules the viewer edits.
func (a *Area) ruledEstablishments(r *http.Request) []string {
	list, _ := a.msg.RuleEstablishments(r.Context(), page.Viewer(r))
	return list
}

type composeData struct {
	Draft      string
	Subject    string
	Body       string
	Chosen     []messaging.Person
	Groups     []messaging.GroupOption
	Checked    map[string]bool // chosen groups
	Query      string
	Found      []messaging.Person
	Searched   bool
	Problems   []string
	Bad        map[string]bool
	Refused    *messaging.Refused
	Saved      bool
	MaxSubject int
	Student    bool
	MaxPeople  int
}

// compose shows the form: empty, to one person (?to=), or a draft (?draft=).
func (a *Area) compose(w http.ResponseWriter, r *http.Request) {
	ctx, v := r.Context(), page.Viewer(r)
	q := r.URL.Query()
	d := composeData{Checked: map[string]bool{}}
	var to []string
	if id := q.Get("draft"); id != "" {
		dr, err := a.msg.GetDraft(ctx, v, id)
		if err != nil {
			a.kit.Fail(w, r, err)
			return
		}
		if dr.Conversation != "" {
			http.Redirect(w, r, "/messages/c/"+url.PathEscape(dr.Conversation)+"?draft="+url.QueryEscape(dr.ID)+"#reply", http.StatusSeeOther)
			return
		}
		d.Draft, d.Subject, d.Body, to = dr.ID, dr.Subject, dr.Body, dr.Recipients
	}
	if id := q.Get("to"); id != "" {
		to = append(to, id)
	}
	a.showCompose(w, r, http.StatusOK, d, to)
}

func (a *Area) showCompose(w http.ResponseWriter, r *http.Request, status int, d composeData, to []string) {
	ctx, v := r.Context(), page.Viewer(r)
	var err error
	// Only recipients the rules allow are shown back; a refused one is
	// named in the refusal instead.
	if d.Chosen, err = a.msg.Recipients(ctx, v, to); err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	if d.Groups, err = a.msg.Groups(ctx, v); err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	if d.Query != "" {
		d.Searched = true
		if d.Found, err = a.msg.Search(ctx, v, d.Query); err != nil {
			a.kit.Fail(w, r, err)
			return
		}
	}
	d.MaxSubject = messaging.MaxSubject
	d.Student = v.Profile == "student"
	d.MaxPeople = messaging.MaxStudentRecipients
	a.pages.Render(w, r, status, "compose", "msg.new", d)
}

func formCompose(r *http.Request) messaging.Compose {
	_ = r.ParseForm() // read already by the form token's check
	return messaging.Compose{Recipients: r.PostForm["to"], Groups: r.PostForm["group"], Subject: r.PostFormValue("subject"),
		Body: r.PostFormValue("body"), DraftID: r.PostFormValue("draft")}
}

// uploads opens the files chosen in a multipart form (none for a plain
// form); the caller closes them.
func uploads(r *http.Request) ([]messaging.Upload, func()) {
	var out []messaging.Upload
	var closers []func() error
	if r.MultipartForm != nil {
		for _, fh := range r.MultipartForm.File["attachments"] {
			if fh.Filename == "" && fh.Size == 0 {
				continue // the empty input of a form sent without a file
			}
			f, err := fh.Open()
			if err != nil {
				continue
			}
			closers = append(closers, f.Close)
			out = append(out, messaging.Upload{Name: fh.Filename, Body: f})
		}
	}
	return out, func() {
		for _, c := range closers {
			c()
		}
	}
}

// composePost is the form's one action: search (the form comes back with
// the people found, what was typed kept), save the draft, or send.
func (a *Area) composePost(w http.ResponseWriter, r *http.Request) {
	ctx, v := r.Context(), page.Viewer(r)
	in := formCompose(r)
	d := composeData{Draft: in.DraftID, Subject: in.Subject, Body: in.Body, Checked: map[string]bool{}, Query: strings.TrimSpace(r.PostFormValue("q"))}
	for _, g := range in.Groups {
		d.Checked[g] = true
	}
	save := func() bool {
		id, err := a.msg.SaveDraft(ctx, v, messaging.Draft{ID: in.DraftID, Recipients: in.Recipients, Subject: in.Subject, Body: in.Body})
		if err != nil {
			if ps, ok := check.As(err); ok {
				d.Problems, d.Bad = page.ProblemText(page.Lang(r), "msg", ps), ps.Fields()
				return false
			}
			a.kit.Fail(w, r, err)
			return false
		}
		d.Draft = id
		return true
	}
	switch r.PostFormValue("action") {
	case "search":
		a.showCompose(w, r, http.StatusOK, d, in.Recipients)
		return
	case "draft":
		if save() {
			d.Saved = true
		} else if d.Problems == nil {
			return
		}
		a.showCompose(w, r, http.StatusOK, d, in.Recipients)
		return
	}
	var done func()
	in.Attachments, done = uploads(r)
	defer done()
	conv, err := a.msg.Send(ctx, v, in)
	var ps check.Problems
	var refused *messaging.Refused
	switch {
	case errors.As(err, &refused):
		// Nothing sent: the draft keeps what was typed.
		d.Refused = refused
		if !save() && d.Problems == nil {
			return
		}
		a.showCompose(w, r, http.StatusUnprocessableEntity, d, in.Recipients)
		return
	case errors.As(err, &ps):
		if !save() && d.Problems == nil {
			return
		}
		d.Problems, d.Bad = page.ProblemText(page.Lang(r), "msg", ps), ps.Fields()
		a.showCompose(w, r, http.StatusUnprocessableEntity, d, in.Recipients)
		return
	case err != nil:
		a.kit.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/messages/c/"+url.PathEscape(conv)+"?saved=sent", http.StatusSeeOther)
}

// autosave saves the draft as one types (the small script); it answers
// the draft's id.
func (a *Area) autosave(w http.ResponseWriter, r *http.Request) {
	in := formCompose(r)
	id, err := a.msg.SaveDraft(r.Context(), page.Viewer(r), messaging.Draft{ID: in.DraftID, Conversation: r.PostFormValue("conversation"),
		Recipients: in.Recipients, Subject: in.Subject, Body: in.Body})
	if _, ok := check.As(err); ok {
		http.Error(w, "", http.StatusUnprocessableEntity)
		return
	}
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write([]byte(id))
}

type convData struct {
	C        *messaging.Conversation
	Me       string
	Saved    string
	Problems []string
	Refused  *messaging.Refused
	Typed    string
	Draft    string
	Staff    bool // the "reply to all except parents and students" button is useful
	Folders  []string
}

// conversation shows a conversation to a participant (and marks it read).
func (a *Area) conversation(w http.ResponseWriter, r *http.Request) {
	d := convData{Saved: r.URL.Query().Get("saved")}
	if id := r.URL.Query().Get("draft"); id != "" {
		if dr, err := a.msg.GetDraft(r.Context(), page.Viewer(r), id); err == nil {
			d.Draft, d.Typed = dr.ID, dr.Body
		}
	}
	a.showConversation(w, r, http.StatusOK, d)
}

func (a *Area) showConversation(w http.ResponseWriter, r *http.Request, status int, d convData) {
	v := page.Viewer(r)
	c, err := a.msg.Open(r.Context(), v, r.PathValue("id"))
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	d.C, d.Me, d.Folders = c, v.ID, []string{messaging.Inbox, messaging.Archive, messaging.Trash}
	// Other recipients not shown may be families too.
	d.Staff = c.Hidden > 0
	for _, p := range c.Participants {
		if p.ID != v.ID && (p.Profile == "student" || p.Profile == "relative") {
			d.Staff = true
		}
	}
	a.pages.Render(w, r, status, "conversation", "msg.title", d)
}

func (a *Area) reply(w http.ResponseWriter, r *http.Request) {
	ctx, v := r.Context(), page.Viewer(r)
	conv, body := r.PathValue("id"), r.PostFormValue("body")
	att, done := uploads(r)
	defer done()
	err := a.msg.Reply(ctx, v, conv, body, r.PostFormValue("to") == "staff", att...)
	var ps check.Problems
	var refused *messaging.Refused
	d := convData{Typed: body, Draft: r.PostFormValue("draft")}
	switch {
	case errors.As(err, &refused):
		d.Refused = refused
	case errors.As(err, &ps):
		d.Problems = page.ProblemText(page.Lang(r), "msg", ps)
	case err != nil:
		a.kit.Fail(w, r, err)
		return
	default:
		if d.Draft != "" {
			_ = a.msg.DeleteDraft(ctx, v, d.Draft)
		}
		http.Redirect(w, r, "/messages/c/"+url.PathEscape(conv)+"?saved=replied", http.StatusSeeOther)
		return
	}
	// Nothing sent: the answer is kept as a draft of the conversation.
	if id, err := a.msg.SaveDraft(ctx, v, messaging.Draft{ID: d.Draft, Conversation: conv, Body: body}); err == nil {
		d.Draft = id
	}
	a.showConversation(w, r, http.StatusUnprocessableEntity, d)
}

func (a *Area) move(w http.ResponseWriter, r *http.Request) {
	conv, folder := r.PathValue("id"), r.PostFormValue("folder")
	err := a.msg.Move(r.Context(), page.Viewer(r), conv, folder)
	if _, ok := check.As(err); ok {
		a.kit.Error(w, r, http.StatusBadRequest, "msg.problem.unknown")
		return
	}
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/messages?folder="+url.QueryEscape(folder)+"&saved=moved", http.StatusSeeOther)
}

func (a *Area) report(w http.ResponseWriter, r *http.Request) {
	conv := r.PathValue("id")
	err := a.msg.Report(r.Context(), page.Viewer(r), r.PostFormValue("message"), r.PostFormValue("reason"))
	if ps, ok := check.As(err); ok {
		a.showConversation(w, r, http.StatusUnprocessableEntity, convData{Problems: page.ProblemText(page.Lang(r), "msg", ps)})
		return
	}
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/messages/c/"+url.PathEscape(conv)+"?saved=reported", http.StatusSeeOther)
}

type whyData struct {
	Query    string
	Searched bool
	List     []messaging.Unreachable
	Found    []messaging.Person
}

// why answers "why can't I write to X?" for the people the viewer knows.
func (a *Area) why(w http.ResponseWriter, r *http.Request) {
	ctx, v := r.Context(), page.Viewer(r)
	d := whyData{Query: strings.TrimSpace(r.URL.Query().Get("q"))}
	if d.Query != "" {
		d.Searched = true
		var err error
		if d.List, err = a.msg.WhyNot(ctx, v, d.Query); err != nil {
			a.kit.Fail(w, r, err)
			return
		}
		if d.Found, err = a.msg.Search(ctx, v, d.Query); err != nil {
			a.kit.Fail(w, r, err)
			return
		}
	}
	a.pages.Render(w, r, http.StatusOK, "why", "msg.why.title", d)
}

// download serves an attachment to a participant, as the file download
// does: an attachment, in a sandbox, never rendered as a page of the site.
func (a *Area) download(w http.ResponseWriter, r *http.Request) {
	f, data, err := a.msg.File(r.Context(), page.Viewer(r), r.PathValue("id"), r.PathValue("file"))
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

// PageTitle names the folder, and its page beyond the first: each list
// has a title of its own.
func (d folderData) PageTitle(lang string) string {
	t := i18n.T(lang, "msg.title") + " · " + i18n.T(lang, "msg.folder."+d.Folder)
	if d.Page > 0 { // zero-based
		t += " · " + strconv.Itoa(d.Page+1)
	}
	return t
}

// PageTitle names the conversation by its subject.
func (d convData) PageTitle(lang string) string {
	if d.C == nil {
		return i18n.T(lang, "msg.title")
	}
	return d.C.Subject + " · " + i18n.T(lang, "msg.title")
}
