package liaison

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"cartable/internal/access"
	"cartable/internal/db"
	"cartable/internal/ids"
	"cartable/internal/notify"
	"cartable/internal/timetable"
)

// Write writes a note to the legal guardians of each student of in (one
// note per student: a family sees only its own) and queues a "note-to-sign"
// notice to each of them, in one transaction. The viewer must write notes
// to every student named (a teacher of their classes or groups, school
// life): one they may not is a refusal and nothing is written. What is at
// fault in the form comes back as check.Problems, nothing written. It
// returns the notes' IDs in the order of the students.
func (s *Service) Write(ctx context.Context, v *access.Viewer, in NoteInput) ([]string, error) {
	c, ps := checkNote(in)
	if len(c.Students) > 0 && len(c.Students) <= MaxStudents {
		ok, err := v.VisibleStudents(ctx, access.WriteNote, c.Students)
		if err != nil {
			return nil, err
		}
		for _, id := range c.Students {
			if !ok[id] {
				return nil, access.Refuse(access.WriteNote, access.Person(id), "not a student the viewer writes to")
			}
		}
	}
	if len(ps) > 0 {
		return nil, ps
	}
	var out []string
	err := s.DB.Tx(ctx, func(tx *db.Tx) error {
		var err error
		out, err = writeNotes(ctx, v, tx, v.ID, c, s.now(), ids.New)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// WriteIn writes notes as given inside the caller's transaction, for the
// system's own work (the demo generator): author names the writer, at the
// instant; newID draws the notes' identifiers (the demo's seeded source).
// A person is refused: pages call Write.
func WriteIn(ctx context.Context, v *access.Viewer, tx *db.Tx, author string, in NoteInput, at time.Time, newID func() string) ([]string, error) {
	if !v.IsSystem() {
		return nil, access.Refuse(access.WriteNote, access.Person(author), "written in a transaction by the system only")
	}
	c, ps := checkNote(in)
	if len(ps) > 0 {
		return nil, ps
	}
	return writeNotes(ctx, v, tx, author, c, at, newID)
}

// writeNotes writes the checked notes of author and queues their notices.
func writeNotes(ctx context.Context, v *access.Viewer, q db.Querier, author string, c NoteInput, at time.Time, newID func() string) ([]string, error) {
	authorEst, err := establishmentsOf(ctx, q, author)
	if err != nil {
		return nil, err
	}
	guardians, err := guardiansOf(ctx, q, c.Students)
	if err != nil {
		return nil, err
	}
	pupils, err := pupilsOf(ctx, q, c.Students)
	if err != nil {
		return nil, err
	}
	names := map[string]string{}
	for _, p := range pupils {
		names[p.ID] = p.Name
	}
	batch := newID()
	out := make([]string, 0, len(c.Students))
	for _, student := range c.Students {
		ests, err := establishmentsOf(ctx, q, student)
		if err != nil {
			return nil, err
		}
		// The note belongs to the establishment the author and the student
		// share (the first, should there be several).
		est := ""
		for _, e := range ests {
			if slices.Contains(authorEst, e) {
				est = e
				break
			}
		}
		if est == "" {
			return nil, access.Refuse(access.WriteNote, access.Person(student), "no establishment shared with the student")
		}
		n := Note{ID: newID(), EstablishmentID: est, StudentID: student, AuthorID: author, Subject: c.Subject, Body: c.Body, At: at}
		if err := insertNote(ctx, q, n, batch); err != nil {
			return nil, err
		}
		first, _, _ := strings.Cut(names[student], " ")
		for _, g := range guardians[student] {
			if _, err := notify.Queue(ctx, v, q, notify.Notice{Establishment: est, Recipient: g.id, About: student,
				Kind: NoticeToSign, Key: NoticeToSign + "/" + n.ID, Link: "/notes/" + n.ID,
				Args: map[string]string{"subject": n.Subject, "student": first}}); err != nil {
				return nil, err
			}
		}
		out = append(out, n.ID)
	}
	return out, nil
}

// Sign records that the viewer, a legal guardian of the note's student,
// has read it ("j'ai pris connaissance"). Signing again changes nothing
// and keeps the first instant. Anyone else, or an unknown note, is a
// refusal. It returns whether this call signed.
func (s *Service) Sign(ctx context.Context, v *access.Viewer, noteID string) (bool, error) {
	n, err := noteByID(ctx, s.DB, noteID)
	if errors.Is(err, errNotFound) {
		return false, access.Refuse(access.SignNote, access.Person(""), "no such note")
	}
	if err != nil {
		return false, err
	}
	if err := v.Can(ctx, access.SignNote, access.Person(n.StudentID)); err != nil {
		return false, err
	}
	var signed bool
	err = s.DB.Tx(ctx, func(tx *db.Tx) error {
		var err error
		if signed, err = SignIn(ctx, v, tx, n.ID, v.ID, s.now()); err != nil {
			return err
		}
		// The note's notices to this guardian are done with.
		return notify.MarkReadByKey(ctx, v, tx, NoticeToSign+"/"+n.ID, NoticeReminder+"/"+n.ID)
	})
	return signed, err
}

// SignIn records guardian's acknowledgement of a note at an instant, in
// q: for Sign, and for the system's own work (the demo generator), which
// passes the guardian. A person signs only for themself.
func SignIn(ctx context.Context, v *access.Viewer, q db.Querier, noteID, guardian string, at time.Time) (bool, error) {
	if !v.IsSystem() && guardian != v.ID {
		return false, access.Refuse(access.SignNote, access.Person(guardian), "one signs for oneself only")
	}
	return insertSignature(ctx, q, noteID, guardian, at)
}

// Reply adds an answer to a note's thread: a legal guardian in their own
// thread; the author or school life in the thread of a guardian of the
// student (in.Thread). The other side is told by a "note-reply" notice.
// The student, a relative who is not a legal guardian, another teacher, a
// thread that is not one of the note's, an unknown note: refusals. An
// empty or too long text comes back as check.Problems, nothing written.
func (s *Service) Reply(ctx context.Context, v *access.Viewer, in ReplyInput) error {
	n, aud, err := s.open(ctx, v, in.NoteID)
	if err != nil {
		return err
	}
	guardian := in.Thread
	switch aud {
	case audGuardian:
		if guardian != "" && guardian != v.ID {
			return access.Refuse(access.SignNote, access.Person(guardian), "another guardian's thread")
		}
		guardian = v.ID
	case audStaff:
		ok, err := s.threadOf(ctx, n, guardian)
		if err != nil {
			return err
		}
		if !ok {
			return access.Refuse(access.WriteNote, access.Person(guardian), "not a thread of the note")
		}
	default:
		return access.Refuse(access.SignNote, access.Person(n.StudentID), "reads the note only")
	}
	if ps := CheckReply(in); len(ps) > 0 {
		return ps
	}
	return s.DB.Tx(ctx, func(tx *db.Tx) error {
		id := ids.For(ctx)
		if err := insertReply(ctx, tx, id, n.ID, guardian, v.ID, cleanText(in.Body), s.now()); err != nil {
			return err
		}
		to := n.AuthorID
		if aud == audStaff {
			to = guardian
		}
		_, err := notify.Queue(ctx, v, tx, notify.Notice{Establishment: n.EstablishmentID, Recipient: to, About: n.StudentID,
			Kind: NoticeReply, Key: NoticeReply + "/" + id, Link: "/notes/" + n.ID, Args: map[string]string{"subject": n.Subject}})
		return err
	})
}

// ReplyIn adds an answer of author in guardian's thread of a note inside
// the caller's transaction, for the system's own work (the demo
// generator), which passes the answer's identifier. A person is refused:
// pages call Reply.
func ReplyIn(ctx context.Context, v *access.Viewer, tx *db.Tx, id, noteID, guardian, author, body string, at time.Time) error {
	if !v.IsSystem() {
		return access.Refuse(access.SignNote, access.Person(guardian), "written in a transaction by the system only")
	}
	if ps := CheckReply(ReplyInput{Body: body}); len(ps) > 0 {
		return ps
	}
	return insertReply(ctx, tx, id, noteID, guardian, author, cleanText(body), at)
}

// threadOf tells whether guardian names a thread of the note: a current
// legal guardian of its student, or one who signed or answered it.
func (s *Service) threadOf(ctx context.Context, n Note, guardian string) (bool, error) {
	if guardian == "" {
		return false, nil
	}
	gs, err := guardiansOf(ctx, s.DB, []string{n.StudentID})
	if err != nil {
		return false, err
	}
	for _, g := range gs[n.StudentID] {
		if g.id == guardian {
			return true, nil
		}
	}
	sig, err := signaturesOf(ctx, s.DB, []string{n.ID})
	if err != nil {
		return false, err
	}
	if _, ok := sig[n.ID][guardian]; ok {
		return true, nil
	}
	rs, err := repliesOf(ctx, s.DB, n.ID, guardian)
	return len(rs) > 0, err
}

// Remind queues a "note-reminder" notice to each legal guardian who has
// not signed a note written between RemindFor and RemindAfter ago, once a
// day at most per note (the day in Paris; replicas running it together
// remind once: the note's day is claimed before the notices are queued).
// Only the system runs it (the server's periodic work). It returns the
// notices queued.
func (s *Service) Remind(ctx context.Context, v *access.Viewer, now time.Time) (int, error) {
	if !v.IsSystem() {
		return 0, access.Refuse(access.WriteNote, access.Person(""), "reminders are the instance's work")
	}
	day := now.In(timetable.Paris).Format(timetable.DateFormat)
	notes, err := remindable(ctx, s.DB, now.Add(-s.remindFor()).Unix(), now.Add(-s.remindAfter()).Unix(), day)
	if err != nil {
		return 0, err
	}
	total := 0
	for _, n := range notes {
		err := s.DB.Tx(ctx, func(tx *db.Tx) error {
			claimed, err := markReminded(ctx, tx, n.ID, day)
			if err != nil || !claimed {
				return err
			}
			gs, err := guardiansOf(ctx, tx, []string{n.StudentID})
			if err != nil {
				return err
			}
			sig, err := signaturesOf(ctx, tx, []string{n.ID})
			if err != nil {
				return err
			}
			first, _, _ := strings.Cut(n.StudentName, " ")
			for _, g := range gs[n.StudentID] {
				if _, signed := sig[n.ID][g.id]; signed {
					continue
				}
				queued, err := notify.Queue(ctx, v, tx, notify.Notice{Establishment: n.EstablishmentID, Recipient: g.id, About: n.StudentID,
					Kind: NoticeReminder, Key: NoticeReminder + "/" + n.ID + "/" + day, Link: "/notes/" + n.ID,
					Args: map[string]string{"subject": n.Subject, "student": first}})
				if err != nil {
					return err
				}
				if queued {
					total++
				}
			}
			return nil
		})
		if err != nil {
			return total, err
		}
	}
	return total, nil
}
