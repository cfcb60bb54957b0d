// Package backup takes and restores a whole instance: the database (a
// consistent copy taken while the server runs), the master key, and the
// sealed blobs of the file storage that the database refers to. A backup
// is a directory:
//
//	manifest.json     engine, schema version, when; every table's row count
//	                  and digest; every file's SHA-256
//	database.sqlite   SQLite: VACUUM INTO (one snapshot, self-contained)
//	database.pgdump   PostgreSQL: pg_dump --format=custom
//	keys/master.key   the master key (store it apart from the blobs' copies)
//	keys/*            the other keys of DATA/keys (Web Push's VAPID key, the
//	                  unsubscribe links' key): without them, browsers'
//	                  subscriptions and e-mailed links stop working
//	blobs/EST/FILE    the sealed blobs, as the storage holds them
//
// Taking one pauses erasure (files.PauseErasure) from before the database
// copy until the last blob is copied, so that every blob the copy refers
// to is still there. A backup is written beside its destination and
// renamed into place when complete: a failed one leaves nothing that
// looks like a backup. A restore checks every checksum first, refuses a
// target that holds anything, writes, then finds every table's digest
// again; a failure removes what it wrote.
package backup

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"cartable/internal/db"
	"cartable/internal/files"
)

// Format is the layout version of a backup directory.
const Format = 1

// Manifest describes a backup.
type Manifest struct {
	Format    int                       `json:"format"`
	TakenAt   time.Time                 `json:"taken_at"`
	Engine    string                    `json:"engine"`
	Schema    int                       `json:"schema"`
	Tables    map[string]db.TableDigest `json:"tables"`
	Files     map[string]string         `json:"files"`   // path in the backup → SHA-256
	Missing   []string                  `json:"missing"` // storage keys of records whose blob the storage did not have
	BlobBytes int64                     `json:"blob_bytes"`
}

const (
	manifestFile = "manifest.json"
	sqliteFile   = "database.sqlite"
	pgDumpFile   = "database.pgdump"
	keyFile      = "keys/" + files.MasterKeyFile
	blobDir      = "blobs"
)

// Source is what a backup copies.
type Source struct {
	DB       *db.DB
	Database string        // the database's URL (pg_dump reads it); unused for SQLite
	DataDir  string        // holds keys/master.key
	Backend  files.Backend // the file storage
}

