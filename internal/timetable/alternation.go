package timetable

import (
	"context"
	"time"

	"cartable/internal/db"
	"cartable/internal/ids"
)

// Alternation is a week pattern: the Mondays of the weeks it applies to.
type Alternation struct {
	ID, EstablishmentID string
	Code, Label         string
	Mondays             []string
}

// SchoolWeek reports whether the week starting on monday has at least one
// weekday (Monday–Friday) with classes and lies in [from, to].
func (c Calendar) SchoolWeek(monday time.Time, from, to string) bool {
	for i := 0; i < 5; i++ {
		d := addDays(monday, i).Format(DateFormat)
		if d < from || d > to {
			continue
		}
		if _, closed := c.Closed(d); !closed {
			return true
		}
	}
	return false
}

// WeeksAB splits the weeks of [from, to] into week A and week B, starting
// with A. Weeks without any day of classes belong to neither. When
// countHolidays is false (the usual practice) such weeks do not count and
// the week after the holidays takes the letter following the last week of
// classes; when it is true, letters follow the calendar, so holidays "use"
// their letters.
func WeeksAB(c Calendar, from, to string, countHolidays bool) (a, b []string) {
	start, err := ParseDate(from)
	if err != nil {
		return nil, nil
	}
	n := 0
	for m := Monday(start); m.Format(DateFormat) <= to; m = addDays(m, 7) {
		school := c.SchoolWeek(m, from, to)
		if school {
			if n%2 == 0 {
				a = append(a, m.Format(DateFormat))
			} else {
				b = append(b, m.Format(DateFormat))
			}
		}
		if school || countHolidays {
			n++
		}
	}
	return a, b
}

// CreateAlternation stores a week pattern (ID set when empty).
func CreateAlternation(ctx context.Context, q db.Querier, a *Alternation) error {
	if a.ID == "" {
		a.ID = ids.New()
	}
	if _, err := q.Exec(ctx, `INSERT INTO tt_alternations (id, establishment_id, code, label) VALUES (?, ?, ?, ?)`,
		a.ID, a.EstablishmentID, a.Code, a.Label); err != nil {
		return err
	}
	for _, m := range a.Mondays {
		if _, err := q.Exec(ctx, `INSERT INTO tt_alternation_weeks (alternation_id, monday) VALUES (?, ?) ON CONFLICT DO NOTHING`, a.ID, m); err != nil {
			return err
		}
	}
	return nil
}

// Alternations lists the week patterns of an establishment with their weeks.
func Alternations(ctx context.Context, q db.Querier, establishmentID string) ([]Alternation, error) {
	rows, err := q.Query(ctx, `SELECT a.id, a.code, a.label, COALESCE(w.monday, '') FROM tt_alternations a
		LEFT JOIN tt_alternation_weeks w ON w.alternation_id = a.id
		WHERE a.establishment_id = ? ORDER BY a.code, w.monday`, establishmentID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Alternation
	for rows.Next() {
		var id, code, label, monday string
		if err := rows.Scan(&id, &code, &label, &monday); err != nil {
			return nil, err
		}
		if n := len(out); n == 0 || out[n-1].ID != id {
			out = append(out, Alternation{ID: id, EstablishmentID: establishmentID, Code: code, Label: label})
		}
		if monday != "" {
			out[len(out)-1].Mondays = append(out[len(out)-1].Mondays, monday)
		}
	}
	return out, rows.Err()
}

// WeekLabel returns the labels of the patterns holding the week of monday
// (e.g. "Semaine A"), for the week heading.
func WeekLabel(alts []Alternation, monday string) []string {
	var out []string
	for _, a := range alts {
		for _, m := range a.Mondays {
			if m == monday {
				out = append(out, a.Label)
				break
			}
		}
	}
	return out
}
