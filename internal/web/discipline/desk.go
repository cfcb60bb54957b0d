package discipline

import (
	"net/http"
	"strings"

	"cartable/internal/discipline"
	"cartable/internal/i18n"
	"cartable/internal/roles"
	"cartable/internal/web/page"
)

type deskData struct {
	discipline.Desk
	Name string // the viewer's
}

// PageTitle names the desk: school life's or the teacher's.
func (d deskData) PageTitle(lang string) string {
	if d.SchoolLife {
		return i18n.T(lang, "dis.desk.title")
	}
	return strings.Join([]string{i18n.T(lang, "dis.given.title"), d.Name}, " · ")
}

// desk: a student's own record, a relative's child's (?child=, the first
// by default), a teacher's punishments given, school life's desk.
func (a *Area) desk(w http.ResponseWriter, r *http.Request) {
	cur := page.Current(r)
	v := cur.Viewer
	switch v.Profile {
	case roles.Student:
		a.showRecord(w, r, v.ID, http.StatusOK, recordData{})
		return
	case roles.Relative:
		fam, err := a.kit.Family(r)
		if err != nil {
			a.kit.Fail(w, r, err)
			return
		}
		if len(fam.Children) == 0 {
			a.pages.Render(w, r, http.StatusOK, "nochild", "dis.title", nil)
			return
		}
		a.showRecord(w, r, fam.Chosen.ID, http.StatusOK, recordData{})
		return
	}
	d, err := a.svc.Desk(r.Context(), v, r.URL.Query().Get("est"))
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	a.pages.Render(w, r, http.StatusOK, "desk", "dis.desk.title", deskData{Desk: d, Name: cur.Me.DisplayName()})
}
