package auth

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"cartable/internal/db"
	"cartable/internal/directory"
)

// Passkeys registers and checks WebAuthn credentials, used as a second
// factor. A ceremony's challenge is kept in the database, bound to the
// browser's session, for five minutes and for one use.
type Passkeys struct {
	WA  *webauthn.WebAuthn
	DB  *db.DB
	Now func() time.Time
	// Sealer seals the credentials at rest (see sealed.go); without one,
	// no passkey can be stored or read.
	Sealer Sealer
}

const ceremonyLife = 5 * time.Minute

// MaxPasskeyName bounds the name a person gives a passkey.
const MaxPasskeyName = 60

// Errors of passkeys.
var (
	// ErrPasskey is any failed passkey ceremony (expired, forged, replayed).
	ErrPasskey = errors.New("passkey not accepted")
	// ErrPasskeysOff: passkeys are not configured (the base URL has no host).
	ErrPasskeysOff = errors.New("passkeys are not configured")
	// ErrPasskeyTooLarge refuses an answer beyond MaxPasskeyResponse.
	ErrPasskeyTooLarge = errors.New("passkey answer too large")
)

// NewPasskeys configures WebAuthn for the public base URL: the relying
// party is its host name and the only accepted origin is the URL itself.
func NewPasskeys(baseURL string, d *db.DB, now func() time.Time) (*Passkeys, error) {
	u, err := url.Parse(baseURL)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("passkeys: base URL %q has no host", baseURL)
	}
	wa, err := webauthn.New(&webauthn.Config{
		RPID:          u.Hostname(),
		RPDisplayName: "Cartable",
		RPOrigins:     []string{u.Scheme + "://" + u.Host},
		AuthenticatorSelection: protocol.AuthenticatorSelection{
			ResidentKey:      protocol.ResidentKeyRequirementPreferred,
			UserVerification: protocol.VerificationPreferred,
		},
		AttestationPreference: protocol.PreferNoAttestation,
	})
	if err != nil {
		return nil, fmt.Errorf("passkeys: %w", err)
	}
	return &Passkeys{WA: wa, DB: d, Now: now}, nil
}

func (k *Passkeys) now() time.Time {
	if k.Now != nil {
		return k.Now()
	}
	return time.Now()
}

// Passkey is a registered credential as shown to its owner.
type Passkey struct {
	ID        string
	Name      string
	CreatedAt time.Time
	LastUsed  time.Time
}

type passkeyUser struct {
	p     directory.Person
	creds []webauthn.Credential
}

func (u passkeyUser) WebAuthnID() []byte                         { return []byte(u.p.ID) }
func (u passkeyUser) WebAuthnName() string                       { return u.p.Login }
func (u passkeyUser) WebAuthnDisplayName() string                { return u.p.DisplayName() }
func (u passkeyUser) WebAuthnCredentials() []webauthn.Credential { return u.creds }

func (k *Passkeys) user(ctx context.Context, p directory.Person) (passkeyUser, error) {
	u := passkeyUser{p: p}
	type row struct {
		id     string
		sealed []byte
	}
	list, err := db.All(ctx, k.DB, func(r db.Scanner) (row, error) {
		var x row
		return x, r.Scan(&x.id, &x.sealed)
	}, `SELECT id, credential_sealed FROM webauthn_credentials WHERE person_id = ? ORDER BY created_at`, p.ID)
	if err != nil {
		return u, err
	}
	for _, r := range list {
		raw, err := openWith(ctx, k.Sealer, r.sealed, passkeyAAD(p.ID, r.id))
		if err != nil {
			return u, err
		}
		var c webauthn.Credential
		if err := json.Unmarshal(raw, &c); err != nil {
			return u, err
		}
		u.creds = append(u.creds, c)
	}
	return u, nil
}

// passkeyAAD binds a sealed credential to its row.
func passkeyAAD(personID, id string) []byte {
	return []byte("cartable-passkey:" + personID + ":" + id)
}

// list returns the person's passkeys.
func (k *Passkeys) list(ctx context.Context, personID string) ([]Passkey, error) {
	return db.All(ctx, k.DB, func(r db.Scanner) (Passkey, error) {
		var pk Passkey
		var c, u int64
		err := r.Scan(&pk.ID, &pk.Name, &c, &u)
		pk.CreatedAt = time.Unix(c, 0)
		if u > 0 {
			pk.LastUsed = time.Unix(u, 0)
		}
		return pk, err
	}, `SELECT id, name, created_at, last_used_at FROM webauthn_credentials WHERE person_id = ? ORDER BY created_at`, personID)
}

// remove deletes one of the person's passkeys and reports whether it existed.
func (k *Passkeys) remove(ctx context.Context, personID, id string) (bool, error) {
	r, err := k.DB.Exec(ctx, `DELETE FROM webauthn_credentials WHERE person_id = ? AND id = ?`, personID, id)
	if err != nil {
		return false, err
	}
	n, err := r.RowsAffected()
	return n > 0, err
}

func (k *Passkeys) keep(ctx context.Context, tokenHash, kind string, sd *webauthn.SessionData) error {
	b, err := json.Marshal(sd)
	if err != nil {
		return err
	}
	_, err = k.DB.Exec(ctx, `INSERT INTO webauthn_ceremonies (token_hash, kind, data, expires_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (token_hash, kind) DO UPDATE SET data = excluded.data, expires_at = excluded.expires_at`,
		tokenHash, kind, string(b), k.now().Add(ceremonyLife).Unix())
	return err
}

