// Package ids makes the random identifiers used as primary keys and in URLs:
// 80 bits of randomness in lower-case base32, unguessable and URL-safe.
package ids

import (
	"crypto/rand"
	"encoding/base32"
	"io"
)

var enc = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// New returns a fresh random identifier (16 characters).
func New() string { return From(rand.Reader) }

// From reads the identifier's randomness from r; the demo generator passes a
// seeded source so that the same seed gives the same identifiers.
func From(r io.Reader) string {
	var b [10]byte
	if _, err := io.ReadFull(r, b[:]); err != nil {
		panic("ids: cannot read randomness: " + err.Error())
	}
	return enc.EncodeToString(b[:])
}
