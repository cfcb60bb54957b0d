// Package ids makes the random identifiers used as primary keys and in URLs:
// 80 bits of randomness in lower-case base32, unguessable and URL-safe.
package ids

import (
	"context"
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

type sourceKey struct{}

// WithSource returns a context whose writes draw their identifiers from r
// (For): the demo generator passes its seeded source, so that the rows the
// domains write for it get the same identifiers from the same seed. r is
// read by one goroutine at a time, as the generator's transaction is.
func WithSource(ctx context.Context, r io.Reader) context.Context {
	return context.WithValue(ctx, sourceKey{}, r)
}

// For returns a new identifier from ctx's source (WithSource), or a fresh
// random one.
func For(ctx context.Context) string {
	if r, ok := ctx.Value(sourceKey{}).(io.Reader); ok {
		return From(r)
	}
	return New()
}
