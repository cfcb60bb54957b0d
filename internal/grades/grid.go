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
	"cartable/internal/timetable"
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
	return s.SaveMarksSeen(ctx, v, id, cells, nil)
}

// SaveMarksSeen is SaveMarks for a grid drawn with the stored marks shown
// (student → Mark.Text(""), "" for none), so that two people saving one
// grid (two tabs, two teachers of a teaching) never silently undo each
// other: a student absent from cells is left as stored; a cell typed as
// it was shown keeps whatever is stored now; a cell changed while someone
// else changed the stored mark since is refused (code
// "changed-meanwhile", Value the stored mark now) and nothing is saved.
// A nil shown is SaveMarks's whole-column save.
func (s *Service) SaveMarksSeen(ctx context.Context, v *access.Viewer, id string, cells, shown map[string]string) (int, error) {
	changed := 0
	err := s.DB.Tx(ctx, func(tx *db.Tx) (err error) {
		changed, err = s.saveMarks(ctx, v, tx, id, cells, shown)
		return err
	})
	return changed, err
}

// SaveMarksIn is SaveMarks in the caller's transaction (the demo
// generator's).
func (s *Service) SaveMarksIn(ctx context.Context, v *access.Viewer, tx *db.Tx, id string, cells map[string]string) (int, error) {
	return s.saveMarks(ctx, v, tx, id, cells, nil)
}

