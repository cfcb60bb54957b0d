package classlog

import (
	"context"
	"errors"
	"io"

	"cartable/internal/access"
	"cartable/internal/db"
	"cartable/internal/files"
	"cartable/internal/timetable"
)

// HomeworkOfStudent lists a student's homework due between two dates
// (YYYY-MM-DD), published and of entries the viewer reads, by due date:
// for the student and those who read their timetable (a relative of
// theirs, the staff), refused to others. The student's done-ticks are
// shown only to those who may read them (the student, their relatives).
func (s *Service) HomeworkOfStudent(ctx context.Context, v *access.Viewer, studentID, from, to string) ([]Homework, error) {
	if err := v.Can(ctx, access.ReadTimetable, access.Person(studentID)); err != nil {
		return nil, err
	}
	hw, err := homeworkOfStudent(ctx, s.DB, studentID, from, to, s.now())
	if err != nil {
		return nil, err
	}
	if hw, err = readable(ctx, s, v, hw, homeworkEntry); err != nil {
		return nil, err
	}
	ticks, err := v.May(ctx, access.ReadDone, access.Person(studentID))
	if err != nil {
		return nil, err
	}
	if !ticks {
		for i := range hw {
			hw[i].Done = false
		}
	}
	return hw, nil
}

// HomeworkSetBy lists the homework the viewer set in their published
// entries due between two dates (YYYY-MM-DD), by due date: a teacher's
// calendar feed.
func (s *Service) HomeworkSetBy(ctx context.Context, v *access.Viewer, from, to string) ([]Homework, error) {
	hw, err := homeworkSetBy(ctx, s.DB, v.ID, from, to)
	if err != nil {
		return nil, err
	}
	return readable(ctx, s, v, hw, homeworkEntry)
}

// HomeworkSetAround lists the homework the viewer set, drafts included,
// in their entries of the four weeks before and after the day from
// (YYYY-MM-DD), due two weeks before it or later: a teacher's homework
// page, with the count of hand-ins of each.
func (s *Service) HomeworkSetAround(ctx context.Context, v *access.Viewer, from string) ([]Homework, error) {
	day, err := timetable.ParseDate(from)
	if err != nil {
		return nil, err
	}
	es, err := entriesByAuthor(ctx, s.DB, v.ID, day.AddDate(0, 0, -28).Format(timetable.DateFormat),
		day.AddDate(0, 0, 28).Format(timetable.DateFormat))
	if err != nil {
		return nil, err
	}
	if es, err = readable(ctx, s, v, es, entryID); err != nil {
		return nil, err
	}
	since := day.AddDate(0, 0, -14).Format(timetable.DateFormat)
	var out []Homework
	for _, e := range es {
		for _, h := range e.Homework {
			if h.DueDate >= since {
				out = append(out, h)
			}
		}
	}
	return out, nil
}

// SetDone ticks or unticks a homework the viewer, a student, reads.
func (s *Service) SetDone(ctx context.Context, v *access.Viewer, homeworkID string, done bool) error {
	if err := v.Can(ctx, access.TickDone, access.Person(v.ID)); err != nil {
		return err
	}
	if err := v.Can(ctx, access.ReadClassLog, access.Homework(homeworkID)); err != nil {
		return err
	}
	return setDone(ctx, s.DB, homeworkID, v.ID, done, s.now())
}

// HandIn stores the viewer's work for a homework that asks for an upload
// (a student of its class or group), replacing what they handed in before,
// and ticks the homework as done. The file store's refusals
// (files.TooLarge, files.Refused, files.ErrEmpty) and ErrNoStorage come
// back as they are. The new blob goes if the write fails; the replaced one
// is erased once it has committed.
func (s *Service) HandIn(ctx context.Context, v *access.Viewer, homeworkID, name string, r io.Reader) error {
	if err := v.Can(ctx, access.HandIn, access.Homework(homeworkID)); err != nil {
		return err
	}
	if s.Files == nil {
		return ErrNoStorage
	}
	var saved files.File
	var gone []string
	err := s.DB.Tx(ctx, func(tx *db.Tx) error {
		est, err := homeworkEstablishment(ctx, tx, homeworkID)
		if err != nil {
			return err
		}
		if saved, err = s.Files.Save(ctx, v, tx, est, name, r, 0); err != nil {
			return err
		}
		replaced, err := submit(ctx, tx, homeworkID, v.ID, saved.ID, s.now())
		if err != nil || replaced == "" {
			return err
		}
		// The replaced work's record goes with the transaction, queuing its
		// blob.
		gone, err = files.DeleteRecords(ctx, tx, []string{replaced})
		return err
	})
	if err != nil {
		s.discard(ctx, []files.File{saved})
		if errors.Is(err, errNotFound) { // deleted meanwhile
			return access.Refuse(access.HandIn, access.Homework(homeworkID), "deleted meanwhile")
		}
		return err
	}
	s.erase(ctx, gone)
	return nil
}

// HandInList is who handed in a homework's work.
type HandInList struct {
	Homework Homework
	Rows     []HandInRow // the students of its class or group
	Handed   int         // how many handed in
	Late     int         // late, handed in or not
}

// HandIns lists the students of a homework's class or group with the work
// they handed in, for the entry's author and the head and deputy. "Late"
// is judged at the end of the due day, Paris time.
func (s *Service) HandIns(ctx context.Context, v *access.Viewer, homeworkID string) (HandInList, error) {
	var out HandInList
	if err := v.Can(ctx, access.ReadHandIns, access.Homework(homeworkID)); err != nil {
		return out, err
	}
	h, err := homeworkByID(ctx, s.DB, homeworkID)
	if errors.Is(err, errNotFound) {
		return out, access.Refuse(access.ReadHandIns, access.Homework(homeworkID), "deleted meanwhile")
	}
	if err != nil {
		return out, err
	}
	out.Homework = h
	if out.Rows, err = handInsOf(ctx, s.DB, h, s.now()); err != nil {
		return out, err
	}
	for _, x := range out.Rows {
		if x.Submitted {
			out.Handed++
		}
		if x.Late {
			out.Late++
		}
	}
	return out, nil
}
