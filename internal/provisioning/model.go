package provisioning

import (
	"fmt"
	"slices"
	"strconv"
)

// Sources of a delivery.
const (
	AAF    = "aaf"    // the academic directory feed
	SIECLE = "siecle" // SIECLE "BEE" exports: students and guardians
	STS    = "sts"    // STS-web export: staff and teaching services
	CSV    = "csv"    // a spreadsheet
)

// Sources lists the sources an import accepts.
var Sources = []string{AAF, SIECLE, STS, CSV}

// Families of people. A complete delivery is the whole truth only for the
// families whose files it carries: a SIECLE export of students says
// nothing of the staff.
const (
	FamStudents  uint8 = 1 << iota // students
	FamRelatives                   // parents and other relatives
	FamStaff                       // teachers and other staff
)

// Pos is where something was read: a file name (never a full path) and a
// line, 0 when unknown.
type Pos struct {
	File string
	Line int
}

func (p Pos) String() string {
	switch {
	case p.File == "":
		return ""
	case p.Line > 0:
		return fmt.Sprintf("%s:%d", p.File, p.Line)
	}
	return p.File
}

// Structure is an establishment as a delivery describes it.
type Structure struct {
	Key       string // the feed's key: AAF ENTStructureJointure, the UAI for local sources
	UAI       string
	Name      string
	Kind      string // ecole, college, lycee
	TypeLabel string // as delivered, e.g. "LYCEE POLYVALENT"
	City      string
	Academy   string
	Classes   []Named // classes declared by the structure itself
	Groups    []Named
	// GroupClasses: group code → the classes it draws from, when the
	// export says so (STS); otherwise derived from the students.
	GroupClasses map[string][]string
	Partial      bool // a modifyRequest: only the fields it names (non-empty here) change
	Pos          Pos
}

// Named is a code with an optional label.
type Named struct{ Code, Name string }

// Ref names a class, a group or a function within a structure: Est is the
// structure's key in the delivery, Code the class or group code (or the
// function).
type Ref struct{ Est, Code string }

// Teach is a subject taught to a class or a group of a structure.
type Teach struct {
	Est, Code string
	Group     bool
	Subject   string // national subject code
}

// What a person's record sets. An addRequest (or a row of an export) sets
// everything its type carries; an AAF modifyRequest only what it names, the
// rest staying as it is.
const (
	setProfile uint32 = 1 << iota
	setTitle
	setLast
	setFirst
	setBirth
	setEmail
	setPhone
	setAddress
	setPostal
	setCity
	setLogin
	setRattach
	setClasses
	setGroups
	setFunctions
	setTeachClasses
	setTeachGroups
	setHeads
	setLevel
	setChildren

	setScalars = setProfile | setTitle | setLast | setFirst | setBirth | setEmail | setPhone | setAddress | setPostal | setCity
)

// Op is what a record asks for.
type Op uint8

const (
	OpAdd Op = iota
	OpModify
	OpDelete
)

// Person is one person's record in a delivery.
type Person struct {
	Key     string // join key (people.external_id)
	Op      Op
	Family  uint8
	Profile string // student, relative, teacher, staff
	Set     uint32 // set* bits

	Title, Last, First, Birth, Email, Phone string
	Address, Postal, City                   string

	Rattach []string // structures the person is attached to
	Classes []Ref    // students: classes; staff: classes taught or followed
	Groups  []Ref
	Level   string // students: the MEF label, used as the class level

	// X holds what few records carry; nil for most students and
	// relatives, so that an academy's people stay small in memory.
	X *Extra

	Pos Pos
}

// Extra is the rarer part of a person's record.
type Extra struct {
	Login     string   // a login carried by the feed, if any
	Functions []Ref    // Code: head, deputy, cpe, documentalist
	Teaching  []Teach  // subjects taught to classes and groups
	Heads     []Ref    // classes of which the teacher is head teacher
	Children  []string // relatives: join keys of their students (add-only links)
}

var noExtra Extra

// x returns the person's extra part, making it if needed (to write).
func (p *Person) x() *Extra {
	if p.X == nil {
		p.X = &Extra{}
	}
	return p.X
}

// ex returns the extra part to read; never nil.
func (p *Person) ex() *Extra {
	if p.X == nil {
		return &noExtra
	}
	return p.X
}

func (p *Person) has(bit uint32) bool { return p.Set&bit != 0 }

// Link is a family link as delivered, from the student's side (whose links
// it replaces) or from the relative's side (add-only).
type Link struct {
	Student, Relative string // join keys
	Relationship      string // mere, pere, tuteur, famille, ase, autre, eleve
	LegalGuardian     bool
	Financial         bool
	Contact           bool
	LivesWith         bool
	Pos               Pos
}

