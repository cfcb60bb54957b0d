package provisioning

import (
	"context"
	"fmt"
	"testing"
	"time"
	"os"
	"strconv"
	"runtime"

	"cartable/internal/dbtest"
	"cartable/internal/provisioning/synth"
)

func TestTmpSynth(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("N"))
	if n == 0 { t.Skip() }
	ctx := context.Background()
	d := dbtest.Open(t)
	dir := t.TempDir()
	start := time.Now()
	c, err := synth.Complete(dir, synth.Options{People: n})
	if err != nil { t.Fatal(err) }
	fmt.Println("gen", time.Since(start), c)
	for i := 0; i < 2; i++ {
		start = time.Now()
		files, _ := FilesFromPaths([]string{dir})
		dl, err := ReadAAF(files)
		if err != nil { t.Fatal(err) }
		read := time.Since(start)
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		fmt.Println("heap after read MB", ms.HeapAlloc>>20)
		sum, err := Import(ctx, d, dl, Options{})
		if err != nil { t.Fatal(err) }
		fmt.Println("import", read, time.Since(start), sum.Counts, sum.Report.WarningCounts)
	}
	ddir := t.TempDir()
	c, err = synth.Delta(ddir, synth.Options{People: n}, 1000, "20261001")
	if err != nil { t.Fatal(err) }
	start = time.Now()
	files, _ := FilesFromPaths([]string{ddir})
	dl, err := ReadAAF(files)
	if err != nil { t.Fatal(err) }
	sum, err := Import(ctx, d, dl, Options{})
	if err != nil { t.Fatal(err) }
	fmt.Println("delta", time.Since(start), sum.Counts, sum.Report.WarningCounts)
}
