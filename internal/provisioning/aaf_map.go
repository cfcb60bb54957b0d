package provisioning

import (
	"strings"
)

// aafMapper turns AAF records into the delivery's structures and people.
type aafMapper struct {
	d *Delivery
	// intern shares the short strings repeated across a big delivery
	// (structure keys, class and subject codes).
	intern map[string]string
}

func newAAFMapper(d *Delivery) *aafMapper {
	return &aafMapper{d: d, intern: map[string]string{}}
}

func (m *aafMapper) in(s string) string {
	if v, ok := m.intern[s]; ok {
		return v
	}
	m.intern[s] = s
	return s
}

func (m *aafMapper) record(typ string, r *aafRecord) {
	for _, a := range r.attrs {
		if a.op != "" && !strings.EqualFold(a.op, "replace") {
			m.d.Report.errorf(Pos{r.pos.File, a.line}, "aaf-operation", a.op, a.name)
			return
		}
	}
	switch typ {
	case "EtabEducNat":
		m.structure(r)
	case "MatiereEducNat":
		m.nomenclature(r, "ENTMatJointure", "ENTLibelleMatiere", m.d.Subjects)
	case "MefEducNat":
		m.nomenclature(r, "ENTMefJointure", "ENTLibelleMef", m.d.MEFs)
	case "Eleve":
		m.student(r)
	case "PersRelEleve":
		m.relative(r)
	case "PersEducNat":
		m.staff(r)
	}
}

func (m *aafMapper) nomenclature(r *aafRecord, keyAttr, labelAttr string, into map[string]string) {
	if r.op == OpDelete {
		return // a code no longer delivered keeps naming what it named
	}
	code, _ := r.one(keyAttr)
	if code == "" {
		code = r.id
	}
	if code == "" {
		m.d.Report.errorf(r.pos, "missing-attribute", keyAttr)
		return
	}
	label, _ := r.one(labelAttr)
	into[m.in(code)] = collapse(label)
}

func (m *aafMapper) structure(r *aafRecord) {
	key, _ := r.one("ENTStructureJointure")
	if key == "" {
		key = r.id
	}
	if key == "" {
		m.d.Report.errorf(r.pos, "missing-attribute", "ENTStructureJointure")
		return
	}
	if r.op == OpDelete {
		m.d.Report.warnf(r.pos, "structure-delete-ignored", key)
		return
	}
	s := &Structure{Key: m.in(key), Pos: r.pos, Partial: r.op == OpModify}
	s.UAI, _ = r.one("ENTStructureUAI")
	if s.UAI == "" {
		s.UAI, _ = r.one("ENTEtablissementUAI")
	}
	s.UAI = strings.ToUpper(s.UAI)
	if s.UAI == "" && r.op == OpAdd {
		m.d.Report.errorf(r.pos, "missing-attribute", "ENTStructureUAI")
		return
	}
	name, _ := r.one("ENTStructureNomCourant")
	s.Name = collapse(strings.ReplaceAll(name, "$", " "))
	if s.Name == "" && r.op == OpAdd {
		s.Name = s.UAI
	}
	s.TypeLabel, _ = r.one("ENTStructureTypeStruct")
	s.TypeLabel = collapse(s.TypeLabel)
	if s.TypeLabel != "" || r.op == OpAdd {
		var known bool
		s.Kind, known = kindOf(s.TypeLabel)
		if !known {
			m.d.Report.warnf(r.attrPos("ENTStructureTypeStruct"), "structure-kind", s.TypeLabel, s.UAI)
		}
	}
	s.City, _ = r.one("l")
	s.City = collapse(s.City)
	s.Academy, _ = r.one("ENTServAcAcademie")
	for _, attr := range []string{"ENTStructureClasses", "ENTStructureGroupes"} {
		vals, _ := r.values(attr)
		for _, v := range vals {
			code, label, _ := strings.Cut(v, "$")
			if code = strings.TrimSpace(code); code == "" {
				continue
			}
			n := Named{Code: m.in(code), Name: collapse(label)}
			if attr == "ENTStructureClasses" {
				s.Classes = append(s.Classes, n)
			} else {
				s.Groups = append(s.Groups, n)
			}
		}
	}
	m.d.Structures = append(m.d.Structures, s)
}

