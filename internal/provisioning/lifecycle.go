package provisioning

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"cartable/internal/access"
	"cartable/internal/audit"
	"cartable/internal/classlog"
	"cartable/internal/db"
	"cartable/internal/directory"
	"cartable/internal/files"
)

// The account lifecycle. A person leaves (absent from a complete delivery,
// deleted by a delta, or closed by hand): their account is deactivated at
// once. Within the purge delay (at most 90 days) a reactivation restores it
// intact. After it, the daily purge erases their personal data: an
// anonymous stub stays where other people's shared spaces hold their
// contributions, unless they objected, in which case everything goes.

// MaxPurgeDays is the legal bound: personal data is deleted within three
// months once a person no longer needs an account.
const MaxPurgeDays = 90

// ClosedYearRetention is how long a closed school year's classes, groups
// and assignments are kept (read-only) after the year's end.
const ClosedYearRetention = 365 * 24 * time.Hour

// UploadRetention is how long an upload waits for review.
const UploadRetention = 24 * time.Hour

// ContributionTables are the tables whose rows are contributions to shared
// spaces, by the column naming their author: a purge keeps them (attached
// to an anonymous stub) unless the author objected. A module whose table
// holds such contributions adds it here; rows of every other table that
// refer to a purged person are deleted.
var ContributionTables = map[string]string{
	"classlog_entries": "author_id",
}

// ContributionParts are tables whose rows refer to a person without being
// contributions, yet belong to a kept contribution while a condition holds
// (SQL on the row, the table named by its own name): a purge keeps those
// rows, still referring to the anonymous stub, unless the person
// objected; their other rows go. A stored file is the teacher's own, but
// attached to a class log entry it is part of that entry; work a student
// handed in is never attached to an entry, so it always goes.
var ContributionParts = map[string]string{
	"files": classlog.AttachedFile,
}

// UnreferencedFileAge is how old a stored file nothing refers to must be
// before the purge deletes it: a younger one may be an upload whose
// reference is being written.
const UnreferencedFileAge = 24 * time.Hour

var (
	ErrNotFound       = errors.New("no such account")
	ErrNotDeactivated = errors.New("the account is active")
	ErrPurged         = errors.New("the account's data was erased: it cannot be restored")
	ErrActive         = errors.New("the account is already closed")
)

// Deactivate closes an account at once: no sign-in, not listed, every
// session ended. Links and classes are kept for a reactivation. v needs
// the provision right on the person's whole account.
func Deactivate(ctx context.Context, v *access.Viewer, d *db.DB, personID string, now time.Time) error {
	if err := v.Can(ctx, access.Provision, access.Person(personID)); err != nil {
		return err
	}
	return d.Tx(ctx, func(tx *db.Tx) error {
		var active bool
		err := tx.QueryRow(ctx, `SELECT active FROM people WHERE id = ?`, personID).Scan(&active)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		if !active {
			return ErrActive
		}
		if err := deactivate(ctx, tx, []string{personID}, now.Unix()); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{At: now, ActorID: v.Actor(), Action: AuditDeactivate,
			Target: "person:" + personID, Outcome: audit.Success})
	})
}

// AuditDetach records a person's attachment to one establishment ended by
// hand while their account stays open for the others (target
// "person:ID", the establishment in the event's establishment column).
const AuditDetach = "detach"

// Closing outcomes.
type Closing int

const (
	Detached    Closing = iota + 1 // attached elsewhere too: only the attachment to the establishment ended
	Deactivated                    // the establishment was their last: the account is closed
)

