package classlog

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"cartable/internal/access"
	"cartable/internal/check"
	"cartable/internal/db"
	"cartable/internal/directory"
	"cartable/internal/timetable"
)

// A copy of an entry is given to another class or group on another day:
// its homework must not stay due on the original's dates (a copy made for
// 7 December would be due before it was set). The copy keeps the rhythm
// of the work, the way a teacher plans it:
//
//   - homework due at a lesson of the original class or group, the n-th of
//     the subject after the entry's lesson, is due at the n-th lesson of
//     the subject of the target class or group after the copy's date
//     ("for the next lesson" stays "for the next lesson");
//   - otherwise (a date without a lesson, or no such lesson within eight
//     weeks), the due date moves by as many school days (Monday to
//     Friday) as it was after the entry's lesson.
//
// The copy's form shows these proposals; the teacher changes any of them
// before saving.

// CopyInput is the copy form as sent.
type CopyInput struct {
	Target string // the class or group, "c:ID" or "g:ID"
	// Date is the copy's lesson date (YYYY-MM-DD); empty: the target's
	// first lesson of the subject on or after the entry's lesson date, or
	// else that date.
	Date string
	// Due gives, by homework of the entry (its ID), the due date of its
	// copy (YYYY-MM-DD); a homework not named is due as proposed.
	Due map[string]string
}

// CopyDue is the due date proposed for the copy of one homework.
type CopyDue struct {
	Homework  Homework // the original
	Due       string   // YYYY-MM-DD
	DueSlotID string   // the target's lesson it is due at, "" for a date
	// Rule says how Due was found: "lesson" (the N-th lesson of the
	// subject after the copy's date), "days" (N school days after it) or
	// "same-day" (due the day of the lesson, as the original).
	Rule string
	N    int
}

// CopyPlan is what the copy form shows.
type CopyPlan struct {
	Entry Entry
	// Targets are the classes and groups the viewer teaches the entry's
	// subject to in its establishment, the entry's own excepted.
	Targets []directory.TeachingRow
	// Target, TargetName, Date and Due are set once a target is chosen.
	Target, TargetName string
	Date               string
	Due                []CopyDue
}

// PlanCopy prepares the copy of the viewer's entry: where it may go and,
// for target (as forms send it; "" while none is chosen), the date of the
// copy (date, or the proposal when empty) and the due dates proposed for
// its homework. Refusals and problems are those of Copy; on a problem the
// plan comes back with the entry and its targets, for the form.
func (s *Service) PlanCopy(ctx context.Context, v *access.Viewer, entryID, target, date string) (CopyPlan, error) {
	var p CopyPlan
	if err := v.Can(ctx, access.EditEntry, access.Entry(entryID)); err != nil {
		return p, err
	}
	e, err := entryByID(ctx, s.DB, entryID)
	if errors.Is(err, errNotFound) {
		return p, access.Refuse(access.EditEntry, access.Entry(entryID), "deleted meanwhile")
	}
	if err != nil {
		return p, err
	}
	p.Entry = e
	teaching, _, err := directory.MyTeaching(ctx, v, s.DB)
	if err != nil {
		return p, err
	}
	for _, t := range teaching {
		if t.SubjectCode == e.SubjectCode && t.EstablishmentID == e.EstablishmentID && (t.ClassID != e.ClassID || t.GroupID != e.GroupID) {
			p.Targets = append(p.Targets, t)
		}
	}
	if target == "" {
		return p, nil
	}
	if err := s.planTarget(ctx, v, &p, target, date); err != nil {
		return p, err
	}
	return p, nil
}

