package discipline

import (
	"fmt"
	"net/http"
	"strings"

	"cartable/internal/discipline"
	"cartable/internal/i18n"
	"cartable/internal/web/page"
)

// The incident form has room for four protagonists, and one more than it
// names, up to maxProtagonists (a line left empty is ignored).
const (
	protagonistLines = 4
	maxProtagonists  = 12
)

type incidentData struct {
	discipline.IncidentForm
	Page     *discipline.IncidentPage // the incident shown, nil for a new one
	Kinds    []string
	Roles    []string
	In       discipline.IncidentInput
	Problems problems
	Saved    string
}

// PageTitle names the incident by its day and type.
func (d incidentData) PageTitle(lang string) string {
	parts := []string{i18n.T(lang, "dis.incident.new.title")}
	if d.Page != nil {
		parts = []string{i18n.T(lang, "dis.incident.title"), i18n.T(lang, "dis.incident.kind."+d.Page.Incident.Kind),
			d.Page.Incident.OccurredOn}
	}
	if d.Problems.Messages != nil {
		parts = append(parts, i18n.T(lang, "dis.title.refused"))
	}
	return strings.Join(parts, " · ")
}

// Line is protagonist line i of the form as typed.
func (d incidentData) Line(i int) discipline.ProtagonistInput {
	if i < len(d.In.Protagonists) {
		return d.In.Protagonists[i]
	}
	return discipline.ProtagonistInput{}
}

// Lines numbers the protagonist lines.
func (d incidentData) Lines() []int {
	n := 0 // lines up to the last one named
	for i, p := range d.In.Protagonists {
		if p.StudentID != "" {
			n = i + 1
		}
	}
	out := make([]int, min(max(protagonistLines, n+1), maxProtagonists))
	for i := range out {
		out[i] = i
	}
	return out
}

func incidentInput(r *http.Request) discipline.IncidentInput {
	f := r.PostFormValue
	in := discipline.IncidentInput{EstablishmentID: f("est"), OccurredOn: f("occurred_on"), OccurredAt: f("occurred_at"),
		Place: f("place"), Kind: f("incident_kind"), Seriousness: f("seriousness"), Description: f("description"),
		Processed: f("processed") == "1"}
	for i := 0; i < maxProtagonists; i++ {
		in.Protagonists = append(in.Protagonists, discipline.ProtagonistInput{
			StudentID: f(fmt.Sprintf("p%d_student", i)), Role: f(fmt.Sprintf("p%d_role", i))})
	}
	return in
}

func inputOfIncident(i discipline.Incident) discipline.IncidentInput {
	in := discipline.IncidentInput{EstablishmentID: i.EstablishmentID, OccurredOn: i.OccurredOn, OccurredAt: hhmm(i.OccurredMin),
		Place: i.Place, Kind: i.Kind, Seriousness: itoa(i.Seriousness), Description: i.Description, Processed: i.Processed}
	for _, p := range i.Protagonists {
		in.Protagonists = append(in.Protagonists, discipline.ProtagonistInput{StudentID: p.ID, Role: p.Role})
	}
	return in
}

// newIncident: the incident form (school life), ?est=.
func (a *Area) newIncident(w http.ResponseWriter, r *http.Request) {
	form, err := a.svc.NewIncident(r.Context(), page.Viewer(r), r.URL.Query().Get("est"))
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	in := discipline.IncidentInput{EstablishmentID: form.EstablishmentID, OccurredOn: form.Today, Seriousness: "1"}
	a.pages.Render(w, r, http.StatusOK, "incident", "dis.incident.new.title",
		incidentData{IncidentForm: form, Kinds: discipline.IncidentKinds, Roles: discipline.Roles, In: in})
}

// recordIncident records a new incident.
func (a *Area) recordIncident(w http.ResponseWriter, r *http.Request) {
	v := page.Viewer(r)
	in := incidentInput(r)
	id, err := a.svc.RecordIncident(r.Context(), v, in)
	if err == nil {
		http.Redirect(w, r, "/discipline/incidents/"+id+"?saved=1", http.StatusSeeOther)
		return
	}
	ps, ok := a.asProblems(r, err)
	if !ok {
		a.kit.Fail(w, r, err)
		return
	}
	form, err := a.svc.NewIncident(r.Context(), v, in.EstablishmentID)
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	a.pages.Render(w, r, http.StatusUnprocessableEntity, "incident", "dis.incident.new.title",
		incidentData{IncidentForm: form, Kinds: discipline.IncidentKinds, Roles: discipline.Roles, In: in, Problems: ps})
}

// incident: an incident with its protagonists, what followed, its form.
func (a *Area) incident(w http.ResponseWriter, r *http.Request) {
	p, err := a.svc.Incident(r.Context(), page.Viewer(r), r.PathValue("id"))
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	a.pages.Render(w, r, http.StatusOK, "incident", "dis.incident.title", incidentData{IncidentForm: p.IncidentForm, Page: &p,
		Kinds: discipline.IncidentKinds, Roles: discipline.Roles, In: inputOfIncident(p.Incident), Saved: r.URL.Query().Get("saved")})
}

// editIncident changes an incident.
func (a *Area) editIncident(w http.ResponseWriter, r *http.Request) {
	v := page.Viewer(r)
	id := r.PathValue("id")
	in := incidentInput(r)
	err := a.svc.EditIncident(r.Context(), v, id, in)
	if err == nil {
		http.Redirect(w, r, "/discipline/incidents/"+id+"?saved=1", http.StatusSeeOther)
		return
	}
	ps, ok := a.asProblems(r, err)
	if !ok {
		a.kit.Fail(w, r, err)
		return
	}
	p, err := a.svc.Incident(r.Context(), v, id)
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	a.pages.Render(w, r, http.StatusUnprocessableEntity, "incident", "dis.incident.title", incidentData{IncidentForm: p.IncidentForm,
		Page: &p, Kinds: discipline.IncidentKinds, Roles: discipline.Roles, In: in, Problems: ps})
}
