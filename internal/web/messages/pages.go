package messages

import (
	"errors"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"cartable/internal/access"
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
	Prefs   bool // the viewer may choose not to receive messages
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
	d.Prefs, _ = v.MayRefuseMessages(ctx)
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
	Removed    bool
	MaxSubject int
	Student    bool
	MaxPeople  int
	// Attachments kept with the draft; NoReply as ticked; Staff: the
	// viewer may send a message its recipients cannot answer.
	Attachments []messaging.Attachment
	NoReply     bool
	Staff       bool
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
		d.Draft, d.Subject, d.Body, d.NoReply, to = dr.ID, dr.Subject, dr.Body, dr.NoReply, dr.Recipients
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
	if d.Draft != "" {
		if dr, err := a.msg.GetDraft(ctx, v, d.Draft); err == nil {
			d.Attachments = dr.Attachments
		}
	}
	d.MaxSubject = messaging.MaxSubject
	d.Student = v.Profile == "student"
	d.Staff = v.Profile != "student" && v.Profile != "relative"
	d.MaxPeople = messaging.MaxStudentRecipients
	a.pages.Render(w, r, status, "compose", "msg.new", d)
}

func formCompose(r *http.Request) messaging.Compose {
	_ = r.ParseForm() // read already by the form token's check
	return messaging.Compose{Recipients: r.PostForm["to"], Groups: r.PostForm["group"], Subject: r.PostFormValue("subject"),
		Body: r.PostFormValue("body"), DraftID: r.PostFormValue("draft"), NoReply: r.PostFormValue("noreply") == "1"}
}

// uploads opens the files of the form's "attachments" input; the caller
// closes them.
func uploads(r *http.Request) ([]messaging.Upload, func()) { return page.Uploads(r, "attachments") }

