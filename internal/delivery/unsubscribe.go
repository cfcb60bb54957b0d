package delivery

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"cartable/internal/db"
)

// UnsubscribeKeyFile is the secret of the unsubscribe links, in DATA/keys
// beside the VAPID key: 32 random bytes (hex), mode 0600, made once. A new
// key only makes the links of the e-mails already sent stop working.
const UnsubscribeKeyFile = "unsubscribe.key"

// UnsubscribeTTL is how long an unsubscribe link works: long enough for a
// mail read weeks later, short enough that an old mailbox is no key.
const UnsubscribeTTL = 90 * 24 * time.Hour

// Errors of Unsubscriber.Open, told apart on the page.
var (
	ErrBadToken     = errors.New("delivery: unsubscribe link not recognised")
	ErrExpiredToken = errors.New("delivery: unsubscribe link expired")
)

// Unsubscriber makes and opens the tokens of the unsubscribe links of
// e-mails (RFC 2369 List-Unsubscribe, RFC 8058 one-click). A token names
// a person and what to stop — one category, or one digest — and when it
// expires; it is opaque (encrypted, AES-256-CTR) and authenticated
// (HMAC-SHA-256 over the ciphertext), so nobody reads a person's ID in a
// link nor makes one for someone else. The token is the only credential:
// the link works without signing in, as the RFCs want.
type Unsubscriber struct {
	enc, mac []byte
	Now      func() time.Time
}

// NewUnsubscriber derives the token keys from secret (32 bytes or more).
func NewUnsubscriber(secret []byte) (*Unsubscriber, error) {
	if len(secret) < 32 {
		return nil, errors.New("delivery: the unsubscribe secret is too short")
	}
	derive := func(label string) []byte {
		h := hmac.New(sha256.New, secret)
		h.Write([]byte("cartable unsubscribe " + label))
		return h.Sum(nil)
	}
	return &Unsubscriber{enc: derive("encryption"), mac: derive("authentication")}, nil
}

// LoadUnsubscriber reads DATA/keys/unsubscribe.key, creating it when
// absent (two servers starting together keep the first one written).
func LoadUnsubscriber(dataDir string) (*Unsubscriber, error) {
	dir := filepath.Join(dataDir, "keys")
	path := filepath.Join(dir, UnsubscribeKeyFile)
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		secret := make([]byte, 32)
		rand.Read(secret)
		if err := writeOnce(dir, UnsubscribeKeyFile, []byte(hex.EncodeToString(secret)+"\n")); err != nil {
			return nil, fmt.Errorf("unsubscribe: cannot store the key: %v", err)
		}
		b, err = os.ReadFile(path)
	}
	if err != nil {
		return nil, fmt.Errorf("unsubscribe: %v", err)
	}
	secret, err := hex.DecodeString(strings.TrimSpace(string(b)))
	if err != nil || len(secret) < 32 {
		return nil, fmt.Errorf("unsubscribe: %s does not hold a 32-byte hex key", path)
	}
	return NewUnsubscriber(secret)
}

func (u *Unsubscriber) now() time.Time {
	if u.Now != nil {
		return u.Now()
	}
	return time.Now()
}

// Stop is what one unsubscribe link stops: e-mails of one category
// (Category set), or one digest (Digest: Daily or Weekly).
type Stop struct {
	Person   string
	Category Category
	Digest   Mode
	Expires  time.Time
}

const tokenVersion = 1

// Token is the link's token stopping what s names, valid UnsubscribeTTL
// from now (s.Expires is ignored).
func (u *Unsubscriber) Token(s Stop) string {
	scope := string(s.Category)
	if s.Digest != "" {
		scope = "digest:" + string(s.Digest)
	}
	plain := binary.BigEndian.AppendUint64(nil, uint64(u.now().Add(UnsubscribeTTL).Unix()))
	plain = append(plain, byte(len(scope)))
	plain = append(plain, scope...)
	plain = append(plain, s.Person...)
	out := make([]byte, 1+aes.BlockSize, 1+aes.BlockSize+len(plain)+16)
	out[0] = tokenVersion
	rand.Read(out[1 : 1+aes.BlockSize])
	block, _ := aes.NewCipher(u.enc)
	ct := make([]byte, len(plain))
	cipher.NewCTR(block, out[1:1+aes.BlockSize]).XORKeyStream(ct, plain)
	out = append(out, ct...)
	return b64.EncodeToString(append(out, u.sum(out)...))
}

