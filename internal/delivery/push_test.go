package delivery_test

import (
	"context"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"cartable/internal/delivery"
	"cartable/internal/jobs"
)

var raw = base64.RawURLEncoding

// pushService is a push service of the test's own (RFC 8030): it checks
// each request's VAPID signature against the application server's key,
// decrypts the payload with the device's private key (RFC 8291) and
// answers with status.
type pushService struct {
	t      *testing.T
	srv    *httptest.Server
	vapid  *ecdsa.PublicKey
	device *ecdh.PrivateKey
	auth   []byte

	mu       sync.Mutex
	status   int
	messages []map[string]string
	problems []string
}

func newPushService(t *testing.T, vapid *ecdsa.PublicKey) *pushService {
	p := &pushService{t: t, vapid: vapid, status: http.StatusCreated}
	var err error
	if p.device, err = ecdh.P256().GenerateKey(rand.Reader); err != nil {
		t.Fatal(err)
	}
	p.auth = make([]byte, 16)
	rand.Read(p.auth)
	p.srv = httptest.NewTLSServer(http.HandlerFunc(p.serve))
	t.Cleanup(p.srv.Close)
	return p
}

func (p *pushService) problem(s string) {
	p.mu.Lock()
	p.problems = append(p.problems, s)
	p.mu.Unlock()
}

func (p *pushService) serve(w http.ResponseWriter, r *http.Request) {
	if err := p.checkVAPID(r.Header.Get("Authorization")); err != "" {
		p.problem(err)
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	if r.Header.Get("Content-Encoding") != "aes128gcm" || r.Header.Get("TTL") == "" {
		p.problem("headers: " + r.Header.Get("Content-Encoding") + " TTL " + r.Header.Get("TTL"))
	}
	body, _ := io.ReadAll(r.Body)
	pt, err := delivery.Decrypt(p.device, p.auth, body)
	if err != nil {
		p.problem("decrypt: " + err.Error())
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	var m map[string]string
	if err := json.Unmarshal(pt, &m); err != nil {
		p.problem("payload: " + err.Error())
	}
	p.mu.Lock()
	p.messages = append(p.messages, m)
	status := p.status
	p.mu.Unlock()
	if status == http.StatusTooManyRequests {
		w.Header().Set("Retry-After", "120")
	}
	w.WriteHeader(status)
}

// checkVAPID verifies "vapid t=JWT, k=KEY" (RFC 8292): the key is the
// application server's, the ES256 signature holds, the audience is this
// service's origin and the token has not expired.
func (p *pushService) checkVAPID(h string) string {
	rest, ok := strings.CutPrefix(h, "vapid ")
	if !ok {
		return "no vapid scheme: " + h
	}
	params := map[string]string{}
	for _, part := range strings.Split(rest, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		params[k] = v
	}
	key, err := raw.DecodeString(params["k"])
	want, _ := p.vapid.ECDH()
	if err != nil || string(key) != string(want.Bytes()) {
		return "k is not the application server's key"
	}
	parts := strings.Split(params["t"], ".")
	if len(parts) != 3 {
		return "t is not a JWT"
	}
	sig, err := raw.DecodeString(parts[2])
	if err != nil || len(sig) != 64 {
		return "bad signature encoding"
	}
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if !ecdsa.Verify(p.vapid, sum[:], new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])) {
		return "signature does not verify"
	}
	var head, claims map[string]any
	hb, _ := raw.DecodeString(parts[0])
	cb, _ := raw.DecodeString(parts[1])
	if json.Unmarshal(hb, &head) != nil || head["alg"] != "ES256" {
		return "header: " + string(hb)
	}
	if json.Unmarshal(cb, &claims) != nil || claims["aud"] != p.srv.URL || claims["sub"] != "mailto:ops@example.fr" {
		return "claims: " + string(cb)
	}
	if exp, _ := claims["exp"].(float64); int64(exp) <= time.Now().Unix() || int64(exp) > time.Now().Add(24*time.Hour).Unix() {
		return "exp out of range"
	}
	return ""
}

func (p *pushService) subscription(path string) delivery.Subscription {
	return delivery.Subscription{Endpoint: p.srv.URL + path, P256dh: raw.EncodeToString(p.device.PublicKey().Bytes()), Auth: raw.EncodeToString(p.auth)}
}

func TestVAPIDKeyMadeOnceOwnerOnly(t *testing.T) {
	dir := t.TempDir()
	k1, err := delivery.LoadVAPID(dir)
	if err != nil {
		t.Fatal(err)
	}
	k2, err := delivery.LoadVAPID(dir)
	if err != nil || !k1.Equal(k2) {
		t.Fatalf("a second load made another key: %v", err)
	}
	st, err := os.Stat(filepath.Join(dir, "keys", delivery.VAPIDKeyFile))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v %v", st.Mode(), err)
	}
}

