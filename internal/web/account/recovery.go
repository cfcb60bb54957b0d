package account

import (
	"errors"
	"net/http"
	"strings"

	"cartable/internal/auth"
	"cartable/internal/web/page"
)

// New recovery codes are shown once, on the page the POST that made them
// redirects to (post/redirect/get): they travel there in a flash sealed
// for the session, never in the URL. A reload of that page shows them no
// more and leads back to the account.

const flashCodes = "codes"

type recoveryData struct {
	Codes  []string
	Forced bool
}

// showCodes redirects to the page of new codes, for the session whose
// token is sessionToken (the request's, or the one enrolment just opened).
func (a *Area) showCodes(w http.ResponseWriter, r *http.Request, sessionToken string, d recoveryData) {
	v := "0"
	if d.Forced {
		v = "1"
	}
	a.kit.SetFlash(w, sessionToken, flashCodes, v+strings.Join(d.Codes, " "))
	http.Redirect(w, r, "/account/recovery-codes", http.StatusSeeOther)
}

func (a *Area) recoveryCodes(w http.ResponseWriter, r *http.Request) {
	v, ok := a.kit.TakeFlash(w, r, flashCodes)
	if !ok || v == "" {
		http.Redirect(w, r, "/account#recovery", http.StatusSeeOther)
		return
	}
	d := recoveryData{Forced: v[0] == '1', Codes: strings.Fields(v[1:])}
	a.pages.Render(w, r, http.StatusOK, "recovery-codes", "recovery.title", d)
}

func (a *Area) recoveryRegenerate(w http.ResponseWriter, r *http.Request) {
	cur := page.Current(r)
	codes, err := a.auth.RegenerateRecoveryCodes(r.Context(), cur.Viewer, cur.Session, page.ClientIP(r))
	switch {
	case errors.Is(err, auth.ErrNoFactor):
		a.render(w, r, http.StatusConflict, accountData{Error: "recovery.nofactor"})
	case err != nil:
		a.fail(w, r, err)
	default:
		a.showCodes(w, r, cur.Token, recoveryData{Codes: codes})
	}
}
