package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"strings"

	"cartable/internal/db"
)

// Recovery codes: ten per person, each 10 characters of a 32-letter
// alphabet without look-alikes (50 bits), written "xxxxx-xxxxx". Only their
// SHA-256 is stored; each works once. They are shown once, when made.
const recoveryCodeCount = 10

const codeAlphabet = "abcdefghjkmnpqrstuvwxyz23456789" // no i, l, o, 0, 1

func randomCode(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	out := make([]byte, n)
	for i, x := range b {
		out[i] = codeAlphabet[int(x)%len(codeAlphabet)]
	}
	return string(out), nil
}

// normaliseCode lower-cases and drops spaces and dashes, so that a code
// typed "ABCDE FGHJK" matches "abcde-fghjk".
func normaliseCode(c string) string {
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' || r == '\t' {
			return -1
		}
		if r >= 'A' && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}, c)
}

func hashCode(purpose, code string) string {
	sum := sha256.Sum256([]byte(purpose + ":" + normaliseCode(code)))
	return hex.EncodeToString(sum[:])
}

// newRecoveryCodes replaces the person's recovery codes by ten new ones.
func (f *Factors) newRecoveryCodes(ctx context.Context, q db.Querier, personID string) ([]string, error) {
	if _, err := q.Exec(ctx, `DELETE FROM recovery_codes WHERE person_id = ?`, personID); err != nil {
		return nil, err
	}
	codes := make([]string, 0, recoveryCodeCount)
	for len(codes) < recoveryCodeCount {
		c, err := randomCode(10)
		if err != nil {
			return nil, err
		}
		c = c[:5] + "-" + c[5:]
		if _, err := q.Exec(ctx, `INSERT INTO recovery_codes (person_id, code_hash, created_at) VALUES (?, ?, ?)`,
			personID, hashCode("recovery", c), f.now().Unix()); err != nil {
			if db.IsUniqueViolation(err) {
				continue // the same code twice: draw again
			}
			return nil, err
		}
		codes = append(codes, c)
	}
	return codes, nil
}

// regenerateRecoveryCodes replaces the person's recovery codes and returns
// the new ones; the old ones stop working.
func (f *Factors) regenerateRecoveryCodes(ctx context.Context, personID string) ([]string, error) {
	var codes []string
	err := f.DB.Tx(ctx, func(tx *db.Tx) (err error) {
		codes, err = f.newRecoveryCodes(ctx, tx, personID)
		return err
	})
	return codes, err
}

// useRecoveryCode consumes one recovery code; a code already used, or not
// the person's, gives ErrBadCode.
func (f *Factors) useRecoveryCode(ctx context.Context, personID, code string) error {
	c := normaliseCode(code)
	if len(c) != 10 {
		return ErrBadCode
	}
	r, err := f.DB.Exec(ctx, `UPDATE recovery_codes SET used_at = ? WHERE person_id = ? AND code_hash = ? AND used_at IS NULL`,
		f.now().Unix(), personID, hashCode("recovery", c))
	if err != nil {
		return err
	}
	if n, _ := r.RowsAffected(); n != 1 {
		return ErrBadCode
	}
	return nil
}
