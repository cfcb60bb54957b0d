package access

import (
	"context"

	"cartable/internal/db"
	"cartable/internal/roles"
)

// The rules of the package documentation, in code. Each function answers
// for one kind of target; none grants anything across the establishment
// wall. Callers hold v.mu.

// canPerson decides a on person id (not the viewer) with facts t.
func (v *Viewer) canPerson(ctx context.Context, q db.Querier, a Action, id string, t *target) (bool, error) {
	// Establishments shared by the viewer and the target: the only places
	// where a right may come from.
	var shared []string
	for e := range t.est {
		if v.est[e] {
			shared = append(shared, e)
		}
	}
	if len(shared) == 0 {
		return false, nil
	}

	// Rights that come with the viewer's position in an establishment.
	for _, e := range shared {
		fn := v.fn[e]
		if fn&fnAll != 0 {
			return true, nil // head, deputy, secretary: everyone, deactivated too
		}
		if v.profile == roles.Admin && a != ReadContact {
			return true, nil // operators: no family contact details (doc, note 4)
		}
		if !t.active {
			continue // deactivated: no one else
		}
		if fn&fnCPE != 0 {
			if t.profile == roles.Student || t.profile == roles.Relative {
				return true, nil
			}
			if t.staff() && a == ReadName {
				return true, nil
			}
		}
		if a != ReadName {
			continue // the remaining positional rules give names only
		}
		switch {
		case fn&fnDocumentalist != 0 && (t.staff() || t.profile == roles.Student):
			return true, nil
		case (v.profile == roles.Teacher || v.profile == roles.Staff) && t.staff():
			return true, nil
		case v.profile == roles.Student && t.functionIn(e):
			return true, nil // staff holding a function in the student's school
		}
	}
	if !t.active {
		return false, nil
	}

	// Rights that come from relations: classes, groups, families.
	if v.profile != roles.Student && v.profile != roles.Relative && v.profile != roles.Teacher {
		return false, nil
	}
	s, err := v.loadedScope(ctx, q)
	if err != nil {
		return false, err
	}
	var rel uint8 // relations held in a shared establishment
	for _, e := range shared {
		rel |= s.people[id][e]
	}
	fam := s.family[id]
	switch v.profile {
	case roles.Student:
		return a == ReadName && (rel&(relMate|relMyTeacher) != 0 || fam&famMyRelative != 0), nil
	case roles.Relative:
		if fam&famChild != 0 {
			if a == ReadName || a == ReadRecord || fam&famChildGuardian != 0 {
				return true, nil // contact: legal guardians only (doc, note 1)
			}
		}
		if a != ReadName {
			return false, nil
		}
		if rel&relMyTeacher != 0 {
			return true, nil
		}
		for _, e := range shared {
			if t.functionIn(e) && s.childEst[e] {
				return true, nil // staff holding a function in a child's school
			}
		}
	case roles.Teacher:
		if rel&relTaught != 0 && (a == ReadName || a == ReadRecord) {
			return true, nil
		}
		if rel&relTaughtKin != 0 && (a == ReadName || a == ReadContact) {
			return true, nil
		}
	}
	return false, nil
}

// canStructure decides a (read-class or read-roster) on a class or group of
// establishment est.
func (v *Viewer) canStructure(ctx context.Context, q db.Querier, a Action, r Resource, est string) (bool, error) {
	if !v.est[est] {
		return false, nil
	}
	fn := v.fn[est]
	switch {
	case v.profile == roles.Admin, fn&(fnAll|fnCPE) != 0:
		return true, nil
	case fn&fnDocumentalist != 0 && r.Kind == KindClass:
		return true, nil // class lists for library loans (doc, note 6)
	case v.profile == roles.Teacher && r.Kind == KindClass && a == ReadClass:
		return true, nil // every class page of their school
	}
	if v.profile != roles.Student && v.profile != roles.Relative && v.profile != roles.Teacher {
		return false, nil
	}
	s, err := v.loadedScope(ctx, q)
	if err != nil {
		return false, err
	}
	rel := s.structures[r]
	switch v.profile {
	case roles.Student:
		return rel&structMine != 0, nil
	case roles.Relative:
		return rel&structChild != 0 && a == ReadClass, nil
	default: // teacher
		return rel&structTaught != 0, nil
	}
}

// canEstablishment decides read-establishment on establishment id.
func (v *Viewer) canEstablishment(id string) bool {
	if !v.est[id] {
		return false
	}
	return v.profile == roles.Admin || v.fn[id]&(fnAll|fnCPE) != 0
}

// canSearch decides search-people on establishment id: its teachers, staff
// and administrators; never students nor relatives (doc, note 11).
func (v *Viewer) canSearch(id string) bool {
	if !v.est[id] {
		return false
	}
	return v.profile == roles.Teacher || v.profile == roles.Staff || v.profile == roles.Admin
}
