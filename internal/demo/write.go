package demo

import (
	"context"
	"fmt"
	"slices"
	"sort"

	"cartable/internal/access"
	"cartable/internal/db"
	"cartable/internal/directory"
)

// write inserts the planned demo, parents before children (foreign keys).
// Every row goes through the directory package's Create functions, one
// INSERT each, inside the caller's transaction.
func (g *gen) write(ctx context.Context, v *access.Viewer, q db.Querier, hash string) error {
	fail := func(what string, err error) error { return fmt.Errorf("demo: write %s: %w", what, err) }
	for _, e := range g.estabs {
		if err := directory.CreateEstablishment(ctx, v, q, &e.Establishment); err != nil {
			return fail("establishment "+e.UAI, err)
		}
		if err := directory.CreateSchoolYear(ctx, v, q, &e.year); err != nil {
			return fail("school year", err)
		}
		for i := range e.periods {
			if err := directory.CreatePeriod(ctx, v, q, &e.periods[i]); err != nil {
				return fail("period", err)
			}
		}
		for i := range e.holidays {
			if err := directory.CreateHoliday(ctx, v, q, &e.holidays[i]); err != nil {
				return fail("holiday", err)
			}
		}
		for _, s := range e.subjects {
			if err := directory.CreateSubject(ctx, v, q, s); err != nil {
				return fail("subject "+s.Code, err)
			}
		}
		for _, c := range e.classes {
			if err := directory.CreateClass(ctx, v, q, &c.Class); err != nil {
				return fail("class "+c.Code, err)
			}
		}
		for _, gr := range e.groups {
			if err := directory.CreateGroup(ctx, v, q, &gr.Group); err != nil {
				return fail("group "+gr.Code, err)
			}
		}
	}
	for _, p := range g.people {
		if err := directory.CreatePerson(ctx, v, q, &p.Person, hash); err != nil {
			return fail("person "+p.Login, err)
		}
		for _, e := range p.estabs {
			if err := directory.AddMembership(ctx, v, q, p.ID, e.ID); err != nil {
				return fail("membership", err)
			}
		}
		for _, f := range p.functions {
			if err := directory.AddFunction(ctx, v, q, p.ID, p.estabs[0].ID, f); err != nil {
				return fail("function", err)
			}
		}
	}
	for _, e := range g.estabs {
		for _, c := range e.classes {
			for _, s := range c.students {
				if err := directory.Enrol(ctx, v, q, s.ID, c.ID); err != nil {
					return fail("enrolment", err)
				}
			}
		}
		for _, gr := range e.groups {
			for _, s := range gr.students {
				if err := directory.AddGroupMember(ctx, v, q, s.ID, gr.ID); err != nil {
					return fail("group member", err)
				}
			}
		}
	}
	for _, l := range g.links {
		if err := directory.Link(ctx, v, q, l); err != nil {
			return fail("family link", err)
		}
	}
	for i := range g.assigns {
		if err := directory.CreateAssignment(ctx, v, q, &g.assigns[i]); err != nil {
			return fail("teaching assignment", err)
		}
	}
	for _, h := range g.heads {
		if err := directory.AddHeadTeacher(ctx, v, q, h[0], h[1]); err != nil {
			return fail("head teacher", err)
		}
	}
	return nil
}

func (g *gen) accounts(password string) []Account {
	logins := func(ps []*person) []string {
		var out []string
		for _, p := range ps {
			out = append(out, p.Login)
		}
		sort.Strings(out)
		return out
	}
	out := make([]Account, 0, len(g.people))
	for _, p := range g.people {
		a := Account{
			Login:     p.Login,
			Password:  password,
			Profile:   p.Profile,
			Functions: slices.Clone(p.functions),
			Name:      p.DisplayName(),
			Children:  logins(p.children),
			Relatives: logins(p.relatives),
		}
		for _, e := range p.estabs {
			a.Establishments = append(a.Establishments, e.UAI)
		}
		sort.Strings(a.Establishments)
		if len(a.Establishments) > 0 {
			a.Establishment = a.Establishments[0]
		}
		if p.class != nil {
			a.Classes = []string{p.class.Code}
		}
		out = append(out, a)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Login < out[j].Login })
	return out
}
