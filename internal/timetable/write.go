package timetable

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"cartable/internal/db"
	"cartable/internal/ids"
)

// Problem is one fault in what was submitted: where (line of a file, field
// or column) and what (a code the interface translates, with the value).
type Problem struct {
	Line  int    // line of the imported file; 0 for a form
	Field string // field or column name
	Code  string // e.g. "unknown-room", "overlap", "bad-time"
	Value string // the value at fault, or what it clashes with
}

// Problems is an error made of every fault found; nothing was saved.
type Problems []Problem

func (ps Problems) Error() string {
	var b strings.Builder
	for i, p := range ps {
		if i > 0 {
			b.WriteString("; ")
		}
		if p.Line > 0 {
			fmt.Fprintf(&b, "line %d: ", p.Line)
		}
		fmt.Fprintf(&b, "%s: %s %q", p.Field, p.Code, p.Value)
	}
	return b.String()
}

// NewSlot is a weekly lesson to create.
type NewSlot struct {
	ID                             string // set by Insert when empty
	EstablishmentID, SchoolYearID  string
	Weekday, StartMin, DurationMin int
	SubjectID, RoomID              string
	AlternationID                  string
	ValidFrom, ValidTo             string
	Exceptional                    bool
	TeacherIDs, ClassIDs, GroupIDs []string
	Line                           int // where it was read from, for problems
}

// CheckTimes reports impossible days and times.
func (n NewSlot) CheckTimes() Problems {
	var ps Problems
	if n.Weekday < 1 || n.Weekday > 7 {
		ps = append(ps, Problem{Line: n.Line, Field: "day", Code: "bad-day", Value: fmt.Sprint(n.Weekday)})
	}
	if n.StartMin < 0 || n.StartMin > 1439 {
		ps = append(ps, Problem{Line: n.Line, Field: "start", Code: "bad-time", Value: HHMM(n.StartMin)})
	}
	if n.DurationMin < 5 || n.DurationMin > 720 {
		ps = append(ps, Problem{Line: n.Line, Field: "duration", Code: "bad-duration", Value: fmt.Sprint(n.DurationMin)})
	} else if n.StartMin+n.DurationMin > 24*60 {
		ps = append(ps, Problem{Line: n.Line, Field: "duration", Code: "past-midnight", Value: HHMM(n.StartMin) + "+" + fmt.Sprint(n.DurationMin)})
	}
	if _, err := ParseDate(n.ValidFrom); err != nil {
		ps = append(ps, Problem{Line: n.Line, Field: "from", Code: "bad-date", Value: n.ValidFrom})
	}
	if _, err := ParseDate(n.ValidTo); err != nil || n.ValidTo < n.ValidFrom {
		ps = append(ps, Problem{Line: n.Line, Field: "to", Code: "bad-date", Value: n.ValidTo})
	}
	if len(n.ClassIDs)+len(n.GroupIDs) == 0 {
		ps = append(ps, Problem{Line: n.Line, Field: "audience", Code: "no-audience"})
	}
	return ps
}

// HHMM writes minutes after midnight as "08:30".
func HHMM(min int) string { return fmt.Sprintf("%02d:%02d", min/60, min%60) }

