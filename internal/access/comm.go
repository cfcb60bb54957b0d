package access

// Communication rules: who may write a message to whom. The rules are a
// matrix of cells (sender category → recipient category), each with a
// scope; the defaults are data below, an establishment's head edits cells
// (table comm_rules, migration 0018). Every refusal can be explained with
// the rule in words (WhyWrite). The tables are in docs/messaging.md.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"time"

	"cartable/internal/db"
	"cartable/internal/roles"
)

const (
	// WriteTo: send a message to a person (on a person).
	WriteTo Action = "write-to"
	// ManageCommRules: edit an establishment's communication rules (on an
	// establishment): its head only.
	ManageCommRules Action = "manage-comm-rules"
	// RefuseMessages: choose not to receive new messages from students or
	// families (on oneself): relatives, and staff who are neither teachers
	// nor school life (MayRefuseMessages).
	RefuseMessages Action = "refuse-messages"
)

func commAction(a Action) bool { return a == WriteTo || a == ManageCommRules || a == RefuseMessages }

// CommCategory is what a person is, for the communication rules, in one
// establishment. A person may be several (a teacher who is deputy).
type CommCategory string

const (
	CatStudent    CommCategory = "student"
	CatRelative   CommCategory = "relative"
	CatTeacher    CommCategory = "teacher"
	CatSchoolLife CommCategory = "school-life" // the CPE
	CatDirection  CommCategory = "direction"   // head, deputy
	CatStaff      CommCategory = "staff"       // secretary, documentalist, staff without a function
)

// CommCategories in the order of the matrix.
var CommCategories = []CommCategory{CatStudent, CatRelative, CatTeacher, CatSchoolLife, CatDirection, CatStaff}

// CommScope is what a cell allows.
type CommScope string

const (
	ScopeNone   CommScope = "none"   // nobody of that category
	ScopeLinked CommScope = "linked" // those linked to the sender (the cell says how)
	ScopeAll    CommScope = "all"    // everyone of that category in the establishment
)

// ValidScope tells whether s is a scope.
func ValidScope(s CommScope) bool { return s == ScopeNone || s == ScopeLinked || s == ScopeAll }

// CommRule is one cell of the matrix.
type CommRule struct {
	ID       string // "student>teacher"
	From, To CommCategory
	Default  CommScope
	// The linked relation in words, when the cell has one ("à leurs
	// professeurs, ceux de leurs classes et groupes"); empty: linked means
	// everyone of the category in the establishment.
	LinkedFR, LinkedEN string
}

// What a category is called in sentences.
var catWords = map[CommCategory]struct{ subjFR, datFR, en string }{
	CatStudent:    {"Les élèves", "aux élèves", "students"},
	CatRelative:   {"Les parents", "aux parents", "relatives"},
	CatTeacher:    {"Les professeurs", "aux professeurs", "teachers"},
	CatSchoolLife: {"La vie scolaire (CPE)", "à la vie scolaire (CPE)", "school life (CPE)"},
	CatDirection:  {"La direction (chef d'établissement, adjoint)", "à la direction", "the direction (head, deputy)"},
	CatStaff:      {"Les personnels (secrétariat, documentaliste, autres)", "aux personnels", "staff (secretary, documentalist, others)"},
}

