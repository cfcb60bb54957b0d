package auth

import (
	"context"
	"errors"
	"strings"
	"time"

	"cartable/internal/access"
	"cartable/internal/audit"
	"cartable/internal/check"
	"cartable/internal/roles"
)

// A person's own account: what the viewer of a session does on it. Every
// function here takes the viewer and the request's session (own) and acts
// on v.ID only.

// ReauthWindow is how long after typing their password a person may
// change their second factors or e-mail without typing it again.
const ReauthWindow = 10 * time.Minute

// Errors of one's own account.
var (
	// ErrReauth refuses a sensitive change when the password was not typed
	// within ReauthWindow: the person confirms it first (Reauthenticate).
	ErrReauth = errors.New("type the password again first")
	// ErrLastFactor refuses to remove the last second factor of someone
	// who must have one.
	ErrLastFactor = errors.New("the last second factor of someone who must have one")
	// ErrNoFactor refuses recovery codes to someone without a second factor.
	ErrNoFactor = errors.New("no second factor: recovery codes would serve nothing")
	// ErrNoSuchSession: the session to end is not (or no longer) one of the
	// person's.
	ErrNoSuchSession = errors.New("no such session")
	// ErrNoSuchPasskey: the passkey to remove is not (or no longer) one of
	// the person's.
	ErrNoSuchPasskey = errors.New("no such passkey")
)

// recent refuses with ErrReauth when the password of the session was not
// typed within ReauthWindow. Sessions still owing their second factor were
// opened by a password moments ago: they pass while that is recent.
func (a *Authenticator) recent(se Session) error {
	if a.now().Sub(se.ReauthAt) < ReauthWindow {
		return nil
	}
	return ErrReauth
}

// Enrolled tells which second factors the viewer has (a session owing its
// second factor asks it, to offer them).
func (a *Authenticator) Enrolled(ctx context.Context, v *access.Viewer, se Session) (Enrolled, error) {
	if err := own(v, se); err != nil {
		return Enrolled{}, err
	}
	return a.Factors.enrolledOf(ctx, a.DB, v.ID)
}

// Account is the viewer's account page: second factors, recovery e-mail
// and sessions.
func (a *Authenticator) Account(ctx context.Context, v *access.Viewer, se Session) (AccountView, error) {
	var d AccountView
	if err := own(v, se); err != nil {
		return d, err
	}
	var err error
	if d.Enrolled, err = a.Factors.enrolledOf(ctx, a.DB, v.ID); err != nil {
		return d, err
	}
	if d.Must, err = mustUseSecondFactor(ctx, v, a.DB, v.ID, se.Person.Profile); err != nil {
		return d, err
	}
	if a.Passkeys != nil {
		d.PasskeysOn = true
		if d.Passkeys, err = a.Passkeys.list(ctx, v.ID); err != nil {
			return d, err
		}
	}
	if d.RecoveryEmail, err = recoveryEmail(ctx, a.DB, v.ID); err != nil {
		return d, err
	}
	sessions, err := a.Sessions.list(ctx, v.ID)
	if err != nil {
		return d, err
	}
	for _, s := range sessions {
		d.Sessions = append(d.Sessions, OwnSession{Handle: s.Handle, Device: deviceName(s.UserAgent), Address: s.SourceIP,
			Created: s.CreatedAt, LastSeen: s.LastSeen, Current: s.TokenHash == se.TokenHash, Pending: !s.MFADone})
	}
	d.Reauth = a.recent(se) == nil
	return d, nil
}

