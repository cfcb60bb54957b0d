package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"time"

	"cartable/internal/access"
	"cartable/internal/db"
	"cartable/internal/jobs"
)

// replica names this process in the job queue's leases and the rounds'
// claims: host and process.
var replica = func() string {
	host, _ := os.Hostname()
	return fmt.Sprintf("%s/%d", host, os.Getpid())
}()

// everyRound runs round at start and then every period, on one replica:
// every replica ticks, the first to take the round (jobs.TakeRound) runs
// it, the others skip it; a replica restarted within the period finds the
// round taken. A round that fails (it logs why) gives its claim back, so
// that the next tick of any replica runs it again. While the claim itself
// fails (the database away or read-only) the round waits; that is logged
// once, and again when it is taken again.
func everyRound(ctx context.Context, d *db.DB, name string, every time.Duration, log *slog.Logger, round func(context.Context) error) {
	sys := access.System("rounds")
	failing := false
	tick := func() {
		r, mine, err := jobs.TakeRound(ctx, sys, d, name, replica, time.Now(), every)
		switch {
		case err != nil && ctx.Err() == nil && !failing:
			log.Warn("round not taken: tried at each tick", "round", name, "err", err.Error())
			failing = true
		case err == nil && failing:
			log.Info("round taken again", "round", name)
			failing = false
		}
		if !mine {
			return
		}
		if err := round(ctx); err != nil {
			// Given back even at shutdown, for another replica.
			rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
			defer cancel()
			if err := jobs.ReleaseRound(rctx, sys, d, r); err != nil {
				log.Warn("failed round not given back: it waits for its period", "round", name, "err", err.Error())
			}
		}
	}
	tick()
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			tick()
		}
	}
}
