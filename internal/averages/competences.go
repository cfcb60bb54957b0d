package averages

import "strconv"

// Level is a competence level of the socle commun: 1 to 4, or Exempt (0,
// as the national records write it).
type Level int

// Competence levels.
const (
	Exempt       Level = 0
	Insufficient Level = 1 // maîtrise insuffisante
	Fragile      Level = 2 // maîtrise fragile
	Satisfactory Level = 3 // maîtrise satisfaisante
	VeryGood     Level = 4 // très bonne maîtrise
)

// LevelMode is how a subject's level for a period comes from the levels
// given.
type LevelMode string

// Level modes.
const (
	LevelsMean    LevelMode = "mean"    // the mean, rounded to the nearest level (half up; default)
	LevelsHighest LevelMode = "highest" // the highest level given
)

// Assessment is one level given on an item of an evaluation.
type Assessment struct {
	Ref          Ref // the item or evaluation
	Level        Level
	Hypothetical bool
}

// LevelResult is a subject's level for a period, with its steps.
type LevelResult struct {
	Level        Level
	Assessed     bool    // false: nothing assessed; Level is then meaningless
	Mean         float64 // the unrounded mean of the levels, in LevelsMean
	Hypothetical bool
	Steps        []Step
}

// SubjectLevel is a subject's level for a period from the levels given,
// exempt ones left out. Only exempt assessments give Exempt.
func SubjectLevel(assessed []Assessment, set Settings) LevelResult {
	var res LevelResult
	var sum, n float64
	highest, exempt := Level(0), false
	for _, a := range assessed {
		res.Hypothetical = res.Hypothetical || a.Hypothetical
		ref := a.Ref
		if ref.Kind == "" {
			ref.Kind = RefItem
		}
		if a.Level < Insufficient || a.Level > VeryGood {
			rule := RuleSkipInvalid
			if a.Level == Exempt {
				rule, exempt = RuleSkipExempt, true
			}
			res.Steps = append(res.Steps, Step{Rule: rule, Ref: ref, Skipped: true, Hypothetical: a.Hypothetical})
			continue
		}
		res.Steps = append(res.Steps, Step{Rule: RuleLevel, Ref: ref, Operands: []float64{float64(a.Level)}, Hypothetical: a.Hypothetical})
		sum += float64(a.Level)
		n++
		highest = max(highest, a.Level)
	}
	switch {
	case n == 0 && exempt:
		res.Assessed, res.Level = true, Exempt
		res.Steps = append(res.Steps, Step{Rule: RuleLevelExempt, Hypothetical: res.Hypothetical})
	case n == 0:
		res.Steps = append(res.Steps, Step{Rule: RuleLevelNone, Hypothetical: res.Hypothetical})
	case set.Levels == LevelsHighest:
		res.Assessed, res.Level = true, highest
		res.Steps = append(res.Steps, Step{Rule: RuleLevelHighest, Result: float64(highest), Hypothetical: res.Hypothetical})
	default:
		res.Assessed, res.Mean = true, sum/n
		res.Level = Level(Rounding{Step: 1, Mode: Nearest}.Apply(res.Mean))
		res.Steps = append(res.Steps, Step{Rule: RuleLevelMean, Operands: []float64{sum, n, res.Mean},
			Result: float64(res.Level), Hypothetical: res.Hypothetical})
	}
	return res
}

// LevelTable converts levels 1 to 4 to marks out of 20 (index 0 is
// level 1). The zero value is the default table: 5, 10, 15, 20.
type LevelTable [4]float64

// DefaultLevelTable is the conversion used unless an establishment sets
// its own.
var DefaultLevelTable = LevelTable{5, 10, 15, 20}

// Validate checks an establishment's table: marks between 0 and 20.
func (t LevelTable) Validate() error {
	for _, m := range t {
		if !(m >= 0 && m <= 20) {
			return &InputError{Kind: ErrLevelTable, Input: strconv.FormatFloat(m, 'f', -1, 64)}
		}
	}
	return nil
}

// Mark converts a level to a mark out of 20; an exempt (or unknown)
// level has none.
func (t LevelTable) Mark(l Level) (float64, bool) {
	if t == (LevelTable{}) {
		t = DefaultLevelTable
	}
	if l < Insufficient || l > VeryGood {
		return 0, false
	}
	return t[l-1], true
}
