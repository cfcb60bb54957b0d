package grades

// End-of-cycle positioning (bilan de fin de cycle): in 6e (cycle 3) and 3e
// (cycle 4), each student is positioned on each of the eight components
// of the socle, 1 to 4 or 0 for exempt (the LSU's PositionnementSocle).
// The head teacher or the head (WriteCouncil on the class) enters it; the
// grid is prefilled with a suggestion: the mean of the levels given during
// the school year on the items of that component, in every subject,
// exempt ones left out, rounded to the nearest level (half up). Only
// exempt levels suggest 0; no level suggests nothing. The mean rather
// than the establishment's "highest" setting: a positioning for the whole
// cycle says what the student masters steadily, not once.

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"cartable/internal/access"
	"cartable/internal/averages"
	"cartable/internal/check"
	"cartable/internal/db"
)

// CycleGrid is a class's end-of-cycle positioning: a row per student, a
// column per component.
type CycleGrid struct {
	Class      CycleClass
	Components []Component
	Students   []StudentRef
	// Positions: student → component → the stored positioning.
	Positions map[string]map[Component]CyclePosition
	// Suggestions: student → component → the suggestion with its steps.
	Suggestions map[string]map[Component]averages.LevelResult
}

// CyclePosition is a stored positioning with who set it, when.
type CyclePosition struct {
	Position  int // 0 (exempt) to 4
	Author    string
	UpdatedAt time.Time
}

// Stored is the positioning of a cell as the grid shows it ("" : none).
func (g CycleGrid) Stored(student string, c Component) string {
	if p, ok := g.Positions[student][c]; ok {
		return strconv.Itoa(p.Position)
	}
	return ""
}

// Suggested is the suggestion of a cell ("" : none).
func (g CycleGrid) Suggested(student string, c Component) string {
	if r, ok := g.Suggestions[student][c]; ok && r.Assessed {
		return strconv.Itoa(int(r.Level))
	}
	return ""
}

// Suggestion is a cell's suggestion with its steps.
func (g CycleGrid) Suggestion(student string, c Component) averages.LevelResult {
	return g.Suggestions[student][c]
}

// cycleClass asks a on the class and reads it; a missing class is refused
// like a forbidden one.
func (s *Service) cycleClass(ctx context.Context, v *access.Viewer, a access.Action, id string) (CycleClass, error) {
	if err := v.Can(ctx, a, access.Class(id)); err != nil {
		return CycleClass{}, err
	}
	c, err := cmpClassByID(ctx, s.DB, id)
	if err != nil {
		return c, s.cmpMissing(err, access.Class(id))
	}
	return c, nil
}

