package news

import (
	"context"
	"strconv"
	"time"

	"cartable/internal/access"
	"cartable/internal/db"
	"cartable/internal/notify"
	"cartable/internal/timetable"
)

// Automatic reminders (the server's periodic work, RemindDue). A news item
// awaiting acknowledgement reminds its recipients who have not
// acknowledged twice: three days before its last day and on the eve of
// it, each at RemindHour (Paris); not two days running, and never the
// morning after an announcement. A survey reminds those who have not
// answered once, on the eve of its last day. A stage whose time came less
// than a day after the news (or its new round) or the survey was
// published is skipped: its recipients were just told. Only the latest
// stage due is sent, once (claimed by a conditional UPDATE, so replicas
// remind once; the notices' keys make a second queueing a no-op).
const (
	RemindHour         = 8
	NoticeSurveyRemind = "survey-reminder" // a survey's reminder: each recipient who has not answered
)

// Stages of a news item's automatic reminders, in days before its last day.
var newsStages = []struct {
	name string
	days int
}{{"eve", 1}, {"d3", 3}}

// stageAt is RemindHour, Paris, days before the last day of a deadline
// given as the end of that day.
func stageAt(end time.Time, days int) time.Time {
	last := end.In(timetable.Paris).AddDate(0, 0, -1)
	return time.Date(last.Year(), last.Month(), last.Day()-days, RemindHour, 0, 0, 0, timetable.Paris)
}

// RemindDue queues the automatic reminders due at now, of news and
// surveys alike, and returns the notices queued. The system only.
func (s *Service) RemindDue(ctx context.Context, v *access.Viewer, now time.Time) (int, error) {
	if !v.IsSystem() {
		return 0, access.Refuse(access.FollowNews, access.Person(""), "automatic reminders are the instance's work")
	}
	n, err := s.remindNewsDue(ctx, v, now)
	if err != nil {
		return n, err
	}
	k, err := s.remindSurveysDue(ctx, v, now)
	return n + k, err
}

