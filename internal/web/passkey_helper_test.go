package web_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"net/url"
	"testing"

	"github.com/go-webauthn/webauthn/protocol/webauthncbor"

	"cartable/internal/auth"
)

// softKey is a software passkey (a "none" attestation, ES256), so that
// tests run real WebAuthn ceremonies through the HTTP routes, as
// static/webauthn.js does, without a browser.
type softKey struct {
	priv   *ecdsa.PrivateKey
	id     []byte
	count  uint32
	rpID   string
	origin string
}

func newSoftKey(t *testing.T, baseURL string) *softKey {
	t.Helper()
	u, err := url.Parse(baseURL)
	if err != nil {
		t.Fatal(err)
	}
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	id := make([]byte, 16)
	rand.Read(id)
	return &softKey{priv: priv, id: id, rpID: u.Hostname(), origin: u.Scheme + "://" + u.Host}
}

var b64 = base64.RawURLEncoding

// challenge reads the challenge of the options a begin route answered.
func challengeOf(t *testing.T, options string) string {
	t.Helper()
	var o struct {
		PublicKey struct {
			Challenge string `json:"challenge"`
		} `json:"publicKey"`
	}
	if err := json.Unmarshal([]byte(options), &o); err != nil || o.PublicKey.Challenge == "" {
		t.Fatalf("passkey options without a challenge: %v %.300s", err, options)
	}
	return o.PublicKey.Challenge
}

func (k *softKey) clientData(kind, challenge string) []byte {
	b, _ := json.Marshal(map[string]any{"type": kind, "challenge": challenge, "origin": k.origin, "crossOrigin": false})
	return b
}

func (k *softKey) authData(flags byte, attested []byte) []byte {
	rp := sha256.Sum256([]byte(k.rpID))
	out := append([]byte{}, rp[:]...)
	out = append(out, flags)
	out = binary.BigEndian.AppendUint32(out, k.count)
	return append(out, attested...)
}

// create answers navigator.credentials.create for the options of
// /account/passkeys/begin: the "credential" field of the finish form.
func (k *softKey) create(t *testing.T, options string) string {
	t.Helper()
	x, y := k.priv.PublicKey.X.FillBytes(make([]byte, 32)), k.priv.PublicKey.Y.FillBytes(make([]byte, 32))
	cose, err := webauthncbor.Marshal(map[int]any{1: 2, 3: -7, -1: 1, -2: x, -3: y})
	if err != nil {
		t.Fatal(err)
	}
	attested := make([]byte, 16) // AAGUID: none
	attested = binary.BigEndian.AppendUint16(attested, uint16(len(k.id)))
	attested = append(attested, k.id...)
	attested = append(attested, cose...)
	obj, err := webauthncbor.Marshal(map[string]any{"fmt": "none", "attStmt": map[string]any{}, "authData": k.authData(0x45, attested)})
	if err != nil {
		t.Fatal(err)
	}
	cd := k.clientData("webauthn.create", challengeOf(t, options))
	b, _ := json.Marshal(map[string]any{"id": b64.EncodeToString(k.id), "rawId": b64.EncodeToString(k.id), "type": "public-key",
		"clientExtensionResults": map[string]any{},
		"response":               map[string]any{"clientDataJSON": b64.EncodeToString(cd), "attestationObject": b64.EncodeToString(obj), "transports": []string{"internal"}}})
	return string(b)
}

// get answers navigator.credentials.get for the options of
// /sign-in/passkey/begin.
func (k *softKey) get(t *testing.T, options string) string {
	t.Helper()
	k.count++
	ad := k.authData(0x05, nil)
	cd := k.clientData("webauthn.get", challengeOf(t, options))
	sum := sha256.Sum256(cd)
	digest := sha256.Sum256(append(append([]byte{}, ad...), sum[:]...))
	sig, err := ecdsa.SignASN1(rand.Reader, k.priv, digest[:])
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(map[string]any{"id": b64.EncodeToString(k.id), "rawId": b64.EncodeToString(k.id), "type": "public-key",
		"clientExtensionResults": map[string]any{},
		"response": map[string]any{"clientDataJSON": b64.EncodeToString(cd), "authenticatorData": b64.EncodeToString(ad),
			"signature": b64.EncodeToString(sig)}})
	return string(b)
}

// passkeyBase is the origin of the passkeys of tests: WebAuthn wants a
// host name as relying party, and the test server's base URL is an address.
const passkeyBase = "http://localhost"

// passkeys turns passkeys on for passkeyBase and returns a new software
// passkey for it.
func (e *env) passkeys(t *testing.T) *softKey {
	t.Helper()
	if e.srv.Auth.Passkeys == nil || e.srv.Auth.Passkeys.WA.Config.RPID != "localhost" {
		pk, err := auth.NewPasskeys(passkeyBase, e.db, e.clock.Now)
		if err != nil {
			t.Fatal(err)
		}
		pk.Sealer = e.srv.Auth.Factors.Sealer
		e.srv.Auth.Passkeys = pk
	}
	return newSoftKey(t, passkeyBase)
}

// registerPasskey runs begin and finish of a registration in browser b
// with form token csrf, and returns both answers.
func (b *browser) registerPasskey(t *testing.T, k *softKey, csrf string) (begin, finish response) {
	t.Helper()
	begin = b.post("/account/passkeys/begin", url.Values{"csrf": {csrf}})
	if begin.status != 200 {
		return begin, response{}
	}
	finish = b.post("/account/passkeys/finish", url.Values{"csrf": {csrf}, "name": {"Clé de test"}, "credential": {k.create(t, begin.body)}})
	return begin, finish
}
