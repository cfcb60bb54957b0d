package news

import (
	"context"
	"database/sql"
	"encoding/csv"
	"errors"
	"io"
	"strings"
	"time"

	"cartable/internal/access"
	"cartable/internal/db"
	"cartable/internal/timetable"
)

// Labels of the refusals of a reader (no policy rule: a reader is whoever
// a recipient row names).
const (
	actRead        access.Action = "read-news"
	actAcknowledge access.Action = "acknowledge-news"
)

// visible is the window condition on n at the instant ?.
const visible = ` AND NOT n.draft AND n.withdrawn_at = 0 AND n.visible_from <= ? AND (n.visible_until = 0 OR n.visible_until > ?)`

// received returns the news id as the viewer, one of its recipients, sees
// it now; a refusal otherwise (not addressed, out of its window, unknown).
func (s *Service) received(ctx context.Context, v *access.Viewer, id string, now time.Time) (Received, error) {
	if v == nil || v.IsSystem() || v.ID == "" {
		return Received{}, access.Refuse(actRead, access.Person(""), "news are read by their recipients")
	}
	var r Received
	var read, acked int64
	n, err := scanNews(s.DB.QueryRow(ctx, `SELECT `+newsColumns+`, r.read_at, r.acked_at`+newsFrom+`
		JOIN news_recipients r ON r.news_id = n.id AND r.person_id = ? WHERE n.id = ?`+visible,
		v.ID, id, now.Unix(), now.Unix()), &read, &acked)
	if err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return r, access.Refuse(actRead, access.Person(""), "not a recipient of the news in its window")
		}
		return r, err
	}
	r.News, r.ReadAt, r.AckedAt = n, unix(read), unix(acked)
	return r, nil
}

// followed returns the news id for its author or whoever follows the
// news of its establishment (head, deputy); a refusal otherwise.
func (s *Service) followed(ctx context.Context, v *access.Viewer, id string) (News, error) {
	n, err := newsByID(ctx, s.DB, id)
	if errors.Is(err, errNotFound) {
		return n, access.Refuse(access.FollowNews, access.Person(""), "no such news")
	}
	if err != nil {
		return n, err
	}
	if v != nil && !v.IsSystem() && n.AuthorID == v.ID {
		return n, nil
	}
	if n.Draft && !v.IsSystem() {
		return News{}, access.Refuse(access.FollowNews, access.Person(""), "a draft is its author's")
	}
	if err := v.Can(ctx, access.FollowNews, access.Establishment(n.EstablishmentID)); err != nil {
		return News{}, err
	}
	return n, nil
}

// View returns the news id for the viewer: its tracking for its author
// (and the head and deputy), the news for a recipient within its window
// (marked read at the first opening). Anyone else: a refusal.
func (s *Service) View(ctx context.Context, v *access.Viewer, id string) (View, error) {
	now := s.now()
	if n, err := s.followed(ctx, v, id); err == nil {
		if n.Attachments, err = attachmentsOf(ctx, s.DB, id); err != nil {
			return View{}, err
		}
		t, err := s.tracking(ctx, n, now)
		return View{Author: &t}, err
	} else if !errors.Is(err, access.ErrDenied) {
		return View{}, err
	}
	r, err := s.received(ctx, v, id, now)
	if err != nil {
		return View{}, err
	}
	if r.Attachments, err = attachmentsOf(ctx, s.DB, id); err != nil {
		return View{}, err
	}
	if r.ReadAt.IsZero() {
		if _, err := s.DB.Exec(ctx, `UPDATE news_recipients SET read_at = ? WHERE news_id = ? AND person_id = ? AND read_at = 0`,
			now.Unix(), id, v.ID); err != nil {
			return View{}, err
		}
		r.ReadAt = now
	}
	return View{Reader: &r}, nil
}

func (s *Service) tracking(ctx context.Context, n News, now time.Time) (Tracking, error) {
	t := Tracking{News: n}
	var err error
	if t.Recipients, err = recipientsOf(ctx, s.DB, n.ID); err != nil {
		return t, err
	}
	for _, r := range t.Recipients {
		if !r.ReadAt.IsZero() {
			t.Read++
		}
		if !r.AckedAt.IsZero() {
			t.Acked++
		}
	}
	var day string
	if err := s.DB.QueryRow(ctx, `SELECT reminded_on FROM news WHERE id = ?`, n.ID).Scan(&day); err != nil {
		return t, err
	}
	t.RemindedToday = day == now.In(timetable.Paris).Format(timetable.DateFormat)
	return t, nil
}

// Mine returns the news addressed to the viewer within their window: those
// awaiting the viewer's acknowledgement first (earliest deadline first),
// then the newest.
func (s *Service) Mine(ctx context.Context, v *access.Viewer, limit int) ([]Received, error) {
	return s.mine(ctx, v, "", limit)
}

// ToAcknowledge returns the news awaiting the viewer's acknowledgement,
// earliest deadline first (the to-do list and the home page).
func (s *Service) ToAcknowledge(ctx context.Context, v *access.Viewer, limit int) ([]Received, error) {
	return s.mine(ctx, v, ` AND n.ack_required AND r.acked_at = 0`, limit)
}

