package auth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"cartable/internal/access"
	"cartable/internal/audit"
	"cartable/internal/db"
	"cartable/internal/directory"
	"cartable/internal/mail"
)

// ErrInvalidCredentials is the one answer to any failed sign-in: it never
// tells whether the login exists, is disabled, or the password is wrong.
var ErrInvalidCredentials = errors.New("invalid login or password")

// ThrottledError refuses an attempt made during a wait or a lock.
type ThrottledError struct {
	Wait   time.Duration
	Locked bool
}

func (e *ThrottledError) Error() string {
	return fmt.Sprintf("too many attempts: wait %s", e.Wait)
}

// Throttled tells whether err refuses an attempt during a wait or a lock,
// and how many seconds to wait, rounded up.
func Throttled(err error) (seconds int, ok bool) {
	var te *ThrottledError
	if !errors.As(err, &te) {
		return 0, false
	}
	return int((te.Wait + time.Second - 1) / time.Second), true
}

// Authenticator is the service of the auth domain. It checks credentials
// and opens sessions (the anonymous steps: sign-in, activation, reset);
// acts on a person's own account for the viewer of a session (account.go,
// enrol.go), and on someone else's for a viewer the policy allows
// (admin.go).
type Authenticator struct {
	DB       *db.DB
	Sessions *Sessions
	Attempts *Attempts
	Factors  *Factors
	Passkeys *Passkeys   // nil when passkeys are not configured
	Mail     mail.Sender // nil: no e-mail is sent
	BaseURL  string      // for links in e-mails
	Log      *slog.Logger
	Now      func() time.Time
	// slots bounds the argon2id computations at once (19 MiB and some 20 ms
	// of a core each): hashingSlots, one fewer than the Go processors, so
	// that a burst of sign-ins leaves a processor to the pages of those
	// already signed in, and cannot exhaust memory. At the region's rush
	// (docs/operations.md) this made both the pages and the sign-ins
	// faster than twice the processors did.
	slots   chan struct{}
	waiting atomic.Int64 // checks and hashes waiting for a slot (Waiting)
	// sent receives the result of each background e-mail (tests wait on it).
	sent chan error
}

// hashingSlots is one fewer than the Go processors, at least one, and
// fewer than an address's free attempts (DefaultLimits.AddressFree):
// sign-ins checked at once from one address never count enough to slow
// it down.
func hashingSlots() int { return min(16, max(1, runtime.GOMAXPROCS(0)-1)) }

// NewAuthenticator returns an Authenticator over the database and sessions.
func NewAuthenticator(d *db.DB, s *Sessions) *Authenticator {
	a := &Authenticator{DB: d, Sessions: s, slots: make(chan struct{}, hashingSlots()), Log: slog.Default()}
	a.Attempts = &Attempts{DB: d, Limits: DefaultLimits, Now: a.now}
	a.Factors = &Factors{DB: d, Now: a.now}
	return a
}

func (a *Authenticator) now() time.Time {
	if a.Now != nil {
		return a.Now()
	}
	return time.Now()
}

// Limits on form fields, checked before any work.
const (
	MaxLoginLen    = 128
	MaxPasswordLen = 256
	MaxCodeLen     = 64
)

// hash is HashPassword in one of the slots.
func (a *Authenticator) hash(ctx context.Context, pw string) (string, error) {
	release, err := a.hashing(ctx)
	if err != nil {
		return "", err
	}
	defer release()
	return HashPassword(pw)
}

// hashing waits for a slot in which to hash or check a password, or for
// ctx to end, and returns its release (which may be called more than
// once). The checks that count attempts take it before they count theirs:
// attempts waiting behind a burst of sign-ins would otherwise stand as
// failures of their address (a school's pupils behind one address) until
// checked, and throttle it.
func (a *Authenticator) hashing(ctx context.Context) (release func(), err error) {
	a.waiting.Add(1)
	select {
	case a.slots <- struct{}{}:
		a.waiting.Add(-1)
	case <-ctx.Done():
		a.waiting.Add(-1)
		return nil, ctx.Err()
	}
	var once sync.Once
	return func() { once.Do(func() { <-a.slots }) }, nil
}

