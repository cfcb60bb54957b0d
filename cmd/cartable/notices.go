package main

import (
	"context"
	"log/slog"
	"time"

	"cartable/internal/access"
	"cartable/internal/classlog"
	"cartable/internal/db"
	"cartable/internal/timetable"
)

const (
	// changesEvery is how often the timetable's change events become
	// notices; changesBatch bounds the events read per round.
	changesEvery = time.Minute
	changesBatch = 500
	// homeworkEvery is how often homework set or changed is told.
	homeworkEvery = 5 * time.Minute
)

// announceLearning turns, every minute, the timetable's change events into
// notices to the people of each lesson (timetable.AnnounceChanges), and
// every five minutes tells the homework set or changed for the coming
// days (classlog.AnnounceHomework). One replica runs each round
// (everyRound); an event is claimed in the transaction of its notices all
// the same, and every notice is one per key and person. Logs counts only.
func announceLearning(ctx context.Context, d *db.DB, log *slog.Logger) {
	sys := access.System("learning notices")
	go everyRound(ctx, d, "homework-notices", homeworkEvery, log, func(ctx context.Context) error {
		n, err := classlog.AnnounceHomework(ctx, sys, d, time.Now())
		if err != nil && ctx.Err() == nil {
			log.Warn("homework notices incomplete: retried later", "notices", n, "err", err.Error())
		} else if n > 0 {
			log.Info("homework announced", "notices", n)
		}
		return err
	})
	everyRound(ctx, d, "lesson-changes", changesEvery, log, func(ctx context.Context) error {
		n, err := timetable.AnnounceChanges(ctx, sys, d, time.Now(), changesBatch)
		if err != nil && ctx.Err() == nil {
			log.Warn("lesson-change notices incomplete: retried later", "notices", n, "err", err.Error())
		} else if n > 0 {
			log.Info("lesson changes announced", "notices", n)
		}
		return err
	})
}
