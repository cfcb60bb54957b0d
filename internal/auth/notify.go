package auth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"cartable/internal/access"
	"cartable/internal/db"
	"cartable/internal/directory"
	"cartable/internal/mail"
)

// emailOf is where Cartable writes to a person: the recovery e-mail chosen
// at activation, else the directory's e-mail; "" when neither is known.
func emailOf(ctx context.Context, q db.Querier, p directory.Person) (string, error) {
	var rec string
	err := q.QueryRow(ctx, `SELECT recovery_email FROM account_settings WHERE person_id = ?`, p.ID).Scan(&rec)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return "", err
	}
	if rec != "" {
		return rec, nil
	}
	return p.Email, nil
}

// SentMail returns a channel receiving the outcome of every e-mail sent in
// the background (tests wait on it). Call it before the e-mails are sent.
func (a *Authenticator) SentMail() <-chan error {
	if a.sent == nil {
		a.sent = make(chan error, 16)
	}
	return a.sent
}

// send delivers m in the background, so that the answer to the request
// neither waits for the mail server nor reveals, by its timing, whether a
// message was sent. Failures are logged without the address.
func (a *Authenticator) send(m mail.Message, what string) {
	if a.Mail == nil {
		a.Log.Warn("no SMTP server configured: e-mail not sent", "what", what)
		return
	}
	sent := a.sent
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		err := a.Mail.Send(ctx, m)
		if err != nil {
			a.Log.Error("e-mail not sent", "what", what, "err", err.Error())
		}
		if sent != nil {
			sent <- err
		}
	}()
}

// notifyLock tells the owner of an account that it was just locked.
func (a *Authenticator) notifyLock(ctx context.Context, personID, sourceIP string) {
	p, err := directory.PersonRow(ctx, access.System("lock notice"), a.DB, personID)
	if err != nil {
		return
	}
	to, err := emailOf(ctx, a.DB, p)
	if err != nil || to == "" {
		return
	}
	minutes := int(a.Attempts.Limits.LockFor / time.Minute)
	body := fmt.Sprintf(`Bonjour %s,

Nous avons reçu trop de tentatives de connexion erronées à votre compte
Cartable (identifiant : %s), la dernière depuis l'adresse %s.
Par précaution, les connexions depuis un nouvel appareil sont bloquées
pendant %d minutes.

Si c'était vous : patientez, puis réessayez. Vous pouvez aussi vous
connecter dès maintenant depuis un appareil où vous vous êtes déjà
connecté, ou choisir un nouveau mot de passe avec « Mot de passe oublié »
sur la page de connexion (%s/password/forgot).

Si ce n'était pas vous : quelqu'un essaie de deviner votre mot de passe.
Votre compte reste protégé. Vérifiez que votre mot de passe est long et
que vous ne l'utilisez nulle part ailleurs ; activez une double
authentification dans « Sécurité du compte ».

Ce message est envoyé automatiquement ; n'y répondez pas.
Cartable`, p.FirstName, p.Login, sourceIP, minutes, a.BaseURL)
	a.send(mail.Message{To: to, Subject: "Cartable : connexions à votre compte bloquées temporairement", Body: body}, "lock notice")
}
