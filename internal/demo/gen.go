package demo

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"cartable/internal/directory"
	"cartable/internal/ids"
	"cartable/internal/roles"
)

// The generator first builds the whole demo in memory (plan), then writes
// it (write.go). Everything random is drawn from g.rng, identifiers from
// g.idsrc, both seeded from Options.Seed; nothing iterates over a map.

type gen struct {
	o       Options
	rng     *rand.Rand
	idsrc   *rand.ChaCha8
	logins  map[string]bool
	people  []*person
	estabs  []*estab
	links   []directory.FamilyLink
	assigns []directory.Assignment
	heads   [][2]string // class ID, teacher ID
	main    *estab
	lycee   *estab
}

type person struct {
	directory.Person
	female    bool
	estabs    []*estab
	functions []string // staff functions, in estabs[0]
	class     *class   // students
	children  []*person
	relatives []*person
}

func (p *person) join(e *estab) {
	if !slices.Contains(p.estabs, e) {
		p.estabs = append(p.estabs, e)
	}
}

type estab struct {
	directory.Establishment
	year     directory.SchoolYear
	periods  []directory.Period
	holidays []directory.Holiday
	subjects []*directory.Subject
	levels   []*level
	classes  []*class
	groups   []*group
	streets  []street
}

func (e *estab) subject(code string) *directory.Subject {
	for _, s := range e.subjects {
		if s.Code == code {
			return s
		}
	}
	panic("demo: unknown subject " + code)
}

func (e *estab) free() int {
	n := 0
	for _, c := range e.classes {
		n += c.free
	}
	return n
}

type level struct {
	code      string // 6e, 2nde…
	birthYear int    // of pupils who never repeated a year
	courses   []course
	classes   []*class
}

// course is a subject taught to a whole class, with its weekly hours.
type course struct {
	code  string
	hours float64
}

type class struct {
	directory.Class
	est      *estab
	lvl      *level
	letter   string
	free     int // seats left while families are drawn
	students []*person
}

type group struct {
	directory.Group
	subject  *directory.Subject
	hours    float64
	students []*person
}

func newGen(o Options) *gen {
	var seed [32]byte
	binary.LittleEndian.PutUint64(seed[:], uint64(o.Seed))
	copy(seed[8:], "cartable demo: choices")
	var idSeed [32]byte
	binary.LittleEndian.PutUint64(idSeed[:], uint64(o.Seed))
	copy(idSeed[8:], "cartable demo: identifiers")
	return &gen{
		o:      o,
		rng:    rand.New(rand.NewChaCha8(seed)),
		idsrc:  rand.NewChaCha8(idSeed),
		logins: map[string]bool{"admin": true},
	}
}

func (g *gen) id() string            { return ids.From(g.idsrc) }
func (g *gen) chance(p float64) bool { return g.rng.Float64() < p }

func pick[T any](g *gen, s []T) T { return s[g.rng.IntN(len(s))] }

// login returns "prenom.nom", with a numeric suffix from 2 on when taken.
func (g *gen) login(first, last string) string {
	base := slug(first) + "." + slug(last)
	l := base
	for n := 2; g.logins[l]; n++ {
		l = base + strconv.Itoa(n)
	}
	g.logins[l] = true
	return l
}

func (g *gen) newPerson(profile, first, last string, female bool) *person {
	p := &person{female: female}
	p.ID = g.id()
	p.Profile = profile
	p.FirstName = first
	p.LastName = strings.ToUpper(last)
	p.Login = g.login(first, last)
	p.Active = true
	if profile != roles.Student {
		p.Title = "M."
		if female {
			p.Title = "Mme"
		}
	}
	g.people = append(g.people, p)
	return p
}

func (g *gen) adultName(female bool) string {
	if female {
		return pick(g, womanNames)
	}
	return pick(g, manNames)
}

func (g *gen) otherSurname(not ...string) string {
	for {
		s := pick(g, surnames)
		if !slices.Contains(not, s) {
			return s
		}
	}
}

