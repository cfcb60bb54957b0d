package access

// The few queries the policy needs that the directory's read API does not
// offer: facts loaded in bulk, one round trip each.

import (
	"context"
	"database/sql"
	"errors"

	"cartable/internal/db"
	"cartable/internal/roles"
)

type viewerFacts struct {
	profile     string
	active      bool
	memberships []membership
}

type membership struct {
	establishment string
	functions     []string
}

// loadViewer returns a person's profile, state, establishments and the
// functions held in those establishments (a function where the person is
// not attached counts for nothing); nil if there is no such person.
func loadViewer(ctx context.Context, q db.Querier, id string) (*viewerFacts, error) {
	rows, err := q.Query(ctx, `SELECT p.profile, p.active, COALESCE(m.establishment_id, ''), COALESCE(f.function, '')
		FROM people p
		LEFT JOIN memberships m ON m.person_id = p.id
		LEFT JOIN functions f ON f.person_id = p.id AND f.establishment_id = m.establishment_id
		WHERE p.id = ? ORDER BY 3, 4`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var v *viewerFacts
	for rows.Next() {
		var f viewerFacts
		var est, fn string
		if err := rows.Scan(&f.profile, &f.active, &est, &fn); err != nil {
			return nil, err
		}
		if v == nil {
			v = &f
		}
		if est == "" {
			continue
		}
		n := len(v.memberships)
		if n == 0 || v.memberships[n-1].establishment != est {
			v.memberships = append(v.memberships, membership{establishment: est})
			n++
		}
		if fn != "" {
			v.memberships[n-1].functions = append(v.memberships[n-1].functions, fn)
		}
	}
	return v, rows.Err()
}

// loadTargets returns the facts of the people among ids that exist, in one
// query whatever the number of ids (the list travels as one argument, so
// the statement is prepared once): profile, state, establishments with the
// functions held there, and whether they accept messages (comm.go).
func loadTargets(ctx context.Context, q db.Querier, ids []string) (map[string]*target, error) {
	out := map[string]*target{}
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := q.Query(ctx, `SELECT p.id, p.profile, p.active, COALESCE(m.establishment_id, ''), COALESCE(f.function, ''),
		CASE WHEN r.from_students THEN 1 ELSE 0 END + CASE WHEN r.from_families THEN 2 ELSE 0 END
		FROM people p LEFT JOIN memberships m ON m.person_id = p.id
		LEFT JOIN functions f ON f.person_id = p.id AND f.establishment_id = m.establishment_id
		LEFT JOIN comm_refusals r ON r.person_id = p.id
		WHERE `+db.In(q, "p.id"), db.ListArg(q, ids))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id, profile, est, fn string
		var active bool
		var refuse int
		if err := rows.Scan(&id, &profile, &active, &est, &fn, &refuse); err != nil {
			return nil, err
		}
		t := out[id]
		if t == nil {
			t = &target{profile: profile, active: active, est: map[string]bool{}, fn: map[string]uint8{}, refuse: uint8(refuse)}
			out[id] = t
		}
		if est != "" {
			t.est[est] = t.est[est] || fn != ""
			t.fn[est] |= functionBits[fn]
		}
	}
	return out, rows.Err()
}

// loadStructure returns the establishment of a class or a group.
func loadStructure(ctx context.Context, q db.Querier, kind Kind, id string) (string, bool, error) {
	query := `SELECT establishment_id FROM classes WHERE id = ?`
	if kind == KindGroup {
		query = `SELECT establishment_id FROM groups WHERE id = ?`
	}
	var est string
	switch err := q.QueryRow(ctx, query, id).Scan(&est); {
	case errors.Is(err, sql.ErrNoRows):
		return "", false, nil
	case err != nil:
		return "", false, err
	}
	return est, true, nil
}

// Scope queries, one per profile. Each row is (kind, id, establishment,
// flag); classes and groups count only in open school years.

