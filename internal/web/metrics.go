package web

import (
	"context"
	"net"
	"net/http"
	"net/netip"
	"runtime"
	"time"

	"cartable/internal/db"
	"cartable/internal/files"
	"cartable/internal/metrics"
	"cartable/internal/notify"
	"cartable/internal/provisioning"
	"cartable/internal/timetable"
)

// registerGauges adds the figures read at each scrape: the database pools,
// the work queues, imports and purges, the Go runtime. Every one is a count
// under a fixed name, never about a person.
func (s *Server) registerGauges() {
	count := func(f func(ctx context.Context) (int, error)) func() (map[string]float64, error) {
		return func() (map[string]float64, error) {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			n, err := f(ctx)
			return map[string]float64{"": float64(n)}, err
		}
	}
	pool := func(pick func(db.Pool) float64) func() (map[string]float64, error) {
		return func() (map[string]float64, error) {
			r, w := s.DB.PoolStats()
			return map[string]float64{"read": pick(r), "write": pick(w)}, nil
		}
	}
	s.Metrics.Register(
		metrics.Gauge{Name: "cartable_db_connections_open", Help: "Open database connections, by pool.", Label: "pool",
			Read: pool(func(st db.Pool) float64 { return float64(st.Open) })},
		metrics.Gauge{Name: "cartable_db_connections_in_use", Help: "Database connections in use, by pool.", Label: "pool",
			Read: pool(func(st db.Pool) float64 { return float64(st.InUse) })},
		metrics.Gauge{Name: "cartable_db_waits_total", Help: "Times a request waited for a database connection, by pool.", Kind: "counter", Label: "pool",
			Read: pool(func(st db.Pool) float64 { return float64(st.Waits) })},
		metrics.Gauge{Name: "cartable_db_wait_seconds_total", Help: "Time spent waiting for a database connection, by pool.", Kind: "counter", Label: "pool",
			Read: pool(func(st db.Pool) float64 { return st.Waited.Seconds() })},
		metrics.Gauge{Name: "cartable_db_statements_total", Help: "Statements sent to the database by this process.", Kind: "counter",
			Read: func() (map[string]float64, error) { return map[string]float64{"": float64(s.DB.Statements())}, nil }},
		metrics.Gauge{Name: "cartable_db_round_trips_total", Help: "Round trips to the database: the statements, less those that shared a pipeline.", Kind: "counter",
			Read: func() (map[string]float64, error) { return map[string]float64{"": float64(s.DB.RoundTrips())}, nil }},
		metrics.Gauge{Name: "cartable_db_pipeline_stalls_total", Help: "Pipelines of a page's reads sent after waiting for a part busy elsewhere (a loaded machine).", Kind: "counter",
			Read: func() (map[string]float64, error) { return map[string]float64{"": float64(s.DB.Stalls())}, nil }},
		metrics.Gauge{Name: "cartable_file_erasures_queued", Help: "Stored files whose blob waits for erasure (retried until the storage confirms).",
			Read: count(func(ctx context.Context) (int, error) { n, _, err := files.Queue(ctx, s.DB); return n, err })},
		metrics.Gauge{Name: "cartable_notices_undelivered", Help: "Notices due and not delivered yet (notification outbox).",
			Read: count(func(ctx context.Context) (int, error) { return notify.Backlog(ctx, s.DB) })},
		metrics.Gauge{Name: "cartable_timetable_events_undelivered", Help: "Timetable change events not delivered yet.",
			Read: count(func(ctx context.Context) (int, error) { return timetable.EventBacklog(ctx, s.DB) })},
		metrics.Gauge{Name: "cartable_imports_total", Help: "Directory imports run, by outcome.", Kind: "counter", Label: "outcome",
			Read: func() (map[string]float64, error) {
				ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
				defer cancel()
				runs, _, err := provisioning.RunCounts(ctx, s.DB)
				out := map[string]float64{}
				for k, v := range runs {
					out[k] = float64(v)
				}
				return out, err
			}},
		metrics.Gauge{Name: "cartable_purges_total", Help: "Purges of closed accounts and old school years run.", Kind: "counter",
			Read: count(func(ctx context.Context) (int, error) { _, n, err := provisioning.RunCounts(ctx, s.DB); return n, err })},
		metrics.Gauge{Name: "cartable_password_checks_waiting", Help: "Sign-ins and password changes waiting for a hashing slot.",
			Read: func() (map[string]float64, error) { return map[string]float64{"": float64(s.Auth.Waiting())}, nil }},
		metrics.Gauge{Name: "cartable_goroutines", Help: "Goroutines of the process.",
			Read: func() (map[string]float64, error) {
				return map[string]float64{"": float64(runtime.NumGoroutine())}, nil
			}},
		metrics.Gauge{Name: "cartable_heap_bytes", Help: "Bytes of allocated heap objects.",
			Read: func() (map[string]float64, error) {
				var m runtime.MemStats
				runtime.ReadMemStats(&m)
				return map[string]float64{"": float64(m.HeapAlloc)}, nil
			}},
	)
}

// MetricsHandler serves /metrics in the Prometheus text format to the
// addresses of allow only (everyone else: 403). It is meant for its own
// listener (cartable serve --metrics-listen), which the public reverse
// proxy does not reach: behind a proxy every request would come from the
// proxy's address. The peer address is the connection's own, never a
// forwarded header.
func (s *Server) MetricsHandler(allow []netip.Prefix) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !allowed(r.RemoteAddr, allow) {
			http.Error(w, "forbidden", http.StatusForbidden)
			return
		}
		if r.URL.Path != "/metrics" {
			http.NotFound(w, r)
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		s.Metrics.WriteTo(w)
	})
}

func allowed(remote string, allow []netip.Prefix) bool {
	host, _, err := net.SplitHostPort(remote)
	if err != nil {
		host = remote
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return false
	}
	a = a.Unmap()
	for _, p := range allow {
		if p.Contains(a) {
			return true
		}
	}
	return false
}
