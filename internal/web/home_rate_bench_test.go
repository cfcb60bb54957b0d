package web_test

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// BenchmarkHomeRate requests home pages at a fixed rate (500 a second by
// default) for a few seconds, for each profile and for a mix of them, and
// reports the latency percentiles, counted from the moment each request
// was due (a stalled server cannot hide its queue), with the bytes and
// database statements per page. It runs once whatever b.N:
//
//	go test -run '^$' -bench HomeRate -benchtime 1x ./internal/web/
//
// CARTABLE_BENCH_RATE and CARTABLE_BENCH_SECONDS change the rate and the
// duration. Client and server share the machine (cmd/loadtest measures a
// server running apart); cpu-ms/page is the process's CPU time per page,
// client included, which other work on the machine does not inflate.
func BenchmarkHomeRate(b *testing.B) {
	rate := envInt("CARTABLE_BENCH_RATE", 500)
	seconds := envInt("CARTABLE_BENCH_SECONDS", 5)
	e := newTTEnv(b, 600)
	e.clock.Add(homeBenchAt.Sub(ttNow))
	byRole := map[string][]string{}
	var mix []string
	for _, role := range homeRoles {
		byRole[role.name] = signInRole(b, e, role.is, 30)
		mix = append(mix, byRole[role.name]...)
	}
	run := func(b *testing.B, cookies []string) {
		client := &http.Client{Transport: &http.Transport{MaxIdleConns: 128, MaxIdleConnsPerHost: 128, DisableCompression: true}}
		// Warm the connections and caches, and weigh the pages' HTML once:
		// the timed requests read the compressed bytes only, so that the
		// client's work stays small beside the server's.
		var html int64
		for _, c := range cookies {
			_, h, err := getHome(client, e.ts.URL+"/", c)
			if err != nil {
				b.Fatal(err)
			}
			html += int64(h)
		}
		total := rate * seconds
		cpu0 := cpuTime()
		sent, queries := e.atFixedRate(b, client, "/", cookies, rate, seconds)
		cpu := cpuTime() - cpu0
		b.ReportMetric(float64(sent)/float64(total), "bytes/page")
		b.ReportMetric(float64(html)/float64(len(cookies)), "html-bytes/page")
		b.ReportMetric(queries, "queries/page")
		// The process's CPU per page, client included: what the rate
		// costs whatever else the machine runs.
		b.ReportMetric(float64(cpu)/float64(time.Millisecond)/float64(total), "cpu-ms/page")
	}
	for _, role := range homeRoles {
		b.Run(role.name, func(b *testing.B) { run(b, byRole[role.name]) })
	}
	b.Run("mix", func(b *testing.B) { run(b, mix) })
}

// cpuTime is the CPU time (user and system) the process used so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

// getSent requests a page as a browser does (gzip) and returns the bytes
// sent, without inflating them.
func getSent(client *http.Client, u, cookie string) (int, error) {
	req, _ := http.NewRequest("GET", u, nil)
	req.Header.Set("Cookie", cookie)
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	n, err := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if err == nil && resp.StatusCode != 200 {
		err = fmt.Errorf("status %d", resp.StatusCode)
	}
	return int(n), err
}
