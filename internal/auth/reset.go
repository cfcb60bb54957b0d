package auth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"cartable/internal/access"
	"cartable/internal/audit"
	"cartable/internal/db"
	"cartable/internal/directory"
	"cartable/internal/mail"
)

// Password reset by e-mail: a single-use link valid 30 minutes, sent to the
// recovery e-mail (or the directory's). The answer to the request is the
// same whether or not the account exists or has an address. A reset sets
// the password and ends every session; it never signs in by itself, so the
// second factor is still asked at the next sign-in.
const (
	ResetLife          = 30 * time.Minute
	maxResetsPerPerson = 3 // links per hour and person, against mail bombing
)

// Errors of the reset link.
var (
	ErrResetInvalid = errors.New("unknown or used reset link")
	ErrResetExpired = errors.New("reset link expired")
)

// RequestReset sends a reset link when the login names an active account
// with an e-mail address. It returns nil in every other case too, except
// for a form without a login (CheckResetRequest).
func (a *Authenticator) RequestReset(ctx context.Context, login, sourceIP string) error {
	if ps := CheckResetRequest(login); len(ps) > 0 {
		return ps
	}
	login = strings.ToLower(strings.TrimSpace(login))
	// Each request counts, successful or not: asking for links is rate
	// limited per address like failed attempts, and the reservation is
	// never given back.
	if _, err := a.reserve(ctx, "", sourceIP, "reset:"+AddressKey(sourceIP)); err != nil {
		return err
	}
	p, _, err := directory.Credentials(ctx, access.System("password reset"), a.DB, login)
	if errors.Is(err, directory.ErrNotFound) || (err == nil && !p.Active) {
		a.auditFailure(ctx, audit.ResetRequested, "", sourceIP)
		return nil
	}
	if err != nil {
		return err
	}
	now := a.now()
	var recent int
	if err := a.DB.QueryRow(ctx, `SELECT COUNT(*) FROM password_resets WHERE person_id = ? AND created_at > ?`,
		p.ID, now.Add(-time.Hour).Unix()).Scan(&recent); err != nil {
		return err
	}
	to, err := emailOf(ctx, a.DB, p)
	if err != nil {
		return err
	}
	if recent >= maxResetsPerPerson || to == "" {
		a.auditFailure(ctx, audit.ResetRequested, p.ID, sourceIP)
		return nil
	}
	token, err := newToken()
	if err != nil {
		return err
	}
	if _, err := a.DB.Exec(ctx, `INSERT INTO password_resets (token_hash, person_id, created_at, expires_at) VALUES (?, ?, ?, ?)`,
		hashToken("reset:"+token), p.ID, now.Unix(), now.Add(ResetLife).Unix()); err != nil {
		return err
	}
	_ = audit.Record(ctx, a.DB, audit.Event{Action: audit.ResetRequested, Target: "person:" + p.ID, Outcome: audit.Success, SourceIP: sourceIP, At: now})
	body := fmt.Sprintf(`Bonjour %s,

Quelqu'un (vous, espérons-le) a demandé à choisir un nouveau mot de passe
pour votre compte Cartable (identifiant : %s).

Pour le faire, ouvrez ce lien dans les 30 minutes ; il ne sert qu'une fois :

%s/password/reset/%s

Si vous n'avez rien demandé, ignorez ce message : votre mot de passe
actuel reste valable. Personne de l'établissement ne vous demandera
jamais votre mot de passe.

Ce message est envoyé automatiquement ; n'y répondez pas.
Cartable`, p.FirstName, p.Login, a.BaseURL, token)
	a.send(mail.Message{To: to, Subject: "Cartable : choisir un nouveau mot de passe", Body: body}, "password reset")
	return nil
}

// CheckReset tells whether a reset link can be used, and returns the login
// of the account it is for (its form shows it). An unknown or used link is
// audited.
func (a *Authenticator) CheckReset(ctx context.Context, token, sourceIP string) (string, error) {
	p, err := a.checkReset(ctx, token)
	a.auditInvalidReset(ctx, err, sourceIP)
	return p.Login, err
}

func (a *Authenticator) auditInvalidReset(ctx context.Context, err error, sourceIP string) {
	if errors.Is(err, ErrResetInvalid) {
		_ = audit.Record(ctx, a.DB, audit.Event{Action: audit.PasswordReset, Outcome: audit.Failure, SourceIP: sourceIP, At: a.now()})
	}
}

func (a *Authenticator) checkReset(ctx context.Context, token string) (directory.Person, error) {
	if token == "" || len(token) > 100 {
		return directory.Person{}, ErrResetInvalid
	}
	var personID string
	var exp int64
	var used sql.NullInt64
	err := a.DB.QueryRow(ctx, `SELECT person_id, expires_at, used_at FROM password_resets WHERE token_hash = ?`,
		hashToken("reset:"+token)).Scan(&personID, &exp, &used)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && used.Valid) {
		return directory.Person{}, ErrResetInvalid
	}
	if err != nil {
		return directory.Person{}, err
	}
	if exp <= a.now().Unix() {
		return directory.Person{}, ErrResetExpired
	}
	p, err := directory.PersonRow(ctx, access.System("password reset"), a.DB, personID)
	if errors.Is(err, directory.ErrNotFound) || (err == nil && !p.Active) {
		return directory.Person{}, ErrResetInvalid
	}
	return p, err
}

// ResetPassword uses a reset link: the new password (typed twice alike,
// following the rule) replaces the old one, every link of the person and
// every session end, and the account's attempt counter is cleared (a lock
// set by someone else must not outlive the reset).
func (a *Authenticator) ResetPassword(ctx context.Context, token, password, again, sourceIP string) error {
	err := a.resetPassword(ctx, token, password, again, sourceIP)
	a.auditInvalidReset(ctx, err, sourceIP)
	return err
}

func (a *Authenticator) resetPassword(ctx context.Context, token, password, again, sourceIP string) error {
	p, err := a.checkReset(ctx, token)
	if err != nil {
		return err
	}
	if ps := CheckNewPassword(password, again); len(ps) > 0 {
		return ps
	}
	if ps := CheckPassword(password, p.Login, p.FirstName, p.LastName); len(ps) > 0 {
		return ps
	}
	hash, err := a.hash(ctx, password)
	if err != nil {
		return err
	}
	now := a.now().Unix()
	err = a.DB.Tx(ctx, func(tx *db.Tx) error {
		r, err := tx.Exec(ctx, `UPDATE password_resets SET used_at = ? WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?`,
			now, hashToken("reset:"+token), now)
		if err != nil {
			return err
		}
		if n, _ := r.RowsAffected(); n != 1 {
			return ErrResetInvalid
		}
		if _, err := tx.Exec(ctx, `UPDATE password_resets SET used_at = ? WHERE person_id = ? AND used_at IS NULL`, now, p.ID); err != nil {
			return err
		}
		if err := a.setPassword(ctx, tx, p.ID, hash); err != nil {
			return err
		}
		if err := a.Sessions.revokeAll(ctx, tx, p.ID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{ActorID: p.ID, Action: audit.PasswordReset, Outcome: audit.Success, SourceIP: sourceIP, At: a.now()})
	})
	if err != nil {
		return err
	}
	return a.Attempts.forget(ctx, LoginKey("login", p.Login))
}
