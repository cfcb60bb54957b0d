package averages

import (
	"math"
	"testing"
)

// ev builds an evaluation on its scale with its coefficient, brought back
// to /20 unless an option says otherwise.
func ev(id string, scale, coef float64, opts ...func(*Evaluation)) Evaluation {
	e := Evaluation{ID: id, Title: id, Date: "2026-10-05", Scale: scale, Coefficient: coef, To20: true}
	for _, o := range opts {
		o(&e)
	}
	return e
}

func own(e *Evaluation)       { e.To20 = false }
func formative(e *Evaluation) { e.Formative = true }
func bonus(e *Evaluation)     { e.Bonus = true }
func optional(e *Evaluation)  { e.Optional = true }
func sub(id string) func(*Evaluation) {
	return func(e *Evaluation) { e.SubSubject = id }
}

func val(v float64) Mark { return Mark{Value: v} }
func code(c Code) Mark   { return Mark{Code: c} }

func en(e Evaluation, m Mark) Entry { return Entry{Eval: e, Mark: m} }

// on20 is an entry of a mark out of 20, coefficient 1.
func on20(id string, v float64, opts ...func(*Evaluation)) Entry {
	return en(ev(id, 20, 1, opts...), val(v))
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func hasRule(steps []Step, r Rule) bool {
	for _, s := range steps {
		if s.Rule == r {
			return true
		}
	}
	return false
}

// checkLines fails when a rendered step misses its text or a placeholder.
func checkLines(t *testing.T, steps []Step) {
	t.Helper()
	for _, lang := range []string{"fr", "en"} {
		for i, l := range Explain(lang, steps) {
			if l == "" || containsAny(l, "{", "}", "avg.") {
				t.Errorf("%s step %d (%s) renders badly: %q", lang, i, steps[i].Rule, l)
			}
		}
	}
}

func containsAny(s string, subs ...string) bool {
	for _, x := range subs {
		for i := 0; i+len(x) <= len(s); i++ {
			if s[i:i+len(x)] == x {
				return true
			}
		}
	}
	return false
}
