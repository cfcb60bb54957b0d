package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"cartable/internal/access"
	"cartable/internal/config"
	"cartable/internal/db"
	"cartable/internal/demo"
	"cartable/internal/files"
)

func runDemo(ctx context.Context, args []string) error {
	var (
		seed     int64
		students int
		accounts string
	)
	c, err := parse("demo", args, config.Defaults{DataDir: "cartable-demo", Listen: "127.0.0.1:8080"}, func(fs *flag.FlagSet) {
		fs.Int64Var(&seed, "seed", 1, "seed of the demo generator (same seed, same data)")
		fs.IntVar(&students, "students", 600, "number of students of the main collège")
		fs.StringVar(&accounts, "accounts", "", "write every demo account as JSON to this file")
	})
	if err != nil {
		return err
	}
	if students < 24 || students > 20000 {
		return fmt.Errorf("--students %d: choose between 24 and 20000", students)
	}
	log := newLogger(c.LogLevel)
	ln, d, store, release, err := listenAndOpen(ctx, c, log)
	if err != nil {
		return err
	}
	defer d.Close()
	defer release()
	accts, err := ensureDemo(ctx, d, store, c.DataDir, demo.Options{Seed: seed, Students: students})
	if err != nil {
		ln.Close()
		return err
	}
	if accounts != "" {
		b, _ := json.MarshalIndent(accts, "", "  ")
		if err := os.WriteFile(accounts, append(b, '\n'), 0o600); err != nil {
			ln.Close()
			return fmt.Errorf("cannot write accounts file: %v", err)
		}
	}
	fmt.Printf("\nCartable demo: %s (%s)\n", c.BaseURL, d.Dialect())
	fmt.Printf("Every demo account has the password %q.\n", demo.DefaultPassword)
	fmt.Printf("The demo makes the second factor optional for everyone (a real establishment requires it of\n" +
		"teachers, staff and admins); set one up under \"Sécurité du compte\" to try it.\n\n")
	for _, n := range demo.Notable(accts) {
		fmt.Printf("  %-48s %s\n", n.Label, n.Login)
	}
	if accounts != "" {
		fmt.Printf("\nAll %d accounts are listed in %s\n", len(accts), accounts)
	}
	fmt.Println()
	return serve(ctx, c, d, store, ln, log)
}

// ensureDemo creates the demo in one transaction when absent. The account
// list is kept beside the data so that a restart can print it again.
func ensureDemo(ctx context.Context, d *db.DB, store *files.Store, dataDir string, o demo.Options) ([]demo.Account, error) {
	listFile := filepath.Join(dataDir, "demo-accounts.json")
	sys := access.System("demo")
	exists, err := demo.Exists(ctx, sys, d)
	if err != nil {
		return nil, err
	}
	var accts []demo.Account
	if exists {
		b, err := os.ReadFile(listFile)
		if err == nil && json.Unmarshal(b, &accts) == nil {
			return accts, nil
		}
		// The demo lives in a database shared with another data directory:
		// the list is rebuilt from the same seed in memory.
		if accts, err = replayDemo(ctx, o); err != nil {
			return nil, err
		}
	} else {
		err = d.Tx(ctx, func(tx *db.Tx) error {
			if accts, err = demo.Generate(ctx, sys, tx, o); err != nil {
				return err
			}
			// Changes, class log and homework are placed around today.
			return demo.GenerateTimetable(ctx, sys, tx, demo.TimetableOptions{Seed: o.Seed, Today: time.Now().Format("2006-01-02"), Files: store})
		})
		if err != nil {
			return nil, fmt.Errorf("creating the demo: %w", err)
		}
		if err := d.Analyze(ctx); err != nil {
			return nil, err
		}
	}
	b, _ := json.MarshalIndent(accts, "", "  ")
	if err := os.WriteFile(listFile, b, 0o600); err != nil {
		return nil, fmt.Errorf("cannot write %s: %v", listFile, err)
	}
	return accts, nil
}

// replayDemo regenerates the demo into a scratch SQLite file to recover its
// account list: the generator is deterministic, so the list is the same.
func replayDemo(ctx context.Context, o demo.Options) ([]demo.Account, error) {
	dir, err := os.MkdirTemp("", "cartable-demo-replay-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	scratch, err := db.Open(ctx, filepath.Join(dir, "replay.db"))
	if err != nil {
		return nil, err
	}
	defer scratch.Close()
	if _, err := scratch.Migrate(ctx); err != nil {
		return nil, err
	}
	var accts []demo.Account
	err = scratch.Tx(ctx, func(tx *db.Tx) error {
		accts, err = demo.Generate(ctx, access.System("demo"), tx, o)
		return err
	})
	return accts, err
}
