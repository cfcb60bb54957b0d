package auth

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"
	"time"

	"cartable/internal/db"
	"cartable/internal/directory"
)

// MFAPolicy says which profiles and staff functions of an establishment
// must use a second factor. Default is true when the establishment never
// chose: teachers, staff and admins must, students and relatives may.
type MFAPolicy struct {
	EstablishmentID string
	Profiles        []string
	Functions       []string
	Default         bool
}

// DefaultMFAProfiles are the profiles that must use a second factor unless
// the establishment decided otherwise.
var DefaultMFAProfiles = []string{directory.Teacher, directory.Staff, directory.Admin}

// Requires reports whether a person with profile and functions (held in
// this establishment) must use a second factor.
func (p MFAPolicy) Requires(profile string, functions []string) bool {
	if slices.Contains(p.Profiles, profile) {
		return true
	}
	for _, f := range functions {
		if slices.Contains(p.Functions, f) {
			return true
		}
	}
	return false
}

func splitList(s string) []string {
	var out []string
	for _, x := range strings.Split(s, ",") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}

// MFAPolicyOf returns an establishment's policy, or the default.
func MFAPolicyOf(ctx context.Context, q db.Querier, establishmentID string) (MFAPolicy, error) {
	p := MFAPolicy{EstablishmentID: establishmentID}
	var profiles, functions string
	err := q.QueryRow(ctx, `SELECT profiles, functions FROM mfa_policies WHERE establishment_id = ?`, establishmentID).Scan(&profiles, &functions)
	if errors.Is(err, sql.ErrNoRows) {
		p.Profiles, p.Default = slices.Clone(DefaultMFAProfiles), true
		return p, nil
	}
	if err != nil {
		return p, err
	}
	p.Profiles, p.Functions = splitList(profiles), splitList(functions)
	return p, nil
}

// ErrBadPolicy is returned for an unknown profile or function.
var ErrBadPolicy = errors.New("unknown profile or function in the second-factor policy")

// SetMFAPolicy stores an establishment's choice.
func SetMFAPolicy(ctx context.Context, q db.Querier, establishmentID string, profiles, functions []string, by string, now time.Time) error {
	for _, p := range profiles {
		if !slices.Contains(directory.Profiles, p) {
			return ErrBadPolicy
		}
	}
	for _, f := range functions {
		if !slices.Contains(directory.Functions, f) {
			return ErrBadPolicy
		}
	}
	_, err := q.Exec(ctx, `INSERT INTO mfa_policies (establishment_id, profiles, functions, updated_at, updated_by) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (establishment_id) DO UPDATE SET profiles = excluded.profiles, functions = excluded.functions,
		updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
		establishmentID, strings.Join(profiles, ","), strings.Join(functions, ","), now.Unix(), by)
	return err
}

// MustUseSecondFactor reports whether any establishment the person belongs
// to requires a second factor of them. A person attached nowhere follows
// the default.
func MustUseSecondFactor(ctx context.Context, q db.Querier, p directory.Person) (bool, error) {
	ests, err := directory.Memberships(ctx, q, p.ID)
	if err != nil {
		return false, err
	}
	if len(ests) == 0 {
		return slices.Contains(DefaultMFAProfiles, p.Profile), nil
	}
	fns, err := directory.FunctionsOf(ctx, q, p.ID)
	if err != nil {
		return false, err
	}
	for _, e := range ests {
		pol, err := MFAPolicyOf(ctx, q, e)
		if err != nil {
			return false, err
		}
		if pol.Requires(p.Profile, fns[e]) {
			return true, nil
		}
	}
	return false, nil
}
