package provisioning

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

// ReadCSV reads spreadsheets of people for the establishment uai: one
// person a row, ';' or ',' (or tab) separated, UTF-8 with or without a byte
// order mark or Windows-1252, French or English column headers. complete
// makes the files the whole truth for the profiles they hold; otherwise
// they only add and update.
func ReadCSV(files []File, uai string, complete bool) (*Delivery, error) {
	return readCSV(files, uai, complete, 0)
}

func readCSV(files []File, uai string, complete bool, maxRecords int) (*Delivery, error) {
	d := newDelivery(CSV, maxRecords)
	d.Complete = complete
	uai = strings.ToUpper(strings.TrimSpace(uai))
	if uai == "" {
		return nil, fail(Pos{}, "csv-no-establishment")
	}
	d.Structures = []*Structure{{Key: uai, UAI: uai}}
	for _, f := range files {
		d.Files = append(d.Files, f.Name)
		if err := readCSVFile(d, f, uai); err != nil {
			return nil, err
		}
		if d.Report.ErrorCount >= maxErrors || d.full() {
			break
		}
	}
	if err := d.Report.err(); err != nil {
		return nil, err
	}
	if len(d.People) == 0 {
		return nil, fail(Pos{}, "csv-empty")
	}
	return d, nil
}

// Columns the reader understands, by the slug of their header (see slug):
// accents, case and spacing do not matter.
var csvColumns = map[string]string{
	"identifiant": "key", "id": "key", "identifier": "key", "matricule": "key", "numero": "key", "jointure": "key",
	"external-id": "key", "cle": "key", "key": "key", "numero-interne": "key",
	"nom": "last", "nom-de-famille": "last", "nom-d-usage": "last", "last-name": "last", "lastname": "last",
	"surname": "last", "family-name": "last",
	"prenom": "first", "first-name": "first", "firstname": "first", "given-name": "first",
	"profil": "profile", "profile": "profile", "type": "profile", "categorie": "profile", "role": "profile",
	"classe": "class", "class": "class", "division": "class",
	"groupes": "groups", "groupe": "groups", "groups": "groups", "group": "groups",
	"date-de-naissance": "birth", "naissance": "birth", "ne-le": "birth", "birth-date": "birth",
	"date-of-birth": "birth", "birthdate": "birth", "birthday": "birth",
	"email": "email", "e-mail": "email", "mel": "email", "courriel": "email", "mail": "email", "adresse-electronique": "email",
	"telephone": "phone", "phone": "phone", "portable": "phone", "mobile": "phone", "tel": "phone",
	"civilite": "title", "title": "title",
	"adresse": "address", "address": "address",
	"code-postal": "postal", "cp": "postal", "postal-code": "postal", "postcode": "postal", "zip": "postal",
	"ville": "city", "commune": "city", "city": "city", "town": "city",
	"fonction": "function", "function": "function",
	"login": "login", "identifiant-de-connexion": "login", "username": "login",
	"enfants": "children", "eleves": "children", "children": "children", "students": "children",
}

var csvProfiles = map[string]string{
	"eleve": "student", "student": "student", "pupil": "student",
	"parent": "relative", "responsable": "relative", "responsable-legal": "relative", "relative": "relative",
	"guardian": "relative", "mere": "relative", "pere": "relative",
	"enseignant": "teacher", "professeur": "teacher", "prof": "teacher", "teacher": "teacher",
	"personnel": "staff", "staff": "staff", "direction": "staff", "administratif": "staff", "vie-scolaire": "staff",
}

var csvFunctions = map[string]string{
	"chef-d-etablissement": "head", "principal": "head", "proviseur": "head", "directeur": "head", "directrice": "head", "head": "head",
	"adjoint": "deputy", "principal-adjoint": "deputy", "proviseur-adjoint": "deputy", "deputy": "deputy",
	"cpe": "cpe", "documentaliste": "documentalist", "documentalist": "documentalist",
}

