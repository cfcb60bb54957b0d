package averages

import (
	"math"
	"strconv"
)

// RoundMode is how the reported value is rounded.
type RoundMode string

// Rounding modes.
const (
	Nearest RoundMode = "nearest" // to the nearest step, half up
	Up      RoundMode = "up"
	Down    RoundMode = "down"
)

// Rounding is an establishment's rounding of reported averages: a step
// (0.01, 0.1, 0.5 or 1) and a mode.
type Rounding struct {
	Step float64
	Mode RoundMode
}

// RoundingSteps lists the allowed rounding steps.
var RoundingSteps = []float64{0.01, 0.1, 0.5, 1}

// tolerance forgives float error: a value within a millionth of a point
// of a step's boundary is taken to be on it. Marks have at most two
// decimals and coefficients are small, so a true average is never that
// close to a boundary without being on it; float error is about 1e-14.
const tolerance = 1e-6

// Validate checks the step and the mode.
func (r Rounding) Validate() error {
	ok := false
	for _, s := range RoundingSteps {
		ok = ok || r.Step == s
	}
	if !ok || (r.Mode != Nearest && r.Mode != Up && r.Mode != Down) {
		return &InputError{Kind: ErrRounding, Input: strconv.FormatFloat(r.Step, 'f', -1, 64) + " " + string(r.Mode)}
	}
	return nil
}

// orDefault is r, or the default rounding (to the hundredth, nearest) for
// what is not set.
func (r Rounding) orDefault() Rounding {
	if r.Step == 0 {
		r.Step = 0.01
	}
	if r.Mode == "" {
		r.Mode = Nearest
	}
	return r
}

// Apply rounds x. The result is n/k with k the number of steps in a point
// (100, 10, 2, 1), the float closest to the decimal value.
func (r Rounding) Apply(x float64) float64 {
	r = r.orDefault()
	k := math.Round(1 / r.Step)
	if r.Step > 1 {
		k = 1 / r.Step
	}
	q := x * k
	var n float64
	switch r.Mode {
	case Up:
		n = math.Ceil(q - tolerance*k)
	case Down:
		n = math.Floor(q + tolerance*k)
	default:
		n = math.Floor(q + 0.5 + tolerance*k)
	}
	return n/k + 0
}

// Decimals is how many decimals a value rounded by r shows.
func (r Rounding) Decimals() int {
	switch r.orDefault().Step {
	case 0.01:
		return 2
	case 1:
		return 0
	}
	return 1
}

// round appends the rounding step of a result.
func (r Rounding) round(res *Result) {
	r = r.orDefault()
	res.Rounding = r
	if !res.Graded {
		return
	}
	res.Rounded = r.Apply(res.Value)
	res.Steps = append(res.Steps, Step{Rule: Rule("round." + string(r.Mode)),
		Operands: []float64{res.Value, r.Step}, Result: res.Rounded, Hypothetical: res.Hypothetical})
}
