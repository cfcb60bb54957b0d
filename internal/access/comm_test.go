package access_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"cartable/internal/access"
	"cartable/internal/dbtest"
)

// staffA are the function holders and staff of A, who write to everyone
// active there.
const everyoneActiveA = "s1 s2 s3 s4 p1 p2 p6 p7 p3 p4 pOff " + colleaguesA

// writeMatrix is, for each sender of the fixture, everyone they may write
// to under the default rules; everyone else is refused.
var writeMatrix = map[string]string{
	// Students: their teachers and school life; nobody else.
	"s1": "t1 t2 cA",
	"s2": "t1 t3 cA",
	"s3": "t3 t2 cA",
	"s4": "t3 cA",
	"s5": "t2", // B has no CPE
	// Relatives: their children's teachers, school life and the direction,
	// where they are attached and a child is.
	"p1":   "t1 t2 cA hA depA hB",
	"p2":   "t1 t2 cA hA depA",
	"p6":   "t1 t3 cA hA depA",
	"p7":   "t1 t3 cA hA depA",
	"p3":   "t3 t2 cA hA depA",
	"p4":   "t3 t2 cA hA depA",
	"pOff": "", // their only child left
	// Teachers: their students, those students' guardians and contacts,
	// every colleague.
	"t1":   "s1 s2 p1 p2 p6 p7 " + colleaguesA,
	"t2":   "s1 s3 s5 p1 p2 p3 hB " + colleaguesA,
	"t3":   "s2 s3 s4 p6 p7 p3 " + colleaguesA,
	"tOld": colleaguesA,
	// Function holders and staff: everyone active in their establishment.
	"hA":   everyoneActiveA,
	"depA": everyoneActiveA,
	"cA":   everyoneActiveA,
	"secA": everyoneActiveA,
	"dA":   everyoneActiveA,
	"agA":  everyoneActiveA,
	"hB":   "s5 p1 t2",
	"admA": "", // operators take no part
}

func TestCommMatrixOnFixture(t *testing.T) {
	ctx := context.Background()
	d := dbtest.Open(t)
	f := buildFixture(t, d)
	p := access.New(d)
	check := func(t *testing.T, matrix map[string]string) {
		t.Helper()
		for _, login := range sortedKeys(f.people) {
			if login == "sOff" {
				continue
			}
			want := set(matrix[login])
			delete(want, login)
			v, err := p.Viewer(ctx, f.people[login])
			if err != nil {
				t.Fatal(err)
			}
			all := []string{"nobody"}
			for _, target := range sortedKeys(f.people) {
				all = append(all, f.people[target])
				err := p.Can(ctx, v, access.WriteTo, access.Person(f.people[target]))
				checkAnswer(t, err, want[target], login+" write-to "+target)
				why, werr := v.WhyWrite(ctx, f.people[target])
				if werr != nil {
					t.Fatal(werr)
				}
				if why.Allowed != want[target] || why.RuleID == "" || why.FR == "" || why.EN == "" {
					t.Errorf("%s WhyWrite %s = %+v, want allowed %v with a rule in words", login, target, why, want[target])
				}
			}
			fresh, err := p.Viewer(ctx, f.people[login])
			if err != nil {
				t.Fatal(err)
			}
			ok, err := fresh.Writable(ctx, all)
			if err != nil {
				t.Fatal(err)
			}
			for _, target := range sortedKeys(f.people) {
				if ok[f.people[target]] != want[target] {
					t.Errorf("%s Writable %s = %v, want %v", login, target, ok[f.people[target]], want[target])
				}
			}
			if ok["nobody"] {
				t.Errorf("%s Writable: unknown id listed", login)
			}
		}
	}
	t.Run("defaults", func(t *testing.T) { check(t, writeMatrix) })

	// The head of A lets classmates write to each other and closes the
	// relatives' door to teachers, in A only; the head of B and others may
	// not edit A's rules.
	for _, login := range sortedKeys(f.people) {
		v, err := p.Viewer(ctx, f.people[login])
		if err != nil {
			continue
		}
		err = v.SetCommRule(ctx, d, f.ests["A"], "student>student", access.ScopeLinked)
		if login == "hA" {
			if err != nil {
				t.Fatalf("hA edits A's rules: %v", err)
			}
			if err := v.SetCommRule(ctx, d, f.ests["A"], "relative>teacher", access.ScopeNone); err != nil {
				t.Fatal(err)
			}
			if err := v.SetCommRule(ctx, d, f.ests["A"], "relative>nobody", access.ScopeNone); !errors.Is(err, access.ErrBadRule) {
				t.Errorf("unknown rule: %v", err)
			}
			if err := v.SetCommRule(ctx, d, f.ests["A"], "student>student", "some"); !errors.Is(err, access.ErrBadRule) {
				t.Errorf("unknown scope: %v", err)
			}
			if err := v.SetCommRule(ctx, d, f.ests["B"], "student>student", access.ScopeAll); !errors.Is(err, access.ErrDenied) {
				t.Errorf("hA edits B's rules: %v", err)
			}
			continue
		}
		if !errors.Is(err, access.ErrDenied) {
			t.Errorf("%s edits A's rules: %v, want refused", login, err)
		}
	}
	edited := map[string]string{}
	for k, v := range writeMatrix {
		edited[k] = v
	}
	edited["s1"] = "t1 t2 cA s2 s3"
	edited["s2"] = "t1 t3 cA s1"
	edited["s3"] = "t3 t2 cA s1 s4"
	edited["s4"] = "t3 cA s3"
	edited["p1"] = "cA hA depA hB t2" // t2 through B, whose rules are the defaults
	edited["p2"] = "cA hA depA"
	edited["p6"] = "cA hA depA"
	edited["p7"] = "cA hA depA"
	edited["p3"] = "cA hA depA"
	edited["p4"] = "cA hA depA"
	t.Run("edited", func(t *testing.T) { check(t, edited) })

	hA, err := p.Viewer(ctx, f.people["hA"])
	if err != nil {
		t.Fatal(err)
	}
	cells, err := hA.CommMatrix(ctx, f.ests["A"])
	if err != nil {
		t.Fatal(err)
	}
	if len(cells) != len(access.CommCategories)*len(access.CommCategories) {
		t.Fatalf("%d cells", len(cells))
	}
	var editedCells []string
	for _, c := range cells {
		if c.Edited {
			editedCells = append(editedCells, c.Rule.ID+"="+string(c.Scope))
		}
	}
	if strings.Join(editedCells, " ") != "student>student=linked relative>teacher=none" {
		t.Errorf("edited cells %v", editedCells)
	}
	// Back to the default: the edit is gone.
	if err := hA.SetCommRule(ctx, d, f.ests["A"], "relative>teacher", access.ScopeLinked); err != nil {
		t.Fatal(err)
	}
	if cells, _ = hA.CommMatrix(ctx, f.ests["A"]); cells[2*6+2].Edited {
		t.Errorf("a cell set back to its default stays edited: %+v", cells[2*6+2])
	}
	cA, _ := p.Viewer(ctx, f.people["cA"])
	if _, err := cA.CommMatrix(ctx, f.ests["A"]); !errors.Is(err, access.ErrDenied) {
		t.Errorf("the CPE reads the rules page: %v", err)
	}
}

