package account

import (
	"errors"
	"net/http"

	"cartable/internal/auth"
	"cartable/internal/web/page"
)

func (a *Area) recoveryRegenerate(w http.ResponseWriter, r *http.Request) {
	cur := page.Current(r)
	codes, err := a.auth.RegenerateRecoveryCodes(r.Context(), cur.Viewer, cur.Session, page.ClientIP(r))
	switch {
	case errors.Is(err, auth.ErrNoFactor):
		a.render(w, r, http.StatusConflict, accountData{Error: "recovery.nofactor"})
	case err != nil:
		a.fail(w, r, err)
	default:
		a.pages.Render(w, r, http.StatusOK, "recovery-codes", "recovery.title", recoveryData{Codes: codes})
	}
}
