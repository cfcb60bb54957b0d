package news

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"time"

	"cartable/internal/access"
	"cartable/internal/audit"
	"cartable/internal/check"
	"cartable/internal/db"
	"cartable/internal/files"
	"cartable/internal/notify"
	"cartable/internal/timetable"
)

// Audited actions of news (internal/audit): identifiers only.
const (
	AuditEdited    = "news-edited"    // a news item's text, window or deadline changed
	AuditAskAgain  = "news-ask-again" // … and its acknowledgement asked again
	AuditWithdrawn = "news-withdrawn" // a published news item withdrawn, or a draft deleted
)

// Edit is the form of a news item being changed: its text, window and
// acknowledgement (the audience, resolved at publication, stays). AskAgain
// asks every recipient to acknowledge again; Remove names attachments to
// take off; Attachments adds files.
type Edit struct {
	Title       string
	Body        string
	From        string
	Until       string
	AckRequired bool
	AckBy       string
	AskAgain    bool
	Remove      []string
	Attachments []Upload
}

// EditOf returns the form of news item id as it stands, for its author
// (who may still publish to its audience); a withdrawn news, someone
// else's, an unknown id: a refusal.
func (s *Service) EditOf(ctx context.Context, v *access.Viewer, id string) (News, Edit, error) {
	n, err := s.editable(ctx, v, id)
	if err != nil {
		return n, Edit{}, err
	}
	e := Edit{Title: n.Title, Body: n.Body, From: dayOf(n.From), AckRequired: n.AckRequired}
	if !n.Until.IsZero() {
		e.Until = dayOf(n.Until.AddDate(0, 0, -1))
	}
	if !n.AckDeadline.IsZero() {
		e.AckBy = dayOf(n.AckDeadline.AddDate(0, 0, -1))
	}
	return n, e, nil
}

func dayOf(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(timetable.Paris).Format(timetable.DateFormat)
}

// editable returns news item id for its author, not withdrawn, who may
// still publish to each of its targets (asked of the policy again).
func (s *Service) editable(ctx context.Context, v *access.Viewer, id string) (News, error) {
	n, err := newsByID(ctx, s.DB, id)
	if errors.Is(err, errNotFound) || (err == nil && (v == nil || v.IsSystem() || n.AuthorID != v.ID || n.Withdrawn())) {
		return News{}, access.Refuse(access.PublishNews, access.Person(""), "not a news item of the viewer's that may change")
	}
	if err != nil {
		return News{}, err
	}
	if err := s.mayPublish(ctx, v, s.DB, n.EstablishmentID, n.Targets); err != nil {
		return News{}, err
	}
	if n.Attachments, err = attachmentsOf(ctx, s.DB, id); err != nil {
		return News{}, err
	}
	return n, nil
}

