package grades

// Competences of the socle commun (collège): items per establishment or
// subject, each tied to one of the eight components; the items an
// evaluation assesses; the grid of levels a teacher enters for a class on
// an evaluation; a student's level per subject and component for a
// period, aggregated by internal/averages.
//
// Who may do what:
//   - the head and deputies (ManageGrades on the establishment) create,
//     relabel, move to another component and archive every item,
//     establishment-wide ones included;
//   - a teacher (EnterMarks on one of their teachings) may add an item to
//     the subject of that teaching, so that a new evaluation need not wait
//     for the head; they may not change or archive items afterwards,
//     since items are shared by every teacher of the subject and changing
//     one changes the meaning of the levels already given on it;
//   - choosing the items of an evaluation and entering levels are
//     EnterMarks on the evaluation's teaching (a second factor), refused
//     once the evaluation's period is locked.

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"cartable/internal/access"
	"cartable/internal/averages"
	"cartable/internal/check"
	"cartable/internal/db"
	"cartable/internal/ids"
	"cartable/internal/timetable"
)

// Component is a component (domaine) of the socle commun, by its national
// code (the LSU's CodeDomaineSocle).
type Component string

// The eight components, in the LSU's order.
const (
	CompFrench    Component = "CPD_FRA" // comprendre, s'exprimer en utilisant la langue française
	CompLanguages Component = "CPD_ETR" // … une langue étrangère et, le cas échéant, une langue régionale
	CompSciences  Component = "CPD_SCI" // … les langages mathématiques, scientifiques et informatiques
	CompArts      Component = "CPD_ART" // … les langages des arts et du corps
	CompMethods   Component = "MET_APP" // les méthodes et outils pour apprendre
	CompCitizen   Component = "FRM_CIT" // la formation de la personne et du citoyen
	CompSystems   Component = "SYS_NAT" // les systèmes naturels et les systèmes techniques
	CompWorld     Component = "REP_MND" // les représentations du monde et l'activité humaine
)

// Components lists the components in the LSU's order (labels: i18n keys
// cmp.component.<code>).
var Components = []Component{CompFrench, CompLanguages, CompSciences, CompArts, CompMethods, CompCitizen, CompSystems, CompWorld}

// Valid tells whether c is one of the eight codes.
func (c Component) Valid() bool { return slices.Contains(Components, c) }

// Level codes typed in the grid besides 1 to 4.
const (
	LevelAbsent = "abs"  // absent: not assessed, left out of every level
	LevelExempt = "disp" // exempt (dispensé): the LSU's 0
)

// ParseLevel reads a cell of the levels grid: "" (nothing), 1 to 4, the
// usual initials (MI, MF, MS, TBM), "abs" or "disp", in any case. It
// returns the stored form: "1"…"4", "abs", "disp" or "".
func ParseLevel(s string) (string, bool) {
	t := strings.ToLower(strings.TrimSpace(s))
	switch t {
	case "", "1", "2", "3", "4", LevelAbsent, LevelExempt:
		return t, true
	case "mi":
		return "1", true
	case "mf":
		return "2", true
	case "ms":
		return "3", true
	case "tbm":
		return "4", true
	}
	return "", false
}

// Item is a competence item.
type Item struct {
	ID            string
	Establishment string
	Subject       string // "" : establishment-wide
	SubjectName   string
	Component     Component
	Label         string
	Archived      bool
}

// Ref names a row of the directory in a view.
type Ref struct {
	ID   string
	Name string
}

// StudentRef is a student as a grid's row names them.
type StudentRef struct {
	ID        string
	LastName  string
	FirstName string
}

// DisplayName is "LAST First".
func (s StudentRef) DisplayName() string { return s.LastName + " " + s.FirstName }

// ItemInput is the item form as typed. A teacher names the teaching the
// item comes from (Teaching, an access.Teaching resource ID); the head
// names the establishment and the subject ("" : establishment-wide).
type ItemInput struct {
	Teaching      string
	Establishment string
	Subject       string
	Component     string
	Label         string
	Archived      bool // edits only
}

// MaxItemLabel is the longest label an item may have, in characters.
const MaxItemLabel = 200

// CheckItem checks an item form: a label of at most MaxItemLabel
// characters, one of the eight components.
func CheckItem(in ItemInput) check.Problems {
	var ps check.Problems
	label := strings.TrimSpace(in.Label)
	switch {
	case label == "":
		ps.Add("label", "required", "")
	case utf8.RuneCountInString(label) > MaxItemLabel:
		ps = append(ps, check.Problem{Field: "label", Code: "too-long", N: MaxItemLabel})
	}
	if !Component(in.Component).Valid() {
		ps.Add("component", "unknown-component", in.Component)
	}
	return ps
}

// ItemsAdmin is the head's list of an establishment's items.
type ItemsAdmin struct {
	Establishment Ref
	Subjects      []Ref
	Items         []Item // archived ones included, by subject then component
}

// Items lists every item of the establishment est for the head
// (ManageGrades).
func (s *Service) Items(ctx context.Context, v *access.Viewer, est string) (ItemsAdmin, error) {
	if err := v.Can(ctx, access.ManageGrades, access.Establishment(est)); err != nil {
		return ItemsAdmin{}, err
	}
	out := ItemsAdmin{Establishment: Ref{ID: est}}
	if err := s.DB.QueryRow(ctx, `SELECT name FROM establishments WHERE id = ?`, est).Scan(&out.Establishment.Name); err != nil {
		return out, notFound(err)
	}
	var err error
	if out.Subjects, err = cmpSubjects(ctx, s.DB, est); err != nil {
		return out, err
	}
	out.Items, err = cmpItemsOf(ctx, s.DB, est, nil, true)
	return out, err
}

