package timetable

import (
	"context"
	"database/sql"
	"errors"
	"sort"
	"time"

	"cartable/internal/access"
	"cartable/internal/db"
)

// Person is a teacher as the timetable shows them.
type Person struct{ ID, Title, FirstName, LastName string }

// Name is "Mme DURAND" (title and last name), the form used in timetables.
func (p Person) Name() string {
	if p.Title == "" {
		return p.FirstName + " " + p.LastName
	}
	return p.Title + " " + p.LastName
}

// Audience is a class or a group attending a lesson.
type Audience struct {
	ClassID, GroupID string
	Code, Name       string
}

// Key names the audience in forms: "c:" and a class ID, or "g:" and a
// group ID (read back by CheckSlotInput).
func (a Audience) Key() string {
	if a.GroupID != "" {
		return "g:" + a.GroupID
	}
	return "c:" + a.ClassID
}

// Room is a room of an establishment.
type Room struct{ ID, EstablishmentID, Code, Name string }

// Slot is a weekly lesson.
type Slot struct {
	ID, EstablishmentID, SchoolYearID string
	Weekday, StartMin, DurationMin    int
	SubjectID, SubjectCode            string
	SubjectName, SubjectShort         string
	Room                              *Room
	AlternationID, AlternationLabel   string
	ValidFrom, ValidTo                string
	Exceptional                       bool
	UpdatedAt                         int64 // Unix seconds
	Teachers                          []Person
	Audiences                         []Audience
}

// Change alters one occurrence (slot, original date). Zero values mean
// "unchanged".
type Change struct {
	SlotID, OnDate, EstablishmentID string
	Cancelled                       bool
	Reason                          string // teacher-absent, class-absent, school-trip, exam, strike, other
	NewDate                         string
	NewStartMin, NewDurationMin     int
	NewRoom                         *Room
	Replacement                     *Person
	TestPlanned                     bool
	Note                            string
	ChangedBy                       string
	ChangedAt                       int64
}

// Reasons lists the accepted cancellation reasons.
var Reasons = []string{"teacher-absent", "class-absent", "school-trip", "exam", "strike", "other"}

// Lesson is one dated occurrence of a slot, with its change applied.
type Lesson struct {
	Slot       *Slot
	Date       string    // original date (identifies the occurrence with the slot)
	Start, End time.Time // effective, in Paris
	Room       *Room     // effective room
	Teachers   []Person  // effective teachers (a replacement stands for all)
	Change     *Change
}

// Key identifies the occurrence: "slot/date".
func (l Lesson) Key() string { return l.Slot.ID + "/" + l.Date }

func (l Lesson) Cancelled() bool   { return l.Change != nil && l.Change.Cancelled }
func (l Lesson) TestPlanned() bool { return l.Change != nil && l.Change.TestPlanned }
func (l Lesson) Replaced() bool    { return l.Change != nil && l.Change.Replacement != nil }
func (l Lesson) RoomChanged() bool { return l.Change != nil && l.Change.NewRoom != nil }

// Moved reports a change of date or time.
func (l Lesson) Moved() bool {
	return l.Change != nil && (l.Change.NewDate != "" && l.Change.NewDate != l.Date ||
		l.Change.NewStartMin != 0 || l.Change.NewDurationMin != 0)
}

// Changed reports any change, including an exceptional lesson.
func (l Lesson) Changed() bool {
	return l.Slot.Exceptional || l.Cancelled() || l.TestPlanned() || l.Replaced() || l.RoomChanged() || l.Moved() ||
		(l.Change != nil && l.Change.Note != "")
}

// Audience names the classes and groups, "4A, 4AB-ESP".
func (l Lesson) Audience() string {
	s := ""
	for i, a := range l.Slot.Audiences {
		if i > 0 {
			s += ", "
		}
		s += a.Name
	}
	return s
}

// Target names whose timetable is asked for.
type Target struct {
	Kind string // student, teacher, class, group, room
	ID   string
}