func readCSVFile(d *Delivery, f File, uai string) error {
	utf8ok, err := isUTF8(f)
	if err != nil {
		return err
	}
	rc, err := f.Open()
	if err != nil {
		return fail(Pos{File: f.Name}, "file-open", err.Error())
	}
	defer rc.Close()
	var in io.Reader = bufio.NewReaderSize(rc, 64<<10)
	br := in.(*bufio.Reader)
	if b, _ := br.Peek(3); bytes.Equal(b, []byte{0xEF, 0xBB, 0xBF}) {
		br.Discard(3)
	}
	if !utf8ok {
		in = charmap.Windows1252.NewDecoder().Reader(br)
	}
	// encoding/csv holds a whole record, however long: the guard stops a
	// record (a line, or lines inside quotes) longer than MaxToken.
	g := &recordGuard{r: in, max: MaxToken}
	lr := bufio.NewReader(g)
	first, _ := lr.Peek(4096)
	sep := sniffSeparator(first)
	cr := csv.NewReader(lr)
	cr.Comma = sep
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	cr.TrimLeadingSpace = true
	header, err := cr.Read()
	g.n = 0
	if err == io.EOF {
		return fail(Pos{File: f.Name, Line: 1}, "csv-empty")
	}
	if err != nil {
		return g.error(f.Name, err)
	}
	cols := map[string]int{}
	for i, h := range header {
		name := csvColumns[slug(h)]
		if name == "" {
			if strings.TrimSpace(h) != "" {
				d.Report.warnf(Pos{File: f.Name, Line: 1}, "csv-column-ignored", strings.TrimSpace(h))
			}
			continue
		}
		if _, dup := cols[name]; !dup {
			cols[name] = i
		}
	}
	for _, need := range []string{"key", "last", "first", "profile"} {
		if _, ok := cols[need]; !ok {
			return fail(Pos{File: f.Name, Line: 1}, "csv-missing-column", need)
		}
	}
	set := setScalars | setRattach | setClasses | setGroups
	for {
		rec, err := cr.Read()
		g.n = 0
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return g.error(f.Name, err)
		}
		line, _ := cr.FieldPos(0)
		pos := Pos{File: f.Name, Line: line}
		get := func(col string) string {
			if i, ok := cols[col]; ok && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		if strings.Join(rec, "") == "" {
			continue // an empty row
		}
		if !d.record(pos) {
			return nil
		}
		key := get("key")
		profile := csvProfiles[slug(get("profile"))]
		switch {
		case key == "":
			d.Report.errorf(pos, "csv-missing-field", "identifiant")
			continue
		case get("last") == "":
			d.Report.errorf(pos, "csv-missing-field", "nom")
			continue
		case get("first") == "":
			d.Report.errorf(pos, "csv-missing-field", "prénom")
			continue
		case profile == "":
			d.Report.errorf(pos, "csv-bad-profile", get("profile"))
			continue
		}
		p := &Person{Key: key, Op: OpAdd, Profile: profile, Family: familyOf(profile), Pos: pos, Set: set}
		p.Last, p.First = lastName(get("last")), firstName(get("first"))
		p.Title = title(get("title"))
		if profile == "student" {
			p.Title = ""
		}
		p.Email, p.Phone = get("email"), collapse(get("phone"))
		p.Address, p.Postal, p.City = collapse(get("address")), get("postal"), collapse(get("city"))
		if b := get("birth"); b != "" {
			var ok bool
			if p.Birth, ok = frenchDate(b); !ok {
				d.Report.warnf(pos, "bad-date", "date de naissance", key)
			}
		}
		if l := get("login"); l != "" {
			p.x().Login, p.Set = strings.ToLower(l), p.Set|setLogin
		}
		p.Rattach = []string{uai}
		for _, c := range splitList(get("class")) {
			p.Classes = append(p.Classes, Ref{Est: uai, Code: c})
		}
		for _, g := range splitList(get("groups")) {
			p.Groups = append(p.Groups, Ref{Est: uai, Code: g})
		}
		if fn := get("function"); fn != "" && profile != "student" && profile != "relative" {
			p.Set |= setFunctions
			if code := csvFunctions[slug(fn)]; code != "" {
				p.x().Functions = []Ref{{Est: uai, Code: code}}
			} else {
				d.Report.warnf(pos, "csv-function-ignored", fn)
			}
		}
		if profile == "relative" {
			p.Set |= setChildren
			if children := splitList(get("children")); len(children) > 0 {
				p.x().Children = children
			}
		}
		d.Families |= p.Family
		d.addPerson(p)
		if d.Report.ErrorCount >= maxErrors {
			return nil
		}
	}
}