// A notice reaches a registered device: signed, encrypted, and readable
// only with the device's key; a 429 waits; a 410 forgets the device.
func TestPushDelivery(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, "alice", "bob")
	key, err := delivery.LoadVAPID(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	svc := newPushService(t, &key.PublicKey)
	pusher := &delivery.Pusher{Key: key, Subject: "mailto:ops@example.fr", Client: svc.srv.Client(), AllowLocal: true}
	f.del.Push = pusher

	// Refusals name the field and store nothing.
	good := svc.subscription("/push/alice-phone")
	for field, bad := range map[string]delivery.Subscription{
		"endpoint": {Endpoint: "http://push.example.com/x", P256dh: good.P256dh, Auth: good.Auth},
		"p256dh":   {Endpoint: good.Endpoint, P256dh: raw.EncodeToString([]byte("short")), Auth: good.Auth},
		"auth":     {Endpoint: good.Endpoint, P256dh: good.P256dh, Auth: raw.EncodeToString([]byte("x"))},
	} {
		var fe *delivery.FieldError
		if err := pusher.Subscribe(ctx, f.viewer("alice"), f.d, bad); !errors.As(err, &fe) || fe.Field != field {
			t.Errorf("bad %s: %v", field, err)
		}
	}
	// An endpoint on the local network is refused in production.
	strict := &delivery.Pusher{Key: key}
	var fe *delivery.FieldError
	if err := strict.Subscribe(ctx, f.viewer("alice"), f.d, good); !errors.As(err, &fe) || fe.Field != "endpoint" {
		t.Errorf("a loopback endpoint: %v", err)
	}
	if err := pusher.Subscribe(ctx, sys, f.d, good); err == nil {
		t.Error("the system registered a device for nobody")
	}
	if err := pusher.Subscribe(ctx, f.viewer("alice"), f.d, good); err != nil {
		t.Fatal(err)
	}

	f.notice(t, "alice", "absence", "Léa", f.now)
	f.notice(t, "bob", "absence", "Tom", f.now) // bob has no device: no push
	if _, err := f.del.Dispatch(ctx, sys); err != nil {
		t.Fatal(err)
	}
	if n := f.drain(t); n != 1 {
		t.Fatalf("%d jobs ran, want one push", n)
	}
	if len(svc.problems) > 0 || len(svc.messages) != 1 {
		t.Fatalf("push service: problems %v, messages %v", svc.problems, svc.messages)
	}
	if m := svc.messages[0]; m["body"] != "fr:absence:Léa" || m["url"] != "/school-life" {
		t.Fatalf("decrypted message %v", m)
	}

	// 429: retried no sooner than Retry-After.
	svc.status = http.StatusTooManyRequests
	f.notice(t, "alice", "marks", "Léa", f.now)
	f.del.Dispatch(ctx, sys)
	f.drain(t)
	var runAt int64
	if err := f.d.QueryRow(ctx, `SELECT run_at FROM jobs WHERE done_at IS NULL`).Scan(&runAt); err != nil || runAt != f.now.Add(2*time.Minute).Unix() {
		t.Fatalf("after a 429: run_at %d (%v), want %d", runAt, err, f.now.Add(2*time.Minute).Unix())
	}
	// 410: the device is forgotten and the job done.
	svc.status = http.StatusGone
	f.now = f.now.Add(2 * time.Minute)
	if n := f.drain(t); n != 1 {
		t.Fatalf("%d jobs ran after the wait", n)
	}
	var subs int
	f.d.QueryRow(ctx, `SELECT COUNT(*) FROM push_subscriptions`).Scan(&subs)
	if st, _ := jobs.Count(ctx, sys, f.d); subs != 0 || st.Waiting != 0 || st.Failed != 0 {
		t.Fatalf("after a 410: %d subscriptions, jobs %+v", subs, st)
	}
}

// Encrypt and Decrypt agree, and another device's key cannot read.
func TestEncryptionRoundTrip(t *testing.T) {
	dev, _ := ecdh.P256().GenerateKey(rand.Reader)
	other, _ := ecdh.P256().GenerateKey(rand.Reader)
	auth := make([]byte, 16)
	rand.Read(auth)
	body, err := delivery.Encrypt(dev.PublicKey().Bytes(), auth, []byte("Absence de Léa"))
	if err != nil {
		t.Fatal(err)
	}
	if pt, err := delivery.Decrypt(dev, auth, body); err != nil || string(pt) != "Absence de Léa" {
		t.Fatalf("round trip: %q %v", pt, err)
	}
	if _, err := delivery.Decrypt(other, auth, body); err == nil {
		t.Fatal("another device decrypted the message")
	}
}
