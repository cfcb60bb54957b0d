package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"time"

	"cartable/internal/db"
	"cartable/internal/directory"
)

// ErrNoSession means the token is unknown, revoked or expired.
var ErrNoSession = errors.New("no valid session")

// Session is a signed-in browser.
type Session struct {
	TokenHash string
	PersonID  string
	Person    directory.Person // read with the session: no second query
	CreatedAt time.Time
	LastSeen  time.Time
	ExpiresAt time.Time // absolute limit
	UserAgent string
	SourceIP  string
}

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

// Create opens a session for personID and returns the token for the cookie.
// Only its hash is stored.
func (s *Sessions) Create(ctx context.Context, personID, userAgent, sourceIP string) (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	token := base64.RawURLEncoding.EncodeToString(b[:])
	now := s.now().Unix()
	if len(userAgent) > 200 {
		userAgent = userAgent[:200]
	}
	_, err := s.DB.Exec(ctx, `INSERT INTO sessions (token_hash, person_id, created_at, last_seen_at, expires_at, user_agent, source_ip)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, hashToken(token), personID, now, now, now+int64(s.Absolute/time.Second), userAgent, sourceIP)
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
	var created, seen, expires int64
	var err error
	se.Person, err = directory.ScanPerson(s.DB.QueryRow(ctx, `SELECT `+directory.PersonColumns+`, s.created_at, s.last_seen_at,
		s.expires_at, s.user_agent, s.source_ip
		FROM sessions s JOIN people p ON p.id = s.person_id WHERE s.token_hash = ? AND p.active`, h),
		&created, &seen, &expires, &se.UserAgent, &se.SourceIP)
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
	if !now.Before(se.ExpiresAt) || now.Sub(se.LastSeen) >= s.Idle {
		_, _ = s.DB.Exec(ctx, `DELETE FROM sessions WHERE token_hash = ?`, h)
		return Session{}, ErrNoSession
	}
	if now.Sub(se.LastSeen) >= touchEvery {
		if _, err := s.DB.Exec(ctx, `UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?`, now.Unix(), h); err != nil {
			return Session{}, err
		}
		se.LastSeen = now
	}
	return se, nil
}

// Revoke ends the session behind token.
func (s *Sessions) Revoke(ctx context.Context, token string) error {
	_, err := s.DB.Exec(ctx, `DELETE FROM sessions WHERE token_hash = ?`, hashToken(token))
	return err
}

// RevokeAll ends every session of a person.
func (s *Sessions) RevokeAll(ctx context.Context, personID string) error {
	_, err := s.DB.Exec(ctx, `DELETE FROM sessions WHERE person_id = ?`, personID)
	return err
}

// DeleteExpired removes sessions past their absolute or idle limit.
func (s *Sessions) DeleteExpired(ctx context.Context) (int64, error) {
	now := s.now().Unix()
	r, err := s.DB.Exec(ctx, `DELETE FROM sessions WHERE expires_at <= ? OR last_seen_at <= ?`, now, now-int64(s.Idle/time.Second))
	if err != nil {
		return 0, err
	}
	return r.RowsAffected()
}
