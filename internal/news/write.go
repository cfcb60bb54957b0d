package news

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"time"

	"cartable/internal/access"
	"cartable/internal/db"
	"cartable/internal/files"
	"cartable/internal/ids"
	"cartable/internal/notify"
	"cartable/internal/timetable"
)

// ErrRemindedToday: the one reminder of the day was sent already.
var ErrRemindedToday = errors.New("news: reminded today already")

// Create writes a news item by the viewer, kept as a draft or published at
// once (in.Publish). The viewer must publish to every target: a teacher to
// the classes and groups they teach, the head, deputy and CPE to their
// whole establishment; a target they may not address is a refusal and
// nothing is written. What is at fault in the form comes back as
// check.Problems, nothing written.
func (s *Service) Create(ctx context.Context, v *access.Viewer, in Input) (string, error) {
	now := s.now()
	c, ps := checkInput(in, now)
	if in.Establishment == "" {
		var err error
		if in.Establishment, err = s.establishmentOf(ctx, v, c.targets); err != nil {
			return "", err
		}
		c.Establishment = in.Establishment
	}
	if in.Establishment == "" {
		if len(ps) > 0 {
			return "", ps // no audience chosen yet: say so
		}
		return "", access.Refuse(access.PublishNews, access.Establishment(""), "no establishment")
	}
	if err := s.mayPublish(ctx, v, s.DB, in.Establishment, c.targets); err != nil {
		return "", err
	}
	if len(ps) > 0 {
		return "", ps
	}
	id := ids.For(ctx)
	var saved []files.File
	err := s.DB.Tx(ctx, func(tx *db.Tx) error {
		if err := createIn(ctx, v, tx, id, v.ID, c, now); err != nil {
			return err
		}
		var err error
		if saved, err = s.saveUploads(ctx, v, tx, in.Establishment, 0, in.Attachments); err != nil {
			return err
		}
		return attach(ctx, tx, id, saved)
	})
	if err != nil {
		if s.Files != nil {
			s.discard(ctx, saved)
		}
		return "", err
	}
	return id, nil
}

// establishmentOf finds the establishment of a news whose form named
// none: that of its first class or group, else the viewer's only
// establishment where they address everyone.
func (s *Service) establishmentOf(ctx context.Context, v *access.Viewer, ts []Target) (string, error) {
	for _, t := range ts {
		if t.Kind == TargetClass || t.Kind == TargetGroup {
			table := "classes"
			if t.Kind == TargetGroup {
				table = "groups"
			}
			var est string
			err := s.DB.QueryRow(ctx, `SELECT establishment_id FROM `+table+` WHERE id = ?`, t.ID).Scan(&est)
			if errors.Is(err, sql.ErrNoRows) {
				return "", nil
			}
			return est, err
		}
	}
	var found []string
	for _, e := range v.Establishments {
		ok, err := v.May(ctx, access.PublishNews, access.Establishment(e))
		if err != nil {
			return "", err
		}
		if ok {
			found = append(found, e)
		}
	}
	if len(found) == 1 {
		return found[0], nil
	}
	return "", nil
}

// mayPublish asks the policy for each target and names the classes and
// groups (which must belong to est).
func (s *Service) mayPublish(ctx context.Context, v *access.Viewer, q db.Querier, est string, ts []Target) error {
	for i, t := range ts {
		var r access.Resource
		switch t.Kind {
		case TargetClass:
			r = access.Class(t.ID)
		case TargetGroup:
			r = access.Group(t.ID)
		default:
			r = access.Establishment(est)
		}
		if err := v.Can(ctx, access.PublishNews, r); err != nil {
			return err
		}
		if t.Kind == TargetClass || t.Kind == TargetGroup {
			name, err := structureName(ctx, q, t.Kind, t.ID, est)
			if err != nil {
				return err
			}
			if name == "" {
				return access.Refuse(access.PublishNews, r, "not of the news's establishment")
			}
			ts[i].Name = name
		}
	}
	return nil
}

