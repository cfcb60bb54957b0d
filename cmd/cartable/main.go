// Command cartable is the whole school digital workspace in one binary:
// the web server, the demo establishment and the operator's tools.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

const usage = `cartable — espace numérique de travail / school digital workspace

Usage:
  cartable serve   [flags]   run the server
  cartable demo    [flags]   create the demo establishment if absent, then serve it
  cartable migrate [flags]   apply pending database migrations
  cartable import  SOURCE …  import a delivery: aaf, siecle, sts, csv or timetable (see "cartable import -h")
  cartable rollover [flags]  close an establishment's school year and open the next one
  cartable purge   [flags]   erase the data of accounts deactivated longer than the delay
  cartable keys rotate [flags]  replace the master key of uploaded files (see "cartable keys -h")
  cartable jobs list [--failed]  the background jobs (e-mails, push) waiting or given up
  cartable jobs retry ID|--all-failed  run jobs again now (see "cartable jobs -h")
  cartable backup  --to DIR  copy the database, the master key and the stored files, online
  cartable restore --from DIR  restore a backup into a new data directory and database
  cartable version           print the version

Run "cartable COMMAND -h" for the flags of a command. Every flag can also be
set by a CARTABLE_* environment variable (e.g. CARTABLE_DATABASE).
`

func main() {
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	cmd, args := os.Args[1], os.Args[2:]
	var err error
	switch cmd {
	case "serve":
		err = runServe(ctx, args)
	case "demo":
		err = runDemo(ctx, args)
	case "migrate":
		err = runMigrate(ctx, args)
	case "import":
		err = runImport(ctx, args)
	case "rollover":
		err = runRollover(ctx, args)
	case "purge":
		err = runPurge(ctx, args)
	case "keys":
		err = runKeys(ctx, args)
	case "jobs":
		err = runJobs(ctx, args)
	case "backup":
		err = runBackup(ctx, args)
	case "restore":
		err = runRestore(ctx, args)
	case "version", "--version", "-v":
		err = runVersion()
	case "help", "-h", "--help":
		fmt.Print(usage)
	default:
		fmt.Fprintf(os.Stderr, "cartable: unknown command %q\n\n%s", cmd, usage)
		os.Exit(2)
	}
	if err != nil {
		if err == errUsage {
			os.Exit(2)
		}
		// One line that names the problem, nothing more.
		fmt.Fprintf(os.Stderr, "cartable %s: %s\n", cmd, strings.Join(strings.Fields(err.Error()), " "))
		os.Exit(1)
	}
}
