//go:build unix

package files

import (
	"errors"
	"os"
	"syscall"
)

// lockFile takes a shared or exclusive lock on path without waiting; ok is
// false when another process holds a conflicting lock. The lock goes with
// the process, so a crashed server leaves none behind.
func lockFile(path string, shared bool) (unlock func(), ok bool, err error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, false, err
	}
	how := syscall.LOCK_EX
	if shared {
		how = syscall.LOCK_SH
	}
	if err := syscall.Flock(int(f.Fd()), how|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, false, nil
		}
		return nil, false, err
	}
	return func() { f.Close() }, true, nil
}
