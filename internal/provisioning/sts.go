package provisioning

import (
	"encoding/xml"
	"strconv"
	"strings"
)

// ReadSTS reads an establishment's STS-web export (root STS_EDT): its
// staff, the subjects, the classes and groups, and who teaches which
// subject to which of them. A timetable software export (root EDT_STS)
// has the same skeleton and is read the same way; its lessons belong to
// the timetable and are not read here. The export is the whole truth for
// the establishment's staff.
func ReadSTS(files []File) (*Delivery, error) { return readSTS(files, 0) }

func readSTS(files []File, maxRecords int) (*Delivery, error) {
	d := newDelivery(STS, maxRecords)
	d.Complete = true
	d.Families = FamStaff
	r := &stsReader{d: d, people: map[string]*Person{}}
	if err := readXMLFiles(d, files, r.file); err != nil {
		return nil, err
	}
	if r.uai == "" {
		return nil, fail(Pos{}, "sts-empty")
	}
	r.finish()
	return d, d.Report.err()
}

type stsReader struct {
	d       *Delivery
	uai     string
	uaiPos  Pos
	people  map[string]*Person
	order   []string
	classes []Named
	groups  []Named
	gcls    map[string][]string
	teach   []stsTeach
	heads   []stsTeach
}

type stsTeach struct {
	teacher, code, subject string
	group                  bool
	pos                    Pos
}

func (r *stsReader) file(f File) error {
	rc, err := f.Open()
	if err != nil {
		return fail(Pos{File: f.Name}, "file-open", err.Error())
	}
	defer rc.Close()
	x := newXMLReader(rc, f.Name)
	root, err := x.ensureRoot("STS_EDT", "EDT_STS")
	if err != nil {
		return err
	}
	return x.walk(root.Name.Local, func(path []string, se xml.StartElement) (bool, error) {
		if r.d.full() {
			return true, r.d.Report.err()
		}
		pos := x.pos()
		switch {
		case pathIs(path, "PARAMETRES"):
			rec, err := x.flat(se)
			if err != nil {
				return true, err
			}
			uai := strings.ToUpper(rec["UAJ"])
			if uai == "" {
				return true, fail(pos, "missing-attribute", "UAJ")
			}
			if r.uai != "" && r.uai != uai {
				return true, fail(pos, "establishment-mismatch", uai, r.uai)
			}
			r.uai, r.uaiPos = uai, pos
			return true, nil
		case pathIs(path, "NOMENCLATURES", "MATIERES", "MATIERE"):
			rec, err := x.flat(se)
			if err != nil {
				return true, err
			}
			if code := rec["@CODE"]; code != "" {
				r.d.Subjects[code] = collapse(firstOf(rec, "LIBELLE_LONG", "LIBELLE_EDITION", "LIBELLE_COURT", "CODE_GESTION"))
			}
			return true, nil
		case pathIs(path, "INDIVIDUS", "INDIVIDU"):
			return true, r.individual(x, se, pos)
		case pathIs(path, "DIVISIONS", "DIVISION") || pathIs(path, "GROUPES", "GROUPE"):
			return true, r.structure(x, se, pos, se.Name.Local == "GROUPE")
		}
		return false, nil
	})
}

