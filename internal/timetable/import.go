package timetable

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"

	"cartable/internal/access"
	"cartable/internal/check"
	"cartable/internal/db"
	"cartable/internal/ids"
)

// ImportOptions say where an import goes and how faults are handled.
type ImportOptions struct {
	EstablishmentID, SchoolYearID string
	// SkipFaulty imports the lessons without fault and skips the others
	// (each reported). Without it, any fault stops the import and nothing
	// is written.
	SkipFaulty bool
}

// canImport asks whether v may edit the establishment's timetable, and
// refuses a school year of another establishment.
func canImport(ctx context.Context, v *access.Viewer, q db.Querier, o ImportOptions) error {
	if err := canEdit(ctx, v, o.EstablishmentID); err != nil {
		return err
	}
	var x int
	err := q.QueryRow(ctx, `SELECT 1 FROM school_years WHERE id = ? AND establishment_id = ?`, o.SchoolYearID, o.EstablishmentID).Scan(&x)
	if errors.Is(err, sql.ErrNoRows) {
		return refused(access.EditTimetable, access.Resource{Kind: "school-year", ID: o.SchoolYearID})
	}
	return err
}

// Import reads a timetable file for a page, in a transaction of its own:
// an EDT_STS export (name ending in .xml, or content starting with "<")
// or else a CSV file. Nothing is written unless the report says Applied.
func Import(ctx context.Context, v *access.Viewer, d *db.DB, name string, data []byte, o ImportOptions) (ImportReport, error) {
	var rep ImportReport
	errNotApplied := errors.New("timetable: import not applied")
	err := write(ctx, d, func(tx *db.Tx) (err error) {
		if strings.HasSuffix(strings.ToLower(name), ".xml") || bytes.HasPrefix(bytes.TrimSpace(data), []byte("<")) {
			rep, err = ImportEDT(ctx, v, tx, bytes.NewReader(data), o)
		} else {
			rep, err = ImportCSV(ctx, v, tx, data, o)
		}
		if err == nil && !rep.Applied {
			return errNotApplied // roll back what a partial run may have written
		}
		return err
	})
	if errors.Is(err, errNotApplied) {
		err = nil
	}
	return rep, err
}

// ImportReport tells what an import did or would do.
type ImportReport struct {
	Lessons      int // lessons written (0 when nothing was applied)
	Skipped      int // faulty lessons left out
	Rooms        int // rooms created
	Alternations int // week patterns written
	Problems     check.Problems
	Applied      bool
}

// A plan is what a file asks for, resolved against the database.
type plan struct {
	slots   []NewSlot
	faulty  map[int]bool // lines with a fault
	rooms   []Room       // rooms to create
	alts    []Alternation
	probs   check.Problems
	altByID map[string]map[string]bool
}

func (p *plan) fault(line int, field, code, value string) {
	p.probs = append(p.probs, check.Problem{Line: line, Field: field, Code: code, Value: value})
	p.faulty[line] = true
}

// refs resolves codes and names of an establishment's year.
type refs struct {
	classes, groups, subjects, subjectsShort, rooms, alts map[string]string // code → ID
	teachersExt, teachersName, teachersLogin              map[string]string
	altWeeks                                              map[string]map[string]bool
}

func norm(s string) string { return strings.ToUpper(strings.Join(strings.Fields(s), " ")) }