// CommDefaults are the rules shipped: students with their teachers and
// school life; relatives with their children's teachers, school life and
// the direction; staff holding a function with everyone of their
// establishment; teachers with their colleagues and their own students and
// families (need to know: a teacher reads no other student's name);
// neither a student nor a relative with another family.
var CommDefaults = []CommRule{
	{From: CatStudent, To: CatStudent, Default: ScopeNone,
		LinkedFR: "à leurs camarades (mêmes classes ou groupes)", LinkedEN: "their classmates (same classes or groups)"},
	{From: CatStudent, To: CatRelative, Default: ScopeNone,
		LinkedFR: "à leurs propres parents, jamais à ceux d'une autre famille", LinkedEN: "their own relatives, never another family's"},
	{From: CatStudent, To: CatTeacher, Default: ScopeLinked,
		LinkedFR: "à leurs professeurs (de leurs classes et groupes)", LinkedEN: "their teachers (of their classes and groups)"},
	{From: CatStudent, To: CatSchoolLife, Default: ScopeAll},
	{From: CatStudent, To: CatDirection, Default: ScopeNone},
	{From: CatStudent, To: CatStaff, Default: ScopeNone},

	{From: CatRelative, To: CatStudent, Default: ScopeNone,
		LinkedFR: "à leurs propres enfants, jamais à ceux d'une autre famille", LinkedEN: "their own children, never another family's"},
	// Elected parent representatives: migration 0026, designated by the
	// head on the rules page.
	{From: CatRelative, To: CatRelative, Default: ScopeLinked,
		LinkedFR: "aux représentants élus des parents de leurs enfants (de leur classe ou de l'établissement) et, pour un représentant, aux familles des classes qu'il représente ; jamais à une autre famille",
		LinkedEN: "the elected parent representatives of their children (of their class or of the establishment) and, for a representative, the families of the classes represented; never another family"},
	{From: CatRelative, To: CatTeacher, Default: ScopeLinked,
		LinkedFR: "aux professeurs de leurs enfants", LinkedEN: "their children's teachers"},
	{From: CatRelative, To: CatSchoolLife, Default: ScopeAll},
	{From: CatRelative, To: CatDirection, Default: ScopeAll},
	{From: CatRelative, To: CatStaff, Default: ScopeNone},

	{From: CatTeacher, To: CatStudent, Default: ScopeLinked,
		LinkedFR: "aux élèves de leurs classes et groupes", LinkedEN: "the students of their classes and groups"},
	{From: CatTeacher, To: CatRelative, Default: ScopeLinked,
		LinkedFR: "aux responsables légaux (et contacts) de leurs élèves", LinkedEN: "the legal guardians (and contacts) of their students"},
	{From: CatTeacher, To: CatTeacher, Default: ScopeAll},
	{From: CatTeacher, To: CatSchoolLife, Default: ScopeAll},
	{From: CatTeacher, To: CatDirection, Default: ScopeAll},
	{From: CatTeacher, To: CatStaff, Default: ScopeAll},
}

// ruleIndex maps a rule's ID to the rule; filled by init with every cell
// (the function holders write to everyone by default).
var ruleIndex = map[string]*CommRule{}

func init() {
	have := map[[2]CommCategory]bool{}
	for _, r := range CommDefaults {
		have[[2]CommCategory{r.From, r.To}] = true
	}
	for _, from := range []CommCategory{CatSchoolLife, CatDirection, CatStaff} {
		for _, to := range CommCategories {
			if !have[[2]CommCategory{from, to}] {
				CommDefaults = append(CommDefaults, CommRule{From: from, To: to, Default: ScopeAll})
			}
		}
	}
	for i := range CommDefaults {
		r := &CommDefaults[i]
		r.ID = string(r.From) + ">" + string(r.To)
		ruleIndex[r.ID] = r
	}
}

// CommRuleByID returns the rule of a cell, false for an unknown ID.
func CommRuleByID(id string) (CommRule, bool) {
	r, ok := ruleIndex[id]
	if !ok {
		return CommRule{}, false
	}
	return *r, true
}

// Sentence says what the rule allows under scope, in French and English.
func (r CommRule) Sentence(scope CommScope) (fr, en string) {
	f, t := catWords[r.From], catWords[r.To]
	switch {
	case scope == ScopeAll:
		return f.subjFR + " peuvent écrire " + t.datFR + " de l'établissement.",
			capital(f.en) + " may write to " + t.en + " of the establishment."
	case scope == ScopeLinked && r.LinkedFR != "":
		return f.subjFR + " peuvent écrire " + r.LinkedFR + ".",
			capital(f.en) + " may write to " + r.LinkedEN + "."
	case scope == ScopeLinked:
		return f.subjFR + " peuvent écrire " + t.datFR + " de l'établissement.",
			capital(f.en) + " may write to " + t.en + " of the establishment."
	}
	return f.subjFR + " ne peuvent pas écrire " + t.datFR + ".",
		capital(f.en) + " may not write to " + t.en + "."
}

