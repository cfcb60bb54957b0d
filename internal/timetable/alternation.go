package timetable

import (
	"context"
	"time"

	"cartable/internal/access"
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

// CreateAlternation stores a week pattern (ID set when empty) without the
// checks of SaveAlternation, for generators and imports, in the caller's
// transaction.
func CreateAlternation(ctx context.Context, v *access.Viewer, q db.Querier, a *Alternation) error {
	if err := canEdit(ctx, v, a.EstablishmentID); err != nil {
		return err
	}
	defer edited()
	return createAlternation(ctx, q, a)
}

func createAlternation(ctx context.Context, q db.Querier, a *Alternation) error {
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

// Alternations lists the week patterns of an establishment with their
// weeks, to those who edit its timetable.
func Alternations(ctx context.Context, v *access.Viewer, q db.Querier, establishmentID string) ([]Alternation, error) {
	if err := canEdit(ctx, v, establishmentID); err != nil {
		return nil, err
	}
	return alternations(ctx, q, establishmentID)
}

func alternations(ctx context.Context, q db.Querier, establishmentID string) ([]Alternation, error) {
	type row struct{ id, code, label, monday string }
	rows, err := db.All(ctx, q, func(sc db.Scanner) (r row, err error) {
		err = sc.Scan(&r.id, &r.code, &r.label, &r.monday)
		return
	}, `SELECT a.id, a.code, a.label, COALESCE(w.monday, '') FROM tt_alternations a
		LEFT JOIN tt_alternation_weeks w ON w.alternation_id = a.id
		WHERE a.establishment_id = ? ORDER BY a.code, w.monday`, establishmentID)
	if err != nil {
		return nil, err
	}
	var out []Alternation
	for _, r := range rows {
		if n := len(out); n == 0 || out[n-1].ID != r.id {
			out = append(out, Alternation{ID: r.id, EstablishmentID: establishmentID, Code: r.code, Label: r.label})
		}
		if r.monday != "" {
			out[len(out)-1].Mondays = append(out[len(out)-1].Mondays, r.monday)
		}
	}
	return out, nil
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