// Change applies an edit to news item id by its author, in one
// transaction, audited. A correction keeps the acknowledgements; with
// AskAgain (or when an acknowledgement is newly required of a published
// news) the acknowledgements given are moved to the history
// (news_ack_history, kept for the author's records), every recipient
// acknowledges again and is told by a "news-changed" notice. Faults come
// back as check.Problems, nothing changed; anyone else: a refusal.
func (s *Service) Change(ctx context.Context, v *access.Viewer, id string, e Edit) error {
	now := s.now()
	n, err := s.editable(ctx, v, id)
	if err != nil {
		return err
	}
	in := Input{Establishment: n.EstablishmentID, Title: e.Title, Body: e.Body, ClassStudents: n.ClassStudents, ClassFamilies: n.ClassFamilies,
		From: e.From, Until: e.Until, AckRequired: e.AckRequired, AckBy: e.AckBy}
	for _, t := range n.Targets {
		in.Targets = append(in.Targets, t.Key())
	}
	keepFrom := e.From == dayOf(n.From) || (e.From == "" && !n.Draft && !n.From.After(now))
	keepAck := e.AckRequired && n.AckRequired && e.AckBy == dayOf(n.AckDeadline.AddDate(0, 0, -1))
	if keepFrom {
		in.From = ""
	}
	c, ps := checkInput(in, now)
	if keepFrom {
		c.from = n.From
	} else if !n.Draft && !n.From.After(now) {
		ps.Add("from", "shown-already", e.From) // a news shown already is not hidden again until a later day
	}
	if keepAck {
		ps = slices.DeleteFunc(ps, func(p check.Problem) bool { return p.Field == "ackby" && p.Code == "past" })
		c.ackBy = n.AckDeadline
	}
	if !c.until.IsZero() && !c.until.After(c.from) && !ps.Has("until") {
		ps.Add("until", "before-from", e.Until)
	}
	askAgain := !n.Draft && c.AckRequired && (e.AskAgain || !n.AckRequired)
	if e.AskAgain && !c.AckRequired {
		ps.Add("askagain", "no-ack", "")
	}
	var remove []string
	for _, f := range e.Remove {
		if slices.ContainsFunc(n.Attachments, func(a Attachment) bool { return a.ID == f }) && !slices.Contains(remove, f) {
			remove = append(remove, f)
		}
	}
	if len(ps) > 0 {
		return ps
	}
	var saved []files.File
	var erase []string
	err = s.DB.Tx(ctx, func(tx *db.Tx) error {
		edited := int64(0)
		if !n.Draft {
			edited = now.Unix()
		}
		reset := ""
		if !c.ackBy.Equal(n.AckDeadline) || askAgain {
			reset = ", auto_reminded = ''" // the automatic reminders follow the new deadline or round
		}
		res, err := tx.Exec(ctx, `UPDATE news SET title = ?, body = ?, visible_from = ?, visible_until = ?, ack_required = ?, ack_deadline = ?,
			edited_at = CASE WHEN ? = 0 THEN edited_at ELSE ? END`+reset+` WHERE id = ? AND withdrawn_at = 0`,
			c.Title, c.Body, stamp(c.from), stamp(c.until), c.AckRequired, stamp(c.ackBy), edited, edited, id)
		if err != nil {
			return err
		}
		if k, err := res.RowsAffected(); err != nil || k != 1 {
			if err == nil {
				err = access.Refuse(access.PublishNews, access.Person(""), "withdrawn meanwhile")
			}
			return err
		}
		if len(remove) > 0 {
			if _, err := tx.Exec(ctx, `DELETE FROM news_attachments WHERE news_id = ? AND `+db.In(tx, "file_id"), id, db.ListArg(tx, remove)); err != nil {
				return err
			}
			if erase, err = files.DeleteRecords(ctx, tx, remove); err != nil {
				return err
			}
		}
		if saved, err = s.saveUploads(ctx, v, tx, n.EstablishmentID, len(n.Attachments)-len(remove), e.Attachments); err != nil {
			return err
		}
		if err := attach(ctx, tx, id, saved); err != nil {
			return err
		}
		if !n.Draft && !c.from.Equal(n.From) {
			// The news's notices not delivered yet wait for its new first day.
			people, err := db.Strings(ctx, tx, `SELECT person_id FROM news_recipients WHERE news_id = ?`, id)
			if err != nil {
				return err
			}
			if err := notify.Postpone(ctx, v, tx, people, NoticeNews+"/"+id, c.from); err != nil {
				return err
			}
		}
		if err := audit.Record(ctx, tx, audit.Event{ActorID: v.ID, EstablishmentID: n.EstablishmentID, Action: AuditEdited,
			Target: "news:" + id, Outcome: audit.Success, At: now}); err != nil {
			return err
		}
		if !askAgain {
			return nil
		}
		n.Title = c.Title
		n.From = c.from
		return askAgainIn(ctx, v, tx, n, now)
	})
	if err != nil {
		if s.Files != nil {
			s.discard(ctx, saved)
		}
		return err
	}
	if len(erase) > 0 && s.Files != nil {
		s.Files.Erase(ctx, s.DB, erase...) // a failure leaves them queued for the server's erasure
	}
	return nil
}

