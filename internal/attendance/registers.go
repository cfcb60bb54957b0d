package attendance

import (
	"context"
	"sort"
	"strconv"
	"strings"
	"time"

	"cartable/internal/access"
	"cartable/internal/db"
	"cartable/internal/timetable"
)

// States of a register. No row is "to do"; saving makes it "in progress"
// until the teacher validates it ("done").
const (
	ToDo       = "to-do"
	InProgress = "in-progress"
	Done       = "done"
)

// Ways a student is not expected at a lesson.
const (
	AwayCollective = "collective" // their class or group is away (a trip)
	AwayExempt     = "exempt"     // an exemption that does not require attendance
)

// Row is one student of a register.
type Row struct {
	Student
	Away      string // "" expected; AwayCollective or AwayExempt
	AwayLabel string // the collective absence's label
	Absent    bool
	// Covered: an absence recorded by school life or declared by the
	// family covers the lesson (the student is absent without the
	// register saying so; unmarking leaves that absence alone).
	Covered  string // its source ("school-life", "family"), "" for none
	Late     int    // minutes, 0: on time
	LeftAt   int    // minute of the day the student left, 0: stayed
	Remark   string
	Material bool // forgot their material
}

// Register is the roll call of one lesson occurrence, for one who may
// take it.
type Register struct {
	Lesson    timetable.Lesson
	State     string // ToDo, InProgress, Done
	TakenBy   string // name of who saved it last
	OpensAt   time.Time
	Open      bool // it may be saved now (from OpensAt, that day and later)
	Rows      []Row
	Settings  Settings
	Absent    int // counts, for the summary line
	Late      int
	Expected  int
	Cancelled bool
}

// HalfDay names the half-day a minute of the day falls in: "am" before
// the establishment's boundary, "pm" from it.
func (s Settings) HalfDay(min int) string {
	if min < s.BoundaryMin {
		return "am"
	}
	return "pm"
}

// loadRegister reads the occurrence's lesson and register as v, after
// asking take-register; q is the database or a write's transaction.
func (s *Service) loadRegister(ctx context.Context, v *access.Viewer, q db.Querier, slot, date string) (Register, error) {
	var reg Register
	if err := v.Can(ctx, access.TakeRegister, access.Occurrence(slot, date)); err != nil {
		return reg, err
	}
	// The policy granted the roll call (the lesson's teachers, its
	// replacement that day, school life): the lesson is read for it.
	l, err := timetable.LessonAt(ctx, access.System("attendance: register"), q, slot, date)
	if err != nil {
		return reg, access.Refuse(access.TakeRegister, access.Occurrence(slot, date), "no such occurrence")
	}
	if l.Cancelled() {
		return reg, access.Refuse(access.TakeRegister, access.Occurrence(slot, date), "the lesson is cancelled")
	}
	reg.Lesson = l
	est := l.Slot.EstablishmentID
	if reg.Settings, err = settingsOf(ctx, q, est); err != nil {
		return reg, err
	}
	reg.OpensAt = l.Start.Add(-time.Duration(reg.Settings.OpensBefore) * time.Minute)
	reg.Open = !s.now().Before(reg.OpensAt)
	reg.State = ToDo
	row, err := registerOf(ctx, q, slot, date)
	if err != nil {
		return reg, err
	}
	if row != nil {
		reg.State, reg.TakenBy = row.State, row.TakenName
	}
	students, err := rosterOf(ctx, q, l)
	if err != nil {
		return reg, err
	}
	ids := make([]string, len(students))
	for i, st := range students {
		ids[i] = st.ID
	}
	day, from, to := spanOf(l)
	away, labels, err := awayOf(ctx, q, est, l, ids, day, from, to)
	if err != nil {
		return reg, err
	}
	marks, err := marksOf(ctx, q, slot, date)
	if err != nil {
		return reg, err
	}
	byStudent := map[string][]markRow{}
	for _, m := range marks {
		byStudent[m.Student] = append(byStudent[m.Student], m)
	}
	absences, err := absencesOn(ctx, q, ids, day)
	if err != nil {
		return reg, err
	}
	covered := map[string]string{}
	for _, a := range absences {
		if a.Source != "register" && a.covers(day, from, to) {
			covered[a.Student] = a.Source
		}
	}
	for _, st := range students {
		r := Row{Student: st, Away: away[st.ID], AwayLabel: labels[st.ID], Covered: covered[st.ID]}
		for _, m := range byStudent[st.ID] {
			switch m.Kind {
			case Absent:
				r.Absent = true
			case Late:
				r.Late = m.Minutes
			case LeftEarly:
				r.LeftAt = m.Minutes
			case Remark:
				r.Remark = m.Note
			case Material:
				r.Material = true
			}
		}
		if r.Covered != "" && row == nil {
			r.Absent = true // school life already knows: the register starts with it
		}
		if r.Away == "" {
			reg.Expected++
			if r.Absent {
				reg.Absent++
			}
			if r.Late > 0 {
				reg.Late++
			}
		}
		reg.Rows = append(reg.Rows, r)
	}
	return reg, nil
}

