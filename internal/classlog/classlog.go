// Package classlog holds the class log (cahier de textes): what each lesson
// covered, written by its teacher for a class or a group, with homework
// (due date or lesson, description, estimated time, hand-in mode), the
// students' own done-ticks and the work they hand in. Entries may be drafts
// or scheduled for later publication, and copied to another class. It owns
// its tables and SQL and knows nothing of HTTP nor of who may read what:
// callers ask the access package first.
package classlog

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"cartable/internal/db"
	"cartable/internal/ids"
	"cartable/internal/richtext"
	"cartable/internal/timetable"
)

// Categories of an entry.
var Categories = []string{"lesson", "tutorial", "practical", "test", "other"}

// Hand-in modes of a homework.
var HandIns = []string{"none", "paper", "upload"}

// Entry is a class log entry.
type Entry struct {
	ID, EstablishmentID         string
	AuthorID, AuthorName        string
	SlotID, LessonDate          string
	ClassID, GroupID, Structure string
	SubjectID, SubjectName      string
	Title, Body, Category       string // Body is sanitised HTML
	Draft                       bool
	PublishAt                   time.Time // zero: at once when not a draft
	CreatedAt, UpdatedAt        time.Time
	Homework                    []Homework
	Attachments                 []Attachment
}

// Published reports whether readers other than the author see it at now.
func (e Entry) Published(now time.Time) bool {
	return !e.Draft && !e.PublishAt.After(now)
}

// Attachment is a file attached to an entry.
type Attachment struct {
	FileID, Name, ContentType string
	Size                      int64
}

// Homework is work set in an entry.
type Homework struct {
	ID, EntryID                 string
	ClassID, GroupID, Structure string
	SubjectName                 string
	AuthorID                    string
	DueDate, DueSlotID          string
	Description                 string // sanitised HTML
	Minutes                     int
	HandIn                      string
	UpdatedAt                   int64 // last change of its entry, Unix seconds
	Submissions                 int   // work handed in so far (the author's pages)
	// For one student's list:
	Done        bool
	Submitted   bool
	SubmittedAt time.Time
	FileID      string
}

// EntryInput is what the teacher's form sends; strings as typed.
type EntryInput struct {
	ID              string // empty: a new entry
	EstablishmentID string
	AuthorID        string
	SlotID          string
	LessonDate      string
	ClassID         string
	GroupID         string
	SubjectID       string
	Title           string
	Body            string
	Category        string
	Draft           bool
	PublishAt       string // "YYYY-MM-DDTHH:MM" in Paris, or ""
	Homework        []HomeworkInput
}

// HomeworkInput is one homework line of the form.
type HomeworkInput struct {
	// ID is the homework the line edits: kept only when it is one of the
	// edited entry's own, else the line is new.
	ID          string
	DueDate     string
	DueSlotID   string
	Description string
	Minutes     string
	HandIn      string
	// DiscardHandIns confirms, on a line emptied to remove its homework,
	// that the work students handed in for it goes too.
	DiscardHandIns bool
}

// Problem names a field at fault and why (a code the interface translates).
type Problem struct {
	Field, Code, Detail string
	N                   int // a count, for the codes that have one
}

// Problems is every fault of an input; nothing was saved.
type Problems []Problem

func (ps Problems) Error() string {
	var parts []string
	for _, p := range ps {
		parts = append(parts, p.Field+": "+p.Code+" "+p.Detail)
	}
	return "classlog: " + strings.Join(parts, "; ")
}

// Has tells whether a field has a problem (for the form).
func (ps Problems) Has(field string) bool {
	for _, p := range ps {
		if p.Field == field {
			return true
		}
	}
	return false
}

type cleanInput struct {
	title, body, category string
	publishAt             int64
	homework              []cleanHomework
}

type cleanHomework struct {
	id                                string // as posted: not yet checked
	due, dueSlot, description, handin string
	minutes                           int
	line                              int // its index in the form, for Problems
}

func cleanRich(field, s string, ps *Problems) string {
	out, findings := richtext.Clean(s)
	for _, f := range findings {
		*ps = append(*ps, Problem{Field: field, Code: f.Kind, Detail: f.Detail})
	}
	return out
}

