package averages

import (
	"math"
	"strconv"
	"strings"
	"time"

	"cartable/internal/i18n"
)

// Code is a special mark a teacher types instead of a value.
type Code string

// The special marks. Only AbsentZero and NotHandedInZero enter an
// average, as 0; the others leave it unchanged.
const (
	Absent          Code = "abs"   // absent
	Exempted        Code = "disp"  // exempted (dispensé)
	NotGraded       Code = "nn"    // not graded
	Unfit           Code = "inap"  // unfit (inapte)
	NotHandedIn     Code = "nr"    // not handed in
	AbsentZero      Code = "abs0"  // absent, counted as zero
	NotHandedInZero Code = "nr0"   // not handed in, counted as zero
	Congratulations Code = "felic" // congratulations, no value
)

// Codes lists the special marks in the order a legend shows them.
var Codes = []Code{Absent, Exempted, NotGraded, Unfit, NotHandedIn, AbsentZero, NotHandedInZero, Congratulations}

// CountsAsZero reports whether the code enters an average, as 0.
func (c Code) CountsAsZero() bool { return c == AbsentZero || c == NotHandedInZero }

// ParseCode reads a special mark, case-insensitively.
func ParseCode(s string) (Code, error) {
	c := Code(strings.ToLower(strings.TrimSpace(s)))
	for _, k := range Codes {
		if c == k {
			return c, nil
		}
	}
	return "", &InputError{Kind: ErrUnknownCode, Input: strings.TrimSpace(s)}
}

// Mark is one student's mark on one evaluation: a value on the
// evaluation's scale, or a special Code instead (then Value is 0).
type Mark struct {
	Value        float64
	Code         Code
	Hypothetical bool // a what-if mark, never stored
}

// ParseMark reads what a teacher types in the entry grid: "14", "14,5",
// "14.5", or a special code ("abs", "ABS0"…). A value must lie between 0
// and the scale, with at most two decimals.
func ParseMark(s string, scale float64) (Mark, error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return Mark{}, &InputError{Kind: ErrEmpty}
	}
	if c := t[0]; c < '0' || c > '9' {
		if c != '-' && c != '+' && c != ',' && c != '.' {
			code, err := ParseCode(t)
			return Mark{Code: code}, err
		}
	}
	num := strings.Replace(t, ",", ".", 1)
	v, err := strconv.ParseFloat(num, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) || strings.ContainsAny(num, "eExXpP_") {
		return Mark{}, &InputError{Kind: ErrNotANumber, Input: t}
	}
	if i := strings.IndexByte(num, '.'); i >= 0 && len(num)-i-1 > 2 {
		return Mark{}, &InputError{Kind: ErrDecimals, Input: t}
	}
	if v < 0 {
		return Mark{}, &InputError{Kind: ErrNegative, Input: t, Scale: scale}
	}
	if v > scale {
		return Mark{}, &InputError{Kind: ErrAboveScale, Input: t, Scale: scale}
	}
	return Mark{Value: v + 0}, nil // +0 turns -0 into 0
}

// Kinds of InputError.
const (
	ErrEmpty       = "empty"
	ErrUnknownCode = "code"
	ErrNotANumber  = "number"
	ErrDecimals    = "decimals"
	ErrNegative    = "negative"
	ErrAboveScale  = "above"
	ErrScale       = "scale"
	ErrCoefficient = "coefficient"
	ErrDate        = "date"
	ErrRounding    = "rounding"
	ErrSetting     = "setting"
	ErrLevelTable  = "leveltable"
)

// InputError tells what is wrong with a typed mark or an evaluation's
// settings. Error is English for logs; Message is the reader's language
// (keys avg.err.<kind>).
type InputError struct {
	Kind  string
	Input string  // what was typed
	Scale float64 // the evaluation's scale, for ErrNegative and ErrAboveScale
}

func (e *InputError) Error() string { return e.Message("en") }

