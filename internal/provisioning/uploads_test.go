package provisioning_test

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"cartable/internal/access"
	"cartable/internal/dbtest"
	"cartable/internal/files"
	"cartable/internal/provisioning"
)

// A pending upload is stored sealed under the instance key of pending
// uploads, bound to its row and owner; one stored in clear by an older
// version does not open and is forgotten at start.
func TestPendingUploadsAreSealed(t *testing.T) {
	d := dbtest.Open(t)
	importAAF(t, d, completeDir, provisioning.Options{})
	owner := viewer(t, d, "H1") // the head of the collège
	store, err := files.New(files.Dir{Root: t.TempDir()}, bytes.Repeat([]byte{3}, 32))
	if err != nil {
		t.Fatal(err)
	}
	sealer := store.Sealer(d, files.PendingUploads)
	archive := []byte("PK… ENTEleveINE 0123456789A ENTEleveBoursier O")
	u := &provisioning.Upload{CreatedAt: time.Now(), Source: provisioning.AAF, Archive: archive, Fingerprint: "f"}
	if err := provisioning.SaveUpload(ctx, owner, d, u, nil); err == nil {
		t.Fatal("an upload was stored without a sealer")
	}
	if err := provisioning.SaveUpload(ctx, owner, d, u, sealer); err != nil {
		t.Fatal(err)
	}
	var stored []byte
	if err := d.QueryRow(ctx, `SELECT archive FROM import_uploads WHERE id = ?`, u.ID).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(stored, []byte("0123456789A")) || bytes.Contains(stored, []byte("Boursier")) {
		t.Fatal("the stored archive shows the delivery")
	}
	// Its sender's only: for anyone else, as if it did not exist.
	for _, other := range []*access.Viewer{viewer(t, d, "C1"), system} {
		if _, err := provisioning.LoadUpload(ctx, other, d, u.ID); !errors.Is(err, access.ErrDenied) {
			t.Errorf("someone else loads the upload: %v", err)
		}
		if err := provisioning.DeleteUpload(ctx, other, d, u.ID); err != nil || count(t, d, `SELECT COUNT(*) FROM import_uploads`) != 1 {
			t.Errorf("someone else deletes the upload: %v", err)
		}
	}
	loaded, err := provisioning.LoadUpload(ctx, owner, d, u.ID)
	if err != nil || loaded.Archive != nil || loaded.CreatedBy != owner.ID {
		t.Fatalf("load: %v (archive opened without asking: %v)", err, loaded.Archive != nil)
	}
	got, err := loaded.Open(ctx, sealer)
	if err != nil || !bytes.Equal(got, archive) {
		t.Fatalf("open: %q %v", got, err)
	}
	// Bound to its row: another row's seal does not open here.
	v := &provisioning.Upload{CreatedAt: time.Now(), Source: provisioning.AAF, Archive: []byte("other"), Fingerprint: "g"}
	if err := provisioning.SaveUpload(ctx, owner, d, v, sealer); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Exec(ctx, `UPDATE import_uploads SET archive = ? WHERE id = ?`, stored, v.ID); err != nil {
		t.Fatal(err)
	}
	moved, _ := provisioning.LoadUpload(ctx, owner, d, v.ID)
	if _, err := moved.Open(ctx, sealer); !errors.Is(err, provisioning.ErrUploadUnreadable) {
		t.Errorf("a seal moved to another row: %v", err)
	}
	// Stored in clear by an older version: forgotten at start, the others kept.
	if _, err := d.Exec(ctx, `UPDATE import_uploads SET archive = ? WHERE id = ?`, archive, v.ID); err != nil {
		t.Fatal(err)
	}
	n, err := provisioning.ForgetUnreadableUploads(ctx, d, sealer)
	if err != nil || n != 1 {
		t.Fatalf("forgotten: %d %v", n, err)
	}
	if ids := column(t, d, `SELECT id FROM import_uploads`); len(ids) != 1 || ids[0] != u.ID {
		t.Errorf("uploads left: %v", ids)
	}
}
