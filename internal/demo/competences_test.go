package demo

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"cartable/internal/access"
	"cartable/internal/db"
	"cartable/internal/dbtest"
)

// genCompetences generates the demo, a few first-term evaluations (the
// grades generator's are written elsewhere: these stand for them) and the
// competences.
func genCompetences(t *testing.T, d *db.DB) {
	t.Helper()
	ctx := context.Background()
	sys := access.System("test")
	err := d.Tx(ctx, func(tx *db.Tx) error {
		if _, err := Generate(ctx, sys, tx, Options{Seed: 1, Students: 60}); err != nil {
			return err
		}
		type teaching struct{ est, class, subject, period string }
		ts, err := db.All(ctx, tx, func(s db.Scanner) (r teaching, err error) {
			err = s.Scan(&r.est, &r.class, &r.subject, &r.period)
			return
		},
			`SELECT a.establishment_id, a.class_id, a.subject_id, p.id FROM teaching_assignments a JOIN classes c ON c.id = a.class_id
			JOIN periods p ON p.school_year_id = c.school_year_id AND p.number = 1 JOIN establishments e ON e.id = a.establishment_id
			WHERE e.uai = ? ORDER BY a.id LIMIT 12`, MainUAI)
		if err != nil {
			return err
		}
		for i, tc := range ts {
			if _, err := tx.Exec(ctx, `INSERT INTO gr_evaluations (id, establishment_id, class_id, subject_id, period_id, title, held_on,
				scale_x100, coef_x100, publish_on, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 2000, 100, ?, 0, 0)`,
				fmt.Sprintf("ev%02d", i), tc.est, tc.class, tc.subject, tc.period, fmt.Sprintf("Évaluation %d", i),
				fmt.Sprintf("2026-10-%02d", i+1), fmt.Sprintf("2026-10-%02d", i+2)); err != nil {
				return err
			}
		}
		return GenerateCompetences(ctx, sys, tx, 1, "2026-12-08")
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestDemoCompetencesDeterministicAndTrue(t *testing.T) {
	a, b := dbtest.Open(t), dbtest.Open(t)
	genCompetences(t, a)
	genCompetences(t, b)
	for _, q := range []string{
		`SELECT id || COALESCE(subject_id, '') || component || label FROM gr_competence_items ORDER BY 1`,
		`SELECT evaluation_id || item_id || position FROM gr_evaluation_items ORDER BY 1`,
		`SELECT evaluation_id || item_id || student_id || COALESCE(level, 0) || special || updated_at FROM gr_levels ORDER BY 1`,
		`SELECT subject || COALESCE(student_id, '') || actor || at || before_state || after_state FROM gr_history ORDER BY id`,
	} {
		x, y := strs(t, a, q), strs(t, b, q)
		if len(x) == 0 || !slices.Equal(x, y) {
			t.Errorf("%s: %d rows, then %d, or different", q[:40], len(x), len(y))
		}
	}
	if n := count(t, a, `SELECT COUNT(*) FROM gr_competence_items`); n != len(competenceCatalogue) {
		t.Errorf("%d items, want %d", n, len(competenceCatalogue))
	}
	// One evaluation in three gets levels: 4 of the 12.
	if n := count(t, a, `SELECT COUNT(DISTINCT evaluation_id) FROM gr_levels`); n != 4 {
		t.Errorf("levels on %d evaluations, want 4", n)
	}
	for q, want := range map[string]int{
		// Every item of an evaluation is its subject's or the establishment's.
		`SELECT COUNT(*) FROM gr_evaluation_items ei JOIN gr_evaluations e ON e.id = ei.evaluation_id
			JOIN gr_competence_items i ON i.id = ei.item_id WHERE i.subject_id IS NOT NULL AND i.subject_id <> e.subject_id`: 0,
		// Every student of the class has a level on every item.
		`SELECT COUNT(*) FROM gr_evaluation_items ei JOIN gr_evaluations e ON e.id = ei.evaluation_id
			JOIN enrolments en ON en.class_id = e.class_id WHERE NOT EXISTS (SELECT 1 FROM gr_levels l
			WHERE l.evaluation_id = ei.evaluation_id AND l.item_id = ei.item_id AND l.student_id = en.student_id)`: 0,
		// The history has a line per level.
		`SELECT COUNT(*) FROM gr_levels l WHERE NOT EXISTS (SELECT 1 FROM gr_history h
			WHERE h.subject = 'level:' || l.evaluation_id || '/' || l.item_id AND h.student_id = l.student_id)`: 0,
	} {
		if n := count(t, a, q); n != want {
			t.Errorf("%s: %d, want %d", q, n, want)
		}
	}
	if n := count(t, a, `SELECT COUNT(DISTINCT level) FROM gr_levels WHERE level IS NOT NULL`); n < 3 {
		t.Errorf("only %d distinct levels", n)
	}
}