// Cycle reads a class's end-of-cycle grid, for its head teacher and the
// head (WriteCouncil). A class that ends no cycle gets an empty grid
// (Class.Cycle 0).
func (s *Service) Cycle(ctx context.Context, v *access.Viewer, classID string) (CycleGrid, error) {
	c, err := s.cycleClass(ctx, v, access.WriteCouncil, classID)
	if err != nil {
		return CycleGrid{}, err
	}
	g := CycleGrid{Class: c, Components: Components, Positions: map[string]map[Component]CyclePosition{},
		Suggestions: map[string]map[Component]averages.LevelResult{}}
	if c.Cycle == 0 {
		return g, nil
	}
	if g.Students, err = cmpRoster(ctx, s.DB, access.Class(classID)); err != nil {
		return g, err
	}
	if len(g.Students) == 0 {
		return g, nil
	}
	studentIDs := make([]string, len(g.Students))
	for i, st := range g.Students {
		studentIDs[i] = st.ID
	}
	type stored struct {
		student   string
		component Component
		pos       CyclePosition
	}
	rows, err := db.All(ctx, s.DB, func(sc db.Scanner) (r stored, err error) {
		var at int64
		err = sc.Scan(&r.student, &r.component, &r.pos.Position, &r.pos.Author, &at)
		r.pos.UpdatedAt = time.Unix(at, 0)
		return
	}, `SELECT c.student_id, c.component, c.position, COALESCE(p.first_name || ' ' || p.last_name, ''), c.updated_at
		FROM gr_cycle_positions c LEFT JOIN people p ON p.id = c.author_id
		WHERE c.school_year_id = ? AND `+db.In(s.DB, "c.student_id"), c.Year, db.ListArg(s.DB, studentIDs))
	if err != nil {
		return g, err
	}
	for _, r := range rows {
		if g.Positions[r.student] == nil {
			g.Positions[r.student] = map[Component]CyclePosition{}
		}
		g.Positions[r.student][r.component] = r.pos
	}
	// The year's levels of every student of the class, on any evaluation
	// of the year (their class's and their groups').
	type given struct {
		student, item, label, title string
		component                   Component
		value                       string
	}
	levels, err := db.All(ctx, s.DB, func(sc db.Scanner) (l given, err error) {
		var n int
		err = sc.Scan(&l.student, &l.item, &l.component, &l.label, &l.title, &n, &l.value)
		if l.value == "" {
			l.value = strconv.Itoa(n)
		}
		return
	}, `SELECT l.student_id, i.id, i.component, i.label, e.title, COALESCE(l.level, 0), l.special
		FROM gr_levels l JOIN gr_competence_items i ON i.id = l.item_id JOIN gr_evaluations e ON e.id = l.evaluation_id
		JOIN periods p ON p.id = e.period_id
		WHERE p.school_year_id = ? AND `+db.In(s.DB, "l.student_id")+` ORDER BY e.held_on, e.id, i.label`,
		c.Year, db.ListArg(s.DB, studentIDs))
	if err != nil {
		return g, err
	}
	per := map[string]map[Component][]averages.Assessment{}
	for _, l := range levels {
		a, ok := engineAssessment(l.value, averages.Ref{Kind: averages.RefItem, ID: l.item, Label: l.title + " · " + l.label})
		if !ok {
			continue
		}
		if per[l.student] == nil {
			per[l.student] = map[Component][]averages.Assessment{}
		}
		per[l.student][l.component] = append(per[l.student][l.component], a)
	}
	for _, st := range g.Students {
		g.Suggestions[st.ID] = map[Component]averages.LevelResult{}
		for _, comp := range Components {
			g.Suggestions[st.ID][comp] = CycleSuggestion(per[st.ID][comp])
		}
	}
	return g, nil
}

// CycleSuggestion is the suggested positioning from a year's levels on a
// component's items: their mean, rounded to the nearest level.
func CycleSuggestion(levels []averages.Assessment) averages.LevelResult {
	return averages.SubjectLevel(levels, averages.Settings{Levels: averages.LevelsMean})
}

// ParsePosition reads a cell of the cycle grid: "" (none), 0 to 4, or
// "disp" (0).
func ParsePosition(s string) (string, bool) {
	t := strings.ToLower(strings.TrimSpace(s))
	switch t {
	case "", "0", "1", "2", "3", "4":
		return t, true
	case LevelExempt:
		return "0", true
	}
	return "", false
}

// SaveCycle saves a class's end-of-cycle positioning (WriteCouncil on the
// class): cells maps student → component code → what was typed ("" clears
// it). Any problem (Field "STUDENT/COMPONENT") saves nothing; each change
// is written to the history ("cycle:YEAR/COMPONENT") in the transaction.
func (s *Service) SaveCycle(ctx context.Context, v *access.Viewer, classID string, cells map[string]map[string]string) error {
	return s.SaveCycleSeen(ctx, v, classID, cells, nil)
}