const studentScope = `WITH
mc AS (SELECT c.id, c.establishment_id FROM enrolments e JOIN classes c ON c.id = e.class_id
	JOIN school_years y ON y.id = c.school_year_id WHERE e.student_id = ? AND NOT y.closed),
mg AS (SELECT g.id, g.establishment_id FROM group_members m JOIN groups g ON g.id = m.group_id
	JOIN school_years y ON y.id = g.school_year_id WHERE m.student_id = ? AND NOT y.closed)
SELECT 'class', id, establishment_id, 0 FROM mc
UNION ALL SELECT 'group', id, establishment_id, 0 FROM mg
UNION ALL SELECT 'mate', e.student_id, mc.establishment_id, 0 FROM mc JOIN enrolments e ON e.class_id = mc.id
UNION ALL SELECT 'mate', m.student_id, mg.establishment_id, 0 FROM mg JOIN group_members m ON m.group_id = mg.id
UNION ALL SELECT 'teacher', a.teacher_id, mc.establishment_id, 0 FROM mc JOIN teaching_assignments a ON a.class_id = mc.id
UNION ALL SELECT 'teacher', a.teacher_id, mg.establishment_id, 0 FROM mg JOIN teaching_assignments a ON a.group_id = mg.id
UNION ALL SELECT 'teacher', h.teacher_id, mc.establishment_id, 0 FROM mc JOIN head_teachers h ON h.class_id = mc.id
UNION ALL SELECT 'relative', f.relative_id, '', 0 FROM family_links f WHERE f.student_id = ?`

// Only active children open anything: a child who left closes the door.
// Elected parent representatives (migration 0026, open years only): 'rep'
// are those of the children's classes and of their establishments (a
// representative without a class sits for the whole establishment);
// 'repkin' the families (guardians and contacts of active students) of the
// classes the viewer represents, every class of the year for an
// establishment's representative.
const relativeScope = `WITH
kids AS (SELECT f.student_id AS id, f.legal_guardian AS guardian FROM family_links f
	JOIN people p ON p.id = f.student_id WHERE f.relative_id = ? AND p.active),
kc AS (SELECT c.id, c.establishment_id FROM kids JOIN enrolments e ON e.student_id = kids.id
	JOIN classes c ON c.id = e.class_id JOIN school_years y ON y.id = c.school_year_id WHERE NOT y.closed),
kg AS (SELECT g.id, g.establishment_id FROM kids JOIN group_members m ON m.student_id = kids.id
	JOIN groups g ON g.id = m.group_id JOIN school_years y ON y.id = g.school_year_id WHERE NOT y.closed),
rc AS (SELECT c.id, c.establishment_id FROM parent_representatives r JOIN school_years y ON y.id = r.school_year_id
		JOIN classes c ON c.id = r.class_id WHERE r.person_id = ? AND NOT y.closed
	UNION SELECT c.id, c.establishment_id FROM parent_representatives r JOIN school_years y ON y.id = r.school_year_id
		JOIN classes c ON c.school_year_id = r.school_year_id WHERE r.person_id = ? AND r.class_id IS NULL AND NOT y.closed)
SELECT 'child', id, '', CASE WHEN guardian THEN 1 ELSE 0 END FROM kids
UNION ALL SELECT 'childest', m.establishment_id, '', 0 FROM kids JOIN memberships m ON m.person_id = kids.id
UNION ALL SELECT 'class', id, establishment_id, 0 FROM kc
UNION ALL SELECT 'group', id, establishment_id, 0 FROM kg
UNION ALL SELECT 'teacher', a.teacher_id, kc.establishment_id, 0 FROM kc JOIN teaching_assignments a ON a.class_id = kc.id
UNION ALL SELECT 'teacher', a.teacher_id, kg.establishment_id, 0 FROM kg JOIN teaching_assignments a ON a.group_id = kg.id
UNION ALL SELECT 'teacher', h.teacher_id, kc.establishment_id, 0 FROM kc JOIN head_teachers h ON h.class_id = kc.id
UNION ALL SELECT 'rep', r.person_id, r.establishment_id, 0 FROM kc JOIN parent_representatives r ON r.class_id = kc.id
UNION ALL SELECT 'rep', r.person_id, r.establishment_id, 0 FROM parent_representatives r
	JOIN school_years y ON y.id = r.school_year_id
	WHERE r.class_id IS NULL AND NOT y.closed
	AND r.establishment_id IN (SELECT m.establishment_id FROM kids JOIN memberships m ON m.person_id = kids.id)
UNION ALL SELECT 'repkin', f.relative_id, rc.establishment_id, 0 FROM rc JOIN enrolments e ON e.class_id = rc.id
	JOIN people p ON p.id = e.student_id JOIN family_links f ON f.student_id = p.id
	WHERE p.active AND (f.legal_guardian OR f.contact)`

