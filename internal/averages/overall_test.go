package averages

import (
	"go/ast"
	"go/parser"
	"go/token"
	"strings"
	"testing"

	"cartable/internal/i18n"
)

func graded(v float64) Result { return Result{Value: v, Graded: true} }

func line(label string, coef float64, r Result) SubjectLine {
	return SubjectLine{Subject: Ref{ID: label, Label: label}, Coefficient: coef, Average: r}
}

func TestOverallAverage(t *testing.T) {
	lines := []SubjectLine{line("Maths", 3, graded(14)), line("Français", 2, graded(11)), line("Musique", 1, Result{}), line("Latin", 0, graded(4))}
	// (14×3 + 11×2) ÷ (3 + 2) = 64 ÷ 5 = 12.8; Musique NN, Latin coefficient 0
	w := OverallAverage(lines, Settings{})
	if !w.Graded || !near(w.Value, 12.8) || !hasRule(w.Steps, RuleSkipSubjectNN) || !hasRule(w.Steps, RuleSkipSubjectCoef0) {
		t.Errorf("weighted %v\n%s", w.Value, strings.Join(w.Explain("en"), "\n"))
	}
	// (14 + 11 + 4) ÷ 3: the plain mean ignores coefficients, skips NN
	m := OverallAverage(lines, Settings{Overall: OverallMean})
	if !near(m.Value, 29.0/3) || !hasRule(m.Steps, RuleDivideCount) {
		t.Errorf("mean %v", m.Value)
	}
	checkLines(t, w.Steps)
	checkLines(t, m.Steps)
	if n := OverallAverage([]SubjectLine{line("Musique", 1, Result{})}, Settings{}); n.Graded {
		t.Error("overall of NN subjects is graded")
	}
	// unrounded subject averages are used: 12.345 and 12.345 → 12.345, shown 12.35
	u := OverallAverage([]SubjectLine{line("A", 1, Result{Value: 12.345, Rounded: 12.3, Graded: true})}, Settings{})
	if !near(u.Value, 12.345) || u.Rounded != 12.35 {
		t.Errorf("overall uses %v → %v", u.Value, u.Rounded)
	}
}

func TestYearAverage(t *testing.T) {
	periods := []Period{
		{ID: "t1", Label: "Trimestre 1", Entries: []Entry{on20("a", 12)}},
		{ID: "t2", Label: "Trimestre 2", Entries: []Entry{on20("b", 15), on20("c", 13)}},
		{ID: "t3", Label: "Trimestre 3", Entries: []Entry{en(ev("d", 20, 1), code(Absent))}},
	}
	// periods: T1 12, T2 14, T3 NN: (12 + 14) ÷ 2 = 13
	p := YearAverage(Subject{}, periods, Settings{})
	if !near(p.Value, 13) || !hasRule(p.Steps, RuleSkipPeriodNN) || !hasRule(p.Steps, RulePeriod) {
		t.Errorf("year of periods %v\n%s", p.Value, strings.Join(p.Explain("fr"), "\n"))
	}
	// marks: (12 + 15 + 13) ÷ 3 = 40 ÷ 3
	m := YearAverage(Subject{}, periods, Settings{Year: YearOfMarks})
	if !near(m.Value, 40.0/3) || m.Steps[0].Rule != RuleYearMarks || m.Rounded != 13.33 {
		t.Errorf("year of marks %v %v", m.Value, m.Rounded)
	}
	checkLines(t, p.Steps)
	checkLines(t, m.Steps)
	// the period's steps are indented under it
	if l := p.Explain("fr")[1]; !strings.HasPrefix(l, "    a : 12/20") {
		t.Errorf("indented line %q", l)
	}
	if n := YearAverage(Subject{}, periods[2:], Settings{}); n.Graded {
		t.Error("a year of NN periods is graded")
	}
}

func TestBrevet(t *testing.T) {
	lines := []SubjectLine{line("Français", 4, graded(12)), line("Maths", 4, graded(15)), line("EPS", 2, Result{}), line("Musique", 1, graded(9))}
	// (12 + 15 + 9) ÷ 3 = 12, coefficients ignored, EPS NN skipped
	b := BrevetAverage(lines, Settings{Overall: OverallWeighted})
	if !near(b.Value, 12) || b.Steps[0].Rule != RuleBrevet || !hasRule(b.Steps, RuleSkipSubjectNN) {
		t.Errorf("brevet %v\n%s", b.Value, strings.Join(b.Explain("fr"), "\n"))
	}
	checkLines(t, b.Steps)
}

