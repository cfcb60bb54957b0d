package provisioning

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"cartable/internal/access"
	"cartable/internal/db"
)

// Run is one line of the import history.
type Run struct {
	ID             string
	At             time.Time
	ActorID        string // "" for the command line
	Actor          Actor  // who ran it, as the viewer may know them
	Source, Mode   string
	Date           string
	Outcome        string // applied, refused
	Summary        Summary
	Establishments []string // IDs
}

// Runs lists, newest first, the imports that concerned any of the
// establishments v may provision.
func Runs(ctx context.Context, v *access.Viewer, q db.Querier, limit int) ([]Run, error) {
	ests, err := provisionable(ctx, v)
	if err != nil || len(ests) == 0 {
		return nil, err
	}
	out, err := db.All(ctx, q, scanRun, `SELECT r.id, r.at, r.actor_id, r.source, r.mode, r.delivery_date, r.outcome, r.summary
		FROM import_runs r WHERE r.id IN (SELECT x.run_id FROM import_run_establishments x WHERE `+
		db.In(q, "x.establishment_id")+`) ORDER BY r.at DESC, r.id LIMIT ?`, db.ListArg(q, ests), limit)
	if err != nil {
		return nil, err
	}
	for i := range out {
		if out[i].Actor, err = actorOf(ctx, v, q, out[i].ActorID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func scanRun(s db.Scanner) (Run, error) {
	var r Run
	var at int64
	var sum string
	if err := s.Scan(&r.ID, &at, &r.ActorID, &r.Source, &r.Mode, &r.Date, &r.Outcome, &sum); err != nil {
		return r, err
	}
	r.At = time.Unix(at, 0).UTC()
	if err := json.Unmarshal([]byte(sum), &r.Summary); err != nil {
		return r, err
	}
	return r, nil
}

// RunByID returns one import with the establishments it concerned, when
// v may provision one of them; any other, missing or not, is refused
// alike.
func RunByID(ctx context.Context, v *access.Viewer, q db.Querier, id string) (Run, error) {
	refused := access.Refuse(access.Provision, access.Resource{Kind: "import-run", ID: id}, "no such import, or of establishments the viewer does not provision")
	r, err := scanRun(q.QueryRow(ctx, `SELECT id, at, actor_id, source, mode, delivery_date, outcome, summary
		FROM import_runs WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Run{}, refused
	}
	if err != nil {
		return Run{}, err
	}
	if r.Establishments, err = db.Strings(ctx, q, `SELECT establishment_id FROM import_run_establishments WHERE run_id = ?
		ORDER BY establishment_id`, id); err != nil {
		return Run{}, err
	}
	visible := false
	for _, e := range r.Establishments {
		if visible, err = v.May(ctx, access.Provision, access.Establishment(e)); err != nil {
			return Run{}, err
		} else if visible {
			break
		}
	}
	if !visible {
		return Run{}, refused
	}
	r.Actor, err = actorOf(ctx, v, q, r.ActorID)
	return r, err
}

// Read reads a delivery of any source from its files; uai and complete
// serve spreadsheets only.
func Read(source string, files []File, uai string, complete bool) (*Delivery, error) {
	return ReadWithin(source, files, uai, complete, 0)
}

// UploadRecords bounds the records (people, family links, deletions,
// structures, teaching lines) of a delivery uploaded in the web interface:
// about 100,000 people with their families, read in a few hundred
// megabytes at most whatever the records look like.
const UploadRecords = 200000

// ReadWithin is Read keeping at most maxRecords records (0: no bound); a
// delivery holding more is refused with a ReadError, and its reading stops
// there.
func ReadWithin(source string, files []File, uai string, complete bool, maxRecords int) (*Delivery, error) {
	switch source {
	case AAF:
		return readAAF(files, maxRecords)
	case SIECLE:
		return readSIECLE(files, maxRecords)
	case STS:
		return readSTS(files, maxRecords)
	case CSV:
		return readCSV(files, uai, complete, maxRecords)
	}
	return nil, errors.New("provisioning: unknown source " + source)
}

// RunCounts counts, for monitoring, the imports by outcome (applied,
// refused) and the purges the instance ran: counts, nothing about anyone.
func RunCounts(ctx context.Context, q db.Querier) (imports map[string]int, purges int, err error) {
	rows, err := db.All(ctx, q, func(s db.Scanner) (x struct {
		outcome string
		n       int
	}, err error) {
		err = s.Scan(&x.outcome, &x.n)
		return
	}, `SELECT outcome, COUNT(*) FROM import_runs GROUP BY outcome`)
	if err != nil {
		return nil, 0, err
	}
	imports = map[string]int{"applied": 0, "refused": 0}
	for _, r := range rows {
		imports[r.outcome] = r.n
	}
	err = q.QueryRow(ctx, `SELECT COUNT(*) FROM purge_runs`).Scan(&purges)
	return imports, purges, err
}
