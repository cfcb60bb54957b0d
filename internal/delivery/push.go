package delivery

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"database/sql"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"cartable/internal/access"
	"cartable/internal/db"
	"cartable/internal/ids"
	"cartable/internal/jobs"
)

// VAPIDKeyFile is the application server's signing key (RFC 8292), in
// DATA/keys beside the master key: a P-256 private key, PKCS #8 PEM,
// mode 0600, made once. Browsers bind each subscription to its public
// key: a new key means every device subscribes again.
const VAPIDKeyFile = "vapid.key"

// Pusher sends Web Push messages (RFC 8030) encrypted for the device
// (RFC 8291, aes128gcm) and signed for the push service (RFC 8292,
// VAPID): no vendor account, no library, only the browser's push service.
type Pusher struct {
	Key     *ecdsa.PrivateKey
	Subject string       // contact for the push service: "mailto:…" or the instance's https URL
	Client  *http.Client // nil: a client that refuses private addresses
	// AllowLocal accepts endpoints on loopback and private addresses
	// (tests run their own push service); never in production, where an
	// endpoint chosen by a user must not reach the internal network.
	AllowLocal bool
}

// LoadVAPID reads DATA/keys/vapid.key, creating it when absent (two
// servers starting together keep the first one written).
func LoadVAPID(dataDir string) (*ecdsa.PrivateKey, error) {
	dir := filepath.Join(dataDir, "keys")
	path := filepath.Join(dir, VAPIDKeyFile)
	if k, err := readVAPID(path); err == nil || !errors.Is(err, os.ErrNotExist) {
		return k, err
	}
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		return nil, err
	}
	if err := writeOnce(dir, VAPIDKeyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})); err != nil {
		return nil, fmt.Errorf("push: cannot store the VAPID key: %v", err)
	}
	return readVAPID(path)
}

// writeOnce writes content to dir/name, mode 0600, unless the file exists:
// of two servers starting together, the first written wins (a link fails
// when its target exists) and the other reads it.
func writeOnce(dir, name string, content []byte) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, "."+name+"-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(content); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Link(tmp.Name(), filepath.Join(dir, name)); err != nil && !errors.Is(err, os.ErrExist) {
		return err
	}
	return nil
}

func readVAPID(path string) (*ecdsa.PrivateKey, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	blk, _ := pem.Decode(b)
	if blk == nil {
		return nil, fmt.Errorf("push: %s holds no PEM key", path)
	}
	k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
	if err != nil {
		return nil, fmt.Errorf("push: %s: %v", path, err)
	}
	ek, ok := k.(*ecdsa.PrivateKey)
	if !ok || ek.Curve != elliptic.P256() {
		return nil, fmt.Errorf("push: %s is not a P-256 key", path)
	}
	return ek, nil
}

// PublicKey is the VAPID public key as browsers take it
// (applicationServerKey): the uncompressed point, base64url.
func (p *Pusher) PublicKey() string {
	pub, err := p.Key.PublicKey.ECDH()
	if err != nil {
		return ""
	}
	return b64.EncodeToString(pub.Bytes())
}

var b64 = base64.RawURLEncoding

// decode64 accepts base64url with or without padding (browsers differ).
func decode64(s string) ([]byte, error) {
	return b64.DecodeString(strings.TrimRight(s, "="))
}

// Subscription is one device's push subscription, as the browser's
// PushSubscription.toJSON() gives it.
type Subscription struct {
	ID       string
	Endpoint string
	P256dh   string
	Auth     string
}

// Errors of a refused subscription, each naming what is wrong.
var (
	ErrEndpoint = errors.New("the push endpoint must be an https address of a push service")
	ErrP256dh   = errors.New("the device key (p256dh) must be an uncompressed P-256 public key, base64url")
	ErrAuth     = errors.New("the device secret (auth) must be 16 bytes, base64url")
)

