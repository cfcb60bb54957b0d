package access

// Rules for provisioning and the account lifecycle: who may import a
// delivery for an establishment, roll its school year over, close or reopen
// an account and record a person's choice about their contributions. The
// table is in doc.go; the privilege order is in accounts.go.

import (
	"cartable/internal/roles"
	"context"
	"strings"
)

// Provision is the right to feed an establishment's directory and run its
// accounts' lifecycle: on an establishment (imports, rollover, the list of
// closed accounts), on a membership (close an account there: end the
// person's attachment, or close the account when it is their only one), on
// a person (reactivate, record their choice: acts on the whole account),
// on the instance (create establishments from a feed).
const Provision Action = "provision"

// KindInstance is the instance as a whole.
const KindInstance Kind = "instance"

// KindMembership is a person's attachment to one establishment.
const KindMembership Kind = "membership"

// Instance names the instance as a whole (a feed that brings new
// establishments).
func Instance() Resource { return Resource{KindInstance, ""} }

// Membership names person personID's attachment to establishment
// establishmentID.
func Membership(personID, establishmentID string) Resource {
	return Resource{KindMembership, personID + "@" + establishmentID}
}

func provisionAction(a Action) bool { return a == Provision }

// mayProvision: operators attached to the establishment, and its head or
// secretary (the staff functions count for staff and teacher profiles only,
// as everywhere).
func (v *Viewer) mayProvision(est string) bool {
	return v.est[est] && (v.profile == roles.Admin || v.fn[est]&(fnHead|fnSecretary) != 0)
}

// canProvision decides Provision. Callers hold v.mu.
func (p *Policy) canProvision(ctx context.Context, v *Viewer, r Resource) error {
	switch r.Kind {
	case KindEstablishment:
		if v.mayProvision(r.ID) {
			return nil
		}
		return deny("provision on establishment: no rule grants it")
	case KindInstance:
		if v.profile == roles.Admin {
			return nil // only operators bring new establishments in
		}
		return deny("provision on instance: operators only")
	case KindPerson, KindMembership:
		id, est := r.ID, ""
		if r.Kind == KindMembership {
			i := strings.LastIndexByte(r.ID, '@')
			if i < 0 {
				return deny("no such membership")
			}
			id, est = r.ID[:i], r.ID[i+1:]
		}
		if id == v.ID {
			return ErrOwnAccount
		}
		t, err := v.target(ctx, p.q, id)
		if err != nil {
			return err
		}
		if t == nil {
			return deny("no such person")
		}
		// A membership: that establishment only. A person: the whole
		// account, so every establishment they are attached to.
		reach := map[string]bool{}
		if r.Kind == KindMembership {
			if _, ok := t.est[est]; !ok {
				return deny("no such membership")
			}
			reach[est] = true
		} else {
			for e := range t.est {
				reach[e] = true
			}
		}
		acc, err := v.account(ctx, p.q, id, t)
		if err != nil {
			return err
		}
		return v.overAccount(t, acc, reach, fnHead|fnSecretary, "provision on "+string(r.Kind))
	}
	return deny("provision does not apply to a " + string(r.Kind))
}
