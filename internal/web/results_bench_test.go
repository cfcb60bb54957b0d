package web_test

import (
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"cartable/internal/demo"
)

// BenchmarkGradesPage requests students' and relatives' grades pages
// (the current term, every subject with the class statistics and every
// average computed with its steps) over real HTTP in parallel, on the
// demo collège of 600 students with a term and a half of marks (seedMarks:
// about 8 evaluations per class and subject), and reports the p99 latency
// and the database statements per page. The issue asks for 300 requests/s
// with p99 under 50 ms on SQLite. Run with
// go test -bench GradesPage -run '^$' ./internal/web/
func BenchmarkGradesPage(b *testing.B) {
	e := gradesEnv(b, 600)
	for _, role := range []struct {
		name string
		is   func(demo.Account) bool
	}{
		{"student", func(a demo.Account) bool { return a.Profile == "student" && a.Establishment == demo.MainUAI }},
		{"relative", func(a demo.Account) bool { return a.Profile == "relative" && a.Establishment == demo.MainUAI }},
	} {
		var cookies []string
		b.Run(role.name, func(b *testing.B) {
			if cookies == nil {
				cookies = signInRole(b, e, role.is, 30)
			}
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64, DisableCompression: true}}
			var n atomic.Int64
			var mu sync.Mutex
			var lat []time.Duration
			stmts := e.db.Statements()
			b.SetParallelism(8)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				var mine []time.Duration
				for pb.Next() {
					i := n.Add(1)
					t0 := time.Now()
					if _, _, err := getHome(client, e.ts.URL+"/grades", cookies[int(i)%len(cookies)]); err != nil {
						b.Fatal(err)
					}
					mine = append(mine, time.Since(t0))
				}
				mu.Lock()
				lat = append(lat, mine...)
				mu.Unlock()
			})
			b.StopTimer()
			slices.Sort(lat)
			if len(lat) > 0 {
				b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
			}
			b.ReportMetric(float64(e.db.Statements()-stmts)/float64(n.Load()), "queries/page")
		})
	}
}

// BenchmarkGradesRate requests students' and relatives' grades pages at a
// fixed rate (300 a second by default: the figure) for a few
// seconds and reports the latency percentiles, each request's latency
// counted from when it was due. Run with
// go test -run '^$' -bench GradesRate -benchtime 1x ./internal/web/
// (CARTABLE_BENCH_RATE and CARTABLE_BENCH_SECONDS change the rate and the
// duration).
func BenchmarkGradesRate(b *testing.B) {
	rate := envInt("CARTABLE_BENCH_RATE", 300)
	seconds := envInt("CARTABLE_BENCH_SECONDS", 3)
	e := gradesEnv(b, 600)
	cookies := append(signInRole(b, e, func(a demo.Account) bool { return a.Profile == "student" && a.Establishment == demo.MainUAI }, 30),
		signInRole(b, e, func(a demo.Account) bool { return a.Profile == "relative" && a.Establishment == demo.MainUAI }, 30)...)
	client := &http.Client{Transport: &http.Transport{MaxIdleConns: 128, MaxIdleConnsPerHost: 128, DisableCompression: true}}
	for _, c := range cookies { // warm the connections and caches
		if _, err := getSent(client, e.ts.URL+"/grades", c); err != nil {
			b.Fatal(err)
		}
	}
	_, queries := e.atFixedRate(b, client, "/grades", cookies, rate, seconds)
	b.ReportMetric(queries, "queries/page")
}
