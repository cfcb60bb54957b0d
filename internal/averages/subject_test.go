package averages

import (
	"strings"
	"testing"
)

// Every case is computed by hand in its comment.
func TestSubjectAverage(t *testing.T) {
	oralWritten := Subject{ID: "fr", Label: "Français", SubSubjects: []SubSubject{
		{ID: "oral", Label: "Oral", Coefficient: 1}, {ID: "ecrit", Label: "Écrit", Coefficient: 2}}}
	cases := []struct {
		name    string
		subject Subject
		entries []Entry
		graded  bool
		want    float64 // unrounded
		rules   []Rule  // rules that must appear
	}{
		// (12×1 + 15×2) ÷ 3 = 42 ÷ 3 = 14
		{"on20", Subject{}, []Entry{on20("a", 12), en(ev("b", 20, 2), val(15))}, true, 14, []Rule{RuleMarkOn20, RuleDivide}},
		// 8/10 → 16 weight 2 = 32; a /20 kept on its scale weighs its coefficient: 14 × 1: 46 ÷ 3
		{"to20", Subject{}, []Entry{en(ev("a", 10, 2), val(8)), en(ev("b", 20, 1, own), val(14))}, true, 46.0 / 3, []Rule{RuleMarkTo20, RuleMarkOn20}},
		// 8/10 → 16, 30/40 → 15: (16×1 + 15×2) ÷ 3 = 46 ÷ 3
		{"to20 scales", Subject{}, []Entry{en(ev("a", 10, 1), val(8)), en(ev("b", 40, 2), val(30))}, true, 46.0 / 3, nil},
		// own scales: (1×8 + 1×30) ÷ (1×10 + 1×40) × 20 = 38 ÷ 50 × 20 = 15.2
		{"own scale", Subject{}, []Entry{en(ev("a", 10, 1, own), val(8)), en(ev("b", 40, 1, own), val(30))}, true, 15.2, []Rule{RuleMarkOwn}},
		// 8/10 to20: 16 weight 1; 30/40 own: 15 weight 40÷20 = 2 → 30: 46 ÷ 3
		{"to20 and own mixed", Subject{}, []Entry{en(ev("a", 10, 1), val(8)), en(ev("b", 40, 1, own), val(30))}, true, 46.0 / 3, []Rule{RuleMarkTo20, RuleMarkOwn}},
		// base (10+12)/2 = 11; optional 16 > 11 kept: 38/3
		{"optional raises", Subject{}, []Entry{on20("a", 10), on20("b", 12), on20("o", 16, optional)}, true, 38.0 / 3, []Rule{RuleOptKept}},
		// base 11; optional 9 is not above: 11
		{"optional does not raise", Subject{}, []Entry{on20("a", 10), on20("b", 12), on20("o", 9, optional)}, true, 11, []Rule{RuleSkipOptional}},
		// base 10; 18 > 10 kept → 14; 13 < 14 left out: 14
		{"optional in order", Subject{}, []Entry{on20("a", 10), on20("o1", 13, optional), on20("o2", 18, optional)}, true, 14, []Rule{RuleOptKept, RuleSkipOptional}},
		// base 10; 18 kept → 14; 15 > 14 kept → 43/3
		{"optional both kept", Subject{}, []Entry{on20("a", 10), on20("o1", 15, optional), on20("o2", 18, optional)}, true, 43.0 / 3, nil},
		// no base: 16 starts; 12 < 16 left out: 16
		{"optional without base", Subject{}, []Entry{on20("o1", 12, optional), on20("o2", 16, optional)}, true, 16, []Rule{RuleOptFirst, RuleSkipOptional}},
		// bonus 8/20: max(0, 8−10) = 0: 12
		{"bonus below half", Subject{}, []Entry{on20("a", 12), on20("b", 8, bonus)}, true, 12, []Rule{RuleBonus}},
		// bonus 16/20: 6 points: (12 + 6) ÷ 1 = 18
		{"bonus above half", Subject{}, []Entry{on20("a", 12), on20("b", 16, bonus)}, true, 18, []Rule{RuleSumBonus, RuleAddBonus}},
		// 14×2 = 28; bonus 8/10 own: 16/20, 6 × weight 0.5 = 3: 31 ÷ 2
		{"bonus own scale", Subject{}, []Entry{en(ev("a", 20, 2), val(14)), en(ev("b", 10, 1, own, bonus), val(8))}, true, 15.5, nil},
		// 19 + bonus 20/20 coef 2: 10 × 2 = 20 → 39 ÷ 1 > 20: capped
		{"bonus capped", Subject{}, []Entry{on20("a", 19), en(ev("b", 20, 2, bonus), val(20))}, true, 20, []Rule{RuleCap}},
		// the current average includes the bonus: 10 + 5 = 15; optional 12 is not above
		{"optional against bonus", Subject{}, []Entry{on20("a", 10), on20("b", 15, bonus), on20("o", 12, optional)}, true, 15, []Rule{RuleSkipOptional}},
		{"bonus only", Subject{}, []Entry{on20("b", 16, bonus)}, false, 0, []Rule{RuleNNBonus}},
		// (16 + 0) ÷ 2 = 8
		{"abs0", Subject{}, []Entry{on20("a", 16), en(ev("b", 20, 1), code(AbsentZero))}, true, 8, []Rule{RuleMarkZero}},
		// 16 weight 1; nr0 on /10 own coef 2: weight 1, 0 points: 16 ÷ 2
		{"nr0 own scale", Subject{}, []Entry{on20("a", 16), en(ev("b", 10, 2, own), code(NotHandedInZero))}, true, 8, []Rule{RuleMarkZero}},
		// abs0 alone is a real 0, not NN
		{"abs0 alone is 0", Subject{}, []Entry{en(ev("b", 20, 1), code(AbsentZero))}, true, 0, nil},
		{"formative", Subject{}, []Entry{on20("a", 14), on20("f", 4, formative)}, true, 14, []Rule{RuleSkipFormative}},
		{"coefficient 0", Subject{}, []Entry{on20("a", 14), en(ev("z", 20, 0), val(4))}, true, 14, []Rule{RuleSkipCoef0}},
		{"out of scale", Subject{}, []Entry{on20("a", 14), en(ev("x", 20, 1), val(25)), en(ev("y", 0, 1), val(0))}, true, 14, []Rule{RuleSkipInvalid}},
		{"nothing", Subject{}, nil, false, 0, []Rule{RuleNN}},
		{"only absent", Subject{}, []Entry{en(ev("a", 20, 1), code(Absent))}, false, 0, []Rule{RuleSkipCode, RuleNN}},
		{"only formative", Subject{}, []Entry{on20("f", 12, formative)}, false, 0, []Rule{RuleNN}},
		// oral 16 × 1; écrit (10+13)/2 = 11.5 × 2 = 23; other 8 × 1: 47 ÷ 4
		{"sub-subjects", oralWritten, []Entry{on20("o", 16, sub("oral")), on20("e1", 10, sub("ecrit")), on20("e2", 13, sub("ecrit")), on20("x", 8)},
			true, 11.75, []Rule{RulePartHead, RulePart}},
		// oral not graded: écrit 12 alone
		{"sub-subject NN", oralWritten, []Entry{en(ev("o", 20, 1, sub("oral")), code(Absent)), on20("e", 12, sub("ecrit"))}, true, 12, []Rule{RuleSkipPartNN}},
		{"sub-subject coefficient 0", Subject{SubSubjects: []SubSubject{{ID: "a", Coefficient: 0}, {ID: "b", Coefficient: 1}}},
			[]Entry{on20("x", 4, sub("a")), on20("y", 14, sub("b"))}, true, 14, []Rule{RuleSkipPartCoef0}},
		{"sub-subjects all NN", oralWritten, []Entry{en(ev("o", 20, 1, sub("oral")), code(Exempted))}, false, 0, []Rule{RuleNN}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := SubjectAverage(c.subject, c.entries, Settings{})
			if r.Graded != c.graded || c.graded && !near(r.Value, c.want) {
				t.Fatalf("got %v graded=%v, want %v graded=%v\n%s", r.Value, r.Graded, c.want, c.graded, strings.Join(r.Explain("en"), "\n"))
			}
			for _, rule := range c.rules {
				if !hasRule(r.Steps, rule) {
					t.Errorf("no step %s in\n%s", rule, strings.Join(r.Explain("en"), "\n"))
				}
			}
			checkLines(t, r.Steps)
		})
	}
}

