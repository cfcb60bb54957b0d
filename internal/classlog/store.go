package classlog

// The SQL of the class log's tables. Nothing here asks the policy: the
// service does before it calls these.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"cartable/internal/check"
	"cartable/internal/db"
	"cartable/internal/ids"
	"cartable/internal/timetable"
)

// errNotFound is an entry or homework that does not exist (the service
// answers it as a refusal).
var errNotFound = errors.New("classlog: not found")

const entryCols = `e.id, e.establishment_id, e.author_id, p.title || ' ' || p.last_name, COALESCE(e.slot_id, ''), e.lesson_date,
	COALESCE(e.class_id, ''), COALESCE(e.group_id, ''), COALESCE(c.name, g.name, ''), e.subject_id, su.code, su.name,
	e.title, e.body, e.category, e.draft, e.publish_at, e.created_at, e.updated_at
	FROM classlog_entries e JOIN people p ON p.id = e.author_id JOIN subjects su ON su.id = e.subject_id
	LEFT JOIN classes c ON c.id = e.class_id LEFT JOIN groups g ON g.id = e.group_id `

func scanEntry(s db.Scanner) (Entry, error) {
	var e Entry
	var pub, created, updated int64
	if err := s.Scan(&e.ID, &e.EstablishmentID, &e.AuthorID, &e.AuthorName, &e.SlotID, &e.LessonDate,
		&e.ClassID, &e.GroupID, &e.Structure, &e.SubjectID, &e.SubjectCode, &e.SubjectName, &e.Title, &e.Body, &e.Category,
		&e.Draft, &pub, &created, &updated); err != nil {
		return e, err
	}
	if pub > 0 {
		e.PublishAt = time.Unix(pub, 0)
	}
	e.CreatedAt, e.UpdatedAt = time.Unix(created, 0), time.Unix(updated, 0)
	e.AuthorName = strings.TrimSpace(e.AuthorName)
	return e, nil
}

