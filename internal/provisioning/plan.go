package provisioning

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"cartable/internal/db"
	"cartable/internal/directory"
	"cartable/internal/ids"
)

// plan is every change an import makes, computed against the current
// directory before anything is written.
type plan struct {
	newEsts  []*estInfo
	updEsts  []*estInfo
	provRows []*estInfo // provisioning_establishments rows to write (insert or update)
	newYears []directory.SchoolYear
	newSubj  []directory.Subject
	newClass []directory.Class
	updLevel []pair // class id, level
	newGroup []directory.Group

	updClassName, updGroupName []pair // id, name

	newPeople  []*want
	updPeople  []*want
	deactivate []string
	reactivate []string

	addMember, delMember [][2]string // person, establishment
	addFn, delFn         [][3]string // person, establishment, function
	addEnrol, delEnrol   [][2]string // student, class
	addGM, delGM         [][2]string // student, group
	addGC, delGC         [][2]string // group, class
	addLinks, updLinks   []directory.FamilyLink
	delLinks             [][2]string // student, relative
	addAssign            []directory.Assignment
	delAssign            []string
	addHeads, delHeads   [][2]string // class, teacher
	addOrphan, delOrphan [][2]string // person, establishment
	nomenclature         [][3]string // kind, code, label

	touched []string // establishments the import touches (existing ones)
	creates bool     // the import creates establishments
}

// want is a delivered person with what the directory should hold.
type want struct {
	p       *Person
	id      string
	login   string
	c       *cur // nil: a new person
	profile string
	f       *fields // existing people: the fields once merged; new ones use p's

	ests  []string
	enrol []pair // class, establishment
	gm    []pair // group, establishment
	*staffRel
}

// staffRel is what only staff records carry; kept apart so that the many
// students and relatives of an academy do not pay for it.
type staffRel struct {
	fns     []pair // establishment, function
	assigns []curAssign
	heads   []pair // class, establishment
}

func (w *want) staff() *staffRel {
	if w.staffRel == nil {
		w.staffRel = &staffRel{}
	}
	return w.staffRel
}

// fields are the person's scalar columns after the import.
func (w *want) fields() fields {
	if w.f != nil {
		return *w.f
	}
	return w.p.fields()
}

// Options tune an import.
type Options struct {
	DryRun                bool
	AllowMassDeactivation bool
	// MaxDeactivation is the share of an establishment's feed-managed
	// people above which a complete delivery is refused as truncated;
	// DefaultMaxDeactivation when 0.
	MaxDeactivation float64
	ActorID         string // who runs it; "" for the command line
	// AttachActor attaches ActorID to the establishments the import creates
	// (an operator importing from the web must see what they created).
	AttachActor bool
	Now         func() time.Time
	// Authorize is asked inside the transaction, before anything is
	// written, with the existing establishments the import touches and
	// whether it creates others; an error stops the import.
	Authorize func(existing []string, creates bool) error
	// Hook is called between the steps of writing with the step's name and
	// the transaction; an error aborts the whole import. Tests inject
	// failures with it.
	Hook func(step string, tx *db.Tx) error
	// Expect, when set, is the fingerprint of the changes someone reviewed:
	// if the directory moved since and the changes differ, nothing is
	// applied and ErrChanged is returned.
	Expect string
}

// DefaultMaxDeactivation is the guard's default: a complete delivery that
// would deactivate more than a fifth of an establishment is refused.
const DefaultMaxDeactivation = 0.20

// managedFunctions are the functions a feed decides; the secretary is set
// by the establishment.
var managedFunctions = map[string]bool{directory.Head: true, directory.Deputy: true, directory.CPE: true, directory.Documentalist: true}

type planner struct {
	ctx context.Context
	q   db.Querier
	d   *Delivery
	o   Options
	now time.Time
	day string // the delivery's date, or today

	st      *state
	ests    map[string]*estInfo // by establishment ID
	byKey   map[string]*estInfo // by the delivery's structure key
	order   []*estInfo          // in the order met
	covered map[string]bool
	prefix  string // join-key prefix of the source's people ("" for AAF)

	wants  []*want
	wantBy map[string]*want // join key →
	logins map[string]bool
	next   map[string]int
	p      *plan
	sum    *Summary
	warned map[string]bool
}

// keyPrefix is the join-key namespace of a local source's people: the
// source and the establishment, so that two schools' exports never share a
// person. AAF join keys are national and used as they are.
func keyPrefix(source, uai string) string {
	if source == AAF {
		return ""
	}
	return source + ":" + uai + ":"
}

func buildPlan(ctx context.Context, q db.Querier, d *Delivery, o Options) (*plan, *Summary, error) {
	pl := &planner{ctx: ctx, q: q, d: d, o: o, now: o.Now(), st: newState(),
		ests: map[string]*estInfo{}, byKey: map[string]*estInfo{}, covered: map[string]bool{},
		wantBy: map[string]*want{}, next: map[string]int{}, p: &plan{}, warned: map[string]bool{},
		sum: &Summary{Source: d.Source, Mode: "delta", Date: d.Date, DryRun: o.DryRun, Files: d.Files}}
	if d.Complete {
		pl.sum.Mode = "complete"
	}
	pl.day = d.Date
	if pl.day == "" {
		pl.day = pl.now.UTC().Format("2006-01-02")
	}
	steps := []func() error{pl.structures, pl.people, pl.relations, pl.links, pl.memberships, pl.leavers,
		pl.assignLogins, pl.structureRows, pl.nomenclature}
	for _, step := range steps {
		if err := step(); err != nil {
			return nil, nil, err
		}
	}
	pl.counts()
	pl.sum.Report = d.Report
	pl.sum.Fingerprint = pl.sum.fingerprint()
	return pl.p, pl.sum, nil
}

