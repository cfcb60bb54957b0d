package grades

// Drafts: what a teacher typed in a grid and has not saved yet, kept as
// they type so that an expired session loses nothing.

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"
	"unicode/utf8"

	"cartable/internal/access"
	"cartable/internal/db"
)

// maxCell bounds what a draft keeps of one cell.
const maxCell = 40

// SaveDraft keeps the viewer's typed cells of evaluation id (student →
// text; students outside the roster are dropped). Keeping a draft is for
// those who enter the teaching's marks, and needs no second factor: a
// session that has not passed it yet keeps what it typed, for after the
// step-up. Those who only read the teaching (its class's head teacher,
// the head) keep none. Only its author ever sees a draft, on the grid.
func (s *Service) SaveDraft(ctx context.Context, v *access.Viewer, id string, cells map[string]string) error {
	if v == nil || v.IsSystem() {
		return &access.Denied{Action: access.EnterMarks, Reason: "a draft belongs to a person"}
	}
	e, _, err := s.evaluationFor(ctx, v, s.DB, access.EnterMarks, id)
	if err != nil && !access.IsSecondFactorRefusal(err) {
		return err
	}
	roster, err := rosterOf(ctx, s.DB, e.Structure)
	if err != nil {
		return err
	}
	kept := map[string]string{}
	for _, st := range roster {
		if t, ok := cells[st.ID]; ok {
			if utf8.RuneCountInString(t) > maxCell {
				t = string([]rune(t)[:maxCell])
			}
			kept[st.ID] = t
		}
	}
	body, err := json.Marshal(kept)
	if err != nil {
		return err
	}
	_, err = s.DB.Exec(ctx, `INSERT INTO gr_drafts (evaluation_id, author_id, cells, updated_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (evaluation_id, author_id) DO UPDATE SET cells = excluded.cells, updated_at = excluded.updated_at`,
		id, v.ID, string(body), s.now().Unix())
	return err
}

// DiscardDraft drops the viewer's draft of evaluation id.
func (s *Service) DiscardDraft(ctx context.Context, v *access.Viewer, id string) error {
	if _, _, err := s.evaluationFor(ctx, v, s.DB, access.ReadGrades, id); err != nil {
		return err
	}
	return clearDraft(ctx, s.DB, id, v.ID)
}

// draftOf reads an author's draft (nil when there is none).
func draftOf(ctx context.Context, q db.Querier, evaluation, author string) (map[string]string, time.Time, error) {
	var body string
	var at int64
	err := q.QueryRow(ctx, `SELECT cells, updated_at FROM gr_drafts WHERE evaluation_id = ? AND author_id = ?`, evaluation, author).Scan(&body, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, time.Time{}, nil
	}
	if err != nil {
		return nil, time.Time{}, err
	}
	cells := map[string]string{}
	if err := json.Unmarshal([]byte(body), &cells); err != nil {
		return nil, time.Time{}, nil // an unreadable draft is no draft
	}
	return cells, time.Unix(at, 0), nil
}

func clearDraft(ctx context.Context, q db.Querier, evaluation, author string) error {
	_, err := q.Exec(ctx, `DELETE FROM gr_drafts WHERE evaluation_id = ? AND author_id = ?`, evaluation, author)
	return err
}

// Roster lists the students of evaluation id, by name, for a viewer who
// reads its teaching's grades (a refused save names its rows with it).
func (s *Service) Roster(ctx context.Context, v *access.Viewer, id string) ([]Student, error) {
	e, _, err := s.evaluationFor(ctx, v, s.DB, access.ReadGrades, id)
	if err != nil {
		return nil, err
	}
	return rosterOf(ctx, s.DB, e.Structure)
}

// TeachingRoster lists the students of the teaching r, by name, for a
// viewer who reads its grades.
func (s *Service) TeachingRoster(ctx context.Context, v *access.Viewer, r access.Resource) ([]Student, error) {
	t, err := s.teachingFor(ctx, v, s.DB, access.ReadGrades, r)
	if err != nil {
		return nil, err
	}
	return rosterOf(ctx, s.DB, t.Structure)
}