// splitList splits a cell holding several values ("4A|4B", "4A, 4B").
func splitList(s string) []string {
	var out []string
	for _, v := range strings.FieldsFunc(s, func(r rune) bool { return r == '|' || r == ',' || r == ';' || r == ' ' }) {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// sniffSeparator picks the separator used most on the first line, outside
// quotes.
func sniffSeparator(b []byte) rune {
	if i := bytes.IndexByte(b, '\n'); i >= 0 {
		b = b[:i]
	}
	counts := map[rune]int{}
	quoted := false
	for _, c := range string(b) {
		switch {
		case c == '"':
			quoted = !quoted
		case !quoted && (c == ';' || c == ',' || c == '\t'):
			counts[c]++
		}
	}
	best, n := ';', 0
	for _, c := range []rune{';', ',', '\t'} {
		if counts[c] > n {
			best, n = c, counts[c]
		}
	}
	return best
}

// isUTF8 reads the file once to tell UTF-8 from Windows-1252 (a file in
// the latter is almost never valid UTF-8 once it holds an accent).
func isUTF8(f File) (bool, error) {
	rc, err := f.Open()
	if err != nil {
		return false, fail(Pos{File: f.Name}, "file-open", err.Error())
	}
	defer rc.Close()
	// One buffer for the whole file: an incomplete rune at the end of a
	// chunk is moved to its front and completed by the next read.
	buf := make([]byte, 64<<10)
	carry := 0
	for {
		n, err := rc.Read(buf[carry:])
		chunk := buf[:carry+n]
		// Keep an incomplete rune at the end for the next chunk.
		cut := len(chunk)
		for i := 1; i <= 3 && i <= len(chunk); i++ {
			if utf8.RuneStart(chunk[len(chunk)-i]) {
				if !utf8.FullRune(chunk[len(chunk)-i:]) {
					cut = len(chunk) - i
				}
				break
			}
		}
		if !utf8.Valid(chunk[:cut]) {
			return false, nil
		}
		carry = copy(buf, chunk[cut:])
		if errors.Is(err, io.EOF) {
			return carry == 0, nil
		}
		if err != nil {
			return false, fail(Pos{File: f.Name}, "file-open", err.Error())
		}
	}
}

// recordGuard counts the bytes read since the last record the CSV reader
// returned, and fails once they exceed max (the reader's own buffer, 4
// KiB, adds to the bound). It counts the lines it hands over, to tell
// where a record too long is.
type recordGuard struct {
	r     io.Reader
	n     int
	max   int
	lines int // newlines handed over
}

func (g *recordGuard) Read(b []byte) (int, error) {
	if g.n >= g.max {
		return 0, errTokenTooLong
	}
	n, err := g.r.Read(b)
	g.n += n
	g.lines += bytes.Count(b[:n], []byte{'\n'})
	return n, err
}

// error turns a failure of the CSV reader into an issue.
func (g *recordGuard) error(file string, err error) error {
	if errors.Is(err, errTokenTooLong) {
		return fail(Pos{File: file, Line: g.lines + 1}, "csv-too-long", strconv.Itoa(MaxToken>>10))
	}
	var de damagedEntry
	if errors.As(err, &de) {
		return fail(Pos{File: file}, "file-damaged", de.reason)
	}
	return csvError(file, err)
}

func csvError(file string, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return fail(Pos{File: file, Line: pe.Line}, "csv-syntax", pe.Err.Error())
	}
	return fail(Pos{File: file}, "csv-syntax", err.Error())
}
