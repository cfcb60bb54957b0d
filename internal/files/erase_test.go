package files

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"cartable/internal/db"
	"cartable/internal/dbtest"
	"cartable/internal/directory"
	"cartable/internal/roles"
)

// outage wraps a real backend; Delete fails for the keys it names (or for
// every key when all is set), as a storage that is down or refuses.
type outage struct {
	Backend
	mu   sync.Mutex
	keys map[string]bool
	all  bool
}

func (o *outage) set(all bool, keys ...string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.all, o.keys = all, map[string]bool{}
	for _, k := range keys {
		o.keys[k] = true
	}
}

func (o *outage) Delete(ctx context.Context, key string) error {
	o.mu.Lock()
	fail := o.all || o.keys[key]
	o.mu.Unlock()
	if fail {
		return errors.New("storage unavailable")
	}
	return o.Backend.Delete(ctx, key)
}

func queuedKeys(t *testing.T, d *db.DB) []string {
	t.Helper()
	keys, err := db.Strings(context.Background(), d, `SELECT storage_key FROM file_erasures ORDER BY storage_key`)
	if err != nil {
		t.Fatal(err)
	}
	return keys
}

func newPerson(t *testing.T, d *db.DB, login string) string {
	t.Helper()
	p := &directory.Person{Profile: roles.Teacher, Login: login, LastName: strings.ToUpper(login), FirstName: "P", Active: true}
	if err := directory.CreatePerson(context.Background(), system, d, p, ""); err != nil {
		t.Fatal(err)
	}
	return p.ID
}

func sorted(s ...string) []string { slices.Sort(s); return s }

// Every way a files row goes — an explicit delete, a cascade from its
// owner or its establishment — queues its blob in the same transaction,
// on both engines and with both backends; EraseQueued then empties the
// storage of exactly those blobs.
func TestErasureQueuedByEveryDeletion(t *testing.T) {
	for _, bc := range backendCases {
		t.Run(bc.name, func(t *testing.T) {
			ctx := context.Background()
			d := dbtest.Open(t)
			est1, est2 := newEstablishment(t, d, "0750001A"), newEstablishment(t, d, "0750002B")
			p1, p2 := newPerson(t, d, "prof1"), newPerson(t, d, "prof2")
			dataDir := t.TempDir()
			b, raw, count := bc.open(t, dataDir)
			s, err := OpenWith(dataDir, b)
			if err != nil {
				t.Fatal(err)
			}
			save := func(est, owner, content string) File {
				f, err := s.Save(ctx, as(t, owner), d, est, "notes.txt", strings.NewReader(content), 0)
				if err != nil {
					t.Fatal(err)
				}
				return f
			}
			ofP1, ofP2, ofEst2, kept, gone := save(est1, p1, "un"), save(est1, p2, "deux"), save(est2, p2, "trois"),
				save(est1, p2, "quatre"), save(est1, p2, "cinq")

			// Cascades: a person deleted, an establishment deleted.
			if _, err := d.Exec(ctx, `DELETE FROM people WHERE id = ?`, p1); err != nil {
				t.Fatal(err)
			}
			if _, err := d.Exec(ctx, `DELETE FROM establishments WHERE id = ?`, est2); err != nil {
				t.Fatal(err)
			}
			// A deletion rolled back queues nothing.
			boom := errors.New("rolled back")
			if err := d.Tx(ctx, func(tx *db.Tx) error {
				if _, err := tx.Exec(ctx, `DELETE FROM files WHERE id = ?`, kept.ID); err != nil {
					return err
				}
				return boom
			}); !errors.Is(err, boom) {
				t.Fatal(err)
			}
			// An explicit delete of a row whose blob is already missing.
			if err := b.Delete(ctx, gone.Key()); err != nil {
				t.Fatal(err)
			}
			if _, err := d.Exec(ctx, `DELETE FROM files WHERE id = ?`, gone.ID); err != nil {
				t.Fatal(err)
			}
			if got, want := queuedKeys(t, d), sorted(ofP1.Key(), ofEst2.Key(), gone.Key()); !slices.Equal(got, want) {
				t.Fatalf("queued %v, want %v", got, want)
			}
			if n, oldest, err := Queue(ctx, d); err != nil || n != 3 || oldest.IsZero() {
				t.Fatalf("queue: %d %v %v", n, oldest, err)
			}
			// Queued only: the blobs are still there until the erasure.
			if raw(ofP1.Key()) == nil || raw(ofEst2.Key()) == nil {
				t.Fatal("a blob went before the erasure")
			}
			before := count()
			n, err := s.EraseQueued(ctx, d)
			if err != nil || n != 3 {
				t.Fatalf("erase: %d %v", n, err)
			}
			if raw(ofP1.Key()) != nil || raw(ofEst2.Key()) != nil || count() != before-2 {
				t.Fatal("a queued blob is still stored")
			}
			for _, f := range []File{ofP2, kept} {
				if _, _, err := s.Read(ctx, system, d, f.ID); err != nil {
					t.Errorf("a file still recorded no longer reads: %v", err)
				}
			}
			if got := queuedKeys(t, d); len(got) != 0 {
				t.Fatalf("still queued: %v", got)
			}
			if n, err := s.EraseQueued(ctx, d); err != nil || n != 0 {
				t.Fatalf("second run: %d %v", n, err)
			}
		})
	}
}

