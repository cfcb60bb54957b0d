package people

import (
	"errors"
	"net/http"

	"cartable/internal/access"
	"cartable/internal/directory"
	"cartable/internal/i18n"
	"cartable/internal/web/page"
)

type personData struct {
	View directory.PersonView
	// NoManage is the catalog key saying why the viewer, who administers
	// one of the person's establishments, may not manage their account.
	NoManage string
}

// PageTitle names the person: "Fiche de Élodie MARTIN".
func (d personData) PageTitle(lang string) string {
	return i18n.T(lang, "person.titlename", d.View.DisplayName())
}

// person is a person's page: the card, and the record and contact details
// when the viewer may read them.
func (a *Area) person(w http.ResponseWriter, r *http.Request) {
	view, err := directory.ViewPerson(r.Context(), page.Viewer(r), a.kit.DB, r.PathValue("id"))
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	a.pages.Render(w, r, http.StatusOK, "person", "person.title", personData{View: view, NoManage: noManageKey(view.NoManage)})
}

// noManageKey explains a refusal of the account's management.
func noManageKey(err error) string {
	switch {
	case errors.Is(err, access.ErrPrivilege):
		return "admin.manage.privilege"
	case errors.Is(err, access.ErrElsewhere):
		return "admin.manage.elsewhere"
	}
	return ""
}
