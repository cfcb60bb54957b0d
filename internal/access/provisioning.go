package access

// Rules for provisioning and the account lifecycle: who may import a
// delivery for an establishment, roll its school year over, close or reopen
// an account and record a person's choice about their contributions. The
// table is in doc.go.

import (
	"cartable/internal/roles"
	"context"
)

// Provision is the right to feed an establishment's directory and run its
// accounts' lifecycle: on an establishment (imports, rollover, the list of
// closed accounts), on a person (deactivate, reactivate, record their
// choice), on the instance (create establishments from a feed).
const Provision Action = "provision"

// KindInstance is the instance as a whole.
const KindInstance Kind = "instance"

// Instance names the instance as a whole (a feed that brings new
// establishments).
func Instance() Resource { return Resource{KindInstance, ""} }

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
	case KindPerson:
		if r.ID == v.ID {
			return deny("provision: one's own account is not closed from here")
		}
		t, err := v.target(ctx, p.q, r.ID)
		if err != nil {
			return err
		}
		if t == nil {
			return deny("no such person")
		}
		if t.profile == roles.Admin && v.profile != roles.Admin {
			return deny("provision: operators are managed by operators")
		}
		for e := range t.est {
			if v.mayProvision(e) {
				return nil
			}
		}
		return deny("provision on person: no rule grants it")
	}
	return deny("provision does not apply to a " + string(r.Kind))
}
