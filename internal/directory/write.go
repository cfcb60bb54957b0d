package directory

import (
	"context"
	"time"

	"cartable/internal/db"
	"cartable/internal/ids"
)

// The Create functions insert one row each; an empty ID is filled with a
// fresh random one. Bulk loaders (demo, imports) call them inside one
// transaction.

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

func CreateEstablishment(ctx context.Context, q db.Querier, e *Establishment) error {
	setID(&e.ID)
	_, err := q.Exec(ctx, `INSERT INTO establishments (id, uai, name, kind, city, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
		e.ID, e.UAI, e.Name, e.Kind, e.City, time.Now().Unix())
	return err
}

func CreateSchoolYear(ctx context.Context, q db.Querier, y *SchoolYear) error {
	setID(&y.ID)
	_, err := q.Exec(ctx, `INSERT INTO school_years (id, establishment_id, label, starts_on, ends_on, closed) VALUES (?, ?, ?, ?, ?, ?)`,
		y.ID, y.EstablishmentID, y.Label, y.StartsOn, y.EndsOn, y.Closed)
	return err
}

func CreatePeriod(ctx context.Context, q db.Querier, p *Period) error {
	setID(&p.ID)
	_, err := q.Exec(ctx, `INSERT INTO periods (id, school_year_id, kind, number, starts_on, ends_on) VALUES (?, ?, ?, ?, ?, ?)`,
		p.ID, p.SchoolYearID, p.Kind, p.Number, p.StartsOn, p.EndsOn)
	return err
}

func CreateHoliday(ctx context.Context, q db.Querier, h *Holiday) error {
	setID(&h.ID)
	_, err := q.Exec(ctx, `INSERT INTO holidays (id, school_year_id, label, starts_on, ends_on) VALUES (?, ?, ?, ?, ?)`,
		h.ID, h.SchoolYearID, h.Label, h.StartsOn, h.EndsOn)
	return err
}

func CreateSubject(ctx context.Context, q db.Querier, s *Subject) error {
	setID(&s.ID)
	_, err := q.Exec(ctx, `INSERT INTO subjects (id, establishment_id, code, short_name, name) VALUES (?, ?, ?, ?, ?)`,
		s.ID, s.EstablishmentID, s.Code, s.ShortName, s.Name)
	return err
}

func CreateClass(ctx context.Context, q db.Querier, c *Class) error {
	setID(&c.ID)
	_, err := q.Exec(ctx, `INSERT INTO classes (id, establishment_id, school_year_id, code, name, level) VALUES (?, ?, ?, ?, ?, ?)`,
		c.ID, c.EstablishmentID, c.SchoolYearID, c.Code, c.Name, c.Level)
	return err
}

func CreateGroup(ctx context.Context, q db.Querier, g *Group) error {
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

// CreatePerson inserts a person; passwordHash may be empty (no sign-in yet).
func CreatePerson(ctx context.Context, q db.Querier, p *Person, passwordHash string) error {
	setID(&p.ID)
	now := time.Now().Unix()
	_, err := q.Exec(ctx, `INSERT INTO people (id, external_id, profile, login, password_hash, title, last_name, first_name,
		birth_date, email, phone, address, postal_code, city, active, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		p.ID, nullable(p.ExternalID), p.Profile, p.Login, passwordHash, p.Title, p.LastName, p.FirstName,
		p.BirthDate, p.Email, p.Phone, p.Address, p.PostalCode, p.City, p.Active, now, now)
	return err
}

func AddMembership(ctx context.Context, q db.Querier, personID, establishmentID string) error {
	_, err := q.Exec(ctx, `INSERT INTO memberships (person_id, establishment_id) VALUES (?, ?)`, personID, establishmentID)
	return err
}

func AddFunction(ctx context.Context, q db.Querier, personID, establishmentID, function string) error {
	_, err := q.Exec(ctx, `INSERT INTO functions (person_id, establishment_id, function) VALUES (?, ?, ?)`,
		personID, establishmentID, function)
	return err
}

func Enrol(ctx context.Context, q db.Querier, studentID, classID string) error {
	_, err := q.Exec(ctx, `INSERT INTO enrolments (student_id, class_id) VALUES (?, ?)`, studentID, classID)
	return err
}

func AddGroupMember(ctx context.Context, q db.Querier, studentID, groupID string) error {
	_, err := q.Exec(ctx, `INSERT INTO group_members (student_id, group_id) VALUES (?, ?)`, studentID, groupID)
	return err
}

func Link(ctx context.Context, q db.Querier, l FamilyLink) error {
	_, err := q.Exec(ctx, `INSERT INTO family_links (student_id, relative_id, relationship, legal_guardian, financial,
		contact, lives_with, receives_mail) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		l.StudentID, l.RelativeID, l.Relationship, l.LegalGuardian, l.Financial, l.Contact, l.LivesWith, l.ReceivesMail)
	return err
}

func CreateAssignment(ctx context.Context, q db.Querier, a *Assignment) error {
	setID(&a.ID)
	_, err := q.Exec(ctx, `INSERT INTO teaching_assignments (id, establishment_id, teacher_id, class_id, group_id, subject_id)
		VALUES (?, ?, ?, ?, ?, ?)`, a.ID, a.EstablishmentID, a.TeacherID, nullable(a.ClassID), nullable(a.GroupID), a.SubjectID)
	return err
}

func AddHeadTeacher(ctx context.Context, q db.Querier, classID, teacherID string) error {
	_, err := q.Exec(ctx, `INSERT INTO head_teachers (class_id, teacher_id) VALUES (?, ?)`, classID, teacherID)
	return err
}

// SetPasswordHash replaces a person's password hash.
func SetPasswordHash(ctx context.Context, q db.Querier, personID, hash string) error {
	_, err := q.Exec(ctx, `UPDATE people SET password_hash = ?, updated_at = ? WHERE id = ?`, hash, time.Now().Unix(), personID)
	return err
}