// cmpSubjects lists an establishment's subjects by name.
func cmpSubjects(ctx context.Context, q db.Querier, est string) ([]Ref, error) {
	return db.All(ctx, q, func(sc db.Scanner) (r Ref, err error) { err = sc.Scan(&r.ID, &r.Name); return },
		`SELECT id, name FROM subjects WHERE establishment_id = ? ORDER BY name, id`, est)
}

const cmpItemCols = `i.id, i.establishment_id, COALESCE(i.subject_id, ''), COALESCE(s.name, ''), i.component, i.label, i.archived`

func cmpScanItem(sc db.Scanner) (Item, error) {
	var it Item
	err := sc.Scan(&it.ID, &it.Establishment, &it.Subject, &it.SubjectName, &it.Component, &it.Label, &it.Archived)
	return it, err
}

// cmpItemsOf lists the items of est: every one (subjects nil), or those of
// the subjects given and the establishment-wide ones; archived ones only
// when asked.
func cmpItemsOf(ctx context.Context, q db.Querier, est string, subjects []string, archived bool) ([]Item, error) {
	query := `SELECT ` + cmpItemCols + ` FROM gr_competence_items i LEFT JOIN subjects s ON s.id = i.subject_id
		WHERE i.establishment_id = ?`
	args := []any{est}
	if subjects != nil {
		query += ` AND (i.subject_id IS NULL OR ` + db.In(q, "i.subject_id") + `)`
		args = append(args, db.ListArg(q, subjects))
	}
	if !archived {
		query += ` AND NOT i.archived`
	}
	items, err := db.All(ctx, q, cmpScanItem, query+` ORDER BY COALESCE(s.name, ''), i.component, i.label, i.id`, args...)
	if err != nil {
		return nil, err
	}
	// Components in the LSU's order rather than alphabetical.
	slices.SortStableFunc(items, func(a, b Item) int {
		if a.SubjectName != b.SubjectName {
			return strings.Compare(a.SubjectName, b.SubjectName)
		}
		return slices.Index(Components, a.Component) - slices.Index(Components, b.Component)
	})
	return items, nil
}

func cmpItemByID(ctx context.Context, q db.Querier, id string) (Item, error) {
	it, err := cmpScanItem(q.QueryRow(ctx, `SELECT `+cmpItemCols+` FROM gr_competence_items i LEFT JOIN subjects s ON s.id = i.subject_id
		WHERE i.id = ?`, id))
	return it, notFound(err)
}

func cmpItemResource(id string) access.Resource {
	return access.Resource{Kind: "competence-item", ID: id}
}

// cmpStructureEstablishment reads the establishment of a class or group.
func cmpStructureEstablishment(ctx context.Context, q db.Querier, r access.Resource) (string, error) {
	table := "classes"
	if r.Kind == access.KindGroup {
		table = "groups"
	}
	var est string
	err := q.QueryRow(ctx, `SELECT establishment_id FROM `+table+` WHERE id = ?`, r.ID).Scan(&est)
	return est, notFound(err)
}

// CreateItem adds an item: the head's (ManageGrades on in.Establishment,
// any subject or none) or a teacher's (EnterMarks on in.Teaching, for
// that teaching's subject). It returns the new item's ID.
func (s *Service) CreateItem(ctx context.Context, v *access.Viewer, in ItemInput) (id string, err error) {
	err = s.DB.Tx(ctx, func(tx *db.Tx) error {
		id, err = cmpOp{q: tx, now: s.now()}.createItem(ctx, v, in)
		return err
	})
	return id, err
}

// cmpOp is one write's database and time: the service's transaction or a
// caller's (the demo), with identifiers from newID (nil: random).
type cmpOp struct {
	q     db.Querier
	now   time.Time
	newID func() string
}

func (o cmpOp) id() string {
	if o.newID != nil {
		return o.newID()
	}
	return ids.New()
}

func (o cmpOp) today() string { return o.now.In(timetable.Paris).Format(timetable.DateFormat) }

// CreateItemIn is CreateItem in a caller's transaction (the demo), at
// the time given, with identifiers from newID (nil: random).
func CreateItemIn(ctx context.Context, v *access.Viewer, q db.Querier, at time.Time, newID func() string, in ItemInput) (string, error) {
	return cmpOp{q: q, now: at, newID: newID}.createItem(ctx, v, in)
}

