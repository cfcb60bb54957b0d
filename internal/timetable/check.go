package timetable

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"cartable/internal/check"
)

// The validators of the timetable's forms and imported lines, shared by
// the pages and the future API. Each returns every problem found; the
// writes call them first and save nothing when there is one. Checks that
// need the database (references, overlaps, duplicates) are in the writes.

// CheckSlot reports impossible days and times, dates and a lesson without
// audience.
func CheckSlot(n NewSlot) check.Problems {
	var ps check.Problems
	if n.Weekday < 1 || n.Weekday > 7 {
		ps = append(ps, check.Problem{Line: n.Line, Field: "day", Code: "bad-day", Value: fmt.Sprint(n.Weekday)})
	}
	if n.StartMin < 0 || n.StartMin > 1439 {
		ps = append(ps, check.Problem{Line: n.Line, Field: "start", Code: "bad-time", Value: HHMM(n.StartMin)})
	}
	if n.DurationMin < 5 || n.DurationMin > 720 {
		ps = append(ps, check.Problem{Line: n.Line, Field: "duration", Code: "bad-duration", Value: fmt.Sprint(n.DurationMin)})
	} else if n.StartMin+n.DurationMin > 24*60 {
		ps = append(ps, check.Problem{Line: n.Line, Field: "duration", Code: "past-midnight", Value: HHMM(n.StartMin) + "+" + fmt.Sprint(n.DurationMin)})
	}
	if _, err := ParseDate(n.ValidFrom); err != nil {
		ps = append(ps, check.Problem{Line: n.Line, Field: "from", Code: "bad-date", Value: n.ValidFrom})
	}
	if _, err := ParseDate(n.ValidTo); err != nil || n.ValidTo < n.ValidFrom {
		ps = append(ps, check.Problem{Line: n.Line, Field: "to", Code: "bad-date", Value: n.ValidTo})
	}
	if len(n.ClassIDs)+len(n.GroupIDs) == 0 {
		ps = append(ps, check.Problem{Line: n.Line, Field: "audience", Code: "no-audience"})
	}
	return ps
}

// SlotInput is the lesson form as typed: one value per select for the
// teachers and the audiences ("c:ID" for a class, "g:ID" for a group),
// blanks ignored; Date makes a one-off lesson on that day.
type SlotInput struct {
	Day, Start, Duration, Subject, Room, Alternation, Date string
	Teachers, Audiences                                    []string
}

// CheckSlotInput reads the lesson form into a lesson of est's school year
// y, with the problems of what cannot be read; CheckSlot and the writes
// check the rest.
func CheckSlotInput(est string, y SchoolYear, in SlotInput) (NewSlot, check.Problems) {
	n := NewSlot{EstablishmentID: est, SchoolYearID: y.ID, SubjectID: in.Subject, RoomID: in.Room,
		AlternationID: in.Alternation, ValidFrom: y.StartsOn, ValidTo: y.EndsOn}
	var ps check.Problems
	n.Weekday, _ = strconv.Atoi(in.Day)
	if date := strings.TrimSpace(in.Date); date != "" { // a one-off lesson on that date
		d, err := ParseDate(date)
		if err != nil {
			ps.Add("date", "bad-date", date)
		} else {
			n.Weekday, n.ValidFrom, n.ValidTo, n.Exceptional, n.AlternationID = Weekday(d), date, date, true, ""
		}
	}
	var ok bool
	if n.StartMin, ok = ParseClock(in.Start); !ok {
		ps.Add("start", "bad-time", in.Start)
	}
	var err error
	if n.DurationMin, err = strconv.Atoi(strings.TrimSpace(in.Duration)); err != nil {
		ps.Add("duration", "bad-duration", in.Duration)
	}
	for _, t := range in.Teachers {
		if t != "" {
			n.TeacherIDs = append(n.TeacherIDs, t)
		}
	}
	for _, a := range in.Audiences {
		if kind, id, _ := strings.Cut(a, ":"); id == "" {
			continue
		} else if kind == "g" {
			n.GroupIDs = append(n.GroupIDs, id)
		} else {
			n.ClassIDs = append(n.ClassIDs, id)
		}
	}
	return n, ps
}

