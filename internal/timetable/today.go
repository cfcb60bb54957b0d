package timetable

// The home page's reads: a person's coming days, and the changes of an
// establishment's day for those who follow it.

import (
	"context"
	"sort"
	"time"

	"cartable/internal/access"
	"cartable/internal/db"
)

// Agenda is a timetable's coming days as the home page shows them: the
// lessons of today and of the next day with lessons (tomorrow, or Monday
// on a Friday), each with its change, and the changes of the days after,
// over the coming week. A lesson moved to another day is listed once, on
// the first of its two days shown (its change tells the other).
type Agenda struct {
	Today    []Lesson
	NextDate string   // the next day with lessons, YYYY-MM-DD; "" when the coming week has none
	Next     []Lesson // its lessons
	Later    []Lesson // changed lessons after it, at most MaxChanges
}

// MaxChanges bounds the changes after the next day that Agenda lists.
const MaxChanges = 6

// Agenda reads target's coming week at now, if v may read target's
// timetable. The week is read bare through the cache (the busiest read of
// all: every home page); only the lessons shown get their teachers and
// audiences.
func (c *Cache) Agenda(ctx context.Context, v *access.Viewer, q db.Querier, t Target, now time.Time) (Agenda, error) {
	var a Agenda
	if err := canRead(ctx, v, t); err != nil {
		return a, err
	}
	day := now.In(Paris)
	today := day.Format(DateFormat)
	ls, err := c.lessonsBare(ctx, q, t, today, day.AddDate(0, 0, 7).Format(DateFormat))
	if err != nil {
		return a, err
	}
	for _, l := range ls {
		if d := effectiveDate(l); d > today && (a.NextDate == "" || d < a.NextDate) {
			a.NextDate = d
		}
	}
	for _, l := range ls {
		d := effectiveDate(l)
		switch {
		case d == today || l.Date == today:
			a.Today = append(a.Today, l)
		case a.NextDate != "" && (d == a.NextDate || l.Date == a.NextDate):
			a.Next = append(a.Next, l)
		case l.Changed() && len(a.Later) < MaxChanges:
			a.Later = append(a.Later, l)
		}
	}
	shown := make([]*[]Lesson, 0, 3)
	for _, p := range []*[]Lesson{&a.Today, &a.Next, &a.Later} {
		if len(*p) > 0 {
			shown = append(shown, p)
		}
	}
	return a, c.fillShown(ctx, q, shown...)
}

// effectiveDate is the day a lesson takes place, changes applied.
func effectiveDate(l Lesson) string { return l.Start.In(Paris).Format(DateFormat) }

// fillShown gives the lessons of the lists their own copies of their slots
// (cached slots are shared) with teachers and audiences, read through the
// cache, and their effective teachers.
func (c *Cache) fillShown(ctx context.Context, q db.Querier, lists ...*[]Lesson) error {
	slots := map[string]*Slot{}
	var ids []string
	for _, p := range lists {
		ls := make([]Lesson, len(*p)) // the cached week's slice is shared too
		copy(ls, *p)
		for i := range ls {
			s, ok := slots[ls[i].Slot.ID]
			if !ok {
				cp := *ls[i].Slot
				cp.Teachers, cp.Audiences = nil, nil
				s = &cp
				slots[cp.ID] = s
				ids = append(ids, cp.ID)
			}
			ls[i].Slot = s
		}
		*p = ls
	}
	if len(ids) == 0 {
		return nil
	}
	if err := c.fill(ctx, q, slots, ids); err != nil {
		return err
	}
	for _, p := range lists {
		for i := range *p {
			if l := &(*p)[i]; !l.Replaced() {
				l.Teachers = l.Slot.Teachers
			}
		}
	}
	return nil
}

// EstablishmentDay is what changed in an establishment's timetable on one
// day: the lessons cancelled, the other changes (moved from or to that
// day, room changed, replaced, a test or a note, an exceptional lesson),
// and the teachers absent (whose lessons are cancelled for their absence,
// or replaced).
type EstablishmentDay struct {
	EstablishmentID string
	Date            string
	Cancelled       []Lesson
	Changed         []Lesson
	Absent          []Person
}

// DayChanges reads the changes of date (YYYY-MM-DD) in each establishment
// of v whose whole timetable v may read (head, deputy, secretary, CPE);
// the others are left out, so a viewer who follows none gets nothing.
func (c *Cache) DayChanges(ctx context.Context, v *access.Viewer, q db.Querier, date string) ([]EstablishmentDay, error) {
	if _, err := ParseDate(date); err != nil {
		return nil, ErrBadRange
	}
	var out []EstablishmentDay
	for _, est := range v.Establishments {
		ok, err := v.May(ctx, access.ReadTimetable, access.Establishment(est))
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		d, err := c.dayChanges(ctx, q, est, date)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}

func (c *Cache) dayChanges(ctx context.Context, q db.Querier, est, date string) (EstablishmentDay, error) {
	out := EstablishmentDay{EstablishmentID: est, Date: date}
	// Two indexed lookups (original and new date) rather than an OR.
	cs, err := db.All(ctx, q, scanChange, `SELECT `+changeCols+`WHERE c.establishment_id = ? AND c.on_date = ?
		UNION SELECT `+changeCols+`WHERE c.establishment_id = ? AND c.new_date = ?`, est, date, est, date)
	if err != nil {
		return out, err
	}
	changes := make(map[string]*Change, len(cs))
	ids := make([]string, 0, len(cs))
	for _, ch := range cs {
		changes[ch.SlotID+"/"+ch.OnDate] = ch
		ids = append(ids, ch.SlotID)
	}
	slots := map[string]*Slot{}
	var order []string
	// The changed lessons, and the exceptional ones of the day (which run
	// on their one date), in one query of two indexed lookups.
	if err := querySlots(ctx, q, c, slots, &order, true, `SELECT `+slotCols+`WHERE `+db.In(q, "s.id")+`
		UNION SELECT `+slotCols+`WHERE s.establishment_id = ? AND s.exceptional AND s.valid_from = ?`,
		db.ListArg(q, ids), est, date); err != nil {
		return out, err
	}
	var ls []Lesson
	for _, ch := range cs {
		if s := slots[ch.SlotID]; s != nil {
			ls = append(ls, makeLesson(s, ch.OnDate, ch))
		}
	}
	for _, id := range order {
		if s := slots[id]; s.Exceptional && s.ValidFrom == date && changes[id+"/"+date] == nil {
			ls = append(ls, makeLesson(s, date, nil))
		}
	}
	sort.SliceStable(ls, func(i, j int) bool {
		if !ls[i].Start.Equal(ls[j].Start) {
			return ls[i].Start.Before(ls[j].Start)
		}
		return ls[i].Slot.SubjectName < ls[j].Slot.SubjectName
	})
	absent := map[string]Person{}
	for _, l := range ls {
		if l.Cancelled() {
			out.Cancelled = append(out.Cancelled, l)
		} else {
			out.Changed = append(out.Changed, l)
		}
		if l.Cancelled() && l.Change.Reason == "teacher-absent" || l.Replaced() && effectiveDate(l) == date {
			for _, p := range l.Slot.Teachers {
				absent[p.ID] = p
			}
		}
	}
	for _, p := range absent {
		out.Absent = append(out.Absent, p)
	}
	sort.Slice(out.Absent, func(i, j int) bool {
		a, b := out.Absent[i], out.Absent[j]
		if a.LastName != b.LastName {
			return a.LastName < b.LastName
		}
		return a.FirstName+a.ID < b.FirstName+b.ID
	})
	return out, nil
}