func (s *Service) saveMarks(ctx context.Context, v *access.Viewer, tx *db.Tx, id string, cells, shown map[string]string) (int, error) {
	changed := 0
	err := func() error {
		e, _, err := s.evaluationFor(ctx, v, tx, access.EnterMarks, id)
		if err != nil {
			return err
		}
		// Two saves of one grid run one after the other, so that each
		// reads the marks the other wrote (SQLite has one writer).
		if tx.Dialect() == db.Postgres {
			if _, err := tx.Exec(ctx, `SELECT id FROM gr_evaluations WHERE id = ? FOR UPDATE`, id); err != nil {
				return err
			}
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
			typed, ok := cells[st.ID]
			if !ok && shown != nil {
				continue // not on the page that was saved: left as stored
			}
			text := strings.TrimSpace(typed)
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
		// A cell left as the page showed it keeps what is stored now; one
		// changed over someone else's change is refused.
		for _, st := range roster {
			c, ok := parsed[st.ID]
			was, seen := shown[st.ID]
			if !ok || !seen {
				continue
			}
			stored := ""
			if m, had := marks[id][st.ID]; had {
				stored = m.Text("")
			}
			after := ""
			if !c.empty {
				after = Mark{ValueX100: c.value, Special: c.special}.Text("")
			}
			switch {
			case stored == was:
			case after == was:
				delete(parsed, st.ID)
			case after != stored:
				ps = append(ps, check.Problem{Field: st.ID, Code: "changed-meanwhile", Value: stored})
			}
		}
		if err := ps.Err(); err != nil {
			return err
		}
		now := s.now()
		// Marks and their history are written a column at a time: two
		// statements for a class rather than two per student.
		var upserts []any
		var changes []change
		for _, st := range roster {
			c, ok := parsed[st.ID]
			if !ok {
				continue
			}
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
			if c.empty {
				if _, err := tx.Exec(ctx, `DELETE FROM gr_marks WHERE evaluation_id = ? AND student_id = ?`, id, st.ID); err != nil {
					return err
				}
			} else {
				var value any
				if c.special == "" {
					value = c.value
				}
				upserts = append(upserts, id, st.ID, value, c.special, now.Unix(), v.Actor())
			}
			changes = append(changes, change{Establishment: e.Establishment, Student: st.ID, Subject: "mark:" + id,
				Actor: v.Actor(), Before: before, After: after})
		}
		const perMark, chunk = 6, 200
		for len(upserts) > 0 {
			n := min(len(upserts), perMark*chunk)
			_, err := tx.Exec(ctx, `INSERT INTO gr_marks (evaluation_id, student_id, value_x100, special, updated_at, updated_by)
				VALUES `+rows(n/perMark, perMark)+` ON CONFLICT (evaluation_id, student_id) DO UPDATE SET value_x100 = excluded.value_x100,
				special = excluded.special, updated_at = excluded.updated_at, updated_by = excluded.updated_by`, upserts[:n]...)
			if err != nil {
				return err
			}
			upserts = upserts[n:]
		}
		if err := recordAll(ctx, tx, now, changes); err != nil {
			return err
		}
		changed = len(changes)
		if !v.IsSystem() {
			return clearDraft(ctx, tx, id, v.ID)
		}
		return nil
	}()
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

// rows writes n rows of k placeholders: "(?, ?), (?, ?)".
func rows(n, k int) string {
	row := "(" + strings.Repeat("?, ", k-1) + "?)"
	return strings.Repeat(row+", ", n-1) + row
}

// recordAll writes changes to the history in a few statements, in the
// caller's transaction.
func recordAll(ctx context.Context, q db.Querier, at time.Time, cs []change) error {
	const perChange, chunk = 7, 200
	for len(cs) > 0 {
		n := min(len(cs), chunk)
		args := make([]any, 0, n*perChange)
		for _, c := range cs[:n] {
			var student any
			if c.Student != "" {
				student = c.Student
			}
			args = append(args, c.Establishment, student, c.Subject, c.Actor, at.Unix(), c.Before, c.After)
		}
		if _, err := q.Exec(ctx, `INSERT INTO gr_history (establishment_id, student_id, subject, actor, at, before_state, after_state)
			VALUES `+rows(n, perChange), args...); err != nil {
			return err
		}
		cs = cs[n:]
	}
	return nil
}

// Column is an evaluation with what was typed for each of its students,
// for a bulk load.
type Column struct {
	Input EvaluationInput
	Cells map[string]string // student → typed text
	At    time.Time         // when it was entered
}

// LoadIn creates evaluations of the teaching r with their marks in the
// caller's transaction: the demo generator's term of marks. Each goes
// through the same checks as the forms (the evaluation form's, the grid's
// parser, the period's lock on the day it is entered) and each mark is
// recorded in the history as entered by v; statements are prepared once
// for the whole load. It returns the new evaluations' IDs.
func (s *Service) LoadIn(ctx context.Context, v *access.Viewer, tx *db.Tx, r access.Resource, cols []Column) ([]string, error) {
	t, err := s.teachingFor(ctx, v, tx, access.EnterMarks, r)
	if err != nil {
		return nil, err
	}
	f, err := s.evaluationForm(ctx, tx, t)
	if err != nil {
		return nil, err
	}
	roster, err := rosterOf(ctx, tx, t.Structure)
	if err != nil {
		return nil, err
	}
	insMark, err := tx.Prepare(ctx, `INSERT INTO gr_marks (evaluation_id, student_id, value_x100, special, updated_at, updated_by)
		VALUES (?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return nil, err
	}
	defer insMark.Close()
	insHist, err := tx.Prepare(ctx, `INSERT INTO gr_history (establishment_id, student_id, subject, actor, at, before_state, after_state)
		VALUES (?, ?, ?, ?, ?, '', ?)`)
	if err != nil {
		return nil, err
	}
	defer insHist.Close()
	actor := v.Actor()
	out := make([]string, 0, len(cols))
	for _, c := range cols {
		f.Today = c.At.In(timetable.Paris).Format(timetable.DateFormat)
		if err := CheckEvaluation(c.Input, f).Err(); err != nil {
			return out, err
		}
		id, err := insertEvaluation(ctx, tx, v, t, c.Input, c.At)
		if err != nil {
			return out, err
		}
		scale, _ := ParseX100(c.Input.Scale)
		var ps check.Problems
		for _, st := range roster {
			text := strings.TrimSpace(c.Cells[st.ID])
			if text == "" {
				continue
			}
			val, sp, err := ParseMark(text, scale)
			if err != nil {
				ps = append(ps, cellProblem(st.ID, text, err))
				continue
			}
			var value any
			if sp == "" {
				value = val
			}
			if _, err := insMark.ExecContext(ctx, id, st.ID, value, sp, c.At.Unix(), actor); err != nil {
				return out, err
			}
			if _, err := insHist.ExecContext(ctx, t.Establishment, st.ID, "mark:"+id, actor, c.At.Unix(),
				Mark{ValueX100: val, Special: sp}.Text("")); err != nil {
				return out, err
			}
		}
		if err := ps.Err(); err != nil {
			return out, err
		}
		out = append(out, id)
	}
	return out, nil
}
