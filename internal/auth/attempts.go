package auth

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"net/netip"
	"slices"
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
// An attempt is counted as a failure before its credential is checked
// (Reserve), in the same step that checks the key is free, and given back
// when the credential was right: parallel attempts cannot all pass the
// check before any is counted.
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
// any of keys, and whether one of them is locked. It only reads: an
// attempt is refused or counted by Reserve, in one step.
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

// counter is one row of auth_attempts.
type counter struct {
	failures    int
	last, until int64 // last failure, end of the wait or lock (Unix seconds)
	locked      bool
}

// take returns the row of key for the rest of the transaction, creating it
// when absent: on PostgreSQL the row is locked (FOR UPDATE) until the
// transaction ends, so that a second attempt under the same key waits for
// the first one's count; SQLite has a single writer and runs write
// transactions one at a time (BEGIN IMMEDIATE), also across processes.
func take(ctx context.Context, tx *db.Tx, key string, create bool) (counter, bool, error) {
	if create {
		if _, err := tx.Exec(ctx, `INSERT INTO auth_attempts (counter_key) VALUES (?) ON CONFLICT (counter_key) DO NOTHING`, key); err != nil {
			return counter{}, false, err
		}
	}
	q := `SELECT failures, last_failure, blocked_until, locked FROM auth_attempts WHERE counter_key = ?`
	if tx.Dialect() == db.Postgres {
		q += ` FOR UPDATE`
	}
	var c counter
	err := tx.QueryRow(ctx, q, key).Scan(&c.failures, &c.last, &c.until, &c.locked)
	if errors.Is(err, sql.ErrNoRows) {
		return c, false, nil
	}
	return c, err == nil, err
}

func put(ctx context.Context, tx *db.Tx, key string, c counter) error {
	_, err := tx.Exec(ctx, `UPDATE auth_attempts SET failures = ?, last_failure = ?, blocked_until = ?, locked = ? WHERE counter_key = ?`,
		c.failures, c.last, c.until, c.locked, key)
	return err
}

// next is the counter after one more failure at now, and whether that
// failure locks the key.
func (a *Attempts) next(key string, c counter, now int64) (counter, bool) {
	l := a.Limits
	failures := c.failures + 1
	if c.last < now-int64(l.Forget/time.Second) {
		failures = 1
	}
	active := c.locked && c.until > now
	locked, lockNow := active, false
	var block int64
	if isAddressKey(key) {
		block = delay(failures-l.AddressFree, l.AddressMaxDelay)
	} else {
		if c.locked && !active && failures > 1 {
			failures = l.AccountLock - 2 // the lock is over: three more tries, then the next lock
		}
		if failures >= l.AccountLock {
			block = int64(l.LockFor / time.Second)
			lockNow, locked = !active, true
		} else {
			block = delay(failures-l.AccountFree, l.LockFor)
		}
	}
	until := c.until
	if now+block > until {
		until = now + block
	}
	return counter{failures: failures, last: now, until: until, locked: locked}, lockNow
}

// fail counts a failure under key, whether or not a wait runs, and returns
// true when it has just locked the key. Attempts go through Reserve, which
// counts before the check; fail serves the tests.
func (a *Attempts) fail(ctx context.Context, key string) (locked bool, err error) {
	err = a.DB.Tx(ctx, func(tx *db.Tx) error {
		c, _, err := take(ctx, tx, key, true)
		if err != nil {
			return err
		}
		var after counter
		after, locked = a.next(key, c, a.now().Unix())
		return put(ctx, tx, key, after)
	})
	return locked, err
}

// Reservation is one attempt counted in advance under its keys (Reserve).
type Reservation struct {
	a    *Attempts
	keys []reserved
}

type reserved struct {
	key           string
	before, after counter // the row before this attempt, and as it left it
	lockNow       bool    // this attempt reached the lock
}

var errHeld = errors.New("auth: a key is held")