// Every non-counting special mark leaves the average alone.
func TestNonCountingCodes(t *testing.T) {
	for _, c := range Codes {
		r := SubjectAverage(Subject{}, []Entry{on20("a", 14), en(ev("b", 20, 3), code(c))}, Settings{})
		want := 14.0
		if c.CountsAsZero() {
			want = 14.0 / 4
		}
		if !near(r.Value, want) {
			t.Errorf("%s: %v, want %v", c, r.Value, want)
		}
	}
}

func TestExplainFrench(t *testing.T) {
	r := SubjectAverage(Subject{}, []Entry{
		en(ev("Contrôle 1", 16, 2), val(14.5)),
		en(ev("DM", 10, 1, own), val(7)),
		en(ev("Oral", 20, 1), code(Absent)),
	}, Settings{Rounding: Rounding{Step: 0.1, Mode: Nearest}})
	// 14,5/16 → 18,125 × 2 = 36,25; 7/10 own: 14 × 0,5 = 7; 43,25 ÷ 2,5 = 17,3
	want := []string{
		"Contrôle 1 : 14,5/16 ramenée sur 20 : 14,5 × 20 ÷ 16 = 18,125 ; coefficient 2 : 18,125 × 2 = 36,25 points",
		"DM : 7/10 gardée sur son barème : 7 × 20 ÷ 10 = 14 sur 20 ; poids 1 × 10 ÷ 20 = 0,5 ; 14 × 0,5 = 7 points",
		"Oral : « abs » (absent), ne compte pas",
		"Total des points : 36,25 + 7 = 43,25",
		"Total des poids : 2 + 0,5 = 2,5",
		"Moyenne : 43,25 ÷ 2,5 = 17,3",
		"Arrondi au 0,1 le plus proche : 17,3 → 17,3",
	}
	got := r.Explain("fr")
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if r.Format("fr") != "17,3" || r.Format("en") != "17.3" {
		t.Errorf("format %q %q", r.Format("fr"), r.Format("en"))
	}
	nn := SubjectAverage(Subject{}, nil, Settings{})
	if nn.Format("fr") != "NN" {
		t.Errorf("NN formats as %q", nn.Format("fr"))
	}
	if en := r.Explain("en")[0]; en != "Contrôle 1: 14.5/16 brought back to 20: 14.5 × 20 ÷ 16 = 18.125; coefficient 2: 18.125 × 2 = 36.25 points" {
		t.Errorf("english line %q", en)
	}
}