func (s *Service) remindNewsDue(ctx context.Context, v *access.Viewer, now time.Time) (int, error) {
	type due struct {
		id, est, title, claimed string
		round                   int
		since, deadline         int64
	}
	rows, err := s.DB.Query(ctx, `SELECT id, establishment_id, title, auto_reminded, ack_round,
		CASE WHEN round_since > published_at THEN round_since ELSE published_at END, visible_from, ack_deadline
		FROM news WHERE ack_required AND NOT draft AND withdrawn_at = 0 AND ack_deadline > ? AND ack_deadline <= ?
		AND visible_from <= ? AND (visible_until = 0 OR visible_until > ?) ORDER BY id`,
		now.Unix(), now.Add(5*24*time.Hour).Unix(), now.Unix(), now.Unix())
	if err != nil {
		return 0, err
	}
	var list []due
	for rows.Next() {
		var d due
		var from int64
		if err := rows.Scan(&d.id, &d.est, &d.title, &d.claimed, &d.round, &d.since, &from, &d.deadline); err != nil {
			rows.Close()
			return 0, err
		}
		d.since = max(d.since, from)
		list = append(list, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	total := 0
	for _, d := range list {
		for _, st := range newsStages {
			at := stageAt(time.Unix(d.deadline, 0), st.days)
			if now.Before(at) {
				continue
			}
			round := strconv.Itoa(d.round)
			// The latest stage due only; an earlier one never after a later.
			if d.since > at.Add(-24*time.Hour).Unix() || d.claimed == round+":eve" || d.claimed == round+":"+st.name {
				break
			}
			k, err := s.remindNews(ctx, v, d.id, d.est, d.title, round, st.name, at.Format(timetable.DateFormat))
			total += k
			if err != nil {
				return total, err
			}
			break
		}
	}
	return total, nil
}

// remindNews claims stage of news id's round and queues its reminders
// (their key names the day, so that a later deadline reminds again).
func (s *Service) remindNews(ctx context.Context, v *access.Viewer, id, est, title, round, stage, day string) (int, error) {
	total := 0
	err := s.DB.Tx(ctx, func(tx *db.Tx) error {
		total = 0
		res, err := tx.Exec(ctx, `UPDATE news SET auto_reminded = ? WHERE id = ? AND auto_reminded <> ? AND auto_reminded <> ?`,
			round+":"+stage, id, round+":"+stage, round+":eve")
		if err != nil {
			return err
		}
		if k, err := res.RowsAffected(); err != nil || k != 1 {
			return err
		}
		people, err := db.Strings(ctx, tx, `SELECT person_id FROM news_recipients WHERE news_id = ? AND acked_at = 0 ORDER BY person_id`, id)
		if err != nil {
			return err
		}
		for _, p := range people {
			queued, err := notify.Queue(ctx, v, tx, notify.Notice{Establishment: est, Recipient: p, Kind: NoticeReminder,
				Key: NoticeReminder + "/" + id + "/" + round + "/auto-" + stage + "-" + day, Link: "/news/" + id, Args: map[string]string{"title": title}})
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

func (s *Service) remindSurveysDue(ctx context.Context, v *access.Viewer, now time.Time) (int, error) {
	type due struct {
		id, est, title   string
		published, close int64
	}
	rows, err := s.DB.Query(ctx, `SELECT id, establishment_id, title, published_at, closes_at FROM surveys
		WHERE NOT draft AND NOT purged AND NOT auto_reminded AND closes_at > ? AND closes_at <= ? ORDER BY id`,
		now.Unix(), now.Add(3*24*time.Hour).Unix())
	if err != nil {
		return 0, err
	}
	var list []due
	for rows.Next() {
		var d due
		if err := rows.Scan(&d.id, &d.est, &d.title, &d.published, &d.close); err != nil {
			rows.Close()
			return 0, err
		}
		list = append(list, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	total := 0
	for _, d := range list {
		at := stageAt(time.Unix(d.close, 0), 1)
		if now.Before(at) || d.published > at.Add(-24*time.Hour).Unix() {
			continue
		}
		err := s.DB.Tx(ctx, func(tx *db.Tx) error {
			res, err := tx.Exec(ctx, `UPDATE surveys SET auto_reminded = TRUE WHERE id = ? AND NOT auto_reminded`, d.id)
			if err != nil {
				return err
			}
			if k, err := res.RowsAffected(); err != nil || k != 1 {
				return err
			}
			k, err := remindSurveyIn(ctx, v, tx, d.id, d.est, d.title, "eve")
			total += k
			return err
		})
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

// remindSurveyIn queues a reminder to each person asked who has not
// answered. It reads only survey_recipients.answered, kept apart from the
// responses: nothing here touches or orders an answer.
func remindSurveyIn(ctx context.Context, v *access.Viewer, q db.Querier, id, est, title, stage string) (int, error) {
	people, err := db.Strings(ctx, q, `SELECT person_id FROM survey_recipients WHERE survey_id = ? AND NOT answered ORDER BY person_id`, id)
	if err != nil {
		return 0, err
	}
	total := 0
	for _, p := range people {
		queued, err := notify.Queue(ctx, v, q, notify.Notice{Establishment: est, Recipient: p, Kind: NoticeSurveyRemind,
			Key: NoticeSurveyRemind + "/" + id + "/" + stage, Link: "/surveys/" + id, Args: map[string]string{"title": title}})
		if err != nil {
			return total, err
		}
		if queued {
			total++
		}
	}
	return total, nil
}

// RemindSurvey queues a "survey-reminder" notice to each person asked who
// has not answered a survey, at most once a day (Paris) per survey, while
// it is open: its author or whoever follows the establishment's news asks
// for it. A second reminder the same day is ErrRemindedToday. It returns
// the notices queued.
func (s *Service) RemindSurvey(ctx context.Context, v *access.Viewer, id string) (int, error) {
	now := s.now()
	sv, err := s.followedSurvey(ctx, v, id)
	if err != nil {
		return 0, err
	}
	if v.IsSystem() || !sv.Open(now) {
		return 0, access.Refuse(access.FollowNews, access.Person(""), "nothing to remind")
	}
	day := now.In(timetable.Paris).Format(timetable.DateFormat)
	total := 0
	err = s.DB.Tx(ctx, func(tx *db.Tx) error {
		res, err := tx.Exec(ctx, `UPDATE surveys SET reminded_on = ? WHERE id = ? AND reminded_on <> ?`, day, id, day)
		if err != nil {
			return err
		}
		if k, err := res.RowsAffected(); err != nil || k != 1 {
			if err == nil {
				err = ErrRemindedToday
			}
			return err
		}
		total, err = remindSurveyIn(ctx, v, tx, id, sv.EstablishmentID, sv.Title, day)
		return err
	})
	return total, err
}

// surveyRemindedToday tells whether the one reminder of the day was sent.
func surveyRemindedToday(ctx context.Context, q db.Querier, id string, now time.Time) (bool, error) {
	var day string
	err := q.QueryRow(ctx, `SELECT reminded_on FROM surveys WHERE id = ?`, id).Scan(&day)
	return day == now.In(timetable.Paris).Format(timetable.DateFormat), err
}
