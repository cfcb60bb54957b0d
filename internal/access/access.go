package access

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"cartable/internal/db"
)

// Action is something a viewer wants to read.
type Action string

const (
	ReadName          Action = "read-name"          // first/last name, profile, class code: the "directory card"
	ReadRecord        Action = "read-record"        // school record: birth date, classes and groups, institutional email, family links list
	ReadContact       Action = "read-contact"       // personal contact channels: email, phone, postal address
	ReadRoster        Action = "read-roster"        // list the students of a class/group
	ReadClass         Action = "read-class"         // see a class page (name, head teacher, teachers)
	ReadEstablishment Action = "read-establishment" // establishment-wide overview (counts, class list, staff list)
	SearchPeople      Action = "search-people"      // search an establishment's people by name, class or login (each found person still asked read-name)
)

// Kind is the kind of a resource.
type Kind string

const (
	KindPerson        Kind = "person"
	KindClass         Kind = "class"
	KindGroup         Kind = "group"
	KindEstablishment Kind = "establishment"
)

// Resource names what is read.
type Resource struct {
	Kind Kind
	ID   string
}

func Person(id string) Resource        { return Resource{KindPerson, id} }
func Class(id string) Resource         { return Resource{KindClass, id} }
func Group(id string) Resource         { return Resource{KindGroup, id} }
func Establishment(id string) Resource { return Resource{KindEstablishment, id} }

var (
	// ErrDenied is the refusal. Can wraps it with a reason meant for logs
	// (never personal data); test it with errors.Is.
	ErrDenied = errors.New("access denied")
	// ErrInactive is returned by Policy.Viewer for a deactivated or unknown
	// person: there is no one to let in.
	ErrInactive = errors.New("access: account inactive or unknown")
)

func deny(reason string) error { return fmt.Errorf("%w: %s", ErrDenied, reason) }

// Denied is the refusal as Can returns it: what was refused on what, and
// why (for logs; never personal data). errors.Is(err, ErrDenied) holds.
// The web pages audit it and answer "not found".
type Denied struct {
	Action   Action
	Resource Resource
	Reason   string
	err      error // the rule's own refusal (ErrPrivilege…), if it has one
}

// Error gives the reason only: a refusal's text never names its target.
func (d *Denied) Error() string { return ErrDenied.Error() + ": " + d.Reason }

func (d *Denied) Is(target error) bool { return target == ErrDenied }

// Unwrap gives the rule's own refusal, so that errors.Is(err, ErrPrivilege)
// holds for a page that explains it.
func (d *Denied) Unwrap() error { return d.err }

// Refuse is the refusal a domain returns for what it found missing or out
// of reach without asking Can (an unknown id, a row of another
// establishment): the same answer as a refusal, so nobody learns which.
func Refuse(a Action, r Resource, reason string) error {
	return &Denied{Action: a, Resource: r, Reason: reason}
}

// Policy answers access questions against the directory tables.
type Policy struct {
	q   db.Querier
	now func() time.Time // nil: time.Now (see SetClock)
}

// New returns a policy reading through q (a DB or a transaction).
func New(q db.Querier) *Policy { return &Policy{q: q} }

// Can returns nil when v may do a on r, an error wrapping ErrDenied when it
// may not, or another error when the database fails. Unknown actions, kinds
// and targets are refused.
func (p *Policy) Can(ctx context.Context, v *Viewer, a Action, r Resource) error {
	err := p.can(ctx, v, a, r)
	if err != nil && errors.Is(err, ErrDenied) {
		var d *Denied
		if errors.As(err, &d) {
			return d
		}
		return &Denied{Action: a, Resource: r, Reason: strings.TrimPrefix(err.Error(), ErrDenied.Error()+": "), err: err}
	}
	return err
}

