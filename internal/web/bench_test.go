package web_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"cartable/internal/demo"
)

// BenchmarkHomePage signs in demo users of every profile and requests
// their home pages over real HTTP (loopback) in parallel. Run with
// go test -bench HomePage -run '^$' ./internal/web/ and, on PostgreSQL,
// with CARTABLE_TEST_POSTGRES set.
func BenchmarkHomePage(b *testing.B) {
	e := newEnv(b, 600)
	cookies := signInMany(b, e)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64, DisableCompression: true}}
	var n atomic.Int64
	var bytes atomic.Int64
	b.SetParallelism(8)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1)
			req, _ := http.NewRequest("GET", e.ts.URL+"/", nil)
			req.Header.Set("Cookie", cookies[int(i)%len(cookies)])
			req.Header.Set("Accept-Encoding", "gzip")
			resp, err := client.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Content-Encoding"), "gzip") {
				b.Fatalf("status %d", resp.StatusCode)
			}
			bytes.Add(int64(len(body)))
		}
	})
	b.ReportMetric(float64(bytes.Load())/float64(n.Load()), "bytes/page")
}

// signInMany signs in up to 200 demo users of every profile (every 7th
// account) and returns their session cookies.
func signInMany(b testing.TB, e *env) []string {
	var cookies []string
	u, _ := url.Parse(e.ts.URL)
	for i, a := range e.accounts {
		if i%7 != 0 {
			continue
		}
		br := e.browser()
		r := br.post("/sign-in", url.Values{"login": {a.Login}, "password": {demo.DefaultPassword}})
		if r.status != http.StatusSeeOther {
			b.Fatalf("sign-in %s: %d", a.Login, r.status)
		}
		for _, c := range br.client.Jar.Cookies(u) {
			if c.Name == "cartable" {
				cookies = append(cookies, c.Name+"="+c.Value)
			}
		}
		if len(cookies) == 200 {
			break
		}
	}
	return cookies
}

// BenchmarkHomeHandler measures the server's own work for a home page,
// without the network and the client: the handler chain is called
// directly.
func BenchmarkHomeHandler(b *testing.B) {
	e := newEnv(b, 600)
	cookies := signInMany(b, e)
	h := e.srv.Handler()
	var n atomic.Int64
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1)
			req := httptest.NewRequest("GET", "/", nil)
			req.Header.Set("Cookie", cookies[int(i)%len(cookies)])
			req.Header.Set("Accept-Encoding", "gzip")
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
			if w.Code != 200 {
				b.Fatalf("status %d", w.Code)
			}
		}
	})
}
