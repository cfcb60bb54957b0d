package liaison

// The SQL of the liaison tables, and the reads of the directory's tables
// its pages join (names, legal guardians, rosters). Nothing here asks the
// policy: the service does before it calls these.

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"cartable/internal/db"
)

// errNotFound is a note that does not exist (answered as a refusal).
var errNotFound = errors.New("liaison: no such note")

const noteCols = `n.id, n.establishment_id, n.student_id, s.first_name || ' ' || s.last_name, n.author_id,
	a.title || ' ' || a.last_name, n.subject, n.body, n.created_at
	FROM liaison_notes n JOIN people s ON s.id = n.student_id JOIN people a ON a.id = n.author_id `

func scanNote(s db.Scanner) (Note, error) {
	var n Note
	var at int64
	err := s.Scan(&n.ID, &n.EstablishmentID, &n.StudentID, &n.StudentName, &n.AuthorID, &n.AuthorName, &n.Subject, &n.Body, &at)
	n.At, n.AuthorName = time.Unix(at, 0), strings.TrimSpace(n.AuthorName)
	return n, err
}

func noteByID(ctx context.Context, q db.Querier, id string) (Note, error) {
	n, err := scanNote(q.QueryRow(ctx, `SELECT `+noteCols+`WHERE n.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return n, errNotFound
	}
	return n, err
}

func notesOfAuthor(ctx context.Context, q db.Querier, author string, limit int) ([]Note, error) {
	return db.All(ctx, q, scanNote, `SELECT `+noteCols+`WHERE n.author_id = ? ORDER BY n.created_at DESC, n.id LIMIT ?`, author, limit)
}

func notesOfStudent(ctx context.Context, q db.Querier, student string, limit int) ([]Note, error) {
	return db.All(ctx, q, scanNote, `SELECT `+noteCols+`WHERE n.student_id = ? ORDER BY n.created_at DESC, n.id LIMIT ?`, student, limit)
}

// waiting is the condition "a current legal guardian of the note's student
// has not signed it".
const waiting = `EXISTS (SELECT 1 FROM family_links f JOIN people g ON g.id = f.relative_id
	WHERE f.student_id = n.student_id AND f.legal_guardian AND g.active
	AND NOT EXISTS (SELECT 1 FROM liaison_signatures x WHERE x.note_id = n.id AND x.guardian_id = f.relative_id))`

// unreached is the condition "the note's student has no current legal
// guardian": nobody will sign it, which school life and its author must see
// (while the student is active: the lists below ask s.active).
const unreached = `NOT EXISTS (SELECT 1 FROM family_links f JOIN people g ON g.id = f.relative_id
	WHERE f.student_id = n.student_id AND f.legal_guardian AND g.active)`

func unsignedOfEstablishment(ctx context.Context, q db.Querier, est string, limit int) ([]Note, error) {
	return db.All(ctx, q, scanNote, `SELECT `+noteCols+`WHERE n.establishment_id = ? AND s.active AND (`+waiting+` OR `+unreached+`)
		ORDER BY n.created_at, n.id LIMIT ?`, est, limit)
}

// unsignedBy lists the notes about student that guardian has not signed.
func unsignedBy(ctx context.Context, q db.Querier, student, guardian string, limit int) ([]Note, error) {
	return db.All(ctx, q, scanNote, `SELECT `+noteCols+`WHERE n.student_id = ?
		AND NOT EXISTS (SELECT 1 FROM liaison_signatures x WHERE x.note_id = n.id AND x.guardian_id = ?)
		ORDER BY n.created_at DESC, n.id LIMIT ?`, student, guardian, limit)
}

func unsignedOfAuthor(ctx context.Context, q db.Querier, author string, limit int) ([]Note, error) {
	return db.All(ctx, q, scanNote, `SELECT `+noteCols+`WHERE n.author_id = ? AND s.active AND (`+waiting+` OR `+unreached+`)
		ORDER BY n.created_at, n.id LIMIT ?`, author, limit)
}

// person is a name to show.
type person struct{ id, name string }

// guardiansOf returns the current legal guardians (active accounts) of each
// student.
func guardiansOf(ctx context.Context, q db.Querier, students []string) (map[string][]person, error) {
	out := map[string][]person{}
	if len(students) == 0 {
		return out, nil
	}
	type row struct {
		student string
		person
	}
	rows, err := db.All(ctx, q, func(s db.Scanner) (row, error) {
		var r row
		err := s.Scan(&r.student, &r.id, &r.name)
		return r, err
	}, `SELECT f.student_id, g.id, g.first_name || ' ' || g.last_name FROM family_links f JOIN people g ON g.id = f.relative_id
		WHERE `+db.In(q, "f.student_id")+` AND f.legal_guardian AND g.active ORDER BY g.last_name, g.first_name, g.id`, db.ListArg(q, students))
	for _, r := range rows {
		out[r.student] = append(out[r.student], r.person)
	}
	return out, err
}

// signature is one acknowledgement, with the signer's name.
type signature struct {
	note, guardian, name string
	at                   int64
}

func signaturesOf(ctx context.Context, q db.Querier, notes []string) (map[string]map[string]signature, error) {
	out := map[string]map[string]signature{}
	if len(notes) == 0 {
		return out, nil
	}
	rows, err := db.All(ctx, q, func(s db.Scanner) (signature, error) {
		var x signature
		err := s.Scan(&x.note, &x.guardian, &x.name, &x.at)
		return x, err
	}, `SELECT x.note_id, x.guardian_id, g.first_name || ' ' || g.last_name, x.signed_at FROM liaison_signatures x
		JOIN people g ON g.id = x.guardian_id WHERE `+db.In(q, "x.note_id")+` ORDER BY x.signed_at, x.guardian_id`, db.ListArg(q, notes))
	for _, x := range rows {
		if out[x.note] == nil {
			out[x.note] = map[string]signature{}
		}
		out[x.note][x.guardian] = x
	}
	return out, err
}

// noteCounts are what the staff's lists show of a note: the legal
// guardians expected to sign, how many of them did, and the answers.
type noteCounts struct{ expected, signed, replies int }

// countsOf counts, in one statement, each note's current legal guardians
// (active accounts), their signatures and the answers of every thread.
func countsOf(ctx context.Context, q db.Querier, notes []string) (map[string]noteCounts, error) {
	out := map[string]noteCounts{}
	if len(notes) == 0 {
		return out, nil
	}
	const guardians = `FROM family_links f JOIN people g ON g.id = f.relative_id WHERE f.student_id = n.student_id AND f.legal_guardian AND g.active`
	_, err := db.All(ctx, q, func(s db.Scanner) (struct{}, error) {
		var id string
		var c noteCounts
		err := s.Scan(&id, &c.expected, &c.signed, &c.replies)
		out[id] = c
		return struct{}{}, err
	}, `SELECT n.id, (SELECT COUNT(*) `+guardians+`),
		(SELECT COUNT(*) `+guardians+` AND EXISTS (SELECT 1 FROM liaison_signatures x WHERE x.note_id = n.id AND x.guardian_id = g.id)),
		(SELECT COUNT(*) FROM liaison_replies r WHERE r.note_id = n.id)
		FROM liaison_notes n WHERE `+db.In(q, "n.id"), db.ListArg(q, notes))
	return out, err
}

// replyCounts counts the answers of each note, per thread.
func replyCounts(ctx context.Context, q db.Querier, notes []string) (map[string]map[string]int, error) {
	out := map[string]map[string]int{}
	if len(notes) == 0 {
		return out, nil
	}
	type row struct {
		note, guardian string
		n              int
	}
	rows, err := db.All(ctx, q, func(s db.Scanner) (row, error) {
		var r row
		err := s.Scan(&r.note, &r.guardian, &r.n)
		return r, err
	}, `SELECT note_id, guardian_id, COUNT(*) FROM liaison_replies WHERE `+db.In(q, "note_id")+` GROUP BY note_id, guardian_id`, db.ListArg(q, notes))
	for _, r := range rows {
		if out[r.note] == nil {
			out[r.note] = map[string]int{}
		}
		out[r.note][r.guardian] = r.n
	}
	return out, err
}

// replyRow is an answer with its thread and author.
type replyRow struct {
	Reply
	guardian, guardianName, author string
}

// repliesOf reads a note's answers, of one thread when guardian is set.
func repliesOf(ctx context.Context, q db.Querier, note, guardian string) ([]replyRow, error) {
	return db.All(ctx, q, func(s db.Scanner) (replyRow, error) {
		var r replyRow
		var at int64
		err := s.Scan(&r.ID, &r.guardian, &r.guardianName, &r.author, &r.AuthorName, &r.Body, &at)
		r.At, r.FromFamily, r.AuthorName = time.Unix(at, 0), r.author == r.guardian, strings.TrimSpace(r.AuthorName)
		return r, err
	}, `SELECT r.id, r.guardian_id, g.first_name || ' ' || g.last_name, r.author_id,
		CASE WHEN r.author_id = r.guardian_id THEN a.first_name || ' ' || a.last_name ELSE a.title || ' ' || a.last_name END,
		r.body, r.created_at FROM liaison_replies r JOIN people g ON g.id = r.guardian_id JOIN people a ON a.id = r.author_id
		WHERE r.note_id = ? AND (? = '' OR r.guardian_id = ?) ORDER BY r.created_at, r.id`, note, guardian, guardian)
}

// establishmentsOf lists a person's establishments.
func establishmentsOf(ctx context.Context, q db.Querier, id string) ([]string, error) {
	return db.Strings(ctx, q, `SELECT establishment_id FROM memberships WHERE person_id = ? ORDER BY establishment_id`, id)
}

func scanPupil(s db.Scanner) (Pupil, error) {
	var p Pupil
	err := s.Scan(&p.ID, &p.Name)
	return p, err
}

// pupilsOf reads students' names, sorted.
func pupilsOf(ctx context.Context, q db.Querier, ids []string) ([]Pupil, error) {
	return db.All(ctx, q, scanPupil, `SELECT id, first_name || ' ' || last_name FROM people WHERE `+db.In(q, "id")+`
		ORDER BY last_name, first_name, id`, db.ListArg(q, ids))
}

// rosterOf lists the active students of a class or group.
func rosterOf(ctx context.Context, q db.Querier, st Structure) ([]Pupil, error) {
	if st.Kind == "group" {
		return db.All(ctx, q, scanPupil, `SELECT p.id, p.first_name || ' ' || p.last_name FROM group_members m JOIN people p ON p.id = m.student_id
			WHERE m.group_id = ? AND p.active ORDER BY p.last_name, p.first_name, p.id`, st.ID)
	}
	return db.All(ctx, q, scanPupil, `SELECT p.id, p.first_name || ' ' || p.last_name FROM enrolments m JOIN people p ON p.id = m.student_id
		WHERE m.class_id = ? AND p.active ORDER BY p.last_name, p.first_name, p.id`, st.ID)
}

func insertNote(ctx context.Context, q db.Querier, n Note, batch string) error {
	_, err := q.Exec(ctx, `INSERT INTO liaison_notes (id, establishment_id, student_id, author_id, batch_id, subject, body, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, n.ID, n.EstablishmentID, n.StudentID, n.AuthorID, batch, n.Subject, n.Body, n.At.Unix())
	return err
}

// insertSignature records an acknowledgement once: a second one changes
// nothing (false).
func insertSignature(ctx context.Context, q db.Querier, note, guardian string, at time.Time) (bool, error) {
	res, err := q.Exec(ctx, `INSERT INTO liaison_signatures (note_id, guardian_id, signed_at) VALUES (?, ?, ?)
		ON CONFLICT (note_id, guardian_id) DO NOTHING`, note, guardian, at.Unix())
	if err != nil {
		return false, err
	}
	k, err := res.RowsAffected()
	return k == 1, err
}

func insertReply(ctx context.Context, q db.Querier, id, note, guardian, author, body string, at time.Time) error {
	_, err := q.Exec(ctx, `INSERT INTO liaison_replies (id, note_id, guardian_id, author_id, body, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
		id, note, guardian, author, body, at.Unix())
	return err
}

// remindable lists the notes written between two instants that still wait
// for a signature and were not reminded on day.
func remindable(ctx context.Context, q db.Querier, from, to int64, day string) ([]Note, error) {
	return db.All(ctx, q, scanNote, `SELECT `+noteCols+`WHERE n.created_at BETWEEN ? AND ? AND n.reminded_on < ? AND `+waiting+`
		ORDER BY n.created_at, n.id`, from, to, day)
}

// markReminded claims the day's reminder of a note: false when another
// run (another replica) already did.
func markReminded(ctx context.Context, q db.Querier, note, day string) (bool, error) {
	res, err := q.Exec(ctx, `UPDATE liaison_notes SET reminded_on = ? WHERE id = ? AND reminded_on < ?`, day, note, day)
	if err != nil {
		return false, err
	}
	k, err := res.RowsAffected()
	return k == 1, err
}
