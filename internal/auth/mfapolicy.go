package auth

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"
	"time"

	"cartable/internal/access"
	"cartable/internal/db"
	"cartable/internal/directory"
	"cartable/internal/roles"
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
var DefaultMFAProfiles = []string{roles.Teacher, roles.Staff, roles.Admin}

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

// policyOf returns an establishment's policy, or the default.
func policyOf(ctx context.Context, q db.Querier, establishmentID string) (MFAPolicy, error) {
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

// SetMFAPolicy stores an establishment's choice, in the caller's
// transaction (the demo relaxes its establishments' policy while it
// builds them; the security page goes through Authenticator.SetSecurity,
// which audits). The viewer must hold manage-security there; unknown
// profiles or functions are problems (CheckMFAPolicy) and change nothing.
func SetMFAPolicy(ctx context.Context, q db.Querier, v *access.Viewer, establishmentID string, profiles, functions []string, at time.Time) error {
	if err := v.Can(ctx, access.ManageSecurity, access.Establishment(establishmentID)); err != nil {
		return err
	}
	if ps := CheckMFAPolicy(profiles, functions); len(ps) > 0 {
		return ps
	}
	_, err := q.Exec(ctx, `INSERT INTO mfa_policies (establishment_id, profiles, functions, updated_at, updated_by) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (establishment_id) DO UPDATE SET profiles = excluded.profiles, functions = excluded.functions,
		updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
		establishmentID, strings.Join(profiles, ","), strings.Join(functions, ","), at.Unix(), v.Actor())
	return err
}

// mustUseSecondFactor reports whether any establishment the person belongs
// to requires a second factor of them. A person attached nowhere follows
// the default. v reads the person's attachments (read-record): the person
// themself, an administrator of their account, or the sign-in steps'
// system viewer.
func mustUseSecondFactor(ctx context.Context, v *access.Viewer, q db.Querier, personID, profile string) (bool, error) {
	ests, err := directory.Memberships(ctx, v, q, personID)
	if err != nil {
		return false, err
	}
	if len(ests) == 0 {
		return slices.Contains(DefaultMFAProfiles, profile), nil
	}
	fns, err := directory.FunctionsOf(ctx, v, q, personID)
	if err != nil {
		return false, err
	}
	for _, e := range ests {
		pol, err := policyOf(ctx, q, e)
		if err != nil {
			return false, err
		}
		if pol.Requires(profile, fns[e]) {
			return true, nil
		}
	}
	return false, nil
}

// FactorOwedOnAttach tells whether v, once attached to an establishment
// that keeps the default policy (a new one that an import of theirs brings
// in, which attaches them), will have to set up a second factor at their
// next sign-in when today they need not: the default requires their
// profile, they have no second factor yet, and none of their
// establishments requires one now. The import's review says so before it
// is applied, rather than the next sign-in forcing the enrolment unasked.
func (a *Authenticator) FactorOwedOnAttach(ctx context.Context, v *access.Viewer) (bool, error) {
	if v == nil || v.IsSystem() || !slices.Contains(DefaultMFAProfiles, v.Profile) {
		return false, nil
	}
	en, err := a.Factors.enrolledOf(ctx, a.DB, v.ID)
	if err != nil || en.Any() {
		return false, err
	}
	must, err := mustUseSecondFactor(ctx, v, a.DB, v.ID, v.Profile)
	return !must, err
}