// kindOf maps the structure types of the feed onto the directory's kinds;
// known is false when the type says nothing (the structure is then taken
// for a collège, and the import warns).
func kindOf(t string) (kind string, known bool) {
	u := strings.ToUpper(t)
	switch {
	case strings.Contains(u, "ECOLE") || strings.Contains(u, "ÉCOLE") || strings.Contains(u, "MATERNELLE") || strings.Contains(u, "ELEMENTAIRE"):
		return "ecole", true
	case strings.Contains(u, "COLLEGE") || strings.Contains(u, "COLLÈGE") || u == "CLG":
		return "college", true
	case strings.Contains(u, "LYCEE") || strings.Contains(u, "LYCÉE") || u == "LP" || u == "LPO" || u == "LGT" ||
		u == "LEGT" || u == "LYC" || strings.Contains(u, "EREA"):
		return "lycee", true
	}
	return "college", false
}

// person reads what every person record carries; nil when the record is
// unusable (reported) or a deletion (recorded).
func (m *aafMapper) person(r *aafRecord, family uint8, profile string) *Person {
	key, _ := r.one("ENTPersonJointure")
	if key == "" {
		key = r.id
	}
	if key == "" {
		m.d.Report.errorf(r.pos, "missing-attribute", "ENTPersonJointure")
		return nil
	}
	if r.op == OpDelete {
		m.d.Deletes = append(m.d.Deletes, Deletion{Key: key, Pos: r.pos})
		return nil
	}
	p := &Person{Key: key, Op: r.op, Family: family, Profile: profile, Pos: r.pos}
	if r.op == OpAdd {
		p.Set = setScalars
	}
	str := func(attr string, bit uint32, dst *string, f func(string) string) {
		if v, ok := r.one(attr); ok {
			p.Set |= bit
			*dst = f(v)
		}
	}
	str("sn", setLast, &p.Last, lastName)
	str("givenName", setFirst, &p.First, firstName)
	if profile != "student" {
		str("personalTitle", setTitle, &p.Title, title)
	}
	str("mail", setEmail, &p.Email, strings.TrimSpace)
	str("ENTPersonCodePostal", setPostal, &p.Postal, collapse)
	str("ENTPersonVille", setCity, &p.City, collapse)
	if v, ok := r.one("ENTPersonLogin"); ok && v != "" {
		p.Set |= setLogin
		p.x().Login = strings.ToLower(strings.TrimSpace(v))
	}
	if country, _ := r.one("ENTPersonPays"); p.City != "" && country != "" && !strings.EqualFold(country, "FRANCE") {
		p.City += " (" + collapse(country) + ")"
	}
	if v, ok := r.one("ENTPersonDateNaissance"); ok {
		p.Set |= setBirth
		d, good := frenchDate(v)
		if !good {
			m.d.Report.warnf(r.attrPos("ENTPersonDateNaissance"), "bad-date", "ENTPersonDateNaissance", key)
		}
		p.Birth = d
	}
	for _, attr := range []string{"mobile", "ENTPersonMobileSMS", "telephoneNumber", "homePhone"} {
		if v, ok := r.one(attr); ok {
			p.Set |= setPhone
			if p.Phone == "" {
				p.Phone = collapse(v)
			}
		}
	}
	if vals, ok := r.values("ENTPersonAdresse"); ok {
		p.Set |= setAddress
		var parts []string
		for _, v := range vals {
			for _, part := range strings.Split(v, "$") {
				if part = collapse(part); part != "" {
					parts = append(parts, part)
				}
			}
		}
		p.Address = strings.Join(parts, ", ")
	}
	if r.op == OpAdd {
		if p.Last == "" {
			m.d.Report.errorf(r.pos, "missing-attribute", "sn")
			return nil
		}
		if p.First == "" {
			m.d.Report.errorf(r.pos, "missing-attribute", "givenName")
			return nil
		}
	}
	if vals, ok := r.values("ENTPersonStructRattach"); ok || r.op == OpAdd {
		p.Set |= setRattach
		for _, v := range vals {
			if k, _, _ := strings.Cut(v, "$"); k != "" {
				p.Rattach = append(p.Rattach, m.in(k))
			}
		}
	}
	return p
}

// refs reads "structure$code" values.
func (m *aafMapper) refs(r *aafRecord, attr, key string) ([]Ref, bool) {
	vals, ok := r.values(attr)
	var out []Ref
	for _, v := range vals {
		f := strings.Split(v, "$")
		if len(f) < 2 || f[0] == "" || strings.TrimSpace(f[1]) == "" {
			m.d.Report.warnf(r.attrPos(attr), "bad-value", attr, key, v)
			continue
		}
		ref := Ref{Est: m.in(f[0]), Code: m.in(strings.TrimSpace(f[1]))}
		if !containsRef(out, ref) {
			out = append(out, ref)
		}
	}
	return out, ok
}

func containsRef(rs []Ref, r Ref) bool {
	for _, x := range rs {
		if x == r {
			return true
		}
	}
	return false
}

