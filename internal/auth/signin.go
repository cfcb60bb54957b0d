package auth

import (
	"context"
	"errors"
	"runtime"
	"strings"

	"cartable/internal/audit"
	"cartable/internal/db"
	"cartable/internal/directory"
)

// ErrInvalidCredentials is the one answer to any failed sign-in: it never
// tells whether the login exists, is disabled, or the password is wrong.
var ErrInvalidCredentials = errors.New("invalid login or password")

// Authenticator checks credentials and opens sessions.
type Authenticator struct {
	DB       *db.DB
	Sessions *Sessions
	// slots bounds concurrent argon2id computations (19 MiB each) so that a
	// burst of sign-ins cannot exhaust memory.
	slots chan struct{}
}

// NewAuthenticator returns an Authenticator over the database and sessions.
func NewAuthenticator(d *db.DB, s *Sessions) *Authenticator {
	return &Authenticator{DB: d, Sessions: s, slots: make(chan struct{}, 2*runtime.NumCPU())}
}

// Limits on form fields, checked before any work.
const (
	MaxLoginLen    = 128
	MaxPasswordLen = 256
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

// SignIn checks login and password and opens a session. Unknown logins are
// checked against a dummy hash so that they take as long as known ones.
// Every attempt is audited.
func (a *Authenticator) SignIn(ctx context.Context, login, password, userAgent, sourceIP string) (directory.Person, string, error) {
	login = strings.ToLower(strings.TrimSpace(login))
	if login == "" || password == "" || len(login) > MaxLoginLen || len(password) > MaxPasswordLen {
		a.auditFailure(ctx, "", sourceIP)
		return directory.Person{}, "", ErrInvalidCredentials
	}
	p, hash, err := directory.PersonByLogin(ctx, a.DB, login)
	if err != nil && !errors.Is(err, directory.ErrNotFound) {
		return directory.Person{}, "", err
	}
	known := err == nil && hash != ""
	if !known {
		hash = dummyHash
	}
	ok, outdated, err := a.verify(ctx, hash, password)
	if err != nil {
		return directory.Person{}, "", err
	}
	if !known || !ok || !p.Active {
		a.auditFailure(ctx, p.ID, sourceIP)
		return directory.Person{}, "", ErrInvalidCredentials
	}
	if outdated {
		if h, err := HashPassword(password); err == nil {
			_ = directory.SetPasswordHash(ctx, a.DB, p.ID, h)
		}
	}
	token, err := a.Sessions.Create(ctx, p.ID, userAgent, sourceIP)
	if err != nil {
		return directory.Person{}, "", err
	}
	_ = audit.Record(ctx, a.DB, audit.Event{ActorID: p.ID, Action: audit.SignIn, Outcome: audit.Success, SourceIP: sourceIP})
	return p, token, nil
}

func (a *Authenticator) auditFailure(ctx context.Context, personID, sourceIP string) {
	// The attempted login is not recorded: it may be a password typed in
	// the wrong field.
	target := ""
	if personID != "" {
		target = "person:" + personID
	}
	_ = audit.Record(ctx, a.DB, audit.Event{Action: audit.SignIn, Target: target, Outcome: audit.Failure, SourceIP: sourceIP})
}

// SignOut ends the session and audits it.
func (a *Authenticator) SignOut(ctx context.Context, token, personID, sourceIP string) error {
	if err := a.Sessions.Revoke(ctx, token); err != nil {
		return err
	}
	return audit.Record(ctx, a.DB, audit.Event{ActorID: personID, Action: audit.SignOut, Outcome: audit.Success, SourceIP: sourceIP})
}