func (g *gen) mobile() string {
	return fmt.Sprintf("0%d 00 %02d %02d %02d", 6+g.rng.IntN(2), g.rng.IntN(100), g.rng.IntN(100), g.rng.IntN(100))
}

// dateBetween returns a random day in [from, to].
func (g *gen) dateBetween(from, to time.Time) time.Time {
	days := int(to.Sub(from).Hours() / 24)
	return from.AddDate(0, 0, g.rng.IntN(days+1))
}

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

const dateFmt = "2006-01-02"

// ---------------------------------------------------------------- plan

func (g *gen) plan() {
	g.main = g.newEstab(MainUAI, "Collège Jean Moulin", "college", collegeStreets, collegeSubjects)
	g.lycee = g.newEstab(SecondUAI, "Lycée Simone Veil", "lycee", lyceeStreets, lyceeSubjects)

	g.collegeClasses(g.main, g.o.Students)
	g.lyceeClasses(g.lycee)

	// The one family across both establishments, then a separated family
	// with two children, then as many random families as seats remain.
	c := g.takeSeat(g.main, byLevel(g.main.levels[len(g.main.levels)-1]))
	if c == nil { // a tiny demo
		c = g.takeSeat(g.main, func(*class) bool { return true })
	}
	if c != nil {
		l := g.takeSeat(g.lycee, byLevel(g.lycee.levels[0]))
		g.family(twoParents, []*class{c, l})
	}
	if g.main.free() >= 2 {
		a := g.takeSeat(g.main, byLevel(g.main.levels[0]))
		if a == nil {
			a = g.takeSeat(g.main, func(*class) bool { return true })
		}
		kids := []*class{a}
		if b := g.takeSeat(g.main, func(c *class) bool { return c.lvl != a.lvl }); b != nil {
			kids = append(kids, b)
		}
		g.family(separated, kids)
	}
	g.fillFamilies(g.main, []float64{0.78, 0.19, 0.025, 0.005}, 0.04)
	g.fillFamilies(g.lycee, []float64{0.93, 0.07}, 0.02)

	g.collegeGroups(g.main)
	g.lyceeGroups(g.lycee)

	g.staff(g.main, roles.Head)
	g.staff(g.main, roles.Deputy)
	g.staff(g.main, roles.CPE)
	g.staff(g.main, roles.CPE)
	g.staff(g.main, roles.Documentalist)
	g.staff(g.main, roles.Secretary)
	g.staff(g.main, roles.Secretary)
	g.staff(g.lycee, roles.Head)
	g.staff(g.lycee, roles.CPE)

	shared, subject := g.collegeTeachers(g.main)
	g.lyceeTeachers(g.lycee, shared, subject)

	admin := g.newPerson(roles.Admin, "Opérateur", "Cartable", false)
	delete(g.logins, admin.Login)
	admin.Login = "admin"
	admin.Title = ""
	admin.Email = "admin@demo.cartable.invalid"
	admin.join(g.main)
	admin.join(g.lycee)
}

// ------------------------------------------------- establishment, year

type subjectDef struct{ code, short, name string }

// National subject codes (BCN "matières", as in the AAF MatiereEducNat feed).
var collegeSubjects = []subjectDef{
	{"020700", "FRANC", "Français"},
	{"061300", "MATHS", "Mathématiques"},
	{"030201", "AGL1", "Anglais LV1"},
	{"030602", "ESP2", "Espagnol LV2"},
	{"030102", "ALL2", "Allemand LV2"},
	{"042100", "HG-EMC", "Histoire-géographie, enseignement moral et civique"},
	{"062900", "SVT", "Sciences de la vie et de la Terre"},
	{"062300", "PH-CH", "Physique-chimie"},
	{"070800", "TECHN", "Technologie"},
	{"090100", "A-PLA", "Arts plastiques"},
	{"081300", "ED-MUS", "Éducation musicale"},
	{"100100", "EPS", "Éducation physique et sportive"},
	{"020100", "LATIN", "Latin"},
}

