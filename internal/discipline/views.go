package discipline

import "time"

// What each audience sees is a type: a family's view holds no private
// note, no written report, no incident and no other student; a teacher's
// holds no sanction (the policy refuses them read-sanctions).

// Student names the student a record or a line is about.
type Student struct {
	ID, FirstName, LastName, Class string
}

// DisplayName is "First LAST".
func (s Student) DisplayName() string { return s.FirstName + " " + s.LastName }

// LessonRef is the lesson occurrence a student was excluded from.
type LessonRef struct {
	SlotID, Date, Subject string
	StartMin              int
}

// Punishment is a punishment as the student and their family see it: what,
// when, why, who gave it.
type Punishment struct {
	ID, Kind, GivenOn, Reason string
	Work, DueOn               string // extra work; the work of a detention
	OnDate                    string // detention: its day, time, length, place, outcome
	StartMin, DurationMin     int
	Place, Outcome            string
	Lesson                    *LessonRef // lesson exclusion
	Author                    string     // who gave it ("M. DURAND")
	CreatedAt                 time.Time
}

// StaffPunishment is a punishment as a teacher of the student or school
// life sees it. The private note and the written report are shown to the
// author and to school life only.
type StaffPunishment struct {
	Punishment
	Student     Student
	AuthorID    string
	Cancelled   bool
	PrivateNote string
	Report      string
	IncidentID  string // school life only
	MayEdit     bool   // its author (still a teacher of the student), or school life
}

// Sanction is a sanction as the student and their family see it, with who
// decided it and when, its suspension and the day it leaves the record.
type Sanction struct {
	ID, Kind, DecidedOn, Reason string
	DecidedBy                   string // the head ("Mme MARTIN"); the disciplinary board for a permanent exclusion
	Hours, Days                 int
	StartsOn, Service, BoardOn  string
	Suspension                  string
	SuspendedUnits              int
	SuspendedUntil              string
	RevokedOn, RevocationReason string
	RevokedBy                   string
	RemovalOn                   string // "" for a permanent exclusion: it stays
}

// Suspended tells whether the sanction is suspended and not revoked.
func (s Sanction) Suspended() bool { return s.Suspension != NoSuspension && s.RevokedOn == "" }

// Units is the sanction's length: hours of responsabilisation or days of
// exclusion (0 for the others).
func (s Sanction) Units() int { return s.Hours + s.Days }

// StaffSanction is a sanction as school life sees it.
type StaffSanction struct {
	Sanction
	Student    Student
	IncidentID string
	MayRevoke  bool // the head, while the suspension runs
}

// Record is a student's discipline record as the viewer may see it:
// exactly one of Family (the student, their relatives) and Staff (teachers,
// school life) is set.
type Record struct {
	Student Student
	Family  *FamilyRecord
	Staff   *StaffRecord
	Today   string
}

// FamilyRecord is what the student and their relatives read.
type FamilyRecord struct {
	Punishments []Punishment
	Sanctions   []Sanction
}

// StaffRecord is what a teacher of the student or school life reads.
// Sanctions is nil, and SanctionsShown false, for a teacher.
type StaffRecord struct {
	Punishments    []StaffPunishment
	Sanctions      []StaffSanction
	SanctionsShown bool
	MayPunish      bool // the viewer may give this student a punishment
	MayDecide      bool // the viewer is the head: may decide a sanction
	SchoolLife     bool // the viewer runs school life here: incidents
	History        bool // the viewer reads the history (head, CPE)
}

// Protagonist is a student of an incident with their role.
type Protagonist struct {
	Student
	Role      string
	MayPunish bool // the viewer may give them a punishment
	MayDecide bool // the viewer may decide a sanction for them (the head)
}

// Incident is an incident as school life reads it.
type Incident struct {
	ID, EstablishmentID, OccurredOn string
	OccurredMin                     int
	Place, Kind                     string
	Seriousness                     int
	Description                     string
	Processed                       bool
	CreatedBy                       string
	Protagonists                    []Protagonist
	Punishments                     []StaffPunishment
	Sanctions                       []StaffSanction
}

// Desk is school life's view of an establishment: the latest punishments,
// sanctions and incidents; or a teacher's: the punishments they gave.
type Desk struct {
	EstablishmentID string
	Punishments     []StaffPunishment
	Sanctions       []StaffSanction
	Incidents       []Incident
	SchoolLife      bool      // head, deputy, CPE: incidents and sanctions
	History         bool      // head, CPE: the history of changes
	Students        []Student // whom the viewer may give a punishment
}

// Change is one line of the history: who changed what, when, before → after.
type Change struct {
	At      time.Time
	Actor   string // the person's name; "" for the system
	Subject string // "punishment", "sanction", "incident"
	ID      string
	Student Student
	Before  map[string]string
	After   map[string]string
}

// Fields lists the fields a change touched, in order.
func (c Change) Fields() []string {
	seen := map[string]bool{}
	var out []string
	for _, m := range []map[string]string{c.Before, c.After} {
		for _, k := range fieldOrder {
			if _, ok := m[k]; ok && !seen[k] {
				seen[k] = true
				out = append(out, k)
			}
		}
	}
	return out
}

// fieldOrder is the order the history shows fields in.
var fieldOrder = []string{"kind", "student", "given_on", "decided_on", "reason", "private_note", "work", "due_on", "on_date", "start",
	"duration", "place", "outcome", "lesson", "report", "cancelled", "hours", "days", "starts_on", "service", "board_on",
	"suspension", "suspended_units", "suspended_until", "removal_on", "revoked_on", "revocation_reason",
	"occurred_on", "occurred_at", "incident_kind", "seriousness", "description", "processed", "protagonists", "incident"}