// Check validates a subscription: an https endpoint on a public host and
// well-formed keys.
func (p *Pusher) Check(s Subscription) error {
	u, err := url.Parse(s.Endpoint)
	if err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil || len(s.Endpoint) > 2048 {
		return &FieldError{"endpoint", ErrEndpoint}
	}
	if !p.AllowLocal {
		h := u.Hostname()
		if h == "localhost" || strings.HasSuffix(h, ".localhost") || net.ParseIP(h) != nil {
			return &FieldError{"endpoint", ErrEndpoint}
		}
	}
	k, err := decode64(s.P256dh)
	if err != nil || len(k) != 65 || k[0] != 4 {
		return &FieldError{"p256dh", ErrP256dh}
	}
	if _, err := ecdh.P256().NewPublicKey(k); err != nil {
		return &FieldError{"p256dh", ErrP256dh}
	}
	if a, err := decode64(s.Auth); err != nil || len(a) != 16 {
		return &FieldError{"auth", ErrAuth}
	}
	return nil
}

// Subscribe stores a device of the viewer's, after Check. The same
// endpoint subscribed again (keys renewed by the browser) replaces the
// old one, for the viewer only.
func (p *Pusher) Subscribe(ctx context.Context, v *access.Viewer, d *db.DB, s Subscription) error {
	if v == nil || v.IsSystem() || v.ID == "" {
		return access.Refuse("push-subscribe", access.Person(""), "a device is registered by its owner")
	}
	if err := p.Check(s); err != nil {
		return err
	}
	return d.Tx(ctx, func(tx *db.Tx) error {
		// An endpoint is one browser profile: registered by someone else
		// before (a shared computer), it passes to the viewer.
		if _, err := tx.Exec(ctx, `DELETE FROM push_subscriptions WHERE endpoint = ?`, s.Endpoint); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO push_subscriptions (id, person_id, endpoint, p256dh, auth, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
			ids.For(ctx), v.ID, s.Endpoint, s.P256dh, s.Auth, time.Now().Unix())
		return err
	})
}

// Unsubscribe forgets the viewer's devices: the one with endpoint, or
// all when endpoint is "".
func Unsubscribe(ctx context.Context, v *access.Viewer, q db.Querier, endpoint string) error {
	if v == nil || v.IsSystem() || v.ID == "" {
		return access.Refuse("push-subscribe", access.Person(""), "a device is removed by its owner")
	}
	var err error
	if endpoint == "" {
		_, err = q.Exec(ctx, `DELETE FROM push_subscriptions WHERE person_id = ?`, v.ID)
	} else {
		_, err = q.Exec(ctx, `DELETE FROM push_subscriptions WHERE person_id = ? AND endpoint = ?`, v.ID, endpoint)
	}
	return err
}

// recordSize is the aes128gcm record size: one record holds the
// message, its delimiter and the 16-byte tag.
const recordSize = 4096

// maxPayload keeps a message within one record and the 4 KB push
// services accept.
const maxPayload = 3000

// Encrypt encrypts plaintext for a device (RFC 8291): an ephemeral ECDH
// P-256 key, HKDF-SHA-256 over the shared secret and the device's auth
// secret, one aes128gcm record (RFC 8188) whose header carries the salt
// and the ephemeral public key.
func Encrypt(uaPublic, authSecret, plaintext []byte) ([]byte, error) {
	ua, err := ecdh.P256().NewPublicKey(uaPublic)
	if err != nil {
		return nil, err
	}
	as, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return nil, err
	}
	return encrypt(as, ua, authSecret, salt, plaintext)
}

func encrypt(as *ecdh.PrivateKey, ua *ecdh.PublicKey, authSecret, salt, plaintext []byte) ([]byte, error) {
	if len(plaintext) > maxPayload {
		return nil, errors.New("push: message too long")
	}
	secret, err := as.ECDH(ua)
	if err != nil {
		return nil, err
	}
	asPub := as.PublicKey().Bytes()
	gcm, nonce, err := contentKeys(secret, authSecret, salt, ua.Bytes(), asPub)
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	out.Write(salt)
	binary.Write(&out, binary.BigEndian, uint32(recordSize))
	out.WriteByte(byte(len(asPub)))
	out.Write(asPub)
	// The last (only) record ends with the delimiter 0x02, no padding.
	return gcm.Seal(out.Bytes(), nonce, append(append([]byte{}, plaintext...), 2), nil), nil
}

