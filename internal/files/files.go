// Package files stores uploaded files (class log attachments, handed-in
// work) behind a small backend interface — a directory on disk (Dir) or an
// S3-compatible bucket (S3, s3.go) — with size limits, a content-type check
// and encryption at rest.
//
// Encryption: every file is sealed with AES-256-GCM under its
// establishment's data key (32 random bytes, one per establishment). Data
// keys are stored in the database only wrapped (AES-256-GCM) by the master
// key, a 32-byte file in the data directory (keys/master.key, mode 0600)
// created at first start and replaced by a rotation (keys.go). A database
// dump alone reveals no file, the storage alone reveals no file, and a
// backup must hold both the database and the master key to be restorable.
// The file ID is bound into each seal, so sealed blobs cannot be swapped
// between files.
package files

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"cartable/internal/access"
	"cartable/internal/db"
	"cartable/internal/ids"
)

// Backend keeps sealed blobs by key. Keys are "establishment/file" IDs,
// safe as paths and object names. Put replaces a blob whole (a reader sees
// the old blob or the new one, never a part); Get of a missing key returns
// an error that wraps fs.ErrNotExist; Delete of a missing key succeeds.
type Backend interface {
	Put(ctx context.Context, key string, data []byte) error
	Get(ctx context.Context, key string) ([]byte, error)
	Delete(ctx context.Context, key string) error
}

// Checker is a backend that can tell whether it answers (for /readyz).
type Checker interface {
	Check(ctx context.Context) error
}

// Check tells whether the directory can hold blobs: absent is fine (it is
// made on the first upload), a file in its place or an unreadable one is
// not.
func (d Dir) Check(context.Context) error {
	fi, err := os.Stat(d.Root)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if !fi.IsDir() {
		return fmt.Errorf("files: %s is not a directory", d.Root)
	}
	return nil
}

// Dir is the filesystem backend: one file per blob under Root, written to
// a temporary name then renamed, so a crash never leaves half a blob.
type Dir struct{ Root string }

func (d Dir) path(key string) (string, error) {
	if key == "" || strings.Contains(key, "..") || strings.HasPrefix(key, "/") {
		return "", fmt.Errorf("files: bad key %q", key)
	}
	return filepath.Join(d.Root, filepath.FromSlash(key)), nil
}

func (d Dir) Put(_ context.Context, key string, data []byte) error {
	p, err := d.path(key)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(p), ".upload-*")
	if err != nil {
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), p)
}

func (d Dir) Get(_ context.Context, key string) ([]byte, error) {
	p, err := d.path(key)
	if err != nil {
		return nil, err
	}
	return os.ReadFile(p)
}

func (d Dir) Delete(_ context.Context, key string) error {
	p, err := d.path(key)
	if err != nil {
		return err
	}
	err = os.Remove(p)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	return err
}

// DefaultMaxSize is the largest file accepted unless the caller says less.
const DefaultMaxSize = 10 << 20

// Store seals, keeps and opens files.
type Store struct {
	Backend Backend
	MaxSize int64

	mu      sync.Mutex
	checked time.Time              // when the backend last answered Ready's question
	ready   error                  // and what it answered
	masters []cipher.AEAD          // master keys that unwrap data keys: the next one (during a rotation) first
	keyDir  string                 // DATA/keys, re-read before wrapping a new data key; "" for New
	keys    map[string]cipher.AEAD // establishment → unwrapped data key
}

// Limit is the largest file the store accepts; DefaultMaxSize without a
// store, for the forms that say it.
func (s *Store) Limit() int64 {
	if s == nil {
		return DefaultMaxSize
	}
	return s.MaxSize
}

// Open prepares the store of a data directory: blobs under DATA/files,
// the master key in DATA/keys/master.key (created when absent).
func Open(dataDir string) (*Store, error) {
	return OpenWith(dataDir, Dir{Root: filepath.Join(dataDir, "files")})
}

