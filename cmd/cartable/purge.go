package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"cartable/internal/config"
	"cartable/internal/db"
	"cartable/internal/provisioning"
)

// runPurge is "cartable purge [--dry-run]": erase the data of accounts
// deactivated longer than --purge-after-days ago (the server does it daily).
func runPurge(ctx context.Context, args []string) error {
	var dryRun bool
	c, err := parse("purge", args, config.Defaults{DataDir: "data"}, func(fs *flag.FlagSet) {
		fs.BoolVar(&dryRun, "dry-run", false, "list the closed accounts and when their data goes; erase nothing")
	})
	if err != nil {
		return err
	}
	d, err := openDB(ctx, c, newLogger(c.LogLevel))
	if err != nil {
		return err
	}
	defer d.Close()
	now := time.Now()
	delay := time.Duration(c.PurgeAfterDays) * 24 * time.Hour
	if dryRun {
		list, err := provisioning.ClosedAccounts(ctx, d, "", delay)
		if err != nil {
			return err
		}
		due := 0
		fmt.Printf("%-10s  %-10s  %-8s  %-9s  %-24s  %s\n", "purge on", "closed on", "profile", "keep", "login", "establishments")
		for _, a := range list {
			mark := ""
			if a.Due(now) {
				mark = "  ← due now"
				due++
			}
			keep := "yes"
			if a.Objects {
				keep = "no (objected)"
			}
			fmt.Printf("%-10s  %-10s  %-8s  %-9s  %-24s  %s%s\n", a.PurgeOn.Format("2006-01-02"), a.DeactivatedAt.Format("2006-01-02"),
				a.Person.Profile, keep, a.Person.Login, strings.Join(a.Establishments, " "), mark)
		}
		fmt.Printf("%d closed accounts; %d due now (delay %d days). Dry run: nothing erased.\n", len(list), due, c.PurgeAfterDays)
		return nil
	}
	res, err := provisioning.Purge(ctx, d, provisioning.PurgeOptions{Now: now, DelayDays: c.PurgeAfterDays})
	if err != nil {
		return err
	}
	fmt.Printf("Purge run %d: %d accounts erased (contributions kept anonymously), %d deleted with their contributions (objected), %d closed school years and %d stale uploads removed.\n",
		res.RunID, res.Anonymised, res.Deleted, res.SchoolYearsDeleted, res.UploadsDeleted)
	return nil
}

// dailyPurge runs the purge once a day: checked every hour, it runs when
// the last purge (by any replica) is a day old. Replicas serialise through
// the database (see provisioning.Purge).
func dailyPurge(ctx context.Context, d *db.DB, days int, log *slog.Logger) {
	check := func() {
		last, err := provisioning.LastPurge(ctx, d)
		if err != nil {
			log.Warn("purge: cannot read the last run", "err", err.Error())
			return
		}
		if time.Since(last) < 23*time.Hour {
			return
		}
		res, err := provisioning.Purge(ctx, d, provisioning.PurgeOptions{Now: time.Now(), DelayDays: days})
		if err != nil {
			if ctx.Err() == nil {
				log.Error("purge failed", "err", err.Error())
			}
			return
		}
		log.Info("purge done", "run", res.RunID, "anonymised", res.Anonymised, "deleted", res.Deleted,
			"school_years", res.SchoolYearsDeleted, "uploads", res.UploadsDeleted)
	}
	t := time.NewTimer(time.Minute)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			check()
			t.Reset(time.Hour)
		}
	}
}
