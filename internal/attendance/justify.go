package attendance

import (
	"context"
	"database/sql"
	"errors"
	"io"
	"mime/multipart"
	"slices"
	"time"

	"cartable/internal/access"
	"cartable/internal/check"
	"cartable/internal/db"
	"cartable/internal/directory"
	"cartable/internal/files"
	"cartable/internal/ids"
	"cartable/internal/notify"
	"cartable/internal/timetable"
)

// States of a justification.
const (
	Pending  = "pending"
	Accepted = "accepted"
	Refused  = "refused"
)

// Item is an absence or a lateness as its readers see it: when, its state
// and its reason (hidden as "motif confidentiel" from those who may not
// read confidential reasons).
type Item struct {
	Kind               string // "absence" or "late"
	ID                 string
	StartDate, EndDate string // a lateness: its lesson's date, twice
	StartMin, EndMin   int    // a lateness: its lesson's start, and the start plus the minutes late
	Minutes            int    // a lateness: minutes late
	Subject            string // a lateness: its lesson's subject
	Source             string // an absence: register, school-life, family
	State              string
	Reason             string
	ReasonHidden       bool // a confidential reason the viewer may not read
}

// ToJustify tells whether the family still has to give a reason.
func (it Item) ToJustify() bool { return it.State == NoReason || it.State == NotAccepted }

// Justification is a family's justification as its readers see it.
type Justification struct {
	ID                 string
	Student            StudentName
	AuthorName         string
	StartDate, EndDate string
	StartMin, EndMin   int
	Reason             string
	ReasonHidden       bool
	Legitimate         bool // its reason is legitimate (accepted, it justifies)
	Body               string
	FileID, FileName   string
	State              string // pending, accepted, refused
	Answer             string // school life's message
	CreatedAt          time.Time
	ReviewedAt         time.Time
	Covers             []Item
}

// FamilyAttendance is a student's attendance for their family (or
// themself): the absences and lateness of the school year with their
// state, the justifications sent and their outcome, and what the
// justification form needs when the viewer may justify.
type FamilyAttendance struct {
	StudentID          string
	Establishment      string
	YearStart, YearEnd string
	Items              []Item
	Justifications     []Justification
	MayJustify         bool
	Reasons            []Reason // active reasons, for the form (MayJustify)
	Today              string
}

// schoolOf finds the establishment and open school year a student is
// enrolled in (the latest).
func schoolOf(ctx context.Context, q db.Querier, student string) (est, year, start, end string, err error) {
	err = q.QueryRow(ctx, `SELECT c.establishment_id, y.id, y.starts_on, y.ends_on FROM enrolments e JOIN classes c ON c.id = e.class_id
		JOIN school_years y ON y.id = c.school_year_id WHERE e.student_id = ? AND NOT y.closed ORDER BY y.starts_on DESC, c.establishment_id LIMIT 1`,
		student).Scan(&est, &year, &start, &end)
	return
}

// schoolSeenBy is schoolOf kept in v's cache of directory rows: enrolments,
// classes and years are tables of the directory's version (access.Memo),
// so a change on any replica is seen at the next request.
func (s *Service) schoolSeenBy(ctx context.Context, v *access.Viewer, student string) (est, start, end string, err error) {
	val, err := v.Memo("attendance.school/"+student, func() (any, error) {
		est, _, start, end, err := schoolOf(ctx, s.DB, student)
		return [3]string{est, start, end}, err
	})
	if err != nil {
		return "", "", "", err
	}
	sc := val.([3]string)
	return sc[0], sc[1], sc[2], nil
}

