package web_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"cartable/internal/db"
	"cartable/internal/demo"
)

// seedInboxes gives each of the people an inbox of n conversations (a
// teacher wrote each, one message, half of them read), written straight
// into the tables: what is measured is the reading.
func seedInboxes(b testing.TB, e *env, people []string, n int) {
	b.Helper()
	ctx := context.Background()
	var author, est string
	if err := e.db.QueryRow(ctx, `SELECT p.id, m.establishment_id FROM people p JOIN memberships m ON m.person_id = p.id
		JOIN establishments x ON x.id = m.establishment_id WHERE p.profile = 'teacher' AND x.uai = ? ORDER BY p.id LIMIT 1`,
		demo.MainUAI).Scan(&author, &est); err != nil {
		b.Fatal(err)
	}
	base := time.Now().Add(-time.Duration(n) * time.Hour).Unix()
	err := e.db.Tx(ctx, func(tx *db.Tx) error {
		for pi, p := range people {
			for i := 0; i < n; i++ {
				id := fmt.Sprintf("bench-%d-%d", pi, i)
				at := base + int64(i)*3600
				read := int64(0)
				if i%2 == 0 {
					read = at + 60
				}
				for _, st := range []struct {
					q    string
					args []any
				}{
					{`INSERT INTO msg_conversations (id, establishment_id, subject, created_by, created_at, last_at) VALUES (?, ?, ?, ?, ?, ?)`,
						[]any{id, est, fmt.Sprintf("Message numéro %d", i), author, at, at}},
					{`INSERT INTO msg_messages (id, conversation_id, author_id, body, created_at) VALUES (?, ?, ?, ?, ?)`,
						[]any{id, id, author, "<p>Bonjour</p>", at}},
					{`INSERT INTO msg_participants (conversation_id, person_id, folder, read_at, last_at) VALUES (?, ?, 'sent', ?, ?)`,
						[]any{id, author, at, at}},
					{`INSERT INTO msg_participants (conversation_id, person_id, folder, read_at, last_at) VALUES (?, ?, 'inbox', ?, ?)`,
						[]any{id, p, read, at}},
				} {
					if _, err := tx.Exec(ctx, st.q, st.args...); err != nil {
						return err
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	if err := e.db.Analyze(ctx); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkMessagesRate requests relatives' inboxes of 1,000 conversations
// each (the first page of 50, with the other participants and the unread
// count) at a fixed rate (300 a second by default: the figure)
// for a few seconds, on the demo collège of 600 students, and reports the
// latency percentiles, each request's latency counted from when it was
// due. Run with
// go test -run '^$' -bench MessagesRate -benchtime 1x ./internal/web/
// (CARTABLE_BENCH_RATE and CARTABLE_BENCH_SECONDS change the rate and the
// duration).
func BenchmarkMessagesRate(b *testing.B) {
	rate := envInt("CARTABLE_BENCH_RATE", 300)
	seconds := envInt("CARTABLE_BENCH_SECONDS", 3)
	e := newEnv(b, 600)
	var logins []string
	is := func(a demo.Account) bool { return a.Profile == "relative" && a.Establishment == demo.MainUAI }
	for _, a := range e.accounts {
		if is(a) && len(logins) < 30 {
			logins = append(logins, a.Login)
		}
	}
	var people []string
	for _, l := range logins {
		people = append(people, e.person(l).ID)
	}
	seedInboxes(b, e, people, 1000)
	var cookies []string
	for _, l := range logins {
		cookies = append(cookies, signInRole(b, e, func(a demo.Account) bool { return a.Login == l }, 1)...)
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConns: 128, MaxIdleConnsPerHost: 128, DisableCompression: true}}
	for _, c := range cookies { // warm the connections and caches
		if _, err := getSent(client, e.ts.URL+"/messages", c); err != nil {
			b.Fatal(err)
		}
	}
	_, queries := e.atFixedRate(b, client, "/messages", cookies, rate, seconds)
	b.ReportMetric(queries, "queries/page")
}
