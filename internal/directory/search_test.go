package directory_test

import (
	"context"
	"errors"
	"testing"
	"unicode/utf8"

	"cartable/internal/access"
	"cartable/internal/check"
	"cartable/internal/demo"
	"cartable/internal/directory"
)

// found lists the IDs a search returned, and fails the test on an error.
func (w *world) found(v *access.Viewer, query string) (map[string]directory.Found, directory.SearchResult) {
	w.t.Helper()
	res, err := directory.Search(context.Background(), v, w.d, query)
	if err != nil {
		w.t.Fatalf("search %q: %v", query, err)
	}
	out := map[string]directory.Found{}
	for _, f := range res.People {
		out[f.ID] = f
	}
	return out, res
}

func TestSearchFindsWithoutAccentsOrCase(t *testing.T) {
	w := newWorld(t)
	head := w.viewer(w.staffWith("head"))
	// A student of the main establishment whose first name has an accent.
	id, first := w.pick(w.all(`SELECT p.id FROM people p JOIN memberships m ON m.person_id = p.id
		WHERE m.establishment_id = ? AND p.profile = 'student' AND p.active`, w.main),
		`SELECT first_name FROM people WHERE id = ? AND (first_name LIKE '%é%' OR first_name LIKE '%É%' OR first_name LIKE '%ë%' OR first_name LIKE '%ï%')`,
		func(c string) []any { return []any{c} })
	p := w.person(id)
	plain := map[rune]rune{'é': 'e', 'É': 'E', 'ë': 'e', 'ï': 'i'}
	var ascii []rune
	for _, r := range first {
		if a, ok := plain[r]; ok {
			r = a
		}
		ascii = append(ascii, r)
	}
	for _, q := range []string{string(ascii) + " " + p.LastName, "  " + upper(string(ascii)) + "   " + lower(p.LastName) + " ", first + " " + p.LastName} {
		got, _ := w.found(head, q)
		f, ok := got[id]
		if !ok {
			t.Fatalf("%q does not find %s %s", q, first, p.LastName)
		}
		if f.FirstName != first || len(f.Classes) == 0 {
			t.Errorf("found %+v: want the card with the class code", f)
		}
		if f.Login != p.Login {
			t.Errorf("the head reads the record: login %q, want %q", f.Login, p.Login)
		}
	}
	// Words begin words: the middle of a name is no match.
	if got, _ := w.found(head, string([]rune(first)[1:])+" "+p.LastName); got[id].ID != "" && utf8.RuneCountInString(first) > 3 {
		t.Errorf("the middle of a first name matched")
	}
}

func upper(s string) string {
	b := []rune(s)
	for i, r := range b {
		if 'a' <= r && r <= 'z' {
			b[i] = r - 'a' + 'A'
		}
	}
	return string(b)
}

func lower(s string) string {
	b := []rune(s)
	for i, r := range b {
		if 'A' <= r && r <= 'Z' {
			b[i] = r - 'A' + 'a'
		}
	}
	return string(b)
}