// Close closes a person's account from one establishment, as a complete
// delivery of that establishment's feed would: when the person is attached
// to other establishments too, only their attachment to this one ends (and
// the unused activation codes it issued them go), their account staying
// open for the others; from their last establishment, the account is
// deactivated (Deactivate). The person must be attached to the
// establishment (ErrNotFound otherwise) and their account open (ErrActive
// otherwise).
//
// v needs the provision right on the establishment, then on the person's
// attachment there (access.Membership: a refusal the policy explains,
// such as access.ErrPrivilege, comes wrapped in the *access.Denied).
func Close(ctx context.Context, v *access.Viewer, d *db.DB, personID, establishmentID string, now time.Time) (Closing, error) {
	if err := v.Can(ctx, access.Provision, access.Establishment(establishmentID)); err != nil {
		return 0, err
	}
	if err := v.Can(ctx, access.Provision, access.Membership(personID, establishmentID)); err != nil {
		return 0, err
	}
	var out Closing
	err := d.Tx(ctx, func(tx *db.Tx) error {
		lock := ""
		if tx.Dialect() == db.Postgres {
			lock = " FOR UPDATE" // two establishments closing at once: one after the other
		}
		var active bool
		err := tx.QueryRow(ctx, `SELECT active FROM people WHERE id = ?`+lock, personID).Scan(&active)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		var here, elsewhere int
		if err := tx.QueryRow(ctx, `SELECT COALESCE(SUM(CASE WHEN establishment_id = ? THEN 1 ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN establishment_id <> ? THEN 1 ELSE 0 END), 0) FROM memberships WHERE person_id = ?`,
			establishmentID, establishmentID, personID).Scan(&here, &elsewhere); err != nil {
			return err
		}
		switch {
		case here == 0:
			return ErrNotFound
		case !active:
			return ErrActive
		case elsewhere > 0:
			out = Detached
			if _, err := tx.Exec(ctx, `DELETE FROM memberships WHERE person_id = ? AND establishment_id = ?`, personID, establishmentID); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `DELETE FROM activation_codes WHERE person_id = ? AND establishment_id = ? AND used_at IS NULL`,
				personID, establishmentID); err != nil {
				return err
			}
			return audit.Record(ctx, tx, audit.Event{At: now, ActorID: v.Actor(), EstablishmentID: establishmentID, Action: AuditDetach,
				Target: "person:" + personID, Outcome: audit.Success})
		}
		out = Deactivated
		if err := deactivate(ctx, tx, []string{personID}, now.Unix()); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{At: now, ActorID: v.Actor(), EstablishmentID: establishmentID, Action: AuditDeactivate,
			Target: "person:" + personID, Outcome: audit.Success})
	})
	return out, err
}

// CloseByLogin is Close for the closing form: the account named by its
// login (CheckClose first: a form at fault gives its check.Problems). The
// right on the establishment is asked before the login is looked up; a
// login nobody has, or of someone whose name v may not read, is
// ErrNotFound.
func CloseByLogin(ctx context.Context, v *access.Viewer, d *db.DB, f CloseForm, now time.Time) (Closing, error) {
	if ps := CheckClose(f); len(ps) > 0 {
		return 0, ps
	}
	if err := v.Can(ctx, access.Provision, access.Establishment(f.Establishment)); err != nil {
		return 0, err
	}
	p, err := directory.CardByLogin(ctx, v, d, strings.TrimSpace(f.Login))
	if errors.Is(err, access.ErrDenied) {
		return 0, ErrNotFound
	}
	if err != nil {
		return 0, err
	}
	return Close(ctx, v, d, p.ID, f.Establishment, now)
}

// personAct checks the rights of an act on a person's whole account made
// from one establishment's page: the provision right on that
// establishment, then on the account (every establishment the person is
// attached to; a refusal the policy explains comes wrapped).
func personAct(ctx context.Context, v *access.Viewer, establishmentID, personID string) error {
	if err := v.Can(ctx, access.Provision, access.Establishment(establishmentID)); err != nil {
		return err
	}
	return v.Can(ctx, access.Provision, access.Person(personID))
}

