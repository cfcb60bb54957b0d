package files

// Master keys and their rotation. The master key wraps the data keys of
// the establishments (file_keys) and the instance keys (instance_keys,
// secrets.go); "data keys" below means both.
//
// The master key is DATA/keys/master.key (32 bytes, 0600). A rotation
// first writes the next key to DATA/keys/master.key.new (complete and
// synced before anything else happens), re-wraps every data key under it
// in one transaction, then renames master.key.new over master.key. The
// store loads both files when both exist and unwraps with either, so a
// crash at any point leaves a data directory that starts and reads every
// file, and running the rotation again finishes it with the same next key.
// The old key is not kept: backups taken before the rotation hold it
// together with the database it opens.

import (
	"context"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"cartable/internal/audit"
	"cartable/internal/db"
)

// Key file names under DATA/keys.
const (
	MasterKeyFile = "master.key"
	NextKeyFile   = "master.key.new"
)

// AuditKeyRotation is the audit action of a master-key rotation; its
// target carries only the number of data keys re-wrapped.
const AuditKeyRotation = "master-key-rotated"

// keySet is the content of DATA/keys: the current master key and, during
// a rotation, the next one.
type keySet struct {
	master, next []byte // next is nil outside a rotation
}

func keyDir(dataDir string) string { return filepath.Join(dataDir, "keys") }

// readKeyFile reads a 32-byte key; a missing file is (nil, nil).
func readKeyFile(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("files: master key: %v", pathErr(err))
	}
	if len(b) != 32 {
		return nil, fmt.Errorf("files: master key %s must hold 32 bytes, it holds %d", path, len(b))
	}
	return b, nil
}

// readKeys reads DATA/keys; a missing master key is nil.
func readKeys(dir string) (keySet, error) {
	var ks keySet
	var err error
	if ks.master, err = readKeyFile(filepath.Join(dir, MasterKeyFile)); err != nil {
		return ks, err
	}
	if ks.next, err = readKeyFile(filepath.Join(dir, NextKeyFile)); err != nil {
		return ks, err
	}
	if ks.master == nil && ks.next != nil {
		return ks, fmt.Errorf("files: %s is missing but %s exists: restore the master key from a backup (a rotation never removes it)",
			filepath.Join(dir, MasterKeyFile), filepath.Join(dir, NextKeyFile))
	}
	return ks, nil
}

// createKeyFile writes 32 random bytes at path unless a file is already
// there, and returns the key the path then holds. The key is written to a
// temporary file, synced, then linked into place, so the path never holds
// a partial key and two processes racing end up with the same key.
func createKeyFile(path string) ([]byte, error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("files: %v", err)
	}
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	tmp, err := os.CreateTemp(dir, ".key-*")
	if err != nil {
		return nil, fmt.Errorf("files: cannot create a key in %s: %v", dir, pathErr(err))
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return nil, err
	}
	if _, err := tmp.Write(key); err != nil {
		tmp.Close()
		return nil, err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return nil, err
	}
	if err := tmp.Close(); err != nil {
		return nil, err
	}
	if err := os.Link(tmp.Name(), path); err != nil && !errors.Is(err, os.ErrExist) {
		// A file system without hard links: exclusive create in place.
		if err := writeExclusive(path, key); err != nil && !errors.Is(err, os.ErrExist) {
			return nil, fmt.Errorf("files: cannot create %s: %v", path, pathErr(err))
		}
	}
	if err := syncDir(dir); err != nil {
		return nil, err
	}
	// Whoever linked first, the file now holds a whole key.
	b, err := readKeyFile(path)
	if err == nil && b == nil {
		err = fmt.Errorf("files: %s vanished while being created", path)
	}
	return b, err
}

func writeExclusive(path string, key []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(key); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// syncDir makes a rename or link in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("files: sync %s: %v", dir, err)
	}
	return nil
}

func pathErr(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Path + ": " + pe.Err.Error()
	}
	return err.Error()
}

