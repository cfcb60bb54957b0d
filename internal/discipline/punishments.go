package discipline

import (
	"context"
	"errors"
	"strconv"

	"cartable/internal/access"
	"cartable/internal/check"
	"cartable/internal/db"
	"cartable/internal/notify"
	"cartable/internal/timetable"
)

// today is the service's day in Paris.
func (s *Service) today() string {
	return s.now().In(timetable.Paris).Format(timetable.DateFormat)
}

// student asks a on the student id and reads them; a missing student is
// refused like a forbidden one.
func (s *Service) student(ctx context.Context, v *access.Viewer, a access.Action, id string) (studentFacts, error) {
	if err := v.Can(ctx, a, access.Person(id)); err != nil {
		return studentFacts{}, err
	}
	f, err := studentByID(ctx, s.DB, id, v.Establishments)
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
	out.Lessons, err = s.recentLessons(ctx, v, f)
	return out, err
}

// recentLessons lists the lessons of the last two weeks that the student
// attends and the viewer sees: the student's timetable when the viewer
// reads it, else the viewer's own lessons.
func (s *Service) recentLessons(ctx context.Context, v *access.Viewer, f studentFacts) ([]LessonRef, error) {
	now := s.now().In(timetable.Paris)
	from := now.AddDate(0, 0, -14).Format(timetable.DateFormat)
	to := now.Format(timetable.DateFormat)
	ls, err := timetable.Lessons(ctx, v, s.DB, timetable.Target{Kind: timetable.TargetStudent, ID: f.ID}, from, to)
	own := false
	if errors.Is(err, access.ErrDenied) {
		own = true
		ls, err = timetable.Lessons(ctx, v, s.DB, timetable.Target{Kind: timetable.TargetTeacher, ID: v.ID}, from, to)
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
			ok, err := attends(ctx, s.DB, f.ID, l.Slot.ID)
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
func (s *Service) lessonProblems(ctx context.Context, v *access.Viewer, f studentFacts, c cleanPunishment) (check.Problems, []*access.Denied, error) {
	var ps check.Problems
	if c.slot == "" {
		return nil, nil, nil
	}
	value := c.slot + "/" + c.lessonDate
	l, err := timetable.LessonAt(ctx, v, s.DB, c.slot, c.lessonDate)
	var d *access.Denied
	if errors.As(err, &d) {
		ps.Add("lesson", "unknown-lesson", value)
		return ps, []*access.Denied{d}, nil
	}
	if err != nil {
		return nil, nil, err
	}
	ok, err := attends(ctx, s.DB, f.ID, c.slot)
	if err != nil {
		return nil, nil, err
	}
	switch {
	case !ok || l.Slot.EstablishmentID != f.establishment:
		ps.Add("lesson", "not-attending", value)
	case l.Date > s.today():
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
func (s *Service) incidentOf(ctx context.Context, v *access.Viewer, id, est string) error {
	if id == "" {
		return nil
	}
	i, err := incidentByID(ctx, s.DB, id)
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
	f, err := s.student(ctx, v, access.GivePunishment, in.StudentID)
	if err != nil {
		return "", err
	}
	if err := s.incidentOf(ctx, v, incident, f.establishment); err != nil {
		return "", err
	}
	today := s.today()
	y, err := schoolYear(ctx, s.DB, f.establishment, today)
	if err != nil && !errors.Is(err, errNotFound) {
		return "", err
	}
	c, ps := checkPunishment(in, y)
	lp, refusals, err := s.lessonProblems(ctx, v, f, c)
	if err != nil {
		return "", err
	}
	ps = append(ps, lp...)
	if len(refusals) > 0 {
		return "", &Rejected{Problems: ps, Refusals: refusals}
	}
	if len(ps) > 0 {
		return "", ps
	}
	id := newID()
	now := s.now().Unix()
	err = s.DB.Tx(ctx, func(tx *db.Tx) error {
		if err := insertPunishment(ctx, tx, id, f.establishment, f.ID, v.ID, incident, today, c, now); err != nil {
			return err
		}
		after := c.fields()
		after["given_on"] = today
		if incident != "" {
			after["incident"] = incident
		}
		if err := record(ctx, tx, v, f.establishment, f.ID, "punishment:"+id, now, nil, after); err != nil {
			return err
		}
		return s.tell(ctx, v, tx, f, "punishment", "punishment/"+id, map[string]string{"kind": c.kind, "date": today})
	})
	return id, err
}

// tell queues a notice to each legal guardian of the student.
func (s *Service) tell(ctx context.Context, v *access.Viewer, q db.Querier, f studentFacts, kind, key string, args map[string]string) error {
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
	p, err := punishmentByID(ctx, s.DB, id)
	if errors.Is(err, errNotFound) {
		return p, studentFacts{}, access.Refuse(access.GivePunishment, punishmentResource(id), "no such punishment")
	}
	if err != nil {
		return p, studentFacts{}, err
	}
	ok, err := s.mayEdit(ctx, v, p.StaffPunishment)
	if err != nil {
		return p, studentFacts{}, err
	}
	if !ok || p.Cancelled {
		return p, studentFacts{}, access.Refuse(access.GivePunishment, punishmentResource(id), "neither its author nor school life")
	}
	f := studentFacts{Student: p.Student, establishment: p.establishment}
	return p, f, nil
}

func (s *Service) mayEdit(ctx context.Context, v *access.Viewer, p StaffPunishment) (bool, error) {
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
	out.Lessons, err = s.recentLessons(ctx, v, f)
	return out, err
}

// Edit changes a punishment (its author, school life): the detention's
// outcome, its details, the reason. The history keeps the fields before
// and after.
func (s *Service) Edit(ctx context.Context, v *access.Viewer, id string, in PunishmentInput) error {
	p, f, err := s.editable(ctx, v, id)
	if err != nil {
		return err
	}
	y, err := schoolYear(ctx, s.DB, f.establishment, p.GivenOn)
	if err != nil && !errors.Is(err, errNotFound) {
		return err
	}
	c, ps := checkPunishment(in, y)
	lp, refusals, err := s.lessonProblems(ctx, v, f, c)
	if err != nil {
		return err
	}
	ps = append(ps, lp...)
	if len(refusals) > 0 {
		return &Rejected{Problems: ps, Refusals: refusals}
	}
	if len(ps) > 0 {
		return ps
	}
	before, after := diff(cleanOf(p.StaffPunishment).fields(), c.fields())
	if len(before) == 0 && len(after) == 0 {
		return nil
	}
	now := s.now().Unix()
	return s.DB.Tx(ctx, func(tx *db.Tx) error {
		if err := updatePunishment(ctx, tx, id, c, now); err != nil {
			return err
		}
		return record(ctx, tx, v, f.establishment, f.ID, "punishment:"+id, now, before, after)
	})
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
