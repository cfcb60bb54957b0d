package classlog

import (
	"context"
	"errors"
	"fmt"
	"mime/multipart"
	"slices"
	"strings"
	"time"

	"cartable/internal/access"
	"cartable/internal/check"
	"cartable/internal/db"
	"cartable/internal/files"
	"cartable/internal/timetable"
)

// uploadError ties a file refused while it was stored to the name it was
// sent under.
type uploadError struct {
	name string
	err  error
}

func (e uploadError) Error() string { return fmt.Sprintf("%s: %v", e.name, e.err) }
func (e uploadError) Unwrap() error { return e.err }

// Save writes the viewer's entry for a lesson occurrence (in.SlotID,
// in.LessonDate) with its homework, takes off the attachments in.Remove
// names and stores the uploads as new ones, all or nothing.
//
// The viewer must write that occurrence's log (its teachers, its
// replacement); the audience must be one of the lesson's; an edited entry
// (in.ID) must be the viewer's own for that very occurrence, and keeps its
// audience. Each is a refusal otherwise. What is at fault in the form, the
// lessons homework is due at and the files sent comes back at once as
// check.Problems (or *Rejected, which also carries the refusals of lessons
// a forged form named), having changed nothing. The blobs of a save that
// fails are discarded; the files it lets go (removed attachments not
// shared with a copy, work handed in for a homework line removed with
// confirmation) are erased once it has committed. It returns the entry's ID.
func (s *Service) Save(ctx context.Context, v *access.Viewer, in EntryInput, uploads []*multipart.FileHeader) (string, error) {
	occ := access.Occurrence(in.SlotID, in.LessonDate)
	if err := v.Can(ctx, access.WriteClassLog, occ); err != nil {
		return "", err
	}
	l, err := timetable.LessonAt(ctx, v, s.DB, in.SlotID, in.LessonDate)
	if errors.Is(err, access.ErrDenied) {
		return "", access.Refuse(access.WriteClassLog, occ, "no such lesson")
	}
	if err != nil {
		return "", err
	}
	// The audience must be one of the lesson's; another is forged.
	// (Copies: the lesson's slot may be shared by a cache.)
	aud, found := l.Slot.Audiences[0], in.Audience == ""
	for _, a := range l.Slot.Audiences {
		if AudienceKey(a.ClassID, a.GroupID) == in.Audience {
			aud, found = a, true
		}
	}
	if !found {
		return "", access.Refuse(access.WriteClassLog, structureOf(in.Audience), "not an audience of the lesson")
	}
	in.Audience = AudienceKey(aud.ClassID, aud.GroupID)
	in.EstablishmentID, in.SubjectID, in.AuthorID = l.Slot.EstablishmentID, l.Slot.SubjectID, v.ID
	var was []Homework // the entry's homework as saved
	kept := 0          // attachments the entry keeps
	if in.ID != "" {
		// Editing, and so attaching and removing attachments: the entry's
		// author, while a teacher of its lesson.
		if err := v.Can(ctx, access.EditEntry, access.Entry(in.ID)); err != nil {
			return "", err
		}
		e, err := entryByID(ctx, s.DB, in.ID)
		if errors.Is(err, errNotFound) {
			return "", access.Refuse(access.EditEntry, access.Entry(in.ID), "deleted meanwhile")
		}
		if err != nil {
			return "", err
		}
		// An entry is edited through its own lesson's form only.
		if e.SlotID != l.Slot.ID || e.LessonDate != l.Date {
			return "", access.Refuse(access.EditEntry, access.Entry(in.ID), "another lesson's entry")
		}
		// Its audience never changes: new homework lines take it.
		aud = timetable.Audience{ClassID: e.ClassID, GroupID: e.GroupID}
		in.Audience = AudienceKey(e.ClassID, e.GroupID)
		was = e.Homework
		for _, a := range e.Attachments {
			if !slices.Contains(in.Remove, a.FileID) {
				kept++
			}
		}
	} else {
		in.Remove = nil
	}
	// Every fault at once, text and files, before anything is written.
	c, ps := checkEntry(in)
	due, refusals, err := s.dueLessonProblems(ctx, v, l, aud, in, was)
	if err != nil {
		return "", err
	}
	ps = append(ps, due...)
	ps = append(ps, checkUploads(uploads, kept, s.Files)...)
	if len(refusals) > 0 {
		return "", &Rejected{Problems: ps, Refusals: refusals}
	}
	if len(ps) > 0 {
		return "", ps
	}

	var saved []files.File
	var gone []string // storage keys of the files the save lets go
	var id string
	err = s.DB.Tx(ctx, func(tx *db.Tx) error {
		var held []string
		if in.ID != "" {
			var err error
			if held, err = filesOf(ctx, tx, in.ID); err != nil {
				return err
			}
		}
		var err error
		if id, err = saveEntry(ctx, tx, in, c, s.now()); err != nil {
			return err
		}
		if err := detach(ctx, tx, id, v.ID, in.Remove); err != nil {
			return err
		}
		if len(uploads) > 0 {
			n, err := attachmentCount(ctx, tx, id)
			if err != nil {
				return err
			}
			if over := n + len(uploads) - MaxAttachments; over > 0 {
				return uploadError{uploads[len(uploads)-over].Filename, errTooManyFiles}
			}
			for _, h := range uploads {
				fh, err := h.Open()
				if err != nil {
					return err
				}
				sf, err := s.Files.Save(ctx, v, tx, in.EstablishmentID, h.Filename, fh, 0)
				fh.Close()
				if err != nil {
					return uploadError{h.Filename, err}
				}
				saved = append(saved, sf)
				if err := attach(ctx, tx, id, sf.ID); err != nil {
					return err
				}
			}
		}
		// Files the save let go of: attachments removed (unless a copy
		// still has them), work handed in for a homework line the teacher
		// removed, confirming it.
		lost, err := orphans(ctx, tx, held)
		if err != nil {
			return err
		}
		gone, err = files.DeleteRecords(ctx, tx, lost)
		return err
	})
	if err != nil {
		// All or nothing: the blobs written for a rolled back save go too.
		s.discard(ctx, saved)
		var ue uploadError
		if errors.As(err, &ue) {
			if p, ok := uploadProblem(ue.name, ue.err); ok {
				return "", check.Problems{p}
			}
		}
		if errors.Is(err, errNotFound) { // deleted meanwhile
			return "", access.Refuse(access.EditEntry, access.Entry(in.ID), "deleted meanwhile")
		}
		return "", err
	}
	s.erase(ctx, gone)
	return id, nil
}