func capital(s string) string {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}

// Fixed rules that no edit changes; their IDs name them in explanations.
var fixedRules = map[string][2]string{
	"same-establishment": {"On n'écrit qu'aux personnes actives d'un établissement où l'on est soi-même inscrit.",
		"One writes only to active people of an establishment one is attached to."},
	"operators": {"Les administrateurs techniques ne participent pas à la messagerie.",
		"Operators take no part in messaging."},
	"self": {"On ne s'écrit pas à soi-même.", "One does not write to oneself."},
}

// Refusal bits of a target (comm_refusals): the person does not accept new
// messages from students, from families.
const (
	refuseStudents uint8 = 1 << iota
	refuseFamilies
)

// declined is the answer when a cell allows but the recipient has chosen
// not to receive messages from the sender's category.
func declined(families bool) Why {
	w := Why{RuleID: "does-not-accept",
		FR: "Cette personne a choisi de ne pas recevoir de nouveaux messages des élèves ; la vie scolaire (CPE) reste joignable.",
		EN: "This person has chosen not to receive new messages from students; school life (CPE) can still be reached."}
	if families {
		w.FR = "Cette personne a choisi de ne pas recevoir de nouveaux messages des familles ; la vie scolaire (CPE) reste joignable."
		w.EN = "This person has chosen not to receive new messages from families; school life (CPE) can still be reached."
	}
	return w
}

// refusalCounts tells whether a target's refusal counts in establishment
// e: a relative's always; a member of staff's unless they are school life
// there; a teacher's never (families and students must reach the teachers
// and school life: the rules' defaults are the legal frame's).
func refusalCounts(t *target, e string) bool {
	switch t.profile {
	case roles.Relative:
		return true
	case roles.Staff:
		return t.fn[e]&fnCPE == 0
	}
	return false
}

// declines tells whether target t (id) declines v's new messages in e: v
// is a student or a relative and t chose so; a student's own relative
// never declines them.
func declines(v *Viewer, s *scope, t *target, id, e string) bool {
	if t.refuse == 0 || !refusalCounts(t, e) {
		return false
	}
	switch v.profile {
	case roles.Student:
		return t.refuse&refuseStudents != 0 && (s == nil || s.family[id]&famMyRelative == 0)
	case roles.Relative:
		return t.refuse&refuseFamilies != 0
	}
	return false
}

// Why is the answer to "may I write to X, and why (not)?".
type Why struct {
	Allowed bool
	RuleID  string // a cell's ID, or a fixed rule's ("same-establishment"…)
	Scope   CommScope
	FR, EN  string
	Edited  bool // the establishment changed this cell
}

// canComm answers the communication actions. Callers hold v.mu.
func (p *Policy) canComm(ctx context.Context, v *Viewer, a Action, r Resource) error {
	switch {
	case a == ManageCommRules && r.Kind == KindEstablishment:
		if v.est[r.ID] && v.fn[r.ID]&fnHead != 0 {
			return nil
		}
		return deny("manage-comm-rules: the head only")
	case a == RefuseMessages && r.Kind == KindPerson:
		if r.ID == v.ID && mayRefuse(v) {
			return nil
		}
		return deny("refuse-messages: oneself, a relative or staff outside school life")
	case a == WriteTo && r.Kind == KindPerson:
		w, err := p.whyWrite(ctx, v, r.ID)
		if err != nil {
			return err
		}
		if w.Allowed {
			return nil
		}
		return deny("write-to: " + w.RuleID)
	}
	return deny(string(a) + " does not apply to a " + string(r.Kind))
}

// WhyWrite tells whether v may write to person id and which rule decides,
// in words. An unknown person gets the same answer as one of another
// establishment.
func (v *Viewer) WhyWrite(ctx context.Context, id string) (Why, error) {
	if v == nil || v.policy == nil || v.system != "" {
		return fixedWhy("same-establishment", false), nil
	}
	v.lock(ctx)
	defer v.mu.Unlock()
	return v.policy.whyWrite(ctx, v, id)
}

