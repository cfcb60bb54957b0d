package web

import (
	"database/sql"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"cartable/internal/access"
	"cartable/internal/db"
	"cartable/internal/directory"
	"cartable/internal/i18n"
	"cartable/internal/timetable"
)

// Setup pages of the timetable: the rooms and the week patterns (week A,
// week B, custom sets of weeks) of an establishment, for the people who may
// edit its timetable. Imports still create them too.
func (s *Server) timetableSetupRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /timetable/manage/{est}/rooms", s.signedIn(s.roomsPage))
	mux.HandleFunc("POST /timetable/manage/{est}/rooms", s.signedIn(s.saveRoom))
	mux.HandleFunc("GET /timetable/manage/{est}/rooms/{room}", s.signedIn(s.roomsPage))
	mux.HandleFunc("POST /timetable/manage/{est}/rooms/{room}", s.signedIn(s.saveRoom))
	mux.HandleFunc("POST /timetable/manage/{est}/rooms/{room}/delete", s.signedIn(s.deleteRoom))
	mux.HandleFunc("GET /timetable/manage/{est}/weeks", s.signedIn(s.weeksPage))
	mux.HandleFunc("POST /timetable/manage/{est}/weeks", s.signedIn(s.saveWeeks))
	mux.HandleFunc("GET /timetable/manage/{est}/weeks/{alt}", s.signedIn(s.weeksPage))
	mux.HandleFunc("POST /timetable/manage/{est}/weeks/{alt}", s.signedIn(s.saveWeeks))
	mux.HandleFunc("POST /timetable/manage/{est}/weeks/{alt}/delete", s.signedIn(s.deleteWeeks))
}

// setupProblems translates the problems of the setup pages; withField puts
// the field's name first (form faults), deletions read better without.
func setupProblems(lang string, ps timetable.Problems, withField bool) []string {
	var out []string
	for _, p := range ps {
		key := "tts.problem." + p.Code
		var msg string
		if n, err := strconv.Atoi(p.Value); err == nil && strings.Contains(p.Code, "-used") { // counts: plural forms
			msg = i18n.N(lang, key, n)
		} else {
			msg = i18n.T(lang, key, p.Value)
		}
		if withField {
			msg = i18n.T(lang, "tts.problem.atfield", i18n.T(lang, "tts.field."+p.Field), msg)
		}
		out = append(out, msg)
	}
	return out
}

// roomForm is the room form as typed.
type roomForm struct {
	Code, Name string
	Problems   []string
	Bad        map[string]bool // fields named by a problem
}

type roomsData struct {
	Establishment directory.Establishment
	Rooms         []timetable.Room
	Lessons       map[string]int // weekly lessons per room
	Editing       *timetable.Room
	Form          roomForm
	Refused       []string // why the room could not be deleted
	Saved         string
}

// setupRoom returns the room of the URL when it belongs to est; otherwise
// it answers 404 itself.
func (s *Server) setupRoom(w http.ResponseWriter, r *http.Request, est string) (*timetable.Room, bool) {
	id := r.PathValue("room")
	if id == "" {
		return nil, true
	}
	rm, err := timetable.RoomByID(r.Context(), s.DB, id)
	if err == nil && rm.EstablishmentID != est { // another establishment's room through one's own
		s.auditRefusal(r, access.Room(id))
	}
	if errors.Is(err, timetable.ErrNotFound) || err == nil && rm.EstablishmentID != est {
		s.renderError(w, r, http.StatusNotFound, "error.notfound")
		return nil, false
	}
	if err != nil {
		s.serverError(w, r, err)
		return nil, false
	}
	return &rm, true
}

func (s *Server) roomsPage(w http.ResponseWriter, r *http.Request) {
	est, ok := s.manageEstablishment(w, r)
	if !ok {
		return
	}
	rm, ok := s.setupRoom(w, r, est)
	if !ok {
		return
	}
	d := roomsData{Editing: rm, Saved: r.URL.Query().Get("saved")}
	if rm != nil {
		d.Form = roomForm{Code: rm.Code, Name: rm.Name}
	}
	s.renderRooms(w, r, est, http.StatusOK, d)
}

func (s *Server) renderRooms(w http.ResponseWriter, r *http.Request, est string, status int, d roomsData) {
	ctx := r.Context()
	var err error
	if d.Establishment, err = directory.EstablishmentByID(ctx, s.DB, est); err == nil {
		if d.Rooms, err = timetable.Rooms(ctx, s.DB, est); err == nil {
			d.Lessons, err = timetable.RoomLessons(ctx, s.DB, est)
		}
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, status, "timetable-rooms", "tts.rooms.title", d)
}

