package directory

import (
	"context"
	"database/sql"
	"errors"
	"sort"

	"cartable/internal/db"
)

// ErrNotFound is returned when a looked-up row does not exist.
var ErrNotFound = errors.New("not found")

const personCols = `p.id, COALESCE(p.external_id, ''), p.profile, p.login, p.title, p.last_name, p.first_name,
	p.birth_date, p.email, p.phone, p.address, p.postal_code, p.city, p.active`

// PersonColumns lists a person's columns for "SELECT … FROM people p";
// ScanPerson reads them back. Other packages joining people (sessions)
// use both so that a Person is read the same way everywhere.
const PersonColumns = personCols

type scanner interface{ Scan(dest ...any) error }

// ScanPerson reads PersonColumns, then extra destinations, from a row.
func ScanPerson(s interface{ Scan(dest ...any) error }, extra ...any) (Person, error) {
	return scanPerson(s, extra...)
}

func scanPerson(s scanner, extra ...any) (Person, error) {
	var p Person
	dest := append([]any{&p.ID, &p.ExternalID, &p.Profile, &p.Login, &p.Title, &p.LastName, &p.FirstName,
		&p.BirthDate, &p.Email, &p.Phone, &p.Address, &p.PostalCode, &p.City, &p.Active}, extra...)
	err := s.Scan(dest...)
	return p, err
}

func notFound(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	return err
}