// dueLessonProblems checks the lessons that homework lines are due at: a
// lesson of the timetable running that day (timetable.LessonAt), of this
// lesson's establishment, and of the entry's class or group or else one
// whose class log the viewer writes; its date is checked against the
// entry's by checkEntry. A line of the entry's own homework that keeps its
// lesson is not checked again: the timetable may have changed since. A
// lesson refused here is a forged or stale value: it is also a refusal,
// for the page to audit.
func (s *Service) dueLessonProblems(ctx context.Context, v *access.Viewer, l timetable.Lesson, aud timetable.Audience, in EntryInput,
	was []Homework) (check.Problems, []*access.Denied, error) {
	var ps check.Problems
	var refusals []*access.Denied
	for i, h := range in.Homework {
		slot, date, ok := strings.Cut(h.DueSlotID, "/")
		if _, err := timetable.ParseDate(date); !ok || slot == "" || err != nil {
			continue // none, or malformed: checkEntry names it
		}
		kept := false
		for _, o := range was {
			kept = kept || (o.ID == h.ID && o.DueSlotID == slot && o.DueDate == date)
		}
		if kept {
			continue
		}
		fits, err := s.dueLessonFits(ctx, v, l, aud, slot, date)
		if err != nil {
			return nil, nil, err
		}
		if !fits {
			refusals = append(refusals, &access.Denied{Action: access.WriteClassLog, Resource: access.Occurrence(slot, date),
				Reason: "homework due at a lesson out of reach"})
			ps.Add(fmt.Sprintf("homework.%d.lesson", i), "bad-lesson", h.DueSlotID)
		}
	}
	return ps, refusals, nil
}

