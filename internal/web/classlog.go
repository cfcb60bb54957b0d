package web

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"time"

	"cartable/internal/access"
	"cartable/internal/classlog"
	"cartable/internal/db"
	"cartable/internal/directory"
	"cartable/internal/files"
	"cartable/internal/i18n"
	"cartable/internal/richtext"
	"cartable/internal/timetable"
)

func (s *Server) classlogRoutes(mux *http.ServeMux) {
	mux.HandleFunc("POST /lessons/{slot}/{date}/log", s.limitedLog(s.signedIn(s.saveEntry)))
	mux.HandleFunc("POST /classlog/entries/{id}/copy", s.signedIn(s.copyEntry))
	mux.HandleFunc("POST /classlog/entries/{id}/delete", s.signedIn(s.deleteEntry))
	mux.HandleFunc("POST /classlog/entries/{id}/attachments/{file}/remove", s.signedIn(s.removeAttachment))
	mux.HandleFunc("GET /classlog/classes/{id}", s.signedIn(s.structureLog))
	mux.HandleFunc("GET /classlog/groups/{id}", s.signedIn(s.structureLog))
	mux.HandleFunc("GET /homework", s.signedIn(s.homeworkList))
	mux.HandleFunc("POST /homework/{id}/done", s.signedIn(s.homeworkDone))
	mux.HandleFunc("POST /homework/{id}/hand-in", s.limited(s.signedIn(s.handIn)))
	mux.HandleFunc("GET /homework/{id}/hand-ins", s.signedIn(s.handIns))
	mux.HandleFunc("GET /files/{id}", s.signedIn(s.download))
}

// The largest upload a form may carry: the file limit plus room for the
// other fields.
const formOverhead = 256 << 10

// limited refuses, before anything is read, a body announced larger than
// an upload may be, with a clear message; a body that turns out larger is
// cut at that size.
func (s *Server) limited(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		limit := s.uploadLimit() + formOverhead
		if r.ContentLength > limit {
			d := homeworkData{Problem: i18n.T(langOf(r), "files.toolarge", s.uploadLimit()>>20)}
			w.Header().Set("Connection", "close")
			s.render(w, r, http.StatusRequestEntityTooLarge, "homework", "hw.title", d)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		h(w, r)
	}
}

// limitedLog is limited for the class log form, which may carry several
// files at once: up to an entry's whole allowance of attachments. The form
// is parsed here, so that a body over the limit gets the lesson page with
// a message rather than a failed CSRF check on a form cut short.
func (s *Server) limitedLog(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if cur := currentOf(r); cur == nil || !cur.session.MFADone {
			h(w, r) // refused by signedIn before anything is read
			return
		}
		limit := classlog.MaxAttachments*s.uploadLimit() + formOverhead
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
		l, ok := s.loadLesson(w, r)
		if !ok {
			return
		}
		// Nothing of the form could be read: an empty form, with the reason.
		f := entryForm{Category: "lesson", Audience: audienceKey(l.Slot.Audiences[0]),
			Problems: []string{i18n.T(langOf(r), "cl.att.toomuch", sizeText(langOf(r), limit-formOverhead))}}
		s.renderLesson(w, r, l, http.StatusRequestEntityTooLarge, &f, nil)
	}
}

// sizeText writes a byte count in whole MB, or KB below one MB.
func sizeText(lang string, n int64) string {
	if n >= 1<<20 {
		return i18n.T(lang, "cl.att.mb", n>>20)
	}
	return i18n.T(lang, "cl.att.kb", n>>10)
}

func (s *Server) uploadLimit() int64 {
	if s.Files == nil {
		return files.DefaultMaxSize
	}
	return s.Files.MaxSize
}

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

// kept counts the attachments the form keeps.
func (f entryForm) kept() int {
	n := 0
	for _, a := range f.Attachments {
		if !f.Remove[a.FileID] {
			n++
		}
	}
	return n
}

func audienceKey(a timetable.Audience) string {
	if a.GroupID != "" {
		return "g:" + a.GroupID
	}
	return "c:" + a.ClassID
}

