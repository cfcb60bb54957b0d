package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"

	"cartable/internal/access"
	"cartable/internal/config"
	"cartable/internal/i18n"
	"cartable/internal/jobs"
)

const jobsUsage = `Usage:
  cartable jobs list [--failed] [flags]       the background jobs not done (e-mails, push
                                              messages, digests): kind, state, attempts,
                                              next run, last error
  cartable jobs retry ID [flags]              run job ID again now; a job given up gets a
                                              new round of attempts
  cartable jobs retry --all-failed [flags]    the same for every job given up

The flags are those of "cartable serve" (--database, --data…). The list
never shows a job's payload (it names people); errors keep no address.
Times are Europe/Paris.
`

// runJobs is "cartable jobs": the operator's view of the job queue
// (internal/jobs), for a mail server that was down long enough for jobs
// to be given up.
func runJobs(ctx context.Context, args []string) error {
	return jobsCommand(ctx, os.Stdout, args)
}

func jobsCommand(ctx context.Context, out io.Writer, args []string) error {
	if len(args) == 0 || (args[0] != "list" && args[0] != "retry") {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
			fmt.Fprint(out, jobsUsage)
			return nil
		}
		fmt.Fprint(os.Stderr, jobsUsage)
		return errUsage
	}
	var failedOnly, allFailed bool
	fs := flag.NewFlagSet("cartable jobs "+args[0], flag.ContinueOnError)
	c := config.Register(fs, config.Defaults{DataDir: "data"})
	if args[0] == "list" {
		fs.BoolVar(&failedOnly, "failed", false, "only the jobs given up after their last attempt")
	} else {
		fs.BoolVar(&allFailed, "all-failed", false, "retry every job given up")
	}
	pos, err := parseInterleaved(fs, args[1:]) // import.go
	if err != nil {
		return errUsage
	}
	var id int64
	switch {
	case args[0] == "list" && len(pos) > 0:
		return fmt.Errorf("unexpected argument %q", pos[0])
	case args[0] == "retry" && allFailed && len(pos) > 0:
		return errors.New("give a job ID or --all-failed, not both")
	case args[0] == "retry" && !allFailed && len(pos) != 1:
		return errors.New("give one job ID (see \"cartable jobs list\") or --all-failed")
	case args[0] == "retry" && !allFailed:
		if id, err = strconv.ParseInt(pos[0], 10, 64); err != nil || id <= 0 {
			return fmt.Errorf("job ID %q is not a number", pos[0])
		}
	}
	if err := c.Finish(); err != nil {
		return err
	}
	d, err := openDB(ctx, c, newLogger(c.LogLevel))
	if err != nil {
		return err
	}
	defer d.Close()
	sys := access.System("jobs-command")
	q := &jobs.Queue{DB: d}
	switch {
	case args[0] == "list":
		return listJobs(ctx, out, q, sys, failedOnly)
	case allFailed:
		n, err := jobs.Retry(ctx, sys, d, "")
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "%d jobs given up will run again now, with a new round of attempts.\n", n)
		return nil
	}
	if err := q.RetryOne(ctx, sys, id); err != nil {
		return fmt.Errorf("job %d: %w", id, err)
	}
	fmt.Fprintf(out, "Job %d will run again now (a running server takes it within seconds).\n", id)
	return nil
}

func listJobs(ctx context.Context, out io.Writer, q *jobs.Queue, sys *access.Viewer, failedOnly bool) error {
	const limit = 1000
	list, err := q.List(ctx, sys, failedOnly, limit)
	if err != nil {
		return err
	}
	if len(list) == 0 {
		if failedOnly {
			fmt.Fprintln(out, "No job given up.")
		} else {
			fmt.Fprintln(out, "No job waiting.")
		}
		return nil
	}
	const at = "2006-01-02 15:04"
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tKIND\tSTATE\tATTEMPTS\tNEXT RUN\tLAST ERROR")
	failed := 0
	for _, j := range list {
		state, next := "waiting", j.RunAt.In(i18n.Zone).Format(at)
		switch {
		case j.Failed:
			state, next = "failed "+j.FailedAt.In(i18n.Zone).Format(at), "-"
			failed++
		case j.Running:
			state = "running"
		case j.Attempts > 0:
			state = "retrying"
		}
		msg := strings.Join(strings.Fields(j.LastError), " ")
		if msg == "" {
			msg = "-"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%d/%d\t%s\t%s\n", j.ID, j.Kind, state, j.Attempts, j.MaxAttempts, next, msg)
	}
	tw.Flush()
	more := ""
	if len(list) == limit {
		more = " (the first 1000)"
	}
	fmt.Fprintf(out, "%d jobs listed%s, %d given up.\n", len(list), more, failed)
	return nil
}
