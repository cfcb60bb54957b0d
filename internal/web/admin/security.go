package admin

import (
	"net/http"

	"cartable/internal/auth"
	"cartable/internal/check"
	"cartable/internal/i18n"
	"cartable/internal/web/page"
)

// An establishment's second-factor policy.

type securityData struct {
	auth.SecuritySettings
	Done  bool
	Error string
}

// PageTitle names the establishment.
func (d securityData) PageTitle(lang string) string {
	return i18n.T(lang, "admin.security.heading", d.Establishment.Name)
}

func (a *Area) securityForm(w http.ResponseWriter, r *http.Request) {
	a.renderSecurity(w, r, http.StatusOK, securityData{Done: r.URL.Query().Get("done") == "1"})
}

func (a *Area) renderSecurity(w http.ResponseWriter, r *http.Request, status int, d securityData) {
	set, err := a.auth.SecurityOf(r.Context(), page.Viewer(r), r.PathValue("id"))
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	d.SecuritySettings = set
	a.pages.Render(w, r, status, "security", "admin.security.title", d)
}

func (a *Area) security(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	err := a.auth.SetSecurity(r.Context(), page.Viewer(r), id, r.PostForm["profile"], r.PostForm["function"], page.ClientIP(r))
	if _, ok := check.As(err); ok {
		a.renderSecurity(w, r, http.StatusUnprocessableEntity, securityData{Error: "admin.security.bad"})
		return
	}
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin/establishments/"+id+"/security?done=1", http.StatusSeeOther)
}