// take returns and deletes the ceremony in progress: a challenge serves once.
func (k *Passkeys) take(ctx context.Context, tokenHash, kind string) (webauthn.SessionData, error) {
	var sd webauthn.SessionData
	var raw string
	var exp int64
	err := k.DB.QueryRow(ctx, `SELECT data, expires_at FROM webauthn_ceremonies WHERE token_hash = ? AND kind = ?`, tokenHash, kind).Scan(&raw, &exp)
	if errors.Is(err, sql.ErrNoRows) {
		return sd, ErrPasskey
	}
	if err != nil {
		return sd, err
	}
	if _, err := k.DB.Exec(ctx, `DELETE FROM webauthn_ceremonies WHERE token_hash = ? AND kind = ?`, tokenHash, kind); err != nil {
		return sd, err
	}
	if exp <= k.now().Unix() {
		return sd, ErrPasskey
	}
	if err := json.Unmarshal([]byte(raw), &sd); err != nil {
		return sd, ErrPasskey
	}
	return sd, nil
}

// beginRegistration returns the options for navigator.credentials.create.
func (k *Passkeys) beginRegistration(ctx context.Context, p directory.Person, tokenHash string) ([]byte, error) {
	u, err := k.user(ctx, p)
	if err != nil {
		return nil, err
	}
	var exclude []protocol.CredentialDescriptor
	for _, c := range u.creds {
		exclude = append(exclude, c.Descriptor())
	}
	creation, sd, err := k.WA.BeginRegistration(u, webauthn.WithExclusions(exclude))
	if err != nil {
		return nil, err
	}
	if err := k.keep(ctx, tokenHash, "register", sd); err != nil {
		return nil, err
	}
	return json.Marshal(creation)
}

// finishRegistration verifies the authenticator's answer and stores the
// passkey under name. With first set (a forced enrolment, by a session that
// still owes its second factor) the passkey is stored only as the person's
// first factor: ErrFactorOwed, and nothing stored, when they have one by now.
func (k *Passkeys) finishRegistration(ctx context.Context, p directory.Person, tokenHash string, response []byte, name string, first bool) error {
	sd, err := k.take(ctx, tokenHash, "register")
	if err != nil {
		return err
	}
	parsed, err := protocol.ParseCredentialCreationResponseBytes(response)
	if err != nil {
		return ErrPasskey
	}
	u, err := k.user(ctx, p)
	if err != nil {
		return err
	}
	cred, err := k.WA.CreateCredential(u, sd, parsed)
	if err != nil {
		return ErrPasskey
	}
	b, err := json.Marshal(cred)
	if err != nil {
		return err
	}
	id := base64.RawURLEncoding.EncodeToString(cred.ID)
	sealed, err := sealWith(ctx, k.Sealer, b, passkeyAAD(p.ID, id))
	if err != nil {
		return err
	}
	name = strings.TrimSpace(name)
	if name == "" || len(name) > MaxPasskeyName {
		name = "Clé d'accès"
	}
	err = k.DB.Tx(ctx, func(tx *db.Tx) error {
		if first {
			if err := onlyFirstFactor(ctx, &Factors{DB: k.DB}, tx, p.ID); err != nil {
				return err
			}
		}
		_, err := tx.Exec(ctx, `INSERT INTO webauthn_credentials (id, person_id, name, credential, credential_sealed, created_at) VALUES (?, ?, ?, '', ?, ?)`,
			id, p.ID, name, sealed, k.now().Unix())
		return err
	})
	if db.IsUniqueViolation(err) {
		return ErrPasskey
	}
	return err
}

// beginLogin returns the options for navigator.credentials.get, limited to
// the person's passkeys.
func (k *Passkeys) beginLogin(ctx context.Context, p directory.Person, tokenHash string) ([]byte, error) {
	u, err := k.user(ctx, p)
	if err != nil {
		return nil, err
	}
	if len(u.creds) == 0 {
		return nil, ErrPasskey
	}
	assertion, sd, err := k.WA.BeginLogin(u)
	if err != nil {
		return nil, err
	}
	if err := k.keep(ctx, tokenHash, "login", sd); err != nil {
		return nil, err
	}
	return json.Marshal(assertion)
}

// finishLogin verifies an assertion of one of the person's passkeys and
// records its new signature counter.
func (k *Passkeys) finishLogin(ctx context.Context, p directory.Person, tokenHash string, response []byte) error {
	sd, err := k.take(ctx, tokenHash, "login")
	if err != nil {
		return err
	}
	parsed, err := protocol.ParseCredentialRequestResponseBytes(response)
	if err != nil {
		return ErrPasskey
	}
	u, err := k.user(ctx, p)
	if err != nil {
		return err
	}
	cred, err := k.WA.ValidateLogin(u, sd, parsed)
	if err != nil {
		return ErrPasskey
	}
	if cred.Authenticator.CloneWarning {
		return ErrPasskey // the counter went backwards: a cloned authenticator
	}
	b, err := json.Marshal(cred)
	if err != nil {
		return err
	}
	id := base64.RawURLEncoding.EncodeToString(cred.ID)
	sealed, err := sealWith(ctx, k.Sealer, b, passkeyAAD(p.ID, id))
	if err != nil {
		return err
	}
	_, err = k.DB.Exec(ctx, `UPDATE webauthn_credentials SET credential = '', credential_sealed = ?, last_used_at = ? WHERE id = ? AND person_id = ?`,
		sealed, k.now().Unix(), id, p.ID)
	return err
}
