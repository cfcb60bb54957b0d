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

// everyRound runs round every period on one replica: every replica ticks,
// the first to take the round (jobs.TakeRound) runs it, the others skip
// it. With atStart, a first tick comes at once. A round whose claim fails
// (the database away or read-only) waits for the next tick.
func everyRound(ctx context.Context, d *db.DB, name string, every time.Duration, atStart bool, log *slog.Logger, round func(context.Context)) {
	sys := access.System("rounds")
	tick := func() {
		mine, err := jobs.TakeRound(ctx, sys, d, name, replica, time.Now(), every)
		if err != nil {
			if ctx.Err() == nil {
				log.Warn("round not taken: tried again at the next tick", "round", name, "err", err.Error())
			}
			return
		}
		if mine {
			round(ctx)
		}
	}
	if atStart {
		tick()
	}
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
