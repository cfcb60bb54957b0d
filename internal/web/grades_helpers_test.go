package web_test

import "context"

// withoutDemoGrades empties what the demo wrote of grades (evaluations and
// their marks, levels and items, appraisals, councils, report cards,
// settings and calendars), for the tests that build their own small case
// and check its figures to the hundredth.
func (e *env) withoutDemoGrades() {
	e.t.Helper()
	for _, table := range []string{"gr_report_cards", "gr_council_entries", "gr_cycle_positions", "gr_levels",
		"gr_evaluation_items", "gr_competence_items", "gr_drafts", "gr_marks", "gr_evaluations", "gr_appraisals",
		"gr_sub_subjects", "gr_subject_coefficients", "gr_periods", "gr_settings", "gr_history"} {
		if _, err := e.db.Exec(context.Background(), `DELETE FROM `+table); err != nil {
			e.t.Fatalf("empty %s: %v", table, err)
		}
	}
}
