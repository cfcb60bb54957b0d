package grades

// The teacher's side: the teachings a viewer enters marks for, their
// rosters, and the numbers typed in forms (scales, coefficients).

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"

	"cartable/internal/access"
	"cartable/internal/db"
)

// Teaching is a class or group taught in a subject, named for a page.
type Teaching struct {
	Structure     access.Resource // access.Class or access.Group
	Subject       string
	SubjectName   string
	Name          string // the class's or group's name
	Establishment string
	Level         string // the class's level ("4e"); "" for a group
}

// Resource is the access resource of the teaching.
func (t Teaching) Resource() access.Resource { return access.Teaching(t.Structure, t.Subject) }

// Path is the teaching's readable address under /gradebook:
// "class/ID/SUBJECT" or "group/ID/SUBJECT".
func (t Teaching) Path() string {
	return string(t.Structure.Kind) + "/" + t.Structure.ID + "/" + t.Subject
}

// TeachingOf builds the resource of a teaching from the parts of its
// address (kind "class" or "group"); ok is false for anything else.
func TeachingOf(kind, id, subject string) (access.Resource, bool) {
	if id == "" || subject == "" {
		return access.Resource{}, false
	}
	switch kind {
	case string(access.KindClass):
		return access.Teaching(access.Class(id), subject), true
	case string(access.KindGroup):
		return access.Teaching(access.Group(id), subject), true
	}
	return access.Resource{}, false
}

// Student is a row of a roster.
type Student struct {
	ID        string
	FirstName string
	LastName  string
}

// Name is how a roster shows the student: "LAST First".
func (s Student) Name() string { return s.LastName + " " + s.FirstName }

func scanTeaching(s db.Scanner) (Teaching, error) {
	var t Teaching
	var class, group string
	err := s.Scan(&class, &group, &t.Subject, &t.SubjectName, &t.Name, &t.Establishment, &t.Level)
	if class != "" {
		t.Structure = access.Class(class)
	} else {
		t.Structure = access.Group(group)
	}
	return t, err
}

const teachingFrom = ` FROM teaching_assignments a JOIN subjects s ON s.id = a.subject_id
	LEFT JOIN classes c ON c.id = a.class_id LEFT JOIN groups g ON g.id = a.group_id
	JOIN school_years y ON y.id = COALESCE(c.school_year_id, g.school_year_id)`

const teachingCols = `SELECT DISTINCT COALESCE(a.class_id, ''), COALESCE(a.group_id, ''), a.subject_id, s.name,
	COALESCE(c.name, g.name), a.establishment_id, COALESCE(c.level, '')`

// Teachings lists the viewer's own teachings in open school years, by
// class or group name then subject. Reading them needs no second factor.
func (s *Service) Teachings(ctx context.Context, v *access.Viewer) ([]Teaching, error) {
	if v == nil || v.IsSystem() {
		return nil, nil
	}
	ts, err := db.All(ctx, s.DB, scanTeaching, teachingCols+teachingFrom+` WHERE a.teacher_id = ? AND NOT y.closed
		ORDER BY 5, 4`, v.ID)
	if err != nil {
		return nil, err
	}
	out := ts[:0]
	for _, t := range ts {
		ok, err := v.May(ctx, access.ReadGrades, t.Resource())
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, t)
		}
	}
	return out, nil
}

// teachingNamed reads a teaching's names (found is false when the class or
// group and the subject are not of one establishment).
func teachingNamed(ctx context.Context, q db.Querier, r access.Resource) (Teaching, bool, error) {
	structure, subject, ok := access.ParseTeaching(r)
	if !ok {
		return Teaching{}, false, nil
	}
	t := Teaching{Structure: structure, Subject: subject}
	var query string
	if structure.Kind == access.KindClass {
		query = `SELECT s.name, c.name, c.establishment_id, c.level FROM classes c JOIN subjects s ON s.establishment_id = c.establishment_id
			WHERE c.id = ? AND s.id = ?`
	} else {
		query = `SELECT s.name, c.name, c.establishment_id, '' FROM groups c JOIN subjects s ON s.establishment_id = c.establishment_id
			WHERE c.id = ? AND s.id = ?`
	}
	err := q.QueryRow(ctx, query, structure.ID, subject).Scan(&t.SubjectName, &t.Name, &t.Establishment, &t.Level)
	if errors.Is(err, sql.ErrNoRows) {
		return t, false, nil
	}
	return t, err == nil, err
}

// teachingFor asks the policy for a on the teaching r and reads it; a
// teaching that does not exist is refused like a forbidden one.
func (s *Service) teachingFor(ctx context.Context, v *access.Viewer, q db.Querier, a access.Action, r access.Resource) (Teaching, error) {
	if err := v.Can(ctx, a, r); err != nil {
		return Teaching{}, err
	}
	t, found, err := teachingNamed(ctx, q, r)
	if err != nil {
		return t, err
	}
	if !found {
		return t, &access.Denied{Action: a, Resource: r, Reason: "no such teaching"}
	}
	return t, nil
}

// rosterOf lists the active students of a class or group, by name.
func rosterOf(ctx context.Context, q db.Querier, structure access.Resource) ([]Student, error) {
	query := `SELECT p.id, p.first_name, p.last_name FROM enrolments m JOIN people p ON p.id = m.student_id
		WHERE m.class_id = ? AND p.active ORDER BY p.last_name, p.first_name, p.id`
	if structure.Kind == access.KindGroup {
		query = `SELECT p.id, p.first_name, p.last_name FROM group_members m JOIN people p ON p.id = m.student_id
			WHERE m.group_id = ? AND p.active ORDER BY p.last_name, p.first_name, p.id`
	}
	return db.All(ctx, q, func(s db.Scanner) (Student, error) {
		var st Student
		return st, s.Scan(&st.ID, &st.FirstName, &st.LastName)
	}, query, structure.ID)
}

// ParseX100 reads a positive number typed in a form ("20", "0,5", "1.25")
// as hundredths; ok is false for anything else or more than two decimals.
func ParseX100(s string) (int, bool) {
	t := strings.Replace(strings.TrimSpace(s), ",", ".", 1)
	whole, frac, _ := strings.Cut(t, ".")
	if whole == "" || len(whole) > 6 || len(frac) > 2 {
		return 0, false
	}
	for _, c := range whole + frac {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	w, _ := strconv.Atoi(whole)
	f := 0
	if frac != "" {
		f, _ = strconv.Atoi(frac)
		if len(frac) == 1 {
			f *= 10
		}
	}
	return w*100 + f, true
}

// FormatX100 writes hundredths as a short number, with a decimal comma
// in French ("14,5", "20").
func FormatX100(lang string, n int) string {
	neg := ""
	if n < 0 {
		neg, n = "-", -n
	}
	s := neg + strconv.Itoa(n/100)
	if f := n % 100; f != 0 {
		sep := "."
		if lang == "fr" {
			sep = ","
		}
		d := strconv.Itoa(f + 100)[1:]
		s += sep + strings.TrimRight(d, "0")
	}
	return s
}

// Text is the mark as the grid shows and the history records it.
func (m Mark) Text(lang string) string {
	if m.Special != "" {
		return m.Special
	}
	return FormatX100(lang, m.ValueX100)
}
