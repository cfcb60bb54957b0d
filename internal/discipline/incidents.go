package discipline

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"cartable/internal/access"
	"cartable/internal/check"
	"cartable/internal/db"
)

// incidentResource names an incident in refusals.
func incidentResource(id string) access.Resource { return access.Resource{Kind: "incident", ID: id} }

// IncidentForm is what the incident form offers.
type IncidentForm struct {
	EstablishmentID string
	Year            Year
	Today           string
	Students        []Student // the establishment's students, for the protagonists
	Incident        *Incident // the incident edited, nil for a new one
}

// NewIncident prepares the incident form of an establishment ("" for the
// viewer's first where they run school life): CPE, head, deputy.
func (s *Service) NewIncident(ctx context.Context, v *access.Viewer, est string) (IncidentForm, error) {
	est, err := s.schoolLifeEstablishment(ctx, v, access.ManageSchoolLife, est)
	if err != nil {
		return IncidentForm{}, err
	}
	return s.incidentForm(ctx, v, est)
}

func (s *Service) incidentForm(ctx context.Context, v *access.Viewer, est string) (IncidentForm, error) {
	out := IncidentForm{EstablishmentID: est, Today: s.today()}
	var err error
	if out.Year, err = schoolYear(ctx, s.DB, est, out.Today); err != nil && !errors.Is(err, errNotFound) {
		return out, err
	}
	out.Students, err = s.op().students(ctx, v, access.ManageSchoolLife, []string{est})
	return out, err
}

// schoolLifeEstablishment is est when the viewer may do a there, or the
// first of their establishments where they may; a refusal otherwise.
func (s *Service) schoolLifeEstablishment(ctx context.Context, v *access.Viewer, a access.Action, est string) (string, error) {
	if est != "" {
		return est, v.Can(ctx, a, access.Establishment(est))
	}
	for _, e := range v.Establishments {
		ok, err := v.May(ctx, a, access.Establishment(e))
		if err != nil {
			return "", err
		}
		if ok {
			return e, nil
		}
	}
	return "", access.Refuse(a, access.Establishment(""), "runs school life nowhere")
}

// students lists the students of establishments the viewer may do a on.
func (o op) students(ctx context.Context, v *access.Viewer, a access.Action, ests []string) ([]Student, error) {
	all, err := studentsOf(ctx, o.q, ests)
	if err != nil || len(all) == 0 {
		return nil, err
	}
	ids := make([]string, len(all))
	for i, st := range all {
		ids[i] = st.ID
	}
	ok, err := v.VisibleStudents(ctx, a, ids)
	if err != nil {
		return nil, err
	}
	var out []Student
	for _, st := range all {
		if ok[st.ID] {
			out = append(out, st)
		}
	}
	return out, nil
}

// protagonistProblems checks that the protagonists are students of est
// whom the viewer manages: a forged one is a problem on its line, and a
// refusal to audit.
func (o op) protagonistProblems(ctx context.Context, v *access.Viewer, est string, in IncidentInput, c cleanIncident) (check.Problems, []*access.Denied, error) {
	if len(c.protagonists) == 0 {
		return nil, nil, nil
	}
	ids := make([]string, len(c.protagonists))
	for i, p := range c.protagonists {
		ids[i] = p.StudentID
	}
	ok, err := v.VisibleStudents(ctx, access.ManageSchoolLife, ids)
	if err != nil {
		return nil, nil, err
	}
	here, err := studentsOf(ctx, o.q, []string{est})
	if err != nil {
		return nil, nil, err
	}
	ofEst := map[string]bool{}
	for _, st := range here {
		ofEst[st.ID] = true
	}
	var ps check.Problems
	var refusals []*access.Denied
	for i, p := range in.Protagonists {
		id := strings.TrimSpace(p.StudentID)
		if id == "" || !slices.ContainsFunc(c.protagonists, func(x ProtagonistInput) bool { return x.StudentID == id }) {
			continue
		}
		if !ok[id] || !ofEst[id] {
			ps.Add(fmt.Sprintf("protagonists.%d", i), "unknown-student", id)
			refusals = append(refusals, &access.Denied{Action: access.ManageSchoolLife, Resource: access.Person(id),
				Reason: "protagonist not a student of the establishment"})
		}
	}
	return ps, refusals, nil
}

// fields are what the history records of an incident.
func (c cleanIncident) fields(processed bool) map[string]string {
	var ps []string
	for _, p := range c.protagonists {
		ps = append(ps, p.Role+":"+p.StudentID)
	}
	slices.Sort(ps)
	return map[string]string{"occurred_on": c.on, "occurred_at": fmt.Sprintf("%02d:%02d", c.at/60, c.at%60), "place": c.place,
		"incident_kind": c.kind, "seriousness": strconv.Itoa(c.seriousness), "description": c.description,
		"processed": strconv.FormatBool(processed), "protagonists": strings.Join(ps, " ")}
}

// RecordIncident records an incident of in.EstablishmentID with its
// protagonists (school life: CPE, head, deputy). Problems, forged
// students among them (*Rejected), change nothing. It returns its ID.
func (s *Service) RecordIncident(ctx context.Context, v *access.Viewer, in IncidentInput) (string, error) {
	id, write, err := s.op().saveIncident(ctx, v, "", in)
	if err != nil {
		return "", err
	}
	return id, s.DB.Tx(ctx, func(tx *db.Tx) error { return write(tx) })
}

