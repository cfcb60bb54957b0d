package files_test

import (
	"context"
	"testing"
	"time"

	"cartable/internal/dbtest"
	"cartable/internal/files"
)

// While a backup pauses erasure, queued blobs stay (in the storage and in
// the queue); once it releases, the next run erases them. A second pause
// waits for the first.
func TestPauseErasure(t *testing.T) {
	ctx := context.Background()
	d := dbtest.Open(t)
	dir := t.TempDir()
	s, err := files.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Backend.Put(ctx, "e/blob", []byte("x")); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Exec(ctx, `INSERT INTO file_erasures (storage_key, queued_at) VALUES ('e/blob', 1)`); err != nil {
		t.Fatal(err)
	}
	release, err := files.PauseErasure(ctx, d, dir)
	if err != nil {
		t.Fatal(err)
	}
	if n, err := s.EraseQueued(ctx, d); n != 0 || err != nil {
		t.Fatalf("erasure during a pause: %d, %v", n, err)
	}
	if n, err := s.Erase(ctx, d, "e/blob"); n != 0 || err != nil {
		t.Fatalf("immediate erasure during a pause: %d, %v", n, err)
	}
	if _, err := s.Backend.Get(ctx, "e/blob"); err != nil {
		t.Fatalf("the blob went during a pause: %v", err)
	}
	short, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	if _, err := files.PauseErasure(short, d, dir); err == nil {
		t.Fatal("a second pause did not wait for the first")
	}
	release()
	if n, err := s.EraseQueued(ctx, d); n != 1 || err != nil {
		t.Fatalf("erasure after the pause: %d, %v", n, err)
	}
	if _, err := s.Backend.Get(ctx, "e/blob"); err == nil {
		t.Fatal("the blob stays after the pause")
	}
}
