package directory

import (
	"context"
	"database/sql"
	"errors"

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

// ScanPerson reads PersonColumns, then extra destinations, from a row.
func ScanPerson(s interface{ Scan(dest ...any) error }, extra ...any) (Person, error) {
	return scanPerson(s, extra...)
}

func scanPerson(s db.Scanner, extra ...any) (Person, error) {
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

func scanPersonRow(s db.Scanner) (Person, error) { return scanPerson(s) }

func queryPeople(ctx context.Context, q db.Querier, query string, args ...any) ([]Person, error) {
	return db.All(ctx, q, scanPersonRow, query, args...)
}

// personAnd is a person read with one more text column.
type personAnd struct {
	Person
	extra string
}

// queryPeopleAnd reads personCols and one more text column.
func queryPeopleAnd(ctx context.Context, q db.Querier, query string, args ...any) ([]personAnd, error) {
	return db.All(ctx, q, func(s db.Scanner) (p personAnd, err error) {
		p.Person, err = scanPerson(s, &p.extra)
		return p, err
	}, query, args...)
}

// personByID returns a person, active or not.
func personByID(ctx context.Context, q db.Querier, id string) (Person, error) {
	p, err := scanPerson(q.QueryRow(ctx, `SELECT `+personCols+` FROM people p WHERE p.id = ?`, id))
	return p, notFound(err)
}

// personByLogin returns a person and their password hash, for sign-in.
func personByLogin(ctx context.Context, q db.Querier, login string) (Person, string, error) {
	var hash string
	p, err := scanPerson(q.QueryRow(ctx, `SELECT `+personCols+`, p.password_hash FROM people p WHERE p.login = ?`, login), &hash)
	return p, hash, notFound(err)
}

// peopleByLogins returns the people with these logins.
func peopleByLogins(ctx context.Context, q db.Querier, logins []string) ([]Person, error) {
	if len(logins) == 0 {
		return nil, nil
	}
	args := make([]any, len(logins))
	for i, l := range logins {
		args[i] = l
	}
	return queryPeople(ctx, q, `SELECT `+personCols+` FROM people p WHERE p.login IN (`+db.Placeholders(len(logins))+`) ORDER BY p.login`, args...)
}

// memberships lists the establishments a person is attached to.
func memberships(ctx context.Context, q db.Querier, personID string) ([]string, error) {
	return db.Strings(ctx, q, `SELECT establishment_id FROM memberships WHERE person_id = ? ORDER BY establishment_id`, personID)
}

// functionsOf maps establishment ID to the person's staff functions there.
func functionsOf(ctx context.Context, q db.Querier, personID string) (map[string][]string, error) {
	type held struct{ establishment, function string }
	rows, err := db.All(ctx, q, func(s db.Scanner) (h held, err error) {
		err = s.Scan(&h.establishment, &h.function)
		return h, err
	}, `SELECT establishment_id, function FROM functions WHERE person_id = ? ORDER BY establishment_id, function`, personID)
	if err != nil {
		return nil, err
	}
	out := map[string][]string{}
	for _, h := range rows {
		out[h.establishment] = append(out[h.establishment], h.function)
	}
	return out, nil
}

const estCols = `id, uai, name, kind, city`

func scanEstablishment(s db.Scanner) (e Establishment, err error) {
	err = s.Scan(&e.ID, &e.UAI, &e.Name, &e.Kind, &e.City)
	return e, err
}

// EstablishmentByID returns one establishment.
func EstablishmentByID(ctx context.Context, q db.Querier, id string) (Establishment, error) {
	e, err := scanEstablishment(q.QueryRow(ctx, `SELECT `+estCols+` FROM establishments WHERE id = ?`, id))
	return e, notFound(err)
}

// EstablishmentByUAI returns one establishment by its national code.
func EstablishmentByUAI(ctx context.Context, q db.Querier, uai string) (Establishment, error) {
	e, err := scanEstablishment(q.QueryRow(ctx, `SELECT `+estCols+` FROM establishments WHERE uai = ?`, uai))
	return e, notFound(err)
}

// establishmentsOf lists the establishments a person is attached to, by name.
func establishmentsOf(ctx context.Context, q db.Querier, personID string) ([]Establishment, error) {
	return db.All(ctx, q, scanEstablishment, `SELECT e.id, e.uai, e.name, e.kind, e.city FROM establishments e
		JOIN memberships m ON m.establishment_id = e.id WHERE m.person_id = ? ORDER BY e.name`, personID)
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

// periods lists a school year's periods in order.
func periods(ctx context.Context, q db.Querier, schoolYearID string) ([]Period, error) {
	return db.All(ctx, q, func(s db.Scanner) (p Period, err error) {
		err = s.Scan(&p.ID, &p.SchoolYearID, &p.Kind, &p.Number, &p.StartsOn, &p.EndsOn)
		return p, err
	}, `SELECT id, school_year_id, kind, number, starts_on, ends_on FROM periods WHERE school_year_id = ? ORDER BY number`, schoolYearID)
}

const classCols = `c.id, c.establishment_id, c.school_year_id, c.code, c.name, c.level`

func scanClass(s db.Scanner, extra ...any) (c Class, err error) {
	err = s.Scan(append([]any{&c.ID, &c.EstablishmentID, &c.SchoolYearID, &c.Code, &c.Name, &c.Level}, extra...)...)
	return c, err
}

func scanClassRow(s db.Scanner) (Class, error) { return scanClass(s) }

func queryClasses(ctx context.Context, q db.Querier, query string, args ...any) ([]Class, error) {
	return db.All(ctx, q, scanClassRow, query, args...)
}

// ClassByID returns one class.
func ClassByID(ctx context.Context, q db.Querier, id string) (Class, error) {
	c, err := scanClass(q.QueryRow(ctx, `SELECT `+classCols+` FROM classes c WHERE c.id = ?`, id))
	return c, notFound(err)
}

// classesOfStudent lists a student's classes in open school years.
func classesOfStudent(ctx context.Context, q db.Querier, studentID string) ([]Class, error) {
	return queryClasses(ctx, q, `SELECT `+classCols+` FROM classes c JOIN enrolments e ON e.class_id = c.id
		JOIN school_years y ON y.id = c.school_year_id
		WHERE e.student_id = ? AND NOT y.closed ORDER BY c.code`, studentID)
}

// ClassesOfEstablishment lists the classes of an establishment's open years.
func ClassesOfEstablishment(ctx context.Context, q db.Querier, establishmentID string) ([]Class, error) {
	return queryClasses(ctx, q, `SELECT `+classCols+` FROM classes c JOIN school_years y ON y.id = c.school_year_id
		WHERE c.establishment_id = ? AND NOT y.closed ORDER BY c.code`, establishmentID)
}

// classesHeadedBy lists the classes of which a teacher is head teacher.
func classesHeadedBy(ctx context.Context, q db.Querier, teacherID string) ([]Class, error) {
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

// groupsOfStudent lists the groups a student belongs to in open years,
// without the classes they draw from.
func groupsOfStudent(ctx context.Context, q db.Querier, studentID string) ([]Group, error) {
	return db.All(ctx, q, func(s db.Scanner) (g Group, err error) {
		err = s.Scan(&g.ID, &g.EstablishmentID, &g.SchoolYearID, &g.Code, &g.Name)
		return g, err
	}, `SELECT g.id, g.establishment_id, g.school_year_id, g.code, g.name FROM group_members m
		JOIN groups g ON g.id = m.group_id JOIN school_years y ON y.id = g.school_year_id
		WHERE m.student_id = ? AND NOT y.closed ORDER BY g.code`, studentID)
}

// kinRow is a person seen through a family link.
type kinRow struct {
	Person
	Link FamilyLink
}

func queryKin(ctx context.Context, q db.Querier, query string, args ...any) ([]kinRow, error) {
	return db.All(ctx, q, func(s db.Scanner) (k kinRow, err error) {
		l := &k.Link
		k.Person, err = scanPerson(s, &l.StudentID, &l.RelativeID, &l.Relationship, &l.LegalGuardian,
			&l.Financial, &l.Contact, &l.LivesWith, &l.ReceivesMail)
		return k, err
	}, query, args...)
}

const linkCols = `f.student_id, f.relative_id, f.relationship, f.legal_guardian, f.financial, f.contact, f.lives_with, f.receives_mail`

// childrenOf lists the active students linked to a relative.
func childrenOf(ctx context.Context, q db.Querier, relativeID string) ([]kinRow, error) {
	return queryKin(ctx, q, `SELECT `+personCols+`, `+linkCols+` FROM family_links f JOIN people p ON p.id = f.student_id
		WHERE f.relative_id = ? AND p.active ORDER BY p.birth_date, p.first_name`, relativeID)
}

// relativesOf lists the active relatives linked to a student.
func relativesOf(ctx context.Context, q db.Querier, studentID string) ([]kinRow, error) {
	return queryKin(ctx, q, `SELECT `+personCols+`, `+linkCols+` FROM family_links f JOIN people p ON p.id = f.relative_id
		WHERE f.student_id = ? AND p.active ORDER BY f.legal_guardian DESC, p.last_name, p.first_name`, studentID)
}

// studentsOfClass lists the active students of a class by name.
func studentsOfClass(ctx context.Context, q db.Querier, classID string) ([]Person, error) {
	return queryPeople(ctx, q, `SELECT `+personCols+` FROM people p JOIN enrolments e ON e.student_id = p.id
		WHERE e.class_id = ? AND p.active ORDER BY p.last_name, p.first_name`, classID)
}

// studentsOfGroup lists the active students of a group by name.
func studentsOfGroup(ctx context.Context, q db.Querier, groupID string) ([]Person, error) {
	return queryPeople(ctx, q, `SELECT `+personCols+` FROM people p JOIN group_members m ON m.student_id = p.id
		WHERE m.group_id = ? AND p.active ORDER BY p.last_name, p.first_name`, groupID)
}

// headTeachersOf lists the active head teachers of a class.
func headTeachersOf(ctx context.Context, q db.Querier, classID string) ([]Person, error) {
	return queryPeople(ctx, q, `SELECT `+personCols+` FROM people p JOIN head_teachers h ON h.teacher_id = p.id
		WHERE h.class_id = ? AND p.active ORDER BY p.last_name`, classID)
}

// teachingLine is one line of a timetable-less "who teaches what": a
// teacher, a subject and the class or group taught; read whole, shown as a
// TeachingRow.
type teachingLine struct {
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

func queryTeaching(ctx context.Context, q db.Querier, query string, args ...any) ([]teachingLine, error) {
	return db.All(ctx, q, func(s db.Scanner) (t teachingLine, err error) {
		t.Teacher, err = scanPerson(s, &t.SubjectName, &t.SubjectCode, &t.EstablishmentID, &t.ClassID, &t.GroupID, &t.Structure)
		return t, err
	}, query, args...)
}

// teachingOfTeacher lists what a teacher teaches, in every establishment.
func teachingOfTeacher(ctx context.Context, q db.Querier, teacherID string) ([]teachingLine, error) {
	return queryTeaching(ctx, q, teachingSelect+`WHERE a.teacher_id = ? ORDER BY a.establishment_id, COALESCE(c.name, g.name), s.name`, teacherID)
}

// teachingOfStudent lists the teachers of a student: those of the student's
// classes and of the student's groups.
func teachingOfStudent(ctx context.Context, q db.Querier, studentID string) ([]teachingLine, error) {
	// Two indexed lookups joined by UNION: an OR across both columns would
	// scan every assignment of the instance.
	return queryTeaching(ctx, q, `SELECT * FROM (`+teachingSelect+`JOIN enrolments e ON e.class_id = a.class_id
		WHERE e.student_id = ? AND p.active
		UNION ALL `+teachingSelect+`JOIN group_members m ON m.group_id = a.group_id
		WHERE m.student_id = ? AND p.active) t ORDER BY 15, 6`, studentID, studentID)
}

// teachingOfClass lists the teachers of a class, including those of groups
// drawn from it.
func teachingOfClass(ctx context.Context, q db.Querier, classID string) ([]teachingLine, error) {
	return queryTeaching(ctx, q, `SELECT * FROM (`+teachingSelect+`WHERE a.class_id = ? AND p.active
		UNION ALL `+teachingSelect+`JOIN group_classes gc ON gc.group_id = a.group_id
		WHERE gc.class_id = ? AND p.active) t ORDER BY 15, 6`, classID, classID)
}

// staffOf lists the active people holding a function in an establishment,
// with their functions there.
func staffOf(ctx context.Context, q db.Querier, establishmentID string) ([]StaffCard, error) {
	rows, err := queryPeopleAnd(ctx, q, `SELECT `+personCols+`, f.function FROM functions f JOIN people p ON p.id = f.person_id
		WHERE f.establishment_id = ? AND p.active ORDER BY p.last_name, p.first_name, p.id, f.function`, establishmentID)
	if err != nil {
		return nil, err
	}
	var out []StaffCard
	for _, r := range rows { // one row per function
		if n := len(out); n > 0 && out[n-1].ID == r.ID {
			out[n-1].Functions = append(out[n-1].Functions, r.extra)
			continue
		}
		out = append(out, StaffCard{Card: cardOf(r.Person), Functions: []string{r.extra}})
	}
	return out, nil
}

// countByProfile counts the active people of an establishment per profile.
func countByProfile(ctx context.Context, q db.Querier, establishmentID string) (map[string]int, error) {
	type count struct {
		profile string
		n       int
	}
	counts, err := db.All(ctx, q, func(s db.Scanner) (c count, err error) {
		err = s.Scan(&c.profile, &c.n)
		return c, err
	}, `SELECT p.profile, COUNT(*) FROM people p JOIN memberships m ON m.person_id = p.id
		WHERE m.establishment_id = ? AND p.active GROUP BY p.profile`, establishmentID)
	if err != nil {
		return nil, err
	}
	out := make(map[string]int, len(counts))
	for _, c := range counts {
		out[c.profile] = c.n
	}
	return out, nil
}

// schoolingOf returns a student's classes in open years with their
// establishment and active head teachers, in two queries.
func schoolingOf(ctx context.Context, q db.Querier, studentID string) ([]Schooling, error) {
	out, err := db.All(ctx, q, func(s db.Scanner) (sc Schooling, err error) {
		x := &sc.Establishment
		if sc.Class, err = scanClass(s, &x.UAI, &x.Name, &x.Kind, &x.City); err != nil {
			return sc, err
		}
		x.ID = sc.Class.EstablishmentID
		return sc, nil
	}, `SELECT `+classCols+`, x.uai, x.name, x.kind, x.city
		FROM enrolments e JOIN classes c ON c.id = e.class_id
		JOIN school_years y ON y.id = c.school_year_id
		JOIN establishments x ON x.id = c.establishment_id
		WHERE e.student_id = ? AND NOT y.closed ORDER BY x.name, c.code`, studentID)
	if err != nil || len(out) == 0 {
		return out, err
	}
	heads, err := queryPeopleAnd(ctx, q, `SELECT `+personCols+`, h.class_id FROM head_teachers h
		JOIN people p ON p.id = h.teacher_id JOIN enrolments e ON e.class_id = h.class_id
		WHERE e.student_id = ? AND p.active ORDER BY p.last_name, p.first_name`, studentID)
	if err != nil {
		return nil, err
	}
	byClass := make(map[string]int, len(out))
	for i, sc := range out {
		byClass[sc.Class.ID] = i
	}
	for _, h := range heads { // extra: the class headed
		if i, ok := byClass[h.extra]; ok {
			out[i].HeadTeachers = append(out[i].HeadTeachers, cardOf(h.Person))
		}
	}
	return out, nil
}