const (
	TargetStudent = "student"
	TargetTeacher = "teacher"
	TargetClass   = "class"
	TargetGroup   = "group"
	TargetRoom    = "room"
)

// slotCols selects a slot with its subject, room and week pattern; its
// teachers and audiences are read in bulk afterwards (fillSlots), two
// indexed queries for all the slots of a page rather than two correlated
// subqueries per slot.
const slotCols = `s.id, s.establishment_id, s.school_year_id, s.weekday, s.start_min, s.duration_min,
	s.subject_id, su.code, su.name, su.short_name, COALESCE(r.id, ''), COALESCE(r.code, ''), COALESCE(r.name, ''),
	COALESCE(al.id, ''), COALESCE(al.label, ''), s.valid_from, s.valid_to, s.exceptional, s.updated_at
	FROM tt_slots s JOIN subjects su ON su.id = s.subject_id
	LEFT JOIN tt_rooms r ON r.id = s.room_id
	LEFT JOIN tt_alternations al ON al.id = s.alternation_id `

// Slot selections per target kind; each takes the target twice (or once)
// then the range end and start.
var slotQueries = map[string]string{
	TargetStudent: `SELECT ` + slotCols + `WHERE s.id IN (
		SELECT a.slot_id FROM tt_slot_audiences a JOIN enrolments e ON e.class_id = a.class_id WHERE e.student_id = ?
		UNION SELECT a.slot_id FROM tt_slot_audiences a JOIN group_members m ON m.group_id = a.group_id WHERE m.student_id = ?)
		AND s.valid_from <= ? AND s.valid_to >= ?`,
	TargetTeacher: `SELECT ` + slotCols + `WHERE s.id IN (
		SELECT slot_id FROM tt_slot_teachers WHERE teacher_id = ? AND teacher_id = ?)
		AND s.valid_from <= ? AND s.valid_to >= ?`,
	TargetClass: `SELECT ` + slotCols + `WHERE s.id IN (
		SELECT a.slot_id FROM tt_slot_audiences a WHERE a.class_id = ?
		UNION SELECT a.slot_id FROM tt_slot_audiences a JOIN group_classes gc ON gc.group_id = a.group_id WHERE gc.class_id = ?)
		AND s.valid_from <= ? AND s.valid_to >= ?`,
	TargetGroup: `SELECT ` + slotCols + `WHERE s.id IN (
		SELECT a.slot_id FROM tt_slot_audiences a WHERE a.group_id = ? AND a.group_id = ?)
		AND s.valid_from <= ? AND s.valid_to >= ?`,
	TargetRoom: `SELECT ` + slotCols + `WHERE s.room_id = ? AND s.room_id = ?
		AND s.valid_from <= ? AND s.valid_to >= ?`,
}

// Occurrences of other slots that a change brings to a teacher
// (replacement) or a room (moved into it).
var extraQueries = map[string]string{
	TargetTeacher: `SELECT ` + slotCols + `WHERE s.id IN (SELECT c.slot_id FROM tt_changes c WHERE c.replacement_id = ?
		AND ((c.on_date BETWEEN ? AND ?) OR (c.new_date BETWEEN ? AND ?)))`,
	TargetRoom: `SELECT ` + slotCols + `WHERE s.id IN (SELECT c.slot_id FROM tt_changes c WHERE c.new_room_id = ?
		AND ((c.on_date BETWEEN ? AND ?) OR (c.new_date BETWEEN ? AND ?)))`,
}

// querySlots adds the slots selected by query to into; fill also reads
// their teachers and audiences.
func querySlots(ctx context.Context, q db.Querier, c *Cache, into map[string]*Slot, order *[]string, fill bool, query string, args ...any) error {
	found, err := db.All(ctx, q, scanSlot, query, args...)
	if err != nil {
		return err
	}
	var added []string
	for _, s := range found {
		if _, ok := into[s.ID]; !ok {
			into[s.ID] = s
			*order = append(*order, s.ID)
			added = append(added, s.ID)
		}
	}
	if !fill {
		return nil
	}
	return c.fill(ctx, q, into, added)
}