// structures resolves the delivered structures and those the people refer
// to, and reads their import years.
func (pl *planner) structures() error {
	d := pl.d
	for _, s := range d.Structures {
		var e *estInfo
		var err error
		if d.Source == AAF {
			if e, err = loadEstablishment(pl.ctx, pl.q, s.Key, ""); err != nil {
				return err
			}
		}
		if e == nil && s.UAI != "" {
			if e, err = loadEstablishment(pl.ctx, pl.q, "", s.UAI); err != nil {
				return err
			}
			if e != nil {
				switch {
				case d.Source == AAF && e.feed == "local":
					return fail(s.Pos, "establishment-fed-locally", e.uai)
				case d.Source != AAF && e.feed == "aaf":
					return fail(s.Pos, "establishment-fed-by-aaf", e.uai)
				case d.Source == AAF && e.key != "" && e.key != s.Key:
					return fail(s.Pos, "establishment-key-conflict", e.uai, e.key, s.Key)
				}
			}
		}
		if e == nil {
			if s.Partial && s.UAI == "" {
				d.Report.warnf(s.Pos, "structure-unknown", s.Key)
				continue
			}
			e = &estInfo{id: ids.New(), isNew: true, uai: s.UAI, name: s.Name, kind: s.Kind, city: s.City}
			if e.kind == "" {
				e.kind = "college"
			}
			if e.name == "" {
				e.name = s.UAI
			}
			pl.p.newEsts = append(pl.p.newEsts, e)
			pl.p.creates = true
		} else {
			pl.p.touched = append(pl.p.touched, e.id)
			upd := false
			set := func(dst *string, v string) {
				if v != "" && *dst != v {
					*dst, upd = v, true
				}
			}
			if d.Source == AAF || e.feed == "" {
				set(&e.name, s.Name)
				set(&e.kind, s.Kind)
				set(&e.city, s.City)
			}
			if upd {
				pl.p.updEsts = append(pl.p.updEsts, e)
			}
		}
		e.delivered = s
		feed, key := "local", ""
		if d.Source == AAF {
			feed, key = "aaf", s.Key
		}
		if e.feed != feed || e.key != key || (d.Source == AAF && (s.TypeLabel != "" && e.typeLabel != s.TypeLabel ||
			s.Academy != "" && e.academy != s.Academy)) {
			e.feed, e.key = feed, key
			if s.TypeLabel != "" {
				e.typeLabel = s.TypeLabel
			}
			if s.Academy != "" {
				e.academy = s.Academy
			}
			pl.p.provRows = append(pl.p.provRows, e)
		}
		if d.Complete && !s.Partial {
			e.covered = true
			pl.covered[e.id] = true
		}
		pl.add(e, s.Key)
	}
	if d.Complete && len(pl.covered) == 0 {
		return fail(Pos{}, "complete-no-structures")
	}
	if d.Source != AAF && len(d.Structures) == 1 {
		pl.prefix = keyPrefix(d.Source, d.Structures[0].UAI)
	}
	// Structures named by people but not delivered: known to the directory
	// by their feed key.
	var missing []string
	seen := map[string]bool{}
	need := func(k string) {
		if _, ok := pl.byKey[k]; !ok && !seen[k] && k != "" {
			seen[k] = true
			missing = append(missing, k)
		}
	}
	for _, p := range d.People {
		for _, k := range p.Rattach {
			need(k)
		}
		for _, r := range p.Classes {
			need(r.Est)
		}
		for _, r := range p.Groups {
			need(r.Est)
		}
		for _, r := range p.Functions {
			need(r.Est)
		}
		for _, r := range p.Heads {
			need(r.Est)
		}
		for _, t := range p.Teaching {
			need(t.Est)
		}
	}
	if d.Source == AAF {
		for _, k := range missing {
			e, err := loadEstablishment(pl.ctx, pl.q, k, "")
			if err != nil {
				return err
			}
			if e != nil {
				pl.add(e, k)
				pl.p.touched = append(pl.p.touched, e.id)
			}
		}
	}
	for _, e := range pl.order {
		if err := pl.prepareYear(e); err != nil {
			return err
		}
		if err := e.loadStructures(pl.ctx, pl.q); err != nil {
			return err
		}
	}
	return nil
}

func (pl *planner) add(e *estInfo, key string) {
	if prev, ok := pl.ests[e.id]; ok {
		pl.byKey[key] = prev
		return
	}
	pl.ests[e.id] = e
	pl.byKey[key] = e
	pl.order = append(pl.order, e)
}

