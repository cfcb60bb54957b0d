package web_test

import (
	"context"
	"strings"
	"testing"
)

// The home page counts the viewer's unread conversations and leads to the
// inbox; once read, the block leaves.
func TestHomeCountsUnreadMessages(t *testing.T) {
	e := newEnv(t, 60)
	var login string
	err := e.db.QueryRow(context.Background(), `SELECT p.login FROM msg_participants m JOIN people p ON p.id = m.person_id
		WHERE m.folder = 'inbox' AND m.read_at = 0 ORDER BY p.login LIMIT 1`).Scan(&login)
	if err != nil {
		t.Fatalf("no unread conversation in the demo: %v", err)
	}
	b := e.signIn(login)
	r := b.get("/")
	if !strings.Contains(r.body, `id="b-unread"`) || !strings.Contains(r.body, `href="/messages"`) {
		t.Fatalf("no unread block for %s: %.300s", login, r.body)
	}
	if _, err := e.db.Exec(context.Background(), `UPDATE msg_participants SET read_at = 1 WHERE person_id = (SELECT id FROM people WHERE login = ?)`, login); err != nil {
		t.Fatal(err)
	}
	if r := b.get("/"); strings.Contains(r.body, `id="b-unread"`) {
		t.Fatal("the block stays once everything is read")
	}
}