func (s *Service) dueLessonFits(ctx context.Context, v *access.Viewer, l timetable.Lesson, aud timetable.Audience, slot, date string) (bool, error) {
	due, err := timetable.LessonAt(ctx, v, s.DB, slot, date)
	if errors.Is(err, access.ErrDenied) { // not running that day, or out of the author's sight
		return false, nil
	}
	if err != nil || due.Slot.EstablishmentID != l.Slot.EstablishmentID {
		return false, err
	}
	if hasAudience(due, aud) {
		return true, nil
	}
	return v.May(ctx, access.WriteClassLog, access.Occurrence(slot, date))
}

// SaveIn writes an entry inside the caller's transaction, as given (its
// establishment, author, subject and audience): for the system's own work
// (the demo generator), which no page reaches. A person is refused: pages
// call Save, which checks what a person may write.
func SaveIn(ctx context.Context, v *access.Viewer, tx *db.Tx, in EntryInput, now time.Time) (string, error) {
	if !v.IsSystem() {
		return "", access.Refuse(access.WriteClassLog, access.Occurrence(in.SlotID, in.LessonDate), "written in a transaction by the system only")
	}
	c, ps := checkEntry(in)
	if len(ps) > 0 {
		return "", ps
	}
	return saveEntry(ctx, tx, in, c, now)
}

// Delete removes the viewer's entry with its homework and the work handed
// in for it, which goes only when discardHandIns confirms it (otherwise a
// "has-handins" problem on field "discard_handins", N the count). Its
// files go from storage too, unless a copy still holds them. It returns
// the entry as it was.
func (s *Service) Delete(ctx context.Context, v *access.Viewer, entryID string, discardHandIns bool) (Entry, error) {
	if err := v.Can(ctx, access.EditEntry, access.Entry(entryID)); err != nil {
		return Entry{}, err
	}
	e, err := entryByID(ctx, s.DB, entryID)
	if errors.Is(err, errNotFound) {
		return e, access.Refuse(access.EditEntry, access.Entry(entryID), "deleted meanwhile")
	}
	if err != nil {
		return e, err
	}
	if n := e.HandedIn(); n > 0 && !discardHandIns {
		// Students' work goes only when the teacher says so.
		return e, check.Problems{{Field: "discard_handins", Code: "has-handins", N: n}}
	}
	err = s.letGo(ctx, entryID, func(tx *db.Tx) ([]string, error) { return deleteEntry(ctx, tx, entryID, v.ID) })
	return e, err
}

// Detach takes one attachment off the viewer's entry (from any page that
// lists it: copies have no lesson form). The file goes from storage
// unless a copy of the entry still holds it. A file not attached to the
// entry is a refusal. It returns the entry as it was.
func (s *Service) Detach(ctx context.Context, v *access.Viewer, entryID, fileID string) (Entry, error) {
	if err := v.Can(ctx, access.EditEntry, access.Entry(entryID)); err != nil {
		return Entry{}, err
	}
	e, err := entryByID(ctx, s.DB, entryID)
	if err != nil && !errors.Is(err, errNotFound) {
		return e, err
	}
	attached := false
	for _, a := range e.Attachments {
		attached = attached || a.FileID == fileID
	}
	if !attached {
		return e, access.Refuse(access.EditEntry, access.File(fileID), "not attached to the entry")
	}
	err = s.letGo(ctx, entryID, func(tx *db.Tx) ([]string, error) {
		if err := detach(ctx, tx, entryID, v.ID, []string{fileID}); err != nil {
			return nil, err
		}
		return orphans(ctx, tx, []string{fileID})
	})
	return e, err
}

// letGo runs a change of an entry in a transaction; the files it returns,
// which nothing refers to any more, lose their records with it and their
// blobs once it has committed (unless a copy of the entry still holds
// them, they are not returned).
func (s *Service) letGo(ctx context.Context, entryID string, change func(tx *db.Tx) ([]string, error)) error {
	var gone []string
	err := s.DB.Tx(ctx, func(tx *db.Tx) error {
		lost, err := change(tx)
		if err != nil {
			return err
		}
		gone, err = files.DeleteRecords(ctx, tx, lost)
		return err
	})
	if errors.Is(err, errNotFound) {
		return access.Refuse(access.EditEntry, access.Entry(entryID), "deleted meanwhile")
	}
	if err != nil {
		return err
	}
	s.erase(ctx, gone)
	return nil
}