// insertSlot writes a slot and its teachers and audiences.
func insertSlot(ctx context.Context, q db.Querier, n NewSlot, id string, now int64) error {
	if _, err := q.Exec(ctx, `INSERT INTO tt_slots (id, establishment_id, school_year_id, weekday, start_min, duration_min,
		subject_id, room_id, alternation_id, valid_from, valid_to, exceptional, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		id, n.EstablishmentID, n.SchoolYearID, n.Weekday, n.StartMin, n.DurationMin, n.SubjectID,
		nullable(n.RoomID), nullable(n.AlternationID), n.ValidFrom, n.ValidTo, n.Exceptional, now, now); err != nil {
		return err
	}
	return insertMembers(ctx, q, n, id)
}

// insertMembers writes a slot's teachers and audiences.
func insertMembers(ctx context.Context, q db.Querier, n NewSlot, id string) error {
	for _, t := range dedupe(n.TeacherIDs) {
		if _, err := q.Exec(ctx, `INSERT INTO tt_slot_teachers (slot_id, teacher_id) VALUES (?, ?)`, id, t); err != nil {
			return err
		}
	}
	for _, c := range dedupe(n.ClassIDs) {
		if _, err := q.Exec(ctx, `INSERT INTO tt_slot_audiences (slot_id, class_id) VALUES (?, ?)`, id, c); err != nil {
			return err
		}
	}
	for _, g := range dedupe(n.GroupIDs) {
		if _, err := q.Exec(ctx, `INSERT INTO tt_slot_audiences (slot_id, group_id) VALUES (?, ?)`, id, g); err != nil {
			return err
		}
	}
	return nil
}

func dedupe(xs []string) []string {
	var out []string
	for _, x := range xs {
		if x != "" && !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// CreateSlot checks a weekly (or exceptional) lesson against the times,
// the establishment's references and the other lessons of its year, then
// stores it. It returns the new ID, or Problems and nothing saved.
func CreateSlot(ctx context.Context, tx *db.Tx, n NewSlot) (string, error) {
	ps := n.CheckTimes()
	ps = append(ps, checkRefs(ctx, tx, n)...)
	if len(ps) > 0 {
		return "", ps
	}
	n.ID = ""
	if ps, err := clashes(ctx, tx, n); err != nil || len(ps) > 0 {
		return "", errOr(err, ps)
	}
	return Insert(ctx, tx, n)
}

// clashes checks n against the other lessons of its year.
func clashes(ctx context.Context, q db.Querier, n NewSlot) (Problems, error) {
	existing, err := yearSlots(ctx, q, n.EstablishmentID, n.SchoolYearID)
	if err != nil {
		return nil, err
	}
	weeks, err := alternationWeeks(ctx, q, n.EstablishmentID)
	if err != nil {
		return nil, err
	}
	var ps Problems
	for _, e := range existing {
		if e.ID == n.ID {
			continue
		}
		if what := clash(n, e, weeks); what != "" {
			ps = append(ps, Problem{Field: what, Code: "overlap", Value: fmt.Sprintf("%s %s", dayName(e.Weekday), HHMM(e.StartMin))})
		}
	}
	return ps, nil
}

func errOr(err error, ps Problems) error {
	if err != nil {
		return err
	}
	return ps
}

// UpdateSlot changes a lesson (day, time, subject, teachers, audience,
// room, week pattern; the date of an exceptional one) from the date today
// on, with the checks of CreateSlot against the other lessons of its year,
// and returns the ID of the lesson that holds the change.
//
// The past stays as it was: a weekly lesson that has already begun is
// split — it ends the day before today, and a new lesson with the change
// runs from today to its old end, taking over the changes, class log
// entries and homework dated from today. A lesson not begun yet (or an
// exceptional one) is changed in place. Whatever would no longer fall on
// one of its occurrences (a change, an entry or a homework due at it, on a
// date the new day or week pattern leaves out) makes the change refused,
// with the count, rather than silently orphaned.
func UpdateSlot(ctx context.Context, tx *db.Tx, n NewSlot, today string) (string, error) {
	todayT, err := ParseDate(today)
	if err != nil {
		return "", ErrBadRange
	}
	cur, err := SlotByID(ctx, tx, n.ID)
	if err != nil {
		return "", err
	}
	if cur.EstablishmentID != n.EstablishmentID {
		return "", ErrNotFound
	}
	if cur.ValidTo < today { // the past stays as it was
		return "", Problems{{Field: "day", Code: "ended", Value: cur.ValidTo}}
	}
	var ps Problems
	n.SchoolYearID = cur.SchoolYearID
	split := false
	switch {
	case cur.Exceptional && !n.Exceptional: // its date was left out
		ps = append(ps, Problem{Field: "date", Code: "bad-date"})
	case cur.Exceptional:
		n.AlternationID = ""
	default:
		n.Exceptional, n.ValidTo = false, cur.ValidTo
		split = cur.ValidFrom < today && today <= cur.ValidTo
		n.ValidFrom = cur.ValidFrom
		if split {
			n.ValidFrom = today
		}
	}
	ps = append(ps, n.CheckTimes()...)
	ps = append(ps, checkRefs(ctx, tx, n)...)
	if n.Weekday != cur.Weekday || n.AlternationID != cur.AlternationID || n.ValidFrom != cur.ValidFrom && cur.Exceptional {
		since := n.ValidFrom
		if cur.Exceptional {
			since = cur.ValidFrom
		}
		held, err := heldFrom(ctx, tx, cur.ID, since)
		if err != nil {
			return "", err
		}
		if held > 0 {
			ps = append(ps, Problem{Field: "day", Code: "has-changes", Value: fmt.Sprint(held)})
		}
	}
	if len(ps) > 0 {
		return "", ps
	}
	if ps, err := clashes(ctx, tx, n); err != nil || len(ps) > 0 { // n.ID is cur's: itself excepted
		return "", errOr(err, ps)
	}
	now := time.Now().Unix()
	if split {
		yesterday := addDays(todayT, -1).Format(DateFormat)
		if _, err := tx.Exec(ctx, `UPDATE tt_slots SET valid_to = ?, updated_at = ? WHERE id = ?`, yesterday, now, cur.ID); err != nil {
			return "", err
		}
		n.ID = ids.New()
		if err := insertSlot(ctx, tx, n, n.ID, now); err != nil {
			return "", err
		}
		for _, q := range []string{
			`UPDATE tt_changes SET slot_id = ? WHERE slot_id = ? AND on_date >= ?`,
			`UPDATE classlog_entries SET slot_id = ? WHERE slot_id = ? AND lesson_date >= ?`,
			`UPDATE homework SET due_slot_id = ? WHERE due_slot_id = ? AND due_date >= ?`,
		} {
			if _, err := tx.Exec(ctx, q, n.ID, cur.ID, today); err != nil {
				return "", err
			}
		}
		return n.ID, nil
	}
	if _, err := tx.Exec(ctx, `UPDATE tt_slots SET weekday = ?, start_min = ?, duration_min = ?, subject_id = ?, room_id = ?,
		alternation_id = ?, valid_from = ?, valid_to = ?, updated_at = ? WHERE id = ?`,
		n.Weekday, n.StartMin, n.DurationMin, n.SubjectID, nullable(n.RoomID), nullable(n.AlternationID),
		n.ValidFrom, n.ValidTo, now, n.ID); err != nil {
		return "", err
	}
	for _, q := range []string{`DELETE FROM tt_slot_teachers WHERE slot_id = ?`, `DELETE FROM tt_slot_audiences WHERE slot_id = ?`} {
		if _, err := tx.Exec(ctx, q, n.ID); err != nil {
			return "", err
		}
	}
	return n.ID, insertMembers(ctx, tx, n, n.ID)
}

// heldFrom counts what refers to occurrences of a slot from a date on:
// recorded changes, class log entries, homework due at one of them.
func heldFrom(ctx context.Context, q db.Querier, slot, since string) (int, error) {
	var n int
	err := q.QueryRow(ctx, `SELECT (SELECT COUNT(*) FROM tt_changes WHERE slot_id = ? AND on_date >= ?)
		+ (SELECT COUNT(*) FROM classlog_entries WHERE slot_id = ? AND lesson_date >= ?)
		+ (SELECT COUNT(*) FROM homework WHERE due_slot_id = ? AND due_date >= ?)`, slot, since, slot, since, slot, since).Scan(&n)
	return n, err
}

// Insert writes a slot without any check, for generators and for imports
// that checked everything first; it returns the slot's ID.
func Insert(ctx context.Context, q db.Querier, n NewSlot) (string, error) {
	if n.ID == "" {
		n.ID = ids.New()
	}
	return n.ID, insertSlot(ctx, q, n, n.ID, time.Now().Unix())
}

func dayName(wd int) string {
	names := []string{"", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"}
	if wd < 1 || wd > 7 {
		return fmt.Sprint(wd)
	}
	return names[wd]
}

// checkRefs verifies that every reference belongs to the establishment.
func checkRefs(ctx context.Context, q db.Querier, n NewSlot) Problems {
	var ps Problems
	one := func(field, query, id string) {
		var x int
		if err := q.QueryRow(ctx, query, id, n.EstablishmentID).Scan(&x); err != nil {
			ps = append(ps, Problem{Line: n.Line, Field: field, Code: "unknown-" + field, Value: id})
		}
	}
	one("subject", `SELECT 1 FROM subjects WHERE id = ? AND establishment_id = ?`, n.SubjectID)
	if n.RoomID != "" {
		one("room", `SELECT 1 FROM tt_rooms WHERE id = ? AND establishment_id = ?`, n.RoomID)
	}
	if n.AlternationID != "" {
		one("alternation", `SELECT 1 FROM tt_alternations WHERE id = ? AND establishment_id = ?`, n.AlternationID)
	}
	for _, t := range n.TeacherIDs {
		one("teacher", `SELECT 1 FROM people p JOIN memberships m ON m.person_id = p.id
			WHERE p.id = ? AND m.establishment_id = ? AND p.profile IN ('teacher', 'staff') AND p.active`, t)
	}
	for _, c := range n.ClassIDs {
		one("class", `SELECT 1 FROM classes WHERE id = ? AND establishment_id = ?`, c)
	}
	for _, g := range n.GroupIDs {
		one("group", `SELECT 1 FROM groups WHERE id = ? AND establishment_id = ?`, g)
	}
	var y int
	if err := q.QueryRow(ctx, `SELECT 1 FROM school_years WHERE id = ? AND establishment_id = ?`, n.SchoolYearID, n.EstablishmentID).Scan(&y); err != nil {
		ps = append(ps, Problem{Line: n.Line, Field: "year", Code: "unknown-year", Value: n.SchoolYearID})
	}
	return ps
}

// yearSlots loads the lessons of a school year in the NewSlot form, for
// overlap checks.
func yearSlots(ctx context.Context, q db.Querier, est, year string) ([]NewSlot, error) {
	rows, err := q.Query(ctx, `SELECT s.id, s.weekday, s.start_min, s.duration_min, COALESCE(s.room_id, ''),
		COALESCE(s.alternation_id, ''), s.valid_from, s.valid_to, COALESCE(t.teacher_id, ''),
		COALESCE(a.class_id, ''), COALESCE(a.group_id, '')
		FROM tt_slots s LEFT JOIN tt_slot_teachers t ON t.slot_id = s.id LEFT JOIN tt_slot_audiences a ON a.slot_id = s.id
		WHERE s.establishment_id = ? AND s.school_year_id = ? ORDER BY s.id`, est, year)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []NewSlot
	last := ""
	for rows.Next() {
		var id, teacher, class, group string
		var n NewSlot
		if err := rows.Scan(&id, &n.Weekday, &n.StartMin, &n.DurationMin, &n.RoomID, &n.AlternationID,
			&n.ValidFrom, &n.ValidTo, &teacher, &class, &group); err != nil {
			return nil, err
		}
		if id != last {
			last = id
			n.ID = id
			out = append(out, n)
		}
		cur := &out[len(out)-1]
		add := func(xs *[]string, x string) {
			if x != "" && !slices.Contains(*xs, x) {
				*xs = append(*xs, x)
			}
		}
		add(&cur.TeacherIDs, teacher)
		add(&cur.ClassIDs, class)
		add(&cur.GroupIDs, group)
	}
	return out, rows.Err()
}

// alternationWeeks maps each week pattern of an establishment to its Mondays.
func alternationWeeks(ctx context.Context, q db.Querier, est string) (map[string]map[string]bool, error) {
	alts, err := Alternations(ctx, q, est)
	if err != nil {
		return nil, err
	}
	out := map[string]map[string]bool{}
	for _, a := range alts {
		out[a.ID] = map[string]bool{}
		for _, m := range a.Mondays {
			out[a.ID][m] = true
		}
	}
	return out, nil
}

// clash returns what two lessons share at the same time ("teacher",
// "class", "group", "room"), or "" when they can coexist.
func clash(a, b NewSlot, weeks map[string]map[string]bool) string {
	if a.Weekday != b.Weekday || a.StartMin >= b.StartMin+b.DurationMin || b.StartMin >= a.StartMin+a.DurationMin {
		return ""
	}
	if a.ValidTo < b.ValidFrom || b.ValidTo < a.ValidFrom {
		return ""
	}
	if a.AlternationID != "" && b.AlternationID != "" && a.AlternationID != b.AlternationID {
		shared := false
		for m := range weeks[a.AlternationID] {
			if weeks[b.AlternationID][m] {
				shared = true
				break
			}
		}
		if !shared {
			return ""
		}
	}
	share := func(x, y []string) bool {
		for _, v := range x {
			if slices.Contains(y, v) {
				return true
			}
		}
		return false
	}
	switch {
	case share(a.TeacherIDs, b.TeacherIDs):
		return "teacher"
	case share(a.ClassIDs, b.ClassIDs):
		return "class"
	case share(a.GroupIDs, b.GroupIDs):
		return "group"
	case a.RoomID != "" && a.RoomID == b.RoomID:
		return "room"
	}
	return ""
}

// DeleteSlot removes a weekly lesson of an establishment (its changes go
// with it; class log entries keep their date and lose the link).
func DeleteSlot(ctx context.Context, q db.Querier, establishmentID, slotID string) error {
	res, err := q.Exec(ctx, `DELETE FROM tt_slots WHERE id = ? AND establishment_id = ?`, slotID, establishmentID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

// CreateRoom stores a room (ID set when empty).
func CreateRoom(ctx context.Context, q db.Querier, r *Room) error {
	if r.ID == "" {
		r.ID = ids.New()
	}
	if r.Name == "" {
		r.Name = r.Code
	}
	_, err := q.Exec(ctx, `INSERT INTO tt_rooms (id, establishment_id, code, name) VALUES (?, ?, ?, ?)`,
		r.ID, r.EstablishmentID, r.Code, r.Name)
	return err
}

// Rooms lists the rooms of an establishment by code.
func Rooms(ctx context.Context, q db.Querier, establishmentID string) ([]Room, error) {
	rows, err := q.Query(ctx, `SELECT id, establishment_id, code, name FROM tt_rooms WHERE establishment_id = ? ORDER BY code`, establishmentID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Room
	for rows.Next() {
		var r Room
		if err := rows.Scan(&r.ID, &r.EstablishmentID, &r.Code, &r.Name); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// RoomByID returns a room.
func RoomByID(ctx context.Context, q db.Querier, id string) (Room, error) {
	var r Room
	err := q.QueryRow(ctx, `SELECT id, establishment_id, code, name FROM tt_rooms WHERE id = ?`, id).
		Scan(&r.ID, &r.EstablishmentID, &r.Code, &r.Name)
	if errors.Is(err, sql.ErrNoRows) {
		return r, ErrNotFound
	}
	return r, err
}

// ChangeInput is a change submitted for one occurrence.
type ChangeInput struct {
	SlotID, OnDate string
	Cancelled      bool
	Reason         string
	NewDate        string // "" = same day
	NewStart       string // "HH:MM", "" = same time
	NewDuration    int    // minutes, 0 = same
	NewRoomID      string
	ReplacementID  string
	TestPlanned    bool
	Note           string
	By             string // person making the change
}

// NoticeDays is how far ahead a change is recorded as an event for the
// notification outbox: changes further away are announced by the timetable.
const NoticeDays = 14

// SetChange validates and stores the change of one occurrence (replacing a
// previous change), and records a "lesson-changed" event in the outbox when
// the lesson is within NoticeDays of now. An input with nothing changed
// removes the change.
func SetChange(ctx context.Context, tx *db.Tx, establishmentID string, in ChangeInput, now time.Time) error {
	if err := lockSlot(ctx, tx, in.SlotID); err != nil {
		return err
	}
	l, err := LessonAt(ctx, tx, in.SlotID, in.OnDate)
	if err != nil {
		return err
	}
	if l.Slot.EstablishmentID != establishmentID {
		return ErrNotFound
	}
	var ps Problems
	startMin := 0
	if in.NewStart != "" {
		m, ok := ParseClock(in.NewStart)
		if !ok {
			ps = append(ps, Problem{Field: "start", Code: "bad-time", Value: in.NewStart})
		}
		startMin = m
		if startMin == l.Slot.StartMin {
			startMin = 0
		}
	}
	if in.NewDuration != 0 && (in.NewDuration < 5 || in.NewDuration > 720) {
		ps = append(ps, Problem{Field: "duration", Code: "bad-duration", Value: fmt.Sprint(in.NewDuration)})
	}
	if in.NewDuration == l.Slot.DurationMin {
		in.NewDuration = 0
	}
	if s, d := cmp(startMin, l.Slot.StartMin), cmp(in.NewDuration, l.Slot.DurationMin); s+d > 24*60 {
		ps = append(ps, Problem{Field: "duration", Code: "past-midnight", Value: HHMM(s) + "+" + fmt.Sprint(d)})
	}
	if in.NewDate == in.OnDate {
		in.NewDate = ""
	}
	if in.NewDate != "" {
		if _, err := ParseDate(in.NewDate); err != nil {
			ps = append(ps, Problem{Field: "date", Code: "bad-date", Value: in.NewDate})
		}
	}
	if in.Reason != "" && !slices.Contains(Reasons, in.Reason) {
		ps = append(ps, Problem{Field: "reason", Code: "bad-reason", Value: in.Reason})
	}
	if in.Cancelled && in.Reason == "" {
		ps = append(ps, Problem{Field: "reason", Code: "reason-needed"})
	}
	if !in.Cancelled {
		in.Reason = ""
	}
	moved := in.NewDate != "" || startMin != 0 || in.NewDuration != 0 || in.NewRoomID != "" || in.ReplacementID != ""
	if in.Cancelled && moved {
		ps = append(ps, Problem{Field: "cancelled", Code: "cancelled-and-moved"})
	}
	if in.NewRoomID != "" {
		if r, err := RoomByID(ctx, tx, in.NewRoomID); err != nil || r.EstablishmentID != establishmentID {
			ps = append(ps, Problem{Field: "room", Code: "unknown-room", Value: in.NewRoomID})
		} else if l.Slot.Room != nil && l.Slot.Room.ID == in.NewRoomID {
			in.NewRoomID = ""
		}
	}
	if in.ReplacementID != "" {
		var x int
		if err := tx.QueryRow(ctx, `SELECT 1 FROM people p JOIN memberships m ON m.person_id = p.id
			WHERE p.id = ? AND m.establishment_id = ? AND p.profile = 'teacher' AND p.active`, in.ReplacementID, establishmentID).Scan(&x); err != nil {
			ps = append(ps, Problem{Field: "replacement", Code: "unknown-teacher", Value: in.ReplacementID})
		}
	}
	if utf8.RuneCountInString(in.Note) > 500 { // as the form's maxlength counts
		ps = append(ps, Problem{Field: "note", Code: "too-long", Value: "500"})
	}
	if len(ps) > 0 {
		return ps
	}
	if _, err := tx.Exec(ctx, `DELETE FROM tt_changes WHERE slot_id = ? AND on_date = ?`, in.SlotID, in.OnDate); err != nil {
		return err
	}
	empty := !in.Cancelled && !moved && !in.TestPlanned && strings.TrimSpace(in.Note) == ""
	if !empty {
		if _, err := tx.Exec(ctx, `INSERT INTO tt_changes (slot_id, on_date, establishment_id, cancelled, reason, new_date,
			new_start_min, new_duration_min, new_room_id, replacement_id, test_planned, note, changed_by, changed_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			in.SlotID, in.OnDate, establishmentID, in.Cancelled, in.Reason, nullable(in.NewDate), nullInt(startMin),
			nullInt(in.NewDuration), nullable(in.NewRoomID), nullable(in.ReplacementID), in.TestPlanned,
			strings.TrimSpace(in.Note), in.By, now.Unix()); err != nil {
			return err
		}
	}
	return recordIfSoon(ctx, tx, establishmentID, in, now)
}

