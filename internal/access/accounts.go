package access

// Rules for account administration (account security): who may issue
// activation codes, end someone's sessions, remove their second factors,
// and set an establishment's second-factor policy. The table is in doc.go.

import (
	"cartable/internal/roles"
	"context"
)

const (
	ManageAccount  Action = "manage-account"  // a person's account, or every account of a class: activation codes, sessions, second factors
	ManageSecurity Action = "manage-security" // an establishment's second-factor policy
)

func accountAction(a Action) bool { return a == ManageAccount || a == ManageSecurity }

// canAccount decides the account actions. Callers hold v.mu.
func (p *Policy) canAccount(ctx context.Context, v *Viewer, a Action, r Resource) error {
	switch {
	case a == ManageAccount && r.Kind == KindPerson:
		if r.ID == v.ID {
			return deny("manage-account: one's own account is managed from its own pages")
		}
		t, err := v.target(ctx, p.q, r.ID)
		if err != nil {
			return err
		}
		if t == nil {
			return deny("no such person")
		}
		for e := range t.est {
			if !v.est[e] {
				continue
			}
			if v.profile == roles.Admin {
				return nil
			}
			if v.fn[e]&fnAll != 0 && t.profile != roles.Admin {
				return nil // head, deputy, secretary: everyone but the operators
			}
		}
		return deny("manage-account on person: no rule grants it")
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
