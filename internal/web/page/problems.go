package page

import (
	"strings"

	"cartable/internal/check"
	"cartable/internal/i18n"
)

// ProblemMessages translates problems with an area's catalog keys:
// "<area>.problem.<code>" given the value, or, for a problem that counts
// something (N > 0), in its plural forms given N.
func ProblemMessages(lang, area string, ps check.Problems) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = problemMessage(lang, area, p)
	}
	return out
}

func problemMessage(lang, area string, p check.Problem) string {
	key := area + ".problem." + p.Code
	if p.N > 0 {
		return i18n.N(lang, key, p.N)
	}
	if raw := i18n.T(lang, key); !strings.Contains(raw, "%") {
		return raw // a message that quotes nothing
	}
	return i18n.T(lang, key, p.Value)
}

// ProblemText is ProblemMessages placed where the problem is:
// "<area>.problem.atline" (line, field, message) for a line of a file,
// "<area>.problem.atfield" (field, message) for a form, the field named by
// "<area>.field.<field>".
func ProblemText(lang, area string, ps check.Problems) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		msg, field := problemMessage(lang, area, p), i18n.T(lang, area+".field."+p.Field)
		if p.Line > 0 {
			out[i] = i18n.T(lang, area+".problem.atline", p.Line, field, msg)
		} else {
			out[i] = i18n.T(lang, area+".problem.atfield", field, msg)
		}
	}
	return out
}