// Deleting the record, then erasing the blob (as the class log does once
// its transaction has committed); a blob that cannot be deleted
// stays queued, and a later run erases it. Nothing but queued keys is
// ever erased.
func TestRemoveAndFailedErasures(t *testing.T) {
	ctx := context.Background()
	d := dbtest.Open(t)
	est := newEstablishment(t, d, "0750001A")
	p := newPerson(t, d, "prof")
	dataDir := t.TempDir()
	dir := Dir{Root: dataDir + "/files"}
	o := &outage{Backend: dir}
	s, err := OpenWith(dataDir, o)
	if err != nil {
		t.Fatal(err)
	}
	var fs []File
	for i := range 5 {
		f, err := s.Save(ctx, as(t, p), d, est, "notes.txt", strings.NewReader(fmt.Sprint("contenu ", i)), 0)
		if err != nil {
			t.Fatal(err)
		}
		fs = append(fs, f)
	}
	has := func(f File) bool { _, err := dir.Get(ctx, f.Key()); return err == nil }
	remove := func(id string) error {
		keys, err := DeleteRecords(ctx, d, []string{id})
		if err != nil {
			return err
		}
		_, err = s.Erase(ctx, d, keys...)
		return err
	}

	// The blob's deletion fails: the record is gone, the blob stays queued.
	o.set(false, fs[0].Key())
	err = remove(fs[0].ID)
	if err == nil || !strings.Contains(err.Error(), "stay queued") {
		t.Fatalf("remove with the storage refusing: %v", err)
	}
	if _, _, err := s.Read(ctx, system, d, fs[0].ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("the removed file still reads: %v", err)
	}
	if !has(fs[0]) || !slices.Equal(queuedKeys(t, d), []string{fs[0].Key()}) {
		t.Fatal("the blob that could not be deleted is not queued")
	}
	// Removing another file works meanwhile, and of an unknown one is quiet.
	if err := remove(fs[1].ID); err != nil || has(fs[1]) {
		t.Fatalf("remove: %v", err)
	}
	if err := remove("no-such-file"); err != nil {
		t.Fatalf("remove of an unknown file: %v", err)
	}
	// A run while that key still fails erases the others and says so.
	if _, err := d.Exec(ctx, `DELETE FROM files WHERE id = ?`, fs[2].ID); err != nil {
		t.Fatal(err)
	}
	n, err := s.EraseQueued(ctx, d)
	if n != 1 || err == nil || !strings.Contains(err.Error(), "1 queued blobs could not be deleted") {
		t.Fatalf("run with one failure: %d %v", n, err)
	}
	if has(fs[2]) || !has(fs[0]) || !slices.Equal(queuedKeys(t, d), []string{fs[0].Key()}) {
		t.Fatal("after a partial run")
	}
	// The storage is down: the run stops, nothing is lost.
	o.set(true)
	if n, err := s.EraseQueued(ctx, d); n != 0 || err == nil || !strings.Contains(err.Error(), "stopped") {
		t.Fatalf("run with the storage down: %d %v", n, err)
	}
	if !slices.Equal(queuedKeys(t, d), []string{fs[0].Key()}) {
		t.Fatal("a failed run lost the queue")
	}
	// Back up: a later run erases it.
	o.set(false)
	if n, err := s.EraseQueued(ctx, d); n != 1 || err != nil || has(fs[0]) || len(queuedKeys(t, d)) != 0 {
		t.Fatalf("run after the outage: %d %v", n, err)
	}

	// Erase touches only queued keys: a live file's blob stays.
	if n, err := s.Erase(ctx, d, fs[3].Key()); n != 0 || err != nil || !has(fs[3]) {
		t.Fatalf("erase of a live file: %d %v", n, err)
	}
	// A key queued while a record holds it again (a restored record): the
	// blob stays and the key leaves the queue.
	if _, err := d.Exec(ctx, `INSERT INTO file_erasures (storage_key, queued_at) VALUES (?, 0)`, fs[4].Key()); err != nil {
		t.Fatal(err)
	}
	if n, err := s.EraseQueued(ctx, d); n != 0 || err != nil || !has(fs[4]) || len(queuedKeys(t, d)) != 0 {
		t.Fatalf("erase of a restored record's key: %d %v", n, err)
	}
	if _, got, err := s.Read(ctx, system, d, fs[4].ID); err != nil || string(got) != "contenu 4" {
		t.Fatalf("the restored file: %q %v", got, err)
	}
}

