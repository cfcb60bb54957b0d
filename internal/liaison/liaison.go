// Package liaison is the digital carnet de liaison: correspondence notes
// from a teacher or school life to a student's legal guardians. Each legal
// guardian acknowledges a note ("j'ai pris connaissance", timestamped,
// once), may answer in their own thread, and is reminded until they have
// signed; the author and school life see who has signed and who has not.
//
// It owns the liaison_* tables (migration 0013) and their SQL. Every
// function that a page calls takes the viewer and asks the access policy
// (internal/access/schoollife.go: WriteNote, SignNote, ReadSchoolLife)
// before it reads or changes anything, and answers a missing note like a
// forbidden one (access.ErrDenied). Notices to the guardians go through the
// outbox (internal/notify) in the transaction of the note.
//
// Who sees a note (need to know; docs/liaison.md):
//   - its author (while attached to its establishment) and school life of
//     that establishment (CPE, head, deputy): the note, every guardian's
//     acknowledgement, every thread (StaffNote);
//   - each legal guardian of the student: the note, their own
//     acknowledgement and their own thread only (GuardianNote) — two
//     separated parents do not read each other's answers;
//   - the student and a relative who is not a legal guardian: the note
//     alone, read only (Note);
//   - no other teacher, even one of the student's: a note is an exchange
//     between its author and the family, followed by school life.
package liaison

import (
	"time"

	"cartable/internal/db"
)

// Service is the carnet de liaison as the pages see it.
type Service struct {
	DB  *db.DB
	Now func() time.Time
	// RemindAfter is how long a note waits for a signature before its
	// guardians are reminded (then at most once a day); 0 means 2 days.
	RemindAfter time.Duration
	// RemindFor bounds the reminders: a note older than this is no longer
	// reminded (school life still sees it unsigned); 0 means 30 days.
	RemindFor time.Duration
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Service) remindAfter() time.Duration {
	if s.RemindAfter > 0 {
		return s.RemindAfter
	}
	return 48 * time.Hour
}

func (s *Service) remindFor() time.Duration {
	if s.RemindFor > 0 {
		return s.RemindFor
	}
	return 30 * 24 * time.Hour
}

// Limits of the forms.
const (
	MaxSubject  = 150  // characters of a note's subject
	MaxBody     = 4000 // characters of a note's text
	MaxReply    = 2000 // characters of an answer
	MaxStudents = 60   // students one form writes to
)

// Kinds of the notices queued in the outbox (internal/notify).
const (
	NoticeToSign   = "note-to-sign"  // a new note: each legal guardian, at once
	NoticeReminder = "note-reminder" // still unsigned after RemindAfter, once a day at most
	NoticeReply    = "note-reply"    // an answer in a thread: the other side
)

// Note is what every reader of a note sees.
type Note struct {
	ID              string
	EstablishmentID string
	StudentID       string
	StudentName     string
	AuthorID        string
	AuthorName      string // "M. Martin": the title and last name
	Subject         string
	Body            string // plain text
	At              time.Time
}

// Acknowledgement is one legal guardian's state on a note, for its author
// and school life.
type Acknowledgement struct {
	GuardianID string
	Name       string
	Signed     bool
	SignedAt   time.Time
	// Former: signed, but no longer a legal guardian of the student.
	Former bool
}

// Reply is one message of a thread.
type Reply struct {
	ID         string
	AuthorName string
	FromFamily bool // written by the guardian of the thread
	At         time.Time
	Body       string
}

// Thread is one guardian's exchange with the school about a note.
type Thread struct {
	GuardianID   string
	GuardianName string
	Replies      []Reply
}

// StaffNote is a note as its author and school life see it.
type StaffNote struct {
	Note
	Guardians []Acknowledgement // current legal guardians first, then former signers
	Threads   []Thread          // one per guardian who may answer, even empty
}

// Complete tells whether every current legal guardian has signed (false
// when the student has none).
func (n StaffNote) Complete() bool {
	k := 0
	for _, g := range n.Guardians {
		if g.Former {
			continue
		}
		if !g.Signed {
			return false
		}
		k++
	}
	return k > 0
}

// GuardianNote is a note as one legal guardian of the student sees it:
// their own acknowledgement and their own thread.
type GuardianNote struct {
	Note
	Signed   bool
	SignedAt time.Time
	Thread   []Reply
}

// NoteView is one note for one viewer: exactly one field is set, by what
// the viewer is to the note.
type NoteView struct {
	Staff    *StaffNote
	Guardian *GuardianNote
	Reader   *Note // the student, a relative who is not a legal guardian
}

// StaffItem is a line of the author's and school life's lists.
type StaffItem struct {
	Note
	Expected int // current legal guardians
	Signed   int // of them, those who have signed
	Replies  int
}

// Complete: every current legal guardian has signed.
func (i StaffItem) Complete() bool { return i.Expected > 0 && i.Signed == i.Expected }

// GuardianItem is a line of a legal guardian's list for one child.
type GuardianItem struct {
	Note
	Signed   bool
	SignedAt time.Time
	Replies  int // in the guardian's thread
}

// ChildNotes is the notes about one student for the student or a relative:
// Guardian for a legal guardian (unsigned first), Reader otherwise.
type ChildNotes struct {
	IsGuardian bool
	Guardian   []GuardianItem
	Reader     []Note
}

// Pupil is a student one may write to.
type Pupil struct {
	ID   string
	Name string
}

// Structure is a class or a group one may write to the students of.
type Structure struct {
	Kind string // "class" or "group"
	ID   string
	Name string
}

// Key is the structure's form value ("class:ID", "group:ID").
func (s Structure) Key() string { return s.Kind + ":" + s.ID }

func unix(s int64) time.Time { return time.Unix(s, 0) }
