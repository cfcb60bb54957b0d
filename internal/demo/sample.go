package demo

import (
	"context"
	"fmt"

	"cartable/internal/access"
	"cartable/internal/auth"
	"cartable/internal/db"
	"cartable/internal/directory"
)

// SamplePasswords gives every every-th student and relative of a
// synthetic directory (cmd/aafgen, imported for real) password, in one
// transaction, and returns their accounts for the load generator. As in
// the demo, one argon2id hash is shared. directory.SyntheticSample
// refuses a directory with any real establishment.
func SamplePasswords(ctx context.Context, v *access.Viewer, d *db.DB, every int, password string) ([]Account, error) {
	if password == "" {
		password = DefaultPassword
	}
	hash, err := auth.HashPassword(password)
	if err != nil {
		return nil, fmt.Errorf("demo: hash password: %w", err)
	}
	var out []Account
	err = d.Tx(ctx, func(tx *db.Tx) error {
		sample, err := directory.SyntheticSample(ctx, v, tx, every)
		if err != nil {
			return err
		}
		for _, s := range sample {
			if err := directory.SetPasswordHash(ctx, v, tx, s.ID, hash); err != nil {
				return err
			}
			out = append(out, Account{Login: s.Login, Password: password, Profile: s.Profile,
				Establishment: s.UAI, Establishments: []string{s.UAI}})
		}
		return nil
	})
	return out, err
}