// A group taught gives its members, not the classes it draws from.
const teacherScope = `WITH
tc AS (SELECT c.id, c.establishment_id FROM teaching_assignments a JOIN classes c ON c.id = a.class_id
		JOIN school_years y ON y.id = c.school_year_id WHERE a.teacher_id = ? AND NOT y.closed
	UNION SELECT c.id, c.establishment_id FROM head_teachers h JOIN classes c ON c.id = h.class_id
		JOIN school_years y ON y.id = c.school_year_id WHERE h.teacher_id = ? AND NOT y.closed),
tg AS (SELECT DISTINCT g.id, g.establishment_id FROM teaching_assignments a JOIN groups g ON g.id = a.group_id
	JOIN school_years y ON y.id = g.school_year_id WHERE a.teacher_id = ? AND NOT y.closed),
ts AS (SELECT e.student_id AS id, tc.establishment_id FROM tc JOIN enrolments e ON e.class_id = tc.id
	UNION SELECT m.student_id, tg.establishment_id FROM tg JOIN group_members m ON m.group_id = tg.id)
SELECT 'class', id, establishment_id, 0 FROM tc
UNION ALL SELECT 'group', id, establishment_id, 0 FROM tg
UNION ALL SELECT 'student', id, establishment_id, 0 FROM ts
UNION ALL SELECT 'kin', f.relative_id, ts.establishment_id, 0 FROM ts JOIN people p ON p.id = ts.id
	JOIN family_links f ON f.student_id = ts.id WHERE p.active AND (f.legal_guardian OR f.contact)`

// loadScope loads what a student, relative or teacher reaches through
// relations; other profiles have none.
func loadScope(ctx context.Context, q db.Querier, id, profile string) (*scope, error) {
	s := &scope{people: map[string]map[string]uint8{}, family: map[string]uint8{},
		structures: map[Resource]uint8{}, childEst: map[string]bool{}}
	var query string
	var args []any
	var structBit uint8
	switch profile {
	case roles.Student:
		query, args, structBit = studentScope, []any{id, id, id}, structMine
	case roles.Relative:
		query, args, structBit = relativeScope, []any{id, id, id}, structChild
	case roles.Teacher:
		query, args, structBit = teacherScope, []any{id, id, id}, structTaught
	default:
		return s, nil
	}
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var kind, rid, est string
		var flag int
		if err := rows.Scan(&kind, &rid, &est, &flag); err != nil {
			return nil, err
		}
		switch kind {
		case "class":
			s.structures[Class(rid)] |= structBit
		case "group":
			s.structures[Group(rid)] |= structBit
		case "mate":
			s.addPerson(rid, est, relMate)
		case "teacher":
			s.addPerson(rid, est, relMyTeacher)
		case "student":
			s.addPerson(rid, est, relTaught)
		case "kin":
			s.addPerson(rid, est, relTaughtKin)
		case "rep":
			s.addPerson(rid, est, relRep)
		case "repkin":
			s.addPerson(rid, est, relRepKin)
		case "relative":
			s.family[rid] |= famMyRelative
		case "child":
			s.family[rid] |= famChild
			if flag == 1 {
				s.family[rid] |= famChildGuardian
			}
		case "childest":
			s.childEst[rid] = true
		}
	}
	return s, rows.Err()
}

func (s *scope) addPerson(id, est string, bit uint8) {
	m := s.people[id]
	if m == nil {
		m = map[string]uint8{}
		s.people[id] = m
	}
	m[est] |= bit
}
