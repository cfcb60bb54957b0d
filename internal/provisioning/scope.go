package provisioning

import (
	"context"
	"sort"

	"cartable/internal/access"
	"cartable/internal/roles"
)

// Scope is what an import would change, as far as the rights to run it
// are concerned: Import decides from it (authorize) who may run it.
//
// Two kinds of change are told apart:
//
//   - a change of a person themself — their fields (names, e-mail,
//     address…), their profile, their activity (deactivated, reactivated),
//     their family links (stated from the student's side), or their
//     attachment to one more establishment — concerns every establishment
//     the person is attached to: whoever makes it must be allowed on all
//     of them, so that a delivery for one school cannot rewrite, close or
//     pull in someone another school answers for;
//   - a change of a relation within an establishment (a membership or an
//     orphan tie removed, a function, an enrolment, a group, a teaching
//     assignment, a head teacher) concerns that establishment only.
type Scope struct {
	// Named lists the existing establishments the delivery describes or
	// its people refer to.
	Named []string `json:"named,omitempty"`
	// Creates tells that the delivery brings new establishments in.
	Creates bool `json:"creates,omitempty"`
	// Establishments lists every existing establishment where something
	// changes: those of the people changed themselves and those where a
	// relation changes. Sorted, without duplicates.
	Establishments []string `json:"establishments,omitempty"`
	// Unattached tells that the import changes an existing person attached
	// to no establishment (nobody's but the instance's).
	Unattached bool `json:"unattached,omitempty"`
	// Operators tells that the import changes an operator's account.
	Operators bool `json:"operators,omitempty"`
	// People counts the existing people changed themselves.
	People int `json:"people,omitempty"`
}

// scope works out the plan's Scope once every change is known.
func (pl *planner) scope() error {
	p, st := pl.p, pl.st
	sc := Scope{Named: append([]string(nil), p.touched...), Creates: p.creates}
	ests := map[string]bool{}
	rel := func(e string) {
		if e == "" {
			// A relation whose establishment is not known: only the
			// instance's right covers it.
			sc.Unattached = true
			return
		}
		ests[e] = true
	}
	fresh := map[string]bool{}
	for _, w := range p.newPeople {
		fresh[w.id] = true
	}
	seen := map[string]bool{}
	person := func(id string) {
		if fresh[id] || seen[id] {
			return
		}
		seen[id] = true
		sc.People++
		c := st.byID[id]
		if c == nil {
			sc.Unattached = true
			return
		}
		if c.profile == roles.Admin {
			sc.Operators = true
		}
		n := 0
		for _, e := range c.ests {
			ests[e] = true
			n++
		}
		for _, e := range st.orphans[id] {
			ests[e] = true
			n++
		}
		if n == 0 {
			sc.Unattached = true
		}
	}

	// Where classes and groups are: those of the delivered establishments,
	// and those of the relations read from the directory.
	classEst, groupEst := map[string]string{}, map[string]string{}
	for _, e := range pl.order {
		for _, c := range e.classes {
			classEst[c.id] = e.id
		}
		for _, g := range e.groups {
			groupEst[g.id] = e.id
		}
	}
	for _, list := range st.enrol {
		for _, x := range list {
			classEst[x.a] = x.b
		}
	}
	for _, list := range st.heads {
		for _, x := range list {
			classEst[x.a] = x.b
		}
	}
	for _, list := range st.gmember {
		for _, x := range list {
			groupEst[x.a] = x.b
		}
	}
	assignEst := map[string]string{}
	for _, list := range st.assigns {
		for _, a := range list {
			assignEst[a.id] = a.est
		}
	}

	// Changes of people themselves.
	for _, w := range p.updPeople {
		person(w.id)
	}
	for _, list := range [][]string{p.deactivate, p.reactivate} {
		for _, id := range list {
			person(id)
		}
	}
	for _, m := range p.addMember {
		person(m[0]) // one more establishment: their current ones must agree
		rel(m[1])
	}
	for _, l := range p.addLinks {
		person(l.StudentID)
	}
	for _, l := range p.updLinks {
		person(l.StudentID)
	}
	for _, l := range p.delLinks {
		person(l[0])
	}

	// Changes of relations within one establishment.
	for _, list := range [][][2]string{p.delMember, p.addOrphan, p.delOrphan} {
		for _, m := range list {
			rel(m[1])
		}
	}
	for _, list := range [][][3]string{p.addFn, p.delFn} {
		for _, f := range list {
			rel(f[1])
		}
	}
	for _, list := range [][][2]string{p.addEnrol, p.delEnrol} {
		for _, x := range list {
			rel(classEst[x[1]])
		}
	}
	for _, list := range [][][2]string{p.addGM, p.delGM} {
		for _, x := range list {
			rel(groupEst[x[1]])
		}
	}
	for _, list := range [][][2]string{p.addGC, p.delGC} {
		for _, x := range list {
			rel(groupEst[x[0]])
		}
	}
	for _, list := range [][][2]string{p.addHeads, p.delHeads} {
		for _, x := range list {
			rel(classEst[x[0]])
		}
	}
	for _, a := range p.addAssign {
		rel(a.EstablishmentID)
	}
	for _, id := range p.delAssign {
		rel(assignEst[id])
	}

	// New establishments are covered by Creates; the rest is listed.
	isNew := map[string]bool{}
	for _, e := range p.newEsts {
		isNew[e.id] = true
	}
	for e := range ests {
		if !isNew[e] {
			sc.Establishments = append(sc.Establishments, e)
		}
	}
	sort.Strings(sc.Establishments)
	p.scope = sc
	return nil
}