func TestRounding(t *testing.T) {
	cases := []struct {
		x    float64
		step float64
		mode RoundMode
		want float64
	}{
		{14.45, 0.1, Nearest, 14.5}, // 14.45 is 14.4499999… in binary
		{14.449, 0.1, Nearest, 14.4},
		{14.35, 0.1, Nearest, 14.4},
		{2.675, 0.01, Nearest, 2.68}, // 2.67499999… in binary
		{14.125, 0.01, Nearest, 14.13},
		{14.005, 0.01, Nearest, 14.01},
		{12.000000001, 0.1, Up, 12.0},
		{12.01, 0.1, Up, 12.1},
		{12.0, 0.1, Up, 12.0},
		{14.3, 0.1, Down, 14.3}, // 14.3 / 0.1 is 142.99999…
		{14.99, 0.1, Down, 14.9},
		{14.999999999, 0.1, Down, 15.0},
		{14.25, 0.5, Nearest, 14.5},
		{14.24, 0.5, Nearest, 14.0},
		{14.1, 0.5, Up, 14.5},
		{14.4, 0.5, Down, 14.0},
		{14.5, 1, Nearest, 15},
		{14.49, 1, Nearest, 14},
		{14.01, 1, Up, 15},
		{14.99, 1, Down, 14},
		{0, 0.1, Up, 0},
		{20, 0.01, Nearest, 20},
		{16.66666666666, 0.01, Nearest, 16.67},
		{16.66666666666, 0.01, Down, 16.66},
	}
	for _, c := range cases {
		if got := (Rounding{Step: c.step, Mode: c.mode}).Apply(c.x); got != c.want {
			t.Errorf("%v to %v %s = %v, want %v", c.x, c.step, c.mode, got, c.want)
		}
	}
	// an average that lands on 13.45 by float arithmetic: (12.9 + 14) ÷ 2
	r := SubjectAverage(Subject{}, []Entry{on20("a", 12.9), on20("b", 14)}, Settings{Rounding: Rounding{Step: 0.1, Mode: Nearest}})
	if r.Rounded != 13.5 || r.Format("fr") != "13,5" {
		t.Errorf("13.45 rounds to %v (%s)", r.Rounded, r.Format("fr"))
	}
	// the open ENT's rule: up to the tenth; 1/3 of 40 = 13.333… → 13.4
	r = SubjectAverage(Subject{}, []Entry{on20("a", 12), on20("b", 14), on20("c", 14)}, Settings{Rounding: Rounding{Step: 0.1, Mode: Up}})
	if r.Rounded != 13.4 || r.Steps[len(r.Steps)-1].Rule != RuleRoundUp {
		t.Errorf("up to the tenth: %v", r.Rounded)
	}
	if l := r.Explain("fr")[len(r.Steps)-1]; l != "Arrondi au 0,1 supérieur : 13,3333 → 13,4" {
		t.Errorf("rounding line %q", l)
	}
	r = SubjectAverage(Subject{}, []Entry{on20("a", 12)}, Settings{Rounding: Rounding{Step: 1, Mode: Down}})
	if r.Format("en") != "12" {
		t.Errorf("whole-point format %q", r.Format("en"))
	}
	r = SubjectAverage(Subject{}, []Entry{on20("a", 12)}, Settings{})
	if r.Format("fr") != "12,00" {
		t.Errorf("default format %q", r.Format("fr"))
	}
}

func TestStats(t *testing.T) {
	// counted: 12, 15, 0 (abs0), 18; abs left out. Even count: median (12+15)/2
	s := EvaluationStats([]Mark{val(12), val(15), code(Absent), code(AbsentZero), val(18)})
	if s.Count != 4 || !near(s.Mean, 11.25) || s.Min != 0 || s.Max != 18 || s.Median != 13.5 {
		t.Errorf("even stats %+v", s)
	}
	// odd count: median the middle one; on the evaluation's scale (out of 40)
	s = EvaluationStats([]Mark{val(30), val(12), val(36)})
	if s.Count != 3 || s.Mean != 26 || s.Min != 12 || s.Max != 36 || s.Median != 30 {
		t.Errorf("odd stats %+v", s)
	}
	if s := EvaluationStats([]Mark{code(Exempted)}); s.Count != 0 {
		t.Errorf("stats of nothing %+v", s)
	}
	// NN students left out: 10, 14, 12 → mean 12, median 12
	ss := SubjectStats([]Result{graded(10), graded(14), {}, graded(12)})
	if ss.Count != 3 || ss.Mean != 12 || ss.Median != 12 || ss.Min != 10 || ss.Max != 14 {
		t.Errorf("subject stats %+v", ss)
	}
	if r := (Stats{Mean: 12.345, Min: 1, Max: 2, Median: 3.14159}).Round(Rounding{Step: 0.1, Mode: Nearest}); r.Mean != 12.3 || r.Median != 3.1 {
		t.Errorf("rounded stats %+v", r)
	}
}