// SaveCycleSeen is SaveCycle for a grid drawn with the stored positions
// shown (student → component → stored, "" for none), so that the head
// teacher and the head never silently undo each other: a cell left as
// shown keeps what is stored now, one changed over someone else's change
// since is refused (code "changed-meanwhile", Value the position now).
func (s *Service) SaveCycleSeen(ctx context.Context, v *access.Viewer, classID string, cells, shown map[string]map[string]string) error {
	c, err := s.cycleClass(ctx, v, access.WriteCouncil, classID)
	if err != nil {
		return err
	}
	if c.Cycle == 0 {
		return check.Problems{{Field: "class", Code: "no-cycle", Value: c.Level}}
	}
	students, err := cmpRoster(ctx, s.DB, access.Class(classID))
	if err != nil {
		return err
	}
	rowAt := map[string]int{}
	for i, st := range students {
		rowAt[st.ID] = i + 1
	}
	type cell struct {
		student string
		comp    Component
	}
	var keys []cell
	for st, row := range cells {
		for comp := range row {
			keys = append(keys, cell{st, Component(comp)})
		}
	}
	slices.SortFunc(keys, func(a, b cell) int {
		if rowAt[a.student] != rowAt[b.student] {
			return rowAt[a.student] - rowAt[b.student]
		}
		if d := slices.Index(Components, a.comp) - slices.Index(Components, b.comp); d != 0 {
			return d
		}
		return strings.Compare(a.student+string(a.comp), b.student+string(b.comp))
	})
	var ps check.Problems
	parsed := map[cell]string{}
	for _, k := range keys {
		typed := cells[k.student][string(k.comp)]
		field := k.student + "/" + string(k.comp)
		switch {
		case rowAt[k.student] == 0:
			ps.Add(field, "unknown-student", typed)
		case !k.comp.Valid():
			ps.Add(field, "unknown-component", typed)
		default:
			val, ok := ParsePosition(typed)
			if !ok {
				ps.Add(field, "bad-position", strings.TrimSpace(typed))
				continue
			}
			parsed[k] = val
		}
	}
	if len(ps) > 0 {
		return ps
	}
	now := s.now()
	return s.DB.Tx(ctx, func(tx *db.Tx) error {
		if tx.Dialect() == db.Postgres { // two saves of a class's grid, one after the other
			if _, err := tx.Exec(ctx, `SELECT id FROM classes WHERE id = ? FOR UPDATE`, classID); err != nil {
				return err
			}
		}
		// The positions stored now, read in the transaction so that the
		// history's "before" is what this save replaces.
		stored := map[cell]string{}
		if len(students) > 0 {
			ids := make([]string, len(students))
			for i, st := range students {
				ids[i] = st.ID
			}
			rows, err := db.All(ctx, tx, func(sc db.Scanner) (r struct {
				k   cell
				pos int
			}, err error) {
				var comp string
				err = sc.Scan(&r.k.student, &comp, &r.pos)
				r.k.comp = Component(comp)
				return
			}, `SELECT student_id, component, position FROM gr_cycle_positions WHERE school_year_id = ? AND `+db.In(tx, "student_id"),
				c.Year, db.ListArg(tx, ids))
			if err != nil {
				return err
			}
			for _, r := range rows {
				stored[r.k] = strconv.Itoa(r.pos)
			}
		}
		var ps check.Problems
		for _, k := range keys {
			was, seen := shown[k.student][string(k.comp)]
			val, cur := parsed[k], stored[k]
			switch {
			case !seen || cur == was:
			case strings.TrimSpace(was) == strings.TrimSpace(cells[k.student][string(k.comp)]) || val == was:
				parsed[k] = cur
			case val != cur:
				shownNow := cur
				if shownNow == "" {
					shownNow = "—"
				}
				ps.Add(k.student+"/"+string(k.comp), "changed-meanwhile", shownNow)
			}
		}
		if len(ps) > 0 {
			return ps
		}
		for _, k := range keys {
			val, old := parsed[k], stored[k]
			if val == old {
				continue
			}
			var err error
			if val == "" {
				_, err = tx.Exec(ctx, `DELETE FROM gr_cycle_positions WHERE student_id = ? AND school_year_id = ? AND component = ?`,
					k.student, c.Year, string(k.comp))
			} else {
				n, _ := strconv.Atoi(val)
				_, err = tx.Exec(ctx, `INSERT INTO gr_cycle_positions (student_id, school_year_id, component, cycle, position, author_id, updated_at)
					VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (student_id, school_year_id, component)
					DO UPDATE SET cycle = excluded.cycle, position = excluded.position, author_id = excluded.author_id, updated_at = excluded.updated_at`,
					k.student, c.Year, string(k.comp), c.Cycle, n, cmpAuthor(v), now.Unix())
			}
			if err != nil {
				return err
			}
			if err := record(ctx, tx, now, change{Establishment: c.Establishment, Student: k.student,
				Subject: "cycle:" + c.Year + "/" + string(k.comp), Actor: v.Actor(), Before: old, After: val}); err != nil {
				return err
			}
		}
		return nil
	})
}
