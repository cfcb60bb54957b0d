package directory_test

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"testing"

	"cartable/internal/access"
	"cartable/internal/db"
	"cartable/internal/dbtest"
	"cartable/internal/demo"
	"cartable/internal/directory"
)

func demoDB(t testing.TB, students int) *db.DB {
	t.Helper()
	ctx := context.Background()
	d := dbtest.Open(t)
	if err := d.Tx(ctx, func(tx *db.Tx) error {
		_, err := demo.Generate(ctx, access.System("test"), tx, demo.Options{Seed: 3, Students: students})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return d
}

func strings(t testing.TB, d *db.DB, q string, args ...any) []string {
	t.Helper()
	out, err := db.Strings(context.Background(), d, q, args...)
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(out)
	return out
}

// assignmentRows is the teaching expected from the assignments, one line
// per assignment whose teacher is active: "teacher|LAST|subject code|
// subject name|establishment|class|group|structure", sorted.
func assignmentRows(t *testing.T, d *db.DB, where string, args ...any) []string {
	t.Helper()
	return strings(t, d, `SELECT a.teacher_id || '|' || p.last_name || '|' || s.code || '|' || s.name || '|' ||
		a.establishment_id || '|' || COALESCE(a.class_id, '') || '|' || COALESCE(a.group_id, '') || '|' ||
		COALESCE(c.name, g.name)
		FROM teaching_assignments a JOIN people p ON p.id = a.teacher_id JOIN subjects s ON s.id = a.subject_id
		LEFT JOIN classes c ON c.id = a.class_id LEFT JOIN groups g ON g.id = a.group_id
		WHERE p.active AND (`+where+`)`, args...)
}

// teachingRows writes the directory's teaching rows the way assignmentRows
// does.
func teachingRows(ts []directory.TeachingRow) []string {
	out := make([]string, len(ts))
	for i, x := range ts {
		out[i] = fmt.Sprintf("%s|%s|%s|%s|%s|%s|%s|%s", x.Teacher.ID, x.Teacher.LastName, x.SubjectCode, x.SubjectName,
			x.EstablishmentID, x.ClassID, x.GroupID, x.Structure)
	}
	sort.Strings(out)
	return out
}

// deactivateATeacher deactivates a teacher who teaches the first student
// both through a class and through a group, so that the tests see a
// teacher's lines drop out; it returns the teacher's ID.
func deactivateATeacher(t *testing.T, d *db.DB) string {
	t.Helper()
	ids := strings(t, d, `SELECT a.teacher_id FROM teaching_assignments a WHERE a.group_id IS NOT NULL
		AND a.teacher_id IN (SELECT teacher_id FROM teaching_assignments WHERE class_id IS NOT NULL)`)
	if len(ids) == 0 {
		t.Fatal("the demo has no teacher of both a class and a group")
	}
	if _, err := d.Exec(context.Background(), `UPDATE people SET active = FALSE WHERE id = ?`, ids[0]); err != nil {
		t.Fatal(err)
	}
	return ids[0]
}

// The teaching of a student is that of their classes plus that of their
// groups: every line (teacher, subject, class or group taught) is checked
// against the assignments, for every student, a deactivated teacher left
// out.
func TestTeachingOfStudentMatchesAssignments(t *testing.T) {
	ctx := context.Background()
	d := demoDB(t, 60)
	gone := deactivateATeacher(t, d)
	dropped := 0
	for _, s := range strings(t, d, `SELECT id FROM people WHERE profile = 'student'`) {
		where := `a.class_id IN (SELECT class_id FROM enrolments WHERE student_id = ?) OR
			a.group_id IN (SELECT group_id FROM group_members WHERE student_id = ?)`
		want := assignmentRows(t, d, where, s, s)
		got, err := directory.TeachingOfStudent(ctx, d, s)
		if err != nil {
			t.Fatal(err)
		}
		if len(want) == 0 {
			t.Fatalf("student %s has no teacher: the demo no longer exercises this", s)
		}
		if g := teachingRows(got); !slices.Equal(g, want) {
			t.Fatalf("student %s:\n got %q\nwant %q", s, g, want)
		}
		for i := 1; i < len(got); i++ {
			if got[i-1].SubjectName > got[i].SubjectName {
				t.Fatalf("teaching not sorted by subject: %q before %q", got[i-1].SubjectName, got[i].SubjectName)
			}
		}
		var n int
		if err := d.QueryRow(ctx, `SELECT COUNT(*) FROM teaching_assignments a WHERE a.teacher_id = ? AND (`+where+`)`,
			gone, s, s).Scan(&n); err != nil {
			t.Fatal(err)
		}
		dropped += n
	}
	if dropped == 0 {
		t.Fatal("the deactivated teacher taught nobody: the test proves nothing about them")
	}
}

// The teaching of a class is that of the class and of the groups drawn
// from it, line by line, a deactivated teacher left out.
func TestTeachingOfClassIncludesGroupsDrawnFromIt(t *testing.T) {
	ctx := context.Background()
	d := demoDB(t, 60)
	deactivateATeacher(t, d)
	groups := 0
	for _, c := range strings(t, d, `SELECT id FROM classes`) {
		want := assignmentRows(t, d, `a.class_id = ? OR a.group_id IN (SELECT group_id FROM group_classes WHERE class_id = ?)`, c, c)
		got, err := directory.TeachingOfClass(ctx, d, c)
		if err != nil {
			t.Fatal(err)
		}
		if g := teachingRows(got); !slices.Equal(g, want) {
			t.Fatalf("class %s:\n got %q\nwant %q", c, g, want)
		}
		for _, x := range got {
			if x.GroupID != "" {
				groups++
			}
		}
	}
	if groups == 0 {
		t.Fatal("no class is taught through a group: the test proves nothing about groups")
	}
}

func TestSchoolingAndClassMembers(t *testing.T) {
	ctx := context.Background()
	d := demoDB(t, 60)
	for _, s := range strings(t, d, `SELECT id FROM people WHERE profile = 'student'`) {
		sc, err := directory.SchoolingOf(ctx, d, s)
		if err != nil || len(sc) != 1 {
			t.Fatalf("schooling of %s: %v, %d classes", s, err, len(sc))
		}
		heads := strings(t, d, `SELECT teacher_id FROM head_teachers WHERE class_id = ?`, sc[0].Class.ID)
		var got []string
		for _, h := range sc[0].HeadTeachers {
			got = append(got, h.ID)
		}
		sort.Strings(got)
		if !slices.Equal(got, heads) || sc[0].Establishment.Name == "" {
			t.Fatalf("schooling of %s: heads %v want %v", s, got, heads)
		}
		members, _ := directory.StudentsOfClass(ctx, d, sc[0].Class.ID)
		found := false
		for _, m := range members {
			found = found || m.ID == s
		}
		if !found {
			t.Fatalf("student %s missing from their class roster", s)
		}
	}
}

func TestFamilyLinksBothWays(t *testing.T) {
	ctx := context.Background()
	d := demoDB(t, 60)
	for _, r := range strings(t, d, `SELECT DISTINCT relative_id FROM family_links`) {
		kids, err := directory.ChildrenOf(ctx, d, r)
		if err != nil || len(kids) == 0 {
			t.Fatalf("children of %s: %v", r, err)
		}
		for _, k := range kids {
			rel, _ := directory.RelativesOf(ctx, d, k.ID)
			ok := false
			for _, x := range rel {
				ok = ok || (x.ID == r && x.Link.RelativeID == r && x.Link.StudentID == k.ID)
			}
			if !ok {
				t.Fatalf("link %s→%s is not seen from the child", r, k.ID)
			}
		}
	}
}

func TestLookupsRefuseUnknown(t *testing.T) {
	ctx := context.Background()
	d := demoDB(t, 60)
	sys := access.System("test")
	if _, err := directory.PersonRow(ctx, sys, d, "nobody"); err != directory.ErrNotFound {
		t.Errorf("unknown person: %v", err)
	}
	if _, _, err := directory.Credentials(ctx, sys, d, "nobody"); err != directory.ErrNotFound {
		t.Errorf("unknown login: %v", err)
	}
	if _, err := directory.ClassByID(ctx, d, "nothing"); err != directory.ErrNotFound {
		t.Errorf("unknown class: %v", err)
	}
	if _, err := directory.EstablishmentByUAI(ctx, d, "0000000A"); err != directory.ErrNotFound {
		t.Errorf("unknown UAI: %v", err)
	}
	est, err := directory.EstablishmentByUAI(ctx, d, demo.MainUAI)
	if err != nil {
		t.Fatal(err)
	}
	y, err := directory.CurrentSchoolYear(ctx, d, est.ID, "2026-11-28")
	if err != nil || y.Label != "2026-2027" {
		t.Fatalf("current year: %+v %v", y, err)
	}
}
