package directory_test

import (
	"context"
	"sort"
	"testing"

	"cartable/internal/access"
	"cartable/internal/db"
	"cartable/internal/dbtest"
	"cartable/internal/demo"
	"cartable/internal/directory"
)

func demoDB(t *testing.T) *db.DB {
	t.Helper()
	ctx := context.Background()
	d := dbtest.Open(t)
	if err := d.Tx(ctx, func(tx *db.Tx) error {
		_, err := demo.Generate(ctx, access.System("test"), tx, demo.Options{Seed: 3, Students: 60})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return d
}

func strings(t *testing.T, d *db.DB, q string, args ...any) []string {
	t.Helper()
	rows, err := d.Query(context.Background(), q, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		rows.Scan(&s)
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

func same(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// The teaching of a student is that of their classes plus that of their
// groups: checked against a plain query for every student.
func TestTeachingOfStudentMatchesAssignments(t *testing.T) {
	ctx := context.Background()
	d := demoDB(t)
	students := strings(t, d, `SELECT id FROM people WHERE profile = 'student'`)
	for _, s := range students {
		want := strings(t, d, `SELECT a.id FROM teaching_assignments a WHERE
			a.class_id IN (SELECT class_id FROM enrolments WHERE student_id = ?) OR
			a.group_id IN (SELECT group_id FROM group_members WHERE student_id = ?)`, s, s)
		got, err := directory.TeachingOfStudent(ctx, d, s)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(want) || len(got) == 0 {
			t.Fatalf("student %s: %d teachings, want %d", s, len(got), len(want))
		}
		for i := 1; i < len(got); i++ {
			if got[i-1].SubjectName > got[i].SubjectName {
				t.Fatalf("teaching not sorted by subject: %q before %q", got[i-1].SubjectName, got[i].SubjectName)
			}
		}
	}
}

func TestSchoolingAndClassMembers(t *testing.T) {
	ctx := context.Background()
	d := demoDB(t)
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
		if !same(got, heads) || sc[0].Establishment.Name == "" {
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
	d := demoDB(t)
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

func TestTeachingOfClassIncludesGroupsDrawnFromIt(t *testing.T) {
	ctx := context.Background()
	d := demoDB(t)
	for _, c := range strings(t, d, `SELECT id FROM classes`) {
		want := strings(t, d, `SELECT a.id FROM teaching_assignments a WHERE a.class_id = ?
			OR a.group_id IN (SELECT group_id FROM group_classes WHERE class_id = ?)`, c, c)
		got, err := directory.TeachingOfClass(ctx, d, c)
		if err != nil || len(got) != len(want) {
			t.Fatalf("class %s: %d teachings, want %d (%v)", c, len(got), len(want), err)
		}
	}
}

func TestLookupsRefuseUnknown(t *testing.T) {
	ctx := context.Background()
	d := demoDB(t)
	if _, err := directory.PersonByID(ctx, d, "nobody"); err != directory.ErrNotFound {
		t.Errorf("unknown person: %v", err)
	}
	if _, _, err := directory.PersonByLogin(ctx, d, "nobody"); err != directory.ErrNotFound {
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
	ps, _ := directory.Periods(ctx, d, y.ID)
	if len(ps) != 3 {
		t.Errorf("periods: %d", len(ps))
	}
}
