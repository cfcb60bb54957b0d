package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"cartable/internal/access"
)

// Worker runs the jobs of a queue with the handler of their kind.
type Worker struct {
	Queue    *Queue
	ID       string             // names this worker in leases: host and process
	Handlers map[string]Handler // by kind
	Idle     time.Duration      // the pause when nothing is due (1 s when zero)
	Log      *slog.Logger
}

// ErrNoHandler is the failure of a job whose kind this binary does not
// know: it is retried (a newer replica may know it) and given up at last.
var ErrNoHandler = errors.New("jobs: no handler for this kind")

// RunOne claims and runs one due job; it reports whether there was one.
// A handler's panic fails its job instead of the process.
func (w *Worker) RunOne(ctx context.Context, v *access.Viewer) (bool, error) {
	j, err := w.Queue.Claim(ctx, v, w.ID)
	if err != nil || j == nil {
		return false, err
	}
	h := w.Handlers[j.Kind]
	if h == nil {
		return true, w.Queue.Fail(ctx, v, w.ID, j, fmt.Errorf("%w %q", ErrNoHandler, j.Kind))
	}
	// The handler stops before its lease runs out, so that no other
	// worker takes a job still running.
	hctx, cancel := context.WithTimeout(ctx, w.Queue.lease()*9/10)
	err = safely(hctx, h, j)
	cancel()
	if j.done && err == nil {
		// The handler marked the job done in its own transaction. (With
		// an error, that transaction rolled back: the job is failed
		// below as any other.)
		return true, nil
	}
	if ctx.Err() != nil {
		// Shutting down: the lease runs out and another worker (or this
		// one, restarted) takes the job again.
		return true, ctx.Err()
	}
	// Reports use a fresh context: the job's outcome must be written even
	// when the handler used up its own.
	rctx, rcancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer rcancel()
	if err == nil {
		return true, w.Queue.Done(rctx, v, w.ID, j)
	}
	if w.Log != nil {
		w.Log.Warn("job failed", "kind", j.Kind, "job", j.ID, "attempt", j.Attempts, "err", err.Error())
	}
	return true, w.Queue.Fail(rctx, v, w.ID, j, err)
}

func safely(ctx context.Context, h Handler, j *Job) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("jobs: handler panicked: %v", p)
		}
	}()
	return h(ctx, j)
}

// Run runs due jobs as v (a system viewer) until ctx ends, one at a
// time, pausing Idle when none is due or the database is unavailable.
// Claims failing (the database away or read-only) are logged once, and
// again when they succeed: not at every pause.
func (w *Worker) Run(ctx context.Context, v *access.Viewer) {
	idle := w.Idle
	if idle <= 0 {
		idle = time.Second
	}
	failing := false
	for ctx.Err() == nil {
		ran, err := w.RunOne(ctx, v)
		if w.Log != nil && ctx.Err() == nil {
			switch {
			case err != nil && (ran || !failing):
				w.Log.Warn("job queue", "err", err.Error())
			case err == nil && failing:
				w.Log.Info("job queue: claims again")
			}
		}
		failing = !ran && err != nil
		if ran && err == nil {
			continue
		}
		select {
		case <-ctx.Done():
		case <-time.After(idle):
		}
	}
}
