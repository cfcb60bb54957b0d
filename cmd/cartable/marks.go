package main

import (
	"context"
	"log/slog"
	"time"

	"cartable/internal/access"
	"cartable/internal/db"
	"cartable/internal/grades"
)

// announceEvery is how often the server looks for marks that became
// visible to families.
const announceEvery = 5 * time.Minute

// announceMarks tells, every few minutes, the students and relatives who
// asked for it of the marks whose publication day came. Any replica may
// run it: a mark's notice is one per evaluation and person (its key),
// however many rounds or replicas find it. Logs counts only.
func announceMarks(ctx context.Context, d *db.DB, log *slog.Logger) {
	sys := access.System("new-mark notices")
	t := time.NewTicker(announceEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			n, err := grades.AnnounceMarks(ctx, sys, d, time.Now())
			if err != nil {
				if ctx.Err() == nil {
					log.Warn("new-mark notices failed", "err", err.Error())
				}
				continue
			}
			if n > 0 {
				log.Info("new marks announced", "notices", n)
			}
		}
	}
}