func TestClassSubject(t *testing.T) {
	evals := []Evaluation{ev("a", 20, 1), ev("b", 10, 2)}
	students := []StudentMarks{
		{Student: "s1", Marks: map[string]Mark{"a": val(10), "b": val(5)}},  // (10 + 10×2) ÷ 3 = 10
		{Student: "s2", Marks: map[string]Mark{"a": val(16)}},               // 16
		{Student: "s3", Marks: map[string]Mark{"a": code(Absent)}},          // NN
		{Student: "s4", Marks: map[string]Mark{"a": val(13), "b": val(10)}}, // (13 + 20×2) ÷ 3 = 53/3
	}
	c := ClassSubject(Subject{}, evals, students, Settings{})
	if !near(c.Averages[0].Value, 10) || c.Averages[1].Value != 16 || c.Averages[2].Graded || !near(c.Averages[3].Value, 53.0/3) {
		t.Errorf("averages %+v", c.Averages)
	}
	if e := c.Evaluations[0]; e.Count != 3 || e.Median != 13 || e.Mean != 13 {
		t.Errorf("evaluation a %+v", e)
	}
	if e := c.Evaluations[1]; e.Count != 2 || e.Median != 7.5 || e.Max != 10 {
		t.Errorf("evaluation b (on its scale) %+v", e)
	}
	// 10, 16, 53/3: mean (10 + 16 + 53/3) ÷ 3 = 131/9
	if s := c.Subject; s.Count != 3 || s.Min != 10 || !near(s.Max, 53.0/3) || s.Median != 16 || !near(s.Mean, 131.0/9) {
		t.Errorf("subject stats %+v", s)
	}
}

func TestSubjectLevel(t *testing.T) {
	as := func(levels ...Level) []Assessment {
		out := make([]Assessment, len(levels))
		for i, l := range levels {
			out[i] = Assessment{Ref: Ref{ID: "i", Label: "Item"}, Level: l}
		}
		return out
	}
	cases := []struct {
		levels   []Level
		mode     LevelMode
		want     Level
		assessed bool
	}{
		{[]Level{2, 3, 3, Exempt}, LevelsMean, 3, true}, // 8 ÷ 3 = 2.67 → 3
		{[]Level{2, 3}, LevelsMean, 3, true},            // 2.5 → 3 (half up)
		{[]Level{1, 2}, LevelsMean, 2, true},            // 1.5 → 2
		{[]Level{1, 1, 2}, LevelsMean, 1, true},         // 1.33 → 1
		{[]Level{1, 2, 4}, LevelsHighest, 4, true},
		{[]Level{Exempt, Exempt}, LevelsMean, Exempt, true},
		{nil, LevelsMean, 0, false},
	}
	for _, c := range cases {
		r := SubjectLevel(as(c.levels...), Settings{Levels: c.mode})
		if r.Level != c.want || r.Assessed != c.assessed {
			t.Errorf("%v %s: %v assessed=%v", c.levels, c.mode, r.Level, r.Assessed)
		}
		checkLines(t, r.Steps)
	}
	r := SubjectLevel(as(2, 3, 3), Settings{})
	if l := r.Explain("fr")[3]; l != "Moyenne des niveaux : 8 ÷ 3 = 2,6667, arrondie au niveau le plus proche : 3 (maîtrise satisfaisante)" {
		t.Errorf("level line %q", l)
	}
	if m, ok := (LevelTable{}).Mark(Satisfactory); !ok || m != 15 {
		t.Errorf("default table: 3 → %v", m)
	}
	if m, ok := (LevelTable{4, 8, 14, 20}).Mark(Satisfactory); !ok || m != 14 {
		t.Errorf("custom table: 3 → %v", m)
	}
	if _, ok := (LevelTable{}).Mark(Exempt); ok {
		t.Error("exempt has a mark")
	}
}

// Every rule renders in both languages, and every step key is a rule.
func TestEveryRuleHasItsText(t *testing.T) {
	rules := map[Rule]bool{}
	for _, r := range Rules {
		rules[r] = true
	}
	// Rules holds every constant of type Rule.
	f, err := parser.ParseFile(token.NewFileSet(), "result.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range f.Decls {
		if g, ok := d.(*ast.GenDecl); ok && g.Tok == token.CONST {
			for _, sp := range g.Specs {
				v := sp.(*ast.ValueSpec)
				if id, ok := v.Type.(*ast.Ident); ok && id.Name == "Rule" {
					lit := v.Values[0].(*ast.BasicLit).Value
					if !rules[Rule(strings.Trim(lit, `"`))] {
						t.Errorf("Rules lacks %s", v.Names[0].Name)
					}
				}
			}
		}
	}
	for _, lang := range i18n.Languages {
		keys := map[string]bool{}
		for _, k := range i18n.Keys(lang) {
			keys[k] = true
			if strings.HasPrefix(k, "avg.step.") && !rules[Rule(strings.TrimPrefix(k, "avg.step."))] {
				t.Errorf("%s: key %s is no rule", lang, k)
			}
		}
		for r := range rules {
			if !keys["avg.step."+string(r)] {
				t.Errorf("%s: no text for rule %s", lang, r)
			}
		}
		for _, c := range Codes {
			if !keys["avg.code."+string(c)] {
				t.Errorf("%s: no name for code %s", lang, c)
			}
		}
	}
}