// Register returns the roll call of the occurrence of slot on its
// original date, to those who may take it (the lesson's teachers, the
// replacement that day, the CPE and direction of its establishment); a
// lesson that does not run that day, or is cancelled, is refused alike.
func (s *Service) Register(ctx context.Context, v *access.Viewer, slot, date string) (Register, error) {
	return s.loadRegister(ctx, v, s.DB, slot, date)
}

// spanOf is the day and minutes of the day a lesson takes place, changes
// applied.
func spanOf(l timetable.Lesson) (day string, from, to int) {
	st, en := l.Start.In(timetable.Paris), l.End.In(timetable.Paris)
	day = st.Format(timetable.DateFormat)
	from = st.Hour()*60 + st.Minute()
	to = en.Hour()*60 + en.Minute()
	if en.Format(timetable.DateFormat) != day {
		to = 1440
	}
	return day, from, to
}

// awayOf tells which students are not expected at l: in a collective
// absence, or exempted without attendance from its subject that day.
func awayOf(ctx context.Context, q db.Querier, est string, l timetable.Lesson, ids []string, day string, from, to int) (map[string]string, map[string]string, error) {
	away, labels := map[string]string{}, map[string]string{}
	if len(ids) == 0 {
		return away, labels, nil
	}
	in := make(map[string]bool, len(ids))
	for _, id := range ids {
		in[id] = true
	}
	cs, err := collectivesOn(ctx, q, est, day, from, to)
	if err != nil {
		return nil, nil, err
	}
	for _, c := range cs {
		if in[c.Student] {
			away[c.Student], labels[c.Student] = AwayCollective, c.Label
		}
	}
	es, err := exemptionsOn(ctx, q, ids, day)
	if err != nil {
		return nil, nil, err
	}
	d, _ := timetable.ParseDate(day)
	for _, e := range es {
		if e.Attendance || away[e.Student] != "" || !e.applies(l.Slot.SubjectID, d) {
			continue
		}
		away[e.Student] = AwayExempt
	}
	return away, labels, nil
}

// applies tells whether an exemption holds for subject on day d.
func (e exemptionRow) applies(subject string, d time.Time) bool {
	if e.SubjectID != "" && e.SubjectID != subject {
		return false
	}
	if e.Weekdays != "" {
		wd := strconv.Itoa(timetable.Weekday(d))
		found := false
		for _, w := range strings.Split(e.Weekdays, ",") {
			if strings.TrimSpace(w) == wd {
				found = true
			}
		}
		if !found {
			return false
		}
	}
	if e.EveryOther {
		start, err := timetable.ParseDate(e.StartDate)
		if err != nil {
			return false
		}
		weeks := int(timetable.Monday(d).Sub(timetable.Monday(start)).Hours()+12) / (24 * 7)
		if weeks%2 != 0 {
			return false
		}
	}
	return true
}

// RegisterStates tells, for lessons a page lists (a teacher's day, a
// week, one lesson), the state of the register of each one v may take,
// keyed "slot/date"; lessons v may not take the register of, and
// cancelled ones, are absent. A few queries whatever the number.
func (s *Service) RegisterStates(ctx context.Context, v *access.Viewer, lessons []timetable.Lesson) (map[string]string, error) {
	out := map[string]string{}
	if len(lessons) == 0 {
		return out, nil
	}
	facts := map[string]access.OccurrenceFacts{}
	staff := map[string]bool{}
	var slots []string
	from, to := "", ""
	for _, l := range lessons {
		if l.Cancelled() {
			continue
		}
		est := l.Slot.EstablishmentID
		if _, seen := staff[est]; !seen {
			ok, err := v.May(ctx, access.ManageSchoolLife, access.Establishment(est))
			if err != nil {
				return nil, err
			}
			staff[est] = ok
		}
		f := access.OccurrenceFacts{Establishment: est}
		for _, t := range l.Slot.Teachers {
			f.Teachers = append(f.Teachers, t.ID)
		}
		if l.Change != nil && l.Change.Replacement != nil {
			f.Replacement = l.Change.Replacement.ID
		}
		facts[l.Key()] = f
		slots = append(slots, l.Slot.ID)
		if from == "" || l.Date < from {
			from = l.Date
		}
		if l.Date > to {
			to = l.Date
		}
	}
	// take-register's rule (internal/access/schoollife.go): the lesson's
	// teachers and its replacement, or school life of its establishment.
	may := v.MayWriteOccurrences(facts)
	for k, f := range facts {
		if staff[f.Establishment] {
			may[k] = true
		}
	}
	if len(may) == 0 {
		return out, nil
	}
	sort.Strings(slots)
	states, err := registerStates(ctx, s.DB, slots, from, to)
	if err != nil {
		return nil, err
	}
	for k := range may {
		st := states[k].State
		if st == "" {
			st = ToDo
		}
		out[k] = st
	}
	return out, nil
}
