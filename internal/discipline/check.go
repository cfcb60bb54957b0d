package discipline

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"cartable/internal/access"
	"cartable/internal/check"
	"cartable/internal/timetable"
)

// Rejected is a form refused for its problems, some of which come from
// values out of the viewer's reach (a forged student of an incident): the
// page shows the problems and audits the refusals. As an error it unwraps
// to the problems.
type Rejected struct {
	Problems check.Problems
	Refusals []*access.Denied
}

func (e *Rejected) Error() string { return e.Problems.Error() }
func (e *Rejected) Unwrap() error { return e.Problems }

// Year is the school year a date must fall in.
type Year struct{ StartsOn, EndsOn string }

// PunishmentInput is the punishment form as typed.
type PunishmentInput struct {
	StudentID   string
	Kind        string
	Reason      string
	PrivateNote string
	Work        string // extra work, detention
	DueOn       string // extra work
	OnDate      string // detention
	Start       string // detention, "HH:MM"
	Duration    string // detention, minutes
	Place       string // detention
	Outcome     string // detention: "", done, not-done
	Lesson      string // lesson exclusion: "SLOT/DATE"
	Report      string // lesson exclusion: the written report to the CPE and head
}

// SanctionInput is the sanction form as typed.
type SanctionInput struct {
	StudentID      string
	Kind           string
	DecidedOn      string // for a permanent exclusion: the disciplinary board's date
	Reason         string
	Hours          string // responsabilisation
	Days           string // temporary exclusions
	StartsOn       string // when it is carried out
	Service        string // an exclusion from an annexed service (half-board, boarding) rather than the school
	Suspension     string // none, total, partial
	SuspendedUnits string // partial: hours or days suspended
	SuspendedUntil string // the end of the period the suspension may be revoked in
	IncidentID     string
}

// RevocationInput is the revocation of a suspension as typed.
type RevocationInput struct {
	RevokedOn string
	Reason    string
}

// IncidentInput is the incident form as typed.
type IncidentInput struct {
	EstablishmentID string
	OccurredOn      string
	OccurredAt      string // "HH:MM"
	Place           string
	Kind            string
	Seriousness     string
	Description     string
	Processed       bool
	Protagonists    []ProtagonistInput
}

// ProtagonistInput is one line of the incident form's protagonists; a line
// without a student is ignored.
type ProtagonistInput struct {
	StudentID, Role string
}

const (
	maxShort = 200
	maxLong  = 4000
)

func text(ps *check.Problems, field, s string, required bool, max int) string {
	s = strings.TrimSpace(s)
	switch {
	case s == "" && required:
		ps.Add(field, "required", "")
	case len(s) > max:
		ps.Add(field, "too-long", strconv.Itoa(max))
	}
	return s
}

// day checks a date of the school year; it returns "" when it is not one.
func day(ps *check.Problems, field, s string, y Year, required bool) string {
	s = strings.TrimSpace(s)
	if s == "" {
		if required {
			ps.Add(field, "required", "")
		}
		return ""
	}
	if _, err := timetable.ParseDate(s); err != nil {
		ps.Add(field, "bad-date", s)
		return ""
	}
	if y.StartsOn != "" && (s < y.StartsOn || s > y.EndsOn) {
		ps.Add(field, "outside-year", s)
		return ""
	}
	return s
}

// clock reads "HH:MM" into minutes of the day, -1 when it is not one.
func clock(ps *check.Problems, field, s string) int {
	s = strings.TrimSpace(s)
	if s == "" {
		ps.Add(field, "required", "")
		return -1
	}
	t, err := time.Parse("15:04", s)
	if err != nil {
		ps.Add(field, "bad-time", s)
		return -1
	}
	return t.Hour()*60 + t.Minute()
}

// number reads a whole number in [min, max]: below, "too-small" (N: min);
// above, code (N: max).
func number(ps *check.Problems, field, s string, min, max int, code string) int {
	s = strings.TrimSpace(s)
	if s == "" {
		ps.Add(field, "required", "")
		return 0
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		ps.Add(field, "bad-number", s)
		return 0
	}
	if n < min {
		*ps = append(*ps, check.Problem{Field: field, Code: "too-small", Value: s, N: min})
		return 0
	}
	if n > max {
		*ps = append(*ps, check.Problem{Field: field, Code: code, Value: s, N: max})
		return 0
	}
	return n
}

// cleanPunishment is a checked punishment form.
type cleanPunishment struct {
	kind, reason, note, work, due, onDate, place, outcome, report string
	start, duration                                               int
	slot, lessonDate                                              string
}

// CheckPunishment reports what is at fault in a punishment form, its dates
// checked against the school year y. The lesson a student is excluded from
// is the service's to check.
func CheckPunishment(in PunishmentInput, y Year) check.Problems {
	_, ps := checkPunishment(in, y)
	return ps
}

