package provisioning

import (
	"net/http"

	"cartable/internal/provisioning"
	"cartable/internal/web/page"
)

// One import of the history, for who provisions one of its
// establishments.

type runData struct {
	Run      provisioning.Run
	Summary  *provisioning.Summary
	Table    changeTable
	Warnings []warningGroup
}

func (a *Area) run(w http.ResponseWriter, r *http.Request) {
	run, err := provisioning.RunByID(r.Context(), page.Viewer(r), a.db, r.PathValue("id"))
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	a.pages.Render(w, r, http.StatusOK, "run", "prov.run.title", runData{Run: run, Summary: &run.Summary,
		Table: tableOf(&run.Summary), Warnings: warningGroups(page.Lang(r), run.Summary.Report)})
}
