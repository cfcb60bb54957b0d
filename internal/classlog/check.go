package classlog

import (
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"slices"
	"strings"
	"time"

	"cartable/internal/access"
	"cartable/internal/check"
	"cartable/internal/files"
	"cartable/internal/richtext"
	"cartable/internal/timetable"
)

// Rejected is a form refused for its problems, some of which come from
// values out of the viewer's reach (a lesson that a forged or stale form
// names): the page shows the problems and audits the refusals. As an error
// it unwraps to the problems.
type Rejected struct {
	Problems check.Problems
	Refusals []*access.Denied
}

func (e *Rejected) Error() string { return e.Problems.Error() }
func (e *Rejected) Unwrap() error { return e.Problems }

type cleanInput struct {
	title, body, category string
	publishAt             int64
	homework              []cleanHomework
}

type cleanHomework struct {
	id                                string // as posted: not yet checked
	due, dueSlot, description, handin string
	minutes                           int
	line                              int // its index in the form, for the problems
}

func cleanRich(field, s string, ps *check.Problems) string {
	out, findings := richtext.Clean(s)
	for _, f := range findings {
		ps.Add(field, f.Kind, f.Detail)
	}
	return out
}

// CheckEntry reports what is at fault in a class log form that the form
// alone tells (the lessons homework is due at, the attachments and the
// entry's rights are the service's to check). Save calls it first.
func CheckEntry(in EntryInput) check.Problems {
	_, ps := checkEntry(in)
	return ps
}

// checkEntry validates an input and cleans it; nothing is written.
func checkEntry(in EntryInput) (cleanInput, check.Problems) {
	var ps check.Problems
	var c cleanInput
	c.title = strings.TrimSpace(in.Title)
	switch {
	case c.title == "":
		ps.Add("title", "required", "")
	case len(c.title) > 200:
		ps.Add("title", "too-long", "200")
	}
	c.body = cleanRich("body", in.Body, &ps)
	c.category = in.Category
	if !slices.Contains(Categories, c.category) {
		ps.Add("category", "bad-choice", in.Category)
	}
	if _, err := timetable.ParseDate(in.LessonDate); err != nil {
		ps.Add("date", "bad-date", in.LessonDate)
	}
	if p := strings.TrimSpace(in.PublishAt); p != "" {
		t, err := time.ParseInLocation("2006-01-02T15:04", p, timetable.Paris)
		if err != nil {
			ps.Add("publish_at", "bad-datetime", p)
		} else {
			c.publishAt = t.Unix()
		}
	}
	if _, _, ok := audience(in.Audience); !ok {
		ps.Add("audience", "required", "")
	}
	for i, h := range in.Homework {
		if strings.TrimSpace(h.Description) == "" && h.DueDate == "" && h.DueSlotID == "" {
			continue // an empty line of the form
		}
		field := fmt.Sprintf("homework.%d.", i)
		ch := cleanHomework{id: h.ID, line: i}
		ch.description = cleanRich(field+"description", h.Description, &ps)
		if ch.description == "" && !ps.Has(field+"description") {
			ps.Add(field+"description", "required", "")
		}
		ch.dueSlot = h.DueSlotID
		ch.due = strings.TrimSpace(h.DueDate)
		if ch.dueSlot != "" {
			// Due at a lesson, "SLOT/DATE": its date is the due date. Whether
			// the lesson exists and may be chosen is the service's to check.
			slot, date, ok := strings.Cut(ch.dueSlot, "/")
			if _, err := timetable.ParseDate(date); !ok || slot == "" || err != nil {
				ps.Add(field+"lesson", "bad-lesson", ch.dueSlot)
			} else if date < in.LessonDate {
				ps.Add(field+"lesson", "due-before-lesson", date)
			}
			ch.dueSlot, ch.due = slot, date
		} else if _, err := timetable.ParseDate(ch.due); err != nil {
			ps.Add(field+"due", "bad-date", h.DueDate)
		} else if ch.due < in.LessonDate {
			ps.Add(field+"due", "due-before-lesson", ch.due)
		}
		if m := strings.TrimSpace(h.Minutes); m != "" {
			if _, err := fmt.Sscan(m, &ch.minutes); err != nil || ch.minutes < 0 || ch.minutes > 600 {
				ps.Add(field+"minutes", "bad-minutes", m)
			}
		}
		ch.handin = h.HandIn
		if ch.handin == "" {
			ch.handin = "none"
		}
		if !slices.Contains(HandIns, ch.handin) {
			ps.Add(field+"handin", "bad-choice", h.HandIn)
		}
		c.homework = append(c.homework, ch)
	}
	return c, ps
}

