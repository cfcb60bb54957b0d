package provisioning

import (
	"context"
	"database/sql"
	"errors"
	"hash/fnv"
	"sort"

	"cartable/internal/db"
	"cartable/internal/roles"
)

// The current directory as far as an import concerns it: the people it
// names or covers, their relations in open school years, and the
// structures of the establishments it touches. Everything is read in bulk,
// a list of identifiers per query.

// cur is a person as the directory holds them.
type cur struct {
	id, key, profile string
	sum              uint64  // hash of the fields, to tell a change
	f                *fields // the fields themselves, kept only for the records a delta modifies
	active           bool
	purged           bool // deactivated_at NULL while inactive: erased by the purge
	ests             []string
}

// fields are the scalar columns an import sets, in this order.
type fields [9]string

// hash digests the fields: an academy's current names and addresses need
// not stay in memory to tell which ones changed.
func (f *fields) hash() uint64 {
	h := fnv.New64a()
	for _, v := range f {
		h.Write([]byte(v))
		h.Write([]byte{0})
	}
	return h.Sum64()
}

const (
	fTitle = iota
	fLast
	fFirst
	fBirth
	fEmail
	fPhone
	fAddress
	fPostal
	fCity
)

var fieldBits = [9]uint32{setTitle, setLast, setFirst, setBirth, setEmail, setPhone, setAddress, setPostal, setCity}

func (p *Person) fields() fields {
	return fields{p.Title, p.Last, p.First, p.Birth, p.Email, p.Phone, p.Address, p.Postal, p.City}
}

type pair struct{ a, b string }

type curLink struct {
	relationship                                string
	legal, financial, contact, lives, receivesM bool
}

type curAssign struct {
	id, est, class, group, subject string
}

// state is the loaded directory.
type state struct {
	byID  map[string]*cur
	byKey map[string]*cur

	enrol     map[string][]pair // student → (class, establishment), open years
	gmember   map[string][]pair // student → (group, establishment)
	functions map[string][]pair // person → (establishment, function)
	assigns   map[string][]curAssign
	heads     map[string][]pair // teacher → (class, establishment)
	links     map[pair]curLink  // (student, relative)
	linksOf   map[string][]string
	orphans   map[string][]string // person → establishments

	keepFields map[string]bool // join keys whose fields are kept whole (modified by a delta)
	shared     map[string]string
}

// id returns the one copy of an identifier read from a relation: a loaded
// person's own, or a shared one for the structures and establishments
// that thousands of rows repeat. An academy's relations then cost their
// structure, not millions of copies of the same strings.
func (s *state) id(v string) string {
	if c := s.byID[v]; c != nil {
		return c.id
	}
	if x, ok := s.shared[v]; ok {
		return x
	}
	if s.shared == nil {
		s.shared = map[string]string{}
	}
	s.shared[v] = v
	return v
}

func newState() *state {
	return &state{byID: map[string]*cur{}, byKey: map[string]*cur{},
		enrol: map[string][]pair{}, gmember: map[string][]pair{}, functions: map[string][]pair{},
		assigns: map[string][]curAssign{}, heads: map[string][]pair{}, links: map[pair]curLink{},
		linksOf: map[string][]string{}, orphans: map[string][]string{}}
}

// chunk is how many identifiers travel in one list argument.
const chunk = 5000

func eachChunk(list []string, f func([]string) error) error {
	for len(list) > 0 {
		n := min(chunk, len(list))
		if err := f(list[:n]); err != nil {
			return err
		}
		list = list[n:]
	}
	return nil
}

const curCols = `p.id, COALESCE(p.external_id, ''), p.profile, p.title, p.last_name, p.first_name, p.birth_date,
	p.email, p.phone, p.address, p.postal_code, p.city, p.active, p.deactivated_at`

func (s *state) scanPeople(ctx context.Context, q db.Querier, where string, list []string) error {
	sort.Strings(list)
	return eachChunk(list, func(part []string) error {
		rows, err := q.Query(ctx, `SELECT `+curCols+` FROM people p WHERE `+db.In(q, where), db.ListArg(q, part))
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			c := &cur{}
			var deact sql.NullInt64
			var f fields
			if err := rows.Scan(&c.id, &c.key, &c.profile, &f[fTitle], &f[fLast], &f[fFirst], &f[fBirth],
				&f[fEmail], &f[fPhone], &f[fAddress], &f[fPostal], &f[fCity], &c.active, &deact); err != nil {
				return err
			}
			c.sum = f.hash()
			c.profile = profileName(c.profile)
			if s.keepFields[c.key] {
				c.f = &f
			}
			c.purged = !c.active && !deact.Valid
			if _, dup := s.byID[c.id]; dup {
				continue
			}
			s.byID[c.id] = c
			if c.key != "" {
				s.byKey[c.key] = c
			}
		}
		return rows.Err()
	})
}

// loadByKeys reads the people with these join keys.
func (s *state) loadByKeys(ctx context.Context, q db.Querier, keys []string) error {
	var missing []string
	for _, k := range keys {
		if _, ok := s.byKey[k]; !ok {
			missing = append(missing, k)
		}
	}
	return s.scanPeople(ctx, q, "p.external_id", missing)
}

