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
// asked for it of the marks whose publication day came. One replica runs
// each round (everyRound); a mark's notice is one per evaluation and
// person all the same (its key). Logs counts only.
func announceMarks(ctx context.Context, d *db.DB, log *slog.Logger) {
	sys := access.System("new-mark notices")
	everyRound(ctx, d, "mark-notices", announceEvery, log, func(ctx context.Context) error {
		n, err := grades.AnnounceMarks(ctx, sys, d, time.Now())
		if err != nil {
			if ctx.Err() == nil {
				log.Warn("new-mark notices failed", "err", err.Error())
			}
			return err
		}
		if n > 0 {
			log.Info("new marks announced", "notices", n)
		}
		return nil
	})
}
