package page

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"net/http"
	"time"
)

// A flash carries what a successful POST must show once on the page it
// redirects to (post/redirect/get), when that is a secret: a new calendar
// feed's address, new recovery codes. It never goes into the URL (history,
// logs, referrers): it is a short-lived cookie sealed (AES-GCM) with a key
// derived from the session's secret token, so it opens only in the session
// that received it, for two minutes at most, and the page that shows it
// clears it. Nothing on the server marks it read: a copy of the cookie
// replays it within that session and those two minutes.

// flashLife bounds how long a flash waits for its page.
const flashLife = 2 * time.Minute

// MaxFlash bounds a flash's value (a cookie holds about 4 KB).
const MaxFlash = 2048

func (k *Kit) flashCookie(name string) string {
	if k.Secure {
		return "__Host-flash-" + name
	}
	return "flash-" + name
}

// flashAEAD is the cipher of the flashes named name of the session whose
// token is sessionToken.
func flashAEAD(sessionToken, name string) cipher.AEAD {
	mac := hmac.New(sha256.New, []byte(sessionToken))
	mac.Write([]byte("cartable-flash:" + name))
	block, _ := aes.NewCipher(mac.Sum(nil)) // a 32-byte key never fails
	aead, _ := cipher.NewGCM(block)
	return aead
}

// SetFlash keeps value for the next page of the session whose secret token
// is sessionToken (the request's own, or the one a sign-in step has just
// opened). A value longer than MaxFlash is not kept.
func (k *Kit) SetFlash(w http.ResponseWriter, sessionToken, name, value string) {
	if len(value) > MaxFlash || sessionToken == "" {
		return
	}
	aead := flashAEAD(sessionToken, name)
	plain := binary.BigEndian.AppendUint64(nil, uint64(k.Now().Add(flashLife).Unix()))
	plain = append(plain, value...)
	nonce := make([]byte, aead.NonceSize())
	rand.Read(nonce)
	sealed := aead.Seal(nonce, nonce, plain, []byte(name))
	http.SetCookie(w, &http.Cookie{Name: k.flashCookie(name), Value: base64.RawURLEncoding.EncodeToString(sealed),
		Path: "/", MaxAge: int(flashLife / time.Second), HttpOnly: true, Secure: k.Secure, SameSite: http.SameSiteLaxMode})
}

// TakeFlash returns the flash name of the request's session and clears it:
// false when there is none, when it expired, or when it was sealed for
// another session.
func (k *Kit) TakeFlash(w http.ResponseWriter, r *http.Request, name string) (string, bool) {
	if r.Method == http.MethodHead { // a HEAD shows nothing: it must not use the flash up
		return "", false
	}
	c, err := r.Cookie(k.flashCookie(name))
	if err != nil {
		return "", false
	}
	http.SetCookie(w, &http.Cookie{Name: k.flashCookie(name), Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: k.Secure, SameSite: http.SameSiteLaxMode})
	cur := Current(r)
	if cur == nil {
		return "", false
	}
	sealed, err := base64.RawURLEncoding.DecodeString(c.Value)
	aead := flashAEAD(cur.Token, name)
	if err != nil || len(sealed) < aead.NonceSize() {
		return "", false
	}
	plain, err := aead.Open(nil, sealed[:aead.NonceSize()], sealed[aead.NonceSize():], []byte(name))
	if err != nil || len(plain) < 8 {
		return "", false
	}
	if k.Now().Unix() > int64(binary.BigEndian.Uint64(plain[:8])) {
		return "", false
	}
	return string(plain[8:]), true
}
