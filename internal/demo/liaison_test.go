package demo

import (
	"slices"
	"testing"

	"cartable/internal/dbtest"
)

// The demo's carnet de liaison is the same for a seed and a day, and shows
// every state: notes signed by every guardian, by one of two, by none, and
// an exchange of answers.
func TestDemoNotesDeterministicAndVaried(t *testing.T) {
	a, b := dbtest.Open(t), dbtest.Open(t)
	genWithTimetable(t, a, 150, "2026-11-30")
	genWithTimetable(t, b, 150, "2026-11-30")
	const notes = `SELECT n.id || '|' || n.student_id || '|' || n.author_id || '|' || n.subject || '|' || n.created_at ||
		'|' || COALESCE((SELECT COUNT(*) FROM liaison_signatures x WHERE x.note_id = n.id), 0) FROM liaison_notes n ORDER BY n.id`
	const replies = `SELECT id || '|' || note_id || '|' || guardian_id || '|' || author_id || '|' || created_at FROM liaison_replies ORDER BY id`
	for _, q := range []string{notes, replies} {
		if !slices.Equal(strs(t, a, q), strs(t, b, q)) {
			t.Fatalf("the same seed and day gave two different carnets: %s", q)
		}
	}
	for what, q := range map[string]string{
		"notes":                    `SELECT COUNT(*) FROM liaison_notes`,
		"signed by every guardian": `SELECT COUNT(*) FROM liaison_notes n WHERE (SELECT COUNT(*) FROM liaison_signatures x WHERE x.note_id = n.id) >= 2`,
		"signed by one of two": `SELECT COUNT(*) FROM liaison_notes n WHERE (SELECT COUNT(*) FROM liaison_signatures x WHERE x.note_id = n.id) = 1
			AND (SELECT COUNT(*) FROM family_links f WHERE f.student_id = n.student_id AND f.legal_guardian) = 2`,
		"unsigned":        `SELECT COUNT(*) FROM liaison_notes n WHERE NOT EXISTS (SELECT 1 FROM liaison_signatures x WHERE x.note_id = n.id)`,
		"answered back":   `SELECT COUNT(*) FROM liaison_replies r JOIN liaison_notes n ON n.id = r.note_id WHERE r.author_id = n.author_id`,
		"notices to sign": `SELECT COUNT(*) FROM notifications WHERE kind = 'note-to-sign'`,
	} {
		if count(t, a, q) == 0 {
			t.Errorf("no demo note %s", what)
		}
	}
}
