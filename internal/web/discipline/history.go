package discipline

import (
	"net/http"
	"strings"

	"cartable/internal/discipline"
	"cartable/internal/i18n"
	"cartable/internal/web/page"
)

type historyData struct {
	Changes []discipline.Change
	Student string // the student filtered on, by name
}

// PageTitle names the history, and the student filtered on.
func (d historyData) PageTitle(lang string) string {
	parts := []string{i18n.T(lang, "dis.history.title")}
	if d.Student != "" {
		parts = append(parts, d.Student)
	}
	return strings.Join(parts, " · ")
}

// history: who changed which punishment, sanction or incident, when,
// before → after (the head, the CPE), ?est=, ?student=.
func (a *Area) history(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	v := page.Viewer(r)
	est := q.Get("est")
	if est == "" {
		d, err := a.svc.Desk(r.Context(), v, "")
		if err != nil {
			a.kit.Fail(w, r, err)
			return
		}
		est = d.EstablishmentID
	}
	cs, err := a.svc.History(r.Context(), v, est, q.Get("student"))
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	d := historyData{Changes: cs}
	if q.Get("student") != "" && len(cs) > 0 {
		d.Student = cs[0].Student.DisplayName()
	}
	a.pages.Render(w, r, http.StatusOK, "history", "dis.history.title", d)
}