// ImportRefusal is an import beyond its viewer's rights: nothing was
// applied. It is a refusal (errors.Is(err, access.ErrDenied)). What it
// tells is for the person who ran it and names only what the delivery
// itself names: never where someone else's people are.
type ImportRefusal struct {
	// UAIs lists the establishments the delivery names that the viewer
	// may not provision, and the new ones when they may not bring
	// establishments in.
	UAIs []string
	// Others tells that the delivery changes people or relations the
	// viewer does not answer for (not detailed).
	Others bool
}

const refusedImport = "the delivery reaches beyond the viewer's rights"

func (f *ImportRefusal) Error() string { return "provisioning: " + refusedImport }

// Unwrap gives the refusal as the policy words it, on the instance.
func (f *ImportRefusal) Unwrap() error {
	return access.Refuse(access.Provision, access.Instance(), refusedImport)
}

// authorize is the rule of every import, checked on the changes as they
// will be applied (Scope): the provision right on every establishment the
// delivery names and on every establishment where it changes something —
// each establishment of each person it changes themselves (fields,
// profile, activity, family links, one more attachment) and each
// establishment where a relation changes — and the instance's (the
// operator's) right to bring new establishments in, to change someone
// attached nowhere or to change an operator's account. sum names the
// establishments for the refusal.
func authorize(ctx context.Context, v *access.Viewer, sc Scope, sum *Summary) error {
	if v.IsSystem() {
		return nil
	}
	may := func(r access.Resource) (bool, error) { return v.May(ctx, access.Provision, r) }
	named, refused := map[string]bool{}, map[string]bool{}
	for _, id := range sc.Named {
		named[id] = true
		ok, err := may(access.Establishment(id))
		if err != nil {
			return err
		}
		refused[id] = !ok
	}
	f := &ImportRefusal{}
	for _, id := range sc.Establishments {
		if named[id] {
			continue
		}
		ok, err := may(access.Establishment(id))
		if err != nil {
			return err
		}
		f.Others = f.Others || !ok
	}
	creates := false
	if sc.Creates || sc.Unattached || sc.Operators {
		ok, err := may(access.Instance())
		if err != nil {
			return err
		}
		if !ok {
			creates = sc.Creates
			f.Others = f.Others || sc.Unattached || sc.Operators
		}
	}
	namesRefused := false
	for _, r := range refused {
		namesRefused = namesRefused || r
	}
	if !namesRefused && !creates && !f.Others {
		return nil
	}
	if sum != nil {
		for _, e := range sum.Establishments {
			if refused[e.ID] || e.New && creates {
				f.UAIs = append(f.UAIs, e.UAI)
			}
		}
	}
	return f
}
