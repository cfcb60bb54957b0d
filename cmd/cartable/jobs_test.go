package main

import (
	"bytes"
	"context"
	"errors"
	"regexp"
	"strings"
	"testing"

	"cartable/internal/access"
	"cartable/internal/db"
	"cartable/internal/dbtest"
	"cartable/internal/jobs"
)

// "cartable jobs" against a real database (the engine under test): the
// list shows kind, state, attempts, next run and the error without the
// address in it, never the payload; retry by ID and --all-failed give
// jobs given up a new round; bad arguments are refused before anything.
func TestJobsCommand(t *testing.T) {
	ctx := context.Background()
	url, data := dbtest.URL(t), t.TempDir()
	d, err := db.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if _, err := d.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	sys := access.System("test")
	for _, k := range []string{"mail-notice", "mail-digest", "push-notice"} {
		if _, err := jobs.Enqueue(ctx, sys, d, k, map[string]string{"notice": "SECRET-PAYLOAD"}, jobs.Options{MaxAttempts: 1}); err != nil {
			t.Fatal(err)
		}
	}
	w := &jobs.Worker{Queue: &jobs.Queue{DB: d}, ID: "w", Handlers: map[string]jobs.Handler{
		"mail-notice": func(ctx context.Context, j *jobs.Job) error {
			return errors.New("e-mail not sent: mail: RCPT TO: 550 no mailbox léa.dupont@example.org")
		},
		"mail-digest": func(ctx context.Context, j *jobs.Job) error { return errors.New("e-mail not sent: connection refused") },
	}}
	for range 2 {
		if _, err := w.RunOne(ctx, sys); err != nil {
			t.Fatal(err)
		}
	}
	cmd := func(args ...string) (string, error) {
		var out bytes.Buffer
		err := jobsCommand(ctx, &out, append(args, "--database", url, "--data", data))
		return out.String(), err
	}

	out, err := cmd("list")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 5 || !regexp.MustCompile(`^ID +KIND +STATE +ATTEMPTS +NEXT RUN +LAST ERROR$`).MatchString(lines[0]) {
		t.Fatalf("list:\n%s", out)
	}
	for i, re := range []string{
		`^1 +mail-notice +failed \d{4}-\d\d-\d\d \d\d:\d\d +1/1 +- +e-mail not sent: mail: RCPT TO: 550 no mailbox <address>$`,
		`^2 +mail-digest +failed \d{4}-\d\d-\d\d \d\d:\d\d +1/1 +- +e-mail not sent: connection refused$`,
		`^3 +push-notice +waiting +0/1 +\d{4}-\d\d-\d\d \d\d:\d\d +-$`,
		`^3 jobs listed, 2 given up\.$`,
	} {
		if !regexp.MustCompile(re).MatchString(lines[i+1]) {
			t.Errorf("line %d: %q does not match %s", i+1, lines[i+1], re)
		}
	}
	if strings.Contains(out, "example.org") || strings.Contains(out, "SECRET") || strings.Contains(out, "léa") {
		t.Errorf("personal data in the list:\n%s", out)
	}
	if out, err = cmd("list", "--failed"); err != nil || strings.Contains(out, "push-notice") || !strings.Contains(out, "2 jobs listed, 2 given up.") {
		t.Fatalf("list --failed: %v\n%s", err, out)
	}

	// Refusals, nothing changed.
	for _, args := range [][]string{{"retry"}, {"retry", "abc"}, {"retry", "1", "2"}, {"retry", "1", "--all-failed"}, {"list", "x"}} {
		if _, err := cmd(args...); err == nil {
			t.Errorf("%v accepted", args)
		}
	}
	if _, err := cmd("retry", "99"); err == nil || !strings.Contains(err.Error(), "job 99: no such job") {
		t.Errorf("retry of an unknown job: %v", err)
	}
	if err := jobsCommand(ctx, &bytes.Buffer{}, []string{"frobnicate"}); err != errUsage {
		t.Errorf("unknown subcommand: %v", err)
	}
	if out, _ := cmd("list", "--failed"); !strings.Contains(out, "2 given up") {
		t.Fatalf("a refused command changed the queue:\n%s", out)
	}

	// One by ID, then all the others.
	if out, err := cmd("retry", "1"); err != nil || !strings.Contains(out, "Job 1 will run again now") {
		t.Fatalf("retry 1: %v %q", err, out)
	}
	out, _ = cmd("list")
	if !regexp.MustCompile(`(?m)^1 +mail-notice +retrying|^1 +mail-notice +waiting`).MatchString(out) || !strings.Contains(out, "1 given up") {
		t.Fatalf("after retry 1:\n%s", out)
	}
	if out, err := cmd("retry", "--all-failed"); err != nil || !strings.Contains(out, "1 jobs given up will run again now") {
		t.Fatalf("retry --all-failed: %v %q", err, out)
	}
	if out, _ := cmd("list", "--failed"); strings.TrimSpace(out) != "No job given up." {
		t.Fatalf("after --all-failed:\n%s", out)
	}
	// The jobs retried run again on the worker.
	ran := 0
	for {
		ok, err := w.RunOne(ctx, sys)
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			break
		}
		ran++
		if ran > 10 {
			t.Fatal("the worker does not stop")
		}
	}
	if ran != 3 {
		t.Errorf("%d jobs ran after the retries, want 3 (two retried, the push waiting)", ran)
	}
}
