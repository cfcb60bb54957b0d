package main_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cartable/internal/access"
	"cartable/internal/dbtest"
	"cartable/internal/directory"
	"cartable/internal/files"
	"cartable/internal/provisioning"
	"cartable/internal/roles"
)

// seedPurge makes an establishment, a teacher and a student closed 100
// days ago, each with a stored file on backend, and returns the files:
// the student's (due for erasure) and the teacher's (to keep).
func seedPurge(t *testing.T, url, data string, backend files.Backend) (student, teacher files.File) {
	t.Helper()
	ctx := context.Background()
	d, e := openWithEstablishment(t, url)
	defer d.Close()
	s, err := files.OpenWith(data, backend)
	if err != nil {
		t.Fatal(err)
	}
	var out []files.File
	for _, p := range []*directory.Person{
		{Profile: roles.Student, Login: "eleve", LastName: "ELEVE", FirstName: "E", Active: true},
		{Profile: roles.Teacher, Login: "prof", LastName: "PROF", FirstName: "P", Active: true},
	} {
		if err := directory.CreatePerson(ctx, access.System("test"), d, p, ""); err != nil {
			t.Fatal(err)
		}
		f, err := s.Save(ctx, &access.Viewer{ID: p.ID}, d, e.ID, "copie.txt", strings.NewReader("travail de "+p.Login), 0)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, f)
	}
	if err := provisioning.Deactivate(ctx, access.System("test"), d, out[0].OwnerID, time.Now().Add(-100*24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	return out[0], out[1]
}

// TestPurgeCommandErasesFiles runs "cartable purge" on the directory
// storage and on a bucket: the purged student's file leaves the storage
// the server uses, the teacher's stays; a storage that refuses an erasure
// keeps it queued until a later run.
func TestPurgeCommandErasesFiles(t *testing.T) {
	t.Run("dir", func(t *testing.T) {
		data, url := t.TempDir(), dbtest.URL(t)
		blob := func(f files.File) string { return filepath.Join(data, "files", f.EstablishmentID, f.ID) }
		student, teacher := seedPurge(t, url, data, files.Dir{Root: filepath.Join(data, "files")})

		out, code := run(t, "purge", "--data", data, "--database", url, "--dry-run")
		if code != 0 || !strings.Contains(out, "0 stored files waiting for erasure") {
			t.Fatalf("dry run: %d %q", code, out)
		}
		// The storage refuses the erasure (the blob's path is now a folder
		// that cannot be removed): the purge is done, the blob stays queued
		// and the command says so.
		os.Remove(blob(student))
		if err := os.MkdirAll(filepath.Join(blob(student), "x"), 0o700); err != nil {
			t.Fatal(err)
		}
		out, code = run(t, "purge", "--data", data, "--database", url, "--purge-after-days", "30")
		if code != 1 || !strings.Contains(out, "1 stored files removed") || !strings.Contains(out, "0 stored files erased from the storage; 1 still waiting") ||
			!strings.Contains(out, "stay queued") {
			t.Fatalf("purge with the storage refusing: %d %q", code, out)
		}
		if strings.Contains(out, "ELEVE") || strings.Contains(out, "copie.txt") {
			t.Errorf("the output names a person or a file: %q", out)
		}
		out, code = run(t, "purge", "--data", data, "--database", url, "--dry-run")
		if code != 0 || !strings.Contains(out, "1 stored files waiting for erasure") {
			t.Fatalf("dry run with a queued file: %d %q", code, out)
		}
		// Repaired: the next run erases it.
		os.RemoveAll(blob(student))
		out, code = run(t, "purge", "--data", data, "--database", url, "--purge-after-days", "30")
		if code != 0 || !strings.Contains(out, "1 stored files erased from the storage; 0 still waiting") {
			t.Fatalf("second purge: %d %q", code, out)
		}
		if _, err := os.Stat(blob(student)); !os.IsNotExist(err) {
			t.Errorf("the student's blob: %v", err)
		}
		if b, err := readFile(t, url, data, teacher.ID); err != nil || string(b) != "travail de prof" {
			t.Errorf("the teacher's file: %q %v", b, err)
		}
	})

	t.Run("s3", func(t *testing.T) {
		storage, mem := startS3(t)
		creds := []string{"CARTABLE_S3_ACCESS_KEY=" + s3Access, "CARTABLE_S3_SECRET_KEY=" + s3Secret}
		data, url := t.TempDir(), dbtest.URL(t)
		backend, err := files.OpenBackend(context.Background(), storage, data, files.Credentials{AccessKey: s3Access, SecretKey: s3Secret})
		if err != nil {
			t.Fatal(err)
		}
		student, teacher := seedPurge(t, url, data, backend)
		has := func(f files.File) bool {
			obj, err := mem.HeadObject("cartable", "ent/"+f.Key())
			return err == nil && obj != nil
		}
		if !has(student) || !has(teacher) {
			t.Fatal("the seeded files are not in the bucket")
		}
		// The bucket named wrong: refused in one line, nothing purged.
		out, code := runEnv(t, creds, "purge", "--data", data, "--database", url, "--purge-after-days", "30", "--storage", "s3://Mon_Bucket")
		oneLineError(t, out, code, "not a valid bucket name")
		out, code = runEnv(t, append(creds, "CARTABLE_STORAGE="+storage), "purge", "--data", data, "--database", url, "--dry-run")
		if code != 0 || !strings.Contains(out, "1 due now") {
			t.Fatalf("the refused purge erased something: %d %q", code, out)
		}
		out, code = runEnv(t, append(creds, "CARTABLE_STORAGE="+storage), "purge", "--data", data, "--database", url, "--purge-after-days", "30")
		if code != 0 || !strings.Contains(out, "1 stored files erased from the storage; 0 still waiting") {
			t.Fatalf("purge: %d %q", code, out)
		}
		if has(student) || !has(teacher) {
			t.Errorf("after the purge: student's file in the bucket %v, teacher's %v", has(student), has(teacher))
		}
		if strings.Contains(out, s3Secret) {
			t.Error("the secret key was printed")
		}
	})
}