func TestWhatIf(t *testing.T) {
	base := []Entry{on20("a", 10), on20("b", 12)}
	sim := WhatIf(base, []Entry{on20("b", 16), on20("next", 18)})
	if base[1].Mark.Value != 12 || base[1].Mark.Hypothetical {
		t.Fatal("WhatIf changed its input")
	}
	r := SubjectAverage(Subject{}, sim, Settings{})
	// (10 + 16 + 18) ÷ 3
	if !near(r.Value, 44.0/3) || !r.Hypothetical {
		t.Fatalf("what-if %v hyp=%v", r.Value, r.Hypothetical)
	}
	flagged := 0
	for _, s := range r.Steps {
		if s.Hypothetical && (s.Rule == RuleMarkOn20) {
			flagged++
		}
	}
	if flagged != 2 {
		t.Errorf("%d hypothetical mark steps, want 2", flagged)
	}
	if l := r.Explain("fr")[1]; !strings.HasSuffix(l, "(hypothétique)") {
		t.Errorf("hypothetical line %q", l)
	}
	if r0 := SubjectAverage(Subject{}, base, Settings{}); r0.Hypothetical {
		t.Error("a real average is flagged hypothetical")
	}
	// flags go up through parts and the overall average
	o := OverallAverage([]SubjectLine{{Subject: Ref{Label: "Maths"}, Coefficient: 1, Average: r}}, Settings{})
	if !o.Hypothetical {
		t.Error("overall average loses the what-if flag")
	}
}

