package web

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	"cartable/internal/access"
	"cartable/internal/classlog"
	"cartable/internal/db"
	"cartable/internal/directory"
	"cartable/internal/i18n"
	"cartable/internal/timetable"
)

// slotForm is the "add a lesson" (or "change a lesson") form as typed.
// Teachers and Audiences hold one value per select, the last one blank so
// that a co-teacher or another class can be added without script.
type slotForm struct {
	Day, Start, Duration, Subject, Room, Alternation string
	Teachers, Audiences                              []string
	Date                                             string // one-off lesson
	EditID                                           string // the lesson changed, if any
	Exceptional                                      bool
	Problems                                         []string
	Bad                                              map[string]bool // fields named by a problem
}

// editTimetable runs one edit of the timetable in a transaction, then
// empties this process's timetable caches, whatever the outcome.
func (s *Server) editTimetable(ctx context.Context, fn func(tx *db.Tx) error) error {
	defer s.weeks.Reset()
	return s.DB.Tx(ctx, fn)
}

// badFields marks the fields the problems name, for aria-invalid.
func badFields(ps timetable.Problems) map[string]bool {
	bad := map[string]bool{}
	for _, p := range ps {
		bad[p.Field] = true
	}
	return bad
}

// withBlank returns xs without blanks, followed by one blank.
func withBlank(xs []string) []string {
	var out []string
	for _, x := range xs {
		if x != "" {
			out = append(out, x)
		}
	}
	return append(out, "")
}

// formOfSlot fills the form with a stored lesson, for changing it.
func formOfSlot(sl *timetable.Slot) slotForm {
	f := slotForm{Day: strconv.Itoa(sl.Weekday), Start: timetable.HHMM(sl.StartMin), Duration: strconv.Itoa(sl.DurationMin),
		Subject: sl.SubjectID, Alternation: sl.AlternationID, EditID: sl.ID, Exceptional: sl.Exceptional}
	if sl.Room != nil {
		f.Room = sl.Room.ID
	}
	if sl.Exceptional {
		f.Date = sl.ValidFrom
	}
	for _, t := range sl.Teachers {
		f.Teachers = append(f.Teachers, t.ID)
	}
	for _, a := range sl.Audiences {
		f.Audiences = append(f.Audiences, classlog.AudienceKey(a.ClassID, a.GroupID))
	}
	return f
}

type manageData struct {
	Establishment directory.Establishment
	Year          timetable.SchoolYear
	Classes       []directory.Class
	Groups        []directory.Group
	Subjects      []directory.Subject
	Teachers      []directory.Person
	Rooms         []timetable.Room
	Alternations  []timetable.Alternation
	ClassID       string
	Slots         []*timetable.Slot
	Form          slotForm
	Report        *importReport
	Colleagues    bool
	Saved         string
	Today         string // lessons ended before it are history: no change
}

type importReport struct {
	timetable.ImportReport
	Messages []string
}

func (s *Server) manageEstablishment(w http.ResponseWriter, r *http.Request) (string, bool) {
	est := r.PathValue("est")
	return est, s.allowed(w, r, access.EditTimetable, access.Establishment(est))
}

func (s *Server) manageTimetable(w http.ResponseWriter, r *http.Request) {
	est, ok := s.manageEstablishment(w, r)
	if !ok {
		return
	}
	d := manageData{ClassID: r.URL.Query().Get("class"), Saved: r.URL.Query().Get("saved")}
	if id := r.URL.Query().Get("edit"); id != "" {
		sl, err := timetable.SlotByID(r.Context(), s.DB, id)
		if errors.Is(err, timetable.ErrNotFound) || (err == nil && sl.EstablishmentID != est) {
			s.renderError(w, r, http.StatusNotFound, "error.notfound")
			return
		}
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		d.Form = formOfSlot(sl)
	}
	s.renderManage(w, r, est, http.StatusOK, d)
}

func (s *Server) renderManage(w http.ResponseWriter, r *http.Request, est string, status int, d manageData) {
	ctx := r.Context()
	err := func() (err error) {
		if d.Establishment, err = directory.EstablishmentByID(ctx, s.DB, est); err != nil {
			return err
		}
		d.Year, err = timetable.CurrentYear(ctx, s.DB, est, s.Now().In(timetable.Paris).Format(timetable.DateFormat))
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		if d.Classes, err = directory.ClassesOfEstablishment(ctx, s.DB, est); err != nil {
			return err
		}
		if d.Groups, err = groupsOf(r, s, est, d.Year.ID); err != nil {
			return err
		}
		if d.Subjects, err = subjectsOf(r, s, est); err != nil {
			return err
		}
		if d.Teachers, err = teachersOf(ctx, s, est); err != nil {
			return err
		}
		if d.Rooms, err = timetable.Rooms(ctx, s.DB, est); err != nil {
			return err
		}
		if d.Alternations, err = timetable.Alternations(ctx, s.DB, est); err != nil {
			return err
		}
		if d.Colleagues, err = s.classLog.ColleaguesRead(ctx, currentOf(r).viewer, est); err != nil {
			return err
		}
		if d.ClassID != "" {
			for _, c := range d.Classes {
				if c.ID == d.ClassID {
					d.Slots, err = timetable.Slots(ctx, s.DB, timetable.Target{Kind: timetable.TargetClass, ID: c.ID})
				}
			}
		}
		return err
	}()
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	d.Form.Teachers, d.Form.Audiences = withBlank(d.Form.Teachers), withBlank(d.Form.Audiences)
	d.Today = s.Now().In(timetable.Paris).Format(timetable.DateFormat)
	s.render(w, r, status, "timetable-manage", "tt.manage.title", d)
}

