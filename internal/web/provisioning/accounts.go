package provisioning

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"cartable/internal/access"
	"cartable/internal/check"
	"cartable/internal/directory"
	"cartable/internal/i18n"
	"cartable/internal/provisioning"
	"cartable/internal/web/page"
)

// The closed accounts of an establishment: the closing form, the accounts
// waiting for the purge, and on each the reopening and the person's
// choice about their contributions.

type accountsData struct {
	Establishment directory.Establishment
	Accounts      []provisioning.Closed
	Hidden        int // closed accounts whose name the viewer may not read
	Days          int
	Login         string // the close form, kept as typed
	Error         string
	Done          string
}

// PageTitle names the establishment.
func (d accountsData) PageTitle(lang string) string {
	return i18n.T(lang, "prov.accounts.heading", d.Establishment.Name)
}

func (a *Area) accounts(w http.ResponseWriter, r *http.Request) {
	// Only the notices a redirect of ours asks for are shown: nothing of
	// the query string reaches the page as text.
	q := r.URL.Query()
	errKey, done := "", ""
	if e := q.Get("error"); e == "purged" || e == "active" {
		errKey = "prov.accounts.error." + e
	}
	if d := q.Get("done"); d == "closed" || d == "detached" || d == "reactivated" || d == "choice" {
		done = "prov.accounts.done." + d
	}
	a.renderAccounts(w, r, http.StatusOK, "", errKey, done)
}

func (a *Area) renderAccounts(w http.ResponseWriter, r *http.Request, status int, login, errKey, done string) {
	ctx, v, id := r.Context(), page.Viewer(r), r.PathValue("id")
	e, err := provisioning.Establishment(ctx, v, a.db, id)
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	list, err := provisioning.ClosedAccounts(ctx, v, a.db, id, a.purgeDelay)
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	a.pages.Render(w, r, status, "accounts", "prov.accounts.title", accountsData{Establishment: e, Accounts: list.Accounts,
		Hidden: list.Hidden, Days: int(a.purgeDelay / (24 * time.Hour)), Login: login, Error: errKey, Done: done})
}

func accountsURL(estID string, param, value string) string {
	return "/provisioning/establishments/" + url.PathEscape(estID) + "/accounts?" + param + "=" + url.QueryEscape(value)
}

// close closes, from this establishment, the account whose login the form
// names: its attachment here ends, and the account closes when this was
// the person's last establishment (provisioning.Close).
func (a *Area) close(w http.ResponseWriter, r *http.Request) {
	estID := r.PathValue("id")
	form := provisioning.CloseForm{Establishment: estID, Login: r.PostFormValue("login")}
	login := strings.TrimSpace(form.Login)
	if len(login) > provisioning.MaxLogin {
		login = login[:provisioning.MaxLogin]
	}
	unknown := func() {
		a.renderAccounts(w, r, http.StatusUnprocessableEntity, login, "prov.accounts.error.unknown", "")
	}
	closing, err := provisioning.CloseByLogin(r.Context(), page.Viewer(r), a.db, form, a.kit.Now())
	var denied *access.Denied
	_, problems := check.As(err)
	switch {
	case errors.As(err, &denied) && denied.Resource.Kind == access.KindMembership:
		// The person is known but out of reach from here: the reasons the
		// policy explains are said, any other looks like an unknown login.
		a.kit.AuditRefusal(r, denied.Resource)
		if key := page.RefusalKey(err); key != "" {
			a.renderAccounts(w, r, http.StatusForbidden, login, key, "")
			return
		}
		unknown()
	case page.Refused(err): // the establishment
		a.kit.Fail(w, r, err)
	case errors.Is(err, provisioning.ErrActive):
		a.renderAccounts(w, r, http.StatusUnprocessableEntity, login, "prov.accounts.error.already", "")
	case problems, errors.Is(err, provisioning.ErrNotFound): // detached meanwhile, or no such login
		unknown()
	case err != nil:
		a.kit.ServerError(w, r, err)
	case closing == provisioning.Detached:
		http.Redirect(w, r, accountsURL(estID, "done", "detached"), http.StatusSeeOther)
	default:
		http.Redirect(w, r, accountsURL(estID, "done", "closed"), http.StatusSeeOther)
	}
}

// reactivate reopens a closed account, with the right on the person's
// whole account (every establishment they are attached to); a refusal the
// policy explains answers 403 with the reason.
func (a *Area) reactivate(w http.ResponseWriter, r *http.Request) {
	est := r.PostFormValue("establishment")
	err := provisioning.Reactivate(r.Context(), page.Viewer(r), a.db, est, r.PathValue("id"), a.kit.Now())
	switch {
	case page.Refused(err):
		a.kit.FailExplained(w, r, err)
	case errors.Is(err, provisioning.ErrPurged):
		http.Redirect(w, r, accountsURL(est, "error", "purged"), http.StatusSeeOther)
	case errors.Is(err, provisioning.ErrNotDeactivated):
		http.Redirect(w, r, accountsURL(est, "error", "active"), http.StatusSeeOther)
	case err != nil:
		a.kit.ServerError(w, r, err)
	default:
		http.Redirect(w, r, accountsURL(est, "done", "reactivated"), http.StatusSeeOther)
	}
}

// choice records whether the person objects to their contributions being
// kept once their account is erased (same rights as reactivate).
func (a *Area) choice(w http.ResponseWriter, r *http.Request) {
	est := r.PostFormValue("establishment")
	err := provisioning.RecordChoice(r.Context(), page.Viewer(r), a.db, est, r.PathValue("id"), r.PostFormValue("objects") == "1", a.kit.Now())
	switch {
	case page.Refused(err):
		a.kit.FailExplained(w, r, err)
	case err != nil:
		a.kit.ServerError(w, r, err)
	default:
		http.Redirect(w, r, accountsURL(est, "done", "choice"), http.StatusSeeOther)
	}
}
