package timetable

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"cartable/internal/access"
	"cartable/internal/check"
	"cartable/internal/db"
	"cartable/internal/ids"
)

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
// stores it, for those who edit the establishment's timetable. It returns
// the new ID, or check.Problems and nothing saved.
func CreateSlot(ctx context.Context, v *access.Viewer, d *db.DB, n NewSlot) (string, error) {
	if err := canEdit(ctx, v, n.EstablishmentID); err != nil {
		return "", err
	}
	var id string
	err := write(ctx, d, func(tx *db.Tx) (err error) {
		id, err = createSlot(ctx, tx, n)
		return err
	})
	return id, err
}

func createSlot(ctx context.Context, tx *db.Tx, n NewSlot) (string, error) {
	ps := CheckSlot(n)
	ps = append(ps, checkRefs(ctx, tx, n)...)
	if len(ps) > 0 {
		return "", ps
	}
	n.ID = ""
	if ps, err := clashes(ctx, tx, n); err != nil || len(ps) > 0 {
		return "", errOr(err, ps)
	}
	return insert(ctx, tx, n)
}

// clashes checks n against the other lessons of its year.
func clashes(ctx context.Context, q db.Querier, n NewSlot) (check.Problems, error) {
	existing, err := yearSlots(ctx, q, n.EstablishmentID, n.SchoolYearID)
	if err != nil {
		return nil, err
	}
	weeks, err := alternationWeeks(ctx, q, n.EstablishmentID)
	if err != nil {
		return nil, err
	}
	var ps check.Problems
	for _, e := range existing {
		if e.ID == n.ID {
			continue
		}
		if what := clash(n, e, weeks); what != "" {
			ps.Add(what, "overlap", fmt.Sprintf("%s %s", dayName(e.Weekday), HHMM(e.StartMin)))
		}
	}
	return ps, nil
}

func errOr(err error, ps check.Problems) error {
	if err != nil {
		return err
	}
	return ps
}

// UpdateSlot changes a lesson of n.EstablishmentID (day, time, subject,
// teachers, audience, room, week pattern; the date of an exceptional one)
// from the date today on, with the checks of CreateSlot against the other
// lessons of its year, for those who edit the establishment's timetable,
// and returns the ID of the lesson that holds the change.
//
// The past stays as it was: a weekly lesson that has already begun is
// split — it ends the day before today, and a new lesson with the change
// runs from today to its old end, taking over the changes dated from
// today, and through the hooks (hooks.go) what other domains hold on
// those occurrences (class log entries, homework due). A lesson not begun
// yet (or an exceptional one) is changed in place. Whatever would no
// longer fall on one of its occurrences (a change, or what a hook counts,
// on a date the new day or week pattern leaves out) makes the change
// refused, with the count, rather than silently orphaned.
func UpdateSlot(ctx context.Context, v *access.Viewer, d *db.DB, n NewSlot, today string) (string, error) {
	if err := canEdit(ctx, v, n.EstablishmentID); err != nil {
		return "", err
	}
	var id string
	err := write(ctx, d, func(tx *db.Tx) (err error) {
		id, err = updateSlot(ctx, tx, n, today)
		return err
	})
	return id, err
}

