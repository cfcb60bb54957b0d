package demo

import (
	"slices"
	"testing"

	"cartable/internal/dbtest"
)

// The demo's news and survey are the same for a seed and a day: a news
// awaiting a class's families' acknowledgement, acknowledged by some and
// not others, a draft, and an anonymous survey with answers.
func TestDemoNewsDeterministic(t *testing.T) {
	a, b := dbtest.Open(t), dbtest.Open(t)
	genWithTimetable(t, a, 150, "2026-11-30")
	genWithTimetable(t, b, 150, "2026-11-30")
	for _, q := range []string{
		`SELECT id || '|' || author_id || '|' || title || '|' || visible_from || '|' || ack_deadline || '|' || CAST(draft AS TEXT) FROM news ORDER BY id`,
		`SELECT news_id || '|' || person_id || '|' || read_at || '|' || acked_at FROM news_recipients ORDER BY news_id, person_id`,
		`SELECT id || '|' || title || '|' || closes_at FROM surveys ORDER BY id`,
		`SELECT survey_id || '|' || person_id || '|' || CAST(answered AS TEXT) FROM survey_recipients ORDER BY survey_id, person_id`,
		`SELECT response_id || '|' || question_id || '|' || choice_id || '|' || text FROM survey_answers ORDER BY 1`,
	} {
		if !slices.Equal(strs(t, a, q), strs(t, b, q)) {
			t.Fatalf("the same seed and day gave two different news: %s", q)
		}
	}
	for what, q := range map[string]string{
		"news":                     `SELECT COUNT(*) FROM news WHERE NOT draft`,
		"draft":                    `SELECT COUNT(*) FROM news WHERE draft`,
		"acknowledged":             `SELECT COUNT(*) FROM news_recipients r JOIN news n ON n.id = r.news_id WHERE n.ack_required AND r.acked_at > 0`,
		"awaiting acknowledgement": `SELECT COUNT(*) FROM news_recipients r JOIN news n ON n.id = r.news_id WHERE n.ack_required AND r.acked_at = 0`,
		"survey answers":           `SELECT COUNT(*) FROM survey_responses WHERE respondent_id IS NULL`,
		"survey not answered":      `SELECT COUNT(*) FROM survey_recipients WHERE NOT answered`,
		"news notices":             `SELECT COUNT(*) FROM notifications WHERE kind = 'news'`,
	} {
		if count(t, a, q) == 0 {
			t.Errorf("no demo %s", what)
		}
	}
}
