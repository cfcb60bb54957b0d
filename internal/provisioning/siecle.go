package provisioning

import (
	"encoding/xml"
	"sort"
	"strings"
)

// ReadSIECLE reads an establishment's SIECLE "BEE" exports: students
// (BEE_ELEVES), guardians (BEE_RESPONSABLES) and, if given, the
// nomenclatures (BEE_NOMENCLATURES) that name the MEFs. Each export is the
// whole truth for its family of people in the establishment it names.
func ReadSIECLE(files []File) (*Delivery, error) { return readSIECLE(files, 0) }

func readSIECLE(files []File, maxRecords int) (*Delivery, error) {
	d := newDelivery(SIECLE, maxRecords)
	d.Complete = true
	r := &siecleReader{d: d, students: map[string]*Person{}, relatives: map[string]*Person{},
		structs: map[string][]siecleStruct{}, addresses: map[string]string{}, addressOf: map[string][]*Person{}}
	if err := readXMLFiles(d, files, r.file); err != nil {
		return nil, err
	}
	if r.uai == "" {
		return nil, fail(Pos{}, "siecle-empty")
	}
	r.finish()
	return d, d.Report.err()
}

type siecleReader struct {
	d                    *Delivery
	uai, date            string
	uaiPos               Pos
	students, relatives  map[string]*Person
	order, relOrder      []string
	structs              map[string][]siecleStruct // student ID → classes and groups
	addresses            map[string]string         // address ID → "lines"
	addressOf            map[string][]*Person
	hasStudents, hasResp bool
}

func (r *siecleReader) file(f File) error {
	rc, err := f.Open()
	if err != nil {
		return fail(Pos{File: f.Name}, "file-open", err.Error())
	}
	defer rc.Close()
	x := newXMLReader(rc, f.Name)
	root, err := x.ensureRoot("BEE_ELEVES", "BEE_RESPONSABLES", "BEE_NOMENCLATURES")
	if err != nil {
		return err
	}
	kind := root.Name.Local
	switch kind {
	case "BEE_ELEVES":
		r.hasStudents = true
		r.d.Families |= FamStudents
	case "BEE_RESPONSABLES":
		r.hasResp = true
		r.d.Families |= FamRelatives
	}
	return x.walk(kind, func(path []string, se xml.StartElement) (bool, error) {
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
			return true, r.params(rec, pos)
		case pathIs(path, "ELEVES", "ELEVE"):
			rec, err := x.flat(se)
			if err != nil {
				return true, err
			}
			r.student(rec, pos)
			return true, nil
		case pathIs(path, "STRUCTURES", "STRUCTURES_ELEVE"):
			id := strings.TrimSpace(attrOf(se, "ELEVE_ID"))
			return true, x.children(func(s xml.StartElement) error {
				rec, err := x.flat(s)
				if err != nil || s.Name.Local != "STRUCTURE" {
					return err
				}
				r.structure(id, rec, pos)
				return nil
			})
		case pathIs(path, "PERSONNES", "PERSONNE"):
			rec, err := x.flat(se)
			if err != nil {
				return true, err
			}
			r.relative(rec, pos)
			return true, nil
		case pathIs(path, "RESPONSABLES", "RESPONSABLE_ELEVE"):
			rec, err := x.flat(se)
			if err != nil {
				return true, err
			}
			r.link(rec, pos)
			return true, nil
		case pathIs(path, "ADRESSES", "ADRESSE"):
			rec, err := x.flat(se)
			if err != nil {
				return true, err
			}
			r.address(rec)
			return true, nil
		case pathIs(path, "MEFS", "MEF"):
			rec, err := x.flat(se)
			if err != nil {
				return true, err
			}
			if code := rec["@CODE_MEF"]; code != "" {
				r.d.MEFs[code] = collapse(firstOf(rec, "LIBELLE_LONG", "LIBELLE_EDITION", "FORMATION"))
			}
			return true, nil
		case pathIs(path, "MATIERES", "MATIERE"):
			rec, err := x.flat(se)
			if err != nil {
				return true, err
			}
			if code := rec["@CODE_MATIERE"]; code != "" {
				r.d.Subjects[code] = collapse(firstOf(rec, "LIBELLE_LONG", "LIBELLE_EDITION", "LIBELLE_COURT"))
			}
			return true, nil
		}
		return false, nil
	})
}