func checkPunishment(in PunishmentInput, y Year) (cleanPunishment, check.Problems) {
	var ps check.Problems
	c := cleanPunishment{kind: in.Kind}
	if !slices.Contains(PunishmentKinds, in.Kind) {
		ps.Add("kind", "bad-choice", in.Kind)
	}
	c.reason = text(&ps, "reason", in.Reason, true, maxLong)
	c.note = text(&ps, "private_note", in.PrivateNote, false, maxLong)
	switch in.Kind {
	case ExtraWork:
		c.work = text(&ps, "work", in.Work, true, maxLong)
		c.due = day(&ps, "due_on", in.DueOn, y, true)
	case Detention:
		c.work = text(&ps, "work", in.Work, false, maxLong)
		c.onDate = day(&ps, "on_date", in.OnDate, y, true)
		c.start = clock(&ps, "start", in.Start)
		c.duration = number(&ps, "duration", in.Duration, 15, 240, "bad-duration")
		c.place = text(&ps, "place", in.Place, true, maxShort)
		c.outcome = in.Outcome
		if c.outcome != "" && c.outcome != Done && c.outcome != NotDone {
			ps.Add("outcome", "bad-choice", in.Outcome)
		}
	case LessonExclusion:
		slot, date, ok := strings.Cut(in.Lesson, "/")
		if in.Lesson == "" {
			ps.Add("lesson", "required", "")
		} else if _, err := timetable.ParseDate(date); !ok || slot == "" || err != nil {
			ps.Add("lesson", "bad-lesson", in.Lesson)
		} else {
			c.slot, c.lessonDate = slot, date
		}
		// The written report to the CPE and the head is not optional.
		c.report = text(&ps, "report", in.Report, true, maxLong)
	}
	return c, ps
}

// cleanSanction is a checked sanction form.
type cleanSanction struct {
	kind, decided, reason, starts, service, suspension, until, removal string
	hours, days, units                                                 int
}

// CheckSanction reports what is at fault in a sanction form decided in the
// school year y: the six kinds only, 20 hours of responsabilisation and 8
// days of exclusion at most, a suspension only for 3° to 6° and within the
// period R511-13-1 allows.
func CheckSanction(in SanctionInput, y Year, today string) check.Problems {
	_, ps := checkSanction(in, y, today)
	return ps
}

func checkSanction(in SanctionInput, y Year, today string) (cleanSanction, check.Problems) {
	var ps check.Problems
	c := cleanSanction{kind: in.Kind, suspension: in.Suspension}
	if !slices.Contains(SanctionKinds, in.Kind) {
		ps.Add("kind", "bad-choice", in.Kind)
	}
	c.decided = day(&ps, "decided_on", in.DecidedOn, y, true)
	if c.decided != "" && c.decided > today {
		ps.Add("decided_on", "future", c.decided)
		c.decided = ""
	}
	c.reason = text(&ps, "reason", in.Reason, true, maxLong)
	switch in.Kind {
	case Responsibility:
		c.hours = number(&ps, "hours", in.Hours, 1, MaxResponsibilityHours, "too-many-hours")
		c.units = c.hours
		c.starts = day(&ps, "starts_on", in.StartsOn, y, false)
	case ClassExclusion, SchoolExclusion:
		c.days = number(&ps, "days", in.Days, 1, MaxExclusionDays, "too-many-days")
		c.units = c.days
		c.starts = day(&ps, "starts_on", in.StartsOn, y, true)
		if in.Kind == SchoolExclusion {
			c.service = text(&ps, "service", in.Service, false, maxShort)
		}
	case PermanentExclusion:
		c.service = text(&ps, "service", in.Service, false, maxShort)
	}
	if c.starts != "" && c.decided != "" && c.starts < c.decided {
		ps.Add("starts_on", "before-decision", c.starts)
	}
	if c.decided != "" {
		c.removal = RemovalDate(in.Kind, c.decided, y)
	}
	if c.suspension == "" {
		c.suspension = NoSuspension
	}
	switch c.suspension {
	case NoSuspension:
	case TotalSuspension, PartialSuspension:
		if !Suspendable(in.Kind) {
			ps.Add("suspension", "not-suspendable", in.Kind)
			break
		}
		if c.suspension == PartialSuspension {
			if in.Kind == PermanentExclusion {
				ps.Add("suspension", "partial-permanent", "")
			} else if c.units > 1 {
				c.units = number(&ps, "suspended_units", in.SuspendedUnits, 1, c.units-1, "bad-units")
			} else if c.units == 1 {
				ps.Add("suspension", "partial-one", "")
			}
		}
		c.until = day(&ps, "suspended_until", in.SuspendedUntil, Year{}, true)
		if c.until != "" && c.decided != "" {
			lo, hi := SuspensionBounds(in.Kind, c.decided, y)
			switch {
			case c.until < lo:
				ps.Add("suspended_until", "suspension-too-short", lo)
			case c.until > hi:
				ps.Add("suspended_until", "suspension-too-long", hi)
			}
		}
	default:
		ps.Add("suspension", "bad-choice", in.Suspension)
	}
	if c.suspension != PartialSuspension {
		c.units = 0
	}
	return c, ps
}