func (m *aafMapper) student(r *aafRecord) {
	p := m.person(r, FamStudents, "student")
	if p == nil {
		return
	}
	var ok bool
	if p.Classes, ok = m.refs(r, "ENTEleveClasses", p.Key); ok || r.op == OpAdd {
		p.Set |= setClasses
	}
	if p.Groups, ok = m.refs(r, "ENTEleveGroupes", p.Key); ok || r.op == OpAdd {
		p.Set |= setGroups
	}
	if v, ok := r.one("ENTEleveLibelleMEF"); ok || r.op == OpAdd {
		p.Set |= setLevel
		p.Level = m.in(collapse(v))
	}
	m.studentLinks(r, p.Key)
	m.d.addPerson(p)
}

// Relationship codes of the feeds: the old AAF ones (1 to 7) and the
// SIECLE ones (10, 20…) that newer feeds carry.
var relationships = map[string]string{
	"1": "pere", "2": "mere", "3": "tuteur", "4": "famille", "5": "ase", "6": "autre", "7": "eleve",
	"10": "mere", "20": "pere", "37": "famille", "38": "famille", "39": "famille", "41": "autre",
	"42": "autre", "50": "tuteur", "51": "ase", "70": "eleve", "80": "autre", "90": "autre",
}

func relationship(code string) string {
	if r, ok := relationships[strings.TrimLeft(strings.TrimSpace(code), "0")]; ok {
		return r
	}
	if r, ok := relationships[strings.TrimSpace(code)]; ok {
		return r
	}
	return "autre"
}

var linkAttrs = []string{"ENTElevePersRelEleve", "ENTEleveAutoriteParentale", "ENTEleveParents", "ENTElevePere",
	"ENTEleveMere", "ENTElevePersRelEleve1", "ENTElevePersRelEleve2"}

// studentLinks reads the family links a student record states. The
// six-field ENTElevePersRelEleve is read as the 2013 and 2020 samples
// show it: relative $ relationship $ financial $ legal responsibility (1 or
// 2: legal guardian; 0: none) $ contact $ lives with the student. The
// deprecated attributes are read only when it is absent.
func (m *aafMapper) studentLinks(r *aafRecord, key string) {
	named := r.op == OpAdd
	for _, a := range linkAttrs {
		if _, ok := r.values(a); ok {
			named = true
		}
	}
	if !named {
		return
	}
	m.d.LinkOwners[key] = true
	authority := map[string]bool{}
	ap, _ := r.values("ENTEleveAutoriteParentale")
	for _, id := range ap {
		authority[id] = true
	}
	seen := map[string]int{}
	add := func(l Link) {
		if i, ok := seen[l.Relative]; ok {
			prev := &m.d.Links[i]
			prev.LegalGuardian = prev.LegalGuardian || l.LegalGuardian
			prev.Financial = prev.Financial || l.Financial
			prev.Contact = prev.Contact || l.Contact
			prev.LivesWith = prev.LivesWith || l.LivesWith
			return
		}
		if !m.d.record(l.Pos) {
			return
		}
		seen[l.Relative] = len(m.d.Links)
		m.d.Links = append(m.d.Links, l)
	}
	pos := r.attrPos("ENTElevePersRelEleve")
	vals, _ := r.values("ENTElevePersRelEleve")
	for _, v := range vals {
		f := strings.Split(v, "$")
		if len(f) < 2 || f[0] == "" {
			m.d.Report.warnf(pos, "bad-value", "ENTElevePersRelEleve", key, v)
			continue
		}
		field := func(i int) string {
			if i < len(f) {
				return strings.TrimSpace(f[i])
			}
			return ""
		}
		add(Link{Student: key, Relative: f[0], Relationship: relationship(f[1]),
			Financial: field(2) == "1", LegalGuardian: field(3) == "1" || field(3) == "2" || authority[f[0]],
			Contact: field(4) == "1", LivesWith: field(5) == "1", Pos: pos})
	}
	if len(vals) > 0 {
		return
	}
	// Older records: fathers, mothers, parental authority, two contacts.
	pos = r.pos
	for _, pair := range [][2]string{{"ENTElevePere", "pere"}, {"ENTEleveMere", "mere"}, {"ENTEleveParents", "autre"}} {
		ids, _ := r.values(pair[0])
		for _, id := range ids {
			add(Link{Student: key, Relative: id, Relationship: pair[1], LegalGuardian: authority[id], Pos: pos})
		}
	}
	for _, id := range ap {
		add(Link{Student: key, Relative: id, Relationship: "autre", LegalGuardian: true, Pos: pos})
	}
	for _, n := range []string{"1", "2"} {
		id, _ := r.one("ENTElevePersRelEleve" + n)
		if id == "" {
			continue
		}
		q, _ := r.one("ENTEleveQualitePersRelEleve" + n)
		q = strings.ToUpper(q)
		add(Link{Student: key, Relative: id, Relationship: "autre", Pos: pos,
			Contact: strings.Contains(q, "CONTACT"), Financial: strings.Contains(q, "FINANC")})
	}
}