// Writable tells which of ids v may write to, in a few queries whatever the
// length of the list; refused and unknown ids are absent.
func (v *Viewer) Writable(ctx context.Context, ids []string) (map[string]bool, error) {
	out := map[string]bool{}
	if v == nil || v.policy == nil || v.system != "" || !v.loaded || len(ids) == 0 {
		return out, nil
	}
	v.lock(ctx)
	defer v.mu.Unlock()
	if err := v.loadTargets(ctx, v.policy.q, ids); err != nil {
		return nil, err
	}
	for _, id := range ids {
		w, err := v.policy.whyWrite(ctx, v, id)
		if err != nil {
			return nil, err
		}
		if w.Allowed {
			out[id] = true
		}
	}
	return out, nil
}

func fixedWhy(id string, allowed bool) Why {
	s := fixedRules[id]
	return Why{Allowed: allowed, RuleID: id, FR: s[0], EN: s[1]}
}

// whyWrite decides write-to on id. Callers hold v.mu.
func (p *Policy) whyWrite(ctx context.Context, v *Viewer, id string) (Why, error) {
	if !v.loaded {
		return fixedWhy("same-establishment", false), nil
	}
	if id == v.ID {
		return fixedWhy("self", false), nil
	}
	if v.profile == roles.Admin {
		return fixedWhy("operators", false), nil
	}
	t, err := v.target(ctx, p.q, id)
	if err != nil {
		return Why{}, err
	}
	if t == nil || !t.active || t.profile == roles.Admin {
		if t != nil && t.profile == roles.Admin && t.active {
			return fixedWhy("operators", false), nil
		}
		return fixedWhy("same-establishment", false), nil
	}
	var shared []string
	for e := range t.est {
		if v.est[e] {
			shared = append(shared, e)
		}
	}
	sort.Strings(shared)
	if len(shared) == 0 {
		return fixedWhy("same-establishment", false), nil
	}
	var s *scope
	if v.profile == roles.Student || v.profile == roles.Relative || v.profile == roles.Teacher {
		if s, err = v.loadedScope(ctx, p.q); err != nil {
			return Why{}, err
		}
	}
	var refusal, declinedBy *Why
	for _, e := range shared {
		rules, err := v.commRulesOf(ctx, p.q, e)
		if err != nil {
			return Why{}, err
		}
		for _, from := range v.commCats(e, v.profile, v.fn[e]) {
			for _, to := range v.commCats(e, t.profile, t.fn[e]) {
				rule := ruleIndex[string(from)+">"+string(to)]
				if rule == nil {
					continue
				}
				scope, edited := rule.Default, false
				if sc, ok := rules[rule.ID]; ok {
					scope, edited = sc, true
				}
				ok := scope == ScopeAll || (scope == ScopeLinked && linked(v, s, from, to, id, e))
				// A relative writes only where an active child of theirs is.
				if v.profile == roles.Relative && (s == nil || !s.childEst[e]) {
					ok = false
				}
				fr, en := rule.Sentence(scope)
				w := Why{Allowed: ok, RuleID: rule.ID, Scope: scope, FR: fr, EN: en, Edited: edited}
				if ok && declines(v, s, t, id, e) {
					// The cell allows, the person does not: theirs is the
					// reason, unless another establishment allows.
					d := declined(v.profile == roles.Relative)
					declinedBy = &d
					continue
				}
				if ok {
					return w, nil
				}
				if refusal == nil {
					refusal = &w
				}
			}
		}
	}
	if declinedBy != nil {
		return *declinedBy, nil
	}
	if refusal == nil {
		return fixedWhy("same-establishment", false), nil
	}
	return *refusal, nil
}