// AudienceKey is a class or group as forms send it: "c:ID" or "g:ID".
func AudienceKey(classID, groupID string) string {
	if groupID != "" {
		return "g:" + groupID
	}
	return "c:" + classID
}

// audience reads a form's "c:ID" or "g:ID".
func audience(key string) (classID, groupID string, ok bool) {
	kind, id, _ := strings.Cut(key, ":")
	switch {
	case id == "":
		return "", "", false
	case kind == "c":
		return id, "", true
	case kind == "g":
		return "", id, true
	}
	return "", "", false
}

// structureOf is the resource a form's audience names; a malformed one is
// a "structure" no rule grants, so that its refusal names what was sent.
func structureOf(key string) access.Resource {
	classID, groupID, ok := audience(key)
	switch {
	case !ok:
		return access.Resource{Kind: "structure", ID: key}
	case groupID != "":
		return access.Group(groupID)
	}
	return access.Class(classID)
}

// Problems of attachments (field "attachment"), each naming the file
// (Value, its cleaned name): "too-many" (N: MaxAttachments), "too-large"
// (N: the limit in bytes), "refused" (not an accepted type), "empty",
// "unreadable", and "no-storage" (no file storage configured).
const attachmentField = "attachment"

var errTooManyFiles = errors.New("too many attachments")

// checkUploads checks the files sent with an entry that keeps `kept`
// attachments, before any is stored.
func checkUploads(uploads []*multipart.FileHeader, kept int, store *files.Store) check.Problems {
	var ps check.Problems
	if len(uploads) == 0 {
		return nil
	}
	if store == nil {
		ps.Add(attachmentField, "no-storage", "")
		return ps
	}
	for i, h := range uploads {
		var err error
		switch {
		case kept+i >= MaxAttachments:
			err = errTooManyFiles
		case h.Size == 0:
			err = files.ErrEmpty
		case h.Size > store.Limit():
			err = files.TooLarge{Limit: store.Limit()}
		default:
			err = checkHead(h)
		}
		if err != nil {
			p, ok := uploadProblem(h.Filename, err)
			if !ok {
				p = check.Problem{Field: attachmentField, Code: "unreadable", Value: files.CleanName(h.Filename)}
			}
			ps = append(ps, p)
		}
	}
	return ps
}

// checkHead checks an uploaded file's type from its name and first bytes.
func checkHead(h *multipart.FileHeader) error {
	fh, err := h.Open()
	if err != nil {
		return err
	}
	defer fh.Close()
	head := make([]byte, 512)
	n, err := io.ReadFull(fh, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		return err
	}
	_, err = files.Check(files.CleanName(h.Filename), head[:n])
	return err
}

// uploadProblem is the problem of one refused file, when err is one.
func uploadProblem(name string, err error) (check.Problem, bool) {
	p := check.Problem{Field: attachmentField, Value: files.CleanName(name)}
	var tl files.TooLarge
	var rf files.Refused
	switch {
	case errors.Is(err, errTooManyFiles):
		p.Code, p.N = "too-many", MaxAttachments
	case errors.As(err, &tl):
		p.Code, p.N = "too-large", int(tl.Limit)
	case errors.As(err, &rf):
		p.Code = "refused"
	case errors.Is(err, files.ErrEmpty):
		p.Code = "empty"
	case errors.Is(err, ErrNoStorage):
		p.Code = "no-storage"
	default:
		return p, false
	}
	return p, true
}
