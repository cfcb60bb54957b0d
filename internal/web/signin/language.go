package signin

import (
	"net/http"

	"cartable/internal/web/page"
)

// setLanguage stores the chosen language in a cookie and returns to the page.
func (a *Area) setLanguage(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 4<<10)
	lang := r.PostFormValue("lang")
	next := page.LocalPath(r.PostFormValue("next"), "/")
	if lang == "fr" || lang == "en" {
		http.SetCookie(w, &http.Cookie{Name: "lang", Value: lang, Path: "/", MaxAge: 365 * 24 * 3600,
			HttpOnly: true, Secure: a.kit.Secure, SameSite: http.SameSiteLaxMode})
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}
