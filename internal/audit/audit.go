// Package audit keeps the append-only trail of security events: sign-in
// success and failure, sign-out, refused access. An event names people by
// identifier only; it never holds a password, a name or personal content.
// Nothing in the application updates or deletes an event; only the
// retention purge (logs are kept 6 months to 1 year) removes old ones.
package audit

import (
	"context"
	"log/slog"
	"time"

	"cartable/internal/db"
)

// Actions.
const (
	SignIn        = "sign-in"
	SignOut       = "sign-out"
	AccessRefused = "access-refused"
)

// Outcomes.
const (
	Success = "success"
	Failure = "failure"
	Denied  = "denied"
)

// Event is one line of the trail.
type Event struct {
	ID              int64
	At              time.Time // UTC
	ActorID         string    // person ID, empty when unknown (failed sign-in)
	EstablishmentID string
	Action          string
	Target          string // resource, e.g. "person:abc…" — an identifier, never a name
	Outcome         string
	SourceIP        string
}

// Record appends an event. A failure to write the trail is logged (without
// the event's content) and returned.
func Record(ctx context.Context, q db.Querier, e Event) error {
	if e.At.IsZero() {
		e.At = time.Now()
	}
	_, err := q.Exec(ctx, `INSERT INTO audit_events (at, actor_id, establishment_id, action, target, outcome, source_ip)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, e.At.UTC().Unix(), e.ActorID, e.EstablishmentID, e.Action, e.Target, e.Outcome, e.SourceIP)
	if err != nil {
		slog.Error("audit: cannot record event", "action", e.Action, "err", err)
	}
	return err
}

// Filter selects events; empty fields match everything.
type Filter struct {
	ActorID string
	Action  string
	Limit   int // default 100
}

// List returns matching events, newest first.
func List(ctx context.Context, q db.Querier, f Filter) ([]Event, error) {
	if f.Limit <= 0 {
		f.Limit = 100
	}
	rows, err := q.Query(ctx, `SELECT id, at, actor_id, establishment_id, action, target, outcome, source_ip FROM audit_events
		WHERE (? = '' OR actor_id = ?) AND (? = '' OR action = ?) ORDER BY id DESC LIMIT ?`,
		f.ActorID, f.ActorID, f.Action, f.Action, f.Limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Event
	for rows.Next() {
		var e Event
		var at int64
		if err := rows.Scan(&e.ID, &at, &e.ActorID, &e.EstablishmentID, &e.Action, &e.Target, &e.Outcome, &e.SourceIP); err != nil {
			return nil, err
		}
		e.At = time.Unix(at, 0).UTC()
		out = append(out, e)
	}
	return out, rows.Err()
}
