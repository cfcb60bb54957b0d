// Package synth writes synthetic AAF deliveries of any size: establishments
// with their students, families, staff, classes, groups, subjects and
// teaching, as the academic feed delivers them (complete), and deltas of a
// chosen number of changes on top of them. It serves the import's
// benchmarks and tests; the same options always give the same files.
//
// Every name is drawn from short invented lists; join keys and UAIs follow
// fixed patterns (E…, R…, P…, S…; UAI "9NNNNNNX") so that a delta can
// refer to the people of the complete delivery it follows.
package synth

import (
	"bufio"
	"encoding/binary"
	"encoding/xml"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
)

// Options size a delivery.
type Options struct {
	People         int    // about this many people in all (students, relatives, staff)
	Establishments int    // default: one per 2,000 people
	Seed           uint64 // default 1
	Date           string // YYYYMMDD, default 20260901
	PerFile        int    // records per file part, default 50,000
}

func (o *Options) normalise() {
	if o.People <= 0 {
		o.People = 2000
	}
	if o.Establishments <= 0 {
		o.Establishments = max(1, o.People/2000)
	}
	if o.Seed == 0 {
		o.Seed = 1
	}
	if o.Date == "" {
		o.Date = "20260901"
	}
	if o.PerFile <= 0 {
		o.PerFile = 50000
	}
}

// Counts says what a delivery holds.
type Counts struct {
	Establishments, Students, Relatives, Staff, Classes, Groups int
	Changes                                                     int // deltas: records written
}

var subjects = [][2]string{
	{"020700", "FRANCAIS"}, {"061300", "MATHEMATIQUES"}, {"030201", "ANGLAIS LV1"}, {"030602", "ESPAGNOL LV2"},
	{"040700", "HISTOIRE-GEOGRAPHIE"}, {"062900", "SCIENCES VIE ET TERRE"}, {"061800", "PHYSIQUE-CHIMIE"},
	{"100100", "EDUCATION PHYSIQUE ET SPORTIVE"}, {"080100", "EDUCATION MUSICALE"}, {"070200", "ARTS PLASTIQUES"},
	{"070800", "TECHNOLOGIE"},
}

var levels = []struct{ code, mef, label string }{
	{"6", "10010012110", "6EME"}, {"5", "10110001110", "5EME"}, {"4", "10210001110", "4EME"}, {"3", "10310019110", "3EME"},
}

var (
	givenF  = []string{"Emma", "Jade", "Louise", "Alice", "Chloé", "Léa", "Manon", "Inès", "Zoé", "Camille", "Lina", "Nina", "Anaïs", "Élise", "Maëlle"}
	givenM  = []string{"Gabriel", "Léo", "Louis", "Lucas", "Hugo", "Jules", "Adam", "Arthur", "Noé", "Théo", "Nathan", "Éthan", "Raphaël", "Timéo", "Côme"}
	adultF  = []string{"Nathalie", "Isabelle", "Sylvie", "Céline", "Sophie", "Julie", "Hélène", "Claire", "Aurélie", "Karine"}
	adultM  = []string{"Nicolas", "Julien", "Stéphane", "David", "Olivier", "Thomas", "Laurent", "François", "Éric", "Jérôme"}
	surname = []string{"MARTIN", "BERNARD", "DUBOIS", "THOMAS", "ROBERT", "RICHARD", "PETIT", "DURAND", "LEROY", "MOREAU",
		"SIMON", "LAURENT", "LEFÈVRE", "MICHEL", "GARCIA", "DAVID", "BERTRAND", "ROUX", "VINCENT", "FOURNIER",
		"MOREL", "GIRARD", "ANDRÉ", "MERCIER", "DUPONT", "LAMBERT", "BONNET", "FRANÇOIS", "MARTINEZ", "LE GALL"}
	cities = []string{"LILLE", "DOUAI", "ARRAS", "LENS", "VALENCIENNES", "CAMBRAI", "DUNKERQUE", "CALAIS"}
)

// model is the delivery in memory: small enough (a few bytes per person)
// even for an academy.
type model struct {
	o     Options
	ests  []est
	rng   *rand.Rand
	nStud int
}

type est struct {
	n        int // index
	students int // first student index, count
	first    int
	classes  []string // codes
	perClass int
}

