package provisioning

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"cartable/internal/dbtest"
)

func TestTmpImport(t *testing.T) {
	ctx := context.Background()
	d := dbtest.Open(t)
	for i := 0; i < 2; i++ {
		start := time.Now()
		files, err := FilesFromPaths([]string{"/work/shared/samples/aaf/2013"})
		if err != nil { t.Fatal(err) }
		dl, err := ReadAAF(files)
		if err != nil { t.Fatal(err) }
		read := time.Since(start)
		sum, err := Import(ctx, d, dl, Options{})
		if err != nil { t.Fatal(err) }
		b, _ := json.MarshalIndent(sum.Counts, "", " ")
		fmt.Println(read, time.Since(start), string(b), sum.Report.WarningCounts)
	}
}
