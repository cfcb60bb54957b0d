package provisioning

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"sort"
)

// Summary says what an import did, or would do: counts per kind and action,
// the establishments concerned, the mass-deactivation guard and the report.
// It holds no personal data (join keys at most, in the report).
type Summary struct {
	Source         string                    `json:"source"`
	Mode           string                    `json:"mode"` // complete or delta
	Date           string                    `json:"date,omitempty"`
	DryRun         bool                      `json:"dry_run"`
	Applied        bool                      `json:"applied"`
	Refused        string                    `json:"refused,omitempty"` // "mass-deactivation" when the guard stopped it
	Files          []string                  `json:"files,omitempty"`
	Establishments []EstablishmentSummary    `json:"establishments"`
	Counts         map[string]map[string]int `json:"counts"`
	Guard          []GuardLine               `json:"guard,omitempty"`
	Report         Report                    `json:"report"`
	RunID          string                    `json:"run_id,omitempty"`
	Fingerprint    string                    `json:"fingerprint"`
	// NewStructures lists the classes and groups a spreadsheet would
	// create, with the lines naming them: the review asks to confirm them
	// (CheckConfirm). Empty for the administration's feeds and exports.
	NewStructures []NewStructure `json:"new_structures,omitempty"`
	// Scope is what the changes concern for the rights to make them: a
	// pending upload is handled by whoever may (uploads.go).
	Scope Scope `json:"scope"`
}

// EstablishmentSummary is one establishment an import touches.
type EstablishmentSummary struct {
	ID      string `json:"id"`
	UAI     string `json:"uai"`
	Name    string `json:"name"`
	New     bool   `json:"new,omitempty"`
	Covered bool   `json:"covered,omitempty"` // a complete delivery's whole truth
}

// NewStructure is a class or a group an import would create, and where
// the delivery names it.
type NewStructure struct {
	Kind      string   `json:"kind"` // class, group
	Code      string   `json:"code"`
	UAI       string   `json:"uai"`
	Lines     []string `json:"lines"`                // "eleves.csv:12", the first few
	MoreLines int      `json:"more_lines,omitempty"` // beyond Lines
}

// Named counts the lines that name the structure.
func (n NewStructure) Named() int { return len(n.Lines) + n.MoreLines }

// NewCodes lists the codes of the new structures of a kind.
func (s *Summary) NewCodes(kind string) []string {
	var out []string
	for _, n := range s.NewStructures {
		if n.Kind == kind {
			out = append(out, n.Code)
		}
	}
	return out
}

// GuardLine is the share of an establishment's feed-managed people that a
// complete delivery would deactivate or detach.
type GuardLine struct {
	EstablishmentID string  `json:"establishment_id"`
	UAI             string  `json:"uai"`
	Active          int     `json:"active"`
	Leaving         int     `json:"leaving"`
	Share           float64 `json:"share"`
	Percent         int     `json:"percent"`
	Over            bool    `json:"over"`
}

// Kinds and actions of the counts, in display order.
var (
	Kinds = []string{"establishment", "school_year", "student", "relative", "teacher", "staff", "class", "group",
		"subject", "membership", "enrolment", "group_member", "group_class", "family_link", "function",
		"assignment", "head_teacher"}
	Actions = []string{"created", "updated", "reactivated", "deactivated", "detached", "added", "removed", "unchanged"}
)

func (s *Summary) count(kind, action string, n int) {
	if n == 0 {
		return
	}
	if s.Counts == nil {
		s.Counts = map[string]map[string]int{}
	}
	if s.Counts[kind] == nil {
		s.Counts[kind] = map[string]int{}
	}
	s.Counts[kind][action] += n
}

// Count returns one count.
func (s *Summary) Count(kind, action string) int { return s.Counts[kind][action] }

// Changes counts every change (not "unchanged").
func (s *Summary) Changes() int {
	n := 0
	for _, acts := range s.Counts {
		for a, c := range acts {
			if a != "unchanged" {
				n += c
			}
		}
	}
	return n
}

// Rows lists the non-empty kinds with their counts per action, in display
// order, for tables.
func (s *Summary) Rows() []SummaryRow {
	var out []SummaryRow
	for _, k := range Kinds {
		acts := s.Counts[k]
		if len(acts) == 0 {
			continue
		}
		r := SummaryRow{Kind: k}
		for _, a := range Actions {
			r.Counts = append(r.Counts, acts[a])
		}
		out = append(out, r)
	}
	return out
}

// SummaryRow is one kind's counts in the order of Actions.
type SummaryRow struct {
	Kind   string
	Counts []int
}

// UsedActions lists the actions that some kind uses, for table headers.
func (s *Summary) UsedActions() []int {
	var out []int
	for i, a := range Actions {
		for _, acts := range s.Counts {
			if acts[a] > 0 {
				out = append(out, i)
				break
			}
		}
	}
	return out
}

// fingerprint identifies the changes: the web applies an upload only if
// the changes are still those the operator reviewed.
func (s *Summary) fingerprint() string {
	type fp struct {
		Counts map[string]map[string]int
		Ests   []string
		Guard  []GuardLine
		New    []string `json:",omitempty"`
	}
	f := fp{Counts: s.Counts, Guard: s.Guard}
	// The classes acknowledged at review are those that will be created.
	for _, n := range s.NewStructures {
		f.New = append(f.New, n.UAI+"/"+n.Kind+"/"+n.Code)
	}
	for _, e := range s.Establishments {
		f.Ests = append(f.Ests, e.UAI)
	}
	sort.Strings(f.Ests)
	b, _ := json.Marshal(f)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:16])
}
