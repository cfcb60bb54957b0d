package averages

import (
	"math"
	"strconv"
	"strings"

	"cartable/internal/i18n"
)

// Number writes a number the language's way, with up to four decimals and
// no trailing zeros: "14,25" in French, "14.25" in English. Steps show
// intermediate values with it; they are never rounded in the computation.
func Number(lang string, x float64) string {
	s := strconv.FormatFloat(x, 'f', 4, 64)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	if s == "-0" {
		s = "0"
	}
	if lang == "fr" {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s
}

// Format writes the reported value with the decimals of its rounding
// ("14,50" to the hundredth), or the language's "not graded" (NN).
func (r Result) Format(lang string) string {
	if !r.Graded {
		return i18n.T(lang, "avg.nn")
	}
	s := strconv.FormatFloat(r.Rounded, 'f', r.Rounding.Decimals(), 64)
	if lang == "fr" {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s
}

// Explain renders the result's steps, one readable line each.
func (r Result) Explain(lang string) []string { return Explain(lang, r.Steps) }

// Explain renders a competence level's steps.
func (r LevelResult) Explain(lang string) []string { return Explain(lang, r.Steps) }

// LevelName is a level's name in lang (avg.level.<n>).
func LevelName(lang string, l Level) string {
	return i18n.T(lang, "avg.level."+strconv.Itoa(int(l)))
}

// CodeName is a special mark's name in lang (avg.code.<code>).
func CodeName(lang string, c Code) string { return i18n.T(lang, "avg.code."+string(c)) }

// Explain renders steps one line each through the keys avg.step.<rule>:
// placeholders in braces take the step's label ({label}), special mark
// ({code}, {codename}), operands by name (OperandNames), the sums' terms
// ({terms}) and the result ({result}). A part's steps are indented, a
// what-if step says so.
func Explain(lang string, steps []Step) []string {
	out := make([]string, len(steps))
	for i, s := range steps {
		vals := map[string]string{"result": Number(lang, s.Result), "code": string(s.Code)}
		if s.Code != "" {
			vals["codename"] = CodeName(lang, s.Code)
		}
		vals["label"] = s.Ref.Label
		if vals["label"] == "" {
			vals["label"] = s.Ref.ID
		}
		if s.Ref.Kind == RefSubSubject && s.Ref.ID == "" {
			vals["label"] = i18n.T(lang, "avg.label.other")
		}
		names := operandNames[s.Rule]
		for j, x := range s.Operands {
			if j < len(names) {
				vals[names[j]] = Number(lang, x)
			}
		}
		if names == nil && len(s.Operands) > 0 {
			terms := make([]string, len(s.Operands))
			for j, x := range s.Operands {
				terms[j] = Number(lang, x)
			}
			vals["terms"] = strings.Join(terms, " + ")
		}
		switch s.Rule {
		case RuleLevel:
			vals["levelname"] = LevelName(lang, Level(s.Operands[0]))
		case RuleLevelMean, RuleLevelHighest:
			vals["level"] = Number(lang, s.Result)
			vals["levelname"] = LevelName(lang, Level(math.Round(s.Result)))
		}
		line := strings.Repeat("    ", s.Depth) + fill(i18n.T(lang, "avg.step."+string(s.Rule)), vals)
		if s.Hypothetical {
			line += " " + i18n.T(lang, "avg.hypothetical")
		}
		out[i] = line
	}
	return out
}

// fill replaces {name} placeholders with their values; an unknown one
// stays as it is, so that a gap shows.
func fill(msg string, vals map[string]string) string {
	if !strings.Contains(msg, "{") {
		return msg
	}
	var b strings.Builder
	for {
		i := strings.IndexByte(msg, '{')
		if i < 0 {
			break
		}
		j := strings.IndexByte(msg[i:], '}')
		if j < 0 {
			break
		}
		v, ok := vals[msg[i+1:i+j]]
		if !ok {
			v = msg[i : i+j+1]
		}
		b.WriteString(msg[:i])
		b.WriteString(v)
		msg = msg[i+j+1:]
	}
	b.WriteString(msg)
	return b.String()
}