// "Why can't I write to X?" names the rule in words.
func TestWhyWrite(t *testing.T) {
	ctx := context.Background()
	d := dbtest.Open(t)
	f := buildFixture(t, d)
	p := access.New(d)
	cases := []struct {
		from, to, rule, words string
		allowed               bool
	}{
		{"s1", "p6", "student>relative", "may not write to relatives", false},
		{"p1", "p6", "relative>relative", "representatives", false}, // no representative in the fixture
		{"p1", "s2", "relative>student", "may not write to students", false},
		{"s1", "s5", "same-establishment", "attached", false},
		{"s1", "nobody", "same-establishment", "attached", false},
		{"s1", "hA", "student>direction", "may not", false},
		{"t1", "s3", "teacher>student", "their classes", false},
		{"admA", "hA", "operators", "Operators", false},
		{"hA", "admA", "operators", "Operators", false},
		{"s1", "s1", "self", "oneself", false},
		{"s1", "t1", "student>teacher", "their teachers", true},
		{"p1", "hA", "relative>direction", "of the establishment", true},
	}
	for _, c := range cases {
		v, err := p.Viewer(ctx, f.people[c.from])
		if err != nil {
			t.Fatal(err)
		}
		id := f.people[c.to]
		if id == "" {
			id = c.to
		}
		w, err := v.WhyWrite(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if w.Allowed != c.allowed || w.RuleID != c.rule || !strings.Contains(w.EN, c.words) || w.FR == "" {
			t.Errorf("%s → %s: %+v, want rule %s (%q), allowed %v", c.from, c.to, w, c.rule, c.words, c.allowed)
		}
	}
}

// Asking write-to for many recipients costs a handful of queries.
func TestWritableRoundTrips(t *testing.T) {
	ctx := context.Background()
	d := dbtest.Open(t)
	f := buildFixture(t, d)
	ids := make([]string, 0, len(f.people))
	for _, id := range f.people {
		ids = append(ids, id)
	}
	for _, login := range []string{"t2", "s1", "p1", "hA"} {
		cq := &countingQuerier{Querier: d}
		p := access.New(cq)
		v, err := p.Viewer(ctx, f.people[login])
		if err != nil {
			t.Fatal(err)
		}
		cq.n = 0
		if _, err := v.Writable(ctx, ids); err != nil {
			t.Fatal(err)
		}
		for _, id := range ids {
			if _, err := v.WhyWrite(ctx, id); err != nil {
				t.Fatal(err)
			}
		}
		// Targets, their functions, the viewer's scope, and each shared
		// establishment's edits (two at most here).
		if cq.n > 5 {
			t.Errorf("%s: %d queries for %d people, want at most 5", login, cq.n, len(ids))
		}
	}
}

// Elected parent representatives (migration 0026): a family writes to the
// representatives of its children's classes and establishment, a
// representative to the families of the classes represented; nobody else
// of another family, never a student; the head's cell still decides.
func TestParentRepresentatives(t *testing.T) {
	ctx := context.Background()
	d := dbtest.Open(t)
	f := buildFixture(t, d)
	p := access.New(d)
	n := 0
	designate := func(login, class string) {
		t.Helper()
		n++
		var classArg any
		est, year := f.ests["A"], ""
		if class != "" {
			classArg = f.structs[class].ID
			if err := d.QueryRow(ctx, `SELECT establishment_id, school_year_id FROM classes WHERE id = ?`, classArg).Scan(&est, &year); err != nil {
				t.Fatal(err)
			}
		} else if err := d.QueryRow(ctx, `SELECT id FROM school_years WHERE establishment_id = ? AND NOT closed`, est).Scan(&year); err != nil {
			t.Fatal(err)
		}
		if _, err := d.Exec(ctx, `INSERT INTO parent_representatives (id, establishment_id, school_year_id, person_id, class_id, created_at, created_by)
			VALUES (?, ?, ?, ?, ?, 0, ?)`, fmt.Sprintf("rep%d", n), est, year, f.people[login], classArg, f.people["hA"]); err != nil {
			t.Fatal(err)
		}
	}
	may := func(t *testing.T, from, to string, want bool) {
		t.Helper()
		v, err := p.Viewer(ctx, f.people[from])
		if err != nil {
			t.Fatal(err)
		}
		checkAnswer(t, p.Can(ctx, v, access.WriteTo, access.Person(f.people[to])), want, from+" write-to "+to)
		w, err := v.WhyWrite(ctx, f.people[to])
		if err != nil {
			t.Fatal(err)
		}
		if w.Allowed != want {
			t.Errorf("%s WhyWrite %s = %+v, want %v", from, to, w, want)
		}
	}
	// p6 (s2's mother, 6A) represents 6A; p4 a class of a closed year.
	designate("p6", "6A")
	designate("p4", "OLD")
	t.Run("class", func(t *testing.T) {
		may(t, "p1", "p6", true)  // s1 is in 6A
		may(t, "p2", "p6", true)  // s1's other parent
		may(t, "p3", "p6", false) // s3 is in 6B
		may(t, "pOff", "p6", false)
		may(t, "p6", "p1", true) // the families of 6A
		may(t, "p6", "p2", true)
		may(t, "p6", "p7", true)  // contact relative of s2
		may(t, "p6", "p3", false) // 6B's family
		may(t, "p6", "p4", false)
		may(t, "p3", "p1", false) // neither represents anyone
		may(t, "p1", "p3", false)
		may(t, "p1", "p4", false) // a closed year's representative counts for nothing
		may(t, "s1", "p6", false) // never a student to another family
		may(t, "s3", "p6", false)
		may(t, "p6", "s1", false)
		may(t, "t1", "p6", true) // s2's teacher, as before
	})
	v, _ := p.Viewer(ctx, f.people["p1"])
	w, _ := v.WhyWrite(ctx, f.people["p6"])
	if w.RuleID != "relative>relative" || !strings.Contains(w.EN, "elected parent representatives") || strings.Contains(w.EN, "nobody") {
		t.Errorf("p1 → p6: %+v", w)
	}
	// p3 (s3's father, 6B) for the whole establishment.
	designate("p3", "")
	t.Run("establishment", func(t *testing.T) {
		may(t, "p1", "p3", true)
		may(t, "p6", "p3", true)
		may(t, "p3", "p1", true)  // every open class's families
		may(t, "p3", "p7", true)  // a contact
		may(t, "p3", "p4", false) // neither guardian nor contact
		may(t, "p3", "pOff", false)
		may(t, "s1", "p3", false)
		may(t, "p1", "p7", false)
	})
	// The head's cell still decides.
	hA, err := p.Viewer(ctx, f.people["hA"])
	if err != nil {
		t.Fatal(err)
	}
	if err := hA.SetCommRule(ctx, d, f.ests["A"], "relative>relative", access.ScopeNone); err != nil {
		t.Fatal(err)
	}
	t.Run("none", func(t *testing.T) {
		may(t, "p1", "p6", false)
		may(t, "p6", "p1", false)
	})
	if err := hA.SetCommRule(ctx, d, f.ests["A"], "relative>relative", access.ScopeAll); err != nil {
		t.Fatal(err)
	}
	t.Run("all", func(t *testing.T) {
		may(t, "p1", "p4", true)
		may(t, "s1", "p4", false)
	})
}
