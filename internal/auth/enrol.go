package auth

import (
	"context"
	"errors"

	"cartable/internal/access"
	"cartable/internal/audit"
)

// One's own second factors: setting up an authenticator app or a passkey,
// removing them, new recovery codes. Like account.go, every function takes
// the viewer and the request's session and acts on v.ID only.

// mayEnrol tells whether the session may add a second factor. A complete
// session may. A session that still owes its second factor may only when
// the person has none yet (forced enrolment): someone who has a factor
// must use it, and a new factor must never stand in for the one owed; the
// refusal is ErrFactorOwed, audited. first tells that the enrolment must
// be the person's first factor; the storage checks it again, atomically,
// when the factor is saved.
func (a *Authenticator) mayEnrol(ctx context.Context, v *access.Viewer, se Session, method, sourceIP string) (first bool, err error) {
	if se.MFADone {
		return false, nil
	}
	en, err := a.Factors.enrolledOf(ctx, a.DB, v.ID)
	if err != nil {
		return false, err
	}
	if en.Any() {
		return false, a.refuseEnrolment(ctx, v, method, sourceIP)
	}
	return true, nil
}

// refuseEnrolment audits an enrolment tried by a session that owes the
// factor the person already has, and returns ErrFactorOwed.
func (a *Authenticator) refuseEnrolment(ctx context.Context, v *access.Viewer, method, sourceIP string) error {
	_ = audit.Record(ctx, a.DB, audit.Event{ActorID: v.ID, Action: audit.MFAEnrolled, Target: "method:" + method,
		Outcome: audit.Denied, SourceIP: sourceIP, At: a.now()})
	return ErrFactorOwed
}

// enrolling is the gate of the authenticator-app pages: the session may
// enrol (mayEnrol) and its password is recent.
func (a *Authenticator) enrolling(ctx context.Context, v *access.Viewer, se Session, sourceIP string) (first bool, err error) {
	if err := own(v, se); err != nil {
		return false, err
	}
	if first, err = a.mayEnrol(ctx, v, se, "totp", sourceIP); err != nil {
		return false, err
	}
	return first, a.recent(se)
}

// TOTPEnrolment is the set-up page of an authenticator app: the one in
// progress, if any.
func (a *Authenticator) TOTPEnrolment(ctx context.Context, v *access.Viewer, se Session, sourceIP string) (TOTPEnrolment, error) {
	if _, err := a.enrolling(ctx, v, se, sourceIP); err != nil {
		return TOTPEnrolment{}, err
	}
	return a.totpEnrolment(ctx, v, se)
}

func (a *Authenticator) totpEnrolment(ctx context.Context, v *access.Viewer, se Session) (TOTPEnrolment, error) {
	d := TOTPEnrolment{Forced: !se.MFADone}
	en, err := a.Factors.enrolledOf(ctx, a.DB, v.ID)
	if err != nil {
		return d, err
	}
	d.Enrolled = en.TOTP
	secret, pending, err := a.Factors.pendingTOTP(ctx, v.ID)
	if err != nil || !pending {
		return d, err
	}
	d.Pending, d.Secret, d.URI = true, secret, TOTPURI(secret, "Cartable", se.Person.Login)
	return d, nil
}

// StartTOTP begins the set-up of an authenticator app and returns it. While
// one is in progress it changes nothing and returns that one with
// ErrEnrolmentPending; with an app already set up, ErrAlreadyEnrolled (the
// set-up page comes with both).
func (a *Authenticator) StartTOTP(ctx context.Context, v *access.Viewer, se Session, sourceIP string) (TOTPEnrolment, error) {
	if _, err := a.enrolling(ctx, v, se, sourceIP); err != nil {
		return TOTPEnrolment{}, err
	}
	_, err := a.Factors.startTOTP(ctx, v.ID)
	if err != nil && !errors.Is(err, ErrEnrolmentPending) && !errors.Is(err, ErrAlreadyEnrolled) {
		return TOTPEnrolment{}, err
	}
	d, derr := a.totpEnrolment(ctx, v, se)
	if derr != nil {
		return d, derr
	}
	return d, err
}

