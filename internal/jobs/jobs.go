// Package jobs is the background job queue: work that must be done once
// and never lost (an e-mail, a push message), kept in the database so
// that every replica may run it and a restart forgets nothing.
//
// A worker claims a job by writing a lease on it (who, until when). On
// PostgreSQL the claim selects the next due job FOR UPDATE SKIP LOCKED in
// a transaction, so that two replicas never take the same row; on SQLite
// every write goes through the one writer connection, so one
// UPDATE … WHERE id = (SELECT …) RETURNING claims atomically. A job whose
// lease runs out (its replica died) is claimed again: delivery is at
// least once, and exactly once for every job that finishes within its
// lease. A handler whose effect is a database write makes it exactly once
// whatever dies when: it writes the effect and Job.DoneIn in one
// transaction. An effect outside the database (an e-mail handed to the
// SMTP server, a push message) cannot be tied to that commit: a replica
// killed after the server accepted the message and before the job is
// marked done sends it again after the lease (TestFailoverKilledReplica). A failed attempt is retried later, with an exponential backoff,
// up to a maximum of attempts; then the job is marked failed and kept for
// the operator.
package jobs

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"time"
	"unicode/utf8"

	"cartable/internal/access"
	"cartable/internal/db"
)

// Defaults of a Queue's zero fields.
const (
	// 16 attempts: backoff from 30 s doubling to the 6 h ceiling, about a
	// day and a half in all: a mail server down over a weekend night
	// loses nothing.
	DefaultMaxAttempts = 16
	DefaultBackoff     = 30 * time.Second // the wait after a first failure
	DefaultMaxBackoff  = 6 * time.Hour
	DefaultLease       = 2 * time.Minute
)

// Job is one claimed job, as a handler receives it.
type Job struct {
	ID       int64
	Kind     string
	Payload  []byte // JSON, as enqueued
	Attempts int    // this attempt included (1 for the first)

	q      *Queue // the queue and worker holding the lease, for DoneIn
	worker string
	done   bool // DoneIn committed: the worker has nothing left to report
}

// Decode reads the payload into v.
func (j *Job) Decode(v any) error { return json.Unmarshal(j.Payload, v) }

// Handler does one job. A nil error marks it done; an error retries it
// later (Permanent: never); RetryAfter sets when.
type Handler func(ctx context.Context, j *Job) error

// Policy is how a queue retries; zero fields take the defaults.
type Policy struct {
	MaxAttempts int           // attempts before a job is given up
	Backoff     time.Duration // wait after the first failure, doubled at each next one
	MaxBackoff  time.Duration // the longest wait
	Lease       time.Duration // how long a claim holds before another worker may take the job
}

// Queue is the queue in one database, with its retry policy. Only the
// instance (a system viewer) works it.
type Queue struct {
	DB *db.DB
	Policy
	Now func() time.Time
}

func (q *Queue) now() time.Time {
	if q.Now != nil {
		return q.Now()
	}
	return time.Now()
}

func (p Policy) maxAttempts() int {
	if p.MaxAttempts > 0 {
		return p.MaxAttempts
	}
	return DefaultMaxAttempts
}

func (p Policy) lease() time.Duration {
	if p.Lease > 0 {
		return p.Lease
	}
	return DefaultLease
}

// instance refuses every viewer but the instance's own: jobs are worked
// by the server, never on a person's behalf.
func instance(v *access.Viewer, action access.Action) error {
	if v == nil || !v.IsSystem() {
		return access.Refuse(action, access.Resource{Kind: "job-queue"}, "the job queue is worked by the instance")
	}
	return nil
}

// Delay is the wait before the attempt following the attempts-th failed
// one: Backoff, 2×Backoff, 4×Backoff… up to MaxBackoff.
func (q Policy) Delay(attempts int) time.Duration {
	base, limit := q.Backoff, q.MaxBackoff
	if base <= 0 {
		base = DefaultBackoff
	}
	if limit <= 0 {
		limit = DefaultMaxBackoff
	}
	d := base
	for i := 1; i < attempts; i++ {
		d *= 2
		if d >= limit {
			return limit
		}
	}
	return min(d, limit)
}

// Options of one enqueued job.
type Options struct {
	RunAt time.Time // not before; now when zero
	Key   string    // one job per key ever: a second enqueue is a no-op; "" for none
	// MaxAttempts overrides the queue's maximum for this job; 0 keeps it.
	MaxAttempts int
}

