package attendance

import (
	"context"
	"time"

	"cartable/internal/access"
	"cartable/internal/db"
	"cartable/internal/ids"
)

// AbsenceIn records, inside the caller's transaction q, an absence of a
// student recorded by school life (source "school-life", no reason yet)
// from (startDate, startMin) to (endDate, endMin), in its history: for
// the demo and imports, which may give its id (the demo draws its ids from
// its seed; "" draws one). The viewer manages the student's school life.
func AbsenceIn(ctx context.Context, v *access.Viewer, q db.Querier, id, est, student, startDate string, startMin int, endDate string, endMin int,
	now time.Time) (string, error) {
	if err := v.Can(ctx, access.ManageSchoolLife, access.Person(student)); err != nil {
		return "", err
	}
	if id == "" {
		id = ids.For(ctx)
	}
	at := now.Unix()
	if _, err := q.Exec(ctx, `INSERT INTO att_absences (id, establishment_id, student_id, start_date, start_min, end_date, end_min, source,
		state, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'school-life', 'no-reason', ?, ?, ?)`,
		id, est, student, startDate, startMin, endDate, endMin, v.Actor(), at, at); err != nil {
		return "", err
	}
	return id, record(ctx, q, v, est, student, "absence:"+id, at, nil,
		map[string]any{"source": "school-life", "state": NoReason, "from": startDate, "to": endDate})
}

// ReasonsIn returns est's reasons inside the caller's transaction q,
// written with the defaults the first time (the demo, imports). The viewer
// manages est's school life.
func ReasonsIn(ctx context.Context, v *access.Viewer, q db.Querier, est string) ([]Reason, error) {
	if err := v.Can(ctx, access.ManageSchoolLife, access.Establishment(est)); err != nil {
		return nil, err
	}
	return ensureReasons(ctx, q, est)
}
