package competences

import (
	"net/http"

	"cartable/internal/grades"
	"cartable/internal/roles"
	"cartable/internal/web/page"
)

type deskData struct {
	grades.Desk
	Saved    bool
	Teaching string // the teaching whose item form is sent back
	In       grades.ItemInput
	Problems problems
}

// desk: a student's or relative's levels; a teacher's teachings; the
// head's items and classes.
func (a *Area) desk(w http.ResponseWriter, r *http.Request) {
	v := page.Viewer(r)
	switch v.Profile {
	case roles.Student:
		http.Redirect(w, r, "/competences/student/"+v.ID, http.StatusSeeOther)
		return
	case roles.Relative:
		fam, err := a.kit.Family(r)
		if err != nil {
			a.kit.Fail(w, r, err)
			return
		}
		if fam.Chosen.ID == "" {
			a.pages.Render(w, r, http.StatusOK, "nochild", "cmp.title", nil)
			return
		}
		http.Redirect(w, r, "/competences/student/"+fam.Chosen.ID, http.StatusSeeOther)
		return
	}
	a.showDesk(w, r, http.StatusOK, deskData{Saved: r.URL.Query().Get("saved") != ""})
}

func (a *Area) showDesk(w http.ResponseWriter, r *http.Request, status int, d deskData) {
	desk, err := a.svc.Desk(r.Context(), page.Viewer(r))
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	d.Desk = desk
	a.pages.Render(w, r, status, "desk", "cmp.title", d)
}