func newModel(o Options) *model {
	var seed [32]byte
	binary.LittleEndian.PutUint64(seed[:], o.Seed)
	copy(seed[8:], "cartable synth")
	m := &model{o: o, rng: rand.New(rand.NewChaCha8(seed))}
	// About two people per student: families of two siblings have 1.8
	// relatives on average, and there is one member of staff per twelve.
	perEst := o.People / o.Establishments
	studPerEst := max(25, perEst*100/200)
	first := 0
	for i := 0; i < o.Establishments; i++ {
		e := est{n: i, first: first, students: studPerEst, perClass: 25}
		nClasses := max(1, (studPerEst+24)/25)
		for c := 0; c < nClasses; c++ {
			l := levels[c%len(levels)]
			e.classes = append(e.classes, fmt.Sprintf("%s%c", l.code, 'A'+rune(c/len(levels))%26)+suffix(c/len(levels)/26))
		}
		first += studPerEst
		m.ests = append(m.ests, e)
	}
	m.nStud = first
	return m
}

func suffix(n int) string {
	if n == 0 {
		return ""
	}
	return fmt.Sprint(n)
}

// Keys and codes, fixed patterns.
func estKey(i int) string      { return fmt.Sprintf("S%05d", i) }
func uai(i int) string         { return fmt.Sprintf("9%06dX", i) }
func studentKey(i int) string  { return fmt.Sprintf("E%07d", i) }
func relativeKey(i int) string { return fmt.Sprintf("R%07d", i) }
func staffKey(i int) string    { return fmt.Sprintf("P%07d", i) }

// family of student i: students are grouped by 1 or 2 siblings; each family
// has two relatives (one in six has one).
func familyOf(i int) int { return i / 2 }

func relativesOf(i int) []int {
	f := familyOf(i)
	if f%6 == 5 {
		return []int{2 * f}
	}
	return []int{2 * f, 2*f + 1}
}

// writer writes one file type in parts.
type writer struct {
	dir, prefix, mode, date, typ string
	per, part, n                 int
	f                            *os.File
	w                            *bufio.Writer
	files                        []string
}

func (w *writer) record(body string) error {
	if w.w == nil || w.n >= w.per {
		if err := w.close(); err != nil {
			return err
		}
		name := fmt.Sprintf("%s_%s_%s_%s_%04d.xml", w.prefix, w.mode, w.date, w.typ, w.part)
		w.part++
		f, err := os.Create(filepath.Join(w.dir, name))
		if err != nil {
			return err
		}
		w.f, w.w, w.n = f, bufio.NewWriterSize(f, 256<<10), 0
		w.files = append(w.files, name)
		io.WriteString(w.w, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE ficAlimMENESR SYSTEM \"ficAlimMENESR.dtd\">\n<ficAlimMENESR>\n")
	}
	w.n++
	_, err := io.WriteString(w.w, body)
	return err
}

func (w *writer) close() error {
	if w.w == nil {
		return nil
	}
	io.WriteString(w.w, "</ficAlimMENESR>\n")
	if err := w.w.Flush(); err != nil {
		return err
	}
	err := w.f.Close()
	w.w, w.f = nil, nil
	return err
}

// req builds one request.
type req struct {
	b strings.Builder
}

func (r *req) open(kind, category, catAttr, id string) {
	fmt.Fprintf(&r.b, "<%s>\n<operationalAttributes><attr name=\"%s\"><value>%s</value></attr></operationalAttributes>\n<identifier><id>%s</id></identifier>\n",
		kind, catAttr, category, esc(id))
	switch kind {
	case "addRequest":
		r.b.WriteString("<attributes>\n")
	case "modifyRequest":
		r.b.WriteString("<modifications>\n")
	}
}

func (r *req) attr(name string, values ...string) {
	fmt.Fprintf(&r.b, "<attr name=\"%s\">", name)
	if len(values) == 0 {
		r.b.WriteString("<value/>")
	}
	for _, v := range values {
		r.b.WriteString("<value>" + esc(v) + "</value>")
	}
	r.b.WriteString("</attr>\n")
}

func (r *req) mod(name string, values ...string) {
	fmt.Fprintf(&r.b, "<modification name=\"%s\" operation=\"replace\">", name)
	if len(values) == 0 {
		r.b.WriteString("<value/>")
	}
	for _, v := range values {
		r.b.WriteString("<value>" + esc(v) + "</value>")
	}
	r.b.WriteString("</modification>\n")
}

func (r *req) close(kind string) string {
	switch kind {
	case "addRequest":
		r.b.WriteString("</attributes>\n")
	case "modifyRequest":
		r.b.WriteString("</modifications>\n")
	}
	r.b.WriteString("</" + kind + ">\n")
	s := r.b.String()
	r.b.Reset()
	return s
}

func esc(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(s))
	return b.String()
}

func pick(r *rand.Rand, s []string) string { return s[r.IntN(len(s))] }

