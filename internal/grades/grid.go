package grades

// The entry grid: one evaluation's roster with its marks, saved a whole
// column at once, all or nothing.

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"cartable/internal/access"
	"cartable/internal/averages"
	"cartable/internal/check"
	"cartable/internal/db"
)

// GridRow is a student of the grid: the stored mark, and what the
// teacher's draft holds for them.
type GridRow struct {
	Student Student
	Mark    *Mark  // nil: no mark yet
	Draft   string // the draft's text
	InDraft bool   // the draft has a cell for the student
}

// Grid is an evaluation's entry grid.
type Grid struct {
	Evaluation Evaluation
	Teaching   Teaching
	Period     Period
	Locked     bool // the period's entry is closed
	Rows       []GridRow
	DraftAt    time.Time // zero: no draft
	SubSubject string    // its name, if any
}

// Grid is the entry grid of evaluation id, with the viewer's draft over
// the stored marks (EnterMarks).
func (s *Service) Grid(ctx context.Context, v *access.Viewer, id string) (Grid, error) {
	e, t, err := s.evaluationFor(ctx, v, s.DB, access.EnterMarks, id)
	if err != nil {
		return Grid{}, err
	}
	g := Grid{Evaluation: e, Teaching: t}
	if g.Period, err = periodByID(ctx, s.DB, e.Period); err != nil {
		return g, err
	}
	g.Locked = g.Period.Locked(s.today())
	roster, err := rosterOf(ctx, s.DB, t.Structure)
	if err != nil {
		return g, err
	}
	marks, err := marksOf(ctx, s.DB, []string{id}, nil)
	if err != nil {
		return g, err
	}
	draft, at, err := draftOf(ctx, s.DB, id, v.ID)
	if err != nil {
		return g, err
	}
	g.DraftAt = at
	for _, st := range roster {
		row := GridRow{Student: st}
		if m, ok := marks[id][st.ID]; ok {
			row.Mark = &m
		}
		row.Draft, row.InDraft = draft[st.ID]
		g.Rows = append(g.Rows, row)
	}
	if e.SubSubject != "" {
		subs, err := subSubjectsOf(ctx, s.DB, e.Establishment, e.Subject)
		if err != nil {
			return g, err
		}
		for _, ss := range subs {
			if ss.ID == e.SubSubject {
				g.SubSubject = ss.Name
			}
		}
	}
	return g, nil
}

// ParseMark reads a cell of the grid on the evaluation's scale (in
// hundredths) with the averages engine's parser: a value in hundredths or
// a special code; err is an *averages.InputError.
func ParseMark(text string, scaleX100 int) (valueX100 int, special string, err error) {
	m, err := averages.ParseMark(text, float64(scaleX100)/100)
	if err != nil {
		return 0, "", err
	}
	if m.Code != "" {
		return 0, string(m.Code), nil
	}
	// Two decimals at most: the hundredths are exact once rounded.
	return int(m.Value*100 + 0.5), "", nil
}

// CellProblems turns a grid's bad cells into problems: the field is the
// student's ID, the code the parser's kind (averages.Err*), the value what
// was typed.
func cellProblem(student, text string, err error) check.Problem {
	var ie *averages.InputError
	if errors.As(err, &ie) {
		return check.Problem{Field: student, Code: ie.Kind, Value: text}
	}
	return check.Problem{Field: student, Code: "number", Value: text}
}

// SaveMarks saves a whole column of the grid: cells maps a student to
// what was typed ("" or absent: no mark, an existing one is removed).
// Every cell is checked first: one bad cell and nothing is saved, the
// problems naming each bad row (field = student ID). Each change is
// recorded in the history, in the same transaction; the viewer's draft is
// cleared. It returns the number of marks changed.
func (s *Service) SaveMarks(ctx context.Context, v *access.Viewer, id string, cells map[string]string) (int, error) {
	changed := 0
	err := s.DB.Tx(ctx, func(tx *db.Tx) error {
		changed = 0
		e, _, err := s.evaluationFor(ctx, v, tx, access.EnterMarks, id)
		if err != nil {
			return err
		}
		p, err := periodByID(ctx, tx, e.Period)
		if err != nil {
			return err
		}
		if p.Locked(s.today()) {
			return lockedProblem(p)
		}
		structure := e.Structure
		roster, err := rosterOf(ctx, tx, structure)
		if err != nil {
			return err
		}
		type cell struct {
			value   int
			special string
			empty   bool
		}
		parsed := make(map[string]cell, len(roster))
		var ps check.Problems
		for _, st := range roster {
			text := strings.TrimSpace(cells[st.ID])
			if text == "" {
				parsed[st.ID] = cell{empty: true}
				continue
			}
			val, sp, err := ParseMark(text, e.ScaleX100)
			if err != nil {
				ps = append(ps, cellProblem(st.ID, text, err))
				continue
			}
			parsed[st.ID] = cell{value: val, special: sp}
		}
		if err := ps.Err(); err != nil {
			return err
		}
		marks, err := marksOf(ctx, tx, []string{id}, nil)
		if err != nil {
			return err
		}
		now := s.now()
		for _, st := range roster {
			c := parsed[st.ID]
			old, had := marks[id][st.ID]
			before, after := "", ""
			if had {
				before = old.Text("")
			}
			if !c.empty {
				after = Mark{ValueX100: c.value, Special: c.special}.Text("")
			}
			if before == after && had == !c.empty {
				continue
			}
			switch {
			case c.empty:
				_, err = tx.Exec(ctx, `DELETE FROM gr_marks WHERE evaluation_id = ? AND student_id = ?`, id, st.ID)
			default:
				var value any
				if c.special == "" {
					value = c.value
				}
				_, err = tx.Exec(ctx, `INSERT INTO gr_marks (evaluation_id, student_id, value_x100, special, updated_at, updated_by)
					VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (evaluation_id, student_id) DO UPDATE SET value_x100 = excluded.value_x100,
					special = excluded.special, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
					id, st.ID, value, c.special, now.Unix(), v.Actor())
			}
			if err != nil {
				return err
			}
			if err := record(ctx, tx, now, change{Establishment: e.Establishment, Student: st.ID, Subject: "mark:" + id,
				Actor: v.Actor(), Before: before, After: after}); err != nil {
				return err
			}
			changed++
		}
		if !v.IsSystem() {
			return clearDraft(ctx, tx, id, v.ID)
		}
		return nil
	})
	return changed, err
}

// PasteError is a pasted column whose length is not the roster's.
type PasteError struct {
	Lines, Rows int
}

func (e *PasteError) Error() string {
	return "pasted column has " + strconv.Itoa(e.Lines) + " lines for " + strconv.Itoa(e.Rows) + " students"
}

// PasteColumn splits a column copied from a spreadsheet into one cell per
// row, in roster order: one value per line, carriage returns and tabs
// ignored, the trailing empty line a spreadsheet adds dropped. More or
// fewer lines than rows is a *PasteError (nothing is taken).
func PasteColumn(text string, rows int) ([]string, error) {
	text = strings.NewReplacer("\r", "", "\t", "").Replace(text)
	lines := strings.Split(text, "\n")
	for len(lines) > 0 && strings.TrimSpace(lines[len(lines)-1]) == "" {
		lines = lines[:len(lines)-1]
	}
	if len(lines) != rows {
		return nil, &PasteError{Lines: len(lines), Rows: rows}
	}
	for i := range lines {
		lines[i] = strings.TrimSpace(lines[i])
	}
	return lines, nil
}