// Delivery is everything read from one delivery, before it meets the
// directory.
type Delivery struct {
	Source   string
	Complete bool   // the whole truth for its structures and families
	Date     string // YYYY-MM-DD, the delivery's date; "" when unknown
	Families uint8  // families whose files the delivery carries

	Structures []*Structure
	People     []*Person
	Links      []Link
	// Students whose family links the delivery states in full: their links
	// missing from Links are removed.
	LinkOwners map[string]bool
	Deletes    []Deletion

	Subjects map[string]string // national subject code → label
	MEFs     map[string]string // MEF code → label

	Report Report
	// Files read, in order (names only).
	Files []string

	keys map[string]int // join key → index in People, to merge records

	// records counts what the readers kept (people, family links,
	// deletions, structures, teaching lines); maxRecords bounds it (0: no
	// bound), so that a delivery's memory is bounded by more than its size
	// in bytes (a tiny record costs hundreds of bytes once read).
	records, maxRecords int
}

// Deletion is a deleteRequest of a delta.
type Deletion struct {
	Key string
	Pos Pos
}

func newDelivery(source string, maxRecords int) *Delivery {
	return &Delivery{Source: source, LinkOwners: map[string]bool{},
		Subjects: map[string]string{}, MEFs: map[string]string{}, keys: map[string]int{}, maxRecords: maxRecords}
}

// record counts one more record kept; false (reported once, an error that
// stops the reading) when the delivery holds more than its bound.
func (d *Delivery) record(p Pos) bool {
	d.records++
	if d.maxRecords > 0 && d.records > d.maxRecords {
		if d.records == d.maxRecords+1 {
			d.Report.errorf(p, "too-many-records", strconv.Itoa(d.maxRecords))
		}
		return false
	}
	return true
}

// full tells that the delivery went beyond its bound: readers stop.
func (d *Delivery) full() bool { return d.maxRecords > 0 && d.records > d.maxRecords }

// addPerson records p; a second record for the same key in the same
// delivery is an error for an add, merged for a modify.
func (d *Delivery) addPerson(p *Person) {
	if i, ok := d.keys[p.Key]; ok {
		prev := d.People[i]
		if p.Op == OpAdd && prev.Op == OpAdd {
			d.Report.errorf(p.Pos, "duplicate-key", p.Key, prev.Pos.String())
			return
		}
		merge(prev, p)
		return
	}
	d.keys[p.Key] = len(d.People)
	d.People = append(d.People, p)
}

// merge applies the fields that q sets onto p (a modify after an add or
// another modify of the same person in one delivery).
func merge(p, q *Person) {
	s := q.Set
	if s&setProfile != 0 {
		p.Profile = q.Profile
	}
	cp := func(bit uint32, dst *string, v string) {
		if s&bit != 0 {
			*dst = v
		}
	}
	cp(setTitle, &p.Title, q.Title)
	cp(setLast, &p.Last, q.Last)
	cp(setFirst, &p.First, q.First)
	cp(setBirth, &p.Birth, q.Birth)
	cp(setEmail, &p.Email, q.Email)
	cp(setPhone, &p.Phone, q.Phone)
	cp(setAddress, &p.Address, q.Address)
	cp(setPostal, &p.Postal, q.Postal)
	cp(setCity, &p.City, q.City)
	if s&setLogin != 0 {
		p.x().Login = q.ex().Login
	}
	cp(setLevel, &p.Level, q.Level)
	if s&setRattach != 0 {
		p.Rattach = q.Rattach
	}
	if s&setClasses != 0 {
		p.Classes = q.Classes
	}
	if s&setGroups != 0 {
		p.Groups = q.Groups
	}
	if s&setFunctions != 0 {
		p.x().Functions = q.ex().Functions
	}
	if s&setTeachClasses != 0 {
		x := p.x()
		x.Teaching = slices.DeleteFunc(x.Teaching, func(t Teach) bool { return !t.Group })
		x.Teaching = append(x.Teaching, filterTeach(q.ex().Teaching, false)...)
	}
	if s&setTeachGroups != 0 {
		x := p.x()
		x.Teaching = slices.DeleteFunc(x.Teaching, func(t Teach) bool { return t.Group })
		x.Teaching = append(x.Teaching, filterTeach(q.ex().Teaching, true)...)
	}
	if s&setHeads != 0 {
		p.x().Heads = q.ex().Heads
	}
	if s&setChildren != 0 {
		p.x().Children = q.ex().Children
	}
	p.Set |= s
	if q.Op == OpAdd {
		p.Op = OpAdd
	}
}

func filterTeach(ts []Teach, group bool) []Teach {
	var out []Teach
	for _, t := range ts {
		if t.Group == group {
			out = append(out, t)
		}
	}
	return out
}

func familyOf(profile string) uint8 {
	switch profile {
	case "student":
		return FamStudents
	case "relative":
		return FamRelatives
	case "teacher", "staff":
		return FamStaff
	}
	return 0
}