func loadRefs(ctx context.Context, q db.Querier, est, year string) (*refs, error) {
	r := &refs{classes: map[string]string{}, groups: map[string]string{}, subjects: map[string]string{},
		subjectsShort: map[string]string{}, rooms: map[string]string{}, alts: map[string]string{},
		teachersExt: map[string]string{}, teachersName: map[string]string{}, teachersLogin: map[string]string{}}
	load := func(query string, args []any, fn func(a, b, c string)) error {
		rows, err := q.Query(ctx, query, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var a, b, c string
			if err := rows.Scan(&a, &b, &c); err != nil {
				return err
			}
			fn(a, b, c)
		}
		return rows.Err()
	}
	steps := []struct {
		q  string
		a  []any
		fn func(a, b, c string)
	}{
		{`SELECT id, code, '' FROM classes WHERE school_year_id = ? AND establishment_id = ?`, []any{year, est},
			func(id, code, _ string) { r.classes[norm(code)] = id }},
		{`SELECT id, code, '' FROM groups WHERE school_year_id = ? AND establishment_id = ?`, []any{year, est},
			func(id, code, _ string) { r.groups[norm(code)] = id }},
		{`SELECT id, code, short_name FROM subjects WHERE establishment_id = ?`, []any{est},
			func(id, code, short string) {
				r.subjects[norm(code)] = id
				if short != "" {
					r.subjectsShort[norm(short)] = id
				}
			}},
		{`SELECT id, code, '' FROM tt_rooms WHERE establishment_id = ?`, []any{est},
			func(id, code, _ string) { r.rooms[norm(code)] = id }},
		{`SELECT id, code, '' FROM tt_alternations WHERE establishment_id = ?`, []any{est},
			func(id, code, _ string) { r.alts[norm(code)] = id }},
		{`SELECT p.id, COALESCE(p.external_id, ''), p.login || '|' || p.last_name || '|' || p.first_name FROM people p
			JOIN memberships m ON m.person_id = p.id WHERE m.establishment_id = ? AND p.profile IN ('teacher', 'staff') AND p.active`,
			[]any{est}, func(id, ext, names string) {
				parts := strings.SplitN(names, "|", 3)
				if ext != "" {
					r.teachersExt[ext] = id
				}
				r.teachersLogin[strings.ToLower(parts[0])] = id
				for _, n := range []string{parts[1] + " " + parts[2], parts[2] + " " + parts[1]} {
					k := norm(n)
					if prev, dup := r.teachersName[k]; dup && prev != id {
						r.teachersName[k] = "" // ambiguous: two teachers of that name
					} else {
						r.teachersName[k] = id
					}
				}
			}},
	}
	for _, s := range steps {
		if err := load(s.q, s.a, s.fn); err != nil {
			return nil, err
		}
	}
	var err error
	r.altWeeks, err = alternationWeeks(ctx, q, est)
	return r, err
}

// ------------------------------------------------------------ EDT XML

// xnode is an element of the export with the line it starts on.
type xnode struct {
	name  string
	attrs map[string]string
	text  string
	line  int
	kids  []*xnode
}

func (n *xnode) child(name string) *xnode {
	for _, k := range n.kids {
		if k.name == name {
			return k
		}
	}
	return nil
}

func (n *xnode) childText(name string) string {
	if c := n.child(name); c != nil {
		return strings.TrimSpace(c.text)
	}
	return ""
}

// walk calls fn on every element under n with its ancestors.
func (n *xnode) walk(path []*xnode, fn func(n *xnode, path []*xnode)) {
	fn(n, path)
	path = append(path, n)
	for _, k := range n.kids {
		k.walk(path, fn)
	}
}

func parseXML(r io.Reader) (*xnode, error) {
	d := xml.NewDecoder(r)
	d.CharsetReader = func(label string, in io.Reader) (io.Reader, error) {
		switch strings.ToLower(label) {
		case "iso-8859-1", "latin1", "windows-1252", "cp1252", "iso-8859-15":
			return charmap.Windows1252.NewDecoder().Reader(in), nil
		}
		return nil, fmt.Errorf("unsupported encoding %s", label)
	}
	var stack []*xnode
	var root *xnode
	for {
		line, _ := d.InputPos()
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			n := &xnode{name: strings.ToUpper(t.Name.Local), attrs: map[string]string{}, line: line}
			for _, a := range t.Attr {
				n.attrs[strings.ToUpper(a.Name.Local)] = strings.TrimSpace(a.Value)
			}
			if len(stack) > 0 {
				p := stack[len(stack)-1]
				p.kids = append(p.kids, n)
			} else if root == nil {
				root = n
			}
			stack = append(stack, n)
		case xml.EndElement:
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].text += string(t)
			}
		}
	}
	if root == nil {
		return nil, fmt.Errorf("no XML element")
	}
	return root, nil
}

// hhmm reads "0830" (or "830") as minutes.
func hhmm(s string) (int, bool) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 4 {
		return 0, false
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0, false
	}
	h, m := n/100, n%100
	if m > 59 {
		return 0, false
	}
	return h*60 + m, true
}

