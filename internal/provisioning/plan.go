package provisioning

import (
	"context"
	"errors"
	"fmt"
	"time"

	"cartable/internal/db"
	"cartable/internal/directory"
	"cartable/internal/ids"
	"cartable/internal/roles"
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
	scope   Scope    // what the rights to run it must cover (scope.go)
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
	Now             func() time.Time
	// Hook is called between the steps of writing with the step's name and
	// the transaction; an error aborts the whole import. Tests inject
	// failures with it.
	Hook func(step string, tx *db.Tx) error
	// Expect, when set, is the fingerprint of the changes someone reviewed:
	// if the directory moved since and the changes differ, nothing is
	// applied and ErrChanged is returned.
	Expect string

	// Set by Import from its viewer: the person who runs it ("" for the
	// system), and whether to attach them to the establishments the import
	// creates (an operator importing from the web must see what they
	// created).
	actorID     string
	attachActor bool
}

// DefaultMaxDeactivation is the guard's default: a complete delivery that
// would deactivate more than a fifth of an establishment is refused.
const DefaultMaxDeactivation = 0.20

// managedFunctions are the functions a feed decides; the secretary is set
// by the establishment.
var managedFunctions = map[string]bool{roles.Head: true, roles.Deputy: true, roles.CPE: true, roles.Documentalist: true}

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
	// namedAt lists, for a spreadsheet, where each class or group the
	// import would create is named (NewStructures).
	namedAt map[*structRow][]Pos
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
		wantBy: map[string]*want{}, next: map[string]int{}, p: &plan{}, warned: map[string]bool{}, namedAt: map[*structRow][]Pos{},
		sum: &Summary{Source: d.Source, Mode: "delta", Date: d.Date, DryRun: o.DryRun, Files: d.Files}}
	if d.Complete {
		pl.sum.Mode = "complete"
	}
	pl.day = d.Date
	if pl.day == "" {
		pl.day = pl.now.UTC().Format("2006-01-02")
	}
	steps := []func() error{pl.structures, pl.people, pl.relations, pl.links, pl.memberships, pl.leavers,
		pl.assignLogins, pl.structureRows, pl.nomenclature, pl.scope}
	for _, step := range steps {
		if err := step(); err != nil {
			return nil, nil, err
		}
	}
	pl.counts()
	pl.sum.Report = d.Report
	pl.sum.Scope = pl.p.scope
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
		for _, r := range p.ex().Functions {
			need(r.Est)
		}
		for _, r := range p.ex().Heads {
			need(r.Est)
		}
		for _, t := range p.ex().Teaching {
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
