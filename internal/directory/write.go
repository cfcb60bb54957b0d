package directory

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"cartable/internal/access"
	"cartable/internal/db"
	"cartable/internal/ids"
)

// The Create functions insert one row each; an empty ID is filled with a
// fresh random one. Bulk loaders (demo, imports) call them inside one
// transaction.
//
// Each asks the provision right (access.Provision) on what it changes, as
// an import would need it (provisioning.Scope): the establishment of the
// row; for a change of a person themself (one more attachment, a family
// link stated from the student's side) every establishment they are
// attached to, or the instance when they are attached nowhere; the
// instance for a new establishment or a new person, who belongs to no
// establishment yet. System viewers (the demo, command-line work, tests'
// fixtures) pass without a query.

func setID(id *string) {
	if *id == "" {
		*id = ids.New()
	}
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// provision asks the provision right on an establishment, or on the
// instance when est is empty.
func provision(ctx context.Context, v *access.Viewer, est string) error {
	r := access.Instance()
	if est != "" {
		r = access.Establishment(est)
	}
	return v.Can(ctx, access.Provision, r)
}

// provisionIn asks the provision right on the establishment of a school
// year, a class or a group (table names the kind); a missing row is
// refused like a forbidden one.
func provisionIn(ctx context.Context, v *access.Viewer, q db.Querier, table, id string) error {
	if v.IsSystem() {
		return nil
	}
	var est string
	if err := q.QueryRow(ctx, `SELECT establishment_id FROM `+table+` WHERE id = ?`, id).Scan(&est); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return access.Refuse(access.Provision, access.Resource{Kind: access.Kind(table), ID: id}, "no such row")
		}
		return err
	}
	return provision(ctx, v, est)
}

// provisionPerson asks the provision right on every establishment a
// person is attached to, or on the instance when they are attached
// nowhere: a change of the person themself concerns all of them.
func provisionPerson(ctx context.Context, v *access.Viewer, q db.Querier, personID string) error {
	if v.IsSystem() {
		return nil
	}
	ests, err := db.Strings(ctx, q, `SELECT establishment_id FROM memberships WHERE person_id = ? ORDER BY establishment_id`, personID)
	if err != nil {
		return err
	}
	if len(ests) == 0 {
		return provision(ctx, v, "")
	}
	for _, e := range ests {
		if err := provision(ctx, v, e); err != nil {
			return err
		}
	}
	return nil
}

