package main

import (
	"context"
	"log/slog"
	"time"

	"cartable/internal/access"
	"cartable/internal/attendance"
)

// remindEvery is how often the server looks for registers not taken.
const remindEvery = time.Minute

// remindRegisters reminds, every minute, the teachers whose register is
// not done some minutes after their lesson began (the establishment's
// setting). Any replica may run it: a register's reminder is one notice
// (its key), however many rounds or replicas find it late. Logs counts
// only.
func remindRegisters(ctx context.Context, att *attendance.Service, log *slog.Logger) {
	sys := access.System("register reminders")
	t := time.NewTicker(remindEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			n, err := att.RemindLate(ctx, sys, time.Now())
			if err != nil {
				if ctx.Err() == nil {
					log.Warn("register reminders failed", "err", err.Error())
				}
				continue
			}
			if n > 0 {
				log.Info("registers late: teachers reminded", "notices", n)
			}
		}
	}
}