// Annotate sets only the "test planned" mark and the note of one
// occurrence, keeping whatever else staff changed (cancellation, move,
// replacement): what a lesson's own teacher may record.
func Annotate(ctx context.Context, tx *db.Tx, establishmentID, slotID, onDate string, test bool, note, by string, now time.Time) error {
	// Read and rewrite under the slot's lock: a CPE cancelling the same
	// lesson meanwhile must not be undone by the teacher's note.
	if err := lockSlot(ctx, tx, slotID); err != nil {
		return err
	}
	l, err := LessonAt(ctx, tx, slotID, onDate)
	if err != nil {
		return err
	}
	in := ChangeInput{SlotID: slotID, OnDate: onDate, TestPlanned: test, Note: note, By: by}
	if c := l.Change; c != nil {
		in.Cancelled, in.Reason, in.NewDate, in.NewDuration = c.Cancelled, c.Reason, c.NewDate, c.NewDurationMin
		if c.NewStartMin != 0 {
			in.NewStart = HHMM(c.NewStartMin)
		}
		if c.NewRoom != nil {
			in.NewRoomID = c.NewRoom.ID
		}
		if c.Replacement != nil {
			in.ReplacementID = c.Replacement.ID
		}
	}
	return SetChange(ctx, tx, establishmentID, in, now)
}

