package classlog

import (
	"context"

	"cartable/internal/db"
)

// HomeworkSetBy lists the homework a teacher set in their entries (drafts
// excepted) due between two dates, for the teacher's own calendar feed.
// (The caller still filters entries through the access policy.)
func HomeworkSetBy(ctx context.Context, q db.Querier, authorID, from, to string) ([]Homework, error) {
	rows, err := q.Query(ctx, `SELECT `+homeworkCols+`WHERE e.author_id = ? AND NOT e.draft AND h.due_date BETWEEN ? AND ?
		ORDER BY h.due_date, h.created_at, h.id`, authorID, from, to)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Homework
	for rows.Next() {
		h, err := scanHomework(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	return out, rows.Err()
}
