package lesson

import (
	"errors"
	"fmt"
	"mime/multipart"
	"net/http"
	"sort"
	"strings"

	"cartable/internal/check"
	"cartable/internal/classlog"
	"cartable/internal/files"
	"cartable/internal/i18n"
	"cartable/internal/richtext"
	"cartable/internal/timetable"
	"cartable/internal/web/page"
)

// hwForm is one homework line of the class log form. ID ties it to its
// homework row, so that editing the line keeps the students' ticks and
// hand-ins; Submissions (the entry's own homework only) and Discard serve
// the removal of a line that holds hand-ins.
type hwForm struct {
	ID, Due, DueLesson, Description, Minutes, HandIn string
	Submissions                                      int
	Discard                                          bool
}

// Emptied tells whether the line was emptied (or never filled): saved
// that way, its homework is removed.
func (h hwForm) Emptied() bool {
	return strings.TrimSpace(h.Description) == "" && h.Due == "" && h.DueLesson == ""
}

// entryForm is the class log form, as typed.
type entryForm struct {
	ID, Title, Body, Category, Audience, PublishAt string
	Draft                                          bool
	Homework                                       []hwForm
	Problems                                       []string
	Bad                                            map[string]bool
	Attachments                                    []classlog.Attachment // the entry's, as saved
	Remove                                         map[string]bool       // attachments ticked for removal
}

// HandedIn counts the work handed in for the entry's homework, for the
// delete form's confirmation.
func (f entryForm) HandedIn() int {
	n := 0
	for _, h := range f.Homework {
		n += h.Submissions
	}
	return n
}

// MaxFiles is the most attachments an entry carries, for the form's help.
func (entryForm) MaxFiles() int { return classlog.MaxAttachments }

// Lines pads the homework lines so that the form always offers an empty one.
func (f entryForm) Lines() []hwForm {
	out := append([]hwForm{}, f.Homework...)
	for len(out) < len(f.Homework)+1 || len(out) < 2 {
		out = append(out, hwForm{HandIn: "none"})
	}
	return out
}

// formFromEntry fills the form with a saved entry. Its rich text goes back
// into the text boxes as its author typed it (richtext.Source), not as the
// stored HTML whose entities the page would escape a second time.
func formFromEntry(e classlog.Entry) entryForm {
	f := entryForm{ID: e.ID, Title: e.Title, Body: richtext.Source(e.Body), Category: e.Category, Draft: e.Draft,
		Audience: classlog.AudienceKey(e.ClassID, e.GroupID), Attachments: e.Attachments}
	if !e.PublishAt.IsZero() {
		f.PublishAt = e.PublishAt.In(timetable.Paris).Format("2006-01-02T15:04")
	}
	for _, h := range e.Homework {
		hf := hwForm{ID: h.ID, Due: h.DueDate, Description: richtext.Source(h.Description), HandIn: h.HandIn, Submissions: h.Submissions}
		if h.Minutes > 0 {
			hf.Minutes = fmt.Sprint(h.Minutes)
		}
		if h.DueSlotID != "" {
			hf.DueLesson = h.DueSlotID + "/" + h.DueDate
		}
		f.Homework = append(f.Homework, hf)
	}
	return f
}

// fromSaved completes a form sent back with what its entry holds as saved:
// its attachments, its audience (which never changes), and the hand-ins
// of the lines of its own homework (an ID from elsewhere shows nothing).
func (f *entryForm) fromSaved(entries []classlog.Entry) {
	for _, e := range entries {
		if f.ID == "" || e.ID != f.ID {
			continue
		}
		f.Attachments = e.Attachments
		f.Audience = classlog.AudienceKey(e.ClassID, e.GroupID)
		for i := range f.Homework {
			for _, h := range e.Homework {
				if h.ID == f.Homework[i].ID {
					f.Homework[i].Submissions = h.Submissions
				}
			}
		}
	}
}

// saved is the edited entry's homework as saved, to name a homework whose
// removal is refused.
func saved(entries []classlog.Entry, id string) []classlog.Homework {
	for _, e := range entries {
		if id != "" && e.ID == id {
			return e.Homework
		}
	}
	return nil
}

// The largest upload a form may carry beyond its files: room for the other
// fields.
const formOverhead = 256 << 10

