package files

import (
	"context"
	"crypto/cipher"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"time"

	"cartable/internal/db"
)

// AccountSecrets names the instance key that seals the second factors of
// accounts: TOTP secrets and passkey credentials (internal/auth).
const AccountSecrets = "account-secrets"

// PendingUploads names the instance key that seals the deliveries waiting
// for review in the web interface (internal/provisioning, import_uploads):
// a delivery may concern several establishments, or only new ones.
const PendingUploads = "pending-uploads"

func instanceKeyAAD(name string) []byte { return []byte("cartable-instance-key:" + name) }

// Sealer seals small secrets kept in the database under an instance key:
// a data key of the whole instance rather than of one establishment (a
// person may belong to several establishments, or to none for a while).
// The key is 32 random bytes made at first use and stored in instance_keys
// only wrapped by the master key, exactly like the establishments' data
// keys: CheckKeys checks it, Rotate re-wraps it, and a database dump alone
// opens nothing. Seals are AES-256-GCM with a random nonce; the caller
// binds each seal to its row through aad.
type Sealer struct {
	store *Store
	db    *db.DB
	name  string

	mu   sync.Mutex
	aead cipher.AEAD
}

// Sealer returns the sealer of the instance key name over the database d.
func (s *Store) Sealer(d *db.DB, name string) *Sealer {
	return &Sealer{store: s, db: d, name: name}
}

// key returns the instance key, creating and wrapping it on first use.
// Two replicas creating it at once agree through the primary key: the
// loser reads the winner's. It runs on the database handle, never inside
// a caller's transaction (SQLite has one writer).
func (x *Sealer) key(ctx context.Context) (cipher.AEAD, error) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.aead != nil {
		return x.aead, nil
	}
	var wrapped []byte
	err := x.db.QueryRow(ctx, `SELECT wrapped FROM instance_keys WHERE name = ?`, x.name).Scan(&wrapped)
	if errors.Is(err, sql.ErrNoRows) {
		raw := make([]byte, 32)
		if _, err := rand.Read(raw); err != nil {
			return nil, err
		}
		w, werr := x.store.wrapper()
		if werr != nil {
			return nil, werr
		}
		if _, err := x.db.Exec(ctx, `INSERT INTO instance_keys (name, wrapped, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`,
			x.name, seal(w, raw, instanceKeyAAD(x.name)), time.Now().Unix()); err != nil {
			return nil, err
		}
		err = x.db.QueryRow(ctx, `SELECT wrapped FROM instance_keys WHERE name = ?`, x.name).Scan(&wrapped)
	}
	if err != nil {
		return nil, err
	}
	x.store.mu.Lock()
	masters := x.store.masters
	x.store.mu.Unlock()
	raw, ok := openAny(masters, wrapped, instanceKeyAAD(x.name))
	if !ok {
		return nil, fmt.Errorf("files: the instance key %q does not open with this master key (wrong keys/master.key?)", x.name)
	}
	k, err := gcm(raw)
	if err != nil {
		return nil, err
	}
	x.aead = k
	return k, nil
}

// Seal returns plain sealed under the instance key, bound to aad.
func (x *Sealer) Seal(ctx context.Context, plain, aad []byte) ([]byte, error) {
	k, err := x.key(ctx)
	if err != nil {
		return nil, err
	}
	return seal(k, plain, aad), nil
}

// Open returns the plain text of a seal made by Seal with the same aad.
func (x *Sealer) Open(ctx context.Context, sealed, aad []byte) ([]byte, error) {
	k, err := x.key(ctx)
	if err != nil {
		return nil, err
	}
	plain, err := unseal(k, sealed, aad)
	if err != nil {
		return nil, errors.New("files: a sealed secret does not open (altered, or moved from another row)")
	}
	return plain, nil
}
