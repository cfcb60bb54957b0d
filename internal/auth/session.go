package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strings"
	"time"

	"cartable/internal/db"
	"cartable/internal/directory"
)

// ErrNoSession means the token is unknown, revoked or expired.
var ErrNoSession = errors.New("no valid session")

// Session is a signed-in browser.
type Session struct {
	TokenHash string
	Handle    string // public name of the session, to list and end it
	PersonID  string
	Person    directory.Person // read with the session: no second query
	CreatedAt time.Time
	LastSeen  time.Time
	ExpiresAt time.Time // absolute limit
	UserAgent string
	SourceIP  string
	// MFADone is false while the person still owes a second factor (or an
	// enrolment): such a session opens nothing but the second-factor pages.
	MFADone bool
	// SecondFactor is true once the session passed a second factor (a
	// session the establishment let in on a password alone has not):
	// entering marks needs it (Strong).
	SecondFactor bool
	ReauthAt     time.Time // last time the password was typed again
	// DirectoryVersion is the directory's version read with the session
	// (migration 0017), for the access policy's facts cache.
	DirectoryVersion int64
}

// Strong tells whether the session is complete and passed a second factor.
func (se Session) Strong() bool { return se.MFADone && se.SecondFactor }

// Sessions stores sessions in the database so that several replicas share
// them and an administrator can end them at once.
type Sessions struct {
	DB       *db.DB
	Idle     time.Duration    // ended after this long without a request
	Absolute time.Duration    // ended this long after sign-in, whatever happens
	Now      func() time.Time // injectable clock for tests
}

// touchEvery limits last-seen writes: a busy user costs one write a minute,
// not one per request.
const touchEvery = time.Minute

func (s *Sessions) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// HashToken is the stored form of a session token.
func HashToken(token string) string { return hashToken(token) }

func newToken() (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}