func (s *Server) saveRoom(w http.ResponseWriter, r *http.Request) {
	est, ok := s.manageEstablishment(w, r)
	if !ok {
		return
	}
	rm, ok := s.setupRoom(w, r, est)
	if !ok {
		return
	}
	f := roomForm{Code: r.PostFormValue("code"), Name: r.PostFormValue("name")}
	id := ""
	if rm != nil {
		id = rm.ID
	}
	err := s.editTimetable(r.Context(), func(tx *db.Tx) error {
		_, err := timetable.SaveRoom(r.Context(), tx, est, id, timetable.RoomInput{Code: f.Code, Name: f.Name})
		return err
	})
	s.setupDone(w, r, err, func(ps timetable.Problems) {
		f.Problems, f.Bad = setupProblems(langOf(r), ps, true), badFields(ps)
		s.renderRooms(w, r, est, http.StatusUnprocessableEntity, roomsData{Editing: rm, Form: f})
	}, "/timetable/manage/"+est+"/rooms?saved="+savedWord(rm != nil))
}

func (s *Server) deleteRoom(w http.ResponseWriter, r *http.Request) {
	est, ok := s.manageEstablishment(w, r)
	if !ok {
		return
	}
	rm, ok := s.setupRoom(w, r, est)
	if !ok {
		return
	}
	err := s.editTimetable(r.Context(), func(tx *db.Tx) error { return timetable.DeleteRoom(r.Context(), tx, est, rm.ID) })
	s.setupDone(w, r, err, func(ps timetable.Problems) {
		s.renderRooms(w, r, est, http.StatusConflict, roomsData{Editing: rm, Form: roomForm{Code: rm.Code, Name: rm.Name},
			Refused: setupProblems(langOf(r), ps, false)})
	}, "/timetable/manage/"+est+"/rooms?saved=deleted")
}

// weekForm is the week pattern form as typed.
type weekForm struct {
	Code, Label string
	Mode        string // "alternate" (every other week from Start) or "custom" (the ticked weeks)
	Start       string
	Ticked      map[string]bool
	Problems    []string
	Bad         map[string]bool // fields named by a problem
}

// weekRow is one week of the school year in the form.
type weekRow struct {
	Monday   string
	Date     time.Time
	Holidays string
	Closed   bool
}

// altRow is a week pattern in the list.
type altRow struct {
	timetable.Alternation
	ThisYear, Lessons int
}

type weeksData struct {
	Establishment directory.Establishment
	Year          *timetable.SchoolYear // nil: no open school year, weeks cannot be chosen
	Alternations  []altRow
	Weeks         []weekRow
	Editing       *timetable.Alternation
	Form          weekForm
	Refused       []string
	Saved         string
}

func (s *Server) setupAlternation(w http.ResponseWriter, r *http.Request, est string) (*timetable.Alternation, bool) {
	id := r.PathValue("alt")
	if id == "" {
		return nil, true
	}
	a, err := timetable.AlternationByID(r.Context(), s.DB, id)
	if err == nil && a.EstablishmentID != est {
		s.auditRefusal(r, access.Resource{Kind: "alternation", ID: id})
	}
	if errors.Is(err, timetable.ErrNotFound) || err == nil && a.EstablishmentID != est {
		s.renderError(w, r, http.StatusNotFound, "error.notfound")
		return nil, false
	}
	if err != nil {
		s.serverError(w, r, err)
		return nil, false
	}
	return &a, true
}

// currentYear returns the establishment's open school year, or nil.
func (s *Server) currentYear(r *http.Request, est string) (*timetable.SchoolYear, error) {
	y, err := timetable.CurrentYear(r.Context(), s.DB, est, s.Now().In(timetable.Paris).Format(timetable.DateFormat))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &y, nil
}

func (s *Server) weeksPage(w http.ResponseWriter, r *http.Request) {
	est, ok := s.manageEstablishment(w, r)
	if !ok {
		return
	}
	a, ok := s.setupAlternation(w, r, est)
	if !ok {
		return
	}
	d := weeksData{Editing: a, Saved: r.URL.Query().Get("saved"), Form: weekForm{Mode: "alternate", Ticked: map[string]bool{}}}
	if a != nil {
		d.Form = weekForm{Code: a.Code, Label: a.Label, Mode: "custom", Ticked: map[string]bool{}}
		for _, m := range a.Mondays {
			d.Form.Ticked[m] = true
		}
	}
	s.renderWeeks(w, r, est, http.StatusOK, d)
}

