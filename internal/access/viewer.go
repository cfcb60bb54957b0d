package access

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"

	"cartable/internal/db"
	"cartable/internal/roles"
)

// Viewer is the signed-in person with what the policy needs, loaded once per
// request by Policy.Viewer. What the policy learns while answering (the
// viewer's scope, the targets looked at) is cached on it, so a page asking
// many questions costs few queries. A Viewer belongs to one request; it is
// safe for concurrent use but must not outlive the request (it would keep
// answering from stale facts).
type Viewer struct {
	ID             string
	Profile        string
	Establishments []string            // establishment IDs attached to
	Functions      map[string][]string // establishment ID → staff functions (attached establishments only; they confer rights to staff and teacher profiles only)

	// The decisions use these private copies, so a caller changing the
	// exported fields cannot widen its own rights.
	loaded  bool
	profile string
	est     map[string]bool  // attached establishments
	fn      map[string]uint8 // establishment → function bits (staff and teacher profiles only)

	policy *Policy // asked by Can and Visible
	system string  // the purpose of a system viewer; empty for a person

	mu         sync.Mutex
	scope      *scope
	people     map[string]*target // nil value: no such person
	structures map[Resource]structure
	entries    map[string]entryFacts  // class log entries read by VisibleEntries in this request
	accounts   map[string]*account    // account administration facts (accounts.go)
	grading    *grading               // a teacher's teachings (grades.go)
	keep       func(*scope, *grading) // hands what was loaded to the Facts cache (ViewerAt); nil without one
	// shared is the Facts cache of ViewerAt and the directory version the
	// request read: targets are shared there between requests.
	shared        *Facts
	sharedVersion int64
	strong        atomic.Bool // the session passed a second factor (grades.go)
	comm          commFacts   // communication rules' facts (comm.go)
}

// Function bits.
const (
	fnHead uint8 = 1 << iota
	fnDeputy
	fnSecretary
	fnCPE
	fnDocumentalist

	fnAll = fnHead | fnDeputy | fnSecretary // "everything" in their establishment
)

var functionBits = map[string]uint8{
	roles.Head: fnHead, roles.Deputy: fnDeputy, roles.Secretary: fnSecretary,
	roles.CPE: fnCPE, roles.Documentalist: fnDocumentalist,
}

// Viewer loads the person's profile, establishments and functions in one
// query. A deactivated or unknown person gives ErrInactive.
func (p *Policy) Viewer(ctx context.Context, personID string) (*Viewer, error) {
	f, err := loadViewer(ctx, p.q, personID)
	if err != nil {
		return nil, err
	}
	return p.viewerOf(personID, f)
}

// viewerOf builds the viewer of a person from their facts (nil: unknown).
func (p *Policy) viewerOf(personID string, f *viewerFacts) (*Viewer, error) {
	if f == nil || !f.active {
		return nil, ErrInactive
	}
	v := &Viewer{ID: personID, Profile: f.profile, Functions: map[string][]string{},
		loaded: true, policy: p, profile: f.profile, est: map[string]bool{}, fn: map[string]uint8{}}
	functionsCount := f.profile == roles.Staff || f.profile == roles.Teacher
	for _, m := range f.memberships {
		v.Establishments = append(v.Establishments, m.establishment)
		v.est[m.establishment] = true
		if len(m.functions) > 0 {
			v.Functions[m.establishment] = m.functions
		}
		if functionsCount {
			for _, fn := range m.functions {
				v.fn[m.establishment] |= functionBits[fn]
			}
		}
	}
	return v, nil
}

// target is what the policy knows of a person looked at.
type target struct {
	profile string
	active  bool
	est     map[string]bool  // attached establishment → holds a staff function there
	fn      map[string]uint8 // attached establishment → function bits held there (any profile)
	refuse  uint8            // messages refused: refuseStudents, refuseFamilies (comm.go)
}

// staff tells whether the target is a colleague: a teacher or a member of
// staff.
func (t *target) staff() bool {
	return t.profile == roles.Teacher || t.profile == roles.Staff
}

// functionIn tells whether the target holds a staff function in e (which
// counts for staff and teacher profiles only, as for viewers).
func (t *target) functionIn(e string) bool { return t.staff() && t.est[e] }

// target returns the cached facts of a person, loading them if needed; nil
// when there is no such person. Callers hold v.mu.
// lock takes the viewer's lock for a decision that may read. The parts of
// a page run together (db.Together) and a part holding the lock may be
// waiting on a read that is sent only once the others wait too: a part
// that waits for the lock says so.
func (v *Viewer) lock(ctx context.Context) {
	if v.mu.TryLock() {
		return
	}
	defer db.Waiting(ctx)()
	v.mu.Lock()
}

func (v *Viewer) target(ctx context.Context, q db.Querier, id string) (*target, error) {
	if t, ok := v.people[id]; ok {
		return t, nil
	}
	if err := v.loadTargets(ctx, q, []string{id}); err != nil {
		return nil, err
	}
	return v.people[id], nil
}