// Message is the error in lang, naming the value and the scale.
func (e *InputError) Message(lang string) string {
	in := e.Input
	if lang == "fr" && (e.Kind == ErrScale || e.Kind == ErrCoefficient || e.Kind == ErrLevelTable) {
		in = strings.Replace(in, ".", ",", 1) // a number the engine wrote, not what was typed
	}
	return fill(i18n.T(lang, "avg.err."+e.Kind), map[string]string{
		"input": in, "scale": Number(lang, e.Scale), "codes": codeList()})
}

func codeList() string {
	s := make([]string, len(Codes))
	for i, c := range Codes {
		s[i] = string(c)
	}
	return strings.Join(s, ", ")
}

// Evaluation is one assessment of a subject.
type Evaluation struct {
	ID    string
	Title string
	Date  string // YYYY-MM-DD

	Scale       float64 // out of N, 0 < N ≤ 100
	Coefficient float64 // ≥ 0; 0 does not count
	To20        bool    // brought back to /20; otherwise kept on its own scale

	Formative bool // not counted
	Bonus     bool // only the points above half the scale count
	Optional  bool // counts only if it raises the average; Bonus wins when both are set

	SubSubject   string // "" for none
	Hypothetical bool   // a what-if evaluation, never stored
}

// Validate checks what a teacher sets on an evaluation.
func (e Evaluation) Validate() error {
	if !(e.Scale > 0 && e.Scale <= 100) {
		return &InputError{Kind: ErrScale, Input: strconv.FormatFloat(e.Scale, 'f', -1, 64)}
	}
	if !(e.Coefficient >= 0) || math.IsInf(e.Coefficient, 0) {
		return &InputError{Kind: ErrCoefficient, Input: strconv.FormatFloat(e.Coefficient, 'f', -1, 64)}
	}
	if _, err := time.Parse("2006-01-02", e.Date); err != nil {
		return &InputError{Kind: ErrDate, Input: e.Date}
	}
	return nil
}

func (e Evaluation) label() string {
	if e.Title != "" {
		return e.Title
	}
	return e.ID
}

// Entry is an evaluation with one student's mark on it. An evaluation the
// student has no mark on is simply not passed.
type Entry struct {
	Eval Evaluation
	Mark Mark
}

// Hypothetical reports whether the entry is part of a what-if.
func (e Entry) Hypothetical() bool { return e.Eval.Hypothetical || e.Mark.Hypothetical }

// WhatIf returns entries with the hypothetical changes applied, leaving
// entries untouched: a change on an evaluation already there replaces its
// mark, any other is an added evaluation. Every change is flagged
// hypothetical.
func WhatIf(entries, changes []Entry) []Entry {
	out := append([]Entry(nil), entries...)
	at := make(map[string]int, len(out))
	for i, e := range out {
		at[e.Eval.ID] = i
	}
	for _, c := range changes {
		c.Mark.Hypothetical = true
		if i, ok := at[c.Eval.ID]; ok && c.Eval.ID != "" {
			out[i].Mark = c.Mark
			continue
		}
		c.Eval.Hypothetical = true
		out = append(out, c)
	}
	return out
}

// RefKind tells what a Ref points at.
type RefKind string

// Kinds of Ref.
const (
	RefEvaluation RefKind = "evaluation"
	RefSubSubject RefKind = "subsubject"
	RefSubject    RefKind = "subject"
	RefPeriod     RefKind = "period"
	RefItem       RefKind = "item" // a competence item's assessment
)

// Ref names what a step concerns, as data.
type Ref struct {
	Kind  RefKind
	ID    string
	Label string
}

// Subject describes a subject for its average: its sub-subjects, if any.
type Subject struct {
	ID          string
	Label       string
	SubSubjects []SubSubject
}

// SubSubject is a part of a subject with its coefficient (oral, written…).
type SubSubject struct {
	ID          string
	Label       string
	Coefficient float64
}
