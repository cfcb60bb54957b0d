package access_test

import (
	"context"
	"errors"
	"testing"

	"cartable/internal/access"
	"cartable/internal/dbtest"
)

// The access matrix of grades: for each question, exactly the viewers
// listed are allowed; every other person of the fixture is refused.
// Entering marks also needs a session that passed a second factor. The
// batch answer (VisibleGrades) agrees with the one-by-one answer.
func TestGradesMatrix(t *testing.T) {
	ctx := context.Background()
	d := dbtest.Open(t)
	f := buildFixture(t, d)
	p := access.New(d)
	subject := func(est string) string {
		var id string
		if err := d.QueryRow(ctx, `SELECT id FROM subjects WHERE establishment_id = ?`, f.ests[est]).Scan(&id); err != nil {
			t.Fatal(err)
		}
		return id
	}
	subA, subB := subject("A"), subject("B")
	person := func(login string) access.Resource { return access.Person(f.people[login]) }
	teaching := func(s, sub string) access.Resource { return access.Teaching(f.structs[s], sub) }
	A, B := access.Establishment(f.ests["A"]), access.Establishment(f.ests["B"])
	const dir = "hA depA" // the secretary, the CPE and the documentalist read no marks
	cases := []struct {
		what    string
		a       access.Action
		r       access.Resource
		allowed string
	}{
		{"marks of s1 (6A, ESP)", access.ReadGrades, person("s1"), "s1 p1 p2 t1 " + dir},
		{"marks of s2 (6A, LAT; the grandmother is family)", access.ReadGrades, person("s2"), "s2 p6 p7 t1 " + dir},
		{"marks of s3 (6B; t3 heads 6B)", access.ReadGrades, person("s3"), "s3 p3 p4 t3 " + dir},
		{"marks of s4 (6B, no relative)", access.ReadGrades, person("s4"), "s4 t3 " + dir},
		{"marks of s5 (B: t2 teaches 2B but does not head it)", access.ReadGrades, person("s5"), "s5 p1 p2 hB"},
		{"marks of a deactivated student", access.ReadGrades, person("sOff"), ""},
		{"marks of a teacher", access.ReadGrades, person("t1"), ""},
		{"marks of an unknown person", access.ReadGrades, access.Person("nope"), ""},
		{"report cards of s1", access.ReadReportCard, person("s1"), "s1 p1 p2 t1 cA " + dir},
		{"report cards of s5", access.ReadReportCard, person("s5"), "s5 p1 p2 hB"},
		{"math of 6A", access.ReadGrades, teaching("6A", subA), "t1 " + dir},
		{"math of group ESP (drawn from 6A and 6B)", access.ReadGrades, teaching("ESP", subA), "t1 t2 t3 " + dir},
		{"math of group LAT (drawn from 6A)", access.ReadGrades, teaching("LAT", subA), "t1 t3 " + dir},
		{"math of 6B (nobody teaches it)", access.ReadGrades, teaching("6B", subA), "t3 " + dir},
		{"math of 2B", access.ReadGrades, teaching("2B", subB), "t2 hB"},
		{"math of last year's class", access.ReadGrades, teaching("OLD", subA), dir},
		{"enter marks in math of 6A", access.EnterMarks, teaching("6A", subA), "t1"},
		{"enter marks in math of ESP", access.EnterMarks, teaching("ESP", subA), "t2"},
		{"enter marks in math of 2B", access.EnterMarks, teaching("2B", subB), "t2"},
		{"enter marks in 6B (its head teacher does not teach it)", access.EnterMarks, teaching("6B", subA), ""},
		{"enter marks in last year's class", access.EnterMarks, teaching("OLD", subA), ""},
		{"enter marks in 6A in B's subject", access.EnterMarks, teaching("6A", subB), ""},
		{"a forged teaching", access.EnterMarks, access.Resource{Kind: access.KindTeaching, ID: "class:" + f.structs["6A"].ID}, ""},
		{"a teaching of an unknown class", access.ReadGrades, access.Resource{Kind: access.KindTeaching, ID: "class:nope/" + subA}, ""},
		{"a teaching of a person", access.ReadGrades, access.Resource{Kind: access.KindTeaching, ID: "person:" + f.people["s1"] + "/" + subA}, ""},
		{"council view of 6A", access.ReadGrades, f.structs["6A"], "t1 " + dir},
		{"report cards of 6A", access.ReadReportCard, f.structs["6A"], "t1 cA " + dir},
		{"council of 6A", access.WriteCouncil, f.structs["6A"], "t1 " + dir},
		{"council of 6B", access.WriteCouncil, f.structs["6B"], "t3 " + dir},
		{"council of 2B", access.WriteCouncil, f.structs["2B"], "hB"},
		{"CPE's appraisal for 6A", access.WriteLifeAppraisal, f.structs["6A"], "cA " + dir},
		{"council of a group", access.WriteCouncil, f.structs["ESP"], ""},
		{"grades of A", access.ReadGrades, A, dir},
		{"manage grades of A", access.ManageGrades, A, dir},
		{"manage grades of B", access.ManageGrades, B, "hB"},
		{"history of A's grades", access.ReadGradesAudit, A, "hA"},
		// Actions that do not apply to a kind are refused to everyone.
		{"enter marks on a person", access.EnterMarks, person("s1"), ""},
		{"enter marks on a class", access.EnterMarks, f.structs["6A"], ""},
		{"manage grades on a class", access.ManageGrades, f.structs["6A"], ""},
		{"council on a person", access.WriteCouncil, person("s1"), ""},
		{"read grades on an entry", access.ReadGrades, access.Entry("e6A"), ""},
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
		v.SetSecondFactor(true)
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

	// Without a second factor nobody enters marks, and the refusal says
	// why; reading is unaffected.
	weak, err := p.Viewer(ctx, f.people["t1"])
	if err != nil {
		t.Fatal(err)
	}
	err = p.Can(ctx, weak, access.EnterMarks, teaching("6A", subA))
	if !errors.Is(err, access.ErrDenied) || !access.IsSecondFactorRefusal(err) {
		t.Fatalf("t1 without a second factor: %v", err)
	}
	if err := p.Can(ctx, weak, access.ReadGrades, teaching("6A", subA)); err != nil {
		t.Fatalf("t1 reading without a second factor: %v", err)
	}
	if err := p.Can(ctx, weak, access.EnterMarks, teaching("6B", subA)); access.IsSecondFactorRefusal(err) || err == nil {
		t.Fatalf("a teaching t1 may not enter, refused as a mere second-factor matter: %v", err)
	}
	// The system viewer's background work is never refused a factor.
	if err := p.Can(ctx, access.System("test"), access.EnterMarks, teaching("6A", subA)); err != nil {
		t.Fatal(err)
	}

	// The batch answer agrees with Can.
	var students []string
	for _, s := range []string{"s1", "s2", "s3", "s4", "s5", "sOff", "t1", "p1"} {
		students = append(students, f.people[s])
	}
	students = append(students, "nope")
	for _, a := range []access.Action{access.ReadGrades, access.ReadReportCard, access.EnterMarks} {
		for _, login := range sortedKeys(viewers) {
			v, err := p.Viewer(ctx, f.people[login])
			if err != nil {
				t.Fatal(err)
			}
			got, err := v.VisibleGrades(ctx, a, students)
			if err != nil {
				t.Fatal(err)
			}
			for _, id := range students {
				checkAnswer(t, p.Can(ctx, viewers[login], a, access.Person(id)), got[id], login+": "+string(a)+" of "+id+" in a batch")
			}
		}
	}
	if got, _ := (&access.Viewer{}).VisibleGrades(ctx, access.ReadGrades, students); len(got) != 0 {
		t.Fatalf("forged viewer sees %v", got)
	}
}