// Create opens a session for personID and returns the token for the
// cookie. Only its hash is stored. The sign-in steps open sessions (and
// tests do, to stand for one): nothing else may.
func (s *Sessions) Create(ctx context.Context, personID, userAgent, sourceIP string, mfaDone bool) (string, error) {
	token, err := newToken()
	if err != nil {
		return "", err
	}
	now := s.now().Unix()
	if len(userAgent) > 200 {
		userAgent = userAgent[:200]
	}
	handle := hashToken("handle:" + token)[:20]
	// Signing in is itself an authentication: reauth_at starts now.
	_, err = s.DB.Exec(ctx, `INSERT INTO sessions (token_hash, person_id, created_at, last_seen_at, expires_at, user_agent, source_ip, mfa_done, handle, reauth_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, hashToken(token), personID, now, now, now+int64(s.Absolute/time.Second), userAgent, sourceIP, mfaDone, handle, now)
	return token, err
}

// Lookup returns the live session behind token, refreshing its last-seen
// time at most once a minute. Expired sessions are deleted on sight.
func (s *Sessions) Lookup(ctx context.Context, token string) (Session, error) {
	if token == "" || len(token) > 100 {
		return Session{}, ErrNoSession
	}
	h := hashToken(token)
	var se Session
	var created, seen, expires, reauth int64
	var err error
	se.Person, err = directory.ScanPerson(s.DB.QueryRow(ctx, `SELECT `+directory.PersonColumns+`, s.created_at, s.last_seen_at,
		s.expires_at, s.user_agent, s.source_ip, s.mfa_done, s.handle, s.reauth_at, s.second_factor,
		(SELECT n FROM directory_version WHERE id = 1)
		FROM sessions s JOIN people p ON p.id = s.person_id WHERE s.token_hash = ? AND p.active`, h),
		&created, &seen, &expires, &se.UserAgent, &se.SourceIP, &se.MFADone, &se.Handle, &reauth, &se.SecondFactor, &se.DirectoryVersion)
	se.PersonID = se.Person.ID
	if errors.Is(err, sql.ErrNoRows) {
		return Session{}, ErrNoSession
	}
	if err != nil {
		return Session{}, err
	}
	now := s.now()
	se.TokenHash = h
	se.CreatedAt, se.LastSeen, se.ExpiresAt = time.Unix(created, 0), time.Unix(seen, 0), time.Unix(expires, 0)
	if reauth > 0 {
		se.ReauthAt = time.Unix(reauth, 0)
	}
	if !now.Before(se.ExpiresAt) || now.Sub(se.LastSeen) >= s.Idle {
		_, _ = s.DB.Exec(ctx, `DELETE FROM sessions WHERE token_hash = ?`, h)
		return Session{}, ErrNoSession
	}
	if now.Sub(se.LastSeen) >= touchEvery {
		// The touch is best-effort when the database takes no writes
		// (maintenance): reading pages goes on.
		if _, err := s.DB.Exec(ctx, `UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?`, now.Unix(), h); err != nil && !db.ReadOnly(err) {
			return Session{}, err
		}
		se.LastSeen = now
	}
	return se, nil
}

// rotate replaces the session of personID stored under tokenHash (the
// request's, already looked up) by a new one with the same person, origin
// and re-authentication time, marked mfaDone (and as having passed a
// second factor when factor is true; it stays so once it has); the old token stops working
// at once. It is called whenever privileges change (second factor passed,
// password changed), so that an identifier seen before the change is
// worthless after it.
func (s *Sessions) rotate(ctx context.Context, tokenHash, personID string, mfaDone, factor bool) (string, error) {
	fresh, err := newToken()
	if err != nil {
		return "", err
	}
	handle := hashToken("handle:" + fresh)[:20]
	err = s.DB.Tx(ctx, func(tx *db.Tx) error {
		now := s.now().Unix()
		r, err := tx.Exec(ctx, `INSERT INTO sessions (token_hash, person_id, created_at, last_seen_at, expires_at, user_agent, source_ip, mfa_done, handle, reauth_at, second_factor)
			SELECT ?, person_id, created_at, ?, expires_at, user_agent, source_ip, ?, ?, reauth_at, (second_factor OR ?) FROM sessions WHERE token_hash = ? AND person_id = ?`,
			hashToken(fresh), now, mfaDone, handle, factor, tokenHash, personID)
		if err != nil {
			return err
		}
		if n, _ := r.RowsAffected(); n != 1 {
			return ErrNoSession // ended meanwhile
		}
		_, err = tx.Exec(ctx, `DELETE FROM sessions WHERE token_hash = ?`, tokenHash)
		return err
	})
	if err != nil {
		return "", err
	}
	return fresh, nil
}

// markReauth records that the person of the session under tokenHash just
// typed their password again.
func (s *Sessions) markReauth(ctx context.Context, tokenHash string) error {
	_, err := s.DB.Exec(ctx, `UPDATE sessions SET reauth_at = ? WHERE token_hash = ?`, s.now().Unix(), tokenHash)
	return err
}

// revoke ends the session stored under tokenHash.
func (s *Sessions) revoke(ctx context.Context, tokenHash string) error {
	_, err := s.DB.Exec(ctx, `DELETE FROM sessions WHERE token_hash = ?`, tokenHash)
	return err
}

// revokeHandle ends the session of personID named by handle, and reports
// whether there was one.
func (s *Sessions) revokeHandle(ctx context.Context, personID, handle string) (bool, error) {
	if handle == "" {
		return false, nil
	}
	r, err := s.DB.Exec(ctx, `DELETE FROM sessions WHERE person_id = ? AND handle = ?`, personID, handle)
	if err != nil {
		return false, err
	}
	n, err := r.RowsAffected()
	return n > 0, err
}

// revokeAll ends every session of a person.
func (s *Sessions) revokeAll(ctx context.Context, q db.Querier, personID string) error {
	_, err := q.Exec(ctx, `DELETE FROM sessions WHERE person_id = ?`, personID)
	return err
}

// revokeOthers ends every session of a person but the one under tokenHash.
func (s *Sessions) revokeOthers(ctx context.Context, personID, tokenHash string) error {
	_, err := s.DB.Exec(ctx, `DELETE FROM sessions WHERE person_id = ? AND token_hash <> ?`, personID, tokenHash)
	return err
}

// list returns the live sessions of a person, most recent activity first.
func (s *Sessions) list(ctx context.Context, personID string) ([]Session, error) {
	now := s.now().Unix()
	return db.All(ctx, s.DB, func(r db.Scanner) (Session, error) {
		se := Session{PersonID: personID}
		var created, seen, expires int64
		err := r.Scan(&se.TokenHash, &se.Handle, &created, &seen, &expires, &se.UserAgent, &se.SourceIP, &se.MFADone)
		se.CreatedAt, se.LastSeen, se.ExpiresAt = time.Unix(created, 0), time.Unix(seen, 0), time.Unix(expires, 0)
		return se, err
	}, `SELECT token_hash, handle, created_at, last_seen_at, expires_at, user_agent, source_ip, mfa_done
		FROM sessions WHERE person_id = ? AND expires_at > ? AND last_seen_at > ? ORDER BY last_seen_at DESC, created_at DESC`,
		personID, now, now-int64(s.Idle/time.Second))
}

// DeleteExpired removes sessions past their absolute or idle limit, and
// the account-security leftovers that no longer serve: finished passkey
// ceremonies, known devices past their year, attempt counters a day old
// and not blocking, reset links and activation codes expired for a month.
func (s *Sessions) DeleteExpired(ctx context.Context) (int64, error) {
	now := s.now().Unix()
	r, err := s.DB.Exec(ctx, `DELETE FROM sessions WHERE expires_at <= ? OR last_seen_at <= ?`, now, now-int64(s.Idle/time.Second))
	if err != nil {
		return 0, err
	}
	const day, month = 24 * 3600, 30 * 24 * 3600
	attempts := `DELETE FROM auth_attempts WHERE last_failure <= ? AND blocked_until <= ?`
	if s.DB.Dialect() == db.Postgres {
		// Never wait for a counter an attempt holds: Attempts.Reserve locks
		// several rows in key order, and a bulk delete waiting for them in
		// another order could deadlock with it.
		attempts = `DELETE FROM auth_attempts WHERE counter_key IN (SELECT counter_key FROM auth_attempts
			WHERE last_failure <= ? AND blocked_until <= ? FOR UPDATE SKIP LOCKED)`
	}
	for _, q := range []struct {
		sql string
		arg int64
	}{
		{`DELETE FROM webauthn_ceremonies WHERE expires_at <= ?`, now},
		{`DELETE FROM known_devices WHERE expires_at <= ?`, now},
		{attempts, now - day},
		{`DELETE FROM password_resets WHERE expires_at <= ?`, now - month},
		{`DELETE FROM activation_codes WHERE expires_at <= ?`, now - month},
	} {
		args := []any{q.arg}
		if strings.Count(q.sql, "?") == 2 {
			args = append(args, now)
		}
		if _, err := s.DB.Exec(ctx, q.sql, args...); err != nil {
			return 0, err
		}
	}
	return r.RowsAffected()
}