// Reactivate reopens an account closed less than the purge delay ago, as
// it was: memberships, classes and family links were kept. It is done
// from establishment establishmentID's page (see personAct for the
// rights).
func Reactivate(ctx context.Context, v *access.Viewer, d *db.DB, establishmentID, personID string, now time.Time) error {
	if err := personAct(ctx, v, establishmentID, personID); err != nil {
		return err
	}
	return d.Tx(ctx, func(tx *db.Tx) error {
		var active bool
		var deact sql.NullInt64
		err := tx.QueryRow(ctx, `SELECT active, deactivated_at FROM people WHERE id = ?`, personID).Scan(&active, &deact)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return ErrNotFound
		case err != nil:
			return err
		case active:
			return ErrNotDeactivated
		case !deact.Valid:
			return ErrPurged
		}
		if _, err := tx.Exec(ctx, `UPDATE people SET active = TRUE, deactivated_at = NULL, updated_at = ? WHERE id = ?`,
			now.Unix(), personID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{At: now, ActorID: v.Actor(), Action: AuditReactivate,
			Target: "person:" + personID, Outcome: audit.Success})
	})
}

// RecordChoice records whether a person objects to their contributions to
// shared spaces being kept once their account is erased, from
// establishment establishmentID's page (see personAct for the rights).
func RecordChoice(ctx context.Context, v *access.Viewer, d *db.DB, establishmentID, personID string, objects bool, now time.Time) error {
	if err := personAct(ctx, v, establishmentID, personID); err != nil {
		return err
	}
	return d.Tx(ctx, func(tx *db.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO account_closures (person_id, objects, recorded_at, recorded_by) VALUES (?, ?, ?, ?)
			ON CONFLICT (person_id) DO UPDATE SET objects = excluded.objects, recorded_at = excluded.recorded_at,
			recorded_by = excluded.recorded_by`, personID, objects, now.Unix(), personOf(v)); err != nil {
			return err
		}
		outcome := "keep"
		if objects {
			outcome = "objects"
		}
		return audit.Record(ctx, tx, audit.Event{At: now, ActorID: v.Actor(), Action: AuditObjection,
			Target: "person:" + personID, Outcome: outcome})
	})
}

// Closed is a deactivated account waiting for the purge.
type Closed struct {
	Person         AccountCard
	DeactivatedAt  time.Time
	PurgeOn        time.Time // the day its data goes
	Objects        bool      // objected to contributions being kept
	Establishments []string  // UAIs
}

// AccountCard is what the lifecycle's lists show of an account: the
// person's name and profile, and the login that names the account in the
// closing form; nothing of the record.
type AccountCard struct {
	ID, Login, Profile, FirstName, LastName string
}

// Due tells whether the purge erases it at now.
func (c Closed) Due(now time.Time) bool { return !c.PurgeOn.After(now) }

// ClosedList is the closed accounts a viewer may name, and how many
// others there are.
type ClosedList struct {
	Accounts []Closed
	Hidden   int // closed accounts whose name the viewer may not read
}

// PurgeDelay is the delay before a closed account is erased, of a
// setting in days: MaxPurgeDays when unset or beyond it.
func PurgeDelay(days int) time.Duration {
	if days <= 0 || days > MaxPurgeDays {
		days = MaxPurgeDays
	}
	return time.Duration(days) * 24 * time.Hour
}

// ClosedAccounts lists the deactivated accounts (not yet erased) of an
// establishment v may provision, soonest purge first, those whose name v
// may read in full and the others counted; establishmentID "" lists the
// whole instance, for the instance's right.
func ClosedAccounts(ctx context.Context, v *access.Viewer, q db.Querier, establishmentID string, delay time.Duration) (ClosedList, error) {
	r := access.Instance()
	if establishmentID != "" {
		r = access.Establishment(establishmentID)
	}
	if err := v.Can(ctx, access.Provision, r); err != nil {
		return ClosedList{}, err
	}
	all, err := closedAccounts(ctx, q, establishmentID, delay)
	if err != nil {
		return ClosedList{}, err
	}
	ids := make([]string, len(all))
	for i, c := range all {
		ids[i] = c.Person.ID
	}
	visible, err := v.Visible(ctx, access.ReadName, ids)
	if err != nil {
		return ClosedList{}, err
	}
	var out ClosedList
	for _, c := range all {
		if visible[c.Person.ID] {
			out.Accounts = append(out.Accounts, c)
		} else {
			out.Hidden++
		}
	}
	return out, nil
}

func closedAccounts(ctx context.Context, q db.Querier, establishmentID string, delay time.Duration) ([]Closed, error) {
	query := `SELECT p.id, p.login, p.profile, p.first_name, p.last_name, p.deactivated_at, COALESCE(c.objects, FALSE),
		COALESCE((SELECT string_agg(e.uai, ' ') FROM memberships m JOIN establishments e ON e.id = m.establishment_id
			WHERE m.person_id = p.id), '')
		FROM people p LEFT JOIN account_closures c ON c.person_id = p.id
		WHERE NOT p.active AND p.deactivated_at IS NOT NULL`
	if q.Dialect() == db.SQLite {
		query = strings.Replace(query, "string_agg(e.uai, ' ')", "group_concat(e.uai, ' ')", 1)
	}
	var args []any
	if establishmentID != "" {
		query += ` AND EXISTS (SELECT 1 FROM memberships m WHERE m.person_id = p.id AND m.establishment_id = ?)`
		args = append(args, establishmentID)
	}
	query += ` ORDER BY p.deactivated_at, p.last_name, p.first_name, p.id`
	return db.All(ctx, q, func(sc db.Scanner) (c Closed, err error) {
		var at int64
		var uais string
		p := &c.Person
		if err = sc.Scan(&p.ID, &p.Login, &p.Profile, &p.FirstName, &p.LastName, &at, &c.Objects, &uais); err != nil {
			return c, err
		}
		c.DeactivatedAt = time.Unix(at, 0).UTC()
		c.PurgeOn = c.DeactivatedAt.Add(delay)
		c.Establishments = strings.Fields(uais)
		sort.Strings(c.Establishments)
		return c, nil
	}, query, args...)
}

// PurgeOptions tune a purge.
type PurgeOptions struct {
	Now       time.Time
	DelayDays int // 1 to MaxPurgeDays
	// ClosedYears is how long closed school years are kept after their
	// end; ClosedYearRetention when 0.
	ClosedYears time.Duration
}

// PurgeResult counts what a purge erased.
type PurgeResult struct {
	RunID              int64
	Anonymised         int // identity erased, contributions kept
	Deleted            int // objected: everything deleted
	SchoolYearsDeleted int
	UploadsDeleted     int
	// FilesDeleted counts the stored files whose records the purge
	// deleted: the purged people's own (not kept with a contribution) and
	// those nothing refers to any more. Their blobs are queued for
	// erasure (files.(*Store).EraseQueued), not yet erased.
	FilesDeleted int
}

// Purge erases, in one transaction, the personal data of the accounts
// deactivated more than DelayDays ago, the closed school years past their
// retention, the forgotten uploads and the stored files nothing refers to
// any more, then writes one purge record and one audit event with the
// counts (no personal data). The blobs of the deleted files are queued in
// the same transaction; the caller erases them once it has committed
// (files.(*Store).EraseQueued). It acts on the whole instance: v is the
// daily job's or the command line's system viewer (access.System("purge")),
// or an operator.
func Purge(ctx context.Context, v *access.Viewer, d *db.DB, o PurgeOptions) (PurgeResult, error) {
	var res PurgeResult
	if err := v.Can(ctx, access.Provision, access.Instance()); err != nil {
		return res, err
	}
	if o.DelayDays < 1 || o.DelayDays > MaxPurgeDays {
		return res, fmt.Errorf("purge delay %d days: choose 1 to %d", o.DelayDays, MaxPurgeDays)
	}
	if o.ClosedYears <= 0 {
		o.ClosedYears = ClosedYearRetention
	}
	cutoff := o.Now.Add(-time.Duration(o.DelayDays) * 24 * time.Hour).Unix()
	err := d.Tx(ctx, func(tx *db.Tx) error {
		if tx.Dialect() == db.Postgres {
			// Replicas running their daily job at once take turns.
			if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(72616275)`); err != nil {
				return err
			}
		}
		var keep, drop []string
		if err := eachRow(ctx, tx, `SELECT p.id, CASE WHEN COALESCE(c.objects, FALSE) THEN 'drop' ELSE 'keep' END
			FROM people p LEFT JOIN account_closures c ON c.person_id = p.id
			WHERE NOT p.active AND p.deactivated_at IS NOT NULL AND p.deactivated_at <= ? ORDER BY p.id`,
			[]any{cutoff}, func(r []string) {
				if r[1] == "drop" {
					drop = append(drop, r[0])
				} else {
					keep = append(keep, r[0])
				}
			}); err != nil {
			return err
		}
		// The objectors' files go with them (a cascade): count them first.
		if err := eachChunk(drop, func(part []string) error {
			var n int
			err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM files WHERE `+db.In(tx, "owner_id"), db.ListArg(tx, part)).Scan(&n)
			res.FilesDeleted += n
			return err
		}); err != nil {
			return err
		}
		if err := execList(ctx, tx, `DELETE FROM people WHERE `+db.In(tx, "id"), drop); err != nil {
			return err
		}
		anonFiles, err := anonymise(ctx, tx, keep, o.Now.Unix())
		if err != nil {
			return err
		}
		res.FilesDeleted += anonFiles
		res.Anonymised, res.Deleted = len(keep), len(drop)
		r, err := tx.Exec(ctx, `DELETE FROM school_years WHERE closed AND ends_on < ?`,
			o.Now.Add(-o.ClosedYears).UTC().Format("2006-01-02"))
		if err != nil {
			return err
		}
		n, _ := r.RowsAffected()
		res.SchoolYearsDeleted = int(n)
		if r, err = tx.Exec(ctx, `DELETE FROM import_uploads WHERE created_at < ?`, o.Now.Add(-UploadRetention).Unix()); err != nil {
			return err
		}
		n, _ = r.RowsAffected()
		res.UploadsDeleted = int(n)
		// Last, so that the files the steps above left without a
		// reference (a closed year's entries and hand-ins) go too.
		unreferenced, err := files.DeleteUnreferenced(ctx, v, tx, o.Now.Add(-UnreferencedFileAge).Unix())
		if err != nil {
			return err
		}
		res.FilesDeleted += unreferenced
		if err := tx.QueryRow(ctx, `INSERT INTO purge_runs (at, actor_id, delay_days, accounts_anonymised, accounts_deleted,
			school_years_deleted, uploads_deleted, files_deleted) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, o.Now.Unix(), personOf(v),
			o.DelayDays, res.Anonymised, res.Deleted, res.SchoolYearsDeleted, res.UploadsDeleted, res.FilesDeleted).Scan(&res.RunID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{At: o.Now, ActorID: v.Actor(), Action: AuditPurge,
			Target: fmt.Sprintf("purge-run:%d", res.RunID), Outcome: audit.Success})
	})
	return res, err
}