// FamilyRecord returns a student's record of attendance for the viewer:
// the student themself, their relatives, their teachers, school life
// (access.ReadSchoolLife). Only legal guardians get the justification
// form's reasons (access.Justify).
func (s *Service) FamilyRecord(ctx context.Context, v *access.Viewer, student string) (FamilyAttendance, error) {
	if err := v.Can(ctx, access.ReadSchoolLife, access.Person(student)); err != nil {
		return FamilyAttendance{}, err
	}
	r := FamilyAttendance{StudentID: student, Today: s.now().In(timetable.Paris).Format(timetable.DateFormat)}
	est, start, end, err := s.schoolSeenBy(ctx, v, student)
	if errors.Is(err, sql.ErrNoRows) {
		return r, nil // not enrolled this year: nothing to show
	}
	if err != nil {
		return r, err
	}
	r.Establishment, r.YearStart, r.YearEnd = est, start, end
	conf, err := v.May(ctx, access.ReadConfidential, access.Person(student))
	if err != nil {
		return r, err
	}
	if r.Items, err = itemsOf(ctx, s.DB, est, student, start, end, conf, false); err != nil {
		return r, err
	}
	if r.Justifications, err = justificationsOf(ctx, s.DB, conf, `j.student_id = ? AND j.establishment_id = ? ORDER BY j.created_at DESC, j.id`, student, est); err != nil {
		return r, err
	}
	if r.MayJustify, err = v.May(ctx, access.Justify, access.Person(student)); err != nil || !r.MayJustify {
		return r, err
	}
	rs, err := ensureReasons(ctx, s.DB, est)
	for _, x := range rs {
		if x.Active {
			r.Reasons = append(r.Reasons, x)
		}
	}
	return r, err
}

// ToJustify lists a student's absences and lateness of the school year
// still waiting for a reason (no reason, or not accepted), for the viewer
// reading the student's school life: the family record's items that
// Item.ToJustify keeps, read alone (one statement, for the home page).
func (s *Service) ToJustify(ctx context.Context, v *access.Viewer, student string) ([]Item, error) {
	if err := v.Can(ctx, access.ReadSchoolLife, access.Person(student)); err != nil {
		return nil, err
	}
	est, start, end, err := s.schoolSeenBy(ctx, v, student)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil // not enrolled this year: nothing to justify
	}
	if err != nil {
		return nil, err
	}
	conf, err := v.May(ctx, access.ReadConfidential, access.Person(student))
	if err != nil {
		return nil, err
	}
	return itemsOf(ctx, s.DB, est, student, start, end, conf, true)
}

// itemsOf reads a student's absences and lateness between two days, the
// latest first; pending keeps only those still to justify.
func itemsOf(ctx context.Context, q db.Querier, est, student, from, to string, conf, pending bool) ([]Item, error) {
	scan := func(sc db.Scanner) (Item, error) {
		var it Item
		var secret bool
		err := sc.Scan(&it.Kind, &it.ID, &it.StartDate, &it.StartMin, &it.EndDate, &it.EndMin, &it.Minutes, &it.Subject, &it.Source,
			&it.State, &it.Reason, &secret)
		if secret && !conf {
			it.Reason, it.ReasonHidden = "", true
		}
		return it, err
	}
	var absPending, latePending string
	if pending {
		const states = ` IN ('` + NoReason + `', '` + NotAccepted + `')`
		absPending, latePending = " AND a.state"+states, " AND m.state"+states
	}
	// Absences and lateness in one statement (a round trip on PostgreSQL).
	// "|| ''" keeps SQLite, which plans without statistics, from reading
	// the establishment's marks of the whole period by att_marks_day
	// rather than the student's by att_marks_student_kind.
	out, err := db.All(ctx, q, scan, `SELECT 'absence', a.id, a.start_date, a.start_min, a.end_date, a.end_min, 0, '', a.source, a.state,
		COALESCE(r.label, ''), COALESCE(r.confidential, FALSE)
		FROM att_absences a LEFT JOIN att_reasons r ON r.id = a.reason_id
		WHERE a.establishment_id = ? AND a.student_id = ? AND a.end_date >= ? AND a.start_date <= ?`+absPending+`
		UNION ALL
		SELECT 'late', m.id, m.lesson_date, COALESCE(s.start_min, 0), m.lesson_date, COALESCE(s.start_min, 0) + m.minutes,
		m.minutes, COALESCE(su.name, ''), '', m.state, COALESCE(r.label, ''), COALESCE(r.confidential, FALSE)
		FROM att_marks m LEFT JOIN tt_slots s ON s.id = m.slot_id LEFT JOIN subjects su ON su.id = s.subject_id
		LEFT JOIN att_reasons r ON r.id = m.reason_id
		WHERE m.establishment_id || '' = ? AND m.student_id = ? AND m.kind = 'late' AND m.lesson_date >= ? AND m.lesson_date <= ?`+latePending,
		est, student, from, to, est, student, from, to)
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(out, func(a, b Item) int {
		if a.StartDate != b.StartDate {
			return -cmpStr(a.StartDate, b.StartDate)
		}
		if a.StartMin != b.StartMin {
			return b.StartMin - a.StartMin
		}
		return cmpStr(a.ID, b.ID)
	})
	return out, nil
}

