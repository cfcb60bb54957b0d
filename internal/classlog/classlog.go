// Package classlog holds the class log (cahier de textes): what each lesson
// covered, written by its teacher for a class or a group, with homework
// (due date or lesson, description, estimated time, hand-in mode), the
// students' own done-ticks and the work they hand in, and the files
// attached to entries. Entries may be drafts or scheduled for later
// publication, and copied to another class.
//
// It owns its tables and their SQL (store.go). Its service (Service,
// service.go, write.go, homework.go) answers for a viewer: every read and
// write asks the access policy first and refuses (access.ErrDenied) what
// the viewer may not see or do, the same way whether it is missing or
// forbidden. Writes own their transaction, together with the file store:
// the files of a write that fails are discarded, those a write lets go are
// erased once it has committed. Forms are validated by check.go.
package classlog

import (
	"errors"
	"time"
)

// Categories of an entry.
var Categories = []string{"lesson", "tutorial", "practical", "test", "other"}

// Hand-in modes of a homework.
var HandIns = []string{"none", "paper", "upload"}

// MaxAttachments is the most files one entry carries.
const MaxAttachments = 10

// ErrNoStorage refuses an upload when no file storage is configured.
var ErrNoStorage = errors.New("classlog: file storage is not configured")

// Entry is a class log entry.
type Entry struct {
	ID, EstablishmentID         string
	AuthorID, AuthorName        string
	SlotID, LessonDate          string
	ClassID, GroupID, Structure string
	SubjectID, SubjectCode      string
	SubjectName                 string
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

// HandedIn counts the work handed in for the entry's homework.
func (e Entry) HandedIn() int {
	n := 0
	for _, h := range e.Homework {
		n += h.Submissions
	}
	return n
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
	// Its entry: the lesson it was set in (EntrySlotID empty for a copy,
	// which has no lesson), and whether it is still a draft (the author's
	// pages).
	EntrySlotID, LessonDate string
	Draft                   bool
	// HandIns is what the viewer reaches of the work handed in: HandInsAll
	// (the author, the head and deputy: every student's), HandInsOwn (a
	// student their own, a relative their child's), or "" (nothing, and no
	// link to the hand-ins page). Set by the service where a page links to
	// that page.
	HandIns string
	// For one student's list:
	Done        bool
	Submitted   bool
	SubmittedAt time.Time
	FileID      string
	FileName    string
	FileSize    int64
	Late        bool         // handed in after the due day
	CanOpen     bool         // the viewer may download the file handed in (FileID)
	Attachments []Attachment // its entry's, for the student's list
}

// What a viewer reaches of a homework's hand-ins (Homework.HandIns).
const (
	HandInsAll = "all"
	HandInsOwn = "own"
)

// EntryInput is what the teacher's form sends; strings as typed.
type EntryInput struct {
	ID         string // empty: a new entry
	SlotID     string // the lesson occurrence: its slot and original date
	LessonDate string
	// Audience is the class or group written for, as forms send it
	// ("c:ID" or "g:ID", see AudienceKey); empty: the lesson's first. An
	// edited entry keeps its own.
	Audience  string
	Title     string
	Body      string
	Category  string
	Draft     bool
	PublishAt string // "YYYY-MM-DDTHH:MM" in Paris, or ""
	Homework  []HomeworkInput
	// Remove lists the attachments to take off the edited entry.
	Remove []string

	// Set by the service from the lesson and the viewer; given by the
	// system's work only (SaveIn).
	EstablishmentID, AuthorID, SubjectID string
}

// HomeworkInput is one homework line of the form.
type HomeworkInput struct {
	// ID is the homework the line edits: kept only when it is one of the
	// edited entry's own, else the line is new.
	ID          string
	DueDate     string
	DueSlotID   string // "SLOT/DATE": due at that lesson
	Description string
	Minutes     string
	HandIn      string
	// DiscardHandIns confirms, on a line emptied to remove its homework,
	// that the work students handed in for it goes too.
	DiscardHandIns bool
}

// HandInRow is one student of a homework's class or group.
type HandInRow struct {
	StudentID, FirstName, LastName string
	Submitted                      bool
	SubmittedAt                    time.Time
	FileID, FileName               string
	FileSize                       int64
	CanOpen                        bool // the viewer may download the file
	Late                           bool // handed in after the due day, or not yet and the day is over
}

// Audience is a class or group as forms choose it: Key "c:ID" or "g:ID"
// (AudienceKey), and its name.
type Audience struct {
	Key, Name string
}
