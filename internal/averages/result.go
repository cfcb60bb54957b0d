package averages

// Result is an average with the steps that lead to it.
type Result struct {
	Value        float64 // unrounded; meaningful only when Graded
	Rounded      float64 // the reported value, rounded by Rounding
	Graded       bool    // false: not graded (NN), which is not 0
	Capped       bool    // bonus points took it above 20
	Hypothetical bool    // a what-if mark or evaluation was among the inputs
	Rounding     Rounding
	Steps        []Step
}

// Step is one step of a computation, as data. Operands follow the layout
// OperandNames gives for the rule; the sums (RuleSumPoints,
// RuleSumWeights, RuleSumBonus) list their terms instead.
type Step struct {
	Rule         Rule
	Depth        int  // 0 for the result's own steps, 1 inside a part (sub-subject, period)…
	Ref          Ref  // what the step concerns; zero for sums and divisions
	Code         Code // the special mark involved, if any
	Operands     []float64
	Result       float64
	Hypothetical bool // concerns a what-if mark, or a result that includes one
	Skipped      bool // the item does not count; the rule says why
}

// Rule is the code of a step; the i18n key avg.step.<rule> renders it.
type Rule string

// Rules of the steps. The comment gives the operands, then the result.
const (
	RuleMarkTo20    Rule = "mark.to20"      // value, scale, mark20, coef → product (mark20 × coef)
	RuleMarkOn20    Rule = "mark.on20"      // a mark out of 20, same operands as RuleMarkTo20
	RuleMarkOwn     Rule = "mark.own"       // value, scale, mark20, coef, weight (coef × scale ÷ 20) → product (mark20 × weight)
	RuleMarkZero    Rule = "mark.zero"      // (code) → 0: the special mark counts as 0
	RuleBonus       Rule = "bonus"          // value, scale, mark20, excess (max(0, mark20 − 10)), weight → added (weight × excess)
	RuleOptFirst    Rule = "optional.first" // mark20: no base, the best optional mark starts the average
	RuleOptKept     Rule = "optional.kept"  // mark20, current: above the current average, kept
	RuleSumPoints   Rule = "sum.points"     // terms… → total
	RuleSumWeights  Rule = "sum.weights"    // terms… → total
	RuleSumBonus    Rule = "sum.bonus"      // terms… → total
	RuleAddBonus    Rule = "points.bonus"   // points, bonus → total
	RuleDivide      Rule = "divide"         // points, weights → average
	RuleDivideCount Rule = "divide.count"   // points, count → average
	RuleCap         Rule = "cap"            // value → 20
	RuleNN          Rule = "nn"             // nothing counts: not graded
	RuleNNBonus     Rule = "nn.bonus"       // bonus marks only: not graded

	RulePartHead        Rule = "part.head"        // coef: a sub-subject's own steps follow
	RulePart            Rule = "part"             // average, coef → product
	RulePeriodHead      Rule = "period.head"      // a period's own steps follow
	RulePeriod          Rule = "period"           // average
	RuleYearMarks       Rule = "year.marks"       // the year's marks together
	RuleSubjectWeighted Rule = "subject.weighted" // average, coef → product
	RuleSubjectMean     Rule = "subject.mean"     // average
	RuleBrevet          Rule = "brevet"           // the rule of the brevet's continuous assessment

	RuleRoundNearest Rule = "round.nearest" // value, step → rounded
	RuleRoundUp      Rule = "round.up"      // value, step → rounded
	RuleRoundDown    Rule = "round.down"    // value, step → rounded

	// Skipped items.
	RuleSkipFormative    Rule = "skip.formative"
	RuleSkipCode         Rule = "skip.code"
	RuleSkipCoef0        Rule = "skip.coef0"
	RuleSkipInvalid      Rule = "skip.invalid"  // a scale out of (0, 100], a value out of the scale, a level out of 0–4
	RuleSkipOptional     Rule = "skip.optional" // mark20, current: not above the current average
	RuleSkipPartNN       Rule = "skip.part.nn"
	RuleSkipPartCoef0    Rule = "skip.part.coef0"
	RuleSkipPeriodNN     Rule = "skip.period.nn"
	RuleSkipSubjectNN    Rule = "skip.subject.nn"
	RuleSkipSubjectCoef0 Rule = "skip.subject.coef0"

	// Competences.
	RuleLevel        Rule = "level"         // level
	RuleSkipExempt   Rule = "skip.exempt"   // an exempt assessment
	RuleLevelMean    Rule = "level.mean"    // sum, count, mean → level
	RuleLevelHighest Rule = "level.highest" // → level
	RuleLevelNone    Rule = "level.none"    // nothing assessed
	RuleLevelExempt  Rule = "level.exempt"  // exempt only
)