// Waiting is how many password checks and hashes wait for a slot now:
// the sign-ins queued behind a burst (a metric).
func (a *Authenticator) Waiting() int { return int(a.waiting.Load()) }

// queue is hashing for an attempt under keys, refused at once, without
// waiting for a slot, while one of its keys is in a wait or a lock: a
// stream of refused attempts must not hold the slots the others wait for.
// Reserve decides again once the slot is held.
func (a *Authenticator) queue(ctx context.Context, personID, sourceIP string, keys ...string) (release func(), err error) {
	wait, locked, err := a.Attempts.Wait(ctx, keys...)
	if err != nil {
		return nil, err
	}
	if wait > 0 {
		a.auditThrottled(ctx, personID, sourceIP)
		return nil, &ThrottledError{Wait: wait, Locked: locked}
	}
	return a.hashing(ctx)
}

// MFAState is what a new session still owes.
type MFAState int

const (
	MFADone   MFAState = iota // nothing: the session is complete
	MFAVerify                 // the person has a second factor and must use it
	MFAEnrol                  // the person must set up a second factor first
)

// SignInRequest is one sign-in attempt.
type SignInRequest struct {
	Login, Password     string
	UserAgent, SourceIP string
	DeviceToken         string // the known-device cookie, if any
	// Previous is the session token the browser held, if any: it ends when
	// the new session opens (the identifier always changes at sign-in).
	Previous string
}

// SignInResult is a successful first step: the new session's token for
// the browser's cookie, and what it still owes.
type SignInResult struct {
	Token string
	MFA   MFAState
	// Device is the known-device token for the browser's cookie once the
	// session is complete (a new one when it held none); "" otherwise.
	Device string
}

// SignIn checks login and password under attempt limiting and opens a
// session, complete or waiting for its second factor. Unknown logins are
// checked against a dummy hash so that they take as long as known ones.
// A form without login or password is refused by CheckSignIn; every
// attempt beyond it is audited.
func (a *Authenticator) SignIn(ctx context.Context, in SignInRequest) (SignInResult, error) {
	if ps := CheckSignIn(in.Login, in.Password); len(ps) > 0 {
		return SignInResult{}, ps
	}
	login := strings.ToLower(strings.TrimSpace(in.Login))
	ipKey := AddressKey(in.SourceIP)
	if login == "" || in.Password == "" || len(login) > MaxLoginLen || len(in.Password) > MaxPasswordLen {
		a.auditFailure(ctx, audit.SignIn, "", in.SourceIP)
		return SignInResult{}, ErrInvalidCredentials
	}
	p, hash, err := directory.Credentials(ctx, access.System("sign-in"), a.DB, login)
	if err != nil && !errors.Is(err, directory.ErrNotFound) {
		return SignInResult{}, err
	}
	known := err == nil && hash != ""
	keys := []string{LoginKey("login", login), ipKey}
	if known {
		dev, err := a.Attempts.isKnownDevice(ctx, in.DeviceToken, p.ID)
		if err != nil {
			return SignInResult{}, err
		}
		if dev {
			keys = []string{DeviceKey(in.DeviceToken)}
		}
	}
	release, err := a.queue(ctx, p.ID, in.SourceIP, keys...)
	if err != nil {
		return SignInResult{}, err
	}
	defer release()
	res, err := a.reserve(ctx, p.ID, in.SourceIP, keys...)
	if err != nil {
		return SignInResult{}, err
	}
	if !known {
		hash = dummyHash
	}
	ok, outdated := VerifyPassword(hash, in.Password)
	release()
	if !known || !ok || !p.Active {
		a.auditFailure(ctx, audit.SignIn, p.ID, in.SourceIP)
		a.failed(ctx, res, p.ID, in.SourceIP)
		return SignInResult{}, ErrInvalidCredentials
	}
	if err := res.Succeeded(ctx, keys[0]); err != nil {
		return SignInResult{}, err
	}
	if outdated {
		if h, err := a.hash(ctx, in.Password); err == nil {
			_ = directory.SetPasswordHash(ctx, access.System("sign-in"), a.DB, p.ID, h)
		}
	}
	return a.open(ctx, p, in.UserAgent, in.SourceIP, in.Previous, in.DeviceToken)
}