// askAgainIn opens a new round of acknowledgement: the acknowledgements
// given move to the history, every recipient acknowledges (and reads)
// again, each is told.
func askAgainIn(ctx context.Context, v *access.Viewer, q db.Querier, n News, now time.Time) error {
	if _, err := q.Exec(ctx, `INSERT INTO news_ack_history (news_id, person_id, round, read_at, acked_at)
		SELECT news_id, person_id, ?, read_at, acked_at FROM news_recipients WHERE news_id = ? AND acked_at > 0`, n.AckRound, n.ID); err != nil {
		return err
	}
	if _, err := q.Exec(ctx, `UPDATE news_recipients SET acked_at = 0, read_at = 0 WHERE news_id = ?`, n.ID); err != nil {
		return err
	}
	round := n.AckRound + 1
	if _, err := q.Exec(ctx, `UPDATE news SET ack_round = ?, round_since = ? WHERE id = ?`, round, now.Unix(), n.ID); err != nil {
		return err
	}
	people, err := db.Strings(ctx, q, `SELECT person_id FROM news_recipients WHERE news_id = ? ORDER BY person_id`, n.ID)
	if err != nil {
		return err
	}
	for _, p := range people {
		if _, err := notify.Queue(ctx, v, q, notify.Notice{Establishment: n.EstablishmentID, Recipient: p, Kind: NoticeChanged,
			Key: NoticeChanged + "/" + n.ID + "/" + strconv.Itoa(round), Link: "/news/" + n.ID, Args: map[string]string{"title": n.Title},
			NotBefore: n.From}); err != nil {
			return err
		}
	}
	return audit.Record(ctx, q, audit.Event{ActorID: v.ID, EstablishmentID: n.EstablishmentID, Action: AuditAskAgain,
		Target: "news:" + n.ID, Outcome: audit.Success, At: now})
}

// Withdraw takes a news item away, audited. A published news: its author,
// or the head or deputy who follow its establishment's news, withdraws it;
// its recipients no longer see it nor its attachments, its notices are
// retracted, and the author and followers keep its tracking (who read and
// acknowledged) and attachments for their records. A draft: its author
// deletes it with its attachments. Anyone else, one withdrawn already, an
// unknown id: a refusal. Without confirmed, nothing is done and the
// problem is on the field "confirm". It tells whether a draft was deleted.
func (s *Service) Withdraw(ctx context.Context, v *access.Viewer, id string, confirmed bool) (bool, error) {
	now := s.now()
	n, err := s.followed(ctx, v, id)
	if err != nil {
		return false, err
	}
	if v.IsSystem() || n.Withdrawn() {
		return false, access.Refuse(access.FollowNews, access.Person(""), "withdrawn already")
	}
	if !confirmed {
		return false, check.Problems{{Field: "confirm", Code: "required"}}
	}
	var erase []string
	err = s.DB.Tx(ctx, func(tx *db.Tx) error {
		if n.Draft {
			fs, err := db.Strings(ctx, tx, `SELECT file_id FROM news_attachments WHERE news_id = ?`, id)
			if err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `DELETE FROM news WHERE id = ? AND draft`, id); err != nil {
				return err
			}
			if erase, err = files.DeleteRecords(ctx, tx, fs); err != nil {
				return err
			}
		} else {
			res, err := tx.Exec(ctx, `UPDATE news SET withdrawn_at = ? WHERE id = ? AND withdrawn_at = 0`, now.Unix(), id)
			if err != nil {
				return err
			}
			if k, err := res.RowsAffected(); err != nil || k != 1 {
				if err == nil {
					err = access.Refuse(access.FollowNews, access.Person(""), "withdrawn meanwhile")
				}
				return err
			}
			people, err := db.Strings(ctx, tx, `SELECT person_id FROM news_recipients WHERE news_id = ?`, id)
			if err != nil {
				return err
			}
			if _, err := notify.Retract(ctx, v, tx, people, NoticeNews+"/"+id, NoticeReminder+"/"+id, NoticeChanged+"/"+id); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, audit.Event{ActorID: v.ID, EstablishmentID: n.EstablishmentID, Action: AuditWithdrawn,
			Target: "news:" + id, Outcome: audit.Success, At: now})
	})
	if err == nil && len(erase) > 0 && s.Files != nil {
		s.Files.Erase(ctx, s.DB, erase...)
	}
	return n.Draft && err == nil, err
}
