package jobs_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"cartable/internal/access"
	"cartable/internal/db"
	"cartable/internal/dbtest"
	"cartable/internal/jobs"
)

var sys = access.System("jobs-test")

// Two workers (two replicas) on one database run every job exactly once.
func TestTwoWorkersRunEveryJobOnce(t *testing.T) {
	ctx := context.Background()
	d := dbtest.Open(t)
	const n = 300
	err := d.Tx(ctx, func(tx *db.Tx) error {
		for i := range n {
			if _, err := jobs.Enqueue(ctx, sys, tx, "count", map[string]int{"i": i}, jobs.Options{}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	runs := map[int]int{}
	by := map[string]int{}
	var failures atomic.Int32
	handler := func(worker string) jobs.Handler {
		return func(ctx context.Context, j *jobs.Job) error {
			var p struct{ I int }
			if err := j.Decode(&p); err != nil {
				return jobs.Permanent(err)
			}
			mu.Lock()
			runs[p.I]++
			by[worker]++
			mu.Unlock()
			time.Sleep(time.Millisecond) // let the other worker interleave
			// One job in ten fails once, to mix retries in.
			if p.I%10 == 0 && j.Attempts == 1 {
				failures.Add(1)
				return errors.New("first attempt fails")
			}
			return nil
		}
	}
	q := &jobs.Queue{DB: d, Policy: jobs.Policy{Backoff: time.Nanosecond, MaxBackoff: time.Nanosecond}}
	wctx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	for _, id := range []string{"replica-a", "replica-b"} {
		w := &jobs.Worker{Queue: q, ID: id, Handlers: map[string]jobs.Handler{"count": handler(id)}, Idle: 5 * time.Millisecond}
		wg.Go(func() { w.Run(wctx, sys) })
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		st, err := jobs.Count(ctx, sys, d)
		if err != nil {
			t.Fatal(err)
		}
		if st.Waiting == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("jobs still waiting after 60 s: %+v", st)
		}
		time.Sleep(20 * time.Millisecond)
	}
	stop()
	wg.Wait()
	// A retried job runs twice by design: its first attempt failed.
	for i := range n {
		want := 1
		if i%10 == 0 {
			want = 2
		}
		if runs[i] != want {
			t.Errorf("job %d ran %d times, want %d", i, runs[i], want)
		}
	}
	var done, failed int
	if err := d.QueryRow(ctx, `SELECT COUNT(done_at), COUNT(failed_at) FROM jobs`).Scan(&done, &failed); err != nil {
		t.Fatal(err)
	}
	if done != n || failed != 0 {
		t.Errorf("done %d failed %d, want %d and 0", done, failed, n)
	}
	t.Logf("%s: runs by worker %v, %d first attempts failed", d.Dialect(), by, failures.Load())
}

// A failed job waits Backoff, then twice as long each time, up to
// MaxBackoff, and is given up after MaxAttempts.
func TestBackoffAndGivingUp(t *testing.T) {
	ctx := context.Background()
	d := dbtest.Open(t)
	now := time.Unix(1_800_000_000, 0)
	q := &jobs.Queue{DB: d, Policy: jobs.Policy{MaxAttempts: 5, Backoff: time.Minute, MaxBackoff: 5 * time.Minute}, Now: func() time.Time { return now }}
	if got := []time.Duration{q.Delay(1), q.Delay(2), q.Delay(3), q.Delay(4), q.Delay(10)}; fmt.Sprint(got) != fmt.Sprint([]time.Duration{time.Minute, 2 * time.Minute, 4 * time.Minute, 5 * time.Minute, 5 * time.Minute}) {
		t.Fatalf("delays %v", got)
	}
	if _, err := jobs.Enqueue(ctx, sys, d, "flaky", nil, jobs.Options{RunAt: now}); err != nil {
		t.Fatal(err)
	}
	calls := 0
	w := &jobs.Worker{Queue: q, ID: "w", Handlers: map[string]jobs.Handler{"flaky": func(ctx context.Context, j *jobs.Job) error {
		calls++
		return errors.New("server down")
	}}}
	runAt := func() (int64, string, *int64) {
		var at int64
		var msg string
		var failed *int64
		if err := d.QueryRow(ctx, `SELECT run_at, last_error, failed_at FROM jobs`).Scan(&at, &msg, &failed); err != nil {
			t.Fatal(err)
		}
		return at, msg, failed
	}
	for attempt := 1; attempt <= 5; attempt++ {
		ran, err := w.RunOne(ctx, sys)
		if err != nil || !ran {
			t.Fatalf("attempt %d: ran %v err %v", attempt, ran, err)
		}
		at, msg, failed := runAt()
		if msg != "server down" {
			t.Errorf("last_error %q", msg)
		}
		if attempt == 5 {
			if failed == nil {
				t.Fatal("job not given up after its 5th attempt")
			}
			break
		}
		if want := now.Add(q.Delay(attempt)).Unix(); at != want {
			t.Fatalf("after attempt %d: run_at %d, want %d", attempt, at, want)
		}
		// Not due a second before its time, due at it.
		now = time.Unix(at-1, 0)
		if ran, _ := w.RunOne(ctx, sys); ran {
			t.Fatalf("after attempt %d: job ran before its backoff", attempt)
		}
		now = time.Unix(at, 0)
	}
	now = now.Add(time.Hour)
	if ran, _ := w.RunOne(ctx, sys); ran || calls != 5 {
		t.Fatalf("a job given up ran again (calls %d)", calls)
	}
	st, err := jobs.Count(ctx, sys, d)
	if err != nil || st.Failed != 1 || st.Waiting != 0 {
		t.Fatalf("stats %+v %v", st, err)
	}
	// The operator mends the cause and gives it a new round.
	if n, err := jobs.Retry(ctx, sys, d, "other-kind"); n != 0 || err != nil {
		t.Fatalf("retry of another kind: %d %v", n, err)
	}
	if n, err := jobs.Retry(ctx, sys, d, ""); n != 1 || err != nil {
		t.Fatalf("retry: %d %v", n, err)
	}
	if st, _ := jobs.Count(ctx, sys, d); st.Failed != 0 || st.Waiting != 1 {
		t.Fatalf("after retry: %+v", st)
	}
}

func TestPermanentRetryAfterAndUnknownKind(t *testing.T) {
	ctx := context.Background()
	d := dbtest.Open(t)
	now := time.Unix(1_800_000_000, 0)
	q := &jobs.Queue{DB: d, Policy: jobs.Policy{Backoff: time.Minute}, Now: func() time.Time { return now }}
	w := &jobs.Worker{Queue: q, ID: "w", Handlers: map[string]jobs.Handler{
		"bad":  func(context.Context, *jobs.Job) error { return jobs.Permanent(errors.New("malformed")) },
		"busy": func(context.Context, *jobs.Job) error { return jobs.RetryAfter(errors.New("429"), time.Hour) },
	}}
	for _, k := range []string{"bad", "busy", "mystery"} {
		if _, err := jobs.Enqueue(ctx, sys, d, k, nil, jobs.Options{RunAt: now, Key: k}); err != nil {
			t.Fatal(err)
		}
	}
	// A second enqueue under the same key is a no-op.
	if ok, err := jobs.Enqueue(ctx, sys, d, "bad", nil, jobs.Options{Key: "bad"}); ok || err != nil {
		t.Fatalf("duplicate key enqueued: %v %v", ok, err)
	}
	for range 3 {
		if _, err := w.RunOne(ctx, sys); err != nil {
			t.Fatal(err)
		}
	}
	rows := map[string][2]any{}
	rs, err := d.Query(ctx, `SELECT kind, run_at, failed_at FROM jobs`)
	if err != nil {
		t.Fatal(err)
	}
	for rs.Next() {
		var k string
		var at int64
		var failed *int64
		if err := rs.Scan(&k, &at, &failed); err != nil {
			t.Fatal(err)
		}
		rows[k] = [2]any{at, failed != nil}
	}
	rs.Close()
	if rows["bad"][1] != true {
		t.Error("a permanent failure was not given up at once")
	}
	if rows["busy"] != [2]any{now.Add(time.Hour).Unix(), false} {
		t.Errorf("retry-after: %v", rows["busy"])
	}
	if rows["mystery"] != [2]any{now.Add(time.Minute).Unix(), false} {
		t.Errorf("unknown kind: %v", rows["mystery"])
	}
}

// A job whose worker died is taken again when its lease runs out; the
// dead worker's late report is refused.
func TestExpiredLeaseIsClaimedAgain(t *testing.T) {
	ctx := context.Background()
	d := dbtest.Open(t)
	now := time.Unix(1_800_000_000, 0)
	q := &jobs.Queue{DB: d, Policy: jobs.Policy{Lease: time.Minute}, Now: func() time.Time { return now }}
	if _, err := jobs.Enqueue(ctx, sys, d, "k", nil, jobs.Options{RunAt: now}); err != nil {
		t.Fatal(err)
	}
	a, err := q.Claim(ctx, sys, "a")
	if err != nil || a == nil {
		t.Fatalf("claim: %v %v", a, err)
	}
	if b, err := q.Claim(ctx, sys, "b"); b != nil || err != nil {
		t.Fatalf("a leased job was claimed twice: %v %v", b, err)
	}
	now = now.Add(2 * time.Minute)
	b, err := q.Claim(ctx, sys, "b")
	if err != nil || b == nil || b.ID != a.ID || b.Attempts != 2 {
		t.Fatalf("expired lease not claimed again: %+v %v", b, err)
	}
	if err := q.Done(ctx, sys, "a", a); !errors.Is(err, jobs.ErrLeaseLost) {
		t.Fatalf("late report of a lost lease: %v", err)
	}
	if err := q.Done(ctx, sys, "b", b); err != nil {
		t.Fatal(err)
	}
}

// Only the instance works the queue; a person may not even count it.
func TestQueueRefusesPeople(t *testing.T) {
	ctx := context.Background()
	d := dbtest.Open(t)
	q := &jobs.Queue{DB: d}
	person := &access.Viewer{ID: "someone"}
	if _, err := q.Claim(ctx, person, "w"); !errors.Is(err, access.ErrDenied) {
		t.Errorf("a person claimed a job: %v", err)
	}
	if _, err := jobs.Count(ctx, person, d); !errors.Is(err, access.ErrDenied) {
		t.Errorf("a person counted the queue: %v", err)
	}
	if _, err := jobs.Enqueue(ctx, nil, d, "k", nil, jobs.Options{}); !errors.Is(err, access.ErrDenied) {
		t.Errorf("no viewer enqueued: %v", err)
	}
	if _, err := q.List(ctx, person, false, 0); !errors.Is(err, access.ErrDenied) {
		t.Errorf("a person listed the queue: %v", err)
	}
	if err := q.RetryOne(ctx, person, 1); !errors.Is(err, access.ErrDenied) {
		t.Errorf("a person retried a job: %v", err)
	}
}

// The operator's view: jobs not done, given up first, an address in an
// error masked; one job retried by ID (given up: a new round; waiting:
// due now), a done, running or unknown one refused.
func TestListAndRetryOne(t *testing.T) {
	ctx := context.Background()
	d := dbtest.Open(t)
	now := time.Unix(1_800_000_000, 0)
	q := &jobs.Queue{DB: d, Policy: jobs.Policy{MaxAttempts: 2, Backoff: time.Minute}, Now: func() time.Time { return now }}
	for _, k := range []string{"fails", "flaky", "ok", "slow"} {
		at := now
		if k == "slow" {
			at = now.Add(time.Hour) // claimed by "another worker" below
		}
		if _, err := jobs.Enqueue(ctx, sys, d, k, nil, jobs.Options{RunAt: at}); err != nil {
			t.Fatal(err)
		}
	}
	w := &jobs.Worker{Queue: q, ID: "w", Handlers: map[string]jobs.Handler{
		"fails": func(ctx context.Context, j *jobs.Job) error {
			return errors.New("RCPT TO refused for eleve.martin@example.org")
		},
		"flaky": func(ctx context.Context, j *jobs.Job) error { return errors.New("server down") },
		"ok":    func(ctx context.Context, j *jobs.Job) error { return nil },
	}}
	for range 3 {
		if _, err := w.RunOne(ctx, sys); err != nil {
			t.Fatal(err)
		}
	}
	now = now.Add(time.Minute)
	w.RunOne(ctx, sys) // "fails" again (before "flaky": same time, lower ID): given up after 2 attempts
	// "slow" is held by another worker now.
	if _, err := d.Exec(ctx, `UPDATE jobs SET locked_by = 'other', locked_until = ? WHERE kind = 'slow'`, now.Add(time.Minute).Unix()); err != nil {
		t.Fatal(err)
	}
	list, err := q.List(ctx, sys, false, 0)
	if err != nil {
		t.Fatal(err)
	}
	got := ""
	ids := map[string]int64{}
	for _, j := range list {
		got += fmt.Sprintf("%s %d/%d failed=%v running=%v %q; ", j.Kind, j.Attempts, j.MaxAttempts, j.Failed, j.Running, j.LastError)
		ids[j.Kind] = j.ID
	}
	want := `fails 2/2 failed=true running=false "RCPT TO refused for <address>"; flaky 1/2 failed=false running=false "server down"; slow 0/2 failed=false running=true ""; `
	if got != want {
		t.Fatalf("list:\n%s\nwant\n%s", got, want)
	}
	failed, _ := q.List(ctx, sys, true, 0)
	if len(failed) != 1 || failed[0].Kind != "fails" {
		t.Fatalf("failed only: %+v", failed)
	}
	if err := q.RetryOne(ctx, sys, ids["fails"]); err != nil {
		t.Fatal(err)
	}
	if err := q.RetryOne(ctx, sys, ids["flaky"]); err != nil {
		t.Fatal(err)
	}
	var okID int64
	d.QueryRow(ctx, `SELECT id FROM jobs WHERE kind = 'ok'`).Scan(&okID)
	for name, c := range map[string]struct {
		id   int64
		want error
	}{"done": {okID, jobs.ErrNoSuchJob}, "unknown": {999999, jobs.ErrNoSuchJob}, "running": {ids["slow"], jobs.ErrJobRunning}} {
		if err := q.RetryOne(ctx, sys, c.id); !errors.Is(err, c.want) {
			t.Errorf("retry %s: %v", name, err)
		}
	}
	list, _ = q.List(ctx, sys, false, 0)
	for _, j := range list {
		switch j.Kind {
		case "fails":
			if j.Failed || j.Attempts != 0 || !j.RunAt.Equal(now) {
				t.Errorf("after retry, fails: %+v", j)
			}
		case "flaky":
			if j.Attempts != 1 || !j.RunAt.Equal(now) {
				t.Errorf("after retry, flaky: %+v", j)
			}
		}
	}
}
