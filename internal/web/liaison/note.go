package liaison

import (
	"errors"
	"net/http"
	"net/url"

	"cartable/internal/check"
	"cartable/internal/i18n"
	"cartable/internal/liaison"
	"cartable/internal/web/page"
)

type noteData struct {
	View     liaison.NoteView
	Saved    string
	Problems []string
	Thread   string // the thread the answer typed was for
	Typed    string // the answer as typed, when refused
	MaxReply int
}

// PageTitle names the note by its subject and student.
func (d noteData) PageTitle(lang string) string {
	var n liaison.Note
	switch {
	case d.View.Staff != nil:
		n = d.View.Staff.Note
	case d.View.Guardian != nil:
		n = d.View.Guardian.Note
	case d.View.Reader != nil:
		n = *d.View.Reader
	}
	return i18n.T(lang, "notes.note.title", n.Subject, n.StudentName)
}

// note shows a note as the viewer may see it.
func (a *Area) note(w http.ResponseWriter, r *http.Request) {
	a.showNote(w, r, http.StatusOK, noteData{Saved: r.URL.Query().Get("saved")})
}

func (a *Area) showNote(w http.ResponseWriter, r *http.Request, status int, d noteData) {
	var err error
	if d.View, err = a.notes.View(r.Context(), page.Viewer(r), r.PathValue("id")); err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	d.MaxReply = liaison.MaxReply
	a.pages.Render(w, r, status, "note", "notes.title", d)
}

// sign records the guardian's acknowledgement (once: again changes
// nothing), then shows the note.
func (a *Area) sign(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if _, err := a.notes.Sign(r.Context(), page.Viewer(r), id); err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/notes/"+url.PathEscape(id)+"?saved=signed", http.StatusSeeOther)
}

// reply adds an answer to a thread; problems show the note again with
// the answer as typed.
func (a *Area) reply(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	in := liaison.ReplyInput{NoteID: id, Thread: r.PostFormValue("thread"), Body: r.PostFormValue("reply")}
	err := a.notes.Reply(r.Context(), page.Viewer(r), in)
	var ps check.Problems
	switch {
	case errors.As(err, &ps):
		a.showNote(w, r, http.StatusUnprocessableEntity, noteData{Problems: page.ProblemText(page.Lang(r), "notes", ps),
			Thread: in.Thread, Typed: in.Body})
		return
	case err != nil:
		a.kit.Fail(w, r, err)
		return
	}
	anchor := "#thread"
	if in.Thread != "" {
		anchor += "-" + in.Thread
	}
	http.Redirect(w, r, "/notes/"+url.PathEscape(id)+"?saved=replied"+anchor, http.StatusSeeOther)
}
