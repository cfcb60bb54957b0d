package files

import (
	"context"
	"errors"
	"os"
	"path/filepath"

	"cartable/internal/db"
)

// A running server marks its data directory and its database as in use;
// a master-key rotation needs them to itself. Otherwise a server that read
// only the old master key could wrap a new establishment's data key under
// it after the rotation re-wrapped the others, and that key would not open
// after the next restart. The mark is a shared lock on a file of the data
// directory (every server of one host) and, on PostgreSQL, a shared
// advisory lock (every server of the database, whatever its host); the
// rotation takes both exclusively, without waiting.

// rotationLock is the PostgreSQL advisory lock key ("cartkeys").
const rotationLock = 0x636172746b657973

// ErrInUse refuses a rotation while a server runs.
var ErrInUse = errors.New("a server is running with this data directory or database: stop every server before rotating the master key")

// ErrRotating refuses to start a server while a rotation runs.
var ErrRotating = errors.New("a master-key rotation is running on this data directory or database: start the server once it is over")

// InUse marks the data directory and the database as used by a running
// server until release.
func InUse(ctx context.Context, d *db.DB, dataDir string) (release func(), err error) {
	return hold(ctx, d, dataDir, true, ErrRotating)
}

func hold(ctx context.Context, d *db.DB, dataDir string, shared bool, busy error) (func(), error) {
	return holdLock(ctx, d, dataDir, "in-use.lock", rotationLock, shared, busy)
}

// holdLock takes the lock file name of dataDir and the PostgreSQL advisory
// lock key together, shared or exclusive, without waiting: busy when
// either is held the other way.
func holdLock(ctx context.Context, d *db.DB, dataDir, name string, key int64, shared bool, busy error) (func(), error) {
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, err
	}
	unlockFile, ok, err := lockFile(filepath.Join(dataDir, name), shared)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, busy
	}
	unlockDB, ok, err := d.Advisory(ctx, key, shared)
	if err != nil || !ok {
		unlockFile()
		if err == nil {
			err = busy
		}
		return nil, err
	}
	return func() { unlockDB(); unlockFile() }, nil
}
