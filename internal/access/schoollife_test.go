package access_test

import (
	"context"
	"testing"

	"cartable/internal/access"
	"cartable/internal/dbtest"
)

// The access matrix of school life: for each question, exactly the viewers
// listed are allowed; every other person of the fixture is refused. The
// batch answer (VisibleStudents) agrees with the one-by-one answer.
func TestSchoolLifeMatrix(t *testing.T) {
	ctx := context.Background()
	d := dbtest.Open(t)
	f := buildFixture(t, d)
	learningRows(t, d, f)
	// A justification of s1's with its document, sent by p1.
	for _, st := range []struct {
		q    string
		args []any
	}{
		{`INSERT INTO files (id, establishment_id, owner_id, name, content_type, size, sha256, storage_key, created_at)
			VALUES ('fJust', ?, ?, 'certificat.pdf', 'application/pdf', 1, '', 'k3', 0)`, []any{f.ests["A"], f.people["p1"]}},
		{`INSERT INTO att_reasons (id, establishment_id, label, legitimate) VALUES ('rA', ?, 'Maladie', TRUE)`, []any{f.ests["A"]}},
		{`INSERT INTO att_justifications (id, establishment_id, student_id, author_id, start_date, start_min, end_date, end_min, reason_id, file_id, created_at)
			VALUES ('jA', ?, ?, ?, '2026-11-30', 0, '2026-11-30', 1440, 'rA', 'fJust', 0)`, []any{f.ests["A"], f.people["s1"], f.people["p1"]}},
	} {
		if _, err := d.Exec(ctx, st.q, st.args...); err != nil {
			t.Fatal(err)
		}
	}
	p := access.New(d)
	person := func(login string) access.Resource { return access.Person(f.people[login]) }
	A, B := access.Establishment(f.ests["A"]), access.Establishment(f.ests["B"])
	const life = "hA depA cA" // the secretary and the documentalist: no
	cases := []struct {
		what    string
		a       access.Action
		r       access.Resource
		allowed string
	}{
		{"record of s1", access.ReadSchoolLife, person("s1"), "s1 p1 p2 t1 t2 " + life},
		{"record of s2 (grandmother with contact flag reads)", access.ReadSchoolLife, person("s2"), "s2 p6 p7 t1 t3 " + life},
		{"record of s5 (B)", access.ReadSchoolLife, person("s5"), "s5 p1 p2 t2 hB"},
		{"record of a teacher", access.ReadSchoolLife, person("t1"), ""},
		{"record of a relative", access.ReadSchoolLife, person("p1"), ""},
		{"record of a deactivated student", access.ReadSchoolLife, person("sOff"), ""},
		{"record of an unknown person", access.ReadSchoolLife, access.Person("nope"), ""},
		{"manage s1's absences", access.ManageSchoolLife, person("s1"), life},
		{"manage s5's absences", access.ManageSchoolLife, person("s5"), "hB"},
		{"confidential reasons of s1", access.ReadConfidential, person("s1"), "s1 p1 p2 " + life},
		{"justify for s1 (both guardians)", access.Justify, person("s1"), "p1 p2"},
		{"justify for s2 (not the grandmother)", access.Justify, person("s2"), "p6"},
		{"justify for s3 (not p4, no guardian)", access.Justify, person("s3"), "p3"},
		{"sign a note about s2", access.SignNote, person("s2"), "p6"},
		{"punish s1", access.GivePunishment, person("s1"), "t1 t2 " + life},
		{"punish s4 (t3 heads 6B)", access.GivePunishment, person("s4"), "t3 " + life},
		{"sanctions of s1", access.ReadSanctions, person("s1"), "s1 p1 p2 " + life},
		{"decide a sanction for s1", access.DecideSanction, person("s1"), "hA"},
		{"decide a sanction for s5", access.DecideSanction, person("s5"), "hB"},
		{"write a note about s3", access.WriteNote, person("s3"), "t2 t3 " + life},
		{"attendance of class 6A", access.ReadSchoolLife, f.structs["6A"], "t1 " + life},
		{"attendance of group ESP", access.ReadSchoolLife, f.structs["ESP"], "t2 " + life},
		{"attendance of class 2B", access.ReadSchoolLife, f.structs["2B"], "t2 hB"},
		{"school life of A", access.ReadSchoolLife, A, life},
		{"manage school life of A", access.ManageSchoolLife, A, life},
		{"manage school life of B", access.ManageSchoolLife, B, "hB"},
		{"school life history of A", access.ReadSchoolLifeHistory, A, "hA cA"},
		{"register of a lesson of A", access.TakeRegister, access.Occurrence("slotA", "2026-11-30"), "t1 t3 " + life},
		{"register of a replaced occurrence", access.TakeRegister, access.Occurrence("slotA", "2026-12-07"), "t1 t2 t3 " + life},
		{"register of a lesson of B", access.TakeRegister, access.Occurrence("slotB", "2026-12-01"), "t2 hB"},
		{"register on a day the lesson does not run", access.TakeRegister, access.Occurrence("slotA", "2026-12-01"), ""},
		{"register of an unknown lesson", access.TakeRegister, access.Occurrence("nope", "2026-11-30"), ""},
		{"register of a forged occurrence", access.TakeRegister, access.Resource{Kind: access.KindOccurrence, ID: "slotA"}, ""},
		{"document of a justification of s1 (sent by p1)", access.ReadFile, access.File("fJust"), "p1 p2 " + life},
		// Actions that do not apply to a kind are refused to everyone.
		{"take-register on a person", access.TakeRegister, person("s1"), ""},
		{"justify on a class", access.Justify, f.structs["6A"], ""},
		{"decide a sanction on an establishment", access.DecideSanction, A, ""},
		{"manage school life of a class", access.ManageSchoolLife, f.structs["6A"], ""},
		{"read-school-life on an entry", access.ReadSchoolLife, access.Entry("e6A"), ""},
	}
	viewers := map[string]*access.Viewer{}
	for _, login := range sortedKeys(f.people) {
		if login == "sOff" {
			continue
		}
		v, err := p.Viewer(ctx, f.people[login])
		if err != nil {
			t.Fatal(err)
		}
		viewers[login] = v
	}
	for _, c := range cases {
		want := set(c.allowed)
		for w := range want {
			if _, ok := viewers[w]; !ok {
				t.Fatalf("%s: unknown viewer %q", c.what, w)
			}
		}
		for _, login := range sortedKeys(viewers) {
			checkAnswer(t, p.Can(ctx, viewers[login], c.a, c.r), want[login], login+": "+c.what)
		}
	}
	// The batch answer agrees with Can, for every student and action.
	var students []string
	for _, s := range []string{"s1", "s2", "s3", "s4", "s5", "sOff", "t1", "p1"} {
		students = append(students, f.people[s])
	}
	students = append(students, "nope")
	for _, a := range []access.Action{access.ReadSchoolLife, access.ManageSchoolLife, access.ReadConfidential, access.Justify,
		access.SignNote, access.GivePunishment, access.ReadSanctions, access.DecideSanction, access.WriteNote} {
		for _, login := range sortedKeys(viewers) {
			v, err := p.Viewer(ctx, f.people[login]) // a fresh viewer: nothing cached by Can
			if err != nil {
				t.Fatal(err)
			}
			got, err := v.VisibleStudents(ctx, a, students)
			if err != nil {
				t.Fatal(err)
			}
			for _, id := range students {
				checkAnswer(t, p.Can(ctx, viewers[login], a, access.Person(id)), got[id], login+": "+string(a)+" of "+id+" in a batch")
			}
		}
	}
	// A viewer not loaded by the policy sees nobody.
	if got, _ := (&access.Viewer{}).VisibleStudents(ctx, access.ReadSchoolLife, students); len(got) != 0 {
		t.Fatalf("forged viewer sees %v", got)
	}
}
