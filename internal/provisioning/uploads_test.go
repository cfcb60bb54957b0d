package provisioning_test

import (
	"bytes"
	"errors"
	"slices"
	"testing"
	"time"

	"cartable/internal/access"
	"cartable/internal/dbtest"
	"cartable/internal/directory"
	"cartable/internal/files"
	"cartable/internal/provisioning"
	"cartable/internal/roles"
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
	// Concerning no establishment, it is its sender's only: for anyone
	// else, as if it did not exist.
	now := time.Now()
	for _, other := range []*access.Viewer{viewer(t, d, "C1"), system} {
		if _, err := provisioning.LoadUpload(ctx, other, d, u.ID, now); !errors.Is(err, access.ErrDenied) {
			t.Errorf("someone else loads the upload: %v", err)
		}
		if err := provisioning.DeleteUpload(ctx, other, d, u.ID); !errors.Is(err, access.ErrDenied) || count(t, d, `SELECT COUNT(*) FROM import_uploads`) != 1 {
			t.Errorf("someone else deletes the upload: %v", err)
		}
	}
	loaded, err := provisioning.LoadUpload(ctx, owner, d, u.ID, now)
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
	moved, _ := provisioning.LoadUpload(ctx, owner, d, v.ID, now)
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

// A pending upload is listed to, and handled by, whoever may import it:
// its sender and anyone holding the provision right on all it concerns,
// the rights asked again at every step; it expires after a day.
func TestPendingUploadsForWhoMayImportThem(t *testing.T) {
	d := dbtest.Open(t)
	importAAF(t, d, completeDir, provisioning.Options{})
	college := column(t, d, `SELECT id FROM establishments WHERE uai = '0750001A'`)[0]
	lycee := column(t, d, `SELECT id FROM establishments WHERE uai = '0750002B'`)[0]
	staff := func(login, est, fn string) *access.Viewer {
		t.Helper()
		p := &directory.Person{Profile: roles.Staff, Login: login, FirstName: login, LastName: "X", Active: true}
		if err := directory.CreatePerson(ctx, system, d, p, ""); err != nil {
			t.Fatal(err)
		}
		if err := directory.AddMembership(ctx, system, d, p.ID, est); err != nil {
			t.Fatal(err)
		}
		if err := directory.AddFunction(ctx, system, d, p.ID, est, fn); err != nil {
			t.Fatal(err)
		}
		v, err := access.New(d).Viewer(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	head, cpe := viewer(t, d, "H1"), viewer(t, d, "C1")
	secretary := staff("sec.college", college, roles.Secretary)
	other := staff("head.lycee", lycee, roles.Head)
	store, err := files.New(files.Dir{Root: t.TempDir()}, bytes.Repeat([]byte{3}, 32))
	if err != nil {
		t.Fatal(err)
	}
	sealer := store.Sealer(d, files.PendingUploads)
	now := time.Now()
	save := func(by *access.Viewer, sum provisioning.Summary) string {
		t.Helper()
		u := &provisioning.Upload{CreatedAt: now, Source: provisioning.AAF, Archive: []byte("zip"), Fingerprint: "f", Summary: sum}
		if err := provisioning.SaveUpload(ctx, by, d, u, sealer); err != nil {
			t.Fatal(err)
		}
		return u.ID
	}
	ofCollege := save(head, provisioning.Summary{Establishments: []provisioning.EstablishmentSummary{{ID: college, UAI: "0750001A"}},
		Scope: provisioning.Scope{Named: []string{college}, Establishments: []string{college}}})
	reachingLycee := save(head, provisioning.Summary{Establishments: []provisioning.EstablishmentSummary{{ID: college, UAI: "0750001A"}},
		Scope: provisioning.Scope{Named: []string{college}, Establishments: []string{college, lycee}}})
	ofNothing := save(head, provisioning.Summary{})
	listed := func(v *access.Viewer, at time.Time) []string {
		t.Helper()
		list, err := provisioning.PendingUploads(ctx, v, d, at)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, p := range list {
			out = append(out, p.ID)
			if p.Mine != (v == head) || p.ExpiresAt() != p.CreatedAt.Add(provisioning.UploadRetention) {
				t.Errorf("%+v", p)
			}
		}
		return out
	}
	same := func(got []string, want ...string) bool {
		slices.Sort(got)
		slices.Sort(want)
		return slices.Equal(got, want)
	}
	// Even its sender no longer handles an upload reaching beyond their
	// rights (the preview refuses such a delivery: the rights changed).
	if got := listed(head, now); !same(got, ofCollege, ofNothing) {
		t.Errorf("the sender's list: %v", got)
	}
	if got := listed(secretary, now); !same(got, ofCollege) {
		t.Errorf("the secretary's list: %v (the upload of the collège alone)", got)
	}
	if got := listed(other, now); !same(got) {
		t.Errorf("the lycée's head's list: %v", got)
	}
	if _, err := provisioning.PendingUploads(ctx, cpe, d, now); !errors.Is(err, access.ErrDenied) {
		t.Errorf("the CPE lists uploads: %v", err)
	}
	list, _ := provisioning.PendingUploads(ctx, secretary, d, now)
	if len(list) != 1 || list[0].By.Name != person(t, d, "H1").DisplayName() {
		t.Errorf("the secretary does not see who sent it: %+v", list)
	}
	// Loading, updating, discarding: the same rule.
	for _, v := range []*access.Viewer{other, cpe} {
		if _, err := provisioning.LoadUpload(ctx, v, d, ofCollege, now); !errors.Is(err, access.ErrDenied) {
			t.Errorf("loaded by someone without the right: %v", err)
		}
		if err := provisioning.DeleteUpload(ctx, v, d, ofCollege); !errors.Is(err, access.ErrDenied) {
			t.Errorf("discarded by someone without the right: %v", err)
		}
	}
	if _, err := provisioning.LoadUpload(ctx, secretary, d, reachingLycee, now); !errors.Is(err, access.ErrDenied) {
		t.Errorf("the secretary loads an upload reaching the lycée: %v", err)
	}
	u, err := provisioning.LoadUpload(ctx, secretary, d, ofCollege, now)
	if err != nil {
		t.Fatal(err)
	}
	if b, err := u.Open(ctx, sealer); err != nil || string(b) != "zip" {
		t.Errorf("the secretary opens the head's upload: %q %v", b, err)
	}
	u.Fingerprint = "g"
	if err := provisioning.UpdateUpload(ctx, secretary, d, u); err != nil {
		t.Errorf("the secretary updates the review: %v", err)
	}
	// Expired a day later, for everyone.
	later := now.Add(provisioning.UploadRetention + time.Minute)
	if got := listed(head, later); len(got) != 0 {
		t.Errorf("expired uploads listed: %v", got)
	}
	if _, err := provisioning.LoadUpload(ctx, head, d, ofCollege, later); !errors.Is(err, access.ErrDenied) {
		t.Errorf("an expired upload loads: %v", err)
	}
	// The sender who lost the right loses the upload too.
	if _, err := d.Exec(ctx, `DELETE FROM functions WHERE person_id = ?`, head.ID); err != nil {
		t.Fatal(err)
	}
	head, _ = access.New(d).Viewer(ctx, head.ID)
	if _, err := provisioning.LoadUpload(ctx, head, d, ofCollege, now); !errors.Is(err, access.ErrDenied) {
		t.Errorf("the former head loads their upload: %v", err)
	}
	if err := provisioning.DeleteUpload(ctx, secretary, d, ofCollege); err != nil {
		t.Fatal(err)
	}
	if n := count(t, d, `SELECT COUNT(*) FROM import_uploads WHERE id = ?`, ofCollege); n != 0 {
		t.Error("the discarded upload stays")
	}
}
