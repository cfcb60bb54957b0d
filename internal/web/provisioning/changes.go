package provisioning

import (
	"strings"

	"cartable/internal/i18n"
	"cartable/internal/provisioning"
)

// The summary of an import's changes as the review and run pages lay it
// out (templates/partial-provisioning.html).

// changeLine is one kind of a summary in words: its counts by action, each
// a phrase that agrees with its count and its noun ("1 classe créée", "3
// classes créées"), never "classes créés 1".
type changeLine struct {
	Kind    string
	Phrases []string
}

// changesOf writes a summary's non-zero counts, one line per kind, in the
// display order of provisioning.Kinds and Actions.
func changesOf(lang string, sum *provisioning.Summary) []changeLine {
	var out []changeLine
	for _, r := range sum.Rows() {
		l := changeLine{Kind: r.Kind}
		for i, n := range r.Counts {
			if n > 0 {
				l.Phrases = append(l.Phrases, countPhrase(lang, r.Kind, provisioning.Actions[i], n))
			}
		}
		out = append(out, l)
	}
	return out
}

// countPhrase is "prov.n.KIND.ACTION" with its plural form; a pair the
// catalog lacks (a count added without its phrase) still reads: the count
// of the kind, then the action.
func countPhrase(lang, kind, action string, n int) string {
	key := "prov.n." + kind + "." + action
	if msg := i18n.N(lang, key, n); !strings.HasPrefix(msg, key) {
		return msg
	}
	return i18n.N(lang, "prov.n."+kind, n) + " (" + action + ")"
}

// warningGroup is the warnings of one code: how many, and a few examples.
type warningGroup struct {
	Code     string
	Count    int
	Examples []issueLine
}

func warningGroups(lang string, rep provisioning.Report) []warningGroup {
	var out []warningGroup
	for _, code := range rep.WarningCodes() {
		g := warningGroup{Code: code, Count: rep.WarningCounts[code]}
		for _, is := range rep.Warnings {
			if is.Code == code && len(g.Examples) < 5 {
				g.Examples = append(g.Examples, issueLine{Where: is.Where(), Message: is.Message(lang)})
			}
		}
		out = append(out, g)
	}
	return out
}