// formFromEntry fills the form with a saved entry. Its rich text goes back
// into the text boxes as its author typed it (richtext.Source), not as the
// stored HTML whose entities the page would escape a second time.
func formFromEntry(e classlog.Entry) entryForm {
	f := entryForm{ID: e.ID, Title: e.Title, Body: richtext.Source(e.Body), Category: e.Category, Draft: e.Draft, Audience: "c:" + e.ClassID,
		Attachments: e.Attachments}
	if e.GroupID != "" {
		f.Audience = "g:" + e.GroupID
	}
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

// Lines pads the homework lines so that the form always offers an empty one.
func (f entryForm) Lines() []hwForm {
	out := append([]hwForm{}, f.Homework...)
	for len(out) < len(f.Homework)+1 || len(out) < 2 {
		out = append(out, hwForm{HandIn: "none"})
	}
	return out
}

// classlogProblems turns problems into sentences and marks the fields.
// was is the entry's homework as saved, to name a homework whose removal
// is refused.
func classlogProblems(lang string, ps classlog.Problems, f *entryForm, was []classlog.Homework) {
	if f.Bad == nil {
		f.Bad = map[string]bool{}
	}
	for _, p := range ps {
		if p.Code == "has-handins" {
			f.Problems = append(f.Problems, handInsKept(lang, p, f, was))
			continue
		}
		field := p.Field
		label := field
		line := 0
		if strings.HasPrefix(field, "homework.") {
			var sub string
			fmt.Sscanf(strings.TrimPrefix(field, "homework."), "%d.", &line)
			sub = field[strings.LastIndex(field, ".")+1:]
			label = i18n.T(lang, "log.field.homework", line+1, i18n.T(lang, "log.field."+sub))
		} else {
			label = i18n.T(lang, "log.field."+field)
		}
		f.Bad[field] = true
		f.Problems = append(f.Problems, i18n.T(lang, "log.problem", label, i18n.T(lang, "log.problem."+p.Code, p.Detail)))
	}
}

// handInsKept explains why a homework line was not removed: students
// handed in work for it, which only an explicit confirmation lets go.
func handInsKept(lang string, p classlog.Problem, f *entryForm, was []classlog.Homework) string {
	what := ""
	for _, h := range was {
		if h.ID == p.Detail {
			desc := []rune(strings.Join(strings.Fields(richtext.Text(h.Description)), " "))
			if len(desc) > 60 {
				desc = append(desc[:59], '…')
			}
			due := h.DueDate
			if d, err := timetable.ParseDate(due); err == nil {
				due = dayName(lang, d)
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

func (s *Server) saveEntry(w http.ResponseWriter, r *http.Request) {
	l, ok := s.loadLesson(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	cur := currentOf(r)
	lang := langOf(r)
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
	// The class log of this lesson is written by its own teachers (and the
	// replacement of this occurrence), not by a colleague of the class.
	if !s.allowed(w, r, access.WriteClassLog, access.Occurrence(l.Slot.ID, l.Date)) {
		return
	}
	// The audience must be one of the lesson's; another is forged.
	var aud *timetable.Audience
	for _, a := range l.Slot.Audiences {
		if audienceKey(a) == f.Audience {
			a := a
			aud = &a
		}
	}
	if aud == nil && f.Audience != "" {
		res, _ := structureOf(f.Audience)
		s.auditRefusal(r, res)
		s.renderError(w, r, http.StatusNotFound, "error.notfound")
		return
	}
	if aud == nil {
		aud = &l.Slot.Audiences[0]
		f.Audience = audienceKey(*aud)
	}
	var was []classlog.Homework // the entry's homework as saved
	if f.ID != "" {
		// Editing, and so attaching and removing attachments: the entry's
		// author, while a teacher of its lesson.
		if !s.allowed(w, r, access.EditEntry, access.Entry(f.ID)) {
			return
		}
		e, err := classlog.EntryByID(ctx, s.DB, f.ID)
		if errors.Is(err, classlog.ErrNotFound) { // deleted meanwhile
			s.renderError(w, r, http.StatusNotFound, "error.notfound")
			return
		}
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		// An entry is edited through its own lesson's form only.
		if e.SlotID != l.Slot.ID || e.LessonDate != l.Date {
			s.auditRefusal(r, access.Entry(f.ID))
			s.renderError(w, r, http.StatusNotFound, "error.notfound")
			return
		}
		// Its audience never changes: new homework lines take it.
		aud = &timetable.Audience{ClassID: e.ClassID, GroupID: e.GroupID}
		f.Audience = audienceKey(*aud)
		f.Attachments = e.Attachments
		was = e.Homework
		// The lines of this entry's homework show their hand-ins again if
		// the form comes back; an ID from elsewhere shows nothing.
		for i := range f.Homework {
			for _, h := range was {
				if h.ID == f.Homework[i].ID {
					f.Homework[i].Submissions = h.Submissions
				}
			}
		}
	}
	in := classlog.EntryInput{ID: f.ID, EstablishmentID: l.Slot.EstablishmentID, AuthorID: cur.viewer.ID, SlotID: l.Slot.ID,
		LessonDate: l.Date, ClassID: aud.ClassID, GroupID: aud.GroupID, SubjectID: l.Slot.SubjectID, Title: f.Title,
		Body: f.Body, Category: f.Category, Draft: f.Draft, PublishAt: f.PublishAt}
	for _, h := range f.Homework {
		hi := classlog.HomeworkInput{ID: h.ID, DueDate: h.Due, Description: h.Description, Minutes: h.Minutes, HandIn: h.HandIn,
			DiscardHandIns: h.Discard}
		if h.DueLesson != "" {
			hi.DueSlotID = h.DueLesson
		}
		in.Homework = append(in.Homework, hi)
	}
	var uploads []*multipart.FileHeader
	if r.MultipartForm != nil {
		uploads = r.MultipartForm.File["attachment"]
	}
	// Every fault at once, text and files, before anything is written.
	ps := classlog.Check(in)
	due, err := s.dueLessonProblems(r, l, *aud, in, was)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if ps = append(ps, due...); len(ps) > 0 {
		classlogProblems(lang, ps, &f, was)
	}
	f.Problems = append(f.Problems, s.uploadProblems(lang, uploads, f.kept())...)
	if len(f.Problems) > 0 {
		s.entryRefused(w, r, l, &f, uploads)
		return
	}
	var removals []string
	for id := range f.Remove {
		removals = append(removals, id)
	}
	var saved []files.File
	var gone []string // storage keys of the files the save lets go
	err = s.DB.Tx(ctx, func(tx *db.Tx) error {
		var held []string
		if f.ID != "" {
			var err error
			if held, err = classlog.FilesOf(ctx, tx, f.ID); err != nil {
				return err
			}
		}
		id, err := classlog.Save(ctx, tx, in, s.Now())
		if err != nil {
			return err
		}
		if err := classlog.Detach(ctx, tx, id, cur.viewer.ID, removals); err != nil {
			return err
		}
		if len(uploads) > 0 {
			n, err := classlog.AttachmentCount(ctx, tx, id)
			if err != nil {
				return err
			}
			if over := n + len(uploads) - classlog.MaxAttachments; over > 0 {
				return uploadError{Name: uploads[len(uploads)-over].Filename, Err: errTooManyFiles}
			}
			if s.Files == nil {
				return errNoStorage
			}
			for _, h := range uploads {
				fh, err := h.Open()
				if err != nil {
					return err
				}
				sf, err := s.Files.Save(ctx, tx, l.Slot.EstablishmentID, cur.viewer.ID, h.Filename, fh, 0)
				fh.Close()
				if err != nil {
					return uploadError{Name: h.Filename, Err: err}
				}
				saved = append(saved, sf)
				if err := classlog.Attach(ctx, tx, id, sf.ID); err != nil {
					return err
				}
			}
		}
		// Files the save let go of: attachments removed (unless a copy
		// still has them), work handed in for a homework line the teacher
		// removed, confirming it.
		orphans, err := classlog.Orphans(ctx, tx, held)
		if err != nil {
			return err
		}
		gone, err = files.DeleteRecords(ctx, tx, orphans)
		return err
	})
	if err != nil {
		// All or nothing: the blobs written for a rolled back save go too.
		for _, sf := range saved {
			s.Files.Discard(context.WithoutCancel(ctx), s.DB, sf)
		}
	}
	var ue uploadError
	switch {
	case err == nil:
		s.eraseBlobs(ctx, gone)
		http.Redirect(w, r, "/lessons/"+l.Slot.ID+"/"+l.Date+"?saved=entry", http.StatusSeeOther)
		return
	case errors.As(err, &ps):
		classlogProblems(lang, ps, &f, was)
	case errors.As(err, &ue) && s.uploadProblem(lang, ue.Name, ue.Err) != "":
		f.Problems = append(f.Problems, s.uploadProblem(lang, ue.Name, ue.Err))
	case s.fileProblem(lang, err) != "":
		f.Problems = append(f.Problems, s.fileProblem(lang, err))
	default:
		s.serverError(w, r, err)
		return
	}
	s.entryRefused(w, r, l, &f, uploads)
}

// structureOf reads a class or group as forms send it, "c:ID" or "g:ID".
func structureOf(key string) (access.Resource, bool) {
	kind, id, _ := strings.Cut(key, ":")
	switch {
	case id == "":
		return access.Resource{Kind: "structure", ID: key}, false
	case kind == "c":
		return access.Class(id), true
	case kind == "g":
		return access.Group(id), true
	}
	return access.Resource{Kind: "structure", ID: key}, false
}

// dueLessonProblems checks the lessons that homework lines are due at: a
// lesson of the timetable running that day (timetable.LessonAt), of this
// lesson's establishment, and of the entry's class or group or else one
// whose class log the author writes; its date is checked against the
// entry's by classlog.Check. A line of the entry's own homework that keeps
// its lesson is not checked again: the timetable may have changed since.
// A lesson refused here is a forged or stale value: the refusal is audited.
func (s *Server) dueLessonProblems(r *http.Request, l timetable.Lesson, aud timetable.Audience, in classlog.EntryInput,
	was []classlog.Homework) (classlog.Problems, error) {
	var ps classlog.Problems
	for i, h := range in.Homework {
		slot, date, ok := strings.Cut(h.DueSlotID, "/")
		if _, err := timetable.ParseDate(date); !ok || slot == "" || err != nil {
			continue // none, or malformed: classlog.Check names it
		}
		kept := false
		for _, o := range was {
			kept = kept || (o.ID == h.ID && o.DueSlotID == slot && o.DueDate == date)
		}
		if kept {
			continue
		}
		fits, err := s.dueLessonFits(r, l, aud, slot, date)
		if err != nil {
			return nil, err
		}
		if !fits {
			s.auditRefusal(r, access.Occurrence(slot, date))
			ps = append(ps, classlog.Problem{Field: fmt.Sprintf("homework.%d.lesson", i), Code: "bad-lesson", Detail: h.DueSlotID})
		}
	}
	return ps, nil
}

func (s *Server) dueLessonFits(r *http.Request, l timetable.Lesson, aud timetable.Audience, slot, date string) (bool, error) {
	due, err := timetable.LessonAt(r.Context(), currentOf(r).viewer, s.DB, slot, date)
	if errors.Is(err, access.ErrDenied) { // not running that day, or out of the author's sight
		return false, nil
	}
	if err != nil || due.Slot.EstablishmentID != l.Slot.EstablishmentID {
		return false, err
	}
	if hasAudience(due, aud) {
		return true, nil
	}
	return s.may(r, access.WriteClassLog, access.Occurrence(slot, date))
}

// entryRefused shows the lesson page again with what was typed and why
// nothing was saved. A browser never keeps chosen files: say so.
func (s *Server) entryRefused(w http.ResponseWriter, r *http.Request, l timetable.Lesson, f *entryForm, uploads []*multipart.FileHeader) {
	if len(uploads) > 0 {
		f.Problems = append(f.Problems, i18n.T(langOf(r), "cl.att.again"))
	}
	s.renderLesson(w, r, l, http.StatusUnprocessableEntity, f, nil)
}

// uploadError ties a refused upload to the name it was sent under.
type uploadError struct {
	Name string
	Err  error
}

func (e uploadError) Error() string { return fmt.Sprintf("%s: %v", e.Name, e.Err) }
func (e uploadError) Unwrap() error { return e.Err }

var errTooManyFiles = errors.New("too many attachments")

// uploadProblems checks the files sent with an entry that keeps `kept`
// attachments, before any is stored: one sentence per refused file.
func (s *Server) uploadProblems(lang string, uploads []*multipart.FileHeader, kept int) []string {
	if len(uploads) == 0 {
		return nil
	}
	if s.Files == nil {
		return []string{i18n.T(lang, "files.nostorage")}
	}
	var out []string
	for i, h := range uploads {
		var err error
		switch {
		case kept+i >= classlog.MaxAttachments:
			err = errTooManyFiles
		case h.Size == 0:
			err = files.ErrEmpty
		case h.Size > s.uploadLimit():
			err = files.TooLarge{Limit: s.uploadLimit()}
		default:
			err = checkHead(h)
		}
		if err != nil {
			msg := s.uploadProblem(lang, h.Filename, err)
			if msg == "" {
				msg = i18n.T(lang, "cl.att.unreadable", files.CleanName(h.Filename))
			}
			out = append(out, msg)
		}
	}
	return out
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

// uploadProblem explains why one file of several was refused, naming it,
// or "" when err is something else.
func (s *Server) uploadProblem(lang, name string, err error) string {
	name = files.CleanName(name)
	var tl files.TooLarge
	var rf files.Refused
	switch {
	case errors.Is(err, errTooManyFiles):
		return i18n.T(lang, "cl.att.toomany", name, classlog.MaxAttachments)
	case errors.As(err, &tl):
		return i18n.T(lang, "cl.att.toolarge", name, sizeText(lang, tl.Limit))
	case errors.As(err, &rf):
		return i18n.T(lang, "cl.att.refused", name, files.AcceptedExtensions)
	case errors.Is(err, files.ErrEmpty):
		return i18n.T(lang, "cl.att.empty", name)
	}
	return ""
}

// eraseBlobs erases, once their transaction has committed, the blobs of
// the file records it deleted (files.DeleteRecords). A blob that cannot be
// deleted now stays queued and the server's erasure retries it
// (cmd/cartable eraseFiles).
func (s *Server) eraseBlobs(ctx context.Context, keys []string) {
	if s.Files == nil || len(keys) == 0 {
		return
	}
	if _, err := s.Files.Erase(context.WithoutCancel(ctx), s.DB, keys...); err != nil {
		s.Log.Warn("stored blobs stay queued for erasure", "count", len(keys), "err", err.Error())
	}
}

var errNoStorage = errors.New("file storage is not configured")

// fileProblem explains a refused upload, or "" when err is something else.
func (s *Server) fileProblem(lang string, err error) string {
	var tl files.TooLarge
	var rf files.Refused
	switch {
	case errors.As(err, &tl):
		return i18n.T(lang, "files.toolarge", tl.Limit>>20)
	case errors.As(err, &rf):
		return i18n.T(lang, "files.refused", rf.Name, files.AcceptedExtensions)
	case errors.Is(err, files.ErrEmpty):
		return i18n.T(lang, "files.empty")
	case errors.Is(err, errNoStorage):
		return i18n.T(lang, "files.nostorage")
	}
	return ""
}

func (s *Server) copyEntry(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if !s.allowed(w, r, access.EditEntry, access.Entry(id)) {
		return
	}
	ctx := r.Context()
	target := r.PostFormValue("target")
	if target == "" {
		s.renderError(w, r, http.StatusUnprocessableEntity, "log.copy.notarget")
		return
	}
	// A class or group the author does not teach, or none: refused as
	// unknown, and audited.
	res, ok := structureOf(target)
	if !ok {
		s.auditRefusal(r, res)
		s.renderError(w, r, http.StatusNotFound, "error.notfound")
		return
	}
	if !s.allowed(w, r, access.WriteClassLog, res) {
		return
	}
	classID, groupID := res.ID, ""
	if res.Kind == access.KindGroup {
		classID, groupID = "", res.ID
	}
	date := strings.TrimSpace(r.PostFormValue("date"))
	if date != "" {
		if _, err := timetable.ParseDate(date); err != nil {
			s.renderError(w, r, http.StatusUnprocessableEntity, "log.copy.baddate")
			return
		}
	}
	err := s.DB.Tx(ctx, func(tx *db.Tx) error {
		_, err := classlog.Copy(ctx, tx, id, currentOf(r).viewer.ID, classID, groupID, date, s.Now())
		return err
	})
	var ps classlog.Problems
	if errors.As(err, &ps) {
		// A class or group the author teaches, but where the copy cannot go.
		msg := "log.copy.same"
		switch ps[0].Code {
		case "other-establishment":
			msg = "log.copy.otherest"
		case "not-taught":
			msg = "log.copy.subject"
		case "required":
			msg = "log.copy.notarget"
		}
		s.renderError(w, r, http.StatusUnprocessableEntity, msg)
		return
	}
	if errors.Is(err, classlog.ErrNotFound) { // deleted meanwhile
		s.renderError(w, r, http.StatusNotFound, "error.notfound")
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	back := "/classlog/classes/" + classID
	if groupID != "" {
		back = "/classlog/groups/" + groupID
	}
	http.Redirect(w, r, back+"?saved=copy", http.StatusSeeOther)
}

func (s *Server) deleteEntry(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if !s.allowed(w, r, access.EditEntry, access.Entry(id)) {
		return
	}
	ctx := r.Context()
	e, err := classlog.EntryByID(ctx, s.DB, id)
	if err == nil && handedIn(e) > 0 && r.PostFormValue("discard_handins") != "1" {
		// Students' work goes only when the teacher says so.
		s.renderError(w, r, http.StatusConflict, "log.delete.has-handins")
		return
	}
	var gone []string
	if err == nil {
		err = s.DB.Tx(ctx, func(tx *db.Tx) error {
			orphans, err := classlog.Delete(ctx, tx, id, currentOf(r).viewer.ID)
			if err != nil {
				return err
			}
			gone, err = files.DeleteRecords(ctx, tx, orphans)
			return err
		})
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	// Its files go from storage too, unless a copy still holds them.
	s.eraseBlobs(ctx, gone)
	back := "/timetable"
	if e.SlotID != "" {
		back = "/lessons/" + e.SlotID + "/" + e.LessonDate
	}
	http.Redirect(w, r, back+"?saved=deleted", http.StatusSeeOther)
}

// handedIn counts the work handed in for an entry's homework.
func handedIn(e classlog.Entry) int {
	n := 0
	for _, h := range e.Homework {
		n += h.Submissions
	}
	return n
}

// removeAttachment takes one attachment off an entry, from any page that
// lists the entry (copies have no lesson form). The file goes from storage
// unless a copy of the entry still holds it.
func (s *Server) removeAttachment(w http.ResponseWriter, r *http.Request) {
	id, file := r.PathValue("id"), r.PathValue("file")
	if !s.allowed(w, r, access.EditEntry, access.Entry(id)) {
		return
	}
	ctx := r.Context()
	e, err := classlog.EntryByID(ctx, s.DB, id)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	attached := false
	for _, a := range e.Attachments {
		attached = attached || a.FileID == file
	}
	if !attached {
		s.renderError(w, r, http.StatusNotFound, "error.notfound")
		return
	}
	var gone []string
	err = s.DB.Tx(ctx, func(tx *db.Tx) error {
		if err := classlog.Detach(ctx, tx, id, currentOf(r).viewer.ID, []string{file}); err != nil {
			return err
		}
		orphans, err := classlog.Orphans(ctx, tx, []string{file})
		if err != nil {
			return err
		}
		gone, err = files.DeleteRecords(ctx, tx, orphans)
		return err
	})
	if errors.Is(err, classlog.ErrNotFound) { // deleted meanwhile
		s.renderError(w, r, http.StatusNotFound, "error.notfound")
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.eraseBlobs(ctx, gone)
	back := "/classlog/classes/" + e.ClassID
	if e.GroupID != "" {
		back = "/classlog/groups/" + e.GroupID
	}
	back += "?saved=att-removed"
	if to, err := timetable.ParseDate(r.PostFormValue("to")); err == nil {
		back += "&to=" + to.Format(timetable.DateFormat)
	}
	http.Redirect(w, r, back+"#e-"+id, http.StatusSeeOther)
}

type structureLogData struct {
	Me       string // the viewer: their own entries offer attachment removal
	Heading  string
	Entries  []classlog.Entry
	From, To string
	Prev     string
	Saved    string
	Now      time.Time
}

// structureLog lists a class's or group's class log, four weeks at a time.
func (s *Server) structureLog(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	ctx := r.Context()
	isGroup := strings.HasPrefix(r.URL.Path, "/classlog/groups/")
	res := access.Class(id)
	if isGroup {
		res = access.Group(id)
	}
	if !s.allowed(w, r, access.ReadClassLog, res) {
		return
	}
	lang := langOf(r)
	d := structureLogData{Saved: r.URL.Query().Get("saved"), Now: s.Now(), Me: currentOf(r).viewer.ID}
	to, err := timetable.ParseDate(r.URL.Query().Get("to"))
	if err != nil {
		to = time.Date(d.Now.In(timetable.Paris).Year(), d.Now.In(timetable.Paris).Month(), d.Now.In(timetable.Paris).Day()+14, 0, 0, 0, 0, timetable.Paris)
	}
	from := to.AddDate(0, 0, -34)
	d.From, d.To = from.Format(timetable.DateFormat), to.Format(timetable.DateFormat)
	d.Prev = from.AddDate(0, 0, -1).Format(timetable.DateFormat)
	var entries []classlog.Entry
	if isGroup {
		g, gerr := directory.GroupByID(ctx, s.DB, id)
		if gerr != nil {
			s.serverError(w, r, gerr)
			return
		}
		d.Heading = i18n.T(lang, "group.heading", g.Name)
		entries, err = classlog.EntriesOfStructure(ctx, s.DB, "", id, d.From, d.To)
	} else {
		c, cerr := directory.ClassByID(ctx, s.DB, id)
		if cerr != nil {
			s.serverError(w, r, cerr)
			return
		}
		d.Heading = i18n.T(lang, "class.heading", c.Name)
		entries, err = classlog.EntriesOfStructure(ctx, s.DB, id, "", d.From, d.To)
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	ids := make([]string, len(entries))
	for i, e := range entries {
		ids[i] = e.ID
	}
	ok, err := s.Policy.VisibleEntries(ctx, currentOf(r).viewer, ids)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	for _, e := range entries {
		if ok[e.ID] {
			d.Entries = append(d.Entries, e)
		}
	}
	s.render(w, r, http.StatusOK, "classlog", "log.title", d)
}

type homeworkData struct {
	Heading  string
	Children []directory.Kin
	ChildID  string
	Student  bool // the viewer is the student: may tick and hand in
	Days     []homeworkDay
	Set      []classlog.Homework // a teacher's homework
	From     string
	Saved    string
	Problem  string
	Limit    int64
	Accept   string
}

type homeworkDay struct {
	Date  string
	Items []classlog.Homework
}

// homeworkList: a student's own list by due date, a relative's child's
// (with the child's ticks), or the homework a teacher set.
func (s *Server) homeworkList(w http.ResponseWriter, r *http.Request) {
	cur := currentOf(r)
	v := cur.viewer
	ctx := r.Context()
	now := s.Now()
	d := homeworkData{Saved: r.URL.Query().Get("saved"), Limit: s.uploadLimit() >> 20, Accept: files.AcceptedExtensions}
	from := now.In(timetable.Paris).Format(timetable.DateFormat)
	if f, err := timetable.ParseDate(r.URL.Query().Get("from")); err == nil {
		from = f.Format(timetable.DateFormat)
	}
	d.From = from
	to := mustDate(from).AddDate(0, 0, 28).Format(timetable.DateFormat)
	studentID := ""
	switch v.Profile {
	case directory.Student:
		studentID, d.Student, d.Heading = v.ID, true, cur.me.DisplayName()
	case directory.Relative:
		children, err := s.visibleChildren(r)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		d.Children = children
		if len(children) == 0 {
			s.render(w, r, http.StatusOK, "homework", "hw.title", d)
			return
		}
		child, ok := s.chosenChild(r)
		if !ok {
			s.renderError(w, r, http.StatusNotFound, "error.notfound")
			return
		}
		studentID, d.ChildID, d.Heading = child.ID, child.ID, child.FirstName+" "+child.LastName
	default:
		entries, err := classlog.EntriesByAuthor(ctx, s.DB, v.ID, mustDate(from).AddDate(0, 0, -28).Format(timetable.DateFormat), to)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		for _, e := range entries {
			for _, h := range e.Homework {
				if h.DueDate >= mustDate(from).AddDate(0, 0, -14).Format(timetable.DateFormat) {
					d.Set = append(d.Set, h)
				}
			}
		}
		d.Heading = cur.me.DisplayName()
		s.render(w, r, http.StatusOK, "homework", "hw.title", d)
		return
	}
	// The student's record of work: their own, or their child's.
	if !s.allowed(w, r, access.ReadTimetable, access.Person(studentID)) {
		return
	}
	hw, err := classlog.HomeworkOfStudent(ctx, s.DB, studentID, from, to, now)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	seeTicks, err := s.may(r, access.ReadDone, access.Person(studentID))
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	entryIDs := make([]string, len(hw))
	for i, h := range hw {
		entryIDs[i] = h.EntryID
	}
	ok, err := s.Policy.VisibleEntries(ctx, v, entryIDs)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	for _, h := range hw {
		if !ok[h.EntryID] {
			continue
		}
		if !seeTicks {
			h.Done = false
		}
		if n := len(d.Days); n == 0 || d.Days[n-1].Date != h.DueDate {
			d.Days = append(d.Days, homeworkDay{Date: h.DueDate})
		}
		d.Days[len(d.Days)-1].Items = append(d.Days[len(d.Days)-1].Items, h)
	}
	s.render(w, r, http.StatusOK, "homework", "hw.title", d)
}

func (s *Server) homeworkDone(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	v := currentOf(r).viewer
	if !s.allowed(w, r, access.TickDone, access.Person(v.ID)) || !s.allowed(w, r, access.ReadClassLog, access.Homework(id)) {
		return
	}
	done := r.PostFormValue("done") == "1"
	if err := classlog.SetDone(r.Context(), s.DB, id, v.ID, done, s.Now()); err != nil {
		s.serverError(w, r, err)
		return
	}
	back := "/homework?saved=done"
	if from := r.PostFormValue("from"); from != "" {
		back += "&from=" + url.QueryEscape(from)
	}
	http.Redirect(w, r, back+"#hw-"+id, http.StatusSeeOther)
}

func (s *Server) handIn(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	v := currentOf(r).viewer
	ctx := r.Context()
	lang := langOf(r)
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		var mb *http.MaxBytesError
		if errors.As(err, &mb) {
			s.homeworkProblem(w, r, i18n.T(lang, "files.toolarge", s.uploadLimit()>>20))
			return
		}
		s.homeworkProblem(w, r, i18n.T(lang, "files.nofile"))
		return
	}
	if r.PostFormValue("csrf") != csrfToken(currentOf(r).token) {
		s.renderError(w, r, http.StatusForbidden, "error.csrf")
		return
	}
	if !s.allowed(w, r, access.HandIn, access.Homework(id)) {
		return
	}
	h, err := classlog.HomeworkByID(ctx, s.DB, id)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	fh, hdr, err := r.FormFile("file")
	if err != nil {
		s.homeworkProblem(w, r, i18n.T(lang, "files.nofile"))
		return
	}
	defer fh.Close()
	if s.Files == nil {
		s.homeworkProblem(w, r, i18n.T(lang, "files.nostorage"))
		return
	}
	var saved files.File
	var replaced string
	err = s.DB.Tx(ctx, func(tx *db.Tx) error {
		est := ""
		if err := tx.QueryRow(ctx, `SELECT establishment_id FROM homework WHERE id = ?`, h.ID).Scan(&est); err != nil {
			return err
		}
		var err error
		if saved, err = s.Files.Save(ctx, tx, est, v.ID, hdr.Filename, fh, 0); err != nil {
			return err
		}
		replaced, err = classlog.Submit(ctx, tx, h.ID, v.ID, saved.ID, s.Now())
		return err
	})
	if err != nil {
		if saved.ID != "" {
			s.Files.Discard(context.WithoutCancel(ctx), s.DB, saved)
		}
		if msg := s.fileProblem(lang, err); msg != "" {
			s.homeworkProblem(w, r, msg)
			return
		}
		s.serverError(w, r, err)
		return
	}
	// The replaced work's record went with the transaction, queuing its
	// blob; the blob goes now that the transaction is committed (or, if
	// the storage refuses, with the server's next erasure).
	if replaced != "" && replaced != saved.ID {
		s.eraseBlobs(ctx, []string{files.File{ID: replaced, EstablishmentID: saved.EstablishmentID}.Key()})
	}
	http.Redirect(w, r, "/homework?saved=handin#hw-"+id, http.StatusSeeOther)
}

// homeworkProblem shows the homework list with a refusal message.
func (s *Server) homeworkProblem(w http.ResponseWriter, r *http.Request, msg string) {
	d := homeworkData{Problem: msg, Limit: s.uploadLimit() >> 20, Accept: files.AcceptedExtensions}
	s.render(w, r, http.StatusUnprocessableEntity, "homework", "hw.title", d)
}

type handInsData struct {
	Homework classlog.Homework
	Rows     []classlog.HandInRow
	Handed   int
	Late     int
}

func (s *Server) handIns(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if !s.allowed(w, r, access.ReadHandIns, access.Homework(id)) {
		return
	}
	h, err := classlog.HomeworkByID(r.Context(), s.DB, id)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	rows, err := classlog.HandInsOf(r.Context(), s.DB, h, s.Now())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	d := handInsData{Homework: h, Rows: rows}
	for _, x := range rows {
		if x.Submitted {
			d.Handed++
		}
		if x.Late {
			d.Late++
		}
	}
	s.render(w, r, http.StatusOK, "handins", "hw.handins.title", d)
}

// download serves a stored file as an attachment, in a sandbox: a file is
// never rendered as a page of this site.
func (s *Server) download(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if !s.allowed(w, r, access.ReadFile, access.File(id)) {
		return
	}
	if s.Files == nil {
		s.renderError(w, r, http.StatusServiceUnavailable, "files.nostorage")
		return
	}
	f, data, err := s.Files.Read(r.Context(), s.DB, id)
	if errors.Is(err, files.ErrNotFound) {
		// Deleted meanwhile, or its blob is missing from the storage: the
		// error says which, for the log; the visitor sees "not found".
		s.Log.Warn("download of a file without content", "file", id, "err", err.Error())
		s.renderError(w, r, http.StatusNotFound, "error.notfound")
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", f.ContentType)
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": f.Name}))
	h.Set("Content-Security-Policy", "sandbox; default-src 'none'")
	h.Set("Cache-Control", "private, no-store")
	h.Set("Content-Length", fmt.Sprint(len(data)))
	w.Write(data)
}