// Replicas erasing at once: no run fails, every blob goes, each is counted
// once.
func TestConcurrentErasure(t *testing.T) {
	ctx := context.Background()
	d := dbtest.Open(t)
	est := newEstablishment(t, d, "0750001A")
	p := newPerson(t, d, "prof")
	dataDir := t.TempDir()
	dir := Dir{Root: dataDir + "/files"}
	const total = 2*eraseBatch + 57
	err := d.Tx(ctx, func(tx *db.Tx) error {
		for i := range total {
			id := fmt.Sprintf("f%04d", i)
			if err := dir.Put(ctx, est+"/"+id, []byte("sealed")); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `INSERT INTO files (id, establishment_id, owner_id, name, content_type, size, sha256, storage_key, created_at)
				VALUES (?, ?, ?, 'x.txt', 'text/plain', 6, '', ?, 0)`, id, est, p, est+"/"+id); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Exec(ctx, `DELETE FROM people WHERE id = ?`, p); err != nil {
		t.Fatal(err)
	}
	if n := len(queuedKeys(t, d)); n != total {
		t.Fatalf("%d queued, want %d", n, total)
	}
	var wg sync.WaitGroup
	counts := make([]int, 4)
	errs := make([]error, 4)
	for i := range counts {
		s, err := OpenWith(dataDir, dir)
		if err != nil {
			t.Fatal(err)
		}
		wg.Go(func() { counts[i], errs[i] = s.EraseQueued(ctx, d) })
	}
	wg.Wait()
	sum := 0
	for i := range counts {
		if errs[i] != nil {
			t.Errorf("run %d: %v", i, errs[i])
		}
		sum += counts[i]
	}
	if sum != total {
		t.Errorf("erased %v, %d in all, want %d", counts, sum, total)
	}
	if n := len(queuedKeys(t, d)); n != 0 {
		t.Errorf("%d still queued", n)
	}
	for i := range total {
		if _, err := dir.Get(ctx, fmt.Sprintf("%s/f%04d", est, i)); err == nil {
			t.Fatalf("blob %d is still stored", i)
		}
	}
}

// A blob written for a save that rolled back, which the storage refuses to
// delete at once, is queued and erased by the next run.
func TestDiscardQueuesWhatItCannotDelete(t *testing.T) {
	ctx := context.Background()
	d := dbtest.Open(t)
	est := newEstablishment(t, d, "0750001A")
	p := newPerson(t, d, "prof")
	dataDir := t.TempDir()
	dir := Dir{Root: dataDir + "/files"}
	o := &outage{Backend: dir}
	s, err := OpenWith(dataDir, o)
	if err != nil {
		t.Fatal(err)
	}
	var f File
	rollback := errors.New("rolled back")
	err = d.Tx(ctx, func(tx *db.Tx) (err error) {
		if f, err = s.Save(ctx, as(t, p), tx, est, "notes.txt", strings.NewReader("brouillon"), 0); err != nil {
			return err
		}
		return rollback
	})
	if !errors.Is(err, rollback) {
		t.Fatal(err)
	}
	o.set(true)
	s.Discard(ctx, d, f)
	if got := queuedKeys(t, d); !slices.Equal(got, []string{f.Key()}) {
		t.Fatalf("queued after a refused discard: %v", got)
	}
	o.set(false)
	if n, err := s.EraseQueued(ctx, d); err != nil || n != 1 {
		t.Fatalf("erasure: %d %v", n, err)
	}
	if _, err := dir.Get(ctx, f.Key()); err == nil {
		t.Fatal("the discarded blob is still stored")
	}
}