// scanSlot reads a row of slotCols.
func scanSlot(sc db.Scanner) (*Slot, error) {
	s := &Slot{}
	var roomID, roomCode, roomName string
	if err := sc.Scan(&s.ID, &s.EstablishmentID, &s.SchoolYearID, &s.Weekday, &s.StartMin, &s.DurationMin,
		&s.SubjectID, &s.SubjectCode, &s.SubjectName, &s.SubjectShort, &roomID, &roomCode, &roomName,
		&s.AlternationID, &s.AlternationLabel, &s.ValidFrom, &s.ValidTo, &s.Exceptional, &s.UpdatedAt); err != nil {
		return nil, err
	}
	if roomID != "" {
		s.Room = &Room{ID: roomID, EstablishmentID: s.EstablishmentID, Code: roomCode, Name: roomName}
	}
	return s, nil
}

// lessonsBare is lessons without the slots' teachers and audiences, for a
// page that shows a few of many lessons: fillLessons then completes those.
func lessonsBare(ctx context.Context, q db.Querier, t Target, from, to string) ([]Lesson, error) {
	p, err := period(ctx, q, nil, t, from, to, false)
	return p.Lessons, err
}

// fillLessons reads the teachers and audiences of the lessons' slots (for
// lessons from lessonsBare) and sets each lesson's effective teachers.
func fillLessons(ctx context.Context, q db.Querier, ls []Lesson) error {
	slots := map[string]*Slot{}
	var ids []string
	for _, l := range ls {
		if _, ok := slots[l.Slot.ID]; !ok {
			slots[l.Slot.ID] = l.Slot
			ids = append(ids, l.Slot.ID)
			l.Slot.Teachers, l.Slot.Audiences = nil, nil
		}
	}
	if err := fillSlots(ctx, q, slots, ids); err != nil {
		return err
	}
	for i := range ls {
		if !ls[i].Replaced() {
			ls[i].Teachers = ls[i].Slot.Teachers
		}
	}
	return nil
}

// fillSlots reads the teachers and audiences of the given slots.
func fillSlots(ctx context.Context, q db.Querier, into map[string]*Slot, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	type teacher struct {
		slot string
		p    Person
	}
	ts, err := db.All(ctx, q, func(sc db.Scanner) (t teacher, err error) {
		err = sc.Scan(&t.slot, &t.p.ID, &t.p.Title, &t.p.FirstName, &t.p.LastName)
		return
	}, `SELECT t.slot_id, p.id, p.title, p.first_name, p.last_name
		FROM tt_slot_teachers t JOIN people p ON p.id = t.teacher_id
		WHERE `+db.In(q, "t.slot_id")+` ORDER BY p.last_name, p.first_name, p.id`, db.ListArg(q, ids))
	if err != nil {
		return err
	}
	for _, t := range ts {
		into[t.slot].Teachers = append(into[t.slot].Teachers, t.p)
	}
	type audience struct {
		slot string
		a    Audience
	}
	as, err := db.All(ctx, q, func(sc db.Scanner) (a audience, err error) {
		err = sc.Scan(&a.slot, &a.a.ClassID, &a.a.GroupID, &a.a.Code, &a.a.Name)
		return
	}, `SELECT a.slot_id, COALESCE(a.class_id, ''), COALESCE(a.group_id, ''),
		COALESCE(c.code, g.code, ''), COALESCE(c.name, g.name, '')
		FROM tt_slot_audiences a LEFT JOIN classes c ON c.id = a.class_id LEFT JOIN groups g ON g.id = a.group_id
		WHERE `+db.In(q, "a.slot_id")+` ORDER BY 5`, db.ListArg(q, ids))
	if err != nil {
		return err
	}
	for _, a := range as {
		into[a.slot].Audiences = append(into[a.slot].Audiences, a.a)
	}
	return nil
}

// ErrBadRange is returned for a range that is not two dates in order.
var ErrBadRange = errors.New("timetable: the range must be two dates, the first not after the second")