// ConfirmTOTP finishes the set-up with a code from the app, under the
// attempt limiting of second-factor codes, and returns ten fresh recovery
// codes. A wrong code, or no set-up in progress, counts as a failure. When
// the app is the first factor owed by the session (a forced enrolment) the
// session is complete afterwards: its new token comes with the codes.
func (a *Authenticator) ConfirmTOTP(ctx context.Context, v *access.Viewer, se Session, code, sourceIP string) (TOTPConfirmed, error) {
	first, err := a.enrolling(ctx, v, se, sourceIP)
	if err != nil {
		return TOTPConfirmed{}, err
	}
	res, err := a.reserve(ctx, v.ID, sourceIP, "mfa:"+v.ID)
	if err != nil {
		return TOTPConfirmed{}, err
	}
	if len(code) > MaxCodeLen {
		code = ""
	}
	codes, err := a.Factors.confirmTOTP(ctx, v.ID, code, first)
	if errors.Is(err, ErrBadCode) || errors.Is(err, ErrNoEnrolment) {
		a.failed(ctx, res, v.ID, sourceIP)
		a.auditEnrolment(ctx, v, "totp", audit.Failure, sourceIP)
		return TOTPConfirmed{}, err
	}
	if rerr := res.Release(ctx); err == nil {
		err = rerr
	}
	if errors.Is(err, ErrFactorOwed) {
		return TOTPConfirmed{}, a.refuseEnrolment(ctx, v, "totp", sourceIP)
	}
	if err != nil {
		return TOTPConfirmed{}, err
	}
	a.auditEnrolment(ctx, v, "totp", audit.Success, sourceIP)
	_ = audit.Record(ctx, a.DB, audit.Event{ActorID: v.ID, Action: audit.RecoveryCodesMade, Outcome: audit.Success, SourceIP: sourceIP, At: a.now()})
	out := TOTPConfirmed{Codes: codes, Forced: first}
	if first {
		if out.Token, err = a.completeSecondFactor(ctx, v, se, "totp-enrolment", sourceIP); err != nil {
			return TOTPConfirmed{}, err
		}
	}
	return out, nil
}

func (a *Authenticator) auditEnrolment(ctx context.Context, v *access.Viewer, method, outcome, sourceIP string) {
	_ = audit.Record(ctx, a.DB, audit.Event{ActorID: v.ID, Action: audit.MFAEnrolled, Target: "method:" + method, Outcome: outcome, SourceIP: sourceIP, At: a.now()})
}

// RemoveTOTP removes the viewer's authenticator app, after a recent
// password, unless it is the last second factor of someone who must have
// one (ErrLastFactor).
func (a *Authenticator) RemoveTOTP(ctx context.Context, v *access.Viewer, se Session, sourceIP string) error {
	if err := own(v, se); err != nil {
		return err
	}
	if err := a.recent(se); err != nil {
		return err
	}
	if err := a.mayDropFactor(ctx, v, se, true); err != nil {
		return err
	}
	if err := a.Factors.removeTOTP(ctx, v.ID); err != nil {
		return err
	}
	a.auditRemoval(ctx, v, "method:totp", sourceIP)
	return nil
}

func (a *Authenticator) auditRemoval(ctx context.Context, v *access.Viewer, target, sourceIP string) {
	_ = audit.Record(ctx, a.DB, audit.Event{ActorID: v.Actor(), Action: audit.MFARemoved, Target: target, Outcome: audit.Success, SourceIP: sourceIP, At: a.now()})
}

// mayDropFactor refuses with ErrLastFactor the removal of one factor (the
// app, or one passkey) that is the last of someone who must have one.
func (a *Authenticator) mayDropFactor(ctx context.Context, v *access.Viewer, se Session, totp bool) error {
	en, err := a.Factors.enrolledOf(ctx, a.DB, v.ID)
	if err != nil {
		return err
	}
	left := en.Passkeys // removing the app leaves the passkeys
	if !totp {
		left = en.Passkeys - 1
		if en.TOTP {
			left++
		}
	}
	if left > 0 {
		return nil
	}
	must, err := mustUseSecondFactor(ctx, v, a.DB, v.ID, se.Person.Profile)
	if err == nil && must {
		err = ErrLastFactor
	}
	return err
}