// contentKeys derives the content-encryption key and nonce (RFC 8291
// section 3.4, RFC 8188 section 2.2).
func contentKeys(ecdhSecret, authSecret, salt, uaPub, asPub []byte) (cipher.AEAD, []byte, error) {
	prkKey, err := hkdf.Extract(sha256.New, ecdhSecret, authSecret)
	if err != nil {
		return nil, nil, err
	}
	info := "WebPush: info\x00" + string(uaPub) + string(asPub)
	ikm, err := hkdf.Expand(sha256.New, prkKey, info, 32)
	if err != nil {
		return nil, nil, err
	}
	prk, err := hkdf.Extract(sha256.New, ikm, salt)
	if err != nil {
		return nil, nil, err
	}
	cek, err := hkdf.Expand(sha256.New, prk, "Content-Encoding: aes128gcm\x00", 16)
	if err != nil {
		return nil, nil, err
	}
	nonce, err := hkdf.Expand(sha256.New, prk, "Content-Encoding: nonce\x00", 12)
	if err != nil {
		return nil, nil, err
	}
	block, err := aes.NewCipher(cek)
	if err != nil {
		return nil, nil, err
	}
	gcm, err := cipher.NewGCM(block)
	return gcm, nonce, err
}

// Decrypt reverses Encrypt with the device's private key: what a browser
// does, here for tests.
func Decrypt(ua *ecdh.PrivateKey, authSecret, body []byte) ([]byte, error) {
	if len(body) < 21 {
		return nil, errors.New("push: body too short")
	}
	salt, idlen := body[:16], int(body[20])
	if len(body) < 21+idlen {
		return nil, errors.New("push: body too short")
	}
	asPub, ct := body[21:21+idlen], body[21+idlen:]
	as, err := ecdh.P256().NewPublicKey(asPub)
	if err != nil {
		return nil, err
	}
	secret, err := ua.ECDH(as)
	if err != nil {
		return nil, err
	}
	gcm, nonce, err := contentKeys(secret, authSecret, salt, ua.PublicKey().Bytes(), asPub)
	if err != nil {
		return nil, err
	}
	pt, err := gcm.Open(nil, nonce, ct, nil)
	if err != nil {
		return nil, err
	}
	pt = bytes.TrimRight(pt, "\x00")
	if len(pt) == 0 || pt[len(pt)-1] != 2 {
		return nil, errors.New("push: no last-record delimiter")
	}
	return pt[:len(pt)-1], nil
}

// vapid is the Authorization header for endpoint (RFC 8292): an ES256
// JWT for the endpoint's origin, valid 12 hours, and the public key.
func (p *Pusher) vapid(endpoint string, now time.Time) (string, error) {
	u, err := url.Parse(endpoint)
	if err != nil {
		return "", err
	}
	head := b64.EncodeToString([]byte(`{"typ":"JWT","alg":"ES256"}`))
	claims, err := json.Marshal(map[string]any{"aud": u.Scheme + "://" + u.Host, "exp": now.Add(12 * time.Hour).Unix(), "sub": p.Subject})
	if err != nil {
		return "", err
	}
	signed := head + "." + b64.EncodeToString(claims)
	sum := sha256.Sum256([]byte(signed))
	r, s, err := ecdsa.Sign(rand.Reader, p.Key, sum[:])
	if err != nil {
		return "", err
	}
	sig := make([]byte, 64)
	r.FillBytes(sig[:32])
	s.FillBytes(sig[32:])
	return "vapid t=" + signed + "." + b64.EncodeToString(sig) + ", k=" + p.PublicKey(), nil
}

// ErrGone is a push service's answer that the subscription no longer
// exists (404, 410).
var ErrGone = errors.New("push: subscription gone")

func (p *Pusher) client() *http.Client {
	if p.Client != nil {
		return p.Client
	}
	dialer := &net.Dialer{Timeout: 10 * time.Second}
	if !p.AllowLocal {
		dialer.Control = publicOnly
	}
	return &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
		DialContext: dialer.DialContext, TLSHandshakeTimeout: 10 * time.Second, ForceAttemptHTTP2: true,
	}, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// publicOnly refuses connections to loopback, private and link-local