// linked tells whether target id is linked to v as cell from → to means it,
// in establishment e.
func linked(v *Viewer, s *scope, from, to CommCategory, id, e string) bool {
	if s == nil {
		// Function holders and staff have no relations: linked is the
		// whole category in the establishment.
		return from != CatStudent && from != CatRelative && from != CatTeacher
	}
	rel, fam := s.people[id][e], s.family[id]
	switch from {
	case CatStudent:
		switch to {
		case CatStudent:
			return rel&relMate != 0
		case CatRelative:
			return fam&famMyRelative != 0
		case CatTeacher:
			return rel&relMyTeacher != 0
		}
		return true
	case CatRelative:
		switch to {
		case CatStudent:
			return fam&famChild != 0
		case CatRelative:
			// The representatives of the children's classes and schools;
			// for a representative, the families of the classes represented.
			return rel&(relRep|relRepKin) != 0
		case CatTeacher:
			return rel&relMyTeacher != 0
		}
		return true
	case CatTeacher:
		switch to {
		case CatStudent:
			return rel&relTaught != 0
		case CatRelative:
			return rel&relTaughtKin != 0
		}
		return true
	}
	return true
}

// commCats gives the categories of a person of profile with function bits
// fn in establishment e.
func (v *Viewer) commCats(e, profile string, fn uint8) []CommCategory {
	switch profile {
	case roles.Student:
		return []CommCategory{CatStudent}
	case roles.Relative:
		return []CommCategory{CatRelative}
	case roles.Teacher, roles.Staff:
		var out []CommCategory
		if fn&(fnHead|fnDeputy) != 0 {
			out = append(out, CatDirection)
		}
		if fn&fnCPE != 0 {
			out = append(out, CatSchoolLife)
		}
		if profile == roles.Teacher {
			out = append(out, CatTeacher)
		} else if fn&(fnHead|fnDeputy|fnCPE) == 0 || fn&(fnSecretary|fnDocumentalist) != 0 {
			out = append(out, CatStaff)
		}
		return out
	}
	return nil
}

// commRulesOf returns establishment e's edited cells (rule ID → scope):
// from the Facts cache of the directory's version when the request has one
// (an edit bumps the version: migration 0023), else loaded once per viewer.
func (v *Viewer) commRulesOf(ctx context.Context, q db.Querier, e string) (map[string]CommScope, error) {
	if r, ok := v.comm.rules[e]; ok {
		return r, nil
	}
	var r map[string]CommScope
	var ok bool
	if v.shared != nil {
		r, ok = v.shared.commRules(v.sharedVersion, e)
	}
	if !ok {
		var err error
		if r, err = loadCommRules(ctx, q, e); err != nil {
			return nil, err
		}
		if v.shared != nil {
			v.shared.keepCommRules(v.sharedVersion, e, r)
		}
	}
	if v.comm.rules == nil {
		v.comm.rules = map[string]map[string]CommScope{}
	}
	v.comm.rules[e] = r
	return r, nil
}

func loadCommRules(ctx context.Context, q db.Querier, e string) (map[string]CommScope, error) {
	rows, err := q.Query(ctx, `SELECT sender, recipient, scope FROM comm_rules WHERE establishment_id = ?`, e)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]CommScope{}
	for rows.Next() {
		var from, to, scope string
		if err := rows.Scan(&from, &to, &scope); err != nil {
			return nil, err
		}
		id := from + ">" + to
		if ruleIndex[id] != nil && ValidScope(CommScope(scope)) {
			out[id] = CommScope(scope)
		}
	}
	return out, rows.Err()
}

// commFacts is what the communication rules loaded for one viewer (one
// request): establishments' edited cells (targets' functions and refusals
// are in their facts).
type commFacts struct {
	rules map[string]map[string]CommScope // establishment → rule ID → scope
}

// CommCell is a cell as the head's page shows it.
type CommCell struct {
	Rule   CommRule
	Scope  CommScope
	Edited bool
	FR, EN string
}