// ImportEDT reads a timetable export (root EDT_STS or STS_EDT, see
// docs/formats/timetable.md) into the establishment's school year, in tx:
// it replaces the year's weekly lessons. Faults are reported by line;
// unless SkipFaulty, any fault leaves everything unchanged.
func ImportEDT(ctx context.Context, v *access.Viewer, tx *db.Tx, r io.Reader, o ImportOptions) (ImportReport, error) {
	if err := canImport(ctx, v, tx, o); err != nil {
		return ImportReport{}, err
	}
	defer edited()
	root, err := parseXML(r)
	if err != nil {
		return ImportReport{Problems: check.Problems{{Field: "file", Code: "bad-xml", Value: err.Error()}}}, nil
	}
	if root.name != "EDT_STS" && root.name != "STS_EDT" {
		return ImportReport{Problems: check.Problems{{Line: root.line, Field: "file", Code: "bad-root", Value: root.name}}}, nil
	}
	rf, err := loadRefs(ctx, tx, o.EstablishmentID, o.SchoolYearID)
	if err != nil {
		return ImportReport{}, err
	}
	p := &plan{faulty: map[int]bool{}, altByID: map[string]map[string]bool{}}
	for k, v := range rf.altWeeks {
		p.altByID[k] = v
	}
	gestion := map[string]string{} // MATIERE code → CODE_GESTION
	people := map[string]*xnode{}
	fileRooms := map[string]bool{}
	fileAlts := map[string]string{} // code → ID of the pattern written
	emptyAlts := map[string]bool{}
	root.walk(nil, func(n *xnode, path []*xnode) {
		switch n.name {
		case "MATIERE":
			if c := n.attrs["CODE"]; c != "" {
				gestion[norm(c)] = norm(n.childText("CODE_GESTION"))
			}
		case "INDIVIDU":
			if id := n.attrs["ID"]; id != "" {
				people[id] = n
			}
		case "SALLE_COURS":
			code := norm(n.attrs["CODE"])
			if code == "" {
				p.fault(n.line, "room", "missing-code", "")
				return
			}
			fileRooms[code] = true
			if rf.rooms[code] == "" {
				id := ids.New()
				rf.rooms[code] = id
				name := strings.TrimSpace(n.childText("LIBELLE_LONG"))
				if name == "" {
					name = n.attrs["CODE"]
				}
				p.rooms = append(p.rooms, Room{ID: id, EstablishmentID: o.EstablishmentID, Code: n.attrs["CODE"], Name: name})
			}
		case "ALTERNANCE":
			code := norm(n.attrs["CODE"])
			if code == "" || code == "H" {
				return
			}
			a := Alternation{ID: ids.New(), EstablishmentID: o.EstablishmentID, Code: n.attrs["CODE"],
				Label: strings.TrimSpace(n.childText("LIBELLE_LONG"))}
			if a.Label == "" {
				a.Label = strings.TrimSpace(n.childText("LIBELLE_COURT"))
			}
			if a.Label == "" {
				a.Label = a.Code
			}
			n.walk(nil, func(w *xnode, _ []*xnode) {
				if w.name != "DATE_DEBUT_SEMAINE" {
					return
				}
				d, err := ParseDate(strings.TrimSpace(w.text))
				if err != nil {
					p.fault(w.line, "week", "bad-date", strings.TrimSpace(w.text))
					return
				}
				a.Mondays = append(a.Mondays, Monday(d).Format(DateFormat))
			})
			if len(a.Mondays) == 0 {
				emptyAlts[code] = true
				p.probs = append(p.probs, check.Problem{Line: n.line, Field: "alternation", Code: "empty-alternation", Value: a.Code})
				return
			}
			set := map[string]bool{}
			for _, m := range a.Mondays {
				set[m] = true
			}
			p.altByID[a.ID] = set
			fileAlts[code] = a.ID
			p.alts = append(p.alts, a)
		}
	})
	from, to := yearBounds(ctx, tx, o.SchoolYearID)
	type key struct {
		day, start, dur        int
		audience, subject, alt string
		room                   string
	}
	merged := map[key]int{} // → index in p.slots
	root.walk(nil, func(n *xnode, path []*xnode) {
		if n.name != "COURS" {
			return
		}
		line := n.line
		var structure, structKind, subjectCode, teacherID string
		for i := len(path) - 1; i >= 0; i-- {
			a := path[i]
			switch a.name {
			case "ENSEIGNANT":
				if teacherID == "" {
					teacherID = a.attrs["ID"]
				}
			case "SERVICE":
				if subjectCode == "" {
					subjectCode = a.attrs["CODE_MATIERE"]
				}
			case "DIVISION", "GROUPE":
				if structure == "" {
					structure, structKind = a.attrs["CODE"], a.name
				}
			}
		}
		s := NewSlot{EstablishmentID: o.EstablishmentID, SchoolYearID: o.SchoolYearID, Line: line}
		// Times.
		day, err := strconv.Atoi(n.childText("JOUR"))
		if err != nil || day < 1 || day > 6 {
			p.fault(line, "day", "bad-day", n.childText("JOUR"))
		}
		s.Weekday = day
		var ok bool
		if s.StartMin, ok = hhmm(n.childText("HEURE_DEBUT")); !ok || s.StartMin > 23*60+59 {
			p.fault(line, "start", "bad-time", n.childText("HEURE_DEBUT"))
		}
		if s.DurationMin, ok = hhmm(n.childText("DUREE")); !ok || s.DurationMin < 5 || s.DurationMin > 720 {
			p.fault(line, "duration", "bad-duration", n.childText("DUREE"))
		} else if ok && s.StartMin+s.DurationMin > 24*60 {
			p.fault(line, "duration", "past-midnight", n.childText("HEURE_DEBUT")+"+"+n.childText("DUREE"))
		}
		// References.
		switch {
		case structKind == "DIVISION" && rf.classes[norm(structure)] != "":
			s.ClassIDs = []string{rf.classes[norm(structure)]}
		case structKind == "GROUPE" && rf.groups[norm(structure)] != "":
			s.GroupIDs = []string{rf.groups[norm(structure)]}
		case structKind == "GROUPE":
			p.fault(line, "group", "unknown-group", structure)
		default:
			p.fault(line, "class", "unknown-class", structure)
		}
		subj := rf.subjects[norm(subjectCode)]
		if subj == "" && gestion[norm(subjectCode)] != "" {
			subj = rf.subjectsShort[gestion[norm(subjectCode)]]
		}
		if subj == "" {
			subj = rf.subjectsShort[norm(subjectCode)] // some exports give the management code itself
		}
		if subj == "" {
			p.fault(line, "subject", "unknown-subject", subjectCode)
		}
		s.SubjectID = subj
		t := rf.teachersExt[teacherID]
		label := teacherID
		if pn := people[teacherID]; pn != nil {
			name := pn.childText("NOM_USAGE") + " " + pn.childText("PRENOM")
			label = strings.TrimSpace(name) + " (" + teacherID + ")"
			if t == "" {
				t = rf.teachersName[norm(name)]
			}
		}
		if t == "" {
			p.fault(line, "teacher", "unknown-teacher", label)
		} else {
			s.TeacherIDs = []string{t}
		}
		if room := norm(n.childText("CODE_SALLE")); room != "" {
			if rf.rooms[room] == "" {
				p.fault(line, "room", "unknown-room", n.childText("CODE_SALLE"))
			}
			s.RoomID = rf.rooms[room]
		}
		if alt := norm(n.childText("CODE_ALTERNANCE")); alt != "" && alt != "H" {
			switch {
			case emptyAlts[alt]:
				p.fault(line, "alternation", "empty-alternation", n.childText("CODE_ALTERNANCE"))
			case fileAlts[alt] != "":
				s.AlternationID = fileAlts[alt]
			case rf.alts[alt] != "":
				s.AlternationID = rf.alts[alt]
			default:
				p.fault(line, "alternation", "unknown-alternation", n.childText("CODE_ALTERNANCE"))
			}
		}
		s.ValidFrom, s.ValidTo = from, to
		// The same lesson listed under two teachers is one co-taught lesson.
		k := key{s.Weekday, s.StartMin, s.DurationMin, strings.Join(append(s.ClassIDs, s.GroupIDs...), ","), s.SubjectID, s.AlternationID, s.RoomID}
		if i, dup := merged[k]; dup && !p.faulty[line] && !p.faulty[p.slots[i].Line] {
			p.slots[i].TeacherIDs = append(p.slots[i].TeacherIDs, s.TeacherIDs...)
			return
		}
		merged[k] = len(p.slots)
		p.slots = append(p.slots, s)
	})
	return apply(ctx, tx, p, o)
}

