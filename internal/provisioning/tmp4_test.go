package provisioning_test

import (
	"os"
	"runtime"
	"runtime/pprof"
	"testing"
	"fmt"

	"cartable/internal/db"
	"cartable/internal/dbtest"
	"cartable/internal/provisioning"
)

func TestTmpHeap(t *testing.T) {
	if os.Getenv("HEAP") == "" { t.Skip() }
	d := dbtest.Open(t)
	dl := read(t, provisioning.AAF, "/tmp/academy")
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fmt.Println("after read", ms.HeapAlloc>>20)
	_, err := provisioning.Import(ctx, d, dl, provisioning.Options{Hook: func(s string, _ *db.Tx) error {
		if s == "people" {
			runtime.GC()
			runtime.ReadMemStats(&ms)
			fmt.Println("at people", ms.HeapAlloc>>20)
			f, _ := os.Create("/tmp/heap.out")
			pprof.WriteHeapProfile(f)
			f.Close()
		}
		return nil
	}})
	if err != nil { t.Fatal(err) }
}
