package classlog

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	"cartable/internal/access"
	"cartable/internal/check"
	"cartable/internal/db"
	"cartable/internal/files"
	"cartable/internal/roles"
	"cartable/internal/timetable"
)

// HomeworkOfStudent lists a student's homework due between two dates
// (YYYY-MM-DD), published and of entries the viewer reads, by due date,
// each with its entry's lesson and attachments: for the student and those
// who read their timetable (a relative of theirs, the staff), refused to
// others. The student's done-ticks and the work they handed in (file name,
// size, time) are shown only to those who may read the ticks (the student,
// their relatives); CanOpen tells whether the viewer may download that
// work (the student, who owns it).
func (s *Service) HomeworkOfStudent(ctx context.Context, v *access.Viewer, studentID, from, to string) ([]Homework, error) {
	if err := v.Can(ctx, access.ReadTimetable, access.Person(studentID)); err != nil {
		return nil, err
	}
	hw, err := homeworkOfStudent(ctx, s.DB, studentID, from, to, s.now())
	if err != nil {
		return nil, err
	}
	if len(hw) == 0 {
		return hw, nil
	}
	// The policy's check and the attachments of the entries are read
	// together (one round trip on PostgreSQL); the attachments of an
	// entry the viewer may not read go with it. The readers of an entry
	// read its attachments (the policy's rule on files attached to an
	// entry).
	entries := make([]string, len(hw))
	for i, h := range hw {
		entries[i] = h.EntryID
	}
	var as map[string][]Attachment
	err = s.DB.Together(ctx,
		func(ctx context.Context) (err error) {
			hw, err = readable(ctx, s, v, hw, homeworkEntry)
			return err
		},
		func(ctx context.Context) (err error) {
			as, err = attachmentsOf(ctx, s.DB, entries)
			return err
		})
	if err != nil {
		return nil, err
	}
	ticks, err := v.May(ctx, access.ReadDone, access.Person(studentID))
	if err != nil {
		return nil, err
	}
	for i := range hw {
		h := &hw[i]
		h.Attachments = as[h.EntryID]
		if !ticks {
			h.Done, h.Submitted, h.SubmittedAt, h.Late, h.FileID, h.FileName, h.FileSize = false, false, time.Time{}, false, "", "", 0
		}
		if h.FileID != "" {
			if h.CanOpen, err = v.May(ctx, access.ReadFile, access.File(h.FileID)); err != nil {
				return nil, err
			}
		}
	}
	return hw, nil
}

// SetFilter narrows the homework a teacher set (HomeworkSet), as the
// page's form sends it.
type SetFilter struct {
	Audience string // "c:ID" or "g:ID" (AudienceKey); "" for all
	From, To string // due dates, YYYY-MM-DD, inclusive; "" unbounded
	Page     int    // from 1
	Today    string // YYYY-MM-DD: homework due from that day on is to come
}

// SetPageSize is how many homework one page of HomeworkSet holds.
const SetPageSize = 20

// SetPage is one page of the homework a teacher set.
type SetPage struct {
	Items       []Homework // to come first (soonest first), then past (latest first)
	Total       int        // in the whole filtered list
	Page, Pages int
	// Audiences are the classes and groups the viewer set homework for:
	// the filter's choices.
	Audiences []Audience
}

// CheckSetFilter reports what is wrong with a filter of the teacher's
// homework list that the filter alone tells: fields "from" and "to"
// ("bad-date"), "to" before "from" ("before-from").
func CheckSetFilter(f SetFilter) check.Problems {
	var ps check.Problems
	for _, d := range []struct{ field, v string }{{"from", f.From}, {"to", f.To}} {
		if _, err := timetable.ParseDate(d.v); d.v != "" && err != nil {
			ps.Add(d.field, "bad-date", d.v)
		}
	}
	if len(ps) == 0 && f.From != "" && f.To != "" && f.To < f.From {
		ps.Add("to", "before-from", f.To)
	}
	return ps
}

