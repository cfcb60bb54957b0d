package files

import (
	"context"
	"errors"
	"path/filepath"
	"time"

	"cartable/internal/db"
)

// A backup copies the database first, then the blobs its copy refers to.
// Between the two, a server could erase the blob of a record deleted after
// the copy was taken, and the backup would refer to a blob it cannot hold.
// So a backup pauses erasure: it holds the erasure lock exclusively (a
// file of the data directory for every server of the host, a PostgreSQL
// advisory lock for every server of the database), and an erasure run
// takes it shared, skipping its run while a backup holds it. The blobs
// stay queued and go at the next run after the backup.

// erasureLock is the PostgreSQL advisory lock key ("carterse").
const erasureLock = 0x6361727465727365

const erasureLockFile = "erasure.lock"

var errErasing = errors.New("files: an erasure is running")

// PauseErasure stops every server of dataDir and of d from erasing blobs
// until release, waiting (until ctx ends) for a running erasure to finish.
func PauseErasure(ctx context.Context, d *db.DB, dataDir string) (release func(), err error) {
	for {
		release, err := holdLock(ctx, d, dataDir, erasureLockFile, erasureLock, false, errErasing)
		if !errors.Is(err, errErasing) {
			return release, err
		}
		select {
		case <-ctx.Done():
			return nil, errors.Join(errors.New("files: a running erasure did not finish in time"), ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// mayErase takes the erasure lock shared for one run; ok is false while a
// backup pauses erasure. A store made with New (no data directory) asks
// the database only.
func (s *Store) mayErase(ctx context.Context, d *db.DB) (release func(), ok bool, err error) {
	if s.keyDir == "" {
		release, ok, err := d.Advisory(ctx, erasureLock, true)
		return release, ok, err
	}
	release, err = holdLock(ctx, d, filepath.Dir(s.keyDir), erasureLockFile, erasureLock, true, errErasing)
	if errors.Is(err, errErasing) {
		return nil, false, nil
	}
	return release, err == nil, err
}