// open starts a session for a person whose password (or activation code)
// was just checked, owing a second factor when they have one or must enrol,
// and ends the session the browser held before (previous). A complete
// session makes the browser a known device.
func (a *Authenticator) open(ctx context.Context, p directory.Person, userAgent, sourceIP, previous, device string) (SignInResult, error) {
	state, err := a.mfaState(ctx, p)
	if err != nil {
		return SignInResult{}, err
	}
	token, err := a.Sessions.Create(ctx, p.ID, userAgent, sourceIP, state == MFADone)
	if err != nil {
		return SignInResult{}, err
	}
	if previous != "" {
		_ = a.Sessions.revoke(ctx, hashToken(previous))
	}
	_ = audit.Record(ctx, a.DB, audit.Event{ActorID: p.ID, Action: audit.SignIn, Outcome: audit.Success, SourceIP: sourceIP, At: a.now()})
	res := SignInResult{Token: token, MFA: state}
	if state == MFADone {
		if res.Device, err = a.Attempts.rememberDevice(ctx, device, p.ID); err != nil {
			a.Log.Warn("cannot remember the device", "err", err.Error())
		}
	}
	return res, nil
}

func (a *Authenticator) mfaState(ctx context.Context, p directory.Person) (MFAState, error) {
	en, err := a.Factors.enrolledOf(ctx, a.DB, p.ID)
	if err != nil {
		return 0, err
	}
	if en.Any() {
		return MFAVerify, nil
	}
	must, err := mustUseSecondFactor(ctx, access.System("sign-in"), a.DB, p.ID, p.Profile)
	if err != nil {
		return 0, err
	}
	if must {
		return MFAEnrol, nil
	}
	return MFADone, nil
}

// reserve counts an attempt under keys before its credential is checked
// (Attempts.Reserve); a refusal during a wait or a lock is audited.
func (a *Authenticator) reserve(ctx context.Context, personID, sourceIP string, keys ...string) (*Reservation, error) {
	res, err := a.Attempts.Reserve(ctx, keys...)
	var te *ThrottledError
	if errors.As(err, &te) {
		a.auditThrottled(ctx, personID, sourceIP)
	}
	return res, err
}

func (a *Authenticator) auditThrottled(ctx context.Context, personID, sourceIP string) {
	target := ""
	if personID != "" {
		target = "person:" + personID
	}
	_ = audit.Record(ctx, a.DB, audit.Event{Action: audit.SignInThrottled, Target: target, Outcome: audit.Denied, SourceIP: sourceIP, At: a.now()})
}

// failed ends the reservation of a wrong credential: its counts stand, and
// when it locked an account key the lock is audited and the account's
// owner told.
func (a *Authenticator) failed(ctx context.Context, res *Reservation, personID, sourceIP string) {
	if personID == "" {
		return
	}
	for range res.LockedNow() {
		_ = audit.Record(ctx, a.DB, audit.Event{Action: audit.AccountLocked, Target: "person:" + personID, Outcome: audit.Denied, SourceIP: sourceIP, At: a.now()})
		a.notifyLock(ctx, personID, sourceIP)
	}
}

func (a *Authenticator) auditFailure(ctx context.Context, action, personID, sourceIP string) {
	// The attempted login is not recorded: it may be a password typed in
	// the wrong field.
	target := ""
	if personID != "" {
		target = "person:" + personID
	}
	_ = audit.Record(ctx, a.DB, audit.Event{Action: action, Target: target, Outcome: audit.Failure, SourceIP: sourceIP, At: a.now()})
}

