package delivery

import (
	"crypto/ecdh"
	"encoding/base64"
	"testing"
)

// The example of RFC 8291 section 5, byte for byte: what browsers
// decrypt is what Encrypt writes, and Decrypt reads the RFC's message.
func TestRFC8291Example(t *testing.T) {
	b := func(s string) []byte {
		v, err := base64.RawURLEncoding.DecodeString(s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	const (
		message = "When I grow up, I want to be a watermelon"
		body    = "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN"
	)
	as, err := ecdh.P256().NewPrivateKey(b("yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw"))
	if err != nil {
		t.Fatal(err)
	}
	ua, err := ecdh.P256().NewPrivateKey(b("q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94"))
	if err != nil {
		t.Fatal(err)
	}
	auth, salt := b("BTBZMqHH6r4Tts7J_aSIgg"), b("DGv6ra1nlYgDCS1FRnbzlw")
	got, err := encrypt(as, ua.PublicKey(), auth, salt, []byte(message))
	if err != nil {
		t.Fatal(err)
	}
	if s := base64.RawURLEncoding.EncodeToString(got); s != body {
		t.Errorf("encrypted\n got %s\nwant %s", s, body)
	}
	if pt, err := Decrypt(ua, auth, b(body)); err != nil || string(pt) != message {
		t.Errorf("decrypted %q, %v", pt, err)
	}
}
