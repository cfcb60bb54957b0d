// Package directory holds the school directory: establishments, school years
// and their periods, classes, groups, subjects, people with their profiles
// and functions, family links and teaching assignments. It owns those
// tables and their SQL and knows nothing of HTTP.
//
// Its service (service.go) serves a viewer: each function asks the access
// policy before it reads and returns the view the policy grants (views.go:
// a card, a school record, contact details). A person's whole row is for
// the system viewer and the person themself (rows.go). The reads that take
// no viewer return structures only (establishments, school years, classes
// and groups), no personal data. Profiles and functions are named in
// package roles.
package directory

type Establishment struct {
	ID   string
	UAI  string // national establishment code, e.g. 0750001A
	Name string
	Kind string // ecole, college, lycee
	City string
}

type SchoolYear struct {
	ID, EstablishmentID string
	Label               string // 2026-2027
	StartsOn, EndsOn    string // YYYY-MM-DD
	Closed              bool
}

type Period struct {
	ID, SchoolYearID string
	Kind             string // trimestre, semestre
	Number           int
	StartsOn, EndsOn string
}

type Holiday struct {
	ID, SchoolYearID string
	Label            string
	StartsOn, EndsOn string
}

type Subject struct {
	ID, EstablishmentID string
	Code                string // national code (BCN), e.g. 030201
	ShortName, Name     string
}

type Class struct {
	ID, EstablishmentID, SchoolYearID string
	Code, Name, Level                 string
}

type Group struct {
	ID, EstablishmentID, SchoolYearID string
	Code, Name                        string
	ClassIDs                          []string // classes the group draws from
}

type Person struct {
	ID         string
	ExternalID string // join key of the academic feed; empty if none
	Profile    string
	Login      string
	Title      string // M., Mme
	LastName   string
	FirstName  string
	BirthDate  string // YYYY-MM-DD
	Email      string
	Phone      string
	Address    string
	PostalCode string
	City       string
	Active     bool
}

// DisplayName is "First LAST", the form used across the interface.
func (p Person) DisplayName() string { return p.FirstName + " " + p.LastName }

// FamilyLink ties a student to a relative, with the flags of the national feeds.
type FamilyLink struct {
	StudentID, RelativeID string
	Relationship          string // mere, pere, tuteur, autre…
	LegalGuardian         bool   // responsable légal; false means "person in charge"
	Financial             bool
	Contact               bool
	LivesWith             bool
	ReceivesMail          bool
}

// Assignment is a teacher teaching a subject to a class or a group.
type Assignment struct {
	ID, EstablishmentID, TeacherID string
	ClassID, GroupID               string // exactly one is set
	SubjectID                      string
}