func firstOf(rec map[string]string, names ...string) string {
	for _, n := range names {
		if v := rec[n]; v != "" {
			return v
		}
	}
	return ""
}

// params checks that every file speaks of the same establishment.
func (r *siecleReader) params(rec map[string]string, pos Pos) error {
	uai := strings.ToUpper(rec["UAJ"])
	if uai == "" {
		return fail(pos, "missing-attribute", "UAJ")
	}
	if r.uai != "" && uai != r.uai {
		return fail(pos, "establishment-mismatch", uai, r.uai)
	}
	r.uai, r.uaiPos = uai, pos
	if d, ok := frenchDate(rec["DATE_EXPORT"]); ok && d != "" && d > r.date {
		r.date = d
	}
	return nil
}

func (r *siecleReader) student(rec map[string]string, pos Pos) {
	id := rec["@ELEVE_ID"]
	if id == "" {
		r.d.Report.errorf(pos, "missing-attribute", "ELEVE_ID")
		return
	}
	if out := rec["DATE_SORTIE"]; out != "" {
		if d, ok := frenchDate(out); ok && (r.date == "" || d <= r.date) {
			return // left the establishment: absent, hence deactivated
		}
	}
	if !r.d.record(pos) {
		return
	}
	p := &Person{Key: id, Op: OpAdd, Family: FamStudents, Profile: "student", Pos: pos,
		Set: setScalars | setRattach | setClasses | setGroups | setLevel}
	p.Last = lastName(firstOf(rec, "NOM_USAGE", "NOM_DE_FAMILLE", "NOM"))
	p.First = firstName(rec["PRENOM"])
	if p.Last == "" || p.First == "" {
		field := "NOM_DE_FAMILLE"
		if p.Last != "" {
			field = "PRENOM"
		}
		r.d.Report.errorf(pos, "missing-field", field, id)
		return
	}
	if v := rec["DATE_NAISS"]; v != "" {
		var ok bool
		if p.Birth, ok = frenchDate(v); !ok {
			r.d.Report.warnf(pos, "bad-date", "DATE_NAISS", id)
		}
	}
	p.Level = rec["CODE_MEF"] // replaced by its label in finish when known
	if prev, dup := r.students[id]; dup {
		r.d.Report.errorf(pos, "duplicate-key", id, prev.Pos.String())
		return
	}
	r.students[id] = p
	r.order = append(r.order, id)
}

func (r *siecleReader) structure(id string, rec map[string]string, pos Pos) {
	code := rec["CODE_STRUCTURE"]
	if id == "" || code == "" {
		r.d.Report.warnf(pos, "bad-value", "STRUCTURE", id, code)
		return
	}
	if !r.d.record(pos) {
		return
	}
	r.structs[id] = append(r.structs[id], siecleStruct{code, strings.EqualFold(rec["TYPE_STRUCTURE"], "G")})
}

type siecleStruct struct {
	code  string
	group bool
}

func (r *siecleReader) relative(rec map[string]string, pos Pos) {
	id := rec["@PERSONNE_ID"]
	if id == "" {
		r.d.Report.errorf(pos, "missing-attribute", "PERSONNE_ID")
		return
	}
	if !r.d.record(pos) {
		return
	}
	p := &Person{Key: id, Op: OpAdd, Family: FamRelatives, Profile: "relative", Pos: pos, Set: setScalars | setRattach | setChildren}
	p.Last = lastName(firstOf(rec, "NOM_USAGE", "NOM_DE_FAMILLE", "NOM"))
	p.First = firstName(rec["PRENOM"])
	if p.Last == "" || p.First == "" {
		field := "NOM_DE_FAMILLE"
		if p.Last != "" {
			field = "PRENOM"
		}
		r.d.Report.errorf(pos, "missing-field", field, id)
		return
	}
	p.Title = title(rec["LC_CIVILITE"])
	p.Email = rec["MEL"]
	p.Phone = collapse(firstOf(rec, "TEL_PORTABLE", "TEL_PERSONNEL", "TEL_PROFESSIONNEL"))
	if a := rec["ADRESSE_ID"]; a != "" {
		r.addressOf[a] = append(r.addressOf[a], p)
	}
	if prev, dup := r.relatives[id]; dup {
		r.d.Report.errorf(pos, "duplicate-key", id, prev.Pos.String())
		return
	}
	r.relatives[id] = p
	r.relOrder = append(r.relOrder, id)
}