func yearBounds(ctx context.Context, q db.Querier, year string) (string, string) {
	var from, to string
	q.QueryRow(ctx, `SELECT starts_on, ends_on FROM school_years WHERE id = ?`, year).Scan(&from, &to)
	return from, to
}

// apply checks overlaps, then (when allowed) replaces the year's weekly
// lessons with the plan, in tx.
func apply(ctx context.Context, tx *db.Tx, p *plan, o ImportOptions) (ImportReport, error) {
	// Overlaps between the file's own lessons, by day.
	byDay := map[int][]int{}
	for i, s := range p.slots {
		if !p.faulty[s.Line] {
			byDay[s.Weekday] = append(byDay[s.Weekday], i)
		}
	}
	days := make([]int, 0, len(byDay))
	for d := range byDay {
		days = append(days, d)
	}
	sort.Ints(days)
	for _, d := range days {
		idx := byDay[d]
		for a := 0; a < len(idx); a++ {
			for b := a + 1; b < len(idx); b++ {
				x, y := p.slots[idx[a]], p.slots[idx[b]]
				if what := clash(x, y, p.altByID); what != "" {
					p.fault(y.Line, what, "overlap-line", strconv.Itoa(x.Line))
				}
			}
		}
	}
	rep := ImportReport{Problems: p.probs}
	for _, s := range p.slots {
		if p.faulty[s.Line] {
			rep.Skipped++
		}
	}
	if len(p.probs) > 0 && !o.SkipFaulty {
		return rep, nil
	}
	if len(p.slots)-rep.Skipped == 0 {
		rep.Problems = append(rep.Problems, check.Problem{Field: "file", Code: "no-lesson"})
		return rep, nil
	}
	// Replace the year's weekly lessons (one-off lessons stay).
	if _, err := tx.Exec(ctx, `DELETE FROM tt_slots WHERE establishment_id = ? AND school_year_id = ? AND NOT exceptional`,
		o.EstablishmentID, o.SchoolYearID); err != nil {
		return rep, err
	}
	for _, r := range p.rooms {
		r := r
		if err := createRoom(ctx, tx, &r); err != nil {
			return rep, err
		}
		rep.Rooms++
	}
	for _, a := range p.alts {
		if _, err := tx.Exec(ctx, `DELETE FROM tt_alternations WHERE establishment_id = ? AND code = ?`, o.EstablishmentID, a.Code); err != nil {
			return rep, err
		}
		a := a
		if err := createAlternation(ctx, tx, &a); err != nil {
			return rep, err
		}
		rep.Alternations++
	}
	for _, s := range p.slots {
		if p.faulty[s.Line] {
			continue
		}
		if _, err := insert(ctx, tx, s); err != nil {
			return rep, err
		}
		rep.Lessons++
	}
	rep.Applied = true
	return rep, nil
}