// sum is the token's authenticator: HMAC-SHA-256, truncated to 128 bits.
func (u *Unsubscriber) sum(b []byte) []byte {
	h := hmac.New(sha256.New, u.mac)
	h.Write(b)
	return h.Sum(nil)[:16]
}

// Open checks a token and tells what it stops: ErrBadToken for anything
// not made with this key (forged, altered, truncated), ErrExpiredToken
// for a genuine one past its date.
func (u *Unsubscriber) Open(token string) (*Stop, error) {
	// Strict: one token, one spelling (no ignored trailing bits).
	raw, err := b64.Strict().DecodeString(token)
	if err != nil || len(raw) < 1+aes.BlockSize+9+16 || raw[0] != tokenVersion {
		return nil, ErrBadToken
	}
	body, tag := raw[:len(raw)-16], raw[len(raw)-16:]
	if !hmac.Equal(tag, u.sum(body)) {
		return nil, ErrBadToken
	}
	block, _ := aes.NewCipher(u.enc)
	plain := make([]byte, len(body)-1-aes.BlockSize)
	cipher.NewCTR(block, body[1:1+aes.BlockSize]).XORKeyStream(plain, body[1+aes.BlockSize:])
	exp := time.Unix(int64(binary.BigEndian.Uint64(plain[:8])), 0)
	n := int(plain[8])
	if len(plain) < 9+n+1 {
		return nil, ErrBadToken
	}
	scope, person := string(plain[9:9+n]), string(plain[9+n:])
	s := &Stop{Person: person, Expires: exp}
	if d, ok := strings.CutPrefix(scope, "digest:"); ok {
		s.Digest = Mode(d)
		if s.Digest != Daily && s.Digest != Weekly {
			return nil, ErrBadToken
		}
	} else {
		s.Category = Category(scope)
		if !knownCategory(s.Category) {
			return nil, ErrBadToken
		}
	}
	if !u.now().Before(exp) {
		return s, ErrExpiredToken
	}
	return s, nil
}

// Unsubscribe applies a link's token: the e-mail mode of its category,
// or of every category its digest gathers, is set to off; nothing else
// changes (push, other categories, quiet hours). The token is the
// credential (see Unsubscriber): no viewer. Applying it twice is
// harmless. A person erased since has nothing left to stop.
func (u *Unsubscriber) Unsubscribe(ctx context.Context, d *db.DB, token string) (*Stop, error) {
	s, err := u.Open(token)
	if err != nil {
		return s, err
	}
	err = d.Tx(ctx, func(tx *db.Tx) error {
		var n int
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM people WHERE id = ?`, s.Person).Scan(&n); err != nil || n == 0 {
			return err
		}
		cats := []Category{s.Category}
		if s.Digest != "" {
			set, err := load(ctx, tx, s.Person)
			if err != nil {
				return err
			}
			cats = cats[:0]
			for _, c := range Categories {
				if set.Mode(c, Email) == s.Digest {
					cats = append(cats, c)
				}
			}
		}
		for _, c := range cats {
			if _, err := tx.Exec(ctx, `INSERT INTO delivery_prefs (person_id, category, channel, mode) VALUES (?, ?, ?, ?)
				ON CONFLICT (person_id, category, channel) DO UPDATE SET mode = excluded.mode`,
				s.Person, string(c), string(Email), string(Off)); err != nil {
				return err
			}
		}
		return nil
	})
	return s, err
}