// OpenWith is Open with another backend: the keys stay in the data
// directory. The next key of an interrupted rotation, when present, is
// loaded too (keys.go).
func OpenWith(dataDir string, b Backend) (*Store, error) {
	dir := keyDir(dataDir)
	ks, err := readKeys(dir)
	if err != nil {
		return nil, err
	}
	if ks.master == nil {
		if ks.master, err = createKeyFile(filepath.Join(dir, MasterKeyFile)); err != nil {
			return nil, fmt.Errorf("files: cannot create the master key: %w", err)
		}
	}
	masters, err := ks.aeads()
	if err != nil {
		return nil, err
	}
	return &Store{Backend: b, MaxSize: DefaultMaxSize, masters: masters, keyDir: dir, keys: map[string]cipher.AEAD{}}, nil
}

// New makes a store over a backend with a 32-byte master key.
func New(b Backend, masterKey []byte) (*Store, error) {
	aead, err := gcm(masterKey)
	if err != nil {
		return nil, err
	}
	return &Store{Backend: b, MaxSize: DefaultMaxSize, masters: []cipher.AEAD{aead}, keys: map[string]cipher.AEAD{}}, nil
}

func gcm(key []byte) (cipher.AEAD, error) {
	if len(key) != 32 {
		return nil, fmt.Errorf("files: a key must be 32 bytes, got %d", len(key))
	}
	b, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(b)
}

func seal(a cipher.AEAD, plain, aad []byte) []byte {
	nonce := make([]byte, a.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		panic("files: no randomness: " + err.Error())
	}
	return a.Seal(nonce, nonce, plain, aad)
}

func unseal(a cipher.AEAD, sealed, aad []byte) ([]byte, error) {
	n := a.NonceSize()
	if len(sealed) < n {
		return nil, errors.New("files: sealed data too short")
	}
	return a.Open(nil, sealed[:n], sealed[n:], aad)
}

// dataKey returns the establishment's data key, creating and wrapping it
// on first use. Two replicas creating it at once agree through the
// primary key: the loser reads the winner's. A key read through a
// transaction is not kept in memory: the transaction may have created it
// and may still roll back, and a key kept but never stored would seal
// files that no restart could open.
func (s *Store) dataKey(ctx context.Context, q db.Querier, est string) (cipher.AEAD, error) {
	s.mu.Lock()
	k := s.keys[est]
	s.mu.Unlock()
	if k != nil {
		return k, nil
	}
	var wrapped []byte
	err := q.QueryRow(ctx, `SELECT wrapped FROM file_keys WHERE establishment_id = ?`, est).Scan(&wrapped)
	if errors.Is(err, sql.ErrNoRows) {
		raw := make([]byte, 32)
		if _, err := rand.Read(raw); err != nil {
			return nil, err
		}
		w, werr := s.wrapper()
		if werr != nil {
			return nil, werr
		}
		if _, err := q.Exec(ctx, `INSERT INTO file_keys (establishment_id, wrapped, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`,
			est, seal(w, raw, dataKeyAAD(est)), time.Now().Unix()); err != nil {
			return nil, err
		}
		err = q.QueryRow(ctx, `SELECT wrapped FROM file_keys WHERE establishment_id = ?`, est).Scan(&wrapped)
	}
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	masters := s.masters
	s.mu.Unlock()
	raw, ok := openWrapped(masters, est, wrapped)
	if !ok {
		return nil, errors.New("files: the data key does not open with this master key (wrong keys/master.key?)")
	}
	k, err = gcm(raw)
	if err != nil {
		return nil, err
	}
	if _, inTx := q.(*db.Tx); !inTx {
		s.mu.Lock()
		s.keys[est] = k
		s.mu.Unlock()
	}
	return k, nil
}

// File is a stored file's record.
type File struct {
	ID, EstablishmentID, OwnerID string
	Name, ContentType            string
	Size                         int64
	SHA256                       string
	CreatedAt                    time.Time
}

// Key is the file's blob name in the storage backend.
func (f File) Key() string { return f.EstablishmentID + "/" + f.ID }

// TooLarge refuses a file over the limit.
type TooLarge struct{ Limit int64 }