var lyceeSubjects = []subjectDef{
	{"020700", "FRANC", "Français"},
	{"061300", "MATHS", "Mathématiques"},
	{"030201", "AGL1", "Anglais LVA"},
	{"030602", "ESP2", "Espagnol LVB"},
	{"030102", "ALL2", "Allemand LVB"},
	{"040600", "HIST-GEO", "Histoire-géographie"},
	{"050700", "SES", "Sciences économiques et sociales"},
	{"062300", "PH-CH", "Physique-chimie"},
	{"062900", "SVT", "Sciences de la vie et de la Terre"},
	{"065300", "ENS-SC", "Enseignement scientifique"},
	{"100100", "EPS", "Éducation physique et sportive"},
}

// School year 2026-2027, académie de Paris (zone C). Holidays are stored
// as the first and the last day without classes, both included.
var (
	trimesters = [][2]string{
		{"2026-09-01", "2026-11-28"},
		{"2026-11-29", "2027-03-06"},
		{"2027-03-07", "2027-07-03"},
	}
	holidays = [][3]string{
		{"Vacances de la Toussaint", "2026-10-17", "2026-11-01"},
		{"Armistice", "2026-11-11", "2026-11-11"},
		{"Vacances de Noël", "2026-12-19", "2027-01-03"},
		{"Vacances d'hiver", "2027-02-06", "2027-02-21"},
		{"Lundi de Pâques", "2027-03-29", "2027-03-29"},
		{"Vacances de printemps", "2027-04-03", "2027-04-18"},
		{"Pont de l'Ascension", "2027-05-06", "2027-05-09"},
		{"Lundi de Pentecôte", "2027-05-17", "2027-05-17"},
	}
)

func (g *gen) newEstab(uai, name, kind string, streets []street, subjects []subjectDef) *estab {
	e := &estab{streets: streets}
	e.Establishment = directory.Establishment{ID: g.id(), UAI: uai, Name: name, Kind: kind, City: "Paris"}
	e.year = directory.SchoolYear{ID: g.id(), EstablishmentID: e.ID, Label: "2026-2027", StartsOn: "2026-09-01", EndsOn: "2027-07-03"}
	for i, t := range trimesters {
		e.periods = append(e.periods, directory.Period{ID: g.id(), SchoolYearID: e.year.ID, Kind: "trimestre",
			Number: i + 1, StartsOn: t[0], EndsOn: t[1]})
	}
	for _, h := range holidays {
		e.holidays = append(e.holidays, directory.Holiday{ID: g.id(), SchoolYearID: e.year.ID, Label: h[0], StartsOn: h[1], EndsOn: h[2]})
	}
	for _, s := range subjects {
		e.subjects = append(e.subjects, &directory.Subject{ID: g.id(), EstablishmentID: e.ID, Code: s.code, ShortName: s.short, Name: s.name})
	}
	g.estabs = append(g.estabs, e)
	return e
}

// ------------------------------------------------------------ classes

// Weekly hours per level (cycle 3 and 4 timetables, simplified).
var collegeLevels = []struct {
	code      string
	birthYear int
	courses   []course
}{
	{"6e", 2015, []course{{"020700", 4.5}, {"061300", 4.5}, {"030201", 4}, {"042100", 3}, {"062900", 1.5},
		{"062300", 1}, {"070800", 1.5}, {"090100", 1}, {"081300", 1}, {"100100", 4}}},
	{"5e", 2014, []course{{"020700", 4.5}, {"061300", 3.5}, {"030201", 3}, {"042100", 3}, {"062900", 1.5},
		{"062300", 1.5}, {"070800", 1.5}, {"090100", 1}, {"081300", 1}, {"100100", 3}}},
	{"4e", 2013, []course{{"020700", 4.5}, {"061300", 3.5}, {"030201", 3}, {"042100", 3}, {"062900", 1.5},
		{"062300", 1.5}, {"070800", 1.5}, {"090100", 1}, {"081300", 1}, {"100100", 3}}},
	{"3e", 2012, []course{{"020700", 4}, {"061300", 3.5}, {"030201", 3}, {"042100", 3.5}, {"062900", 1.5},
		{"062300", 1.5}, {"070800", 1.5}, {"090100", 1}, {"081300", 1}, {"100100", 3}}},
}