// Complete writes a complete delivery into dir (created if needed).
func Complete(dir string, o Options) (Counts, error) {
	o.normalise()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return Counts{}, err
	}
	m := newModel(o)
	var c Counts
	mk := func(typ string) *writer {
		return &writer{dir: dir, prefix: "SYNTH", mode: "Complet", date: o.Date, typ: typ, per: o.PerFile}
	}
	var r req
	// Establishments.
	w := mk("EtabEducNat")
	for _, e := range m.ests {
		r.open("addRequest", "EtabEducNat", "categorieStructure", estKey(e.n))
		r.attr("ENTStructureJointure", estKey(e.n))
		r.attr("ENTStructureUAI", uai(e.n))
		r.attr("ENTStructureNomCourant", fmt.Sprintf("COLLEGE SYNTHESE %d", e.n))
		r.attr("ENTStructureTypeStruct", "COLLEGE")
		r.attr("l", cities[e.n%len(cities)])
		r.attr("ENTServAcAcademie", "LILLE")
		if err := w.record(r.close("addRequest")); err != nil {
			return c, err
		}
		c.Establishments++
		c.Classes += len(e.classes)
		c.Groups += (len(e.classes) + 1) / 2
	}
	if err := w.close(); err != nil {
		return c, err
	}
	// Subjects and MEFs.
	w = mk("MatiereEducNat")
	for _, s := range subjects {
		r.open("addRequest", "MatEducNat", "categorieMatiere", s[0])
		r.attr("ENTMatJointure", s[0])
		r.attr("ENTLibelleMatiere", s[1])
		if err := w.record(r.close("addRequest")); err != nil {
			return c, err
		}
	}
	if err := w.close(); err != nil {
		return c, err
	}
	w = mk("MefEducNat")
	for _, l := range levels {
		r.open("addRequest", "MefEducNat", "categorieMef", l.mef)
		r.attr("ENTMefJointure", l.mef)
		r.attr("ENTLibelleMef", l.label)
		if err := w.record(r.close("addRequest")); err != nil {
			return c, err
		}
	}
	if err := w.close(); err != nil {
		return c, err
	}
	// Staff: per establishment a head, a deputy, a CPE, a documentalist and
	// teachers, each teacher taking two subjects' worth of classes.
	w = mk("PersEducNat")
	staffN := 0
	for _, e := range m.ests {
		staff := max(6, e.students/12)
		for k := 0; k < staff; k++ {
			female := m.rng.IntN(2) == 0
			given := pick(m.rng, adultM)
			t := "M."
			if female {
				given, t = pick(m.rng, adultF), "Mme"
			}
			key := staffKey(staffN)
			staffN++
			r.open("addRequest", "PersEducNat", "categoriePersonne", key)
			r.attr("ENTPersonJointure", key)
			r.attr("sn", pick(m.rng, surname))
			r.attr("givenName", given)
			r.attr("personalTitle", t)
			r.attr("ENTPersonDateNaissance", fmt.Sprintf("%02d/%02d/%d", 1+m.rng.IntN(28), 1+m.rng.IntN(12), 1965+m.rng.IntN(30)))
			r.attr("mail", fmt.Sprintf("%s@ac-synth.example", strings.ToLower(key)))
			r.attr("ENTPersonStructRattach", estKey(e.n))
			var fn string
			switch k {
			case 0:
				fn = estKey(e.n) + "$DIR$DIRECTION$D0010$DIRECTION CHEF D'ETABLISSEMENT"
			case 1:
				fn = estKey(e.n) + "$DIR$DIRECTION$D0011$DIRECTION ADJOINT AU CHEF ETABLISSEMENT"
			case 2:
				fn = estKey(e.n) + "$EDU$EDUCATION$E0030$EDUCATION"
			case 3:
				fn = estKey(e.n) + "$DOC$DOCUMENTATION$L0080$DOCUMENTATION"
			default:
				fn = estKey(e.n) + "$ENS$ENSEIGNEMENT$L0202$LETTRES MODERNES"
			}
			r.attr("ENTPersonFonctions", fn)
			var cls, mat, grp, gmat, princ []string
			if k >= 4 {
				r.attr("PersEducNatPresenceDevantEleves", "O")
				teachers := staff - 4
				subj := subjects[(k-4)%len(subjects)][0]
				for ci, code := range e.classes {
					if ci%teachers == (k-4)%teachers || (ci+teachers/2)%teachers == (k-4)%teachers {
						cls = append(cls, estKey(e.n)+"$"+code)
						mat = append(mat, estKey(e.n)+"$"+code+"$"+subj)
					}
				}
				if (k-4) < len(e.classes) && (k-4)%2 == 0 {
					princ = append(princ, estKey(e.n)+"$"+e.classes[k-4])
				}
				if (k-4)%5 == 0 {
					for gi := 0; gi+1 < len(e.classes); gi += 2 {
						if (gi/2)%max(1, teachers/5) == ((k-4)/5)%max(1, teachers/5) {
							g := e.classes[gi] + "G"
							grp = append(grp, estKey(e.n)+"$"+g)
							gmat = append(gmat, estKey(e.n)+"$"+g+"$030602")
						}
					}
				}
			} else {
				r.attr("PersEducNatPresenceDevantEleves", "N")
			}
			r.attr("ENTAuxEnsClasses", cls...)
			r.attr("ENTAuxEnsGroupes", grp...)
			r.attr("ENTAuxEnsClassesMatieres", mat...)
			r.attr("ENTAuxEnsGroupesMatieres", gmat...)
			r.attr("ENTAuxEnsClassesPrincipal", princ...)
			if err := w.record(r.close("addRequest")); err != nil {
				return c, err
			}
			c.Staff++
		}
	}
	if err := w.close(); err != nil {
		return c, err
	}
	// Students.
	w = mk("Eleve")
	for _, e := range m.ests {
		for k := 0; k < e.students; k++ {
			i := e.first + k
			if err := w.record(m.student(&r, e, i, "addRequest", "")); err != nil {
				return c, err
			}
			c.Students++
		}
	}
	if err := w.close(); err != nil {
		return c, err
	}
	// Relatives: each once, after their students.
	w = mk("PersRelEleve")
	for f := 0; f <= familyOf(m.nStud-1); f++ {
		for _, ri := range relativesOf(2 * f) {
			if err := w.record(m.relative(&r, ri, f, "addRequest")); err != nil {
				return c, err
			}
			c.Relatives++
		}
	}
	return c, w.close()
}