// own refuses to act for v through a session that is not theirs: se is
// the session of the request, as the session store looked it up. Every act
// on one's own account goes through it and uses v.ID only, so that no page
// can name another person.
func own(v *access.Viewer, se Session) error {
	if v == nil || v.ID == "" || v.IsSystem() || se.PersonID != v.ID || se.Person.ID != v.ID {
		return access.Refuse(access.ManageAccount, access.Person(se.PersonID), "not a session of the viewer")
	}
	return nil
}

// SecondFactor checks a TOTP code or a recovery code for the session of
// the viewer, under attempt limiting, and returns the new session token
// (the identifier changes with the privilege).
func (a *Authenticator) SecondFactor(ctx context.Context, v *access.Viewer, se Session, method, code, sourceIP string) (string, error) {
	if err := own(v, se); err != nil {
		return "", err
	}
	keys := []string{"mfa:" + v.ID, AddressKey(sourceIP)}
	res, err := a.reserve(ctx, v.ID, sourceIP, keys...)
	if err != nil {
		return "", err
	}
	if len(code) > MaxCodeLen {
		code = ""
	}
	switch method {
	case "totp":
		err = a.Factors.verifyTOTP(ctx, v.ID, code)
	case "recovery":
		err = a.Factors.useRecoveryCode(ctx, v.ID, code)
	default:
		err = ErrBadCode
	}
	if errors.Is(err, ErrBadCode) {
		a.auditFailure(ctx, audit.SecondFactor, v.ID, sourceIP)
		a.failed(ctx, res, v.ID, sourceIP)
		return "", ErrBadCode
	}
	if err != nil {
		_ = res.Release(ctx)
		return "", err
	}
	if err := res.Succeeded(ctx, keys[0]); err != nil {
		return "", err
	}
	if method == "recovery" {
		_ = audit.Record(ctx, a.DB, audit.Event{ActorID: v.ID, Action: audit.RecoveryCodeUsed, Outcome: audit.Success, SourceIP: sourceIP, At: a.now()})
	}
	return a.completeSecondFactor(ctx, v, se, method, sourceIP)
}

// BeginPasskeySecondFactor starts the passkey ceremony of the second
// factor: the options for navigator.credentials.get, limited to the
// viewer's passkeys (ErrPasskey when they have none), bound to the session.
func (a *Authenticator) BeginPasskeySecondFactor(ctx context.Context, v *access.Viewer, se Session) ([]byte, error) {
	if a.Passkeys == nil {
		return nil, ErrPasskeysOff
	}
	if err := own(v, se); err != nil {
		return nil, err
	}
	return a.Passkeys.beginLogin(ctx, se.Person, se.TokenHash)
}

// MaxPasskeyResponse bounds the authenticator's answer to a ceremony.
const MaxPasskeyResponse = 64 << 10

// PasskeySecondFactor checks a passkey assertion as the second factor of
// the viewer's session, under the same attempt limiting as codes, and
// returns the new session token; "" and nothing changed when the session
// owes no second factor.
func (a *Authenticator) PasskeySecondFactor(ctx context.Context, v *access.Viewer, se Session, response []byte, sourceIP string) (string, error) {
	if a.Passkeys == nil {
		return "", ErrPasskeysOff
	}
	if err := own(v, se); err != nil {
		return "", err
	}
	if se.Strong() {
		return "", nil
	}
	if len(response) > MaxPasskeyResponse {
		response = nil
	}
	keys := []string{"mfa:" + v.ID, AddressKey(sourceIP)}
	res, err := a.reserve(ctx, v.ID, sourceIP, keys...)
	if err != nil {
		return "", err
	}
	err = a.Passkeys.finishLogin(ctx, se.Person, se.TokenHash, response)
	if errors.Is(err, ErrPasskey) {
		_ = audit.Record(ctx, a.DB, audit.Event{Action: audit.SecondFactor, Target: "person:" + v.ID, Outcome: audit.Failure, SourceIP: sourceIP, At: a.now()})
		a.failed(ctx, res, v.ID, sourceIP)
		return "", ErrPasskey
	}
	if err != nil {
		_ = res.Release(ctx)
		return "", err
	}
	if err := res.Succeeded(ctx, keys[0]); err != nil {
		return "", err
	}
	return a.completeSecondFactor(ctx, v, se, "passkey", sourceIP)
}

