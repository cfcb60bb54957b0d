package attendance

import (
	"context"
	"database/sql"
	"errors"
	"sort"
	"strconv"
	"strings"
	"time"

	"cartable/internal/access"
	"cartable/internal/db"
	"cartable/internal/timetable"
)

// Counts are a student's figures for a period, those of the national
// student record (LSU) and of report cards (docs/counting.md).
type Counts struct {
	Unit        string // the establishment's unit: "half-day", "hour" or "day"
	Justified   int    // justified units (a unit is justified when every absence in it is)
	Unjustified int    // the other units with an absence
	// JustifiedHalfDays and UnjustifiedHalfDays are always in half-days,
	// whatever the unit: the national student record counts so.
	JustifiedHalfDays   int
	UnjustifiedHalfDays int
	Lateness            int // lateness marks
	MissedHours         int // hours of the school day missed, rounded to the nearest
}

// MaxFigure bounds each figure, as the national student record does.
const MaxFigure = 999

// The school day the missed hours and the hour unit are counted in: an
// absence over whole days counts the hours of a school day, not 24.
const (
	SchoolDayFrom  = 8 * 60
	SchoolDayUntil = 18 * 60
)

// HalfDay is one counted unit of absence: a date and its part (0 the
// morning, 1 the afternoon for half-days; the hour for the hour unit; 0
// for days).
type HalfDay struct {
	Date      string
	Part      int
	Justified bool // every absence in it is justified
	// Unexcused: an absence in it has no legitimate reason (no reason, a
	// reason that is not legitimate, or not accepted), the half-days
	// L131-8 counts (docs/counting.md).
	Unexcused bool
}

// countedAbsence is an absence as the counting reads it.
type countedAbsence struct {
	ID, Student        string
	StartDate, EndDate string
	StartMin, EndMin   int
	State              string
	Legitimate         bool // its reason is legitimate (false without a reason)
}

// unexcused tells whether an absence counts for L131-8: no reason, a
// reason given that is not legitimate, or not accepted. A reason given
// that is legitimate (waiting for school life's review) and a justified
// absence do not count.
func (a countedAbsence) unexcused() bool {
	switch a.State {
	case NoReason, NotAccepted:
		return true
	case ReasonGiven:
		return !a.Legitimate
	}
	return false
}

// window is a span of minutes within one day.
type window struct{ from, to int }

// dayNum numbers a date (YYYY-MM-DD) by days since 1970, -1 when invalid.
func dayNum(s string) int {
	t, err := time.Parse(timetable.DateFormat, s)
	if err != nil {
		return -1
	}
	return int(t.Unix() / 86400)
}

func dayStr(n int) string { return time.Unix(int64(n)*86400, 0).UTC().Format(timetable.DateFormat) }

// weekday of a day number: 0 Sunday … 6 Saturday (1970-01-01 was a Thursday).
func weekday(n int) int { return (n + 4) % 7 }

// covered is the length of [a, b) covered by the union of ws.
func covered(a, b int, ws []window) int {
	if a >= b || len(ws) == 0 {
		return 0
	}
	var cut []window
	for _, w := range ws {
		f, t := max(a, w.from), min(b, w.to)
		if f < t {
			cut = append(cut, window{f, t})
		}
	}
	sort.Slice(cut, func(i, j int) bool { return cut[i].from < cut[j].from })
	n, end := 0, a
	for _, w := range cut {
		if w.to <= end {
			continue
		}
		n += w.to - max(w.from, end)
		end = w.to
	}
	return n
}

// left is the length of [a, b) not covered by ws.
func left(a, b int, ws []window) int {
	if a >= b {
		return 0
	}
	return b - a - covered(a, b, ws)
}

// segments are the units of a day for a unit: the morning and the
// afternoon, the whole day, or each hour of the school day.
func segments(unit string, boundary int) []window {
	switch unit {
	case "day":
		return []window{{0, 1440}}
	case "hour":
		var out []window
		for h := SchoolDayFrom; h < SchoolDayUntil; h += 60 {
			out = append(out, window{h, h + 60})
		}
		return out
	}
	return []window{{0, boundary}, {boundary, 1440}}
}

// student is what the counting knows of one student over a span of days.
type student struct {
	absences []countedAbsence
	// excluded are the spans each day that do not count: collective
	// absences, exemptions without attendance.
	excluded map[int][]window
	lateness int
}

// piece is an absence's part of one day.
type piece struct {
	w   window
	abs *countedAbsence
}

