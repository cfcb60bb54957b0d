package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"cartable/internal/config"
	"cartable/internal/files"
)

const keysUsage = `Usage:
  cartable keys rotate [--data DIR] [--database URL] [--dry-run]

rotate replaces the master key DATA/keys/master.key by a new one and
re-wraps every data key of the database under it, in one transaction.
Stop every server using this data directory and database first; after
the rotation, copy the new master.key to every replica and to the backups.
An interrupted rotation is finished by running it again.
`

// runKeys is "cartable keys rotate": master-key rotation (internal/files/keys.go).
func runKeys(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] != "rotate" {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
			fmt.Print(keysUsage)
			return nil
		}
		fmt.Fprint(os.Stderr, keysUsage)
		return errUsage
	}
	var dryRun bool
	c, err := parse("keys rotate", args[1:], config.Defaults{DataDir: "data"}, func(fs *flag.FlagSet) {
		fs.BoolVar(&dryRun, "dry-run", false, "count the data keys to re-wrap and check that they open; change nothing")
	})
	if err != nil {
		return err
	}
	if err := files.CanRotate(c.DataDir); err != nil {
		return err
	}
	d, err := openDB(ctx, c, newLogger(c.LogLevel))
	if err != nil {
		return err
	}
	defer d.Close()
	res, err := files.Rotate(ctx, d, c.DataDir, files.RotateOptions{DryRun: dryRun})
	if err != nil {
		return err
	}
	switch {
	case dryRun && res.Resumed:
		fmt.Printf("%d data keys would be re-wrapped, finishing an interrupted rotation (keys/master.key.new). Dry run: nothing changed.\n", res.DataKeys)
	case dryRun:
		fmt.Printf("%d data keys would be re-wrapped under a new master key. Dry run: nothing changed.\n", res.DataKeys)
	default:
		resumed := ""
		if res.Resumed {
			resumed = " (an interrupted rotation was finished)"
		}
		fmt.Printf("Master key replaced in %s: %d data keys re-wrapped%s.\n"+
			"Copy the new master.key to every replica, and back it up with the database from now on.\n",
			c.DataDir+"/keys", res.DataKeys, resumed)
	}
	return nil
}
