package auth

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"cartable/internal/access"
	"cartable/internal/audit"
	"cartable/internal/db"
	"cartable/internal/directory"
	"cartable/internal/roles"
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

// Errors of activation.
var (
	ErrBadActivation     = errors.New("wrong login or activation code")
	ErrActivationExpired = errors.New("activation code expired")
	ErrAlreadyActivated  = errors.New("the account is already activated: an activation code cannot replace its password")
)

// activatedQuery tells, for a list of people, those whose account is
// activated: a password is set (by activation, a reset, a change, or
// otherwise), or an activation or password change was recorded.
const activatedQuery = `SELECT p.id FROM people p LEFT JOIN account_settings s ON s.person_id = p.id
	WHERE (p.password_hash <> '' OR COALESCE(s.activated_at, 0) > 0 OR COALESCE(s.password_set_at, 0) > 0) AND `

// activatedOf returns which of ids name an activated account (true); the
// others are absent.
func activatedOf(ctx context.Context, q db.Querier, ids []string) (map[string]bool, error) {
	out := map[string]bool{}
	if len(ids) == 0 {
		return out, nil
	}
	found, err := db.All(ctx, q, func(r db.Scanner) (string, error) {
		var id string
		return id, r.Scan(&id)
	}, activatedQuery+db.In(q, "p.id"), db.ListArg(q, ids))
	for _, id := range found {
		out[id] = true
	}
	return out, err
}

func activated(ctx context.Context, q db.Querier, id string) (bool, error) {
	m, err := activatedOf(ctx, q, []string{id})
	return m[id], err
}

// IssuedCode is an activation code as printed on a letter. The code itself
// exists only here: it cannot be read back later.
type IssuedCode struct {
	Person    directory.Person
	Code      string // ABCD-EFGH-JKMN
	ExpiresAt time.Time
}

// IssueActivationCodes makes one code per person, for establishmentID, in
// one transaction, cancelling their unused codes, and audits each. The
// viewer must hold manage-account on every one of them (the letters of a
// class leave out the others beforehand: admin.go). If one of them has an
// activated account, nothing is issued and the error is
// ErrAlreadyActivated (callers leave those accounts out beforehand too).
func (a *Authenticator) IssueActivationCodes(ctx context.Context, v *access.Viewer, establishmentID string, people []directory.Person, sourceIP string, life time.Duration) ([]IssuedCode, error) {
	ids := make([]string, len(people))
	for i, p := range people {
		ids[i] = p.ID
	}
	codes, err := a.issue(ctx, v, establishmentID, ids, sourceIP, life)
	if err != nil {
		return nil, err
	}
	out := make([]IssuedCode, len(codes))
	for i, c := range codes {
		out[i] = IssuedCode{Person: people[i], Code: c.Code, ExpiresAt: c.ExpiresAt}
	}
	return out, nil
}

// issued is an activation code made for one person.
type issued struct {
	Code      string
	ExpiresAt time.Time
}

// issue is IssueActivationCodes for the people ids: their codes, in order.
func (a *Authenticator) issue(ctx context.Context, v *access.Viewer, establishmentID string, ids []string, sourceIP string, life time.Duration) ([]issued, error) {
	for _, id := range ids {
		if err := v.Can(ctx, access.ManageAccount, access.Person(id)); err != nil {
			return nil, err
		}
	}
	if life <= 0 || life > MaxActivationLife {
		life = DefaultActivationLife
	}
	now := a.now()
	by := v.Actor()
	out := make([]issued, 0, len(ids))
	err := a.DB.Tx(ctx, func(tx *db.Tx) error {
		done, err := activatedOf(ctx, tx, ids)
		if err != nil {
			return err
		}
		if len(done) > 0 {
			return ErrAlreadyActivated
		}
		for _, id := range ids {
			if _, err := tx.Exec(ctx, `DELETE FROM activation_codes WHERE person_id = ? AND used_at IS NULL`, id); err != nil {
				return err
			}
			raw, err := randomCode(12)
			if err != nil {
				return err
			}
			code := strings.ToUpper(raw[:4] + "-" + raw[4:8] + "-" + raw[8:])
			exp := now.Add(life)
			if _, err := tx.Exec(ctx, `INSERT INTO activation_codes (code_hash, person_id, establishment_id, created_by, created_at, expires_at)
				VALUES (?, ?, ?, ?, ?, ?)`, hashCode("activation", code), id, establishmentID, by, now.Unix(), exp.Unix()); err != nil {
				return err
			}
			if err := audit.Record(ctx, tx, audit.Event{ActorID: by, EstablishmentID: establishmentID, Action: audit.ActivationIssued,
				Target: "person:" + id, Outcome: audit.Success, SourceIP: sourceIP, At: now}); err != nil {
				return err
			}
			out = append(out, issued{Code: code, ExpiresAt: exp})
		}
		return nil
	})
	return out, err
}

