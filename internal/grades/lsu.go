package grades

// The national student record (livret scolaire unique, LSU): the XML
// import file of a class's periodic reports (bilans périodiques) and, when
// a source of end-of-cycle positionings is registered, its end-of-cycle
// reports (bilans de cycle), valid against the schema
// import-complet-strict.xsd (schemaVersion 7.0). docs/formats/lsu.md tells
// how each element is filled. An export that would be invalid is refused
// with problems naming the student, subject or teacher and the field.

import (
	"bytes"
	"context"
	"encoding/xml"
	"sort"
	"strconv"
	"strings"
	"sync"

	"cartable/internal/access"
	"cartable/internal/check"
	"cartable/internal/db"
	"cartable/internal/i18n"
)

// lsuNS is the schema's target namespace.
const lsuNS = "urn:fr:edu:scolarite:lsun:bilans:import"

// CycleReport is a student's end-of-cycle report: the positioning of each
// of the eight components (1 to 4, 0 for exempt) and the synthesis.
type CycleReport struct {
	Cycle     int            // 3 (ends in 6e) or 4 (ends in 3e)
	Positions map[string]int // component code → 0..4
	Synthesis string         // ≤ 1500 characters, required
}

// CycleSource reads the end-of-cycle reports of a class's students (the
// competences feature: end-of-cycle positioning), through q. Students
// without a report are absent from the map.
type CycleSource func(ctx context.Context, q db.Querier, classID string, students []string) (map[string]CycleReport, error)

var cycles struct {
	sync.Mutex
	source CycleSource
}

// RegisterCycleSource replaces the reader of end-of-cycle reports that the
// LSU export adds as bilans de cycle (nil: the built-in one, which reads
// the end-of-cycle positioning of gr_cycle_positions).
func RegisterCycleSource(f CycleSource) {
	cycles.Lock()
	cycles.source = f
	cycles.Unlock()
}

// storedCycles reads the end-of-cycle positioning the head teacher saved
// (gr_cycle_positions, the competences feature) for the students of a
// class in its school year. A student with any position has a report; its
// synthesis is left empty, for the council's general appraisal to fill.
func storedCycles(ctx context.Context, q db.Querier, classID string, students []string) (map[string]CycleReport, error) {
	rows, err := q.Query(ctx, `SELECT cp.student_id, cp.component, cp.cycle, cp.position FROM gr_cycle_positions cp
		JOIN classes c ON c.school_year_id = cp.school_year_id
		WHERE c.id = ? AND cp.student_id IN (SELECT student_id FROM enrolments WHERE class_id = ?)`, classID, classID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]CycleReport{}
	for rows.Next() {
		var st, comp string
		var cycle, pos int
		if err := rows.Scan(&st, &comp, &cycle, &pos); err != nil {
			return nil, err
		}
		r, ok := out[st]
		if !ok {
			r = CycleReport{Cycle: cycle, Positions: map[string]int{}}
		} else if r.Cycle != cycle {
			r.Cycle = 0 // mixed cycles: refused as incomplete
		}
		r.Positions[comp] = pos
		out[st] = r
	}
	return out, rows.Err()
}

// The file's elements. Attributes the schema makes optional are omitted
// when empty.
type lsuFile struct {
	XMLName xml.Name  `xml:"lsun-bilans"`
	NS      string    `xml:"xmlns,attr"`
	Version string    `xml:"schemaVersion,attr"`
	Head    lsuHeader `xml:"entete"`
	Data    lsuData   `xml:"donnees"`
}

type lsuHeader struct {
	Editor      string `xml:"editeur"`
	Application string `xml:"application"`
	UAI         string `xml:"etablissement"`
}

type lsuData struct {
	Heads       []lsuHead      `xml:"responsables-etab>responsable-etab"`
	Students    []lsuStudent   `xml:"eleves>eleve"`
	Periods     []lsuPeriod    `xml:"periodes>periode"`
	Disciplines []lsuDiscipl   `xml:"disciplines>discipline"`
	Teachers    []lsuTeacher   `xml:"enseignants>enseignant"`
	Periodic    []lsuPeriodic  `xml:"bilans-periodiques>bilan-periodique"`
	Cycle       *lsuCycleBlock `xml:"bilans-cycle,omitempty"`
}

type lsuHead struct {
	ID    string `xml:"id,attr"`
	Label string `xml:"libelle,attr"`
}

type lsuStudent struct {
	ID       string `xml:"id,attr"`
	IDBE     string `xml:"id-be,attr"`
	Last     string `xml:"nom,attr,omitempty"`
	First    string `xml:"prenom,attr,omitempty"`
	Division string `xml:"code-division,attr"`
}

