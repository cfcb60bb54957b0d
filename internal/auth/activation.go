package auth

import (
	"context"
	"database/sql"
	"errors"
	"net/mail"
	"strings"
	"time"

	"cartable/internal/access"
	"cartable/internal/audit"
	"cartable/internal/db"
	"cartable/internal/directory"
)

// Activation codes let a person sign in for the first time and choose their
// password. A code is 12 characters of a 31-letter alphabet without
// look-alikes (about 59 bits), printed "ABCD-EFGH-JKMN"; only its SHA-256
// is stored. It works once, until it expires; issuing a new code cancels
// the person's unused ones. A code never replaces a password: none is
// issued for an activated account (one with a password), and a code still
// unused when its account gets a password no longer works. Whoever holds a
// letter could otherwise take over an account its owner already uses.
const (
	DefaultActivationLife = 60 * 24 * time.Hour
	MaxActivationLife     = 180 * 24 * time.Hour
	MaxEmailLen           = 254
)

// Errors of activation and reset.
var (
	ErrBadActivation     = errors.New("wrong login or activation code")
	ErrActivationExpired = errors.New("activation code expired")
	ErrEmailRequired     = errors.New("a recovery e-mail is required")
	ErrEmailInvalid      = errors.New("not an e-mail address")
	ErrSamePassword      = errors.New("the new password is the current one")
	ErrAlreadyActivated  = errors.New("the account is already activated: an activation code cannot replace its password")
)

// activatedQuery tells, for a list of people, those whose account is
// activated: a password is set (by activation, a reset, a change, or
// otherwise), or an activation or password change was recorded.
const activatedQuery = `SELECT p.id FROM people p LEFT JOIN account_settings s ON s.person_id = p.id
	WHERE (p.password_hash <> '' OR COALESCE(s.activated_at, 0) > 0 OR COALESCE(s.password_set_at, 0) > 0) AND `

// Activated returns which of ids name an activated account (true); the
// others are absent.
func Activated(ctx context.Context, q db.Querier, ids []string) (map[string]bool, error) {
	out := map[string]bool{}
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := q.Query(ctx, activatedQuery+db.In(q, "p.id"), db.ListArg(q, ids))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out[id] = true
	}
	return out, rows.Err()
}

func activated(ctx context.Context, q db.Querier, id string) (bool, error) {
	m, err := Activated(ctx, q, []string{id})
	return m[id], err
}

// IssuedCode is an activation code as printed on a letter. The code itself
// exists only here: it cannot be read back later.
type IssuedCode struct {
	Person    directory.Person
	Code      string // ABCD-EFGH-JKMN
	ExpiresAt time.Time
}

// IssueActivationCodes makes one code per person in one transaction,
// cancelling their unused codes, and audits each. If one of them has an
// activated account, nothing is issued and the error is
// ErrAlreadyActivated (callers leave those accounts out beforehand).
func (a *Authenticator) IssueActivationCodes(ctx context.Context, establishmentID string, people []directory.Person, by, sourceIP string, life time.Duration) ([]IssuedCode, error) {
	if life <= 0 || life > MaxActivationLife {
		life = DefaultActivationLife
	}
	now := a.now()
	out := make([]IssuedCode, 0, len(people))
	err := a.DB.Tx(ctx, func(tx *db.Tx) error {
		ids := make([]string, len(people))
		for i, p := range people {
			ids[i] = p.ID
		}
		done, err := Activated(ctx, tx, ids)
		if err != nil {
			return err
		}
		if len(done) > 0 {
			return ErrAlreadyActivated
		}
		for _, p := range people {
			if _, err := tx.Exec(ctx, `DELETE FROM activation_codes WHERE person_id = ? AND used_at IS NULL`, p.ID); err != nil {
				return err
			}
			raw, err := randomCode(12)
			if err != nil {
				return err
			}
			code := strings.ToUpper(raw[:4] + "-" + raw[4:8] + "-" + raw[8:])
			exp := now.Add(life)
			if _, err := tx.Exec(ctx, `INSERT INTO activation_codes (code_hash, person_id, establishment_id, created_by, created_at, expires_at)
				VALUES (?, ?, ?, ?, ?, ?)`, hashCode("activation", code), p.ID, establishmentID, by, now.Unix(), exp.Unix()); err != nil {
				return err
			}
			if err := audit.Record(ctx, tx, audit.Event{ActorID: by, EstablishmentID: establishmentID, Action: audit.ActivationIssued,
				Target: "person:" + p.ID, Outcome: audit.Success, SourceIP: sourceIP, At: now}); err != nil {
				return err
			}
			out = append(out, IssuedCode{Person: p, Code: code, ExpiresAt: exp})
		}
		return nil
	})
	return out, err
}

