package averages

import (
	"math"
	"sort"
)

// SubjectAverage is a student's average in a subject over the entries
// given (a period's, or any set), rounded by the settings.
//
// The rules, in order (docs/grades.md):
//   - formative evaluations, zero coefficients and special marks other
//     than abs0 and nr0 do not count (abs0 and nr0 count as 0);
//   - a mark brought back to /20 weighs its coefficient; a mark kept on
//     its own scale weighs coefficient × scale ÷ 20; each adds mark/20 ×
//     weight to the points;
//   - bonus marks add weight × max(0, mark/20 − 10) to the points only;
//   - optional marks, best first, count while each is strictly above the
//     average so far, bonus points included (with no other mark, the best
//     one starts it): this gives the best average of all the choices;
//   - average = points ÷ weights, capped at 20; NN when no weight counts;
//   - with sub-subjects, the average is the coefficient-weighted mean of
//     the graded sub-subjects' averages, the evaluations without one
//     forming a part of their own, coefficient 1.
func SubjectAverage(s Subject, entries []Entry, set Settings) Result {
	res := subject(s, entries, 0)
	set.Rounding.round(&res)
	return res
}

func subject(s Subject, entries []Entry, depth int) Result {
	if len(s.SubSubjects) == 0 {
		return flat(entries, depth)
	}
	parts := make([][]Entry, len(s.SubSubjects)+1) // the last: no sub-subject
	index := make(map[string]int, len(s.SubSubjects))
	for i, ss := range s.SubSubjects {
		index[ss.ID] = i
	}
	for _, e := range entries {
		i, ok := index[e.Eval.SubSubject]
		if !ok || e.Eval.SubSubject == "" {
			i = len(s.SubSubjects)
		}
		parts[i] = append(parts[i], e)
	}
	var a acc
	for i, part := range parts {
		if len(part) == 0 {
			continue
		}
		ref, coef := Ref{Kind: RefSubSubject}, 1.0
		if i < len(s.SubSubjects) {
			ss := s.SubSubjects[i]
			ref, coef = Ref{Kind: RefSubSubject, ID: ss.ID, Label: ss.Label}, ss.Coefficient
		}
		r := flat(part, depth+1)
		a.res.Hypothetical = a.res.Hypothetical || r.Hypothetical
		a.step(Step{Rule: RulePartHead, Depth: depth, Ref: ref, Operands: []float64{coef}, Hypothetical: r.Hypothetical})
		a.res.Steps = append(a.res.Steps, r.Steps...)
		a.res.Capped = a.res.Capped || r.Capped
		switch {
		case !(coef > 0):
			a.step(Step{Rule: RuleSkipPartCoef0, Depth: depth, Ref: ref, Skipped: true, Hypothetical: r.Hypothetical})
		case !r.Graded:
			a.step(Step{Rule: RuleSkipPartNN, Depth: depth, Ref: ref, Skipped: true, Hypothetical: r.Hypothetical})
		default:
			a.step(Step{Rule: RulePart, Depth: depth, Ref: ref, Operands: []float64{r.Value, coef}, Result: r.Value * coef, Hypothetical: r.Hypothetical})
			a.add(r.Value*coef, coef)
		}
	}
	a.weighted(depth)
	return a.res
}

// counted is a mark that may count, brought back to /20 with its weight.
type counted struct {
	entry          Entry
	ref            Ref
	mark20, weight float64
	product        float64 // mark20 × weight
	hyp            bool
}

// valid reports whether an evaluation and its mark can be computed on.
func valid(e Entry) bool {
	ev, m := e.Eval, e.Mark
	return ev.Scale > 0 && ev.Scale <= 100 && ev.Coefficient >= 0 && !math.IsInf(ev.Coefficient, 0) &&
		(m.Code != "" || m.Value >= 0 && m.Value <= ev.Scale)
}

// markStep is the step that turns a counted mark into points.
func (c counted) step(depth int) Step {
	ev := c.entry.Eval
	if ev.To20 || ev.Scale == 20 {
		rule := RuleMarkTo20
		if ev.Scale == 20 {
			rule = RuleMarkOn20 // nothing to bring back; the weight is the coefficient either way
		}
		return Step{Rule: rule, Depth: depth, Ref: c.ref, Code: c.entry.Mark.Code,
			Operands: []float64{c.entry.Mark.Value, ev.Scale, c.mark20, ev.Coefficient}, Result: c.product, Hypothetical: c.hyp}
	}
	return Step{Rule: RuleMarkOwn, Depth: depth, Ref: c.ref, Code: c.entry.Mark.Code,
		Operands: []float64{c.entry.Mark.Value, ev.Scale, c.mark20, ev.Coefficient, c.weight}, Result: c.product, Hypothetical: c.hyp}
}