type lsuPeriod struct {
	ID     string `xml:"id,attr"`
	Year   string `xml:"millesime,attr"`
	Index  int    `xml:"indice,attr"`
	Number int    `xml:"nb-periodes,attr"`
}

type lsuDiscipl struct {
	ID       string `xml:"id,attr"`
	Code     string `xml:"code,attr"`
	Election string `xml:"modalite-election,attr"`
	Label    string `xml:"libelle,attr"`
}

type lsuTeacher struct {
	ID    string `xml:"id,attr"`
	Type  string `xml:"type,attr"`
	STS   string `xml:"id-sts,attr"`
	Civ   string `xml:"civilite,attr,omitempty"`
	Last  string `xml:"nom,attr,omitempty"`
	First string `xml:"prenom,attr,omitempty"`
}

type lsuPeriodic struct {
	Student      string      `xml:"eleve-ref,attr"`
	Period       string      `xml:"periode-ref,attr"`
	Council      string      `xml:"date-conseil-classe,attr"`
	Schooling    string      `xml:"date-scolarite,attr"`
	Head         string      `xml:"responsable-etab-ref,attr"`
	HeadTeachers string      `xml:"prof-princ-refs,attr,omitempty"`
	Acquis       []lsuAcquis `xml:"liste-acquis>acquis"`
	Advice       string      `xml:"acquis-conseils"`
	Life         lsuLife     `xml:"vie-scolaire"`
}

type lsuAcquis struct {
	Discipline   string `xml:"discipline-ref,attr"`
	Teachers     string `xml:"enseignant-refs,attr"`
	Student      string `xml:"moyenne-eleve,attr,omitempty"`
	Structure    string `xml:"moyenne-structure,attr,omitempty"`
	NotGraded    string `xml:"eleve-non-note,attr,omitempty"`
	NoneGraded   string `xml:"structure-non-notee,attr,omitempty"`
	Appreciation string `xml:"appreciation,omitempty"`
}

type lsuLife struct {
	Lateness    int    `xml:"nb-retards,attr"`
	Justified   int    `xml:"nb-abs-justifiees,attr"`
	Unjustified int    `xml:"nb-abs-injustifiees,attr"`
	Hours       int    `xml:"nb-heures-manquees,attr"`
	Comment     string `xml:"commentaire,omitempty"`
}

type lsuCycleBlock struct {
	Reports []lsuCycle `xml:"bilan-cycle"`
}

type lsuCycle struct {
	Student      string      `xml:"eleve-ref,attr"`
	Cycle        int         `xml:"cycle,attr"`
	Year         string      `xml:"millesime,attr"`
	Created      string      `xml:"date-creation,attr"`
	Head         string      `xml:"responsable-etab-ref,attr"`
	HeadTeachers string      `xml:"prof-princ-refs,attr,omitempty"`
	Domains      []lsuDomain `xml:"socle>domaine"`
	Synthesis    string      `xml:"synthese"`
}

type lsuDomain struct {
	Code     string `xml:"code,attr"`
	Position int    `xml:"positionnement,attr"`
}

// cut shortens s to n characters (the schema's bounds on names).
func cut(s string, n int) string {
	s = strings.TrimSpace(s)
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}

// positiveInteger tells whether s is an xs:positiveInteger.
// nationalID is the national number within a person's join key: the keys
// of the local feeds are "siecle:UAI:ELEVE_ID" and "sts:UAI:ID"; an AAF
// key is taken whole.
func nationalID(external string) string {
	if i := strings.LastIndexByte(external, ':'); i >= 0 {
		return external[i+1:]
	}
	return external
}

func positiveInteger(s string) bool {
	if s == "" || strings.Trim(s, "0123456789") != "" {
		return false
	}
	return strings.TrimLeft(s, "0") != ""
}