// RecordIncidentIn is RecordIncident inside the caller's transaction q,
// at.Now, with identifiers from at.ID (the demo).
func RecordIncidentIn(ctx context.Context, v *access.Viewer, q db.Querier, in IncidentInput, at Stamp) (string, error) {
	id, write, err := op{q: q, now: at.Now, ids: at.ID}.saveIncident(ctx, v, "", in)
	if err != nil {
		return "", err
	}
	return id, write(q)
}

// EditIncident changes an incident: its facts, protagonists, processed.
func (s *Service) EditIncident(ctx context.Context, v *access.Viewer, id string, in IncidentInput) error {
	_, write, err := s.op().saveIncident(ctx, v, id, in)
	if err != nil {
		return err
	}
	return s.DB.Tx(ctx, func(tx *db.Tx) error { return write(tx) })
}

func (o op) saveIncident(ctx context.Context, v *access.Viewer, id string, in IncidentInput) (string, func(db.Querier) error, error) {
	var was *Incident
	if id != "" {
		i, err := incidentByID(ctx, o.q, id)
		if errors.Is(err, errNotFound) {
			return "", nil, access.Refuse(access.ManageSchoolLife, incidentResource(id), "no such incident")
		}
		if err != nil {
			return "", nil, err
		}
		was, in.EstablishmentID = &i, i.EstablishmentID
	}
	if in.EstablishmentID == "" {
		return "", nil, access.Refuse(access.ManageSchoolLife, access.Establishment(""), "no establishment")
	}
	if err := v.Can(ctx, access.ManageSchoolLife, access.Establishment(in.EstablishmentID)); err != nil {
		return "", nil, err
	}
	y, err := schoolYear(ctx, o.q, in.EstablishmentID, o.today())
	if err != nil && !errors.Is(err, errNotFound) {
		return "", nil, err
	}
	c, ps := checkIncident(in, y)
	pp, refusals, err := o.protagonistProblems(ctx, v, in.EstablishmentID, in, c)
	if err != nil {
		return "", nil, err
	}
	ps = append(ps, pp...)
	if len(refusals) > 0 {
		return "", nil, &Rejected{Problems: ps, Refusals: refusals}
	}
	if len(ps) > 0 {
		return "", nil, ps
	}
	now := o.now.Unix()
	create := was == nil
	if create {
		id = o.newID()
	}
	return id, func(q db.Querier) error {
		var before map[string]string
		after := c.fields(in.Processed)
		if was != nil {
			old := cleanIncident{on: was.OccurredOn, at: was.OccurredMin, place: was.Place, kind: was.Kind,
				seriousness: was.Seriousness, description: was.Description}
			for _, p := range was.Protagonists {
				old.protagonists = append(old.protagonists, ProtagonistInput{StudentID: p.ID, Role: p.Role})
			}
			before, after = diff(old.fields(was.Processed), after)
			if len(before) == 0 && len(after) == 0 {
				return nil
			}
		}
		if err := saveIncident(ctx, q, id, in.EstablishmentID, v.ID, c, in.Processed, create, now); err != nil {
			return err
		}
		return record(ctx, q, v, in.EstablishmentID, "", "incident:"+id, now, before, after)
	}, nil
}

// IncidentPage is an incident with its form.
type IncidentPage struct {
	IncidentForm
	Incident Incident
}

// Incident reads an incident, its protagonists and the punishments and
// sanctions that follow it (school life).
func (s *Service) Incident(ctx context.Context, v *access.Viewer, id string) (IncidentPage, error) {
	i, err := incidentByID(ctx, s.DB, id)
	if errors.Is(err, errNotFound) {
		return IncidentPage{}, access.Refuse(access.ReadSchoolLife, incidentResource(id), "no such incident")
	}
	if err != nil {
		return IncidentPage{}, err
	}
	if err := v.Can(ctx, access.ManageSchoolLife, access.Establishment(i.EstablishmentID)); err != nil {
		return IncidentPage{}, err
	}
	ps, err := punishmentsWhere(ctx, s.DB, 0, `p.incident_id = ?`, id)
	if err != nil {
		return IncidentPage{}, err
	}
	for _, p := range ps {
		i.Punishments = append(i.Punishments, p.StaffPunishment)
	}
	ss, err := sanctionsWhere(ctx, s.DB, s.today(), `s.incident_id = ?`, id)
	if err != nil {
		return IncidentPage{}, err
	}
	for _, x := range ss {
		i.Sanctions = append(i.Sanctions, x.StaffSanction)
	}
	ids := make([]string, len(i.Protagonists))
	for k, p := range i.Protagonists {
		ids[k] = p.ID
	}
	punish, err := v.VisibleStudents(ctx, access.GivePunishment, ids)
	if err != nil {
		return IncidentPage{}, err
	}
	decide, err := v.VisibleStudents(ctx, access.DecideSanction, ids)
	if err != nil {
		return IncidentPage{}, err
	}
	for k := range i.Protagonists {
		i.Protagonists[k].MayPunish, i.Protagonists[k].MayDecide = punish[ids[k]], decide[ids[k]]
	}
	form, err := s.incidentForm(ctx, v, i.EstablishmentID)
	if err != nil {
		return IncidentPage{}, err
	}
	out := IncidentPage{IncidentForm: form, Incident: i}
	out.IncidentForm.Incident = &out.Incident
	return out, nil
}
