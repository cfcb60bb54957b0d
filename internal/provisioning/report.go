package provisioning

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"cartable/internal/i18n"
)

// Issue is one thing a reader or the plan could not take as it came: where
// (file and line), a code and its arguments. Its text lives in the
// catalogs under "provisioning.issue.<code>", so the web shows it in the
// reader's language; the command line prints it in English. Arguments are
// join keys, codes and field names, never names of people.
type Issue struct {
	File string   `json:"file,omitempty"`
	Line int      `json:"line,omitempty"`
	Code string   `json:"code"`
	Args []string `json:"args,omitempty"`
}

// datedIssues are the codes whose arguments are the days of AAF file
// names ("20260901"): written in lang like every date ("1er septembre
// 2026").
var datedIssues = map[string]bool{"aaf-mixed-dates": true}

// Message is the issue's text in lang.
func (i Issue) Message(lang string) string {
	args := make([]any, len(i.Args))
	for k, a := range i.Args {
		args[k] = a
		if datedIssues[i.Code] {
			if d, err := time.ParseInLocation("20060102", a, i18n.Zone); err == nil {
				args[k] = i18n.Date(lang, d)
			}
		}
	}
	return i18n.T(lang, "provisioning.issue."+i.Code, args...)
}

// Where is "file:line", "file" or "".
func (i Issue) Where() string { return Pos{i.File, i.Line}.String() }

// String is the English form "file:line: message".
func (i Issue) String() string {
	if w := i.Where(); w != "" {
		return w + ": " + i.Message("en")
	}
	return i.Message("en")
}

// Limits on what a report keeps: the counts are always complete, the
// examples are not (a delivery may hold thousands of the same oddity).
const (
	maxErrors        = 50
	maxWarningsEach  = 20
	maxWarningsTotal = 500
)

// Report gathers the errors (which stop an import) and warnings (which do
// not) of one delivery.
type Report struct {
	Errors        []Issue        `json:"errors,omitempty"`
	ErrorCount    int            `json:"error_count"`
	Warnings      []Issue        `json:"warnings,omitempty"`
	WarningCounts map[string]int `json:"warning_counts,omitempty"`
}

func (r *Report) errorf(p Pos, code string, args ...string) {
	r.ErrorCount++
	if len(r.Errors) < maxErrors {
		r.Errors = append(r.Errors, Issue{File: p.File, Line: p.Line, Code: code, Args: args})
	}
}

func (r *Report) warnf(p Pos, code string, args ...string) {
	if r.WarningCounts == nil {
		r.WarningCounts = map[string]int{}
	}
	r.WarningCounts[code]++
	if r.WarningCounts[code] <= maxWarningsEach && len(r.Warnings) < maxWarningsTotal {
		r.Warnings = append(r.Warnings, Issue{File: p.File, Line: p.Line, Code: code, Args: args})
	}
}

// WarningTotal counts every warning, shown or not.
func (r *Report) WarningTotal() int {
	n := 0
	for _, c := range r.WarningCounts {
		n += c
	}
	return n
}

// WarningCodes lists the codes of the warnings, most frequent first.
func (r *Report) WarningCodes() []string {
	var out []string
	for c := range r.WarningCounts {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := r.WarningCounts[out[i]], r.WarningCounts[out[j]]
		if a != b {
			return a > b
		}
		return out[i] < out[j]
	})
	return out
}

// ReadError is returned when a delivery cannot be imported as it is: it
// holds every error found (up to a limit), each with its file and line.
type ReadError struct {
	Issues []Issue
	Count  int
}

func (e *ReadError) Error() string {
	if len(e.Issues) == 0 {
		return "the delivery cannot be read"
	}
	var b strings.Builder
	b.WriteString(e.Issues[0].String())
	if e.Count > 1 {
		fmt.Fprintf(&b, " (and %d more errors)", e.Count-1)
	}
	return b.String()
}

// AsReadError returns the ReadError inside err, if any.
func AsReadError(err error) (*ReadError, bool) {
	var re *ReadError
	ok := errors.As(err, &re)
	return re, ok
}

func (r *Report) err() error {
	if r.ErrorCount == 0 {
		return nil
	}
	return &ReadError{Issues: r.Errors, Count: r.ErrorCount}
}

// fail is a single-issue ReadError.
func fail(p Pos, code string, args ...string) error {
	return &ReadError{Issues: []Issue{{File: p.File, Line: p.Line, Code: code, Args: args}}, Count: 1}
}