func (o cmpOp) createItem(ctx context.Context, v *access.Viewer, in ItemInput) (string, error) {
	var est, subject string
	if in.Teaching != "" {
		t := access.Resource{Kind: access.KindTeaching, ID: in.Teaching}
		structure, subj, ok := access.ParseTeaching(t)
		if !ok {
			return "", access.Refuse(access.EnterMarks, t, "malformed teaching")
		}
		if err := v.Can(ctx, access.EnterMarks, t); err != nil {
			return "", err
		}
		e, err := cmpStructureEstablishment(ctx, o.q, structure)
		if err != nil {
			return "", err
		}
		est, subject = e, subj
	} else {
		if err := v.Can(ctx, access.ManageGrades, access.Establishment(in.Establishment)); err != nil {
			return "", err
		}
		est, subject = in.Establishment, in.Subject
		if subject != "" {
			var n int
			if err := o.q.QueryRow(ctx, `SELECT COUNT(*) FROM subjects WHERE id = ? AND establishment_id = ?`, subject, est).Scan(&n); err != nil {
				return "", err
			}
			if n == 0 {
				return "", check.Problems{{Field: "subject", Code: "unknown-subject", Value: subject}}
			}
		}
	}
	if ps := CheckItem(in); len(ps) > 0 {
		return "", ps
	}
	id := o.id()
	var subj any
	if subject != "" {
		subj = subject
	}
	_, err := o.q.Exec(ctx, `INSERT INTO gr_competence_items (id, establishment_id, subject_id, component, label, author_id, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, id, est, subj, in.Component, strings.TrimSpace(in.Label), cmpAuthor(v), o.now.Unix(), o.now.Unix())
	if err != nil {
		return "", err
	}
	return id, record(ctx, o.q, o.now, change{Establishment: est, Subject: "item:" + id, Actor: v.Actor(),
		After: in.Component + " " + strings.TrimSpace(in.Label)})
}

// cmpAuthor is the viewer as an author column: NULL for a system viewer.
func cmpAuthor(v *access.Viewer) any {
	if v.IsSystem() || v.ID == "" {
		return nil
	}
	return v.ID
}

// EditItem changes an item's label, component and archived flag: the
// head's (ManageGrades on the item's establishment).
func (s *Service) EditItem(ctx context.Context, v *access.Viewer, id string, in ItemInput) error {
	it, err := cmpItemByID(ctx, s.DB, id)
	if errors.Is(err, errNotFound) {
		return access.Refuse(access.ManageGrades, cmpItemResource(id), "no such item")
	}
	if err != nil {
		return err
	}
	if err := v.Can(ctx, access.ManageGrades, access.Establishment(it.Establishment)); err != nil {
		return err
	}
	if ps := CheckItem(in); len(ps) > 0 {
		return ps
	}
	label := strings.TrimSpace(in.Label)
	return s.DB.Tx(ctx, func(tx *db.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE gr_competence_items SET label = ?, component = ?, archived = ?, updated_at = ? WHERE id = ?`,
			label, in.Component, in.Archived, s.now().Unix(), id); err != nil {
			return err
		}
		state := func(c Component, l string, a bool) string {
			out := string(c) + " " + l
			if a {
				out += " (archived)"
			}
			return out
		}
		return record(ctx, tx, s.now(), change{Establishment: it.Establishment, Subject: "item:" + id, Actor: v.Actor(),
			Before: state(it.Component, it.Label, it.Archived), After: state(Component(in.Component), label, in.Archived)})
	})
}