// anonymise erases the identity of people whose contributions are kept:
// every row that refers to them goes, except contributions and their
// parts; their own row stays as an anonymous, inactive stub that no
// sign-in, feed or reactivation can reach. It returns how many stored
// files it deleted.
func anonymise(ctx context.Context, tx *db.Tx, ids []string, now int64) (int, error) {
	if len(ids) == 0 {
		return 0, nil
	}
	refs, err := peopleReferences(ctx, tx)
	if err != nil {
		return 0, err
	}
	files := 0
	for _, ref := range refs {
		if ContributionTables[ref.table] == ref.column {
			continue
		}
		q := `DELETE FROM ` + ref.table + ` WHERE ` + db.In(tx, ref.column)
		if ref.setNull {
			q = `UPDATE ` + ref.table + ` SET ` + ref.column + ` = NULL WHERE ` + db.In(tx, ref.column)
		}
		if part, ok := ContributionParts[ref.table]; ok {
			q += ` AND NOT ` + part
		}
		err := eachChunk(ids, func(list []string) error {
			r, err := tx.Exec(ctx, q, db.ListArg(tx, list))
			if err == nil && ref.table == "files" {
				n, _ := r.RowsAffected()
				files += int(n)
			}
			return err
		})
		if err != nil {
			return 0, fmt.Errorf("purge %s.%s: %w", ref.table, ref.column, err)
		}
	}
	return files, execList(ctx, tx, `UPDATE people SET external_id = NULL, login = 'purged-' || id, password_hash = '', title = '',
		last_name = '', first_name = '', birth_date = '', email = '', phone = '', address = '', postal_code = '', city = '',
		active = FALSE, deactivated_at = NULL, updated_at = ? WHERE `+db.In(tx, "id"), ids, now)
}