// individual reads one member of staff, with the classes they head.
func (r *stsReader) individual(x *xmlReader, se xml.StartElement, pos Pos) error {
	id := strings.TrimSpace(attrOf(se, "ID"))
	rec := map[string]string{}
	var heads []string
	err := x.children(func(c xml.StartElement) error {
		if c.Name.Local == "PROFS_PRINC" {
			return x.children(func(pp xml.StartElement) error {
				sub, err := x.flat(pp)
				if code := sub["CODE_STRUCTURE"]; code != "" {
					heads = append(heads, code)
				}
				return err
			})
		}
		if c.Name.Local == "DISCIPLINES" {
			return x.skip()
		}
		if len(rec) >= maxItems {
			return fail(x.pos(), "xml-too-many-fields", se.Name.Local, strconv.Itoa(maxItems))
		}
		s, err := x.text()
		rec[c.Name.Local] = s
		return err
	})
	if err != nil {
		return err
	}
	if id == "" {
		r.d.Report.errorf(pos, "missing-attribute", "INDIVIDU/@ID")
		return nil
	}
	if !r.d.record(pos) {
		return nil
	}
	p := &Person{Key: id, Op: OpAdd, Family: FamStaff, Profile: "staff", Pos: pos,
		Set: setScalars | setRattach | setFunctions | setTeachClasses | setTeachGroups | setHeads | setClasses | setGroups}
	p.Last = lastName(firstOf(rec, "NOM_USAGE", "NOM_PATRONYMIQUE"))
	p.First = firstName(rec["PRENOM"])
	if p.Last == "" || p.First == "" {
		field := "NOM_USAGE"
		if p.Last != "" {
			field = "PRENOM"
		}
		r.d.Report.errorf(pos, "missing-field", field, id)
		return nil
	}
	p.Title = title(rec["CIVILITE"])
	if p.Title == "" {
		switch rec["SEXE"] {
		case "1":
			p.Title = "M."
		case "2":
			p.Title = "Mme"
		}
	}
	if v := rec["DATE_NAISSANCE"]; v != "" {
		var ok bool
		if p.Birth, ok = frenchDate(v); !ok {
			r.d.Report.warnf(pos, "bad-date", "DATE_NAISSANCE", id)
		}
	}
	switch fn := strings.ToUpper(rec["FONCTION"]); fn {
	case "ENS":
		p.Profile = "teacher"
	case "DIR", "EDU", "DOC":
		// STS does not tell the head from the deputies: DIR is taken as
		// the head; an establishment corrects it by hand if needed.
		p.x().Functions = []Ref{{Code: map[string]string{"DIR": "head", "EDU": "cpe", "DOC": "documentalist"}[fn]}}
	}
	for _, h := range heads {
		p.x().Heads = append(p.x().Heads, Ref{Code: h})
		p.Profile = "teacher"
	}
	if prev, dup := r.people[id]; dup {
		r.d.Report.errorf(pos, "duplicate-key", id, prev.Pos.String())
		return nil
	}
	r.people[id] = p
	r.order = append(r.order, id)
	return nil
}

// structure reads a division (class) or a group with its teaching services.
func (r *stsReader) structure(x *xmlReader, se xml.StartElement, pos Pos, group bool) error {
	code := strings.TrimSpace(attrOf(se, "CODE"))
	label := ""
	var member []string
	err := x.children(func(c xml.StartElement) error {
		switch c.Name.Local {
		case "LIBELLE_LONG":
			s, err := x.text()
			label = collapse(s)
			return err
		case "DIVISIONS_APPARTENANCE":
			return x.children(func(da xml.StartElement) error {
				if c := strings.TrimSpace(attrOf(da, "CODE")); c != "" {
					member = append(member, c)
				}
				return x.skip()
			})
		case "SERVICES":
			return x.children(func(sv xml.StartElement) error {
				subject := strings.TrimSpace(attrOf(sv, "CODE_MATIERE"))
				return x.children(func(ens xml.StartElement) error {
					if ens.Name.Local != "ENSEIGNANTS" {
						return x.skip()
					}
					return x.children(func(t xml.StartElement) error {
						if id := strings.TrimSpace(attrOf(t, "ID")); id != "" && subject != "" {
							if !r.d.record(x.pos()) {
								return r.d.Report.err()
							}
							r.teach = append(r.teach, stsTeach{teacher: id, code: code, subject: subject, group: group, pos: x.pos()})
						}
						return x.skip() // lessons (COURS_RATTACHES) belong to the timetable
					})
				})
			})
		}
		return x.skip()
	})
	if err != nil {
		return err
	}
	if code == "" {
		r.d.Report.warnf(pos, "bad-value", se.Name.Local+"/@CODE", "", "")
		return nil
	}
	if !r.d.record(pos) {
		return nil
	}
	if group {
		r.groups = append(r.groups, Named{code, label})
		if r.gcls == nil {
			r.gcls = map[string][]string{}
		}
		r.gcls[code] = member
	} else {
		r.classes = append(r.classes, Named{code, label})
	}
	return nil
}

func (r *stsReader) finish() {
	d := r.d
	s := &Structure{Key: r.uai, UAI: r.uai, Pos: r.uaiPos, Classes: r.classes, Groups: r.groups, GroupClasses: r.gcls}
	d.Structures = []*Structure{s}
	type taught struct {
		teacher string
		Teach
	}
	seen := map[taught]bool{}
	for _, t := range r.teach {
		p := r.people[t.teacher]
		if p == nil {
			d.Report.warnf(t.pos, "dangling-teacher", t.teacher, t.code)
			continue
		}
		p.Profile = "teacher"
		tt := Teach{Est: r.uai, Code: t.code, Group: t.group, Subject: t.subject}
		if !seen[taught{t.teacher, tt}] {
			seen[taught{t.teacher, tt}] = true
			p.x().Teaching = append(p.x().Teaching, tt)
		}
	}
	for _, id := range r.order {
		p := r.people[id]
		p.Rattach = []string{r.uai}
		for i := range p.ex().Functions {
			p.X.Functions[i].Est = r.uai
		}
		for i := range p.ex().Heads {
			p.X.Heads[i].Est = r.uai
		}
		d.addPerson(p)
	}
}
