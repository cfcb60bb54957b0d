package directory

// What each audience sees of a person is a type of its own, chosen by the
// level the policy grants (access.ReadName, ReadRecord, ReadContact): a
// page or an API given a Card cannot show a birth date or a phone number,
// because the Card does not hold them.

// Card is the directory card, what read-name shows: who the person is.
type Card struct {
	ID        string
	Profile   string
	Title     string // M., Mme
	FirstName string
	LastName  string
	Active    bool
	// Classes are a student's class codes in open years, part of the card
	// by the policy; filled where the card stands alone (the person view),
	// empty in lists that already say which class they are about.
	Classes []string
}

// DisplayName is "First LAST", the form used across the interface.
func (c Card) DisplayName() string { return c.FirstName + " " + c.LastName }

// Record is the school record, what read-record shows.
type Record struct {
	BirthDate string // YYYY-MM-DD
	Login     string
	Classes   []Class // a student's classes in open years
	Groups    []Group // a student's groups in open years
	// The family links of a student (Relatives) or a relative (Children),
	// each person among them only if the viewer may read their card.
	Relatives []KinCard
	Children  []KinCard
	Teaching  []TeachingRow // a teacher's classes and groups
}

// Contact is the personal contact details, what read-contact shows.
type Contact struct {
	Email      string
	Phone      string
	Address    string
	PostalCode string
	City       string
}

// PersonView is a person as a viewer may see them: the card always, the
// record and the contact details only when the policy grants them (nil
// otherwise).
type PersonView struct {
	Card
	Record  *Record
	Contact *Contact
	// ManageAccount tells whether the viewer may manage the person's
	// account (activation letter, sessions, second factors). When they may
	// not although they administer one of the person's establishments,
	// NoManage is the rule's own refusal (access.ErrPrivilege or
	// access.ErrElsewhere), which the page explains; otherwise nil.
	ManageAccount bool
	NoManage      error
}

// KinCard is a person's card seen through a family link.
type KinCard struct {
	Card
	Link FamilyLink
}

// TeachingRow is one line of "who teaches what": a teacher's card, a
// subject and the class or group taught.
type TeachingRow struct {
	Teacher         Card
	SubjectName     string
	SubjectCode     string
	EstablishmentID string
	ClassID         string // exactly one of ClassID and GroupID is set
	GroupID         string
	Structure       string // the class or group's display name
}

// StaffCard is a member of staff with their functions in one establishment.
type StaffCard struct {
	Card
	Functions []string
}

// ClassView is a class page: the class, its head teachers and teachers the
// viewer may see, and its roster when the viewer may read it.
type ClassView struct {
	Class    Class
	Heads    []Card
	Teaching []TeachingRow // of the class and of the groups drawn from it
	Shown    bool          // read-roster: Roster is the class's list
	Roster   []Card
	// Letters tells whether the viewer may print the activation letters
	// of the class (manage-account on the class).
	Letters bool
}

// GroupView is a group page: the group and, when the viewer may read it,
// its roster.
type GroupView struct {
	Group  Group
	Shown  bool // read-roster: Roster is the group's list
	Roster []Card
}

// EstablishmentView is the establishment overview (read-establishment).
type EstablishmentView struct {
	Establishment Establishment
	Counts        map[string]int // active people per profile
	Classes       []Class        // of the open years
	Staff         []StaffCard    // active people holding a function
	Year          *SchoolYear    // the current year; nil when there is none
	Periods       []Period       // of the current year
	// Security tells whether the viewer may choose which profiles must use
	// a second factor there (manage-security).
	Security bool
}

// Schooling is one class of a student with its establishment and the head
// teachers the viewer may see.
type Schooling struct {
	Class         Class
	Establishment Establishment
	HeadTeachers  []Card
}

// StudentSchool is a student's school page, the top of the home page of a
// student and of their relatives: their classes with establishment and
// head teachers, their teachers and their family, each person only if the
// viewer may read their card.
type StudentSchool struct {
	Student   Card
	Schooling []Schooling
	Teaching  []TeachingRow
	Relatives []KinCard
}

// School is one establishment of the viewer, with the viewer's functions
// there and whether they may read its overview.
type School struct {
	Establishment Establishment
	Functions     []string
	Overview      bool // read-establishment
}

func cardOf(p Person) Card {
	return Card{ID: p.ID, Profile: p.Profile, Title: p.Title, FirstName: p.FirstName, LastName: p.LastName, Active: p.Active}
}

func recordOf(p Person) *Record { return &Record{BirthDate: p.BirthDate, Login: p.Login} }

func contactOf(p Person) *Contact {
	return &Contact{Email: p.Email, Phone: p.Phone, Address: p.Address, PostalCode: p.PostalCode, City: p.City}
}

func cardsOf(ps []Person) []Card {
	out := make([]Card, 0, len(ps))
	for _, p := range ps {
		out = append(out, cardOf(p))
	}
	return out
}

func kinCardsOf(ks []kinRow) []KinCard {
	out := make([]KinCard, 0, len(ks))
	for _, k := range ks {
		out = append(out, KinCard{Card: cardOf(k.Person), Link: k.Link})
	}
	return out
}

func teachingRowsOf(ts []teachingLine) []TeachingRow {
	out := make([]TeachingRow, 0, len(ts))
	for _, t := range ts {
		out = append(out, TeachingRow{Teacher: cardOf(t.Teacher), SubjectName: t.SubjectName, SubjectCode: t.SubjectCode,
			EstablishmentID: t.EstablishmentID, ClassID: t.ClassID, GroupID: t.GroupID, Structure: t.Structure})
	}
	return out
}
