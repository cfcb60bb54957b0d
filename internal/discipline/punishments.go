package discipline

import (
	"context"
	"errors"
	"strconv"
	"time"

	"cartable/internal/access"
	"cartable/internal/check"
	"cartable/internal/db"
	"cartable/internal/notify"
	"cartable/internal/timetable"
)

// op is one operation's database and time: the service's (reads through
// the pool, writes in a transaction of their own) or a caller's
// transaction (the demo's *In functions).
type op struct {
	q   db.Querier
	now time.Time
	ids func() string // nil: random identifiers
}

// Stamp is when a write made inside a caller's transaction happens, and
// where its identifiers come from (the demo's seeded source; nil: random).
type Stamp struct {
	Now time.Time
	ID  func() string
}

func (o op) newID() string {
	if o.ids != nil {
		return o.ids()
	}
	return newID()
}

func (s *Service) op() op { return op{q: s.DB, now: s.now()} }

// today is the operation's day in Paris.
func (o op) today() string { return o.now.In(timetable.Paris).Format(timetable.DateFormat) }

// today is the service's day in Paris.
func (s *Service) today() string { return s.op().today() }

// student asks a on the student id and reads them; a missing student is
// refused like a forbidden one.
func (s *Service) student(ctx context.Context, v *access.Viewer, a access.Action, id string) (studentFacts, error) {
	return s.op().student(ctx, v, a, id)
}

func (o op) student(ctx context.Context, v *access.Viewer, a access.Action, id string) (studentFacts, error) {
	if err := v.Can(ctx, a, access.Person(id)); err != nil {
		return studentFacts{}, err
	}
	f, err := studentByID(ctx, o.q, id, v.Establishments)
	if errors.Is(err, errNotFound) {
		return f, access.Refuse(a, access.Person(id), "no such student")
	}
	return f, err
}

// punishmentResource names a punishment in refusals.
func punishmentResource(id string) access.Resource {
	return access.Resource{Kind: "punishment", ID: id}
}

// PunishmentForm is what the punishment form offers for one student.
type PunishmentForm struct {
	Student Student
	Year    Year
	Today   string
	Lessons []LessonRef // the student's lessons of the last two weeks, for an exclusion
	// Incident is the incident the punishment follows, when school life
	// gives it from the incident's page.
	Incident string
}

// NewPunishment prepares the punishment form for a student the viewer may
// punish (the teachers of the student's classes and groups, school life).
func (s *Service) NewPunishment(ctx context.Context, v *access.Viewer, studentID string) (PunishmentForm, error) {
	f, err := s.student(ctx, v, access.GivePunishment, studentID)
	if err != nil {
		return PunishmentForm{}, err
	}
	out := PunishmentForm{Student: f.Student, Today: s.today()}
	if out.Year, err = schoolYear(ctx, s.DB, f.establishment, out.Today); err != nil && !errors.Is(err, errNotFound) {
		return out, err
	}
	out.Lessons, err = s.op().recentLessons(ctx, v, f)
	return out, err
}

// recentLessons lists the lessons of the last two weeks that the student
// attends and the viewer sees: the student's timetable when the viewer
// reads it, else the viewer's own lessons.
func (o op) recentLessons(ctx context.Context, v *access.Viewer, f studentFacts) ([]LessonRef, error) {
	now := o.now.In(timetable.Paris)
	from := now.AddDate(0, 0, -14).Format(timetable.DateFormat)
	to := now.Format(timetable.DateFormat)
	ls, err := timetable.Lessons(ctx, v, o.q, timetable.Target{Kind: timetable.TargetStudent, ID: f.ID}, from, to)
	own := false
	if errors.Is(err, access.ErrDenied) {
		own = true
		ls, err = timetable.Lessons(ctx, v, o.q, timetable.Target{Kind: timetable.TargetTeacher, ID: v.ID}, from, to)
	}
	if err != nil {
		return nil, err
	}
	var out []LessonRef
	for i := len(ls) - 1; i >= 0; i-- {
		l := ls[i]
		if l.Cancelled() || l.Start.After(now) || l.Slot.EstablishmentID != f.establishment {
			continue
		}
		if own {
			ok, err := attends(ctx, o.q, f.ID, l.Slot.ID)
			if err != nil {
				return nil, err
			}
			if !ok {
				continue
			}
		}
		out = append(out, LessonRef{SlotID: l.Slot.ID, Date: l.Date, Subject: l.Slot.SubjectName, StartMin: l.Start.Hour()*60 + l.Start.Minute()})
	}
	return out, nil
}