// addresses, whatever the endpoint's name resolved to.
func publicOnly(network, address string, _ syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return err
	}
	ip := net.ParseIP(host)
	if ip == nil || ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsUnspecified() || ip.IsMulticast() {
		return errors.New("push: endpoint resolves to a non-public address")
	}
	return nil
}

// Send delivers message to a device: nil when the push service accepted
// it, ErrGone when the subscription is no more, a RetryAfter error on
// 429 and 5xx, a Permanent one on another refusal.
func (p *Pusher) Send(ctx context.Context, s Subscription, message []byte, ttl time.Duration) error {
	ua, err := decode64(s.P256dh)
	if err != nil {
		return jobs.Permanent(ErrP256dh)
	}
	auth, err := decode64(s.Auth)
	if err != nil {
		return jobs.Permanent(ErrAuth)
	}
	body, err := Encrypt(ua, auth, message)
	if err != nil {
		return jobs.Permanent(err)
	}
	authz, err := p.vapid(s.Endpoint, time.Now())
	if err != nil {
		return jobs.Permanent(err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.Endpoint, bytes.NewReader(body))
	if err != nil {
		return jobs.Permanent(err)
	}
	req.Header.Set("Authorization", authz)
	req.Header.Set("Content-Encoding", "aes128gcm")
	req.Header.Set("Content-Type", "application/octet-stream")
	req.Header.Set("TTL", strconv.Itoa(int(ttl.Seconds())))
	req.Header.Set("Urgency", "normal")
	resp, err := p.client().Do(req)
	if err != nil {
		// The error names the endpoint's host, not its path (the path
		// identifies the device).
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return fmt.Errorf("push service unreachable: %v", err)
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 4096))
	resp.Body.Close()
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		return nil
	case resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusGone:
		return ErrGone
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500:
		wait := time.Duration(0)
		if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && s > 0 {
			wait = time.Duration(s) * time.Second
		}
		return jobs.RetryAfter(fmt.Errorf("push service answered %d", resp.StatusCode), wait)
	}
	return jobs.Permanent(fmt.Errorf("push service refused the message: %d", resp.StatusCode))
}

// pushMessage is what the service worker receives and shows.
type pushMessage struct {
	Title string `json:"title"`
	Body  string `json:"body"`
	URL   string `json:"url"`
}

// pushNotice sends one notice to one device. A device removed since, a
// notice read or erased meanwhile, or a person who turned push off for
// its category: done, nothing sent. A subscription the push service
// says is gone is removed.
func (d *Deliverer) pushNotice(ctx context.Context, j *jobs.Job) error {
	var p noticeJob
	if err := j.Decode(&p); err != nil {
		return jobs.Permanent(err)
	}
	if d.Push == nil {
		return nil // Web Push is not set up on this instance
	}
	var s Subscription
	var owner string
	err := d.DB.QueryRow(ctx, `SELECT id, person_id, endpoint, p256dh, auth FROM push_subscriptions WHERE id = ?`, p.Subscription).
		Scan(&s.ID, &owner, &s.Endpoint, &s.P256dh, &s.Auth)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	n, err := readNotice(ctx, d.DB, p.Notice)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	if n.read || n.recipient != owner {
		return nil
	}
	st, err := load(ctx, d.DB, n.recipient)
	if err != nil {
		return err
	}
	if st.Mode(CategoryOf(n.kind), Push) != Immediate {
		return nil
	}
	msg, err := json.Marshal(pushMessage{Title: "Cartable", Body: d.text(st.Lang, n), URL: n.link})
	if err != nil {
		return jobs.Permanent(err)
	}
	err = d.Push.Send(ctx, s, msg, 24*time.Hour)
	if errors.Is(err, ErrGone) {
		_, err = d.DB.Exec(ctx, `DELETE FROM push_subscriptions WHERE id = ?`, s.ID)
	}
	return err
}