// DeleteItem removes an item no evaluation has assessed: the head's
// (ManageGrades). An item already used is archived instead, so that the
// levels given on it keep their meaning.
func (s *Service) DeleteItem(ctx context.Context, v *access.Viewer, id string) error {
	it, err := cmpItemByID(ctx, s.DB, id)
	if errors.Is(err, errNotFound) {
		return access.Refuse(access.ManageGrades, cmpItemResource(id), "no such item")
	}
	if err != nil {
		return err
	}
	if err := v.Can(ctx, access.ManageGrades, access.Establishment(it.Establishment)); err != nil {
		return err
	}
	return s.DB.Tx(ctx, func(tx *db.Tx) error {
		var used int
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM gr_evaluation_items WHERE item_id = ?`, id).Scan(&used); err != nil {
			return err
		}
		if used > 0 {
			return check.Problems{{Field: "item", Code: "item-used", Value: it.Label}}
		}
		if _, err := tx.Exec(ctx, `DELETE FROM gr_competence_items WHERE id = ?`, id); err != nil {
			return err
		}
		return record(ctx, tx, s.now(), change{Establishment: it.Establishment, Subject: "item:" + id, Actor: v.Actor(),
			Before: string(it.Component) + " " + it.Label})
	})
}

// ---------------------------------------------------------------- desk

// TeachingCompetences is one of a teacher's teachings with its
// evaluations and the items its subject offers.
type TeachingCompetences struct {
	Teaching    string // the access.Teaching resource ID, for the item form
	Structure   Ref
	Subject     Ref
	Evaluations []EvaluationSummary
	Items       []Item // the subject's and the establishment's, not archived
}

// EvaluationSummary is an evaluation in a list, with its number of items.
type EvaluationSummary struct {
	ID     string
	Title  string
	HeldOn string
	Items  int
}

// Desk is what /competences shows the viewer: a teacher's teachings; the
// establishments whose items the viewer manages; the classes whose
// end-of-cycle positioning and brevet marks the viewer reads.
type Desk struct {
	Teachings    []TeachingCompetences
	Manage       []Ref
	CycleClasses []CycleClass
}

// CycleClass is a class with its level and cycle (3 for 6e, 4 for 3e, 0
// otherwise).
type CycleClass struct {
	ID            string
	Name          string
	Level         string
	Establishment string
	Year          string
	Cycle         int
}

// CycleOf is the cycle a level ends: 3 for 6e, 4 for 3e, 0 for any other.
func CycleOf(level string) int {
	switch strings.TrimSpace(strings.ToLower(level)) {
	case "6e", "6eme", "6ème", "sixieme", "sixième":
		return 3
	case "3e", "3eme", "3ème", "troisieme", "troisième":
		return 4
	}
	return 0
}

// Desk reads the viewer's competences desk. Each part is asked of the
// policy: the teachings the viewer reads grades of among their
// assignments, the establishments they manage, the 6e and 3e classes of
// their establishments they may write the council of.
func (s *Service) Desk(ctx context.Context, v *access.Viewer) (Desk, error) {
	var d Desk
	type assignment struct {
		class, group, subject, subjectName, structName, est string
	}
	as, err := db.All(ctx, s.DB, func(sc db.Scanner) (a assignment, err error) {
		err = sc.Scan(&a.class, &a.group, &a.subject, &a.subjectName, &a.structName, &a.est)
		return
	}, `SELECT COALESCE(a.class_id, ''), COALESCE(a.group_id, ''), a.subject_id, s.name, COALESCE(c.name, g.name), a.establishment_id
		FROM teaching_assignments a JOIN subjects s ON s.id = a.subject_id
		LEFT JOIN classes c ON c.id = a.class_id LEFT JOIN groups g ON g.id = a.group_id
		JOIN school_years y ON y.id = COALESCE(c.school_year_id, g.school_year_id)
		WHERE a.teacher_id = ? AND NOT y.closed ORDER BY s.name, COALESCE(c.name, g.name)`, v.ID)
	if err != nil {
		return d, err
	}
	items := map[string][]Item{} // subject → items
	for _, a := range as {
		structure := access.Class(a.class)
		if a.class == "" {
			structure = access.Group(a.group)
		}
		t := access.Teaching(structure, a.subject)
		if ok, err := v.May(ctx, access.ReadGrades, t); err != nil || !ok {
			if err != nil {
				return d, err
			}
			continue
		}
		tc := TeachingCompetences{Teaching: t.ID, Structure: Ref{ID: structure.ID, Name: a.structName}, Subject: Ref{ID: a.subject, Name: a.subjectName}}
		evs, err := evaluationsOf(ctx, s.DB, structure, a.subject, "")
		if err != nil {
			return d, err
		}
		counts, err := cmpItemCounts(ctx, s.DB, evs)
		if err != nil {
			return d, err
		}
		for _, e := range evs {
			tc.Evaluations = append(tc.Evaluations, EvaluationSummary{ID: e.ID, Title: e.Title, HeldOn: e.HeldOn, Items: counts[e.ID]})
		}
		if _, ok := items[a.subject]; !ok {
			if items[a.subject], err = cmpItemsOf(ctx, s.DB, a.est, []string{a.subject}, false); err != nil {
				return d, err
			}
		}
		tc.Items = items[a.subject]
		d.Teachings = append(d.Teachings, tc)
	}
	for _, est := range v.Establishments {
		ok, err := v.May(ctx, access.ManageGrades, access.Establishment(est))
		if err != nil {
			return d, err
		}
		if ok {
			var name string
			if err := s.DB.QueryRow(ctx, `SELECT name FROM establishments WHERE id = ?`, est).Scan(&name); err != nil {
				return d, err
			}
			d.Manage = append(d.Manage, Ref{ID: est, Name: name})
		}
	}
	if len(v.Establishments) > 0 {
		classes, err := db.All(ctx, s.DB, scanCycleClass, `SELECT `+cycleClassCols+cycleClassFrom+` WHERE `+db.In(s.DB, "c.establishment_id")+
			` AND NOT y.closed ORDER BY c.level, c.name`, db.ListArg(s.DB, v.Establishments))
		if err != nil {
			return d, err
		}
		for _, c := range classes {
			if c.Cycle == 0 {
				continue
			}
			// Listed for a session that still owes its second factor
			// too: the grid sends it to the step-up.
			switch err := v.Can(ctx, access.WriteCouncil, access.Class(c.ID)); {
			case err == nil || access.IsSecondFactorRefusal(err):
				d.CycleClasses = append(d.CycleClasses, c)
			case !errors.Is(err, access.ErrDenied):
				return d, err
			}
		}
	}
	return d, nil
}

const cycleClassCols = `c.id, c.name, c.level, c.establishment_id, c.school_year_id`
const cycleClassFrom = ` FROM classes c JOIN school_years y ON y.id = c.school_year_id`

func scanCycleClass(sc db.Scanner) (CycleClass, error) {
	var c CycleClass
	err := sc.Scan(&c.ID, &c.Name, &c.Level, &c.Establishment, &c.Year)
	c.Cycle = CycleOf(c.Level)
	return c, err
}

func cmpClassByID(ctx context.Context, q db.Querier, id string) (CycleClass, error) {
	c, err := scanCycleClass(q.QueryRow(ctx, `SELECT `+cycleClassCols+cycleClassFrom+` WHERE c.id = ?`, id))
	return c, notFound(err)
}

// cmpItemCounts counts the items of each evaluation.
func cmpItemCounts(ctx context.Context, q db.Querier, evs []Evaluation) (map[string]int, error) {
	out := map[string]int{}
	if len(evs) == 0 {
		return out, nil
	}
	idsOf := make([]string, len(evs))
	for i, e := range evs {
		idsOf[i] = e.ID
	}
	rows, err := q.Query(ctx, `SELECT evaluation_id, COUNT(*) FROM gr_evaluation_items WHERE `+db.In(q, "evaluation_id")+
		` GROUP BY evaluation_id`, db.ListArg(q, idsOf))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return nil, err
		}
		out[id] = n
	}
	return out, rows.Err()
}

// ---------------------------------------------------------------- grid

// LevelGrid is an evaluation's items and levels: one row per student of
// the class or group, one column per item.
type LevelGrid struct {
	Evaluation Evaluation
	Structure  Ref
	Subject    Ref
	Items      []Item // the items assessed, in the columns' order
	Offered    []Item // the items that may be added (the subject's and the establishment's, not archived)
	Students   []StudentRef
	// Cells: student → item → the stored level ("1"…"4", "abs", "disp").
	Cells map[string]map[string]string
	// MayEnter: the viewer may choose items and enter levels now;
	// SecondFactor: they could with a second factor; Locked: the
	// evaluation's period is closed to entry.
	MayEnter     bool
	SecondFactor bool
	Locked       bool
}

// Cell is a stored level, for templates.
func (g LevelGrid) Cell(student, item string) string { return g.Cells[student][item] }

// evaluation reads an evaluation after asking a on its teaching; a
// missing one is refused like a forbidden one.
func (s *Service) cmpEvaluation(ctx context.Context, v *access.Viewer, a access.Action, id string) (Evaluation, error) {
	return cmpOp{q: s.DB, now: s.now()}.evaluation(ctx, v, a, id)
}

func (o cmpOp) evaluation(ctx context.Context, v *access.Viewer, a access.Action, id string) (Evaluation, error) {
	e, err := evaluationByID(ctx, o.q, id)
	if errors.Is(err, errNotFound) {
		return e, access.Refuse(a, access.Resource{Kind: "evaluation", ID: id}, "no such evaluation")
	}
	if err != nil {
		return e, err
	}
	return e, v.Can(ctx, a, e.Teaching())
}

// today is the service's day in Paris.

// EvaluationLevels reads an evaluation's grid for a viewer who reads the
// teaching's grades (its teacher, the head teacher, the head).
func (s *Service) EvaluationLevels(ctx context.Context, v *access.Viewer, id string) (LevelGrid, error) {
	e, err := s.cmpEvaluation(ctx, v, access.ReadGrades, id)
	if err != nil {
		return LevelGrid{}, err
	}
	g := LevelGrid{Evaluation: e, Cells: map[string]map[string]string{}}
	err = v.Can(ctx, access.EnterMarks, e.Teaching())
	g.MayEnter = err == nil
	g.SecondFactor = access.IsSecondFactorRefusal(err)
	if err != nil && !errors.Is(err, access.ErrDenied) {
		return g, err
	}
	p, err := periodByID(ctx, s.DB, e.Period)
	if err != nil {
		return g, err
	}
	g.Locked = p.Locked(s.today())
	if g.Structure, g.Subject, err = cmpStructureAndSubject(ctx, s.DB, e); err != nil {
		return g, err
	}
	if g.Items, err = cmpEvaluationItems(ctx, s.DB, id); err != nil {
		return g, err
	}
	offered, err := cmpItemsOf(ctx, s.DB, e.Establishment, []string{e.Subject}, false)
	if err != nil {
		return g, err
	}
	for _, it := range offered {
		if !slices.ContainsFunc(g.Items, func(c Item) bool { return c.ID == it.ID }) {
			g.Offered = append(g.Offered, it)
		}
	}
	if g.Students, err = cmpRoster(ctx, s.DB, e.Structure); err != nil {
		return g, err
	}
	levels, err := cmpLevelsOf(ctx, s.DB, []string{id}, nil)
	if err != nil {
		return g, err
	}
	for _, l := range levels {
		if g.Cells[l.Student] == nil {
			g.Cells[l.Student] = map[string]string{}
		}
		g.Cells[l.Student][l.Item] = l.Value
	}
	return g, nil
}

func cmpStructureAndSubject(ctx context.Context, q db.Querier, e Evaluation) (Ref, Ref, error) {
	table := "classes"
	if e.Structure.Kind == access.KindGroup {
		table = "groups"
	}
	st, su := Ref{ID: e.Structure.ID}, Ref{ID: e.Subject}
	if err := q.QueryRow(ctx, `SELECT name FROM `+table+` WHERE id = ?`, e.Structure.ID).Scan(&st.Name); err != nil {
		return st, su, err
	}
	err := q.QueryRow(ctx, `SELECT name FROM subjects WHERE id = ?`, e.Subject).Scan(&su.Name)
	return st, su, err
}

// cmpEvaluationItems lists the items an evaluation assesses, in order.
func cmpEvaluationItems(ctx context.Context, q db.Querier, eval string) ([]Item, error) {
	return db.All(ctx, q, cmpScanItem, `SELECT `+cmpItemCols+` FROM gr_evaluation_items ei JOIN gr_competence_items i ON i.id = ei.item_id
		LEFT JOIN subjects s ON s.id = i.subject_id WHERE ei.evaluation_id = ? ORDER BY ei.position, i.label, i.id`, eval)
}

// cmpRoster lists the active students of a class or group, by name.
func cmpRoster(ctx context.Context, q db.Querier, structure access.Resource) ([]StudentRef, error) {
	query := `SELECT p.id, p.last_name, p.first_name FROM enrolments m JOIN people p ON p.id = m.student_id
		WHERE m.class_id = ? AND p.active ORDER BY p.last_name, p.first_name, p.id`
	if structure.Kind == access.KindGroup {
		query = `SELECT p.id, p.last_name, p.first_name FROM group_members m JOIN people p ON p.id = m.student_id
		WHERE m.group_id = ? AND p.active ORDER BY p.last_name, p.first_name, p.id`
	}
	return db.All(ctx, q, func(sc db.Scanner) (r StudentRef, err error) { err = sc.Scan(&r.ID, &r.LastName, &r.FirstName); return },
		query, structure.ID)
}

// cmpStoredLevel is a row of gr_levels, its value in the grid's form.
type cmpStoredLevel struct {
	Evaluation, Item, Student string
	Value                     string // "1"…"4", "abs", "disp"
}

// cmpLevelsOf reads the levels of evaluations, for the students given (nil:
// every student).
func cmpLevelsOf(ctx context.Context, q db.Querier, evals, students []string) ([]cmpStoredLevel, error) {
	if len(evals) == 0 || (students != nil && len(students) == 0) {
		return nil, nil
	}
	query := `SELECT evaluation_id, item_id, student_id, COALESCE(level, 0), special FROM gr_levels WHERE ` + db.In(q, "evaluation_id")
	args := []any{db.ListArg(q, evals)}
	if students != nil {
		query += ` AND ` + db.In(q, "student_id")
		args = append(args, db.ListArg(q, students))
	}
	return db.All(ctx, q, func(sc db.Scanner) (l cmpStoredLevel, err error) {
		var n int
		var special string
		err = sc.Scan(&l.Evaluation, &l.Item, &l.Student, &n, &special)
		l.Value = special
		if special == "" {
			l.Value = strconv.Itoa(n)
		}
		return
	}, query, args...)
}

// entryProblems refuses entry on an evaluation whose period is locked.
func (o cmpOp) entryProblems(ctx context.Context, e Evaluation) (check.Problems, error) {
	p, err := periodByID(ctx, o.q, e.Period)
	if err != nil {
		return nil, err
	}
	if p.Locked(o.today()) {
		return check.Problems{{Field: "period", Code: "locked", Value: p.EntryDeadline}}, nil
	}
	return nil, nil
}

// SetEvaluationItems sets the items an evaluation assesses, in order
// (EnterMarks on its teaching). An item must be the subject's or the
// establishment's and not archived (unless already chosen); an item that
// has levels cannot be taken off (clear its column first): nothing is
// lost by a wrong tick.
func (s *Service) SetEvaluationItems(ctx context.Context, v *access.Viewer, id string, items []string) error {
	return s.DB.Tx(ctx, func(tx *db.Tx) error { return cmpOp{q: tx, now: s.now()}.setEvaluationItems(ctx, v, id, items) })
}

// SetEvaluationItemsIn is SetEvaluationItems in a caller's transaction
// (the demo), at the time given.
func SetEvaluationItemsIn(ctx context.Context, v *access.Viewer, q db.Querier, at time.Time, id string, items []string) error {
	return cmpOp{q: q, now: at}.setEvaluationItems(ctx, v, id, items)
}

func (o cmpOp) setEvaluationItems(ctx context.Context, v *access.Viewer, id string, items []string) error {
	e, err := o.evaluation(ctx, v, access.EnterMarks, id)
	if err != nil {
		return err
	}
	ps, err := o.entryProblems(ctx, e)
	if err != nil || len(ps) > 0 {
		return errors.Join(ps.Err(), err)
	}
	current, err := cmpEvaluationItems(ctx, o.q, id)
	if err != nil {
		return err
	}
	offered, err := cmpItemsOf(ctx, o.q, e.Establishment, []string{e.Subject}, false)
	if err != nil {
		return err
	}
	known := map[string]bool{}
	for _, it := range append(current, offered...) {
		known[it.ID] = true
	}
	chosen := map[string]bool{}
	var order []string
	for _, it := range items {
		if it == "" || chosen[it] {
			continue
		}
		if !known[it] {
			ps.Add("items", "unknown-item", it)
			continue
		}
		chosen[it] = true
		order = append(order, it)
	}
	levels, err := cmpLevelsOf(ctx, o.q, []string{id}, nil)
	if err != nil {
		return err
	}
	used := map[string]bool{}
	for _, l := range levels {
		used[l.Item] = true
	}
	for _, it := range current {
		if !chosen[it.ID] && used[it.ID] {
			ps.Add("items", "item-has-levels", it.Label)
		}
	}
	if len(ps) > 0 {
		return ps
	}
	if _, err := o.q.Exec(ctx, `DELETE FROM gr_evaluation_items WHERE evaluation_id = ?`, id); err != nil {
		return err
	}
	for i, it := range order {
		if _, err := o.q.Exec(ctx, `INSERT INTO gr_evaluation_items (evaluation_id, item_id, position) VALUES (?, ?, ?)`, id, it, i); err != nil {
			return err
		}
	}
	before := make([]string, len(current))
	for i, it := range current {
		before[i] = it.ID
	}
	if slices.Equal(before, order) {
		return nil
	}
	return record(ctx, o.q, o.now, change{Establishment: e.Establishment, Subject: "items:" + id, Actor: v.Actor(),
		Before: strings.Join(before, ","), After: strings.Join(order, ",")})
}

// SaveLevels saves a class's levels on an evaluation (EnterMarks on its
// teaching): cells maps student → item → what was typed. Every cell is
// checked first; any problem (named by its student and item: Field
// "STUDENT/ITEM") saves nothing. An empty cell clears the level. Each
// change is written to the history in the same transaction.
func (s *Service) SaveLevels(ctx context.Context, v *access.Viewer, id string, cells map[string]map[string]string) error {
	return s.SaveLevelsSeen(ctx, v, id, cells, nil)
}

// SaveLevelsSeen is SaveLevels for a grid drawn with the stored levels
// shown (student → item → stored value, "" for none), so that two
// teachers of a teaching never silently undo each other: a cell left as
// shown keeps what is stored now, one changed over someone else's change
// since is refused (code "changed-meanwhile", Value the level now).
func (s *Service) SaveLevelsSeen(ctx context.Context, v *access.Viewer, id string, cells, shown map[string]map[string]string) error {
	return s.DB.Tx(ctx, func(tx *db.Tx) error { return cmpOp{q: tx, now: s.now()}.saveLevels(ctx, v, id, cells, shown) })
}

// SaveLevelsIn is SaveLevels in a caller's transaction (the demo), at the
// time given.
func SaveLevelsIn(ctx context.Context, v *access.Viewer, q db.Querier, at time.Time, id string, cells map[string]map[string]string) error {
	return cmpOp{q: q, now: at}.saveLevels(ctx, v, id, cells, nil)
}

func (o cmpOp) saveLevels(ctx context.Context, v *access.Viewer, id string, cells, shown map[string]map[string]string) error {
	e, err := o.evaluation(ctx, v, access.EnterMarks, id)
	if err != nil {
		return err
	}
	if o.q.Dialect() == db.Postgres { // two saves of one grid, one after the other
		if _, err := o.q.Exec(ctx, `SELECT id FROM gr_evaluations WHERE id = ? FOR UPDATE`, id); err != nil {
			return err
		}
	}
	ps, err := o.entryProblems(ctx, e)
	if err != nil || len(ps) > 0 {
		return errors.Join(ps.Err(), err)
	}
	students, err := cmpRoster(ctx, o.q, e.Structure)
	if err != nil {
		return err
	}
	items, err := cmpEvaluationItems(ctx, o.q, id)
	if err != nil {
		return err
	}
	inRoster := map[string]bool{}
	for _, st := range students {
		inRoster[st.ID] = true
	}
	assessed := map[string]bool{}
	for _, it := range items {
		assessed[it.ID] = true
	}
	parsed := map[[2]string]string{}
	// Rows and columns in the grid's order, so that the messages follow it.
	keys := make([][2]string, 0)
	for st, row := range cells {
		for it := range row {
			keys = append(keys, [2]string{st, it})
		}
	}
	rowAt := map[string]int{}
	for i, st := range students {
		rowAt[st.ID] = i
	}
	colAt := map[string]int{}
	for i, it := range items {
		colAt[it.ID] = i
	}
	slices.SortFunc(keys, func(a, b [2]string) int {
		if ra, rb := rowAt[a[0]], rowAt[b[0]]; ra != rb {
			return ra - rb
		}
		if ca, cb := colAt[a[1]], colAt[b[1]]; ca != cb {
			return ca - cb
		}
		return strings.Compare(a[0]+a[1], b[0]+b[1])
	})
	for _, k := range keys {
		typed := cells[k[0]][k[1]]
		field := k[0] + "/" + k[1]
		switch {
		case !inRoster[k[0]]:
			ps.Add(field, "unknown-student", typed)
		case !assessed[k[1]]:
			ps.Add(field, "unknown-item", typed)
		default:
			val, ok := ParseLevel(typed)
			if !ok {
				ps.Add(field, "bad-level", strings.TrimSpace(typed))
				continue
			}
			parsed[k] = val
		}
	}
	if len(ps) > 0 {
		return ps
	}
	stored, err := cmpLevelsOf(ctx, o.q, []string{id}, nil)
	if err != nil {
		return err
	}
	before := map[[2]string]string{}
	for _, l := range stored {
		before[[2]string{l.Student, l.Item}] = l.Value
	}
	// A cell left as the grid showed it keeps what is stored now; one
	// changed over someone else's change is refused.
	for _, k := range keys {
		was, seen := shown[k[0]][k[1]]
		val, now := parsed[k], before[k]
		switch {
		case !seen || now == was:
		case val == was:
			parsed[k] = now
		case val != now:
			shownNow := now
			if shownNow == "" {
				shownNow = "—"
			}
			ps.Add(k[0]+"/"+k[1], "changed-meanwhile", shownNow)
		}
	}
	if len(ps) > 0 {
		return ps
	}
	now := o.now
	tx := o.q
	for _, k := range keys {
		val, old := parsed[k], before[k]
		if val == old {
			continue
		}
		var err error
		switch {
		case val == "":
			_, err = tx.Exec(ctx, `DELETE FROM gr_levels WHERE evaluation_id = ? AND item_id = ? AND student_id = ?`, id, k[1], k[0])
		default:
			var level any
			special := val
			if n, convErr := strconv.Atoi(val); convErr == nil {
				level, special = n, ""
			}
			_, err = tx.Exec(ctx, `INSERT INTO gr_levels (evaluation_id, item_id, student_id, level, special, updated_at, updated_by)
				VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (evaluation_id, item_id, student_id)
				DO UPDATE SET level = excluded.level, special = excluded.special, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
				id, k[1], k[0], level, special, now.Unix(), v.Actor())
		}
		if err != nil {
			return err
		}
		if err := record(ctx, tx, now, change{Establishment: e.Establishment, Student: k[0], Subject: "level:" + id + "/" + k[1],
			Actor: v.Actor(), Before: old, After: val}); err != nil {
			return err
		}
	}
	return nil
}

