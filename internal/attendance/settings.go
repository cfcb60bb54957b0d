package attendance

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"cartable/internal/access"
	"cartable/internal/db"
	"cartable/internal/ids"
)

// Settings are an establishment's attendance settings (att_settings); an
// establishment without a row has the defaults.
type Settings struct {
	Unit         string // "half-day" (default), "hour" or "day"
	BoundaryMin  int    // minute of the day splitting morning and afternoon (750: 12:30)
	OpensBefore  int    // minutes before its lesson a register opens
	LateAfter    int    // minutes after the start a register not done is chased
	AlertDelay   int    // minutes between a mark and the alert to relatives
	AlertFrom    int    // alerts go out from this minute of the day…
	AlertUntil   int    // … until this one (later: the next morning)
	MaxAbsences  int    // thresholds since the start of the year: a task for school life
	MaxLateness  int
	MaxIncidents int
}

// DefaultSettings are those of an establishment that changed nothing.
var DefaultSettings = Settings{Unit: "half-day", BoundaryMin: 750, OpensBefore: 10, LateAfter: 15,
	AlertDelay: 0, AlertFrom: 420, AlertUntil: 1200, MaxAbsences: 5, MaxLateness: 3, MaxIncidents: 3}

// settingsOf reads est's settings (the defaults without a row).
func settingsOf(ctx context.Context, q db.Querier, est string) (Settings, error) {
	s := DefaultSettings
	err := q.QueryRow(ctx, `SELECT unit, boundary_min, opens_before_min, late_after_min, alert_delay_min, alert_from_min, alert_until_min,
		max_absences, max_lateness, max_incidents FROM att_settings WHERE establishment_id = ?`, est).Scan(&s.Unit, &s.BoundaryMin,
		&s.OpensBefore, &s.LateAfter, &s.AlertDelay, &s.AlertFrom, &s.AlertUntil, &s.MaxAbsences, &s.MaxLateness, &s.MaxIncidents)
	if errors.Is(err, sql.ErrNoRows) {
		return DefaultSettings, nil
	}
	return s, err
}

// SettingsPage is an establishment's settings and reasons, for school life.
type SettingsPage struct {
	Establishment string
	Settings      Settings
	Reasons       []Reason
}

// SettingsOf reads an establishment's settings and reasons (est "" for the
// viewer's own), for those who manage its school life. The default
// reasons are written the first time.
func (s *Service) SettingsOf(ctx context.Context, v *access.Viewer, est string) (SettingsPage, error) {
	var out SettingsPage
	est, err := managedEstablishment(ctx, v, access.ManageSchoolLife, est)
	if err != nil {
		return out, err
	}
	out.Establishment = est
	if out.Settings, err = settingsOf(ctx, s.DB, est); err != nil {
		return out, err
	}
	err = s.DB.Tx(ctx, func(tx *db.Tx) (err error) {
		out.Reasons, err = ensureReasons(ctx, tx, est)
		return err
	})
	return out, err
}

// SaveSettings writes an establishment's settings, for school life; the
// form's problems are returned and nothing is written.
func (s *Service) SaveSettings(ctx context.Context, v *access.Viewer, est string, in SettingsInput) error {
	if err := v.Can(ctx, access.ManageSchoolLife, access.Establishment(est)); err != nil {
		return err
	}
	n, ps := checkSettings(in)
	if len(ps) > 0 {
		return ps
	}
	_, err := s.DB.Exec(ctx, `INSERT INTO att_settings (establishment_id, unit, boundary_min, opens_before_min, late_after_min, alert_delay_min,
		alert_from_min, alert_until_min, max_absences, max_lateness, max_incidents, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (establishment_id) DO UPDATE SET unit = excluded.unit, boundary_min = excluded.boundary_min,
		opens_before_min = excluded.opens_before_min, late_after_min = excluded.late_after_min, alert_delay_min = excluded.alert_delay_min,
		alert_from_min = excluded.alert_from_min, alert_until_min = excluded.alert_until_min, max_absences = excluded.max_absences,
		max_lateness = excluded.max_lateness, max_incidents = excluded.max_incidents, updated_at = excluded.updated_at`,
		est, n.Unit, n.BoundaryMin, n.OpensBefore, n.LateAfter, n.AlertDelay, n.AlertFrom, n.AlertUntil, n.MaxAbsences, n.MaxLateness,
		n.MaxIncidents, s.now().Unix())
	return err
}

// SaveReason adds a reason to an establishment's list (id "") or changes
// one of its reasons, for school life. A reason is never deleted (past
// absences keep it): school life makes it inactive.
func (s *Service) SaveReason(ctx context.Context, v *access.Viewer, est, id string, in ReasonInput) error {
	if err := v.Can(ctx, access.ManageSchoolLife, access.Establishment(est)); err != nil {
		return err
	}
	r, ps := checkReason(in)
	return s.DB.Tx(ctx, func(tx *db.Tx) error {
		rs, err := ensureReasons(ctx, tx, est)
		if err != nil {
			return err
		}
		found := id == ""
		for _, x := range rs {
			if x.ID == id {
				found = true
			} else if strings.EqualFold(x.Label, r.Label) {
				ps.Add("label", "duplicate", r.Label)
			}
		}
		if !found {
			return access.Refuse(access.ManageSchoolLife, access.Resource{Kind: "reason", ID: id}, "no such reason in the establishment")
		}
		if len(ps) > 0 {
			return ps
		}
		if id == "" {
			if strings.TrimSpace(in.Position) == "" {
				r.Position = len(rs)
			}
			_, err = tx.Exec(ctx, `INSERT INTO att_reasons (id, establishment_id, label, legitimate, confidential, active, position)
				VALUES (?, ?, ?, ?, ?, ?, ?)`, ids.For(ctx), est, r.Label, r.Legitimate, r.Confidential, r.Active, r.Position)
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE att_reasons SET label = ?, legitimate = ?, confidential = ?, active = ?, position = ?
			WHERE id = ? AND establishment_id = ?`, r.Label, r.Legitimate, r.Confidential, r.Active, r.Position, id, est)
		return err
	})
}