const (
	classSize  = 25
	fullTime   = 18.0 // weekly teaching hours of a certified teacher
	lv2Hours   = 2.5
	groupLimit = 28
)

func (g *gen) collegeClasses(e *estab, students int) {
	perLevel := max(1, int(math.Round(float64(students)/float64(len(collegeLevels)*classSize))))
	n := perLevel * len(collegeLevels)
	sizes := make([]int, n)
	for i := range sizes {
		sizes[i] = students / n
		if i < students%n {
			sizes[i]++
		}
	}
	for i := 0; i+1 < n; i += 2 { // a little unevenness, same total
		if d := g.rng.IntN(3); sizes[i+1] > d {
			sizes[i] += d
			sizes[i+1] -= d
		}
	}
	k := 0
	for _, ld := range collegeLevels {
		l := &level{code: ld.code, birthYear: ld.birthYear, courses: ld.courses}
		e.levels = append(e.levels, l)
		digit := ld.code[:1]
		for i := range perLevel {
			letter := letters(i)
			g.addClass(e, l, digit+letter, ld.code+" "+letter, letter, sizes[k])
			k++
		}
	}
}

// letters gives A…Z, then AA, AB…
func letters(i int) string {
	if i < 26 {
		return string(rune('A' + i))
	}
	return letters(i/26-1) + letters(i%26)
}

func (g *gen) addClass(e *estab, l *level, code, name, letter string, size int) {
	c := &class{est: e, lvl: l, letter: letter, free: size}
	c.Class = directory.Class{ID: g.id(), EstablishmentID: e.ID, SchoolYearID: e.year.ID, Code: code, Name: name, Level: l.code}
	l.classes = append(l.classes, c)
	e.classes = append(e.classes, c)
}

func (g *gen) lyceeClasses(e *estab) {
	seconde := &level{code: "2nde", birthYear: 2011, courses: []course{{"020700", 4}, {"061300", 4}, {"030201", 3},
		{"040600", 3}, {"050700", 1.5}, {"062300", 3}, {"062900", 1.5}, {"100100", 2}}}
	premiere := &level{code: "1re", birthYear: 2010, courses: []course{{"020700", 4}, {"061300", 4}, {"030201", 2.5},
		{"040600", 3}, {"065300", 2}, {"100100", 2}}}
	e.levels = []*level{seconde, premiere}
	g.addClass(e, seconde, "2nde1", "2nde 1", "1", 24+g.rng.IntN(4))
	g.addClass(e, seconde, "2nde2", "2nde 2", "2", 24+g.rng.IntN(4))
	g.addClass(e, premiere, "1G1", "1re G1", "G1", 24+g.rng.IntN(4))
}

// takeSeat takes a free seat in a class accepted by ok, drawn in proportion
// to the seats left so that classes fill evenly; nil if there is none.
func (g *gen) takeSeat(e *estab, ok func(c *class) bool) *class {
	total := 0
	for _, c := range e.classes {
		if c.free > 0 && ok(c) {
			total += c.free
		}
	}
	if total == 0 {
		return nil
	}
	r := g.rng.IntN(total)
	for _, c := range e.classes {
		if c.free > 0 && ok(c) {
			if r < c.free {
				c.free--
				return c
			}
			r -= c.free
		}
	}
	panic("unreachable")
}

func byLevel(l *level) func(*class) bool { return func(c *class) bool { return c.lvl == l } }

// ----------------------------------------------------------- families

type famKind int

const (
	twoParents famKind = iota
	separated
	singleMother
	singleFather
	tutored
)

func (g *gen) drawKind() famKind {
	switch r := g.rng.Float64(); {
	case r < 0.78:
		return twoParents
	case r < 0.90:
		return separated
	case r < 0.95:
		return singleMother
	case r < 0.97:
		return singleFather
	default:
		return tutored
	}
}

