package attendance

import (
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"cartable/internal/check"
	"cartable/internal/timetable"
)

// The validators of school life's forms: what the form alone tells. What
// needs the database (the student's school year, overlapping absences,
// the establishment's reasons) is the service's to check; it reports on
// the same fields, so that a page marks one place whatever the cause.

// span is a checked period: its days and minutes of the day.
type span struct {
	startDate string
	startMin  int
	endDate   string
	endMin    int
}

// before tells whether the instant (d, m) comes before (e, n).
func before(d string, m int, e string, n int) bool { return d < e || (d == e && m < n) }

// checkSpan reads a period typed in four fields (dates YYYY-MM-DD, times
// HH:MM; an empty start time is the start of the day, an empty end time its
// end) and reports on them.
func checkSpan(ps *check.Problems, startDate, startTime, endDate, endTime string) span {
	var s span
	startDate, endDate = strings.TrimSpace(startDate), strings.TrimSpace(endDate)
	if startDate == "" {
		ps.Add("start-date", "required", "")
	} else if _, err := timetable.ParseDate(startDate); err != nil {
		ps.Add("start-date", "bad-date", startDate)
	} else {
		s.startDate = startDate
	}
	if endDate == "" {
		endDate = startDate // one day
	}
	if _, err := timetable.ParseDate(endDate); err != nil {
		if endDate != "" {
			ps.Add("end-date", "bad-date", endDate)
		}
	} else {
		s.endDate = endDate
	}
	var ok bool
	if t := strings.TrimSpace(startTime); t == "" {
		s.startMin = 0
	} else if s.startMin, ok = timetable.ParseClock(t); !ok {
		ps.Add("start-time", "bad-time", t)
	}
	if t := strings.TrimSpace(endTime); t == "" || t == "24:00" {
		s.endMin = 1440
	} else if s.endMin, ok = timetable.ParseClock(t); !ok {
		ps.Add("end-time", "bad-time", t)
	}
	if s.startDate != "" && s.endDate != "" && !ps.Has("start-time") && !ps.Has("end-time") &&
		!before(s.startDate, s.startMin, s.endDate, s.endMin) {
		ps.Add("end-date", "end-before-start", "")
	}
	return s
}

// AbsenceInput is the absence form as typed: the student, the period, the
// reason (an ID of the establishment's list, "" for none), the state and
// school life's follow-up comment.
type AbsenceInput struct {
	StudentID string
	StartDate string
	StartTime string
	EndDate   string
	EndTime   string
	ReasonID  string
	State     string
	Comment   string
}

// States lists the states of an absence, in their order.
var States = []string{NoReason, ReasonGiven, Justified, NotAccepted}

// CheckAbsence reports what is at fault in an absence form.
func CheckAbsence(in AbsenceInput) check.Problems {
	_, ps := checkAbsence(in)
	return ps
}

func checkAbsence(in AbsenceInput) (span, check.Problems) {
	var ps check.Problems
	s := checkSpan(&ps, in.StartDate, in.StartTime, in.EndDate, in.EndTime)
	if in.State != "" && !slices.Contains(States, in.State) {
		ps.Add("state", "bad-choice", in.State)
	}
	if in.State != "" && in.State != NoReason && strings.TrimSpace(in.ReasonID) == "" {
		ps.Add("reason", "reason-needed", "")
	}
	if utf8.RuneCountInString(in.Comment) > 2000 {
		ps.Add("comment", "too-long", "2000")
	}
	return s, ps
}

// CollectiveInput is the collective absence form: a class or a group
// ("class:ID" or "group:ID"), what it is (a trip), the period.
type CollectiveInput struct {
	Audience  string
	Label     string
	StartDate string
	StartTime string
	EndDate   string
	EndTime   string
}

// CheckCollective reports what is at fault in a collective absence form.
func CheckCollective(in CollectiveInput) check.Problems {
	_, ps := checkCollective(in)
	return ps
}

func checkCollective(in CollectiveInput) (span, check.Problems) {
	var ps check.Problems
	kind, id, ok := strings.Cut(in.Audience, ":")
	if in.Audience == "" {
		ps.Add("audience", "required", "")
	} else if !ok || (kind != "class" && kind != "group") || id == "" {
		ps.Add("audience", "bad-choice", in.Audience)
	}
	label := strings.TrimSpace(in.Label)
	if label == "" {
		ps.Add("label", "required", "")
	} else if utf8.RuneCountInString(label) > 200 {
		ps.Add("label", "too-long", "200")
	}
	s := checkSpan(&ps, in.StartDate, in.StartTime, in.EndDate, in.EndTime)
	return s, ps
}

