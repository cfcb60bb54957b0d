// Package news is the establishment's news: written by staff and teachers
// for an audience (the whole establishment, a profile, a function, the
// students and/or families of classes and groups), shown within a
// publication window, kept as a draft until published, and, when the
// author asks for it, acknowledged by each recipient before a deadline.
//
// It owns the news tables (migration 0019) and their SQL. Who may publish
// to which audience is the access policy's (internal/access/news.go:
// PublishNews, FollowNews), asked by every function a page calls. The
// audience is resolved when the news is published into one row per person
// (news_recipients): a reader sees only the rows that name them, tracking
// is exact, and a later change of the directory does not rewrite who was
// addressed. A "news" notice to each recipient goes through the outbox
// (internal/notify) in the transaction of the publication.
package news

import (
	"time"

	"cartable/internal/db"
	"cartable/internal/files"
)

// Service is the news as the pages see it.
type Service struct {
	DB    *db.DB
	Files *files.Store // attachments, sealed at rest; nil refuses them
	Now   func() time.Time
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// Limits of the form.
const (
	MaxTitle   = 150
	MaxBody    = 8000
	MaxTargets = 40
)

// Kinds of the notices queued in the outbox (internal/notify).
const (
	NoticeNews     = "news"          // a news item published: each recipient
	NoticeReminder = "news-reminder" // a reminder (the author's, or automatic): each recipient who has not acknowledged
	NoticeChanged  = "news-changed"  // the news edited and its acknowledgement asked again: each recipient
)

// Target kinds of an audience: "profile:student", "function:cpe",
// "class:ID", "group:ID".
const (
	TargetProfile  = "profile"
	TargetFunction = "function"
	TargetClass    = "class"
	TargetGroup    = "group"
)

// Target is one part of an audience, with the name of the class or group
// as it was at writing.
type Target struct {
	Kind string
	ID   string // the profile, the function, or the class or group ID
	Name string // the class's or group's name; "" for a profile or a function
}

// Key is the target's form value ("class:ID").
func (t Target) Key() string { return t.Kind + ":" + t.ID }

// News is a news item as every reader sees it.
type News struct {
	ID              string
	EstablishmentID string
	AuthorID        string
	AuthorName      string
	Title           string
	Body            string // plain text
	Targets         []Target
	ClassStudents   bool // class and group targets: the students
	ClassFamilies   bool // … and/or their legal guardians
	From            time.Time
	Until           time.Time // zero: no end
	AckRequired     bool
	AckDeadline     time.Time // zero: none
	Draft           bool
	PublishedAt     time.Time
	EditedAt        time.Time // last edit after publication; zero: none
	WithdrawnAt     time.Time // zero: not withdrawn
	AckRound        int       // 1, then one more each time acknowledgement is asked again
	Attachments     []Attachment
}

// Withdrawn tells whether the news was withdrawn: its recipients no
// longer see it; its author and followers keep its tracking.
func (n News) Withdrawn() bool { return !n.WithdrawnAt.IsZero() }

// Received is a news item as one recipient sees it.
type Received struct {
	News
	ReadAt  time.Time // zero: not opened yet
	AckedAt time.Time // zero: not acknowledged
}

// Awaits tells whether the news waits for the recipient's acknowledgement.
func (r Received) Awaits() bool { return r.AckRequired && r.AckedAt.IsZero() }

// Recipient is one person addressed, for the author's tracking.
type Recipient struct {
	PersonID string
	Name     string
	Profile  string
	ReadAt   time.Time
	AckedAt  time.Time
	// PreviousAck is the recipient's acknowledgement of the latest
	// earlier round (the news asked again); zero: none.
	PreviousAck time.Time
}

// Tracking is a news item as its author (and the head and deputy) see it.
type Tracking struct {
	News
	Recipients []Recipient // not acknowledged first, then by name
	Read       int
	Acked      int
	// RemindedToday: the one reminder of the day was sent.
	RemindedToday bool
}

// Pending is the recipients who have not acknowledged yet.
func (t Tracking) Pending() []Recipient {
	var out []Recipient
	for _, r := range t.Recipients {
		if r.AckedAt.IsZero() {
			out = append(out, r)
		}
	}
	return out
}

// View is one news item for one viewer: exactly one field is set.
type View struct {
	Author *Tracking // the author, the head and the deputy
	Reader *Received // a recipient
}

// Item is a line of the author's list.
type Item struct {
	News
	Recipients int
	Read       int
	Acked      int
}

// Audience is what a viewer may publish to, for the form.
type Audience struct {
	Establishments []Place // where the viewer speaks to profiles and functions
	Structures     []Place // classes and groups whose students and families the viewer may address
}

// Place is an establishment, a class or a group one may publish to.
type Place struct {
	Kind            string // "establishment", "class", "group"
	ID              string
	Name            string
	EstablishmentID string
}

// Key is the place's form value for classes and groups ("class:ID").
func (p Place) Key() string { return p.Kind + ":" + p.ID }

// Profiles and functions one may address establishment-wide.
var (
	Profiles  = []string{"student", "relative", "teacher", "staff"}
	Functions = []string{"head", "deputy", "cpe", "secretary", "documentalist"}
)

func unix(s int64) time.Time {
	if s == 0 {
		return time.Time{}
	}
	return time.Unix(s, 0)
}

func stamp(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.Unix()
}
