package classlog

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"cartable/internal/access"
	"cartable/internal/db"
	"cartable/internal/directory"
	"cartable/internal/files"
	"cartable/internal/timetable"
)

// Service is the class log as the pages see it: every method takes the
// viewer, asks the policy, and refuses (access.ErrDenied) what the viewer
// may not see or do, missing or forbidden alike.
type Service struct {
	DB     *db.DB
	Policy *access.Policy // which entries a viewer reads (VisibleEntries)
	Files  *files.Store   // attachments and handed-in work; nil refuses uploads (ErrNoStorage)
	Now    func() time.Time
	Log    *slog.Logger // blobs whose erasure must wait for the next run
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// readable keeps the items (entries, homework) of entries the viewer
// may read.
func readable[T any](ctx context.Context, s *Service, v *access.Viewer, xs []T, entry func(T) string) ([]T, error) {
	if v.IsSystem() || len(xs) == 0 {
		return xs, nil
	}
	ids := make([]string, len(xs))
	for i, x := range xs {
		ids[i] = entry(x)
	}
	ok, err := s.Policy.VisibleEntries(ctx, v, ids)
	if err != nil {
		return nil, err
	}
	var out []T
	for _, x := range xs {
		if ok[entry(x)] {
			out = append(out, x)
		}
	}
	return out, nil
}

func entryID(e Entry) string          { return e.ID }
func homeworkEntry(h Homework) string { return h.EntryID }

// LessonLog is the class log of one lesson occurrence as a viewer sees it.
type LessonLog struct {
	Entries []Entry // the occurrence's entries the viewer reads
	// CanWrite: the viewer writes this occurrence's log (one of its
	// teachers, or its replacement); the rest is for them only.
	CanWrite bool
	Own      *Entry                  // the viewer's own entry of the occurrence, to edit
	DueAt    []timetable.Lesson      // the next lessons a homework may be due at (those Save accepts)
	CopyTo   []directory.TeachingRow // where the viewer may copy their entry (its subject, another class or group)
}

// OfLesson reads the class log of the lesson slot on its original date.
// A lesson that does not run that day is a refusal.
func (s *Service) OfLesson(ctx context.Context, v *access.Viewer, slot, date string) (LessonLog, error) {
	var out LessonLog
	l, err := timetable.LessonAt(ctx, v, s.DB, slot, date)
	if errors.Is(err, access.ErrDenied) {
		return out, access.Refuse(access.ReadClassLog, access.Occurrence(slot, date), "no such lesson, or out of the viewer's sight")
	}
	if err != nil {
		return out, err
	}
	es, err := entriesOfLesson(ctx, s.DB, l.Slot.ID, l.Date)
	if err != nil {
		return out, err
	}
	if out.Entries, err = readable(ctx, s, v, es, entryID); err != nil {
		return out, err
	}
	for _, e := range out.Entries {
		if err := s.markHandIns(ctx, v, e.Homework); err != nil {
			return out, err
		}
	}
	if out.CanWrite, err = v.May(ctx, access.WriteClassLog, access.Occurrence(l.Slot.ID, l.Date)); err != nil || !out.CanWrite {
		return out, err
	}
	for i := range out.Entries {
		if out.Entries[i].AuthorID == v.ID {
			out.Own = &out.Entries[i]
			break
		}
	}
	if out.DueAt, err = s.dueAt(ctx, v, l); err != nil {
		return out, err
	}
	teaching, _, err := directory.MyTeaching(ctx, v, s.DB)
	if err != nil {
		return out, err
	}
	for _, t := range teaching {
		own := out.Own != nil && t.ClassID == out.Own.ClassID && t.GroupID == out.Own.GroupID
		if t.SubjectCode == l.Slot.SubjectCode && t.EstablishmentID == l.Slot.EstablishmentID && !own {
			out.CopyTo = append(out.CopyTo, t)
		}
	}
	return out, nil
}

// dueAt lists the next lessons of the subject, over three weeks, that a
// homework set in l may be due at: of the same class or group (not a group
// drawn from the class), or taught by the viewer, as Save checks
// (dueLessonProblems).
func (s *Service) dueAt(ctx context.Context, v *access.Viewer, l timetable.Lesson) ([]timetable.Lesson, error) {
	a := l.Slot.Audiences[0]
	target := timetable.Target{Kind: timetable.TargetClass, ID: a.ClassID}
	if a.GroupID != "" {
		target = timetable.Target{Kind: timetable.TargetGroup, ID: a.GroupID}
	}
	day, _ := timetable.ParseDate(l.Date)
	from, to := day.AddDate(0, 0, 1).Format(timetable.DateFormat), day.AddDate(0, 0, 21).Format(timetable.DateFormat)
	next, err := timetable.Lessons(ctx, v, s.DB, target, from, to)
	if errors.Is(err, access.ErrDenied) {
		// A co-teacher who may not read the class's timetable: their own
		// lessons, which Save accepts too.
		next, err = timetable.Lessons(ctx, v, s.DB, timetable.Target{Kind: timetable.TargetTeacher, ID: v.ID}, from, to)
	}
	if err != nil {
		return nil, err
	}
	var out []timetable.Lesson
	for _, n := range next {
		if n.Slot.SubjectID == l.Slot.SubjectID && !n.Cancelled() && len(out) < 6 && (hasAudience(n, a) || teaches(n, v.ID)) {
			out = append(out, n)
		}
	}
	return out, nil
}

// hasAudience tells whether a class or group attends a lesson (a group
// drawn from a class is not the class).
func hasAudience(l timetable.Lesson, a timetable.Audience) bool {
	for _, x := range l.Slot.Audiences {
		if x.ClassID == a.ClassID && x.GroupID == a.GroupID {
			return true
		}
	}
	return false
}

// teaches tells whether a teacher gives a lesson: one of its teachers, or
// the replacement of that occurrence.
func teaches(l timetable.Lesson, id string) bool {
	for _, t := range l.Slot.Teachers {
		if t.ID == id {
			return true
		}
	}
	return l.Change != nil && l.Change.Replacement != nil && l.Change.Replacement.ID == id
}

// StructureLog is a class's or group's class log over a span of days.
type StructureLog struct {
	Name    string  // the class's or group's
	Entries []Entry // those the viewer reads, newest lesson first
	// Older is the lesson date of the latest entry before the span that
	// the viewer reads, "" when there is none: the way back skips the
	// weeks without any.
	Older string
}

// OfStructure reads the class log of a class or group (access.Class,
// access.Group) between two dates (YYYY-MM-DD). For a class, the entries
// of groups drawn from it are not included: they belong to the group's.
func (s *Service) OfStructure(ctx context.Context, v *access.Viewer, r access.Resource, from, to string) (StructureLog, error) {
	var out StructureLog
	if r.Kind != access.KindClass && r.Kind != access.KindGroup {
		return out, access.Refuse(access.ReadClassLog, r, "not a class or group")
	}
	if err := v.Can(ctx, access.ReadClassLog, r); err != nil {
		return out, err
	}
	var es []Entry
	var err error
	if r.Kind == access.KindGroup {
		g, gerr := directory.GroupByID(ctx, s.DB, r.ID)
		if gerr != nil {
			return out, gerr
		}
		out.Name = g.Name
		es, err = entriesOfStructure(ctx, s.DB, "", r.ID, from, to)
	} else {
		c, cerr := directory.ClassByID(ctx, s.DB, r.ID)
		if cerr != nil {
			return out, cerr
		}
		out.Name = c.Name
		es, err = entriesOfStructure(ctx, s.DB, r.ID, "", from, to)
	}
	if err != nil {
		return out, err
	}
	if out.Entries, err = readable(ctx, s, v, es, entryID); err != nil {
		return out, err
	}
	for _, e := range out.Entries {
		if err := s.markHandIns(ctx, v, e.Homework); err != nil {
			return out, err
		}
	}
	classID, groupID := r.ID, ""
	if r.Kind == access.KindGroup {
		classID, groupID = "", r.ID
	}
	out.Older, err = s.olderEntry(ctx, v, classID, groupID, from)
	return out, err
}

// olderEntry is the lesson date of the latest entry of a class or group
// before the day before that the viewer reads, or "" when there is none.
// Entries are read back a batch at a time: drafts and entries scheduled
// for later are skipped for readers other than their author.
func (s *Service) olderEntry(ctx context.Context, v *access.Viewer, classID, groupID, before string) (string, error) {
	const batch = 50
	for offset := 0; ; offset += batch {
		ds, err := entriesBefore(ctx, s.DB, classID, groupID, before, batch, offset)
		if err != nil || len(ds) == 0 {
			return "", err
		}
		ok, err := readable(ctx, s, v, ds, func(d datedEntry) string { return d.id })
		if err != nil {
			return "", err
		}
		if len(ok) > 0 {
			return ok[0].date, nil // readable keeps the order: the latest
		}
		if len(ds) < batch {
			return "", nil
		}
	}
}

// ColleaguesRead tells whether teachers of an establishment read their
// colleagues' entries for the classes they share (for those who manage
// the establishment's settings).
func (s *Service) ColleaguesRead(ctx context.Context, v *access.Viewer, est string) (bool, error) {
	if err := v.Can(ctx, access.ManageSettings, access.Establishment(est)); err != nil {
		return false, err
	}
	return colleaguesRead(ctx, s.DB, est)
}

// SetColleaguesRead changes that setting.
func (s *Service) SetColleaguesRead(ctx context.Context, v *access.Viewer, est string, on bool) error {
	if err := v.Can(ctx, access.ManageSettings, access.Establishment(est)); err != nil {
		return err
	}
	return setColleaguesRead(ctx, s.DB, est, on)
}

// erase erases, once their transaction has committed, the blobs of the
// file records it deleted (files.DeleteRecords). A blob that cannot be
// deleted now stays queued and the server's erasure retries it.
func (s *Service) erase(ctx context.Context, keys []string) {
	if s.Files == nil || len(keys) == 0 {
		return
	}
	if _, err := s.Files.Erase(context.WithoutCancel(ctx), s.DB, keys...); err != nil && s.Log != nil {
		s.Log.Warn("stored blobs stay queued for erasure", "count", len(keys), "err", err.Error())
	}
}

// discard removes the blobs stored for a write that rolled back.
func (s *Service) discard(ctx context.Context, saved []files.File) {
	for _, f := range saved {
		s.Files.Discard(context.WithoutCancel(ctx), s.DB, f)
	}
}
