package attendance

import (
	"context"
	"sort"
	"time"

	"cartable/internal/access"
	"cartable/internal/db"
	"cartable/internal/timetable"
)

// DayRegister is one lesson of an establishment's day of registers.
type DayRegister struct {
	Lesson   timetable.Lesson
	State    string // ToDo, InProgress, Done
	Late     bool   // not done LateAfter minutes after the start
	Reminded bool   // its teachers were chased (a begun register's reminded_at)
	Started  bool   // the lesson has begun
	Absent   int
	Lates    int
	Marks    []DayMark // the printable register only
}

// DayMark is a mark as the printable register lists it.
type DayMark struct {
	Student Student
	Kind    string
	Minutes int
	Note    string
}

// Day is an establishment's registers of one day, for school life.
type Day struct {
	Establishment string
	Name          string
	Date          string
	Settings      Settings
	Registers     []DayRegister // in order of start
	Late          int           // how many are late
	Left          int           // not done, whether late or not
}

// Following lists the establishments whose day of registers v follows
// (the CPE, head and deputy read their school life), with their names.
func (s *Service) Following(ctx context.Context, v *access.Viewer) ([]Named, error) {
	var out []Named
	if v == nil {
		return nil, nil
	}
	for _, est := range v.Establishments {
		ok, err := v.May(ctx, access.ReadSchoolLife, access.Establishment(est))
		if err != nil {
			return nil, err
		}
		if ok {
			name, err := establishmentName(ctx, s.DB, est)
			if err != nil {
				return nil, err
			}
			out = append(out, Named{ID: est, Name: name})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// Named is an establishment with its name.
type Named struct{ ID, Name string }

// Day returns est's registers on date (lessons taking place that day,
// changes applied; cancelled ones left out), which are late at now, to
// the CPE, head and deputy of est.
func (s *Service) Day(ctx context.Context, v *access.Viewer, est, date string, now time.Time) (Day, error) {
	return s.day(ctx, v, est, date, now, false)
}

// Printable is Day with every mark of every register, for the printed
// register of the day.
func (s *Service) Printable(ctx context.Context, v *access.Viewer, est, date string, now time.Time) (Day, error) {
	return s.day(ctx, v, est, date, now, true)
}

func (s *Service) day(ctx context.Context, v *access.Viewer, est, date string, now time.Time, withMarks bool) (Day, error) {
	d := Day{Establishment: est, Date: date}
	if err := v.Can(ctx, access.ReadSchoolLife, access.Establishment(est)); err != nil {
		return d, err
	}
	if _, err := timetable.ParseDate(date); err != nil {
		return d, access.Refuse(access.ReadSchoolLife, access.Establishment(est), "not a date")
	}
	var err error
	if d.Name, err = establishmentName(ctx, s.DB, est); err != nil {
		return d, err
	}
	if d.Settings, err = settingsOf(ctx, s.DB, est); err != nil {
		return d, err
	}
	regs, err := s.dayRegisters(ctx, s.DB, est, date, now, d.Settings)
	if err != nil {
		return d, err
	}
	d.Registers = regs
	for _, r := range regs {
		if r.Late {
			d.Late++
		}
		if r.State != Done {
			d.Left++
		}
	}
	if len(regs) == 0 {
		return d, nil
	}
	var slots, dates []string
	seen := map[string]bool{}
	for _, r := range regs {
		slots = append(slots, r.Lesson.Slot.ID)
		if !seen[r.Lesson.Date] {
			seen[r.Lesson.Date] = true
			dates = append(dates, r.Lesson.Date)
		}
	}
	marks, err := dayMarks(ctx, s.DB, est, slots, dates)
	if err != nil {
		return d, err
	}
	at := map[string]int{}
	for i, r := range d.Registers {
		at[r.Lesson.Key()] = i
	}
	for _, m := range marks {
		i, ok := at[m.key]
		if !ok {
			continue
		}
		switch m.Kind {
		case Absent:
			d.Registers[i].Absent++
		case Late:
			d.Registers[i].Lates++
		}
		if withMarks {
			d.Registers[i].Marks = append(d.Registers[i].Marks, m.DayMark)
		}
	}
	return d, nil
}

// dayRegisters reads est's lessons of date with the states of their
// registers (the caller asked the policy).
func (s *Service) dayRegisters(ctx context.Context, q db.Querier, est, date string, now time.Time, st Settings) ([]DayRegister, error) {
	ls, err := timetable.EstablishmentLessons(ctx, access.System("attendance: day of registers"), q, est, date, date)
	if err != nil {
		return nil, err
	}
	var slots []string
	from, to := date, date
	var out []DayRegister
	for _, l := range ls {
		if l.Cancelled() || l.Start.In(timetable.Paris).Format(timetable.DateFormat) != date {
			continue
		}
		slots = append(slots, l.Slot.ID)
		from, to = min(from, l.Date), max(to, l.Date)
		out = append(out, DayRegister{Lesson: l})
	}
	if len(out) == 0 {
		return nil, nil
	}
	states, err := registerStates(ctx, q, slots, from, to)
	if err != nil {
		return nil, err
	}
	for i := range out {
		r := &out[i]
		rs := states[r.Lesson.Key()]
		r.State, r.Reminded = rs.State, rs.Reminded
		if r.State == "" {
			r.State = ToDo
		}
		r.Started = !now.Before(r.Lesson.Start)
		r.Late = r.State != Done && !now.Before(r.Lesson.Start.Add(time.Duration(st.LateAfter)*time.Minute))
	}
	return out, nil
}

type dayMark struct {
	DayMark
	key string
}

// dayMarks reads the marks of the registers of the given slots and
// original dates in est, with the students' names.
func dayMarks(ctx context.Context, q db.Querier, est string, slots, dates []string) ([]dayMark, error) {
	return db.All(ctx, q, func(s db.Scanner) (dayMark, error) {
		var m dayMark
		var slot, date string
		err := s.Scan(&slot, &date, &m.Student.ID, &m.Student.FirstName, &m.Student.LastName, &m.Kind, &m.Minutes, &m.Note)
		m.key = slot + "/" + date
		return m, err
	}, `SELECT m.slot_id, m.lesson_date, p.id, p.first_name, p.last_name, m.kind, m.minutes, m.note
		FROM att_marks m JOIN people p ON p.id = m.student_id
		WHERE m.establishment_id = ? AND `+db.In(q, "m.lesson_date")+` AND `+db.In(q, "m.slot_id")+`
		ORDER BY p.last_name, p.first_name, p.id, m.kind`, est, db.ListArg(q, dates), db.ListArg(q, slots))
}

func establishmentName(ctx context.Context, q db.Querier, est string) (string, error) {
	var name string
	err := q.QueryRow(ctx, `SELECT name FROM establishments WHERE id = ?`, est).Scan(&name)
	return name, err
}
