package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"cartable/internal/access"
	"cartable/internal/config"
	"cartable/internal/db"
	"cartable/internal/discipline"
	"cartable/internal/files"
	"cartable/internal/messaging"
	"cartable/internal/news"
	"cartable/internal/provisioning"
)

// runPurge is "cartable purge [--dry-run]": erase the data of accounts
// deactivated longer than --purge-after-days ago (the server does it daily),
// then the blobs of the deleted files, from the storage the server uses
// (--storage, --data).
func runPurge(ctx context.Context, args []string) error {
	var dryRun bool
	c, err := parse("purge", args, config.Defaults{DataDir: "data"}, func(fs *flag.FlagSet) {
		fs.BoolVar(&dryRun, "dry-run", false, "list the closed accounts and when their data goes; erase nothing")
	})
	if err != nil {
		return err
	}
	now := time.Now()
	delay := time.Duration(c.PurgeAfterDays) * 24 * time.Hour
	if dryRun {
		d, err := openDB(ctx, c, newLogger(c.LogLevel))
		if err != nil {
			return err
		}
		defer d.Close()
		list, err := provisioning.ClosedAccounts(ctx, access.System("purge"), d, "", delay)
		if err != nil {
			return err
		}
		due := 0
		fmt.Printf("%-10s  %-10s  %-8s  %-9s  %-24s  %s\n", "purge on", "closed on", "profile", "keep", "login", "establishments")
		for _, a := range list.Accounts {
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
		queued, _, err := files.Queue(ctx, d)
		if err != nil {
			return err
		}
		fmt.Printf("%d closed accounts; %d due now (delay %d days); %d stored files waiting for erasure. Dry run: nothing erased.\n",
			len(list.Accounts), due, c.PurgeAfterDays, queued)
		return nil
	}
	d, store, release, err := openStored(ctx, c, newLogger(c.LogLevel)) // serve.go
	if err != nil {
		return err
	}
	defer d.Close()
	defer release()
	res, err := provisioning.Purge(ctx, access.System("purge"), d, provisioning.PurgeOptions{Now: now, DelayDays: c.PurgeAfterDays})
	if err != nil {
		return err
	}
	fmt.Printf("Purge run %d: %d accounts erased (contributions kept anonymously), %d deleted with their contributions (objected), %d closed school years, %d stale uploads and %d stored files removed.\n",
		res.RunID, res.Anonymised, res.Deleted, res.SchoolYearsDeleted, res.UploadsDeleted, res.FilesDeleted)
	removed, err := discipline.Purge(ctx, access.System("purge"), d, now)
	if err != nil {
		return err
	}
	fmt.Printf("%d disciplinary sanctions removed from students' records at their legal date (R511-13).\n", removed)
	convs, err := messaging.Purge(ctx, access.System("purge"), d, now)
	if err != nil {
		return err
	}
	fmt.Printf("%d conversations removed at the end of their establishment's retention.\n", convs)
	surveys, err := news.PurgeSurveys(ctx, access.System("purge"), d, now, 0)
	if err != nil {
		return err
	}
	fmt.Printf("%d surveys' answers erased a year after closing.\n", surveys)
	erased, eraseErr := store.EraseQueued(ctx, d)
	queued, _, err := files.Queue(ctx, d)
	if err != nil {
		return err
	}
	fmt.Printf("%d stored files erased from the storage; %d still waiting for erasure.\n", erased, queued)
	if eraseErr != nil {
		return fmt.Errorf("the purge is done but the storage refused some erasures (they stay queued; run the purge again or let the server retry): %v", eraseErr)
	}
	return nil
}

// dailyPurge runs the purge once a day: checked every hour (one replica a
// round, everyRound), it runs when the last purge (by any replica) is a
// day old. Replicas serialise through the database all the same (see
// provisioning.Purge). The blobs of the files it deleted are erased right
// after it.
func dailyPurge(ctx context.Context, d *db.DB, store *files.Store, days int, log *slog.Logger) {
	sys := access.System("purge")
	everyRound(ctx, d, "purge-check", time.Hour, log, func(ctx context.Context) error {
		last, err := provisioning.LastPurge(ctx, sys, d)
		if err != nil {
			if ctx.Err() == nil {
				log.Warn("purge: cannot read the last run", "err", err.Error())
			}
			return err
		}
		if time.Since(last) < 23*time.Hour {
			return nil
		}
		res, err := provisioning.Purge(ctx, sys, d, provisioning.PurgeOptions{Now: time.Now(), DelayDays: days})
		if err != nil {
			if ctx.Err() == nil {
				log.Error("purge failed", "err", err.Error())
			}
			return err
		}
		log.Info("purge done", "run", res.RunID, "anonymised", res.Anonymised, "deleted", res.Deleted,
			"school_years", res.SchoolYearsDeleted, "uploads", res.UploadsDeleted, "files", res.FilesDeleted)
		// Sanctions leave the record at their legal date (R511-13 IV):
		// hidden from every view from that day, deleted here.
		if n, err := discipline.Purge(ctx, sys, d, time.Now()); err != nil {
			if ctx.Err() == nil {
				log.Error("sanctions purge failed", "err", err.Error())
			}
		} else {
			log.Info("sanctions removed from the record", "sanctions", n)
		}
		// Conversations leave at the end of their establishment's retention.
		if n, err := messaging.Purge(ctx, sys, d, time.Now()); err != nil {
			if ctx.Err() == nil {
				log.Error("messages purge failed", "err", err.Error())
			}
		} else {
			log.Info("conversations removed at the end of their retention", "conversations", n)
		}
		// Survey answers are kept a year after the survey closes.
		if n, err := news.PurgeSurveys(ctx, sys, d, time.Now(), 0); err != nil {
			if ctx.Err() == nil {
				log.Error("survey answers purge failed", "err", err.Error())
			}
		} else {
			log.Info("survey answers erased", "surveys", n)
		}
		eraseQueued(ctx, d, store, log) // logged; the file-erasure round retries
		return nil
	})
}

// eraseEvery is how often the server erases the queued blobs: files
// removed by their owners or by a cascade leave the storage within minutes.
const eraseEvery = 5 * time.Minute

// eraseFiles erases the queued blobs every few minutes (one replica a
// round; a blob whose deletion fails stays queued for the next round).
func eraseFiles(ctx context.Context, d *db.DB, store *files.Store, log *slog.Logger) {
	if store == nil {
		return
	}
	everyRound(ctx, d, "file-erasure", eraseEvery, log, func(ctx context.Context) error {
		return eraseQueued(ctx, d, store, log)
	})
}

// eraseQueued runs one erasure and logs counts only: never a file's name.
func eraseQueued(ctx context.Context, d *db.DB, store *files.Store, log *slog.Logger) error {
	if store == nil {
		return nil
	}
	n, err := store.EraseQueued(ctx, d)
	if err != nil {
		if ctx.Err() == nil {
			queued, _, _ := files.Queue(ctx, d)
			log.Warn("file erasure incomplete: retried later", "erased", n, "queued", queued, "err", err.Error())
		}
		return err
	}
	if n > 0 {
		log.Info("files erased", "erased", n)
	}
	return nil
}
