package main_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"cartable/internal/db"
	"cartable/internal/dbtest"
	"cartable/internal/provisioning/synth"
)

const aafFixture = "../../internal/provisioning/testdata/aaf/complete"

// stdout runs the binary and returns its standard output alone.
func stdout(t *testing.T, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = cleanEnv()
	out, err := cmd.Output()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return string(out), code
}

func countPeople(t *testing.T, url string) int {
	t.Helper()
	d, err := db.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var n int
	if err := d.QueryRow(context.Background(), `SELECT COUNT(*) FROM people`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestImportCommand(t *testing.T) {
	data, url := t.TempDir(), dbtest.URL(t)
	flags := []string{"--data", data, "--database", url}

	// A dry run prints the changes as JSON and applies nothing.
	out, code := stdout(t, append([]string{"import", "aaf", aafFixture, "--dry-run", "--json"}, flags...)...)
	var sum struct {
		DryRun  bool                      `json:"dry_run"`
		Applied bool                      `json:"applied"`
		Counts  map[string]map[string]int `json:"counts"`
	}
	if code != 0 || json.Unmarshal([]byte(out), &sum) != nil || !sum.DryRun || sum.Applied || sum.Counts["student"]["created"] != 4 {
		t.Fatalf("dry run: %d %q", code, out)
	}
	if n := countPeople(t, url); n != 0 {
		t.Fatalf("a dry run imported %d people", n)
	}
	out, code = run(t, append([]string{"import", "aaf", aafFixture}, flags...)...)
	if code != 0 || !strings.Contains(out, "Applied in one transaction") || !strings.Contains(out, "relative-unlinked") {
		t.Fatalf("import: %d %q", code, out)
	}
	if n := countPeople(t, url); n != 14 {
		t.Fatalf("%d people", n)
	}
	// Twice: nothing changes.
	out, code = stdout(t, append([]string{"import", "aaf", aafFixture, "--json"}, flags...)...)
	if code != 0 || json.Unmarshal([]byte(out), &sum) != nil || !sum.Applied || sum.Counts["student"]["unchanged"] != 4 || sum.Counts["student"]["created"] != 0 {
		t.Fatalf("second import: %d %q", code, out)
	}
	// A truncated feed is refused, then let through on purpose.
	trunc := t.TempDir()
	entries, _ := os.ReadDir(aafFixture)
	for _, e := range entries {
		if !strings.Contains(e.Name(), "Eleve_0000") {
			b, _ := os.ReadFile(filepath.Join(aafFixture, e.Name()))
			os.WriteFile(filepath.Join(trunc, e.Name()), b, 0o644)
		}
	}
	out, code = run(t, append([]string{"import", "aaf", trunc}, flags...)...)
	if code != 1 || !strings.Contains(out, "--allow-mass-deactivation") || !strings.Contains(out, "over the limit") {
		t.Fatalf("truncated feed: %d %q", code, out)
	}
	out, code = run(t, append([]string{"import", "aaf", trunc, "--allow-mass-deactivation"}, flags...)...)
	if code != 0 || !strings.Contains(out, "deactivated") {
		t.Fatalf("override: %d %q", code, out)
	}
	// The deactivated accounts wait for the purge: listed with their date.
	out, code = run(t, append([]string{"purge", "--dry-run"}, flags...)...)
	purgeOn := time.Now().UTC().AddDate(0, 0, 90).Format("2006-01-02")
	if code != 0 || !strings.Contains(out, "lea.dubois") || !strings.Contains(out, purgeOn) || !strings.Contains(out, "2 closed accounts; 0 due now") {
		t.Fatalf("purge --dry-run: %d %q", code, out)
	}
	out, code = run(t, append([]string{"purge"}, flags...)...)
	if code != 0 || !strings.Contains(out, "0 accounts erased") {
		t.Fatalf("purge: %d %q", code, out)
	}
	out, code = run(t, append([]string{"purge", "--purge-after-days", "120"}, flags...)...)
	oneLineError(t, out, code, "within 90 days")

	// Rollover: preview, then for real, then refused the second time.
	out, code = run(t, append([]string{"rollover", "--establishment", "0750001A", "--year", "2027-2028", "--dry-run"}, flags...)...)
	if code != 0 || !strings.Contains(out, "Would close 2026-2027") || !strings.Contains(out, "Dry run") {
		t.Fatalf("rollover preview: %d %q", code, out)
	}
	out, code = run(t, append([]string{"rollover", "--establishment", "0750001A", "--year", "2027-2028"}, flags...)...)
	if code != 0 || !strings.Contains(out, "Opened 2027-2028") {
		t.Fatalf("rollover: %d %q", code, out)
	}
	out, code = run(t, append([]string{"rollover", "--establishment", "0750001A", "--year", "2027-2028"}, flags...)...)
	oneLineError(t, out, code, "already exists")
}

func TestImportCommandErrors(t *testing.T) {
	data := t.TempDir()
	if _, code := run(t, "import", "moodle", "x", "--data", data); code != 2 {
		t.Errorf("unknown source: exit %d", code)
	}
	out, code := run(t, "import", "csv", "x.csv", "--data", data)
	oneLineError(t, out, code, "--establishment UAI is required")
	out, code = run(t, "import", "aaf", filepath.Join(data, "nowhere"), "--data", data)
	oneLineError(t, out, code, "no such file or directory")
	// A malformed file: its name and line, exit 1, nothing applied.
	bad := t.TempDir()
	entries, _ := os.ReadDir(aafFixture)
	for _, e := range entries {
		b, _ := os.ReadFile(filepath.Join(aafFixture, e.Name()))
		if strings.Contains(e.Name(), "PersEducNat") {
			b = []byte(strings.Replace(string(b), "<identifier>", "<identifier", 1))
		}
		os.WriteFile(filepath.Join(bad, e.Name()), b, 0o644)
	}
	url := dbtest.URL(t)
	if out, code := run(t, "migrate", "--data", data, "--database", url); code != 0 {
		t.Fatal(out)
	}
	out, code = run(t, "import", "aaf", bad, "--data", data, "--database", url)
	oneLineError(t, out, code, "TEST_Complet_20260901_PersEducNat_0000.xml:6: malformed XML")
	if !strings.Contains(out, "nothing applied") {
		t.Errorf("no word of nothing applied: %q", out)
	}
	out, code = stdout(t, "import", "aaf", bad, "--json", "--data", data, "--database", url)
	if code != 1 || !strings.Contains(out, `"line": 6`) || !strings.Contains(out, `"applied": false`) {
		t.Fatalf("json error: %d %q", code, out)
	}
	if n := countPeople(t, url); n != 0 {
		t.Fatalf("%d people after a failed import", n)
	}
}

// TestKilledImportChangesNothing kills the command in the middle of its
// transaction: the directory is as before (or, if the import finished
// first, complete), never half-written.
func TestKilledImportChangesNothing(t *testing.T) {
	dir := t.TempDir()
	c, err := synth.Complete(dir, synth.Options{People: 30000, Establishments: 5})
	if err != nil {
		t.Fatal(err)
	}
	total := c.Students + c.Relatives + c.Staff
	data, url := t.TempDir(), dbtest.URL(t)
	if out, code := run(t, "migrate", "--data", data, "--database", url); code != 0 {
		t.Fatal(out)
	}
	cmd := exec.Command(binary, "import", "aaf", dir, "--progress", "--data", data, "--database", url)
	cmd.Env = cleanEnv()
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(stderr)
	for sc.Scan() {
		if strings.Contains(sc.Text(), "applying") {
			break
		}
	}
	time.Sleep(400 * time.Millisecond)
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	n := countPeople(t, url)
	if n != 0 && n != total {
		t.Fatalf("%d people after a kill: half an import", n)
	}
	if n == total {
		t.Log("the import finished before the kill; the check still holds")
	}
	// And the directory is usable: the import runs again to completion.
	if out, code := run(t, "import", "aaf", dir, "--data", data, "--database", url); code != 0 {
		t.Fatalf("import after the kill: %q", out)
	}
	if n := countPeople(t, url); n != total {
		t.Fatalf("%d people, want %d", n, total)
	}
}

// A synthetic region's timetables, a file per establishment named after
// its UAI, go in through the real importer; a file of an unknown UAI or
// with a fault changes nothing and makes the command fail after the
// others.
func TestImportTimetables(t *testing.T) {
	data, url := t.TempDir(), dbtest.URL(t)
	flags := []string{"--data", data, "--database", url}
	aaf, tt := t.TempDir(), t.TempDir()
	o := synth.Options{People: 2400, Establishments: 2}
	if _, err := synth.Complete(aaf, o); err != nil {
		t.Fatal(err)
	}
	c, err := synth.Timetables(tt, o)
	if err != nil {
		t.Fatal(err)
	}
	if out, code := run(t, append([]string{"import", "aaf", aaf}, flags...)...); code != 0 {
		t.Fatalf("import aaf: %d\n%s", code, out)
	}
	out, code := stdout(t, append([]string{"import", "timetable", tt}, flags...)...)
	if code != 0 || !strings.Contains(out, fmt.Sprintf("2 files, %d lessons imported", c.Lessons)) {
		t.Fatalf("import timetable: %d\n%s", code, out)
	}
	lessons := func() int {
		d, err := db.Open(context.Background(), url)
		if err != nil {
			t.Fatal(err)
		}
		defer d.Close()
		var n int
		if err := d.QueryRow(context.Background(), `SELECT COUNT(*) FROM tt_slots`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := lessons(); n != c.Lessons {
		t.Fatalf("%d lessons in the database, want %d", n, c.Lessons)
	}
	// Again, with a file of no establishment and a faulty one: the good
	// file replaces its lessons, the others change nothing.
	b, _ := os.ReadFile(filepath.Join(tt, "9000001X.csv"))
	os.WriteFile(filepath.Join(tt, "0590001A.csv"), b, 0o600)
	os.WriteFile(filepath.Join(tt, "9000001X.csv"), append(b, []byte("9;08:00;55;020700;P0000001;6A;;;\n")...), 0o600)
	out, code = run(t, append([]string{"import", "timetable", tt}, flags...)...)
	if code != 1 || !strings.Contains(out, `0590001A.csv: no establishment with the UAI "0590001A"`) ||
		!strings.Contains(out, fmt.Sprintf("9000001X.csv: line %d, day: bad-day 9", strings.Count(string(b), "\n")+1)) ||
		!strings.Contains(out, "9000001X.csv: nothing imported") || !strings.Contains(out, "2 of 3 files not imported") {
		t.Fatalf("import with bad files: %d\n%s", code, out)
	}
	if n := lessons(); n != c.Lessons {
		t.Fatalf("%d lessons after a refused file, want %d", n, c.Lessons)
	}
}
