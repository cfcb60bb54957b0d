package main

import (
	"context"
	"log/slog"
	"time"

	"cartable/internal/access"
	"cartable/internal/attendance"
	"cartable/internal/db"
)

// remindEvery is how often the server looks for registers not taken.
const remindEvery = time.Minute

// remindRegisters reminds, every minute, the teachers whose register is
// not done some minutes after their lesson began (the establishment's
// setting). One replica runs each round (everyRound); a register's
// reminder is one notice all the same (its key), however many rounds find
// it late. Logs counts only.
func remindRegisters(ctx context.Context, d *db.DB, att *attendance.Service, log *slog.Logger) {
	sys := access.System("register reminders")
	everyRound(ctx, d, "register-reminders", remindEvery, log, func(ctx context.Context) error {
		n, err := att.RemindLate(ctx, sys, time.Now())
		if err != nil {
			if ctx.Err() == nil {
				log.Warn("register reminders failed", "err", err.Error())
			}
			return err
		}
		if n > 0 {
			log.Info("registers late: teachers reminded", "notices", n)
		}
		return nil
	})
}