// loadTargets fetches in bulk the targets not cached yet.
func (v *Viewer) loadTargets(ctx context.Context, q db.Querier, ids []string) error {
	if v.people == nil {
		v.people = map[string]*target{}
	}
	var missing []string
	seen := map[string]bool{}
	for _, id := range ids {
		if _, ok := v.people[id]; !ok && !seen[id] && id != v.ID {
			seen[id] = true
			missing = append(missing, id)
		}
	}
	if v.shared != nil {
		missing = v.shared.targets(v.sharedVersion, missing, v.people)
	}
	found, err := loadTargets(ctx, q, missing)
	if err != nil {
		return err
	}
	if v.shared != nil {
		v.shared.keepTargets(v.sharedVersion, missing, found)
	}
	for _, id := range missing {
		v.people[id] = found[id] // nil when unknown: remembered too
	}
	return nil
}

type structure struct {
	establishment string
	found         bool
}

// structure returns the establishment of a class or group. Callers hold v.mu.
func (v *Viewer) structure(ctx context.Context, q db.Querier, r Resource) (string, bool, error) {
	if s, ok := v.structures[r]; ok {
		return s.establishment, s.found, nil
	}
	est, found, err := loadStructure(ctx, q, r.Kind, r.ID)
	if err != nil {
		return "", false, err
	}
	if v.structures == nil {
		v.structures = map[Resource]structure{}
	}
	v.structures[r] = structure{est, found}
	return est, found, nil
}

// scope is what the viewer reaches through relations, per profile: loaded
// once, on first need, in one query.
type scope struct {
	// person → establishment of the relation → relation bits
	people map[string]map[string]uint8
	// family links, which belong to no establishment: person → bits
	family map[string]uint8
	// class or group → relation bits (its establishment is checked apart)
	structures map[Resource]uint8
	// establishments of the viewer's active children (relatives only)
	childEst map[string]bool
}

// Relation bits in scope.people.
const (
	relMate      uint8 = 1 << iota // student: shares an open class or group
	relMyTeacher                   // student, relative: teaches or heads (the child's) class or group
	relTaught                      // teacher: student of a class or group taught or headed
	relTaughtKin                   // teacher: guardian or contact relative of such a student
	relRep                         // relative: elected representative of a child's class or school
	relRepKin                      // relative: family of a class the viewer represents
)

// Relation bits in scope.family.
const (
	famChild         uint8 = 1 << iota // relative: active linked child
	famChildGuardian                   // … of whom the viewer is legal guardian
	famMyRelative                      // student: linked relative
)

// Relation bits in scope.structures.
const (
	structMine   uint8 = 1 << iota // student: own class or group
	structChild                    // relative: a child's class or group
	structTaught                   // teacher: taught or headed
)

// loadedScope returns the viewer's scope, loading it on first use. Callers
// hold v.mu.
func (v *Viewer) loadedScope(ctx context.Context, q db.Querier) (*scope, error) {
	if v.scope != nil {
		return v.scope, nil
	}
	s, err := loadScope(ctx, q, v.ID, v.profile)
	if err != nil {
		return nil, err
	}
	v.scope = s
	if v.keep != nil {
		v.keep(s, nil)
	}
	return s, nil
}

// Can asks the policy whether v may do a on r: nil when it may, a *Denied
// (errors.Is(err, ErrDenied)) when it may not, another error when the
// database fails. Domain services call it before they read or change
// anything; a viewer that was not loaded by Policy.Viewer is refused.
func (v *Viewer) Can(ctx context.Context, a Action, r Resource) error {
	if v != nil && v.system != "" {
		return nil
	}
	if v == nil || v.policy == nil {
		return &Denied{Action: a, Resource: r, Reason: "no signed-in viewer"}
	}
	return v.policy.Can(ctx, v, a, r)
}

// May is Can for the optional parts of a view: whether to show a section
// or offer an action. A refusal is a false, not an error.
func (v *Viewer) May(ctx context.Context, a Action, r Resource) (bool, error) {
	err := v.Can(ctx, a, r)
	if errors.Is(err, ErrDenied) {
		return false, nil
	}
	return err == nil, err
}

// Visible tells which of ids v may do a on (see Policy.VisiblePeople).
func (v *Viewer) Visible(ctx context.Context, a Action, ids []string) (map[string]bool, error) {
	if v != nil && v.system != "" {
		out := make(map[string]bool, len(ids))
		for _, id := range ids {
			out[id] = true
		}
		return out, nil
	}
	if v == nil || v.policy == nil {
		return map[string]bool{}, nil
	}
	return v.policy.VisiblePeople(ctx, v, a, ids)
}

// System is the viewer of background work that acts for the instance, not
// for a person: command-line imports, the purge, the demo generator, the
// sign-in steps before anyone is known. It may do everything, so it is
// never built from a request: a test refuses it in the web packages.
// purpose names the work in audit events ("system:purge").
func System(purpose string) *Viewer {
	if purpose == "" {
		purpose = "unnamed"
	}
	return &Viewer{system: purpose, loaded: true}
}

// IsSystem tells whether v is a system viewer.
func (v *Viewer) IsSystem() bool { return v != nil && v.system != "" }

// Actor names v in audit events: the person's ID, or "system:<purpose>".
func (v *Viewer) Actor() string {
	if v == nil {
		return ""
	}
	if v.system != "" {
		return "system:" + v.system
	}
	return v.ID
}
