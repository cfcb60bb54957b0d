package demo_test

import (
	"context"
	"errors"
	"testing"

	"cartable/internal/access"
	"cartable/internal/auth"
	"cartable/internal/db"
	"cartable/internal/dbtest"
	"cartable/internal/demo"
	"cartable/internal/directory"
	"cartable/internal/provisioning"
	"cartable/internal/provisioning/synth"
)

// A synthetic region imported for real gets passwords for a sample of its
// students and relatives; a directory holding a real establishment is
// refused and keeps its passwords.
func TestSamplePasswordsOnlyOnASyntheticDirectory(t *testing.T) {
	ctx := context.Background()
	d := dbtest.Open(t)
	sys := access.System("test")
	dir := t.TempDir()
	if _, err := synth.Complete(dir, synth.Options{People: 1200, Establishments: 2}); err != nil {
		t.Fatal(err)
	}
	files, err := provisioning.FilesFromPaths([]string{dir})
	if err != nil {
		t.Fatal(err)
	}
	dl, err := provisioning.ReadAAF(files)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := provisioning.Import(ctx, sys, d, dl, provisioning.Options{}); err != nil {
		t.Fatal(err)
	}
	accts, err := demo.SamplePasswords(ctx, sys, d, 10, "")
	if err != nil {
		t.Fatal(err)
	}
	profiles := map[string]int{}
	for _, a := range accts {
		profiles[a.Profile]++
		_, hash, err := directory.Credentials(ctx, sys, d, a.Login)
		if err != nil {
			t.Fatal(err)
		}
		if ok, _ := auth.VerifyPassword(hash, a.Password); !ok {
			t.Fatalf("%s: the password written does not open the account", a.Profile)
		}
	}
	if profiles["student"] < 20 || profiles["relative"] < 20 || len(profiles) != 2 {
		t.Fatalf("sampled %v: want students and relatives only, about one in ten", profiles)
	}

	if err := d.Tx(ctx, func(tx *db.Tx) error {
		return directory.CreateEstablishment(ctx, sys, tx, &directory.Establishment{UAI: "0590001A", Name: "COLLEGE JEAN MOULIN", Kind: "college", City: "LILLE"})
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := demo.SamplePasswords(ctx, sys, d, 10, "other-password-2026"); !errors.Is(err, access.ErrDenied) {
		t.Fatalf("a directory with a real establishment: %v, want a refusal", err)
	}
	student, hash, _ := directory.Credentials(ctx, sys, d, accts[0].Login)
	if ok, _ := auth.VerifyPassword(hash, "other-password-2026"); ok {
		t.Fatal("a refused sample changed a password")
	}
	if _, err := directory.SyntheticSample(ctx, &access.Viewer{ID: student.ID}, d, 10); !errors.Is(err, access.ErrDenied) {
		t.Fatalf("a student sampling accounts: %v, want a refusal", err)
	}
}