func groupsOf(r *http.Request, s *Server, est, year string) ([]directory.Group, error) {
	rows, err := s.DB.Query(r.Context(), `SELECT id, establishment_id, school_year_id, code, name FROM groups
		WHERE establishment_id = ? AND school_year_id = ? ORDER BY code`, est, year)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []directory.Group
	for rows.Next() {
		var g directory.Group
		if err := rows.Scan(&g.ID, &g.EstablishmentID, &g.SchoolYearID, &g.Code, &g.Name); err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

func subjectsOf(r *http.Request, s *Server, est string) ([]directory.Subject, error) {
	rows, err := s.DB.Query(r.Context(), `SELECT id, establishment_id, code, short_name, name FROM subjects WHERE establishment_id = ? ORDER BY name`, est)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []directory.Subject
	for rows.Next() {
		var x directory.Subject
		if err := rows.Scan(&x.ID, &x.EstablishmentID, &x.Code, &x.ShortName, &x.Name); err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, rows.Err()
}

// slotOfForm reads the lesson form into f and a NewSlot of the current
// school year, with the problems of what cannot be read.
func (s *Server) slotOfForm(r *http.Request, est string) (slotForm, timetable.NewSlot, timetable.Problems, error) {
	f := slotForm{Day: r.PostFormValue("day"), Start: r.PostFormValue("start"), Duration: r.PostFormValue("duration"),
		Subject: r.PostFormValue("subject"), Teachers: r.PostForm["teacher"], Audiences: r.PostForm["audience"],
		Room: r.PostFormValue("room"), Alternation: r.PostFormValue("alternation"), Date: strings.TrimSpace(r.PostFormValue("date"))}
	y, err := timetable.CurrentYear(r.Context(), s.DB, est, s.Now().In(timetable.Paris).Format(timetable.DateFormat))
	if err != nil {
		return f, timetable.NewSlot{}, nil, err
	}
	n := timetable.NewSlot{EstablishmentID: est, SchoolYearID: y.ID, SubjectID: f.Subject, RoomID: f.Room,
		AlternationID: f.Alternation, ValidFrom: y.StartsOn, ValidTo: y.EndsOn}
	var ps timetable.Problems
	n.Weekday, _ = strconv.Atoi(f.Day)
	if f.Date != "" { // a one-off lesson on that date
		d, err := timetable.ParseDate(f.Date)
		if err != nil {
			ps = append(ps, timetable.Problem{Field: "date", Code: "bad-date", Value: f.Date})
		} else {
			n.Weekday, n.ValidFrom, n.ValidTo, n.Exceptional, n.AlternationID = timetable.Weekday(d), f.Date, f.Date, true, ""
		}
	}
	var okClock bool
	if n.StartMin, okClock = timetable.ParseClock(f.Start); !okClock {
		ps = append(ps, timetable.Problem{Field: "start", Code: "bad-time", Value: f.Start})
	}
	if n.DurationMin, err = strconv.Atoi(strings.TrimSpace(f.Duration)); err != nil {
		ps = append(ps, timetable.Problem{Field: "duration", Code: "bad-duration", Value: f.Duration})
	}
	for _, t := range f.Teachers {
		if t != "" {
			n.TeacherIDs = append(n.TeacherIDs, t)
		}
	}
	for _, a := range f.Audiences {
		if kind, id, _ := strings.Cut(a, ":"); id == "" {
			continue
		} else if kind == "g" {
			n.GroupIDs = append(n.GroupIDs, id)
		} else {
			n.ClassIDs = append(n.ClassIDs, id)
		}
	}
	return f, n, ps, nil
}

// saveSlot stores a new lesson, or changes the lesson id, then goes back to
// the list of the class; problems re-render the form as typed.
func (s *Server) saveSlot(w http.ResponseWriter, r *http.Request, id string) {
	est, ok := s.manageEstablishment(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	f, n, ps, err := s.slotOfForm(r, est)
	if errors.Is(err, sql.ErrNoRows) {
		s.renderError(w, r, http.StatusConflict, "tt.manage.noyear")
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	f.EditID = id
	if len(ps) == 0 {
		err = s.editTimetable(ctx, func(tx *db.Tx) error {
			if id != "" {
				n.ID = id
				_, err := timetable.UpdateSlot(ctx, tx, n, s.Now().In(timetable.Paris).Format(timetable.DateFormat))
				return err
			}
			_, err := timetable.CreateSlot(ctx, tx, n)
			return err
		})
		if errors.Is(err, timetable.ErrNotFound) {
			s.renderError(w, r, http.StatusNotFound, "error.notfound")
			return
		}
		if !errors.As(err, &ps) && err != nil {
			s.serverError(w, r, err)
			return
		}
	}
	if len(ps) > 0 {
		f.Problems, f.Bad = problemText(langOf(r), ps), badFields(ps)
		s.renderManage(w, r, est, http.StatusUnprocessableEntity, manageData{Form: f, ClassID: r.PostFormValue("class")})
		return
	}
	back := "/timetable/manage/" + est + "?saved=slot"
	if id != "" {
		back = "/timetable/manage/" + est + "?saved=slotchanged"
	}
	if len(n.ClassIDs) > 0 {
		back += "&class=" + n.ClassIDs[0]
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
}

func (s *Server) addSlot(w http.ResponseWriter, r *http.Request) { s.saveSlot(w, r, "") }
func (s *Server) updateSlot(w http.ResponseWriter, r *http.Request) {
	s.saveSlot(w, r, r.PathValue("slot"))
}

func (s *Server) deleteSlot(w http.ResponseWriter, r *http.Request) {
	est, ok := s.manageEstablishment(w, r)
	if !ok {
		return
	}
	err := s.editTimetable(r.Context(), func(tx *db.Tx) error {
		return timetable.DeleteSlot(r.Context(), tx, est, r.PathValue("slot"))
	})
	if errors.Is(err, timetable.ErrNotFound) {
		s.renderError(w, r, http.StatusNotFound, "error.notfound")
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, "/timetable/manage/"+est+"?saved=deleted&class="+r.PostFormValue("class"), http.StatusSeeOther)
}

// importTimetable reads an EDT_STS XML or CSV file. Any fault stops it
// unless the person chose to import the rest; either way it runs in one
// transaction.
func (s *Server) importTimetable(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 20<<20)
	if err := r.ParseMultipartForm(2 << 20); err != nil {
		s.renderError(w, r, http.StatusRequestEntityTooLarge, "tt.import.toolarge")
		return
	}
	if r.PostFormValue("csrf") != csrfToken(currentOf(r).token) {
		s.renderError(w, r, http.StatusForbidden, "error.csrf")
		return
	}
	est, ok := s.manageEstablishment(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	lang := langOf(r)
	fh, hdr, err := r.FormFile("file")
	if err != nil {
		s.renderManage(w, r, est, http.StatusUnprocessableEntity, manageData{Report: &importReport{Messages: []string{i18n.T(lang, "files.nofile")}}})
		return
	}
	defer fh.Close()
	data, err := io.ReadAll(fh)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	y, err := timetable.CurrentYear(ctx, s.DB, est, s.Now().In(timetable.Paris).Format(timetable.DateFormat))
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	o := timetable.ImportOptions{EstablishmentID: est, SchoolYearID: y.ID, SkipFaulty: r.PostFormValue("skip") == "1"}
	var rep timetable.ImportReport
	errRollback := errors.New("nothing applied")
	err = s.editTimetable(ctx, func(tx *db.Tx) (err error) {
		if strings.HasSuffix(strings.ToLower(hdr.Filename), ".xml") || bytes.HasPrefix(bytes.TrimSpace(data), []byte("<")) {
			rep, err = timetable.ImportEDT(ctx, tx, bytes.NewReader(data), o)
		} else {
			rep, err = timetable.ImportCSV(ctx, tx, data, o)
		}
		if err == nil && !rep.Applied {
			return errRollback
		}
		return err
	})
	if err != nil && !errors.Is(err, errRollback) {
		s.serverError(w, r, err)
		return
	}
	ir := &importReport{ImportReport: rep, Messages: problemText(lang, rep.Problems)}
	status := http.StatusOK
	if !rep.Applied {
		status = http.StatusUnprocessableEntity
	}
	s.renderManage(w, r, est, status, manageData{Report: ir})
}

func (s *Server) classlogSettings(w http.ResponseWriter, r *http.Request) {
	est := r.PathValue("est")
	if err := s.classLog.SetColleaguesRead(r.Context(), currentOf(r).viewer, est, r.PostFormValue("colleagues") == "1"); err != nil {
		s.kit.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/timetable/manage/"+est+"?saved=settings", http.StatusSeeOther)
}
