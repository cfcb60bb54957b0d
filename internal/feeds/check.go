package feeds

import (
	"strings"
	"unicode/utf8"

	"cartable/internal/check"
)

// MaxLabel bounds a feed's label (runes); MaxFeeds the feeds a person
// holds unrevoked.
const (
	MaxLabel = 80
	MaxFeeds = 10
)

// CheckLabel checks the label of a new feed and returns it trimmed.
func CheckLabel(label string) (string, check.Problems) {
	label = strings.TrimSpace(label)
	var ps check.Problems
	if n := utf8.RuneCountInString(label); n > MaxLabel {
		ps = append(ps, check.Problem{Field: "label", Code: "too-long", Value: label, N: MaxLabel})
	}
	return label, ps
}