func (p *Policy) can(ctx context.Context, v *Viewer, a Action, r Resource) error {
	if v != nil && v.system != "" {
		return nil // background work: see System
	}
	if v == nil || !v.loaded {
		return deny("no signed-in viewer")
	}
	v.lock(ctx)
	defer v.mu.Unlock()
	if learningAction(a) {
		return p.canLearning(ctx, v, a, r) // learning.go
	}
	if accountAction(a) {
		return p.canAccount(ctx, v, a, r) // accounts.go
	}
	if provisionAction(a) {
		return p.canProvision(ctx, v, r) // provisioning.go
	}
	if schoolLifeAction(a) {
		return p.canSchoolLife(ctx, v, a, r) // schoollife.go
	}
	if gradesAction(a) {
		return p.canGrades(ctx, v, a, r) // grades.go
	}
	if commAction(a) {
		return p.canComm(ctx, v, a, r) // comm.go
	}
	if newsAction(a) {
		return p.canNews(ctx, v, a, r) // news.go
	}
	switch r.Kind {
	case KindPerson:
		if !personAction(a) {
			return deny(string(a) + " does not apply to a person")
		}
		if r.ID == v.ID {
			return nil // oneself: a Viewer only exists for an active person
		}
		t, err := v.target(ctx, p.q, r.ID)
		if err != nil {
			return err
		}
		if t == nil {
			return deny("no such person") // same answer as a refusal
		}
		ok, err := v.canPerson(ctx, p.q, a, r.ID, t)
		if err != nil || ok {
			return err
		}
		return deny(string(a) + " on person: no rule grants it")
	case KindClass, KindGroup:
		if a != ReadClass && a != ReadRoster {
			return deny(string(a) + " does not apply to a " + string(r.Kind))
		}
		est, found, err := v.structure(ctx, p.q, r)
		if err != nil {
			return err
		}
		if !found {
			return deny("no such " + string(r.Kind))
		}
		ok, err := v.canStructure(ctx, p.q, a, r, est)
		if err != nil || ok {
			return err
		}
		return deny(string(a) + " on " + string(r.Kind) + ": no rule grants it")
	case KindEstablishment:
		if a == SearchPeople {
			if v.canSearch(r.ID) {
				return nil
			}
			return deny("search-people: no rule grants it")
		}
		if a != ReadEstablishment {
			return deny(string(a) + " does not apply to an establishment")
		}
		if v.canEstablishment(r.ID) {
			return nil
		}
		return deny("read-establishment: no rule grants it")
	}
	return deny("unknown resource kind")
}

// VisiblePeople tells which of ids v may do a on, in at most a few queries
// whatever the length of the list: the result maps each allowed id to true;
// refused and unknown ids are absent.
func (p *Policy) VisiblePeople(ctx context.Context, v *Viewer, a Action, ids []string) (map[string]bool, error) {
	return p.visible(ctx, v, personAction(a), ids, func(id string, t *target) (bool, error) {
		if id == v.ID {
			return true, nil
		}
		if t == nil {
			return false, nil
		}
		return v.canPerson(ctx, p.q, a, id, t)
	})
}

// visible is the batch frame of VisiblePeople and VisibleStudents: the
// system sees everyone; a viewer not loaded, or an action the family does
// not hold (applies false), no one; otherwise the targets are loaded in
// bulk and decide answers for each (t is nil for oneself and for an
// unknown id).
func (p *Policy) visible(ctx context.Context, v *Viewer, applies bool, ids []string, decide func(id string, t *target) (bool, error)) (map[string]bool, error) {
	out := map[string]bool{}
	if v != nil && v.system != "" {
		for _, id := range ids {
			out[id] = true
		}
		return out, nil
	}
	if v == nil || !v.loaded || !applies || len(ids) == 0 {
		return out, nil
	}
	v.lock(ctx)
	defer v.mu.Unlock()
	if err := v.loadTargets(ctx, p.q, ids); err != nil {
		return nil, err
	}
	for _, id := range ids {
		ok, err := decide(id, v.people[id])
		if err != nil {
			return nil, err
		}
		if ok {
			out[id] = true
		}
	}
	return out, nil
}

func personAction(a Action) bool { return a == ReadName || a == ReadRecord || a == ReadContact }