// RemovalDate is the day a sanction decided on decided (in the school year
// y) leaves the student's record, R511-13 IV: the warning, the reprimand
// and the responsabilisation at the end of the school year (the day after
// its last day), the temporary exclusions one year after the decision; a
// permanent exclusion stays ("").
func RemovalDate(kind, decided string, y Year) string {
	switch kind {
	case Warning, Reprimand, Responsibility:
		return addDays(y.EndsOn, 1)
	case ClassExclusion, SchoolExclusion:
		d, err := timetable.ParseDate(decided)
		if err != nil {
			return ""
		}
		return d.AddDate(1, 0, 0).Format(timetable.DateFormat)
	}
	return ""
}

// SuspensionBounds are the first and last days the period of a suspension
// may end on (R511-13-1 I): not before the end of the current school year,
// not after the sanction leaves the record; for a permanent exclusion, not
// after the end of the second school year following the decision (taken
// as the current year's last day two years on: the next years' calendars
// are not known yet).
func SuspensionBounds(kind, decided string, y Year) (lo, hi string) {
	lo = y.EndsOn
	if kind == PermanentExclusion {
		d, err := timetable.ParseDate(y.EndsOn)
		if err != nil {
			return lo, lo
		}
		return lo, d.AddDate(2, 0, 0).Format(timetable.DateFormat)
	}
	return lo, addDays(RemovalDate(kind, decided, y), -1)
}

func addDays(s string, n int) string {
	d, err := timetable.ParseDate(s)
	if err != nil {
		return ""
	}
	return d.AddDate(0, 0, n).Format(timetable.DateFormat)
}

// CheckRevocation reports what is at fault in the revocation of sanction s.
func CheckRevocation(in RevocationInput, s Sanction, today string) check.Problems {
	var ps check.Problems
	if s.Suspension == NoSuspension {
		ps.Add("revoked_on", "not-suspended", "")
		return ps
	}
	if s.RevokedOn != "" {
		ps.Add("revoked_on", "already-revoked", s.RevokedOn)
		return ps
	}
	on := day(&ps, "revoked_on", in.RevokedOn, Year{}, true)
	switch {
	case on == "":
	case on > today:
		ps.Add("revoked_on", "future", on)
	case on <= s.DecidedOn:
		ps.Add("revoked_on", "revoked-before", s.DecidedOn)
	case on > s.SuspendedUntil:
		ps.Add("revoked_on", "revoked-after", s.SuspendedUntil)
	}
	text(&ps, "revocation_reason", in.Reason, true, maxLong)
	return ps
}

// cleanIncident is a checked incident form.
type cleanIncident struct {
	on, place, kind, description string
	at, seriousness              int
	protagonists                 []ProtagonistInput
}

// CheckIncident reports what is at fault in an incident form: whether its
// students are of the establishment is the service's to check.
func CheckIncident(in IncidentInput, y Year) check.Problems {
	_, ps := checkIncident(in, y)
	return ps
}

func checkIncident(in IncidentInput, y Year) (cleanIncident, check.Problems) {
	var ps check.Problems
	var c cleanIncident
	c.on = day(&ps, "occurred_on", in.OccurredOn, y, true)
	c.at = clock(&ps, "occurred_at", in.OccurredAt)
	c.place = text(&ps, "place", in.Place, true, maxShort)
	c.kind = in.Kind
	if !slices.Contains(IncidentKinds, in.Kind) {
		ps.Add("incident_kind", "bad-choice", in.Kind)
	}
	c.seriousness = number(&ps, "seriousness", in.Seriousness, 1, MaxSeriousness, "bad-seriousness")
	c.description = text(&ps, "description", in.Description, true, maxLong)
	seen := map[string]bool{}
	for i, p := range in.Protagonists {
		p.StudentID = strings.TrimSpace(p.StudentID)
		if p.StudentID == "" {
			continue
		}
		field := fmt.Sprintf("protagonists.%d", i)
		if !slices.Contains(Roles, p.Role) {
			ps.Add(field, "bad-role", p.Role)
			continue
		}
		if seen[p.StudentID] {
			ps.Add(field, "duplicate-student", "")
			continue
		}
		seen[p.StudentID] = true
		c.protagonists = append(c.protagonists, p)
	}
	return c, ps
}