// planTarget checks the target and the date and proposes the due dates.
func (s *Service) planTarget(ctx context.Context, v *access.Viewer, p *CopyPlan, target, date string) error {
	e := p.Entry
	classID, groupID, ok := audience(target)
	if !ok {
		return access.Refuse(access.WriteClassLog, structureOf(target), "not a class or group")
	}
	// A class or group the author does not teach: refused as unknown.
	if err := v.Can(ctx, access.WriteClassLog, structureOf(target)); err != nil {
		return err
	}
	date = strings.TrimSpace(date)
	if date != "" {
		if _, err := timetable.ParseDate(date); err != nil {
			return check.Problems{{Field: "date", Code: "bad-date", Value: date}}
		}
	}
	if classID == e.ClassID && groupID == e.GroupID {
		return check.Problems{{Field: "target", Code: "same-audience"}}
	}
	pr, name, err := copyTargetProblem(ctx, s.DB, e, classID, groupID)
	if err != nil {
		return err
	}
	if pr != nil {
		return check.Problems{*pr}
	}
	p.Target, p.TargetName = AudienceKey(classID, groupID), name
	to := timetable.Audience{ClassID: classID, GroupID: groupID}
	if date == "" {
		// The target's own lesson of the subject, when it comes soon after.
		date = e.LessonDate
		next, err := s.subjectLessons(ctx, v, e, to, e.LessonDate, 21)
		if err != nil {
			return err
		}
		for _, l := range next {
			if l.Date >= e.LessonDate {
				date = l.Date
				break
			}
		}
	}
	p.Date = date
	p.Due, err = s.proposeDues(ctx, v, e, to, date)
	return err
}

// subjectLessons lists the lessons of e's subject that audience a attends
// (a group drawn from a class is not the class), not cancelled, from the
// day from over days days, by date and time. A timetable the viewer may
// not read gives none: the proposals fall back on school days.
func (s *Service) subjectLessons(ctx context.Context, v *access.Viewer, e Entry, a timetable.Audience, from string, days int) ([]timetable.Lesson, error) {
	day, err := timetable.ParseDate(from)
	if err != nil {
		return nil, err
	}
	t := timetable.Target{Kind: timetable.TargetClass, ID: a.ClassID}
	if a.GroupID != "" {
		t = timetable.Target{Kind: timetable.TargetGroup, ID: a.GroupID}
	}
	ls, err := timetable.Lessons(ctx, v, s.DB, t, from, day.AddDate(0, 0, days).Format(timetable.DateFormat))
	if errors.Is(err, access.ErrDenied) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []timetable.Lesson
	for _, l := range ls {
		if l.Slot.SubjectID == e.SubjectID && !l.Cancelled() && hasAudience(l, a) {
			out = append(out, l)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Date != out[j].Date {
			return out[i].Date < out[j].Date
		}
		return out[i].Slot.StartMin < out[j].Slot.StartMin
	})
	return out, nil
}

// copyHorizon is how far (days) the proposals look for lessons: eight
// weeks cover a holiday of two.
const copyHorizon = 56

// proposeDues proposes the due date of the copy of each homework of e,
// for audience to on date (see the rule at the top of this file).
func (s *Service) proposeDues(ctx context.Context, v *access.Viewer, e Entry, to timetable.Audience, date string) ([]CopyDue, error) {
	if len(e.Homework) == 0 {
		return nil, nil
	}
	after := func(d string) string {
		t, _ := timetable.ParseDate(d)
		return t.AddDate(0, 0, 1).Format(timetable.DateFormat)
	}
	was, err := s.subjectLessons(ctx, v, e, timetable.Audience{ClassID: e.ClassID, GroupID: e.GroupID}, after(e.LessonDate), copyHorizon)
	if err != nil {
		return nil, err
	}
	will, err := s.subjectLessons(ctx, v, e, to, after(date), copyHorizon)
	if err != nil {
		return nil, err
	}
	out := make([]CopyDue, len(e.Homework))
	for i, h := range e.Homework {
		out[i].Homework = h
		if h.DueDate <= e.LessonDate {
			out[i].Due, out[i].Rule = date, "same-day"
			continue
		}
		n := 0
		for k, l := range was {
			if l.Date == h.DueDate && (h.DueSlotID == "" || h.DueSlotID == l.Slot.ID) {
				n = k + 1
				break
			}
		}
		if n > 0 && n <= len(will) {
			l := will[n-1]
			out[i].Due, out[i].DueSlotID, out[i].Rule, out[i].N = l.Date, l.Slot.ID, "lesson", n
			continue
		}
		days := schoolDaysBetween(e.LessonDate, h.DueDate)
		out[i].Due, out[i].Rule, out[i].N = addSchoolDays(date, days), "days", days
	}
	return out, nil
}

