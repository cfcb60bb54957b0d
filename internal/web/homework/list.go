package homework

import (
	"net/http"
	"net/url"

	"cartable/internal/classlog"
	"cartable/internal/directory"
	"cartable/internal/files"
	"cartable/internal/roles"
	"cartable/internal/timetable"
	"cartable/internal/web/page"
)

type homeworkData struct {
	Heading  string
	Children []directory.KinCard
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

// list: a student's own list by due date, a relative's child's (with the
// child's ticks), or the homework a teacher set.
func (a *Area) list(w http.ResponseWriter, r *http.Request) {
	cur := page.Current(r)
	v := cur.Viewer
	ctx := r.Context()
	d := homeworkData{Saved: r.URL.Query().Get("saved"), Limit: a.files.Limit() >> 20, Accept: files.AcceptedExtensions}
	today := a.kit.Now().In(timetable.Paris)
	from := today.Format(timetable.DateFormat)
	if f, err := timetable.ParseDate(r.URL.Query().Get("from")); err == nil {
		from, today = f.Format(timetable.DateFormat), f
	}
	d.From = from
	to := today.AddDate(0, 0, 28).Format(timetable.DateFormat)
	studentID := ""
	switch v.Profile {
	case roles.Student:
		studentID, d.Student, d.Heading = v.ID, true, cur.Me.DisplayName()
	case roles.Relative:
		fam, err := a.kit.Family(r)
		if err != nil {
			a.kit.Fail(w, r, err)
			return
		}
		d.Children = fam.Children
		if len(fam.Children) == 0 {
			a.pages.Render(w, r, http.StatusOK, "homework", "hw.title", d)
			return
		}
		studentID, d.ChildID, d.Heading = fam.Chosen.ID, fam.Chosen.ID, fam.Chosen.FirstName+" "+fam.Chosen.LastName
	default:
		set, err := a.log.HomeworkSetAround(ctx, v, from)
		if err != nil {
			a.kit.Fail(w, r, err)
			return
		}
		d.Set, d.Heading = set, cur.Me.DisplayName()
		a.pages.Render(w, r, http.StatusOK, "homework", "hw.title", d)
		return
	}
	// The student's record of work: their own, or their child's.
	hw, err := a.log.HomeworkOfStudent(ctx, v, studentID, from, to)
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	for _, h := range hw {
		if n := len(d.Days); n == 0 || d.Days[n-1].Date != h.DueDate {
			d.Days = append(d.Days, homeworkDay{Date: h.DueDate})
		}
		d.Days[len(d.Days)-1].Items = append(d.Days[len(d.Days)-1].Items, h)
	}
	a.pages.Render(w, r, http.StatusOK, "homework", "hw.title", d)
}

// done ticks or unticks a homework of the student's.
func (a *Area) done(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if err := a.log.SetDone(r.Context(), page.Viewer(r), id, r.PostFormValue("done") == "1"); err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	back := "/homework?saved=done"
	if from := r.PostFormValue("from"); from != "" {
		back += "&from=" + url.QueryEscape(from)
	}
	http.Redirect(w, r, back+"#hw-"+id, http.StatusSeeOther)
}

type handInsData struct {
	Homework classlog.Homework
	Rows     []classlog.HandInRow
	Handed   int
	Late     int
}

// handIns lists who handed in a homework's work.
func (a *Area) handIns(w http.ResponseWriter, r *http.Request) {
	l, err := a.log.HandIns(r.Context(), page.Viewer(r), r.PathValue("id"))
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	a.pages.Render(w, r, http.StatusOK, "handins", "hw.handins.title", handInsData{Homework: l.Homework, Rows: l.Rows, Handed: l.Handed, Late: l.Late})
}
