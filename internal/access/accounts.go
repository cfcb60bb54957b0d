package access

// Rules for account administration (account security): who may issue
// activation codes, end someone's sessions, remove their second factors,
// and set an establishment's second-factor policy. The table is in doc.go.
// The privilege order and the reach of an account, shared with the account
// lifecycle (provisioning.go), are here too.

import (
	"context"
	"fmt"

	"cartable/internal/db"
	"cartable/internal/roles"
)

const (
	ManageAccount  Action = "manage-account"  // a person's account, or every account of a class: activation codes, sessions, second factors
	ManageSecurity Action = "manage-security" // an establishment's second-factor policy
)

// Refusals of account administration and of the account lifecycle that a
// page explains: each wraps ErrDenied. They are returned only when the
// viewer holds the right in an establishment the person is attached to,
// that is when the person is known to them anyway; every other refusal is
// the plain one.
var (
	// ErrOwnAccount: one's own account is not administered from these
	// pages (it has its own, with re-authentication).
	ErrOwnAccount = fmt.Errorf("%w: one's own account is not administered from here", ErrDenied)
	// ErrPrivilege: the person's account ranks as high as the viewer's
	// right or higher (privilege order in doc.go).
	ErrPrivilege = fmt.Errorf("%w: the account ranks as high as the viewer's right or higher", ErrDenied)
	// ErrElsewhere: the account also reaches an establishment where the
	// viewer does not hold the right.
	ErrElsewhere = fmt.Errorf("%w: the account also reaches an establishment where the viewer holds no such right", ErrDenied)
)

func accountAction(a Action) bool { return a == ManageAccount || a == ManageSecurity }

// Privilege levels of account administration, lowest first (doc.go,
// "Privilege order").
const (
	levelFamily   = iota // students and relatives
	levelTeacher         // teachers without a staff function
	levelStaff           // staff: secretary, CPE, documentalist, or no function
	levelDeputy          // deputy head
	levelHead            // head of establishment
	levelOperator        // administrators (operators)
)

// functionLevel is the level a staff function gives.
func functionLevel(fn string) int {
	switch fn {
	case roles.Head:
		return levelHead
	case roles.Deputy:
		return levelDeputy
	}
	return levelStaff // secretary, CPE, documentalist, and any unknown function
}

// outranks tells whether a viewer acting at level viewer may act on an
// account of level target: strictly above it, except between operators,
// who have no one above them to help them (a lost second factor).
func outranks(viewer, target int) bool {
	return viewer > target || (viewer == levelOperator && target == levelOperator)
}

// levelIn is the level at which the viewer acts in establishment e with
// the functions of bits (administrators: always, where attached); false
// when they hold no such right there.
func (v *Viewer) levelIn(e string, bits uint8) (int, bool) {
	if !v.est[e] {
		return 0, false
	}
	if v.profile == roles.Admin {
		return levelOperator, true
	}
	fn := v.fn[e] & bits
	switch {
	case fn&fnHead != 0:
		return levelHead, true
	case fn&fnDeputy != 0:
		return levelDeputy, true
	case fn&fnSecretary != 0:
		return levelStaff, true
	}
	return 0, false
}

// account is what account administration knows of a person beyond target.
type account struct {
	level int             // privilege level
	kids  map[string]bool // establishments of a relative's active children
}

// account returns the cached account facts of an existing person with
// facts t, loading them if needed. Callers hold v.mu.
func (v *Viewer) account(ctx context.Context, q db.Querier, id string, t *target) (*account, error) {
	if a, ok := v.accounts[id]; ok {
		return a, nil
	}
	a, err := loadAccount(ctx, q, id, t)
	if err != nil {
		return nil, err
	}
	if v.accounts == nil {
		v.accounts = map[string]*account{}
	}
	v.accounts[id] = a
	return a, nil
}

// loadAccount reads a person's staff functions where they are attached
// (which count for staff and teacher profiles only, as everywhere) and the
// establishments of their active children, in one query.
func loadAccount(ctx context.Context, q db.Querier, id string, t *target) (*account, error) {
	a := &account{kids: map[string]bool{}}
	switch t.profile {
	case roles.Admin:
		a.level = levelOperator
	case roles.Staff:
		a.level = levelStaff
	case roles.Teacher:
		a.level = levelTeacher
	default:
		a.level = levelFamily
	}
	rows, err := q.Query(ctx, `SELECT 'fn', f.function FROM functions f
		JOIN memberships m ON m.person_id = f.person_id AND m.establishment_id = f.establishment_id WHERE f.person_id = ?
		UNION ALL SELECT 'kid', m.establishment_id FROM family_links l JOIN people c ON c.id = l.student_id
		JOIN memberships m ON m.person_id = c.id WHERE l.relative_id = ? AND c.active`, id, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var kind, val string
		if err := rows.Scan(&kind, &val); err != nil {
			return nil, err
		}
		switch {
		case kind == "fn" && t.staff():
			a.level = max(a.level, functionLevel(val))
		case kind == "kid" && t.profile == roles.Relative:
			a.kids[val] = true
		}
	}
	return a, rows.Err()
}

// overAccount decides an act on the account of person t (facts a) that
// needs the right of bits in every establishment of reach. The person must
// be known to the viewer: the viewer holds the right in an establishment
// the person is attached to; otherwise the refusal is the plain one.
func (v *Viewer) overAccount(t *target, a *account, reach map[string]bool, bits uint8, what string) error {
	known := false
	for e := range t.est {
		if _, ok := v.levelIn(e, bits); ok && reach[e] {
			known = true
		}
	}
	if !known {
		return deny(what + ": no rule grants it")
	}
	for e := range reach {
		if l, ok := v.levelIn(e, bits); ok && !outranks(l, a.level) {
			return ErrPrivilege
		}
	}
	for e := range reach {
		if _, ok := v.levelIn(e, bits); !ok {
			return ErrElsewhere
		}
	}
	return nil
}

// canAccount decides the account actions. Callers hold v.mu.
func (p *Policy) canAccount(ctx context.Context, v *Viewer, a Action, r Resource) error {
	switch {
	case a == ManageAccount && r.Kind == KindPerson:
		if r.ID == v.ID {
			return ErrOwnAccount
		}
		t, err := v.target(ctx, p.q, r.ID)
		if err != nil {
			return err
		}
		if t == nil {
			return deny("no such person")
		}
		acc, err := v.account(ctx, p.q, r.ID, t)
		if err != nil {
			return err
		}
		// Whoever gets into a relative's account reaches their children's
		// establishments too.
		reach := map[string]bool{}
		for e := range t.est {
			reach[e] = true
		}
		for e := range acc.kids {
			reach[e] = true
		}
		return v.overAccount(t, acc, reach, fnAll, "manage-account on person")
	case a == ManageAccount && r.Kind == KindClass:
		est, found, err := v.structure(ctx, p.q, r)
		if err != nil {
			return err
		}
		if found && v.est[est] && (v.profile == roles.Admin || v.fn[est]&fnAll != 0) {
			return nil
		}
		return deny("manage-account on class: no rule grants it")
	case a == ManageSecurity && r.Kind == KindEstablishment:
		if v.est[r.ID] && (v.profile == roles.Admin || v.fn[r.ID]&(fnHead|fnDeputy) != 0) {
			return nil
		}
		return deny("manage-security: no rule grants it")
	}
	return deny(string(a) + " does not apply to a " + string(r.Kind))
}
