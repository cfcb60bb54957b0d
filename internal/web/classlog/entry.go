package classlog

import (
	"net/http"
	"strings"

	"cartable/internal/check"
	"cartable/internal/classlog"
	"cartable/internal/i18n"
	"cartable/internal/richtext"
	"cartable/internal/timetable"
	"cartable/internal/web/page"
)

// copyData is the copy form: the entry, where it may go, and once a
// target is chosen the copy's date and its homework's due dates, as
// proposed or as typed.
type copyData struct {
	Plan     classlog.CopyPlan
	Target   string            // as chosen in the first form
	Date     string            // as typed in the first form
	Due      map[string]string // homework ID → due date, as typed
	Problems []string
	Bad      map[string]bool
	Lines    []copyLine
}

// copyLine is one homework of the copy form.
type copyLine struct {
	classlog.CopyDue
	Value string // the date in the box: as typed, or proposed
	Rule  string // how the proposal was found, in words
	Short string // the description, shortened for the legend
}

// PageTitle names the copy: the entry's title, subject and class.
func (d copyData) PageTitle(lang string) string {
	e := d.Plan.Entry
	parts := []string{i18n.T(lang, "log.copy.title"), e.Title, e.SubjectName, e.Structure}
	if d.Plan.TargetName != "" {
		parts = append(parts, "→ "+d.Plan.TargetName)
	}
	return strings.Join(parts, " · ")
}

// copyForm shows the copy form: first where and when, then, once a
// target is chosen, the due dates proposed for the copy's homework.
func (a *Area) copyForm(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	d := copyData{Target: q.Get("target"), Date: q.Get("date")}
	p, err := a.log.PlanCopy(r.Context(), page.Viewer(r), r.PathValue("id"), d.Target, d.Date)
	d.Plan = p
	if ps, ok := check.As(err); ok {
		a.copyProblems(w, r, d, ps)
		return
	}
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	a.render(w, r, http.StatusOK, d)
}

// render fills the homework lines and shows the copy page.
func (a *Area) render(w http.ResponseWriter, r *http.Request, status int, d copyData) {
	lang := page.Lang(r)
	for _, due := range d.Plan.Due {
		line := copyLine{CopyDue: due, Value: due.Due, Short: short(richtext.Text(due.Homework.Description))}
		if v, ok := d.Due[due.Homework.ID]; ok {
			line.Value = v
		}
		switch due.Rule {
		case "lesson":
			day := isoDay(lang, due.Due)
			if due.N == 1 {
				line.Rule = i18n.T(lang, "log.copy.rule.next", d.Plan.TargetName, day)
			} else {
				line.Rule = i18n.T(lang, "log.copy.rule.later", due.N, d.Plan.TargetName, day)
			}
		case "days":
			line.Rule = i18n.N(lang, "log.copy.rule.days", due.N)
		case "same-day":
			line.Rule = i18n.T(lang, "log.copy.rule.sameday")
		}
		d.Lines = append(d.Lines, line)
	}
	a.pages.Render(w, r, status, "copy", "log.copy.title", d)
}

// copyProblems shows the copy page again with what is wrong, and what
// was typed.
func (a *Area) copyProblems(w http.ResponseWriter, r *http.Request, d copyData, ps check.Problems) {
	lang := page.Lang(r)
	d.Bad = map[string]bool{}
	for _, p := range ps {
		d.Bad[p.Field] = true
		switch {
		case strings.HasPrefix(p.Field, "due."):
			line := 0
			for i, due := range d.Plan.Due {
				if "due."+due.Homework.ID == p.Field {
					line = i + 1
				}
			}
			v := p.Value
			if p.Code == "due-before-lesson" {
				v = isoDay(lang, v) // a date: the check parsed it
			}
			d.Problems = append(d.Problems, i18n.T(lang, "log.problem", i18n.T(lang, "log.copy.field.due", line),
				i18n.T(lang, "log.problem."+p.Code, v)))
		default:
			// A class or group the author teaches, but where the copy
			// cannot go; or a date that is none.
			msg := "log.copy.same"
			switch p.Code {
			case "other-establishment":
				msg = "log.copy.otherest"
			case "not-taught":
				msg = "log.copy.subject"
			case "required":
				msg = "log.copy.notarget"
			case "bad-date":
				msg = "log.copy.baddate"
			}
			d.Problems = append(d.Problems, i18n.T(lang, msg))
		}
	}
	a.render(w, r, http.StatusUnprocessableEntity, d)
}

// copyEntry copies an entry to another class or group its author
// teaches, its homework due as the form says (or as proposed when it says
// nothing, for a form without the dates).
func (a *Area) copyEntry(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	d := copyData{Target: r.PostFormValue("target"), Date: r.PostFormValue("date"), Due: map[string]string{}}
	for k, vs := range r.PostForm {
		if h, ok := strings.CutPrefix(k, "due_"); ok && len(vs) > 0 {
			d.Due[h] = vs[0]
		}
	}
	c, err := a.log.Copy(r.Context(), page.Viewer(r), id, classlog.CopyInput{Target: d.Target, Date: d.Date, Due: d.Due})
	if ps, ok := check.As(err); ok {
		// The form again: the plan of what was chosen (or only the entry
		// and its targets, when the choice itself is at fault).
		p, perr := a.log.PlanCopy(r.Context(), page.Viewer(r), id, d.Target, d.Date)
		if _, bad := check.As(perr); perr != nil && !bad {
			a.kit.Fail(w, r, perr)
			return
		}
		d.Plan = p
		a.copyProblems(w, r, d, ps)
		return
	}
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, logOf(c.ClassID, c.GroupID)+"?saved=copy&to="+c.LessonDate+"#e-"+c.ID, http.StatusSeeOther)
}

// short cuts a text to a legend's length.
func short(s string) string {
	r := []rune(strings.Join(strings.Fields(s), " "))
	if len(r) > 60 {
		r = append(r[:59], '…')
	}
	return string(r)
}

// isoDay writes a stored day (YYYY-MM-DD) with its weekday.
func isoDay(lang, iso string) string {
	t, err := timetable.ParseDate(iso)
	if err != nil {
		return iso
	}
	return i18n.DayName(lang, t)
}

// deleteEntry deletes an entry; the work students handed in for it goes
// only when the teacher confirms it.
func (a *Area) deleteEntry(w http.ResponseWriter, r *http.Request) {
	e, err := a.log.Delete(r.Context(), page.Viewer(r), r.PathValue("id"), r.PostFormValue("discard_handins") == "1")
	if _, ok := check.As(err); ok {
		a.kit.Error(w, r, http.StatusConflict, "log.delete.has-handins")
		return
	}
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	back := "/timetable"
	if e.SlotID != "" {
		back = "/lessons/" + e.SlotID + "/" + e.LessonDate
	}
	http.Redirect(w, r, back+"?saved=deleted", http.StatusSeeOther)
}

// removeAttachment takes one attachment off an entry, from any page that
// lists the entry (copies have no lesson form).
func (a *Area) removeAttachment(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	e, err := a.log.Detach(r.Context(), page.Viewer(r), id, r.PathValue("file"))
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	back := logOf(e.ClassID, e.GroupID) + "?saved=att-removed"
	if to, err := timetable.ParseDate(r.PostFormValue("to")); err == nil {
		back += "&to=" + to.Format(timetable.DateFormat)
	}
	http.Redirect(w, r, back+"#e-"+id, http.StatusSeeOther)
}