// ---------------------------------------------------------------- a student's levels

// StudentLevels is a student's competence levels for a period: per
// subject and per component, each computed by the engine with its steps.
type StudentLevels struct {
	Student  StudentRef
	Class    string
	Periods  []Period
	Period   Period
	Mode     averages.LevelMode
	Subjects []SubjectLevels
	// Components: each component's level over every subject's items.
	Components []ComponentLevel
}

// SubjectLevels is a subject's level for the period and the levels it
// comes from.
type SubjectLevels struct {
	Subject     Ref
	Level       averages.LevelResult
	Mark        float64 // the level as a mark /20 (the establishment's table), when MarkOK
	MarkOK      bool
	Assessments []Assessment
}

// Assessment is one level given, as the student's page lists it.
type Assessment struct {
	Evaluation string // title
	HeldOn     string
	Item       string // label
	Component  Component
	Value      string // "1"…"4", "abs", "disp"
}

// ComponentLevel is a component's level for the period.
type ComponentLevel struct {
	Component Component
	Level     averages.LevelResult
}

// cmpStudentClass reads the class of an open year the student is enrolled
// in (the first by code).
func cmpStudentClass(ctx context.Context, q db.Querier, student string) (CycleClass, error) {
	c, err := scanCycleClass(q.QueryRow(ctx, `SELECT `+cycleClassCols+cycleClassFrom+` JOIN enrolments en ON en.class_id = c.id
		WHERE en.student_id = ? AND NOT y.closed ORDER BY y.starts_on DESC, c.code LIMIT 1`, student))
	return c, notFound(err)
}

