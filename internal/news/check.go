package news

import (
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"cartable/internal/check"
	"cartable/internal/timetable"
)

// Input is the form of a news item. Dates are days (YYYY-MM-DD) in Paris:
// shown from the start of From (empty: at once) to the end of Until (empty:
// no end); acknowledged by the end of AckBy.
type Input struct {
	Establishment string // empty: the viewer's only establishment
	Title         string
	Body          string
	Targets       []string // "profile:relative", "function:cpe", "class:ID", "group:ID"
	ClassStudents bool
	ClassFamilies bool
	From          string
	Until         string
	AckRequired   bool
	AckBy         string
	Publish       bool // false: kept as a draft
	// Attachments are files sent with the form (at most MaxAttachments);
	// a refused one is a problem on "attachments", nothing written.
	Attachments []Upload
}

// checked is the input once read: its dates as instants.
type checked struct {
	Input
	targets     []Target
	from, until time.Time
	ackBy       time.Time
}

func cleanText(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.Map(func(r rune) rune {
		if r == '\n' || r == '\t' {
			return r
		}
		if unicode.IsControl(r) || r == utf8.RuneError {
			return -1
		}
		return r
	}, s)
	return strings.TrimSpace(s)
}

func textProblems(ps *check.Problems, field, s string, max int) {
	switch n := utf8.RuneCountInString(s); {
	case n == 0:
		ps.Add(field, "required", "")
	case n > max:
		ps.Add(field, "too-long", strconv.Itoa(max))
	}
}

func day(ps *check.Problems, field, s string) time.Time {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}
	}
	d, err := time.ParseInLocation(timetable.DateFormat, s, timetable.Paris)
	if err != nil {
		ps.Add(field, "bad-date", s)
		return time.Time{}
	}
	return d
}

// Check reports what is at fault in a form as the form alone tells
// (whether the viewer may publish to its audience is the service's).
func Check(in Input, now time.Time) check.Problems {
	_, ps := checkInput(in, now)
	return ps
}

func checkInput(in Input, now time.Time) (checked, check.Problems) {
	var ps check.Problems
	c := checked{Input: in}
	c.Title, c.Body = cleanText(in.Title), cleanText(in.Body)
	textProblems(&ps, "title", c.Title, MaxTitle)
	textProblems(&ps, "body", c.Body, MaxBody)
	seen := map[string]bool{}
	structures := false
	for _, raw := range in.Targets {
		kind, id, ok := strings.Cut(strings.TrimSpace(raw), ":")
		if !ok || id == "" || seen[kind+":"+id] {
			if !ok || id == "" {
				ps.Add("targets", "bad-target", "")
			}
			continue
		}
		seen[kind+":"+id] = true
		switch kind {
		case TargetProfile:
			if !slices.Contains(Profiles, id) {
				ps.Add("targets", "bad-target", "")
				continue
			}
		case TargetFunction:
			if !slices.Contains(Functions, id) {
				ps.Add("targets", "bad-target", "")
				continue
			}
		case TargetClass, TargetGroup:
			structures = true
		default:
			ps.Add("targets", "bad-target", "")
			continue
		}
		c.targets = append(c.targets, Target{Kind: kind, ID: id})
	}
	switch {
	case len(c.targets) == 0 && !ps.Has("targets"):
		ps.Add("targets", "required", "")
	case len(c.targets) > MaxTargets:
		ps.Add("targets", "too-many", strconv.Itoa(MaxTargets))
	}
	if structures && !in.ClassStudents && !in.ClassFamilies {
		ps.Add("who", "required", "")
	}
	today := time.Date(now.In(timetable.Paris).Year(), now.In(timetable.Paris).Month(), now.In(timetable.Paris).Day(), 0, 0, 0, 0, timetable.Paris)
	c.from = day(&ps, "from", in.From)
	if c.from.IsZero() || c.from.Before(today) {
		if !c.from.IsZero() {
			ps.Add("from", "past", in.From)
		}
		c.from = now
	}
	if u := day(&ps, "until", in.Until); !u.IsZero() {
		c.until = u.AddDate(0, 0, 1) // the end of that day
		if !c.until.After(c.from) {
			ps.Add("until", "before-from", in.Until)
		}
	}
	if in.AckRequired {
		switch b := day(&ps, "ackby", in.AckBy); {
		case strings.TrimSpace(in.AckBy) == "":
			ps.Add("ackby", "required", "")
		case b.IsZero():
		case b.Before(today):
			ps.Add("ackby", "past", in.AckBy)
		default:
			c.ackBy = b.AddDate(0, 0, 1)
		}
	}
	return c, ps
}