// prepareYear finds the open school year that receives the delivery's
// classes and groups: the one containing its date, else the latest open
// one. None: one is created on first need, for the school year of the
// delivery's date.
func (pl *planner) prepareYear(e *estInfo) error {
	if e.isNew {
		return nil
	}
	y, err := directory.CurrentSchoolYear(pl.ctx, pl.q, e.id, pl.day)
	if errors.Is(err, directory.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	e.year = y.ID
	return nil
}

// yearFor is the school year of a date: from 1 September to 31 August;
// a date in August belongs to the year about to begin.
func yearFor(day string) (label, start, end string) {
	t, err := time.Parse("2006-01-02", day)
	if err != nil {
		t = time.Now()
	}
	y := t.Year()
	if t.Month() < time.August {
		y--
	}
	return fmt.Sprintf("%d-%d", y, y+1), fmt.Sprintf("%d-09-01", y), fmt.Sprintf("%d-08-31", y+1)
}

// ensureYear gives e an open year, planning one if it has none.
func (pl *planner) ensureYear(e *estInfo) error {
	if e.year != "" {
		return nil
	}
	label, start, end := yearFor(pl.day)
	if !e.isNew {
		var closed bool
		err := pl.q.QueryRow(pl.ctx, `SELECT closed FROM school_years WHERE establishment_id = ? AND label = ?`, e.id, label).Scan(&closed)
		if err == nil {
			return fail(Pos{}, "year-closed", label, e.uai)
		}
		if !errors.Is(err, errNoRows) {
			return err
		}
	}
	e.year, e.yearNew = ids.New(), true
	pl.p.newYears = append(pl.p.newYears, directory.SchoolYear{ID: e.year, EstablishmentID: e.id, Label: label, StartsOn: start, EndsOn: end})
	return nil
}

// est resolves a structure key; nil when unknown (reported once per key).
func (pl *planner) est(key string, p *Person, attr string) *estInfo {
	if e := pl.byKey[key]; e != nil {
		return e
	}
	if w := "dangling-structure:" + key; !pl.warned[w] {
		pl.warned[w] = true
		pl.d.Report.warnf(p.Pos, "dangling-structure", key, attr, p.Key)
	} else {
		pl.d.Report.WarningCounts["dangling-structure"]++
	}
	return nil
}

func (pl *planner) class(e *estInfo, code, name string) (*structRow, error) {
	if c := e.classes[code]; c != nil {
		c.seen = true
		return c, nil
	}
	if err := pl.ensureYear(e); err != nil {
		return nil, err
	}
	if name == "" {
		name = code
	}
	c := &structRow{id: ids.New(), code: code, name: name, isNew: true, seen: true}
	e.classes[code] = c
	return c, nil
}

func (pl *planner) group(e *estInfo, code, name string) (*structRow, error) {
	if g := e.groups[code]; g != nil {
		g.seen = true
		return g, nil
	}
	if err := pl.ensureYear(e); err != nil {
		return nil, err
	}
	if name == "" {
		name = code
	}
	g := &structRow{id: ids.New(), code: code, name: name, isNew: true, seen: true}
	e.groups[code] = g
	return g, nil
}

func (pl *planner) subject(e *estInfo, code string) string {
	if id, ok := e.subjects[code]; ok {
		return id
	}
	name := pl.d.Subjects[code]
	if name == "" {
		var label string
		if err := pl.q.QueryRow(pl.ctx, `SELECT label FROM provisioning_nomenclature WHERE kind = 'subject' AND code = ?`, code).Scan(&label); err == nil {
			name = label
		}
	}
	if name == "" {
		pl.d.Report.warnf(Pos{}, "subject-unknown", code, e.uai)
		name = code
	}
	s := directory.Subject{ID: ids.New(), EstablishmentID: e.id, Code: code, Name: name}
	e.subjects[code] = s.ID
	pl.p.newSubj = append(pl.p.newSubj, s)
	return s.ID
}

// people matches delivered people with the directory by join key and
// works out their fields.
func (pl *planner) people() error {
	d, st := pl.d, pl.st
	keys := make([]string, 0, len(d.People))
	seen := make(map[string]bool, len(d.People))
	need := func(k string) {
		if !seen[k] {
			seen[k] = true
			keys = append(keys, pl.prefix+k)
		}
	}
	for _, p := range d.People {
		need(p.Key)
		for _, c := range p.Children {
			need(c)
		}
	}
	for _, l := range d.Links {
		need(l.Relative)
		need(l.Student)
	}
	for _, del := range d.Deletes {
		need(del.Key)
	}
	seen = nil
	if err := st.loadByKeys(pl.ctx, pl.q, keys); err != nil {
		return err
	}
	if d.Complete {
		var covered []string
		for id := range pl.covered {
			covered = append(covered, id)
		}
		sort.Strings(covered)
		scope, err := scopeIDs(pl.ctx, pl.q, covered, pl.prefix)
		if err != nil {
			return err
		}
		if err := st.loadByIDs(pl.ctx, pl.q, scope); err != nil {
			return err
		}
	}
	if err := st.loadRelations(pl.ctx, pl.q); err != nil {
		return err
	}
	for _, p := range d.People {
		c := st.byKey[pl.prefix+p.Key]
		if c == nil && p.Op == OpModify {
			d.Report.warnf(p.Pos, "modify-unknown", p.Key)
			continue
		}
		w := &want{p: p, c: c}
		if c != nil {
			f := c.f
			w.id, w.profile, w.f, w.login = c.id, c.profile, &f, c.login
		} else {
			w.id = ids.New()
		}
		if p.has(setProfile) && p.Profile != "" {
			if c != nil && familyOf(c.profile) != familyOf(p.Profile) {
				d.Report.warnf(p.Pos, "profile-change", p.Key, c.profile, p.Profile)
			}
			w.profile = p.Profile
		}
		if w.profile == "" {
			w.profile = directory.Staff
		}
		if w.f != nil {
			nf := p.fields()
			for i, bit := range fieldBits {
				if p.has(bit) {
					w.f[i] = nf[i]
				}
			}
		}
		pl.wants = append(pl.wants, w)
		pl.wantBy[p.Key] = w
	}
	return nil
}

// idOf resolves a delivered join key to a person ID, delivered or known.
func (pl *planner) idOf(key string) string {
	if w := pl.wantBy[key]; w != nil {
		return w.id
	}
	if c := pl.st.byKey[pl.prefix+key]; c != nil && !c.purged {
		return c.id
	}
	return ""
}

func addUnique(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

// relations resolves each person's classes, groups, functions and
// teaching into rows of the directory.
func (pl *planner) relations() error {
	levels := map[*structRow]map[string]int{}
	gclasses := map[*structRow]map[string]bool{} // group → classes of its delivered members
	for _, w := range pl.wants {
		p := w.p
		for _, k := range p.Rattach {
			if e := pl.est(k, p, "ENTPersonStructRattach"); e != nil {
				w.ests = addUnique(w.ests, e.id)
			}
		}
		var myClasses []pair // class id, establishment — to link the groups
		for _, r := range p.Classes {
			e := pl.est(r.Est, p, "classes")
			if e == nil {
				continue
			}
			c, err := pl.class(e, r.Code, "")
			if err != nil {
				return err
			}
			w.ests = addUnique(w.ests, e.id)
			if w.profile == directory.Student {
				w.enrol = append(w.enrol, pair{c.id, e.id})
				myClasses = append(myClasses, pair{c.id, e.id})
				if p.Level != "" {
					if levels[c] == nil {
						levels[c] = map[string]int{}
					}
					levels[c][p.Level]++
				}
			}
		}
		for _, r := range p.Groups {
			e := pl.est(r.Est, p, "groups")
			if e == nil {
				continue
			}
			g, err := pl.group(e, r.Code, "")
			if err != nil {
				return err
			}
			w.ests = addUnique(w.ests, e.id)
			if w.profile == directory.Student {
				w.gm = append(w.gm, pair{g.id, e.id})
				for _, c := range myClasses {
					if c.b == e.id {
						if gclasses[g] == nil {
							gclasses[g] = map[string]bool{}
						}
						gclasses[g][c.a] = true
					}
				}
			}
		}
		for _, r := range p.Functions {
			if e := pl.est(r.Est, p, "ENTPersonFonctions"); e != nil {
				w.ests = addUnique(w.ests, e.id)
				w.staff().fns = append(w.staff().fns, pair{e.id, r.Code})
			}
		}
		for _, t := range p.Teaching {
			e := pl.guess(t.Est, t.Code, t.Group, p)
			if e == nil {
				continue
			}
			a := curAssign{est: e.id, subject: pl.subject(e, t.Subject)}
			if t.Group {
				g, err := pl.group(e, t.Code, "")
				if err != nil {
					return err
				}
				a.group = g.id
			} else {
				c, err := pl.class(e, t.Code, "")
				if err != nil {
					return err
				}
				a.class = c.id
			}
			w.ests = addUnique(w.ests, e.id)
			dup := false
			sr := w.staff()
			for _, x := range sr.assigns {
				dup = dup || (x.class == a.class && x.group == a.group && x.subject == a.subject)
			}
			if !dup {
				sr.assigns = append(sr.assigns, a)
			}
		}
		for _, r := range p.Heads {
			e := pl.guess(r.Est, r.Code, false, p)
			if e == nil {
				continue
			}
			c, err := pl.class(e, r.Code, "")
			if err != nil {
				return err
			}
			w.ests = addUnique(w.ests, e.id)
			if sr := w.staff(); !containsPair(sr.heads, pair{c.id, e.id}) {
				sr.heads = append(sr.heads, pair{c.id, e.id})
			}
		}
	}
	// Classes and groups the structures declare themselves.
	for _, e := range pl.order {
		if e.delivered == nil {
			continue
		}
		for _, n := range e.delivered.Classes {
			c, err := pl.class(e, n.Code, n.Name)
			if err != nil {
				return err
			}
			if n.Name != "" && c.name != n.Name && !c.isNew {
				c.name = n.Name
				pl.p.updClassName = append(pl.p.updClassName, pair{c.id, n.Name})
			}
		}
		for _, n := range e.delivered.Groups {
			g, err := pl.group(e, n.Code, n.Name)
			if err != nil {
				return err
			}
			if n.Name != "" && g.name != n.Name && !g.isNew {
				g.name = n.Name
				pl.p.updGroupName = append(pl.p.updGroupName, pair{g.id, n.Name})
			}
			for _, code := range e.delivered.GroupClasses[n.Code] {
				c, err := pl.class(e, code, "")
				if err != nil {
					return err
				}
				if gclasses[g] == nil {
					gclasses[g] = map[string]bool{}
				}
				gclasses[g][c.id] = true
			}
		}
	}
	// A class's level: the MEF most of its delivered students follow.
	for c, count := range levels {
		best, n := "", 0
		for l, k := range count {
			if k > n || k == n && l < best {
				best, n = l, k
			}
		}
		if c.isNew {
			c.level = best
		} else if pl.d.Complete && best != "" && c.level != best {
			c.level = best
			pl.p.updLevel = append(pl.p.updLevel, pair{c.id, best})
		}
	}
	pl.groupClasses(gclasses)
	return nil
}

func containsPair(ps []pair, p pair) bool {
	for _, x := range ps {
		if x == p {
			return true
		}
	}
	return false
}

// guess resolves the structure of a teaching line. Feeds (the 2013 sample
// among them) sometimes name a structure the delivery does not hold; when
// the same record lists that class or group code under exactly one known
// structure, the line is taken there, and the import says so.
func (pl *planner) guess(key, code string, group bool, p *Person) *estInfo {
	if e := pl.byKey[key]; e != nil {
		return e
	}
	refs := p.Classes
	if group {
		refs = p.Groups
	}
	var found *estInfo
	n := 0
	for _, r := range refs {
		if r.Code == code {
			if e := pl.byKey[r.Est]; e != nil && e != found {
				found = e
				n++
			}
		}
	}
	if n == 1 {
		pl.d.Report.warnf(p.Pos, "structure-guessed", key, code, found.uai, p.Key)
		return found
	}
	return pl.est(key, p, "teaching")
}

// groupClasses links groups to the classes their delivered members come
// from: replaced in a complete delivery, completed in a delta.
func (pl *planner) groupClasses(gclasses map[*structRow]map[string]bool) {
	for _, e := range pl.order {
		codes := make([]string, 0, len(e.groups))
		for code := range e.groups {
			codes = append(codes, code)
		}
		sort.Strings(codes)
		for _, code := range codes {
			g := e.groups[code]
			wantSet, ok := gclasses[g]
			if !ok {
				continue
			}
			have := e.gclasses[g.id]
			classes := make([]string, 0, len(wantSet))
			for c := range wantSet {
				classes = append(classes, c)
			}
			sort.Strings(classes)
			for _, c := range classes {
				if !have[c] {
					pl.p.addGC = append(pl.p.addGC, [2]string{g.id, c})
				}
			}
			if pl.d.Complete && e.covered {
				var gone []string
				for c := range have {
					if !wantSet[c] {
						gone = append(gone, c)
					}
				}
				sort.Strings(gone)
				for _, c := range gone {
					pl.p.delGC = append(pl.p.delGC, [2]string{g.id, c})
				}
			}
		}
	}
}

// inScope tells whether an existing relation in establishment e may be
// removed: a complete delivery rules its establishments only; a delta
// states the whole of what it names.
func (pl *planner) inScope(e string) bool { return !pl.d.Complete || pl.covered[e] }

// links works out the family links.
func (pl *planner) links() error {
	d, st := pl.d, pl.st
	type wl struct {
		rel string
		l   Link
	}
	byStudent := map[string][]wl{}
	var owners []string
	for _, l := range d.Links {
		if _, ok := byStudent[l.Student]; !ok {
			owners = append(owners, l.Student)
		}
		rid := pl.idOf(l.Relative)
		if rid == "" {
			d.Report.warnf(l.Pos, "dangling-relative", l.Student, l.Relative)
			byStudent[l.Student] = append(byStudent[l.Student], wl{l: l})
			continue
		}
		byStudent[l.Student] = append(byStudent[l.Student], wl{rid, l})
	}
	for k := range d.LinkOwners {
		if _, ok := byStudent[k]; !ok {
			owners = append(owners, k)
		}
	}
	sort.Strings(owners)
	linked := map[string]bool{} // relatives with a link after the import
	for _, key := range owners {
		sid := pl.idOf(key)
		if sid == "" {
			var l Link
			if xs := byStudent[key]; len(xs) > 0 {
				l = xs[0].l
			}
			d.Report.warnf(l.Pos, "dangling-student", l.Relative, key)
			continue
		}
		wantRel := map[string]bool{}
		for _, x := range byStudent[key] {
			if x.rel == "" || wantRel[x.rel] {
				continue
			}
			wantRel[x.rel] = true
			linked[x.rel] = true
			fl := directory.FamilyLink{StudentID: sid, RelativeID: x.rel, Relationship: x.l.Relationship,
				LegalGuardian: x.l.LegalGuardian, Financial: x.l.Financial, Contact: x.l.Contact, LivesWith: x.l.LivesWith}
			if cl, ok := st.links[pair{sid, x.rel}]; ok {
				fl.ReceivesMail = cl.receivesM
				if cl.relationship != fl.Relationship || cl.legal != fl.LegalGuardian || cl.financial != fl.Financial ||
					cl.contact != fl.Contact || cl.lives != fl.LivesWith {
					pl.p.updLinks = append(pl.p.updLinks, fl)
				} else {
					pl.sum.count("family_link", "unchanged", 1)
				}
				continue
			}
			pl.p.addLinks = append(pl.p.addLinks, fl)
		}
		if d.LinkOwners[key] {
			for _, rel := range st.linksOf[sid] {
				if !wantRel[rel] {
					pl.p.delLinks = append(pl.p.delLinks, [2]string{sid, rel})
				}
			}
		}
	}
	// Links stated from the relative's side only add what is missing.
	added := map[pair]bool{}
	for _, l := range pl.p.addLinks {
		added[pair{l.StudentID, l.RelativeID}] = true
	}
	for _, w := range pl.wants {
		if w.profile != directory.Relative {
			continue
		}
		for _, child := range w.p.Children {
			sid := pl.idOf(child)
			if sid == "" {
				d.Report.warnf(w.p.Pos, "dangling-student", w.p.Key, child)
				continue
			}
			linked[w.id] = true
			k := pair{sid, w.id}
			if _, ok := st.links[k]; ok || added[k] {
				continue
			}
			added[k] = true
			pl.p.addLinks = append(pl.p.addLinks, directory.FamilyLink{StudentID: sid, RelativeID: w.id, Relationship: "autre"})
		}
	}
	removed := map[pair]bool{}
	for _, k := range pl.p.delLinks {
		removed[pair{k[0], k[1]}] = true
	}
	for k := range st.links {
		if !removed[k] {
			linked[k.b] = true
		}
	}
	for _, w := range pl.wants {
		if w.profile == directory.Relative && !linked[w.id] {
			d.Report.warnf(w.p.Pos, "relative-unlinked", w.p.Key)
		}
	}
	return nil
}

// memberships attaches people to establishments: a relative follows their
// children. A complete delivery detaches from its establishments whoever it
// no longer attaches there; a delta only adds.
func (pl *planner) memberships() error {
	st := pl.st
	wantByID := make(map[string]*want, len(pl.wants))
	for _, w := range pl.wants {
		wantByID[w.id] = w
	}
	// The children of each relative after the import.
	children := map[string][]string{}
	removed := map[pair]bool{}
	for _, k := range pl.p.delLinks {
		removed[pair{k[0], k[1]}] = true
	}
	for k := range st.links {
		if !removed[k] {
			children[k.b] = append(children[k.b], k.a)
		}
	}
	for _, l := range pl.p.addLinks {
		children[l.RelativeID] = append(children[l.RelativeID], l.StudentID)
	}
	for _, w := range pl.wants {
		if w.profile != directory.Relative {
			continue
		}
		for _, sid := range children[w.id] {
			if cw := wantByID[sid]; cw != nil {
				for _, e := range cw.ests {
					w.ests = addUnique(w.ests, e)
				}
			} else if c := st.byID[sid]; c != nil && c.active {
				for _, e := range c.ests {
					w.ests = addUnique(w.ests, e)
				}
			}
		}
	}
	var coveredList []string
	for id := range pl.covered {
		coveredList = append(coveredList, id)
	}
	sort.Strings(coveredList)
	for _, w := range pl.wants {
		var have []string
		if w.c != nil {
			have = w.c.ests
		}
		for _, e := range w.ests {
			if !contains(have, e) {
				pl.p.addMember = append(pl.p.addMember, [2]string{w.id, e})
			}
		}
		if pl.d.Complete && w.p.Op == OpAdd {
			for _, e := range have {
				if pl.covered[e] && !contains(w.ests, e) {
					pl.p.delMember = append(pl.p.delMember, [2]string{w.id, e})
				}
			}
		}
		// Orphans: tied to the establishments the delivery covers.
		var orphans []string
		if w.c != nil {
			orphans = st.orphans[w.id]
		}
		if len(w.ests) == 0 && w.c != nil && len(w.c.ests) > 0 && !pl.d.Complete {
			continue // a delta that names no establishment leaves the attachments as they are
		}
		if len(w.ests) == 0 {
			for _, e := range coveredList {
				if !contains(orphans, e) {
					pl.p.addOrphan = append(pl.p.addOrphan, [2]string{w.id, e})
				}
			}
		} else {
			for _, e := range orphans {
				pl.p.delOrphan = append(pl.p.delOrphan, [2]string{w.id, e})
			}
		}
		pl.relationDiff(w)
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// relationDiff compares a person's classes, groups, functions, teaching and
// head-teacher roles with the directory, for what the record states.
func (pl *planner) relationDiff(w *want) {
	st, p := pl.st, w.p
	id := w.id
	sr := w.staffRel
	if sr == nil {
		sr = &staffRel{}
	}
	if w.profile == directory.Student && p.has(setClasses) {
		have := st.enrol[id]
		for _, x := range w.enrol {
			if !hasFirst(have, x.a) {
				pl.p.addEnrol = append(pl.p.addEnrol, [2]string{id, x.a})
			}
		}
		for _, x := range have {
			if pl.inScope(x.b) && !hasFirst(w.enrol, x.a) {
				pl.p.delEnrol = append(pl.p.delEnrol, [2]string{id, x.a})
			}
		}
	}
	if w.profile == directory.Student && p.has(setGroups) {
		have := st.gmember[id]
		for _, x := range w.gm {
			if !hasFirst(have, x.a) {
				pl.p.addGM = append(pl.p.addGM, [2]string{id, x.a})
			}
		}
		for _, x := range have {
			if pl.inScope(x.b) && !hasFirst(w.gm, x.a) {
				pl.p.delGM = append(pl.p.delGM, [2]string{id, x.a})
			}
		}
	}
	if p.has(setFunctions) && w.profile != directory.Student && w.profile != directory.Relative {
		have := st.functions[id]
		for _, x := range sr.fns {
			if !containsPair(have, x) {
				pl.p.addFn = append(pl.p.addFn, [3]string{id, x.a, x.b})
			}
		}
		for _, x := range have {
			if managedFunctions[x.b] && pl.inScope(x.a) && !containsPair(sr.fns, x) {
				pl.p.delFn = append(pl.p.delFn, [3]string{id, x.a, x.b})
			}
		}
	}
	if p.has(setTeachClasses) || p.has(setTeachGroups) {
		have := st.assigns[id]
		same := func(a, b curAssign) bool { return a.class == b.class && a.group == b.group && a.subject == b.subject }
		for _, a := range sr.assigns {
			if a.group == "" && !p.has(setTeachClasses) || a.group != "" && !p.has(setTeachGroups) {
				continue
			}
			found := false
			for _, h := range have {
				found = found || same(a, h)
			}
			if !found {
				pl.p.addAssign = append(pl.p.addAssign, directory.Assignment{ID: ids.New(), EstablishmentID: a.est,
					TeacherID: id, ClassID: a.class, GroupID: a.group, SubjectID: a.subject})
			}
		}
		for _, h := range have {
			if h.group == "" && !p.has(setTeachClasses) || h.group != "" && !p.has(setTeachGroups) || !pl.inScope(h.est) {
				continue
			}
			found := false
			for _, a := range sr.assigns {
				found = found || same(a, h)
			}
			if !found {
				pl.p.delAssign = append(pl.p.delAssign, h.id)
			}
		}
	}
	if p.has(setHeads) && w.profile != directory.Student && w.profile != directory.Relative {
		have := st.heads[id]
		for _, x := range sr.heads {
			if !hasFirst(have, x.a) {
				pl.p.addHeads = append(pl.p.addHeads, [2]string{x.a, id})
			}
		}
		for _, x := range have {
			if pl.inScope(x.b) && !hasFirst(sr.heads, x.a) {
				pl.p.delHeads = append(pl.p.delHeads, [2]string{x.a, id})
			}
		}
	}
}

func hasFirst(ps []pair, a string) bool {
	for _, x := range ps {
		if x.a == a {
			return true
		}
	}
	return false
}

// leavers works out who leaves: people absent from a complete delivery of
// their establishment, people a delta deletes. One attached elsewhere is
// only detached; anyone else is deactivated (memberships and links kept,
// so that a reactivation restores the account intact). It also runs the
// mass-deactivation guard.
func (pl *planner) leavers() error {
	d, st := pl.d, pl.st
	inDelivery := map[string]bool{}
	for _, w := range pl.wants {
		inDelivery[w.id] = true
		if w.c != nil && !w.c.active {
			pl.p.reactivate = append(pl.p.reactivate, w.id)
		}
	}
	active := map[string]int{}
	leaving := map[string]int{}
	if d.Complete {
		ids := make([]string, 0, len(st.byID))
		for id := range st.byID {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		for _, id := range ids {
			c := st.byID[id]
			fam := familyOf(c.profile)
			if c.key == "" || !c.active || fam&d.Families == 0 || !strings.HasPrefix(c.key, pl.prefix) {
				continue
			}
			var in, out []string
			for _, e := range c.ests {
				if pl.covered[e] {
					in = append(in, e)
					active[e]++
				} else {
					out = append(out, e)
				}
			}
			if inDelivery[id] {
				continue
			}
			var orphanIn []string
			for _, e := range st.orphans[id] {
				if pl.covered[e] {
					orphanIn = append(orphanIn, e)
				}
			}
			if len(in) == 0 && len(orphanIn) == 0 {
				continue
			}
			for _, e := range in {
				leaving[e]++
			}
			if len(out) > 0 {
				for _, e := range in {
					pl.p.delMember = append(pl.p.delMember, [2]string{id, e})
				}
				for _, e := range orphanIn {
					pl.p.delOrphan = append(pl.p.delOrphan, [2]string{id, e})
				}
				pl.sum.count(c.profile, "detached", 1)
				continue
			}
			pl.p.deactivate = append(pl.p.deactivate, id)
			pl.sum.count(c.profile, "deactivated", 1)
		}
	}
	for _, del := range d.Deletes {
		c := st.byKey[pl.prefix+del.Key]
		if c == nil || c.purged {
			d.Report.warnf(del.Pos, "delete-unknown", del.Key)
			continue
		}
		if c.active && !contains(pl.p.deactivate, c.id) {
			pl.p.deactivate = append(pl.p.deactivate, c.id)
			pl.sum.count(c.profile, "deactivated", 1)
		}
	}
	max := pl.o.MaxDeactivation
	if max <= 0 {
		max = DefaultMaxDeactivation
	}
	for _, e := range pl.order {
		if !e.covered || leaving[e.id] == 0 {
			continue
		}
		g := GuardLine{EstablishmentID: e.id, UAI: e.uai, Active: active[e.id], Leaving: leaving[e.id]}
		g.Share = float64(g.Leaving) / float64(g.Active)
		g.Percent = int(100*g.Share + 0.5)
		g.Over = g.Share > max
		if g.Over && !pl.o.AllowMassDeactivation {
			pl.sum.Refused = "mass-deactivation"
		}
		pl.sum.Guard = append(pl.sum.Guard, g)
	}
	return nil
}

// assignLogins gives new people a login: the one the feed carries when it
// is free, else "prenom.nom" with a number from 2 on when taken.
func (pl *planner) assignLogins() error {
	var fresh []*want
	for _, w := range pl.wants {
		if w.c == nil {
			fresh = append(fresh, w)
		}
	}
	if len(fresh) == 0 {
		return nil
	}
	pl.logins = map[string]bool{}
	if len(fresh) > 200 {
		// Many new people: one read of every login is cheaper than a
		// lookup each.
		if err := eachRow(pl.ctx, pl.q, `SELECT login FROM people`, nil, func(r []string) { pl.logins[r[0]] = true }); err != nil {
			return err
		}
	} else {
		for _, w := range fresh {
			f := w.fields()
			for _, base := range []string{w.p.Login, loginBase(f[fFirst], f[fLast])} {
				if base == "" {
					continue
				}
				// Every login starting with base, through the unique index.
				if err := eachRow(pl.ctx, pl.q, `SELECT login FROM people WHERE login >= ? AND login < ?`,
					[]any{base, base + "\U0010FFFF"}, func(r []string) { pl.logins[r[0]] = true }); err != nil {
					return err
				}
			}
		}
	}
	for _, w := range fresh {
		if l := w.p.Login; l != "" && !pl.logins[l] && validLogin(l) {
			w.login = l
		} else {
			f := w.fields()
			base := loginBase(f[fFirst], f[fLast])
			l = base
			for n := max(pl.next[base], 2); pl.logins[l]; n++ {
				l = base + strconv.Itoa(n)
				pl.next[base] = n + 1
			}
			w.login = l
		}
		pl.logins[w.login] = true
		pl.p.newPeople = append(pl.p.newPeople, w)
	}
	return nil
}

func validLogin(l string) bool {
	if len(l) > 128 {
		return false
	}
	for _, r := range l {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '.' || r == '-' || r == '_' || r == '@') {
			return false
		}
	}
	return true
}

// structureRows lists the classes and groups to create, and reports the
// classes a complete delivery no longer names (kept: other services may
// hold their history; the rollover closes them).
func (pl *planner) structureRows() error {
	for _, e := range pl.order {
		codes := make([]string, 0, len(e.classes))
		for code := range e.classes {
			codes = append(codes, code)
		}
		sort.Strings(codes)
		for _, code := range codes {
			c := e.classes[code]
			if c.isNew {
				pl.p.newClass = append(pl.p.newClass, directory.Class{ID: c.id, EstablishmentID: e.id, SchoolYearID: e.year,
					Code: c.code, Name: c.name, Level: c.level})
			} else if !c.seen && e.covered {
				pl.d.Report.warnf(Pos{}, "class-not-delivered", c.code, e.uai)
			}
		}
		codes = codes[:0]
		for code := range e.groups {
			codes = append(codes, code)
		}
		sort.Strings(codes)
		for _, code := range codes {
			g := e.groups[code]
			if g.isNew {
				pl.p.newGroup = append(pl.p.newGroup, directory.Group{ID: g.id, EstablishmentID: e.id, SchoolYearID: e.year,
					Code: g.code, Name: g.name})
			} else if !g.seen && e.covered {
				pl.d.Report.warnf(Pos{}, "group-not-delivered", g.code, e.uai)
			}
		}
	}
	// People whose fields change.
	for _, w := range pl.wants {
		if w.c != nil && (w.c.f != *w.f || w.c.profile != w.profile) {
			pl.p.updPeople = append(pl.p.updPeople, w)
		}
	}
	return nil
}

// nomenclature keeps the subject and MEF labels for later deltas.
func (pl *planner) nomenclature() error {
	if len(pl.d.Subjects)+len(pl.d.MEFs) == 0 {
		return nil
	}
	have := map[[2]string]string{}
	if err := eachRow(pl.ctx, pl.q, `SELECT kind, code, label FROM provisioning_nomenclature`, nil, func(r []string) {
		have[[2]string{r[0], r[1]}] = r[2]
	}); err != nil {
		return err
	}
	for _, set := range []struct {
		kind string
		m    map[string]string
	}{{"subject", pl.d.Subjects}, {"mef", pl.d.MEFs}} {
		codes := make([]string, 0, len(set.m))
		for c := range set.m {
			codes = append(codes, c)
		}
		sort.Strings(codes)
		for _, c := range codes {
			if l, ok := have[[2]string{set.kind, c}]; !ok || l != set.m[c] {
				pl.p.nomenclature = append(pl.p.nomenclature, [3]string{set.kind, c, set.m[c]})
			}
		}
	}
	return nil
}

// counts fills the summary from the plan.
func (pl *planner) counts() {
	p, s := pl.p, pl.sum
	for _, e := range pl.order {
		s.Establishments = append(s.Establishments, EstablishmentSummary{ID: e.id, UAI: e.uai, Name: e.name, New: e.isNew, Covered: e.covered})
	}
	s.count("establishment", "created", len(p.newEsts))
	s.count("establishment", "updated", len(p.updEsts))
	s.count("school_year", "created", len(p.newYears))
	s.count("class", "created", len(p.newClass))
	s.count("class", "updated", len(p.updLevel)+len(p.updClassName))
	s.count("group", "updated", len(p.updGroupName))
	s.count("group", "created", len(p.newGroup))
	s.count("subject", "created", len(p.newSubj))
	upd := map[string]bool{}
	for _, w := range p.updPeople {
		upd[w.id] = true
	}
	react := map[string]bool{}
	for _, id := range p.reactivate {
		react[id] = true
	}
	for _, w := range pl.wants {
		switch {
		case w.c == nil:
			s.count(w.profile, "created", 1)
		case react[w.id]:
			s.count(w.profile, "reactivated", 1)
		case upd[w.id]:
			s.count(w.profile, "updated", 1)
		default:
			s.count(w.profile, "unchanged", 1)
		}
	}
	s.count("membership", "added", len(p.addMember))
	s.count("membership", "removed", len(p.delMember))
	s.count("enrolment", "added", len(p.addEnrol))
	s.count("enrolment", "removed", len(p.delEnrol))
	s.count("group_member", "added", len(p.addGM))
	s.count("group_member", "removed", len(p.delGM))
	s.count("group_class", "added", len(p.addGC))
	s.count("group_class", "removed", len(p.delGC))
	s.count("family_link", "added", len(p.addLinks))
	s.count("family_link", "updated", len(p.updLinks))
	s.count("family_link", "removed", len(p.delLinks))
	s.count("function", "added", len(p.addFn))
	s.count("function", "removed", len(p.delFn))
	s.count("assignment", "added", len(p.addAssign))
	s.count("assignment", "removed", len(p.delAssign))
	s.count("head_teacher", "added", len(p.addHeads))
	s.count("head_teacher", "removed", len(p.delHeads))
}
