package timetable

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"cartable/internal/check"
	"cartable/internal/directory"
	"cartable/internal/i18n"
	"cartable/internal/timetable"
	"cartable/internal/web/page"
)

// The setup pages of an establishment's timetable: its rooms and its week
// patterns (week A, week B, custom sets of weeks). Imports create them
// too.

// setupDone ends an edit of the setup pages: its problems are shown by
// refused, a refusal or a failure goes to the kit, a success to done.
func (a *Area) setupDone(w http.ResponseWriter, r *http.Request, err error, refused func(check.Problems), done string) {
	if ps, ok := check.As(err); ok {
		refused(ps)
		return
	}
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, done, http.StatusSeeOther)
}

// savedWord names a save for the confirmation: a change or an addition.
func savedWord(existed bool) string {
	if existed {
		return "changed"
	}
	return "added"
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

// PageTitle names the room edited, if any, and the establishment.
func (d roomsData) PageTitle(lang string) string {
	if d.Establishment.Name == "" {
		return ""
	}
	title := i18n.T(lang, "tts.rooms.heading", d.Establishment.Name)
	if d.Editing != nil {
		title = i18n.T(lang, "tts.rooms.edit", d.Editing.Code) + " · " + title
	}
	return title
}

// room returns the room of the URL, nil for none; ok is false when the
// page was answered (a refusal).
func (a *Area) room(w http.ResponseWriter, r *http.Request) (*timetable.Room, bool) {
	id := r.PathValue("room")
	if id == "" {
		return nil, true
	}
	rm, err := timetable.RoomOf(r.Context(), page.Viewer(r), a.db, r.PathValue("est"), id)
	if err != nil {
		a.kit.Fail(w, r, err)
		return nil, false
	}
	return &rm, true
}

func (a *Area) roomsPage(w http.ResponseWriter, r *http.Request) {
	rm, ok := a.room(w, r)
	if !ok {
		return
	}
	d := roomsData{Editing: rm, Saved: r.URL.Query().Get("saved")}
	if rm != nil {
		d.Form = roomForm{Code: rm.Code, Name: rm.Name}
	}
	a.renderRooms(w, r, http.StatusOK, d)
}

func (a *Area) renderRooms(w http.ResponseWriter, r *http.Request, status int, d roomsData) {
	ctx := r.Context()
	v := page.Viewer(r)
	est := r.PathValue("est")
	var err error
	if d.Lessons, err = timetable.RoomLessons(ctx, v, a.db, est); err == nil {
		if d.Rooms, err = timetable.Rooms(ctx, v, a.db, est); err == nil {
			d.Establishment, err = directory.EstablishmentByID(ctx, a.db, est)
		}
	}
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	a.pages.Render(w, r, status, "rooms", "tts.rooms.title", d)
}

func (a *Area) saveRoom(w http.ResponseWriter, r *http.Request) {
	rm, ok := a.room(w, r)
	if !ok {
		return
	}
	est := r.PathValue("est")
	f := roomForm{Code: r.PostFormValue("code"), Name: r.PostFormValue("name")}
	id := ""
	if rm != nil {
		id = rm.ID
	}
	_, err := timetable.SaveRoom(r.Context(), page.Viewer(r), a.db, est, id, timetable.RoomInput{Code: f.Code, Name: f.Name})
	a.setupDone(w, r, err, func(ps check.Problems) {
		f.Problems, f.Bad = page.ProblemText(page.Lang(r), "tts", ps), ps.Fields()
		a.renderRooms(w, r, http.StatusUnprocessableEntity, roomsData{Editing: rm, Form: f})
	}, "/timetable/manage/"+est+"/rooms?saved="+savedWord(rm != nil))
}

func (a *Area) deleteRoom(w http.ResponseWriter, r *http.Request) {
	rm, ok := a.room(w, r)
	if !ok {
		return
	}
	est := r.PathValue("est")
	err := timetable.DeleteRoom(r.Context(), page.Viewer(r), a.db, est, rm.ID)
	a.setupDone(w, r, err, func(ps check.Problems) {
		a.renderRooms(w, r, http.StatusConflict, roomsData{Editing: rm, Form: roomForm{Code: rm.Code, Name: rm.Name},
			Refused: page.ProblemMessages(page.Lang(r), "tts", ps)})
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

// PageTitle names the week pattern edited, if any, and the establishment.
func (d weeksData) PageTitle(lang string) string {
	if d.Establishment.Name == "" {
		return ""
	}
	title := i18n.T(lang, "tts.weeks.heading", d.Establishment.Name)
	if d.Editing != nil {
		title = i18n.T(lang, "tts.weeks.edit", d.Editing.Label) + " · " + title
	}
	return title
}

// alternation returns the week pattern of the URL, nil for none; ok is
// false when the page was answered (a refusal).
func (a *Area) alternation(w http.ResponseWriter, r *http.Request) (*timetable.Alternation, bool) {
	id := r.PathValue("alt")
	if id == "" {
		return nil, true
	}
	alt, err := timetable.AlternationByID(r.Context(), page.Viewer(r), a.db, r.PathValue("est"), id)
	if err != nil {
		a.kit.Fail(w, r, err)
		return nil, false
	}
	return &alt, true
}

// currentYear returns the establishment's open school year, or nil.
func (a *Area) currentYear(r *http.Request) (*timetable.SchoolYear, error) {
	y, err := timetable.CurrentYear(r.Context(), page.Viewer(r), a.db, r.PathValue("est"), a.today())
	if errors.Is(err, timetable.ErrNoYear) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &y, nil
}

func (a *Area) weeksPage(w http.ResponseWriter, r *http.Request) {
	alt, ok := a.alternation(w, r)
	if !ok {
		return
	}
	d := weeksData{Editing: alt, Saved: r.URL.Query().Get("saved"), Form: weekForm{Mode: "alternate", Ticked: map[string]bool{}}}
	if alt != nil {
		d.Form = weekForm{Code: alt.Code, Label: alt.Label, Mode: "custom", Ticked: map[string]bool{}}
		for _, m := range alt.Mondays {
			d.Form.Ticked[m] = true
		}
	}
	a.renderWeeks(w, r, http.StatusOK, d)
}

func (a *Area) renderWeeks(w http.ResponseWriter, r *http.Request, status int, d weeksData) {
	ctx := r.Context()
	v := page.Viewer(r)
	est := r.PathValue("est")
	err := func() (err error) {
		if d.Year, err = a.currentYear(r); err != nil {
			return err
		}
		if d.Establishment, err = directory.EstablishmentByID(ctx, a.db, est); err != nil {
			return err
		}
		alts, err := timetable.Alternations(ctx, v, a.db, est)
		if err != nil {
			return err
		}
		lessons, err := timetable.AlternationLessons(ctx, v, a.db, est)
		if err != nil {
			return err
		}
		first := ""
		if d.Year != nil {
			start, _ := timetable.ParseDate(d.Year.StartsOn)
			first = timetable.Monday(start).Format(timetable.DateFormat)
		}
		for _, alt := range alts {
			row := altRow{Alternation: alt, Lessons: lessons[alt.ID]}
			for _, m := range alt.Mondays {
				if d.Year != nil && m >= first && m <= d.Year.EndsOn {
					row.ThisYear++
				}
			}
			d.Alternations = append(d.Alternations, row)
		}
		if d.Year == nil {
			return nil
		}
		weeks, err := timetable.WeeksOfYear(ctx, v, a.db, *d.Year)
		if err != nil {
			return err
		}
		for _, wk := range weeks {
			date, _ := timetable.ParseDate(wk.Monday)
			row := weekRow{Monday: wk.Monday, Date: date, Closed: wk.Closed, Holidays: strings.Join(wk.Holidays, ", ")}
			if d.Form.Start == "" && d.Form.Mode == "alternate" && !wk.Closed && d.Editing == nil && len(d.Form.Problems) == 0 {
				d.Form.Start = wk.Monday // the first week of classes, as a start
			}
			d.Weeks = append(d.Weeks, row)
		}
		return nil
	}()
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	a.pages.Render(w, r, status, "weeks", "tts.weeks.title", d)
}

func (a *Area) saveWeeks(w http.ResponseWriter, r *http.Request) {
	alt, ok := a.alternation(w, r)
	if !ok {
		return
	}
	est := r.PathValue("est")
	y, err := a.currentYear(r)
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	if y == nil {
		a.kit.Error(w, r, http.StatusConflict, "tts.weeks.noyear")
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
	if alt != nil {
		id = alt.ID
	}
	_, err = timetable.SaveAlternation(r.Context(), page.Viewer(r), a.db, est, *y, id, in)
	a.setupDone(w, r, err, func(ps check.Problems) {
		f.Problems, f.Bad = page.ProblemText(page.Lang(r), "tts", ps), ps.Fields()
		a.renderWeeks(w, r, http.StatusUnprocessableEntity, weeksData{Editing: alt, Form: f})
	}, "/timetable/manage/"+est+"/weeks?saved="+savedWord(alt != nil))
}

func (a *Area) deleteWeeks(w http.ResponseWriter, r *http.Request) {
	alt, ok := a.alternation(w, r)
	if !ok {
		return
	}
	est := r.PathValue("est")
	err := timetable.DeleteAlternation(r.Context(), page.Viewer(r), a.db, est, alt.ID)
	a.setupDone(w, r, err, func(ps check.Problems) {
		f := weekForm{Code: alt.Code, Label: alt.Label, Mode: "custom", Ticked: map[string]bool{}}
		for _, m := range alt.Mondays {
			f.Ticked[m] = true
		}
		a.renderWeeks(w, r, http.StatusConflict, weeksData{Editing: alt, Form: f, Refused: page.ProblemMessages(page.Lang(r), "tts", ps)})
	}, "/timetable/manage/"+est+"/weeks?saved=deleted")
}