// countable tells whether day n of an absence from start to end counts:
// never a closed day (holidays, public holidays) nor a Sunday; a Saturday
// only when the absence starts or ends that day (a lesson that Saturday).
func countable(n, start, end int, closed func(string) bool) bool {
	switch weekday(n) {
	case 0:
		return false
	case 6:
		if n != start && n != end {
			return false
		}
	}
	return !closed(dayStr(n))
}

// days splits a student's absences into pieces per countable day within
// [from, to].
func (st *student) days(from, to int, closed func(string) bool) map[int][]piece {
	out := map[int][]piece{}
	for i := range st.absences {
		a := &st.absences[i]
		s, e := dayNum(a.StartDate), dayNum(a.EndDate)
		if s < 0 || e < 0 {
			continue
		}
		for n := max(s, from); n <= min(e, to); n++ {
			if !countable(n, s, e, closed) {
				continue
			}
			w := window{0, 1440}
			if n == s {
				w.from = a.StartMin
			}
			if n == e {
				w.to = a.EndMin
			}
			if w.from < w.to {
				out[n] = append(out[n], piece{w, a})
			}
		}
	}
	return out
}

// units lists the units of absence of the pieces, in order.
func (st *student) units(pieces map[int][]piece, segs []window) []HalfDay {
	var ns []int
	for n := range pieces {
		ns = append(ns, n)
	}
	sort.Ints(ns)
	var out []HalfDay
	for _, n := range ns {
		ex := st.excluded[n]
		for si, seg := range segs {
			hd, any := HalfDay{Date: dayStr(n), Part: si, Justified: true}, false
			for _, p := range pieces[n] {
				f, t := max(p.w.from, seg.from), min(p.w.to, seg.to)
				if left(f, t, ex) == 0 {
					continue
				}
				any = true
				hd.Justified = hd.Justified && p.abs.State == Justified
				hd.Unexcused = hd.Unexcused || p.abs.unexcused()
			}
			if any {
				if len(segs) > 2 { // hours: the part is the hour
					hd.Part = seg.from / 60
				}
				out = append(out, hd)
			}
		}
	}
	return out
}

// missedMinutes is the school day's minutes the pieces cover (once when
// absences overlap), excluded spans left out.
func (st *student) missedMinutes(pieces map[int][]piece) int {
	total := 0
	for n, ps := range pieces {
		ws := make([]window, 0, len(ps))
		for _, p := range ps {
			ws = append(ws, p.w)
		}
		in := covered(SchoolDayFrom, SchoolDayUntil, ws)
		if in == 0 {
			continue
		}
		// Excluded spans within the absences: what the union and the
		// excluded spans share.
		var both []window
		for _, w := range ws {
			for _, x := range st.excluded[n] {
				f, t := max(w.from, x.from, SchoolDayFrom), min(w.to, x.to, SchoolDayUntil)
				if f < t {
					both = append(both, window{f, t})
				}
			}
		}
		total += in - covered(SchoolDayFrom, SchoolDayUntil, both)
	}
	return total
}

// counts computes a student's figures from day from to day to.
func (st *student) counts(set Settings, from, to int, closed func(string) bool) Counts {
	pieces := st.days(from, to, closed)
	c := Counts{Unit: set.Unit, Lateness: st.lateness}
	for _, hd := range st.units(pieces, segments("half-day", set.BoundaryMin)) {
		if hd.Justified {
			c.JustifiedHalfDays++
		} else {
			c.UnjustifiedHalfDays++
		}
	}
	if set.Unit == "half-day" || set.Unit == "" {
		c.Unit, c.Justified, c.Unjustified = "half-day", c.JustifiedHalfDays, c.UnjustifiedHalfDays
	} else {
		for _, u := range st.units(pieces, segments(set.Unit, set.BoundaryMin)) {
			if u.Justified {
				c.Justified++
			} else {
				c.Unjustified++
			}
		}
	}
	c.MissedHours = (st.missedMinutes(pieces) + 30) / 60
	for _, p := range []*int{&c.Justified, &c.Unjustified, &c.JustifiedHalfDays, &c.UnjustifiedHalfDays, &c.Lateness, &c.MissedHours} {
		*p = min(*p, MaxFigure)
	}
	return c
}

