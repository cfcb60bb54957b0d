package grades

// The history of changes to marks, appraisals, settings and calendars,
// for the head (ReadGradesAudit).

import (
	"context"
	"time"

	"cartable/internal/access"
	"cartable/internal/db"
)

// HistoryLine is one change: who, when, what, before → after.
type HistoryLine struct {
	At          time.Time
	Actor       string // person ID or "system:…"
	ActorName   string // "" for the system
	Student     string
	StudentName string
	Subject     string // "mark:EVAL", "appraisal:PERIOD/SUBJECT", "period:ID"…
	Evaluation  string // the evaluation's title, for a mark
	Before      string
	After       string
}

// HistoryFilter narrows the history to a student or an evaluation.
type HistoryFilter struct {
	Student    string
	Evaluation string
	Page       int // from 0
}

// HistoryPage is one page of the history, newest first.
type HistoryPage struct {
	Lines []HistoryLine
	More  bool // a next page exists
}

// HistoryPageSize is the number of lines a page holds.
const HistoryPageSize = 50

// History reads an establishment's history of grading changes, newest
// first, one page at a time (ReadGradesAudit).
func (s *Service) History(ctx context.Context, v *access.Viewer, est string, f HistoryFilter) (HistoryPage, error) {
	if err := v.Can(ctx, access.ReadGradesAudit, access.Establishment(est)); err != nil {
		return HistoryPage{}, err
	}
	query := `SELECT h.at, h.actor, COALESCE(a.first_name || ' ' || a.last_name, ''), COALESCE(h.student_id, ''),
		COALESCE(p.last_name || ' ' || p.first_name, ''), h.subject, COALESCE(e.title, ''), h.before_state, h.after_state
		FROM gr_history h LEFT JOIN people a ON a.id = h.actor LEFT JOIN people p ON p.id = h.student_id
		LEFT JOIN gr_evaluations e ON h.subject = 'mark:' || e.id
		WHERE h.establishment_id = ?`
	args := []any{est}
	if f.Student != "" {
		query += ` AND h.student_id = ?`
		args = append(args, f.Student)
	}
	if f.Evaluation != "" {
		query += ` AND h.subject = ?`
		args = append(args, "mark:"+f.Evaluation)
	}
	if f.Page < 0 {
		f.Page = 0
	}
	query += ` ORDER BY h.at DESC, h.id DESC LIMIT ? OFFSET ?`
	args = append(args, HistoryPageSize+1, f.Page*HistoryPageSize)
	lines, err := db.All(ctx, s.DB, func(sc db.Scanner) (HistoryLine, error) {
		var l HistoryLine
		var at int64
		err := sc.Scan(&at, &l.Actor, &l.ActorName, &l.Student, &l.StudentName, &l.Subject, &l.Evaluation, &l.Before, &l.After)
		l.At = time.Unix(at, 0)
		return l, err
	}, query, args...)
	if err != nil {
		return HistoryPage{}, err
	}
	out := HistoryPage{Lines: lines}
	if len(lines) > HistoryPageSize {
		out.Lines, out.More = lines[:HistoryPageSize], true
	}
	return out, nil
}