// lockSlot serialises the changes of one slot's occurrences. PostgreSQL
// locks the row; SQLite runs one writing transaction at a time anyway.
func lockSlot(ctx context.Context, tx *db.Tx, slotID string) error {
	if tx.Dialect() != db.Postgres {
		return nil
	}
	_, err := tx.Exec(ctx, `SELECT id FROM tt_slots WHERE id = ? FOR UPDATE`, slotID)
	return err
}

func cmp(changed, orig int) int {
	if changed != 0 {
		return changed
	}
	return orig
}

func nullInt(n int) any {
	if n == 0 {
		return nil
	}
	return n
}

// ParseClock reads "HH:MM", "HHhMM", "HHh" or "HHMM" as minutes after
// midnight.
func ParseClock(s string) (int, bool) {
	s = strings.Replace(strings.TrimSpace(strings.ToLower(s)), "h", ":", 1)
	h, m, found := strings.Cut(s, ":")
	if !found {
		if len(s) != 4 {
			return 0, false
		}
		h, m = s[:2], s[2:]
	}
	if m == "" {
		m = "0"
	}
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if err1 != nil || err2 != nil || hh < 0 || hh > 23 || mm < 0 || mm > 59 {
		return 0, false
	}
	return hh*60 + mm, true
}

// Event kinds written to the outbox.
const EventLessonChanged = "lesson-changed"

