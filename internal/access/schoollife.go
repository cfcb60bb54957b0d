package access

// Rules for school life (vie scolaire): registers, absences and lateness,
// justifications, punishments and sanctions, incidents, correspondence
// notes. The tables are in doc.go ("School life").

import (
	"context"
	"errors"
	"strings"

	"cartable/internal/db"
	"cartable/internal/roles"
)

const (
	// ReadSchoolLife: a student's attendance, lateness, punishments,
	// incidents they are part of and correspondence notes (on a person);
	// a class's or group's attendance (on a structure); the whole
	// establishment's day and counts (on an establishment).
	ReadSchoolLife Action = "read-school-life"
	// ManageSchoolLife: record absences over time, exemptions, review
	// justifications, fix counts, configure reasons, thresholds and the
	// counting unit (on a person or an establishment).
	ManageSchoolLife Action = "manage-school-life"
	// ReadConfidential: the reason of an absence marked confidential
	// (health…); others see "motif confidentiel".
	ReadConfidential Action = "read-confidential"
	// TakeRegister: the roll call of one lesson occurrence.
	TakeRegister Action = "take-register"
	// Justify: a legal guardian states why their child was away.
	Justify Action = "justify"
	// GivePunishment: give a student a punishment (punition scolaire).
	GivePunishment Action = "give-punishment"
	// ReadSanctions: a student's disciplinary sanctions.
	ReadSanctions Action = "read-sanctions"
	// DecideSanction: pronounce one of the six sanctions of R511-13, revoke
	// a suspension, record the disciplinary board's decision.
	DecideSanction Action = "decide-sanction"
	// WriteNote: write a correspondence note to a student's guardians.
	WriteNote Action = "write-note"
	// SignNote: acknowledge (and answer) a note about one's child.
	SignNote Action = "sign-note"
	// ReadSchoolLifeHistory: who changed which absence or sanction, when,
	// before and after (on an establishment).
	ReadSchoolLifeHistory Action = "read-school-life-history"
)

func schoolLifeAction(a Action) bool {
	switch a {
	case ReadSchoolLife, ManageSchoolLife, ReadConfidential, TakeRegister, Justify, GivePunishment,
		ReadSanctions, DecideSanction, WriteNote, SignNote, ReadSchoolLifeHistory:
		return true
	}
	return false
}

// canSchoolLife answers the school-life actions. Callers hold v.mu.
func (p *Policy) canSchoolLife(ctx context.Context, v *Viewer, a Action, r Resource) error {
	ok, err := p.schoolLife(ctx, v, a, r)
	if err != nil || ok {
		return err
	}
	return deny(string(a) + " on " + string(r.Kind) + ": no rule grants it")
}

// Who runs school life in an establishment: the CPE, the head and the
// deputy. The secretary, who reads everyone's directory record, does not
// read their absences and punishments (need to know).
const fnSchoolLife = fnHead | fnDeputy | fnCPE

func (p *Policy) schoolLife(ctx context.Context, v *Viewer, a Action, r Resource) (bool, error) {
	switch r.Kind {
	case KindEstablishment:
		if !v.est[r.ID] {
			return false, nil
		}
		fn := v.fn[r.ID]
		switch a {
		case ReadSchoolLife, ManageSchoolLife:
			return fn&fnSchoolLife != 0, nil
		case ReadSchoolLifeHistory:
			return fn&(fnHead|fnCPE) != 0, nil
		}
		return false, nil
	case KindClass, KindGroup:
		if a != ReadSchoolLife {
			return false, nil
		}
		if v.profile != roles.Teacher && v.profile != roles.Staff {
			return false, nil
		}
		return p.onStructure(ctx, v, r, fnSchoolLife, structTaught)
	case KindOccurrence:
		if a != TakeRegister {
			return false, nil
		}
		slot, date, ok := strings.Cut(r.ID, "/")
		if !ok {
			return false, nil
		}
		if occurrences == nil {
			return false, errors.New("access: no reader of lesson occurrences registered (the timetable package registers it)")
		}
		o, err := occurrences(ctx, p.q, slot, date)
		if err != nil || o == nil || !v.est[o.Establishment] {
			return false, err
		}
		// The lesson's teachers and its replacement that day; the CPE and
		// direction complete a register a teacher forgot.
		return writes(v, o) || v.fn[o.Establishment]&fnSchoolLife != 0, nil
	case KindPerson:
		t, err := v.target(ctx, p.q, r.ID)
		if err != nil || (t == nil && r.ID != v.ID) {
			return false, err
		}
		return v.schoolLifeOn(ctx, p.q, a, r.ID, t)
	}
	return false, nil
}

// schoolLifeOn decides a on the student id (t its facts, nil for oneself).
func (v *Viewer) schoolLifeOn(ctx context.Context, q db.Querier, a Action, id string, t *target) (bool, error) {
	if id == v.ID {
		// A student reads their own record, sanctions and confidential
		// reasons included; nobody acts on themself.
		return v.profile == roles.Student && (a == ReadSchoolLife || a == ReadSanctions || a == ReadConfidential), nil
	}
	if t == nil || !t.active || t.profile != roles.Student {
		return false, nil
	}
	for e := range t.est {
		if !v.est[e] {
			continue
		}
		fn := v.fn[e]
		if fn&fnSchoolLife != 0 {
			switch a {
			case ReadSchoolLife, ManageSchoolLife, ReadConfidential, GivePunishment, ReadSanctions, WriteNote:
				return true, nil
			case DecideSanction:
				if fn&fnHead != 0 {
					return true, nil // R511-13: the head decides (the board for exclusion)
				}
			}
		}
	}
	switch v.profile {
	case roles.Relative, roles.Teacher:
	default:
		return false, nil
	}
	s, err := v.loadedScope(ctx, q)
	if err != nil {
		return false, err
	}
	if v.profile == roles.Relative {
		fam := s.family[id]
		switch a {
		case ReadSchoolLife, ReadSanctions, ReadConfidential:
			return fam&famChild != 0, nil
		case Justify, SignNote:
			return fam&famChildGuardian != 0, nil // legal guardians only
		}
		return false, nil
	}
	// A teacher: the students of the classes and groups they teach, in a
	// shared establishment. No sanctions, no confidential reasons.
	var rel uint8
	for e := range t.est {
		if v.est[e] {
			rel |= s.people[id][e]
		}
	}
	if rel&relTaught == 0 {
		return false, nil
	}
	return a == ReadSchoolLife || a == GivePunishment || a == WriteNote, nil
}

// VisibleStudents tells which of the students ids v may do the school-life
// action a on, in a few queries whatever the length of the list (a class's
// roster, an establishment's day); refused and unknown ids are absent.
func (p *Policy) VisibleStudents(ctx context.Context, v *Viewer, a Action, ids []string) (map[string]bool, error) {
	return p.visible(ctx, v, schoolLifeAction(a), ids, func(id string, t *target) (bool, error) {
		if t == nil && id != v.ID {
			return false, nil // unknown
		}
		return v.schoolLifeOn(ctx, p.q, a, id, t)
	})
}

// VisibleStudents tells which of ids v may do the school-life action a on
// (see Policy.VisibleStudents).
func (v *Viewer) VisibleStudents(ctx context.Context, a Action, ids []string) (map[string]bool, error) {
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
	return v.policy.VisibleStudents(ctx, v, a, ids)
}
