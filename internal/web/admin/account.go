package admin

import (
	"net/http"

	"cartable/internal/auth"
	"cartable/internal/i18n"
	"cartable/internal/web/page"
)

// A person's account, as an administrator who may manage it sees it.

type accountData struct {
	auth.ManagedAccount
	Done string
}

// PageTitle names the account's holder.
func (d accountData) PageTitle(lang string) string {
	return i18n.T(lang, "admin.account.heading", d.Holder.Name)
}

func (a *Area) account(w http.ResponseWriter, r *http.Request) {
	acc, err := a.auth.AccountOf(r.Context(), page.Viewer(r), r.PathValue("id"))
	if err != nil {
		a.kit.FailExplained(w, r, err)
		return
	}
	d := accountData{ManagedAccount: acc}
	switch done := r.URL.Query().Get("done"); done {
	case "sessions", "factors":
		d.Done = "admin.done." + done
	}
	a.pages.Render(w, r, http.StatusOK, "account", "admin.account.title", d)
}

func (a *Area) endSessions(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if err := a.auth.EndSessionsOf(r.Context(), page.Viewer(r), id, page.ClientIP(r)); err != nil {
		a.kit.FailExplained(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin/people/"+id+"/account?done=sessions", http.StatusSeeOther)
}

func (a *Area) removeFactors(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if err := a.auth.RemoveFactorsOf(r.Context(), page.Viewer(r), id, page.ClientIP(r)); err != nil {
		a.kit.FailExplained(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin/people/"+id+"/account?done=factors", http.StatusSeeOther)
}
