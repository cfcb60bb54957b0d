package provisioning

import (
	"context"
	"time"

	"cartable/internal/db"
)

// ScopeOf computes the Scope of a delivery's changes, applying nothing:
// what Import's rule decides from, for the tests of Scope.
func ScopeOf(ctx context.Context, q db.Querier, dl *Delivery, o Options) (Scope, error) {
	if o.Now == nil {
		o.Now = time.Now
	}
	p, _, err := buildPlan(ctx, q, dl, o)
	if err != nil {
		return Scope{}, err
	}
	return p.scope, nil
}
