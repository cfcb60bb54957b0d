package backup

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"cartable/internal/db"
	"cartable/internal/files"
)

// Target is where a backup is restored: a database that does not exist
// yet (SQLite) or holds no table (PostgreSQL), a data directory without a
// master key, and a file storage without the backup's blobs.
type Target struct {
	Database string // SQLite file path or postgres:// URL
	DataDir  string
	Backend  files.Backend
}

// Read reads a backup's manifest and checks every file's checksum, so that
// a damaged backup is refused before anything is written.
func Read(dir string) (*Manifest, error) {
	b, err := os.ReadFile(filepath.Join(dir, manifestFile))
	if err != nil {
		return nil, fmt.Errorf("restore: %s is not a backup: %w", dir, err)
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("restore: %s: manifest.json: %w", dir, err)
	}
	if m.Format != Format {
		return nil, fmt.Errorf("restore: %s: backup format %d, this version reads %d", dir, m.Format, Format)
	}
	for _, rel := range m.sortedPaths() {
		b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(rel)))
		if err != nil {
			return nil, fmt.Errorf("restore: %s: %w", rel, err)
		}
		if digest(b) != m.Files[rel] {
			return nil, fmt.Errorf("restore: %s: %s is damaged (checksum differs): nothing restored", dir, rel)
		}
	}
	return &m, nil
}

