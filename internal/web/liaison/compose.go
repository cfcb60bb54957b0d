package liaison

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"cartable/internal/check"
	"cartable/internal/i18n"
	"cartable/internal/liaison"
	"cartable/internal/web/page"
)

type composeData struct {
	Compose    liaison.Compose
	In         string // the class or group chosen ("class:ID")
	Student    string // the one student written to
	Subject    string
	Body       string
	Checked    map[string]bool
	Problems   []string
	Bad        map[string]bool
	MaxSubject int
	MaxBody    int
}

// PageTitle names the form, and the class, group or student it writes to.
func (d composeData) PageTitle(lang string) string {
	parts := []string{i18n.T(lang, "notes.new")}
	switch {
	case d.Compose.Chosen != nil:
		parts = append(parts, d.Compose.Chosen.Name)
	case d.Student != "" && len(d.Compose.Pupils) == 1:
		parts = append(parts, d.Compose.Pupils[0].Name)
	}
	return strings.Join(parts, " · ")
}

// compose: the form of a new note; without a class, group or student, the
// classes and groups to choose from.
func (a *Area) compose(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	d := composeData{In: q.Get("in"), Student: q.Get("student"), Checked: map[string]bool{}}
	a.showCompose(w, r, http.StatusOK, d)
}

func (a *Area) showCompose(w http.ResponseWriter, r *http.Request, status int, d composeData) {
	var err error
	if d.Compose, err = a.notes.Compose(r.Context(), page.Viewer(r), d.In, d.Student); err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	if d.Student != "" && len(d.Compose.Pupils) == 1 {
		d.Checked[d.Student] = true
	}
	d.MaxSubject, d.MaxBody = liaison.MaxSubject, liaison.MaxBody
	a.pages.Render(w, r, status, "compose", "notes.new", d)
}

// write saves the note (one per student checked), then shows it, or the
// list for several; problems show the form again as typed.
func (a *Area) write(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm() // read already by the form token's check
	in := liaison.NoteInput{Students: r.PostForm["students"], Subject: r.PostFormValue("subject"), Body: r.PostFormValue("body")}
	ids, err := a.notes.Write(r.Context(), page.Viewer(r), in)
	var ps check.Problems
	switch {
	case errors.As(err, &ps):
		d := composeData{In: r.PostFormValue("in"), Student: r.PostFormValue("student"), Subject: in.Subject, Body: in.Body,
			Checked: map[string]bool{}, Problems: page.ProblemText(page.Lang(r), "notes", ps), Bad: ps.Fields()}
		for _, id := range in.Students {
			d.Checked[id] = true
		}
		a.showCompose(w, r, http.StatusUnprocessableEntity, d)
		return
	case err != nil:
		a.kit.Fail(w, r, err)
		return
	}
	if len(ids) == 1 {
		http.Redirect(w, r, "/notes/"+url.PathEscape(ids[0])+"?saved=written", http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, "/notes?saved=written", http.StatusSeeOther)
}
