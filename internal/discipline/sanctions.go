package discipline

import (
	"context"
	"errors"
	"strconv"

	"cartable/internal/access"
	"cartable/internal/db"
)

// sanctionResource names a sanction in refusals.
func sanctionResource(id string) access.Resource { return access.Resource{Kind: "sanction", ID: id} }

// SanctionForm is what the sanction form offers for one student.
type SanctionForm struct {
	Student  Student
	Year     Year
	Today    string
	Incident string
}

// NewSanction prepares the sanction form: the head only (R511-13).
func (s *Service) NewSanction(ctx context.Context, v *access.Viewer, studentID string) (SanctionForm, error) {
	f, err := s.student(ctx, v, access.DecideSanction, studentID)
	if err != nil {
		return SanctionForm{}, err
	}
	out := SanctionForm{Student: f.Student, Today: s.today()}
	if out.Year, err = schoolYear(ctx, s.DB, f.establishment, out.Today); err != nil && !errors.Is(err, errNotFound) {
		return out, err
	}
	return out, nil
}

// fields are what the history records of a sanction.
func (c cleanSanction) fields() map[string]string {
	m := map[string]string{"kind": c.kind, "decided_on": c.decided, "reason": c.reason, "suspension": c.suspension,
		"removal_on": c.removal}
	if c.hours > 0 {
		m["hours"] = strconv.Itoa(c.hours)
	}
	if c.days > 0 {
		m["days"] = strconv.Itoa(c.days)
	}
	for k, v := range map[string]string{"starts_on": c.starts, "service": c.service, "suspended_until": c.until} {
		if v != "" {
			m[k] = v
		}
	}
	if c.kind == PermanentExclusion {
		m["board_on"] = c.decided
	}
	if c.units > 0 {
		m["suspended_units"] = strconv.Itoa(c.units)
	}
	return m
}

// Decide records a sanction the head pronounces (the disciplinary board's
// decision for a permanent exclusion), computes the day it leaves the
// record, and tells the student's legal guardians, in one transaction.
// in.IncidentID, when not "", is the incident it follows. Limits and the
// suspension's period are checked (CheckSanction): problems change nothing.
func (s *Service) Decide(ctx context.Context, v *access.Viewer, in SanctionInput) (string, error) {
	id, write, err := s.op().decide(ctx, v, in)
	if err != nil {
		return "", err
	}
	return id, s.DB.Tx(ctx, func(tx *db.Tx) error { return write(tx) })
}

// DecideIn is Decide inside the caller's transaction q, at.Now, with identifiers from at.ID (the demo).
func DecideIn(ctx context.Context, v *access.Viewer, q db.Querier, in SanctionInput, at Stamp) (string, error) {
	id, write, err := op{q: q, now: at.Now, ids: at.ID}.decide(ctx, v, in)
	if err != nil {
		return "", err
	}
	return id, write(q)
}

func (o op) decide(ctx context.Context, v *access.Viewer, in SanctionInput) (string, func(db.Querier) error, error) {
	f, err := o.student(ctx, v, access.DecideSanction, in.StudentID)
	if err != nil {
		return "", nil, err
	}
	if err := o.incidentOf(ctx, v, in.IncidentID, f.establishment); err != nil {
		return "", nil, err
	}
	today := o.today()
	day := in.DecidedOn
	if _, err := timeOf(day); err != nil {
		day = today
	}
	y, err := schoolYear(ctx, o.q, f.establishment, day)
	if err != nil && !errors.Is(err, errNotFound) {
		return "", nil, err
	}
	c, ps := checkSanction(in, y, today)
	if len(ps) > 0 {
		return "", nil, ps
	}
	id := o.newID()
	now := o.now.Unix()
	return id, func(q db.Querier) error {
		if err := insertSanction(ctx, q, id, f.establishment, f.ID, v.ID, in.IncidentID, c, now); err != nil {
			return err
		}
		after := c.fields()
		if in.IncidentID != "" {
			after["incident"] = in.IncidentID
		}
		if err := record(ctx, q, v, f.establishment, f.ID, "sanction:"+id, now, nil, after); err != nil {
			return err
		}
		return tell(ctx, v, q, f, "sanction", "sanction/"+id, map[string]string{"kind": c.kind, "date": c.decided})
	}, nil
}

// Revoke records the revocation of a sanction's suspension, a later
// decision of the head (of the disciplinary board for a permanent
// exclusion, R511-13-1 II), within the period set, and tells the family.
func (s *Service) Revoke(ctx context.Context, v *access.Viewer, id string, in RevocationInput) error {
	today := s.today()
	r, err := sanctionByID(ctx, s.DB, id, today)
	if errors.Is(err, errNotFound) {
		return access.Refuse(access.DecideSanction, sanctionResource(id), "no such sanction in the record")
	}
	if err != nil {
		return err
	}
	if err := v.Can(ctx, access.DecideSanction, access.Person(r.Student.ID)); err != nil {
		return err
	}
	if ps := CheckRevocation(in, r.Sanction, today); len(ps) > 0 {
		return ps
	}
	f := studentFacts{Student: r.Student, establishment: r.establishment}
	now := s.now().Unix()
	return s.DB.Tx(ctx, func(tx *db.Tx) error {
		if err := revokeSanction(ctx, tx, id, in.RevokedOn, trim(in.Reason), v.ID, now); err != nil {
			return err
		}
		if err := record(ctx, tx, v, r.establishment, r.Student.ID, "sanction:"+id, now, map[string]string{"revoked_on": ""},
			map[string]string{"revoked_on": in.RevokedOn, "revocation_reason": trim(in.Reason)}); err != nil {
			return err
		}
		return tell(ctx, v, tx, f, "sanction", "sanction/"+id+"/revoked", map[string]string{"kind": r.Kind, "date": in.RevokedOn})
	})
}
