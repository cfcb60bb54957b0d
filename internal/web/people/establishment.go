package people

import (
	"net/http"
	"time"

	"cartable/internal/directory"
	"cartable/internal/web/page"
)

// establishmentData is the overview, titled with the establishment's name.
type establishmentData struct{ directory.EstablishmentView }

func (d establishmentData) PageTitle(string) string { return d.Establishment.Name }

// establishment is an establishment's overview: head counts, current year,
// classes and staff.
func (a *Area) establishment(w http.ResponseWriter, r *http.Request) {
	day := a.kit.Now().Format(time.DateOnly)
	view, err := directory.ViewEstablishment(r.Context(), page.Viewer(r), a.kit.DB, r.PathValue("id"), day)
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	a.pages.Render(w, r, http.StatusOK, "establishment", "establishment.title", establishmentData{view})
}
