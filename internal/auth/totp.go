package auth

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"crypto/subtle"
	"database/sql"
	"encoding/base32"
	"encoding/binary"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"cartable/internal/db"
)

// TOTP (RFC 6238) with the parameters every authenticator app supports:
// HMAC-SHA1, 6 digits, 30-second steps, a 160-bit secret. A code of the
// step before or after is accepted (clock drift), and a step once accepted
// is never accepted again for that person, so a code works only once.
const (
	totpPeriod = 30
	totpDigits = 6
	totpSkew   = 1
	// PendingEnrolment is how long an unfinished TOTP enrolment is kept.
	PendingEnrolment = 15 * time.Minute
)

var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// TOTPCode is the code of secret (base32) at time t.
func TOTPCode(secret string, t time.Time) (string, error) {
	key, err := b32.DecodeString(strings.ToUpper(secret))
	if err != nil {
		return "", err
	}
	return hotp(key, t.Unix()/totpPeriod), nil
}

// hotp is RFC 4226's HOTP of key at counter.
func hotp(key []byte, counter int64) string {
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], uint64(counter))
	m := hmac.New(sha1.New, key)
	m.Write(msg[:])
	sum := m.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	v := binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff
	return fmt.Sprintf("%06d", v%1000000)
}

// TOTPURI is the otpauth:// URI that authenticator apps read from the QR
// code.
func TOTPURI(secret, issuer, account string) string {
	label := url.PathEscape(issuer) + ":" + url.PathEscape(account)
	q := url.Values{"secret": {secret}, "issuer": {issuer}, "algorithm": {"SHA1"}, "digits": {"6"}, "period": {"30"}}
	return "otpauth://totp/" + label + "?" + q.Encode()
}

// Errors of second factors.
var (
	ErrBadCode          = errors.New("wrong or already used code")
	ErrEnrolmentPending = errors.New("an enrolment is already in progress")
	ErrAlreadyEnrolled  = errors.New("an authenticator is already set up")
	ErrNoEnrolment      = errors.New("no enrolment in progress")
	// ErrFactorOwed refuses an enrolment made by a session that still owes
	// the second factor of a person who already has one: the factor must be
	// used first, never replaced by a new one (see Factors.confirmTOTP).
	ErrFactorOwed = errors.New("a second factor is owed: use it before adding another")
)

// Factors stores and checks the second factors of people.
type Factors struct {
	DB  *db.DB
	Now func() time.Time
	// Sealer seals the TOTP secrets at rest (see sealed.go); without one,
	// no secret can be stored or read.
	Sealer Sealer
}

func (f *Factors) now() time.Time {
	if f.Now != nil {
		return f.Now()
	}
	return time.Now()
}

// startTOTP begins an enrolment and returns the new secret. While an
// enrolment is pending, it returns that enrolment's secret with
// ErrEnrolmentPending and changes nothing; a confirmed authenticator must be
// removed first (ErrAlreadyEnrolled). The secret is stored sealed only.
func (f *Factors) startTOTP(ctx context.Context, personID string) (string, error) {
	var sealed []byte
	var confirmed bool
	var created int64
	err := f.DB.QueryRow(ctx, `SELECT secret_sealed, confirmed, created_at FROM totp_credentials WHERE person_id = ?`, personID).Scan(&sealed, &confirmed, &created)
	switch {
	case err == nil && confirmed:
		return "", ErrAlreadyEnrolled
	case err == nil && f.now().Sub(time.Unix(created, 0)) < PendingEnrolment:
		secret, err := f.openSecret(ctx, personID, sealed)
		if err != nil {
			return "", err
		}
		return secret, ErrEnrolmentPending
	case err != nil && !errors.Is(err, sql.ErrNoRows):
		return "", err
	}
	var key [20]byte
	if _, err := rand.Read(key[:]); err != nil {
		return "", err
	}
	secret := b32.EncodeToString(key[:])
	if sealed, err = sealWith(ctx, f.Sealer, []byte(secret), totpAAD(personID)); err != nil {
		return "", err
	}
	// A stale pending enrolment is replaced; a confirmed one never is.
	_, err = f.DB.Exec(ctx, `INSERT INTO totp_credentials (person_id, secret, secret_sealed, confirmed, created_at) VALUES (?, '', ?, FALSE, ?)
		ON CONFLICT (person_id) DO UPDATE SET secret = '', secret_sealed = excluded.secret_sealed, created_at = excluded.created_at, last_step = 0
		WHERE totp_credentials.confirmed = FALSE`, personID, sealed, f.now().Unix())
	return secret, err
}

func totpAAD(personID string) []byte { return []byte("cartable-totp:" + personID) }

// openSecret opens a sealed TOTP secret of personID.
func (f *Factors) openSecret(ctx context.Context, personID string, sealed []byte) (string, error) {
	b, err := openWith(ctx, f.Sealer, sealed, totpAAD(personID))
	return string(b), err
}

// pendingTOTP returns the secret of the enrolment in progress, if any.
func (f *Factors) pendingTOTP(ctx context.Context, personID string) (string, bool, error) {
	secret, _, ok, err := f.pending(ctx, personID)
	return secret, ok, err
}

func (f *Factors) pending(ctx context.Context, personID string) (string, []byte, bool, error) {
	var sealed []byte
	var created int64
	err := f.DB.QueryRow(ctx, `SELECT secret_sealed, created_at FROM totp_credentials WHERE person_id = ? AND NOT confirmed`, personID).Scan(&sealed, &created)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && f.now().Sub(time.Unix(created, 0)) >= PendingEnrolment) {
		return "", nil, false, nil
	}
	if err != nil {
		return "", nil, false, err
	}
	secret, err := f.openSecret(ctx, personID, sealed)
	return secret, sealed, err == nil, err
}

