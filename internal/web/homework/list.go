package homework

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"cartable/internal/check"
	"cartable/internal/classlog"
	"cartable/internal/directory"
	"cartable/internal/files"
	"cartable/internal/i18n"
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
	From     string
	FromSet  bool // the list starts on a day asked for, not today
	Saved    string
	Problem  string
	Limit    int64
	Accept   string
	// A teacher's homework: one page of what they set, its filter.
	Teacher bool
	Set     classlog.SetPage
	Filter  setFilter
}

// setFilter is the teacher's filter as typed, with what is wrong with it.
type setFilter struct {
	Aud, From, To string
	Problems      []string
	Bad           map[string]bool
	Today         string
}

// Query is the filter as an address's query, for the pages' links.
func (f setFilter) Query(page int) string {
	v := url.Values{}
	for k, s := range map[string]string{"aud": f.Aud, "from": f.From, "to": f.To} {
		v.Set(k, s)
	}
	if page > 1 {
		v.Set("page", strconv.Itoa(page))
	}
	return "?" + v.Encode()
}

// AudName names the audience filtered on, "" for all.
func (d homeworkData) AudName() string {
	for _, a := range d.Set.Audiences {
		if a.Key == d.Filter.Aud {
			return a.Name
		}
	}
	return ""
}

// PastFrom is the index of the first homework of the page already due,
// where the "past" heading goes (-1 when the page has none before it).
func (d homeworkData) PastFrom() int {
	for i, h := range d.Set.Items {
		if h.DueDate < d.Filter.Today {
			return i
		}
	}
	return -1
}

// PageTitle names the list: whose, or for the teacher the class or group
// filtered on and the page.
func (d homeworkData) PageTitle(lang string) string {
	parts := []string{i18n.T(lang, "hw.title")}
	switch {
	case d.Problem != "":
		parts = append(parts, i18n.T(lang, "hw.title.refused"))
	case d.Teacher:
		parts[0] = i18n.T(lang, "hw.setby")
		if n := d.AudName(); n != "" {
			parts = append(parts, n)
		}
		if d.Set.Page > 1 {
			parts = append(parts, i18n.T(lang, "hw.page", d.Set.Page, d.Set.Pages))
		}
	case d.Heading != "":
		parts = append(parts, d.Heading)
	}
	if d.FromSet && !d.Teacher && d.Problem == "" {
		parts = append(parts, i18n.T(lang, "hw.title.from", isoDay(lang, d.From)))
	}
	return strings.Join(parts, " · ")
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
		a.setList(w, r, d, today.Format(timetable.DateFormat))
		return
	}
	from := today.Format(timetable.DateFormat)
	if f, err := timetable.ParseDate(r.URL.Query().Get("from")); err == nil && f.Format(timetable.DateFormat) != from {
		from, today, d.FromSet = f.Format(timetable.DateFormat), f, true
	}
	d.From = from
	to := today.AddDate(0, 0, 28).Format(timetable.DateFormat)
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

// setWindow is how far back the teacher's list looks by default: the
// homework of the last four weeks stays within reach, older is asked for.
const setWindow = 28

// setList shows the homework the viewer set, a page at a time: to come
// first, then past, filtered by class or group and by due dates (a plain
// GET form: the filter stays in the address). Without a "from" in the
// address the list starts four weeks ago; an empty one is no bound.
func (a *Area) setList(w http.ResponseWriter, r *http.Request, d homeworkData, today string) {
	q := r.URL.Query()
	d.Teacher = true
	d.Heading = page.Current(r).Me.DisplayName()
	d.Filter = setFilter{Aud: q.Get("aud"), From: strings.TrimSpace(q.Get("from")), To: strings.TrimSpace(q.Get("to")), Today: today}
	if !q.Has("from") {
		t, _ := timetable.ParseDate(today)
		d.Filter.From = t.AddDate(0, 0, -setWindow).Format(timetable.DateFormat)
	}
	n, _ := strconv.Atoi(q.Get("page"))
	set, err := a.log.HomeworkSet(r.Context(), page.Viewer(r), classlog.SetFilter{Audience: d.Filter.Aud, From: d.Filter.From,
		To: d.Filter.To, Page: n, Today: today})
	d.Set = set
	if ps, ok := check.As(err); ok {
		lang := page.Lang(r)
		d.Filter.Bad = map[string]bool{}
		for _, p := range ps {
			d.Filter.Bad[p.Field] = true
			d.Filter.Problems = append(d.Filter.Problems, i18n.T(lang, "log.problem", i18n.T(lang, "hw.filter."+p.Field),
				i18n.T(lang, "hw.filter.problem."+p.Code, p.Value)))
		}
		a.pages.Render(w, r, http.StatusUnprocessableEntity, "homework", "hw.title", d)
		return
	}
	if err != nil {
		a.kit.Fail(w, r, err)
		return
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
	classlog.HandInList
	Relative bool // the viewer reads a child's row
}

// PageTitle names the hand-ins of one homework: subject, class or group,
// due day.
func (d handInsData) PageTitle(lang string) string {
	key := "hw.handins.title"
	if !d.All {
		key = "hw.handins.own"
	}
	return strings.Join([]string{i18n.T(lang, key), d.Homework.SubjectName, d.Homework.Structure,
		i18n.T(lang, "hw.for", isoDay(lang, d.Homework.DueDate))}, " · ")
}

// handIns lists who handed in a homework's work: everyone for the
// author, the head and deputy; one's own for a student, a child's for a
// relative.
func (a *Area) handIns(w http.ResponseWriter, r *http.Request) {
	l, err := a.log.HandIns(r.Context(), page.Viewer(r), r.PathValue("id"))
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	a.pages.Render(w, r, http.StatusOK, "handins", "hw.handins.title",
		handInsData{HandInList: l, Relative: page.Viewer(r).Profile == roles.Relative})
}

// isoDay writes a stored day (YYYY-MM-DD) with its weekday, as the
// templates' isodate does.
func isoDay(lang, iso string) string {
	t, err := timetable.ParseDate(iso)
	if err != nil {
		return iso
	}
	return i18n.DayName(lang, t)
}
