package people

import (
	"net/http"
	"time"

	"cartable/internal/directory"
	"cartable/internal/web/page"
)

// establishment is an establishment's overview: head counts, current year,
// classes and staff.
func (a *Area) establishment(w http.ResponseWriter, r *http.Request) {
	day := a.kit.Now().Format(time.DateOnly)
	view, err := directory.ViewEstablishment(r.Context(), page.Viewer(r), a.kit.DB, r.PathValue("id"), day)
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	a.pages.Render(w, r, http.StatusOK, "establishment", "establishment.title", view)
}
