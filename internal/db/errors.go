package db

import (
	"context"
	"database/sql/driver"
	"errors"
	"net"
	"strings"
	"syscall"
)

// Unavailable reports whether err means that the database could not be
// reached: connection refused or cut, the server shutting down, the pool
// closed. The request can be retried later; nothing was applied (a
// statement whose connection broke mid-transaction was rolled back by the
// server).
func Unavailable(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) {
		return false
	}
	var ne net.Error
	if errors.As(err, &ne) || errors.Is(err, driver.ErrBadConn) || errors.Is(err, syscall.ECONNREFUSED) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) {
		return true
	}
	s := err.Error()
	for _, m := range []string{
		"sql: database is closed",
		"failed to connect to",        // pgx, connection refused or DNS
		"conn closed",                 // pgx, connection cut under a statement
		"unexpected EOF",              // connection cut while reading an answer
		"SQLSTATE 57P01",              // admin_shutdown
		"SQLSTATE 57P02",              // crash_shutdown
		"SQLSTATE 57P03",              // cannot_connect_now (starting up, recovery)
		"SQLSTATE 08",                 // connection exceptions
		"unable to open database",     // SQLite: the file or its folder is gone
		"disk I/O error",              // SQLite: the disk under the file failed
		"database disk image is malf", // SQLite: corruption, never retried blindly
	} {
		if strings.Contains(s, m) {
			return true
		}
	}
	return false
}

// ReadOnly reports whether err is a write refused because the database
// cannot take writes now: a PostgreSQL standby or a read-only transaction
// (SQLSTATE 25006), a SQLite file opened or mounted read-only, a full disk
// (SQLSTATE 53100, SQLITE_FULL). Reads still work.
func ReadOnly(err error) bool {
	if err == nil {
		return false
	}
	s := err.Error()
	return strings.Contains(s, "SQLSTATE 25006") || strings.Contains(s, "readonly database") ||
		strings.Contains(s, "read-only file system") || strings.Contains(s, "SQLITE_READONLY") ||
		strings.Contains(s, "SQLSTATE 53100") || strings.Contains(s, "database or disk is full")
}
