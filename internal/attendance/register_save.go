package attendance

import (
	"context"
	"sort"
	"strings"
	"time"

	"cartable/internal/access"
	"cartable/internal/check"
	"cartable/internal/db"
	"cartable/internal/ids"
	"cartable/internal/timetable"
)

// contiguousGap is the longest break between two lessons of a day that
// one absence spans: a student missing the lessons before and after a
// recess is absent once; the lunch break separates two absences.
const contiguousGap = 30

// SaveRegister records the roll call of the occurrence of slot on date, in
// one transaction: the register's state, each student's marks (every
// change in the history, before → after), the absences the 'absent'
// marks make or shrink, and the alerts to the legal guardians of the
// students newly absent or late. Problems of the form (check.Problems)
// change nothing; a register not open yet is one of them.
func (s *Service) SaveRegister(ctx context.Context, v *access.Viewer, slot, date string, in RegisterInput) error {
	return s.DB.Tx(ctx, func(tx *db.Tx) error {
		reg, err := s.loadRegister(ctx, v, tx, slot, date)
		if err != nil {
			return err
		}
		if !reg.Open {
			return check.Problems{{Field: "register", Code: "not-open", Value: reg.OpensAt.In(timetable.Paris).Format("15:04")}}
		}
		if ps := CheckRegister(in, reg); len(ps) > 0 {
			return ps
		}
		return s.saveRegister(ctx, v, tx, reg, in, true)
	})
}

