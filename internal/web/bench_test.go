package web_test

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"cartable/internal/demo"
	"cartable/internal/timetable"
)

// BenchmarkHomePage requests the home pages of each profile over real HTTP
// (loopback) in parallel, with the demo around a school day (Wednesday 2
// December 2026, 11:00: lessons begun without their class log, tomorrow's
// homework, a teacher absent in the main school), and reports the bytes of
// a page as sent (gzip) and as read (HTML) and the database statements
// per page. Run with
// go test -bench HomePage -run '^$' ./internal/web/ and, on PostgreSQL,
// with CARTABLE_TEST_POSTGRES set. BenchmarkHomeRate measures latency at a
// fixed rate.
func BenchmarkHomePage(b *testing.B) {
	e := newTTEnv(b, 600)
	e.clock.Add(homeBenchAt.Sub(ttNow))
	for _, role := range homeRoles {
		var cookies []string // signed in once, not at each round of b.Run
		b.Run(role.name, func(b *testing.B) {
			if cookies == nil {
				cookies = signInRole(b, e, role.is, 30)
			}
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64, DisableCompression: true}}
			var n, sent, raw atomic.Int64
			stmts := e.db.Statements()
			b.SetParallelism(8)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					i := n.Add(1)
					body, html, err := getHome(client, e.ts.URL+"/", cookies[int(i)%len(cookies)])
					if err != nil {
						b.Fatal(err)
					}
					sent.Add(int64(body))
					raw.Add(int64(html))
				}
			})
			b.StopTimer()
			b.ReportMetric(float64(sent.Load())/float64(n.Load()), "bytes/page")
			b.ReportMetric(float64(raw.Load())/float64(n.Load()), "html-bytes/page")
			b.ReportMetric(float64(e.db.Statements()-stmts)/float64(n.Load()), "queries/page")
		})
	}
}

// homeBenchAt is the moment of the home page measurements: a school day,
// mid-morning, in the week of the demo's live data (see ttNow).
var homeBenchAt = time.Date(2026, 12, 2, 11, 0, 0, 0, timetable.Paris)

// homeRoles are the profiles whose home pages are measured.
var homeRoles = []struct {
	name string
	is   func(demo.Account) bool
}{
	{"student", func(a demo.Account) bool { return a.Profile == "student" }},
	{"relative", func(a demo.Account) bool { return a.Profile == "relative" }},
	{"teacher", func(a demo.Account) bool { return a.Profile == "teacher" }},
	{"cpe", has("cpe")},
	{"head", has("head")},
}

// signInRole signs in up to max demo users of a role, spread over the
// accounts, and returns their session cookies.
func signInRole(b testing.TB, e *env, is func(demo.Account) bool, limit int) []string {
	var all []demo.Account
	for _, a := range e.accounts {
		if is(a) {
			all = append(all, a)
		}
	}
	step := max(1, len(all)/limit)
	var cookies []string
	u, _ := url.Parse(e.ts.URL)
	for i := 0; i < len(all) && len(cookies) < limit; i += step {
		br := e.browser()
		if r := br.post("/sign-in", url.Values{"login": {all[i].Login}, "password": {demo.DefaultPassword}}); r.status != http.StatusSeeOther {
			b.Fatalf("sign-in %s: %d", all[i].Login, r.status)
		}
		for _, c := range br.client.Jar.Cookies(u) {
			if c.Name == "cartable" {
				cookies = append(cookies, c.Name+"="+c.Value)
			}
		}
	}
	if len(cookies) == 0 {
		b.Fatal("no account of that role")
	}
	return cookies
}

// getHome requests a page as a browser does (gzip) and returns the bytes
// sent and the bytes of the HTML.
func getHome(client *http.Client, u, cookie string) (sent, html int, err error) {
	req, _ := http.NewRequest("GET", u, nil)
	req.Header.Set("Cookie", cookie)
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err := client.Do(req)
	if err != nil {
		return 0, 0, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return 0, 0, err
	}
	if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Content-Encoding"), "gzip") {
		return 0, 0, fmt.Errorf("status %d, encoding %q", resp.StatusCode, resp.Header.Get("Content-Encoding"))
	}
	zr, err := gzip.NewReader(bytes.NewReader(body))
	if err != nil {
		return 0, 0, err
	}
	n, err := io.Copy(io.Discard, zr)
	return len(body), int(n), err
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
	b.ResetTimer()
	serveParallel(b, h, "/", cookies)
}

// serveParallel requests path from h in parallel, each request with the
// next session of cookies, gzip accepted; it returns how many requests it
// made and the bytes they answered.
func serveParallel(b *testing.B, h http.Handler, path string, cookies []string) (requests, bytes int64) {
	var n, size atomic.Int64
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1)
			req := httptest.NewRequest("GET", path, nil)
			req.Header.Set("Cookie", cookies[int(i)%len(cookies)])
			req.Header.Set("Accept-Encoding", "gzip")
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
			if w.Code != 200 {
				b.Fatalf("status %d", w.Code)
			}
			size.Add(int64(w.Body.Len()))
		}
	})
	return n.Load(), size.Load()
}

// BenchmarkHomeHandlerRoles is BenchmarkHomeHandler per profile, on the
// school day of BenchmarkHomePage: the server's own work for each.
func BenchmarkHomeHandlerRoles(b *testing.B) {
	e := newTTEnv(b, 600)
	e.clock.Add(homeBenchAt.Sub(ttNow))
	h := e.srv.Handler()
	for _, role := range homeRoles {
		var cookies []string
		b.Run(role.name, func(b *testing.B) {
			if cookies == nil {
				cookies = signInRole(b, e, role.is, 30)
			}
			stmts := e.db.Statements()
			cpu0 := cpuTime()
			b.ResetTimer()
			n, _ := serveParallel(b, h, "/", cookies)
			b.StopTimer()
			b.ReportMetric(float64(e.db.Statements()-stmts)/float64(n), "queries/page")
			b.ReportMetric(float64(cpuTime()-cpu0)/float64(time.Millisecond)/float64(n), "cpu-ms/page")
		})
	}
}
