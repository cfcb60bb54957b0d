package jobs_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"testing"
	"time"

	"cartable/internal/db"
	"cartable/internal/dbtest"
	"cartable/internal/jobs"
)

// The test binary doubles as a replica: with these variables set it runs
// a worker on the database instead of the tests, so that the failover
// test can kill a real process with SIGKILL (no deferred function, no
// rollback sent, the connection dropped by the kernel).
const (
	envWorkerDB   = "CARTABLE_JOBS_TEST_WORKER_DB"
	envWorkerID   = "CARTABLE_JOBS_TEST_WORKER_ID"
	envWorkerHang = "CARTABLE_JOBS_TEST_WORKER_HANG" // the nth job hangs inside its transaction
)

func TestMain(m *testing.M) {
	if u := os.Getenv(envWorkerDB); u != "" {
		os.Exit(replica(u, os.Getenv(envWorkerID)))
	}
	os.Exit(m.Run())
}

const failoverLease = 2 * time.Second

// replica works the queue until it is killed. Its handler logs each
// attempt in job_attempts (committed at once: what a crash cannot undo,
// like an e-mail handed over), then writes the job's effect in
// job_effects together with DoneIn. Neither table has a unique
// constraint: a duplicate would show.
func replica(url, id string) int {
	ctx := context.Background()
	d, err := db.Open(ctx, url)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	hang, _ := strconv.Atoi(os.Getenv(envWorkerHang))
	n := 0
	h := func(ctx context.Context, j *jobs.Job) error {
		n++
		if _, err := d.Exec(ctx, `INSERT INTO job_attempts (job_id, worker, hung) VALUES (?, ?, ?)`, j.ID, id, n == hang); err != nil {
			return err
		}
		time.Sleep(5 * time.Millisecond) // the work
		return d.Tx(ctx, func(tx *db.Tx) error {
			if err := j.DoneIn(ctx, tx); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `INSERT INTO job_effects (job_id, worker) VALUES (?, ?)`, j.ID, id); err != nil {
				return err
			}
			if n == hang {
				select {} // killed here: effect and end written, not committed
			}
			return nil
		})
	}
	q := &jobs.Queue{DB: d, Policy: jobs.Policy{Lease: failoverLease, Backoff: 10 * time.Millisecond}}
	w := &jobs.Worker{Queue: q, ID: id, Handlers: map[string]jobs.Handler{"effect": h}, Idle: 10 * time.Millisecond}
	w.Run(ctx, sys)
	return 0
}

// Two replica processes work one queue; one is killed (SIGKILL) in the
// middle of a job, inside the transaction writing its effect. Every job
// is done, and every effect written once: the killed replica's
// transaction is rolled back by the database, the survivor claims the
// job when the lease runs out and does it. The attempt log shows the
// honest part: that job was attempted twice, so an effect outside the
// database (an e-mail) would have been made twice.
func TestFailoverKilledReplica(t *testing.T) {
	if testing.Short() {
		t.Skip("runs two processes for several seconds")
	}
	ctx := context.Background()
	url := dbtest.URL(t)
	d, err := db.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if _, err := d.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`CREATE TABLE job_attempts (job_id BIGINT NOT NULL, worker TEXT NOT NULL, hung BOOLEAN NOT NULL)`,
		`CREATE TABLE job_effects (job_id BIGINT NOT NULL, worker TEXT NOT NULL)`,
	} {
		if _, err := d.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	const n = 400
	err = d.Tx(ctx, func(tx *db.Tx) error {
		for i := range n {
			if _, err := jobs.Enqueue(ctx, sys, tx, "effect", map[string]int{"i": i}, jobs.Options{}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	start := func(id string, hang int) *exec.Cmd {
		c := exec.Command(os.Args[0], "-test.run=^$")
		c.Env = append(os.Environ(), envWorkerDB+"="+url, envWorkerID+"="+id, envWorkerHang+"="+strconv.Itoa(hang))
		c.Stderr = os.Stderr
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Process.Kill(); c.Wait() })
		return c
	}
	victim := start("victim", 30)
	start("survivor", 0)

	// Wait until the victim hangs in its 30th job, then kill it.
	var hung int64
	deadline := time.Now().Add(60 * time.Second)
	for {
		err := d.QueryRow(ctx, `SELECT job_id FROM job_attempts WHERE worker = 'victim' AND hung`).Scan(&hung)
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the victim never reached its hanging job")
		}
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(50 * time.Millisecond) // inside the transaction by now
	if err := victim.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	victim.Wait()
	killed := time.Now()

	for {
		st, err := jobs.Count(ctx, sys, d)
		if err != nil {
			t.Fatal(err)
		}
		if st.Waiting == 0 {
			if st.Failed != 0 {
				t.Fatalf("%d jobs given up", st.Failed)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("jobs still waiting after 60 s: %+v", st)
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Logf("all %d jobs done %v after the kill (lease %v)", n, time.Since(killed).Round(time.Millisecond), failoverLease)

	var jobsDone, effects, distinct, twice int
	if err := d.QueryRow(ctx, `SELECT COUNT(*) FROM jobs WHERE done_at IS NOT NULL`).Scan(&jobsDone); err != nil {
		t.Fatal(err)
	}
	if err := d.QueryRow(ctx, `SELECT COUNT(*), COUNT(DISTINCT job_id) FROM job_effects`).Scan(&effects, &distinct); err != nil {
		t.Fatal(err)
	}
	if err := d.QueryRow(ctx, `SELECT COUNT(*) FROM (SELECT job_id FROM job_attempts GROUP BY job_id HAVING COUNT(*) > 1) x`).Scan(&twice); err != nil {
		t.Fatal(err)
	}
	if jobsDone != n || effects != n || distinct != n {
		t.Fatalf("jobs done %d, effects %d (on %d jobs), want %d each: a job done twice or not at all", jobsDone, effects, distinct, n)
	}
	var by string
	if err := d.QueryRow(ctx, `SELECT worker FROM job_effects WHERE job_id = ?`, hung).Scan(&by); err != nil {
		t.Fatal(err)
	}
	var attempts int
	if err := d.QueryRow(ctx, `SELECT COUNT(*) FROM job_attempts WHERE job_id = ?`, hung).Scan(&attempts); err != nil {
		t.Fatal(err)
	}
	if by != "survivor" || attempts != 2 {
		t.Errorf("the killed replica's job: effect by %q after %d attempts, want the survivor's after 2", by, attempts)
	}
	var victimEffects int
	if err := d.QueryRow(ctx, `SELECT COUNT(*) FROM job_effects WHERE worker = 'victim'`).Scan(&victimEffects); err != nil {
		t.Fatal(err)
	}
	if victimEffects != 29 {
		t.Errorf("the victim's effects: %d, want its 29 jobs before the one it died in", victimEffects)
	}
	t.Logf("effects: %d (victim %d); jobs attempted twice: %d (the one the victim died in)", effects, victimEffects, twice)
	if twice != 1 {
		t.Errorf("%d jobs attempted twice, want 1", twice)
	}
}