func cmpStudentRef(ctx context.Context, q db.Querier, id string) (StudentRef, error) {
	r := StudentRef{ID: id}
	err := q.QueryRow(ctx, `SELECT last_name, first_name FROM people WHERE id = ? AND profile = 'student'`, id).Scan(&r.LastName, &r.FirstName)
	return r, notFound(err)
}

// StudentCompetences reads a student's levels for a period ("" : the
// period of today, else the year's first), for those who read the
// student's grades (the student, their relatives, the head teacher, the
// head and deputies). Families see only evaluations published by today.
func (s *Service) StudentCompetences(ctx context.Context, v *access.Viewer, student, period string) (StudentLevels, error) {
	if err := v.Can(ctx, access.ReadGrades, access.Person(student)); err != nil {
		return StudentLevels{}, err
	}
	var out StudentLevels
	var err error
	if out.Student, err = cmpStudentRef(ctx, s.DB, student); err != nil {
		return out, s.cmpMissing(err, access.Person(student))
	}
	class, err := cmpStudentClass(ctx, s.DB, student)
	if err != nil {
		return out, s.cmpMissing(err, access.Person(student))
	}
	out.Class = class.Name
	all, err := periodsOf(ctx, s.DB, class.Establishment)
	if err != nil {
		return out, err
	}
	today := s.today()
	for _, p := range all {
		if p.Year != class.Year {
			continue
		}
		out.Periods = append(out.Periods, p)
		if p.ID == period || (period == "" && p.StartsOn <= today && today <= p.EndsOn) {
			out.Period = p
		}
	}
	if out.Period.ID == "" {
		if period != "" || len(out.Periods) == 0 {
			return out, access.Refuse(access.ReadGrades, access.Resource{Kind: "period", ID: period}, "no such period")
		}
		out.Period = out.Periods[0]
	}
	set, err := settingsOf(ctx, s.DB, class.Establishment)
	if err != nil {
		return out, err
	}
	eng := set.Engine()
	out.Mode = eng.Levels
	evs, err := evaluationsOfStudent(ctx, s.DB, student, out.Period.ID)
	if err != nil {
		return out, err
	}
	levels, items, err := s.studentLevels(ctx, v, student, evs, today)
	if err != nil {
		return out, err
	}
	byEval := map[string]Evaluation{}
	for _, e := range evs {
		byEval[e.ID] = e
	}
	names := map[string]string{}
	subjects, err := cmpSubjects(ctx, s.DB, class.Establishment)
	if err != nil {
		return out, err
	}
	for _, r := range subjects {
		names[r.ID] = r.Name
	}
	bySubject := map[string]*SubjectLevels{}
	var order []string
	perSubject := map[string][]averages.Assessment{}
	perComponent := map[Component][]averages.Assessment{}
	for _, l := range levels {
		e, it := byEval[l.Evaluation], items[l.Item]
		sl := bySubject[e.Subject]
		if sl == nil {
			sl = &SubjectLevels{Subject: Ref{ID: e.Subject, Name: names[e.Subject]}}
			bySubject[e.Subject] = sl
			order = append(order, e.Subject)
		}
		sl.Assessments = append(sl.Assessments, Assessment{Evaluation: e.Title, HeldOn: e.HeldOn, Item: it.Label, Component: it.Component, Value: l.Value})
		a, ok := engineAssessment(l.Value, averages.Ref{Kind: averages.RefItem, ID: it.ID, Label: e.Title + " · " + it.Label})
		if !ok {
			continue // absent: not assessed
		}
		perSubject[e.Subject] = append(perSubject[e.Subject], a)
		perComponent[it.Component] = append(perComponent[it.Component], a)
	}
	slices.SortFunc(order, func(a, b string) int { return strings.Compare(names[a], names[b]) })
	for _, subj := range order {
		sl := bySubject[subj]
		sl.Level = averages.SubjectLevel(perSubject[subj], eng)
		if sl.Level.Assessed {
			sl.Mark, sl.MarkOK = eng.LevelTable.Mark(sl.Level.Level)
		}
		out.Subjects = append(out.Subjects, *sl)
	}
	for _, c := range Components {
		out.Components = append(out.Components, ComponentLevel{Component: c, Level: averages.SubjectLevel(perComponent[c], eng)})
	}
	return out, nil
}