// lessonProblems checks the lesson of an exclusion: one the viewer sees,
// that the student attends, in their establishment, not in the future.
func (o op) lessonProblems(ctx context.Context, v *access.Viewer, f studentFacts, c cleanPunishment) (check.Problems, []*access.Denied, error) {
	var ps check.Problems
	if c.slot == "" {
		return nil, nil, nil
	}
	value := c.slot + "/" + c.lessonDate
	l, err := timetable.LessonAt(ctx, v, o.q, c.slot, c.lessonDate)
	var d *access.Denied
	if errors.As(err, &d) {
		ps.Add("lesson", "unknown-lesson", value)
		return ps, []*access.Denied{d}, nil
	}
	if err != nil {
		return nil, nil, err
	}
	ok, err := attends(ctx, o.q, f.ID, c.slot)
	if err != nil {
		return nil, nil, err
	}
	switch {
	case !ok || l.Slot.EstablishmentID != f.establishment:
		ps.Add("lesson", "not-attending", value)
	case l.Date > o.today():
		ps.Add("lesson", "future-lesson", l.Date)
	}
	return ps, nil, nil
}

// fields are what the history records of a punishment.
func (c cleanPunishment) fields() map[string]string {
	m := map[string]string{"kind": c.kind, "reason": c.reason}
	add := func(k, v string) {
		if v != "" {
			m[k] = v
		}
	}
	add("private_note", c.note)
	add("work", c.work)
	add("due_on", c.due)
	add("on_date", c.onDate)
	if c.kind == Detention {
		m["start"] = timetable.HHMM(c.start)
		m["duration"] = strconv.Itoa(c.duration)
	}
	add("place", c.place)
	add("outcome", c.outcome)
	if c.slot != "" {
		m["lesson"] = c.slot + "/" + c.lessonDate
	}
	add("report", c.report)
	return m
}

// cleanOf is a stored punishment as a checked form, to compare.
func cleanOf(p StaffPunishment) cleanPunishment {
	c := cleanPunishment{kind: p.Kind, reason: p.Reason, note: p.PrivateNote, work: p.Work, due: p.DueOn, onDate: p.OnDate,
		place: p.Place, outcome: p.Outcome, report: p.Report, start: p.StartMin, duration: p.DurationMin}
	if p.Lesson != nil {
		c.slot, c.lessonDate = p.Lesson.SlotID, p.Lesson.Date
	}
	return c
}

// diff keeps the fields that changed between two states.
func diff(before, after map[string]string) (map[string]string, map[string]string) {
	b, a := map[string]string{}, map[string]string{}
	for k, v := range before {
		if after[k] != v {
			b[k] = v
		}
	}
	for k, v := range after {
		if before[k] != v {
			a[k] = v
		}
	}
	return b, a
}

// incidentOf checks that an incident named by a form is one of est that
// the viewer reads (school life); "" passes.
func (o op) incidentOf(ctx context.Context, v *access.Viewer, id, est string) error {
	if id == "" {
		return nil
	}
	i, err := incidentByID(ctx, o.q, id)
	if errors.Is(err, errNotFound) || (err == nil && i.EstablishmentID != est) {
		return access.Refuse(access.ManageSchoolLife, access.Resource{Kind: "incident", ID: id}, "no such incident here")
	}
	if err != nil {
		return err
	}
	return v.Can(ctx, access.ManageSchoolLife, access.Establishment(est))
}

// Give records a punishment given by the viewer (a teacher of the student,
// school life) and tells the student's legal guardians, in one
// transaction. incident, when not "", is the incident it follows (school
// life only). What is wrong with the form comes back as check.Problems (or
// *Rejected, with the refusal of a lesson a forged form named), having
// changed nothing. It returns the punishment's ID.
func (s *Service) Give(ctx context.Context, v *access.Viewer, in PunishmentInput, incident string) (string, error) {
	id, write, err := s.op().give(ctx, v, in, incident)
	if err != nil {
		return "", err
	}
	return id, s.DB.Tx(ctx, func(tx *db.Tx) error { return write(tx) })
}