func (m *aafMapper) relative(r *aafRecord) {
	p := m.person(r, FamRelatives, "relative")
	if p == nil {
		return
	}
	if vals, ok := r.values("ENTAuxPersRelEleveEleve"); ok || r.op == OpAdd {
		p.Set |= setChildren
		for _, v := range vals {
			if k, _, _ := strings.Cut(v, "$"); k != "" {
				p.x().Children = append(p.x().Children, k)
			}
		}
	}
	m.d.addPerson(p)
}

func (m *aafMapper) staff(r *aafRecord) {
	p := m.person(r, FamStaff, "staff")
	if p == nil {
		return
	}
	add := r.op == OpAdd
	var ok bool
	if p.Classes, ok = m.refs(r, "ENTAuxEnsClasses", p.Key); ok || add {
		p.Set |= setClasses
	}
	if p.Groups, ok = m.refs(r, "ENTAuxEnsGroupes", p.Key); ok || add {
		p.Set |= setGroups
	}
	var heads []Ref
	if heads, ok = m.refs(r, "ENTAuxEnsClassesPrincipal", p.Key); ok || add {
		p.Set |= setHeads
	}
	if len(heads) > 0 {
		p.x().Heads = heads
	}
	for _, spec := range []struct {
		attr  string
		group bool
		bit   uint32
	}{{"ENTAuxEnsClassesMatieres", false, setTeachClasses}, {"ENTAuxEnsGroupesMatieres", true, setTeachGroups}} {
		vals, ok := r.values(spec.attr)
		if ok || add {
			p.Set |= spec.bit
		}
		for _, v := range vals {
			f := strings.Split(v, "$")
			if len(f) < 3 || f[0] == "" || strings.TrimSpace(f[1]) == "" || strings.TrimSpace(f[2]) == "" {
				m.d.Report.warnf(r.attrPos(spec.attr), "bad-value", spec.attr, p.Key, v)
				continue
			}
			t := Teach{Est: m.in(f[0]), Code: m.in(strings.TrimSpace(f[1])), Group: spec.group, Subject: m.in(strings.TrimSpace(f[2]))}
			dup := false
			for _, x := range p.ex().Teaching {
				dup = dup || x == t
			}
			if !dup {
				p.x().Teaching = append(p.x().Teaching, t)
			}
		}
	}
	teaches := false
	fvals, fok := r.values("ENTPersonFonctions")
	if fok || add {
		p.Set |= setFunctions
	}
	for _, v := range fvals {
		f := strings.Split(v, "$")
		if len(f) < 2 || f[0] == "" {
			m.d.Report.warnf(r.attrPos("ENTPersonFonctions"), "bad-value", "ENTPersonFonctions", p.Key, v)
			continue
		}
		code := strings.ToUpper(strings.TrimSpace(f[1]))
		if code == "ENS" {
			teaches = true
		}
		if fn := function(code, f); fn != "" {
			ref := Ref{Est: m.in(f[0]), Code: fn}
			if !containsRef(p.ex().Functions, ref) {
				p.x().Functions = append(p.x().Functions, ref)
			}
		}
	}
	presence, pok := r.one("PersEducNatPresenceDevantEleves")
	if add || pok || fok {
		p.Set |= setProfile
		if teaches || strings.EqualFold(presence, "O") || len(p.ex().Teaching) > 0 {
			p.Profile = "teacher"
		}
	} else {
		p.Profile = ""
	}
	m.d.addPerson(p)
}

// function maps a function of ENTPersonFonctions (structure $ code $ label
// $ detail code $ detail label) onto the directory's functions. DIR covers
// the head and the deputies: the detail code D0010 (or a label naming the
// head, not a deputy) is the head. Codes that confer no right in Cartable
// (ENS, ORI, AED…) map to nothing; the secretary is never derived from the
// feed, which does not say who runs the office.
func function(code string, f []string) string {
	detail := func(i int) string {
		if i < len(f) {
			return strings.ToUpper(f[i])
		}
		return ""
	}
	switch code {
	case "DIR":
		if detail(3) == "D0010" || (strings.Contains(detail(4), "CHEF") && !strings.Contains(detail(4), "ADJOINT")) {
			return "head"
		}
		return "deputy"
	case "EDU":
		return "cpe"
	case "DOC":
		return "documentalist"
	}
	return ""
}