// composePost is the form's one action: search (the form comes back with
// the people found, what was typed kept), save the draft (with the files
// chosen), remove a file of the draft, discard the draft, or send.
func (a *Area) composePost(w http.ResponseWriter, r *http.Request) {
	ctx, v := r.Context(), page.Viewer(r)
	in := formCompose(r)
	d := composeData{Draft: in.DraftID, Subject: in.Subject, Body: in.Body, Checked: map[string]bool{},
		Query: strings.TrimSpace(r.PostFormValue("q")), NoReply: in.NoReply}
	for _, g := range in.Groups {
		d.Checked[g] = true
	}
	// save keeps what was typed as the draft, with the files chosen when
	// withFiles; refused files are named and the text is saved without
	// them. False with no problem: the response is written.
	save := func(withFiles bool) bool {
		var ups []messaging.Upload
		if withFiles {
			var done func()
			ups, done = uploads(r)
			defer done()
		}
		dr := messaging.Draft{ID: d.Draft, Recipients: in.Recipients, Subject: in.Subject, Body: in.Body, NoReply: in.NoReply}
		id, err := a.msg.SaveDraft(ctx, v, dr, ups...)
		if ps, ok := check.As(err); ok && len(ups) > 0 && ps.Has("attachments") {
			d.Problems, d.Bad = page.ProblemText(page.Lang(r), "msg", ps), ps.Fields()
			id, err = a.msg.SaveDraft(ctx, v, dr)
		}
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
	if file := r.PostFormValue("remove"); file != "" {
		if !save(false) && d.Problems == nil {
			return
		}
		if err := a.msg.RemoveDraftAttachment(ctx, v, d.Draft, file); err != nil {
			a.kit.Fail(w, r, err)
			return
		}
		d.Removed = true
		a.showCompose(w, r, http.StatusOK, d, in.Recipients)
		return
	}
	switch r.PostFormValue("action") {
	case "search":
		a.showCompose(w, r, http.StatusOK, d, in.Recipients)
		return
	case "discard":
		if err := a.msg.DeleteDraft(ctx, v, d.Draft); err != nil {
			a.kit.Fail(w, r, err)
			return
		}
		http.Redirect(w, r, "/messages?folder=drafts&saved=discarded", http.StatusSeeOther)
		return
	case "draft":
		if save(true) {
			d.Saved = true
		} else if d.Problems == nil {
			return
		}
		status := http.StatusOK
		if d.Problems != nil {
			status = http.StatusUnprocessableEntity
		}
		a.showCompose(w, r, status, d, in.Recipients)
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
		// Nothing sent: the draft keeps what was typed and the files.
		d.Refused = refused
		if !save(true) && d.Problems == nil {
			return
		}
		a.showCompose(w, r, http.StatusUnprocessableEntity, d, in.Recipients)
		return
	case errors.As(err, &ps):
		if !save(true) && d.Problems == nil {
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
		Recipients: in.Recipients, Subject: in.Subject, Body: in.Body, NoReply: in.NoReply})
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
	// The answer's draft attachments.
	Attachments []messaging.Attachment
}

// conversation shows a conversation to a participant (and marks it read).
func (a *Area) conversation(w http.ResponseWriter, r *http.Request) {
	d := convData{Saved: r.URL.Query().Get("saved")}
	if id := r.URL.Query().Get("draft"); id != "" {
		if dr, err := a.msg.GetDraft(r.Context(), page.Viewer(r), id); err == nil && dr.Conversation == r.PathValue("id") {
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
	if d.Draft != "" {
		if dr, err := a.msg.GetDraft(r.Context(), v, d.Draft); err == nil {
			d.Attachments = dr.Attachments
		}
	}
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
	d := convData{Typed: body, Draft: r.PostFormValue("draft")}
	// keep saves the answer as a draft of the conversation, with the files
	// chosen when withFiles (without them if they are refused).
	keep := func(withFiles bool) error {
		var ups []messaging.Upload
		if withFiles {
			var done func()
			ups, done = uploads(r)
			defer done()
		}
		dr := messaging.Draft{ID: d.Draft, Conversation: conv, Body: body}
		id, err := a.msg.SaveDraft(ctx, v, dr, ups...)
		if ps, ok := check.As(err); ok && len(ups) > 0 {
			d.Problems = append(d.Problems, page.ProblemText(page.Lang(r), "msg", ps)...)
			id, err = a.msg.SaveDraft(ctx, v, dr)
		}
		if err == nil {
			d.Draft = id
		}
		return err
	}
	if file := r.PostFormValue("remove"); file != "" {
		err := keep(false)
		if err == nil {
			err = a.msg.RemoveDraftAttachment(ctx, v, d.Draft, file)
		}
		if err != nil {
			a.kit.Fail(w, r, err)
			return
		}
		d.Saved = "removed"
		a.showConversation(w, r, http.StatusOK, d)
		return
	}
	att, done := uploads(r)
	defer done()
	err := a.msg.Answer(ctx, v, messaging.Answer{Conversation: conv, Body: body, StaffOnly: r.PostFormValue("to") == "staff",
		DraftID: d.Draft, Attachments: att})
	var ps check.Problems
	var refused *messaging.Refused
	switch {
	case errors.As(err, &refused):
		d.Refused = refused
	case errors.As(err, &ps):
		d.Problems = page.ProblemText(page.Lang(r), "msg", ps)
	case err != nil:
		a.kit.Fail(w, r, err)
		return
	default:
		http.Redirect(w, r, "/messages/c/"+url.PathEscape(conv)+"?saved=replied", http.StatusSeeOther)
		return
	}
	// Nothing sent: the answer and its files are kept as a draft of the
	// conversation.
	if err := keep(true); err != nil && !errors.As(err, &ps) {
		a.kit.Fail(w, r, err)
		return
	}
	a.showConversation(w, r, http.StatusUnprocessableEntity, d)
}

// closeConversation closes a conversation to answers or reopens it, as
// its author.
func (a *Area) closeConversation(w http.ResponseWriter, r *http.Request) {
	conv, closed := r.PathValue("id"), r.PostFormValue("state") != "open"
	if err := a.msg.Close(r.Context(), page.Viewer(r), conv, closed); err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	saved := "reopened"
	if closed {
		saved = "closed"
	}
	http.Redirect(w, r, "/messages/c/"+url.PathEscape(conv)+"?saved="+saved, http.StatusSeeOther)
}

type prefsData struct {
	Refusal access.MessageRefusal
	Saved   bool
}

// prefs: whom one receives new messages from (relatives, and staff outside
// school life).
func (a *Area) prefs(w http.ResponseWriter, r *http.Request) {
	ctx, v := r.Context(), page.Viewer(r)
	ref, err := v.MessageRefusal(ctx)
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	a.pages.Render(w, r, http.StatusOK, "prefs", "msg.prefs.title", prefsData{Refusal: ref, Saved: r.URL.Query().Get("saved") != ""})
}

func (a *Area) savePrefs(w http.ResponseWriter, r *http.Request) {
	ref := access.MessageRefusal{Students: r.PostFormValue("students") == "1", Families: r.PostFormValue("families") == "1"}
	if err := a.msg.SetMessageRefusal(r.Context(), page.Viewer(r), ref); err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/messages/preferences?saved=1", http.StatusSeeOther)
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