// PeriodCounts returns the figures of every student enrolled in est for
// the period periodID (one of the directory's periods of est's school
// years), keyed by student. The viewer reads est's school life (the CPE,
// the head, the deputy); a period of another establishment is a refusal.
func (s *Service) PeriodCounts(ctx context.Context, v *access.Viewer, est, periodID string) (map[string]Counts, error) {
	if err := v.Can(ctx, access.ReadSchoolLife, access.Establishment(est)); err != nil {
		return nil, err
	}
	p, err := periodOf(ctx, s.DB, est, periodID)
	if err != nil {
		return nil, err
	}
	students, err := enrolled(ctx, s.DB, p.Year)
	if err != nil {
		return nil, err
	}
	return s.countsOf(ctx, s.DB, est, p, students)
}

// StudentPeriodCounts returns one student's figures for a period of est:
// the student, their relatives, their teachers and school life read them.
func (s *Service) StudentPeriodCounts(ctx context.Context, v *access.Viewer, est, studentID, periodID string) (Counts, error) {
	if err := v.Can(ctx, access.ReadSchoolLife, access.Person(studentID)); err != nil {
		return Counts{}, err
	}
	p, err := periodOf(ctx, s.DB, est, periodID)
	if errors.Is(err, access.ErrDenied) {
		return Counts{}, access.Refuse(access.ReadSchoolLife, access.Person(studentID), "no such period")
	}
	if err != nil {
		return Counts{}, err
	}
	m, err := s.countsOf(ctx, s.DB, est, p, []string{studentID})
	if err != nil {
		return Counts{}, err
	}
	return m[studentID], nil
}

// Period is a directory period as the counting reads it.
type Period struct {
	ID, Year, YearLabel string
	Kind                string // trimestre, semestre
	Number              int
	StartsOn, EndsOn    string
}

// periodOf reads a period of est; another establishment's or a missing one
// is a refusal.
func periodOf(ctx context.Context, q db.Querier, est, id string) (Period, error) {
	var p Period
	err := q.QueryRow(ctx, `SELECT p.id, y.id, y.label, p.kind, p.number, p.starts_on, p.ends_on FROM periods p
		JOIN school_years y ON y.id = p.school_year_id WHERE p.id = ? AND y.establishment_id = ?`, id, est).
		Scan(&p.ID, &p.Year, &p.YearLabel, &p.Kind, &p.Number, &p.StartsOn, &p.EndsOn)
	if errors.Is(err, sql.ErrNoRows) {
		return p, access.Refuse(access.ReadSchoolLife, access.Establishment(est), "no such period")
	}
	return p, err
}

// Periods lists the periods of est's open school years, for the viewer
// reading est's school life.
func (s *Service) Periods(ctx context.Context, v *access.Viewer, est string) ([]Period, error) {
	if err := v.Can(ctx, access.ReadSchoolLife, access.Establishment(est)); err != nil {
		return nil, err
	}
	return periodsOf(ctx, s.DB, est)
}

func periodsOf(ctx context.Context, q db.Querier, est string) ([]Period, error) {
	return db.All(ctx, q, func(sc db.Scanner) (Period, error) {
		var p Period
		err := sc.Scan(&p.ID, &p.Year, &p.YearLabel, &p.Kind, &p.Number, &p.StartsOn, &p.EndsOn)
		return p, err
	}, `SELECT p.id, y.id, y.label, p.kind, p.number, p.starts_on, p.ends_on FROM periods p
		JOIN school_years y ON y.id = p.school_year_id WHERE y.establishment_id = ? AND NOT y.closed ORDER BY y.starts_on, p.number`, est)
}

// enrolled lists the active students enrolled in a class of the year.
func enrolled(ctx context.Context, q db.Querier, year string) ([]string, error) {
	return db.Strings(ctx, q, `SELECT DISTINCT e.student_id FROM enrolments e JOIN classes c ON c.id = e.class_id
		JOIN people p ON p.id = e.student_id WHERE c.school_year_id = ? AND p.active ORDER BY e.student_id`, year)
}

// countsOf computes the figures of students over p.
func (s *Service) countsOf(ctx context.Context, q db.Querier, est string, p Period, students []string) (map[string]Counts, error) {
	set, err := settingsOf(ctx, q, est)
	if err != nil {
		return nil, err
	}
	sts, closed, err := loadStudents(ctx, q, est, p.Year, p.StartsOn, p.EndsOn, students)
	if err != nil {
		return nil, err
	}
	from, to := dayNum(p.StartsOn), dayNum(p.EndsOn)
	out := make(map[string]Counts, len(students))
	for _, id := range students {
		out[id] = sts[id].counts(set, from, to, closed)
	}
	return out, nil
}

