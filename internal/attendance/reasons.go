package attendance

import (
	"context"

	"cartable/internal/access"
	"cartable/internal/db"
	"cartable/internal/ids"
)

// Reason is a reason of absence an establishment offers.
type Reason struct {
	ID           string
	Label        string
	Legitimate   bool // a justified absence ("motif recevable")
	Confidential bool // shown as "motif confidentiel" without read-confidential
	Active       bool
	Position     int
}

// DefaultReasons are written for an establishment the first time it needs
// reasons (ensureReasons); school life edits them afterwards. Labels are
// the establishment's data, in French as most are.
var DefaultReasons = []Reason{
	{Label: "Maladie", Legitimate: true},
	{Label: "Rendez-vous médical", Legitimate: true, Confidential: true},
	{Label: "Raison familiale", Legitimate: true},
	{Label: "Convocation officielle", Legitimate: true},
	{Label: "Problème de transport", Legitimate: true},
	{Label: "Raison personnelle", Legitimate: false, Confidential: true},
	{Label: "Panne de réveil", Legitimate: false},
	{Label: "Sans motif", Legitimate: false},
}

// reasonsOf returns est's reasons in their order (inactive ones too: old
// absences keep them).
func reasonsOf(ctx context.Context, q db.Querier, est string) ([]Reason, error) {
	return db.All(ctx, q, func(s db.Scanner) (Reason, error) {
		var r Reason
		err := s.Scan(&r.ID, &r.Label, &r.Legitimate, &r.Confidential, &r.Active, &r.Position)
		return r, err
	}, `SELECT id, label, legitimate, confidential, active, position FROM att_reasons WHERE establishment_id = ? ORDER BY position, label`, est)
}

// ensureReasons writes the default reasons for est when it has none, in
// q (a write's transaction), and returns est's reasons.
func ensureReasons(ctx context.Context, q db.Querier, est string) ([]Reason, error) {
	rs, err := reasonsOf(ctx, q, est)
	if err != nil || len(rs) > 0 {
		return rs, err
	}
	for i, r := range DefaultReasons {
		if _, err := q.Exec(ctx, `INSERT INTO att_reasons (id, establishment_id, label, legitimate, confidential, active, position)
			VALUES (?, ?, ?, ?, ?, TRUE, ?) ON CONFLICT (establishment_id, label) DO NOTHING`, ids.For(ctx), est, r.Label, r.Legitimate, r.Confidential, i); err != nil {
			return nil, err
		}
	}
	return reasonsOf(ctx, q, est)
}

// AddReasonsIn writes reasons (with their IDs) to est's list in the
// caller's transaction q, for those who manage its school life (the demo
// seeds its reasons this way, deterministic); a label already there is
// kept as it is.
func AddReasonsIn(ctx context.Context, v *access.Viewer, q db.Querier, est string, rs []Reason) error {
	if err := v.Can(ctx, access.ManageSchoolLife, access.Establishment(est)); err != nil {
		return err
	}
	for _, r := range rs {
		if _, err := q.Exec(ctx, `INSERT INTO att_reasons (id, establishment_id, label, legitimate, confidential, active, position)
			VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (establishment_id, label) DO NOTHING`, r.ID, est, r.Label, r.Legitimate, r.Confidential,
			r.Active, r.Position); err != nil {
			return err
		}
	}
	return nil
}
