package auth

import (
	"context"
	"errors"
	"fmt"

	"cartable/internal/db"
)

// Second factors at rest. A TOTP secret is enough to make codes, and a
// passkey credential record holds the public key, the signature counter
// (which detects a cloned authenticator), the user handle and flags: both
// are stored sealed (AES-256-GCM) under the instance key "account-secrets"
// (internal/files: 32 random bytes kept in the database only wrapped by
// the master key of the data directory, and re-wrapped by a master-key
// rotation). Each seal is bound to its row (person, credential), so a seal
// copied to another row does not open. Recovery codes, reset links,
// activation codes and sessions need no key: they are stored as SHA-256.

// Sealer seals and opens secrets kept in the database (files.Sealer).
type Sealer interface {
	Seal(ctx context.Context, plain, aad []byte) ([]byte, error)
	Open(ctx context.Context, sealed, aad []byte) ([]byte, error)
}

// ErrNoSealer refuses to store or read a second factor without a key.
var ErrNoSealer = errors.New("auth: second factors cannot be stored or read: no key to seal them (no file store configured)")

func sealWith(ctx context.Context, s Sealer, plain, aad []byte) ([]byte, error) {
	if s == nil {
		return nil, ErrNoSealer
	}
	return s.Seal(ctx, plain, aad)
}

func openWith(ctx context.Context, s Sealer, sealed, aad []byte) ([]byte, error) {
	if s == nil {
		return nil, ErrNoSealer
	}
	if len(sealed) == 0 {
		return nil, errors.New("auth: a second factor is not sealed yet (SealStoredSecrets runs at start)")
	}
	return s.Open(ctx, sealed, aad)
}

// SealStoredSecrets seals the TOTP secrets and passkey credentials that
// were stored in clear by versions before migration 0008, and empties
// their clear column. The server runs it at every start, after the
// migrations and before the first request (the master key is not in the
// database, so the migration itself cannot); it returns how many rows it
// sealed, and does nothing once none is left. Each row is updated only
// while it still holds the clear value read, so replicas starting together
// seal a row once. On SQLite the rows are rewritten with secure_delete on
// and the log is checkpointed, so the file keeps no copy of the clear
// values.
func SealStoredSecrets(ctx context.Context, d *db.DB, s Sealer) (int, error) {
	type row struct {
		person, id, clear string
		sealed            []byte
	}
	var totp, keys []row
	for _, src := range []struct {
		query string
		into  *[]row
	}{
		{`SELECT person_id, '', secret FROM totp_credentials WHERE secret <> ''`, &totp},
		{`SELECT person_id, id, credential FROM webauthn_credentials WHERE credential <> ''`, &keys},
	} {
		rows, err := d.Query(ctx, src.query)
		if err != nil {
			return 0, err
		}
		for rows.Next() {
			var r row
			if err := rows.Scan(&r.person, &r.id, &r.clear); err != nil {
				rows.Close()
				return 0, err
			}
			*src.into = append(*src.into, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return 0, err
		}
	}
	if len(totp)+len(keys) == 0 {
		return 0, nil
	}
	// Sealed before the transaction: the key may have to be made, on the
	// database handle (SQLite has one writer).
	var err error
	for i := range totp {
		if totp[i].sealed, err = sealWith(ctx, s, []byte(totp[i].clear), totpAAD(totp[i].person)); err != nil {
			return 0, err
		}
	}
	for i := range keys {
		if keys[i].sealed, err = sealWith(ctx, s, []byte(keys[i].clear), passkeyAAD(keys[i].person, keys[i].id)); err != nil {
			return 0, err
		}
	}
	if d.Dialect() == db.SQLite {
		if _, err := d.Exec(ctx, `PRAGMA secure_delete = ON`); err != nil {
			return 0, err
		}
		defer d.Exec(context.WithoutCancel(ctx), `PRAGMA secure_delete = OFF`)
	}
	n := 0
	err = d.Tx(ctx, func(tx *db.Tx) error {
		n = 0
		for _, r := range totp {
			res, err := tx.Exec(ctx, `UPDATE totp_credentials SET secret_sealed = ?, secret = '' WHERE person_id = ? AND secret = ?`, r.sealed, r.person, r.clear)
			if err != nil {
				return err
			}
			k, _ := res.RowsAffected()
			n += int(k)
		}
		for _, r := range keys {
			res, err := tx.Exec(ctx, `UPDATE webauthn_credentials SET credential_sealed = ?, credential = '' WHERE id = ? AND credential = ?`, r.sealed, r.id, r.clear)
			if err != nil {
				return err
			}
			k, _ := res.RowsAffected()
			n += int(k)
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("auth: sealing stored second factors: %w", err)
	}
	if d.Dialect() == db.SQLite {
		if _, err := d.Exec(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
			return n, err
		}
	}
	return n, nil
}