// Reserve counts one attempt as a failure under every key before the
// credential is checked, so that attempts made in parallel, on one replica
// or several, are counted one after the other: each key's row is taken
// first (see take), then checked and counted in the same transaction. When
// a key is held by a wait or a lock, nothing is counted and the answer is a
// *ThrottledError: no more credentials are checked than the limits allow,
// however many arrive at once. The wait or lock that this attempt would
// bring as a failure starts now, so later attempts are refused while it is
// checked.
//
// The caller checks the credential, then ends the reservation: nothing to
// do when it was wrong (LockedNow tells which keys it locked); Succeeded
// when it was right; Release when nothing could be checked.
func (a *Attempts) Reserve(ctx context.Context, keys ...string) (*Reservation, error) {
	// One order for every transaction, so two never wait for each other's rows.
	order := slices.Clone(keys)
	slices.Sort(order)
	order = slices.Compact(order)
	var res *Reservation
	var held ThrottledError
	err := a.DB.Tx(ctx, func(tx *db.Tx) error {
		res, held = &Reservation{a: a}, ThrottledError{}
		now := a.now().Unix()
		for _, k := range order {
			c, _, err := take(ctx, tx, k, true)
			if err != nil {
				return err
			}
			if c.until > now {
				if w := time.Duration(c.until-now) * time.Second; w > held.Wait {
					held.Wait = w
				}
				held.Locked = held.Locked || c.locked
				continue
			}
			after, lockNow := a.next(k, c, now)
			if err := put(ctx, tx, k, after); err != nil {
				return err
			}
			res.keys = append(res.keys, reserved{key: k, before: c, after: after, lockNow: lockNow})
		}
		if held.Wait > 0 {
			return errHeld // rolls back the counts made under the other keys
		}
		return nil
	})
	if errors.Is(err, errHeld) {
		return nil, &held
	}
	if err != nil {
		return nil, err
	}
	return res, nil
}

// LockedNow returns the keys this attempt locked, if it failed.
func (r *Reservation) LockedNow() []string {
	var out []string
	for _, k := range r.keys {
		if k.lockNow {
			out = append(out, k.key)
		}
	}
	return out
}

// Succeeded ends the reservation of a right credential: the keys in clear
// are forgotten (a success clears the account key), the others get the
// attempt back (see Release).
func (r *Reservation) Succeeded(ctx context.Context, clear ...string) error {
	ctx = context.WithoutCancel(ctx)
	return r.a.DB.Tx(ctx, func(tx *db.Tx) error {
		for _, k := range r.keys {
			if slices.Contains(clear, k.key) {
				if _, err := tx.Exec(ctx, `DELETE FROM auth_attempts WHERE counter_key = ?`, k.key); err != nil {
					return err
				}
				continue
			}
			if err := giveBack(ctx, tx, k); err != nil {
				return err
			}
		}
		return nil
	})
}

// Release gives the attempt back under every key: nothing was checked
// (the request ended, the database failed) or the check succeeded.
func (r *Reservation) Release(ctx context.Context) error { return r.Succeeded(ctx) }

// giveBack undoes one key's count: when no other attempt was counted
// under the key since, its row is put back as it was, wait and lock
// included; otherwise only this attempt's failure is taken off the count.
func giveBack(ctx context.Context, tx *db.Tx, k reserved) error {
	c, ok, err := take(ctx, tx, k.key, false)
	if err != nil || !ok {
		return err
	}
	if c == k.after {
		return put(ctx, tx, k.key, k.before)
	}
	if c.failures > 0 {
		c.failures--
	}
	return put(ctx, tx, k.key, c)
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

// forget clears the failures under key (after a success, or a reset).
func (a *Attempts) forget(ctx context.Context, key string) error {
	_, err := a.DB.Exec(ctx, `DELETE FROM auth_attempts WHERE counter_key = ?`, key)
	return err
}

// Failures returns the current count under key (for tests).
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

// isKnownDevice reports whether the browser holding token completed a
// sign-in as personID.
func (a *Attempts) isKnownDevice(ctx context.Context, token, personID string) (bool, error) {
	if token == "" || len(token) > 100 || personID == "" {
		return false, nil
	}
	var n int
	err := a.DB.QueryRow(ctx, `SELECT COUNT(*) FROM known_devices WHERE token_hash = ? AND person_id = ? AND expires_at > ?`,
		hashToken("device:"+token), personID, a.now().Unix()).Scan(&n)
	return n > 0, err
}

// rememberDevice records the browser as known for personID and returns
// its token (a new one when the browser had none).
func (a *Attempts) rememberDevice(ctx context.Context, token, personID string) (string, error) {
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