// CheckActivation checks a login and its activation code under attempt
// limiting, without using the code.
func (a *Authenticator) CheckActivation(ctx context.Context, login, code, sourceIP string) (directory.Person, error) {
	login = strings.ToLower(strings.TrimSpace(login))
	keys := []string{LoginKey("activate", login), AddressKey(sourceIP)}
	res, err := a.reserve(ctx, "", sourceIP, keys...)
	if err != nil {
		return directory.Person{}, err
	}
	p, err := a.activationPerson(ctx, login, code)
	if errors.Is(err, ErrAlreadyActivated) {
		_ = audit.Record(ctx, a.DB, audit.Event{Action: audit.AccountActivated, Target: "person:" + p.ID, Outcome: audit.Denied,
			SourceIP: sourceIP, At: a.now()})
	}
	if errors.Is(err, ErrBadActivation) {
		a.auditFailure(ctx, audit.AccountActivated, p.ID, sourceIP)
		return p, err
	}
	// A right code (even expired) or an error of the database: the
	// attempt is given back.
	_ = res.Release(ctx)
	return p, err
}

func (a *Authenticator) activationPerson(ctx context.Context, login, code string) (directory.Person, error) {
	c := normaliseCode(code)
	if login == "" || len(login) > MaxLoginLen || len(c) != 12 {
		return directory.Person{}, ErrBadActivation
	}
	p, _, err := directory.PersonByLogin(ctx, a.DB, login)
	if errors.Is(err, directory.ErrNotFound) {
		return directory.Person{}, ErrBadActivation
	}
	if err != nil {
		return directory.Person{}, err
	}
	var exp int64
	var used sql.NullInt64
	err = a.DB.QueryRow(ctx, `SELECT expires_at, used_at FROM activation_codes WHERE code_hash = ? AND person_id = ?`,
		hashCode("activation", c), p.ID).Scan(&exp, &used)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && used.Valid) || (err == nil && !p.Active) {
		return directory.Person{}, ErrBadActivation
	}
	if err != nil {
		return directory.Person{}, err
	}
	if exp <= a.now().Unix() {
		return p, ErrActivationExpired
	}
	if done, err := activated(ctx, a.DB, p.ID); err != nil || done {
		if err == nil {
			err = ErrAlreadyActivated
		}
		return p, err
	}
	return p, nil
}

// ActivateRequest is the second step of an activation.
type ActivateRequest struct {
	Login, Code         string
	Password            string
	RecoveryEmail       string // required of relatives
	UserAgent, SourceIP string
}

// CheckEmail validates an e-mail address typed in a form.
func CheckEmail(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", ErrEmailRequired
	}
	if len(s) > MaxEmailLen {
		return "", ErrEmailInvalid
	}
	addr, err := mail.ParseAddress(s)
	if err != nil || addr.Address != s || !strings.Contains(s[strings.LastIndexByte(s, '@')+1:], ".") {
		return "", ErrEmailInvalid
	}
	return s, nil
}

// Activate uses the code: the password (and, for a relative, the recovery
// e-mail) is set, every earlier session of the person ends, and a new
// session opens, owing its second factor like any sign-in.
func (a *Authenticator) Activate(ctx context.Context, in ActivateRequest) (SignInResult, error) {
	p, err := a.CheckActivation(ctx, in.Login, in.Code, in.SourceIP)
	if err != nil {
		return SignInResult{}, err
	}
	if err := CheckPassword(in.Password, p.Login, p.FirstName, p.LastName); err != nil {
		return SignInResult{}, err
	}
	email := strings.TrimSpace(in.RecoveryEmail)
	if p.Profile == directory.Relative || email != "" {
		if email, err = CheckEmail(email); err != nil {
			return SignInResult{}, err
		}
	}
	hash, err := HashPassword(in.Password)
	if err != nil {
		return SignInResult{}, err
	}
	now := a.now().Unix()
	err = a.DB.Tx(ctx, func(tx *db.Tx) error {
		r, err := tx.Exec(ctx, `UPDATE activation_codes SET used_at = ? WHERE code_hash = ? AND person_id = ? AND used_at IS NULL AND expires_at > ?`,
			now, hashCode("activation", in.Code), p.ID, now)
		if err != nil {
			return err
		}
		if n, _ := r.RowsAffected(); n != 1 {
			return ErrBadActivation // used meanwhile
		}
		if done, err := activated(ctx, tx, p.ID); err != nil || done {
			if err == nil {
				err = ErrAlreadyActivated // a password was set meanwhile
			}
			return err
		}
		if err := directory.SetPasswordHash(ctx, access.System("activation"), tx, p.ID, hash); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO account_settings (person_id, recovery_email, password_set_at, activated_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (person_id) DO UPDATE SET password_set_at = excluded.password_set_at, activated_at = excluded.activated_at,
			recovery_email = CASE WHEN excluded.recovery_email <> '' THEN excluded.recovery_email ELSE account_settings.recovery_email END`,
			p.ID, email, now, now); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM sessions WHERE person_id = ?`, p.ID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{ActorID: p.ID, Action: audit.AccountActivated, Outcome: audit.Success, SourceIP: in.SourceIP, At: a.now()})
	})
	if err != nil {
		return SignInResult{}, err
	}
	_ = a.Attempts.Clear(ctx, LoginKey("activate", p.Login))
	_ = a.Attempts.Clear(ctx, LoginKey("login", p.Login))
	return a.open(ctx, p, in.UserAgent, in.SourceIP)
}