func TestParseMark(t *testing.T) {
	good := []struct {
		in   string
		want Mark
	}{
		{"14", val(14)}, {"14,5", val(14.5)}, {"14.5", val(14.5)}, {" 0 ", val(0)}, {"20", val(20)}, {",5", val(0.5)}, {"14,25", val(14.25)},
		{"abs", code(Absent)}, {"ABS", code(Absent)}, {"Abs0", code(AbsentZero)}, {"disp", code(Exempted)}, {"NN", code(NotGraded)},
		{"inap", code(Unfit)}, {"nr", code(NotHandedIn)}, {"nr0", code(NotHandedInZero)}, {"felic", code(Congratulations)},
	}
	for _, g := range good {
		m, err := ParseMark(g.in, 20)
		if err != nil || m != g.want {
			t.Errorf("ParseMark(%q) = %v, %v", g.in, m, err)
		}
	}
	bad := []struct {
		in, scale string
		s         float64
		kind      string
		fr        string
	}{
		{"xyz", "", 20, ErrUnknownCode, "« xyz » n'est pas un code de note connu (abs, disp, nn, inap, nr, abs0, nr0, felic)."},
		{"-1", "", 20, ErrNegative, "La note -1 est négative : elle doit être entre 0 et 20."},
		{"21", "", 20, ErrAboveScale, "La note 21 dépasse le barème : elle doit être entre 0 et 20."},
		{"10,5", "", 10, ErrAboveScale, "La note 10,5 dépasse le barème : elle doit être entre 0 et 10."},
		{"14,555", "", 20, ErrDecimals, "La note 14,555 a plus de deux décimales."},
		{"", "", 20, ErrEmpty, "La note est vide : tapez une valeur ou un code."},
		{"1e1", "", 20, ErrNotANumber, "« 1e1 » n'est pas une note : tapez un nombre (14 ou 14,5) ou un code."},
		{"14,5,1", "", 20, ErrNotANumber, ""},
		{"NaN", "", 20, ErrUnknownCode, ""},
	}
	for _, b := range bad {
		_, err := ParseMark(b.in, b.s)
		ie, ok := err.(*InputError)
		if !ok || ie.Kind != b.kind {
			t.Errorf("ParseMark(%q) error %v, want kind %s", b.in, err, b.kind)
			continue
		}
		if b.fr != "" && ie.Message("fr") != b.fr {
			t.Errorf("ParseMark(%q) says %q", b.in, ie.Message("fr"))
		}
	}
	if _, err := ParseCode("abs1"); err == nil || !strings.Contains(err.Error(), "abs1") {
		t.Errorf("ParseCode(abs1) = %v", err)
	}
}

func TestValidate(t *testing.T) {
	if err := ev("a", 20, 1).Validate(); err != nil {
		t.Error(err)
	}
	for _, e := range []Evaluation{ev("a", 0, 1), ev("a", 101, 1), ev("a", 20, -1), func() Evaluation { e := ev("a", 20, 1); e.Date = "05/10/2026"; return e }()} {
		if err := e.Validate(); err == nil {
			t.Errorf("%+v is valid", e)
		}
	}
	if err := (Settings{}).Validate(); err != nil {
		t.Error(err)
	}
	for _, s := range []Settings{{Rounding: Rounding{Step: 0.2}}, {Rounding: Rounding{Mode: "half"}}, {Year: "x"}, {Overall: "x"}, {Levels: "x"},
		{LevelTable: LevelTable{5, 10, 15, 21}}} {
		if err := s.Validate(); err == nil {
			t.Errorf("%+v is valid", s)
		}
	}
	if msg := (&InputError{Kind: ErrScale, Input: "120.5"}).Message("fr"); msg != "Le barème 120,5 doit être plus grand que 0 et au plus 100." {
		t.Errorf("scale message %q", msg)
	}
}
