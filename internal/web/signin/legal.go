package signin

import "net/http"

func (a *Area) legal(w http.ResponseWriter, r *http.Request) {
	a.pages.Render(w, r, http.StatusOK, "legal", "legal.title", nil)
}