func (s *Service) saveRegister(ctx context.Context, v *access.Viewer, tx *db.Tx, reg Register, in RegisterInput, alerts bool) error {
	now := s.now()
	at := now.Unix()
	l := reg.Lesson
	est := l.Slot.EstablishmentID
	state := InProgress
	if in.Done || reg.State == Done {
		state = Done
	}
	var doneAt any
	if state == Done {
		doneAt = at
	}
	var actor any
	if !v.IsSystem() {
		actor = v.ID
	}
	if _, err := tx.Exec(ctx, `INSERT INTO att_registers (slot_id, lesson_date, establishment_id, state, taken_by, started_at, done_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (slot_id, lesson_date) DO UPDATE SET state = excluded.state, taken_by = excluded.taken_by,
		done_at = COALESCE(att_registers.done_at, excluded.done_at)`, l.Slot.ID, l.Date, est, state, actor, at, doneAt); err != nil {
		return err
	}
	marks, err := marksOf(ctx, tx, l.Slot.ID, l.Date)
	if err != nil {
		return err
	}
	old := map[string]map[string]markRow{}
	for _, m := range marks {
		if old[m.Student] == nil {
			old[m.Student] = map[string]markRow{}
		}
		old[m.Student][m.Kind] = m
	}
	typed := make(map[string]MarkInput, len(in.Rows))
	for _, m := range in.Rows {
		typed[m.Student] = m
	}
	w := &markWriter{s: s, v: v, tx: tx, reg: reg, at: at, now: now, alerts: alerts}
	for _, r := range reg.Rows {
		if r.Away != "" {
			continue // not expected: nothing to mark
		}
		m := typed[r.ID]
		want := map[string]markRow{}
		if m.Absent {
			want[Absent] = markRow{Kind: Absent}
		}
		if n := lateOf(m); n > 0 && !m.Absent {
			want[Late] = markRow{Kind: Late, Minutes: n}
		}
		if t, ok := parseHHMM(strings.TrimSpace(m.LeftAt)); ok && !m.Absent {
			want[LeftEarly] = markRow{Kind: LeftEarly, Minutes: t}
		}
		if txt := strings.TrimSpace(m.Remark); txt != "" {
			want[Remark] = markRow{Kind: Remark, Note: txt}
		}
		if m.Material {
			want[Material] = markRow{Kind: Material}
		}
		for _, kind := range []string{Absent, Late, LeftEarly, Remark, Material} {
			before, had := old[r.ID][kind]
			after, has := want[kind]
			switch {
			case has && !had:
				if err := w.add(ctx, r, after); err != nil {
					return err
				}
			case had && !has:
				if err := w.remove(ctx, r, before); err != nil {
					return err
				}
			case had && has && (before.Minutes != after.Minutes || before.Note != after.Note):
				if err := w.change(ctx, r, before, after); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// markWriter writes the marks of one register in its transaction.
type markWriter struct {
	s   *Service
	v   *access.Viewer
	tx  *db.Tx
	reg Register
	at  int64
	now time.Time
	// alerts: queue the guardians' alerts (not for the demo's past).
	alerts bool
}

// markState is what the history keeps of a mark.
type markState struct {
	Kind    string `json:"kind"`
	Minutes int    `json:"minutes,omitempty"`
	Note    string `json:"note,omitempty"`
	Lesson  string `json:"lesson"`
	Absence string `json:"absence,omitempty"`
}

func (w *markWriter) state(m markRow) markState {
	return markState{Kind: m.Kind, Minutes: m.Minutes, Note: m.Note, Lesson: w.reg.Lesson.Key(), Absence: m.AbsenceID}
}

func (w *markWriter) add(ctx context.Context, r Row, m markRow) error {
	l := w.reg.Lesson
	est := l.Slot.EstablishmentID
	m.ID, m.Student = ids.For(ctx), r.ID
	if _, err := w.tx.Exec(ctx, `INSERT INTO att_marks (id, slot_id, lesson_date, establishment_id, student_id, kind, minutes, note,
		created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		m.ID, l.Slot.ID, l.Date, est, r.ID, m.Kind, m.Minutes, m.Note, w.v.Actor(), w.at, w.at); err != nil {
		return err
	}
	if m.Kind == Absent {
		abs, err := w.absent(ctx, r.ID, m.ID)
		if err != nil {
			return err
		}
		m.AbsenceID = abs
	}
	if err := record(ctx, w.tx, w.v, est, r.ID, "mark:"+m.ID, w.at, nil, w.state(m)); err != nil {
		return err
	}
	switch {
	case !w.alerts:
		return nil
	case m.Kind == Absent && r.Covered != "":
		return nil // school life or the family already know
	case m.Kind == Absent:
		return w.s.alert(ctx, w.v, w.tx, w.reg, r.Student, "absence", w.now)
	case m.Kind == Late:
		return w.s.alert(ctx, w.v, w.tx, w.reg, r.Student, "lateness", w.now)
	}
	return nil
}

func (w *markWriter) remove(ctx context.Context, r Row, m markRow) error {
	est := w.reg.Lesson.Slot.EstablishmentID
	if _, err := w.tx.Exec(ctx, `DELETE FROM att_marks WHERE id = ?`, m.ID); err != nil {
		return err
	}
	if err := record(ctx, w.tx, w.v, est, r.ID, "mark:"+m.ID, w.at, w.state(m), nil); err != nil {
		return err
	}
	if m.Kind == Absent && m.AbsenceID != "" {
		return w.rebuild(ctx, r.ID, m.AbsenceID)
	}
	return nil
}

func (w *markWriter) change(ctx context.Context, r Row, before, after markRow) error {
	after.ID, after.AbsenceID = before.ID, before.AbsenceID
	if _, err := w.tx.Exec(ctx, `UPDATE att_marks SET minutes = ?, note = ?, updated_at = ? WHERE id = ?`,
		after.Minutes, after.Note, w.at, before.ID); err != nil {
		return err
	}
	return record(ctx, w.tx, w.v, w.reg.Lesson.Slot.EstablishmentID, r.ID, "mark:"+before.ID, w.at, w.state(before), w.state(after))
}

// absenceState is what the history keeps of an absence's span.
type absenceState struct {
	Source    string `json:"source"`
	StartDate string `json:"start_date"`
	StartMin  int    `json:"start_min"`
	EndDate   string `json:"end_date"`
	EndMin    int    `json:"end_min"`
	State     string `json:"state,omitempty"`
}

func stateOf(a absenceRow) absenceState {
	return absenceState{Source: a.Source, StartDate: a.StartDate, StartMin: a.StartMin, EndDate: a.EndDate, EndMin: a.EndMin, State: a.State}
}

// absent links the new 'absent' mark of student to the absence covering
// the lesson: one school life recorded or a family declared when there is
// one (left as it is), else the student's register absence of the same
// day that ends or starts within a break of the lesson (extended, and
// merged with a second one the lesson joins), else a new one.
func (w *markWriter) absent(ctx context.Context, student, markID string) (string, error) {
	l := w.reg.Lesson
	est := l.Slot.EstablishmentID
	day, from, to := spanOf(l)
	as, err := absencesOn(ctx, w.tx, []string{student}, day)
	if err != nil {
		return "", err
	}
	var near []absenceRow
	for _, a := range as {
		if a.Source != "register" && a.covers(day, from, to) {
			return a.ID, w.link(ctx, markID, a.ID)
		}
	}
	for _, a := range as {
		if a.Source == "register" && a.StartDate == day && a.EndDate == day && a.EndMin >= from-contiguousGap && a.StartMin <= to+contiguousGap {
			near = append(near, a)
		}
	}
	if len(near) == 0 {
		a := absenceRow{ID: ids.For(ctx), Student: student, Source: "register", State: NoReason, StartDate: day, StartMin: from, EndDate: day, EndMin: to}
		if _, err := w.tx.Exec(ctx, `INSERT INTO att_absences (id, establishment_id, student_id, start_date, start_min, end_date, end_min, source,
			state, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'register', ?, ?, ?, ?)`,
			a.ID, est, student, day, from, day, to, NoReason, w.v.Actor(), w.at, w.at); err != nil {
			return "", err
		}
		if err := record(ctx, w.tx, w.v, est, student, "absence:"+a.ID, w.at, nil, stateOf(a)); err != nil {
			return "", err
		}
		return a.ID, w.link(ctx, markID, a.ID)
	}
	keep := near[0]
	span := keep
	span.StartMin, span.EndMin = min(keep.StartMin, from), max(keep.EndMin, to)
	for _, other := range near[1:] {
		span.StartMin, span.EndMin = min(span.StartMin, other.StartMin), max(span.EndMin, other.EndMin)
		if _, err := w.tx.Exec(ctx, `UPDATE att_marks SET absence_id = ? WHERE absence_id = ?`, keep.ID, other.ID); err != nil {
			return "", err
		}
		if err := w.deleteAbsence(ctx, other); err != nil {
			return "", err
		}
	}
	if err := w.setSpan(ctx, keep, span); err != nil {
		return "", err
	}
	return keep.ID, w.link(ctx, markID, keep.ID)
}

func (w *markWriter) link(ctx context.Context, markID, absenceID string) error {
	_, err := w.tx.Exec(ctx, `UPDATE att_marks SET absence_id = ? WHERE id = ?`, absenceID, markID)
	return err
}

func (w *markWriter) setSpan(ctx context.Context, before, after absenceRow) error {
	if before.StartDate == after.StartDate && before.StartMin == after.StartMin && before.EndDate == after.EndDate && before.EndMin == after.EndMin {
		return nil
	}
	if _, err := w.tx.Exec(ctx, `UPDATE att_absences SET start_date = ?, start_min = ?, end_date = ?, end_min = ?, updated_at = ? WHERE id = ?`,
		after.StartDate, after.StartMin, after.EndDate, after.EndMin, w.at, before.ID); err != nil {
		return err
	}
	return record(ctx, w.tx, w.v, w.reg.Lesson.Slot.EstablishmentID, before.Student, "absence:"+before.ID, w.at, stateOf(before), stateOf(after))
}

func (w *markWriter) deleteAbsence(ctx context.Context, a absenceRow) error {
	if _, err := w.tx.Exec(ctx, `DELETE FROM att_absences WHERE id = ? AND source = 'register'`, a.ID); err != nil {
		return err
	}
	return record(ctx, w.tx, w.v, w.reg.Lesson.Slot.EstablishmentID, a.Student, "absence:"+a.ID, w.at, stateOf(a), nil)
}

// rebuild fits a register absence of student to the 'absent' marks still
// linked to it, once one was removed: gone with its last mark, shrunk to
// the lessons left, split in two when the lesson removed was between
// them. Absences school life recorded or families declared are never
// touched.
func (w *markWriter) rebuild(ctx context.Context, student, absenceID string) error {
	a, err := db.All(ctx, w.tx, scanAbsence, `SELECT `+absenceCols+`WHERE id = ?`, absenceID)
	if err != nil || len(a) == 0 || a[0].Source != "register" {
		return err
	}
	abs := a[0]
	type linked struct {
		id, slot, date string
	}
	ms, err := db.All(ctx, w.tx, func(s db.Scanner) (linked, error) {
		var m linked
		err := s.Scan(&m.id, &m.slot, &m.date)
		return m, err
	}, `SELECT id, slot_id, lesson_date FROM att_marks WHERE absence_id = ? AND kind = 'absent' ORDER BY id`, absenceID)
	if err != nil {
		return err
	}
	if len(ms) == 0 {
		return w.deleteAbsence(ctx, abs)
	}
	type span struct {
		mark     string
		day      string
		from, to int
	}
	var spans []span
	sys := access.System("attendance: absence span")
	for _, m := range ms {
		l, err := timetable.LessonAt(ctx, sys, w.tx, m.slot, m.date)
		if err != nil {
			continue // the lesson is gone: its mark no longer spans anything
		}
		d, f, t := spanOf(l)
		spans = append(spans, span{m.id, d, f, t})
	}
	if len(spans) == 0 {
		return nil
	}
	sort.Slice(spans, func(i, j int) bool {
		if spans[i].day != spans[j].day {
			return spans[i].day < spans[j].day
		}
		return spans[i].from < spans[j].from
	})
	// Clusters of lessons within a break of each other.
	var clusters [][]span
	for _, sp := range spans {
		n := len(clusters)
		if n > 0 {
			last := clusters[n-1][len(clusters[n-1])-1]
			if last.day == sp.day && sp.from <= last.to+contiguousGap {
				clusters[n-1] = append(clusters[n-1], sp)
				continue
			}
		}
		clusters = append(clusters, []span{sp})
	}
	bounds := func(c []span) absenceRow {
		out := abs
		out.StartDate, out.StartMin, out.EndDate, out.EndMin = c[0].day, c[0].from, c[len(c)-1].day, c[0].to
		for _, sp := range c {
			out.EndMin = max(out.EndMin, sp.to)
		}
		return out
	}
	if err := w.setSpan(ctx, abs, bounds(clusters[0])); err != nil {
		return err
	}
	est := w.reg.Lesson.Slot.EstablishmentID
	for _, c := range clusters[1:] {
		n := bounds(c)
		n.ID = ids.For(ctx)
		var reason any
		if abs.ReasonID != "" {
			reason = abs.ReasonID
		}
		if _, err := w.tx.Exec(ctx, `INSERT INTO att_absences (id, establishment_id, student_id, start_date, start_min, end_date, end_min, source,
			reason_id, state, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'register', ?, ?, ?, ?, ?)`,
			n.ID, est, student, n.StartDate, n.StartMin, n.EndDate, n.EndMin, reason, abs.State, w.v.Actor(), w.at, w.at); err != nil {
			return err
		}
		if err := record(ctx, w.tx, w.v, est, student, "absence:"+n.ID, w.at, nil, stateOf(n)); err != nil {
			return err
		}
		for _, sp := range c {
			if err := w.link(ctx, sp.mark, n.ID); err != nil {
				return err
			}
		}
	}
	return nil
}

// SaveRegisterIn records a roll call in tx, a caller's transaction, as it
// stood at now (the demo generator writing a past term): fill gives the
// form for the register as loaded (its students), then the same checks
// and writes as SaveRegister follow; alerts false queues none (news of
// the past tell nobody anything).
func SaveRegisterIn(ctx context.Context, v *access.Viewer, tx *db.Tx, slot, date string, now time.Time, alerts bool, fill func(Register) RegisterInput) error {
	s := &Service{Now: func() time.Time { return now }}
	reg, err := s.loadRegister(ctx, v, tx, slot, date)
	if err != nil {
		return err
	}
	if !reg.Open {
		return check.Problems{{Field: "register", Code: "not-open", Value: reg.OpensAt.In(timetable.Paris).Format("15:04")}}
	}
	in := fill(reg)
	if ps := CheckRegister(in, reg); len(ps) > 0 {
		return ps
	}
	return s.saveRegister(ctx, v, tx, reg, in, alerts)
}
