package attendance

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"cartable/internal/access"
	"cartable/internal/db"
)

// Reading the history of changes (att_history): a student's, or a whole
// establishment's, for those ReadSchoolLifeHistory allows (the head, the
// CPE). Reason identifiers are given as their labels.

// Change is one field of a change, before and after ("" when the field
// did not exist: a creation or a deletion).
type Change struct {
	Field  string
	Before string
	After  string
}

// HistoryEntry is one change of the history.
type HistoryEntry struct {
	At        time.Time
	Actor     string // the person's name, or "system:…"
	Student   StudentHead
	Kind      string // "absence", "mark", "justification", "exemption", …
	ObjectID  string
	Operation string // "created", "changed", "deleted"
	Changes   []Change
}

// HistoryView is a page of history, latest first.
type HistoryView struct {
	Establishment string
	Student       *StudentHead // nil for the establishment's history
	Entries       []HistoryEntry
	Page          int
	More          bool // an older page exists
}

const historyPage = 50

// History reads the history of a student (student != "") or of an
// establishment (est, "" for the viewer's own), a page at a time.
func (s *Service) History(ctx context.Context, v *access.Viewer, est, student string, page int) (HistoryView, error) {
	var out HistoryView
	if page < 0 {
		page = 0
	}
	out.Page = page
	var err error
	if student != "" {
		if est, err = studentEstablishment(ctx, s.DB, student); err != nil {
			return out, err
		}
		if est == "" {
			return out, access.Refuse(access.ReadSchoolLifeHistory, access.Person(student), "not a student")
		}
		if err := v.Can(ctx, access.ReadSchoolLifeHistory, access.Establishment(est)); err != nil {
			return out, err
		}
		h, err := studentHead(ctx, s.DB, student, est, s.today())
		if err != nil {
			return out, err
		}
		out.Student = &h
	} else if est, err = managedEstablishment(ctx, v, access.ReadSchoolLifeHistory, est); err != nil {
		return out, err
	}
	out.Establishment = est
	rs, err := reasonsOf(ctx, s.DB, est)
	if err != nil {
		return out, err
	}
	labels := map[string]string{}
	for _, r := range rs {
		labels["reason:"+r.ID] = r.Label
	}
	if err := eachRow(ctx, s.DB, func(sc db.Scanner) error {
		var id, name string
		err := sc.Scan(&id, &name)
		labels["subject:"+id] = name
		return err
	}, `SELECT id, name FROM subjects WHERE establishment_id = ?`, est); err != nil {
		return out, err
	}
	where, args := `h.establishment_id = ?`, []any{est}
	if student != "" {
		where, args = where+` AND h.student_id = ?`, append(args, student)
	}
	args = append(args, historyPage+1, page*historyPage)
	entries, err := db.All(ctx, s.DB, func(sc db.Scanner) (HistoryEntry, error) {
		var e HistoryEntry
		var at int64
		var subject, before, after, actorFirst, actorLast, actor string
		err := sc.Scan(&at, &actor, &actorFirst, &actorLast, &subject, &before, &after, &e.Student.ID, &e.Student.FirstName, &e.Student.LastName)
		if err != nil {
			return e, err
		}
		e.At = time.Unix(at, 0)
		e.Actor = strings.TrimSpace(actorFirst + " " + actorLast)
		if e.Actor == "" {
			e.Actor = actor
		}
		e.Kind, e.ObjectID, _ = strings.Cut(subject, ":")
		switch {
		case before == "":
			e.Operation = "created"
		case after == "":
			e.Operation = "deleted"
		default:
			e.Operation = "changed"
		}
		e.Changes = changes(before, after, labels)
		return e, nil
	}, `SELECT h.at, h.actor, COALESCE(a.first_name, ''), COALESCE(a.last_name, ''), h.subject, h.before_state, h.after_state,
		p.id, p.first_name, p.last_name
		FROM att_history h JOIN people p ON p.id = h.student_id LEFT JOIN people a ON a.id = h.actor
		WHERE `+where+` ORDER BY h.at DESC, h.id DESC LIMIT ? OFFSET ?`, args...)
	if err != nil {
		return out, err
	}
	if len(entries) > historyPage {
		out.More, entries = true, entries[:historyPage]
	}
	out.Entries = entries
	return out, nil
}

// changes lists the fields of two JSON states, sorted; reason and subject
// identifiers become their labels (labels: "reason:ID", "subject:ID").
func changes(before, after string, labels map[string]string) []Change {
	var b, a map[string]any
	_ = json.Unmarshal([]byte(before), &b)
	_ = json.Unmarshal([]byte(after), &a)
	fields := map[string]bool{}
	for k := range b {
		fields[k] = true
	}
	for k := range a {
		fields[k] = true
	}
	show := func(field string, x any) string {
		if x == nil {
			return ""
		}
		s := fmt.Sprint(x)
		if l, ok := labels[field+":"+s]; ok {
			return l
		}
		return s
	}
	var out []Change
	for f := range fields {
		out = append(out, Change{Field: f, Before: show(f, b[f]), After: show(f, a[f])})
	}
	slices.SortFunc(out, func(x, y Change) int { return strings.Compare(x.Field, y.Field) })
	return out
}
