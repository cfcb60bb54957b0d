package web_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"

	"cartable/internal/dbtest"
)

// TestRoundTripsPerPage lists the database statements of each signed-in
// page a user opens every day, per role, on the school day of the home
// benchmarks, and their round trips (on PostgreSQL, the home page's
// independent reads share pipelines: db.Together); with
// CARTABLE_ROUNDTRIPS=1 it prints them. It fails when a page costs more
// than its budgets: a new query per row, or a new block that forgot to
// batch, shows here first.
func TestRoundTripsPerPage(t *testing.T) {
	if testing.Short() {
		t.Skip("the 600-student demo")
	}
	e := newTTEnv(t, 600)
	e.clock.Add(homeBenchAt.Sub(ttNow))
	var mu sync.Mutex
	var seen []string
	e.db.Trace = func(q string) { q = caller() + " " + q; mu.Lock(); seen = append(seen, q); mu.Unlock() }
	h := e.srv.Handler()
	space := regexp.MustCompile(`\s+`)
	budgets := []struct {
		role  string
		path  string
		max   int
		trips int // on PostgreSQL; on SQLite a statement is a round trip
	}{
		// +1 each: the news to acknowledge (home/news.go); +1 more for the teacher: the demo's news to
		// the teachers (internal/demo/news.go) gives them an unread notice, which the notices block lists.
		// −3/−4/−2: the directory rows of the page's top and the student's school kept per directory
		// version (directory/memo.go), absences and lateness in one statement, entries checked once a request.
		// Round trips: the session, then the home page's parts together (home/home.go), whose longest
		// chains are two reads (the homework, then the policy's check of their entries with their
		// attachments; the visit with the news, then the policy's check of their entries).
		// The week view: the session, the slots (a teacher's own with those they replace, together), then
		// their changes with their alternations' weeks; a teacher's, then the registers taken.
		// The marks: the session, then the notices setting with the student, the settings and periods
		// together, the evaluations (two when the period just begun has none), the five reads of compute
		// together.
		{"student", "/", 12, 3}, {"relative", "/", 11, 3}, {"teacher", "/", 11, 3},
		{"student", "/timetable", 4, 3}, {"relative", "/timetable", 4, 3}, {"teacher", "/timetable", 6, 4},
		{"student", "/homework", 4, 3}, {"relative", "/homework", 5, 3},
		{"student", "/grades", 12, 6}, {"relative", "/grades", 12, 6},
		// School life: the families' absences to justify; the CPE's home (the day's changes, the
		// registers of the day, the notes, justifications and monthly counts, read per part),
		// desk and day of registers (the establishment, its settings, the day's lessons, their
		// registers and marks: a chain).
		{"relative", "/justifications", 4, 4},
		{"cpe", "/", 23, 16}, {"cpe", "/school-life", 6, 6}, {"cpe", "/registers/day", 12, 11},
	}
	var report strings.Builder
	for _, b := range budgets {
		var is = homeRoles[0].is
		for _, r := range homeRoles {
			if r.name == b.role {
				is = r.is
			}
		}
		cookie := signInRole(t, e, is, 1)[0]
		get := func() int {
			req := httptest.NewRequest("GET", b.path, nil)
			req.Header.Set("Cookie", cookie)
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
			return w.Code
		}
		get() // a first visit may write (last visit, settings read once)
		mu.Lock()
		seen = nil
		mu.Unlock()
		before := e.db.RoundTrips()
		if code := get(); code != http.StatusOK {
			t.Fatalf("%s %s: %d", b.role, b.path, code)
		}
		trips := int(e.db.RoundTrips() - before)
		mu.Lock()
		list := seen
		n := len(list)
		mu.Unlock()
		// A busy machine may send a pipeline before every part waits
		// (db.Together's stallAfter): the page's round trips are the
		// fewest of a few loads.
		for range 2 {
			before := e.db.RoundTrips()
			get()
			trips = min(trips, int(e.db.RoundTrips()-before))
		}
		fmt.Fprintf(&report, "%s %s: %d statements, %d round trips\n", b.role, b.path, n, trips)
		for _, q := range list {
			q = space.ReplaceAllString(q, " ")
			if len(q) > 180 {
				q = q[:180] + "…"
			}
			fmt.Fprintf(&report, "    %s\n", q)
		}
		if n > b.max {
			t.Errorf("%s %s: %d statements, budget %d", b.role, b.path, n, b.max)
		}
		switch {
		case dbtest.Postgres() && trips > b.trips:
			t.Errorf("%s %s: %d round trips, budget %d", b.role, b.path, trips, b.trips)
		case !dbtest.Postgres() && trips != n:
			t.Errorf("%s %s: %d round trips counted for %d statements on SQLite", b.role, b.path, trips, n)
		}
	}
	if os.Getenv("CARTABLE_ROUNDTRIPS") != "" {
		t.Log("\n" + report.String())
	}
}

// caller names the function outside the database package that sent a
// statement, so that the report tells which block of a page costs what.
func caller() string {
	pc := make([]uintptr, 24)
	n := runtime.Callers(3, pc)
	frames := runtime.CallersFrames(pc[:n])
	for {
		f, more := frames.Next()
		if !strings.HasPrefix(f.Function, "cartable/internal/db.") && strings.HasPrefix(f.Function, "cartable/") {
			return "[" + strings.TrimPrefix(f.Function, "cartable/internal/") + "]"
		}
		if !more {
			return "[?]"
		}
	}
}
