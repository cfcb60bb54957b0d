package provisioning

import (
	"sort"

	"cartable/internal/directory"
)

// Scope is what an import would change, as far as the rights to run it
// are concerned. The caller (Options.Authorize) decides from it; the
// package decides nothing about who may import.
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
	Named []string
	// Creates tells that the delivery brings new establishments in.
	Creates bool
	// Establishments lists every existing establishment where something
	// changes: those of the people changed themselves and those where a
	// relation changes. Sorted, without duplicates.
	Establishments []string
	// Unattached tells that the import changes an existing person attached
	// to no establishment (nobody's but the instance's).
	Unattached bool
	// Operators tells that the import changes an operator's account.
	Operators bool
	// People counts the existing people changed themselves.
	People int
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
		if c.profile == directory.Admin {
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