func cmpStr(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// justificationsOf reads justifications matching where (on j, with
// people p the student and author a) with what each covers.
func justificationsOf(ctx context.Context, q db.Querier, conf bool, where string, args ...any) ([]Justification, error) {
	js, err := db.All(ctx, q, func(sc db.Scanner) (Justification, error) {
		var j Justification
		var created int64
		var reviewed *int64
		var secret bool
		err := sc.Scan(&j.ID, &j.Student.ID, &j.Student.FirstName, &j.Student.LastName, &j.AuthorName, &j.StartDate, &j.StartMin, &j.EndDate, &j.EndMin,
			&j.Reason, &secret, &j.Legitimate, &j.Body, &j.FileID, &j.FileName, &j.State, &j.Answer, &created, &reviewed)
		j.CreatedAt = time.Unix(created, 0)
		if reviewed != nil {
			j.ReviewedAt = time.Unix(*reviewed, 0)
		}
		if secret && !conf {
			j.Reason, j.ReasonHidden = "", true
		}
		return j, err
	}, `SELECT j.id, j.student_id, p.first_name, p.last_name, a.first_name || ' ' || a.last_name, j.start_date, j.start_min, j.end_date, j.end_min,
		r.label, r.confidential, r.legitimate, j.body, COALESCE(j.file_id, ''), COALESCE(f.name, ''), j.state, j.answer, j.created_at, j.reviewed_at
		FROM att_justifications j JOIN people p ON p.id = j.student_id JOIN people a ON a.id = j.author_id
		JOIN att_reasons r ON r.id = j.reason_id LEFT JOIN files f ON f.id = j.file_id WHERE `+where, args...)
	if err != nil || len(js) == 0 {
		return js, err
	}
	jids := make([]string, len(js))
	for i, j := range js {
		jids[i] = j.ID
	}
	type cover struct {
		j string
		Item
	}
	scan := func(sc db.Scanner) (cover, error) {
		var c cover
		err := sc.Scan(&c.j, &c.Kind, &c.ID, &c.StartDate, &c.StartMin, &c.EndDate, &c.EndMin, &c.Minutes, &c.Subject, &c.State)
		return c, err
	}
	cs, err := db.All(ctx, q, scan, `SELECT c.justification_id, 'absence', a.id, a.start_date, a.start_min, a.end_date, a.end_min, 0, '', a.state
		FROM att_justification_covers c JOIN att_absences a ON a.id = c.absence_id WHERE `+db.In(q, "c.justification_id")+`
		UNION ALL SELECT c.justification_id, 'late', m.id, m.lesson_date, COALESCE(s.start_min, 0), m.lesson_date, COALESCE(s.start_min, 0) + m.minutes, m.minutes,
		COALESCE(su.name, ''), m.state
		FROM att_justification_covers c JOIN att_marks m ON m.id = c.mark_id LEFT JOIN tt_slots s ON s.id = m.slot_id
		LEFT JOIN subjects su ON su.id = s.subject_id WHERE `+db.In(q, "c.justification_id"),
		db.ListArg(q, jids), db.ListArg(q, jids))
	if err != nil {
		return nil, err
	}
	at := map[string]int{}
	for i, j := range js {
		at[j.ID] = i
	}
	for _, c := range cs {
		js[at[c.j]].Covers = append(js[at[c.j]].Covers, c.Item)
	}
	for i := range js {
		slices.SortFunc(js[i].Covers, func(a, b Item) int {
			if a.StartDate != b.StartDate {
				return cmpStr(a.StartDate, b.StartDate)
			}
			return a.StartMin - b.StartMin
		})
	}
	return js, nil
}

// coverable reads the student's absences and lateness a justification may
// still cover (not yet justified), those overlapping sp first marked.
type coverItem struct {
	kind, id, state string
	overlaps        bool
}

func coverable(ctx context.Context, q db.Querier, est, student string, sp justSpan) ([]coverItem, error) {
	scan := func(sc db.Scanner) (coverItem, error) {
		var c coverItem
		err := sc.Scan(&c.kind, &c.id, &c.state, &c.overlaps)
		return c, err
	}
	return db.All(ctx, q, scan, `SELECT 'absence', id, state,
		CASE WHEN (start_date < ? OR (start_date = ? AND start_min < ?)) AND (end_date > ? OR (end_date = ? AND end_min > ?)) THEN TRUE ELSE FALSE END
		FROM att_absences WHERE establishment_id = ? AND student_id = ? AND state <> 'justified'
		UNION ALL SELECT 'late', m.id, m.state,
		CASE WHEN (m.lesson_date > ? OR (m.lesson_date = ? AND COALESCE(s.start_min, 0) >= ?))
			AND (m.lesson_date < ? OR (m.lesson_date = ? AND COALESCE(s.start_min, 0) < ?)) THEN TRUE ELSE FALSE END
		FROM att_marks m LEFT JOIN tt_slots s ON s.id = m.slot_id
		WHERE m.establishment_id = ? AND m.student_id = ? AND m.kind = 'late' AND m.state <> 'justified'`,
		sp.EndDate, sp.EndDate, sp.EndMin, sp.StartDate, sp.StartDate, sp.StartMin, est, student,
		sp.StartDate, sp.StartDate, sp.StartMin, sp.EndDate, sp.EndDate, sp.EndMin, est, student)
}

// Justify records a legal guardian's justification for their child
// (access.Justify): a period, a reason of the establishment's active list,
// a text and an optional document (doc, nil for none; PDF, JPEG or PNG,
// sealed at rest). It covers the absences and lateness named in in (each
// must be the child's and overlap the period; another's is a refusal) or,
// when none are named, every one overlapping the period that is not yet
// justified; each moves to "reason given" with the justification's reason,
// in its history. An absence declared ahead (in.Ahead) is recorded as
// well. What is wrong in the form comes back as check.Problems, nothing
// saved. It returns the justification's ID.
func (s *Service) Justify(ctx context.Context, v *access.Viewer, in JustificationInput, doc *multipart.FileHeader) (string, error) {
	var d *Document
	if doc != nil {
		d = &Document{Name: doc.Filename, Size: doc.Size, Open: func() (io.ReadCloser, error) { return doc.Open() }}
	}
	return justify(ctx, v, s.DB, func(fn func(db.Querier) error) error {
		return s.DB.Tx(ctx, func(tx *db.Tx) error { return fn(tx) })
	}, s.DB, s.Files, s.now(), in, d)
}

// Document is a justification's document as sent.
type Document struct {
	Name string
	Size int64
	Open func() (io.ReadCloser, error)
}

// JustifyIn is Justify inside the caller's transaction q (the demo: v
// is then a legal guardian's viewer built on q).
func JustifyIn(ctx context.Context, v *access.Viewer, q db.Querier, store *files.Store, now time.Time, in JustificationInput, doc *Document) (string, error) {
	return justify(ctx, v, q, func(fn func(db.Querier) error) error { return fn(q) }, nil, store, now, in, doc)
}

// justify is Justify reading through q and writing in run's transaction.
func justify(ctx context.Context, v *access.Viewer, q db.Querier, run func(func(db.Querier) error) error, d *db.DB, store *files.Store, now time.Time,
	in JustificationInput, doc *Document) (string, error) {
	who := access.Person(in.StudentID)
	if err := v.Can(ctx, access.Justify, who); err != nil {
		return "", err
	}
	est, _, start, end, err := schoolOf(ctx, q, in.StudentID)
	if errors.Is(err, sql.ErrNoRows) {
		return "", access.Refuse(access.Justify, who, "not enrolled this year")
	}
	if err != nil {
		return "", err
	}
	reasons, err := ensureReasons(ctx, q, est)
	if err != nil {
		return "", err
	}
	today := now.In(timetable.Paris).Format(timetable.DateFormat)
	docName, docSize := "", int64(0)
	if doc != nil {
		docName, docSize = doc.Name, doc.Size
		if docName == "" {
			docName = "document"
		}
	}
	sp, ps := checkJustification(in, reasons, start, end, today, docName, docSize)
	if doc != nil && store == nil {
		ps.Add("document", "unavailable", "")
	}
	if doc != nil && store != nil && docSize > store.Limit() && docSize <= MaxDocument {
		ps = append(ps, tooLarge(store.Limit()))
	}
	if len(ps) > 0 {
		// The items named are still checked: a forged one is a refusal.
		if err := checkNamed(ctx, q, est, in); err != nil {
			return "", err
		}
		return "", ps
	}
	items, err := coverable(ctx, q, est, in.StudentID, sp)
	if err != nil {
		return "", err
	}
	var chosen []coverItem
	named := len(in.Absences)+len(in.Lateness) > 0
	if named {
		byID := map[string]coverItem{}
		for _, it := range items {
			byID[it.kind+"/"+it.id] = it
		}
		for _, kind := range []string{"absence", "late"} {
			list := in.Absences
			if kind == "late" {
				list = in.Lateness
			}
			for _, id := range list {
				it, ok := byID[kind+"/"+id]
				if !ok {
					return "", access.Refuse(access.Justify, who, "not a "+kind+" of the student to justify")
				}
				if !it.overlaps {
					ps.Add("covers", "outside-period", "")
				}
				chosen = append(chosen, it)
			}
		}
	} else {
		for _, it := range items {
			if it.overlaps {
				chosen = append(chosen, it)
			}
		}
	}
	if len(chosen) == 0 && !in.Ahead {
		ps.Add("from", "nothing", "")
	}
	if in.Ahead {
		// An absence already recorded then is justified, not declared again.
		var n int
		if err := q.QueryRow(ctx, `SELECT COUNT(*) FROM att_absences WHERE establishment_id = ? AND student_id = ?
			AND (start_date < ? OR (start_date = ? AND start_min < ?)) AND (end_date > ? OR (end_date = ? AND end_min > ?))`,
			est, in.StudentID, sp.EndDate, sp.EndDate, sp.EndMin, sp.StartDate, sp.StartDate, sp.StartMin).Scan(&n); err != nil {
			return "", err
		}
		if n > 0 {
			ps.Add("from", "overlap", "")
		}
	}
	if len(ps) > 0 {
		return "", ps
	}
	var saved files.File
	id := ids.For(ctx)
	err = run(func(tx db.Querier) error {
		var fileID any
		if doc != nil {
			fh, err := doc.Open()
			if err != nil {
				return err
			}
			saved, err = store.Save(ctx, v, tx, est, docName, fh, min(MaxDocument, store.Limit()))
			fh.Close()
			if err != nil {
				return err
			}
			fileID = saved.ID
		}
		at := now.Unix()
		if in.Ahead {
			aid := ids.For(ctx)
			if _, err := tx.Exec(ctx, `INSERT INTO att_absences (id, establishment_id, student_id, start_date, start_min, end_date, end_min, source,
				reason_id, state, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'family', ?, 'reason-given', ?, ?, ?)`,
				aid, est, in.StudentID, sp.StartDate, sp.StartMin, sp.EndDate, min(sp.EndMin, 1440), in.ReasonID, v.ID, at, at); err != nil {
				return err
			}
			if err := record(ctx, tx, v, est, in.StudentID, "absence:"+aid, at, nil,
				map[string]any{"source": "family", "state": ReasonGiven, "reason": in.ReasonID, "from": sp.StartDate, "to": sp.EndDate}); err != nil {
				return err
			}
			chosen = append(chosen, coverItem{kind: "absence", id: aid, state: "-"})
		}
		if _, err := tx.Exec(ctx, `INSERT INTO att_justifications (id, establishment_id, student_id, author_id, start_date, start_min, end_date, end_min,
			reason_id, body, file_id, state, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?)`,
			id, est, in.StudentID, v.ID, sp.StartDate, sp.StartMin, sp.EndDate, sp.EndMin, in.ReasonID, in.Body, fileID, at); err != nil {
			return err
		}
		if err := record(ctx, tx, v, est, in.StudentID, "justification:"+id, at, nil,
			map[string]any{"state": Pending, "reason": in.ReasonID, "covers": len(chosen), "document": fileID != nil}); err != nil {
			return err
		}
		for _, it := range chosen {
			if err := cover(ctx, tx, v, est, in.StudentID, id, it, ReasonGiven, in.ReasonID, at); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		if saved.ID != "" {
			store.Discard(ctx, d, saved)
		}
		if p, ok := documentProblem(err, docName); ok {
			return "", check.Problems{p}
		}
		return "", err
	}
	return id, nil
}

// checkNamed refuses items named by the form that are not the student's.
func checkNamed(ctx context.Context, q db.Querier, est string, in JustificationInput) error {
	if len(in.Absences)+len(in.Lateness) == 0 {
		return nil
	}
	items, err := coverable(ctx, q, est, in.StudentID, justSpan{StartDate: "0000-00-00", EndDate: "9999-99-99", EndMin: 1440})
	if err != nil {
		return err
	}
	have := map[string]bool{}
	for _, it := range items {
		have[it.kind+"/"+it.id] = true
	}
	for _, id := range in.Absences {
		if !have["absence/"+id] {
			return access.Refuse(access.Justify, access.Person(in.StudentID), "not an absence of the student to justify")
		}
	}
	for _, id := range in.Lateness {
		if !have["late/"+id] {
			return access.Refuse(access.Justify, access.Person(in.StudentID), "not a lateness of the student to justify")
		}
	}
	return nil
}

// tooLarge says a document is over limit bytes: in MB, or in KB under
// one MB.
func tooLarge(limit int64) check.Problem {
	if limit < 1<<20 {
		return check.Problem{Field: "document", Code: "too-large-kb", N: int(max(limit>>10, 1))}
	}
	return check.Problem{Field: "document", Code: "too-large", N: int(limit >> 20)}
}

// documentProblem explains a document the file store refused.
func documentProblem(err error, name string) (check.Problem, bool) {
	var tl files.TooLarge
	var rf files.Refused
	switch {
	case errors.As(err, &tl):
		return tooLarge(tl.Limit), true
	case errors.As(err, &rf):
		return check.Problem{Field: "document", Code: "type", Value: name}, true
	case errors.Is(err, files.ErrEmpty):
		return check.Problem{Field: "document", Code: "empty", Value: name}, true
	}
	return check.Problem{}, false
}

// cover links an item to a justification (new: the justification is being
// written) and moves it to state with reason, in its history. An item
// already in that state with that reason keeps its history quiet.
func cover(ctx context.Context, tx db.Querier, v *access.Viewer, est, student, jid string, it coverItem, state, reason string, at int64) error {
	table, col, subject := "att_absences", "absence_id", "absence:"
	if it.kind == "late" {
		table, col, subject = "att_marks", "mark_id", "mark:"
	}
	if _, err := tx.Exec(ctx, `INSERT INTO att_justification_covers (justification_id, `+col+`) VALUES (?, ?)`, jid, it.id); err != nil {
		return err
	}
	if it.state == "-" { // created with its state
		return nil
	}
	if _, err := tx.Exec(ctx, `UPDATE `+table+` SET state = ?, reason_id = ?, updated_at = ? WHERE id = ?`, state, reason, at, it.id); err != nil {
		return err
	}
	return record(ctx, tx, v, est, student, subject+it.id, at, map[string]any{"state": it.state}, map[string]any{"state": state, "reason": reason, "justification": jid})
}

// Queue lists est's justifications waiting for review, oldest first, for
// school life (access.ManageSchoolLife on est).
func (s *Service) Queue(ctx context.Context, v *access.Viewer, est string) ([]Justification, error) {
	if err := v.Can(ctx, access.ManageSchoolLife, access.Establishment(est)); err != nil {
		return nil, err
	}
	js, err := justificationsOf(ctx, s.DB, true, `j.establishment_id = ? AND j.state = 'pending' ORDER BY j.created_at, j.id`, est)
	if err != nil {
		return nil, err
	}
	// Only students the viewer manages (deactivated ones are refused).
	var studs []string
	for _, j := range js {
		studs = append(studs, j.Student.ID)
	}
	ok, err := v.VisibleStudents(ctx, access.ManageSchoolLife, studs)
	if err != nil {
		return nil, err
	}
	names, err := studentNames(ctx, s.DB, studs)
	if err != nil {
		return nil, err
	}
	out := js[:0]
	for _, j := range js {
		if ok[j.Student.ID] {
			j.Student.Class = names[j.Student.ID].Class
			out = append(out, j)
		}
	}
	return out, nil
}

// Review is school life's answer to a pending justification: accepted,
// the items it covers become justified when its reason is legitimate and
// not accepted otherwise; refused (with a message, required), they become
// not accepted (an item justified meanwhile stays so). Each change is in
// the history; the author is told (a notice "justification-reviewed").
// The viewer manages the student's school life.
func (s *Service) Review(ctx context.Context, v *access.Viewer, id string, accept bool, answer string) error {
	return review(ctx, v, s.DB, func(fn func(db.Querier) error) error {
		return s.DB.Tx(ctx, func(tx *db.Tx) error { return fn(tx) })
	}, s.now(), id, accept, answer)
}

// ReviewIn is Review inside the caller's transaction q (the demo).
func ReviewIn(ctx context.Context, v *access.Viewer, q db.Querier, now time.Time, id string, accept bool, answer string) error {
	return review(ctx, v, q, func(fn func(db.Querier) error) error { return fn(q) }, now, id, accept, answer)
}

func review(ctx context.Context, v *access.Viewer, q db.Querier, run func(func(db.Querier) error) error, now time.Time,
	id string, accept bool, answer string) error {
	var est, student, author, state, first string
	var legit bool
	err := q.QueryRow(ctx, `SELECT j.establishment_id, j.student_id, j.author_id, j.state, r.legitimate, p.first_name FROM att_justifications j
		JOIN att_reasons r ON r.id = j.reason_id JOIN people p ON p.id = j.student_id WHERE j.id = ?`, id).
		Scan(&est, &student, &author, &state, &legit, &first)
	if errors.Is(err, sql.ErrNoRows) {
		return access.Refuse(access.ManageSchoolLife, access.Person(""), "no such justification")
	}
	if err != nil {
		return err
	}
	if err := v.Can(ctx, access.ManageSchoolLife, access.Person(student)); err != nil {
		return err
	}
	ps := CheckReview(accept, answer)
	if state != Pending {
		ps.Add("answer", "reviewed", state)
	}
	if len(ps) > 0 {
		return ps
	}
	next, itemState := Refused, NotAccepted
	if accept {
		next = Accepted
		if legit {
			itemState = Justified
		}
	}
	at := now.Unix()
	return run(func(tx db.Querier) error {
		res, err := tx.Exec(ctx, `UPDATE att_justifications SET state = ?, answer = ?, reviewed_by = ?, reviewed_at = ? WHERE id = ? AND state = 'pending'`,
			next, answer, v.ID, at, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return check.Problems{{Field: "answer", Code: "reviewed", Value: ""}}
		}
		if err := record(ctx, tx, v, est, student, "justification:"+id, at, map[string]any{"state": Pending},
			map[string]any{"state": next, "answer": answer}); err != nil {
			return err
		}
		type it struct{ kind, id, state string }
		items, err := db.All(ctx, tx, func(sc db.Scanner) (it, error) {
			var x it
			err := sc.Scan(&x.kind, &x.id, &x.state)
			return x, err
		}, `SELECT 'absence', a.id, a.state FROM att_justification_covers c JOIN att_absences a ON a.id = c.absence_id WHERE c.justification_id = ?
			UNION ALL SELECT 'late', m.id, m.state FROM att_justification_covers c JOIN att_marks m ON m.id = c.mark_id WHERE c.justification_id = ?
			ORDER BY 2`, id, id)
		if err != nil {
			return err
		}
		for _, x := range items {
			if x.state == itemState || (x.state == Justified && itemState == NotAccepted) {
				continue
			}
			table, subject := "att_absences", "absence:"
			if x.kind == "late" {
				table, subject = "att_marks", "mark:"
			}
			if _, err := tx.Exec(ctx, `UPDATE `+table+` SET state = ?, updated_at = ? WHERE id = ?`, itemState, at, x.id); err != nil {
				return err
			}
			if err := record(ctx, tx, v, est, student, subject+x.id, at, map[string]any{"state": x.state},
				map[string]any{"state": itemState, "justification": id}); err != nil {
				return err
			}
		}
		_, err = notify.Queue(ctx, v, tx, notify.Notice{Establishment: est, Recipient: author, About: student, Kind: "justification-reviewed",
			Key: "justification-reviewed/" + id, Args: map[string]string{"child": first, "state": next},
			Link: "/justifications?child=" + student})
		return err
	})
}

// Establishments lists the establishments whose school life the viewer
// reads (access.ReadSchoolLife), by name.
func (s *Service) Establishments(ctx context.Context, v *access.Viewer) ([]directory.Establishment, error) {
	var out []directory.Establishment
	for _, e := range v.Establishments {
		ok, err := v.May(ctx, access.ReadSchoolLife, access.Establishment(e))
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		est, err := directory.EstablishmentByID(ctx, s.DB, e)
		if err != nil {
			return nil, err
		}
		out = append(out, est)
	}
	slices.SortFunc(out, func(a, b directory.Establishment) int { return cmpStr(a.Name, b.Name) })
	return out, nil
}