func updateSlot(ctx context.Context, tx *db.Tx, n NewSlot, today string) (string, error) {
	todayT, err := ParseDate(today)
	if err != nil {
		return "", ErrBadRange
	}
	cur, err := slotByID(ctx, tx, n.ID)
	if err == nil && cur.EstablishmentID != n.EstablishmentID {
		err = errNotFound
	}
	if err != nil {
		return "", notFound(err, access.EditTimetable, access.Lesson(n.ID))
	}
	if cur.ValidTo < today { // the past stays as it was
		return "", check.Problems{{Field: "day", Code: "ended", Value: cur.ValidTo}}
	}
	var ps check.Problems
	n.SchoolYearID = cur.SchoolYearID
	split := false
	switch {
	case cur.Exceptional && !n.Exceptional: // its date was left out
		ps.Add("date", "bad-date", "")
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
	ps = append(ps, CheckSlot(n)...)
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
			ps = append(ps, check.Problem{Field: "day", Code: "has-changes", Value: fmt.Sprint(held), N: held})
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
		return n.ID, moveFrom(ctx, tx, cur.ID, n.ID, today)
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

// Insert writes a slot without any check, for generators and for imports
// that checked everything first, in the caller's transaction; it returns
// the slot's ID.
func Insert(ctx context.Context, v *access.Viewer, q db.Querier, n NewSlot) (string, error) {
	if err := canEdit(ctx, v, n.EstablishmentID); err != nil {
		return "", err
	}
	defer edited()
	return insert(ctx, q, n)
}

func insert(ctx context.Context, q db.Querier, n NewSlot) (string, error) {
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
func checkRefs(ctx context.Context, q db.Querier, n NewSlot) check.Problems {
	var ps check.Problems
	one := func(field, query, id string) {
		var x int
		if err := q.QueryRow(ctx, query, id, n.EstablishmentID).Scan(&x); err != nil {
			ps = append(ps, check.Problem{Line: n.Line, Field: field, Code: "unknown-" + field, Value: id})
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
		ps = append(ps, check.Problem{Line: n.Line, Field: "year", Code: "unknown-year", Value: n.SchoolYearID})
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
	alts, err := alternations(ctx, q, est)
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
// with it; class log entries keep their date and lose the link), for
// those who edit its timetable.
func DeleteSlot(ctx context.Context, v *access.Viewer, d *db.DB, establishmentID, slotID string) error {
	if err := canEdit(ctx, v, establishmentID); err != nil {
		return err
	}
	return write(ctx, d, func(tx *db.Tx) error {
		res, err := tx.Exec(ctx, `DELETE FROM tt_slots WHERE id = ? AND establishment_id = ?`, slotID, establishmentID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return refused(access.EditTimetable, access.Lesson(slotID))
		}
		return nil
	})
}

// CreateRoom stores a room (ID set when empty) without the checks of
// SaveRoom, for generators and imports, in the caller's transaction.
func CreateRoom(ctx context.Context, v *access.Viewer, q db.Querier, r *Room) error {
	if err := canEdit(ctx, v, r.EstablishmentID); err != nil {
		return err
	}
	defer edited()
	return createRoom(ctx, q, r)
}

func createRoom(ctx context.Context, q db.Querier, r *Room) error {
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

// Rooms lists by code the rooms of an establishment that v may use: all of
// them for those who edit its timetable, else those whose timetable v may
// read (its teachers and staff).
func Rooms(ctx context.Context, v *access.Viewer, q db.Querier, establishmentID string) ([]Room, error) {
	rooms, err := rooms(ctx, q, establishmentID)
	if err != nil {
		return nil, err
	}
	if all, err := v.May(ctx, access.EditTimetable, access.Establishment(establishmentID)); err != nil || all {
		return rooms, err
	}
	var out []Room
	for _, r := range rooms {
		ok, err := v.May(ctx, access.ReadTimetable, access.Room(r.ID))
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, r)
		}
	}
	return out, nil
}

func rooms(ctx context.Context, q db.Querier, establishmentID string) ([]Room, error) {
	return db.All(ctx, q, scanRoom, `SELECT id, establishment_id, code, name FROM tt_rooms WHERE establishment_id = ? ORDER BY code`, establishmentID)
}

func scanRoom(sc db.Scanner) (r Room, err error) {
	err = sc.Scan(&r.ID, &r.EstablishmentID, &r.Code, &r.Name)
	return
}

// RoomByID returns a room to those who read its timetable or edit its
// establishment's.
func RoomByID(ctx context.Context, v *access.Viewer, q db.Querier, id string) (Room, error) {
	r, err := roomByID(ctx, q, id)
	if err != nil {
		return r, notFound(err, access.ReadTimetable, access.Room(id))
	}
	if ok, err := v.May(ctx, access.ReadTimetable, access.Room(id)); err != nil || ok {
		return r, err
	}
	if err := canEdit(ctx, v, r.EstablishmentID); err != nil {
		return Room{}, err
	}
	return r, nil
}

func roomByID(ctx context.Context, q db.Querier, id string) (Room, error) {
	r, err := scanRoom(q.QueryRow(ctx, `SELECT id, establishment_id, code, name FROM tt_rooms WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return r, errNotFound
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
}

// NoticeDays is how far ahead a change is recorded as an event for the
// notification outbox: changes further away are announced by the timetable.
const NoticeDays = 14

// SetChange validates and stores the change of one occurrence (replacing a
// previous change), for those who may change the lesson (access
// ChangeLesson), in a transaction of its own, and records a
// "lesson-changed" event in the outbox when the lesson is within
// NoticeDays of now. An input with nothing changed removes the change. The
// change is signed by v.
func SetChange(ctx context.Context, v *access.Viewer, d *db.DB, in ChangeInput, now time.Time) error {
	if err := v.Can(ctx, access.ChangeLesson, access.Lesson(in.SlotID)); err != nil {
		return err
	}
	return write(ctx, d, func(tx *db.Tx) error { return setChange(ctx, v, tx, in, now) })
}

// SetChangeTx is SetChange in the caller's transaction (the demo).
func SetChangeTx(ctx context.Context, v *access.Viewer, tx *db.Tx, in ChangeInput, now time.Time) error {
	if err := v.Can(ctx, access.ChangeLesson, access.Lesson(in.SlotID)); err != nil {
		return err
	}
	defer edited()
	return setChange(ctx, v, tx, in, now)
}

func setChange(ctx context.Context, v *access.Viewer, tx *db.Tx, in ChangeInput, now time.Time) error {
	if err := lockSlot(ctx, tx, in.SlotID); err != nil {
		return err
	}
	l, err := lessonAt(ctx, tx, in.SlotID, in.OnDate)
	if err != nil {
		return notFound(err, access.ChangeLesson, access.Occurrence(in.SlotID, in.OnDate))
	}
	est := l.Slot.EstablishmentID
	in, startMin, ps := CheckChange(l.Slot, in)
	if in.NewRoomID != "" {
		if r, err := roomByID(ctx, tx, in.NewRoomID); err != nil || r.EstablishmentID != est {
			ps.Add("room", "unknown-room", in.NewRoomID)
		}
	}
	if in.ReplacementID != "" {
		var x int
		if err := tx.QueryRow(ctx, `SELECT 1 FROM people p JOIN memberships m ON m.person_id = p.id
			WHERE p.id = ? AND m.establishment_id = ? AND p.profile = 'teacher' AND p.active`, in.ReplacementID, est).Scan(&x); err != nil {
			ps.Add("replacement", "unknown-teacher", in.ReplacementID)
		}
	}
	if len(ps) > 0 {
		return ps
	}
	if _, err := tx.Exec(ctx, `DELETE FROM tt_changes WHERE slot_id = ? AND on_date = ?`, in.SlotID, in.OnDate); err != nil {
		return err
	}
	moved := in.NewDate != "" || startMin != 0 || in.NewDuration != 0 || in.NewRoomID != "" || in.ReplacementID != ""
	empty := !in.Cancelled && !moved && !in.TestPlanned && strings.TrimSpace(in.Note) == ""
	if !empty {
		if _, err := tx.Exec(ctx, `INSERT INTO tt_changes (slot_id, on_date, establishment_id, cancelled, reason, new_date,
			new_start_min, new_duration_min, new_room_id, replacement_id, test_planned, note, changed_by, changed_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			in.SlotID, in.OnDate, est, in.Cancelled, in.Reason, nullable(in.NewDate), nullInt(startMin),
			nullInt(in.NewDuration), nullable(in.NewRoomID), nullable(in.ReplacementID), in.TestPlanned,
			strings.TrimSpace(in.Note), v.Actor(), now.Unix()); err != nil {
			return err
		}
	}
	return recordIfSoon(ctx, tx, est, in, v.Actor(), now)
}

// Annotate sets only the "test planned" mark and the note of one
// occurrence, keeping whatever else staff changed (cancellation, move,
// replacement): what a lesson's own teacher may record (access
// AnnotateLesson), in a transaction of its own.
func Annotate(ctx context.Context, v *access.Viewer, d *db.DB, slotID, onDate string, test bool, note string, now time.Time) error {
	if err := v.Can(ctx, access.AnnotateLesson, access.Lesson(slotID)); err != nil {
		return err
	}
	return write(ctx, d, func(tx *db.Tx) error {
		// Read and rewrite under the slot's lock: a CPE cancelling the same
		// lesson meanwhile must not be undone by the teacher's note.
		if err := lockSlot(ctx, tx, slotID); err != nil {
			return err
		}
		l, err := lessonAt(ctx, tx, slotID, onDate)
		if err != nil {
			return notFound(err, access.AnnotateLesson, access.Occurrence(slotID, onDate))
		}
		in := ChangeInput{SlotID: slotID, OnDate: onDate, TestPlanned: test, Note: note}
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
		return setChange(ctx, v, tx, in, now)
	})
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