// ChangePassword replaces the viewer's password; they type the current
// one. The form is checked first (CheckPasswordChange), the rule once the
// current password is right. Every other session of the person ends and
// the current one gets a new identifier, which is returned.
func (a *Authenticator) ChangePassword(ctx context.Context, v *access.Viewer, se Session, current, fresh, again, sourceIP string) (string, error) {
	if err := own(v, se); err != nil {
		return "", err
	}
	if ps := CheckPasswordChange(current, fresh, again); len(ps) > 0 {
		return "", ps
	}
	keys := []string{"reauth:" + v.ID}
	release, err := a.queue(ctx, v.ID, sourceIP, keys...)
	if err != nil {
		return "", err
	}
	defer release()
	res, err := a.reserve(ctx, v.ID, sourceIP, keys...)
	if err != nil {
		return "", err
	}
	ok, err := a.checkPassword(ctx, v.ID, current)
	release() // the new password is hashed in a slot of its own
	if err != nil {
		_ = res.Release(ctx)
		return "", err
	}
	if !ok {
		a.auditFailure(ctx, audit.PasswordChanged, v.ID, sourceIP)
		a.failed(ctx, res, v.ID, sourceIP)
		return "", ErrInvalidCredentials
	}
	// The current password was right: the attempt is given back whatever
	// follows (a refused new password is not a failed authentication).
	_ = res.Release(ctx)
	if fresh == current {
		var ps check.Problems
		ps.Add(FieldPassword, CodeSame, "")
		return "", ps
	}
	p := se.Person
	if ps := CheckPassword(fresh, p.Login, p.FirstName, p.LastName); len(ps) > 0 {
		return "", ps
	}
	hash, err := a.hash(ctx, fresh)
	if err != nil {
		return "", err
	}
	if err := a.setPassword(ctx, a.DB, v.ID, hash); err != nil {
		return "", err
	}
	_ = a.Attempts.forget(ctx, keys[0])
	if err := a.Sessions.revokeOthers(ctx, v.ID, se.TokenHash); err != nil {
		return "", err
	}
	_ = audit.Record(ctx, a.DB, audit.Event{ActorID: v.ID, Action: audit.PasswordChanged, Outcome: audit.Success, SourceIP: sourceIP, At: a.now()})
	if err := a.Sessions.markReauth(ctx, se.TokenHash); err != nil {
		return "", err
	}
	return a.Sessions.rotate(ctx, se.TokenHash, v.ID, true, false)
}

// SetRecoveryEmail changes the viewer's recovery e-mail ("" removes it,
// except for relatives, who must keep one), after a recent password.
func (a *Authenticator) SetRecoveryEmail(ctx context.Context, v *access.Viewer, se Session, email, sourceIP string) error {
	if err := own(v, se); err != nil {
		return err
	}
	if err := a.recent(se); err != nil {
		return err
	}
	if ps := CheckEmail(email, se.Person.Profile == roles.Relative); len(ps) > 0 {
		return ps
	}
	_, err := a.DB.Exec(ctx, `INSERT INTO account_settings (person_id, recovery_email) VALUES (?, ?)
		ON CONFLICT (person_id) DO UPDATE SET recovery_email = excluded.recovery_email`, v.ID, strings.TrimSpace(email))
	if err != nil {
		return err
	}
	return audit.Record(ctx, a.DB, audit.Event{ActorID: v.ID, Action: audit.RecoveryEmailSaved, Outcome: audit.Success, SourceIP: sourceIP, At: a.now()})
}

// EndSession ends one of the viewer's sessions, named by its handle, and
// tells whether it was the request's own (the browser is then signed
// out). ErrNoSuchSession when the handle names none of theirs.
func (a *Authenticator) EndSession(ctx context.Context, v *access.Viewer, se Session, handle, sourceIP string) (current bool, err error) {
	if err := own(v, se); err != nil {
		return false, err
	}
	if handle == se.Handle {
		err = a.Sessions.revoke(ctx, se.TokenHash)
		current = true
	} else {
		var found bool
		if found, err = a.Sessions.revokeHandle(ctx, v.ID, handle); err == nil && !found {
			err = ErrNoSuchSession
		}
	}
	if err != nil {
		return false, err
	}
	a.auditSessionsEnded(ctx, v, v.ID, sourceIP)
	return current, nil
}

// EndOtherSessions ends every session of the viewer but the request's.
func (a *Authenticator) EndOtherSessions(ctx context.Context, v *access.Viewer, se Session, sourceIP string) error {
	if err := own(v, se); err != nil {
		return err
	}
	if err := a.Sessions.revokeOthers(ctx, v.ID, se.TokenHash); err != nil {
		return err
	}
	a.auditSessionsEnded(ctx, v, v.ID, sourceIP)
	return nil
}

// EndAllSessions ends every session of the viewer, the request's too.
func (a *Authenticator) EndAllSessions(ctx context.Context, v *access.Viewer, se Session, sourceIP string) error {
	if err := own(v, se); err != nil {
		return err
	}
	if err := a.Sessions.revokeAll(ctx, a.DB, v.ID); err != nil {
		return err
	}
	a.auditSessionsEnded(ctx, v, v.ID, sourceIP)
	return nil
}

func (a *Authenticator) auditSessionsEnded(ctx context.Context, v *access.Viewer, personID, sourceIP string) {
	_ = audit.Record(ctx, a.DB, audit.Event{ActorID: v.Actor(), Action: audit.SessionEnded, Target: "person:" + personID, Outcome: audit.Success, SourceIP: sourceIP, At: a.now()})
}