// check validates an input; nothing is written.
func check(in EntryInput) (cleanInput, Problems) {
	var ps Problems
	var c cleanInput
	c.title = strings.TrimSpace(in.Title)
	switch {
	case c.title == "":
		ps = append(ps, Problem{Field: "title", Code: "required"})
	case len(c.title) > 200:
		ps = append(ps, Problem{Field: "title", Code: "too-long", Detail: "200"})
	}
	c.body = cleanRich("body", in.Body, &ps)
	c.category = in.Category
	if !contains(Categories, c.category) {
		ps = append(ps, Problem{Field: "category", Code: "bad-choice", Detail: in.Category})
	}
	if _, err := timetable.ParseDate(in.LessonDate); err != nil {
		ps = append(ps, Problem{Field: "date", Code: "bad-date", Detail: in.LessonDate})
	}
	if p := strings.TrimSpace(in.PublishAt); p != "" {
		t, err := time.ParseInLocation("2006-01-02T15:04", p, timetable.Paris)
		if err != nil {
			ps = append(ps, Problem{Field: "publish_at", Code: "bad-datetime", Detail: p})
		} else {
			c.publishAt = t.Unix()
		}
	}
	for i, h := range in.Homework {
		if strings.TrimSpace(h.Description) == "" && h.DueDate == "" && h.DueSlotID == "" {
			continue // an empty line of the form
		}
		field := fmt.Sprintf("homework.%d.", i)
		ch := cleanHomework{id: h.ID, line: i}
		ch.description = cleanRich(field+"description", h.Description, &ps)
		if ch.description == "" && !ps.Has(field+"description") {
			ps = append(ps, Problem{Field: field + "description", Code: "required"})
		}
		ch.dueSlot = h.DueSlotID
		ch.due = strings.TrimSpace(h.DueDate)
		if ch.dueSlot != "" {
			// Due at a lesson, "SLOT/DATE": its date is the due date. Whether
			// the lesson exists and may be chosen is Save's and the caller's.
			slot, date, ok := strings.Cut(ch.dueSlot, "/")
			if _, err := timetable.ParseDate(date); !ok || slot == "" || err != nil {
				ps = append(ps, Problem{Field: field + "lesson", Code: "bad-lesson", Detail: ch.dueSlot})
			} else if date < in.LessonDate {
				ps = append(ps, Problem{Field: field + "lesson", Code: "due-before-lesson", Detail: date})
			}
			ch.dueSlot, ch.due = slot, date
		} else if _, err := timetable.ParseDate(ch.due); err != nil {
			ps = append(ps, Problem{Field: field + "due", Code: "bad-date", Detail: h.DueDate})
		} else if ch.due < in.LessonDate {
			ps = append(ps, Problem{Field: field + "due", Code: "due-before-lesson", Detail: ch.due})
		}
		if m := strings.TrimSpace(h.Minutes); m != "" {
			if _, err := fmt.Sscan(m, &ch.minutes); err != nil || ch.minutes < 0 || ch.minutes > 600 {
				ps = append(ps, Problem{Field: field + "minutes", Code: "bad-minutes", Detail: m})
			}
		}
		ch.handin = h.HandIn
		if ch.handin == "" {
			ch.handin = "none"
		}
		if !contains(HandIns, ch.handin) {
			ps = append(ps, Problem{Field: field + "handin", Code: "bad-choice", Detail: h.HandIn})
		}
		c.homework = append(c.homework, ch)
	}
	return c, ps
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

// Check reports what is at fault in an input, writing nothing: the form
// can then show it together with other faults (refused files).
func Check(in EntryInput) Problems {
	_, ps := check(in)
	if (in.ClassID == "") == (in.GroupID == "") {
		ps = append(ps, Problem{Field: "audience", Code: "required"})
	}
	return ps
}

// Save creates or updates (its author only) an entry with its homework,
// in tx; see saveHomework for how lines keep their identity. It returns
// Problems, having written nothing, when the input is at fault.
func Save(ctx context.Context, tx *db.Tx, in EntryInput, now time.Time) (string, error) {
	c, ps := check(in)
	if (in.ClassID == "") == (in.GroupID == "") {
		ps = append(ps, Problem{Field: "audience", Code: "required"})
	}
	if len(ps) == 0 {
		var err error
		if ps, err = dueSlotProblems(ctx, tx, in.EstablishmentID, c.homework); err != nil {
			return "", err
		}
	}
	if len(ps) > 0 {
		return "", ps
	}
	id := in.ID
	if id == "" {
		id = ids.New()
		if _, err := tx.Exec(ctx, `INSERT INTO classlog_entries (id, establishment_id, author_id, slot_id, lesson_date,
			class_id, group_id, subject_id, title, body, category, draft, publish_at, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			id, in.EstablishmentID, in.AuthorID, nullable(in.SlotID), in.LessonDate, nullable(in.ClassID), nullable(in.GroupID),
			in.SubjectID, c.title, c.body, c.category, in.Draft, c.publishAt, now.Unix(), now.Unix()); err != nil {
			return "", err
		}
	} else {
		// The entry of this lesson only: another lesson's entry is not
		// edited through this one's form.
		res, err := tx.Exec(ctx, `UPDATE classlog_entries SET title = ?, body = ?, category = ?, draft = ?, publish_at = ?, updated_at = ?
			WHERE id = ? AND author_id = ? AND COALESCE(slot_id, '') = ? AND lesson_date = ?`,
			c.title, c.body, c.category, in.Draft, c.publishAt, now.Unix(), id, in.AuthorID, in.SlotID, in.LessonDate)
		if err != nil {
			return "", err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return "", ErrNotFound
		}
	}
	if err := saveHomework(ctx, tx, id, in, c.homework, now); err != nil {
		return "", err
	}
	return id, nil
}

// dueSlotProblems refuses homework due at a lesson that does not exist or
// belongs to another establishment than the entry's: the reference would
// fail, or cross the establishment wall. (Whether the occurrence runs and
// suits the entry's class or group is the caller's to check.)
func dueSlotProblems(ctx context.Context, q db.Querier, est string, hw []cleanHomework) (Problems, error) {
	var ps Problems
	for _, h := range hw {
		if h.dueSlot == "" {
			continue
		}
		var e string
		err := q.QueryRow(ctx, `SELECT establishment_id FROM tt_slots WHERE id = ?`, h.dueSlot).Scan(&e)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return nil, err
		}
		if err != nil || e != est {
			ps = append(ps, Problem{Field: fmt.Sprintf("homework.%d.lesson", h.line), Code: "bad-lesson", Detail: h.dueSlot + "/" + h.due})
		}
	}
	return ps, nil
}

// saveHomework makes the entry's homework match the form's lines.
//
// A line carrying the ID of one of this entry's homework updates that row
// in place, whatever changed (due date, lesson, description, minutes,
// hand-in mode): the students' done-ticks and the work they handed in stay
// with it. Any other ID (another entry's, an unknown one, one already
// used by an earlier line) is ignored and the line is new, so a forged
// form cannot reach another entry's homework.
//
// A homework of the entry that no line keeps any more (its line emptied)
// is deleted with its ticks; but one holding hand-ins only when the
// emptied line confirms it (DiscardHandIns): otherwise a "has-handins"
// Problem names it (Detail its ID, N the number of hand-ins) and nothing
// is saved. The caller removes the files so let go (Orphans).
func saveHomework(ctx context.Context, tx *db.Tx, entryID string, in EntryInput, hw []cleanHomework, now time.Time) error {
	old, err := homeworkOf(ctx, tx, []string{entryID})
	if err != nil {
		return err
	}
	own := map[string]bool{}
	for _, o := range old {
		own[o.ID] = true
	}
	kept := map[string]bool{}
	for i := range hw {
		if id := hw[i].id; id != "" && own[id] && !kept[id] {
			kept[id] = true
		} else {
			hw[i].id = ""
		}
	}
	var gone []string
	for _, o := range old {
		if !kept[o.ID] {
			gone = append(gone, o.ID)
		}
	}
	if err := checkRemovals(ctx, tx, in, gone); err != nil {
		return err
	}
	for _, id := range gone {
		if _, err := tx.Exec(ctx, `DELETE FROM homework WHERE id = ? AND entry_id = ?`, id, entryID); err != nil {
			return err
		}
	}
	// New lines take the entry's own audience (the form's could differ on
	// a lesson of several classes: the entry's audience never changes).
	var classID, groupID sql.NullString
	if err := tx.QueryRow(ctx, `SELECT class_id, group_id FROM classlog_entries WHERE id = ?`, entryID).Scan(&classID, &groupID); err != nil {
		return err
	}
	for _, h := range hw {
		if h.id != "" {
			if _, err := tx.Exec(ctx, `UPDATE homework SET due_date = ?, due_slot_id = ?, description = ?, minutes = ?, handin = ?
				WHERE id = ? AND entry_id = ?`, h.due, nullable(h.dueSlot), h.description, h.minutes, h.handin, h.id, entryID); err != nil {
				return err
			}
			continue
		}
		if _, err := tx.Exec(ctx, `INSERT INTO homework (id, entry_id, establishment_id, class_id, group_id, due_date, due_slot_id,
			description, minutes, handin, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			ids.New(), entryID, in.EstablishmentID, classID, groupID, h.due, nullable(h.dueSlot),
			h.description, h.minutes, h.handin, now.Unix()); err != nil {
			return err
		}
	}
	return nil
}

// checkRemovals refuses the removal of homework holding hand-ins unless
// the emptied line that carried it confirms it. On PostgreSQL the rows
// are locked first: a student's hand-in being written meanwhile (its
// foreign key holds the row) is waited for and counted, and none can
// start before the deletion commits.
func checkRemovals(ctx context.Context, tx *db.Tx, in EntryInput, gone []string) error {
	if len(gone) == 0 {
		return nil
	}
	if tx.Dialect() == db.Postgres {
		rows, err := tx.Query(ctx, `SELECT id FROM homework WHERE `+db.In(tx, "id")+` ORDER BY id FOR UPDATE`, db.ListArg(tx, gone))
		if err != nil {
			return err
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	rows, err := tx.Query(ctx, `SELECT homework_id, COUNT(*) FROM homework_submissions WHERE `+db.In(tx, "homework_id")+`
		GROUP BY homework_id ORDER BY homework_id`, db.ListArg(tx, gone))
	if err != nil {
		return err
	}
	defer rows.Close()
	var ps Problems
	for rows.Next() {
		var id string
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return err
		}
		line, confirmed := -1, false
		for i, h := range in.Homework {
			if h.ID == id {
				if line < 0 {
					line = i
				}
				confirmed = confirmed || h.DiscardHandIns
			}
		}
		if !confirmed {
			ps = append(ps, Problem{Field: fmt.Sprintf("homework.%d.remove", line), Code: "has-handins", Detail: id, N: n})
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if len(ps) > 0 {
		return ps
	}
	return nil
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// ErrNotFound is returned for an entry or homework that does not exist.
var ErrNotFound = errors.New("classlog: not found")

const entryCols = `e.id, e.establishment_id, e.author_id, p.title || ' ' || p.last_name, COALESCE(e.slot_id, ''), e.lesson_date,
	COALESCE(e.class_id, ''), COALESCE(e.group_id, ''), COALESCE(c.name, g.name, ''), e.subject_id, su.name,
	e.title, e.body, e.category, e.draft, e.publish_at, e.created_at, e.updated_at
	FROM classlog_entries e JOIN people p ON p.id = e.author_id JOIN subjects su ON su.id = e.subject_id
	LEFT JOIN classes c ON c.id = e.class_id LEFT JOIN groups g ON g.id = e.group_id `

func queryEntries(ctx context.Context, q db.Querier, query string, args ...any) ([]Entry, error) {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	var out []Entry
	for rows.Next() {
		var e Entry
		var pub, created, updated int64
		if err := rows.Scan(&e.ID, &e.EstablishmentID, &e.AuthorID, &e.AuthorName, &e.SlotID, &e.LessonDate,
			&e.ClassID, &e.GroupID, &e.Structure, &e.SubjectID, &e.SubjectName, &e.Title, &e.Body, &e.Category,
			&e.Draft, &pub, &created, &updated); err != nil {
			rows.Close()
			return nil, err
		}
		if pub > 0 {
			e.PublishAt = time.Unix(pub, 0)
		}
		e.CreatedAt, e.UpdatedAt = time.Unix(created, 0), time.Unix(updated, 0)
		e.AuthorName = strings.TrimSpace(e.AuthorName)
		out = append(out, e)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return out, nil
	}
	idList := make([]string, len(out))
	byID := map[string]*Entry{}
	for i := range out {
		idList[i] = out[i].ID
		byID[out[i].ID] = &out[i]
	}
	hw, err := homeworkOf(ctx, q, idList)
	if err != nil {
		return nil, err
	}
	for _, h := range hw {
		byID[h.EntryID].Homework = append(byID[h.EntryID].Homework, h)
	}
	rows, err = q.Query(ctx, `SELECT a.entry_id, f.id, f.name, f.content_type, f.size FROM classlog_attachments a
		JOIN files f ON f.id = a.file_id WHERE `+db.In(q, "a.entry_id")+` ORDER BY f.name`, db.ListArg(q, idList))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var eid string
		var a Attachment
		if err := rows.Scan(&eid, &a.FileID, &a.Name, &a.ContentType, &a.Size); err != nil {
			return nil, err
		}
		byID[eid].Attachments = append(byID[eid].Attachments, a)
	}
	return out, rows.Err()
}

const homeworkCols = `h.id, h.entry_id, COALESCE(h.class_id, ''), COALESCE(h.group_id, ''), COALESCE(c.name, g.name, ''),
	su.name, e.author_id, h.due_date, COALESCE(h.due_slot_id, ''), h.description, h.minutes, h.handin, e.updated_at,
	(SELECT COUNT(*) FROM homework_submissions s WHERE s.homework_id = h.id)
	FROM homework h JOIN classlog_entries e ON e.id = h.entry_id JOIN subjects su ON su.id = e.subject_id
	LEFT JOIN classes c ON c.id = h.class_id LEFT JOIN groups g ON g.id = h.group_id `

func scanHomework(rows *sql.Rows, extra ...any) (Homework, error) {
	var h Homework
	err := rows.Scan(append([]any{&h.ID, &h.EntryID, &h.ClassID, &h.GroupID, &h.Structure, &h.SubjectName, &h.AuthorID,
		&h.DueDate, &h.DueSlotID, &h.Description, &h.Minutes, &h.HandIn, &h.UpdatedAt, &h.Submissions}, extra...)...)
	return h, err
}

func homeworkOf(ctx context.Context, q db.Querier, entryIDs []string) ([]Homework, error) {
	rows, err := q.Query(ctx, `SELECT `+homeworkCols+`WHERE `+db.In(q, "h.entry_id")+` ORDER BY h.due_date, h.created_at, h.id`,
		db.ListArg(q, entryIDs))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Homework
	for rows.Next() {
		h, err := scanHomework(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	return out, rows.Err()
}

// EntryByID returns one entry with its homework and attachments.
func EntryByID(ctx context.Context, q db.Querier, id string) (Entry, error) {
	es, err := queryEntries(ctx, q, `SELECT `+entryCols+`WHERE e.id = ?`, id)
	if err != nil {
		return Entry{}, err
	}
	if len(es) == 0 {
		return Entry{}, ErrNotFound
	}
	return es[0], nil
}

// EntriesOfLesson lists the entries written for one lesson occurrence.
func EntriesOfLesson(ctx context.Context, q db.Querier, slotID, date string) ([]Entry, error) {
	return queryEntries(ctx, q, `SELECT `+entryCols+`WHERE e.slot_id = ? AND e.lesson_date = ? ORDER BY e.created_at, e.id`, slotID, date)
}

// EntriesOfStructure lists a class's or group's entries between two dates,
// newest lesson first. For a class, the entries of groups drawn from it
// are not included: they belong to the group's log.
func EntriesOfStructure(ctx context.Context, q db.Querier, classID, groupID, from, to string) ([]Entry, error) {
	if classID != "" {
		return queryEntries(ctx, q, `SELECT `+entryCols+`WHERE e.class_id = ? AND e.lesson_date BETWEEN ? AND ?
			ORDER BY e.lesson_date DESC, e.created_at DESC`, classID, from, to)
	}
	return queryEntries(ctx, q, `SELECT `+entryCols+`WHERE e.group_id = ? AND e.lesson_date BETWEEN ? AND ?
		ORDER BY e.lesson_date DESC, e.created_at DESC`, groupID, from, to)
}

// EntriesByAuthor lists a teacher's entries between two dates.
func EntriesByAuthor(ctx context.Context, q db.Querier, authorID, from, to string) ([]Entry, error) {
	return queryEntries(ctx, q, `SELECT `+entryCols+`WHERE e.author_id = ? AND e.lesson_date BETWEEN ? AND ?
		ORDER BY e.lesson_date DESC, e.created_at DESC`, authorID, from, to)
}

// HomeworkOfStudent lists the published homework of a student's classes
// and groups due between two dates, with the student's tick and hand-in.
// (The caller still filters entries through the access policy.)
func HomeworkOfStudent(ctx context.Context, q db.Querier, studentID, from, to string, now time.Time) ([]Homework, error) {
	// Two indexed lookups (class, groups) joined by UNION ALL rather than
	// an OR that would scan the homework table.
	const cols = `SELECT h.id, h.entry_id, COALESCE(h.class_id, ''), COALESCE(h.group_id, ''), COALESCE(c.name, g.name, ''),
		su.name, e.author_id, h.due_date, COALESCE(h.due_slot_id, ''), h.description, h.minutes, h.handin, e.updated_at,
		CASE WHEN d.done_at IS NULL THEN 0 ELSE 1 END, COALESCE(s.submitted_at, 0), COALESCE(s.file_id, '')
		FROM homework h JOIN classlog_entries e ON e.id = h.entry_id JOIN subjects su ON su.id = e.subject_id
		LEFT JOIN classes c ON c.id = h.class_id LEFT JOIN groups g ON g.id = h.group_id
		LEFT JOIN homework_done d ON d.homework_id = h.id AND d.student_id = ?
		LEFT JOIN homework_submissions s ON s.homework_id = h.id AND s.student_id = ? `
	const cond = ` AND h.due_date BETWEEN ? AND ? AND NOT e.draft AND e.publish_at <= ?`
	rows, err := q.Query(ctx, `SELECT * FROM (`+cols+`JOIN enrolments en ON en.class_id = h.class_id WHERE en.student_id = ?`+cond+`
		UNION ALL `+cols+`JOIN group_members gm ON gm.group_id = h.group_id WHERE gm.student_id = ?`+cond+`) x ORDER BY 8, 6, 1`,
		studentID, studentID, studentID, from, to, now.Unix(), studentID, studentID, studentID, from, to, now.Unix())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Homework
	for rows.Next() {
		var sub int64
		var done int
		var h Homework
		err := rows.Scan(&h.ID, &h.EntryID, &h.ClassID, &h.GroupID, &h.Structure, &h.SubjectName, &h.AuthorID,
			&h.DueDate, &h.DueSlotID, &h.Description, &h.Minutes, &h.HandIn, &h.UpdatedAt, &done, &sub, &h.FileID)
		h.Done = done == 1
		if err != nil {
			return nil, err
		}
		if sub > 0 {
			h.Submitted, h.SubmittedAt = true, time.Unix(sub, 0)
		}
		out = append(out, h)
	}
	return out, rows.Err()
}

// HomeworkByID returns one homework.
func HomeworkByID(ctx context.Context, q db.Querier, id string) (Homework, error) {
	rows, err := q.Query(ctx, `SELECT `+homeworkCols+`WHERE h.id = ?`, id)
	if err != nil {
		return Homework{}, err
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return Homework{}, err
		}
		return Homework{}, ErrNotFound
	}
	return scanHomework(rows)
}

// SetDone ticks or unticks a homework for a student.
func SetDone(ctx context.Context, q db.Querier, homeworkID, studentID string, done bool, now time.Time) error {
	if !done {
		_, err := q.Exec(ctx, `DELETE FROM homework_done WHERE homework_id = ? AND student_id = ?`, homeworkID, studentID)
		return err
	}
	_, err := q.Exec(ctx, `INSERT INTO homework_done (homework_id, student_id, done_at) VALUES (?, ?, ?)
		ON CONFLICT (homework_id, student_id) DO NOTHING`, homeworkID, studentID, now.Unix())
	return err
}

// Submit records a student's handed-in file (replacing an earlier one) and
// ticks the homework as done. It returns the file it replaced, if any.
func Submit(ctx context.Context, q db.Querier, homeworkID, studentID, fileID string, now time.Time) (string, error) {
	var old string
	err := q.QueryRow(ctx, `SELECT file_id FROM homework_submissions WHERE homework_id = ? AND student_id = ?`, homeworkID, studentID).Scan(&old)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return "", err
	}
	if _, err := q.Exec(ctx, `INSERT INTO homework_submissions (homework_id, student_id, file_id, submitted_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (homework_id, student_id) DO UPDATE SET file_id = excluded.file_id, submitted_at = excluded.submitted_at`,
		homeworkID, studentID, fileID, now.Unix()); err != nil {
		return "", err
	}
	if old != "" && old != fileID {
		if _, err := q.Exec(ctx, `DELETE FROM files WHERE id = ?`, old); err != nil {
			return "", err
		}
	}
	return old, SetDone(ctx, q, homeworkID, studentID, true, now)
}

// HandInRow is one student of a homework's class or group.
type HandInRow struct {
	StudentID, FirstName, LastName string
	Submitted                      bool
	SubmittedAt                    time.Time
	FileID, FileName               string
	Late                           bool // handed in after the due day, or not yet and the day is over
}

// HandInsOf lists the students of a homework's class or group with what
// they handed in. "Late" is judged at the end of the due day, Paris time.
func HandInsOf(ctx context.Context, q db.Querier, h Homework, now time.Time) ([]HandInRow, error) {
	members := `SELECT student_id FROM enrolments WHERE class_id = ?`
	arg := h.ClassID
	if h.GroupID != "" {
		members, arg = `SELECT student_id FROM group_members WHERE group_id = ?`, h.GroupID
	}
	rows, err := q.Query(ctx, `SELECT p.id, p.first_name, p.last_name, COALESCE(s.submitted_at, 0), COALESCE(f.id, ''), COALESCE(f.name, '')
		FROM people p LEFT JOIN homework_submissions s ON s.student_id = p.id AND s.homework_id = ?
		LEFT JOIN files f ON f.id = s.file_id
		WHERE p.id IN (`+members+`) AND p.active ORDER BY p.last_name, p.first_name, p.id`, h.ID, arg)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	due, _ := timetable.ParseDate(h.DueDate)
	deadline := due.AddDate(0, 0, 1) // midnight ending the due day
	var out []HandInRow
	for rows.Next() {
		var r HandInRow
		var at int64
		if err := rows.Scan(&r.StudentID, &r.FirstName, &r.LastName, &at, &r.FileID, &r.FileName); err != nil {
			return nil, err
		}
		if at > 0 {
			r.Submitted, r.SubmittedAt = true, time.Unix(at, 0)
			r.Late = r.SubmittedAt.After(deadline)
		} else {
			r.Late = now.After(deadline)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// MaxAttachments is the most files one entry carries.
const MaxAttachments = 10

// AttachmentCount counts an entry's attachments.
func AttachmentCount(ctx context.Context, q db.Querier, entryID string) (int, error) {
	var n int
	err := q.QueryRow(ctx, `SELECT COUNT(*) FROM classlog_attachments WHERE entry_id = ?`, entryID).Scan(&n)
	return n, err
}

// Attach links a stored file to an entry.
func Attach(ctx context.Context, q db.Querier, entryID, fileID string) error {
	_, err := q.Exec(ctx, `INSERT INTO classlog_attachments (entry_id, file_id) VALUES (?, ?)`, entryID, fileID)
	return err
}

// Copy copies an entry (content, homework, attachments) to another class
// or group of the same subject, for the same author. The copy keeps the
// draft and publication settings; lesson date is kept unless given.
//
// The target must be of the entry's establishment ("other-establishment":
// the copy would be out of its readers' reach) and taught the entry's
// subject by the author, in the directory or the timetable ("not-taught").
func Copy(ctx context.Context, tx *db.Tx, entryID, authorID, classID, groupID, lessonDate string, now time.Time) (string, error) {
	e, err := EntryByID(ctx, tx, entryID)
	if err != nil {
		return "", err
	}
	if e.AuthorID != authorID {
		return "", ErrNotFound
	}
	if (classID == "") == (groupID == "") {
		return "", Problems{{Field: "target", Code: "required"}}
	}
	if classID == e.ClassID && groupID == e.GroupID {
		return "", Problems{{Field: "target", Code: "same-audience"}}
	}
	if p, err := copyTargetProblem(ctx, tx, e, classID, groupID); err != nil || p != nil {
		if err != nil {
			return "", err
		}
		return "", Problems{*p}
	}
	if lessonDate == "" {
		lessonDate = e.LessonDate
	}
	id := ids.New()
	var pub int64
	if !e.PublishAt.IsZero() {
		pub = e.PublishAt.Unix()
	}
	if _, err := tx.Exec(ctx, `INSERT INTO classlog_entries (id, establishment_id, author_id, slot_id, lesson_date,
		class_id, group_id, subject_id, title, body, category, draft, publish_at, created_at, updated_at)
		VALUES (?, ?, ?, NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		id, e.EstablishmentID, authorID, lessonDate, nullable(classID), nullable(groupID), e.SubjectID,
		e.Title, e.Body, e.Category, e.Draft, pub, now.Unix(), now.Unix()); err != nil {
		return "", err
	}
	for _, h := range e.Homework {
		if _, err := tx.Exec(ctx, `INSERT INTO homework (id, entry_id, establishment_id, class_id, group_id, due_date, due_slot_id,
			description, minutes, handin, created_at) VALUES (?, ?, ?, ?, ?, ?, NULL, ?, ?, ?, ?)`,
			ids.New(), id, e.EstablishmentID, nullable(classID), nullable(groupID), h.DueDate, h.Description,
			h.Minutes, h.HandIn, now.Unix()); err != nil {
			return "", err
		}
	}
	for _, a := range e.Attachments {
		if err := Attach(ctx, tx, id, a.FileID); err != nil {
			return "", err
		}
	}
	return id, nil
}

// copyTargetProblem checks where a copy of e goes: a class or group of
// e's establishment, to which e's author teaches e's subject (a teaching
// assignment, or a lesson of the timetable).
func copyTargetProblem(ctx context.Context, q db.Querier, e Entry, classID, groupID string) (*Problem, error) {
	table, col, id := "classes", "class_id", classID
	if groupID != "" {
		table, col, id = "groups", "group_id", groupID
	}
	var est string
	err := q.QueryRow(ctx, `SELECT establishment_id FROM `+table+` WHERE id = ?`, id).Scan(&est)
	if errors.Is(err, sql.ErrNoRows) {
		return &Problem{Field: "target", Code: "required"}, nil
	}
	if err != nil {
		return nil, err
	}
	if est != e.EstablishmentID {
		return &Problem{Field: "target", Code: "other-establishment", Detail: id}, nil
	}
	var n int
	if err := q.QueryRow(ctx, `SELECT (SELECT COUNT(*) FROM teaching_assignments WHERE teacher_id = ? AND subject_id = ? AND `+col+` = ?)
		+ (SELECT COUNT(*) FROM tt_slots s JOIN tt_slot_teachers t ON t.slot_id = s.id JOIN tt_slot_audiences a ON a.slot_id = s.id
			WHERE t.teacher_id = ? AND s.subject_id = ? AND a.`+col+` = ?)`,
		e.AuthorID, e.SubjectID, id, e.AuthorID, e.SubjectID, id).Scan(&n); err != nil {
		return nil, err
	}
	if n == 0 {
		return &Problem{Field: "target", Code: "not-taught", Detail: id}, nil
	}
	return nil, nil
}

// Detach removes some of an entry's attachments (its author's entry
// only); a file not attached to that entry is left alone. The files
// themselves stay: the caller asks Orphans which of them nothing refers
// to any more, and removes those once the transaction has committed.
func Detach(ctx context.Context, q db.Querier, entryID, authorID string, fileIDs []string) error {
	if len(fileIDs) == 0 {
		return nil
	}
	var n int
	if err := q.QueryRow(ctx, `SELECT COUNT(*) FROM classlog_entries WHERE id = ? AND author_id = ?`, entryID, authorID).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return ErrNotFound
	}
	if err := lockFiles(ctx, q, fileIDs); err != nil {
		return err
	}
	_, err := q.Exec(ctx, `DELETE FROM classlog_attachments WHERE entry_id = ? AND `+db.In(q, "file_id"), entryID, db.ListArg(q, fileIDs))
	return err
}

// lockFiles takes, on PostgreSQL, the rows of files whose references are
// about to be dropped. A copied entry shares its attachments' files with
// the original: two transactions detaching the same file from both must
// not each see the other's reference still there and leave the file
// behind. (SQLite runs one writer at a time.)
func lockFiles(ctx context.Context, q db.Querier, fileIDs []string) error {
	if len(fileIDs) == 0 || q.Dialect() != db.Postgres {
		return nil
	}
	rows, err := q.Query(ctx, `SELECT id FROM files WHERE `+db.In(q, "id")+` ORDER BY id FOR UPDATE`, db.ListArg(q, fileIDs))
	if err != nil {
		return err
	}
	rows.Close()
	return rows.Err()
}

// FilesOf lists the files an entry holds: its attachments and the work
// handed in for its homework.
func FilesOf(ctx context.Context, q db.Querier, entryID string) ([]string, error) {
	return db.Strings(ctx, q, `SELECT file_id FROM classlog_attachments WHERE entry_id = ?
		UNION SELECT s.file_id FROM homework_submissions s JOIN homework h ON h.id = s.homework_id WHERE h.entry_id = ?
		ORDER BY 1`, entryID, entryID)
}

// Orphans keeps, of fileIDs, the stored files that no entry attachment and
// no hand-in refers to any more: the caller removes them from storage.
func Orphans(ctx context.Context, q db.Querier, fileIDs []string) ([]string, error) {
	if len(fileIDs) == 0 {
		return nil, nil
	}
	return db.Strings(ctx, q, `SELECT f.id FROM files f WHERE `+db.In(q, "f.id")+`
		AND NOT EXISTS (SELECT 1 FROM classlog_attachments a WHERE a.file_id = f.id)
		AND NOT EXISTS (SELECT 1 FROM homework_submissions s WHERE s.file_id = f.id) ORDER BY f.id`, db.ListArg(q, fileIDs))
}

// AttachedFile is an SQL condition on a row of files (named files): true
// while an entry of the class log holds it as an attachment. The purge
// keeps such a file with the entry, a contribution, when it erases its
// owner's identity.
const AttachedFile = `EXISTS (SELECT 1 FROM classlog_attachments a WHERE a.file_id = files.id)`

// DeleteUnreferencedFiles deletes the stored files recorded before the
// Unix time before that nothing refers to any more: no entry's attachment,
// no hand-in. Such records are left by cascades (a closed school year's
// classes, their entries and homework deleted) and by removals whose
// blob deletion never ran. Younger ones may be uploads whose reference is
// about to be written. Deleting the records queues their blobs for
// erasure (migration 0007). It returns how many it deleted.
func DeleteUnreferencedFiles(ctx context.Context, q db.Querier, before int64) (int, error) {
	r, err := q.Exec(ctx, `DELETE FROM files WHERE created_at < ?
		AND NOT EXISTS (SELECT 1 FROM classlog_attachments a WHERE a.file_id = files.id)
		AND NOT EXISTS (SELECT 1 FROM homework_submissions s WHERE s.file_id = files.id)`, before)
	if err != nil {
		return 0, err
	}
	n, err := r.RowsAffected()
	return int(n), err
}

// Delete removes an entry of its author, with its homework and hand-ins.
// It returns the files left without any reference (its attachments not
// shared with a copy, the work handed in), which the caller removes from
// storage once the transaction has committed.
func Delete(ctx context.Context, q db.Querier, entryID, authorID string) ([]string, error) {
	held, err := FilesOf(ctx, q, entryID)
	if err != nil {
		return nil, err
	}
	if err := lockFiles(ctx, q, held); err != nil {
		return nil, err
	}
	res, err := q.Exec(ctx, `DELETE FROM classlog_entries WHERE id = ? AND author_id = ?`, entryID, authorID)
	if err != nil {
		return nil, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil, ErrNotFound
	}
	return Orphans(ctx, q, held)
}

// ColleaguesRead tells whether teachers of an establishment read their
// colleagues' entries for the classes they share.
func ColleaguesRead(ctx context.Context, q db.Querier, est string) (bool, error) {
	var b bool
	err := q.QueryRow(ctx, `SELECT colleagues_read FROM classlog_settings WHERE establishment_id = ?`, est).Scan(&b)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return b, err
}

// SetColleaguesRead changes that setting.
func SetColleaguesRead(ctx context.Context, q db.Querier, est string, on bool) error {
	_, err := q.Exec(ctx, `INSERT INTO classlog_settings (establishment_id, colleagues_read) VALUES (?, ?)
		ON CONFLICT (establishment_id) DO UPDATE SET colleagues_read = excluded.colleagues_read`, est, on)
	return err
}