// Lessons returns the lessons of target between from and to (dates,
// included), changes applied, in order of start, if v may read target's
// timetable. Cancelled lessons are kept (shown as cancelled); lessons on
// holidays are not generated.
func Lessons(ctx context.Context, v *access.Viewer, q db.Querier, t Target, from, to string) ([]Lesson, error) {
	p, err := Period(ctx, v, q, t, from, to)
	return p.Lessons, err
}

// Span is what a view of a period needs besides the lessons: the school
// calendar of the years involved and the week patterns of each Monday.
type Span struct {
	Lessons  []Lesson
	Calendar Calendar
	// WeekLabels maps a Monday to the labels of the week patterns of the
	// target's lessons that run that week ("Semaine A").
	WeekLabels map[string][]string
}

// Period is Lessons with the calendar and week labels it used.
func Period(ctx context.Context, v *access.Viewer, q db.Querier, t Target, from, to string) (Span, error) {
	if err := canRead(ctx, v, t); err != nil {
		return Span{}, err
	}
	return period(ctx, q, nil, t, from, to, true)
}

// period reads a span, through c when not nil; without fill, slots come
// without teachers and audiences (lessonsBare).
func period(ctx context.Context, q db.Querier, c *Cache, t Target, from, to string, fill bool) (Span, error) {
	var span Span
	fromT, err1 := ParseDate(from)
	toT, err2 := ParseDate(to)
	if err1 != nil || err2 != nil || to < from {
		return span, ErrBadRange
	}
	query, ok := slotQueries[t.Kind]
	if !ok {
		return span, errors.New("timetable: unknown target kind " + t.Kind)
	}
	slots := map[string]*Slot{}
	var order []string
	// The target's own slots and the others it has lessons in (a
	// replacement's), at once; the others are added after the own.
	extraSlots := map[string]*Slot{}
	var extraOrder []string
	fns := []func(context.Context) error{func(ctx context.Context) error {
		return querySlots(ctx, q, c, slots, &order, fill, query, t.ID, t.ID, to, from)
	}}
	if extra, ok := extraQueries[t.Kind]; ok {
		fns = append(fns, func(ctx context.Context) error {
			return querySlots(ctx, q, c, extraSlots, &extraOrder, fill, extra, t.ID, from, to, from, to)
		})
	}
	if err := db.TogetherOn(ctx, q, fns...); err != nil {
		return span, err
	}
	own := make(map[string]bool, len(order))
	for _, id := range order {
		own[id] = true
	}
	for _, id := range extraOrder {
		if !own[id] {
			slots[id] = extraSlots[id]
			order = append(order, id)
		}
	}
	if len(order) == 0 {
		return span, nil
	}
	// The slots' changes and their alternations' weeks, at once.
	var changes map[string]*Change
	var weeks map[string]map[string]bool
	err := db.TogetherOn(ctx, q,
		func(ctx context.Context) (err error) { changes, err = loadChanges(ctx, q, order, from, to); return },
		func(ctx context.Context) (err error) {
			weeks, err = loadWeeks(ctx, q, slots, order, Monday(fromT).Format(DateFormat), to)
			return
		})
	if err != nil {
		return span, err
	}
	var years []string
	seenYear := map[string]bool{}
	for _, id := range order {
		if y := slots[id].SchoolYearID; !seenYear[y] {
			seenYear[y] = true
			years = append(years, y)
		}
	}
	cal, err := c.calendar(ctx, q, years)
	if err != nil {
		return span, err
	}
	span.Calendar = cal
	span.WeekLabels = map[string][]string{}
	labels := map[string]string{}
	for _, id := range order {
		if s := slots[id]; s.AlternationID != "" {
			labels[s.AlternationID] = s.AlternationLabel
		}
	}
	var altIDs []string
	for a := range labels {
		altIDs = append(altIDs, a)
	}
	sort.Slice(altIDs, func(i, j int) bool { return labels[altIDs[i]] < labels[altIDs[j]] })
	for _, a := range altIDs {
		for m := range weeks[a] {
			span.WeekLabels[m] = append(span.WeekLabels[m], labels[a])
		}
	}

	var out []Lesson
	done := map[string]bool{}
	add := func(s *Slot, date string, c *Change) {
		key := s.ID + "/" + date
		if done[key] {
			return
		}
		if !own[s.ID] && !concerns(t, c) {
			return // another teacher's or room's lesson that this change does not bring here
		}
		if t.Kind == TargetRoom && c != nil && c.NewRoom != nil && c.NewRoom.ID != t.ID {
			return // moved to another room: this one is free
		}
		done[key] = true
		out = append(out, makeLesson(s, date, c))
	}
	for d := fromT; !d.After(toT); d = addDays(d, 1) {
		date := d.Format(DateFormat)
		wd := Weekday(d)
		monday := ""
		for _, id := range order {
			s := slots[id]
			if s.Weekday != wd || date < s.ValidFrom || date > s.ValidTo {
				continue
			}
			if !s.Exceptional {
				if _, closed := cal.Closed(date); closed {
					continue
				}
				if s.AlternationID != "" {
					if monday == "" {
						monday = Monday(d).Format(DateFormat)
					}
					if !weeks[s.AlternationID][monday] {
						continue
					}
				}
			}
			c := changes[id+"/"+date]
			if c != nil && c.NewDate != "" && (c.NewDate < from || c.NewDate > to) {
				continue // moved out of the range
			}
			add(s, date, c)
		}
	}
	// Occurrences moved into the range from a date outside it.
	for _, c := range changes {
		if c.NewDate == "" || c.NewDate < from || c.NewDate > to || (c.OnDate >= from && c.OnDate <= to) {
			continue
		}
		if s := slots[c.SlotID]; s != nil {
			add(s, c.OnDate, c)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].Start.Equal(out[j].Start) {
			return out[i].Start.Before(out[j].Start)
		}
		return out[i].Slot.SubjectName < out[j].Slot.SubjectName
	})
	span.Lessons = out
	return span, nil
}