// HomeworkSet reads one page of the homework the viewer set, drafts
// included, with the count of hand-ins of each: the homework due from
// f.Today on first, soonest first, then the past, latest first. An
// audience the viewer never set homework for is a "bad-choice" problem on
// field "aud", as are the date problems of CheckSetFilter; the page's
// Audiences come back with the problems, for the form.
func (s *Service) HomeworkSet(ctx context.Context, v *access.Viewer, f SetFilter) (SetPage, error) {
	var out SetPage
	var err error
	if out.Audiences, err = homeworkAudiences(ctx, s.DB, v.ID); err != nil {
		return out, err
	}
	ps := CheckSetFilter(f)
	if f.Audience != "" && !slices.ContainsFunc(out.Audiences, func(a Audience) bool { return a.Key == f.Audience }) {
		ps.Add("aud", "bad-choice", f.Audience)
	}
	if _, err := timetable.ParseDate(f.Today); err != nil {
		return out, fmt.Errorf("classlog: today %q: %w", f.Today, err)
	}
	if len(ps) > 0 {
		return out, ps
	}
	q := setQuery{author: v.ID, from: f.From, to: f.To, today: f.Today, limit: SetPageSize}
	q.classID, q.groupID, _ = audience(f.Audience)
	out.Page = max(f.Page, 1)
	q.offset = (out.Page - 1) * SetPageSize
	items, total, err := homeworkSetPage(ctx, s.DB, q)
	if err != nil {
		return out, err
	}
	out.Total, out.Pages = total, max(1, (total+SetPageSize-1)/SetPageSize)
	if out.Page > out.Pages {
		// Past the end (a list that shrank since): its last page.
		out.Page = out.Pages
		q.offset = (out.Page - 1) * SetPageSize
		if items, _, err = homeworkSetPage(ctx, s.DB, q); err != nil {
			return out, err
		}
	}
	if out.Items, err = readable(ctx, s, v, items, homeworkEntry); err != nil {
		return out, err
	}
	return out, s.markHandIns(ctx, v, out.Items)
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

// HandInList is who handed in a homework's work, as the viewer sees it.
type HandInList struct {
	Homework Homework
	// All: the whole class or group (the entry's author, the head and
	// deputy); otherwise the viewer's own row (a student) or their
	// children's (a relative).
	All    bool
	Rows   []HandInRow // by name
	Handed int         // how many of Rows handed in
	Late   int         // late, handed in or not
}

// HandIns lists the students of a homework's class or group with the work
// they handed in, for the entry's author and the head and deputy (each
// file opens for them). A student who reads the homework gets their own
// row and a relative their children's, the same rows as the done-ticks
// they read (access.ReadDone); each row tells whether the viewer may open
// its file. Anyone else, and a reader left without any row, is refused.
// "Late" is judged at the end of the due day, Paris time.
func (s *Service) HandIns(ctx context.Context, v *access.Viewer, homeworkID string) (HandInList, error) {
	var out HandInList
	var err error
	if out.All, err = v.May(ctx, access.ReadHandIns, access.Homework(homeworkID)); err != nil {
		return out, err
	}
	if !out.All {
		if err := v.Can(ctx, access.ReadClassLog, access.Homework(homeworkID)); err != nil {
			return out, err
		}
	}
	h, err := homeworkByID(ctx, s.DB, homeworkID)
	if errors.Is(err, errNotFound) {
		return out, access.Refuse(access.ReadHandIns, access.Homework(homeworkID), "deleted meanwhile")
	}
	if err != nil {
		return out, err
	}
	out.Homework = h
	rows, err := handInsOf(ctx, s.DB, h, s.now())
	if err != nil {
		return out, err
	}
	for _, x := range rows {
		if !out.All {
			if ok, err := v.May(ctx, access.ReadDone, access.Person(x.StudentID)); err != nil || !ok {
				if err != nil {
					return out, err
				}
				continue
			}
		}
		switch {
		case x.FileID == "":
		case out.All:
			x.CanOpen = true // the policy's rule on handed-in work: those who read the hand-ins
		default:
			if x.CanOpen, err = v.May(ctx, access.ReadFile, access.File(x.FileID)); err != nil {
				return out, err
			}
		}
		out.Rows = append(out.Rows, x)
		if x.Submitted {
			out.Handed++
		}
		if x.Late {
			out.Late++
		}
	}
	if !out.All && len(out.Rows) == 0 {
		return out, access.Refuse(access.ReadHandIns, access.Homework(homeworkID), "neither the hand-ins' reader nor a student of the homework or their relative")
	}
	return out, nil
}

// markHandIns sets, on homework a page lists, what the viewer reaches of
// the work handed in (Homework.HandIns), so that the page links to the
// hand-ins page only when it opens: those who read every hand-in; a
// student or relative who reads the homework, when it asks for an upload
// or holds work already (their own row, or their children's).
func (s *Service) markHandIns(ctx context.Context, v *access.Viewer, hw []Homework) error {
	for i := range hw {
		h := &hw[i]
		h.HandIns = ""
		if h.HandIn != "upload" && h.Submissions == 0 {
			continue
		}
		all, err := v.May(ctx, access.ReadHandIns, access.Homework(h.ID))
		if err != nil {
			return err
		}
		switch {
		case all:
			h.HandIns = HandInsAll
		case v.Profile == roles.Student || v.Profile == roles.Relative:
			// They read the homework (the page lists it), so they are in
			// its class or group, or a child of theirs is: HandIns gives
			// them that row.
			h.HandIns = HandInsOwn
		}
	}
	return nil
}