// matchStep returns the time step within the allowed drift whose code is
// code, or -1.
func matchStep(key []byte, code string, now time.Time) int64 {
	code = strings.TrimSpace(strings.ReplaceAll(code, " ", ""))
	if len(code) != totpDigits {
		return -1
	}
	cur := now.Unix() / totpPeriod
	found := int64(-1)
	for s := cur - totpSkew; s <= cur+totpSkew; s++ {
		if subtle.ConstantTimeCompare([]byte(hotp(key, s)), []byte(code)) == 1 {
			found = s
		}
	}
	return found
}

// confirmTOTP finishes the enrolment with a code from the app and returns
// ten fresh recovery codes (shown once). A wrong code changes nothing.
// With first set (a forced enrolment, by a session that still owes its
// second factor) the app is accepted only as the person's first factor:
// when the person has a passkey by then, ErrFactorOwed and nothing changes.
func (f *Factors) confirmTOTP(ctx context.Context, personID, code string, first bool) ([]string, error) {
	secret, sealed, ok, err := f.pending(ctx, personID)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, ErrNoEnrolment
	}
	key, _ := b32.DecodeString(secret)
	step := matchStep(key, code, f.now())
	if step < 0 {
		return nil, ErrBadCode
	}
	var codes []string
	err = f.DB.Tx(ctx, func(tx *db.Tx) error {
		if first {
			if err := onlyFirstFactor(ctx, f, tx, personID); err != nil {
				return err
			}
		}
		r, err := tx.Exec(ctx, `UPDATE totp_credentials SET confirmed = TRUE, last_step = ? WHERE person_id = ? AND NOT confirmed AND secret_sealed = ?`, step, personID, sealed)
		if err != nil {
			return err
		}
		if n, _ := r.RowsAffected(); n != 1 {
			return ErrNoEnrolment
		}
		codes, err = f.newRecoveryCodes(ctx, tx, personID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return codes, nil
}

// verifyTOTP checks a code of the person's confirmed authenticator and
// consumes its time step: the same code, or an older one, is refused
// afterwards, even from another replica (the update is conditional).
func (f *Factors) verifyTOTP(ctx context.Context, personID, code string) error {
	var sealed []byte
	var last int64
	err := f.DB.QueryRow(ctx, `SELECT secret_sealed, last_step FROM totp_credentials WHERE person_id = ? AND confirmed`, personID).Scan(&sealed, &last)
	if errors.Is(err, sql.ErrNoRows) {
		return ErrBadCode
	}
	if err != nil {
		return err
	}
	secret, err := f.openSecret(ctx, personID, sealed)
	if err != nil {
		return err
	}
	key, _ := b32.DecodeString(secret)
	step := matchStep(key, code, f.now())
	if step < 0 || step <= last {
		return ErrBadCode
	}
	r, err := f.DB.Exec(ctx, `UPDATE totp_credentials SET last_step = ? WHERE person_id = ? AND confirmed AND last_step < ?`, step, personID, step)
	if err != nil {
		return err
	}
	if n, _ := r.RowsAffected(); n != 1 {
		return ErrBadCode
	}
	return nil
}

// removeTOTP deletes the person's authenticator (confirmed or pending).
func (f *Factors) removeTOTP(ctx context.Context, personID string) error {
	_, err := f.DB.Exec(ctx, `DELETE FROM totp_credentials WHERE person_id = ?`, personID)
	return err
}

// Enrolled says which second factors a person has.
type Enrolled struct {
	TOTP          bool
	Passkeys      int
	RecoveryCodes int // unused ones
}

// Any reports whether the person has at least one second factor.
func (e Enrolled) Any() bool { return e.TOTP || e.Passkeys > 0 }

// enrolledOf returns the person's second factors, in one query.
func (f *Factors) enrolledOf(ctx context.Context, q db.Querier, personID string) (Enrolled, error) {
	var e Enrolled
	var totp int
	err := q.QueryRow(ctx, `SELECT
		(SELECT COUNT(*) FROM totp_credentials WHERE person_id = ? AND confirmed),
		(SELECT COUNT(*) FROM webauthn_credentials WHERE person_id = ?),
		(SELECT COUNT(*) FROM recovery_codes WHERE person_id = ? AND used_at IS NULL)`, personID, personID, personID).Scan(&totp, &e.Passkeys, &e.RecoveryCodes)
	e.TOTP = totp > 0
	return e, err
}

// onlyFirstFactor locks the person's factors for the rest of the
// transaction (PostgreSQL: the person's row; SQLite has one writer) and
// refuses with ErrFactorOwed when the person already has one, so that two
// enrolments racing cannot both pass as "first".
func onlyFirstFactor(ctx context.Context, f *Factors, tx *db.Tx, personID string) error {
	if tx.Dialect() == db.Postgres {
		if _, err := tx.Exec(ctx, `SELECT id FROM people WHERE id = ? FOR UPDATE`, personID); err != nil {
			return err
		}
	}
	en, err := f.enrolledOf(ctx, tx, personID)
	if err != nil {
		return err
	}
	if en.Any() {
		return ErrFactorOwed
	}
	return nil
}

// removeAll deletes every second factor of a person (an administrator's
// help for a lost phone): the person enrols again at the next sign-in.
func (f *Factors) removeAll(ctx context.Context, tx *db.Tx, personID string) error {
	for _, q := range []string{`DELETE FROM totp_credentials WHERE person_id = ?`, `DELETE FROM webauthn_credentials WHERE person_id = ?`,
		`DELETE FROM recovery_codes WHERE person_id = ?`} {
		if _, err := tx.Exec(ctx, q, personID); err != nil {
			return err
		}
	}
	return nil
}