func TestSearchByClassWithinTheTeachersSight(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	// A class of the main establishment, a teacher of it and a teacher of
	// the same establishment teaching neither it nor any group of it.
	class := w.one(`SELECT c.id FROM classes c WHERE c.establishment_id = ? ORDER BY c.code`, w.main)
	code := w.one(`SELECT code FROM classes WHERE id = ?`, class)
	students := w.all(`SELECT e.student_id FROM enrolments e JOIN people p ON p.id = e.student_id WHERE e.class_id = ? AND p.active`, class)
	teacher := w.one(`SELECT teacher_id FROM teaching_assignments WHERE class_id = ?`, class)
	other := w.one(`SELECT p.id FROM people p JOIN memberships m ON m.person_id = p.id
		WHERE m.establishment_id = ? AND p.profile = 'teacher' AND p.active
		AND p.id NOT IN (SELECT teacher_id FROM teaching_assignments WHERE class_id = ?)
		AND p.id NOT IN (SELECT a.teacher_id FROM teaching_assignments a JOIN group_members g ON g.group_id = a.group_id
			JOIN enrolments e ON e.student_id = g.student_id WHERE e.class_id = ?)
		AND p.id NOT IN (SELECT teacher_id FROM head_teachers WHERE class_id = ?)
		AND p.id NOT IN (SELECT person_id FROM functions)`, w.main, class, class, class)

	got, res := w.found(w.viewer(teacher), code)
	for _, s := range students {
		if _, ok := got[s]; !ok && !res.More {
			t.Errorf("the class's teacher does not find its student %s by the class code %s", s, code)
		}
	}
	for id, f := range got {
		if ok, _ := w.viewer(teacher).May(ctx, access.ReadName, access.Person(id)); !ok {
			t.Errorf("the teacher finds %s (%s), whom they may not see", id, f.Profile)
		}
	}
	got, _ = w.found(w.viewer(other), code)
	for _, s := range students {
		if _, ok := got[s]; ok {
			t.Errorf("a teacher of other classes finds %s of %s", s, code)
		}
	}
	// Nor by name.
	p := w.person(students[0])
	if got, _ := w.found(w.viewer(other), p.FirstName+" "+p.LastName); got[p.ID].ID != "" {
		t.Errorf("a teacher of other classes finds %s by name", p.ID)
	}
}

func TestSearchRefusals(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	student := w.one(`SELECT p.id FROM people p JOIN memberships m ON m.person_id = p.id WHERE m.establishment_id = ? AND p.profile = 'student' AND p.active`, w.main)
	relative := w.one(`SELECT f.relative_id FROM family_links f JOIN people p ON p.id = f.relative_id WHERE f.student_id = ? AND p.active`, student)
	s := w.person(student)
	for what, id := range map[string]string{"student": student, "relative": relative} {
		v := w.viewer(id)
		_, err := directory.Search(ctx, v, w.d, s.FirstName+" "+s.LastName)
		if !errors.Is(err, access.ErrDenied) {
			t.Errorf("a %s searches: %v, want a refusal", what, err)
		}
		if ok, err := directory.MaySearch(ctx, v); ok || err != nil {
			t.Errorf("MaySearch for a %s: %v %v", what, ok, err)
		}
	}
	// The head of the other establishment finds none of this one's pupils.
	otherHead := w.one(`SELECT person_id FROM functions WHERE establishment_id = ? AND function = 'head'
		AND person_id NOT IN (SELECT person_id FROM memberships WHERE establishment_id = ?)`, w.second, w.main)
	if got, _ := w.found(w.viewer(otherHead), s.FirstName+" "+s.LastName); got[student].ID != "" {
		t.Error("the head of another establishment finds a pupil of this one")
	}
	if got, _ := w.found(w.viewer(otherHead), s.Login); got[student].ID != "" {
		t.Error("the head of another establishment finds a pupil of this one by login")
	}
	// A login is matched only where the record (which holds it) is read: a
	// colleague reads a teacher's name, not their record.
	teacher := w.one(`SELECT p.id FROM people p JOIN memberships m ON m.person_id = p.id
		WHERE m.establishment_id = ? AND p.profile = 'teacher' AND p.active AND p.id NOT IN (SELECT person_id FROM functions)`, w.main)
	if _, err := w.d.Exec(ctx, `UPDATE people SET login = 'zq-compte-special' WHERE id = ?`, teacher); err != nil {
		t.Fatal(err)
	}
	colleague := w.one(`SELECT p.id FROM people p JOIN memberships m ON m.person_id = p.id
		WHERE m.establishment_id = ? AND p.profile = 'teacher' AND p.active AND p.id <> ? AND p.id NOT IN (SELECT person_id FROM functions)`, w.main, teacher)
	if got, _ := w.found(w.viewer(colleague), "zq-compte-special"); got[teacher].ID != "" {
		t.Error("a colleague finds a teacher by a login they may not read")
	}
	tp := w.person(teacher)
	if got, _ := w.found(w.viewer(colleague), tp.LastName); got[teacher].ID == "" || got[teacher].Login != "" {
		t.Errorf("a colleague finds a teacher by name, without the login: %+v", got[teacher])
	}
	head := w.viewer(w.staffWith("head"))
	if got, _ := w.found(head, "ZQ-compte spécial"); got[teacher].Login != "zq-compte-special" {
		t.Errorf("the head does not find the teacher by login: %+v", got)
	}
}