// fillFamilies draws families until every seat of e is taken. sizes[i] is
// the probability of i+1 children in the establishment; twin is the chance
// that a second child is a twin (same level, another class).
func (g *gen) fillFamilies(e *estab, sizes []float64, twin float64) {
	for e.free() > 0 {
		k, r := 1, g.rng.Float64()
		for i, p := range sizes {
			if r < p {
				k = i + 1
				break
			}
			r -= p
		}
		kids := []*class{g.takeSeat(e, func(*class) bool { return true })}
		for len(kids) < k {
			taken := func(c *class) bool { return slices.Contains(kids, c) }
			if len(kids) == 1 && g.chance(twin) {
				if c := g.takeSeat(e, func(c *class) bool { return c.lvl == kids[0].lvl && !taken(c) }); c != nil {
					kids = append(kids, c)
					continue
				}
			}
			c := g.takeSeat(e, func(c *class) bool {
				return !slices.ContainsFunc(kids, func(k *class) bool { return k.lvl == c.lvl })
			})
			if c == nil {
				break
			}
			kids = append(kids, c)
		}
		g.family(g.drawKind(), kids)
	}
}

type household struct{ address, postcode, city string }

func (g *gen) home(e *estab) household {
	s := pick(g, e.streets)
	num := strconv.Itoa(1 + g.rng.IntN(140))
	if g.chance(0.05) {
		num += " bis"
	}
	return household{num + " " + s.name, s.postcode, e.City}
}

var mailDomains = []string{"example.com", "example.net", "example.org"}

func (g *gen) relative(first, last string, female bool, h household) *person {
	p := g.newPerson(roles.Relative, first, last, female)
	p.Address, p.PostalCode, p.City = h.address, h.postcode, h.city
	p.Email = p.Login + "@" + pick(g, mailDomains)
	p.Phone = g.mobile()
	return p
}

// tie is a relative with the flags of their link to every child of the family.
type tie struct {
	p            *person
	relationship string
	legal        bool
	financial    bool
	lives        bool
	mail         bool
}

// family creates the children seated in classes (one per class) and their
// relatives; the first class's establishment gives the neighbourhood.
func (g *gen) family(kind famKind, classes []*class) {
	e := classes[0].est
	father := pick(g, surnames)
	mother := father
	childName := father
	var ties []tie
	switch kind {
	case twoParents:
		if g.chance(0.35) {
			mother = g.otherSurname(father)
			if g.chance(0.12) {
				childName = father + "-" + mother
			}
		}
		h := g.home(e)
		m := g.relative(g.adultName(true), mother, true, h)
		f := g.relative(g.adultName(false), father, false, h)
		both := g.chance(0.4)
		mFin := g.chance(0.5)
		ties = append(ties,
			tie{m, "mere", true, mFin || both, true, true},
			tie{f, "pere", true, !mFin || both, true, true})
	case separated:
		if g.chance(0.8) {
			mother = g.otherSurname(father)
		}
		withMother := g.chance(0.7)
		hm, hf := g.home(e), g.home(e)
		for hf == hm {
			hf = g.home(e)
		}
		m := g.relative(g.adultName(true), mother, true, hm)
		f := g.relative(g.adultName(false), father, false, hf)
		ties = append(ties,
			tie{m, "mere", true, withMother || g.chance(0.3), withMother, true},
			tie{f, "pere", true, !withMother || g.chance(0.3), !withMother, true})
		if g.chance(0.3) { // a step-parent in the household the children live in
			h, female := hf, true
			if withMother {
				h, female = hm, false
			}
			s := g.relative(g.adultName(female), g.otherSurname(father, mother), female, h)
			ties = append(ties, tie{s, "autre", false, false, true, false})
		}
	case singleMother:
		mother = g.otherSurname()
		childName = mother
		if g.chance(0.4) {
			childName = father
		}
		m := g.relative(g.adultName(true), mother, true, g.home(e))
		ties = append(ties, tie{m, "mere", true, true, true, true})
	case singleFather:
		f := g.relative(g.adultName(false), father, false, g.home(e))
		ties = append(ties, tie{f, "pere", true, true, true, true})
	case tutored: // an aunt, uncle or family friend appointed guardian
		female := g.chance(0.6)
		name := father
		if g.chance(0.5) {
			name = g.otherSurname(father)
		}
		t := g.relative(g.adultName(female), name, female, g.home(e))
		ties = append(ties, tie{t, "tuteur", true, true, true, true})
	}
	if g.chance(0.08) { // a grandparent to call when parents cannot be reached
		female := g.chance(0.6)
		first := pick(g, grandfatherNames)
		if female {
			first = pick(g, grandmotherNames)
		}
		name := father
		if g.chance(0.4) {
			name = g.otherSurname(father)
		}
		gp := g.relative(first, name, female, g.home(e))
		ties = append(ties, tie{gp, "autre", false, false, false, false})
	}

	var kids []*person
	var born []time.Time
	for i, c := range classes {
		female := g.chance(0.5)
		var first string
		for first == "" || slices.ContainsFunc(kids, func(k *person) bool { return k.FirstName == first }) {
			if female {
				first = pick(g, girlNames)
			} else {
				first = pick(g, boyNames)
			}
		}
		s := g.newPerson(roles.Student, first, childName, female)
		var b time.Time
		if i > 0 && c.lvl == classes[0].lvl { // twins
			b = born[0]
		} else {
			b = g.birthDate(c.lvl, born)
		}
		born = append(born, b)
		s.BirthDate = b.Format(dateFmt)
		s.class = c
		s.join(c.est)
		c.students = append(c.students, s)
		kids = append(kids, s)
	}
	for _, k := range kids {
		for _, t := range ties {
			k.relatives = append(k.relatives, t.p)
			t.p.children = append(t.p.children, k)
			t.p.join(k.class.est)
			g.links = append(g.links, directory.FamilyLink{StudentID: k.ID, RelativeID: t.p.ID, Relationship: t.relationship,
				LegalGuardian: t.legal, Financial: t.financial, Contact: true, LivesWith: t.lives, ReceivesMail: t.mail})
		}
	}
}