func (e TooLarge) Error() string { return fmt.Sprintf("files: larger than %d bytes", e.Limit) }

// Refused refuses a file of a type not accepted, or whose content does not
// match its name.
type Refused struct{ Name, Detected string }

func (e Refused) Error() string {
	return fmt.Sprintf("files: %q is not an accepted type (content looks like %s)", e.Name, e.Detected)
}

// ErrEmpty refuses an empty file.
var ErrEmpty = errors.New("files: empty file")

// Accepted maps each accepted extension to the content sniffed from the
// first bytes (http.DetectContentType) and the type it is served with.
var accepted = map[string]struct{ sniffed, serve string }{
	".pdf":  {"application/pdf", "application/pdf"},
	".png":  {"image/png", "image/png"},
	".jpg":  {"image/jpeg", "image/jpeg"},
	".jpeg": {"image/jpeg", "image/jpeg"},
	".webp": {"image/webp", "image/webp"},
	".txt":  {"text/plain; charset=utf-8", "text/plain; charset=utf-8"},
	".mp3":  {"audio/mpeg", "audio/mpeg"},
	".odt":  {"application/zip", "application/vnd.oasis.opendocument.text"},
	".ods":  {"application/zip", "application/vnd.oasis.opendocument.spreadsheet"},
	".odp":  {"application/zip", "application/vnd.oasis.opendocument.presentation"},
	".docx": {"application/zip", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
	".xlsx": {"application/zip", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
	".pptx": {"application/zip", "application/vnd.openxmlformats-officedocument.presentationml.presentation"},
}

// AcceptedExtensions lists the accepted extensions, for forms and messages.
const AcceptedExtensions = ".pdf, .png, .jpg, .webp, .txt, .mp3, .odt, .ods, .odp, .docx, .xlsx, .pptx"

// Check returns the type a file of that name and content is served with,
// or Refused.
func Check(name string, head []byte) (string, error) {
	ext := strings.ToLower(filepath.Ext(name))
	sniffed := http.DetectContentType(head)
	a, ok := accepted[ext]
	if !ok || a.sniffed != sniffed {
		return "", Refused{Name: name, Detected: sniffed}
	}
	return a.serve, nil
}

// CleanName keeps the base name of an uploaded file, without path or
// control characters, at most 120 bytes.
func CleanName(name string) string {
	name = filepath.Base(strings.ReplaceAll(name, "\\", "/"))
	var b strings.Builder
	for _, r := range name {
		if r >= ' ' && r != 0x7f && r != '"' && r != '/' {
			b.WriteRune(r)
		}
	}
	s := strings.TrimSpace(b.String())
	for len(s) > 120 {
		_, size := lastRune(s)
		s = s[:len(s)-size]
	}
	if s == "" || s == "." {
		s = "fichier"
	}
	return s
}

func lastRune(s string) (rune, int) {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i]&0xc0 != 0x80 {
			return rune(s[i]), len(s) - i
		}
	}
	return 0, 1
}

// ErrNoOwner refuses to store a file for a system viewer: a stored file
// belongs to the person who sent it.
var ErrNoOwner = errors.New("files: a stored file is owned by a person, not by the system")