type reference struct {
	table, column string
	setNull       bool
}

// peopleReferences lists the columns of every table that refer to people,
// read from the database's catalog, so that a table added by any module is
// purged too.
func peopleReferences(ctx context.Context, q db.Querier) ([]reference, error) {
	query := `SELECT m.name, f."from", f.on_delete FROM sqlite_master m, pragma_foreign_key_list(m.name) f
		WHERE m.type = 'table' AND f."table" = 'people' ORDER BY m.name, f."from"`
	if q.Dialect() == db.Postgres {
		query = `SELECT cl.relname, att.attname, CASE c.confdeltype WHEN 'n' THEN 'SET NULL' ELSE 'OTHER' END
			FROM pg_constraint c JOIN pg_class cl ON cl.oid = c.conrelid JOIN pg_class ref ON ref.oid = c.confrelid
			JOIN pg_namespace n ON n.oid = cl.relnamespace
			JOIN pg_attribute att ON att.attrelid = c.conrelid AND att.attnum = ANY (c.conkey)
			WHERE c.contype = 'f' AND ref.relname = 'people' AND n.nspname = current_schema()
			ORDER BY cl.relname, att.attname`
	}
	var out []reference
	err := eachRow(ctx, q, query, nil, func(r []string) {
		out = append(out, reference{table: r[0], column: r[1], setNull: strings.EqualFold(r[2], "SET NULL")})
	})
	return out, err
}