// birthDate draws a birthday fitting the level (3 % of pupils are a year
// older), at least ten months apart from the siblings' birthdays.
func (g *gen) birthDate(l *level, siblings []time.Time) time.Time {
	var b time.Time
	for try := 0; try < 50; try++ {
		y := l.birthYear
		from := day(y, 1, 1)
		if g.chance(0.03) {
			from = day(y-1, 6, 1)
		}
		b = g.dateBetween(from, day(y, 12, 31))
		if !slices.ContainsFunc(siblings, func(s time.Time) bool { d := b.Sub(s).Hours() / 24; return d > -300 && d < 300 }) {
			break
		}
	}
	return b
}

// ------------------------------------------------------------- groups

func (g *gen) newGroup(e *estab, code, name, subject string, hours float64, classes []*class, students []*person) *group {
	gr := &group{subject: e.subject(subject), hours: hours, students: students}
	gr.Group = directory.Group{ID: g.id(), EstablishmentID: e.ID, SchoolYearID: e.year.ID, Code: code, Name: name}
	for _, c := range classes {
		if slices.ContainsFunc(students, func(s *person) bool { return s.class == c }) {
			gr.ClassIDs = append(gr.ClassIDs, c.ID)
		}
	}
	e.groups = append(e.groups, gr)
	return gr
}

// split makes groups of at most groupLimit pupils, alternating the pupils so
// that each group mixes the classes.
func split(students []*person, limit int) [][]*person {
	n := (len(students) + limit - 1) / limit
	out := make([][]*person, n)
	for i, s := range students {
		out[i%n] = append(out[i%n], s)
	}
	return out
}

func (g *gen) addGroups(e *estab, code, name, subject string, hours float64, classes []*class, students []*person) {
	parts := split(students, groupLimit)
	for i, part := range parts {
		c, n := code, name
		if len(parts) > 1 {
			c += strconv.Itoa(i + 1)
			n += " gr. " + strconv.Itoa(i+1)
		}
		g.newGroup(e, c, n, subject, hours, classes, part)
	}
}