// ExemptionInput is the exemption form: the student, the subject (an ID,
// "" for every lesson), the dates, the weekdays ("1" Monday … "6"
// Saturday; none: every day of the dates), every other week (counted from
// the week of the start date), whether the student still attends, a
// comment.
type ExemptionInput struct {
	StudentID      string
	SubjectID      string
	StartDate      string
	EndDate        string
	Weekdays       []string
	EveryOtherWeek bool
	Attendance     bool
	Comment        string
}

// CheckExemption reports what is at fault in an exemption form.
func CheckExemption(in ExemptionInput) check.Problems {
	_, _, ps := checkExemption(in)
	return ps
}

func checkExemption(in ExemptionInput) (span, string, check.Problems) {
	var ps check.Problems
	s := checkSpan(&ps, in.StartDate, "", in.EndDate, "")
	var days []int
	for _, w := range in.Weekdays {
		n, err := strconv.Atoi(w)
		if err != nil || n < 1 || n > 6 {
			ps.Add("weekdays", "bad-choice", w)
			continue
		}
		if !slices.Contains(days, n) {
			days = append(days, n)
		}
	}
	slices.Sort(days)
	if in.EveryOtherWeek && len(days) == 0 {
		ps.Add("weekdays", "weekdays-needed", "")
	}
	if utf8.RuneCountInString(in.Comment) > 2000 {
		ps.Add("comment", "too-long", "2000")
	}
	var w []string
	for _, d := range days {
		w = append(w, strconv.Itoa(d))
	}
	return s, strings.Join(w, ","), ps
}

// SettingsInput is the settings form as typed: times "HH:MM", delays and
// thresholds in whole numbers.
type SettingsInput struct {
	Unit         string
	Boundary     string
	OpensBefore  string
	LateAfter    string
	AlertDelay   string
	AlertFrom    string
	AlertUntil   string
	MaxAbsences  string
	MaxLateness  string
	MaxIncidents string
}

// Units lists the counting units.
var Units = []string{"half-day", "hour", "day"}

// CheckSettings reports what is at fault in the settings form.
func CheckSettings(in SettingsInput) check.Problems {
	_, ps := checkSettings(in)
	return ps
}

func checkSettings(in SettingsInput) (Settings, check.Problems) {
	var ps check.Problems
	var s Settings
	s.Unit = in.Unit
	if !slices.Contains(Units, in.Unit) {
		ps.Add("unit", "bad-choice", in.Unit)
	}
	clock := func(field, v string) int {
		m, ok := timetable.ParseClock(v)
		if !ok {
			ps.Add(field, "bad-time", v)
		}
		return m
	}
	number := func(field, v string, lo, hi int) int {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || n < lo || n > hi {
			ps.Add(field, "out-of-range", strconv.Itoa(lo)+"–"+strconv.Itoa(hi))
		}
		return n
	}
	s.BoundaryMin = clock("boundary", in.Boundary)
	s.OpensBefore = number("opens-before", in.OpensBefore, 0, 120)
	s.LateAfter = number("late-after", in.LateAfter, 0, 240)
	s.AlertDelay = number("alert-delay", in.AlertDelay, 0, 240)
	s.AlertFrom = clock("alert-from", in.AlertFrom)
	s.AlertUntil = clock("alert-until", in.AlertUntil)
	if !ps.Has("alert-from") && !ps.Has("alert-until") && s.AlertUntil <= s.AlertFrom {
		ps.Add("alert-until", "end-before-start", "")
	}
	s.MaxAbsences = number("max-absences", in.MaxAbsences, 1, 999)
	s.MaxLateness = number("max-lateness", in.MaxLateness, 1, 999)
	s.MaxIncidents = number("max-incidents", in.MaxIncidents, 1, 999)
	return s, ps
}

// ReasonInput is a reason of the establishment's list as typed.
type ReasonInput struct {
	Label        string
	Legitimate   bool
	Confidential bool
	Active       bool
	Position     string
}

// CheckReason reports what is at fault in a reason form.
func CheckReason(in ReasonInput) check.Problems {
	_, ps := checkReason(in)
	return ps
}

func checkReason(in ReasonInput) (Reason, check.Problems) {
	var ps check.Problems
	r := Reason{Label: strings.TrimSpace(in.Label), Legitimate: in.Legitimate, Confidential: in.Confidential, Active: in.Active}
	if r.Label == "" {
		ps.Add("label", "required", "")
	} else if utf8.RuneCountInString(r.Label) > 80 {
		ps.Add("label", "too-long", "80")
	}
	if p := strings.TrimSpace(in.Position); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 || n > 999 {
			ps.Add("position", "out-of-range", "0–999")
		}
		r.Position = n
	}
	return r, ps
}