func (s *Server) renderWeeks(w http.ResponseWriter, r *http.Request, est string, status int, d weeksData) {
	ctx := r.Context()
	err := func() (err error) {
		if d.Establishment, err = directory.EstablishmentByID(ctx, s.DB, est); err != nil {
			return err
		}
		if d.Year, err = s.currentYear(r, est); err != nil {
			return err
		}
		alts, err := timetable.Alternations(ctx, s.DB, est)
		if err != nil {
			return err
		}
		lessons, err := timetable.AlternationLessons(ctx, s.DB, est)
		if err != nil {
			return err
		}
		for _, a := range alts {
			row := altRow{Alternation: a, Lessons: lessons[a.ID]}
			for _, m := range a.Mondays {
				if d.Year != nil && m >= timetable.Monday(mustDate(d.Year.StartsOn)).Format(timetable.DateFormat) && m <= d.Year.EndsOn {
					row.ThisYear++
				}
			}
			d.Alternations = append(d.Alternations, row)
		}
		if d.Year == nil {
			return nil
		}
		cal, err := timetable.LoadCalendar(ctx, s.DB, []string{d.Year.ID})
		if err != nil {
			return err
		}
		for _, wk := range timetable.YearWeeks(cal, *d.Year) {
			row := weekRow{Monday: wk.Monday, Date: mustDate(wk.Monday), Closed: wk.Closed, Holidays: strings.Join(wk.Holidays, ", ")}
			if d.Form.Start == "" && d.Form.Mode == "alternate" && !wk.Closed && d.Editing == nil && len(d.Form.Problems) == 0 {
				d.Form.Start = wk.Monday // the first week of classes, as a start
			}
			d.Weeks = append(d.Weeks, row)
		}
		return nil
	}()
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, status, "timetable-weeks", "tts.weeks.title", d)
}

func (s *Server) saveWeeks(w http.ResponseWriter, r *http.Request) {
	est, ok := s.manageEstablishment(w, r)
	if !ok {
		return
	}
	a, ok := s.setupAlternation(w, r, est)
	if !ok {
		return
	}
	y, err := s.currentYear(r, est)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if y == nil {
		s.renderError(w, r, http.StatusConflict, "tts.weeks.noyear")
		return
	}
	f := weekForm{Code: r.PostFormValue("code"), Label: r.PostFormValue("label"), Mode: r.PostFormValue("mode"),
		Start: strings.TrimSpace(r.PostFormValue("start")), Ticked: map[string]bool{}}
	if f.Mode != "alternate" {
		f.Mode = "custom"
	}
	weeks := r.PostForm["week"]
	for _, m := range weeks {
		f.Ticked[m] = true
	}
	in := timetable.AlternationInput{Code: f.Code, Label: f.Label, Alternate: f.Mode == "alternate", EveryOtherFrom: f.Start, Mondays: weeks}
	id := ""
	if a != nil {
		id = a.ID
	}
	err = s.editTimetable(r.Context(), func(tx *db.Tx) error {
		_, err := timetable.SaveAlternation(r.Context(), tx, est, *y, id, in)
		return err
	})
	s.setupDone(w, r, err, func(ps timetable.Problems) {
		f.Problems, f.Bad = setupProblems(langOf(r), ps, true), badFields(ps)
		s.renderWeeks(w, r, est, http.StatusUnprocessableEntity, weeksData{Editing: a, Form: f})
	}, "/timetable/manage/"+est+"/weeks?saved="+savedWord(a != nil))
}

func (s *Server) deleteWeeks(w http.ResponseWriter, r *http.Request) {
	est, ok := s.manageEstablishment(w, r)
	if !ok {
		return
	}
	a, ok := s.setupAlternation(w, r, est)
	if !ok {
		return
	}
	err := s.editTimetable(r.Context(), func(tx *db.Tx) error { return timetable.DeleteAlternation(r.Context(), tx, est, a.ID) })
	s.setupDone(w, r, err, func(ps timetable.Problems) {
		f := weekForm{Code: a.Code, Label: a.Label, Mode: "custom", Ticked: map[string]bool{}}
		for _, m := range a.Mondays {
			f.Ticked[m] = true
		}
		s.renderWeeks(w, r, est, http.StatusConflict, weeksData{Editing: a, Form: f, Refused: setupProblems(langOf(r), ps, false)})
	}, "/timetable/manage/"+est+"/weeks?saved=deleted")
}

// setupDone ends an edit of the setup pages: its problems are shown by
// refused, any other failure is a server error, a success goes to done.
func (s *Server) setupDone(w http.ResponseWriter, r *http.Request, err error, refused func(timetable.Problems), done string) {
	var ps timetable.Problems
	switch {
	case errors.As(err, &ps):
		refused(ps)
	case err != nil:
		s.serverError(w, r, err)
	default:
		http.Redirect(w, r, done, http.StatusSeeOther)
	}
}

// savedWord names a save for the confirmation: a change or an addition.
func savedWord(existed bool) string {
	if existed {
		return "changed"
	}
	return "added"
}