// collegeGroups makes the LV2 groups (Spanish or German, from 5e, across
// blocks of up to three classes) and the Latin option groups.
func (g *gen) collegeGroups(e *estab) {
	for li, l := range e.levels {
		if li == 0 {
			continue // no LV2 nor Latin in 6e
		}
		// Blocks of two or three classes aligned in the timetable for LV2.
		var blocks [][]*class
		nb := (len(l.classes) + 2) / 3
		for i, b := 0, 0; b < nb; b++ {
			size := len(l.classes) / nb
			if b < len(l.classes)%nb {
				size++
			}
			blocks = append(blocks, l.classes[i:i+size])
			i += size
		}
		for _, b := range blocks {
			var esp, all []*person
			for _, c := range b {
				for _, s := range c.students {
					if g.chance(0.7) {
						esp = append(esp, s)
					} else {
						all = append(all, s)
					}
				}
			}
			if len(all) == 0 && len(esp) >= 4 { // German lives on, even in a small block
				all, esp = esp[len(esp)-1:], esp[:len(esp)-1]
			}
			var ls []string
			for _, c := range b {
				ls = append(ls, c.letter)
			}
			prefix := l.code[:1] + strings.Join(ls, "")
			label := " " + l.code + " " + strings.Join(ls, "-")
			if len(esp) > 0 {
				g.addGroups(e, prefix+"-ESP", "Espagnol LV2"+label, "030602", lv2Hours, b, esp)
			}
			if len(all) > 0 {
				g.addGroups(e, prefix+"-ALL", "Allemand LV2"+label, "030102", lv2Hours, b, all)
			}
		}
		var latin []*person
		for _, c := range l.classes {
			for _, s := range c.students {
				if g.chance(0.15) {
					latin = append(latin, s)
				}
			}
		}
		hours := 2.0
		if l.code == "5e" {
			hours = 1
		}
		if len(latin) > 0 {
			g.addGroups(e, l.code[:1]+"LAT", "Latin "+l.code, "020100", hours, l.classes, latin)
		}
	}
}

func (g *gen) lyceeGroups(e *estab) {
	var esp, all []*person
	for _, c := range e.classes {
		for _, s := range c.students {
			if g.chance(0.65) {
				esp = append(esp, s)
			} else {
				all = append(all, s)
			}
		}
	}
	if len(all) == 0 && len(esp) > 1 {
		all, esp = esp[len(esp)-1:], esp[:len(esp)-1]
	}
	if len(esp) > 0 {
		g.addGroups(e, "LVB-ESP", "Espagnol LVB", "030602", lv2Hours, e.classes, esp)
	}
	if len(all) > 0 {
		g.addGroups(e, "LVB-ALL", "Allemand LVB", "030102", lv2Hours, e.classes, all)
	}
}

// ----------------------------------------------------- staff, teachers

func (g *gen) employee(profile string, e *estab, bornFrom, bornTo int) *person {
	female := g.chance(0.6)
	p := g.newPerson(profile, g.adultName(female), pick(g, surnames), female)
	p.BirthDate = g.dateBetween(day(bornFrom, 1, 1), day(bornTo, 12, 31)).Format(dateFmt)
	p.Email = p.Login + "@demo.cartable.invalid"
	p.join(e)
	return p
}

func (g *gen) staff(e *estab, function string) *person {
	from, to := 1965, 1998
	if function == roles.Head || function == roles.Deputy {
		from, to = 1964, 1982 // heads are former teachers or CPEs
	}
	p := g.employee(roles.Staff, e, from, to)
	p.functions = []string{function}
	return p
}

type teacher struct {
	p       *person
	load    float64
	classes []*class // taught directly, in order, for head-teacher choice
	heads   int
}

func leastLoaded(pool []*teacher) *teacher {
	best := pool[0]
	for _, t := range pool[1:] {
		if t.load < best.load {
			best = t
		}
	}
	return best
}

