package timetable

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	"cartable/internal/check"
	"cartable/internal/directory"
	"cartable/internal/i18n"
	"cartable/internal/timetable"
	"cartable/internal/web/page"
)

// The management page of an establishment's timetable: its lessons (add,
// change, delete), the import of an export, the class log's settings.

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
		f.Audiences = append(f.Audiences, a.Key())
	}
	return f
}

type manageData struct {
	Establishment directory.Establishment
	Year          timetable.SchoolYear
	Classes       []directory.Class
	Groups        []directory.Group
	Subjects      []directory.Subject
	Teachers      []directory.Named
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

// PageTitle names the establishment, the class shown and the lesson
// being changed.
func (d manageData) PageTitle(lang string) string {
	if d.Establishment.Name == "" {
		return ""
	}
	title := i18n.T(lang, "tt.manage.link", d.Establishment.Name)
	for _, c := range d.Classes {
		if c.ID == d.ClassID {
			title = c.Name + " · " + title
		}
	}
	if d.Form.EditID != "" {
		edit := i18n.T(lang, "tt.edit.heading")
		for _, sl := range d.Slots {
			if sl.ID == d.Form.EditID {
				edit += " — " + i18n.T(lang, "tt.day."+strconv.Itoa(sl.Weekday)) + " " + timetable.HHMM(sl.StartMin) + " " + sl.SubjectName
			}
		}
		title = edit + " · " + title
	}
	return title
}

// datedProblems writes the stored dates that problems carry (the last
// day of an ended lesson) in the reader's language.
func datedProblems(lang string, ps check.Problems) check.Problems {
	for i, p := range ps {
		if p.Code == "ended" {
			if d, err := timetable.ParseDate(p.Value); err == nil {
				ps[i].Value = i18n.Date(lang, d)
			}
		}
	}
	return ps
}

type importReport struct {
	timetable.ImportReport
	Messages []string
}

func (a *Area) manage(w http.ResponseWriter, r *http.Request) {
	est := r.PathValue("est")
	d := manageData{ClassID: r.URL.Query().Get("class"), Saved: r.URL.Query().Get("saved")}
	if id := r.URL.Query().Get("edit"); id != "" {
		sl, err := timetable.SlotByID(r.Context(), page.Viewer(r), a.db, est, id)
		if err != nil {
			a.kit.Fail(w, r, err)
			return
		}
		d.Form = formOfSlot(sl)
	}
	if b, ok := a.kit.TakeFlash(w, r, flashImport); ok {
		var rep importReport
		if json.Unmarshal([]byte(b), &rep) == nil {
			rep.Applied, d.Report = true, &rep
		}
	}
	a.renderManage(w, r, est, http.StatusOK, d)
}

// flashImport carries an applied import's report to the page after the
// redirect (post/redirect/get: a reload does not import again).
const flashImport = "ttimport"

// importFlash is rep as a flash: its counts and as many of its messages as
// fit, the rest counted.
func importFlash(lang string, rep importReport) string {
	msgs := rep.Messages
	for n := len(msgs); ; n-- {
		rep.Messages = msgs[:n]
		if n < len(msgs) {
			rep.Messages = append(rep.Messages[:n:n], i18n.N(lang, "tt.import.more", len(msgs)-n))
		}
		b, _ := json.Marshal(rep)
		if len(b) <= page.MaxFlash || n == 0 {
			return string(b)
		}
	}
}

func (a *Area) renderManage(w http.ResponseWriter, r *http.Request, est string, status int, d manageData) {
	ctx := r.Context()
	v := page.Viewer(r)
	err := func() (err error) {
		// The year first: it asks whether v edits est's timetable.
		d.Year, err = timetable.CurrentYear(ctx, v, a.db, est, a.today())
		noYear := errors.Is(err, timetable.ErrNoYear)
		if err != nil && !noYear {
			return err
		}
		if d.Establishment, err = directory.EstablishmentByID(ctx, a.db, est); err != nil || noYear {
			return err
		}
		if d.Classes, err = directory.ClassesOfEstablishment(ctx, a.db, est); err != nil {
			return err
		}
		if d.Groups, err = directory.GroupsOf(ctx, v, a.db, est, d.Year.ID); err != nil {
			return err
		}
		if d.Subjects, err = directory.SubjectsOf(ctx, v, a.db, est); err != nil {
			return err
		}
		if d.Teachers, err = directory.TeachersOf(ctx, v, a.db, est); err != nil {
			return err
		}
		if d.Rooms, err = timetable.Rooms(ctx, v, a.db, est); err != nil {
			return err
		}
		if d.Alternations, err = timetable.Alternations(ctx, v, a.db, est); err != nil {
			return err
		}
		if d.Colleagues, err = a.log.ColleaguesRead(ctx, v, est); err != nil {
			return err
		}
		for _, c := range d.Classes {
			if c.ID == d.ClassID {
				d.Slots, err = timetable.Slots(ctx, v, a.db, est, timetable.Target{Kind: timetable.TargetClass, ID: c.ID})
			}
		}
		return err
	}()
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	d.Form.Teachers, d.Form.Audiences = withBlank(d.Form.Teachers), withBlank(d.Form.Audiences)
	d.Today = a.today()
	a.pages.Render(w, r, status, "manage", "tt.manage.title", d)
}

// saveSlot stores a new lesson, or changes the lesson id, then goes back to
// the list of the class; problems re-render the form as typed.
func (a *Area) saveSlot(w http.ResponseWriter, r *http.Request, id string) {
	ctx := r.Context()
	v := page.Viewer(r)
	est := r.PathValue("est")
	in := timetable.SlotInput{Day: r.PostFormValue("day"), Start: r.PostFormValue("start"), Duration: r.PostFormValue("duration"),
		Subject: r.PostFormValue("subject"), Teachers: r.PostForm["teacher"], Audiences: r.PostForm["audience"],
		Room: r.PostFormValue("room"), Alternation: r.PostFormValue("alternation"), Date: strings.TrimSpace(r.PostFormValue("date"))}
	f := slotForm{Day: in.Day, Start: in.Start, Duration: in.Duration, Subject: in.Subject, Teachers: in.Teachers,
		Audiences: in.Audiences, Room: in.Room, Alternation: in.Alternation, Date: in.Date, EditID: id}
	y, err := timetable.CurrentYear(ctx, v, a.db, est, a.today())
	if errors.Is(err, timetable.ErrNoYear) {
		a.kit.Error(w, r, http.StatusConflict, "tt.manage.noyear")
		return
	}
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	n, ps := timetable.CheckSlotInput(est, y, in)
	if len(ps) == 0 {
		if id != "" {
			n.ID = id
			_, err = timetable.UpdateSlot(ctx, v, a.db, n, a.today())
		} else {
			_, err = timetable.CreateSlot(ctx, v, a.db, n)
		}
		if p, ok := check.As(err); ok {
			ps, err = p, nil
		}
		if err != nil {
			a.kit.Fail(w, r, err)
			return
		}
	}
	if len(ps) > 0 {
		f.Problems, f.Bad = page.ProblemText(page.Lang(r), "tt", datedProblems(page.Lang(r), ps)), ps.Fields()
		a.renderManage(w, r, est, http.StatusUnprocessableEntity, manageData{Form: f, ClassID: r.PostFormValue("class")})
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

func (a *Area) addSlot(w http.ResponseWriter, r *http.Request) { a.saveSlot(w, r, "") }
func (a *Area) updateSlot(w http.ResponseWriter, r *http.Request) {
	a.saveSlot(w, r, r.PathValue("slot"))
}

func (a *Area) deleteSlot(w http.ResponseWriter, r *http.Request) {
	est := r.PathValue("est")
	if err := timetable.DeleteSlot(r.Context(), page.Viewer(r), a.db, est, r.PathValue("slot")); err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/timetable/manage/"+est+"?saved=deleted&class="+r.PostFormValue("class"), http.StatusSeeOther)
}

// importTimetable reads an EDT_STS XML or CSV file. Any fault stops it
// unless the person chose to import the rest; either way it runs in one
// transaction.
func (a *Area) importTimetable(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 20<<20)
	if err := r.ParseMultipartForm(2 << 20); err != nil {
		a.kit.Error(w, r, http.StatusRequestEntityTooLarge, "tt.import.toolarge")
		return
	}
	if r.PostFormValue("csrf") != page.CSRFToken(page.Current(r).Token) {
		a.kit.Error(w, r, http.StatusForbidden, "error.csrf")
		return
	}
	ctx := r.Context()
	v := page.Viewer(r)
	est := r.PathValue("est")
	y, err := timetable.CurrentYear(ctx, v, a.db, est, a.today())
	if errors.Is(err, timetable.ErrNoYear) {
		a.kit.Error(w, r, http.StatusConflict, "tt.manage.noyear")
		return
	}
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	lang := page.Lang(r)
	fh, hdr, err := r.FormFile("file")
	if err != nil {
		a.renderManage(w, r, est, http.StatusUnprocessableEntity, manageData{Report: &importReport{Messages: []string{i18n.T(lang, "files.nofile")}}})
		return
	}
	defer fh.Close()
	data, err := io.ReadAll(fh)
	if err != nil {
		a.kit.ServerError(w, r, err)
		return
	}
	o := timetable.ImportOptions{EstablishmentID: est, SchoolYearID: y.ID, SkipFaulty: r.PostFormValue("skip") == "1"}
	rep, err := timetable.Import(ctx, v, a.db, hdr.Filename, data, o)
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	report := importReport{ImportReport: rep, Messages: page.ProblemText(lang, "tt", rep.Problems)}
	if !rep.Applied {
		a.renderManage(w, r, est, http.StatusUnprocessableEntity, manageData{Report: &report})
		return
	}
	report.Problems = nil // told by Messages
	a.kit.SetFlash(w, page.Current(r).Token, flashImport, importFlash(lang, report))
	http.Redirect(w, r, "/timetable/manage/"+est, http.StatusSeeOther)
}

func (a *Area) classlogSettings(w http.ResponseWriter, r *http.Request) {
	est := r.PathValue("est")
	if err := a.log.SetColleaguesRead(r.Context(), page.Viewer(r), est, r.PostFormValue("colleagues") == "1"); err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/timetable/manage/"+est+"?saved=settings", http.StatusSeeOther)
}