// concerns tells whether change c brings an occurrence of someone else's
// slot into target t's timetable.
func concerns(t Target, c *Change) bool {
	if c == nil {
		return false
	}
	switch t.Kind {
	case TargetTeacher:
		return c.Replacement != nil && c.Replacement.ID == t.ID
	case TargetRoom:
		return c.NewRoom != nil && c.NewRoom.ID == t.ID
	}
	return false
}

func makeLesson(s *Slot, date string, c *Change) Lesson {
	l := Lesson{Slot: s, Date: date, Room: s.Room, Teachers: s.Teachers, Change: c}
	day, _ := ParseDate(date)
	start, dur := s.StartMin, s.DurationMin
	if c != nil {
		if c.NewDate != "" {
			if d, err := ParseDate(c.NewDate); err == nil {
				day = d
			}
		}
		if c.NewStartMin != 0 {
			start = c.NewStartMin
		}
		if c.NewDurationMin != 0 {
			dur = c.NewDurationMin
		}
		if c.NewRoom != nil {
			l.Room = c.NewRoom
		}
		if c.Replacement != nil {
			l.Teachers = []Person{*c.Replacement}
		}
	}
	l.Start = At(day, start)
	l.End = l.Start.Add(time.Duration(dur) * time.Minute)
	return l
}

const changeCols = `c.slot_id, c.on_date, c.establishment_id, c.cancelled, c.reason, COALESCE(c.new_date, ''),
	COALESCE(c.new_start_min, 0), COALESCE(c.new_duration_min, 0),
	COALESCE(r.id, ''), COALESCE(r.code, ''), COALESCE(r.name, ''),
	COALESCE(p.id, ''), COALESCE(p.title, ''), COALESCE(p.first_name, ''), COALESCE(p.last_name, ''),
	c.test_planned, c.note, c.changed_by, c.changed_at
	FROM tt_changes c LEFT JOIN tt_rooms r ON r.id = c.new_room_id LEFT JOIN people p ON p.id = c.replacement_id `