// flat is the average of marks without sub-subjects, unrounded.
func flat(entries []Entry, depth int) Result {
	var a acc
	var optional []counted
	var bonus []float64
	for _, e := range entries {
		ev, m := e.Eval, e.Mark
		c := counted{entry: e, ref: Ref{Kind: RefEvaluation, ID: ev.ID, Label: ev.label()}, hyp: e.Hypothetical()}
		a.res.Hypothetical = a.res.Hypothetical || c.hyp
		skip := Rule("")
		switch {
		case !valid(e):
			skip = RuleSkipInvalid
		case ev.Formative:
			skip = RuleSkipFormative
		case ev.Coefficient == 0:
			skip = RuleSkipCoef0
		case m.Code != "" && !m.Code.CountsAsZero():
			skip = RuleSkipCode
		}
		if skip != "" {
			a.step(Step{Rule: skip, Depth: depth, Ref: c.ref, Code: m.Code, Skipped: true, Hypothetical: c.hyp})
			continue
		}
		if m.Code != "" {
			c.entry.Mark.Value = 0
			a.step(Step{Rule: RuleMarkZero, Depth: depth, Ref: c.ref, Code: m.Code, Hypothetical: c.hyp})
		}
		v := c.entry.Mark.Value
		c.mark20 = v * 20 / ev.Scale
		if ev.To20 {
			c.weight = ev.Coefficient
			c.product = c.mark20 * ev.Coefficient
		} else {
			c.weight = ev.Coefficient * ev.Scale / 20
			c.product = ev.Coefficient * v // = mark20 × weight, with less float error
		}
		switch {
		case ev.Bonus:
			excess := math.Max(0, c.mark20-10)
			added := c.weight * excess
			bonus = append(bonus, added)
			a.step(Step{Rule: RuleBonus, Depth: depth, Ref: c.ref, Code: m.Code,
				Operands: []float64{v, ev.Scale, c.mark20, excess, c.weight}, Result: added, Hypothetical: c.hyp})
		case ev.Optional:
			optional = append(optional, c)
		default:
			a.step(c.step(depth))
			a.add(c.product, c.weight)
		}
	}
	var b float64 // the bonus points
	for _, x := range bonus {
		b += x
	}
	// The best optional marks first: each raises the average while it is
	// above it, and once one does not, no lower one can. The average so
	// far includes the bonus points, so that an optional mark never
	// lowers the result.
	sort.SliceStable(optional, func(i, j int) bool { return optional[i].mark20 > optional[j].mark20 })
	for _, c := range optional {
		current := (a.p + b) / a.w
		switch {
		case a.w == 0:
			a.step(Step{Rule: RuleOptFirst, Depth: depth, Ref: c.ref, Operands: []float64{c.mark20}, Hypothetical: c.hyp})
		case c.mark20 > current:
			a.step(Step{Rule: RuleOptKept, Depth: depth, Ref: c.ref, Operands: []float64{c.mark20, current}, Hypothetical: c.hyp})
		default:
			a.step(Step{Rule: RuleSkipOptional, Depth: depth, Ref: c.ref, Operands: []float64{c.mark20, current}, Skipped: true, Hypothetical: c.hyp})
			continue
		}
		a.step(c.step(depth))
		a.add(c.product, c.weight)
	}
	if a.w <= 0 {
		rule := RuleNN
		if len(bonus) > 0 {
			rule = RuleNNBonus
		}
		a.step(Step{Rule: rule, Depth: depth, Hypothetical: a.res.Hypothetical})
		return a.res
	}
	if len(bonus) == 0 {
		a.weighted(depth)
	} else {
		hyp := a.res.Hypothetical
		a.step(Step{Rule: RuleSumPoints, Depth: depth, Operands: a.points, Result: a.p})
		a.step(Step{Rule: RuleSumBonus, Depth: depth, Operands: bonus, Result: b})
		a.step(Step{Rule: RuleAddBonus, Depth: depth, Operands: []float64{a.p, b}, Result: a.p + b})
		a.step(Step{Rule: RuleSumWeights, Depth: depth, Operands: a.weights, Result: a.w})
		a.res.Value, a.res.Graded = (a.p+b)/a.w, true
		a.step(Step{Rule: RuleDivide, Depth: depth, Operands: []float64{a.p + b, a.w}, Result: a.res.Value, Hypothetical: hyp})
	}
	if a.res.Value > 20 {
		a.step(Step{Rule: RuleCap, Depth: depth, Operands: []float64{a.res.Value}, Result: 20, Hypothetical: a.res.Hypothetical})
		a.res.Value, a.res.Capped = 20, true
	}
	return a.res
}
