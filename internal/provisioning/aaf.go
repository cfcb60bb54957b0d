package provisioning

import (
	"encoding/xml"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// AAF file types, in the order they are read: structures and nomenclatures
// first, then people.
var aafTypes = []string{"EtabEducNat", "MatiereEducNat", "MefEducNat", "PersEducNat", "Eleve", "PersRelEleve"}

// aafCategory lists the values of the operational attribute ("categorie…")
// each type may carry; the first is the usual one.
var aafCategory = map[string][]string{
	"EtabEducNat": {"EtabEducNat"}, "MatiereEducNat": {"MatEducNat", "MatiereEducNat"}, "MefEducNat": {"MefEducNat"},
	"PersEducNat": {"PersEducNat"}, "Eleve": {"Eleve"}, "PersRelEleve": {"PersRelEleve"},
}

var aafFamily = map[string]uint8{"Eleve": FamStudents, "PersRelEleve": FamRelatives, "PersEducNat": FamStaff}

// <prefix>_<Complet|Delta>_<YYYYMMDD>_<Type>_<NNNN>.xml
var aafName = regexp.MustCompile(`^(.*)_(Complet|Delta)_(\d{8})_([A-Za-z]+)_(\d+)\.[xX][mM][lL]$`)

type aafFile struct {
	File
	typ   string
	order int
}

// ReadAAF reads an AAF delivery: the files of one folder or archive, all
// complete or all delta, of one date. Files that are not XML (the DTD, a
// readme) are ignored; an XML file whose name or type is not an AAF one is
// an error.
func ReadAAF(files []File) (*Delivery, error) { return readAAF(files, 0) }

func readAAF(files []File, maxRecords int) (*Delivery, error) {
	d := newDelivery(AAF, maxRecords)
	var list []aafFile
	mode, date := "", ""
	for _, f := range files {
		lower := strings.ToLower(f.Name)
		if !strings.HasSuffix(lower, ".xml") {
			if !strings.HasSuffix(lower, ".dtd") {
				d.Report.warnf(Pos{File: f.Name}, "file-ignored")
			}
			continue
		}
		m := aafName.FindStringSubmatch(f.Name)
		if m == nil {
			d.Report.errorf(Pos{File: f.Name}, "aaf-file-name")
			continue
		}
		typ := m[4]
		order := -1
		for i, t := range aafTypes {
			if strings.EqualFold(t, typ) {
				order, typ = i, t
			}
		}
		if order < 0 {
			d.Report.errorf(Pos{File: f.Name}, "aaf-file-type", m[4], strings.Join(aafTypes, ", "))
			continue
		}
		if mode == "" {
			mode, date = m[2], m[3]
		}
		if m[2] != mode {
			d.Report.errorf(Pos{File: f.Name}, "aaf-mixed-modes")
			continue
		}
		if m[3] != date {
			d.Report.errorf(Pos{File: f.Name}, "aaf-mixed-dates", m[3], date)
			continue
		}
		list = append(list, aafFile{File: f, typ: typ, order: order})
	}
	if err := d.Report.err(); err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, fail(Pos{}, "aaf-empty")
	}
	d.Complete = mode == "Complet"
	d.Date = date[:4] + "-" + date[4:6] + "-" + date[6:]
	sort.SliceStable(list, func(i, j int) bool {
		if list[i].order != list[j].order {
			return list[i].order < list[j].order
		}
		return list[i].Name < list[j].Name
	})
	m := newAAFMapper(d)
	for _, f := range list {
		d.Files = append(d.Files, f.Name)
		d.Families |= aafFamily[f.typ]
		if err := readAAFFile(f, m); err != nil {
			return nil, err
		}
		if d.Report.ErrorCount >= maxErrors || d.full() {
			break
		}
	}
	if err := d.Report.err(); err != nil {
		return nil, err
	}
	return d, d.Report.err()
}

// aafAttr is one attribute of a request: its name and values (empty
// <value/> elements dropped).
type aafAttr struct {
	name   string
	values []string
	line   int
	op     string // modifications only: replace
}

// aafRecord is one addRequest, modifyRequest or deleteRequest.
type aafRecord struct {
	op       Op
	category string
	id       string
	attrs    []aafAttr
	pos      Pos
}

func (r *aafRecord) attr(name string) *aafAttr {
	for i := range r.attrs {
		if strings.EqualFold(r.attrs[i].name, name) {
			return &r.attrs[i]
		}
	}
	return nil
}

// values returns an attribute's values and whether the record names it.
func (r *aafRecord) values(name string) ([]string, bool) {
	if a := r.attr(name); a != nil {
		return a.values, true
	}
	return nil, false
}

// one returns an attribute's first value.
func (r *aafRecord) one(name string) (string, bool) {
	a := r.attr(name)
	if a == nil {
		return "", false
	}
	if len(a.values) == 0 {
		return "", true
	}
	return a.values[0], true
}

