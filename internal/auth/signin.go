package auth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"strings"
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

// Authenticator checks credentials and opens sessions.
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
	// slots bounds concurrent argon2id computations (19 MiB each) so that a
	// burst of sign-ins cannot exhaust memory.
	slots chan struct{}
	// sent receives the result of each background e-mail (tests wait on it).
	sent chan error
}

// NewAuthenticator returns an Authenticator over the database and sessions.
func NewAuthenticator(d *db.DB, s *Sessions) *Authenticator {
	a := &Authenticator{DB: d, Sessions: s, slots: make(chan struct{}, 2*runtime.NumCPU()), Log: slog.Default()}
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

func (a *Authenticator) verify(ctx context.Context, hash, pw string) (ok, outdated bool, err error) {
	select {
	case a.slots <- struct{}{}:
	case <-ctx.Done():
		return false, false, ctx.Err()
	}
	defer func() { <-a.slots }()
	ok, outdated = VerifyPassword(hash, pw)
	return ok, outdated, nil
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
}

// SignInResult is a successful first step.
type SignInResult struct {
	Person directory.Person
	Token  string
	MFA    MFAState
}

// SignIn checks login and password under attempt limiting and opens a
// session, complete or waiting for its second factor. Unknown logins are
// checked against a dummy hash so that they take as long as known ones.
// Every attempt is audited.
func (a *Authenticator) SignIn(ctx context.Context, in SignInRequest) (SignInResult, error) {
	login := strings.ToLower(strings.TrimSpace(in.Login))
	ipKey := AddressKey(in.SourceIP)
	if login == "" || in.Password == "" || len(login) > MaxLoginLen || len(in.Password) > MaxPasswordLen {
		a.auditFailure(ctx, audit.SignIn, "", in.SourceIP)
		return SignInResult{}, ErrInvalidCredentials
	}
	p, hash, err := directory.PersonByLogin(ctx, a.DB, login)
	if err != nil && !errors.Is(err, directory.ErrNotFound) {
		return SignInResult{}, err
	}
	known := err == nil && hash != ""
	keys := []string{LoginKey("login", login), ipKey}
	if known {
		dev, err := a.Attempts.IsKnownDevice(ctx, in.DeviceToken, p.ID)
		if err != nil {
			return SignInResult{}, err
		}
		if dev {
			keys = []string{DeviceKey(in.DeviceToken)}
		}
	}
	res, err := a.reserve(ctx, p.ID, in.SourceIP, keys...)
	if err != nil {
		return SignInResult{}, err
	}
	if !known {
		hash = dummyHash
	}
	ok, outdated, err := a.verify(ctx, hash, in.Password)
	if err != nil {
		_ = res.Release(ctx) // nothing was checked
		return SignInResult{}, err
	}
	if !known || !ok || !p.Active {
		a.auditFailure(ctx, audit.SignIn, p.ID, in.SourceIP)
		a.failed(ctx, res, p, in.SourceIP)
		return SignInResult{}, ErrInvalidCredentials
	}
	if err := res.Succeeded(ctx, keys[0]); err != nil {
		return SignInResult{}, err
	}
	if outdated {
		if h, err := HashPassword(in.Password); err == nil {
			_ = directory.SetPasswordHash(ctx, access.System("sign-in"), a.DB, p.ID, h)
		}
	}
	return a.open(ctx, p, in.UserAgent, in.SourceIP)
}

// open starts a session for a person whose password (or activation code)
// was just checked, owing a second factor when they have one or must enrol.
func (a *Authenticator) open(ctx context.Context, p directory.Person, userAgent, sourceIP string) (SignInResult, error) {
	state, err := a.mfaState(ctx, p)
	if err != nil {
		return SignInResult{}, err
	}
	token, err := a.Sessions.Create(ctx, p.ID, userAgent, sourceIP, state == MFADone)
	if err != nil {
		return SignInResult{}, err
	}
	_ = audit.Record(ctx, a.DB, audit.Event{ActorID: p.ID, Action: audit.SignIn, Outcome: audit.Success, SourceIP: sourceIP, At: a.now()})
	return SignInResult{Person: p, Token: token, MFA: state}, nil
}

func (a *Authenticator) mfaState(ctx context.Context, p directory.Person) (MFAState, error) {
	en, err := a.Factors.EnrolledOf(ctx, a.DB, p.ID)
	if err != nil {
		return 0, err
	}
	if en.Any() {
		return MFAVerify, nil
	}
	must, err := MustUseSecondFactor(ctx, a.DB, p)
	if err != nil {
		return 0, err
	}
	if must {
		return MFAEnrol, nil
	}
	return MFADone, nil
}

// MFAStateOf tells what a person would owe at sign-in now.
func (a *Authenticator) MFAStateOf(ctx context.Context, p directory.Person) (MFAState, error) {
	return a.mfaState(ctx, p)
}

// reserve counts an attempt under keys before its credential is checked
// (Attempts.Reserve); a refusal during a wait or a lock is audited.
func (a *Authenticator) reserve(ctx context.Context, personID, sourceIP string, keys ...string) (*Reservation, error) {
	res, err := a.Attempts.Reserve(ctx, keys...)
	var te *ThrottledError
	if errors.As(err, &te) {
		target := ""
		if personID != "" {
			target = "person:" + personID
		}
		_ = audit.Record(ctx, a.DB, audit.Event{Action: audit.SignInThrottled, Target: target, Outcome: audit.Denied, SourceIP: sourceIP, At: a.now()})
	}
	return res, err
}

// failed ends the reservation of a wrong credential: its counts stand, and
// when it locked an account key the lock is audited and the account's
// owner told.
func (a *Authenticator) failed(ctx context.Context, res *Reservation, p directory.Person, sourceIP string) {
	if p.ID == "" {
		return
	}
	for range res.LockedNow() {
		_ = audit.Record(ctx, a.DB, audit.Event{Action: audit.AccountLocked, Target: "person:" + p.ID, Outcome: audit.Denied, SourceIP: sourceIP, At: a.now()})
		a.notifyLock(ctx, p, sourceIP)
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

// SecondFactor checks a TOTP code or a recovery code for the session
// behind token, under attempt limiting, and returns the new session token
// (the identifier changes with the privilege).
func (a *Authenticator) SecondFactor(ctx context.Context, token string, p directory.Person, method, code, sourceIP string) (string, error) {
	keys := []string{"mfa:" + p.ID, AddressKey(sourceIP)}
	res, err := a.reserve(ctx, p.ID, sourceIP, keys...)
	if err != nil {
		return "", err
	}
	if len(code) > MaxCodeLen {
		code = ""
	}
	switch method {
	case "totp":
		err = a.Factors.VerifyTOTP(ctx, p.ID, code)
	case "recovery":
		err = a.Factors.UseRecoveryCode(ctx, p.ID, code)
	default:
		err = ErrBadCode
	}
	if errors.Is(err, ErrBadCode) {
		a.auditFailure(ctx, audit.SecondFactor, p.ID, sourceIP)
		a.failed(ctx, res, p, sourceIP)
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
		_ = audit.Record(ctx, a.DB, audit.Event{ActorID: p.ID, Action: audit.RecoveryCodeUsed, Outcome: audit.Success, SourceIP: sourceIP, At: a.now()})
	}
	return a.CompleteSecondFactor(ctx, token, p.ID, method, sourceIP)
}

// PasskeySecondFactor checks a passkey assertion as the second factor of
// the session behind token, under the same attempt limiting as codes, and
// returns the new session token.
func (a *Authenticator) PasskeySecondFactor(ctx context.Context, token string, p directory.Person, response []byte, sourceIP string) (string, error) {
	if a.Passkeys == nil {
		return "", ErrPasskey
	}
	keys := []string{"mfa:" + p.ID, AddressKey(sourceIP)}
	res, err := a.reserve(ctx, p.ID, sourceIP, keys...)
	if err != nil {
		return "", err
	}
	err = a.Passkeys.FinishLogin(ctx, p, HashToken(token), response)
	if errors.Is(err, ErrPasskey) {
		_ = audit.Record(ctx, a.DB, audit.Event{Action: audit.SecondFactor, Target: "person:" + p.ID, Outcome: audit.Failure, SourceIP: sourceIP, At: a.now()})
		a.failed(ctx, res, p, sourceIP)
		return "", ErrPasskey
	}
	if err != nil {
		_ = res.Release(ctx)
		return "", err
	}
	if err := res.Succeeded(ctx, keys[0]); err != nil {
		return "", err
	}
	return a.CompleteSecondFactor(ctx, token, p.ID, "passkey", sourceIP)
}

// ConfirmTOTP finishes the person's TOTP enrolment (Factors.ConfirmTOTP,
// or ConfirmFirstTOTP when first) under the attempt limiting of
// second-factor codes. A wrong code, or no
// enrolment in progress, counts as a failure.
func (a *Authenticator) ConfirmTOTP(ctx context.Context, p directory.Person, code string, first bool, sourceIP string) ([]string, error) {
	res, err := a.reserve(ctx, p.ID, sourceIP, "mfa:"+p.ID)
	if err != nil {
		return nil, err
	}
	if len(code) > MaxCodeLen {
		code = ""
	}
	confirm := a.Factors.ConfirmTOTP
	if first {
		confirm = a.Factors.ConfirmFirstTOTP
	}
	codes, err := confirm(ctx, p.ID, code)
	if errors.Is(err, ErrBadCode) || errors.Is(err, ErrNoEnrolment) {
		a.failed(ctx, res, p, sourceIP)
		return nil, err
	}
	if rerr := res.Release(ctx); err == nil {
		err = rerr
	}
	return codes, err
}

// CompleteSecondFactor marks the session complete after a second factor
// (or a first enrolment) and returns its new identifier.
func (a *Authenticator) CompleteSecondFactor(ctx context.Context, token, personID, method, sourceIP string) (string, error) {
	if err := a.Attempts.Clear(ctx, "mfa:"+personID); err != nil {
		return "", err
	}
	fresh, err := a.Sessions.Rotate(ctx, token, true)
	if err != nil {
		return "", err
	}
	_ = audit.Record(ctx, a.DB, audit.Event{ActorID: personID, Action: audit.SecondFactor, Target: "method:" + method, Outcome: audit.Success, SourceIP: sourceIP, At: a.now()})
	return fresh, nil
}

// Reauthenticate checks the password of a signed-in person before a
// sensitive change and records it on the session.
func (a *Authenticator) Reauthenticate(ctx context.Context, token string, p directory.Person, password, sourceIP string) error {
	keys := []string{"reauth:" + p.ID}
	res, err := a.reserve(ctx, p.ID, sourceIP, keys...)
	if err != nil {
		return err
	}
	ok, err := a.checkPassword(ctx, p.ID, password)
	if err != nil {
		_ = res.Release(ctx)
		return err
	}
	if !ok {
		a.auditFailure(ctx, audit.Reauthenticated, p.ID, sourceIP)
		a.failed(ctx, res, p, sourceIP)
		return ErrInvalidCredentials
	}
	_ = res.Succeeded(ctx, keys[0])
	_ = audit.Record(ctx, a.DB, audit.Event{ActorID: p.ID, Action: audit.Reauthenticated, Outcome: audit.Success, SourceIP: sourceIP, At: a.now()})
	return a.Sessions.MarkReauth(ctx, token)
}

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
	ok, _, err := a.verify(ctx, hash, password)
	return ok && hash != dummyHash, err
}

// SignOut ends the session and audits it.
func (a *Authenticator) SignOut(ctx context.Context, token, personID, sourceIP string) error {
	if err := a.Sessions.Revoke(ctx, token); err != nil {
		return err
	}
	return audit.Record(ctx, a.DB, audit.Event{ActorID: personID, Action: audit.SignOut, Outcome: audit.Success, SourceIP: sourceIP, At: a.now()})
}

// RememberDevice marks the browser as known for the person after a
// complete sign-in; see Attempts.
func (a *Authenticator) RememberDevice(ctx context.Context, deviceToken, personID string) (string, error) {
	return a.Attempts.RememberDevice(ctx, deviceToken, personID)
}