// limitedLog refuses, before anything is read, a class log form larger
// than an entry's whole allowance of attachments, and cuts one that turns
// out larger. The form is parsed here, so that a body over the limit gets
// the lesson page with a message rather than a failed form-token check on
// a form cut short.
func (a *Area) limitedLog(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if cur := page.Current(r); cur == nil || !cur.Session.MFADone {
			h(w, r) // refused by SignedIn before anything is read
			return
		}
		limit := classlog.MaxAttachments*a.Files.Limit() + formOverhead
		tooMuch := r.ContentLength > limit
		if !tooMuch {
			r.Body = http.MaxBytesReader(w, r.Body, limit)
			var mb *http.MaxBytesError
			tooMuch = errors.As(r.ParseMultipartForm(1<<20), &mb)
		}
		if !tooMuch {
			h(w, r)
			return
		}
		w.Header().Set("Connection", "close")
		l, ok := a.loadLesson(w, r)
		if !ok {
			return
		}
		// Nothing of the form could be read: an empty form, with the reason.
		lang := page.Lang(r)
		f := entryForm{Category: "lesson", Problems: []string{i18n.T(lang, "cl.att.toomuch", sizeText(lang, limit-formOverhead))}}
		a.render(w, r, l, http.StatusRequestEntityTooLarge, &f, nil)
	}
}

// sizeText writes a byte count in whole MB, or KB below one MB.
func sizeText(lang string, n int64) string {
	if n >= 1<<20 {
		return i18n.T(lang, "cl.att.mb", n>>20)
	}
	return i18n.T(lang, "cl.att.kb", n>>10)
}

func (a *Area) saveEntry(w http.ResponseWriter, r *http.Request) {
	l, ok := a.loadLesson(w, r)
	if !ok {
		return
	}
	f := entryForm{ID: r.PostFormValue("id"), Title: r.PostFormValue("title"), Body: r.PostFormValue("body"),
		Category: r.PostFormValue("category"), Audience: r.PostFormValue("audience"),
		PublishAt: r.PostFormValue("publish_at"), Draft: r.PostFormValue("draft") == "1", Remove: map[string]bool{}}
	for _, id := range r.PostForm["remove"] {
		f.Remove[id] = true
	}
	for i := 0; i < 10; i++ {
		p := fmt.Sprintf("hw%d_", i)
		if _, ok := r.PostForm[p+"description"]; !ok {
			break
		}
		f.Homework = append(f.Homework, hwForm{ID: r.PostFormValue(p + "id"), Due: r.PostFormValue(p + "due"),
			DueLesson: r.PostFormValue(p + "lesson"), Description: r.PostFormValue(p + "description"),
			Minutes: r.PostFormValue(p + "minutes"), HandIn: r.PostFormValue(p + "handin"), Discard: r.PostFormValue(p+"discard") == "1"})
	}
	in := classlog.EntryInput{ID: f.ID, SlotID: l.Slot.ID, LessonDate: l.Date, Audience: f.Audience, Title: f.Title,
		Body: f.Body, Category: f.Category, Draft: f.Draft, PublishAt: f.PublishAt}
	for id := range f.Remove {
		in.Remove = append(in.Remove, id)
	}
	sort.Strings(in.Remove)
	for _, h := range f.Homework {
		in.Homework = append(in.Homework, classlog.HomeworkInput{ID: h.ID, DueDate: h.Due, DueSlotID: h.DueLesson,
			Description: h.Description, Minutes: h.Minutes, HandIn: h.HandIn, DiscardHandIns: h.Discard})
	}
	var uploads []*multipart.FileHeader
	if r.MultipartForm != nil {
		uploads = r.MultipartForm.File["attachment"]
	}
	_, err := a.ClassLog.Save(r.Context(), page.Viewer(r), in, uploads)
	if err == nil {
		http.Redirect(w, r, "/lessons/"+l.Slot.ID+"/"+l.Date+"?saved=entry", http.StatusSeeOther)
		return
	}
	var rejected *classlog.Rejected
	if errors.As(err, &rejected) {
		// Lessons a forged or stale form named: shown as problems, audited.
		for _, d := range rejected.Refusals {
			a.kit.AuditRefusal(r, d.Resource)
		}
	}
	ps, ok := check.As(err)
	if !ok {
		a.kit.Fail(w, r, err)
		return
	}
	// The entry as saved names a homework whose removal was refused.
	log, err := a.ClassLog.OfLesson(r.Context(), page.Viewer(r), l.Slot.ID, l.Date)
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	f.fromSaved(log.Entries)
	problemTexts(page.Lang(r), ps, &f, saved(log.Entries, f.ID))
	// A browser never keeps chosen files: say so.
	if len(uploads) > 0 {
		f.Problems = append(f.Problems, i18n.T(page.Lang(r), "cl.att.again"))
	}
	a.render(w, r, l, http.StatusUnprocessableEntity, &f, nil)
}

