package access

// Rules for the timetable, the class log, homework, hand-ins and stored
// files (the "learning" resources). The tables are in doc.go.

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"cartable/internal/db"
	"cartable/internal/roles"
)

const (
	ReadTimetable  Action = "read-timetable"  // a person's, class's, group's or room's timetable and its changes
	EditTimetable  Action = "edit-timetable"  // edit and import an establishment's timetable
	ReadClassLog   Action = "read-classlog"   // a structure's class log, or one entry (with its homework)
	WriteClassLog  Action = "write-classlog"  // write entries for a lesson occurrence, or copy one to a class or group
	EditEntry      Action = "edit-entry"      // change, publish, attach to, copy or delete an entry
	ReadDone       Action = "read-done"       // a student's homework done-ticks
	TickDone       Action = "tick-done"       // tick a student's homework as done
	HandIn         Action = "hand-in"         // upload work for a homework
	ReadHandIns    Action = "read-hand-ins"   // who handed in a homework, and their files
	ReadFile       Action = "read-file"       // download a stored file
	ManageSettings Action = "manage-settings" // establishment settings of the class log
	AnnotateLesson Action = "annotate-lesson" // mark a test planned or add a note on a lesson's occurrence
	ChangeLesson   Action = "change-lesson"   // cancel, move, replace one occurrence of a lesson
)

const (
	KindRoom     Kind = "room"
	KindEntry    Kind = "classlog-entry"
	KindHomework Kind = "homework"
	KindFile     Kind = "file"
	KindLesson   Kind = "lesson" // a weekly or exceptional lesson (timetable slot)
	// KindOccurrence is one dated occurrence of a lesson, "SLOT/DATE" (the
	// original date, as in the lesson page's address).
	KindOccurrence Kind = "lesson-occurrence"
)

func Room(id string) Resource     { return Resource{KindRoom, id} }
func Entry(id string) Resource    { return Resource{KindEntry, id} }
func Homework(id string) Resource { return Resource{KindHomework, id} }
func File(id string) Resource     { return Resource{KindFile, id} }
func Lesson(id string) Resource   { return Resource{KindLesson, id} }

// Occurrence names the occurrence of a lesson (slot) on its original date.
func Occurrence(slot, date string) Resource { return Resource{KindOccurrence, slot + "/" + date} }

func learningAction(a Action) bool {
	switch a {
	case ReadTimetable, EditTimetable, ReadClassLog, WriteClassLog, EditEntry, ReadDone, TickDone, HandIn,
		ReadHandIns, ReadFile, ManageSettings, AnnotateLesson, ChangeLesson:
		return true
	}
	return false
}

// SetClock replaces the clock that decides whether a scheduled entry is
// published yet (tests move time).
func (p *Policy) SetClock(now func() time.Time) { p.now = now }

func (p *Policy) clock() time.Time {
	if p.now != nil {
		return p.now()
	}
	return time.Now()
}

// canLearning answers the learning actions. Callers hold v.mu.
func (p *Policy) canLearning(ctx context.Context, v *Viewer, a Action, r Resource) error {
	ok, err := p.learning(ctx, v, a, r)
	if err != nil || ok {
		return err
	}
	return deny(string(a) + " on " + string(r.Kind) + ": no rule grants it")
}