// schoolDaysBetween counts the school days (Monday to Friday) after from
// up to to, both YYYY-MM-DD, to after from.
func schoolDaysBetween(from, to string) int {
	a, errA := timetable.ParseDate(from)
	b, errB := timetable.ParseDate(to)
	if errA != nil || errB != nil {
		return 0
	}
	n := 0
	for d := a.AddDate(0, 0, 1); !d.After(b); d = d.AddDate(0, 0, 1) {
		if schoolDay(d) {
			n++
		}
	}
	// A due date on a weekend counts as the school day after it.
	if !schoolDay(b) {
		n++
	}
	return n
}

// addSchoolDays is the n-th school day after the day from.
func addSchoolDays(from string, n int) string {
	d, err := timetable.ParseDate(from)
	if err != nil {
		return from
	}
	for n > 0 {
		d = d.AddDate(0, 0, 1)
		if schoolDay(d) {
			n--
		}
	}
	return d.Format(timetable.DateFormat)
}

func schoolDay(d time.Time) bool { return d.Weekday() != time.Saturday && d.Weekday() != time.Sunday }

// Copy copies the viewer's entry (content, homework, attachments) to
// another class or group (in.Target, as forms send it), dated in.Date (or
// as PlanCopy proposes), its homework due as in.Due says or else as
// proposed. The copy keeps the draft and publication settings, and has no
// lesson.
//
// The viewer must edit the entry and write the target's log (refusals
// otherwise, as for a malformed target, and for a due date given for a
// homework that is not the entry's: a forged form). A missing target, a
// bad date, the entry's own audience ("same-audience"), a target of
// another establishment ("other-establishment": the copy would be out of
// its readers' reach) or one the author does not teach the entry's
// subject ("not-taught") are check.Problems (field "target" or "date"),
// as are a due date that is no date ("bad-date") or before the copy's
// ("due-before-lesson"), on field "due.<homework ID>". It returns the copy
// (its ID, audience and date).
func (s *Service) Copy(ctx context.Context, v *access.Viewer, entryID string, in CopyInput) (Entry, error) {
	if err := v.Can(ctx, access.EditEntry, access.Entry(entryID)); err != nil {
		return Entry{}, err
	}
	if in.Target == "" {
		return Entry{}, check.Problems{{Field: "target", Code: "required"}}
	}
	p, err := s.PlanCopy(ctx, v, entryID, in.Target, in.Date)
	if err != nil {
		return Entry{}, err
	}
	e := p.Entry
	for id := range in.Due {
		if !containsHomework(e.Homework, id) {
			return Entry{}, access.Refuse(access.EditEntry, access.Homework(id), "not a homework of the copied entry")
		}
	}
	var ps check.Problems
	for i := range p.Due {
		due := &p.Due[i]
		given, ok := in.Due[due.Homework.ID]
		if given = strings.TrimSpace(given); !ok || given == due.Due {
			continue
		}
		field := "due." + due.Homework.ID
		if _, err := timetable.ParseDate(given); err != nil {
			ps.Add(field, "bad-date", given)
			continue
		}
		if given < p.Date {
			ps.Add(field, "due-before-lesson", given)
			continue
		}
		// A date of the teacher's own: due that day, at no lesson.
		due.Due, due.DueSlotID, due.Rule, due.N = given, "", "", 0
	}
	if len(ps) > 0 {
		return Entry{}, ps
	}
	classID, groupID, _ := audience(p.Target)
	var copied Entry
	err = s.DB.Tx(ctx, func(tx *db.Tx) error {
		// Checked again in the transaction: the author may have stopped
		// teaching the target meanwhile.
		pr, _, err := copyTargetProblem(ctx, tx, e, classID, groupID)
		if err != nil {
			return err
		}
		if pr != nil {
			return check.Problems{*pr}
		}
		id, err := copyEntry(ctx, tx, e, classID, groupID, p.Date, p.Due, s.now())
		copied = Entry{ID: id, EstablishmentID: e.EstablishmentID, AuthorID: e.AuthorID, ClassID: classID, GroupID: groupID,
			LessonDate: p.Date, Structure: p.TargetName}
		return err
	})
	if err != nil {
		return Entry{}, err
	}
	return copied, nil
}

func containsHomework(hw []Homework, id string) bool {
	for _, h := range hw {
		if h.ID == id {
			return true
		}
	}
	return false
}

// String names a proposal's rule, for logs and tests.
func (d CopyDue) String() string { return fmt.Sprintf("%s %s %d", d.Due, d.Rule, d.N) }