// loadByIDs reads the people with these identifiers.
func (s *state) loadByIDs(ctx context.Context, q db.Querier, ids []string) error {
	var missing []string
	for _, id := range ids {
		if _, ok := s.byID[id]; !ok {
			missing = append(missing, id)
		}
	}
	return s.scanPeople(ctx, q, "p.id", missing)
}

// scopeIDs lists the feed-managed people attached, or tied as orphans, to
// the establishments: those a complete delivery of them may deactivate.
// prefix limits them to one local source's keys ("siecle:…"); "" takes
// every join key.
func scopeIDs(ctx context.Context, q db.Querier, ests []string, prefix string) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	err := eachChunk(ests, func(part []string) error {
		rows, err := q.Query(ctx, `SELECT m.person_id FROM memberships m JOIN people p ON p.id = m.person_id
			WHERE p.external_id IS NOT NULL AND p.external_id LIKE ? AND `+db.In(q, "m.establishment_id")+`
			UNION SELECT o.person_id FROM provisioning_orphans o JOIN people p ON p.id = o.person_id
			WHERE p.external_id IS NOT NULL AND p.external_id LIKE ? AND `+db.In(q, "o.establishment_id"),
			prefix+"%", db.ListArg(q, part), prefix+"%", db.ListArg(q, part))
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				return err
			}
			if !seen[id] {
				seen[id] = true
				out = append(out, id)
			}
		}
		return rows.Err()
	})
	return out, err
}

// loadRelations reads the relations of every loaded person.
func (s *state) loadRelations(ctx context.Context, q db.Querier) error {
	ids := make([]string, 0, len(s.byID))
	for id := range s.byID {
		ids = append(ids, id)
	}
	// In index order: each chunk then reads neighbouring pages.
	sort.Strings(ids)
	return eachChunk(ids, func(part []string) error {
		arg := db.ListArg(q, part)
		if err := eachRow(ctx, q, `SELECT person_id, establishment_id FROM memberships WHERE `+db.In(q, "person_id"),
			[]any{arg}, func(r []string) {
				if c := s.byID[r[0]]; c != nil {
					c.ests = append(c.ests, s.id(r[1]))
				}
			}); err != nil {
			return err
		}
		if err := eachRow(ctx, q, `SELECT e.student_id, e.class_id, c.establishment_id FROM enrolments e
			JOIN classes c ON c.id = e.class_id JOIN school_years y ON y.id = c.school_year_id
			WHERE NOT y.closed AND `+db.In(q, "e.student_id"), []any{arg}, func(r []string) {
			k := s.id(r[0])
			s.enrol[k] = append(s.enrol[k], pair{s.id(r[1]), s.id(r[2])})
		}); err != nil {
			return err
		}
		if err := eachRow(ctx, q, `SELECT m.student_id, m.group_id, g.establishment_id FROM group_members m
			JOIN groups g ON g.id = m.group_id JOIN school_years y ON y.id = g.school_year_id
			WHERE NOT y.closed AND `+db.In(q, "m.student_id"), []any{arg}, func(r []string) {
			k := s.id(r[0])
			s.gmember[k] = append(s.gmember[k], pair{s.id(r[1]), s.id(r[2])})
		}); err != nil {
			return err
		}
		if err := eachRow(ctx, q, `SELECT person_id, establishment_id, function FROM functions WHERE `+db.In(q, "person_id"),
			[]any{arg}, func(r []string) {
				k := s.id(r[0])
				s.functions[k] = append(s.functions[k], pair{s.id(r[1]), s.id(r[2])})
			}); err != nil {
			return err
		}
		if err := eachRow(ctx, q, `SELECT a.id, a.teacher_id, a.establishment_id, COALESCE(a.class_id, ''), COALESCE(a.group_id, ''), a.subject_id
			FROM teaching_assignments a LEFT JOIN classes c ON c.id = a.class_id LEFT JOIN groups g ON g.id = a.group_id
			JOIN school_years y ON y.id = COALESCE(c.school_year_id, g.school_year_id)
			WHERE NOT y.closed AND `+db.In(q, "a.teacher_id"), []any{arg}, func(r []string) {
			k := s.id(r[1])
			s.assigns[k] = append(s.assigns[k], curAssign{id: r[0], est: s.id(r[2]), class: s.id(r[3]), group: s.id(r[4]), subject: s.id(r[5])})
		}); err != nil {
			return err
		}
		if err := eachRow(ctx, q, `SELECT h.teacher_id, h.class_id, c.establishment_id FROM head_teachers h
			JOIN classes c ON c.id = h.class_id JOIN school_years y ON y.id = c.school_year_id
			WHERE NOT y.closed AND `+db.In(q, "h.teacher_id"), []any{arg}, func(r []string) {
			k := s.id(r[0])
			s.heads[k] = append(s.heads[k], pair{s.id(r[1]), s.id(r[2])})
		}); err != nil {
			return err
		}
		if err := eachRow(ctx, q, `SELECT person_id, establishment_id FROM provisioning_orphans WHERE `+db.In(q, "person_id"),
			[]any{arg}, func(r []string) {
				k := s.id(r[0])
				s.orphans[k] = append(s.orphans[k], s.id(r[1]))
			}); err != nil {
			return err
		}
		for _, col := range []string{"student_id", "relative_id"} {
			rows, err := q.Query(ctx, `SELECT student_id, relative_id, relationship, legal_guardian, financial, contact,
				lives_with, receives_mail FROM family_links WHERE `+db.In(q, col), arg)
			if err != nil {
				return err
			}
			for rows.Next() {
				var k pair
				var l curLink
				if err := rows.Scan(&k.a, &k.b, &l.relationship, &l.legal, &l.financial, &l.contact, &l.lives, &l.receivesM); err != nil {
					rows.Close()
					return err
				}
				k = pair{s.id(k.a), s.id(k.b)}
				l.relationship = s.id(l.relationship)
				if _, ok := s.links[k]; !ok {
					s.links[k] = l
					s.linksOf[k.a] = append(s.linksOf[k.a], k.b)
				}
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
		}
		return nil
	})
}

// eachRow runs a query whose columns are all text and hands each row over.
func eachRow(ctx context.Context, q db.Querier, query string, args []any, f func([]string)) error {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return err
	}
	vals := make([]string, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		f(vals)
	}
	return rows.Err()
}

