package averages

// YearMode is how a subject's year average is computed.
type YearMode string

// Year modes.
const (
	YearOfPeriods YearMode = "periods" // the mean of the period averages (default)
	YearOfMarks   YearMode = "marks"   // all the year's marks together
)

// OverallMode is how the overall average is computed.
type OverallMode string

// Overall modes.
const (
	OverallWeighted OverallMode = "weighted" // weighted by subject coefficients (default)
	OverallMean     OverallMode = "mean"     // the unweighted mean of subject averages
)

// Period is a period's entries of one subject for one student.
type Period struct {
	ID    string
	Label string
	// Entries are the period's evaluations with the student's marks.
	Entries []Entry
}

// YearAverage is a student's year average in a subject. With
// YearOfPeriods it is the mean of the graded period averages (each
// unrounded); with YearOfMarks every mark of the year counts together.
func YearAverage(s Subject, periods []Period, set Settings) Result {
	if set.Year == YearOfMarks {
		var all []Entry
		for _, p := range periods {
			all = append(all, p.Entries...)
		}
		res := subject(s, all, 0)
		res.Steps = append([]Step{{Rule: RuleYearMarks, Hypothetical: res.Hypothetical}}, res.Steps...)
		set.Rounding.round(&res)
		return res
	}
	var a acc
	for _, p := range periods {
		ref := Ref{Kind: RefPeriod, ID: p.ID, Label: p.Label}
		r := subject(s, p.Entries, 1)
		a.res.Hypothetical = a.res.Hypothetical || r.Hypothetical
		a.step(Step{Rule: RulePeriodHead, Ref: ref, Hypothetical: r.Hypothetical})
		a.res.Steps = append(a.res.Steps, r.Steps...)
		if !r.Graded {
			a.step(Step{Rule: RuleSkipPeriodNN, Ref: ref, Skipped: true, Hypothetical: r.Hypothetical})
			continue
		}
		a.step(Step{Rule: RulePeriod, Ref: ref, Operands: []float64{r.Value}, Result: r.Value, Hypothetical: r.Hypothetical})
		a.add(r.Value, 1)
	}
	a.mean(0)
	set.Rounding.round(&a.res)
	return a.res
}

// SubjectLine is a subject's average as the overall average and the
// brevet take it, with the subject's coefficient (for the class or level).
type SubjectLine struct {
	Subject     Ref
	Coefficient float64
	Average     Result
}

// OverallAverage is a student's overall average from subject averages
// (their unrounded values): weighted by the subjects' coefficients, or
// their plain mean, as the settings say. Not-graded subjects are skipped.
func OverallAverage(lines []SubjectLine, set Settings) Result {
	var a acc
	weighted := set.Overall != OverallMean
	for _, l := range lines {
		r, ref := l.Average, l.Subject
		ref.Kind = RefSubject
		a.res.Hypothetical = a.res.Hypothetical || r.Hypothetical
		switch {
		case !r.Graded:
			a.step(Step{Rule: RuleSkipSubjectNN, Ref: ref, Skipped: true, Hypothetical: r.Hypothetical})
		case !weighted:
			a.step(Step{Rule: RuleSubjectMean, Ref: ref, Operands: []float64{r.Value}, Result: r.Value, Hypothetical: r.Hypothetical})
			a.add(r.Value, 1)
		case !(l.Coefficient > 0):
			a.step(Step{Rule: RuleSkipSubjectCoef0, Ref: ref, Skipped: true, Hypothetical: r.Hypothetical})
		default:
			p := r.Value * l.Coefficient
			a.step(Step{Rule: RuleSubjectWeighted, Ref: ref, Operands: []float64{r.Value, l.Coefficient}, Result: p, Hypothetical: r.Hypothetical})
			a.add(p, l.Coefficient)
		}
	}
	if weighted {
		a.weighted(0)
	} else {
		a.mean(0)
	}
	set.Rounding.round(&a.res)
	return a.res
}

// BrevetAverage is the brevet's continuous assessment from the 2026
// session: the equal-weight mean of all the annual subject averages of
// 3e (coefficients are ignored); not-graded subjects are skipped.
func BrevetAverage(lines []SubjectLine, set Settings) Result {
	set.Overall = OverallMean
	res := OverallAverage(lines, set)
	res.Steps = append([]Step{{Rule: RuleBrevet, Hypothetical: res.Hypothetical}}, res.Steps...)
	return res
}
