package main

import (
	"context"
	"log/slog"
	"time"

	"cartable/internal/access"
	"cartable/internal/db"
	"cartable/internal/news"
)

// newsRemindEvery is how often the server looks for news awaiting
// acknowledgement and surveys whose automatic reminder is due.
const newsRemindEvery = 15 * time.Minute

// remindNews queues, every quarter of an hour, the automatic reminders of
// news and surveys (news.Service.RemindDue: three days before the last day
// and on its eve for news, on the eve for surveys). One replica runs each
// round (everyRound); each stage is claimed once all the same, and the
// notices' keys make a second queueing a no-op. Logs counts only.
func remindNews(ctx context.Context, d *db.DB, svc *news.Service, log *slog.Logger) {
	sys := access.System("news reminders")
	everyRound(ctx, d, "news-reminders", newsRemindEvery, log, func(ctx context.Context) error {
		n, err := svc.RemindDue(ctx, sys, time.Now())
		if err != nil && ctx.Err() == nil {
			log.Warn("news reminders incomplete: retried later", "queued", n, "err", err.Error())
		} else if n > 0 {
			log.Info("news reminders queued", "count", n)
		}
		return err
	})
}