func (p *Policy) learning(ctx context.Context, v *Viewer, a Action, r Resource) (bool, error) {
	switch {
	case a == ReadTimetable && r.Kind == KindPerson:
		return p.timetableOfPerson(ctx, v, r.ID)
	case a == ReadTimetable && r.Kind == KindClass:
		return p.onStructure(ctx, v, r, fnAll|fnCPE|fnDocumentalist, structMine|structChild|structTaught)
	case a == ReadTimetable && r.Kind == KindGroup:
		return p.onStructure(ctx, v, r, fnAll|fnCPE, structMine|structChild|structTaught) // groups add nothing to the documentalist's need (doc, note 6)
	case a == ReadTimetable && r.Kind == KindRoom:
		est, found, err := lookupEst(ctx, p.q, `SELECT establishment_id FROM tt_rooms WHERE id = ?`, r.ID)
		if err != nil || !found || !v.est[est] {
			return false, err
		}
		// The operator edits the rooms and the lessons of the
		// establishment (management page): a room's week shows them
		// nothing more, and tells them what uses a room they would change.
		return v.profile == roles.Teacher || v.profile == roles.Staff || v.profile == roles.Admin, nil
	case a == ReadTimetable && r.Kind == KindEstablishment:
		// The whole timetable (the day's changes, the absent teachers):
		// those who read every student's and teacher's.
		return v.est[r.ID] && v.fn[r.ID]&(fnAll|fnCPE) != 0, nil
	case a == EditTimetable && r.Kind == KindEstablishment, a == ManageSettings && r.Kind == KindEstablishment:
		if !v.est[r.ID] {
			return false, nil
		}
		return v.profile == roles.Admin || v.fn[r.ID]&(fnHead|fnDeputy) != 0, nil
	case a == ReadClassLog && (r.Kind == KindClass || r.Kind == KindGroup):
		return p.onStructure(ctx, v, r, fnHead|fnDeputy, structMine|structChild|structTaught)
	case a == WriteClassLog && (r.Kind == KindClass || r.Kind == KindGroup):
		if v.profile != roles.Teacher {
			return false, nil
		}
		return p.onStructure(ctx, v, r, 0, structTaught)
	case a == WriteClassLog && r.Kind == KindOccurrence:
		slot, date, ok := strings.Cut(r.ID, "/")
		if !ok {
			return false, nil
		}
		return p.writeOccurrence(ctx, v, slot, date)
	case (a == ReadClassLog || a == EditEntry) && r.Kind == KindEntry:
		f, err := loadEntry(ctx, p.q, r.ID)
		if err != nil || f == nil {
			return false, err
		}
		if a == EditEntry {
			return p.editEntry(ctx, v, f)
		}
		return p.readEntry(ctx, v, f)
	case r.Kind == KindHomework && (a == ReadClassLog || a == HandIn || a == ReadHandIns):
		return p.onHomework(ctx, v, a, r.ID)
	case (a == ReadDone || a == TickDone) && r.Kind == KindPerson:
		if r.ID == v.ID {
			return v.profile == roles.Student, nil
		}
		if a == TickDone || v.profile != roles.Relative {
			return false, nil
		}
		s, err := v.loadedScope(ctx, p.q)
		if err != nil {
			return false, err
		}
		return s.family[r.ID]&famChild != 0, nil
	case a == ReadFile && r.Kind == KindFile:
		return p.readFile(ctx, v, r.ID)
	case (a == AnnotateLesson || a == ChangeLesson) && r.Kind == KindLesson:
		return p.onLesson(ctx, v, a, r.ID)
	}
	return false, nil
}