// CheckActivation checks a login and its activation code under attempt
// limiting, without using the code: the first step of an activation. It
// tells whether the account is a relative's, who must give a recovery
// e-mail in the second step.
func (a *Authenticator) CheckActivation(ctx context.Context, login, code, sourceIP string) (relative bool, err error) {
	if ps := CheckActivationCode(login, code); len(ps) > 0 {
		return false, ps
	}
	p, err := a.checkActivation(ctx, login, code, sourceIP)
	return p.Profile == roles.Relative && err == nil, err
}

func (a *Authenticator) checkActivation(ctx context.Context, login, code, sourceIP string) (directory.Person, error) {
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
	p, _, err := directory.Credentials(ctx, access.System("activation"), a.DB, login)
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
	Password, Confirm   string // the new password, typed twice
	RecoveryEmail       string // required of relatives
	UserAgent, SourceIP string
	Previous            string // the session token the browser held, if any (SignInRequest)
	DeviceToken         string // the known-device cookie, if any
}

// Activate uses the code: the password (and, for a relative, the recovery
// e-mail) is set, every earlier session of the person ends, and a new
// session opens, owing its second factor like any sign-in. The form is
// checked first (CheckActivationForm), the code next, then the password
// rule and the e-mail, which need the account.
func (a *Authenticator) Activate(ctx context.Context, in ActivateRequest) (SignInResult, error) {
	if ps := CheckActivationForm(in); len(ps) > 0 {
		return SignInResult{}, ps
	}
	p, err := a.checkActivation(ctx, in.Login, in.Code, in.SourceIP)
	if err != nil {
		return SignInResult{}, err
	}
	if ps := CheckPassword(in.Password, p.Login, p.FirstName, p.LastName); len(ps) > 0 {
		return SignInResult{}, ps
	}
	email := strings.TrimSpace(in.RecoveryEmail)
	if ps := CheckEmail(email, p.Profile == roles.Relative); len(ps) > 0 {
		return SignInResult{}, ps
	}
	hash, err := a.hash(ctx, in.Password)
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
		if err := a.Sessions.revokeAll(ctx, tx, p.ID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{ActorID: p.ID, Action: audit.AccountActivated, Outcome: audit.Success, SourceIP: in.SourceIP, At: a.now()})
	})
	if err != nil {
		return SignInResult{}, err
	}
	_ = a.Attempts.forget(ctx, LoginKey("activate", p.Login))
	_ = a.Attempts.forget(ctx, LoginKey("login", p.Login))
	return a.open(ctx, p, in.UserAgent, in.SourceIP, in.Previous, in.DeviceToken)
}

// recoveryEmail returns the recovery e-mail a person chose, if any.
func recoveryEmail(ctx context.Context, q db.Querier, personID string) (string, error) {
	var s string
	err := q.QueryRow(ctx, `SELECT recovery_email FROM account_settings WHERE person_id = ?`, personID).Scan(&s)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return s, err
}

func (a *Authenticator) setPassword(ctx context.Context, q db.Querier, personID, hash string) error {
	if err := directory.SetPasswordHash(ctx, access.System("password"), q, personID, hash); err != nil {
		return err
	}
	_, err := q.Exec(ctx, `INSERT INTO account_settings (person_id, password_set_at) VALUES (?, ?)
		ON CONFLICT (person_id) DO UPDATE SET password_set_at = excluded.password_set_at`, personID, a.now().Unix())
	return err
}