// aeads turns the set into ciphers, the next key (if any) first.
func (ks keySet) aeads() ([]cipher.AEAD, error) {
	var out []cipher.AEAD
	for _, k := range [][]byte{ks.next, ks.master} {
		if k == nil {
			continue
		}
		a, err := gcm(k)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

func dataKeyAAD(est string) []byte { return []byte("cartable-data-key:" + est) }

// openWrapped unwraps a data key with the first master key that opens it.
func openWrapped(masters []cipher.AEAD, est string, wrapped []byte) ([]byte, bool) {
	return openAny(masters, wrapped, dataKeyAAD(est))
}

// openAny unwraps a key with the first master key that opens it.
func openAny(masters []cipher.AEAD, wrapped, aad []byte) ([]byte, bool) {
	for _, m := range masters {
		if raw, err := unseal(m, wrapped, aad); err == nil {
			return raw, true
		}
	}
	return nil, false
}

// wrappedKey is a key stored wrapped by the master key: the data key of an
// establishment (file_keys) or an instance key (instance_keys, secrets.go).
type wrappedKey struct {
	instance bool
	id       string // establishment ID, or instance key name
	wrapped  []byte
}

func (k wrappedKey) aad() []byte {
	if k.instance {
		return instanceKeyAAD(k.id)
	}
	return dataKeyAAD(k.id)
}

func (k wrappedKey) String() string {
	if k.instance {
		return "the instance key " + k.id
	}
	return "the data key of establishment " + k.id
}

// wrappedKeys lists every key the master key wraps.
func wrappedKeys(ctx context.Context, q db.Querier) ([]wrappedKey, error) {
	var out []wrappedKey
	for _, src := range []struct {
		instance bool
		query    string
	}{
		{false, `SELECT establishment_id, wrapped FROM file_keys ORDER BY establishment_id`},
		{true, `SELECT name, wrapped FROM instance_keys ORDER BY name`},
	} {
		rows, err := q.Query(ctx, src.query)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			k := wrappedKey{instance: src.instance}
			if err := rows.Scan(&k.id, &k.wrapped); err != nil {
				rows.Close()
				return nil, err
			}
			out = append(out, k)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// CheckKeys opens every data key in the database (those of the
// establishments and the instance keys) with the store's master keys, so
// that a server started with the wrong keys/master.key stops at once
// instead of failing on each download or sign-in. It returns how many
// opened.
func (s *Store) CheckKeys(ctx context.Context, q db.Querier) (int, error) {
	keys, err := wrappedKeys(ctx, q)
	if err != nil {
		return 0, err
	}
	s.mu.Lock()
	masters := s.masters
	s.mu.Unlock()
	n, bad := 0, 0
	for _, k := range keys {
		if _, ok := openAny(masters, k.wrapped, k.aad()); ok {
			n++
		} else {
			bad++
		}
	}
	if bad > 0 {
		return n, fmt.Errorf("files: %d of %d data keys do not open with this master key: restore the keys/master.key that goes with this database",
			bad, n+bad)
	}
	return n, nil
}

// PendingRotation reports whether the data directory holds the next key of
// an interrupted rotation (run "cartable keys rotate" again to finish it).
func PendingRotation(dataDir string) bool {
	_, err := os.Stat(filepath.Join(keyDir(dataDir), NextKeyFile))
	return err == nil
}

func errNoMaster(dir string) error {
	return fmt.Errorf("files: no master key at %s: nothing to rotate (the server makes it at its first start)",
		filepath.Join(dir, MasterKeyFile))
}

// CanRotate checks, without touching the database, that the data directory
// holds readable key files, so that a rotation that cannot run stops
// before anything is opened.
func CanRotate(dataDir string) error {
	ks, err := readKeys(keyDir(dataDir))
	if err == nil && ks.master == nil {
		err = errNoMaster(keyDir(dataDir))
	}
	return err
}

// RotateOptions tune a rotation.
type RotateOptions struct {
	DryRun bool
	Now    time.Time
}

// RotateResult tells what a rotation did (or would do).
type RotateResult struct {
	DataKeys int  // data keys re-wrapped (would be, in a dry run)
	Resumed  bool // an interrupted rotation was finished with its next key
}

// rotateHook lets tests stop a rotation at a stage, as a crash would.
var rotateHook = func(stage string) error { return nil }

// Rotate replaces the master key of dataDir: it re-wraps every data key of
// the database under a new master key, crash-safely (see the top of this
// file). Every server using this data directory or database must be
// stopped first: a running one holds them (InUse) and the rotation is
// refused (ErrInUse). A dry run only counts the data keys and checks that
// they all open.
func Rotate(ctx context.Context, d *db.DB, dataDir string, o RotateOptions) (RotateResult, error) {
	var res RotateResult
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	dir := keyDir(dataDir)
	ks, err := readKeys(dir)
	if err == nil && ks.master == nil {
		err = errNoMaster(dir)
	}
	if err != nil {
		return res, err
	}
	res.Resumed = ks.next != nil
	// Every data key must open before anything is written.
	masters, err := ks.aeads()
	if err != nil {
		return res, err
	}
	if res.DataKeys, err = (&Store{masters: masters}).CheckKeys(ctx, d); err != nil || o.DryRun {
		return res, err
	}
	release, err := hold(ctx, d, dataDir, false, ErrInUse)
	if err != nil {
		return res, err
	}
	defer release()
	if ks.next == nil {
		if ks.next, err = createKeyFile(filepath.Join(dir, NextKeyFile)); err != nil {
			return res, err
		}
	}
	old, err := gcm(ks.master)
	if err != nil {
		return res, err
	}
	next, err := gcm(ks.next)
	if err != nil {
		return res, err
	}
	both := []cipher.AEAD{next, old}
	err = d.Tx(ctx, func(tx *db.Tx) error {
		if tx.Dialect() == db.Postgres {
			// No data key may be added or changed while they are re-wrapped;
			// two rotations at once take turns.
			if _, err := tx.Exec(ctx, `LOCK TABLE file_keys, instance_keys IN SHARE ROW EXCLUSIVE MODE`); err != nil {
				return err
			}
		}
		n, err := rewrap(ctx, tx, both, next, false)
		if err != nil {
			return err
		}
		res.DataKeys = n
		if err := audit.Record(ctx, tx, audit.Event{At: o.Now, Action: AuditKeyRotation,
			Target: fmt.Sprintf("data-keys:%d", n), Outcome: audit.Success}); err != nil {
			return err
		}
		return rotateHook("before-commit")
	})
	if err != nil {
		return res, err
	}
	if err := rotateHook("after-commit"); err != nil {
		return res, err
	}
	if err := os.Rename(filepath.Join(dir, NextKeyFile), filepath.Join(dir, MasterKeyFile)); err != nil {
		return res, fmt.Errorf("files: the data keys are re-wrapped but %s could not replace %s (%v): run the rotation again",
			NextKeyFile, MasterKeyFile, pathErr(err))
	}
	if err := syncDir(dir); err != nil {
		return res, err
	}
	// A server left running may have added a data key under the old master
	// key meanwhile; this process still knows it, so it re-wraps it now.
	err = d.Tx(ctx, func(tx *db.Tx) error {
		n, err := rewrap(ctx, tx, both, next, true)
		res.DataKeys += n
		return err
	})
	return res, err
}

// rewrap seals every data key (establishments' and instance keys) again
// under next (only those next does not open yet when stragglers is set),
// failing on a key no master opens.
func rewrap(ctx context.Context, tx *db.Tx, masters []cipher.AEAD, next cipher.AEAD, stragglers bool) (int, error) {
	keys, err := wrappedKeys(ctx, tx)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, k := range keys {
		if stragglers {
			if _, err := unseal(next, k.wrapped, k.aad()); err == nil {
				continue
			}
		}
		raw, ok := openAny(masters, k.wrapped, k.aad())
		if !ok {
			return n, fmt.Errorf("files: %s opens with neither %s nor %s: nothing was changed; restore the master key that goes with this database",
				k, MasterKeyFile, NextKeyFile)
		}
		q := `UPDATE file_keys SET wrapped = ? WHERE establishment_id = ?`
		if k.instance {
			q = `UPDATE instance_keys SET wrapped = ? WHERE name = ?`
		}
		if _, err := tx.Exec(ctx, q, seal(next, raw, k.aad()), k.id); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// wrapper returns the master key that wraps a new data key: the next key
// when a rotation is under way (read afresh from the data directory, so
// that a rotation run beside this process is seen), else the master key.
func (s *Store) wrapper() (cipher.AEAD, error) {
	if s.keyDir == "" {
		return s.masters[0], nil
	}
	ks, err := readKeys(s.keyDir)
	if err != nil {
		return nil, err
	}
	if ks.master == nil {
		return nil, fmt.Errorf("files: %s has disappeared", filepath.Join(s.keyDir, MasterKeyFile))
	}
	masters, err := ks.aeads()
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	s.masters = masters
	s.mu.Unlock()
	return masters[0], nil
}