// Enqueue adds a job of kind with payload (encoded as JSON) in tx, the
// transaction of the change that calls for it, so that neither exists
// without the other, as v (the domain that calls it has asked the policy
// for that change). It returns false when a job with the same key
// exists already.
func Enqueue(ctx context.Context, v *access.Viewer, tx db.Querier, kind string, payload any, o Options) (bool, error) {
	if v == nil || v.Actor() == "" {
		return false, access.Refuse("enqueue-job", access.Resource{Kind: "job-queue"}, "no viewer")
	}
	if kind == "" {
		return false, errors.New("jobs: a job needs a kind")
	}
	b, err := json.Marshal(payload)
	if err != nil {
		return false, fmt.Errorf("jobs: payload: %w", err)
	}
	now := time.Now()
	runAt := o.RunAt
	if runAt.IsZero() {
		runAt = now
	}
	var key any
	if o.Key != "" {
		key = o.Key
	}
	res, err := tx.Exec(ctx, `INSERT INTO jobs (kind, payload, dedupe_key, run_at, max_attempts, created_at)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (dedupe_key) DO NOTHING`,
		kind, string(b), key, runAt.Unix(), max(o.MaxAttempts, 0), now.Unix())
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// due is the condition of a job a worker may claim at ?1 (now).
const due = `done_at IS NULL AND failed_at IS NULL AND run_at <= ? AND (locked_until IS NULL OR locked_until < ?)`

// Claim takes the next due job for worker, or returns nil when none is
// due. The claim counts as an attempt: a job that crashes its replica
// every time is given up all the same.
func (q *Queue) Claim(ctx context.Context, v *access.Viewer, worker string) (*Job, error) {
	if err := instance(v, "claim-job"); err != nil {
		return nil, err
	}
	now := q.now().Unix()
	until := q.now().Add(q.lease()).Unix()
	var j Job
	var found bool
	if q.DB.Dialect() == db.Postgres {
		err := q.DB.Tx(ctx, func(tx *db.Tx) error {
			err := tx.QueryRow(ctx, `SELECT id, kind, payload, attempts FROM jobs WHERE `+due+`
				ORDER BY run_at, id LIMIT 1 FOR UPDATE SKIP LOCKED`, now, now).Scan(&j.ID, &j.Kind, &j.Payload, &j.Attempts)
			if errors.Is(err, sql.ErrNoRows) {
				return nil
			}
			if err != nil {
				return err
			}
			found = true
			j.Attempts++
			_, err = tx.Exec(ctx, `UPDATE jobs SET locked_by = ?, locked_until = ?, attempts = ? WHERE id = ?`, worker, until, j.Attempts, j.ID)
			return err
		})
		if err != nil || !found {
			return nil, err
		}
		j.q, j.worker = q, worker
		return &j, nil
	}
	// QueryRow outside a transaction would go to SQLite's read-only pool;
	// the transaction runs the statement on the writer.
	var payload string
	err := q.DB.Tx(ctx, func(tx *db.Tx) error {
		return tx.QueryRow(ctx, `UPDATE jobs SET locked_by = ?, locked_until = ?, attempts = attempts + 1
			WHERE id = (SELECT id FROM jobs WHERE `+due+` ORDER BY run_at, id LIMIT 1)
			RETURNING id, kind, payload, attempts`, worker, until, now, now).Scan(&j.ID, &j.Kind, &payload, &j.Attempts)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	j.Payload = []byte(payload)
	j.q, j.worker = q, worker
	return &j, nil
}

// DoneIn marks j done inside tx, the transaction that writes the job's
// effect, so that the effect and the job's end commit together or not at
// all. A replica killed before the commit leaves neither (the database
// rolls the transaction back and the job is claimed again when its lease
// runs out); a worker whose lease was taken over meanwhile gets
// ErrLeaseLost and must roll back, leaving the effect to the new holder.
// The handler then returns nil (or the error): the worker reports nothing
// more. Call it first in the transaction: on PostgreSQL it locks the job's
// row, so no other worker claims it while the effect is being written.
func (j *Job) DoneIn(ctx context.Context, tx *db.Tx) error {
	if j.q == nil {
		return errors.New("jobs: DoneIn on a job not claimed from a queue")
	}
	res, err := tx.Exec(ctx, `UPDATE jobs SET done_at = ?, locked_by = NULL, locked_until = NULL, last_error = ''
		WHERE id = ? AND locked_by = ? AND done_at IS NULL`, j.q.now().Unix(), j.ID, j.worker)
	if err := checkOne(res, err); err != nil {
		return err
	}
	j.done = true
	return nil
}

// ErrLeaseLost is returned when a worker reports on a job whose lease it
// no longer holds (it ran out and another worker took the job).
var ErrLeaseLost = errors.New("jobs: lease lost")

// Done marks j finished by worker.
func (q *Queue) Done(ctx context.Context, v *access.Viewer, worker string, j *Job) error {
	if err := instance(v, "finish-job"); err != nil {
		return err
	}
	res, err := q.DB.Exec(ctx, `UPDATE jobs SET done_at = ?, locked_by = NULL, locked_until = NULL, last_error = ''
		WHERE id = ? AND locked_by = ? AND done_at IS NULL`, q.now().Unix(), j.ID, worker)
	return checkOne(res, err)
}

// Fail records that j failed with cause: it runs again after Delay, or
// is given up after the last attempt or when cause is Permanent. The
// cause is kept (shortened) for the operator: handlers put no personal
// data in their errors.
func (q *Queue) Fail(ctx context.Context, v *access.Viewer, worker string, j *Job, cause error) error {
	if err := instance(v, "finish-job"); err != nil {
		return err
	}
	msg := shorten(cause.Error(), 500)
	now := q.now()
	var max int
	if err := q.DB.QueryRow(ctx, `SELECT max_attempts FROM jobs WHERE id = ?`, j.ID).Scan(&max); err != nil {
		return err
	}
	if max <= 0 {
		max = q.maxAttempts()
	}
	var perm permanent
	if errors.As(cause, &perm) || j.Attempts >= max {
		res, err := q.DB.Exec(ctx, `UPDATE jobs SET failed_at = ?, last_error = ?, locked_by = NULL, locked_until = NULL
			WHERE id = ? AND locked_by = ? AND done_at IS NULL`, now.Unix(), msg, j.ID, worker)
		return checkOne(res, err)
	}
	wait := q.Delay(j.Attempts)
	var ra retryAfter
	if errors.As(cause, &ra) && ra.after > wait {
		wait = min(ra.after, 24*time.Hour)
	}
	res, err := q.DB.Exec(ctx, `UPDATE jobs SET run_at = ?, last_error = ?, locked_by = NULL, locked_until = NULL
		WHERE id = ? AND locked_by = ? AND done_at IS NULL`, now.Add(wait).Unix(), msg, j.ID, worker)
	return checkOne(res, err)
}

func checkOne(res sql.Result, err error) error {
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return ErrLeaseLost
	}
	return nil
}

func shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

type permanent struct{ err error }

func (p permanent) Error() string { return p.err.Error() }
func (p permanent) Unwrap() error { return p.err }

// Permanent wraps an error that no retry will mend (a malformed payload):
// the job is given up at once.
func Permanent(err error) error { return permanent{err} }

type retryAfter struct {
	err   error
	after time.Duration
}

func (r retryAfter) Error() string { return r.err.Error() }
func (r retryAfter) Unwrap() error { return r.err }

// RetryAfter wraps an error whose source asked to be tried again no
// sooner than after (a push service's 429 Retry-After): the next attempt
// waits the longer of that and the backoff.
func RetryAfter(err error, after time.Duration) error { return retryAfter{err, after} }

// Stats are counts for monitoring, nothing about anyone.
type Stats struct {
	Due     int // waiting and due now (claimed ones included)
	Waiting int // not done nor given up
	Failed  int // given up after their last attempt
	Retried int // waiting after at least one failed attempt
}

// Count reads the queue's Stats.
func Count(ctx context.Context, v *access.Viewer, q db.Querier) (Stats, error) {
	var s Stats
	if err := instance(v, "count-jobs"); err != nil {
		return s, err
	}
	err := q.QueryRow(ctx, `SELECT
		COALESCE(SUM(CASE WHEN done_at IS NULL AND failed_at IS NULL AND run_at <= ? THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN done_at IS NULL AND failed_at IS NULL THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN failed_at IS NOT NULL THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN done_at IS NULL AND failed_at IS NULL AND last_error <> '' THEN 1 ELSE 0 END), 0)
		FROM jobs WHERE done_at IS NULL`, time.Now().Unix()).Scan(&s.Due, &s.Waiting, &s.Failed, &s.Retried)
	return s, err
}

// Sweep deletes the jobs done more than keep ago: they only served as a
// record of work finished.
func Sweep(ctx context.Context, v *access.Viewer, q db.Querier, keep time.Duration) (int64, error) {
	if err := instance(v, "sweep-jobs"); err != nil {
		return 0, err
	}
	res, err := q.Exec(ctx, `DELETE FROM jobs WHERE done_at IS NOT NULL AND done_at < ?`, time.Now().Add(-keep).Unix())
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// Retry gives the jobs given up (of kind, or all when kind is "") a new
// round of attempts from now, once the operator has mended their cause
// (a mail server back). It returns how many.
func Retry(ctx context.Context, v *access.Viewer, q db.Querier, kind string) (int64, error) {
	if err := instance(v, "retry-jobs"); err != nil {
		return 0, err
	}
	res, err := q.Exec(ctx, `UPDATE jobs SET failed_at = NULL, attempts = 0, run_at = ?, locked_by = NULL, locked_until = NULL
		WHERE failed_at IS NOT NULL AND done_at IS NULL AND (? = '' OR kind = ?)`, time.Now().Unix(), kind, kind)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// Info is one job as the operator sees it: never its payload (it names
// people), and its last error with anything shaped like an e-mail
// address masked, should a handler have let one through.
type Info struct {
	ID          int64
	Kind        string
	Attempts    int
	MaxAttempts int // the queue's default already applied
	LastError   string
	RunAt       time.Time // the next attempt (for a job given up: when it was due)
	Running     bool      // claimed now by a worker whose lease holds
	Failed      bool
	FailedAt    time.Time
}

var address = regexp.MustCompile(`[^\s<>"'@,;:]+@[^\s<>"'@,;:]+\.[A-Za-z]{2,}`)

// Redact masks e-mail addresses in an error kept for the operator.
func Redact(s string) string { return address.ReplaceAllString(s, "<address>") }

// List reads the jobs not done (only those given up when failedOnly),
// failed ones first then by next run, at most limit (0: 1,000).
func (q *Queue) List(ctx context.Context, v *access.Viewer, failedOnly bool, limit int) ([]Info, error) {
	if err := instance(v, "list-jobs"); err != nil {
		return nil, err
	}
	if limit <= 0 {
		limit = 1000
	}
	cond := `done_at IS NULL`
	if failedOnly {
		cond += ` AND failed_at IS NOT NULL`
	}
	now := q.now()
	return db.All(ctx, q.DB, func(s db.Scanner) (Info, error) {
		var j Info
		var runAt int64
		var until, failed sql.NullInt64
		err := s.Scan(&j.ID, &j.Kind, &j.Attempts, &j.MaxAttempts, &j.LastError, &runAt, &until, &failed)
		j.RunAt = time.Unix(runAt, 0)
		j.Running = until.Valid && until.Int64 >= now.Unix()
		if failed.Valid {
			j.Failed, j.FailedAt = true, time.Unix(failed.Int64, 0)
		}
		if j.MaxAttempts <= 0 {
			j.MaxAttempts = q.maxAttempts()
		}
		j.LastError = Redact(j.LastError)
		return j, err
	}, `SELECT id, kind, attempts, max_attempts, last_error, run_at, locked_until, failed_at FROM jobs WHERE `+cond+`
		ORDER BY CASE WHEN failed_at IS NULL THEN 1 ELSE 0 END, run_at, id LIMIT ?`, limit)
}

// Errors of RetryOne.
var (
	ErrNoSuchJob  = errors.New("no such job waiting or given up (done jobs are not retried)")
	ErrJobRunning = errors.New("the job is running now: a worker holds it")
)

// RetryOne runs job id again from now: a job given up gets a new round
// of attempts; a job waiting for its next attempt is simply due now (its
// attempts kept). A job done, or unknown, is ErrNoSuchJob; one a worker
// holds now, ErrJobRunning.
func (q *Queue) RetryOne(ctx context.Context, v *access.Viewer, id int64) error {
	if err := instance(v, "retry-jobs"); err != nil {
		return err
	}
	now := q.now().Unix()
	res, err := q.DB.Exec(ctx, `UPDATE jobs SET
		attempts = CASE WHEN failed_at IS NULL THEN attempts ELSE 0 END,
		failed_at = NULL, run_at = ?
		WHERE id = ? AND done_at IS NULL AND (locked_until IS NULL OR locked_until < ?)`, now, id, now)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 1 {
		return nil
	}
	var held int
	if err := q.DB.QueryRow(ctx, `SELECT COUNT(*) FROM jobs WHERE id = ? AND done_at IS NULL`, id).Scan(&held); err != nil {
		return err
	}
	if held > 0 {
		return ErrJobRunning
	}
	return ErrNoSuchJob
}
