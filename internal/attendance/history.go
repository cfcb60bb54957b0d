package attendance

import (
	"context"
	"encoding/json"

	"cartable/internal/access"
	"cartable/internal/db"
)

// record appends to att_history that v changed subject ("absence:ID",
// "mark:ID", "justification:ID") of student, from before to after (the
// changed fields; nil for a creation or a deletion), in q, the change's own
// transaction.
func record(ctx context.Context, q db.Querier, v *access.Viewer, est, student, subject string, at int64, before, after any) error {
	enc := func(x any) (string, error) {
		if x == nil {
			return "", nil
		}
		b, err := json.Marshal(x)
		return string(b), err
	}
	b, err := enc(before)
	if err != nil {
		return err
	}
	a, err := enc(after)
	if err != nil {
		return err
	}
	_, err = q.Exec(ctx, `INSERT INTO att_history (establishment_id, student_id, subject, actor, at, before_state, after_state)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, est, student, subject, v.Actor(), at, b, a)
	return err
}
