package auth

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"net/netip"
	"strings"
	"time"

	"cartable/internal/db"
)

// Attempt limiting. Failed sign-ins (and failed second-factor, activation
// and reset attempts) are counted in the database, so that every replica
// sees the same counters, under keys of two kinds:
//
//   - per account: "login:" + hash of the login typed (known or not, so
//     that the answers never tell whether an account exists), "mfa:" +
//     person, "activate:" + hash of the login, "device:" + known browser;
//   - per source address: "ip:" + address (IPv6 reduced to its /64).
//
// Past a few free failures each new failure imposes a growing wait (1 s,
// 2 s, 4 s…) during which attempts are refused without even checking the
// password. At AccountLock failures an account key is locked for LockFor
// and its owner is told by e-mail. Address keys are never locked, only
// slowed down (a school behind one address must not be locked out by one
// pupil), and their wait is capped.
//
// An attacker must not be able to keep a victim out: a browser where the
// person already signed in ("known device", a cookie) is not subject to the
// account and address counters but to a counter of its own; a password
// reset by e-mail clears the account's counter; a lock ends by itself after
// LockFor, and after it only three more failures are allowed before the
// next lock.
type Limits struct {
	AccountFree     int           // failures per account key before waits start
	AccountLock     int           // failures per account key that lock it
	LockFor         time.Duration // length of a lock
	AddressFree     int           // failures per address before waits start
	AddressMaxDelay time.Duration // longest wait for an address
	Forget          time.Duration // counters restart after this long without failure
}

// DefaultLimits are the limits used unless configured otherwise.
var DefaultLimits = Limits{
	AccountFree:     3,
	AccountLock:     10,
	LockFor:         15 * time.Minute,
	AddressFree:     30,
	AddressMaxDelay: time.Minute,
	Forget:          time.Hour,
}

// Attempts keeps the counters.
type Attempts struct {
	DB     *db.DB
	Limits Limits
	Now    func() time.Time
}

func (a *Attempts) now() time.Time {
	if a.Now != nil {
		return a.Now()
	}
	return time.Now()
}

// LoginKey is the account key of a login as typed.
func LoginKey(prefix, login string) string {
	sum := sha256.Sum256([]byte(strings.ToLower(strings.TrimSpace(login))))
	return prefix + ":" + hex.EncodeToString(sum[:12])
}

// AddressKey is the key of a source address; IPv6 addresses count per /64,
// the block a single subscriber usually holds.
func AddressKey(ip string) string {
	addr, err := netip.ParseAddr(ip)
	if err != nil {
		return "ip:" + ip
	}
	addr = addr.Unmap()
	if addr.Is6() {
		p, _ := addr.Prefix(64)
		return "ip:" + p.String()
	}
	return "ip:" + addr.String()
}

func isAddressKey(k string) bool { return strings.HasPrefix(k, "ip:") }

// Wait returns how long the caller must wait before the next attempt under
// any of keys, and whether one of them is locked.
func (a *Attempts) Wait(ctx context.Context, keys ...string) (time.Duration, bool, error) {
	now := a.now().Unix()
	var wait int64
	var locked bool
	for _, k := range keys {
		var until int64
		var l bool
		err := a.DB.QueryRow(ctx, `SELECT blocked_until, locked FROM auth_attempts WHERE counter_key = ?`, k).Scan(&until, &l)
		if err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				continue
			}
			return 0, false, err
		}
		if until > now {
			if until-now > wait {
				wait = until - now
			}
			locked = locked || l
		}
	}
	return time.Duration(wait) * time.Second, locked, nil
}

// Fail counts a failure under key and returns true when it has just locked
// the key.
func (a *Attempts) Fail(ctx context.Context, key string) (locked bool, err error) {
	err = a.DB.Tx(ctx, func(tx *db.Tx) (err error) {
		locked, err = a.fail(ctx, tx, key)
		return err
	})
	return locked, err
}

