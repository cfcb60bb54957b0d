package web_test

import (
	"bytes"
	"context"
	"net/http/httptest"
	"strings"
	"testing"

	"cartable/internal/demo"
)

// BenchmarkWeekView measures the server's work for the week view of
// students, relatives and teachers of the 600-student demo (handler chain
// called directly, gzip on). Run with
// go test -bench WeekView -run '^$' ./internal/web/
func BenchmarkWeekView(b *testing.B) {
	e := newTTEnv(b, 600)
	var cookies []string
	for _, c := range signInMany(b, e) {
		cookies = append(cookies, c)
	}
	h := e.srv.Handler()
	b.ResetTimer()
	n, size := serveParallel(b, h, "/timetable?week=2026-11-30", cookies)
	b.ReportMetric(float64(size)/float64(n), "gzip-bytes/page")
}

// BenchmarkYearFeed measures a full-year iCalendar feed, from the token to
// the last byte: of a parent of two children (every lesson of the school
// year of both, with changes, and their homework), and of the teacher who
// set the most homework (their lessons and the homework they set).
func BenchmarkYearFeed(b *testing.B) {
	e := newTTEnv(b, 600)
	parent := e.account(func(a demo.Account) bool { return a.Profile == "relative" && len(a.Children) == 2 })
	teacher := e.login(e.query(`SELECT e.author_id FROM homework h JOIN classlog_entries e ON e.id = h.entry_id
		GROUP BY e.author_id ORDER BY COUNT(*) DESC, e.author_id LIMIT 1`)[0])
	for _, who := range []struct{ name, login string }{{"parent", parent.Login}, {"teacher", teacher}} {
		br := e.signIn(who.login)
		r := br.createFeed("")
		i := strings.Index(r.body, "/feeds/")
		j := strings.Index(r.body[i:], `"`)
		path := r.body[i : i+j]
		h := e.srv.Handler()
		b.Run(who.name, func(b *testing.B) {
			var size int
			for b.Loop() {
				req := httptest.NewRequest("GET", path, nil)
				w := httptest.NewRecorder()
				h.ServeHTTP(w, req)
				if w.Code != 200 {
					b.Fatalf("status %d", w.Code)
				}
				size = w.Body.Len()
			}
			b.ReportMetric(float64(size), "bytes/feed")
			b.ReportMetric(float64(bytes.Count([]byte(e.feedBody(path)), []byte("BEGIN:VEVENT"))), "events")
		})
	}
}

func (e *env) feedBody(path string) string {
	req := httptest.NewRequest("GET", path, nil).WithContext(context.Background())
	w := httptest.NewRecorder()
	e.srv.Handler().ServeHTTP(w, req)
	return w.Body.String()
}
