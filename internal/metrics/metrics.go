// Package metrics counts what the server does, for Prometheus: requests
// by route pattern and status, their latency, the database pools, the
// depth of the work queues, imports and purges. Labels hold route
// patterns ("GET /lessons/{slot}/{date}"), statuses and fixed names,
// never an identifier, an address or anything about a person. It writes
// the Prometheus text format itself (version 0.0.4): a few counters do
// not need a client library.
package metrics

import (
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Buckets are the latency histogram's upper bounds, in seconds: the page
// budgets sit between 10 and 50 ms.
var Buckets = []float64{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5}

// Registry holds the request counters and the gauges read at scrape time.
type Registry struct {
	mu       sync.Mutex
	requests map[[2]string]uint64 // route pattern, status
	latency  map[string]*histogram
	gauges   []Gauge
	started  time.Time
}

type histogram struct {
	counts []uint64 // per bucket (not cumulative), then +Inf
	sum    float64
	n      uint64
}

// Gauge is a family of values read when Prometheus scrapes: Read returns
// the samples (label value → value) of the family; an error leaves the
// family out of that scrape, with a comment.
type Gauge struct {
	Name, Help string
	Kind       string // "gauge" or "counter"
	Label      string // the one label's name; "" for a single sample
	Read       func() (map[string]float64, error)
}

// New returns an empty registry.
func New() *Registry {
	return &Registry{requests: map[[2]string]uint64{}, latency: map[string]*histogram{}, started: time.Now()}
}

// Observe counts one answered request: its route pattern (as the mux
// matched it, "" for none), its status and how long it took.
func (r *Registry) Observe(route string, status int, d time.Duration) {
	if route == "" {
		route = "unmatched"
	}
	class := strconv.Itoa(status)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.requests[[2]string{route, class}]++
	h := r.latency[route]
	if h == nil {
		h = &histogram{counts: make([]uint64, len(Buckets)+1)}
		r.latency[route] = h
	}
	s := d.Seconds()
	i := sort.SearchFloat64s(Buckets, s)
	h.counts[i]++
	h.sum += s
	h.n++
}

// Register adds gauges read at every scrape.
func (r *Registry) Register(g ...Gauge) {
	r.mu.Lock()
	r.gauges = append(r.gauges, g...)
	r.mu.Unlock()
}

// WriteTo writes every family in the Prometheus text format.
func (r *Registry) WriteTo(w io.Writer) (int64, error) {
	var b strings.Builder
	r.mu.Lock()
	keys := make([][2]string, 0, len(r.requests))
	for k := range r.requests {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i][0] != keys[j][0] {
			return keys[i][0] < keys[j][0]
		}
		return keys[i][1] < keys[j][1]
	})
	b.WriteString("# HELP cartable_http_requests_total Requests answered, by route pattern and status.\n# TYPE cartable_http_requests_total counter\n")
	for _, k := range keys {
		fmt.Fprintf(&b, "cartable_http_requests_total{route=%s,status=%s} %d\n", quote(k[0]), quote(k[1]), r.requests[k])
	}
	routes := make([]string, 0, len(r.latency))
	for k := range r.latency {
		routes = append(routes, k)
	}
	sort.Strings(routes)
	b.WriteString("# HELP cartable_http_request_duration_seconds Time to answer a request, by route pattern.\n# TYPE cartable_http_request_duration_seconds histogram\n")
	for _, route := range routes {
		h := r.latency[route]
		var cum uint64
		for i, le := range Buckets {
			cum += h.counts[i]
			fmt.Fprintf(&b, "cartable_http_request_duration_seconds_bucket{route=%s,le=%s} %d\n", quote(route), quote(num(le)), cum)
		}
		fmt.Fprintf(&b, "cartable_http_request_duration_seconds_bucket{route=%s,le=\"+Inf\"} %d\n", quote(route), h.n)
		fmt.Fprintf(&b, "cartable_http_request_duration_seconds_sum{route=%s} %s\n", quote(route), num(h.sum))
		fmt.Fprintf(&b, "cartable_http_request_duration_seconds_count{route=%s} %d\n", quote(route), h.n)
	}
	gauges := append([]Gauge(nil), r.gauges...)
	started := r.started
	r.mu.Unlock()

	b.WriteString("# HELP cartable_uptime_seconds Seconds since the process started.\n# TYPE cartable_uptime_seconds gauge\n")
	fmt.Fprintf(&b, "cartable_uptime_seconds %s\n", num(time.Since(started).Seconds()))
	for _, g := range gauges {
		vals, err := g.Read()
		if err != nil {
			fmt.Fprintf(&b, "# %s unavailable\n", g.Name)
			continue
		}
		kind := g.Kind
		if kind == "" {
			kind = "gauge"
		}
		fmt.Fprintf(&b, "# HELP %s %s\n# TYPE %s %s\n", g.Name, g.Help, g.Name, kind)
		labels := make([]string, 0, len(vals))
		for l := range vals {
			labels = append(labels, l)
		}
		sort.Strings(labels)
		for _, l := range labels {
			if g.Label == "" {
				fmt.Fprintf(&b, "%s %s\n", g.Name, num(vals[l]))
			} else {
				fmt.Fprintf(&b, "%s{%s=%s} %s\n", g.Name, g.Label, quote(l), num(vals[l]))
			}
		}
	}
	n, err := io.WriteString(w, b.String())
	return int64(n), err
}

// quote writes a label value: backslash, double quote and newline escaped.
func quote(s string) string {
	s = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s)
	return `"` + s + `"`
}

func num(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "+Inf"
	case math.IsNaN(f):
		return "NaN"
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}