// student writes a student; class "" means the usual one.
func (m *model) student(r *req, e est, i int, kind, class string) string {
	return m.studentIn(r, e, i, kind, class, i)
}

// studentIn writes student i as a member of the family of student sibling.
func (m *model) studentIn(r *req, e est, i int, kind, class string, sibling int) string {
	k := i - e.first
	if class == "" {
		class = e.classes[min(k/e.perClass, len(e.classes)-1)]
	}
	lvl := levels[strings.IndexByte("6543", class[0])%len(levels)]
	rng := rand.New(rand.NewPCG(m.o.Seed, uint64(i)))
	given := pick(rng, givenF)
	if rng.IntN(2) == 0 {
		given = pick(rng, givenM)
	}
	r.open(kind, "Eleve", "categoriePersonne", studentKey(i))
	set := r.attr
	if kind == "modifyRequest" {
		set = r.mod
	}
	set("ENTPersonJointure", studentKey(i))
	set("sn", surname[familyOf(i)%len(surname)])
	set("givenName", given)
	set("ENTPersonDateNaissance", fmt.Sprintf("%02d/%02d/%d", 1+rng.IntN(28), 1+rng.IntN(12), 2010+rng.IntN(5)))
	set("ENTPersonStructRattach", estKey(e.n))
	set("ENTEleveMEF", lvl.mef)
	set("ENTEleveLibelleMEF", lvl.label)
	set("ENTEleveClasses", estKey(e.n)+"$"+class)
	var groups []string
	for idx, code := range e.classes {
		if code == class {
			groups = append(groups, estKey(e.n)+"$"+e.classes[idx-idx%2]+"G")
		}
	}
	set("ENTEleveGroupes", groups...)
	var rels []string
	for n, ri := range relativesOf(sibling) {
		code := "10"
		if n == 1 {
			code = "20"
		}
		rels = append(rels, fmt.Sprintf("%s$%s$1$%d$1$1", relativeKey(ri), code, n+1))
	}
	set("ENTElevePersRelEleve", rels...)
	return r.close(kind)
}

