package files

import (
	"bytes"
	"context"
	"testing"
)

// The instance key that seals account secrets is a data key like the
// establishments': made at first use, wrapped by the master key, checked at
// start and re-wrapped by a rotation, crash included.
func TestInstanceKeyUnderTheMasterKey(t *testing.T) {
	ctx := context.Background()
	r := newRotation(t)
	s := r.restart(t)
	x := s.Sealer(r.d, AccountSecrets)
	aad := []byte("cartable-totp:person")
	sealed, err := x.Seal(ctx, []byte("JBSWY3DPEHPK3PXP"), aad)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(sealed, []byte("JBSWY3DPEHPK3PXP")) {
		t.Fatal("the seal shows the secret")
	}
	if _, err := x.Open(ctx, sealed, []byte("cartable-totp:other")); err == nil {
		t.Fatal("a seal opened under another row's binding")
	}
	if n, err := s.CheckKeys(ctx, r.d); err != nil || n != 3 {
		t.Fatalf("CheckKeys: %d %v, want 2 establishments and the instance key", n, err)
	}
	// Another replica (another Sealer, same keys) uses the same key.
	if plain, err := r.restart(t).Sealer(r.d, AccountSecrets).Open(ctx, sealed, aad); err != nil || string(plain) != "JBSWY3DPEHPK3PXP" {
		t.Fatalf("another replica: %q %v", plain, err)
	}
	var before []byte
	r.d.QueryRow(ctx, `SELECT wrapped FROM instance_keys WHERE name = ?`, AccountSecrets).Scan(&before)

	// A rotation that crashes before its commit changes nothing; run again,
	// it re-wraps the instance key with the others.
	crashAt(t, "before-commit")
	if _, err := Rotate(ctx, r.d, r.dir, RotateOptions{}); err == nil {
		t.Fatal("the crash did not happen")
	}
	rotateHook = func(string) error { return nil }
	res, err := Rotate(ctx, r.d, r.dir, RotateOptions{})
	if err != nil || res.DataKeys != 3 || !res.Resumed {
		t.Fatalf("rotation: %+v %v", res, err)
	}
	var after []byte
	r.d.QueryRow(ctx, `SELECT wrapped FROM instance_keys WHERE name = ?`, AccountSecrets).Scan(&after)
	if bytes.Equal(before, after) {
		t.Fatal("the instance key was not re-wrapped")
	}
	if plain, err := r.restart(t).Sealer(r.d, AccountSecrets).Open(ctx, sealed, aad); err != nil || string(plain) != "JBSWY3DPEHPK3PXP" {
		t.Fatalf("after the rotation: %q %v", plain, err)
	}
	// Another master key opens nothing.
	old := r.onlyKey(t, bytes.Repeat([]byte{1}, 32))
	if _, err := old.Sealer(r.d, AccountSecrets).Open(ctx, sealed, aad); err == nil {
		t.Fatal("a wrong master key opened the instance key")
	}
}
