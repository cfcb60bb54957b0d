package demo

import (
	"slices"
	"testing"

	"cartable/internal/dbtest"
)

// The demo's conversations are the same for a seed and a day, and show a
// teacher's message to a class's families partly read (receipts), an
// exchange between a parent and a teacher, a parent writing to the CPE, and
// a class's elected parent representative with a message from a family.
func TestDemoMessagesDeterministic(t *testing.T) {
	a, b := dbtest.Open(t), dbtest.Open(t)
	genWithTimetable(t, a, 150, "2026-11-30")
	genWithTimetable(t, b, 150, "2026-11-30")
	for _, q := range []string{
		`SELECT id || '|' || subject || '|' || created_by || '|' || created_at || '|' || last_at FROM msg_conversations ORDER BY id`,
		`SELECT id || '|' || author_id || '|' || created_at FROM msg_messages ORDER BY id`,
		`SELECT message_id || '|' || person_id || '|' || read_at FROM msg_receipts ORDER BY message_id, person_id`,
		`SELECT id || '|' || person_id || '|' || class_id || '|' || created_by FROM parent_representatives ORDER BY id`,
	} {
		if !slices.Equal(strs(t, a, q), strs(t, b, q)) {
			t.Fatalf("the same seed and day gave two different message sets: %s", q)
		}
	}
	for what, q := range map[string]string{
		"conversations":   `SELECT COUNT(*) FROM msg_conversations`,
		"read receipts":   `SELECT COUNT(*) FROM msg_receipts WHERE read_at > 0`,
		"unread receipts": `SELECT COUNT(*) FROM msg_receipts WHERE read_at = 0`,
		"an answer":       `SELECT COUNT(*) FROM msg_messages m JOIN msg_conversations c ON c.id = m.conversation_id WHERE m.author_id <> c.created_by`,
		"to the CPE":      `SELECT COUNT(*) FROM msg_participants p JOIN functions f ON f.person_id = p.person_id AND f.function = 'cpe'`,
		"representative": `SELECT COUNT(*) FROM parent_representatives r JOIN msg_participants p ON p.person_id = r.person_id
			JOIN msg_conversations c ON c.id = p.conversation_id AND c.created_by <> r.person_id JOIN people a ON a.id = c.created_by
			WHERE r.class_id IS NOT NULL AND a.profile = 'relative'`,
		"a class's families": `SELECT COUNT(*) FROM msg_conversations c WHERE (SELECT COUNT(*) FROM msg_participants p WHERE p.conversation_id = c.id) > 5`,
	} {
		if count(t, a, q) == 0 {
			t.Errorf("no demo %s", what)
		}
	}
}