func (s *Service) mine(ctx context.Context, v *access.Viewer, cond string, limit int) ([]Received, error) {
	if v == nil || v.IsSystem() || v.ID == "" {
		return nil, access.Refuse(actRead, access.Person(""), "news are read by their recipients")
	}
	if limit <= 0 || limit > 200 {
		limit = 200
	}
	now := s.now().Unix()
	rows, err := s.DB.Query(ctx, `SELECT `+newsColumns+`, r.read_at, r.acked_at`+newsFrom+`
		JOIN news_recipients r ON r.news_id = n.id WHERE r.person_id = ?`+visible+cond+`
		ORDER BY CASE WHEN n.ack_required AND r.acked_at = 0 THEN 0 ELSE 1 END,
			CASE WHEN n.ack_required AND r.acked_at = 0 AND n.ack_deadline > 0 THEN n.ack_deadline ELSE 0 END,
			n.visible_from DESC, n.id LIMIT ?`, v.ID, now, now, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Received
	for rows.Next() {
		var read, acked int64
		n, err := scanNews(rows, &read, &acked)
		if err != nil {
			return nil, err
		}
		out = append(out, Received{News: n, ReadAt: unix(read), AckedAt: unix(acked)})
	}
	return out, rows.Err()
}

// Written returns the news the viewer wrote and, for the head and deputy,
// every published news of their establishments (a draft is its author's
// alone), newest first, with their counts.
func (s *Service) Written(ctx context.Context, v *access.Viewer, limit int) ([]Item, error) {
	if v == nil || v.IsSystem() || v.ID == "" {
		return nil, access.Refuse(access.FollowNews, access.Person(""), "a person's list")
	}
	if limit <= 0 || limit > 200 {
		limit = 200
	}
	var follows []string
	for _, e := range v.Establishments {
		ok, err := v.May(ctx, access.FollowNews, access.Establishment(e))
		if err != nil {
			return nil, err
		}
		if ok {
			follows = append(follows, e)
		}
	}
	rows, err := s.DB.Query(ctx, `SELECT `+newsColumns+`,
		(SELECT COUNT(*) FROM news_recipients r WHERE r.news_id = n.id),
		(SELECT COUNT(*) FROM news_recipients r WHERE r.news_id = n.id AND r.read_at > 0),
		(SELECT COUNT(*) FROM news_recipients r WHERE r.news_id = n.id AND r.acked_at > 0)`+newsFrom+`
		WHERE n.author_id = ? OR (NOT n.draft AND `+db.In(s.DB, "n.establishment_id")+`) ORDER BY n.created_at DESC, n.id LIMIT ?`,
		v.ID, db.ListArg(s.DB, follows), limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Item
	for rows.Next() {
		var it Item
		if it.News, err = scanNews(rows, &it.Recipients, &it.Read, &it.Acked); err != nil {
			return nil, err
		}
		out = append(out, it)
	}
	return out, rows.Err()
}

// Options returns what the viewer may publish to: the establishments
// where they address profiles and functions, the classes and groups of
// the open years whose students and families they may address. Empty for
// whoever publishes nothing.
func (s *Service) Options(ctx context.Context, v *access.Viewer) (Audience, error) {
	var a Audience
	if v == nil || v.IsSystem() {
		return a, nil
	}
	for _, e := range v.Establishments {
		ok, err := v.May(ctx, access.PublishNews, access.Establishment(e))
		if err != nil {
			return a, err
		}
		if ok {
			var name string
			if err := s.DB.QueryRow(ctx, `SELECT name FROM establishments WHERE id = ?`, e).Scan(&name); err != nil {
				return a, err
			}
			a.Establishments = append(a.Establishments, Place{Kind: "establishment", ID: e, Name: name, EstablishmentID: e})
		}
	}
	rows, err := s.DB.Query(ctx, `SELECT 'class', c.id, c.name, c.establishment_id FROM classes c JOIN school_years y ON y.id = c.school_year_id
		WHERE NOT y.closed AND `+db.In(s.DB, "c.establishment_id")+`
		UNION ALL SELECT 'group', g.id, g.name, g.establishment_id FROM groups g JOIN school_years y ON y.id = g.school_year_id
		WHERE NOT y.closed AND `+db.In(s.DB, "g.establishment_id")+` ORDER BY 1, 3, 2`,
		db.ListArg(s.DB, v.Establishments), db.ListArg(s.DB, v.Establishments))
	if err != nil {
		return a, err
	}
	var all []Place
	for rows.Next() {
		var p Place
		if err := rows.Scan(&p.Kind, &p.ID, &p.Name, &p.EstablishmentID); err != nil {
			rows.Close()
			return a, err
		}
		all = append(all, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return a, err
	}
	for _, p := range all {
		r := access.Class(p.ID)
		if p.Kind == "group" {
			r = access.Group(p.ID)
		}
		ok, err := v.May(ctx, access.PublishNews, r)
		if err != nil {
			return a, err
		}
		if ok {
			a.Structures = append(a.Structures, p)
		}
	}
	return a, nil
}

// Export writes the tracking of a news item as CSV (name, profile, read,
// acknowledged, in UTC RFC 3339) for its author and followers. A cell that
// a spreadsheet would take for a formula is quoted with an apostrophe.
func (s *Service) Export(ctx context.Context, v *access.Viewer, id string, w io.Writer) error {
	n, err := s.followed(ctx, v, id)
	if err != nil {
		return err
	}
	rs, err := recipientsOf(ctx, s.DB, n.ID)
	if err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	when := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format(time.RFC3339)
	}
	if err := cw.Write([]string{"name", "profile", "read_at", "acknowledged_at", "previously_acknowledged_at"}); err != nil {
		return err
	}
	for _, r := range rs {
		if err := cw.Write([]string{safeCell(r.Name), r.Profile, when(r.ReadAt), when(r.AckedAt), when(r.PreviousAck)}); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// safeCell keeps a spreadsheet from running a cell as a formula.
func safeCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
