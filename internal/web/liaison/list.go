package liaison

import (
	"net/http"
	"strings"

	"cartable/internal/directory"
	"cartable/internal/i18n"
	"cartable/internal/liaison"
	"cartable/internal/roles"
	"cartable/internal/web/page"
)

type listData struct {
	Saved string
	// A student's own notes, or a relative's child's (the child picker).
	Pupil    bool
	Children []directory.KinCard
	ChildID  string
	Child    string // the child's name, for the title
	Notes    liaison.ChildNotes
	// The staff: the notes they wrote, and school life's unsigned notes.
	Staff    bool
	Awaiting []liaison.StaffItem
	Signed   []liaison.StaffItem
	Follows  bool
	Unsigned []liaison.StaffItem
}

// PageTitle names the list, and the child a relative looks at.
func (d listData) PageTitle(lang string) string {
	parts := []string{i18n.T(lang, "notes.title")}
	if d.Child != "" {
		parts = append(parts, d.Child)
	}
	return strings.Join(parts, " · ")
}

// list: a student's notes, a relative's per child, or the staff's lists.
func (a *Area) list(w http.ResponseWriter, r *http.Request) {
	ctx, v := r.Context(), page.Viewer(r)
	d := listData{Saved: r.URL.Query().Get("saved")}
	var err error
	switch v.Profile {
	case roles.Student:
		d.Pupil = true
		d.Notes, err = a.notes.OfStudent(ctx, v, v.ID)
	case roles.Relative:
		d.Pupil = true
		var f page.Family
		if f, err = a.kit.Family(r); err == nil && len(f.Children) > 0 {
			d.Children, d.ChildID = f.Children, f.Chosen.ID
			d.Child = f.Chosen.FirstName + " " + f.Chosen.LastName
			d.Notes, err = a.notes.OfStudent(ctx, v, f.Chosen.ID)
		}
	default:
		d.Staff = true
		var written []liaison.StaffItem
		if written, err = a.notes.Written(ctx, v); err == nil {
			for _, it := range written {
				if it.Complete() {
					d.Signed = append(d.Signed, it)
				} else {
					d.Awaiting = append(d.Awaiting, it)
				}
			}
			d.Unsigned, d.Follows, err = a.notes.Unsigned(ctx, v)
		}
	}
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	a.pages.Render(w, r, http.StatusOK, "list", "notes.title", d)
}