// CreateEstablishment brings a new establishment in: the instance's right.
func CreateEstablishment(ctx context.Context, v *access.Viewer, q db.Querier, e *Establishment) error {
	if err := provision(ctx, v, ""); err != nil {
		return err
	}
	setID(&e.ID)
	_, err := q.Exec(ctx, `INSERT INTO establishments (id, uai, name, kind, city, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
		e.ID, e.UAI, e.Name, e.Kind, e.City, time.Now().Unix())
	return err
}

func CreateSchoolYear(ctx context.Context, v *access.Viewer, q db.Querier, y *SchoolYear) error {
	if err := provision(ctx, v, y.EstablishmentID); err != nil {
		return err
	}
	setID(&y.ID)
	_, err := q.Exec(ctx, `INSERT INTO school_years (id, establishment_id, label, starts_on, ends_on, closed) VALUES (?, ?, ?, ?, ?, ?)`,
		y.ID, y.EstablishmentID, y.Label, y.StartsOn, y.EndsOn, y.Closed)
	return err
}

func CreatePeriod(ctx context.Context, v *access.Viewer, q db.Querier, p *Period) error {
	if err := provisionIn(ctx, v, q, "school_years", p.SchoolYearID); err != nil {
		return err
	}
	setID(&p.ID)
	_, err := q.Exec(ctx, `INSERT INTO periods (id, school_year_id, kind, number, starts_on, ends_on) VALUES (?, ?, ?, ?, ?, ?)`,
		p.ID, p.SchoolYearID, p.Kind, p.Number, p.StartsOn, p.EndsOn)
	return err
}

func CreateHoliday(ctx context.Context, v *access.Viewer, q db.Querier, h *Holiday) error {
	if err := provisionIn(ctx, v, q, "school_years", h.SchoolYearID); err != nil {
		return err
	}
	setID(&h.ID)
	_, err := q.Exec(ctx, `INSERT INTO holidays (id, school_year_id, label, starts_on, ends_on) VALUES (?, ?, ?, ?, ?)`,
		h.ID, h.SchoolYearID, h.Label, h.StartsOn, h.EndsOn)
	return err
}

func CreateSubject(ctx context.Context, v *access.Viewer, q db.Querier, s *Subject) error {
	if err := provision(ctx, v, s.EstablishmentID); err != nil {
		return err
	}
	setID(&s.ID)
	_, err := q.Exec(ctx, `INSERT INTO subjects (id, establishment_id, code, short_name, name) VALUES (?, ?, ?, ?, ?)`,
		s.ID, s.EstablishmentID, s.Code, s.ShortName, s.Name)
	return err
}

func CreateClass(ctx context.Context, v *access.Viewer, q db.Querier, c *Class) error {
	if err := provision(ctx, v, c.EstablishmentID); err != nil {
		return err
	}
	setID(&c.ID)
	_, err := q.Exec(ctx, `INSERT INTO classes (id, establishment_id, school_year_id, code, name, level) VALUES (?, ?, ?, ?, ?, ?)`,
		c.ID, c.EstablishmentID, c.SchoolYearID, c.Code, c.Name, c.Level)
	return err
}

func CreateGroup(ctx context.Context, v *access.Viewer, q db.Querier, g *Group) error {
	if err := provision(ctx, v, g.EstablishmentID); err != nil {
		return err
	}
	setID(&g.ID)
	if _, err := q.Exec(ctx, `INSERT INTO groups (id, establishment_id, school_year_id, code, name) VALUES (?, ?, ?, ?, ?)`,
		g.ID, g.EstablishmentID, g.SchoolYearID, g.Code, g.Name); err != nil {
		return err
	}
	for _, c := range g.ClassIDs {
		if _, err := q.Exec(ctx, `INSERT INTO group_classes (group_id, class_id) VALUES (?, ?)`, g.ID, c); err != nil {
			return err
		}
	}
	return nil
}

// CreatePerson inserts a person; passwordHash may be empty (no sign-in
// yet). The person belongs to no establishment until AddMembership: the
// instance's right.
func CreatePerson(ctx context.Context, v *access.Viewer, q db.Querier, p *Person, passwordHash string) error {
	if err := provision(ctx, v, ""); err != nil {
		return err
	}
	setID(&p.ID)
	now := time.Now().Unix()
	_, err := q.Exec(ctx, `INSERT INTO people (id, external_id, profile, login, password_hash, title, last_name, first_name,
		birth_date, email, phone, address, postal_code, city, active, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		p.ID, nullable(p.ExternalID), p.Profile, p.Login, passwordHash, p.Title, p.LastName, p.FirstName,
		p.BirthDate, p.Email, p.Phone, p.Address, p.PostalCode, p.City, p.Active, now, now)
	return err
}

// AddMembership attaches a person to one more establishment: the right on
// that establishment and on every one they are attached to already.
func AddMembership(ctx context.Context, v *access.Viewer, q db.Querier, personID, establishmentID string) error {
	if err := provision(ctx, v, establishmentID); err != nil {
		return err
	}
	if err := provisionPerson(ctx, v, q, personID); err != nil {
		return err
	}
	_, err := q.Exec(ctx, `INSERT INTO memberships (person_id, establishment_id) VALUES (?, ?)`, personID, establishmentID)
	return err
}

func AddFunction(ctx context.Context, v *access.Viewer, q db.Querier, personID, establishmentID, function string) error {
	if err := provision(ctx, v, establishmentID); err != nil {
		return err
	}
	_, err := q.Exec(ctx, `INSERT INTO functions (person_id, establishment_id, function) VALUES (?, ?, ?)`,
		personID, establishmentID, function)
	return err
}

func Enrol(ctx context.Context, v *access.Viewer, q db.Querier, studentID, classID string) error {
	if err := provisionIn(ctx, v, q, "classes", classID); err != nil {
		return err
	}
	_, err := q.Exec(ctx, `INSERT INTO enrolments (student_id, class_id) VALUES (?, ?)`, studentID, classID)
	return err
}

func AddGroupMember(ctx context.Context, v *access.Viewer, q db.Querier, studentID, groupID string) error {
	if err := provisionIn(ctx, v, q, "groups", groupID); err != nil {
		return err
	}
	_, err := q.Exec(ctx, `INSERT INTO group_members (student_id, group_id) VALUES (?, ?)`, studentID, groupID)
	return err
}

// Link records a family link, a change of the student themself (as a
// delivery states it): the right on every establishment of theirs.
func Link(ctx context.Context, v *access.Viewer, q db.Querier, l FamilyLink) error {
	if err := provisionPerson(ctx, v, q, l.StudentID); err != nil {
		return err
	}
	_, err := q.Exec(ctx, `INSERT INTO family_links (student_id, relative_id, relationship, legal_guardian, financial,
		contact, lives_with, receives_mail) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		l.StudentID, l.RelativeID, l.Relationship, l.LegalGuardian, l.Financial, l.Contact, l.LivesWith, l.ReceivesMail)
	return err
}

func CreateAssignment(ctx context.Context, v *access.Viewer, q db.Querier, a *Assignment) error {
	if err := provision(ctx, v, a.EstablishmentID); err != nil {
		return err
	}
	setID(&a.ID)
	_, err := q.Exec(ctx, `INSERT INTO teaching_assignments (id, establishment_id, teacher_id, class_id, group_id, subject_id)
		VALUES (?, ?, ?, ?, ?, ?)`, a.ID, a.EstablishmentID, a.TeacherID, nullable(a.ClassID), nullable(a.GroupID), a.SubjectID)
	return err
}

func AddHeadTeacher(ctx context.Context, v *access.Viewer, q db.Querier, classID, teacherID string) error {
	if err := provisionIn(ctx, v, q, "classes", classID); err != nil {
		return err
	}
	_, err := q.Exec(ctx, `INSERT INTO head_teachers (class_id, teacher_id) VALUES (?, ?)`, classID, teacherID)
	return err
}

// SetPasswordHash replaces a person's password hash: the provision right
// on their whole account, or the authentication's own steps (a system
// viewer, once the credential that allows it was checked: an activation
// code, a reset link, the current password).
func SetPasswordHash(ctx context.Context, v *access.Viewer, q db.Querier, personID, hash string) error {
	if err := v.Can(ctx, access.Provision, access.Person(personID)); err != nil {
		return err
	}
	_, err := q.Exec(ctx, `UPDATE people SET password_hash = ?, updated_at = ? WHERE id = ?`, hash, time.Now().Unix(), personID)
	return err
}
