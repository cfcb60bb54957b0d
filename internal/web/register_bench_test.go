package web_test

import (
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"cartable/internal/demo"
)

// BenchmarkRegisterPage requests teachers' register pages (GET, the roll
// call of one of their lessons begun that morning) over real HTTP in
// parallel, at the moment of the home page measurements, and reports the
// database statements per page. Run with
// go test -bench RegisterPage -run '^$' ./internal/web/ (timings only on an
// idle machine). The /day sub-benchmark is school life's view of the
// establishment's day.
func BenchmarkRegisterPage(b *testing.B) {
	e := newTTEnv(b, 600)
	e.clock.Add(homeBenchAt.Sub(ttNow))
	// Up to 30 teachers of the main school with a lesson begun that day.
	rows := e.query(`SELECT t.teacher_id || '|' || MIN(s.id) FROM tt_slots s JOIN tt_slot_teachers t ON t.slot_id = s.id
		JOIN establishments x ON x.id = s.establishment_id
		WHERE x.uai = ? AND s.weekday = 3 AND s.start_min <= 660 AND s.alternation_id IS NULL AND NOT s.exceptional
		AND s.valid_from <= '2026-12-02' AND s.valid_to >= '2026-12-02'
		AND NOT EXISTS (SELECT 1 FROM tt_changes c WHERE c.slot_id = s.id AND c.on_date = '2026-12-02')
		GROUP BY t.teacher_id ORDER BY 1 LIMIT 30`, demo.MainUAI)
	if len(rows) == 0 {
		b.Fatal("no lesson begun on the morning of the measure")
	}
	var cookies, paths []string
	for _, row := range rows {
		teacher, slot, _ := strings.Cut(row, "|")
		login := e.login(teacher)
		cookies = append(cookies, signInRole(b, e, func(a demo.Account) bool { return a.Login == login }, 1)[0])
		paths = append(paths, "/registers/"+slot+"/2026-12-02")
	}
	run := func(b *testing.B, cookies, paths []string) {
		client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64, DisableCompression: true}}
		var n atomic.Int64
		stmts := e.db.Statements()
		b.SetParallelism(8)
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				i := int(n.Add(1))
				if _, _, err := getHome(client, e.ts.URL+paths[i%len(paths)], cookies[i%len(cookies)]); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.StopTimer()
		b.ReportMetric(float64(e.db.Statements()-stmts)/float64(n.Load()), "queries/page")
	}
	b.Run("teacher", func(b *testing.B) { run(b, cookies, paths) })
	cpe := signInRole(b, e, func(a demo.Account) bool { return has("cpe")(a) && a.Establishment == demo.MainUAI }, 4)
	b.Run("day", func(b *testing.B) { run(b, cpe, []string{"/registers/day"}) })
}
