package timetable

import (
	"context"
	"encoding/json"
	"time"

	"cartable/internal/access"
	"cartable/internal/db"
)

// The notification outbox: changes of the coming days, recorded in the
// transaction that makes them, for a notifier to deliver. Events hold
// identifiers only.

// Event kinds written to the outbox.
const EventLessonChanged = "lesson-changed"

func recordIfSoon(ctx context.Context, q db.Querier, est string, in ChangeInput, by string, now time.Time) error {
	today := now.In(Paris).Format(DateFormat)
	limit := addDays(now.In(Paris), NoticeDays).Format(DateFormat)
	soon := func(d string) bool { return d != "" && d >= today && d <= limit }
	if !soon(in.OnDate) && !soon(in.NewDate) {
		return nil
	}
	payload, _ := json.Marshal(map[string]any{
		"slot": in.SlotID, "date": in.OnDate, "cancelled": in.Cancelled, "reason": in.Reason,
		"new_date": in.NewDate, "new_start": in.NewStart, "room": in.NewRoomID, "replacement": in.ReplacementID,
		"test": in.TestPlanned, "by": by,
	})
	return recordEvent(ctx, q, est, EventLessonChanged, "lesson:"+in.SlotID+"/"+in.OnDate, string(payload), in.OnDate, now)
}

// recordEvent appends an event to the notification outbox.
func recordEvent(ctx context.Context, q db.Querier, est, kind, subject, payload, occursOn string, now time.Time) error {
	_, err := q.Exec(ctx, `INSERT INTO notification_outbox (establishment_id, kind, subject, payload, occurs_on, created_at)
		VALUES (?, ?, ?, ?, ?, ?)`, est, kind, subject, payload, occursOn, now.Unix())
	return err
}

// Event is a pending outbox event.
type Event struct {
	ID                                          int64
	EstablishmentID, Kind, Subject, Payload, On string
	CreatedAt                                   int64
}

// PendingEvents lists undelivered events, oldest first, to the notifier:
// a system viewer, since the outbox spans every establishment.
func PendingEvents(ctx context.Context, v *access.Viewer, q db.Querier, limit int) ([]Event, error) {
	if !v.IsSystem() {
		return nil, access.Refuse("read-outbox", access.Resource{Kind: "outbox"}, "the outbox is read by the notifier only")
	}
	return db.All(ctx, q, func(sc db.Scanner) (e Event, err error) {
		err = sc.Scan(&e.ID, &e.EstablishmentID, &e.Kind, &e.Subject, &e.Payload, &e.On, &e.CreatedAt)
		return
	}, `SELECT id, establishment_id, kind, subject, payload, occurs_on, created_at
		FROM notification_outbox WHERE delivered_at IS NULL ORDER BY id LIMIT ?`, limit)
}

// EventBacklog counts the undelivered events of the outbox, for
// monitoring: a count, nothing about anyone.
func EventBacklog(ctx context.Context, q db.Querier) (int, error) {
	var n int
	err := q.QueryRow(ctx, `SELECT COUNT(*) FROM notification_outbox WHERE delivered_at IS NULL`).Scan(&n)
	return n, err
}