// problemTexts turns problems into sentences and marks the fields: the
// form's first, then the files'. was is the entry's homework as saved.
func problemTexts(lang string, ps check.Problems, f *entryForm, was []classlog.Homework) {
	if f.Bad == nil {
		f.Bad = map[string]bool{}
	}
	var uploads []string
	for _, p := range ps {
		switch {
		case p.Field == "attachment":
			uploads = append(uploads, uploadText(lang, p))
		case p.Code == "has-handins":
			f.Problems = append(f.Problems, handInsKept(lang, p, f, was))
		default:
			label := i18n.T(lang, "log.field."+p.Field)
			if strings.HasPrefix(p.Field, "homework.") {
				var line int
				fmt.Sscanf(strings.TrimPrefix(p.Field, "homework."), "%d.", &line)
				sub := p.Field[strings.LastIndex(p.Field, ".")+1:]
				label = i18n.T(lang, "log.field.homework", line+1, i18n.T(lang, "log.field."+sub))
			}
			f.Bad[p.Field] = true
			f.Problems = append(f.Problems, i18n.T(lang, "log.problem", label, i18n.T(lang, "log.problem."+p.Code, problemValue(lang, p))))
		}
	}
	f.Problems = append(f.Problems, uploads...)
}

// problemValue is what a problem names: a due date in words (it is one:
// the check parsed it), anything else as typed.
func problemValue(lang string, p check.Problem) string {
	if p.Code == "due-before-lesson" {
		if t, err := timetable.ParseDate(p.Value); err == nil {
			return page.DayName(lang, t)
		}
	}
	return p.Value
}

// uploadText explains why one file of several was refused, naming it.
func uploadText(lang string, p check.Problem) string {
	switch p.Code {
	case "too-many":
		return i18n.T(lang, "cl.att.toomany", p.Value, i18n.N(lang, "cl.att.files", p.N))
	case "too-large":
		return i18n.T(lang, "cl.att.toolarge", p.Value, sizeText(lang, int64(p.N)))
	case "refused":
		return i18n.T(lang, "cl.att.refused", p.Value, files.AcceptedExtensions)
	case "empty":
		return i18n.T(lang, "cl.att.empty", p.Value)
	case "no-storage":
		return i18n.T(lang, "files.nostorage")
	}
	return i18n.T(lang, "cl.att.unreadable", p.Value)
}

// handInsKept explains why a homework line was not removed: students
// handed in work for it, which only an explicit confirmation lets go.
func handInsKept(lang string, p check.Problem, f *entryForm, was []classlog.Homework) string {
	what := ""
	for _, h := range was {
		if h.ID == p.Value {
			desc := []rune(strings.Join(strings.Fields(richtext.Text(h.Description)), " "))
			if len(desc) > 60 {
				desc = append(desc[:59], '…')
			}
			due := h.DueDate
			if d, err := timetable.ParseDate(due); err == nil {
				due = page.DayName(lang, d)
			}
			what = i18n.T(lang, "log.handins.what", string(desc), due)
		}
	}
	count := i18n.N(lang, "log.handins.count", p.N)
	var line int
	if _, err := fmt.Sscanf(p.Field, "homework.%d.", &line); err == nil && line >= 0 && line < len(f.Homework) {
		f.Bad[fmt.Sprintf("homework.%d.description", line)] = true
		return i18n.T(lang, "log.problem.has-handins", line+1, what, count)
	}
	// The form no longer carried the line (a page older than the save).
	return i18n.T(lang, "log.problem.has-handins-gone", what, count)
}
