// Package auth signs people in and keeps their accounts: password hashing
// (argon2id), server-side sessions and their timeouts, attempt limiting,
// second factors, activation codes and password reset. The steps before
// anyone is known (sign-in, activation, reset) take no viewer; what acts on
// one's own account takes the viewer of a session and acts on it only
// (account.go, enrol.go); what acts on someone else's account asks the
// access policy, which decides who may see and do what (admin.go).
package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Argon2id parameters: OWASP's first recommended set (19 MiB, 2 passes,
// 1 lane). A hash records its own parameters, so changing them later still
// verifies old hashes, and they are re-hashed with the current parameters
// at the next successful sign-in.
const (
	argonMemory  = 19 * 1024 // KiB
	argonTime    = 2
	argonThreads = 1
	argonKeyLen  = 32
	saltLen      = 16
)

var b64 = base64.RawStdEncoding

// HashPassword returns a PHC-format argon2id hash of pw with a fresh salt.
func HashPassword(pw string) (string, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(pw), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

var errBadHash = errors.New("auth: malformed password hash")

type argonParams struct {
	memory  uint32
	time    uint32
	threads uint8
	salt    []byte
	key     []byte
}

func parseHash(h string) (argonParams, error) {
	var p argonParams
	parts := strings.Split(h, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return p, errBadHash
	}
	var v int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &v); err != nil || v != argon2.Version {
		return p, errBadHash
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.memory, &p.time, &p.threads); err != nil {
		return p, errBadHash
	}
	if p.memory == 0 || p.memory > 1<<20 || p.time == 0 || p.time > 16 || p.threads == 0 {
		return p, errBadHash
	}
	var err error
	if p.salt, err = b64.DecodeString(parts[4]); err != nil {
		return p, errBadHash
	}
	if p.key, err = b64.DecodeString(parts[5]); err != nil || len(p.key) == 0 {
		return p, errBadHash
	}
	return p, nil
}

// VerifyPassword reports whether pw matches hash, in constant time, and
// whether the hash uses other parameters than the current ones.
func VerifyPassword(hash, pw string) (ok, outdated bool) {
	p, err := parseHash(hash)
	if err != nil {
		return false, false
	}
	key := argon2.IDKey([]byte(pw), p.salt, p.time, p.memory, p.threads, uint32(len(p.key)))
	ok = subtle.ConstantTimeCompare(key, p.key) == 1
	outdated = p.memory != argonMemory || p.time != argonTime || p.threads != argonThreads ||
		len(p.key) != argonKeyLen || len(p.salt) != saltLen
	return ok, outdated
}

// dummyHash is verified against when the login is unknown, so that a wrong
// login and a wrong password take the same time.
var dummyHash = func() string {
	h, err := HashPassword("cartable: no such account")
	if err != nil {
		panic(err)
	}
	return h
}()
