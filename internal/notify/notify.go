// Package notify is the notification outbox: what a person is to be told
// (their child marked absent, a note to sign). A domain queues a notice in
// the same transaction as the change it announces, so that neither exists
// without the other; delivery (in the workspace, by e-mail, by web push:
// the communication work) reads the notices whose time has come. A notice
// holds the message's key and arguments, not its text: it is written in
// the recipient's language when it is delivered.
package notify

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"cartable/internal/access"
	"cartable/internal/db"
	"cartable/internal/ids"
)

// Notice is one thing to tell one person.
type Notice struct {
	Establishment string
	Recipient     string
	About         string            // the student it is about; "" for none
	Kind          string            // "absence", "lateness", "note"…: the message's catalog key
	Key           string            // one notice per recipient and key: "absence/STUDENT/2026-12-07/am"
	Args          map[string]string // what the message says (names, dates), rendered at delivery
	Link          string            // the local page it leads to
	NotBefore     time.Time         // not delivered earlier (an establishment's delay and hours)
}

// Item is a notice as its recipient reads it.
type Item struct {
	ID        string
	Kind      string
	About     string
	Args      map[string]string
	Link      string
	CreatedAt time.Time
	Read      bool
}

// Queue writes n in q, the transaction of the change it announces, as v
// (the domain that calls it has asked the policy for that change). It
// returns false when the recipient already has a notice with that key:
// writing the same news twice tells it once.
func Queue(ctx context.Context, v *access.Viewer, q db.Querier, n Notice) (bool, error) {
	if v.Actor() == "" {
		return false, access.Refuse("notify", access.Person(n.Recipient), "no viewer")
	}
	if n.Establishment == "" || n.Recipient == "" || n.Kind == "" || n.Key == "" {
		return false, errors.New("notify: a notice needs an establishment, a recipient, a kind and a key")
	}
	args, err := json.Marshal(n.Args)
	if err != nil {
		return false, err
	}
	now := time.Now().Unix()
	notBefore := n.NotBefore.Unix()
	if n.NotBefore.IsZero() {
		notBefore = now
	}
	var about any
	if n.About != "" {
		about = n.About
	}
	res, err := q.Exec(ctx, `INSERT INTO notifications (id, establishment_id, recipient_id, about_id, kind, dedupe_key, args, link, actor, created_at, not_before)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (recipient_id, dedupe_key) DO NOTHING`,
		ids.For(ctx), n.Establishment, n.Recipient, about, n.Kind, n.Key, string(args), n.Link, v.Actor(), now, notBefore)
	if err != nil {
		return false, err
	}
	k, err := res.RowsAffected()
	return k == 1, err
}

// Mine returns the viewer's latest notices whose time has come, newest
// first (at most limit).
func Mine(ctx context.Context, v *access.Viewer, q db.Querier, limit int) ([]Item, error) {
	if v == nil || v.IsSystem() || v.ID == "" {
		return nil, access.Refuse("notify", access.Person(""), "notices are read by their recipient")
	}
	return db.All(ctx, q, func(s db.Scanner) (Item, error) {
		var it Item
		var args string
		var created int64
		var read *int64
		err := s.Scan(&it.ID, &it.Kind, &it.About, &args, &it.Link, &created, &read)
		if err == nil {
			err = json.Unmarshal([]byte(args), &it.Args)
		}
		it.CreatedAt, it.Read = time.Unix(created, 0), read != nil
		return it, err
	}, `SELECT id, kind, COALESCE(about_id, ''), args, link, created_at, read_at FROM notifications
		WHERE recipient_id = ? AND not_before <= ? ORDER BY created_at DESC, id LIMIT ?`, v.ID, time.Now().Unix(), limit)
}

