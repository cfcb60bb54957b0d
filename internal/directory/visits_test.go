package directory_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"cartable/internal/access"
	"cartable/internal/directory"
)

// A visit of the home page: the first covers a week; pages less than
// VisitGap apart are one visit (the same news); a page after a longer
// pause starts a new visit whose news begin at the previous visit's last
// page. Each child of a relative has a visit of their own.
func TestHomeVisits(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	rel, child := w.pick(w.all(`SELECT relative_id FROM family_links ORDER BY relative_id`),
		`SELECT student_id FROM family_links WHERE relative_id = ? ORDER BY student_id`, func(r string) []any { return []any{r} })
	v := w.viewer(rel)
	t0 := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)

	visit := func(about string, at time.Time) directory.Visit {
		t.Helper()
		vis, err := directory.HomeVisit(ctx, v, w.d, about, at)
		if err != nil {
			t.Fatalf("visit at %v: %v", at, err)
		}
		return vis
	}
	if got := visit(child, t0); !got.First || !got.Since.Equal(t0.Add(-directory.FirstVisit)) {
		t.Fatalf("first visit: %+v", got)
	}
	// Ten minutes later, then twenty-five more: one visit, the same news.
	for _, d := range []time.Duration{10 * time.Minute, 35 * time.Minute} {
		if got := visit(child, t0.Add(d)); got.First || !got.Since.Equal(t0.Add(-directory.FirstVisit)) {
			t.Fatalf("page %v later: %+v, want the first visit's span", d, got)
		}
	}
	// An hour after the last page: a new visit, from that page on.
	if got := visit(child, t0.Add(95*time.Minute)); got.First || !got.Since.Equal(t0.Add(35*time.Minute)) {
		t.Fatalf("new visit: %+v, want news since %v", got, t0.Add(35*time.Minute))
	}
	// The relative's own visit, or another child's, is another visit.
	if got := visit(rel, t0.Add(96*time.Minute)); !got.First {
		t.Fatalf("the relative's own page shares the child's visit: %+v", got)
	}

	// Another family's child is refused, like a missing person.
	other := w.one(`SELECT id FROM people WHERE profile = 'student' AND id NOT IN
		(SELECT student_id FROM family_links WHERE relative_id = ?) ORDER BY id`, rel)
	_, err := directory.HomeVisit(ctx, v, w.d, other, t0)
	refused(t, "another family's child", err, access.Person(other))
	_, err = directory.HomeVisit(ctx, v, w.d, "nobody", t0)
	refused(t, "an unknown person", err, access.Person("nobody"))
	if _, err := directory.HomeVisit(ctx, access.System("test"), w.d, child, t0); err == nil {
		t.Error("the system viewer has no home page")
	}
}

// The home page's short school card is the school page's classes and head
// teachers, without teachers or family, under the same rule: the student
// and their relatives, not another family.
func TestViewSchooling(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	rel, child := w.pick(w.all(`SELECT relative_id FROM family_links ORDER BY relative_id`),
		`SELECT student_id FROM family_links WHERE relative_id = ? ORDER BY student_id`, func(r string) []any { return []any{r} })
	for _, viewer := range []string{child, rel} {
		v := w.viewer(viewer)
		short, err := directory.ViewSchooling(ctx, v, w.d, child)
		if err != nil {
			t.Fatalf("%s: %v", viewer, err)
		}
		full, err := directory.ViewStudentSchool(ctx, v, w.d, child)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(short.Schooling, full.Schooling) || !reflect.DeepEqual(short.Student, full.Student) ||
			len(short.Teaching) != 0 || len(short.Relatives) != 0 || len(short.Schooling) == 0 {
			t.Errorf("%s: short card %+v, school page %+v", viewer, short, full.Schooling)
		}
	}
	other := w.one(`SELECT id FROM people WHERE profile = 'student' AND id NOT IN
		(SELECT student_id FROM family_links WHERE relative_id = ?) ORDER BY id`, rel)
	_, err := directory.ViewSchooling(ctx, w.viewer(rel), w.d, other)
	refused(t, "another family's child", err, access.Person(other))
	_, err = directory.ViewSchooling(ctx, w.viewer(rel), w.d, rel)
	refused(t, "not a student", err, access.Person(rel))
}
