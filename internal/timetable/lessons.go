package timetable

import (
	"context"
	"database/sql"
	"errors"
	"sort"
	"time"

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
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return err
	}
	var added []string
	for rows.Next() {
		s := &Slot{}
		var roomID, roomCode, roomName string
		if err := rows.Scan(&s.ID, &s.EstablishmentID, &s.SchoolYearID, &s.Weekday, &s.StartMin, &s.DurationMin,
			&s.SubjectID, &s.SubjectCode, &s.SubjectName, &s.SubjectShort, &roomID, &roomCode, &roomName,
			&s.AlternationID, &s.AlternationLabel, &s.ValidFrom, &s.ValidTo, &s.Exceptional, &s.UpdatedAt); err != nil {
			rows.Close()
			return err
		}
		if roomID != "" {
			s.Room = &Room{ID: roomID, EstablishmentID: s.EstablishmentID, Code: roomCode, Name: roomName}
		}
		if _, ok := into[s.ID]; !ok {
			into[s.ID] = s
			*order = append(*order, s.ID)
			added = append(added, s.ID)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil || !fill {
		return err
	}
	return c.fill(ctx, q, into, added)
}

// LessonsBare is Lessons without the slots' teachers and audiences, for a
// page that shows a few of many lessons: FillLessons then completes those.
func LessonsBare(ctx context.Context, q db.Querier, t Target, from, to string) ([]Lesson, error) {
	p, err := period(ctx, q, nil, t, from, to, false)
	return p.Lessons, err
}

// FillLessons reads the teachers and audiences of the lessons' slots (for
// lessons from LessonsBare) and sets each lesson's effective teachers.
func FillLessons(ctx context.Context, q db.Querier, ls []Lesson) error {
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
	rows, err := q.Query(ctx, `SELECT t.slot_id, p.id, p.title, p.first_name, p.last_name
		FROM tt_slot_teachers t JOIN people p ON p.id = t.teacher_id
		WHERE `+db.In(q, "t.slot_id")+` ORDER BY p.last_name, p.first_name, p.id`, db.ListArg(q, ids))
	if err != nil {
		return err
	}
	for rows.Next() {
		var slot string
		var p Person
		if err := rows.Scan(&slot, &p.ID, &p.Title, &p.FirstName, &p.LastName); err != nil {
			rows.Close()
			return err
		}
		into[slot].Teachers = append(into[slot].Teachers, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	rows, err = q.Query(ctx, `SELECT a.slot_id, COALESCE(a.class_id, ''), COALESCE(a.group_id, ''),
		COALESCE(c.code, g.code, ''), COALESCE(c.name, g.name, '')
		FROM tt_slot_audiences a LEFT JOIN classes c ON c.id = a.class_id LEFT JOIN groups g ON g.id = a.group_id
		WHERE `+db.In(q, "a.slot_id")+` ORDER BY 5`, db.ListArg(q, ids))
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var slot string
		var a Audience
		if err := rows.Scan(&slot, &a.ClassID, &a.GroupID, &a.Code, &a.Name); err != nil {
			return err
		}
		into[slot].Audiences = append(into[slot].Audiences, a)
	}
	return rows.Err()
}

// ErrBadRange is returned for a range that is not two dates in order.
var ErrBadRange = errors.New("timetable: the range must be two dates, the first not after the second")

// Lessons returns the lessons of target between from and to (dates,
// included), changes applied, in order of start. Cancelled lessons are
// kept (shown as cancelled); lessons on holidays are not generated.
func Lessons(ctx context.Context, q db.Querier, t Target, from, to string) ([]Lesson, error) {
	p, err := Period(ctx, q, t, from, to)
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
func Period(ctx context.Context, q db.Querier, t Target, from, to string) (Span, error) {
	return period(ctx, q, nil, t, from, to, true)
}

// period reads a span, through c when not nil; without fill, slots come
// without teachers and audiences (LessonsBare).
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
	if err := querySlots(ctx, q, c, slots, &order, fill, query, t.ID, t.ID, to, from); err != nil {
		return span, err
	}
	own := make(map[string]bool, len(order))
	for _, id := range order {
		own[id] = true
	}
	if extra, ok := extraQueries[t.Kind]; ok {
		if err := querySlots(ctx, q, c, slots, &order, fill, extra, t.ID, from, to, from, to); err != nil {
			return span, err
		}
	}
	if len(order) == 0 {
		return span, nil
	}
	changes, err := loadChanges(ctx, q, order, from, to)
	if err != nil {
		return span, err
	}
	weeks, err := loadWeeks(ctx, q, slots, order, Monday(fromT).Format(DateFormat), to)
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

func scanChange(s interface{ Scan(...any) error }) (*Change, error) {
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
	rows, err := q.Query(ctx, `SELECT `+changeCols+`WHERE `+db.In(q, "c.slot_id")+`
		AND ((c.on_date BETWEEN ? AND ?) OR (c.new_date BETWEEN ? AND ?))`, db.ListArg(q, slotIDs), from, to, from, to)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]*Change{}
	for rows.Next() {
		c, err := scanChange(rows)
		if err != nil {
			return nil, err
		}
		out[c.SlotID+"/"+c.OnDate] = c
	}
	return out, rows.Err()
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
	rows, err := q.Query(ctx, `SELECT alternation_id, monday FROM tt_alternation_weeks
		WHERE `+db.In(q, "alternation_id")+` AND monday BETWEEN ? AND ?`, db.ListArg(q, alts), from, to)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var a, m string
		if err := rows.Scan(&a, &m); err != nil {
			return nil, err
		}
		if out[a] == nil {
			out[a] = map[string]bool{}
		}
		out[a][m] = true
	}
	return out, rows.Err()
}

// SlotByID returns one slot with its teachers and audiences.
func SlotByID(ctx context.Context, q db.Querier, id string) (*Slot, error) {
	slots := map[string]*Slot{}
	var order []string
	if err := querySlots(ctx, q, nil, slots, &order, true, `SELECT `+slotCols+`WHERE s.id = ?`, id); err != nil {
		return nil, err
	}
	if len(order) == 0 {
		return nil, ErrNotFound
	}
	return slots[id], nil
}

// ErrNotFound is returned for a slot, room or lesson that does not exist.
var ErrNotFound = errors.New("timetable: not found")

// LessonAt returns the occurrence of slot on its original date, with its
// change; ErrNotFound if the slot does not run that day.
func LessonAt(ctx context.Context, q db.Querier, slotID, date string) (Lesson, error) {
	s, err := SlotByID(ctx, q, slotID)
	if err != nil {
		return Lesson{}, err
	}
	d, err := ParseDate(date)
	if err != nil || Weekday(d) != s.Weekday || date < s.ValidFrom || date > s.ValidTo {
		return Lesson{}, ErrNotFound
	}
	if !s.Exceptional {
		cal, err := LoadCalendar(ctx, q, []string{s.SchoolYearID})
		if err != nil {
			return Lesson{}, err
		}
		if _, closed := cal.Closed(date); closed {
			return Lesson{}, ErrNotFound
		}
		if s.AlternationID != "" {
			var n int
			if err := q.QueryRow(ctx, `SELECT COUNT(*) FROM tt_alternation_weeks WHERE alternation_id = ? AND monday = ?`,
				s.AlternationID, Monday(d).Format(DateFormat)).Scan(&n); err != nil {
				return Lesson{}, err
			}
			if n == 0 {
				return Lesson{}, ErrNotFound
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

// Slots lists the weekly lessons of a target (every validity period), in
// weekday and time order, for the management pages.
func Slots(ctx context.Context, q db.Querier, t Target) ([]*Slot, error) {
	query, ok := slotQueries[t.Kind]
	if !ok {
		return nil, errors.New("timetable: unknown target kind " + t.Kind)
	}
	slots := map[string]*Slot{}
	var order []string
	if err := querySlots(ctx, q, nil, slots, &order, true, query, t.ID, t.ID, "9999-12-31", "0000-01-01"); err != nil {
		return nil, err
	}
	if len(order) == 0 {
		return nil, nil
	}
	out := make([]*Slot, 0, len(order))
	for _, id := range order {
		out = append(out, slots[id])
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Weekday != out[j].Weekday {
			return out[i].Weekday < out[j].Weekday
		}
		return out[i].StartMin < out[j].StartMin
	})
	return out, nil
}