// LSU writes the national record's import file of a class for a period
// (ManageGrades on its establishment), from the cards compiled now. A
// missing national id (the UAI, a student's id-be, a teacher's STS id, a
// subject's national code), a subject without a teacher or a student
// without the council's appraisal refuses the export with problems that
// name them (check.Problems; Value names the student, subject or teacher).
func (s *Service) LSU(ctx context.Context, v *access.Viewer, classID, periodID string) ([]byte, error) {
	c, _, err := classAndPeriod(ctx, s.DB, classID, periodID)
	if err != nil {
		return nil, refusal(access.ManageGrades, access.Class(classID), err)
	}
	if err := v.Can(ctx, access.ManageGrades, access.Establishment(c.Establishment)); err != nil {
		return nil, err
	}
	comp, err := compile(ctx, v, s.DB, classID, periodID)
	if err != nil {
		return nil, err
	}
	var yearStart, head string
	if err := s.DB.QueryRow(ctx, `SELECT starts_on FROM school_years WHERE id = ?`, c.Year).Scan(&yearStart); err != nil {
		return nil, err
	}
	heads, err := db.Strings(ctx, s.DB, `SELECT p.first_name || ' ' || p.last_name FROM functions f JOIN people p ON p.id = f.person_id
		WHERE f.establishment_id = ? AND f.function = 'head' AND p.active ORDER BY p.last_name, p.id`, c.Establishment)
	if err != nil {
		return nil, err
	}
	if len(heads) > 0 {
		head = heads[0]
	}
	cycles.Lock()
	source := cycles.source
	cycles.Unlock()
	if source == nil {
		source = storedCycles
	}
	ids := make([]string, len(comp.pupils))
	for i, p := range comp.pupils {
		ids[i] = p.ID
	}
	reports, err := source(ctx, s.DB, classID, ids)
	if err != nil {
		return nil, err
	}
	return buildLSU(comp, head, yearStart, s.now().In(i18n.Zone).Format("2006-01-02"), reports)
}

