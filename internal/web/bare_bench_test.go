package web_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
)

// BenchmarkHomeVersusBare puts a signed-in home page beside a bare Go
// handler that serves the very same gzipped bytes, both over loopback
// HTTP with the same client and parallelism: the ratio of their ns/op is
// what the application costs beyond HTTP itself (issue 14's goal: the
// home at least 0.10 × the bare handler's throughput). Run with
// go test -bench HomeVersusBare -run '^$' ./internal/web/ (and with
// CARTABLE_TEST_POSTGRES set).
func BenchmarkHomeVersusBare(b *testing.B) {
	e := newTTEnv(b, 600)
	e.clock.Add(homeBenchAt.Sub(ttNow))
	cookies := signInRole(b, e, homeRoles[1].is, 30) // relatives: the heaviest home
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64, DisableCompression: true}}
	// The bytes the bare handler serves: one relative's home, as sent.
	req, _ := http.NewRequest("GET", e.ts.URL+"/", nil)
	req.Header.Set("Cookie", cookies[0])
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err := client.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	bare := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Encoding", "gzip")
		w.Write(page)
	}))
	b.Cleanup(bare.Close)
	for _, c := range []struct{ name, url string }{{"home", e.ts.URL + "/"}, {"bare", bare.URL + "/"}} {
		b.Run(c.name, func(b *testing.B) {
			var n atomic.Int64
			b.SetParallelism(8)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					i := n.Add(1)
					if _, _, err := getHome(client, c.url, cookies[int(i)%len(cookies)]); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
	}
}
