package messaging

// Elected parent representatives (migration 0026): the head designates
// them on the rules page; the communication rule relative → relative
// reaches them (access/comm.go). Each designation and removal is audited
// like a rule's edit.

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"cartable/internal/access"
	"cartable/internal/audit"
	"cartable/internal/check"
	"cartable/internal/db"
	"cartable/internal/ids"
	"cartable/internal/roles"
)

// Representative is one designation as the head's page lists it.
type Representative struct {
	ID        string
	Person    Person
	ClassID   string // empty: the establishment (its board)
	ClassName string
	Year      string // school year's label
}

// RepClass is a class of an open school year, to choose a representative's.
type RepClass struct {
	ID, Name, Year string
}

// Representatives lists establishment est's representatives of open
// school years, for its head.
func (s *Service) Representatives(ctx context.Context, v *access.Viewer, est string) ([]Representative, error) {
	if err := v.Can(ctx, access.ManageCommRules, access.Establishment(est)); err != nil {
		return nil, err
	}
	rows, err := s.DB.Query(ctx, `SELECT r.id, p.id, p.first_name, p.last_name, p.profile,
		COALESCE(c.id, ''), COALESCE(c.name, ''), y.label
		FROM parent_representatives r JOIN people p ON p.id = r.person_id
		JOIN school_years y ON y.id = r.school_year_id LEFT JOIN classes c ON c.id = r.class_id
		WHERE r.establishment_id = ? AND NOT y.closed
		ORDER BY COALESCE(c.name, ''), p.last_name, p.first_name, r.id`, est)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Representative
	for rows.Next() {
		var r Representative
		if err := rows.Scan(&r.ID, &r.Person.ID, &r.Person.FirstName, &r.Person.LastName, &r.Person.Profile,
			&r.ClassID, &r.ClassName, &r.Year); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// RepClasses lists establishment est's classes of open school years.
func (s *Service) RepClasses(ctx context.Context, v *access.Viewer, est string) ([]RepClass, error) {
	if err := v.Can(ctx, access.ManageCommRules, access.Establishment(est)); err != nil {
		return nil, err
	}
	rows, err := s.DB.Query(ctx, `SELECT c.id, c.name, y.label FROM classes c JOIN school_years y ON y.id = c.school_year_id
		WHERE c.establishment_id = ? AND NOT y.closed ORDER BY y.label, c.name, c.id`, est)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []RepClass
	for rows.Next() {
		var c RepClass
		if err := rows.Scan(&c.ID, &c.Name, &c.Year); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// RepCandidates finds the active relatives attached to establishment est
// whose name contains query, among, with a class, the families (guardians
// and contacts) of its active students: at most MaxCandidates by name, a
// class's whole list (a hundred at most).
func (s *Service) RepCandidates(ctx context.Context, v *access.Viewer, est, query, class string) ([]Person, error) {
	if err := v.Can(ctx, access.ManageCommRules, access.Establishment(est)); err != nil {
		return nil, err
	}
	query = strings.TrimSpace(query)
	if query == "" && class == "" {
		return nil, nil
	}
	like, limit := "%"+strings.ToLower(query)+"%", MaxCandidates
	if class != "" {
		limit = 100
	}
	rows, err := s.DB.Query(ctx, `SELECT DISTINCT p.id, p.first_name, p.last_name, p.profile FROM people p
		JOIN memberships m ON m.person_id = p.id AND m.establishment_id = ?
		WHERE p.profile = ? AND p.active
		AND (LOWER(p.last_name) LIKE ? OR LOWER(p.first_name) LIKE ? OR LOWER(p.first_name || ' ' || p.last_name) LIKE ?)
		AND (? = '' OR p.id IN (SELECT f.relative_id FROM enrolments e JOIN classes c ON c.id = e.class_id
			JOIN people st ON st.id = e.student_id JOIN family_links f ON f.student_id = st.id
			WHERE c.id = ? AND c.establishment_id = ? AND st.active AND (f.legal_guardian OR f.contact)))
		ORDER BY p.last_name, p.first_name, p.id LIMIT ?`,
		est, roles.Relative, like, like, like, class, class, est, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Person
	for rows.Next() {
		var p Person
		if err := rows.Scan(&p.ID, &p.FirstName, &p.LastName, &p.Profile); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// AddRepresentative designates person as an elected parent representative
// of establishment est, for class (of an open year of est) or, without
// one, for the establishment in its current open year. The person must be
// an active relative attached to est: anyone else (a student, a teacher, a
// relative of another establishment) is a problem on the field, nothing
// changed.
func (s *Service) AddRepresentative(ctx context.Context, v *access.Viewer, est, person, class string) error {
	if err := v.Can(ctx, access.ManageCommRules, access.Establishment(est)); err != nil {
		return err
	}
	year, ps, err := s.repYear(ctx, s.DB, est, person, class)
	if err != nil {
		return err
	}
	if len(ps) > 0 {
		return ps.Err()
	}
	var n int
	var classArg any
	if class != "" {
		classArg = class
	}
	return s.DB.Tx(ctx, func(tx *db.Tx) error {
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM parent_representatives
			WHERE school_year_id = ? AND person_id = ? AND COALESCE(class_id, '') = ?`, year, person, class).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return check.Problems{{Field: "rep-person", Code: "already-representative"}}
		}
		id := ids.For(ctx)
		if _, err := tx.Exec(ctx, `INSERT INTO parent_representatives (id, establishment_id, school_year_id, person_id, class_id, created_at, created_by)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, id, est, year, person, classArg, s.now().Unix(), v.ID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{ActorID: v.ID, EstablishmentID: est, Action: "parent-rep-added",
			Target: "parent-rep:" + id + ":" + person, Outcome: audit.Success, At: s.now()})
	})
}

// repYear checks a designation: person an active relative attached to est,
// class one of est's open years (empty: est's current open year, whose id
// is returned).
func (s *Service) repYear(ctx context.Context, q db.Querier, est, person, class string) (string, check.Problems, error) {
	var ps check.Problems
	var n int
	if err := q.QueryRow(ctx, `SELECT COUNT(*) FROM people p JOIN memberships m ON m.person_id = p.id
		WHERE p.id = ? AND m.establishment_id = ? AND p.profile = ? AND p.active`, person, est, roles.Relative).Scan(&n); err != nil {
		return "", nil, err
	}
	if n == 0 {
		ps.Add("rep-person", "not-a-relative", "")
	}
	var year string
	var err error
	if class != "" {
		err = q.QueryRow(ctx, `SELECT c.school_year_id FROM classes c JOIN school_years y ON y.id = c.school_year_id
			WHERE c.id = ? AND c.establishment_id = ? AND NOT y.closed`, class, est).Scan(&year)
	} else {
		err = q.QueryRow(ctx, `SELECT id FROM school_years WHERE establishment_id = ? AND NOT closed
			ORDER BY starts_on DESC, id LIMIT 1`, est).Scan(&year)
	}
	switch {
	case errors.Is(err, sql.ErrNoRows) && class != "":
		ps.Add("rep-class", "unknown", "")
	case errors.Is(err, sql.ErrNoRows):
		ps.Add("rep-class", "no-open-year", "")
	case err != nil:
		return "", nil, err
	}
	return year, ps, nil
}

// RemoveRepresentative ends designation id of establishment est; another
// establishment's designation is refused as unknown.
func (s *Service) RemoveRepresentative(ctx context.Context, v *access.Viewer, est, id string) error {
	if err := v.Can(ctx, access.ManageCommRules, access.Establishment(est)); err != nil {
		return err
	}
	return s.DB.Tx(ctx, func(tx *db.Tx) error {
		var person string
		err := tx.QueryRow(ctx, `SELECT person_id FROM parent_representatives WHERE id = ? AND establishment_id = ?`, id, est).Scan(&person)
		if errors.Is(err, sql.ErrNoRows) {
			return check.Problems{{Field: "rep-person", Code: "unknown"}}
		}
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM parent_representatives WHERE id = ?`, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{ActorID: v.ID, EstablishmentID: est, Action: "parent-rep-removed",
			Target: "parent-rep:" + id + ":" + person, Outcome: audit.Success, At: s.now()})
	})
}

// DesignateIn records person as an elected representative of class (empty:
// the establishment) in establishment est's class year (or its current
// open year), designated by by at at, in the caller's transaction: for the
// demo and imports, by the system only. The person must be an active
// relative attached to est, as for the head.
func DesignateIn(ctx context.Context, v *access.Viewer, tx *db.Tx, est, class, person, by string, at time.Time) error {
	if err := systemOnly(v); err != nil {
		return err
	}
	s := &Service{Now: func() time.Time { return at }}
	year, ps, err := s.repYear(ctx, tx, est, person, class)
	if err != nil {
		return err
	}
	if len(ps) > 0 {
		return ps.Err()
	}
	var classArg any
	if class != "" {
		classArg = class
	}
	_, err = tx.Exec(ctx, `INSERT INTO parent_representatives (id, establishment_id, school_year_id, person_id, class_id, created_at, created_by)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, ids.For(ctx), est, year, person, classArg, at.Unix(), by)
	return err
}
