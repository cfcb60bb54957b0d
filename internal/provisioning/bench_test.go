package provisioning_test

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"cartable/internal/dbtest"
	"cartable/internal/provisioning"
	"cartable/internal/provisioning/synth"
)

// Benchmarks of the import (not timed tests). On this project's 2-core
// machine the floors are: the 2013 sample in under 5 s; a 200,000-person
// complete delivery in under 120 s and 500 MB; a 1,000-change delta on top
// of it in under 5 s. Run them one iteration at a time:
//
//	go test -run '^$' -bench Import -benchtime 1x ./internal/provisioning/
//
// CARTABLE_BENCH_PEOPLE sizes the academy (default 200000) and
// CARTABLE_TEST_POSTGRES runs them on PostgreSQL. Each reports the peak
// resident memory of the process during the timed part (peak-MB).

func benchPeople() int {
	if n, err := strconv.Atoi(os.Getenv("CARTABLE_BENCH_PEOPLE")); err == nil && n > 0 {
		return n
	}
	return 200000
}

// resetPeak restarts the kernel's count of the peak resident memory.
func resetPeak() { os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

// peakMB reads the peak resident memory since the last reset.
func peakMB() float64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if rest, ok := strings.CutPrefix(s.Text(), "VmHWM:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(rest), " kB"))
			return float64(kb) / 1024
		}
	}
	return 0
}

func BenchmarkImportSample2013(b *testing.B) {
	dir := "../../../shared/samples/aaf/2013"
	if _, err := os.Stat(dir); err != nil {
		b.Skip("the shared samples are not here")
	}
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		d := dbtest.Open(b)
		b.StartTimer()
		importAAF(b, d, dir, provisioning.Options{Now: at(time.Date(2013, 1, 17, 6, 0, 0, 0, time.UTC))})
	}
}

// BenchmarkImportAcademy reads and applies a complete delivery of
// CARTABLE_BENCH_PEOPLE people into an empty directory.
func BenchmarkImportAcademy(b *testing.B) {
	n := benchPeople()
	dir := b.TempDir()
	c, err := synth.Complete(dir, synth.Options{People: n})
	if err != nil {
		b.Fatal(err)
	}
	people := c.Students + c.Relatives + c.Staff
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		d := dbtest.Open(b)
		resetPeak()
		b.StartTimer()
		sum := importAAF(b, d, dir, provisioning.Options{})
		b.StopTimer()
		if got := sum.Count("student", "created") + sum.Count("relative", "created") + sum.Count("teacher", "created") + sum.Count("staff", "created"); got != people {
			b.Fatalf("%d people created, want %d", got, people)
		}
		b.ReportMetric(peakMB(), "peak-MB")
		d.Close()
	}
	b.ReportMetric(float64(people), "people")
}

// BenchmarkDelta1000 applies a 1,000-change delta on top of an academy.
func BenchmarkDelta1000(b *testing.B) {
	n := benchPeople()
	o := synth.Options{People: n}
	dir := b.TempDir()
	if _, err := synth.Complete(dir, o); err != nil {
		b.Fatal(err)
	}
	d := dbtest.Open(b)
	importAAF(b, d, dir, provisioning.Options{})
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		o.Seed = uint64(i + 1)
		ddir := b.TempDir()
		if _, err := synth.Delta(ddir, o, 1000, "20261001"); err != nil {
			b.Fatal(err)
		}
		resetPeak()
		b.StartTimer()
		sum := importAAF(b, d, ddir, provisioning.Options{Now: at(day0.AddDate(0, 1, 0))})
		b.StopTimer()
		if i == 0 && sum.Changes() < 1000 {
			b.Fatalf("the delta changed only %d rows", sum.Changes())
		}
		b.ReportMetric(peakMB(), "peak-MB")
	}
}