// Rules lists every rule, for a legend or a check of the catalogs.
var Rules = []Rule{RuleMarkTo20, RuleMarkOn20, RuleMarkOwn, RuleMarkZero, RuleBonus, RuleOptFirst, RuleOptKept, RuleSumPoints, RuleSumWeights, RuleSumBonus, RuleAddBonus, RuleDivide, RuleDivideCount, RuleCap, RuleNN, RuleNNBonus, RulePartHead, RulePart, RulePeriodHead, RulePeriod, RuleYearMarks, RuleSubjectWeighted, RuleSubjectMean, RuleBrevet, RuleRoundNearest, RuleRoundUp, RuleRoundDown, RuleSkipFormative, RuleSkipCode, RuleSkipCoef0, RuleSkipInvalid, RuleSkipOptional, RuleSkipPartNN, RuleSkipPartCoef0, RuleSkipPeriodNN, RuleSkipSubjectNN, RuleSkipSubjectCoef0, RuleLevel, RuleSkipExempt, RuleLevelMean, RuleLevelHighest, RuleLevelNone, RuleLevelExempt}

// operandNames names each rule's operands, in order, for the catalogs'
// placeholders ({value}, {scale}…); the result is {result}.
var operandNames = map[Rule][]string{
	RuleMarkTo20:        {"value", "scale", "mark20", "coef"},
	RuleMarkOn20:        {"value", "scale", "mark20", "coef"},
	RuleMarkOwn:         {"value", "scale", "mark20", "coef", "weight"},
	RuleBonus:           {"value", "scale", "mark20", "excess", "weight"},
	RuleOptFirst:        {"mark20"},
	RuleOptKept:         {"mark20", "current"},
	RuleSkipOptional:    {"mark20", "current"},
	RuleAddBonus:        {"points", "bonus"},
	RuleDivide:          {"points", "weights"},
	RuleDivideCount:     {"points", "count"},
	RuleCap:             {"value"},
	RulePartHead:        {"coef"},
	RulePart:            {"average", "coef"},
	RulePeriod:          {"average"},
	RuleSubjectWeighted: {"average", "coef"},
	RuleSubjectMean:     {"average"},
	RuleRoundNearest:    {"value", "step"},
	RuleRoundUp:         {"value", "step"},
	RuleRoundDown:       {"value", "step"},
	RuleLevel:           {"level"},
	RuleLevelMean:       {"sum", "count", "mean"},
}

// OperandNames gives the names of a rule's operands, in order. The sums
// have none: their operands are the terms added.
func OperandNames(r Rule) []string { return operandNames[r] }

// Settings are an establishment's choices. The zero value is the default:
// rounding to the hundredth (nearest), a year's average as the mean of its
// periods', an overall average weighted by subject coefficients,
// competence levels by their mean, the default level table.
type Settings struct {
	Rounding   Rounding
	Year       YearMode
	Overall    OverallMode
	Levels     LevelMode
	LevelTable LevelTable
}

// Validate checks the settings an establishment saves.
func (s Settings) Validate() error {
	if err := s.Rounding.orDefault().Validate(); err != nil {
		return err
	}
	if s.Year != "" && s.Year != YearOfPeriods && s.Year != YearOfMarks ||
		s.Overall != "" && s.Overall != OverallWeighted && s.Overall != OverallMean ||
		s.Levels != "" && s.Levels != LevelsMean && s.Levels != LevelsHighest {
		return &InputError{Kind: ErrSetting, Input: string(s.Year) + " " + string(s.Overall) + " " + string(s.Levels)}
	}
	return s.LevelTable.Validate()
}

// acc accumulates a weighted mean and its steps.
type acc struct {
	res             Result
	points, weights []float64 // the terms of the sums
	p, w            float64
}

func (a *acc) step(s Step) {
	a.res.Steps = append(a.res.Steps, s)
}

func (a *acc) add(point, weight float64) {
	a.points = append(a.points, point)
	a.weights = append(a.weights, weight)
	a.p += point
	a.w += weight
}

// weighted closes a weighted mean: the sums, then the division.
func (a *acc) weighted(depth int) {
	if a.w <= 0 {
		a.step(Step{Rule: RuleNN, Depth: depth, Hypothetical: a.res.Hypothetical})
		return
	}
	a.step(Step{Rule: RuleSumPoints, Depth: depth, Operands: a.points, Result: a.p})
	a.step(Step{Rule: RuleSumWeights, Depth: depth, Operands: a.weights, Result: a.w})
	a.res.Value = a.p / a.w
	a.res.Graded = true
	a.step(Step{Rule: RuleDivide, Depth: depth, Operands: []float64{a.p, a.w}, Result: a.res.Value, Hypothetical: a.res.Hypothetical})
}

// mean closes an equal-weight mean.
func (a *acc) mean(depth int) {
	n := float64(len(a.points))
	if n == 0 {
		a.step(Step{Rule: RuleNN, Depth: depth, Hypothetical: a.res.Hypothetical})
		return
	}
	a.step(Step{Rule: RuleSumPoints, Depth: depth, Operands: a.points, Result: a.p})
	a.res.Value = a.p / n
	a.res.Graded = true
	a.step(Step{Rule: RuleDivideCount, Depth: depth, Operands: []float64{a.p, n}, Result: a.res.Value, Hypothetical: a.res.Hypothetical})
}