// GiveIn is Give inside the caller's transaction q, at.Now, with identifiers from at.ID (the demo).
func GiveIn(ctx context.Context, v *access.Viewer, q db.Querier, in PunishmentInput, incident string, at Stamp) (string, error) {
	id, write, err := op{q: q, now: at.Now, ids: at.ID}.give(ctx, v, in, incident)
	if err != nil {
		return "", err
	}
	return id, write(q)
}

// give checks a punishment and returns its write.
func (o op) give(ctx context.Context, v *access.Viewer, in PunishmentInput, incident string) (string, func(db.Querier) error, error) {
	f, err := o.student(ctx, v, access.GivePunishment, in.StudentID)
	if err != nil {
		return "", nil, err
	}
	if err := o.incidentOf(ctx, v, incident, f.establishment); err != nil {
		return "", nil, err
	}
	today := o.today()
	y, err := schoolYear(ctx, o.q, f.establishment, today)
	if err != nil && !errors.Is(err, errNotFound) {
		return "", nil, err
	}
	c, ps := checkPunishment(in, y)
	lp, refusals, err := o.lessonProblems(ctx, v, f, c)
	if err != nil {
		return "", nil, err
	}
	ps = append(ps, lp...)
	if len(refusals) > 0 {
		return "", nil, &Rejected{Problems: ps, Refusals: refusals}
	}
	if len(ps) > 0 {
		return "", nil, ps
	}
	id := o.newID()
	now := o.now.Unix()
	return id, func(q db.Querier) error {
		if err := insertPunishment(ctx, q, id, f.establishment, f.ID, v.ID, incident, today, c, now); err != nil {
			return err
		}
		after := c.fields()
		after["given_on"] = today
		if incident != "" {
			after["incident"] = incident
		}
		if err := record(ctx, q, v, f.establishment, f.ID, "punishment:"+id, now, nil, after); err != nil {
			return err
		}
		if c.kind == LessonExclusion {
			if err := report(ctx, v, q, f, id); err != nil {
				return err
			}
		}
		return tell(ctx, v, q, f, "punishment", "punishment/"+id, map[string]string{"kind": c.kind, "date": today})
	}, nil
}

// report addresses the written report of an exclusion from a lesson to
// the head and the CPEs of the establishment (a notice each, leading to
// the student's record).
func report(ctx context.Context, v *access.Viewer, q db.Querier, f studentFacts, id string) error {
	to, err := schoolLifeHeads(ctx, q, f.establishment)
	if err != nil {
		return err
	}
	for _, r := range to {
		if r == v.ID {
			continue
		}
		if _, err := notify.Queue(ctx, v, q, notify.Notice{Establishment: f.establishment, Recipient: r, About: f.ID,
			Kind: "exclusion-report", Key: "exclusion-report/" + id,
			Args: map[string]string{"student": f.DisplayName(), "class": f.Class},
			Link: "/discipline/students/" + f.ID + "#p-" + id}); err != nil {
			return err
		}
	}
	return nil
}

// tell queues a notice to each legal guardian of the student.
func tell(ctx context.Context, v *access.Viewer, q db.Querier, f studentFacts, kind, key string, args map[string]string) error {
	gs, err := guardians(ctx, q, f.ID)
	if err != nil {
		return err
	}
	args["student"] = f.FirstName
	for _, g := range gs {
		if _, err := notify.Queue(ctx, v, q, notify.Notice{Establishment: f.establishment, Recipient: g, About: f.ID,
			Kind: kind, Key: key, Args: args, Link: "/discipline/students/" + f.ID}); err != nil {
			return err
		}
	}
	return nil
}

// editable loads a punishment the viewer may change: its author while
// they may still punish the student, or school life. Anything else, a
// cancelled punishment included, is a refusal.
func (s *Service) editable(ctx context.Context, v *access.Viewer, id string) (punRow, studentFacts, error) {
	return s.op().editable(ctx, v, id)
}

func (o op) editable(ctx context.Context, v *access.Viewer, id string) (punRow, studentFacts, error) {
	p, err := punishmentByID(ctx, o.q, id)
	if errors.Is(err, errNotFound) {
		return p, studentFacts{}, access.Refuse(access.GivePunishment, punishmentResource(id), "no such punishment")
	}
	if err != nil {
		return p, studentFacts{}, err
	}
	ok, err := mayEdit(ctx, v, p.StaffPunishment)
	if err != nil {
		return p, studentFacts{}, err
	}
	if !ok || p.Cancelled {
		return p, studentFacts{}, access.Refuse(access.GivePunishment, punishmentResource(id), "neither its author nor school life")
	}
	f := studentFacts{Student: p.Student, establishment: p.establishment}
	return p, f, nil
}