// Restore writes the backup of dir into t and checks that every table
// holds what the backup recorded. Nothing is written unless the backup
// reads whole and the target is empty; a failure removes what was
// written. Warnings tell what differs without being an error (a
// PostgreSQL backup's digests are taken just after its dump, while the
// server may write).
func Restore(ctx context.Context, dir string, t Target) (m *Manifest, warnings []string, err error) {
	if m, err = Read(dir); err != nil {
		return nil, nil, err
	}
	postgres := strings.HasPrefix(t.Database, "postgres://") || strings.HasPrefix(t.Database, "postgresql://")
	if postgres != (m.Engine == db.Postgres.String()) {
		return nil, nil, fmt.Errorf("restore: the backup is of a %s database; restore it into the same engine", m.Engine)
	}
	if m.Schema > db.LatestVersion() {
		return nil, nil, fmt.Errorf("restore: the backup's schema (%d) is newer than this binary's (%d): use the version that took it", m.Schema, db.LatestVersion())
	}

	// The target holds nothing.
	keyPath := filepath.Join(t.DataDir, filepath.FromSlash(keyFile))
	if _, err := os.Stat(keyPath); !errors.Is(err, fs.ErrNotExist) {
		return nil, nil, fmt.Errorf("restore: %s already has a master key: restore into a new data directory", t.DataDir)
	}
	var otherKeys []string // keys/NAME besides the master key
	for _, rel := range m.sortedPaths() {
		if name, ok := strings.CutPrefix(rel, "keys/"); ok && rel != keyFile {
			if strings.ContainsAny(name, `/\`) || name == ".." {
				return nil, nil, fmt.Errorf("restore: the backup names a key %q outside keys/", rel)
			}
			if _, err := os.Stat(filepath.Join(t.DataDir, "keys", name)); !errors.Is(err, fs.ErrNotExist) {
				return nil, nil, fmt.Errorf("restore: %s already has keys/%s: restore into a new data directory", t.DataDir, name)
			}
			otherKeys = append(otherKeys, name)
		}
	}
	if !postgres {
		if _, err := os.Stat(t.Database); !errors.Is(err, fs.ErrNotExist) {
			return nil, nil, fmt.Errorf("restore: %s already exists: restore into a new database file", t.Database)
		}
	} else {
		d, err := db.Open(ctx, t.Database)
		if err != nil {
			return nil, nil, err
		}
		tables, err := d.Tables(ctx)
		d.Close()
		if err != nil {
			return nil, nil, err
		}
		if len(tables) > 0 {
			return nil, nil, fmt.Errorf("restore: the target PostgreSQL database holds %d tables: restore into a new, empty database", len(tables))
		}
	}
	var blobs []string
	for _, rel := range m.sortedPaths() {
		if k, ok := strings.CutPrefix(rel, blobDir+"/"); ok {
			if _, err := t.Backend.Get(ctx, k); !errors.Is(err, fs.ErrNotExist) {
				if err == nil {
					err = errors.New("already there")
				}
				return nil, nil, fmt.Errorf("restore: the file storage is not empty (blob %s: %v): restore into an empty storage", k, err)
			}
			blobs = append(blobs, k)
		}
	}

	// Write, undoing on failure.
	var written []string
	wroteKey, wroteDB := false, false
	var wroteKeys []string
	defer func() {
		if err == nil {
			return
		}
		for _, k := range written {
			t.Backend.Delete(context.Background(), k)
		}
		if wroteKey {
			os.Remove(keyPath)
		}
		for _, name := range wroteKeys {
			os.Remove(filepath.Join(t.DataDir, "keys", name))
		}
		if wroteDB && !postgres {
			for _, suffix := range []string{"", "-wal", "-shm"} {
				os.Remove(t.Database + suffix)
			}
		}
	}()
	if m.Files[keyFile] != "" { // none: the backed-up instance had sealed nothing yet
		key, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(keyFile)))
		if err != nil {
			return nil, nil, err
		}
		if err := os.MkdirAll(filepath.Dir(keyPath), 0o700); err != nil {
			return nil, nil, fmt.Errorf("restore: %w", err)
		}
		if err := writeFile(filepath.Dir(keyPath), files.MasterKeyFile, key, nil); err != nil {
			return nil, nil, err
		}
		wroteKey = true
	}
	for _, name := range otherKeys {
		b, err := os.ReadFile(filepath.Join(dir, "keys", name))
		if err != nil {
			return nil, nil, err
		}
		if err := os.MkdirAll(filepath.Join(t.DataDir, "keys"), 0o700); err != nil {
			return nil, nil, fmt.Errorf("restore: %w", err)
		}
		if err := writeFile(filepath.Join(t.DataDir, "keys"), name, b, nil); err != nil {
			return nil, nil, err
		}
		wroteKeys = append(wroteKeys, name)
	}
	for _, k := range blobs {
		b, err := os.ReadFile(filepath.Join(dir, blobDir, filepath.FromSlash(k)))
		if err != nil {
			return nil, nil, err
		}
		if err := t.Backend.Put(ctx, k, b); err != nil {
			return nil, nil, fmt.Errorf("restore: writing blob %s: %w", k, err)
		}
		written = append(written, k)
	}
	if postgres {
		cmd := exec.CommandContext(ctx, "pg_restore", "--single-transaction", "--exit-on-error", "--no-owner", "--no-privileges",
			"--dbname", t.Database, filepath.Join(dir, pgDumpFile))
		if msg, err := cmd.CombinedOutput(); err != nil {
			return nil, nil, fmt.Errorf("restore: pg_restore failed, nothing restored in the database: %v: %s", err, strings.TrimSpace(string(msg)))
		}
		wroteDB = true
	} else {
		b, err := os.ReadFile(filepath.Join(dir, sqliteFile))
		if err != nil {
			return nil, nil, err
		}
		if err := os.MkdirAll(filepath.Dir(t.Database), 0o700); err != nil {
			return nil, nil, fmt.Errorf("restore: %w", err)
		}
		tmp := t.Database + ".restoring"
		os.Remove(tmp)
		if err := writeFile(filepath.Dir(tmp), filepath.Base(tmp), b, nil); err != nil {
			return nil, nil, err
		}
		wroteDB = true
		if err := os.Rename(tmp, t.Database); err != nil {
			os.Remove(tmp)
			return nil, nil, fmt.Errorf("restore: %w", err)
		}
	}

	// Every table holds what the backup recorded.
	d, err := db.Open(ctx, t.Database)
	if err != nil {
		return nil, nil, err
	}
	got, err := d.Digests(ctx)
	d.Close()
	if err != nil {
		return nil, nil, err
	}
	var diffs []string
	for name, want := range m.Tables {
		if got[name] != want {
			diffs = append(diffs, fmt.Sprintf("%s: %d rows restored, %d recorded", name, got[name].Rows, want.Rows))
		}
	}
	if len(diffs) > 0 {
		if !postgres {
			return nil, nil, fmt.Errorf("restore: the restored database differs from the backup: %s", strings.Join(diffs, "; "))
		}
		warnings = append(warnings, diffs...)
	}
	for _, k := range m.Missing {
		warnings = append(warnings, "blob "+k+" was missing from the storage when the backup was taken")
	}
	return m, warnings, nil
}