// LastPurge returns when the last purge ran (zero if never), for who may
// run one (Purge).
func LastPurge(ctx context.Context, v *access.Viewer, q db.Querier) (time.Time, error) {
	if err := v.Can(ctx, access.Provision, access.Instance()); err != nil {
		return time.Time{}, err
	}
	var at sql.NullInt64
	if err := q.QueryRow(ctx, `SELECT MAX(at) FROM purge_runs`).Scan(&at); err != nil {
		return time.Time{}, err
	}
	if !at.Valid {
		return time.Time{}, nil
	}
	return time.Unix(at.Int64, 0).UTC(), nil
}

// PurgeRun is one line of the purge history.
type PurgeRun struct {
	ID                                                        int64
	At                                                        time.Time
	ActorID                                                   string
	DelayDays, Anonymised, Deleted, SchoolYears, UploadsCount int
	FilesDeleted                                              int
}

// PurgeRuns lists the latest purges, newest first, for who may run one
// (Purge).
func PurgeRuns(ctx context.Context, v *access.Viewer, q db.Querier, limit int) ([]PurgeRun, error) {
	if err := v.Can(ctx, access.Provision, access.Instance()); err != nil {
		return nil, err
	}
	return db.All(ctx, q, func(sc db.Scanner) (r PurgeRun, err error) {
		var at int64
		err = sc.Scan(&r.ID, &at, &r.ActorID, &r.DelayDays, &r.Anonymised, &r.Deleted, &r.SchoolYears, &r.UploadsCount, &r.FilesDeleted)
		r.At = time.Unix(at, 0).UTC()
		return r, err
	}, `SELECT id, at, actor_id, delay_days, accounts_anonymised, accounts_deleted, school_years_deleted,
		uploads_deleted, files_deleted FROM purge_runs ORDER BY id DESC LIMIT ?`, limit)
}