func mayEdit(ctx context.Context, v *access.Viewer, p StaffPunishment) (bool, error) {
	if ok, err := v.May(ctx, access.ManageSchoolLife, access.Person(p.Student.ID)); err != nil || ok {
		return ok, err
	}
	if p.AuthorID != v.ID {
		return false, nil
	}
	return v.May(ctx, access.GivePunishment, access.Person(p.Student.ID))
}

// EditForm is a punishment with what its form offers.
type EditForm struct {
	PunishmentForm
	Punishment StaffPunishment
}

// Punishment reads a punishment for its edit form: its author or school
// life.
func (s *Service) Punishment(ctx context.Context, v *access.Viewer, id string) (EditForm, error) {
	p, f, err := s.editable(ctx, v, id)
	if err != nil {
		return EditForm{}, err
	}
	out := EditForm{Punishment: p.StaffPunishment}
	out.Punishment.MayEdit = true
	out.Student, out.Today = f.Student, s.today()
	if out.Year, err = schoolYear(ctx, s.DB, f.establishment, p.GivenOn); err != nil && !errors.Is(err, errNotFound) {
		return out, err
	}
	out.Lessons, err = s.op().recentLessons(ctx, v, f)
	return out, err
}

// Edit changes a punishment (its author, school life): the detention's
// outcome, its details, the reason. The history keeps the fields before
// and after.
func (s *Service) Edit(ctx context.Context, v *access.Viewer, id string, in PunishmentInput) error {
	write, err := s.op().edit(ctx, v, id, in)
	if err != nil || write == nil {
		return err
	}
	return s.DB.Tx(ctx, func(tx *db.Tx) error { return write(tx) })
}

// EditIn is Edit inside the caller's transaction q, at.Now (the demo).
func EditIn(ctx context.Context, v *access.Viewer, q db.Querier, id string, in PunishmentInput, at Stamp) error {
	write, err := op{q: q, now: at.Now, ids: at.ID}.edit(ctx, v, id, in)
	if err != nil || write == nil {
		return err
	}
	return write(q)
}

// edit checks a punishment's change and returns its write (nil when
// nothing changes).
func (o op) edit(ctx context.Context, v *access.Viewer, id string, in PunishmentInput) (func(db.Querier) error, error) {
	p, f, err := o.editable(ctx, v, id)
	if err != nil {
		return nil, err
	}
	y, err := schoolYear(ctx, o.q, f.establishment, p.GivenOn)
	if err != nil && !errors.Is(err, errNotFound) {
		return nil, err
	}
	c, ps := checkPunishment(in, y)
	lp, refusals, err := o.lessonProblems(ctx, v, f, c)
	if err != nil {
		return nil, err
	}
	ps = append(ps, lp...)
	if len(refusals) > 0 {
		return nil, &Rejected{Problems: ps, Refusals: refusals}
	}
	if len(ps) > 0 {
		return nil, ps
	}
	before, after := diff(cleanOf(p.StaffPunishment).fields(), c.fields())
	if len(before) == 0 && len(after) == 0 {
		return nil, nil
	}
	now := o.now.Unix()
	return func(q db.Querier) error {
		if err := updatePunishment(ctx, q, id, c, now); err != nil {
			return err
		}
		return record(ctx, q, v, f.establishment, f.ID, "punishment:"+id, now, before, after)
	}, nil
}

// Cancel cancels a punishment (its author, school life): it stays in the
// history, and leaves the family's view.
func (s *Service) Cancel(ctx context.Context, v *access.Viewer, id string) error {
	_, f, err := s.editable(ctx, v, id)
	if err != nil {
		return err
	}
	now := s.now().Unix()
	return s.DB.Tx(ctx, func(tx *db.Tx) error {
		if err := cancelPunishment(ctx, tx, id, now); err != nil {
			return err
		}
		return record(ctx, tx, v, f.establishment, f.ID, "punishment:"+id, now,
			map[string]string{"cancelled": "false"}, map[string]string{"cancelled": "true"})
	})
}
