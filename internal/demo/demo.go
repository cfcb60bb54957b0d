// Package demo generates a realistic French demo establishment: a collège
// with its students, families, teachers and staff, and a small lycée that
// shares one family and one teacher with it. It is used by `cartable demo`,
// by tests and by benchmarks.
//
// The output is a pure function of Options.Seed and Options.Students: every
// identifier, name, class, group, family and assignment comes from one
// seeded random source, never from the clock or crypto randomness. (The
// created_at/updated_at timestamps written by the directory package and the
// salt of the shared password hash are the only exceptions; so are the
// identifiers of the school-life rows, notices and stored files that the
// attendance, notify and files packages mint: their content is the seed's.)
//
// All names, addresses, e-mail addresses and phone numbers are invented:
// e-mail domains are reserved example domains and phone numbers are of the
// unallocated form "06 00 …"/"07 00 …".
package demo

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"cartable/internal/access"
	"cartable/internal/auth"
	"cartable/internal/db"
	"cartable/internal/directory"
	"cartable/internal/roles"
)

// DefaultPassword is the password of every demo account unless Options say
// otherwise. The demo is public: never use it on a real deployment.
const DefaultPassword = "demo-cartable-2026"

// UAIs of the two demo establishments. They are fictitious codes.
const (
	MainUAI   = "0750999X" // the collège
	SecondUAI = "0751000Y" // a small lycée
)

// Size defaults and limits.
const (
	defaultStudents = 600
	maxStudents     = 100000
)

// ErrExists is returned by Generate when the demo establishment is already
// in the database.
var ErrExists = errors.New("demo: the demo establishment already exists")

// Options size and seed the demo.
type Options struct {
	Seed     int64  // default 1 when 0
	Students int    // size of the main collège; default 600 when 0
	Password string // the password of every demo account; default DefaultPassword
}

func (o *Options) normalise() error {
	if o.Seed == 0 {
		o.Seed = 1
	}
	if o.Students == 0 {
		o.Students = defaultStudents
	}
	if o.Students < 0 || o.Students > maxStudents {
		return fmt.Errorf("demo: the number of students must be between 1 and %d (got %d)", maxStudents, o.Students)
	}
	if o.Password == "" {
		o.Password = DefaultPassword
	}
	return nil
}

// Account is a demo sign-in, as shown on the console and written to JSON.
type Account struct {
	Login          string   `json:"login"`
	Password       string   `json:"password"`
	Profile        string   `json:"profile"`             // student, relative, teacher, staff, admin
	Functions      []string `json:"functions,omitempty"` // staff functions (head, deputy, cpe, documentalist, secretary)
	Name           string   `json:"name"`                // "First LAST"
	Establishment  string   `json:"establishment"`       // UAI of the first establishment
	Establishments []string `json:"establishments"`      // every UAI the person is attached to
	Classes        []string `json:"classes,omitempty"`   // class codes, for students
	Children       []string `json:"children,omitempty"`  // logins, for relatives
	Relatives      []string `json:"relatives,omitempty"` // logins, for students
}

// NotableAccount is an account worth showing, with a short English label.
type NotableAccount struct {
	Label string `json:"label"`
	Account
}

// Generate writes the demo into tx (one transaction: a failure leaves
// nothing behind once the caller rolls back) and returns every account,
// sorted by login. The demo brings establishments in: v needs the
// instance's provision right, and in practice is the system's
// (access.System("demo")), the only viewer that may fill establishments
// nobody is attached to yet.
func Generate(ctx context.Context, v *access.Viewer, tx *db.Tx, o Options) ([]Account, error) {
	if err := o.normalise(); err != nil {
		return nil, err
	}
	exists, err := Exists(ctx, v, tx)
	if err != nil {
		return nil, err
	}
	if exists {
		return nil, ErrExists
	}
	g := newGen(o)
	g.plan()
	// One argon2id hash shared by every account: hashing each of the ~1,800
	// accounts separately would take minutes. This is acceptable for the
	// demo only, whose password is public anyway; real accounts always get
	// their own salt.
	hash, err := auth.HashPassword(o.Password)
	if err != nil {
		return nil, fmt.Errorf("demo: hash password: %w", err)
	}
	if err := g.write(ctx, v, tx, hash); err != nil {
		return nil, err
	}
	if err := RelaxSecondFactor(ctx, v, tx); err != nil { // security.go
		return nil, err
	}
	return g.accounts(o.Password), nil
}

// Exists reports whether the demo main establishment is already present,
// for a viewer who may generate it (the instance's provision right).
func Exists(ctx context.Context, v *access.Viewer, q db.Querier) (bool, error) {
	if err := v.Can(ctx, access.Provision, access.Instance()); err != nil {
		return false, err
	}
	_, err := directory.EstablishmentByUAI(ctx, q, MainUAI)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, directory.ErrNotFound):
		return false, nil
	default:
		return false, fmt.Errorf("demo: look for establishment %s: %w", MainUAI, err)
	}
}

// Notable picks a few accounts to show on the console and in docs: a
// student, a relative with two children in different classes, a relative
// whose children are in two establishments, a teacher, the teacher working
// in two establishments, the head, a CPE and the admin. Accounts missing
// from a very small demo are left out. The choice depends only on the
// accounts, in their order.
func Notable(accounts []Account) []NotableAccount {
	byLogin := make(map[string]*Account, len(accounts))
	for i := range accounts {
		byLogin[accounts[i].Login] = &accounts[i]
	}
	onlyMain := func(a *Account) bool { return len(a.Establishments) == 1 && a.Establishments[0] == MainUAI }
	first := func(pred func(a *Account) bool) *Account {
		for i := range accounts {
			if pred(&accounts[i]) {
				return &accounts[i]
			}
		}
		return nil
	}
	parent := first(func(a *Account) bool {
		if a.Profile != roles.Relative || len(a.Children) != 2 || !onlyMain(a) {
			return false
		}
		c1, c2 := byLogin[a.Children[0]], byLogin[a.Children[1]]
		return c1 != nil && c2 != nil && len(c1.Classes) > 0 && len(c2.Classes) > 0 && c1.Classes[0] != c2.Classes[0]
	})
	var student *Account
	if parent != nil {
		student = byLogin[parent.Children[0]]
	} else {
		student = first(func(a *Account) bool { return a.Profile == roles.Student && onlyMain(a) })
	}
	picks := []struct {
		label string
		a     *Account
	}{
		{"Student", student},
		{"Parent of two children in different classes", parent},
		{"Parent with children in two establishments", first(func(a *Account) bool {
			return a.Profile == roles.Relative && len(a.Establishments) > 1
		})},
		{"Teacher", first(func(a *Account) bool { return a.Profile == roles.Teacher && onlyMain(a) })},
		{"Teacher in two establishments", first(func(a *Account) bool {
			return a.Profile == roles.Teacher && len(a.Establishments) > 1
		})},
		{"Head of the collège", first(func(a *Account) bool {
			return a.Profile == roles.Staff && a.Establishment == MainUAI && slices.Contains(a.Functions, roles.Head)
		})},
		{"CPE (school life)", first(func(a *Account) bool {
			return a.Profile == roles.Staff && a.Establishment == MainUAI && slices.Contains(a.Functions, roles.CPE)
		})},
		{"Operator (admin)", first(func(a *Account) bool { return a.Profile == roles.Admin })},
	}
	var out []NotableAccount
	for _, p := range picks {
		if p.a != nil {
			out = append(out, NotableAccount{Label: p.label, Account: *p.a})
		}
	}
	return out
}
