package discipline

import (
	"net/http"
	"strings"

	"cartable/internal/discipline"
	"cartable/internal/i18n"
	"cartable/internal/web/page"
)

type sanctionData struct {
	discipline.SanctionForm
	Kinds    []string
	In       discipline.SanctionInput
	Problems problems
}

// PageTitle names the form and the student.
func (d sanctionData) PageTitle(lang string) string {
	parts := []string{i18n.T(lang, "dis.sanction.title"), d.Student.DisplayName()}
	if d.Problems.Messages != nil {
		parts = append(parts, i18n.T(lang, "dis.title.refused"))
	}
	return strings.Join(parts, " · ")
}

// newSanction: the sanction form (the head), ?student=, ?incident=.
func (a *Area) newSanction(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	form, err := a.svc.NewSanction(r.Context(), page.Viewer(r), q.Get("student"))
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	in := discipline.SanctionInput{StudentID: form.Student.ID, Kind: discipline.Warning, DecidedOn: form.Today,
		Suspension: discipline.NoSuspension, IncidentID: q.Get("incident")}
	a.pages.Render(w, r, http.StatusOK, "sanction", "dis.sanction.title", sanctionData{SanctionForm: form, Kinds: discipline.SanctionKinds, In: in})
}

// decide records a sanction.
func (a *Area) decide(w http.ResponseWriter, r *http.Request) {
	v := page.Viewer(r)
	f := r.PostFormValue
	in := discipline.SanctionInput{StudentID: f("student"), Kind: f("kind"), DecidedOn: f("decided_on"), Reason: f("reason"),
		Hours: f("hours"), Days: f("days"), StartsOn: f("starts_on"), Service: f("service"), Suspension: f("suspension"),
		SuspendedUnits: f("suspended_units"), SuspendedUntil: f("suspended_until"), IncidentID: f("incident")}
	id, err := a.svc.Decide(r.Context(), v, in)
	if err == nil {
		http.Redirect(w, r, "/discipline/students/"+in.StudentID+"?saved=sanction#s-"+id, http.StatusSeeOther)
		return
	}
	ps, ok := a.asProblems(r, err)
	if !ok {
		a.kit.Fail(w, r, err)
		return
	}
	form, err := a.svc.NewSanction(r.Context(), v, in.StudentID)
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	a.pages.Render(w, r, http.StatusUnprocessableEntity, "sanction", "dis.sanction.title",
		sanctionData{SanctionForm: form, Kinds: discipline.SanctionKinds, In: in, Problems: ps})
}
