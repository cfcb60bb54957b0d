package justify

import (
	"errors"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"

	"cartable/internal/attendance"
	"cartable/internal/check"
	"cartable/internal/directory"
	"cartable/internal/i18n"
	"cartable/internal/roles"
	"cartable/internal/web/page"
)

// form is the justification form as typed.
type form struct {
	From, FromTime, To, ToTime, Reason, Body string
	Ahead                                    bool
	Absences, Lateness                       map[string]bool
}

type familyData struct {
	Children []directory.KinCard
	ChildID  string
	Heading  string // the student's name
	Student  bool   // the viewer is the student
	Rec      attendance.FamilyAttendance
	Form     form
	Problems []string
	Bad      map[string]bool
	Saved    bool
	Limit    int // MB
}

// PageTitle names the page and the child: two children's pages are two
// pages.
func (d familyData) PageTitle(lang string) string {
	parts := []string{i18n.T(lang, "just.title")}
	if d.Heading != "" {
		parts = append(parts, d.Heading)
	}
	if len(d.Problems) > 0 {
		parts = append(parts, i18n.T(lang, "just.title.problems"))
	}
	return strings.Join(parts, " · ")
}

// student is the record's student: the viewer, or the relative's chosen
// child (?child=, a refusal when not theirs).
func (a *Area) student(r *http.Request, d *familyData, child string) (string, error) {
	cur := page.Current(r)
	switch cur.Viewer.Profile {
	case roles.Student:
		d.Student, d.Heading = true, cur.Me.DisplayName()
		return cur.Viewer.ID, nil
	case roles.Relative:
		if child != "" && r.URL.Query().Get("child") == "" {
			q := r.URL.Query()
			q.Set("child", child)
			r.URL.RawQuery = q.Encode()
		}
		fam, err := a.kit.Family(r)
		if err != nil {
			return "", err
		}
		d.Children = fam.Children
		if len(fam.Children) == 0 {
			return "", nil
		}
		d.ChildID, d.Heading = fam.Chosen.ID, fam.Chosen.FirstName+" "+fam.Chosen.LastName
		return fam.Chosen.ID, nil
	}
	return "", nil
}

// family shows a child's (or one's own) absences, lateness and
// justifications, with the form for a legal guardian.
func (a *Area) family(w http.ResponseWriter, r *http.Request) {
	d := familyData{Saved: r.URL.Query().Get("saved") == "1", Limit: attendance.MaxDocument >> 20}
	id, err := a.student(r, &d, "")
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	if id == "" {
		if d.Children == nil && !d.Student {
			a.kit.NotFound(w, r) // staff and teachers: school life's pages
			return
		}
		a.pages.Render(w, r, http.StatusOK, "justifications", "just.title", d)
		return
	}
	if d.Rec, err = a.att.FamilyRecord(r.Context(), page.Viewer(r), id); err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	d.Form = form{From: d.Rec.Today, To: d.Rec.Today}
	a.pages.Render(w, r, http.StatusOK, "justifications", "just.title", d)
}

// justify records a legal guardian's justification; problems show the
// form again as typed (422).
func (a *Area) justify(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseMultipartForm(1 << 20); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		a.kit.Error(w, r, http.StatusRequestEntityTooLarge, "just.toolarge")
		return
	}
	f := r.PostForm
	child := f.Get("child")
	in := attendance.JustificationInput{StudentID: child, FromDate: f.Get("from"), FromTime: f.Get("fromtime"), ToDate: f.Get("to"),
		ToTime: f.Get("totime"), ReasonID: f.Get("reason"), Body: f.Get("body"), Ahead: f.Get("ahead") == "1",
		Absences: f["absence"], Lateness: f["late"]}
	var doc *multipart.FileHeader
	if r.MultipartForm != nil && len(r.MultipartForm.File["document"]) > 0 {
		if h := r.MultipartForm.File["document"][0]; h.Size > 0 || h.Filename != "" {
			doc = h
		}
	}
	_, err := a.att.Justify(r.Context(), page.Viewer(r), in, doc)
	ps, bad := check.As(err)
	if !bad {
		if err != nil {
			a.kit.Fail(w, r, err)
			return
		}
		http.Redirect(w, r, "/justifications?child="+url.QueryEscape(child)+"&saved=1", http.StatusSeeOther)
		return
	}
	d := familyData{Limit: attendance.MaxDocument >> 20}
	id, err := a.student(r, &d, child)
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	if d.Student || id != child {
		a.kit.NotFound(w, r) // Justify refused the student already: not reached
		return
	}
	if d.Rec, err = a.att.FamilyRecord(r.Context(), page.Viewer(r), id); err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	set := func(xs []string) map[string]bool {
		m := map[string]bool{}
		for _, x := range xs {
			m[x] = true
		}
		return m
	}
	d.Form = form{From: in.FromDate, FromTime: in.FromTime, To: in.ToDate, ToTime: in.ToTime, Reason: in.ReasonID, Body: in.Body,
		Ahead: in.Ahead, Absences: set(in.Absences), Lateness: set(in.Lateness)}
	d.Problems, d.Bad = page.ProblemText(page.Lang(r), "just", ps), ps.Fields()
	a.pages.Render(w, r, http.StatusUnprocessableEntity, "justifications", "just.title", d)
}
