package main

import (
	"context"
	"log/slog"
	"net/mail"
	"time"

	"cartable/internal/access"
	"cartable/internal/config"
	"cartable/internal/db"
	"cartable/internal/delivery"
	"cartable/internal/jobs"
	"cartable/internal/metrics"
	"cartable/internal/web"
	"cartable/internal/web/page"
)

// pusher loads (or makes, once) the VAPID key in DATA/keys and names the
// instance's contact for the push services: the SMTP sender's address,
// else the public URL.
func pusher(c *config.Config) (*delivery.Pusher, error) {
	key, err := delivery.LoadVAPID(c.DataDir)
	if err != nil {
		return nil, err
	}
	subject := c.BaseURL
	if a, err := mail.ParseAddress(c.Security.SMTPFrom); err == nil {
		subject = "mailto:" + a.Address
	}
	return &delivery.Pusher{Key: key, Subject: subject}, nil
}

// deliver runs the job queue's worker (every replica works the queue, the
// database keeps each job to one) and, every 30 seconds on one replica a
// round, hands the due notices to e-mail and push (delivery.Dispatch) and
// plans the digests; hourly, it sweeps the jobs done. Counts only are
// logged.
func deliver(ctx context.Context, c *config.Config, d *db.DB, s *web.Server, push *delivery.Pusher, unsub *delivery.Unsubscriber, log *slog.Logger) {
	sys := access.System("notice-delivery")
	del := &delivery.Deliverer{DB: d, Mail: mailer(c), BaseURL: c.BaseURL, Text: page.NoticeText, Push: push, Unsubscribe: unsub}
	w := &jobs.Worker{Queue: &jobs.Queue{DB: d}, ID: replica, Handlers: del.Handlers(sys), Log: log}
	stat := func(pick func(jobs.Stats) int) func() (map[string]float64, error) {
		return func() (map[string]float64, error) {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			st, err := jobs.Count(ctx, sys, d)
			return map[string]float64{"": float64(pick(st))}, err
		}
	}
	s.Metrics.Register(
		metrics.Gauge{Name: "cartable_jobs_due", Help: "Background jobs due now and not done (the queue's depth).",
			Read: stat(func(st jobs.Stats) int { return st.Due })},
		metrics.Gauge{Name: "cartable_jobs_retrying", Help: "Background jobs waiting for a new attempt after a failure.",
			Read: stat(func(st jobs.Stats) int { return st.Retried })},
		metrics.Gauge{Name: "cartable_jobs_failed", Help: "Background jobs given up after their last attempt.",
			Read: stat(func(st jobs.Stats) int { return st.Failed })},
	)
	go w.Run(ctx, sys)
	go everyRound(ctx, d, "job-sweep", time.Hour, log, func(ctx context.Context) error {
		_, err := del.Sweep(ctx, sys)
		if err != nil && ctx.Err() == nil {
			log.Warn("sweep of the jobs done failed: retried later", "err", err.Error())
		}
		return err
	})
	everyRound(ctx, d, "notice-dispatch", 30*time.Second, log, func(ctx context.Context) error {
		n, err := del.Dispatch(ctx, sys)
		if err != nil && ctx.Err() == nil {
			log.Warn("notice delivery incomplete: retried later", "handed", n, "err", err.Error())
		} else if n > 0 {
			log.Info("notices handed to e-mail and push", "count", n)
		}
		if _, derr := del.ScheduleDigests(ctx, sys); derr != nil {
			if ctx.Err() == nil {
				log.Warn("digest planning failed: retried later", "err", derr.Error())
			}
			err = derr
		}
		return err
	})
}
