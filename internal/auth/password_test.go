package auth

import (
	"fmt"
	"strings"
	"testing"

	"golang.org/x/crypto/argon2"
)

func TestHashAndVerify(t *testing.T) {
	h, err := HashPassword("correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("unexpected hash format %q", h)
	}
	if ok, outdated := VerifyPassword(h, "correct horse battery staple"); !ok || outdated {
		t.Fatalf("verify = %v, outdated = %v", ok, outdated)
	}
	if ok, _ := VerifyPassword(h, "correct horse battery stapler"); ok {
		t.Fatal("a wrong password verified")
	}
	h2, _ := HashPassword("correct horse battery staple")
	if h == h2 {
		t.Fatal("two hashes of one password are equal: the salt is not random")
	}
}

func TestOutdatedHashStillVerifies(t *testing.T) {
	salt := []byte("0123456789abcdef")
	key := argon2.IDKey([]byte("pw"), salt, 1, 8*1024, 1, 32)
	old := fmt.Sprintf("$argon2id$v=19$m=%d,t=%d,p=%d$%s$%s", 8*1024, 1, 1, b64.EncodeToString(salt), b64.EncodeToString(key))
	ok, outdated := VerifyPassword(old, "pw")
	if !ok || !outdated {
		t.Fatalf("old parameters: ok=%v outdated=%v", ok, outdated)
	}
}

func TestMalformedHashesNeverVerify(t *testing.T) {
	for _, h := range []string{"", "plain", "$argon2i$v=19$m=1,t=1,p=1$c2FsdA$a2V5", "$argon2id$v=19$m=0,t=1,p=1$c2FsdA$a2V5",
		"$argon2id$v=19$m=99999999,t=1,p=1$c2FsdA$a2V5", "$argon2id$v=18$m=8,t=1,p=1$c2FsdA$a2V5", "$argon2id$v=19$m=8,t=1,p=1$!!$a2V5"} {
		if ok, _ := VerifyPassword(h, "x"); ok {
			t.Errorf("malformed hash %q verified", h)
		}
	}
}

// BenchmarkVerifyPassword is what a sign-in costs the server's CPU: one
// argon2id derivation with the current parameters. It bounds the sign-ins
// a core serves a second (docs/operations.md, "The 8 a.m. rush").
func BenchmarkVerifyPassword(b *testing.B) {
	h, err := HashPassword("correct horse battery staple")
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if ok, _ := VerifyPassword(h, "correct horse battery staple"); !ok {
			b.Fatal("the password does not verify")
		}
	}
}