// onLesson: changing an occurrence (cancel, move, replace) is for those
// who edit the establishment's timetable and for the CPE, who records the
// absences behind most changes; annotating it (a test planned, a note) is
// for them and for the lesson's own teachers.
func (p *Policy) onLesson(ctx context.Context, v *Viewer, a Action, slot string) (bool, error) {
	est, found, err := lookupEst(ctx, p.q, `SELECT establishment_id FROM tt_slots WHERE id = ?`, slot)
	if err != nil || !found || !v.est[est] {
		return false, err
	}
	if v.profile == roles.Admin || v.fn[est]&(fnHead|fnDeputy|fnCPE) != 0 {
		return true, nil
	}
	if a != AnnotateLesson || v.profile != roles.Teacher {
		return false, nil
	}
	var x int
	err = p.q.QueryRow(ctx, `SELECT 1 FROM tt_slot_teachers WHERE slot_id = ? AND teacher_id = ?`, slot, v.ID).Scan(&x)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// OccurrenceFacts is what the policy needs of one dated occurrence of a
// lesson: its establishment, its teachers and the replacement the
// timetable records for that day (empty for none).
type OccurrenceFacts struct {
	Establishment string
	Teachers      []string
	Replacement   string
}

// occurrences answers whether a lesson runs on a date, and with whom. The
// timetable registers it (RegisterOccurrences, from its init): it imports
// this package, so this package cannot call it directly.
var occurrences func(ctx context.Context, q db.Querier, slot, date string) (*OccurrenceFacts, error)

// RegisterOccurrences is called once by the timetable package with the
// function that reads an occurrence (nil, nil when the lesson does not run
// that day). Until it is, questions on occurrences fail with an error
// rather than a refusal, so that a binary missing it cannot go unnoticed.
func RegisterOccurrences(f func(ctx context.Context, q db.Querier, slot, date string) (*OccurrenceFacts, error)) {
	occurrences = f
}

// writeOccurrence: the class log of one occurrence of a lesson is written
// by the lesson's own teachers (taught, co-teaching) and by the replacement
// the timetable records for that occurrence; never by a colleague who only
// teaches the same class. The occurrence must exist (the slot runs that
// day) in an establishment the teacher is attached to.
func (p *Policy) writeOccurrence(ctx context.Context, v *Viewer, slot, date string) (bool, error) {
	if v.profile != roles.Teacher {
		return false, nil
	}
	if occurrences == nil {
		return false, errors.New("access: no reader of lesson occurrences registered (the timetable package registers it)")
	}
	o, err := occurrences(ctx, p.q, slot, date)
	if err != nil || o == nil {
		return false, err
	}
	return writes(v, o), nil
}

// writes is writeOccurrence's rule on the facts of an occurrence.
func writes(v *Viewer, o *OccurrenceFacts) bool {
	if v.profile != roles.Teacher || !v.est[o.Establishment] {
		return false
	}
	for _, t := range o.Teachers {
		if t == v.ID {
			return true
		}
	}
	return o.Replacement == v.ID
}

// MayWriteOccurrences tells which occurrences (keyed "SLOT/DATE") v may
// write the class log of, from their facts as the caller read them with
// the occurrences (the lessons of a timetable page): write-classlog's rule
// without reading each occurrence again, for a list of a teacher's
// lessons. An occurrence refused is absent.
func (v *Viewer) MayWriteOccurrences(facts map[string]OccurrenceFacts) map[string]bool {
	out := make(map[string]bool, len(facts))
	for k, f := range facts {
		if v.IsSystem() || v != nil && v.loaded && writes(v, &f) {
			out[k] = true
		}
	}
	return out
}

// editEntry: the author, while they may still write where the entry is:
// its lesson occurrence, or, for a copy (which has no lesson), its class
// or group.
func (p *Policy) editEntry(ctx context.Context, v *Viewer, f *entryFacts) (bool, error) {
	if f.author != v.ID || !v.est[f.est] || v.profile != roles.Teacher {
		return false, nil
	}
	if f.slot != "" {
		return p.writeOccurrence(ctx, v, f.slot, f.date)
	}
	return p.onStructure(ctx, v, f.structure, 0, structTaught)
}

// timetableOfPerson: oneself; a relative their active children; head,
// deputy, secretary and CPE the students and teachers of their
// establishment.
func (p *Policy) timetableOfPerson(ctx context.Context, v *Viewer, id string) (bool, error) {
	if id == v.ID {
		return v.profile == roles.Student || v.profile == roles.Teacher || v.profile == roles.Staff, nil
	}
	t, err := v.target(ctx, p.q, id)
	if err != nil || t == nil || !t.active {
		return false, err
	}
	if t.profile != roles.Student && t.profile != roles.Teacher {
		return false, nil
	}
	for e := range t.est {
		if v.est[e] && v.fn[e]&(fnAll|fnCPE) != 0 {
			return true, nil
		}
	}
	if v.profile != roles.Relative || t.profile != roles.Student {
		return false, nil
	}
	s, err := v.loadedScope(ctx, p.q)
	if err != nil {
		return false, err
	}
	return s.family[id]&famChild != 0, nil
}

// onStructure grants a on a class or group to holders of the staff
// functions fns in its establishment, and to those whose scope holds it
// with one of the bits.
func (p *Policy) onStructure(ctx context.Context, v *Viewer, r Resource, fns, bits uint8) (bool, error) {
	est, found, err := v.structure(ctx, p.q, r)
	if err != nil || !found || !v.est[est] {
		return false, err
	}
	if v.fn[est]&fns != 0 {
		return true, nil
	}
	s, err := v.loadedScope(ctx, p.q)
	if err != nil {
		return false, err
	}
	return s.structures[r]&bits != 0, nil
}

type entryFacts struct {
	est, author string
	structure   Resource
	published   bool
	publishAt   int64  // Unix seconds; readers other than the author wait for it
	slot, date  string // its lesson occurrence, "" for a copy (loadEntry only)
}

func loadEntry(ctx context.Context, q db.Querier, id string) (*entryFacts, error) {
	var f entryFacts
	var class, group string
	var draft bool
	var publishAt int64
	err := q.QueryRow(ctx, `SELECT establishment_id, author_id, COALESCE(class_id, ''), COALESCE(group_id, ''), draft, publish_at,
		COALESCE(slot_id, ''), lesson_date FROM classlog_entries WHERE id = ?`, id).Scan(&f.est, &f.author, &class, &group, &draft, &publishAt,
		&f.slot, &f.date)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	f.structure = Class(class)
	if group != "" {
		f.structure = Group(group)
	}
	f.published = !draft
	f.publishAt = publishAt
	return &f, nil
}

// readEntry: the author always; once published (and its publication time
// reached), the head and deputy, the students of its class or group, their
// relatives, and the colleagues teaching the same class or group when the
// establishment allows it.
func (p *Policy) readEntry(ctx context.Context, v *Viewer, f *entryFacts) (bool, error) {
	if !v.est[f.est] {
		return false, nil
	}
	if f.author == v.ID {
		return true, nil
	}
	if !f.published || f.publishAt > p.clock().Unix() {
		return false, nil
	}
	if v.fn[f.est]&(fnHead|fnDeputy) != 0 {
		return true, nil
	}
	if v.profile != roles.Student && v.profile != roles.Relative && v.profile != roles.Teacher {
		return false, nil
	}
	s, err := v.loadedScope(ctx, p.q)
	if err != nil {
		return false, err
	}
	bits := s.structures[f.structure]
	switch v.profile {
	case roles.Student:
		return bits&structMine != 0, nil
	case roles.Relative:
		return bits&structChild != 0, nil
	}
	if bits&structTaught == 0 {
		return false, nil
	}
	var colleagues bool
	err = p.q.QueryRow(ctx, `SELECT colleagues_read FROM classlog_settings WHERE establishment_id = ?`, f.est).Scan(&colleagues)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return colleagues, err
}

// onHomework: reading a homework follows its entry; handing in is for the
// students of its class or group when it asks for an upload; the list of
// hand-ins is for the entry's author and the head and deputy.
func (p *Policy) onHomework(ctx context.Context, v *Viewer, a Action, id string) (bool, error) {
	var entry, handin string
	err := p.q.QueryRow(ctx, `SELECT entry_id, handin FROM homework WHERE id = ?`, id).Scan(&entry, &handin)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	f, err := loadEntry(ctx, p.q, entry)
	if err != nil || f == nil {
		return false, err
	}
	switch a {
	case ReadHandIns:
		if !v.est[f.est] {
			return false, nil
		}
		return f.author == v.ID || v.fn[f.est]&(fnHead|fnDeputy) != 0, nil
	case HandIn:
		if v.profile != roles.Student || handin != "upload" {
			return false, nil
		}
		return p.readEntry(ctx, v, f)
	}
	return p.readEntry(ctx, v, f)
}

// readFile: the owner; readers of an entry the file is attached to; for
// handed-in work, those who may read the homework's hand-ins; for a
// justification's document, school life (manage-school-life on the
// student) and the student's legal guardians (justify); for a message's
// attachment, the conversation's participants; for a news item's
// attachment, as the news (readNewsFile).
func (p *Policy) readFile(ctx context.Context, v *Viewer, id string) (bool, error) {
	var owner, est string
	err := p.q.QueryRow(ctx, `SELECT owner_id, establishment_id FROM files WHERE id = ?`, id).Scan(&owner, &est)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if !v.est[est] {
		return false, nil
	}
	if owner == v.ID {
		return true, nil
	}
	rows, err := p.q.Query(ctx, `SELECT 'entry', entry_id FROM classlog_attachments WHERE file_id = ?
		UNION ALL SELECT 'homework', homework_id FROM homework_submissions WHERE file_id = ?
		UNION ALL SELECT 'justification', student_id FROM att_justifications WHERE file_id = ?
		UNION ALL SELECT 'message', m.conversation_id FROM msg_attachments a JOIN msg_messages m ON m.id = a.message_id
			WHERE a.file_id = ?
		UNION ALL SELECT 'news', news_id FROM news_attachments WHERE file_id = ?`, id, id, id, id, id)
	if err != nil {
		return false, err
	}
	var refs [][2]string
	for rows.Next() {
		var kind, ref string
		if err := rows.Scan(&kind, &ref); err != nil {
			rows.Close()
			return false, err
		}
		refs = append(refs, [2]string{kind, ref})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return false, err
	}
	for _, ref := range refs {
		var ok bool
		if ref[0] == "message" {
			// A message's attachment: the conversation's participants only
			// (no read-through, docs/messaging.md).
			var n int
			if err := p.q.QueryRow(ctx, `SELECT COUNT(*) FROM msg_participants WHERE conversation_id = ? AND person_id = ?`,
				ref[1], v.ID).Scan(&n); err != nil || n > 0 {
				return n > 0, err
			}
			continue
		}
		if ref[0] == "news" {
			if ok, err = p.readNewsFile(ctx, v, ref[1]); err != nil || ok {
				return ok, err
			}
			continue
		}
		if ref[0] == "justification" {
			for _, a := range []Action{ManageSchoolLife, Justify} {
				if ok, err = p.schoolLife(ctx, v, a, Person(ref[1])); err != nil || ok {
					return ok, err
				}
			}
			continue
		}
		if ref[0] == "entry" {
			f, err := loadEntry(ctx, p.q, ref[1])
			if err != nil {
				return false, err
			}
			if f != nil {
				if ok, err = p.readEntry(ctx, v, f); err != nil {
					return false, err
				}
			}
		} else if ok, err = p.onHomework(ctx, v, ReadHandIns, ref[1]); err != nil {
			return false, err
		}
		if ok {
			return true, nil
		}
	}
	return false, nil
}

func lookupEst(ctx context.Context, q db.Querier, query, id string) (string, bool, error) {
	var est string
	err := q.QueryRow(ctx, query, id).Scan(&est)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	return est, err == nil, err
}

// VisibleEntries tells which of the class log entries v may read; refused
// and unknown ones are absent.
func (p *Policy) VisibleEntries(ctx context.Context, v *Viewer, ids []string) (map[string]bool, error) {
	out := map[string]bool{}
	if v == nil || !v.loaded || len(ids) == 0 {
		return out, nil
	}
	// A page asks for the entries of several blocks (homework, news):
	// facts loaded once in the request are not read again. They are read
	// without holding the viewer's lock: the page's other parts, run
	// together (db.Together), need it for their own decisions meanwhile.
	type fact struct {
		id string
		f  entryFacts
	}
	var facts []fact
	var missing []string
	v.lock(ctx)
	for _, id := range ids {
		if f, ok := v.entries[id]; ok {
			facts = append(facts, fact{id, f})
		} else {
			missing = append(missing, id)
		}
	}
	v.mu.Unlock()
	var loaded []fact
	if len(missing) > 0 {
		rows, err := p.q.Query(ctx, `SELECT id, establishment_id, author_id, COALESCE(class_id, ''), COALESCE(group_id, ''), draft, publish_at
		FROM classlog_entries WHERE `+db.In(p.q, "id"), db.ListArg(p.q, missing))
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var id, class, group string
			var f entryFacts
			var draft bool
			if err := rows.Scan(&id, &f.est, &f.author, &class, &group, &draft, &f.publishAt); err != nil {
				rows.Close()
				return nil, err
			}
			f.structure = Class(class)
			if group != "" {
				f.structure = Group(group)
			}
			f.published = !draft
			loaded = append(loaded, fact{id, f})
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	v.lock(ctx)
	defer v.mu.Unlock()
	for _, x := range loaded {
		if v.entries == nil {
			v.entries = map[string]entryFacts{}
		}
		v.entries[x.id] = x.f
		facts = append(facts, x)
	}
	for _, x := range facts {
		ok, err := p.readEntry(ctx, v, &x.f)
		if err != nil {
			return nil, err
		}
		if ok {
			out[x.id] = true
		}
	}
	return out, nil
}
