package grades

// Subject appraisals: a teacher's words on each student of a teaching for
// a period, printed on the report card.

import (
	"context"
	"strings"
	"unicode/utf8"

	"cartable/internal/access"
	"cartable/internal/check"
	"cartable/internal/db"
)

// MaxAppraisal is the length of an appraisal, in characters.
const MaxAppraisal = 300

// AppraisalRow is a student and their appraisal.
type AppraisalRow struct {
	Student Student
	Body    string
}

// Appraisals is a teaching's appraisals for one period.
type Appraisals struct {
	Teaching Teaching
	Periods  []Period
	Period   Period
	Locked   bool
	Rows     []AppraisalRow
}

func (s *Service) appraisals(ctx context.Context, q db.Querier, t Teaching, period string) (Appraisals, error) {
	out := Appraisals{Teaching: t}
	var err error
	if out.Periods, err = periodsOf(ctx, q, t.Establishment); err != nil {
		return out, err
	}
	today, found := s.today(), false
	for _, p := range out.Periods {
		if p.ID == period || (period == "" && p.StartsOn <= today && today <= p.EndsOn) {
			out.Period, found = p, true
		}
	}
	if !found {
		if period != "" || len(out.Periods) == 0 {
			return out, &access.Denied{Action: access.EnterMarks, Resource: t.Resource(), Reason: "no such period"}
		}
		out.Period = out.Periods[0]
	}
	out.Locked = out.Period.Locked(today)
	roster, err := rosterOf(ctx, q, t.Structure)
	if err != nil {
		return out, err
	}
	bodies := map[string]string{}
	rows, err := q.Query(ctx, `SELECT student_id, body FROM gr_appraisals WHERE period_id = ? AND subject_id = ?`, out.Period.ID, t.Subject)
	if err != nil {
		return out, err
	}
	defer rows.Close()
	for rows.Next() {
		var st, b string
		if err := rows.Scan(&st, &b); err != nil {
			return out, err
		}
		bodies[st] = b
	}
	if err := rows.Err(); err != nil {
		return out, err
	}
	for _, st := range roster {
		out.Rows = append(out.Rows, AppraisalRow{Student: st, Body: bodies[st.ID]})
	}
	return out, nil
}

// AppraisalsOf is the appraisals form of the teaching r for a period (""
// : today's), for its teachers (EnterMarks).
func (s *Service) AppraisalsOf(ctx context.Context, v *access.Viewer, r access.Resource, period string) (Appraisals, error) {
	t, err := s.teachingFor(ctx, v, s.DB, access.EnterMarks, r)
	if err != nil {
		return Appraisals{}, err
	}
	return s.appraisals(ctx, s.DB, t, period)
}

// SaveAppraisals writes the teaching's appraisals of a period (student →
// text; "" removes one). A text above MaxAppraisal characters is refused
// naming its row (field = student ID, N = its length), and nothing is
// saved. Each change is recorded ("appraisal:PERIOD/SUBJECT").
func (s *Service) SaveAppraisals(ctx context.Context, v *access.Viewer, r access.Resource, period string, bodies map[string]string) error {
	return s.SaveAppraisalsSeen(ctx, v, r, period, bodies, nil)
}

// SaveAppraisalsSeen is SaveAppraisals for a form drawn with the stored
// appraisals shown (student → text), so that two teachers of a teaching
// never silently undo each other: a text left as shown keeps what is
// stored now, one changed over someone else's change since is refused
// (code "appraisal-changed-meanwhile", Value the text now), nothing saved.
func (s *Service) SaveAppraisalsSeen(ctx context.Context, v *access.Viewer, r access.Resource, period string, bodies, shown map[string]string) error {
	return s.DB.Tx(ctx, func(tx *db.Tx) error { return s.saveAppraisals(ctx, v, tx, r, period, bodies, shown) })
}

// SaveAppraisalsIn is SaveAppraisals in the caller's transaction.
func (s *Service) SaveAppraisalsIn(ctx context.Context, v *access.Viewer, tx *db.Tx, r access.Resource, period string, bodies map[string]string) error {
	return s.saveAppraisals(ctx, v, tx, r, period, bodies, nil)
}

// sameText compares appraisals as a form posts them (CRLF line ends,
// spaces around).
func sameText(a, b string) bool {
	norm := func(s string) string { return strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n")) }
	return norm(a) == norm(b)
}

func (s *Service) saveAppraisals(ctx context.Context, v *access.Viewer, tx *db.Tx, r access.Resource, period string, bodies, shown map[string]string) error {
	t, err := s.teachingFor(ctx, v, tx, access.EnterMarks, r)
	if err != nil {
		return err
	}
	if tx.Dialect() == db.Postgres { // two saves of a teaching's appraisals, one after the other
		if _, err := tx.Exec(ctx, `SELECT id FROM subjects WHERE id = ? FOR UPDATE`, t.Subject); err != nil {
			return err
		}
	}
	if period == "" {
		return &access.Denied{Action: access.EnterMarks, Resource: r, Reason: "no period"}
	}
	cur, err := s.appraisals(ctx, tx, t, period)
	if err != nil {
		return err
	}
	if cur.Locked {
		return lockedProblem(cur.Period)
	}
	var ps check.Problems
	for _, row := range cur.Rows {
		if n := utf8.RuneCountInString(strings.TrimSpace(bodies[row.Student.ID])); n > MaxAppraisal {
			ps = append(ps, check.Problem{Field: row.Student.ID, Code: "appraisal-long", N: n})
		}
	}
	// A text left as the form showed it keeps what is stored now; one
	// changed over someone else's change is refused.
	untouched := map[string]bool{}
	for _, row := range cur.Rows {
		body, typed := bodies[row.Student.ID]
		was, seen := shown[row.Student.ID]
		switch {
		case !typed || !seen || sameText(row.Body, was):
		case sameText(body, was):
			untouched[row.Student.ID] = true
		case !sameText(body, row.Body):
			ps = append(ps, check.Problem{Field: row.Student.ID, Code: "appraisal-changed-meanwhile", Value: row.Body})
		}
	}
	if err := ps.Err(); err != nil {
		return err
	}
	now := s.now()
	for _, row := range cur.Rows {
		body, ok := bodies[row.Student.ID]
		body = strings.TrimSpace(body)
		if !ok || untouched[row.Student.ID] || body == row.Body {
			continue
		}
		if body == "" {
			_, err = tx.Exec(ctx, `DELETE FROM gr_appraisals WHERE period_id = ? AND student_id = ? AND subject_id = ?`,
				period, row.Student.ID, t.Subject)
		} else {
			_, err = tx.Exec(ctx, `INSERT INTO gr_appraisals (period_id, student_id, subject_id, body, author_id, updated_at)
				VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (period_id, student_id, subject_id) DO UPDATE SET body = excluded.body,
				author_id = excluded.author_id, updated_at = excluded.updated_at`,
				period, row.Student.ID, t.Subject, body, nullable(authorOf(v)), now.Unix())
		}
		if err != nil {
			return err
		}
		if err := record(ctx, tx, now, change{Establishment: t.Establishment, Student: row.Student.ID,
			Subject: "appraisal:" + period + "/" + t.Subject, Actor: v.Actor(), Before: row.Body, After: body}); err != nil {
			return err
		}
	}
	return nil
}

func authorOf(v *access.Viewer) string {
	if v.IsSystem() {
		return ""
	}
	return v.ID
}
