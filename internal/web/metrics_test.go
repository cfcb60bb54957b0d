package web_test

import (
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// /metrics answers the allowed addresses in a format Prometheus parses:
// requests counted by route pattern and status, latency histograms, the
// pools and the queues; no label holds an identifier or a login. Another
// address is refused.
func TestMetrics(t *testing.T) {
	e := newEnv(t, 20)
	b := e.signIn(e.login(e.query(`SELECT id FROM people WHERE profile = 'student' ORDER BY id LIMIT 1`)[0]))
	b.get("/")
	b.get("/timetable")
	b.get("/no-such-page")
	b.get("/people/" + e.query(`SELECT id FROM people WHERE profile = 'teacher' ORDER BY id LIMIT 1`)[0])

	m := httptest.NewServer(e.srv.MetricsHandler([]netip.Prefix{netip.MustParsePrefix("127.0.0.1/32"), netip.MustParsePrefix("::1/128")}))
	defer m.Close()
	resp, err := http.Get(m.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain; version=0.0.4") {
		t.Fatalf("metrics: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("Prometheus does not parse the metrics: %v", err)
	}
	for _, name := range []string{"cartable_http_requests_total", "cartable_http_request_duration_seconds", "cartable_db_connections_open",
		"cartable_file_erasures_queued", "cartable_notices_undelivered", "cartable_timetable_events_undelivered", "cartable_imports_total",
		"cartable_purges_total", "cartable_uptime_seconds", "cartable_db_statements_total", "cartable_db_round_trips_total",
		"cartable_db_pipeline_stalls_total", "cartable_password_checks_waiting"} {
		if fams[name] == nil {
			t.Errorf("no %s", name)
		}
	}
	seen := map[string]float64{}
	for _, m := range fams["cartable_http_requests_total"].GetMetric() {
		var route, status string
		for _, l := range m.GetLabel() {
			switch l.GetName() {
			case "route":
				route = l.GetValue()
			case "status":
				status = l.GetValue()
			}
		}
		seen[route+" "+status] = m.GetCounter().GetValue()
	}
	for _, want := range []string{"GET /{$} 200", "GET /timetable 200", "POST /sign-in 303", "GET /people/{id} 200", "/ 404"} {
		if seen[want] < 1 {
			t.Errorf("no request counted as %q: %v", want, seen)
		}
	}
	if h := fams["cartable_http_request_duration_seconds"]; h == nil || len(h.GetMetric()) == 0 || h.GetMetric()[0].GetHistogram().GetSampleCount() == 0 {
		t.Errorf("latency histogram: %v", h)
	}
	// No label value names a person: every label is a pattern, a status or a fixed word.
	people := map[string]bool{}
	for _, id := range e.query(`SELECT id FROM people UNION SELECT login FROM people`) {
		people[id] = true
	}
	for _, f := range fams {
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				for w := range strings.FieldsFuncSeq(l.GetValue(), func(r rune) bool { return r == '/' || r == ' ' }) {
					if people[w] {
						t.Errorf("%s has a label naming a person: %q", f.GetName(), l.GetValue())
					}
				}
			}
		}
	}

	// Another address is refused.
	other := httptest.NewServer(e.srv.MetricsHandler([]netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}))
	defer other.Close()
	r2, err := http.Get(other.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	r2.Body.Close()
	if r2.StatusCode != http.StatusForbidden {
		t.Errorf("metrics from an address not allowed: %d", r2.StatusCode)
	}
	// The public handler has no /metrics.
	if r := b.get("/metrics"); r.status != http.StatusNotFound {
		t.Errorf("/metrics on the public listener: %d", r.status)
	}
}