// CheckChange checks the change of an occurrence of slot s and returns it
// normalised: what equals the lesson's own day, time, duration or room is
// no change; a reason is kept for a cancellation only. A room's or a
// replacement's membership of the establishment is checked by SetChange.
func CheckChange(s *Slot, in ChangeInput) (ChangeInput, int, check.Problems) {
	var ps check.Problems
	startMin := 0
	if in.NewStart != "" {
		m, ok := ParseClock(in.NewStart)
		if !ok {
			ps.Add("start", "bad-time", in.NewStart)
		}
		startMin = m
		if startMin == s.StartMin {
			startMin = 0
		}
	}
	if in.NewDuration != 0 && (in.NewDuration < 5 || in.NewDuration > 720) {
		ps.Add("duration", "bad-duration", fmt.Sprint(in.NewDuration))
	}
	if in.NewDuration == s.DurationMin {
		in.NewDuration = 0
	}
	if st, d := orig(startMin, s.StartMin), orig(in.NewDuration, s.DurationMin); st+d > 24*60 {
		ps.Add("duration", "past-midnight", HHMM(st)+"+"+fmt.Sprint(d))
	}
	if in.NewDate == in.OnDate {
		in.NewDate = ""
	}
	if in.NewDate != "" {
		if _, err := ParseDate(in.NewDate); err != nil {
			ps.Add("date", "bad-date", in.NewDate)
		}
	}
	if in.Reason != "" && !slices.Contains(Reasons, in.Reason) {
		ps.Add("reason", "bad-reason", in.Reason)
	}
	if in.Cancelled && in.Reason == "" {
		ps.Add("reason", "reason-needed", "")
	}
	if !in.Cancelled {
		in.Reason = ""
	}
	if in.Cancelled && (in.NewDate != "" || startMin != 0 || in.NewDuration != 0 || in.NewRoomID != "" || in.ReplacementID != "") {
		ps.Add("cancelled", "cancelled-and-moved", "")
	}
	if s.Room != nil && s.Room.ID == in.NewRoomID {
		in.NewRoomID = ""
	}
	if utf8.RuneCountInString(in.Note) > 500 { // as the form's maxlength counts
		ps.Add("note", "too-long", "500")
	}
	return in, startMin, ps
}

// orig is a changed value, or the original when unchanged (0).
func orig(changed, original int) int {
	if changed != 0 {
		return changed
	}
	return original
}

// checkText trims a code or name and reports it missing, too long or
// holding control characters.
func checkText(field, value string, max int) (string, check.Problems) {
	v := strings.TrimSpace(value)
	switch {
	case v == "":
		return v, check.Problems{{Field: field, Code: "required"}}
	case utf8.RuneCountInString(v) > max:
		return v, check.Problems{{Field: field, Code: "too-long", Value: fmt.Sprint(max)}}
	case strings.IndexFunc(v, unicode.IsControl) >= 0 || !utf8.ValidString(v):
		return v, check.Problems{{Field: field, Code: "bad-text", Value: v}}
	}
	return v, nil
}

// CheckRoom checks the room form and returns its code and name trimmed.
// Whether the code is free in the establishment is checked by SaveRoom.
func CheckRoom(in RoomInput) (RoomInput, check.Problems) {
	code, ps := checkText("code", in.Code, MaxCodeLen)
	name, nps := checkText("name", in.Name, MaxNameLen)
	return RoomInput{Code: code, Name: name}, append(ps, nps...)
}

// CheckAlternation checks the week pattern form against school year y and
// returns its code and label trimmed and its weeks (sorted Mondays), given
// the year's calendar. Whether the code is free and whether the weeks make
// lessons overlap is checked by SaveAlternation.
func CheckAlternation(c Calendar, y SchoolYear, in AlternationInput) (code, label string, weeks []string, ps check.Problems) {
	code, ps = checkText("code", in.Code, MaxCodeLen)
	label, lps := checkText("label", in.Label, MaxLabelLen)
	ps = append(ps, lps...)
	if code != "" && slices.Contains(reservedWeekCodes, norm(code)) {
		ps.Add("code", "reserved-code", code)
	}
	if in.Alternate {
		if in.EveryOtherFrom == "" {
			ps.Add("start", "required", "")
		} else if bad := checkMondays("start", y, []string{in.EveryOtherFrom}); len(bad) > 0 {
			ps = append(ps, bad...)
		} else {
			weeks = EveryOtherWeek(c, y, in.EveryOtherFrom)
		}
	} else {
		ps = append(ps, checkMondays("weeks", y, in.Mondays)...)
		weeks = dedupe(in.Mondays)
		slices.Sort(weeks)
	}
	if len(weeks) == 0 && !ps.Has("start") && !ps.Has("weeks") {
		ps.Add("weeks", "no-week", "")
	}
	return code, label, weeks, ps
}

// checkMondays reports the weeks that are not Mondays of the school year.
func checkMondays(field string, y SchoolYear, mondays []string) check.Problems {
	var ps check.Problems
	first := ""
	if d, err := ParseDate(y.StartsOn); err == nil {
		first = Monday(d).Format(DateFormat)
	}
	for _, m := range mondays {
		d, err := ParseDate(m)
		if err != nil || Weekday(d) != 1 || m < first || m > y.EndsOn {
			ps.Add(field, "bad-week", m)
		}
	}
	return ps
}
