package provisioning

import (
	"net/http"
	"strings"

	"cartable/internal/check"
	"cartable/internal/directory"
	"cartable/internal/i18n"
	"cartable/internal/provisioning"
	"cartable/internal/web/page"
)

// The yearly rollover of an establishment: the form proposes the next
// year, previews what closes and opens, and applies it.

type rolloverData struct {
	Establishment directory.Establishment
	Year          string
	Plan          *provisioning.RolloverPlan
	Done          string // the label of the year just opened, after the redirect
	Error         string
}

// PageTitle names the establishment.
func (d rolloverData) PageTitle(lang string) string {
	return i18n.T(lang, "prov.rollover.heading", d.Establishment.Name)
}

// yearProblem is the catalog key of a year at fault
// (provisioning.CheckRollover and the rollover's own checks), "" for
// another error.
func yearProblem(err error) string {
	if ps, ok := check.As(err); ok && len(ps) > 0 {
		return "prov.rollover.error." + ps[0].Code
	}
	return ""
}

func (a *Area) rolloverForm(w http.ResponseWriter, r *http.Request) {
	ctx, v, id := r.Context(), page.Viewer(r), r.PathValue("id")
	e, err := provisioning.Establishment(ctx, v, a.db, id)
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	d := rolloverData{Establishment: e, Year: r.URL.Query().Get("year")}
	d.Done, _ = a.kit.TakeFlash(w, r, flashRollover)
	status := http.StatusOK
	if d.Done != "" {
		// The year has just been opened: nothing more to propose.
	} else if d.Year == "" {
		d.Year, err = provisioning.NextYear(ctx, v, a.db, id, a.kit.Now())
	} else if d.Plan, err = provisioning.PlanRollover(ctx, v, a.db, id, d.Year); err != nil {
		if d.Error = yearProblem(err); d.Error != "" {
			d.Plan, status, err = nil, http.StatusUnprocessableEntity, nil
		}
	}
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	a.pages.Render(w, r, status, "rollover", "prov.rollover.title", d)
}

func (a *Area) rollover(w http.ResponseWriter, r *http.Request) {
	ctx, v, id := r.Context(), page.Viewer(r), r.PathValue("id")
	e, err := provisioning.Establishment(ctx, v, a.db, id)
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	d := rolloverData{Establishment: e, Year: strings.TrimSpace(r.PostFormValue("year"))}
	d.Plan, err = provisioning.Rollover(ctx, v, a.db, id, d.Year, a.kit.Now())
	if d.Error = yearProblem(err); d.Error != "" {
		d.Plan = nil
		a.pages.Render(w, r, http.StatusUnprocessableEntity, "rollover", "prov.rollover.title", d)
		return
	}
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	// Post/redirect/get: a reload shows the outcome, it does not post again.
	a.kit.SetFlash(w, page.Current(r).Token, flashRollover, d.Plan.NewYear.Label)
	http.Redirect(w, r, r.URL.Path, http.StatusSeeOther)
}

// flashRollover carries the opened year's label to the page after the
// redirect.
const flashRollover = "rollover"