func (r *aafRecord) attrPos(name string) Pos {
	if a := r.attr(name); a != nil {
		return Pos{r.pos.File, a.line}
	}
	return r.pos
}

func readAAFFile(f aafFile, m *aafMapper) error {
	rc, err := f.Open()
	if err != nil {
		return fail(Pos{File: f.Name}, "file-open", err.Error())
	}
	defer rc.Close()
	x := newXMLReader(rc, f.Name)
	if _, err := x.ensureRoot("ficAlimMENESR"); err != nil {
		return err
	}
	rec := &aafRecord{}
	return x.children(func(se xml.StartElement) error {
		var op Op
		switch se.Name.Local {
		case "addRequest":
			op = OpAdd
		case "modifyRequest":
			op = OpModify
		case "deleteRequest":
			op = OpDelete
		default:
			m.d.Report.warnf(x.pos(), "xml-element-ignored", se.Name.Local)
			return x.skip()
		}
		*rec = aafRecord{op: op, pos: x.pos(), attrs: rec.attrs[:0]}
		if err := readAAFRequest(x, rec); err != nil {
			return err
		}
		want := aafCategory[f.typ]
		known := false
		for _, c := range want {
			known = known || strings.EqualFold(rec.category, c)
		}
		switch {
		case rec.category == "":
			m.d.Report.errorf(rec.pos, "aaf-no-category")
			return nil
		case !known:
			m.d.Report.errorf(rec.pos, "aaf-category", rec.category, want[0])
			return nil
		case m.d.Complete && op != OpAdd:
			m.d.Report.errorf(rec.pos, "aaf-complete-op", se.Name.Local)
			return nil
		}
		if !m.d.record(rec.pos) {
			return m.d.Report.err()
		}
		m.record(f.typ, rec)
		if m.d.Report.ErrorCount >= maxErrors || m.d.full() {
			return m.d.Report.err()
		}
		return nil
	})
}

// readAAFRequest reads the inside of a request into rec.
func readAAFRequest(x *xmlReader, rec *aafRecord) error {
	return x.children(func(se xml.StartElement) error {
		switch se.Name.Local {
		case "operationalAttributes":
			return x.children(func(a xml.StartElement) error {
				if a.Name.Local != "attr" {
					return x.skip()
				}
				name := attrOf(a, "name")
				vals, err := readValues(x, "value")
				if err != nil {
					return err
				}
				if strings.HasPrefix(strings.ToLower(name), "categorie") && len(vals) > 0 {
					rec.category = vals[0]
				}
				return nil
			})
		case "identifier":
			return x.children(func(a xml.StartElement) error {
				if a.Name.Local != "id" {
					return x.skip()
				}
				s, err := x.text()
				rec.id = s
				return err
			})
		case "attributes":
			return x.children(func(a xml.StartElement) error {
				if a.Name.Local != "attr" {
					return x.skip()
				}
				line := x.line()
				if len(rec.attrs) >= maxItems {
					return fail(x.pos(), "xml-too-many", a.Name.Local, strconv.Itoa(maxItems))
				}
				vals, err := readValues(x, "value")
				if err != nil {
					return err
				}
				rec.attrs = append(rec.attrs, aafAttr{name: attrOf(a, "name"), values: vals, line: line})
				return nil
			})
		case "modifications":
			return x.children(func(a xml.StartElement) error {
				if a.Name.Local != "modification" {
					return x.skip()
				}
				line := x.line()
				if len(rec.attrs) >= maxItems {
					return fail(x.pos(), "xml-too-many", a.Name.Local, strconv.Itoa(maxItems))
				}
				vals, err := readValues(x, "value")
				if err != nil {
					return err
				}
				rec.attrs = append(rec.attrs, aafAttr{name: attrOf(a, "name"), values: vals, line: line,
					op: attrOf(a, "operation")})
				return nil
			})
		}
		return x.skip()
	})
}

// readValues reads the <value> children of the element just opened,
// dropping empty ones and repeated ones; at most maxItems.
func readValues(x *xmlReader, elem string) ([]string, error) {
	var vals []string
	var seen map[string]bool // once the list is long: no quadratic search
	err := x.children(func(v xml.StartElement) error {
		if v.Name.Local != elem {
			return x.skip()
		}
		s, err := x.text()
		if err != nil || s == "" {
			return err
		}
		if seen != nil {
			if seen[s] {
				return nil
			}
			seen[s] = true
		} else {
			for _, prev := range vals {
				if prev == s {
					return nil
				}
			}
			if len(vals) >= 32 {
				seen = make(map[string]bool, 64)
				for _, prev := range vals {
					seen[prev] = true
				}
				seen[s] = true
			}
		}
		if len(vals) >= maxItems {
			return fail(x.pos(), "xml-too-many", v.Name.Local, strconv.Itoa(maxItems))
		}
		vals = append(vals, s)
		return nil
	})
	return vals, err
}
