package page

import (
	"html"
	"html/template"
	"strings"
	"time"

	"cartable/internal/i18n"
	"cartable/internal/timetable"
)

// LessonView is a lesson ready for a template: its link and its changes
// explained in words. The week grid, the home page and the lesson page
// show lessons alike.
type LessonView struct {
	timetable.Lesson
	Href    string
	Notes   []string
	Teacher string
	Now     bool
	// Precomputed for the week grid, which shows many lessons per page.
	Class, When, DateTime, Day, Where string
	// Card is the lesson's list item, escaped here once rather than field
	// by field by the template engine (a third of the page's cost).
	Card template.HTML
	// Register is the state of the lesson's register when the viewer
	// takes it ("to-do", "in-progress", "done"), else "": the card then
	// links to the roll call (SetRegister).
	Register string
}

// SetRegister gives the view the state of its register (see Register)
// and writes its card again with the link.
func (v *LessonView) SetRegister(lang, state string) {
	v.Register = state
	v.Card = lessonCard(lang, v)
}

// Explain puts a lesson's changes into words.
func Explain(lang string, l timetable.Lesson) []string {
	var out []string
	if l.Slot.Exceptional {
		out = append(out, i18n.T(lang, "tt.exceptional"))
	}
	c := l.Change
	if c == nil {
		return out
	}
	if c.Cancelled {
		out = append(out, i18n.T(lang, "tt.cancelled", i18n.T(lang, "tt.reason."+c.Reason)))
	}
	if l.Moved() {
		day, _ := timetable.ParseDate(l.Date)
		orig := timetable.At(day, l.Slot.StartMin)
		out = append(out, i18n.T(lang, "tt.moved", DayName(lang, l.Start), l.Start.Format("15:04"), l.End.Format("15:04"),
			DayName(lang, orig), orig.Format("15:04")))
	}
	if c.NewRoom != nil {
		was := "—"
		if l.Slot.Room != nil {
			was = l.Slot.Room.Name
		}
		out = append(out, i18n.T(lang, "tt.roomchange", c.NewRoom.Name, was))
	}
	if c.Replacement != nil {
		out = append(out, i18n.T(lang, "tt.replaced", c.Replacement.Name(), TeacherNames(l.Slot.Teachers)))
	}
	if c.TestPlanned {
		out = append(out, i18n.T(lang, "tt.test"))
	}
	if c.Note != "" {
		out = append(out, i18n.T(lang, "tt.note", c.Note))
	}
	return out
}

// TeacherNames writes "Mme DURAND, M. MARTIN".
func TeacherNames(ps []timetable.Person) string {
	names := make([]string, len(ps))
	for i, p := range ps {
		names[i] = p.Name()
	}
	return strings.Join(names, ", ")
}

// LessonViews prepares lessons for a template at now (the lesson under
// way is marked).
func LessonViews(lang string, ls []timetable.Lesson, now time.Time) []LessonView {
	return LessonViewsIn(lang, ls, now, nil)
}

// LessonViewsIn is LessonViews with classes added to each lesson's list
// item: extra[i] (starting with a space) to ls[i]'s, where the week grid
// places it; nil adds none.
func LessonViewsIn(lang string, ls []timetable.Lesson, now time.Time, extra []string) []LessonView {
	out := make([]LessonView, len(ls))
	for i, l := range ls {
		v := LessonView{Lesson: l, Href: "/lessons/" + l.Slot.ID + "/" + l.Date, Notes: Explain(lang, l),
			Teacher: TeacherNames(l.Teachers), Now: !now.Before(l.Start) && now.Before(l.End)}
		start, end := l.Start.In(timetable.Paris), l.End.In(timetable.Paris)
		v.When = start.Format("15:04") + "–" + end.Format("15:04")
		v.DateTime = start.Format("2006-01-02T15:04")
		v.Day = start.Format(timetable.DateFormat)
		v.Class = "lesson"
		switch {
		case l.Cancelled():
			v.Class += " cancelled"
		case l.Changed():
			v.Class += " changed"
		}
		if v.Now {
			v.Class += " now"
		}
		if extra != nil {
			v.Class += extra[i]
		}
		where := v.Teacher
		if l.Room != nil {
			where += " · " + l.Room.Name
		}
		if len(l.Slot.Audiences) > 0 {
			where += " · " + l.Audience()
		}
		v.Where = where
		v.Card = lessonCard(lang, &v)
		out[i] = v
	}
	return out
}

// lessonCard writes a lesson of the week grid; every value is escaped.
func lessonCard(lang string, v *LessonView) template.HTML {
	var b strings.Builder
	esc := html.EscapeString
	b.WriteString(`<li class="` + v.Class + `"><p class="when"><time datetime="` + v.DateTime + `">` + v.When + `</time>`)
	if v.Now {
		b.WriteString(` <strong>` + esc(i18n.T(lang, "tt.now")) + `</strong>`)
	}
	b.WriteString(`</p><p class="what"><a href="` + esc(v.Href) + `">` + esc(v.Slot.SubjectName) + `</a></p><p class="who">` + esc(v.Where) + `</p>`)
	if len(v.Notes) > 0 {
		b.WriteString(`<ul class="notes">`)
		for _, n := range v.Notes {
			b.WriteString(`<li>` + esc(n) + `</li>`)
		}
		b.WriteString(`</ul>`)
	}
	if v.Register != "" {
		b.WriteString(`<p class="reg-link"><a href="/registers/` + esc(v.Slot.ID) + `/` + esc(v.Date) + `">` +
			esc(i18n.T(lang, "reg.link.state", i18n.T(lang, "reg.state."+v.Register))) + `</a></p>`)
	}
	b.WriteString("</li>\n")
	return template.HTML(b.String())
}