// queryEntries reads entries with their homework and attachments.
func queryEntries(ctx context.Context, q db.Querier, query string, args ...any) ([]Entry, error) {
	out, err := db.All(ctx, q, scanEntry, query, args...)
	if err != nil || len(out) == 0 {
		return out, err
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
	as, err := attachmentsOf(ctx, q, idList)
	if err != nil {
		return nil, err
	}
	for id, a := range as {
		byID[id].Attachments = a
	}
	return out, nil
}

// attachmentsOf reads the attachments of entries, by entry, by name.
func attachmentsOf(ctx context.Context, q db.Querier, entryIDs []string) (map[string][]Attachment, error) {
	type attached struct {
		entry string
		a     Attachment
	}
	as, err := db.All(ctx, q, func(s db.Scanner) (x attached, err error) {
		err = s.Scan(&x.entry, &x.a.FileID, &x.a.Name, &x.a.ContentType, &x.a.Size)
		return
	}, `SELECT a.entry_id, f.id, f.name, f.content_type, f.size FROM classlog_attachments a
		JOIN files f ON f.id = a.file_id WHERE `+db.In(q, "a.entry_id")+` ORDER BY f.name, f.id`, db.ListArg(q, entryIDs))
	if err != nil {
		return nil, err
	}
	out := map[string][]Attachment{}
	for _, x := range as {
		out[x.entry] = append(out[x.entry], x.a)
	}
	return out, nil
}

const homeworkCols = `h.id, h.entry_id, COALESCE(h.class_id, ''), COALESCE(h.group_id, ''), COALESCE(c.name, g.name, ''),
	su.name, e.author_id, h.due_date, COALESCE(h.due_slot_id, ''), h.description, h.minutes, h.handin, e.updated_at,
	(SELECT COUNT(*) FROM homework_submissions s WHERE s.homework_id = h.id), COALESCE(e.slot_id, ''), e.lesson_date, e.draft
	FROM homework h JOIN classlog_entries e ON e.id = h.entry_id JOIN subjects su ON su.id = e.subject_id
	LEFT JOIN classes c ON c.id = h.class_id LEFT JOIN groups g ON g.id = h.group_id `

func scanHomework(s db.Scanner) (h Homework, err error) {
	err = s.Scan(&h.ID, &h.EntryID, &h.ClassID, &h.GroupID, &h.Structure, &h.SubjectName, &h.AuthorID,
		&h.DueDate, &h.DueSlotID, &h.Description, &h.Minutes, &h.HandIn, &h.UpdatedAt, &h.Submissions,
		&h.EntrySlotID, &h.LessonDate, &h.Draft)
	return
}

func homeworkOf(ctx context.Context, q db.Querier, entryIDs []string) ([]Homework, error) {
	return db.All(ctx, q, scanHomework, `SELECT `+homeworkCols+`WHERE `+db.In(q, "h.entry_id")+` ORDER BY h.due_date, h.created_at, h.id`,
		db.ListArg(q, entryIDs))
}

func entryByID(ctx context.Context, q db.Querier, id string) (Entry, error) {
	es, err := queryEntries(ctx, q, `SELECT `+entryCols+`WHERE e.id = ?`, id)
	if err != nil {
		return Entry{}, err
	}
	if len(es) == 0 {
		return Entry{}, errNotFound
	}
	return es[0], nil
}

func entriesOfLesson(ctx context.Context, q db.Querier, slotID, date string) ([]Entry, error) {
	return queryEntries(ctx, q, `SELECT `+entryCols+`WHERE e.slot_id = ? AND e.lesson_date = ? ORDER BY e.created_at, e.id`, slotID, date)
}

// entriesOfStructure lists a class's or group's entries between two
// dates, newest lesson first. For a class, the entries of groups drawn
// from it are not included: they belong to the group's log.
func entriesOfStructure(ctx context.Context, q db.Querier, classID, groupID, from, to string) ([]Entry, error) {
	if classID != "" {
		return queryEntries(ctx, q, `SELECT `+entryCols+`WHERE e.class_id = ? AND e.lesson_date BETWEEN ? AND ?
			ORDER BY e.lesson_date DESC, e.created_at DESC`, classID, from, to)
	}
	return queryEntries(ctx, q, `SELECT `+entryCols+`WHERE e.group_id = ? AND e.lesson_date BETWEEN ? AND ?
		ORDER BY e.lesson_date DESC, e.created_at DESC`, groupID, from, to)
}

// homeworkOfStudent lists the published homework of a student's classes
// and groups due between two dates, with the student's tick and hand-in.
func homeworkOfStudent(ctx context.Context, q db.Querier, studentID, from, to string, now time.Time) ([]Homework, error) {
	// Two indexed lookups (class, groups) joined by UNION ALL rather than
	// an OR that would scan the homework table. Each starts from the
	// student's enrolment or group membership: PostgreSQL keeps the written
	// order of joins beyond eight tables (join_collapse_limit), and from
	// the homework's due date it read the whole establishment's homework of
	// the week before finding the student's.
	const cols = `SELECT h.id, h.entry_id, COALESCE(h.class_id, ''), COALESCE(h.group_id, ''), COALESCE(c.name, g.name, ''),
		su.name, e.author_id, h.due_date, COALESCE(h.due_slot_id, ''), h.description, h.minutes, h.handin, e.updated_at,
		CASE WHEN d.done_at IS NULL THEN 0 ELSE 1 END, COALESCE(s.submitted_at, 0), COALESCE(s.file_id, ''),
		COALESCE(f.name, ''), COALESCE(f.size, 0), COALESCE(e.slot_id, ''), e.lesson_date`
	const joins = ` JOIN classlog_entries e ON e.id = h.entry_id JOIN subjects su ON su.id = e.subject_id
		LEFT JOIN classes c ON c.id = h.class_id LEFT JOIN groups g ON g.id = h.group_id
		LEFT JOIN homework_done d ON d.homework_id = h.id AND d.student_id = ?
		LEFT JOIN homework_submissions s ON s.homework_id = h.id AND s.student_id = ?
		LEFT JOIN files f ON f.id = s.file_id `
	const cond = ` AND h.due_date BETWEEN ? AND ? AND NOT e.draft AND e.publish_at <= ?`
	return db.All(ctx, q, func(s db.Scanner) (Homework, error) {
		var sub int64
		var done int
		var h Homework
		err := s.Scan(&h.ID, &h.EntryID, &h.ClassID, &h.GroupID, &h.Structure, &h.SubjectName, &h.AuthorID,
			&h.DueDate, &h.DueSlotID, &h.Description, &h.Minutes, &h.HandIn, &h.UpdatedAt, &done, &sub, &h.FileID,
			&h.FileName, &h.FileSize, &h.EntrySlotID, &h.LessonDate)
		h.Done = done == 1
		if sub > 0 {
			h.Submitted, h.SubmittedAt = true, time.Unix(sub, 0)
			h.Late = h.SubmittedAt.After(endOfDay(h.DueDate))
		}
		return h, err
	}, `SELECT * FROM (`+cols+` FROM enrolments en JOIN homework h ON h.class_id = en.class_id`+joins+`WHERE en.student_id = ?`+cond+`
		UNION ALL `+cols+` FROM group_members gm JOIN homework h ON h.group_id = gm.group_id`+joins+`WHERE gm.student_id = ?`+cond+`) x ORDER BY 8, 6, 1`,
		studentID, studentID, studentID, from, to, now.Unix(), studentID, studentID, studentID, from, to, now.Unix())
}

// homeworkSetBy lists the homework a teacher set in their entries (drafts
// excepted) due between two dates.
func homeworkSetBy(ctx context.Context, q db.Querier, authorID, from, to string) ([]Homework, error) {
	return db.All(ctx, q, scanHomework, `SELECT `+homeworkCols+`WHERE e.author_id = ? AND NOT e.draft AND h.due_date BETWEEN ? AND ?
		ORDER BY h.due_date, h.created_at, h.id`, authorID, from, to)
}

func homeworkByID(ctx context.Context, q db.Querier, id string) (Homework, error) {
	hw, err := db.All(ctx, q, scanHomework, `SELECT `+homeworkCols+`WHERE h.id = ?`, id)
	if err != nil {
		return Homework{}, err
	}
	if len(hw) == 0 {
		return Homework{}, errNotFound
	}
	return hw[0], nil
}

func homeworkEstablishment(ctx context.Context, q db.Querier, id string) (string, error) {
	var est string
	err := q.QueryRow(ctx, `SELECT establishment_id FROM homework WHERE id = ?`, id).Scan(&est)
	if errors.Is(err, sql.ErrNoRows) {
		return "", errNotFound
	}
	return est, err
}

// setDone ticks or unticks a homework for a student.
func setDone(ctx context.Context, q db.Querier, homeworkID, studentID string, done bool, now time.Time) error {
	if !done {
		_, err := q.Exec(ctx, `DELETE FROM homework_done WHERE homework_id = ? AND student_id = ?`, homeworkID, studentID)
		return err
	}
	_, err := q.Exec(ctx, `INSERT INTO homework_done (homework_id, student_id, done_at) VALUES (?, ?, ?)
		ON CONFLICT (homework_id, student_id) DO NOTHING`, homeworkID, studentID, now.Unix())
	return err
}

// submit records a student's handed-in file (replacing an earlier one) and
// ticks the homework as done. It returns the file it replaced, if any,
// whose record the caller deletes.
func submit(ctx context.Context, q db.Querier, homeworkID, studentID, fileID string, now time.Time) (string, error) {
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
	if old == fileID {
		old = ""
	}
	return old, setDone(ctx, q, homeworkID, studentID, true, now)
}

// handInsOf lists the students of a homework's class or group with what
// they handed in. "Late" is judged at the end of the due day, Paris time.
func handInsOf(ctx context.Context, q db.Querier, h Homework, now time.Time) ([]HandInRow, error) {
	members := `SELECT student_id FROM enrolments WHERE class_id = ?`
	arg := h.ClassID
	if h.GroupID != "" {
		members, arg = `SELECT student_id FROM group_members WHERE group_id = ?`, h.GroupID
	}
	deadline := endOfDay(h.DueDate)
	return db.All(ctx, q, func(s db.Scanner) (HandInRow, error) {
		var r HandInRow
		var at int64
		if err := s.Scan(&r.StudentID, &r.FirstName, &r.LastName, &at, &r.FileID, &r.FileName, &r.FileSize); err != nil {
			return r, err
		}
		if at > 0 {
			r.Submitted, r.SubmittedAt = true, time.Unix(at, 0)
			r.Late = r.SubmittedAt.After(deadline)
		} else {
			r.Late = now.After(deadline)
		}
		return r, nil
	}, `SELECT p.id, p.first_name, p.last_name, COALESCE(s.submitted_at, 0), COALESCE(f.id, ''), COALESCE(f.name, ''), COALESCE(f.size, 0)
		FROM people p LEFT JOIN homework_submissions s ON s.student_id = p.id AND s.homework_id = ?
		LEFT JOIN files f ON f.id = s.file_id
		WHERE p.id IN (`+members+`) AND p.active ORDER BY p.last_name, p.first_name, p.id`, h.ID, arg)
}

// endOfDay is the midnight, in Paris, that ends a day (YYYY-MM-DD).
func endOfDay(date string) time.Time {
	d, _ := timetable.ParseDate(date)
	return d.AddDate(0, 0, 1)
}

func attachmentCount(ctx context.Context, q db.Querier, entryID string) (int, error) {
	var n int
	err := q.QueryRow(ctx, `SELECT COUNT(*) FROM classlog_attachments WHERE entry_id = ?`, entryID).Scan(&n)
	return n, err
}

func attach(ctx context.Context, q db.Querier, entryID, fileID string) error {
	_, err := q.Exec(ctx, `INSERT INTO classlog_attachments (entry_id, file_id) VALUES (?, ?)`, entryID, fileID)
	return err
}

// saveEntry creates or updates (its author's, of the same lesson) an
// entry with its homework, in tx; see saveHomework for how lines keep
// their identity. It returns the problems, having written nothing, when
// the input is at fault.
func saveEntry(ctx context.Context, tx *db.Tx, in EntryInput, c cleanInput, now time.Time) (string, error) {
	ps, err := dueSlotProblems(ctx, tx, in.EstablishmentID, c.homework)
	if err != nil {
		return "", err
	}
	if len(ps) > 0 {
		return "", ps
	}
	classID, groupID, _ := audience(in.Audience)
	id := in.ID
	if id == "" {
		id = ids.New()
		if _, err := tx.Exec(ctx, `INSERT INTO classlog_entries (id, establishment_id, author_id, slot_id, lesson_date,
			class_id, group_id, subject_id, title, body, category, draft, publish_at, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			id, in.EstablishmentID, in.AuthorID, nullable(in.SlotID), in.LessonDate, nullable(classID), nullable(groupID),
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
			return "", errNotFound
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
// suits the entry's class or group, the service checks for a person.)
func dueSlotProblems(ctx context.Context, q db.Querier, est string, hw []cleanHomework) (check.Problems, error) {
	var ps check.Problems
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
			ps.Add(fmt.Sprintf("homework.%d.lesson", h.line), "bad-lesson", h.dueSlot+"/"+h.due)
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
// problem names it (Value its ID, N the number of hand-ins) and nothing
// is saved. The service removes the files so let go (orphans).
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
		if _, err := db.Strings(ctx, tx, `SELECT id FROM homework WHERE `+db.In(tx, "id")+` ORDER BY id FOR UPDATE`, db.ListArg(tx, gone)); err != nil {
			return err
		}
	}
	type held struct {
		id string
		n  int
	}
	counts, err := db.All(ctx, tx, func(s db.Scanner) (h held, err error) { err = s.Scan(&h.id, &h.n); return },
		`SELECT homework_id, COUNT(*) FROM homework_submissions WHERE `+db.In(tx, "homework_id")+`
		GROUP BY homework_id ORDER BY homework_id`, db.ListArg(tx, gone))
	if err != nil {
		return err
	}
	var ps check.Problems
	for _, c := range counts {
		line, confirmed := -1, false
		for i, h := range in.Homework {
			if h.ID == c.id {
				if line < 0 {
					line = i
				}
				confirmed = confirmed || h.DiscardHandIns
			}
		}
		if !confirmed {
			ps = append(ps, check.Problem{Field: fmt.Sprintf("homework.%d.remove", line), Code: "has-handins", Value: c.id, N: c.n})
		}
	}
	return ps.Err()
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// copyEntry copies an entry (content, homework, attachments) to another
// class or group, for the same author. The copy keeps the draft and
// publication settings; its lesson date is the one given, and the homework
// of e.Homework[i] is due as dues[i] says.
func copyEntry(ctx context.Context, tx *db.Tx, e Entry, classID, groupID, lessonDate string, dues []CopyDue, now time.Time) (string, error) {
	id := ids.New()
	var pub int64
	if !e.PublishAt.IsZero() {
		pub = e.PublishAt.Unix()
	}
	if _, err := tx.Exec(ctx, `INSERT INTO classlog_entries (id, establishment_id, author_id, slot_id, lesson_date,
		class_id, group_id, subject_id, title, body, category, draft, publish_at, created_at, updated_at)
		VALUES (?, ?, ?, NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		id, e.EstablishmentID, e.AuthorID, lessonDate, nullable(classID), nullable(groupID), e.SubjectID,
		e.Title, e.Body, e.Category, e.Draft, pub, now.Unix(), now.Unix()); err != nil {
		return "", err
	}
	for i, h := range e.Homework {
		if _, err := tx.Exec(ctx, `INSERT INTO homework (id, entry_id, establishment_id, class_id, group_id, due_date, due_slot_id,
			description, minutes, handin, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			ids.New(), id, e.EstablishmentID, nullable(classID), nullable(groupID), dues[i].Due, nullable(dues[i].DueSlotID), h.Description,
			h.Minutes, h.HandIn, now.Unix()); err != nil {
			return "", err
		}
	}
	for _, a := range e.Attachments {
		if err := attach(ctx, tx, id, a.FileID); err != nil {
			return "", err
		}
	}
	return id, nil
}

// copyTargetProblem checks where a copy of e goes: a class or group of
// e's establishment, to which e's author teaches e's subject (a teaching
// assignment, or a lesson of the timetable). It returns the target's name.
func copyTargetProblem(ctx context.Context, q db.Querier, e Entry, classID, groupID string) (*check.Problem, string, error) {
	table, col, id := "classes", "class_id", classID
	if groupID != "" {
		table, col, id = "groups", "group_id", groupID
	}
	var est, name string
	err := q.QueryRow(ctx, `SELECT establishment_id, name FROM `+table+` WHERE id = ?`, id).Scan(&est, &name)
	if errors.Is(err, sql.ErrNoRows) {
		return &check.Problem{Field: "target", Code: "required"}, "", nil
	}
	if err != nil {
		return nil, "", err
	}
	if est != e.EstablishmentID {
		return &check.Problem{Field: "target", Code: "other-establishment", Value: id}, name, nil
	}
	var n int
	if err := q.QueryRow(ctx, `SELECT (SELECT COUNT(*) FROM teaching_assignments WHERE teacher_id = ? AND subject_id = ? AND `+col+` = ?)
		+ (SELECT COUNT(*) FROM tt_slots s JOIN tt_slot_teachers t ON t.slot_id = s.id JOIN tt_slot_audiences a ON a.slot_id = s.id
			WHERE t.teacher_id = ? AND s.subject_id = ? AND a.`+col+` = ?)`,
		e.AuthorID, e.SubjectID, id, e.AuthorID, e.SubjectID, id).Scan(&n); err != nil {
		return nil, "", err
	}
	if n == 0 {
		return &check.Problem{Field: "target", Code: "not-taught", Value: id}, name, nil
	}
	return nil, name, nil
}

// detach removes some of an entry's attachments (its author's entry
// only); a file not attached to that entry is left alone. The files
// themselves stay: orphans tells which of them nothing refers to any more.
func detach(ctx context.Context, q db.Querier, entryID, authorID string, fileIDs []string) error {
	if len(fileIDs) == 0 {
		return nil
	}
	var n int
	if err := q.QueryRow(ctx, `SELECT COUNT(*) FROM classlog_entries WHERE id = ? AND author_id = ?`, entryID, authorID).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return errNotFound
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
	_, err := db.Strings(ctx, q, `SELECT id FROM files WHERE `+db.In(q, "id")+` ORDER BY id FOR UPDATE`, db.ListArg(q, fileIDs))
	return err
}

// filesOf lists the files an entry holds: its attachments and the work
// handed in for its homework.
func filesOf(ctx context.Context, q db.Querier, entryID string) ([]string, error) {
	return db.Strings(ctx, q, `SELECT file_id FROM classlog_attachments WHERE entry_id = ?
		UNION SELECT s.file_id FROM homework_submissions s JOIN homework h ON h.id = s.homework_id WHERE h.entry_id = ?
		ORDER BY 1`, entryID, entryID)
}

// orphans keeps, of fileIDs, the stored files that no entry attachment and
// no hand-in refers to any more.
func orphans(ctx context.Context, q db.Querier, fileIDs []string) ([]string, error) {
	if len(fileIDs) == 0 {
		return nil, nil
	}
	return db.Strings(ctx, q, `SELECT f.id FROM files f WHERE `+db.In(q, "f.id")+`
		AND NOT EXISTS (SELECT 1 FROM classlog_attachments a WHERE a.file_id = f.id)
		AND NOT EXISTS (SELECT 1 FROM homework_submissions s WHERE s.file_id = f.id) ORDER BY f.id`, db.ListArg(q, fileIDs))
}

// deleteEntry removes an entry of its author, with its homework and
// hand-ins, and returns the files left without any reference.
func deleteEntry(ctx context.Context, q db.Querier, entryID, authorID string) ([]string, error) {
	held, err := filesOf(ctx, q, entryID)
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
		return nil, errNotFound
	}
	return orphans(ctx, q, held)
}

// setQuery narrows the homework an author set (homeworkSetPage).
type setQuery struct {
	author, classID, groupID string
	from, to                 string // due dates, inclusive; "" unbounded
	today                    string // due from it on is to come, before it past
	limit, offset            int
}

func (f setQuery) where() (string, []any) {
	w, args := `WHERE e.author_id = ?`, []any{f.author}
	for _, c := range []struct {
		cond, v string
	}{{` AND h.class_id = ?`, f.classID}, {` AND h.group_id = ?`, f.groupID}, {` AND h.due_date >= ?`, f.from}, {` AND h.due_date <= ?`, f.to}} {
		if c.v != "" {
			w += c.cond
			args = append(args, c.v)
		}
	}
	return w, args
}

// homeworkSetPage reads one page of the homework an author set, drafts
// included, with their total: the homework to come first, soonest first,
// then the past, latest first.
func homeworkSetPage(ctx context.Context, q db.Querier, f setQuery) ([]Homework, int, error) {
	w, args := f.where()
	var n int
	if err := q.QueryRow(ctx, `SELECT COUNT(*) FROM homework h JOIN classlog_entries e ON e.id = h.entry_id `+w, args...).Scan(&n); err != nil {
		return nil, 0, err
	}
	hw, err := db.All(ctx, q, scanHomework, `SELECT `+homeworkCols+w+`
		ORDER BY CASE WHEN h.due_date >= ? THEN 0 ELSE 1 END, CASE WHEN h.due_date >= ? THEN h.due_date ELSE '' END,
		h.due_date DESC, su.name, COALESCE(c.name, g.name, ''), h.created_at, h.id LIMIT ? OFFSET ?`,
		append(args, f.today, f.today, f.limit, f.offset)...)
	return hw, n, err
}

// homeworkAudiences lists the classes and groups an author set homework
// for, by name.
func homeworkAudiences(ctx context.Context, q db.Querier, author string) ([]Audience, error) {
	return db.All(ctx, q, func(s db.Scanner) (a Audience, err error) {
		var class, group string
		err = s.Scan(&class, &group, &a.Name)
		a.Key = AudienceKey(class, group)
		return
	}, `SELECT DISTINCT COALESCE(h.class_id, ''), COALESCE(h.group_id, ''), COALESCE(c.name, g.name, '')
		FROM homework h JOIN classlog_entries e ON e.id = h.entry_id
		LEFT JOIN classes c ON c.id = h.class_id LEFT JOIN groups g ON g.id = h.group_id
		WHERE e.author_id = ? ORDER BY 3, 1, 2`, author)
}

// datedEntry is an entry's ID with its lesson date.
type datedEntry struct{ id, date string }

// entriesBefore lists a class's or group's entries of lessons before a
// date, newest first, a page at a time (the class log's way back).
func entriesBefore(ctx context.Context, q db.Querier, classID, groupID, before string, limit, offset int) ([]datedEntry, error) {
	col, id := "class_id", classID
	if groupID != "" {
		col, id = "group_id", groupID
	}
	return db.All(ctx, q, func(s db.Scanner) (d datedEntry, err error) { err = s.Scan(&d.id, &d.date); return },
		`SELECT id, lesson_date FROM classlog_entries WHERE `+col+` = ? AND lesson_date < ?
		ORDER BY lesson_date DESC, id LIMIT ? OFFSET ?`, id, before, limit, offset)
}

func colleaguesRead(ctx context.Context, q db.Querier, est string) (bool, error) {
	var b bool
	err := q.QueryRow(ctx, `SELECT colleagues_read FROM classlog_settings WHERE establishment_id = ?`, est).Scan(&b)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return b, err
}

func setColleaguesRead(ctx context.Context, q db.Querier, est string, on bool) error {
	_, err := q.Exec(ctx, `INSERT INTO classlog_settings (establishment_id, colleagues_read) VALUES (?, ?)
		ON CONFLICT (establishment_id) DO UPDATE SET colleagues_read = excluded.colleagues_read`, est, on)
	return err
}

// AttachedFile is an SQL condition on a row of files (named files): true
// while an entry of the class log holds it as an attachment. The purge
// keeps such a file with the entry, a contribution, when it erases its
// owner's identity.
const AttachedFile = `EXISTS (SELECT 1 FROM classlog_attachments a WHERE a.file_id = files.id)`