// loadStudents reads what the counting needs of students between two
// dates, in a few queries whatever their number: their absences, lateness,
// the collective absences of their classes and groups, their exemptions
// without attendance; and the calendar of the year.
func loadStudents(ctx context.Context, q db.Querier, est, year, from, to string, ids []string) (map[string]*student, func(string) bool, error) {
	out := make(map[string]*student, len(ids))
	for _, id := range ids {
		out[id] = &student{excluded: map[int][]window{}}
	}
	cal, err := timetable.LoadCalendar(ctx, q, []string{year})
	if err != nil {
		return nil, nil, err
	}
	closedDays := map[string]bool{}
	for _, h := range cal.Holidays {
		for n := dayNum(h.StartsOn); n >= 0 && n <= dayNum(h.Ends); n++ {
			closedDays[dayStr(n)] = true
		}
	}
	closed := func(d string) bool { return closedDays[d] }
	one := len(ids) == 1
	filter, args := "", []any{est, to, from}
	if one {
		filter, args = " AND a.student_id = ?", append(args, ids[0])
	}
	abs, err := db.All(ctx, q, func(sc db.Scanner) (countedAbsence, error) {
		var a countedAbsence
		err := sc.Scan(&a.ID, &a.Student, &a.StartDate, &a.StartMin, &a.EndDate, &a.EndMin, &a.State, &a.Legitimate)
		return a, err
	}, `SELECT a.id, a.student_id, a.start_date, a.start_min, a.end_date, a.end_min, a.state, COALESCE(r.legitimate, FALSE)
		FROM att_absences a LEFT JOIN att_reasons r ON r.id = a.reason_id
		WHERE a.establishment_id = ? AND a.start_date <= ? AND a.end_date >= ?`+filter+` ORDER BY a.start_date, a.start_min, a.id`, args...)
	if err != nil {
		return nil, nil, err
	}
	for _, a := range abs {
		if st := out[a.Student]; st != nil {
			st.absences = append(st.absences, a)
		}
	}
	lfilter, largs := "", []any{est, from, to}
	if one {
		lfilter, largs = " AND student_id = ?", append(largs, ids[0])
	}
	rows, err := q.Query(ctx, `SELECT student_id, COUNT(*) FROM att_marks WHERE establishment_id = ? AND kind = 'late'
		AND lesson_date >= ? AND lesson_date <= ?`+lfilter+` GROUP BY student_id`, largs...)
	if err != nil {
		return nil, nil, err
	}
	for rows.Next() {
		var id string
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			rows.Close()
			return nil, nil, err
		}
		if st := out[id]; st != nil {
			st.lateness = n
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	if err := loadCollective(ctx, q, est, year, from, to, out); err != nil {
		return nil, nil, err
	}
	if err := loadExemptions(ctx, q, est, from, to, out); err != nil {
		return nil, nil, err
	}
	return out, closed, nil
}

// exclude adds the span from (day, min) to (day, min) to a student's
// excluded spans, day by day.
func (st *student) exclude(sd string, sm int, ed string, em int) {
	s, e := dayNum(sd), dayNum(ed)
	if s < 0 || e < 0 || e-s > 400 {
		return
	}
	for n := s; n <= e; n++ {
		w := window{0, 1440}
		if n == s {
			w.from = sm
		}
		if n == e {
			w.to = em
		}
		if w.from < w.to {
			st.excluded[n] = append(st.excluded[n], w)
		}
	}
}

// loadCollective excludes the collective absences (a trip) of the
// students' classes and groups: they were away together, not absent.
func loadCollective(ctx context.Context, q db.Querier, est, year, from, to string, out map[string]*student) error {
	type coll struct {
		class, group string
		sd, ed       string
		sm, em       int
	}
	cs, err := db.All(ctx, q, func(sc db.Scanner) (coll, error) {
		var c coll
		err := sc.Scan(&c.class, &c.group, &c.sd, &c.sm, &c.ed, &c.em)
		return c, err
	}, `SELECT COALESCE(class_id, ''), COALESCE(group_id, ''), start_date, start_min, end_date, end_min FROM att_collective
		WHERE establishment_id = ? AND start_date <= ? AND end_date >= ?`, est, to, from)
	if err != nil || len(cs) == 0 {
		return err
	}
	type member struct{ student, structure string }
	scan := func(sc db.Scanner) (member, error) {
		var m member
		err := sc.Scan(&m.student, &m.structure)
		return m, err
	}
	byClass, err := db.All(ctx, q, scan, `SELECT e.student_id, e.class_id FROM enrolments e JOIN classes c ON c.id = e.class_id WHERE c.school_year_id = ?`, year)
	if err != nil {
		return err
	}
	byGroup, err := db.All(ctx, q, scan, `SELECT m.student_id, m.group_id FROM group_members m JOIN groups g ON g.id = m.group_id WHERE g.school_year_id = ?`, year)
	if err != nil {
		return err
	}
	members := map[string][]string{}
	for _, m := range append(byClass, byGroup...) {
		if out[m.student] != nil {
			members[m.structure] = append(members[m.structure], m.student)
		}
	}
	for _, c := range cs {
		for _, id := range members[c.class+c.group] {
			out[id].exclude(c.sd, c.sm, c.ed, c.em)
		}
	}
	return nil
}

// loadExemptions excludes the exemptions that do not require attendance:
// a whole day for one of every lesson, the lessons of its subject the
// student was marked absent from for one of a subject.
func loadExemptions(ctx context.Context, q db.Querier, est, from, to string, out map[string]*student) error {
	type exemption struct {
		student, subject, sd, ed, weekdays string
		other                              bool
	}
	es, err := db.All(ctx, q, func(sc db.Scanner) (exemption, error) {
		var e exemption
		err := sc.Scan(&e.student, &e.subject, &e.sd, &e.ed, &e.weekdays, &e.other)
		return e, err
	}, `SELECT student_id, COALESCE(subject_id, ''), start_date, end_date, weekdays, every_other_week FROM att_exemptions
		WHERE establishment_id = ? AND NOT attendance AND start_date <= ? AND end_date >= ?`, est, to, from)
	if err != nil || len(es) == 0 {
		return err
	}
	applies := func(e exemption, n int) bool {
		s := dayNum(e.sd)
		if n < s || n > dayNum(e.ed) {
			return false
		}
		if e.weekdays != "" {
			wd := strconv.Itoa((weekday(n)+6)%7 + 1) // 1 Monday … 7 Sunday
			if !strings.Contains(","+e.weekdays+",", ","+wd+",") {
				return false
			}
		}
		if e.other {
			// One week in two, from the week of its first day (Monday-based).
			ws, wn := (s-(weekday(s)+6)%7)/7, (n-(weekday(n)+6)%7)/7
			return (wn-ws)%2 == 0
		}
		return true
	}
	subjects := map[string][]exemption{}
	for _, e := range es {
		st := out[e.student]
		if st == nil {
			continue
		}
		if e.subject != "" {
			subjects[e.student] = append(subjects[e.student], e)
			continue
		}
		for n := max(dayNum(e.sd), dayNum(from)); n <= min(dayNum(e.ed), dayNum(to)); n++ {
			if applies(e, n) {
				st.excluded[n] = append(st.excluded[n], window{0, 1440})
			}
		}
	}
	if len(subjects) == 0 {
		return nil
	}
	type lesson struct {
		student, date, subject string
		start, length          int
	}
	ls, err := db.All(ctx, q, func(sc db.Scanner) (lesson, error) {
		var l lesson
		err := sc.Scan(&l.student, &l.date, &l.subject, &l.start, &l.length)
		return l, err
	}, `SELECT m.student_id, m.lesson_date, s.subject_id, s.start_min, s.duration_min FROM att_marks m JOIN tt_slots s ON s.id = m.slot_id
		WHERE m.establishment_id = ? AND m.kind = 'absent' AND m.lesson_date >= ? AND m.lesson_date <= ?`, est, from, to)
	if err != nil {
		return err
	}
	for _, l := range ls {
		for _, e := range subjects[l.student] {
			if n := dayNum(l.date); e.subject == l.subject && applies(e, n) {
				out[l.student].excluded[n] = append(out[l.student].excluded[n], window{l.start, l.start + l.length})
			}
		}
	}
	return nil
}

// PeriodCountsNamed is PeriodCounts with the students' names and classes,
// for school life's table.
func (s *Service) PeriodCountsNamed(ctx context.Context, v *access.Viewer, est, periodID string) (map[string]Counts, map[string]StudentName, error) {
	m, err := s.PeriodCounts(ctx, v, est, periodID)
	if err != nil {
		return nil, nil, err
	}
	studs := make([]string, 0, len(m))
	for id := range m {
		studs = append(studs, id)
	}
	names, err := studentNames(ctx, s.DB, studs)
	return m, names, err
}