func (g *gen) assign(e *estab, t *teacher, subject string, c *class, gr *group, hours float64) {
	a := directory.Assignment{ID: g.id(), EstablishmentID: e.ID, TeacherID: t.p.ID, SubjectID: e.subject(subject).ID}
	if c != nil {
		a.ClassID = c.ID
		if !slices.Contains(t.classes, c) {
			t.classes = append(t.classes, c)
		}
	} else {
		a.GroupID = gr.ID
	}
	t.load += hours
	t.p.join(e)
	g.assigns = append(g.assigns, a)
}

// collegeTeachers hires as many teachers per subject as the weekly hours
// need (18 h a week each), shares classes and groups out so that loads are
// even, picks a head teacher per class, and returns the teacher who also
// teaches at the lycée, with their subject: German, a subject often shared
// between schools, or English in a demo too small to have German groups.
func (g *gen) collegeTeachers(e *estab) (*teacher, string) {
	hours := map[string]float64{} // looked up only, never iterated
	for _, c := range e.classes {
		for _, co := range c.lvl.courses {
			hours[co.code] += co.hours
		}
	}
	for _, gr := range e.groups {
		hours[gr.subject.Code] += gr.hours
	}
	pools := map[string][]*teacher{}
	for _, s := range e.subjects {
		if s.Code == "020100" {
			continue // Latin is taught by French teachers (lettres classiques)
		}
		n := max(1, int(math.Ceil(hours[s.Code]/fullTime-0.1)))
		for range n {
			pools[s.Code] = append(pools[s.Code], &teacher{p: g.employee(roles.Teacher, e, 1965, 1999)})
		}
	}
	var all []*teacher
	for _, s := range e.subjects {
		all = append(all, pools[s.Code]...)
	}
	for _, c := range e.classes {
		for _, co := range c.lvl.courses {
			g.assign(e, leastLoaded(pools[co.code]), co.code, c, nil, co.hours)
		}
	}
	for _, gr := range e.groups {
		code := gr.subject.Code
		if code == "020100" {
			code = "020700"
		}
		g.assign(e, leastLoaded(pools[code]), gr.subject.Code, nil, gr, gr.hours)
	}
	g.headTeachers(e, all)
	if t := pools["030102"][0]; t.load > 0 {
		return t, "030102"
	}
	return pools["030201"][0], "030201"
}

// headTeachers gives each class a professeur principal among its teachers,
// at most one class each while possible.
func (g *gen) headTeachers(e *estab, all []*teacher) {
	for _, c := range e.classes {
		var free, busy []*teacher
		for _, t := range all {
			if !slices.Contains(t.classes, c) {
				continue
			}
			if t.heads == 0 {
				free = append(free, t)
			} else {
				busy = append(busy, t)
			}
		}
		cands := free
		if len(cands) == 0 {
			cands = busy
		}
		if len(cands) == 0 {
			continue
		}
		t := pick(g, cands)
		t.heads++
		g.heads = append(g.heads, [2]string{c.ID, t.p.ID})
	}
}

// lyceeTeachers hires one teacher per subject (the physics teacher also
// teaches enseignement scientifique), the collège lending its shared
// teacher for their subject.
func (g *gen) lyceeTeachers(e *estab, shared *teacher, sharedSubject string) {
	pools := map[string]*teacher{}
	var all []*teacher
	for _, s := range e.subjects {
		if s.Code == sharedSubject || s.Code == "065300" {
			continue
		}
		t := &teacher{p: g.employee(roles.Teacher, e, 1965, 1999)}
		pools[s.Code] = t
		all = append(all, t)
	}
	pools["065300"] = pools["062300"]
	// The lent teacher has a separate load here and is not a head teacher
	// in the lycée: their main school is the collège.
	pools[sharedSubject] = &teacher{p: shared.p}
	for _, c := range e.classes {
		for _, co := range c.lvl.courses {
			g.assign(e, pools[co.code], co.code, c, nil, co.hours)
		}
	}
	for _, gr := range e.groups {
		g.assign(e, pools[gr.subject.Code], gr.subject.Code, nil, gr, gr.hours)
	}
	g.headTeachers(e, all)
}