// RecoveryEmail returns the recovery e-mail a person chose, if any.
func RecoveryEmail(ctx context.Context, q db.Querier, personID string) (string, error) {
	var s string
	err := q.QueryRow(ctx, `SELECT recovery_email FROM account_settings WHERE person_id = ?`, personID).Scan(&s)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return s, err
}

// SetRecoveryEmail changes the recovery e-mail ("" removes it, except for
// relatives, who must keep one).
func (a *Authenticator) SetRecoveryEmail(ctx context.Context, p directory.Person, email, sourceIP string) error {
	email = strings.TrimSpace(email)
	if email != "" || p.Profile == directory.Relative {
		var err error
		if email, err = CheckEmail(email); err != nil {
			return err
		}
	}
	_, err := a.DB.Exec(ctx, `INSERT INTO account_settings (person_id, recovery_email) VALUES (?, ?)
		ON CONFLICT (person_id) DO UPDATE SET recovery_email = excluded.recovery_email`, p.ID, email)
	if err != nil {
		return err
	}
	return audit.Record(ctx, a.DB, audit.Event{ActorID: p.ID, Action: audit.RecoveryEmailSaved, Outcome: audit.Success, SourceIP: sourceIP, At: a.now()})
}

// ChangePassword replaces the password of a signed-in person, who types
// the current one. Every other session of the person ends and the current
// one gets a new identifier, which is returned.
func (a *Authenticator) ChangePassword(ctx context.Context, token string, p directory.Person, current, fresh, sourceIP string) (string, error) {
	keys := []string{"reauth:" + p.ID}
	res, err := a.reserve(ctx, p.ID, sourceIP, keys...)
	if err != nil {
		return "", err
	}
	ok, err := a.checkPassword(ctx, p.ID, current)
	if err != nil {
		_ = res.Release(ctx)
		return "", err
	}
	if !ok {
		a.auditFailure(ctx, audit.PasswordChanged, p.ID, sourceIP)
		a.failed(ctx, res, p, sourceIP)
		return "", ErrInvalidCredentials
	}
	// The current password was right: the attempt is given back whatever
	// follows (a refused new password is not a failed authentication).
	_ = res.Release(ctx)
	if fresh == current {
		return "", ErrSamePassword
	}
	if err := CheckPassword(fresh, p.Login, p.FirstName, p.LastName); err != nil {
		return "", err
	}
	hash, err := HashPassword(fresh)
	if err != nil {
		return "", err
	}
	if err := a.setPassword(ctx, a.DB, p.ID, hash); err != nil {
		return "", err
	}
	_ = a.Attempts.Clear(ctx, keys[0])
	if _, err := a.Sessions.RevokeOthers(ctx, p.ID, token); err != nil {
		return "", err
	}
	_ = audit.Record(ctx, a.DB, audit.Event{ActorID: p.ID, Action: audit.PasswordChanged, Outcome: audit.Success, SourceIP: sourceIP, At: a.now()})
	if err := a.Sessions.MarkReauth(ctx, token); err != nil {
		return "", err
	}
	return a.Sessions.Rotate(ctx, token, true)
}

func (a *Authenticator) setPassword(ctx context.Context, q db.Querier, personID, hash string) error {
	if err := directory.SetPasswordHash(ctx, access.System("password"), q, personID, hash); err != nil {
		return err
	}
	_, err := q.Exec(ctx, `INSERT INTO account_settings (person_id, password_set_at) VALUES (?, ?)
		ON CONFLICT (person_id) DO UPDATE SET password_set_at = excluded.password_set_at`, personID, a.now().Unix())
	return err
}
