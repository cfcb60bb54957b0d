package averages

import (
	"fmt"
	"math"
	"math/rand"
	"testing"
)

// gen draws random evaluations and marks, seeded so that a failure
// repeats.
type gen struct{ r *rand.Rand }

func (g gen) scale() float64 {
	return []float64{5, 10, 20, 20, 40, 100, float64(1 + g.r.Intn(100))}[g.r.Intn(7)]
}

// value is a mark with at most two decimals on the scale.
func (g gen) value(scale float64) float64 {
	return math.Floor(g.r.Float64()*scale*100) / 100
}

func (g gen) entry(i int, withBonus bool) Entry {
	s := g.scale()
	e := ev(fmt.Sprint("e", i), s, []float64{0, 0.5, 1, 1, 2, 3}[g.r.Intn(6)])
	e.To20 = g.r.Intn(2) == 0
	switch p := g.r.Intn(20); {
	case p < 2:
		e.Formative = true
	case p < 5:
		e.Optional = true
	case p < 7 && withBonus:
		e.Bonus = true
	}
	m := val(g.value(s))
	if g.r.Intn(10) == 0 {
		m = code(Codes[g.r.Intn(len(Codes))])
	}
	return en(e, m)
}

func (g gen) entries(withBonus bool) []Entry {
	out := make([]Entry, g.r.Intn(12))
	for i := range out {
		out[i] = g.entry(i, withBonus)
	}
	return out
}

const rounds = 5000

func avg(entries []Entry) Result { return SubjectAverage(Subject{}, entries, Settings{}) }

func TestPropertyOptionalNeverLowers(t *testing.T) {
	g := gen{rand.New(rand.NewSource(1))}
	for i := 0; i < rounds; i++ {
		es := g.entries(true)
		o := g.entry(99, false)
		o.Eval.Optional, o.Eval.Formative, o.Mark = true, false, val(g.value(o.Eval.Scale))
		before, after := avg(es), avg(append(es, o))
		if before.Graded && after.Value < before.Value-1e-9 {
			t.Fatalf("optional %+v lowers %v to %v", o, before.Value, after.Value)
		}
	}
}

func TestPropertyBonusNeverLowers(t *testing.T) {
	g := gen{rand.New(rand.NewSource(2))}
	for i := 0; i < rounds; i++ {
		es := g.entries(true)
		b := g.entry(99, false)
		b.Eval.Bonus, b.Eval.Optional, b.Eval.Formative = true, false, false
		before, after := avg(es), avg(append(es, b))
		if before.Graded != after.Graded || before.Graded && after.Value < before.Value-1e-9 {
			t.Fatalf("bonus %+v lowers %v to %v", b, before.Value, after.Value)
		}
	}
}

// Multiplying marks and their scales by a factor changes nothing: any
// factor per evaluation brought back to /20, one common factor when every
// mark is kept on its own scale. (Mixed, it would change the weights of
// the marks kept on their scale against the others: a mark kept on /40
// weighs twice one on /20, by the rule.)
func TestPropertyScaleInvariance(t *testing.T) {
	g := gen{rand.New(rand.NewSource(3))}
	for i := 0; i < rounds; i++ {
		es := g.entries(true)
		to20 := i%2 == 0
		k := 1 + g.r.Float64()*3
		scaled := make([]Entry, len(es))
		for j, e := range es {
			e.Eval.To20 = to20
			e.Eval.Scale = math.Min(e.Eval.Scale, 25)
			e.Mark.Value = math.Min(e.Mark.Value, e.Eval.Scale)
			es[j] = e
			if to20 {
				k = 1 + g.r.Float64()*3
			}
			e.Eval.Scale *= k
			e.Mark.Value *= k
			scaled[j] = e
		}
		a, b := avg(es), avg(scaled)
		if a.Graded != b.Graded || math.Abs(a.Value-b.Value) > 1e-9 {
			t.Fatalf("to20=%v: ×%v changes %v to %v", to20, k, a.Value, b.Value)
		}
	}
}

func TestPropertyWithinCountedMarks(t *testing.T) {
	g := gen{rand.New(rand.NewSource(4))}
	for i := 0; i < rounds; i++ {
		es := g.entries(false)
		r := avg(es)
		if !r.Graded {
			continue
		}
		lo, hi := math.Inf(1), math.Inf(-1)
		for _, s := range r.Steps {
			if s.Rule == RuleMarkTo20 || s.Rule == RuleMarkOn20 || s.Rule == RuleMarkOwn {
				lo, hi = math.Min(lo, s.Operands[2]), math.Max(hi, s.Operands[2])
			}
		}
		if r.Value < lo-1e-9 || r.Value > hi+1e-9 {
			t.Fatalf("%v outside [%v, %v]", r.Value, lo, hi)
		}
	}
}

func TestPropertyNonCountingChangesNothing(t *testing.T) {
	g := gen{rand.New(rand.NewSource(5))}
	for i := 0; i < rounds; i++ {
		es := g.entries(true)
		e := g.entry(99, false)
		e.Mark = code([]Code{Absent, Exempted, NotGraded, Unfit, NotHandedIn, Congratulations}[g.r.Intn(6)])
		before, after := avg(es), avg(append(es, e))
		if before.Graded != after.Graded || before.Value != after.Value {
			t.Fatalf("%s changes %v to %v", e.Mark.Code, before.Value, after.Value)
		}
	}
}

// The optional marks kept give the best average of all the choices.
func TestPropertyOptionalIsTheMaximum(t *testing.T) {
	g := gen{rand.New(rand.NewSource(6))}
	for i := 0; i < rounds/5; i++ {
		var fixed, opts []Entry
		for _, e := range g.entries(true) {
			if e.Eval.Optional {
				opts = append(opts, e)
			} else {
				fixed = append(fixed, e)
			}
		}
		best, graded := 0.0, false
		for set := 0; set < 1<<len(opts); set++ {
			es := append([]Entry(nil), fixed...)
			for j, o := range opts {
				if set&(1<<j) != 0 {
					o.Eval.Optional = false
					es = append(es, o)
				}
			}
			if r := avg(es); r.Graded && (!graded || r.Value > best) {
				best, graded = r.Value, true
			}
		}
		r := avg(append(fixed, opts...))
		if r.Graded != graded || math.Abs(r.Value-best) > 1e-9 {
			t.Fatalf("optional marks give %v (graded %v), best choice %v (graded %v)", r.Value, r.Graded, best, graded)
		}
	}
}

func BenchmarkClassSubject(b *testing.B) {
	g := gen{rand.New(rand.NewSource(7))}
	evals := make([]Evaluation, 40)
	for i := range evals {
		evals[i] = g.entry(i, true).Eval
	}
	students := make([]StudentMarks, 30)
	for i := range students {
		m := make(map[string]Mark, len(evals))
		for _, e := range evals {
			m[e.ID] = val(g.value(e.Scale))
			if g.r.Intn(15) == 0 {
				m[e.ID] = code(Codes[g.r.Intn(len(Codes))])
			}
		}
		students[i] = StudentMarks{Student: fmt.Sprint("s", i), Marks: m}
	}
	set := Settings{Rounding: Rounding{Step: 0.1, Mode: Up}}
	b.ReportAllocs()
	for b.Loop() {
		c := ClassSubject(Subject{}, evals, students, set)
		if len(c.Averages) != 30 || c.Subject.Count == 0 {
			b.Fatal("no averages")
		}
	}
}