// cmpMissing turns a missing row into a refusal.
func (s *Service) cmpMissing(err error, r access.Resource) error {
	if errors.Is(err, errNotFound) {
		return access.Refuse(access.ReadGrades, r, "not found")
	}
	return err
}

// engineAssessment is a stored level as the engine takes it; an absence
// is no assessment at all.
func engineAssessment(value string, ref averages.Ref) (averages.Assessment, bool) {
	switch value {
	case LevelAbsent, "":
		return averages.Assessment{}, false
	case LevelExempt:
		return averages.Assessment{Ref: ref, Level: averages.Exempt}, true
	}
	n, _ := strconv.Atoi(value)
	return averages.Assessment{Ref: ref, Level: averages.Level(n)}, true
}

// studentLevels reads a student's levels on evaluations (for a family
// viewer, only those published by today) with their items, in the
// evaluations' order.
func (s *Service) studentLevels(ctx context.Context, v *access.Viewer, student string, evs []Evaluation, today string) ([]cmpStoredLevel, map[string]Item, error) {
	var evalIDs []string
	for _, e := range evs {
		if family(v) && e.PublishOn > today {
			continue
		}
		evalIDs = append(evalIDs, e.ID)
	}
	levels, err := cmpLevelsOf(ctx, s.DB, evalIDs, []string{student})
	if err != nil {
		return nil, nil, err
	}
	at := map[string]int{}
	for i, id := range evalIDs {
		at[id] = i
	}
	items := map[string]Item{}
	for _, e := range evalIDs {
		its, err := cmpEvaluationItems(ctx, s.DB, e)
		if err != nil {
			return nil, nil, err
		}
		for i, it := range its {
			items[it.ID] = it
			at[e+"/"+it.ID] = i
		}
	}
	slices.SortStableFunc(levels, func(a, b cmpStoredLevel) int {
		if at[a.Evaluation] != at[b.Evaluation] {
			return at[a.Evaluation] - at[b.Evaluation]
		}
		return at[a.Evaluation+"/"+a.Item] - at[b.Evaluation+"/"+b.Item]
	})
	return levels, items, nil
}

// EvaluationsOfPeriodIn lists an establishment's evaluations of a period,
// oldest first, for those who read its grades (the head, a system viewer:
// the demo gives levels on some of them), in a caller's transaction.
func EvaluationsOfPeriodIn(ctx context.Context, v *access.Viewer, q db.Querier, est, period string) ([]Evaluation, error) {
	if err := v.Can(ctx, access.ReadGrades, access.Establishment(est)); err != nil {
		return nil, err
	}
	return db.All(ctx, q, scanEvaluation, `SELECT `+evaluationCols+` FROM gr_evaluations e WHERE e.establishment_id = ? AND e.period_id = ?
		ORDER BY e.held_on, e.created_at, e.id`, est, period)
}

// RosterIn lists the active students an evaluation concerns (its class or
// group), for those who enter its marks, in a caller's transaction.
func RosterIn(ctx context.Context, v *access.Viewer, q db.Querier, e Evaluation) ([]StudentRef, error) {
	if err := v.Can(ctx, access.EnterMarks, e.Teaching()); err != nil {
		return nil, err
	}
	return cmpRoster(ctx, q, e.Structure)
}
