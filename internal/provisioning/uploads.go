package provisioning

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"sort"
	"time"

	"cartable/internal/access"
	"cartable/internal/db"
	"cartable/internal/ids"
)

// Pending uploads: a delivery uploaded in the web interface waits, sealed,
// for someone to review and confirm it, or to discard it. It is handled by
// whoever could import it: the person who sent it, or anyone else holding
// the provision right on everything it concerns (mayHandle), the rights
// asked again at every step, since they may have changed since the upload.

// Upload is a delivery uploaded in the web interface, waiting for review.
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
	By          Actor // who sent it, as the viewer may know them (LoadUpload, PendingUploads)

	sealed []byte // the archive as stored
}

// ExpiresAt is when the upload is forgotten if nobody confirms it.
func (u *Upload) ExpiresAt() time.Time { return u.CreatedAt.Add(UploadRetention) }

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

// uploadRefused is the answer for an upload the viewer may not handle,
// whether it exists or not.
func uploadRefused(id string) error {
	return access.Refuse(access.Provision, access.Resource{Kind: "import-upload", ID: id}, "no such upload, or beyond the viewer's rights")
}

// mayHandle is the rule of a pending upload: v is a person who may import,
// and holds the provision right on everything the upload's review said it
// concerns (its Scope, the establishments it names, the chosen one), the
// instance's for new establishments — the rule of Import itself
// (authorize), asked again now. Someone other than its sender must, in
// addition, be allowed on something: an upload that concerns no
// establishment stays its sender's. Any refusal is uploadRefused.
func mayHandle(ctx context.Context, v *access.Viewer, u *Upload) error {
	if personOf(v) == "" {
		return uploadRefused(u.ID)
	}
	if err := MayImport(ctx, v); err != nil {
		if errors.Is(err, access.ErrDenied) {
			return uploadRefused(u.ID)
		}
		return err
	}
	sc := u.Summary.Scope
	sc.Named = append([]string(nil), sc.Named...)
	for _, e := range u.Summary.Establishments {
		if e.New {
			sc.Creates = true
		} else {
			sc.Named = append(sc.Named, e.ID)
		}
	}
	if u.Target != "" {
		sc.Named = append(sc.Named, u.Target)
	}
	concerns := len(sc.Named) > 0 || len(sc.Establishments) > 0 || sc.Creates || sc.Unattached || sc.Operators
	if v.ID != u.CreatedBy && !concerns {
		return uploadRefused(u.ID)
	}
	if err := authorize(ctx, v, sc, nil); err != nil {
		if errors.Is(err, access.ErrDenied) {
			return uploadRefused(u.ID)
		}
		return err
	}
	return nil
}

// SaveUpload stores an upload of v's (a person who may import) with the
// summary of its review. The archive (the raw delivery: national student
// numbers, scholarship status…) is stored sealed, never in clear; the
// summary holds counts, establishments, the scope of the changes and the
// report (join keys and codes, no names).
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

const uploadColumns = `id, created_at, created_by, source, target_establishment_id, fingerprint, summary`

// scanUpload reads a row of uploadColumns, and the sealed archive when
// asked.
func scanUpload(s db.Scanner, sealed bool) (*Upload, error) {
	u := &Upload{}
	var at int64
	var target sql.NullString
	var sum string
	dest := []any{&u.ID, &at, &u.CreatedBy, &u.Source, &target, &u.Fingerprint, &sum}
	if sealed {
		dest = append(dest, &u.sealed)
	}
	if err := s.Scan(dest...); err != nil {
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

// loadUpload reads upload id when it was made at since (Unix seconds) or
// later, and v may handle it; anything else is uploadRefused.
func loadUpload(ctx context.Context, v *access.Viewer, q db.Querier, id string, sealed bool, since int64) (*Upload, error) {
	query := `SELECT ` + uploadColumns
	if sealed {
		query += `, archive`
	}
	u, err := scanUpload(q.QueryRow(ctx, query+` FROM import_uploads WHERE id = ? AND created_at >= ?`, id, since), sealed)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, uploadRefused(id)
	}
	if err != nil {
		return nil, err
	}
	if err := mayHandle(ctx, v, u); err != nil {
		return nil, err
	}
	u.By, err = actorOf(ctx, v, q, u.CreatedBy)
	return u, err
}

// LoadUpload returns a pending upload that v may handle (mayHandle), its
// archive still sealed (Open); an expired one at now, or one beyond v's
// rights, is refused as a missing one is.
func LoadUpload(ctx context.Context, v *access.Viewer, q db.Querier, id string, now time.Time) (*Upload, error) {
	return loadUpload(ctx, v, q, id, true, now.Add(-UploadRetention).Unix())
}

// PendingUpload is an upload waiting for review, as the list of pending
// uploads shows it.
type PendingUpload struct {
	*Upload
	Mine bool // sent by the viewer
}

// PendingUploads lists, oldest first, the uploads not expired at now that
// v may handle (mayHandle): v's own, and those of others concerning only
// what v provisions. A viewer who may import nothing is refused.
func PendingUploads(ctx context.Context, v *access.Viewer, q db.Querier, now time.Time) ([]PendingUpload, error) {
	if err := MayImport(ctx, v); err != nil {
		return nil, err
	}
	rows, err := db.All(ctx, q, func(s db.Scanner) (*Upload, error) { return scanUpload(s, false) },
		`SELECT `+uploadColumns+` FROM import_uploads WHERE created_at >= ? ORDER BY created_at, id`, now.Add(-UploadRetention).Unix())
	if err != nil {
		return nil, err
	}
	var out []PendingUpload
	for _, u := range rows {
		err := mayHandle(ctx, v, u)
		if errors.Is(err, access.ErrDenied) {
			continue
		}
		if err != nil {
			return nil, err
		}
		p := PendingUpload{Upload: u, Mine: u.CreatedBy == v.ID}
		if p.By, err = actorOf(ctx, v, q, u.CreatedBy); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].CreatedAt.Before(out[j].CreatedAt) })
	return out, nil
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
		if _, err := d.Exec(ctx, `DELETE FROM import_uploads WHERE id = ?`, x[0]); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// UpdateUpload records a new review of an upload v may handle.
func UpdateUpload(ctx context.Context, v *access.Viewer, d *db.DB, u *Upload) error {
	stored, err := loadUpload(ctx, v, d, u.ID, false, 0)
	if err != nil {
		return err
	}
	b, err := json.Marshal(uploadSummary{u.Summary, u.Complete})
	if err != nil {
		return err
	}
	r, err := d.Exec(ctx, `UPDATE import_uploads SET fingerprint = ?, summary = ? WHERE id = ? AND created_by = ?`,
		u.Fingerprint, string(b), stored.ID, stored.CreatedBy)
	if err != nil {
		return err
	}
	if n, _ := r.RowsAffected(); n == 0 {
		return uploadRefused(u.ID)
	}
	return nil
}

// DeleteUpload forgets an upload v may handle (confirmed, or discarded):
// forgetting one already gone (a discard sent twice) is no error; one
// beyond v's rights stays, and is refused.
func DeleteUpload(ctx context.Context, v *access.Viewer, d *db.DB, id string) error {
	var n int
	if err := d.QueryRow(ctx, `SELECT COUNT(*) FROM import_uploads WHERE id = ?`, id).Scan(&n); err != nil || n == 0 {
		return err
	}
	if _, err := loadUpload(ctx, v, d, id, false, 0); err != nil {
		return err
	}
	_, err := d.Exec(ctx, `DELETE FROM import_uploads WHERE id = ?`, id)
	return err
}
