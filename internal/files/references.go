package files

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"

	"cartable/internal/access"
	"cartable/internal/db"
)

// The tables that refer to stored files belong to their domains (class log
// attachments, hand-ins, justification documents). Each domain registers
// its columns from its init, so that the purge's DeleteUnreferenced knows
// every one without importing the domains, and a record still referred to
// is never deleted. A test compares the registered columns with the
// database's foreign keys to files.

var (
	refMu      sync.Mutex
	references = map[string]bool{} // "table.column"
)

// RegisterReference declares that table.column holds IDs of files. Names
// are the domain's own constants, never input.
func RegisterReference(table, column string) {
	if strings.ContainsAny(table+column, " ;\"'.") {
		panic(fmt.Sprintf("files: bad reference %s.%s", table, column))
	}
	refMu.Lock()
	references[table+"."+column] = true
	refMu.Unlock()
}

// References lists the registered columns, sorted.
func References() []string {
	refMu.Lock()
	defer refMu.Unlock()
	out := make([]string, 0, len(references))
	for r := range references {
		out = append(out, r)
	}
	sort.Strings(out)
	return out
}

// DeleteUnreferenced deletes the stored files recorded before the Unix
// time before that no registered column refers to any more. Such records
// are left by cascades (a closed school year's classes, their entries and
// homework deleted) and by removals whose blob deletion never ran; younger
// ones may be uploads whose reference is about to be written. Deleting the
// records queues their blobs for erasure (migration 0007). It runs in the
// purge's transaction, for the system only, and returns how many it
// deleted.
func DeleteUnreferenced(ctx context.Context, v *access.Viewer, q db.Querier, before int64) (int, error) {
	if !v.IsSystem() {
		return 0, access.Refuse(access.ReadFile, access.File(""), "the purge's work")
	}
	refs := References()
	if len(refs) == 0 {
		return 0, fmt.Errorf("files: no reference to files registered: the purge would delete every file")
	}
	query := `DELETE FROM files WHERE created_at < ?`
	for _, r := range refs {
		table, column, _ := strings.Cut(r, ".")
		query += ` AND NOT EXISTS (SELECT 1 FROM ` + table + ` r WHERE r.` + column + ` = files.id)`
	}
	res, err := q.Exec(ctx, query, before)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}