func scanChange(s db.Scanner) (*Change, error) {
	c := &Change{}
	var roomID, roomCode, roomName, pid, title, first, last string
	if err := s.Scan(&c.SlotID, &c.OnDate, &c.EstablishmentID, &c.Cancelled, &c.Reason, &c.NewDate,
		&c.NewStartMin, &c.NewDurationMin, &roomID, &roomCode, &roomName, &pid, &title, &first, &last,
		&c.TestPlanned, &c.Note, &c.ChangedBy, &c.ChangedAt); err != nil {
		return nil, err
	}
	if roomID != "" {
		c.NewRoom = &Room{ID: roomID, EstablishmentID: c.EstablishmentID, Code: roomCode, Name: roomName}
	}
	if pid != "" {
		c.Replacement = &Person{ID: pid, Title: title, FirstName: first, LastName: last}
	}
	return c, nil
}

// loadChanges returns the changes of the slots whose original or new date
// falls in [from, to], by "slot/date".
func loadChanges(ctx context.Context, q db.Querier, slotIDs []string, from, to string) (map[string]*Change, error) {
	cs, err := db.All(ctx, q, scanChange, `SELECT `+changeCols+`WHERE `+db.In(q, "c.slot_id")+`
		AND ((c.on_date BETWEEN ? AND ?) OR (c.new_date BETWEEN ? AND ?))`, db.ListArg(q, slotIDs), from, to, from, to)
	if err != nil {
		return nil, err
	}
	out := make(map[string]*Change, len(cs))
	for _, c := range cs {
		out[c.SlotID+"/"+c.OnDate] = c
	}
	return out, nil
}

// loadWeeks returns, per alternation used by the slots, the set of its
// Mondays in the range.
func loadWeeks(ctx context.Context, q db.Querier, slots map[string]*Slot, order []string, from, to string) (map[string]map[string]bool, error) {
	var alts []string
	seen := map[string]bool{}
	for _, id := range order {
		if a := slots[id].AlternationID; a != "" && !seen[a] {
			seen[a] = true
			alts = append(alts, a)
		}
	}
	out := map[string]map[string]bool{}
	if len(alts) == 0 {
		return out, nil
	}
	weeks, err := db.All(ctx, q, func(sc db.Scanner) (w [2]string, err error) {
		err = sc.Scan(&w[0], &w[1])
		return
	}, `SELECT alternation_id, monday FROM tt_alternation_weeks
		WHERE `+db.In(q, "alternation_id")+` AND monday BETWEEN ? AND ?`, db.ListArg(q, alts), from, to)
	if err != nil {
		return nil, err
	}
	for _, w := range weeks {
		if out[w[0]] == nil {
			out[w[0]] = map[string]bool{}
		}
		out[w[0]][w[1]] = true
	}
	return out, nil
}

// slotByID returns one slot with its teachers and audiences.
func slotByID(ctx context.Context, q db.Querier, id string) (*Slot, error) {
	slots := map[string]*Slot{}
	var order []string
	if err := querySlots(ctx, q, nil, slots, &order, true, `SELECT `+slotCols+`WHERE s.id = ?`, id); err != nil {
		return nil, err
	}
	if len(order) == 0 {
		return nil, errNotFound
	}
	return slots[id], nil
}

// SlotByID returns a lesson of est with its teachers and audiences, for
// its form, to those who edit est's timetable.
func SlotByID(ctx context.Context, v *access.Viewer, q db.Querier, est, id string) (*Slot, error) {
	if err := canEdit(ctx, v, est); err != nil {
		return nil, err
	}
	s, err := slotByID(ctx, q, id)
	if err == nil && s.EstablishmentID != est {
		err = errNotFound
	}
	return s, notFound(err, access.EditTimetable, access.Lesson(id))
}