// Save reads r (refusing more than limit bytes, or the store's MaxSize
// when limit is 0), checks its type, seals it under the establishment's
// key, stores the blob and records it through q, owned by the viewer. The
// caller's domain has decided that the viewer may send it there (an
// attachment, handed-in work). When the caller's transaction fails
// afterwards, it should call Discard.
func (s *Store) Save(ctx context.Context, v *access.Viewer, q db.Querier, est, name string, r io.Reader, limit int64) (File, error) {
	if v == nil || v.IsSystem() || v.ID == "" {
		return File{}, ErrNoOwner
	}
	owner := v.ID
	if limit <= 0 || limit > s.MaxSize {
		limit = s.MaxSize
	}
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return File{}, err
	}
	if int64(len(data)) > limit {
		return File{}, TooLarge{Limit: limit}
	}
	if len(data) == 0 {
		return File{}, ErrEmpty
	}
	name = CleanName(name)
	ct, err := Check(name, data[:min(len(data), 512)])
	if err != nil {
		return File{}, err
	}
	k, err := s.dataKey(ctx, q, est)
	if err != nil {
		return File{}, err
	}
	sum := sha256.Sum256(data)
	f := File{ID: ids.New(), EstablishmentID: est, OwnerID: owner, Name: name, ContentType: ct,
		Size: int64(len(data)), SHA256: hex.EncodeToString(sum[:]), CreatedAt: time.Now().UTC().Truncate(time.Second)}
	key := f.Key()
	if err := s.Backend.Put(ctx, key, seal(k, data, []byte("cartable-file:"+f.ID))); err != nil {
		return File{}, fmt.Errorf("files: store: %w (%w)", ErrUnavailable, err)
	}
	if _, err := q.Exec(ctx, `INSERT INTO files (id, establishment_id, owner_id, name, content_type, size, sha256, storage_key, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, f.ID, est, owner, f.Name, f.ContentType, f.Size, f.SHA256, key, f.CreatedAt.Unix()); err != nil {
		s.Backend.Delete(ctx, key)
		return File{}, err
	}
	return f, nil
}

// Discard removes the blob of a file whose record was rolled back.
//
// A blob the storage refuses to delete now is queued for erasure on d, so
// that the server's erasure retries it: no blob is left unknown.
func (s *Store) Discard(ctx context.Context, d *db.DB, f File) {
	if f.ID == "" {
		return
	}
	if err := s.Backend.Delete(ctx, f.Key()); err != nil && d != nil {
		d.Exec(ctx, `INSERT INTO file_erasures (storage_key, queued_at) VALUES (?, ?) ON CONFLICT (storage_key) DO NOTHING`,
			f.Key(), time.Now().Unix())
	}
}

// ErrUnavailable wraps a storage that did not take or give back a blob
// (an S3 server down or refusing, a full disk): nothing was recorded, and
// the request may be retried later.
var ErrUnavailable = errors.New("files: the storage did not answer")

// ErrNotFound is returned for a file that does not exist.
var ErrNotFound = errors.New("files: not found")

// Info returns the record of a file the viewer may read (read-file); a
// refusal (errors.Is(err, access.ErrDenied)) for one that is missing or
// out of reach.
func Info(ctx context.Context, v *access.Viewer, q db.Querier, id string) (File, error) {
	if err := v.Can(ctx, access.ReadFile, access.File(id)); err != nil {
		return File{}, err
	}
	return info(ctx, q, id)
}

func info(ctx context.Context, q db.Querier, id string) (File, error) {
	var f File
	var at int64
	err := q.QueryRow(ctx, `SELECT id, establishment_id, owner_id, name, content_type, size, sha256, created_at FROM files WHERE id = ?`, id).
		Scan(&f.ID, &f.EstablishmentID, &f.OwnerID, &f.Name, &f.ContentType, &f.Size, &f.SHA256, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return f, ErrNotFound
	}
	f.CreatedAt = time.Unix(at, 0).UTC()
	return f, err
}

// Read returns the record and the clear content of a file the viewer may
// read (read-file), checked against the recorded digest. A file missing or
// out of reach is a refusal; ErrNotFound means that the record was deleted
// meanwhile or that its blob is missing from the storage (the error says
// which, for the log).
func (s *Store) Read(ctx context.Context, v *access.Viewer, q db.Querier, id string) (File, []byte, error) {
	if err := v.Can(ctx, access.ReadFile, access.File(id)); err != nil {
		return File{}, nil, err
	}
	f, err := info(ctx, q, id)
	if err != nil {
		return f, nil, err
	}
	sealed, err := s.Backend.Get(ctx, f.Key())
	if errors.Is(err, fs.ErrNotExist) {
		// A record without its blob: the file is gone (or the storage
		// setting points at another bucket); say which.
		return f, nil, fmt.Errorf("files: the content of %s is missing from the storage: %w", f.ID, ErrNotFound)
	}
	if err != nil {
		return f, nil, fmt.Errorf("files: read %s: %w (%w)", f.ID, ErrUnavailable, err)
	}
	k, err := s.dataKey(ctx, q, f.EstablishmentID)
	if err != nil {
		return f, nil, err
	}
	plain, err := unseal(k, sealed, []byte("cartable-file:"+f.ID))
	if err != nil {
		return f, nil, fmt.Errorf("files: %s does not open: %w", f.ID, err)
	}
	sum := sha256.Sum256(plain)
	if !bytes.Equal([]byte(hex.EncodeToString(sum[:])), []byte(f.SHA256)) {
		return f, nil, fmt.Errorf("files: %s does not match its digest", f.ID)
	}
	return f, plain, nil
}

// DeleteRecords deletes the records of the given files inside the
// caller's transaction and returns their storage keys. Each deletion
// queues its blob (migration 0007): the caller erases them with Erase once
// the transaction has committed, or the server's erasure does later.
func DeleteRecords(ctx context.Context, q db.Querier, ids []string) ([]string, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	keys, err := db.Strings(ctx, q, `SELECT storage_key FROM files WHERE `+db.In(q, "id"), db.ListArg(q, ids))
	if err != nil {
		return nil, err
	}
	_, err = q.Exec(ctx, `DELETE FROM files WHERE `+db.In(q, "id"), db.ListArg(q, ids))
	return keys, err
}

// eraseBatch is how many queued keys one round of EraseQueued reads.
const eraseBatch = 200

// EraseQueued deletes from the storage backend the blobs queued for
// erasure (a row of files deleted by any path queues its storage key, in
// the same transaction: migration 0007), then their queue rows, batch by
// batch, and returns how many it erased. A blob already missing counts as
// erased. A blob whose deletion fails stays queued for the next run, and
// the error says how many failed; a batch where every deletion fails
// (the storage is down) ends the run.
//
// Several replicas may run it at once: each may delete the same blob (a
// missing blob is fine), and only the run that deletes a queue row counts
// it. It runs on the database, not in a transaction, so that no blob goes
// before the deletion of its record has committed.
func (s *Store) EraseQueued(ctx context.Context, d *db.DB) (int, error) {
	release, ok, err := s.mayErase(ctx, d) // pause.go
	if err != nil || !ok {
		return 0, err // a backup runs: the keys stay queued
	}
	defer release()
	total, failed := 0, 0
	var first error
	after := ""
	for {
		if err := ctx.Err(); err != nil {
			return total, err
		}
		batch, err := queued(ctx, d, `q.storage_key > ? ORDER BY q.storage_key LIMIT ?`, after, eraseBatch)
		if err != nil {
			return total, err
		}
		if len(batch) == 0 {
			break
		}
		n, f, blobErr, err := s.erase(ctx, d, batch)
		total += n
		failed += f
		if err != nil {
			return total, err
		}
		if first == nil {
			first = blobErr
		}
		if f > 0 && f == len(batch) {
			return total, fmt.Errorf("files: erasure stopped: none of %d queued blobs could be deleted: %w", f, first)
		}
		if len(batch) < eraseBatch {
			break
		}
		after = batch[len(batch)-1].key
	}
	if failed > 0 {
		return total, fmt.Errorf("files: %d queued blobs could not be deleted and stay queued: %w", failed, first)
	}
	return total, nil
}

// Erase deletes at once the blobs of these storage keys, if they are
// queued for erasure (their records deleted and committed), then their
// queue rows; a key not queued is left alone. It returns how many it
// erased; a failure leaves the key queued for EraseQueued.
func (s *Store) Erase(ctx context.Context, d *db.DB, keys ...string) (int, error) {
	if len(keys) == 0 {
		return 0, nil
	}
	release, ok, err := s.mayErase(ctx, d) // pause.go
	if err != nil || !ok {
		return 0, err // a backup runs: the keys stay queued for EraseQueued
	}
	defer release()
	batch, err := queued(ctx, d, db.In(d, "q.storage_key"), db.ListArg(d, keys))
	if err != nil {
		return 0, err
	}
	n, failed, blobErr, err := s.erase(ctx, d, batch)
	if err == nil && failed > 0 {
		err = fmt.Errorf("files: %d blobs could not be deleted and stay queued: %w", failed, blobErr)
	}
	return n, err
}

// queuedKey is a key of the erasure queue; live tells that a files row
// holds that key again (a restored record): its blob is not to be erased.
type queuedKey struct {
	key  string
	live bool
}

func queued(ctx context.Context, q db.Querier, where string, args ...any) ([]queuedKey, error) {
	rows, err := q.Query(ctx, `SELECT q.storage_key,
		CASE WHEN EXISTS (SELECT 1 FROM files f WHERE f.storage_key = q.storage_key) THEN 1 ELSE 0 END
		FROM file_erasures q WHERE `+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []queuedKey
	for rows.Next() {
		var k queuedKey
		var live int
		if err := rows.Scan(&k.key, &live); err != nil {
			return nil, err
		}
		k.live = live == 1
		out = append(out, k)
	}
	return out, rows.Err()
}

// erase deletes the blobs of a batch, then the queue rows of those that
// went (and of live keys, whose blob stays), and returns how many blobs it
// erased, how many failed and the first of those failures; err is a
// database failure.
func (s *Store) erase(ctx context.Context, d *db.DB, batch []queuedKey) (n, failed int, blobErr, err error) {
	var done, live []string
	for _, k := range batch {
		if k.live {
			live = append(live, k.key)
			continue
		}
		if err := s.Backend.Delete(ctx, k.key); err != nil {
			failed++
			if blobErr == nil {
				blobErr = err
			}
			continue
		}
		done = append(done, k.key)
	}
	if len(live) > 0 {
		if _, err := d.Exec(ctx, `DELETE FROM file_erasures WHERE `+db.In(d, "storage_key"), db.ListArg(d, live)); err != nil {
			return 0, failed, blobErr, err
		}
	}
	if len(done) == 0 {
		return 0, failed, blobErr, nil
	}
	r, err := d.Exec(ctx, `DELETE FROM file_erasures WHERE `+db.In(d, "storage_key"), db.ListArg(d, done))
	if err != nil {
		return 0, failed, blobErr, err
	}
	deleted, _ := r.RowsAffected()
	return int(deleted), failed, blobErr, nil
}

// Queue tells how many blobs wait for erasure and since when the oldest
// waits (zero when none), for the purge's report and monitoring.
func Queue(ctx context.Context, q db.Querier) (int, time.Time, error) {
	var n int
	var oldest sql.NullInt64
	if err := q.QueryRow(ctx, `SELECT COUNT(*), MIN(queued_at) FROM file_erasures`).Scan(&n, &oldest); err != nil {
		return 0, time.Time{}, err
	}
	if !oldest.Valid {
		return n, time.Time{}, nil
	}
	return n, time.Unix(oldest.Int64, 0).UTC(), nil
}

// readyEvery is how long Ready trusts the backend's last answer: a load
// balancer probing every second must not cost a bucket request each time.
const readyEvery = 10 * time.Second

// Ready tells whether the storage backend answers, asking it at most every
// readyEvery; a backend that cannot tell (not a Checker) is taken as ready.
func (s *Store) Ready(ctx context.Context) error {
	c, ok := s.Backend.(Checker)
	if !ok {
		return nil
	}
	s.mu.Lock()
	if time.Since(s.checked) < readyEvery {
		err := s.ready
		s.mu.Unlock()
		return err
	}
	s.mu.Unlock()
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	err := c.Check(ctx)
	s.mu.Lock()
	s.checked, s.ready = time.Now(), err
	s.mu.Unlock()
	return err
}

// StorageKeys lists the storage keys a backup must hold: those of every
// file record and those still queued for erasure (records deleted since
// the database copy was taken, whose blobs a paused erasure kept).
// Identifiers only.
func StorageKeys(ctx context.Context, q db.Querier) ([]string, error) {
	return db.Strings(ctx, q, `SELECT storage_key FROM files UNION SELECT storage_key FROM file_erasures ORDER BY 1`)
}
