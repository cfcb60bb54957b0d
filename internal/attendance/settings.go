package attendance

import (
	"context"
	"database/sql"
	"errors"

	"cartable/internal/db"
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
