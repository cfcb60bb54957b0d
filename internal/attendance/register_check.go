package attendance

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"cartable/internal/check"
	"cartable/internal/timetable"
)

// MarkInput is one student's line of the register form, as typed.
type MarkInput struct {
	Student string
	Absent  bool
	Late    string // minutes
	// LateChosen: the student was marked late (the minutes are then
	// required).
	LateChosen bool
	LeftAt     string // "HH:MM"
	Remark     string
	Material   bool
}

// RegisterInput is the register form: one line per student (a student
// left out is present, with nothing to note), and whether the teacher
// validates the roll call.
type RegisterInput struct {
	Rows []MarkInput
	Done bool
}

// MaxRemark bounds a remark on a student in a register.
const MaxRemark = 500

// Fields of the register form's problems: "student" for the form as a
// whole, else the field and the student's ID ("late:ID", "left:ID",
// "remark:ID", "absent:ID").
func field(name, student string) string { return name + ":" + student }

// CheckRegister is the validator of the register form for reg (the roll
// call as loaded): every student must be one of the lesson's, lateness a
// number of minutes within the lesson, leaving early a time during it, a
// remark short, and a student not both absent and late or gone.
func CheckRegister(in RegisterInput, reg Register) check.Problems {
	var ps check.Problems
	known := make(map[string]bool, len(reg.Rows))
	for _, r := range reg.Rows {
		known[r.ID] = true
	}
	_, from, to := spanOf(reg.Lesson)
	dur := to - from
	seen := map[string]bool{}
	for _, m := range in.Rows {
		if !known[m.Student] {
			ps.Add("student", "unknown-student", m.Student)
			continue
		}
		if seen[m.Student] {
			ps.Add("student", "twice", m.Student)
			continue
		}
		seen[m.Student] = true
		if s := strings.TrimSpace(m.Late); s == "" && m.LateChosen {
			ps.Add(field("late", m.Student), "minutes-required", "")
		} else if s != "" {
			n, err := strconv.Atoi(s)
			switch {
			case err != nil:
				ps.Add(field("late", m.Student), "not-minutes", m.Late)
			case n < 0 || n > dur || (m.LateChosen && n == 0):
				ps = append(ps, check.Problem{Field: field("late", m.Student), Code: "minutes-range", Value: m.Late, N: dur})
			}
		}
		if s := strings.TrimSpace(m.LeftAt); s != "" {
			min, ok := parseHHMM(s)
			switch {
			case !ok:
				ps.Add(field("left", m.Student), "not-time", m.LeftAt)
			case min <= from || min >= to:
				ps.Add(field("left", m.Student), "time-range", timetable.HHMM(from)+"–"+timetable.HHMM(to))
			}
		}
		if utf8.RuneCountInString(m.Remark) > MaxRemark {
			ps = append(ps, check.Problem{Field: field("remark", m.Student), Code: "too-long", N: MaxRemark})
		}
		if m.Absent && (lateOf(m) > 0 || strings.TrimSpace(m.LeftAt) != "") {
			ps.Add(field("absent", m.Student), "absent-and-present", "")
		}
	}
	return ps
}

// lateOf is the minutes late typed, 0 for none or not a number.
func lateOf(m MarkInput) int {
	n, err := strconv.Atoi(strings.TrimSpace(m.Late))
	if err != nil || n < 0 {
		return 0
	}
	return n
}

// parseHHMM reads "08:35" (or "8h35") as a minute of the day.
func parseHHMM(s string) (int, bool) {
	s = strings.Replace(strings.ToLower(s), "h", ":", 1)
	h, m, ok := strings.Cut(s, ":")
	if !ok {
		return 0, false
	}
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if err1 != nil || err2 != nil || hh < 0 || hh > 23 || mm < 0 || mm > 59 {
		return 0, false
	}
	return hh*60 + mm, true
}