// Pending returns the notices queued for recipient and not sent yet,
// for the domain that queued them and its tests (the recipient's own
// reading is Mine). Only a system viewer asks.
func Pending(ctx context.Context, v *access.Viewer, q db.Querier, recipient string) ([]Notice, error) {
	if !v.IsSystem() {
		return nil, access.Refuse("notify", access.Person(recipient), "the outbox is read by the instance")
	}
	return db.All(ctx, q, func(s db.Scanner) (Notice, error) {
		var n Notice
		var args string
		var nb int64
		err := s.Scan(&n.Establishment, &n.Recipient, &n.About, &n.Kind, &n.Key, &args, &n.Link, &nb)
		if err == nil {
			err = json.Unmarshal([]byte(args), &n.Args)
		}
		n.NotBefore = time.Unix(nb, 0)
		return n, err
	}, `SELECT establishment_id, recipient_id, COALESCE(about_id, ''), kind, dedupe_key, args, link, not_before FROM notifications
		WHERE recipient_id = ? AND sent_at IS NULL ORDER BY created_at, id`, recipient)
}

// MarkRead records that the viewer has seen their notice id (someone
// else's, or an unknown one, is refused alike).
func MarkRead(ctx context.Context, v *access.Viewer, q db.Querier, id string) error {
	if v == nil || v.IsSystem() || v.ID == "" {
		return access.Refuse("notify", access.Person(""), "notices are read by their recipient")
	}
	res, err := q.Exec(ctx, `UPDATE notifications SET read_at = ? WHERE id = ? AND recipient_id = ? AND read_at IS NULL`, time.Now().Unix(), id, v.ID)
	if err != nil {
		return err
	}
	if k, _ := res.RowsAffected(); k == 0 {
		var x int
		if err := q.QueryRow(ctx, `SELECT 1 FROM notifications WHERE id = ? AND recipient_id = ?`, id, v.ID).Scan(&x); err != nil {
			return access.Refuse("notify", access.Person(v.ID), "no such notice")
		}
	}
	return nil
}

// Unread counts the viewer's notices whose time has come and that they
// have not marked read.
func Unread(ctx context.Context, v *access.Viewer, q db.Querier) (int, error) {
	if v == nil || v.IsSystem() || v.ID == "" {
		return 0, access.Refuse("notify", access.Person(""), "notices are read by their recipient")
	}
	var n int
	err := q.QueryRow(ctx, `SELECT COUNT(*) FROM notifications WHERE recipient_id = ? AND not_before <= ? AND read_at IS NULL`,
		v.ID, time.Now().Unix()).Scan(&n)
	return n, err
}

// MarkAllRead marks every notice of the viewer read (those delivered up
// to now).
func MarkAllRead(ctx context.Context, v *access.Viewer, q db.Querier) error {
	if v == nil || v.IsSystem() || v.ID == "" {
		return access.Refuse("notify", access.Person(""), "notices are read by their recipient")
	}
	now := time.Now().Unix()
	_, err := q.Exec(ctx, `UPDATE notifications SET read_at = ? WHERE recipient_id = ? AND not_before <= ? AND read_at IS NULL`, now, v.ID, now)
	return err
}

// Backlog counts the notices whose time has come and that no delivery has
// marked sent yet, for monitoring: a count, nothing about anyone.
func Backlog(ctx context.Context, q db.Querier) (int, error) {
	var n int
	err := q.QueryRow(ctx, `SELECT COUNT(*) FROM notifications WHERE sent_at IS NULL AND not_before <= ?`, time.Now().Unix()).Scan(&n)
	return n, err
}

// MarkReadByKey marks read the viewer's notices whose key is one of keys,
// or starts with one of them and a "/" (a note's reminders,
// "note-reminder/NOTE/DAY"): what the notice asked for is done (the note
// signed), so it no longer waits on the home page. Identifiers only.
func MarkReadByKey(ctx context.Context, v *access.Viewer, q db.Querier, keys ...string) error {
	if v == nil || v.IsSystem() || v.ID == "" {
		return access.Refuse("notify", access.Person(""), "notices are read by their recipient")
	}
	now := time.Now().Unix()
	for _, k := range keys {
		if _, err := q.Exec(ctx, `UPDATE notifications SET read_at = ? WHERE recipient_id = ? AND read_at IS NULL
			AND (dedupe_key = ? OR substr(dedupe_key, 1, ?) = ?)`, now, v.ID, k, len(k)+1, k+"/"); err != nil {
			return err
		}
	}
	return nil
}