// ---------------------------------------------------------------- CSV

// Header names accepted for each column (lower case, accents removed).
var csvColumns = map[string][]string{
	"day":      {"jour", "day"},
	"start":    {"debut", "heure", "heure de debut", "start", "start time"},
	"duration": {"duree", "duration"},
	"end":      {"fin", "heure de fin", "end", "end time"},
	"subject":  {"matiere", "subject", "discipline"},
	"teacher":  {"enseignant", "enseignants", "professeur", "teacher", "teachers"},
	"class":    {"classe", "classes", "division", "class"},
	"group":    {"groupe", "groupes", "group"},
	"room":     {"salle", "room"},
	"week":     {"semaine", "alternance", "week"},
}

var dayNames = map[string]int{"lundi": 1, "mardi": 2, "mercredi": 3, "jeudi": 4, "vendredi": 5, "samedi": 6,
	"monday": 1, "tuesday": 2, "wednesday": 3, "thursday": 4, "friday": 5, "saturday": 6,
	"lun": 1, "mar": 2, "mer": 3, "jeu": 4, "ven": 5, "sam": 6, "mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6}

func fold(s string) string {
	r := strings.NewReplacer("é", "e", "è", "e", "ê", "e", "à", "a", "â", "a", "î", "i", "ï", "i", "ô", "o", "û", "u", "ù", "u", "ç", "c")
	return strings.TrimSpace(r.Replace(strings.ToLower(s)))
}

// Decode returns the text of a CSV file in UTF-8: the BOM is dropped and
// text that is not valid UTF-8 is read as Windows-1252.
func Decode(b []byte) string {
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	if utf8.Valid(b) {
		return string(b)
	}
	out, err := charmap.Windows1252.NewDecoder().Bytes(b)
	if err != nil {
		return string(b)
	}
	return string(out)
}

// ImportCSV reads a timetable spreadsheet (see docs/formats/timetable.md)
// into the establishment's school year, replacing its weekly lessons, in
// tx. Separator ';' or ','; French or English headers.
func ImportCSV(ctx context.Context, v *access.Viewer, tx *db.Tx, data []byte, o ImportOptions) (ImportReport, error) {
	if err := canImport(ctx, v, tx, o); err != nil {
		return ImportReport{}, err
	}
	defer edited()
	text := Decode(data)
	first, _, _ := strings.Cut(text, "\n")
	sep := ';'
	if strings.Count(first, ",") > strings.Count(first, ";") {
		sep = ','
	}
	cr := csv.NewReader(strings.NewReader(text))
	cr.Comma = sep
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	header, err := cr.Read()
	if err != nil {
		return ImportReport{Problems: check.Problems{{Line: 1, Field: "file", Code: "bad-csv", Value: err.Error()}}}, nil
	}
	col := map[string]int{}
	for i, h := range header {
		for name, alts := range csvColumns {
			for _, a := range alts {
				if fold(h) == a {
					col[name] = i
				}
			}
		}
	}
	var missing []string
	for _, need := range []string{"day", "start", "subject", "teacher"} {
		if _, ok := col[need]; !ok {
			missing = append(missing, need)
		}
	}
	_, hasDur := col["duration"]
	_, hasEnd := col["end"]
	if !hasDur && !hasEnd {
		missing = append(missing, "duration")
	}
	_, hasClass := col["class"]
	_, hasGroup := col["group"]
	if !hasClass && !hasGroup {
		missing = append(missing, "class")
	}
	if len(missing) > 0 {
		return ImportReport{Problems: check.Problems{{Line: 1, Field: "header", Code: "missing-columns", Value: strings.Join(missing, ", ")}}}, nil
	}
	rf, err := loadRefs(ctx, tx, o.EstablishmentID, o.SchoolYearID)
	if err != nil {
		return ImportReport{}, err
	}
	p := &plan{faulty: map[int]bool{}, altByID: map[string]map[string]bool{}}
	for k, v := range rf.altWeeks {
		p.altByID[k] = v
	}
	from, to := yearBounds(ctx, tx, o.SchoolYearID)
	// Week A/B patterns, made from the calendar when the file uses them and
	// the establishment has none.
	abID := map[string]string{"A": rf.alts["A"], "B": rf.alts["B"]}
	if abID["A"] == "" && rf.alts["SA"] != "" {
		abID["A"], abID["B"] = rf.alts["SA"], rf.alts["SB"]
	}
	get := func(rec []string, name string) string {
		if i, ok := col[name]; ok && i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		line, _ := cr.FieldPos(0)
		if err != nil {
			p.fault(line, "file", "bad-csv", err.Error())
			continue
		}
		if strings.TrimSpace(strings.Join(rec, "")) == "" {
			continue
		}
		s := NewSlot{EstablishmentID: o.EstablishmentID, SchoolYearID: o.SchoolYearID, Line: line, ValidFrom: from, ValidTo: to}
		d := fold(get(rec, "day"))
		if n, err := strconv.Atoi(d); err == nil && n >= 1 && n <= 6 {
			s.Weekday = n
		} else if n, ok := dayNames[d]; ok {
			s.Weekday = n
		} else {
			p.fault(line, "day", "bad-day", get(rec, "day"))
		}
		var ok bool
		if s.StartMin, ok = ParseClock(get(rec, "start")); !ok {
			p.fault(line, "start", "bad-time", get(rec, "start"))
		}
		if v := get(rec, "duration"); v != "" {
			if m, ok := ParseClock(v); ok && strings.ContainsAny(v, ":hH") {
				s.DurationMin = m
			} else if n, err := strconv.Atoi(v); err == nil {
				s.DurationMin = n
			}
			if s.DurationMin < 5 || s.DurationMin > 720 {
				p.fault(line, "duration", "bad-duration", v)
			}
		} else if v := get(rec, "end"); v != "" {
			end, ok := ParseClock(v)
			if !ok || end <= s.StartMin {
				p.fault(line, "end", "bad-end", v)
			}
			s.DurationMin = end - s.StartMin
		} else {
			p.fault(line, "duration", "bad-duration", "")
		}
		if s.StartMin+s.DurationMin > 24*60 {
			p.fault(line, "duration", "past-midnight", get(rec, "start"))
		}
		if v := get(rec, "subject"); rf.subjects[norm(v)] != "" {
			s.SubjectID = rf.subjects[norm(v)]
		} else if rf.subjectsShort[norm(v)] != "" {
			s.SubjectID = rf.subjectsShort[norm(v)]
		} else {
			p.fault(line, "subject", "unknown-subject", v)
		}
		for _, t := range splitList(get(rec, "teacher")) {
			id := rf.teachersLogin[strings.ToLower(t)]
			if id == "" {
				id = rf.teachersName[norm(t)]
			}
			if id == "" {
				id = rf.teachersExt[t]
			}
			if id == "" {
				p.fault(line, "teacher", "unknown-teacher", t)
				continue
			}
			s.TeacherIDs = append(s.TeacherIDs, id)
		}
		if len(s.TeacherIDs) == 0 && !p.faulty[line] {
			p.fault(line, "teacher", "unknown-teacher", get(rec, "teacher"))
		}
		for _, c := range splitList(get(rec, "class")) {
			if id := rf.classes[norm(c)]; id != "" {
				s.ClassIDs = append(s.ClassIDs, id)
			} else if id := rf.groups[norm(c)]; id != "" && !hasGroup {
				s.GroupIDs = append(s.GroupIDs, id)
			} else {
				p.fault(line, "class", "unknown-class", c)
			}
		}
		for _, g := range splitList(get(rec, "group")) {
			if id := rf.groups[norm(g)]; id != "" {
				s.GroupIDs = append(s.GroupIDs, id)
			} else {
				p.fault(line, "group", "unknown-group", g)
			}
		}
		if len(s.ClassIDs)+len(s.GroupIDs) == 0 && !p.faulty[line] {
			p.fault(line, "class", "no-audience", "")
		}
		if v := get(rec, "room"); v != "" {
			if id := rf.rooms[norm(v)]; id != "" {
				s.RoomID = id
			} else {
				p.fault(line, "room", "unknown-room", v)
			}
		}
		switch w := norm(get(rec, "week")); w {
		case "", "H", "TOUTES", "ALL":
		case "A", "B", "SEMAINE A", "SEMAINE B", "SA", "SB":
			letter := w[len(w)-1:]
			if abID[letter] == "" {
				cal, err := LoadCalendar(ctx, tx, []string{o.SchoolYearID})
				if err != nil {
					return ImportReport{}, err
				}
				wa, wb := WeeksAB(cal, from, to, false)
				for _, x := range []struct {
					l string
					w []string
				}{{"A", wa}, {"B", wb}} {
					a := Alternation{ID: ids.New(), EstablishmentID: o.EstablishmentID, Code: x.l, Label: "Semaine " + x.l, Mondays: x.w}
					set := map[string]bool{}
					for _, m := range x.w {
						set[m] = true
					}
					p.altByID[a.ID] = set
					abID[x.l] = a.ID
					p.alts = append(p.alts, a)
				}
			}
			s.AlternationID = abID[letter]
		default:
			if id := rf.alts[w]; id != "" {
				s.AlternationID = id
			} else {
				p.fault(line, "week", "unknown-alternation", get(rec, "week"))
			}
		}
		p.slots = append(p.slots, s)
	}
	return apply(ctx, tx, p, o)
}

func splitList(s string) []string {
	var out []string
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r == '+' || r == '/' || r == '|' }) {
		if p := strings.TrimSpace(part); p != "" {
			out = append(out, p)
		}
	}
	return out
}