// completeSecondFactor marks the session complete after a second factor
// (or a first enrolment) and returns its new identifier.
func (a *Authenticator) completeSecondFactor(ctx context.Context, v *access.Viewer, se Session, method, sourceIP string) (string, error) {
	if err := a.Attempts.forget(ctx, "mfa:"+v.ID); err != nil {
		return "", err
	}
	fresh, err := a.Sessions.rotate(ctx, se.TokenHash, v.ID, true, true)
	if err != nil {
		return "", err
	}
	_ = audit.Record(ctx, a.DB, audit.Event{ActorID: v.ID, Action: audit.SecondFactor, Target: "method:" + method, Outcome: audit.Success, SourceIP: sourceIP, At: a.now()})
	return fresh, nil
}

// Reauthenticate checks the password of the viewer before a sensitive
// change and records it on their session.
func (a *Authenticator) Reauthenticate(ctx context.Context, v *access.Viewer, se Session, password, sourceIP string) error {
	if err := own(v, se); err != nil {
		return err
	}
	keys := []string{"reauth:" + v.ID}
	release, err := a.queue(ctx, v.ID, sourceIP, keys...)
	if err != nil {
		return err
	}
	defer release()
	res, err := a.reserve(ctx, v.ID, sourceIP, keys...)
	if err != nil {
		return err
	}
	ok, err := a.checkPassword(ctx, v.ID, password)
	release()
	if err != nil {
		_ = res.Release(ctx)
		return err
	}
	if !ok {
		a.auditFailure(ctx, audit.Reauthenticated, v.ID, sourceIP)
		a.failed(ctx, res, v.ID, sourceIP)
		return ErrInvalidCredentials
	}
	_ = res.Succeeded(ctx, keys[0])
	_ = audit.Record(ctx, a.DB, audit.Event{ActorID: v.ID, Action: audit.Reauthenticated, Outcome: audit.Success, SourceIP: sourceIP, At: a.now()})
	return a.Sessions.markReauth(ctx, se.TokenHash)
}

// checkPassword tells whether password is the person's; the caller holds
// a hashing slot.
func (a *Authenticator) checkPassword(ctx context.Context, personID, password string) (bool, error) {
	if password == "" || len(password) > MaxPasswordLen {
		return false, nil
	}
	var hash string
	if err := a.DB.QueryRow(ctx, `SELECT password_hash FROM people WHERE id = ? AND active`, personID).Scan(&hash); err != nil {
		return false, err
	}
	if hash == "" {
		hash = dummyHash
	}
	ok, _ := VerifyPassword(hash, password)
	return ok && hash != dummyHash, nil
}

// SignOut ends the viewer's session and audits it.
func (a *Authenticator) SignOut(ctx context.Context, v *access.Viewer, se Session, sourceIP string) error {
	if err := own(v, se); err != nil {
		return err
	}
	if err := a.Sessions.revoke(ctx, se.TokenHash); err != nil {
		return err
	}
	return audit.Record(ctx, a.DB, audit.Event{ActorID: v.ID, Action: audit.SignOut, Outcome: audit.Success, SourceIP: sourceIP, At: a.now()})
}

// RememberDevice marks the browser holding deviceToken (a new token when
// it holds none, returned for its cookie) as known for the viewer, after
// a complete sign-in; see Attempts.
func (a *Authenticator) RememberDevice(ctx context.Context, v *access.Viewer, deviceToken string) (string, error) {
	if v == nil || v.ID == "" || v.IsSystem() {
		return "", access.Refuse(access.ManageAccount, access.Person(""), "no person to remember the device for")
	}
	return a.Attempts.rememberDevice(ctx, deviceToken, v.ID)
}