// fail runs in a transaction on the writer (SQLite's readers are read-only).
func (a *Attempts) fail(ctx context.Context, tx *db.Tx, key string) (bool, error) {
	l := a.Limits
	now := a.now().Unix()
	var failures int
	var until int64
	var wasLocked bool
	err := tx.QueryRow(ctx, `INSERT INTO auth_attempts (counter_key, failures, last_failure) VALUES (?, 1, ?)
		ON CONFLICT (counter_key) DO UPDATE SET
		  failures = CASE WHEN auth_attempts.last_failure < ? THEN 1 ELSE auth_attempts.failures + 1 END,
		  last_failure = excluded.last_failure
		RETURNING failures, blocked_until, locked`, key, now, now-int64(l.Forget/time.Second)).Scan(&failures, &until, &wasLocked)
	if err != nil {
		return false, err
	}
	active := wasLocked && until > now
	locked, lockNow := active, false
	var block int64
	if isAddressKey(key) {
		block = delay(failures-l.AddressFree, l.AddressMaxDelay)
	} else {
		if wasLocked && !active && failures > 1 {
			failures = l.AccountLock - 2 // the lock is over: three more tries, then the next lock
		}
		if failures >= l.AccountLock {
			block = int64(l.LockFor / time.Second)
			lockNow, locked = !active, true
		} else {
			block = delay(failures-l.AccountFree, l.LockFor)
		}
	}
	newUntil := until
	if now+block > newUntil {
		newUntil = now + block
	}
	_, err = tx.Exec(ctx, `UPDATE auth_attempts SET failures = ?, blocked_until = ?, locked = ? WHERE counter_key = ?`,
		failures, newUntil, locked, key)
	return lockNow, err
}

// delay is the wait after n failures beyond the free ones: 1 s, 2 s, 4 s…
func delay(n int, max time.Duration) int64 {
	if n <= 0 {
		return 0
	}
	if n > 30 {
		n = 30
	}
	d := int64(1) << (n - 1)
	if m := int64(max / time.Second); d > m {
		d = m
	}
	return d
}

// Clear forgets the failures under key (after a success, or a reset).
func (a *Attempts) Clear(ctx context.Context, key string) error {
	_, err := a.DB.Exec(ctx, `DELETE FROM auth_attempts WHERE counter_key = ?`, key)
	return err
}

// Failures returns the current count under key (for tests and admin pages).
func (a *Attempts) Failures(ctx context.Context, key string) (int, error) {
	var n int
	err := a.DB.QueryRow(ctx, `SELECT failures FROM auth_attempts WHERE counter_key = ?`, key).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return n, err
}

// Known devices: a random token in a long-lived cookie, stored hashed per
// person once that person completes a sign-in in this browser.
const knownDeviceLife = 365 * 24 * time.Hour

// IsKnownDevice reports whether the browser holding token completed a
// sign-in as personID.
func (a *Attempts) IsKnownDevice(ctx context.Context, token, personID string) (bool, error) {
	if token == "" || len(token) > 100 || personID == "" {
		return false, nil
	}
	var n int
	err := a.DB.QueryRow(ctx, `SELECT COUNT(*) FROM known_devices WHERE token_hash = ? AND person_id = ? AND expires_at > ?`,
		hashToken("device:"+token), personID, a.now().Unix()).Scan(&n)
	return n > 0, err
}

// RememberDevice records the browser as known for personID and returns
// its token (a new one when the browser had none).
func (a *Attempts) RememberDevice(ctx context.Context, token, personID string) (string, error) {
	if token == "" || len(token) > 100 {
		var err error
		if token, err = newToken(); err != nil {
			return "", err
		}
	}
	now := a.now()
	_, err := a.DB.Exec(ctx, `INSERT INTO known_devices (token_hash, person_id, created_at, expires_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (token_hash, person_id) DO UPDATE SET expires_at = excluded.expires_at`,
		hashToken("device:"+token), personID, now.Unix(), now.Add(knownDeviceLife).Unix())
	return token, err
}

// DeviceKey is the counter key of a known browser.
func DeviceKey(token string) string { return "device:" + hashToken("device:" + token)[:24] }