// RegenerateRecoveryCodes replaces the viewer's recovery codes, after a
// recent password, and returns the new ones; the old ones stop working.
// Without a second factor they would serve nothing (ErrNoFactor).
func (a *Authenticator) RegenerateRecoveryCodes(ctx context.Context, v *access.Viewer, se Session, sourceIP string) ([]string, error) {
	if err := own(v, se); err != nil {
		return nil, err
	}
	if err := a.recent(se); err != nil {
		return nil, err
	}
	en, err := a.Factors.enrolledOf(ctx, a.DB, v.ID)
	if err != nil {
		return nil, err
	}
	if !en.Any() {
		return nil, ErrNoFactor
	}
	codes, err := a.Factors.regenerateRecoveryCodes(ctx, v.ID)
	if err != nil {
		return nil, err
	}
	_ = audit.Record(ctx, a.DB, audit.Event{ActorID: v.ID, Action: audit.RecoveryCodesMade, Outcome: audit.Success, SourceIP: sourceIP, At: a.now()})
	return codes, nil
}

// BeginPasskeyRegistration starts adding a passkey: the options for
// navigator.credentials.create, bound to the session. The session must
// may enrol (mayEnrol) and its password be recent.
func (a *Authenticator) BeginPasskeyRegistration(ctx context.Context, v *access.Viewer, se Session, sourceIP string) ([]byte, error) {
	if a.Passkeys == nil {
		return nil, ErrPasskeysOff
	}
	if err := own(v, se); err != nil {
		return nil, err
	}
	if _, err := a.mayEnrol(ctx, v, se, "passkey", sourceIP); err != nil {
		return nil, err
	}
	if err := a.recent(se); err != nil {
		return nil, err
	}
	return a.Passkeys.beginRegistration(ctx, se.Person, se.TokenHash)
}

// FinishPasskeyRegistration verifies the authenticator's answer and stores
// the passkey under name. When it is the first factor owed by the session
// (a forced enrolment) the session is complete afterwards and its new token
// is returned; "" otherwise.
func (a *Authenticator) FinishPasskeyRegistration(ctx context.Context, v *access.Viewer, se Session, response []byte, name, sourceIP string) (string, error) {
	if a.Passkeys == nil {
		return "", ErrPasskeysOff
	}
	if err := own(v, se); err != nil {
		return "", err
	}
	first, err := a.mayEnrol(ctx, v, se, "passkey", sourceIP)
	if err != nil {
		return "", err
	}
	if len(response) > MaxPasskeyResponse {
		return "", ErrPasskeyTooLarge
	}
	err = a.Passkeys.finishRegistration(ctx, se.Person, se.TokenHash, response, name, first)
	if errors.Is(err, ErrFactorOwed) {
		return "", a.refuseEnrolment(ctx, v, "passkey", sourceIP)
	}
	if errors.Is(err, ErrPasskey) {
		a.auditEnrolment(ctx, v, "passkey", audit.Failure, sourceIP)
		return "", ErrPasskey
	}
	if err != nil {
		return "", err
	}
	a.auditEnrolment(ctx, v, "passkey", audit.Success, sourceIP)
	if !first {
		return "", nil
	}
	return a.completeSecondFactor(ctx, v, se, "passkey-enrolment", sourceIP)
}

// RemovePasskey removes one of the viewer's passkeys, after a recent
// password, unless it is the last second factor of someone who must have
// one (ErrLastFactor); ErrNoSuchPasskey when id names none of theirs.
func (a *Authenticator) RemovePasskey(ctx context.Context, v *access.Viewer, se Session, id, sourceIP string) error {
	if err := own(v, se); err != nil {
		return err
	}
	if err := a.recent(se); err != nil {
		return err
	}
	if a.Passkeys == nil {
		return ErrPasskeysOff
	}
	if err := a.mayDropFactor(ctx, v, se, false); err != nil {
		return err
	}
	found, err := a.Passkeys.remove(ctx, v.ID, id)
	if err != nil {
		return err
	}
	if !found {
		return ErrNoSuchPasskey
	}
	a.auditRemoval(ctx, v, "method:passkey", sourceIP)
	return nil
}
