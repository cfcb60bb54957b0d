package provisioning

import (
	"net/http"

	"cartable/internal/i18n"
	"cartable/internal/provisioning"
	"cartable/internal/web/page"
)

// One import of the history, for who provisions one of its
// establishments.

type runData struct {
	Run      provisioning.Run
	Summary  *provisioning.Summary
	Changes  []changeLine
	Warnings []warningGroup
}

// PageTitle names the import: when it ran, and what.
func (d runData) PageTitle(lang string) string {
	return i18n.T(lang, "prov.run.titled", i18n.DateTime(lang, d.Run.At), i18n.T(lang, "prov.source."+d.Run.Source))
}

func (a *Area) run(w http.ResponseWriter, r *http.Request) {
	run, err := provisioning.RunByID(r.Context(), page.Viewer(r), a.db, r.PathValue("id"))
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	a.pages.Render(w, r, http.StatusOK, "run", "prov.run.title", runData{Run: run, Summary: &run.Summary,
		Changes: changesOf(page.Lang(r), &run.Summary), Warnings: warningGroups(page.Lang(r), run.Summary.Report)})
}