// LessonAt returns the occurrence of slot on its original date, with its
// change, to those who see it: its teachers and the replacement of that
// day, those who read the timetable of one of its classes or groups, and
// those who edit its establishment's timetable. A lesson that does not
// run that day is refused like a forbidden one.
func LessonAt(ctx context.Context, v *access.Viewer, q db.Querier, slotID, date string) (Lesson, error) {
	l, err := lessonAt(ctx, q, slotID, date)
	if err != nil {
		return Lesson{}, notFound(err, access.ReadTimetable, access.Lesson(slotID))
	}
	if !v.IsSystem() {
		for _, t := range append(append([]Person{}, l.Slot.Teachers...), l.Teachers...) {
			if t.ID == v.ID {
				return l, nil
			}
		}
	}
	for _, a := range l.Slot.Audiences {
		t := Target{Kind: TargetClass, ID: a.ClassID}
		if a.GroupID != "" {
			t = Target{Kind: TargetGroup, ID: a.GroupID}
		}
		if ok, err := v.May(ctx, access.ReadTimetable, resourceOf(t)); err != nil || ok {
			return l, err
		}
	}
	// Relatives and students reach a lesson through a child's or their own
	// timetable, which the audiences above already cover.
	if err := canEdit(ctx, v, l.Slot.EstablishmentID); err != nil {
		if errors.Is(err, access.ErrDenied) {
			err = refused(access.ReadTimetable, access.Lesson(slotID))
		}
		return Lesson{}, err
	}
	return l, nil
}

// lessonAt returns the occurrence of slot on its original date, with its
// change; errNotFound if the slot does not run that day.
func lessonAt(ctx context.Context, q db.Querier, slotID, date string) (Lesson, error) {
	s, err := slotByID(ctx, q, slotID)
	if err != nil {
		return Lesson{}, err
	}
	d, err := ParseDate(date)
	if err != nil || Weekday(d) != s.Weekday || date < s.ValidFrom || date > s.ValidTo {
		return Lesson{}, errNotFound
	}
	if !s.Exceptional {
		cal, err := LoadCalendar(ctx, q, []string{s.SchoolYearID})
		if err != nil {
			return Lesson{}, err
		}
		if _, closed := cal.Closed(date); closed {
			return Lesson{}, errNotFound
		}
		if s.AlternationID != "" {
			var n int
			if err := q.QueryRow(ctx, `SELECT COUNT(*) FROM tt_alternation_weeks WHERE alternation_id = ? AND monday = ?`,
				s.AlternationID, Monday(d).Format(DateFormat)).Scan(&n); err != nil {
				return Lesson{}, err
			}
			if n == 0 {
				return Lesson{}, errNotFound
			}
		}
	}
	c, err := scanChange(q.QueryRow(ctx, `SELECT `+changeCols+`WHERE c.slot_id = ? AND c.on_date = ?`, slotID, date))
	if errors.Is(err, sql.ErrNoRows) {
		c, err = nil, nil
	}
	if err != nil {
		return Lesson{}, err
	}
	return makeLesson(s, date, c), nil
}

// Slots lists the weekly lessons of a target in est (every validity
// period), in weekday and time order, for the management pages of those
// who edit est's timetable.
func Slots(ctx context.Context, v *access.Viewer, q db.Querier, est string, t Target) ([]*Slot, error) {
	if err := canEdit(ctx, v, est); err != nil {
		return nil, err
	}
	query, ok := slotQueries[t.Kind]
	if !ok {
		return nil, errors.New("timetable: unknown target kind " + t.Kind)
	}
	slots := map[string]*Slot{}
	var order []string
	if err := querySlots(ctx, q, nil, slots, &order, true, query, t.ID, t.ID, "9999-12-31", "0000-01-01"); err != nil {
		return nil, err
	}
	var out []*Slot
	for _, id := range order {
		if slots[id].EstablishmentID == est {
			out = append(out, slots[id])
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Weekday != out[j].Weekday {
			return out[i].Weekday < out[j].Weekday
		}
		return out[i].StartMin < out[j].StartMin
	})
	return out, nil
}
