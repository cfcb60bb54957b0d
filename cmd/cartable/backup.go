package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"

	"cartable/internal/backup"
	"cartable/internal/config"
	"cartable/internal/db"
	"cartable/internal/files"
)

// runBackup copies the instance while it runs (see internal/backup).
func runBackup(ctx context.Context, args []string) error {
	var to string
	c, err := parse("backup", args, config.Defaults{DataDir: "data"}, func(fs *flag.FlagSet) {
		fs.StringVar(&to, "to", "", "new (or empty) directory to write the backup to")
	})
	if err != nil {
		return err
	}
	if to == "" {
		return errors.New("backup: --to DIR is needed (a new directory, e.g. /var/backups/cartable/2026-12-06)")
	}
	backend, err := files.OpenBackend(ctx, c.Storage.URL, c.DataDir, files.Credentials{AccessKey: c.Storage.AccessKey, SecretKey: c.Storage.SecretKey})
	if err != nil {
		return err
	}
	d, err := db.Open(ctx, c.Database)
	if err != nil {
		return err
	}
	defer d.Close()
	m, err := backup.Take(ctx, backup.Source{DB: d, Database: c.Database, DataDir: c.DataDir, Backend: backend}, to)
	if err != nil {
		return err
	}
	rows, blobs := int64(0), 0
	for _, t := range m.Tables {
		rows += t.Rows
	}
	for p := range m.Files {
		if strings.HasPrefix(p, "blobs/") {
			blobs++
		}
	}
	fmt.Printf("backup written to %s: %s database (schema %d, %d tables, %d rows), %d stored files (%d bytes).\n",
		to, m.Engine, m.Schema, len(m.Tables), rows, blobs, m.BlobBytes)
	for _, k := range m.Missing {
		fmt.Printf("warning: the storage did not have the blob %s (its record is kept)\n", k)
	}
	if m.Files["keys/master.key"] != "" {
		fmt.Println("Store keys/master.key apart from the copies of the stored files.")
	}
	return nil
}

// runRestore restores a backup into the configured data directory,
// database and storage, which must be empty.
func runRestore(ctx context.Context, args []string) error {
	var from string
	c, err := parse("restore", args, config.Defaults{DataDir: "data"}, func(fs *flag.FlagSet) {
		fs.StringVar(&from, "from", "", "directory of the backup to restore")
	})
	if err != nil {
		return err
	}
	if from == "" {
		return errors.New("restore: --from DIR is needed")
	}
	backend, err := files.OpenBackend(ctx, c.Storage.URL, c.DataDir, files.Credentials{AccessKey: c.Storage.AccessKey, SecretKey: c.Storage.SecretKey})
	if err != nil {
		return err
	}
	m, warnings, err := backup.Restore(ctx, from, backup.Target{Database: c.Database, DataDir: c.DataDir, Backend: backend})
	if err != nil {
		return err
	}
	for _, w := range warnings {
		fmt.Println("warning:", w)
	}
	fmt.Printf("restored the backup of %s (%s, schema %d) into %s; every table checked. Start the server with the same settings.\n",
		m.TakenAt.Format("2006-01-02 15:04 MST"), m.Engine, m.Schema, c.DataDir)
	return nil
}
