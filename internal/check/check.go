// Package check holds the one type that says what is wrong with an input:
// a form, a line of an imported file, a request of the API. Domain
// packages validate with it (check.go in each) and return the problems as
// an error that changed nothing; pages and the API translate the codes.
package check

import (
	"errors"
	"fmt"
	"strings"
)

// Problem is one fault: where (file, line, field or column) and what (a
// code the interface translates, with the value at fault and a count for
// the messages that need one).
type Problem struct {
	File  string // imported file; empty for a form
	Line  int    // line of that file; 0 for a form
	Field string // field or column name
	Code  string // e.g. "required", "unknown-room", "overlap"
	Value string // the value at fault, or what it clashes with
	N     int    // a count, for the codes that have one
}

// Problems is every fault of an input. As an error it means that nothing
// was saved.
type Problems []Problem

// Add appends a problem on a field of a form.
func (ps *Problems) Add(field, code, value string) {
	*ps = append(*ps, Problem{Field: field, Code: code, Value: value})
}

// Has tells whether a field has a problem (to mark it on the form).
func (ps Problems) Has(field string) bool {
	for _, p := range ps {
		if p.Field == field {
			return true
		}
	}
	return false
}

// Fields is the set of fields at fault.
func (ps Problems) Fields() map[string]bool {
	out := map[string]bool{}
	for _, p := range ps {
		if p.Field != "" {
			out[p.Field] = true
		}
	}
	return out
}

// Err is nil when there is no problem, else the problems as an error.
func (ps Problems) Err() error {
	if len(ps) == 0 {
		return nil
	}
	return ps
}

func (ps Problems) Error() string {
	var b strings.Builder
	for i, p := range ps {
		if i > 0 {
			b.WriteString("; ")
		}
		if p.File != "" {
			b.WriteString(p.File + ": ")
		}
		if p.Line > 0 {
			fmt.Fprintf(&b, "line %d: ", p.Line)
		}
		fmt.Fprintf(&b, "%s: %s", p.Field, p.Code)
		if p.Value != "" {
			fmt.Fprintf(&b, " %q", p.Value)
		}
	}
	return b.String()
}

// As returns the problems an error carries, if it carries any.
func As(err error) (Problems, bool) {
	var ps Problems
	if errors.As(err, &ps) {
		return ps, true
	}
	return nil, false
}