func TestSearchBoundsAndChecks(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	head := w.viewer(w.staffWith("head"))
	if res, err := directory.Search(ctx, head, w.d, "  "); err != nil || len(res.People) != 0 {
		t.Errorf("an empty query: %v %v, want nobody and no problem", res, err)
	}
	for q, code := range map[string]string{" a ": "too-short", "-.'": "too-short", string(make([]byte, 101)): "too-long"} {
		_, err := directory.Search(ctx, head, w.d, q)
		ps, ok := check.As(err)
		if !ok || len(ps) != 1 || ps[0].Code != code || ps[0].Field != "q" {
			t.Errorf("query %q: %v, want %s", q, err, code)
		}
	}
	// A common beginning finds more than the limit: the first by name,
	// and the sign to refine.
	_, res := w.found(head, "ma")
	if !res.More || len(res.People) != directory.SearchLimit {
		t.Fatalf("\"ma\": %d people, more %v", len(res.People), res.More)
	}
	for i := 1; i < len(res.People); i++ {
		a, b := res.People[i-1], res.People[i]
		if lower(a.LastName) > lower(b.LastName) {
			t.Errorf("not in name order: %s before %s", a.LastName, b.LastName)
		}
	}
}

// BenchmarkSearch searches the demo collège (600 students, their families
// and staff: about 1,700 people) as its head and as a teacher, with a
// common beginning, a full name, a first name without its accent and a
// class code. Run with go test -bench Search -run '^$' ./internal/directory/
// (and CARTABLE_TEST_POSTGRES set for PostgreSQL).
func BenchmarkSearch(b *testing.B) {
	ctx := context.Background()
	d := demoDB(b, 600)
	p := access.New(d)
	main := strings(b, d, `SELECT id FROM establishments WHERE uai = ?`, demo.MainUAI)[0]
	head := strings(b, d, `SELECT person_id FROM functions WHERE establishment_id = ? AND function = 'head'`, main)[0]
	teacher := strings(b, d, `SELECT p.id FROM people p JOIN memberships m ON m.person_id = p.id
		WHERE m.establishment_id = ? AND p.profile = 'teacher' AND p.id NOT IN (SELECT person_id FROM functions)`, main)[0]
	full := strings(b, d, `SELECT p.first_name || ' ' || p.last_name FROM people p JOIN memberships m ON m.person_id = p.id
		WHERE m.establishment_id = ? AND p.profile = 'student'`, main)[0]
	code := strings(b, d, `SELECT code FROM classes WHERE establishment_id = ?`, main)[0]
	queries := []string{"ma", full, "elise", code}
	for _, who := range []struct{ name, id string }{{"head", head}, {"teacher", teacher}} {
		b.Run(who.name, func(b *testing.B) {
			n := 0
			for i := 0; b.Loop(); i++ {
				// A viewer per request, as the pages have: nothing cached
				// from one search to the next.
				v, err := p.Viewer(ctx, who.id)
				if err != nil {
					b.Fatal(err)
				}
				res, err := directory.Search(ctx, v, d, queries[i%len(queries)])
				if err != nil {
					b.Fatal(err)
				}
				n += len(res.People)
			}
			b.ReportMetric(float64(n)/float64(b.N), "found/op")
		})
	}
}