// buildLSU writes the file, or the problems that would make it invalid.
func buildLSU(comp *compiled, head, yearStart, today string, reports map[string]CycleReport) ([]byte, error) {
	var ps check.Problems
	c, p := comp.class, comp.period
	if len(c.UAI) != 8 {
		ps = append(ps, check.Problem{Field: "uai", Code: "lsu-uai", Value: c.EstName})
	}
	if strings.TrimSpace(head) == "" {
		ps = append(ps, check.Problem{Field: "head", Code: "lsu-head", Value: c.EstName})
	}
	if code := strings.TrimSpace(c.Code); code == "" || len([]rune(code)) > 20 {
		ps = append(ps, check.Problem{Field: "class", Code: "lsu-class", Value: c.Name})
	}
	millesime := yearStart
	if len(millesime) >= 4 {
		millesime = millesime[:4]
	}
	f := lsuFile{NS: lsuNS, Version: "7.0",
		Head: lsuHeader{Editor: "Cartable", Application: "Cartable", UAI: c.UAI}}
	f.Data.Heads = []lsuHead{{ID: "RESP_1", Label: cut(head, 100)}}
	f.Data.Periods = []lsuPeriod{{ID: "PER_1", Year: millesime, Index: p.Number, Number: comp.count}}

	// Teachers: every teacher referenced, with a numeric STS id.
	teacherRefs := map[string]string{}
	addTeacher := func(t teacherRef) (string, bool) {
		if ref, ok := teacherRefs[t.ID]; ok {
			return ref, ref != ""
		}
		if !positiveInteger(nationalID(t.External)) {
			teacherRefs[t.ID] = ""
			ps = append(ps, check.Problem{Field: "teacher/" + t.ID, Code: "lsu-sts", Value: strings.TrimSpace(t.First + " " + t.Last)})
			return "", false
		}
		ref := "ENS_" + strconv.Itoa(len(f.Data.Teachers)+1)
		teacherRefs[t.ID] = ref
		civ := ""
		switch strings.TrimSuffix(strings.ToUpper(strings.TrimSpace(t.Title)), ".") {
		case "M":
			civ = "M"
		case "MME":
			civ = "MME"
		}
		f.Data.Teachers = append(f.Data.Teachers, lsuTeacher{ID: ref, Type: "epp", STS: nationalID(t.External), Civ: civ,
			Last: cut(t.Last, 100), First: cut(t.First, 100)})
		return ref, true
	}
	var princ []string
	for _, h := range comp.heads {
		if ref, ok := addTeacher(h); ok {
			princ = append(princ, ref)
		}
	}
	// Disciplines: by national code.
	disciplineRef := map[string]string{}
	addDiscipline := func(sub CardSubject) (string, bool) {
		if ref, ok := disciplineRef[sub.ID]; ok {
			return ref, ref != ""
		}
		if len(sub.Code) != 6 {
			disciplineRef[sub.ID] = ""
			ps = append(ps, check.Problem{Field: "subject/" + sub.ID, Code: "lsu-subject", Value: sub.Name})
			return "", false
		}
		ref := "DI_" + strconv.Itoa(len(f.Data.Disciplines)+1)
		disciplineRef[sub.ID] = ref
		f.Data.Disciplines = append(f.Data.Disciplines, lsuDiscipl{ID: ref, Code: sub.Code, Election: "S", Label: cut(sub.Name, 40)})
		return ref, true
	}
	council := p.CouncilOn
	if council == "" {
		council = p.EndsOn
	}
	seenBE := map[string]string{}
	for i, st := range comp.pupils {
		card := comp.cards[i]
		name := st.name()
		if !positiveInteger(nationalID(st.External)) {
			ps = append(ps, check.Problem{Field: "student/" + st.ID, Code: "lsu-ine", Value: name})
		} else if other, dup := seenBE[nationalID(st.External)]; dup {
			ps = append(ps, check.Problem{Field: "student/" + st.ID, Code: "lsu-ine-duplicate", Value: name + " / " + other})
		}
		seenBE[nationalID(st.External)] = name
		ref := "EL_" + strconv.Itoa(i+1)
		f.Data.Students = append(f.Data.Students, lsuStudent{ID: ref, IDBE: nationalID(st.External), Last: cut(st.Last, 100),
			First: cut(st.First, 100), Division: cut(c.Code, 20)})
		b := lsuPeriodic{Student: ref, Period: "PER_1", Council: council, Schooling: yearStart, Head: "RESP_1",
			HeadTeachers: strings.Join(princ, " ")}
		for _, sub := range card.Subjects {
			dref, ok := addDiscipline(sub)
			var trefs []string
			taught := false
			for _, t := range comp.teachers[st.ID] {
				if t.Subject != sub.ID {
					continue
				}
				taught = true
				if tr, ok := addTeacher(t); ok {
					trefs = append(trefs, tr)
				}
			}
			if !taught {
				ps = append(ps, check.Problem{Field: "subject/" + sub.ID + "/teacher", Code: "lsu-no-teacher", Value: sub.Name + " (" + name + ")"})
			}
			if !ok || len(trefs) == 0 {
				continue
			}
			sort.Strings(trefs)
			a := lsuAcquis{Discipline: dref, Teachers: strings.Join(trefs, " "), Appreciation: cut(sub.Appraisal, 600)}
			if sub.Graded {
				a.Student = sub.Student
			} else {
				a.NotGraded = "true"
			}
			if sub.Mean != "" {
				a.Structure = sub.Mean
			} else {
				a.NoneGraded = "true"
			}
			b.Acquis = append(b.Acquis, a)
		}
		if len(card.Subjects) == 0 {
			ps = append(ps, check.Problem{Field: "student/" + st.ID + "/subjects", Code: "lsu-no-subject", Value: name})
		}
		b.Advice = cut(card.Council.General, 1000)
		if b.Advice == "" {
			ps = append(ps, check.Problem{Field: "general/" + st.ID, Code: "lsu-general", Value: name})
		}
		b.Life = lsuLife{Lateness: min(card.Life.Lateness, 999), Justified: min(card.Life.Justified, 999),
			Unjustified: min(card.Life.Unjustified, 999), Hours: min(card.Life.MissedHours, 999), Comment: cut(card.Council.Life, 600)}
		f.Data.Periodic = append(f.Data.Periodic, b)

		if r, ok := reports[st.ID]; ok {
			if f.Data.Cycle == nil {
				f.Data.Cycle = &lsuCycleBlock{}
			}
			synthesis := r.Synthesis
			if strings.TrimSpace(synthesis) == "" {
				synthesis = card.Council.General // the council's appraisal sums the cycle up
			}
			cy := lsuCycle{Student: ref, Cycle: r.Cycle, Year: millesime, Created: today, Head: "RESP_1",
				HeadTeachers: strings.Join(princ, " "), Synthesis: cut(synthesis, 1500)}
			bad := (r.Cycle != 3 && r.Cycle != 4) || cy.Synthesis == ""
			for _, code := range Components {
				pos, ok := r.Positions[string(code)]
				bad = bad || !ok || pos < 0 || pos > 4
				cy.Domains = append(cy.Domains, lsuDomain{Code: string(code), Position: pos})
			}
			if bad {
				ps = append(ps, check.Problem{Field: "cycle/" + st.ID, Code: "lsu-cycle", Value: name})
			}
			f.Data.Cycle.Reports = append(f.Data.Cycle.Reports, cy)
		}
	}
	if len(comp.pupils) == 0 {
		ps = append(ps, check.Problem{Field: "class", Code: "lsu-no-student", Value: c.Name})
	}
	if len(ps) > 0 {
		return nil, ps
	}
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	enc.Indent("", "  ")
	if err := enc.Encode(f); err != nil {
		return nil, err
	}
	buf.WriteString("\n")
	return buf.Bytes(), nil
}
