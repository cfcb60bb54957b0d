package grades

// The what-if simulation: a student's subject page recomputed with
// hypothetical marks (changed or added). It reads like StudentResults
// and writes nothing anywhere: no table, no log of the values typed; the
// result lives in the response only.

import (
	"context"
	"errors"
	"math"
	"strconv"
	"strings"

	"cartable/internal/access"
	"cartable/internal/averages"
	"cartable/internal/check"
)

// MaxHypothetical is how many hypothetical marks a simulation adds.
const MaxHypothetical = 5

// Hypothesis is what was typed in the simulation form.
type Hypothesis struct {
	// Changed: evaluation ID → the mark typed instead of the real one
	// ("" : unchanged).
	Changed map[string]string
	// Added: hypothetical marks of new evaluations.
	Added []Added
}

// Added is one hypothetical mark as typed.
type Added struct {
	Value, Scale, Coefficient string
	Label                     string // how the pages and the steps name it ("Note ajoutée 1")
}

// Simulation is a what-if result: the subject's average and the overall
// average as they would be, next to the real ones.
type Simulation struct {
	Results *Results        // the real results
	Subject *SubjectResults // the subject as simulated (hypothetical rows flagged)
	Real    averages.Result // the subject's real average
	Overall averages.Result // the overall average as simulated
}

// Problem fields of a simulation: "mark-<evaluation>", "value-<n>",
// "scale-<n>", "coef-<n>" (n from 1); codes are the engine's InputError
// kinds; Value is what was typed and N the scale, for "above".

// Simulate recomputes a student's subject for a period with the
// hypotheses, for whoever may read the student's results. Bad input is a
// check.Problems error naming each field; nothing is ever stored.
func (s *Service) Simulate(ctx context.Context, v *access.Viewer, student, subject, period string, h Hypothesis) (*Simulation, error) {
	if period == YearPeriod {
		return nil, check.Problems{{Field: "period", Code: "year"}}.Err()
	}
	res, err := s.StudentResults(ctx, v, student, period)
	if err != nil {
		return nil, err
	}
	sr, ok := res.Subject(subject)
	if !ok {
		return nil, access.Refuse(access.ReadGrades, access.Resource{Kind: "subject", ID: subject}, "no evaluation of the subject in the student's results")
	}
	changes, err := parseHypothesis(sr, h)
	if err != nil {
		return nil, err
	}
	sim := &Simulation{Results: res, Real: sr.Average}
	copyOf := *sr
	copyOf.Evaluations = append([]EvaluationResult(nil), sr.Evaluations...)
	entries := averages.WhatIf(sr.entries, changes)
	copyOf.Average = averages.SubjectAverage(sr.subject, entries, res.Settings)
	for i, e := range copyOf.Evaluations {
		for _, c := range changes {
			if c.Eval.ID == e.ID {
				copyOf.Evaluations[i].Marked, copyOf.Evaluations[i].Value, copyOf.Evaluations[i].Code = true, c.Mark.Value, c.Mark.Code
				copyOf.Evaluations[i].Hypothetical = true
			}
		}
	}
	for _, c := range changes {
		if c.Eval.Hypothetical { // an added one (a change keeps its real evaluation)
			copyOf.Evaluations = append(copyOf.Evaluations, EvaluationResult{ID: c.Eval.ID, Title: c.Eval.Title, HeldOn: c.Eval.Date,
				Scale: c.Eval.Scale, Coefficient: c.Eval.Coefficient, To20: true, Published: true, Marked: true,
				Value: c.Mark.Value, Code: c.Mark.Code, Hypothetical: true})
		}
	}
	sim.Subject = &copyOf
	var lines []averages.SubjectLine
	for i := range res.Subjects {
		l := &res.Subjects[i]
		avg := l.Average
		if l.ID == subject {
			avg = copyOf.Average
		}
		lines = append(lines, averages.SubjectLine{Subject: averages.Ref{Kind: averages.RefSubject, ID: l.ID, Label: l.Name},
			Coefficient: l.Coefficient, Average: avg})
	}
	sim.Overall = averages.OverallAverage(lines, res.Settings)
	return sim, nil
}

// parseHypothesis reads the form against the subject's evaluations.
func parseHypothesis(sr *SubjectResults, h Hypothesis) ([]averages.Entry, error) {
	var ps check.Problems
	var out []averages.Entry
	bad := func(field string, err error) {
		var ie *averages.InputError
		if errors.As(err, &ie) {
			ps = append(ps, check.Problem{Field: field, Code: ie.Kind, Value: ie.Input, N: int(math.Round(ie.Scale))})
			return
		}
		ps = append(ps, check.Problem{Field: field, Code: averages.ErrNotANumber})
	}
	byID := map[string]averages.Entry{}
	for _, e := range sr.entries {
		byID[e.Eval.ID] = e
	}
	for _, e := range sr.Evaluations {
		typed := strings.TrimSpace(h.Changed[e.ID])
		if typed == "" {
			continue
		}
		m, err := averages.ParseMark(typed, e.Scale)
		if err != nil {
			bad("mark-"+e.ID, err)
			continue
		}
		entry, ok := byID[e.ID]
		if !ok { // the student had no mark: the evaluation itself is real
			entry.Eval = averages.Evaluation{ID: e.ID, Title: e.Title, Date: e.HeldOn, Scale: e.Scale, Coefficient: e.Coefficient,
				To20: e.To20, Formative: e.Formative, Bonus: e.Bonus, Optional: e.Optional}
		}
		entry.Mark = m
		out = append(out, entry)
	}
	if len(h.Added) > MaxHypothetical {
		ps = append(ps, check.Problem{Field: "added", Code: "too-many", N: MaxHypothetical})
	}
	for i, a := range h.Added {
		if i >= MaxHypothetical {
			break
		}
		n := strconv.Itoa(i + 1)
		if strings.TrimSpace(a.Value+a.Scale+a.Coefficient) == "" {
			continue
		}
		scale, ok := number(a.Scale, 20)
		if !ok || scale <= 0 || scale > 100 {
			ps = append(ps, check.Problem{Field: "scale-" + n, Code: averages.ErrScale, Value: a.Scale})
			continue
		}
		coef, ok := number(a.Coefficient, 1)
		if !ok || coef <= 0 || coef > 100 {
			ps = append(ps, check.Problem{Field: "coef-" + n, Code: averages.ErrCoefficient, Value: a.Coefficient})
			continue
		}
		m, err := averages.ParseMark(a.Value, scale)
		if err != nil {
			bad("value-"+n, err)
			continue
		}
		out = append(out, averages.Entry{Eval: averages.Evaluation{ID: "hypothetical-" + n, Title: a.Label, Date: "",
			Scale: scale, Coefficient: coef, To20: true, Hypothetical: true}, Mark: m})
	}
	if len(ps) > 0 {
		return nil, ps.Err()
	}
	return out, nil
}

// number reads "12", "12,5" or "12.5"; empty is def.
func number(s string, def float64) (float64, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return def, true
	}
	f, err := strconv.ParseFloat(strings.Replace(s, ",", ".", 1), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, false
	}
	return f, true
}
