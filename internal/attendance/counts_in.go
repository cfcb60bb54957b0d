package attendance

import (
	"context"

	"cartable/internal/access"
	"cartable/internal/db"
)

// PeriodCountsIn returns the figures of the given students for a period of
// est, read through q (a caller's transaction: report cards are frozen
// with the figures of the transaction that publishes them). A viewer who
// reads est's school life gets every student; otherwise each student the
// viewer may not read is left out (the card then prints no figures).
func PeriodCountsIn(ctx context.Context, v *access.Viewer, q db.Querier, est, periodID string, students []string) (map[string]Counts, error) {
	ok, err := v.May(ctx, access.ReadSchoolLife, access.Establishment(est))
	if err != nil {
		return nil, err
	}
	if !ok {
		seen, err := v.VisibleStudents(ctx, access.ReadSchoolLife, students)
		if err != nil {
			return nil, err
		}
		kept := students[:0:0]
		for _, id := range students {
			if seen[id] {
				kept = append(kept, id)
			}
		}
		students = kept
	}
	if len(students) == 0 {
		return map[string]Counts{}, nil
	}
	p, err := periodOf(ctx, q, est, periodID)
	if err != nil {
		return nil, err
	}
	var s Service
	return s.countsOf(ctx, q, est, p, students)
}