// estInfo is an establishment as the import sees it.
type estInfo struct {
	id, key, uai, name, kind, city string
	feed                           string // aaf, local, "" (not provisioned yet)
	typeLabel, academy             string
	isNew                          bool
	covered                        bool // a complete delivery's whole truth
	delivered                      *Structure

	year     string // school year receiving classes and groups; "" until needed
	yearNew  bool
	loaded   bool
	classes  map[string]*structRow
	groups   map[string]*structRow
	subjects map[string]string // code → id
	gclasses map[string]map[string]bool
}

type structRow struct {
	id, code, name, level string
	isNew, seen           bool
}

var errNoRows = sql.ErrNoRows

// loadEstablishment reads an establishment by provisioning key or UAI.
func loadEstablishment(ctx context.Context, q db.Querier, feedKey, uai string) (*estInfo, error) {
	e := &estInfo{}
	var feed, ext sql.NullString
	var tl, ac sql.NullString
	query := `SELECT e.id, e.uai, e.name, e.kind, e.city, p.feed, p.external_id, p.structure_type, p.academy
		FROM establishments e LEFT JOIN provisioning_establishments p ON p.establishment_id = e.id WHERE `
	var row db.Row
	if feedKey != "" {
		row = q.QueryRow(ctx, query+`p.external_id = ?`, feedKey)
	} else {
		row = q.QueryRow(ctx, query+`e.uai = ?`, uai)
	}
	err := row.Scan(&e.id, &e.uai, &e.name, &e.kind, &e.city, &feed, &ext, &tl, &ac)
	if errors.Is(err, errNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	e.feed, e.key, e.typeLabel, e.academy = feed.String, ext.String, tl.String, ac.String
	return e, nil
}

// loadStructures reads the classes, groups and subjects of an
// establishment's import year.
func (e *estInfo) loadStructures(ctx context.Context, q db.Querier) error {
	if e.loaded {
		return nil
	}
	e.loaded = true
	e.classes, e.groups, e.subjects = map[string]*structRow{}, map[string]*structRow{}, map[string]string{}
	e.gclasses = map[string]map[string]bool{}
	if e.isNew {
		return nil
	}
	if err := eachRow(ctx, q, `SELECT id, code FROM subjects WHERE establishment_id = ?`, []any{e.id}, func(r []string) {
		e.subjects[r[1]] = r[0]
	}); err != nil {
		return err
	}
	if e.year == "" || e.yearNew {
		return nil
	}
	if err := eachRow(ctx, q, `SELECT id, code, name, level FROM classes WHERE school_year_id = ?`, []any{e.year}, func(r []string) {
		e.classes[r[1]] = &structRow{id: r[0], code: r[1], name: r[2], level: r[3]}
	}); err != nil {
		return err
	}
	if err := eachRow(ctx, q, `SELECT id, code, name FROM groups WHERE school_year_id = ?`, []any{e.year}, func(r []string) {
		e.groups[r[1]] = &structRow{id: r[0], code: r[1], name: r[2]}
	}); err != nil {
		return err
	}
	return eachRow(ctx, q, `SELECT gc.group_id, gc.class_id FROM group_classes gc JOIN groups g ON g.id = gc.group_id
		WHERE g.school_year_id = ?`, []any{e.year}, func(r []string) {
		if e.gclasses[r[0]] == nil {
			e.gclasses[r[0]] = map[string]bool{}
		}
		e.gclasses[r[0]][r[1]] = true
	})
}

// profileName returns the constant for a profile read from a row, so that
// 200,000 rows do not hold 200,000 copies of "student".
func profileName(p string) string {
	for _, known := range roles.Profiles {
		if p == known {
			return known
		}
	}
	return p
}
