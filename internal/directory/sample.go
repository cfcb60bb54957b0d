package directory

import (
	"context"
	"regexp"
	"strings"

	"cartable/internal/access"
	"cartable/internal/db"
)

// Sampled is one account picked by SyntheticSample.
type Sampled struct {
	ID, Login, Profile, UAI string
}

// syntheticUAI is the UAI pattern of the synthetic deliveries
// (internal/provisioning/synth: "9NNNNNNX", named "COLLEGE SYNTHESE N").
var syntheticUAI = regexp.MustCompile(`^9[0-9]{6}X$`)

// SyntheticSample picks every every-th active student and relative, in
// login order, of a directory made only of synthetic establishments
// (cmd/aafgen), for the load tests to give them a password. It refuses a
// directory holding any other establishment: a real school's accounts
// are never sampled. The instance's provision right is asked.
func SyntheticSample(ctx context.Context, v *access.Viewer, q db.Querier, every int) ([]Sampled, error) {
	if err := v.Can(ctx, access.Provision, access.Instance()); err != nil {
		return nil, err
	}
	type est struct{ uai, name string }
	ests, err := db.All(ctx, q, func(s db.Scanner) (est, error) {
		var e est
		return e, s.Scan(&e.uai, &e.name)
	}, `SELECT uai, name FROM establishments ORDER BY uai`)
	if err != nil {
		return nil, err
	}
	for _, e := range ests {
		if !syntheticUAI.MatchString(e.uai) || !strings.HasPrefix(e.name, "COLLEGE SYNTHESE ") {
			return nil, access.Refuse(access.Provision, access.Resource{Kind: "establishment", ID: e.uai}, "not a synthetic establishment")
		}
	}
	all, err := db.All(ctx, q, func(s db.Scanner) (Sampled, error) {
		var x Sampled
		return x, s.Scan(&x.ID, &x.Login, &x.Profile, &x.UAI)
	}, `SELECT p.id, p.login, p.profile, MIN(e.uai) FROM people p
		JOIN memberships m ON m.person_id = p.id JOIN establishments e ON e.id = m.establishment_id
		WHERE p.active AND p.profile IN ('student', 'relative')
		GROUP BY p.id, p.login, p.profile ORDER BY p.login`)
	if err != nil {
		return nil, err
	}
	var out []Sampled
	for i := 0; i < len(all); i += max(every, 1) {
		out = append(out, all[i])
	}
	return out, nil
}