func queryPeople(ctx context.Context, q db.Querier, query string, args ...any) ([]Person, error) {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Person
	for rows.Next() {
		p, err := scanPerson(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// PersonByID returns a person, active or not.
func PersonByID(ctx context.Context, q db.Querier, id string) (Person, error) {
	p, err := scanPerson(q.QueryRow(ctx, `SELECT `+personCols+` FROM people p WHERE p.id = ?`, id))
	return p, notFound(err)
}

// PersonByLogin returns a person and their password hash, for sign-in.
func PersonByLogin(ctx context.Context, q db.Querier, login string) (Person, string, error) {
	var hash string
	p, err := scanPerson(q.QueryRow(ctx, `SELECT `+personCols+`, p.password_hash FROM people p WHERE p.login = ?`, login), &hash)
	return p, hash, notFound(err)
}

// PeopleByLogins returns the people with these logins (tests, tools).
func PeopleByLogins(ctx context.Context, q db.Querier, logins []string) ([]Person, error) {
	if len(logins) == 0 {
		return nil, nil
	}
	args := make([]any, len(logins))
	for i, l := range logins {
		args[i] = l
	}
	return queryPeople(ctx, q, `SELECT `+personCols+` FROM people p WHERE p.login IN (`+db.Placeholders(len(logins))+`) ORDER BY p.login`, args...)
}

// Memberships lists the establishments a person is attached to.
func Memberships(ctx context.Context, q db.Querier, personID string) ([]string, error) {
	return db.Strings(ctx, q, `SELECT establishment_id FROM memberships WHERE person_id = ? ORDER BY establishment_id`, personID)
}

// FunctionsOf maps establishment ID to the person's staff functions there.
func FunctionsOf(ctx context.Context, q db.Querier, personID string) (map[string][]string, error) {
	rows, err := q.Query(ctx, `SELECT establishment_id, function FROM functions WHERE person_id = ? ORDER BY establishment_id, function`, personID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string][]string{}
	for rows.Next() {
		var e, f string
		if err := rows.Scan(&e, &f); err != nil {
			return nil, err
		}
		out[e] = append(out[e], f)
	}
	return out, rows.Err()
}

const estCols = `id, uai, name, kind, city`

func scanEstablishments(rows *sql.Rows, err error) ([]Establishment, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Establishment
	for rows.Next() {
		var e Establishment
		if err := rows.Scan(&e.ID, &e.UAI, &e.Name, &e.Kind, &e.City); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// EstablishmentByID returns one establishment.
func EstablishmentByID(ctx context.Context, q db.Querier, id string) (Establishment, error) {
	var e Establishment
	err := q.QueryRow(ctx, `SELECT `+estCols+` FROM establishments WHERE id = ?`, id).Scan(&e.ID, &e.UAI, &e.Name, &e.Kind, &e.City)
	return e, notFound(err)
}

// EstablishmentByUAI returns one establishment by its national code.
func EstablishmentByUAI(ctx context.Context, q db.Querier, uai string) (Establishment, error) {
	var e Establishment
	err := q.QueryRow(ctx, `SELECT `+estCols+` FROM establishments WHERE uai = ?`, uai).Scan(&e.ID, &e.UAI, &e.Name, &e.Kind, &e.City)
	return e, notFound(err)
}

// EstablishmentsOf lists the establishments a person is attached to, by name.
func EstablishmentsOf(ctx context.Context, q db.Querier, personID string) ([]Establishment, error) {
	return scanEstablishments(q.Query(ctx, `SELECT e.id, e.uai, e.name, e.kind, e.city FROM establishments e
		JOIN memberships m ON m.establishment_id = e.id WHERE m.person_id = ? ORDER BY e.name`, personID))
}

// AllEstablishments lists every establishment of the instance.
func AllEstablishments(ctx context.Context, q db.Querier) ([]Establishment, error) {
	return scanEstablishments(q.Query(ctx, `SELECT `+estCols+` FROM establishments ORDER BY name`))
}

// CurrentSchoolYear returns the open year of an establishment containing day
// (YYYY-MM-DD), or else its latest open year.
func CurrentSchoolYear(ctx context.Context, q db.Querier, establishmentID, day string) (SchoolYear, error) {
	var y SchoolYear
	err := q.QueryRow(ctx, `SELECT id, establishment_id, label, starts_on, ends_on, closed FROM school_years
		WHERE establishment_id = ? AND NOT closed
		ORDER BY CASE WHEN starts_on <= ? AND ends_on >= ? THEN 0 ELSE 1 END, starts_on DESC LIMIT 1`,
		establishmentID, day, day).Scan(&y.ID, &y.EstablishmentID, &y.Label, &y.StartsOn, &y.EndsOn, &y.Closed)
	return y, notFound(err)
}

// Periods lists a school year's periods in order.
func Periods(ctx context.Context, q db.Querier, schoolYearID string) ([]Period, error) {
	rows, err := q.Query(ctx, `SELECT id, school_year_id, kind, number, starts_on, ends_on FROM periods WHERE school_year_id = ? ORDER BY number`, schoolYearID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Period
	for rows.Next() {
		var p Period
		if err := rows.Scan(&p.ID, &p.SchoolYearID, &p.Kind, &p.Number, &p.StartsOn, &p.EndsOn); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

const classCols = `c.id, c.establishment_id, c.school_year_id, c.code, c.name, c.level`

func queryClasses(ctx context.Context, q db.Querier, query string, args ...any) ([]Class, error) {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Class
	for rows.Next() {
		var c Class
		if err := rows.Scan(&c.ID, &c.EstablishmentID, &c.SchoolYearID, &c.Code, &c.Name, &c.Level); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// ClassByID returns one class.
func ClassByID(ctx context.Context, q db.Querier, id string) (Class, error) {
	var c Class
	err := q.QueryRow(ctx, `SELECT `+classCols+` FROM classes c WHERE c.id = ?`, id).
		Scan(&c.ID, &c.EstablishmentID, &c.SchoolYearID, &c.Code, &c.Name, &c.Level)
	return c, notFound(err)
}

// ClassesOfStudent lists a student's classes in open school years.
func ClassesOfStudent(ctx context.Context, q db.Querier, studentID string) ([]Class, error) {
	return queryClasses(ctx, q, `SELECT `+classCols+` FROM classes c JOIN enrolments e ON e.class_id = c.id
		JOIN school_years y ON y.id = c.school_year_id
		WHERE e.student_id = ? AND NOT y.closed ORDER BY c.code`, studentID)
}

// ClassesOfEstablishment lists the classes of an establishment's open years.
func ClassesOfEstablishment(ctx context.Context, q db.Querier, establishmentID string) ([]Class, error) {
	return queryClasses(ctx, q, `SELECT `+classCols+` FROM classes c JOIN school_years y ON y.id = c.school_year_id
		WHERE c.establishment_id = ? AND NOT y.closed ORDER BY c.code`, establishmentID)
}

// ClassesHeadedBy lists the classes of which a teacher is head teacher.
func ClassesHeadedBy(ctx context.Context, q db.Querier, teacherID string) ([]Class, error) {
	return queryClasses(ctx, q, `SELECT `+classCols+` FROM classes c JOIN head_teachers h ON h.class_id = c.id
		JOIN school_years y ON y.id = c.school_year_id
		WHERE h.teacher_id = ? AND NOT y.closed ORDER BY c.code`, teacherID)
}

// GroupByID returns one group with the classes it draws from.
func GroupByID(ctx context.Context, q db.Querier, id string) (Group, error) {
	var g Group
	err := q.QueryRow(ctx, `SELECT id, establishment_id, school_year_id, code, name FROM groups WHERE id = ?`, id).
		Scan(&g.ID, &g.EstablishmentID, &g.SchoolYearID, &g.Code, &g.Name)
	if err != nil {
		return g, notFound(err)
	}
	g.ClassIDs, err = db.Strings(ctx, q, `SELECT class_id FROM group_classes WHERE group_id = ? ORDER BY class_id`, id)
	return g, err
}

// GroupIDsOfStudent lists the groups a student belongs to (open years).
func GroupIDsOfStudent(ctx context.Context, q db.Querier, studentID string) ([]string, error) {
	return db.Strings(ctx, q, `SELECT m.group_id FROM group_members m JOIN groups g ON g.id = m.group_id
		JOIN school_years y ON y.id = g.school_year_id WHERE m.student_id = ? AND NOT y.closed ORDER BY m.group_id`, studentID)
}

// Kin is a person seen through a family link.
type Kin struct {
	Person
	Link FamilyLink
}

func queryKin(ctx context.Context, q db.Querier, query string, args ...any) ([]Kin, error) {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Kin
	for rows.Next() {
		var k Kin
		l := &k.Link
		k.Person, err = scanPerson(rows, &l.StudentID, &l.RelativeID, &l.Relationship, &l.LegalGuardian,
			&l.Financial, &l.Contact, &l.LivesWith, &l.ReceivesMail)
		if err != nil {
			return nil, err
		}
		out = append(out, k)
	}
	return out, rows.Err()
}

const linkCols = `f.student_id, f.relative_id, f.relationship, f.legal_guardian, f.financial, f.contact, f.lives_with, f.receives_mail`

// ChildrenOf lists the active students linked to a relative.
func ChildrenOf(ctx context.Context, q db.Querier, relativeID string) ([]Kin, error) {
	return queryKin(ctx, q, `SELECT `+personCols+`, `+linkCols+` FROM family_links f JOIN people p ON p.id = f.student_id
		WHERE f.relative_id = ? AND p.active ORDER BY p.birth_date, p.first_name`, relativeID)
}

// RelativesOf lists the active relatives linked to a student.
func RelativesOf(ctx context.Context, q db.Querier, studentID string) ([]Kin, error) {
	return queryKin(ctx, q, `SELECT `+personCols+`, `+linkCols+` FROM family_links f JOIN people p ON p.id = f.relative_id
		WHERE f.student_id = ? AND p.active ORDER BY f.legal_guardian DESC, p.last_name, p.first_name`, studentID)
}

// StudentsOfClass lists the active students of a class by name.
func StudentsOfClass(ctx context.Context, q db.Querier, classID string) ([]Person, error) {
	return queryPeople(ctx, q, `SELECT `+personCols+` FROM people p JOIN enrolments e ON e.student_id = p.id
		WHERE e.class_id = ? AND p.active ORDER BY p.last_name, p.first_name`, classID)
}

// StudentsOfGroup lists the active students of a group by name.
func StudentsOfGroup(ctx context.Context, q db.Querier, groupID string) ([]Person, error) {
	return queryPeople(ctx, q, `SELECT `+personCols+` FROM people p JOIN group_members m ON m.student_id = p.id
		WHERE m.group_id = ? AND p.active ORDER BY p.last_name, p.first_name`, groupID)
}

// HeadTeachersOf lists the head teachers of a class.
func HeadTeachersOf(ctx context.Context, q db.Querier, classID string) ([]Person, error) {
	return queryPeople(ctx, q, `SELECT `+personCols+` FROM people p JOIN head_teachers h ON h.teacher_id = p.id
		WHERE h.class_id = ? AND p.active ORDER BY p.last_name`, classID)
}

// Teaching is one line of a timetable-less "who teaches what": a teacher,
// a subject and the class or group taught.
type Teaching struct {
	Teacher         Person
	SubjectName     string
	SubjectCode     string
	EstablishmentID string
	ClassID         string
	GroupID         string
	Structure       string // the class or group's display name
}

const teachingSelect = `SELECT ` + personCols + `, s.name, s.code, a.establishment_id, COALESCE(a.class_id, ''), COALESCE(a.group_id, ''),
	COALESCE(c.name, g.name, '')
	FROM teaching_assignments a
	JOIN people p ON p.id = a.teacher_id
	JOIN subjects s ON s.id = a.subject_id
	LEFT JOIN classes c ON c.id = a.class_id
	LEFT JOIN groups g ON g.id = a.group_id `

func queryTeaching(ctx context.Context, q db.Querier, query string, args ...any) ([]Teaching, error) {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Teaching
	for rows.Next() {
		var t Teaching
		t.Teacher, err = scanPerson(rows, &t.SubjectName, &t.SubjectCode, &t.EstablishmentID, &t.ClassID, &t.GroupID, &t.Structure)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// TeachingOfTeacher lists what a teacher teaches, in every establishment.
func TeachingOfTeacher(ctx context.Context, q db.Querier, teacherID string) ([]Teaching, error) {
	return queryTeaching(ctx, q, teachingSelect+`WHERE a.teacher_id = ? ORDER BY a.establishment_id, COALESCE(c.name, g.name), s.name`, teacherID)
}

// TeachingOfStudent lists the teachers of a student: those of the student's
// classes and of the student's groups.
func TeachingOfStudent(ctx context.Context, q db.Querier, studentID string) ([]Teaching, error) {
	// Two indexed lookups joined by UNION: an OR across both columns would
	// scan every assignment of the instance.
	return queryTeaching(ctx, q, `SELECT * FROM (`+teachingSelect+`JOIN enrolments e ON e.class_id = a.class_id
		WHERE e.student_id = ? AND p.active
		UNION ALL `+teachingSelect+`JOIN group_members m ON m.group_id = a.group_id
		WHERE m.student_id = ? AND p.active) t ORDER BY 15, 6`, studentID, studentID)
}

// TeachingOfClass lists the teachers of a class, including those of groups
// drawn from it.
func TeachingOfClass(ctx context.Context, q db.Querier, classID string) ([]Teaching, error) {
	return queryTeaching(ctx, q, `SELECT * FROM (`+teachingSelect+`WHERE a.class_id = ? AND p.active
		UNION ALL `+teachingSelect+`JOIN group_classes gc ON gc.group_id = a.group_id
		WHERE gc.class_id = ? AND p.active) t ORDER BY 15, 6`, classID, classID)
}

// ClassIDsTaughtBy lists the classes a teacher teaches directly or through
// a group drawn from them, and the groups taught.
func ClassIDsTaughtBy(ctx context.Context, q db.Querier, teacherID string) (classes, groups []string, err error) {
	classes, err = db.Strings(ctx, q, `SELECT a.class_id FROM teaching_assignments a WHERE a.teacher_id = ? AND a.class_id IS NOT NULL
		UNION SELECT gc.class_id FROM teaching_assignments a JOIN group_classes gc ON gc.group_id = a.group_id WHERE a.teacher_id = ?
		UNION SELECT h.class_id FROM head_teachers h WHERE h.teacher_id = ?`, teacherID, teacherID, teacherID)
	if err != nil {
		return nil, nil, err
	}
	groups, err = db.Strings(ctx, q, `SELECT DISTINCT group_id FROM teaching_assignments WHERE teacher_id = ? AND group_id IS NOT NULL`, teacherID)
	sort.Strings(classes)
	return classes, groups, err
}

// StaffMember is a member of staff with their functions in one establishment.
type StaffMember struct {
	Person
	Functions []string
}

// StaffOf lists the active non-teaching staff of an establishment with their functions.
func StaffOf(ctx context.Context, q db.Querier, establishmentID string) ([]StaffMember, error) {
	rows, err := q.Query(ctx, `SELECT `+personCols+`, f.function FROM functions f JOIN people p ON p.id = f.person_id
		WHERE f.establishment_id = ? AND p.active ORDER BY p.last_name, p.first_name, p.id, f.function`, establishmentID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []StaffMember
	for rows.Next() {
		var fn string
		p, err := scanPerson(rows, &fn)
		if err != nil {
			return nil, err
		}
		if n := len(out); n > 0 && out[n-1].ID == p.ID {
			out[n-1].Functions = append(out[n-1].Functions, fn)
			continue
		}
		out = append(out, StaffMember{Person: p, Functions: []string{fn}})
	}
	return out, rows.Err()
}

// CountByProfile counts the active people of an establishment per profile.
func CountByProfile(ctx context.Context, q db.Querier, establishmentID string) (map[string]int, error) {
	rows, err := q.Query(ctx, `SELECT p.profile, COUNT(*) FROM people p JOIN memberships m ON m.person_id = p.id
		WHERE m.establishment_id = ? AND p.active GROUP BY p.profile`, establishmentID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var k string
		var n int
		if err := rows.Scan(&k, &n); err != nil {
			return nil, err
		}
		out[k] = n
	}
	return out, rows.Err()
}

// Schooling is one class of a student with its establishment and head
// teachers: the top of a student's home page.
type Schooling struct {
	Class         Class
	Establishment Establishment
	HeadTeachers  []Person
}

// SchoolingOf returns a student's classes in open years with their
// establishment and active head teachers, in two queries.
func SchoolingOf(ctx context.Context, q db.Querier, studentID string) ([]Schooling, error) {
	rows, err := q.Query(ctx, `SELECT `+classCols+`, x.uai, x.name, x.kind, x.city
		FROM enrolments e JOIN classes c ON c.id = e.class_id
		JOIN school_years y ON y.id = c.school_year_id
		JOIN establishments x ON x.id = c.establishment_id
		WHERE e.student_id = ? AND NOT y.closed ORDER BY x.name, c.code`, studentID)
	if err != nil {
		return nil, err
	}
	var out []Schooling
	byClass := map[string]int{}
	for rows.Next() {
		var c Class
		var x Establishment
		if err := rows.Scan(&c.ID, &c.EstablishmentID, &c.SchoolYearID, &c.Code, &c.Name, &c.Level,
			&x.UAI, &x.Name, &x.Kind, &x.City); err != nil {
			rows.Close()
			return nil, err
		}
		x.ID = c.EstablishmentID
		byClass[c.ID] = len(out)
		out = append(out, Schooling{Class: c, Establishment: x})
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(out) == 0 {
		return out, err
	}
	rows, err = q.Query(ctx, `SELECT `+personCols+`, h.class_id FROM head_teachers h
		JOIN people p ON p.id = h.teacher_id JOIN enrolments e ON e.class_id = h.class_id
		WHERE e.student_id = ? AND p.active ORDER BY p.last_name, p.first_name`, studentID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var classID string
		p, err := scanPerson(rows, &classID)
		if err != nil {
			return nil, err
		}
		if i, ok := byClass[classID]; ok {
			out[i].HeadTeachers = append(out[i].HeadTeachers, p)
		}
	}
	return out, rows.Err()
}