// CommMatrix returns establishment est's rules, cell by cell in the order
// of CommCategories (senders, then recipients), for its head.
func (v *Viewer) CommMatrix(ctx context.Context, est string) ([]CommCell, error) {
	if err := v.Can(ctx, ManageCommRules, Establishment(est)); err != nil {
		return nil, err
	}
	edits, err := loadCommRules(ctx, v.policy.q, est)
	if err != nil {
		return nil, err
	}
	var out []CommCell
	for _, from := range CommCategories {
		for _, to := range CommCategories {
			r := *ruleIndex[string(from)+">"+string(to)]
			sc, edited := edits[r.ID]
			if !edited {
				sc = r.Default
			}
			fr, en := r.Sentence(sc)
			out = append(out, CommCell{Rule: r, Scope: sc, Edited: edited, FR: fr, EN: en})
		}
	}
	return out, nil
}

// ErrBadRule is an edit naming no cell or no scope.
var ErrBadRule = errors.New("access: unknown communication rule or scope")

// SetCommRule sets cell ruleID of establishment est to scope, as its head;
// the default scope removes the edit. Written through q (the caller's
// transaction or database); the caller audits it.
func (v *Viewer) SetCommRule(ctx context.Context, q db.Querier, est, ruleID string, scope CommScope) error {
	if err := v.Can(ctx, ManageCommRules, Establishment(est)); err != nil {
		return err
	}
	r := ruleIndex[ruleID]
	if r == nil || !ValidScope(scope) {
		return fmt.Errorf("%w: %q %q", ErrBadRule, ruleID, scope)
	}
	if _, err := q.Exec(ctx, `DELETE FROM comm_rules WHERE establishment_id = ? AND sender = ? AND recipient = ?`,
		est, string(r.From), string(r.To)); err != nil {
		return err
	}
	if scope == r.Default {
		return nil
	}
	_, err := q.Exec(ctx, `INSERT INTO comm_rules (establishment_id, sender, recipient, scope, changed_by, changed_at)
		VALUES (?, ?, ?, ?, ?, ?)`, est, string(r.From), string(r.To), string(scope), v.ID, time.Now().Unix())
	return err
}

// mayRefuse: a relative, or a member of staff who is school life nowhere.
// Callers hold v.mu or read only immutable fields.
func mayRefuse(v *Viewer) bool {
	switch v.profile {
	case roles.Relative:
		return true
	case roles.Staff:
		for e := range v.est {
			if v.fn[e]&fnCPE != 0 {
				return false
			}
		}
		return len(v.est) > 0
	}
	return false
}

// MessageRefusal is what a person does not accept: new messages from
// students, from families. Staff, teachers and the direction always reach
// them.
type MessageRefusal struct {
	Students, Families bool
}

// MayRefuseMessages tells whether v may choose a MessageRefusal.
func (v *Viewer) MayRefuseMessages(ctx context.Context) (bool, error) {
	if v == nil || v.system != "" {
		return false, nil
	}
	return v.May(ctx, RefuseMessages, Person(v.ID))
}

// MessageRefusal returns v's own choice.
func (v *Viewer) MessageRefusal(ctx context.Context) (MessageRefusal, error) {
	var r MessageRefusal
	if err := v.Can(ctx, RefuseMessages, Person(v.ID)); err != nil {
		return r, err
	}
	err := v.policy.q.QueryRow(ctx, `SELECT from_students, from_families FROM comm_refusals WHERE person_id = ?`, v.ID).
		Scan(&r.Students, &r.Families)
	if errors.Is(err, sql.ErrNoRows) {
		err = nil
	}
	return r, err
}

// SetMessageRefusal records v's choice through q; accepting everything
// deletes the row. The change bumps the directory's version (migration
// 0023), so every replica applies it at its next request.
func (v *Viewer) SetMessageRefusal(ctx context.Context, q db.Querier, r MessageRefusal) error {
	if err := v.Can(ctx, RefuseMessages, Person(v.ID)); err != nil {
		return err
	}
	if !r.Students && !r.Families {
		_, err := q.Exec(ctx, `DELETE FROM comm_refusals WHERE person_id = ?`, v.ID)
		return err
	}
	_, err := q.Exec(ctx, `INSERT INTO comm_refusals (person_id, from_students, from_families, changed_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (person_id) DO UPDATE SET from_students = excluded.from_students, from_families = excluded.from_families,
		changed_at = excluded.changed_at`, v.ID, r.Students, r.Families, time.Now().Unix())
	return err
}
