package timetable

import (
	"context"
	"errors"
	"sync"

	"cartable/internal/access"
	"cartable/internal/db"
)

// OccurrenceHooks are how another domain follows the occurrences of the
// lessons it refers to (the class log: entries written for a lesson,
// homework due at one). The timetable never touches those tables: when a
// change concerns them it calls the hooks, in its own transaction.
type OccurrenceHooks struct {
	// Name identifies the domain (tests and errors).
	Name string
	// Held counts what the domain holds on the occurrences of slot from
	// date since on. A change of day or week pattern that would leave any
	// of it off the lesson's occurrences is refused.
	Held func(ctx context.Context, tx *db.Tx, slot, since string) (int, error)
	// Moved moves what the domain holds on the occurrences of slot from
	// since on to slot to: a lesson changed after it began is split, the
	// new slot carrying the occurrences from that date.
	Moved func(ctx context.Context, tx *db.Tx, from, to, since string) error
}

var hooks struct {
	sync.Mutex
	list []OccurrenceHooks
}

// RegisterOccurrenceHooks adds a domain's hooks. A domain registers from
// its package's init, so that any binary linking it has them
// (docs/architecture.md, "Hooks").
func RegisterOccurrenceHooks(h OccurrenceHooks) {
	if h.Name == "" || h.Held == nil || h.Moved == nil {
		panic("timetable: occurrence hooks need a name, Held and Moved")
	}
	hooks.Lock()
	defer hooks.Unlock()
	for _, x := range hooks.list {
		if x.Name == h.Name {
			panic("timetable: occurrence hooks registered twice: " + h.Name)
		}
	}
	hooks.list = append(hooks.list, h)
}

// RegisteredHooks names the domains whose hooks are registered, for the
// composer's test that none is missing.
func RegisteredHooks() []string {
	hooks.Lock()
	defer hooks.Unlock()
	var out []string
	for _, h := range hooks.list {
		out = append(out, h.Name)
	}
	return out
}

func registered() []OccurrenceHooks {
	hooks.Lock()
	defer hooks.Unlock()
	return append([]OccurrenceHooks(nil), hooks.list...)
}

// heldFrom counts what refers to occurrences of a slot from a date on:
// the timetable's own changes and what the hooks count.
func heldFrom(ctx context.Context, tx *db.Tx, slot, since string) (int, error) {
	var n int
	if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM tt_changes WHERE slot_id = ? AND on_date >= ?`, slot, since).Scan(&n); err != nil {
		return 0, err
	}
	for _, h := range registered() {
		k, err := h.Held(ctx, tx, slot, since)
		if err != nil {
			return 0, err
		}
		n += k
	}
	return n, nil
}

// moveFrom hands the occurrences of slot from since on to slot to: the
// timetable's changes, then each hook's rows.
func moveFrom(ctx context.Context, tx *db.Tx, from, to, since string) error {
	if _, err := tx.Exec(ctx, `UPDATE tt_changes SET slot_id = ? WHERE slot_id = ? AND on_date >= ?`, to, from, since); err != nil {
		return err
	}
	for _, h := range registered() {
		if err := h.Moved(ctx, tx, from, to, since); err != nil {
			return err
		}
	}
	return nil
}

// The policy asks the timetable whether a lesson runs on a date (who may
// write its class log). The access package cannot import this one, which
// imports it: it is handed the reader here.
func init() { access.RegisterOccurrences(occurrenceFacts) }

func occurrenceFacts(ctx context.Context, q db.Querier, slot, date string) (*access.OccurrenceFacts, error) {
	l, err := lessonAt(ctx, q, slot, date)
	if errors.Is(err, errNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	f := &access.OccurrenceFacts{Establishment: l.Slot.EstablishmentID}
	for _, t := range l.Slot.Teachers {
		f.Teachers = append(f.Teachers, t.ID)
	}
	if l.Change != nil && l.Change.Replacement != nil {
		f.Replacement = l.Change.Replacement.ID
	}
	return f, nil
}
