package provisioning

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"cartable/internal/db"
	"cartable/internal/ids"
)

// Run is one line of the import history.
type Run struct {
	ID             string
	At             time.Time
	ActorID        string // "" for the command line
	Source, Mode   string
	Date           string
	Outcome        string // applied, refused
	Summary        Summary
	Establishments []string // IDs
}

// Runs lists the imports that concerned any of the establishments, newest
// first.
func Runs(ctx context.Context, q db.Querier, establishments []string, limit int) ([]Run, error) {
	if len(establishments) == 0 {
		return nil, nil
	}
	rows, err := q.Query(ctx, `SELECT r.id, r.at, r.actor_id, r.source, r.mode, r.delivery_date, r.outcome, r.summary
		FROM import_runs r WHERE r.id IN (SELECT x.run_id FROM import_run_establishments x WHERE `+
		db.In(q, "x.establishment_id")+`) ORDER BY r.at DESC, r.id LIMIT ?`, db.ListArg(q, establishments), limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Run
	for rows.Next() {
		r, err := scanRun(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

func scanRun(s interface{ Scan(...any) error }) (Run, error) {
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

// RunByID returns one import with the establishments it concerned.
func RunByID(ctx context.Context, q db.Querier, id string) (Run, error) {
	r, err := scanRun(q.QueryRow(ctx, `SELECT id, at, actor_id, source, mode, delivery_date, outcome, summary
		FROM import_runs WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return r, ErrNotFound
	}
	if err != nil {
		return r, err
	}
	err = eachRow(ctx, q, `SELECT establishment_id FROM import_run_establishments WHERE run_id = ? ORDER BY establishment_id`,
		[]any{id}, func(row []string) { r.Establishments = append(r.Establishments, row[0]) })
	return r, err
}

// Upload is a delivery uploaded in the web interface, waiting for review.
type Upload struct {
	ID          string
	CreatedAt   time.Time
	CreatedBy   string
	Source      string
	Target      string // establishment ID (siecle, sts, csv)
	Complete    bool   // csv: the whole truth
	Archive     []byte // the files, as one zip
	Fingerprint string
	Summary     Summary
}

// SaveUpload stores an upload with the summary of its review.
func SaveUpload(ctx context.Context, d *db.DB, u *Upload) error {
	u.ID = ids.New()
	b, err := json.Marshal(uploadSummary{u.Summary, u.Complete})
	if err != nil {
		return err
	}
	return d.Tx(ctx, func(tx *db.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO import_uploads (id, created_at, created_by, source, target_establishment_id,
			archive, fingerprint, summary) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, u.ID, u.CreatedAt.Unix(), u.CreatedBy, u.Source,
			nullable(u.Target), u.Archive, u.Fingerprint, string(b)); err != nil {
			return err
		}
		for _, e := range u.Summary.Establishments {
			if e.New {
				continue
			}
			if _, err := tx.Exec(ctx, `INSERT INTO import_upload_establishments (upload_id, establishment_id) VALUES (?, ?)`,
				u.ID, e.ID); err != nil {
				return err
			}
		}
		return nil
	})
}

type uploadSummary struct {
	Summary  Summary `json:"summary"`
	Complete bool    `json:"complete"`
}

// LoadUpload returns an upload of person createdBy; someone else's is not
// found.
func LoadUpload(ctx context.Context, q db.Querier, id, createdBy string) (*Upload, error) {
	u := &Upload{}
	var at int64
	var target sql.NullString
	var sum string
	err := q.QueryRow(ctx, `SELECT id, created_at, created_by, source, target_establishment_id, archive, fingerprint, summary
		FROM import_uploads WHERE id = ? AND created_by = ?`, id, createdBy).
		Scan(&u.ID, &at, &u.CreatedBy, &u.Source, &target, &u.Archive, &u.Fingerprint, &sum)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	u.CreatedAt, u.Target = time.Unix(at, 0).UTC(), target.String
	var us uploadSummary
	if err := json.Unmarshal([]byte(sum), &us); err != nil {
		return nil, err
	}
	u.Summary, u.Complete = us.Summary, us.Complete
	return u, nil
}

// UpdateUpload records a new review of an upload.
func UpdateUpload(ctx context.Context, d *db.DB, u *Upload) error {
	b, err := json.Marshal(uploadSummary{u.Summary, u.Complete})
	if err != nil {
		return err
	}
	_, err = d.Exec(ctx, `UPDATE import_uploads SET fingerprint = ?, summary = ? WHERE id = ?`, u.Fingerprint, string(b), u.ID)
	return err
}

// DeleteUpload forgets an upload.
func DeleteUpload(ctx context.Context, d *db.DB, id, createdBy string) error {
	_, err := d.Exec(ctx, `DELETE FROM import_uploads WHERE id = ? AND created_by = ?`, id, createdBy)
	return err
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