func recordIfSoon(ctx context.Context, q db.Querier, est string, in ChangeInput, now time.Time) error {
	today := now.In(Paris).Format(DateFormat)
	limit := addDays(now.In(Paris), NoticeDays).Format(DateFormat)
	soon := func(d string) bool { return d != "" && d >= today && d <= limit }
	if !soon(in.OnDate) && !soon(in.NewDate) {
		return nil
	}
	payload, _ := json.Marshal(map[string]any{
		"slot": in.SlotID, "date": in.OnDate, "cancelled": in.Cancelled, "reason": in.Reason,
		"new_date": in.NewDate, "new_start": in.NewStart, "room": in.NewRoomID, "replacement": in.ReplacementID,
		"test": in.TestPlanned, "by": in.By,
	})
	return RecordEvent(ctx, q, est, EventLessonChanged, "lesson:"+in.SlotID+"/"+in.OnDate, string(payload), in.OnDate, now)
}

// RecordEvent appends an event to the notification outbox. The payload
// holds identifiers only.
func RecordEvent(ctx context.Context, q db.Querier, est, kind, subject, payload, occursOn string, now time.Time) error {
	_, err := q.Exec(ctx, `INSERT INTO notification_outbox (establishment_id, kind, subject, payload, occurs_on, created_at)
		VALUES (?, ?, ?, ?, ?, ?)`, est, kind, subject, payload, occursOn, now.Unix())
	return err
}

// Event is a pending outbox event.
type Event struct {
	ID                                          int64
	EstablishmentID, Kind, Subject, Payload, On string
	CreatedAt                                   int64
}

// PendingEvents lists undelivered events, oldest first.
func PendingEvents(ctx context.Context, q db.Querier, limit int) ([]Event, error) {
	rows, err := q.Query(ctx, `SELECT id, establishment_id, kind, subject, payload, occurs_on, created_at
		FROM notification_outbox WHERE delivered_at IS NULL ORDER BY id LIMIT ?`, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Event
	for rows.Next() {
		var e Event
		if err := rows.Scan(&e.ID, &e.EstablishmentID, &e.Kind, &e.Subject, &e.Payload, &e.On, &e.CreatedAt); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}
