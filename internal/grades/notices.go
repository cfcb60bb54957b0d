package grades

// New-mark notices: a student or relative who opted in gets one notice
// (internal/notify) per evaluation and person once its marks are visible
// to families (its publication day reached).

import (
	"context"
	"errors"
	"net/url"
	"time"

	"cartable/internal/access"
	"cartable/internal/db"
	"cartable/internal/i18n"
	"cartable/internal/notify"
	"cartable/internal/roles"
)

// announceWindow bounds the evaluations looked at: those published within
// the last days (an opt-in tells of what is published from then on).
const announceWindow = 30 * 24 * time.Hour

// MarkNotices tells whether v asked to be told of new marks.
func (s *Service) MarkNotices(ctx context.Context, v *access.Viewer) (bool, error) {
	if v.Profile != roles.Student && v.Profile != roles.Relative {
		return false, nil
	}
	var n int
	err := s.DB.QueryRow(ctx, `SELECT COUNT(*) FROM gr_mark_notices WHERE person_id = ?`, v.ID).Scan(&n)
	return n > 0, err
}

// SetMarkNotices switches v's new-mark notices on or off: students and
// relatives only, for themselves.
func (s *Service) SetMarkNotices(ctx context.Context, v *access.Viewer, on bool) error {
	if v.Profile != roles.Student && v.Profile != roles.Relative {
		return access.Refuse(access.ReadGrades, access.Person(v.ID), "mark notices are for students and relatives")
	}
	if !on {
		_, err := s.DB.Exec(ctx, `DELETE FROM gr_mark_notices WHERE person_id = ?`, v.ID)
		return err
	}
	_, err := s.DB.Exec(ctx, `INSERT INTO gr_mark_notices (person_id, since) VALUES (?, ?) ON CONFLICT (person_id) DO NOTHING`,
		v.ID, s.now().Unix())
	return err
}

// AnnounceMarks queues a notice to each opted-in student and relative of
// each mark that became visible to families (publication day ≤ now's
// day; published or entered after they opted in), once per evaluation,
// student and recipient (the key "marks/<evaluation>/<student>", unique
// per recipient: a parent of twins in one class hears of both), when the
// recipient may read the student's grades. It returns the number of notices queued. sys writes
// the notices (access.System); any replica may run it.
func AnnounceMarks(ctx context.Context, sys *access.Viewer, d *db.DB, now time.Time) (int, error) {
	today := now.In(i18n.Zone).Format("2006-01-02")
	from := now.Add(-announceWindow).In(i18n.Zone).Format("2006-01-02")
	type due struct {
		eval, est, title, subject, subjectName, period, student, first, person, publish string
		since, marked                                                                   int64
	}
	rows, err := db.All(ctx, d, func(sc db.Scanner) (due, error) {
		var x due
		return x, sc.Scan(&x.eval, &x.est, &x.title, &x.subject, &x.subjectName, &x.period, &x.student, &x.first, &x.person, &x.publish,
			&x.since, &x.marked)
	}, `SELECT e.id, e.establishment_id, e.title, e.subject_id, s.name, e.period_id, m.student_id, st.first_name, n.person_id, e.publish_on,
		n.since, m.updated_at
		FROM gr_evaluations e JOIN gr_marks m ON m.evaluation_id = e.id JOIN subjects s ON s.id = e.subject_id
		JOIN people st ON st.id = m.student_id
		JOIN gr_mark_notices n ON n.person_id = m.student_id OR n.person_id IN (SELECT f.relative_id FROM family_links f WHERE f.student_id = m.student_id)
		LEFT JOIN notifications nt ON nt.recipient_id = n.person_id AND nt.dedupe_key = 'marks/' || e.id || '/' || m.student_id
		WHERE e.publish_on <= ? AND (e.publish_on >= ? OR m.updated_at >= ?) AND nt.id IS NULL
		ORDER BY n.person_id, e.publish_on, e.id`, today, from, now.Add(-announceWindow).Unix())
	if err != nil {
		return 0, err
	}
	policy := access.New(d)
	viewers := map[string]*access.Viewer{}
	queued := 0
	for _, x := range rows {
		if time.Unix(x.since, 0).In(i18n.Zone).Format("2006-01-02") > x.publish && x.marked < x.since {
			continue // visible before the person opted in
		}
		rv, ok := viewers[x.person]
		if !ok {
			if rv, err = policy.Viewer(ctx, x.person); errors.Is(err, access.ErrInactive) {
				rv = nil // a closed account: no notice
			} else if err != nil {
				return queued, err
			}
			viewers[x.person] = rv
		}
		if rv == nil {
			continue
		}
		if may, err := rv.May(ctx, access.ReadGrades, access.Person(x.student)); err != nil {
			return queued, err
		} else if !may {
			continue
		}
		args := map[string]string{"child": x.first, "subject": x.subjectName, "title": x.title}
		link := "/grades/subject/" + url.PathEscape(x.subject) + "?period=" + url.QueryEscape(x.period)
		if x.person == x.student {
			args["state"] = "self"
		} else {
			link += "&child=" + url.QueryEscape(x.student)
		}
		ok, err = notify.Queue(ctx, sys, d, notify.Notice{Establishment: x.est, Recipient: x.person, About: x.student, Kind: "marks",
			Key: "marks/" + x.eval + "/" + x.student, Args: args, Link: link})
		if err != nil {
			return queued, err
		}
		if ok {
			queued++
		}
	}
	return queued, nil
}