// CreateIn writes a news item as given inside the caller's transaction, for
// the system's own work (the demo generator): author names the writer, at
// the instant now. A person is refused: pages call Create.
func CreateIn(ctx context.Context, v *access.Viewer, tx *db.Tx, id, author string, in Input, now time.Time) error {
	if !v.IsSystem() {
		return access.Refuse(access.PublishNews, access.Person(author), "written in a transaction by the system only")
	}
	c, ps := checkInput(in, now)
	if len(ps) > 0 {
		return ps
	}
	s := &Service{}
	if err := s.mayPublish(ctx, v, tx, in.Establishment, c.targets); err != nil {
		return err
	}
	return createIn(ctx, v, tx, id, author, c, now)
}

func createIn(ctx context.Context, v *access.Viewer, q db.Querier, id, author string, c checked, now time.Time) error {
	n := News{ID: id, EstablishmentID: c.Establishment, AuthorID: author, Title: c.Title, Body: c.Body, Targets: c.targets,
		ClassStudents: c.ClassStudents, ClassFamilies: c.ClassFamilies, From: c.from, Until: c.until,
		AckRequired: c.AckRequired, AckDeadline: c.ackBy, Draft: true}
	if err := insertNews(ctx, q, n, now.Unix()); err != nil {
		return err
	}
	if !c.Publish {
		return nil
	}
	_, err := publishIn(ctx, v, q, n, now)
	return err
}

// Publish publishes a draft of the viewer's: its audience, asked of the
// policy again, is resolved into its recipients, each told by a "news"
// notice. Someone else's news, one already published, an unknown id: a
// refusal. It returns the number of recipients.
func (s *Service) Publish(ctx context.Context, v *access.Viewer, id string) (int, error) {
	n, err := newsByID(ctx, s.DB, id)
	if errors.Is(err, errNotFound) || (err == nil && (n.AuthorID != v.ID || !n.Draft)) {
		return 0, access.Refuse(access.PublishNews, access.Person(""), "not a draft of the viewer's")
	}
	if err != nil {
		return 0, err
	}
	if err := s.mayPublish(ctx, v, s.DB, n.EstablishmentID, n.Targets); err != nil {
		return 0, err
	}
	var k int
	err = s.DB.Tx(ctx, func(tx *db.Tx) error {
		k, err = publishIn(ctx, v, tx, n, s.now())
		return err
	})
	return k, err
}

// publishIn resolves the audience into recipient rows and queues their
// notices, once: a news published already is left alone.
func publishIn(ctx context.Context, v *access.Viewer, q db.Querier, n News, now time.Time) (int, error) {
	res, err := q.Exec(ctx, `UPDATE news SET draft = FALSE, published_at = ?,
		visible_from = CASE WHEN visible_from < ? THEN ? ELSE visible_from END WHERE id = ? AND draft`, now.Unix(), now.Unix(), now.Unix(), n.ID)
	if err != nil {
		return 0, err
	}
	if k, err := res.RowsAffected(); err != nil || k != 1 {
		return 0, err
	}
	people, err := resolve(ctx, q, n.EstablishmentID, n.Targets, n.ClassStudents, n.ClassFamilies)
	if err != nil {
		return 0, err
	}
	args := map[string]string{"title": n.Title}
	if n.AckRequired {
		args["ack"] = "1"
	}
	for _, p := range people {
		if _, err := q.Exec(ctx, `INSERT INTO news_recipients (news_id, person_id) VALUES (?, ?)`, n.ID, p); err != nil {
			return 0, err
		}
		if _, err := notify.Queue(ctx, v, q, notify.Notice{Establishment: n.EstablishmentID, Recipient: p, Kind: NoticeNews,
			Key: NoticeNews + "/" + n.ID, Link: "/news/" + n.ID, Args: args, NotBefore: n.From}); err != nil {
			return 0, err
		}
	}
	return len(people), nil
}