// Take writes a backup of src to dir, which must not exist or be empty.
func Take(ctx context.Context, src Source, dir string) (*Manifest, error) {
	if err := emptyOrAbsent(dir); err != nil {
		return nil, err
	}
	if files.PendingRotation(src.DataDir) {
		return nil, errors.New("backup: a master-key rotation is unfinished (keys/master.key.new): finish it with \"cartable keys rotate\" first")
	}
	// No master key yet: a data directory never served, nothing sealed.
	key, err := os.ReadFile(filepath.Join(src.DataDir, keyFile))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("backup: cannot read the master key: %w", err)
	}
	parent := filepath.Dir(filepath.Clean(dir))
	if err := os.MkdirAll(parent, 0o700); err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	work, err := os.MkdirTemp(parent, "."+filepath.Base(dir)+".partial-")
	if err != nil {
		return nil, fmt.Errorf("backup: cannot write beside %s: %w", dir, err)
	}
	done := false
	defer func() {
		if !done {
			os.RemoveAll(work)
		}
	}()
	m := &Manifest{Format: Format, TakenAt: time.Now().UTC(), Engine: src.DB.Dialect().String(), Files: map[string]string{}}
	if m.Schema, err = src.DB.Version(ctx); err != nil {
		return nil, err
	}

	pause, cancel := context.WithTimeout(ctx, 2*time.Minute)
	release, err := files.PauseErasure(pause, src.DB, src.DataDir)
	cancel()
	if err != nil {
		return nil, err
	}
	defer release()

	if src.DB.Dialect() == db.Postgres {
		out := filepath.Join(work, pgDumpFile)
		cmd := exec.CommandContext(ctx, "pg_dump", "--format=custom", "--no-owner", "--no-privileges", "--file", out, "--dbname", src.Database)
		if msg, err := cmd.CombinedOutput(); err != nil {
			return nil, fmt.Errorf("backup: pg_dump failed (install PostgreSQL's client tools, of the server's version or newer): %v: %s", err, strings.TrimSpace(string(msg)))
		}
		if m.Tables, err = src.DB.Digests(ctx); err != nil { // the live database, right after the dump
			return nil, err
		}
	} else {
		out := filepath.Join(work, sqliteFile)
		if err := src.DB.SnapshotTo(ctx, out); err != nil {
			return nil, fmt.Errorf("backup: copying the database: %w", err)
		}
		snap, err := db.Open(ctx, out)
		if err != nil {
			return nil, err
		}
		m.Tables, err = snap.Digests(ctx)
		snap.Close()
		if err != nil {
			return nil, err
		}
		for _, suffix := range []string{"-wal", "-shm"} {
			os.Remove(out + suffix)
		}
	}

	if key != nil {
		if err := writeFile(work, keyFile, key, m); err != nil {
			return nil, err
		}
	}
	others, err := otherKeys(src.DataDir)
	if err != nil {
		return nil, err
	}
	for _, name := range others {
		b, err := os.ReadFile(filepath.Join(src.DataDir, "keys", name))
		if err != nil {
			return nil, fmt.Errorf("backup: cannot read keys/%s: %w", name, err)
		}
		if err := writeFile(work, "keys/"+name, b, m); err != nil {
			return nil, err
		}
	}
	keys, err := files.StorageKeys(ctx, src.DB)
	if err != nil {
		return nil, err
	}
	for _, k := range keys {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		b, err := src.Backend.Get(ctx, k)
		if errors.Is(err, fs.ErrNotExist) {
			m.Missing = append(m.Missing, k)
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("backup: reading blob %s: %w", k, err)
		}
		if err := writeFile(work, blobDir+"/"+k, b, m); err != nil {
			return nil, err
		}
		m.BlobBytes += int64(len(b))
	}
	for _, name := range []string{sqliteFile, pgDumpFile} {
		if b, err := os.ReadFile(filepath.Join(work, name)); err == nil {
			m.Files[name] = digest(b)
		}
	}
	mb, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, err
	}
	if err := writeFile(work, manifestFile, mb, nil); err != nil {
		return nil, err
	}
	if err := syncDir(work); err != nil {
		return nil, err
	}
	os.Remove(dir) // an empty destination directory (emptyOrAbsent)
	if err := os.Rename(work, dir); err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	done = true
	return m, syncDir(parent)
}

// writeFile writes rel under root (0600, synced) and records its sum in m.
// otherKeys lists the key files of DATA/keys besides the master key (and
// its rotation's leftovers, which Take refuses first).
func otherKeys(dataDir string) ([]string, error) {
	entries, err := os.ReadDir(filepath.Join(dataDir, "keys"))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("backup: cannot list the keys: %w", err)
	}
	var names []string
	for _, e := range entries {
		if e.Type().IsRegular() && !strings.HasPrefix(e.Name(), files.MasterKeyFile) {
			names = append(names, e.Name())
		}
	}
	return names, nil
}

func writeFile(root, rel string, b []byte, m *Manifest) error {
	p := filepath.Join(root, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return fmt.Errorf("backup: writing %s: %w", rel, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("backup: writing %s: %w", rel, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("backup: writing %s: %w", rel, err)
	}
	if m != nil {
		m.Files[rel] = digest(b)
	}
	return nil
}

func digest(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

func syncDir(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}

// emptyOrAbsent refuses a path holding anything.
func emptyOrAbsent(dir string) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("backup: %s: %w", dir, err)
	}
	if len(entries) > 0 {
		return fmt.Errorf("backup: %s is not empty: choose a new directory", dir)
	}
	return nil
}

// sortedPaths lists a manifest's files in order (blobs last).
func (m *Manifest) sortedPaths() []string {
	out := make([]string, 0, len(m.Files))
	for p := range m.Files {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}