func (m *model) relative(r *req, ri, family int, kind string) string {
	rng := rand.New(rand.NewPCG(m.o.Seed^0x5eed, uint64(ri)))
	female := ri%2 == 0
	given, t := pick(rng, adultM), "M."
	if female {
		given, t = pick(rng, adultF), "Mme"
	}
	r.open(kind, "PersRelEleve", "categoriePersonne", relativeKey(ri))
	set := r.attr
	if kind == "modifyRequest" {
		set = r.mod
	}
	set("ENTPersonJointure", relativeKey(ri))
	set("sn", surname[family%len(surname)])
	set("givenName", given)
	set("personalTitle", t)
	set("mobile", fmt.Sprintf("06 00 %02d %02d %02d", rng.IntN(100), rng.IntN(100), rng.IntN(100)))
	set("ENTPersonAdresse", fmt.Sprintf("%d rue des Écoles$$$", 1+rng.IntN(120)))
	set("ENTPersonCodePostal", fmt.Sprintf("59%03d", rng.IntN(1000)))
	set("ENTPersonVille", cities[family%len(cities)])
	return r.close(kind)
}

// Delta writes a delta of about changes records on top of the complete
// delivery o describes: a fifth each of class moves, new students, left
// students, relatives' new phone numbers and new staff.
func Delta(dir string, o Options, changes int, date string) (Counts, error) {
	o.normalise()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return Counts{}, err
	}
	m := newModel(o)
	var c Counts
	mk := func(typ string) *writer {
		return &writer{dir: dir, prefix: "SYNTH", mode: "Delta", date: date, typ: typ, per: o.PerFile}
	}
	var r req
	fifth := max(1, changes/5)
	rng := rand.New(rand.NewPCG(o.Seed, 0xde17a))
	w := mk("Eleve")
	used := map[int]bool{}
	draw := func() int {
		for {
			i := rng.IntN(m.nStud)
			if !used[i] {
				used[i] = true
				return i
			}
		}
	}
	estOf := func(i int) est {
		for _, e := range m.ests {
			if i >= e.first && i < e.first+e.students {
				return e
			}
		}
		return m.ests[len(m.ests)-1]
	}
	for k := 0; k < fifth; k++ { // moves to another class of the same establishment
		i := draw()
		e := estOf(i)
		class := e.classes[rng.IntN(len(e.classes))]
		if err := w.record(m.student(&r, e, i, "modifyRequest", class)); err != nil {
			return c, err
		}
		c.Changes++
	}
	for k := 0; k < fifth; k++ { // newcomers, with a family already known
		e := m.ests[rng.IntN(len(m.ests))]
		i := m.nStud + k
		// The newcomer joins the family of an existing student.
		s := m.studentIn(&r, e, i, "addRequest", e.classes[rng.IntN(len(e.classes))], draw())
		if err := w.record(s); err != nil {
			return c, err
		}
		c.Changes++
	}
	for k := 0; k < fifth; k++ { // leavers
		i := draw()
		r.open("deleteRequest", "Eleve", "categoriePersonne", studentKey(i))
		r.b.WriteString("</deleteRequest>\n")
		s := r.b.String()
		r.b.Reset()
		if err := w.record(s); err != nil {
			return c, err
		}
		c.Changes++
	}
	if err := w.close(); err != nil {
		return c, err
	}
	w = mk("PersRelEleve")
	for k := 0; k < fifth; k++ { // new phone numbers
		i := draw()
		ri := relativesOf(i)[0]
		r.open("modifyRequest", "PersRelEleve", "categoriePersonne", relativeKey(ri))
		r.mod("mobile", fmt.Sprintf("07 00 %02d %02d %02d", rng.IntN(100), rng.IntN(100), rng.IntN(100)))
		if err := w.record(r.close("modifyRequest")); err != nil {
			return c, err
		}
		c.Changes++
	}
	if err := w.close(); err != nil {
		return c, err
	}
	w = mk("PersEducNat")
	for k := 0; k < changes-4*fifth; k++ { // new staff
		e := m.ests[rng.IntN(len(m.ests))]
		key := fmt.Sprintf("P9%06d", k)
		r.open("addRequest", "PersEducNat", "categoriePersonne", key)
		r.attr("ENTPersonJointure", key)
		r.attr("sn", pick(rng, surname))
		r.attr("givenName", pick(rng, adultF))
		r.attr("personalTitle", "Mme")
		r.attr("ENTPersonStructRattach", estKey(e.n))
		r.attr("ENTPersonFonctions", estKey(e.n)+"$ENS$ENSEIGNEMENT$L0202$LETTRES MODERNES")
		r.attr("PersEducNatPresenceDevantEleves", "O")
		code := e.classes[rng.IntN(len(e.classes))]
		r.attr("ENTAuxEnsClasses", estKey(e.n)+"$"+code)
		r.attr("ENTAuxEnsClassesMatieres", estKey(e.n)+"$"+code+"$020700")
		if err := w.record(r.close("addRequest")); err != nil {
			return c, err
		}
		c.Changes++
	}
	return c, w.close()
}