func (r *siecleReader) link(rec map[string]string, pos Pos) {
	sid, pid := rec["ELEVE_ID"], rec["PERSONNE_ID"]
	if sid == "" || pid == "" {
		r.d.Report.warnf(pos, "bad-value", "RESPONSABLE_ELEVE", sid, pid)
		return
	}
	if !r.d.record(pos) {
		return
	}
	legal := rec["RESP_LEGAL"]
	r.d.Links = append(r.d.Links, Link{Student: sid, Relative: pid, Relationship: relationship(rec["CODE_PARENTE"]),
		LegalGuardian: legal == "1" || legal == "2", Financial: rec["RESP_FINANCIER"] == "1",
		Contact: rec["PERS_CONTACT"] == "1", Pos: pos})
	r.d.LinkOwners[sid] = true
}

func (r *siecleReader) address(rec map[string]string) {
	id := rec["@ADRESSE_ID"]
	var lines []string
	for _, k := range []string{"LIGNE1_ADRESSE", "LIGNE2_ADRESSE", "LIGNE3_ADRESSE", "LIGNE4_ADRESSE"} {
		if v := collapse(rec[k]); v != "" {
			lines = append(lines, v)
		}
	}
	city := collapse(firstOf(rec, "LIBELLE_POSTAL", "COMMUNE_ETRANGERE"))
	if country := rec["LL_PAYS"]; country != "" && !strings.EqualFold(country, "FRANCE") && city != "" {
		city += " (" + collapse(country) + ")"
	}
	for _, p := range r.addressOf[id] {
		p.Address, p.Postal, p.City = strings.Join(lines, ", "), rec["CODE_POSTAL"], city
	}
	delete(r.addressOf, id)
}

// finish ties everything to the establishment and hands the people over.
func (r *siecleReader) finish() {
	d := r.d
	d.Date = r.date
	d.Structures = []*Structure{{Key: r.uai, UAI: r.uai, Pos: r.uaiPos}}
	for _, id := range r.order {
		p := r.students[id]
		p.Rattach = []string{r.uai}
		for _, s := range r.structs[id] {
			ref := Ref{Est: r.uai, Code: s.code}
			if s.group {
				p.Groups = append(p.Groups, ref)
			} else {
				p.Classes = append(p.Classes, ref)
			}
		}
		if l := d.MEFs[p.Level]; l != "" {
			p.Level = l
		}
		if r.hasResp {
			d.LinkOwners[id] = true // the guardians' file states every link
		}
		d.addPerson(p)
	}
	if !r.hasResp {
		d.LinkOwners = map[string]bool{}
	}
	for _, id := range r.relOrder {
		d.addPerson(r.relatives[id])
	}
	sort.SliceStable(d.Links, func(i, j int) bool { return d.Links[i].Student < d.Links[j].Student })
}

// readXMLFiles feeds each XML file of an establishment's export to read,
// ignoring (with a warning) what is not XML, and stops at the first error
// reported.
func readXMLFiles(d *Delivery, files []File, read func(File) error) error {
	for _, f := range files {
		if !strings.HasSuffix(strings.ToLower(f.Name), ".xml") {
			d.Report.warnf(Pos{File: f.Name}, "file-ignored")
			continue
		}
		d.Files = append(d.Files, f.Name)
		if err := read(f); err != nil {
			return err
		}
	}
	return d.Report.err()
}