// Acknowledge records that the viewer, a recipient of a news item that
// asks for it, has read and acknowledged it; again changes nothing and
// keeps the first instant. A relative acknowledges for themself. Anyone
// else, a news out of its window, an unknown id: a refusal. It returns
// whether this call acknowledged.
func (s *Service) Acknowledge(ctx context.Context, v *access.Viewer, id string) (bool, error) {
	now := s.now()
	r, err := s.received(ctx, v, id, now)
	if err != nil {
		return false, err
	}
	if !r.AckRequired {
		return false, access.Refuse(actAcknowledge, access.Person(""), "no acknowledgement asked")
	}
	var done bool
	err = s.DB.Tx(ctx, func(tx *db.Tx) error {
		var err error
		if done, err = AcknowledgeIn(ctx, v, tx, id, v.ID, now); err != nil {
			return err
		}
		return notify.MarkReadByKey(ctx, v, tx, NoticeNews+"/"+id, NoticeReminder+"/"+id, NoticeChanged+"/"+id)
	})
	return done, err
}

// AcknowledgeIn records person's acknowledgement in q: for Acknowledge and
// for the system's own work (the demo). A person acknowledges for
// themself only.
func AcknowledgeIn(ctx context.Context, v *access.Viewer, q db.Querier, id, person string, at time.Time) (bool, error) {
	if !v.IsSystem() && person != v.ID {
		return false, access.Refuse(actAcknowledge, access.Person(person), "one acknowledges for oneself only")
	}
	res, err := q.Exec(ctx, `UPDATE news_recipients SET acked_at = ?, read_at = CASE WHEN read_at = 0 THEN ? ELSE read_at END
		WHERE news_id = ? AND person_id = ? AND acked_at = 0`, at.Unix(), at.Unix(), id, person)
	if err != nil {
		return false, err
	}
	k, err := res.RowsAffected()
	return k == 1, err
}

// Remind queues a "news-reminder" notice to each recipient who has not
// acknowledged a news item, at most once a day (in Paris) per news: its
// author or whoever follows the establishment's news asks for it. A second
// reminder the same day is ErrRemindedToday. It returns the notices queued.
func (s *Service) Remind(ctx context.Context, v *access.Viewer, id string) (int, error) {
	now := s.now()
	n, err := s.followed(ctx, v, id)
	if err != nil {
		return 0, err
	}
	if n.Draft || !n.AckRequired || n.Withdrawn() {
		return 0, access.Refuse(access.PublishNews, access.Person(""), "nothing to remind")
	}
	day := now.In(timetable.Paris).Format(timetable.DateFormat)
	total := 0
	err = s.DB.Tx(ctx, func(tx *db.Tx) error {
		res, err := tx.Exec(ctx, `UPDATE news SET reminded_on = ? WHERE id = ? AND reminded_on <> ?`, day, id, day)
		if err != nil {
			return err
		}
		if k, err := res.RowsAffected(); err != nil || k != 1 {
			if err == nil {
				err = ErrRemindedToday
			}
			return err
		}
		rows, err := tx.Query(ctx, `SELECT person_id FROM news_recipients WHERE news_id = ? AND acked_at = 0 ORDER BY person_id`, id)
		if err != nil {
			return err
		}
		var people []string
		for rows.Next() {
			var p string
			if err := rows.Scan(&p); err != nil {
				rows.Close()
				return err
			}
			people = append(people, p)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, p := range people {
			queued, err := notify.Queue(ctx, v, tx, notify.Notice{Establishment: n.EstablishmentID, Recipient: p, Kind: NoticeReminder,
				Key: NoticeReminder + "/" + id + "/" + strconv.Itoa(n.AckRound) + "/" + day, Link: "/news/" + id, Args: map[string]string{"title": n.Title}})
			if err != nil {
				return err
			}
			if queued {
				total++
			}
		}
		return nil
	})
	return total, err
}
