package provisioning

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"cartable/internal/access"
	"cartable/internal/db"
	"cartable/internal/ids"
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

// Upload is a delivery uploaded in the web interface, waiting for review
// by the person who sent it, and by nobody else.
type Upload struct {
	ID          string
	CreatedAt   time.Time
	CreatedBy   string // set by SaveUpload: its viewer
	Source      string
	Target      string // establishment ID (siecle, sts, csv)
	Complete    bool   // csv: the whole truth
	Archive     []byte // the files, as one zip: given to SaveUpload; LoadUpload leaves it empty (see Open)
	Fingerprint string
	Summary     Summary

	sealed []byte // the archive as stored
}

// Sealer seals the archives of pending uploads at rest, bound to their
// row: the instance key files.PendingUploads of a server's file store
// (files.Sealer: AES-256-GCM, the key wrapped by the master key).
type Sealer interface {
	Seal(ctx context.Context, plain, aad []byte) ([]byte, error)
	Open(ctx context.Context, sealed, aad []byte) ([]byte, error)
}

// ErrUploadUnreadable is an upload whose archive does not open: stored in
// clear by an older version, or altered. It must be sent again.
var ErrUploadUnreadable = errors.New("provisioning: the upload can no longer be read; send it again")

var errNoSealer = errors.New("provisioning: pending uploads are stored sealed; no key store is configured")

// uploadAAD binds a sealed archive to its row and its owner.
func uploadAAD(id, createdBy string) []byte { return []byte("import-upload:" + id + ":" + createdBy) }

// uploadRefused is the answer for an upload that is not the viewer's,
// whether it exists or not.
func uploadRefused(id string) error {
	return access.Refuse(access.Provision, access.Resource{Kind: "import-upload", ID: id}, "no such upload of the viewer's")
}

// SaveUpload stores an upload of v's (a person who may import) with the
// summary of its review. The archive (the raw delivery: national student
// numbers, scholarship status…) is stored sealed, never in clear; the
// summary holds counts, establishments and the report (join keys and
// codes, no names).
func SaveUpload(ctx context.Context, v *access.Viewer, d *db.DB, u *Upload, s Sealer) error {
	if err := MayImport(ctx, v); err != nil {
		return err
	}
	if personOf(v) == "" {
		return access.Refuse(access.Provision, access.Resource{Kind: "import-upload"}, "an upload waits for a person's review")
	}
	if s == nil {
		return errNoSealer
	}
	u.ID, u.CreatedBy = ids.New(), v.ID
	b, err := json.Marshal(uploadSummary{u.Summary, u.Complete})
	if err != nil {
		return err
	}
	sealed, err := s.Seal(ctx, u.Archive, uploadAAD(u.ID, u.CreatedBy))
	if err != nil {
		return err
	}
	return d.Tx(ctx, func(tx *db.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO import_uploads (id, created_at, created_by, source, target_establishment_id,
			archive, fingerprint, summary) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, u.ID, u.CreatedAt.Unix(), u.CreatedBy, u.Source,
			nullable(u.Target), sealed, u.Fingerprint, string(b)); err != nil {
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

// LoadUpload returns an upload of v's, its archive still sealed (Open);
// someone else's is refused as a missing one is.
func LoadUpload(ctx context.Context, v *access.Viewer, q db.Querier, id string) (*Upload, error) {
	u := &Upload{}
	var at int64
	var target sql.NullString
	var sum string
	err := q.QueryRow(ctx, `SELECT id, created_at, created_by, source, target_establishment_id, archive, fingerprint, summary
		FROM import_uploads WHERE id = ? AND created_by = ?`, id, personOf(v)).
		Scan(&u.ID, &at, &u.CreatedBy, &u.Source, &target, &u.sealed, &u.Fingerprint, &sum)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, uploadRefused(id)
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

// Open returns the archive of a loaded upload, or ErrUploadUnreadable.
func (u *Upload) Open(ctx context.Context, s Sealer) ([]byte, error) {
	if s == nil {
		return nil, errNoSealer
	}
	b, err := s.Open(ctx, u.sealed, uploadAAD(u.ID, u.CreatedBy))
	if err != nil {
		return nil, errors.Join(ErrUploadUnreadable, err)
	}
	return b, nil
}

// ForgetUnreadableUploads deletes the pending uploads whose archive does
// not open (an older version stored them in clear): run at the server's
// start, before any request, so that no raw delivery stays in the
// database. It returns how many it deleted.
func ForgetUnreadableUploads(ctx context.Context, d *db.DB, s Sealer) (int, error) {
	if s == nil {
		return 0, errNoSealer
	}
	list, err := db.All(ctx, d, func(sc db.Scanner) (x [2]string, err error) {
		err = sc.Scan(&x[0], &x[1])
		return
	}, `SELECT id, created_by FROM import_uploads ORDER BY id`)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, x := range list {
		var sealed []byte
		err := d.QueryRow(ctx, `SELECT archive FROM import_uploads WHERE id = ?`, x[0]).Scan(&sealed)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return n, err
		}
		if _, err := s.Open(ctx, sealed, uploadAAD(x[0], x[1])); err == nil {
			continue
		}
		if err := deleteUpload(ctx, d, x[0], x[1]); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// UpdateUpload records a new review of an upload of v's.
func UpdateUpload(ctx context.Context, v *access.Viewer, d *db.DB, u *Upload) error {
	b, err := json.Marshal(uploadSummary{u.Summary, u.Complete})
	if err != nil {
		return err
	}
	r, err := d.Exec(ctx, `UPDATE import_uploads SET fingerprint = ?, summary = ? WHERE id = ? AND created_by = ?`,
		u.Fingerprint, string(b), u.ID, personOf(v))
	if err != nil {
		return err
	}
	if n, _ := r.RowsAffected(); n == 0 {
		return uploadRefused(u.ID)
	}
	return nil
}

// DeleteUpload forgets an upload of v's; forgetting one already gone (a
// cancel sent twice) is no error, someone else's stays.
func DeleteUpload(ctx context.Context, v *access.Viewer, d *db.DB, id string) error {
	return deleteUpload(ctx, d, id, personOf(v))
}

func deleteUpload(ctx context.Context, d *db.DB, id, createdBy string) error {
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
