package web_test

import (
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// atFixedRate sends rate × seconds GETs of path from client, the i-th
// with cookies[i % len], each due at its moment, through 128 workers; a
// full queue delays a request and its latency counts the wait (no
// coordinated omission). It resets the benchmark's timer before the first
// request and stops it after the last, fails the benchmark on any failed
// request, reports req/s, p50, p99 and max latency, and returns the bytes
// sent in all and the statements run per page.
func (e *env) atFixedRate(b *testing.B, client *http.Client, path string, cookies []string, rate, seconds int) (sent int64, queriesPerPage float64) {
	total := rate * seconds
	lat := make([]time.Duration, total)
	var bytes, failed atomic.Int64
	stmts := e.db.Statements()
	type job struct {
		i   int
		due time.Time
	}
	jobs := make(chan job, 128)
	var wg sync.WaitGroup
	for w := 0; w < 128; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				s, err := getSent(client, e.ts.URL+path, cookies[j.i%len(cookies)])
				lat[j.i] = time.Since(j.due)
				if err != nil {
					failed.Add(1)
				}
				bytes.Add(int64(s))
			}
		}()
	}
	b.ResetTimer()
	t0 := time.Now()
	interval := time.Second / time.Duration(rate)
	for i := 0; i < total; i++ {
		due := t0.Add(time.Duration(i) * interval)
		if d := time.Until(due); d > 0 {
			time.Sleep(d)
		}
		jobs <- job{i, due}
	}
	close(jobs)
	wg.Wait()
	elapsed := time.Since(t0)
	b.StopTimer()
	if n := failed.Load(); n > 0 {
		b.Fatalf("%d requests failed", n)
	}
	slices.Sort(lat)
	pct := func(p float64) float64 {
		return float64(lat[min(total-1, int(float64(total)*p))]) / float64(time.Millisecond)
	}
	b.ReportMetric(float64(total)/elapsed.Seconds(), "req/s")
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	b.ReportMetric(float64(lat[total-1])/float64(time.Millisecond), "max-ms")
	return bytes.Load(), float64(e.db.Statements()-stmts) / float64(total)
}
