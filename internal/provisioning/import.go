package provisioning

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"cartable/internal/access"
	"cartable/internal/audit"
	"cartable/internal/db"
	"cartable/internal/ids"
)

// Audit actions of this package. Targets are identifiers ("import-run:…",
// "person:…", "purge-run:…"), never names.
const (
	AuditImport     = "import"
	AuditDeactivate = "deactivate"
	AuditReactivate = "reactivate"
	AuditPurge      = "purge"
	AuditRollover   = "rollover"
	AuditObjection  = "contributions-choice"
)

// ErrMassDeactivation is returned when a complete delivery would deactivate
// more than the allowed share of an establishment: most likely a truncated
// feed. Nothing is applied; --allow-mass-deactivation overrides it.
var ErrMassDeactivation = errors.New("the delivery would deactivate too many people (truncated feed?); nothing applied")

// ErrChanged is returned when the changes are no longer those reviewed.
var ErrChanged = errors.New("the directory changed since the review: the changes differ; review them again")

var errRefused = errors.New("refused")

// Import computes what the delivery changes in the directory and, unless
// o.DryRun, applies it in one transaction. Applying consumes the delivery:
// its people are released once the plan is made. The summary is returned in every
// case it could be computed, with ErrMassDeactivation when the guard
// refused the delivery.
//
// v runs it: a person importing from the web, or the command line's system
// viewer (access.System("import")). v needs the provision right on every
// establishment the changes concern, checked on the changes as they will
// be applied (authorize, scope.go); a delivery beyond them is refused with
// an *ImportRefusal, nothing applied.
func Import(ctx context.Context, v *access.Viewer, d *db.DB, dl *Delivery, o Options) (*Summary, error) {
	if err := MayImport(ctx, v); err != nil {
		return nil, err
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	o.actorID = personOf(v)
	// Creating establishments needs the instance's right, which only an
	// operator holds: they are attached to what they create.
	o.attachActor = o.actorID != ""
	if err := dl.Report.err(); err != nil {
		return nil, err
	}
	prefix := ""
	if dl.Source != AAF {
		if len(dl.Structures) != 1 {
			return nil, fmt.Errorf("provisioning: a %s import concerns exactly one establishment", dl.Source)
		}
		prefix = keyPrefix(dl.Source, dl.Structures[0].UAI)
	}
	if o.DryRun {
		// Reads only, outside any transaction: a preview never holds the
		// writer's lock.
		p, sum, err := buildPlan(ctx, d, dl, o)
		if err == nil {
			err = authorize(ctx, v, p.scope, sum)
		}
		return sum, err
	}
	var sum *Summary
	err := d.Tx(ctx, func(tx *db.Tx) error {
		if tx.Dialect() == db.SQLite {
			// A big import touches far more pages than SQLite's default
			// 2 MB cache holds; without room it spills and re-reads. 32 MB is
			// enough, and counts in the import's memory budget.
			if _, err := tx.Exec(ctx, "PRAGMA cache_size = -32768"); err != nil {
				return err
			}
			defer tx.Exec(ctx, "PRAGMA cache_size = -2000")
		}
		p, s, err := buildPlan(ctx, tx, dl, o)
		if err != nil {
			return err
		}
		// The plan holds what it writes; the rest of the delivery can go
		// before the writing starts (an academy's records weigh).
		dl.People, dl.Links, dl.keys = nil, nil, nil
		sum = s
		// The rights are checked on the plan as it will be applied, even
		// when it is no longer the one reviewed.
		if err := authorize(ctx, v, p.scope, s); err != nil {
			return err
		}
		if o.Expect != "" && o.Expect != s.Fingerprint {
			return ErrChanged
		}
		if s.Refused != "" {
			return errRefused
		}
		if err := apply(ctx, tx, p, prefix, o); err != nil {
			return err
		}
		s.Applied = true
		return recordRun(ctx, v, tx, s, o, "applied")
	})
	if errors.Is(err, errRefused) {
		// The refusal itself belongs to the history.
		if rerr := d.Tx(ctx, func(tx *db.Tx) error { return recordRun(ctx, v, tx, sum, o, "refused") }); rerr != nil {
			return sum, rerr
		}
		return sum, ErrMassDeactivation
	}
	if err != nil {
		if sum != nil {
			sum.Applied, sum.RunID = false, ""
		}
		return sum, err
	}
	if d.Dialect() == db.Postgres && sum.Changes() > 10000 {
		_ = d.Analyze(ctx) // big loads: refresh the planner's statistics
	}
	return sum, nil
}

// recordRun writes the history line (its actor a person, "" for the
// system) and its audit event (v.Actor()).
func recordRun(ctx context.Context, v *access.Viewer, q db.Querier, s *Summary, o Options, outcome string) error {
	s.RunID = ids.New()
	b, err := json.Marshal(s)
	if err != nil {
		return err
	}
	at := o.Now()
	if _, err := q.Exec(ctx, `INSERT INTO import_runs (id, at, actor_id, source, mode, delivery_date, outcome, summary)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, s.RunID, at.Unix(), o.actorID, s.Source, s.Mode, s.Date, outcome, string(b)); err != nil {
		return err
	}
	for _, e := range s.Establishments {
		if _, err := q.Exec(ctx, `INSERT INTO import_run_establishments (run_id, establishment_id)
			SELECT ?, id FROM establishments WHERE id = ?`, s.RunID, e.ID); err != nil {
			return err
		}
	}
	est := ""
	if len(s.Establishments) == 1 {
		est = s.Establishments[0].ID
	}
	result := audit.Success
	if outcome != "applied" {
		result = audit.Denied
	}
	return audit.Record(ctx, q, audit.Event{At: at, ActorID: v.Actor(), EstablishmentID: est, Action: AuditImport,
		Target: "import-run:" + s.RunID, Outcome: result})
}
