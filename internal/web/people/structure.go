package people

import (
	"net/http"

	"cartable/internal/directory"
	"cartable/internal/i18n"
	"cartable/internal/web/page"
)

// structureData is what the class and the group pages share.
type structureData struct {
	Class    *directory.Class
	Group    *directory.Group
	Heads    []directory.Card
	Teaching []directory.TeachingRow
	Shown    bool // the roster may be shown
	Roster   []directory.Card
	Letters  bool // the viewer may print the class's activation letters
}

// PageTitle names the class or the group: "Classe 4e B".
func (d structureData) PageTitle(lang string) string {
	if d.Group != nil {
		return i18n.T(lang, "group.heading", d.Group.Name)
	}
	return i18n.T(lang, "class.heading", d.Class.Name)
}

// class is a class page: head teachers, teachers and, for those who may
// read it, the roster.
func (a *Area) class(w http.ResponseWriter, r *http.Request) {
	view, err := directory.ViewClass(r.Context(), page.Viewer(r), a.kit.DB, r.PathValue("id"))
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	a.pages.Render(w, r, http.StatusOK, "structure", "class.title", structureData{Class: &view.Class,
		Heads: view.Heads, Teaching: view.Teaching, Shown: view.Shown, Roster: view.Roster, Letters: view.Letters})
}

// group is a group page: for those who may read it, the roster.
func (a *Area) group(w http.ResponseWriter, r *http.Request) {
	view, err := directory.ViewGroup(r.Context(), page.Viewer(r), a.kit.DB, r.PathValue("id"))
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	a.pages.Render(w, r, http.StatusOK, "structure", "group.title", structureData{Group: &view.Group,
		Shown: view.Shown, Roster: view.Roster})
}
