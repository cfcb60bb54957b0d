// Package messaging is the workspace's messaging: conversations with a
// subject and messages in sanitised rich text, between people the
// communication rules let write to each other (internal/access/comm.go).
//
// It owns the msg_* tables (migration 0018) and their SQL. Every function a
// page calls takes the viewer. Sending asks the policy write-to for every
// recipient (server side, whatever the form offered) and names the
// recipient and the rule of a refusal; reading needs nothing but being a
// participant: a conversation is read by its participants only, never by
// an administrator or the head (there is no read-through), and a
// conversation one is not part of is answered like a missing one
// (access.ErrDenied). The one exception is a participant's own choice: a
// message they report to school life is shown, alone, to the school-life
// office of the conversation's establishment (Reports).
//
// A conversation's author may close it (a "discussion fermée": read by its
// participants, answered by nobody) and reopen it; staff may send a message
// whose recipients cannot answer (Compose.NoReply: closed when written).
// A draft keeps its attachments until it is sent or discarded.
//
// New messages are announced through internal/notify (kind "message", one
// notice per recipient and message), without their subject or text.
package messaging

import (
	"time"

	"cartable/internal/db"
	"cartable/internal/files"
)

// Folders of a participant.
const (
	Inbox   = "inbox"
	Sent    = "sent"
	Archive = "archive"
	Trash   = "trash"
	Drafts  = "drafts" // the viewer's unsent drafts (not a participant folder)
)

// Folders in the order of the pages.
var Folders = []string{Inbox, Sent, Drafts, Archive, Trash}

// Limits.
const (
	MaxSubject = 200 // runes
	// MaxBody is the sanitised body's size in bytes (richtext has its own
	// bound on the input).
	MaxBody = 60000
	// MaxRecipients bounds one message (a class's families are about 60).
	MaxRecipients = 400
	// MaxStudentRecipients: students cannot mass-message.
	MaxStudentRecipients = 5
	// PageSize is a folder's page.
	PageSize = 50
)

// Retention bounds, in days: a conversation untouched for that long is
// deleted by the daily purge.
const (
	MinRetentionDays     = 30
	MaxRetentionDays     = 3 * 365
	DefaultRetentionDays = 365
)

// Service is messaging as the pages see it.
type Service struct {
	DB    *db.DB
	Files *files.Store // nil: no attachments
	Now   func() time.Time
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// Person is a participant or a candidate recipient, by name.
type Person struct {
	ID        string
	FirstName string
	LastName  string
	Profile   string
}

// Name is how pages show a person.
func (p Person) Name() string { return p.FirstName + " " + p.LastName }

// Summary is a conversation in a folder.
type Summary struct {
	ID      string
	Subject string
	With    []Person // the other participants (at most a few; Others counts the rest)
	Others  int
	LastAt  time.Time
	Unread  bool
	Folder  string
}

// Message is one message of a conversation as a participant reads it.
type Message struct {
	ID          string
	Author      Person
	Body        string // sanitised HTML
	At          time.Time
	Receipts    []Receipt // for its author only: who read it, when
	Attachments []Attachment
	Mine        bool
}

// Receipt tells whether one recipient opened a message.
type Receipt struct {
	Person Person
	ReadAt time.Time // zero: not read yet
}

// Conversation is a conversation as one of its participants reads it.
type Conversation struct {
	ID            string
	Establishment string
	Subject       string
	Participants  []Person // those the reader may know by name, and every author
	Hidden        int      // the other recipients, counted (a message to many is as in blind copy)
	Messages      []Message
	Folder        string
	// Closed: a closed discussion, read by its participants, answered by
	// nobody (ClosedAt, by ClosedBy). CanClose: the reader started it and
	// may close or reopen it.
	Closed   bool
	ClosedAt time.Time
	ClosedBy Person
	CanClose bool
}

// Draft is an unsent message.
type Draft struct {
	ID           string
	Conversation string // a reply's conversation; "" for a new one
	Recipients   []string
	Subject      string
	Body         string
	NoReply      bool // "the recipients cannot answer", as ticked
	UpdatedAt    time.Time
	// Attachments kept with the draft (sealed like a message's); they go
	// with the message when it is sent.
	Attachments []Attachment
}
