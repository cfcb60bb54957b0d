package demo

import (
	"context"
	"time"

	"cartable/internal/access"
	"cartable/internal/auth"
	"cartable/internal/db"
	"cartable/internal/directory"
)

// RelaxSecondFactor makes the second factor optional for every profile in
// the demo establishments, so that evaluators can sign in as a teacher, a
// head or the operator with the printed password alone. A real
// establishment keeps the default: mandatory for teachers, staff and
// admins. The setting can be changed on the establishment's security page.
// v needs manage-security on both (auth.SetMFAPolicy asks).
func RelaxSecondFactor(ctx context.Context, v *access.Viewer, tx *db.Tx) error {
	for _, uai := range []string{MainUAI, SecondUAI} {
		e, err := directory.EstablishmentByUAI(ctx, tx, uai)
		if err != nil {
			return err
		}
		if err := auth.SetMFAPolicy(ctx, tx, v, e.ID, nil, nil, time.Unix(0, 0)); err != nil {
			return err
		}
	}
	return nil
}
