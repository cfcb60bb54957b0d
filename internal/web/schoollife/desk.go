package schoollife

import (
	"net/http"
	"net/url"

	"cartable/internal/attendance"
	"cartable/internal/i18n"
	"cartable/internal/timetable"
	"cartable/internal/web/page"
)

// The CPE's desk: the day of the whole establishment.

type deskData struct {
	attendance.DayView
	States []string
	Kinds  []string
}

// PageTitle names the day shown, and the class when one is chosen.
func (d deskData) PageTitle(lang string) string {
	day := d.Date
	if t, err := timetable.ParseDate(d.Date); err == nil {
		day = i18n.DayName(lang, t)
	}
	for _, c := range d.ClassChoices {
		if c.Key == d.Filter.Class {
			return i18n.T(lang, "desk.day.classtitle", c.Name, day)
		}
	}
	return i18n.T(lang, "desk.day.title", day)
}

// DayLink is the address of another day with the same filters.
func (d deskData) DayLink(date string) string {
	q := url.Values{"date": {date}}
	for k, v := range map[string]string{"class": d.Filter.Class, "state": d.Filter.State, "reason": d.Filter.Reason, "kind": d.Filter.Kind} {
		if v != "" {
			q.Set(k, v)
		}
	}
	return "/school-life?" + q.Encode()
}

func (a *Area) desk(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := attendance.DayFilter{Class: q.Get("class"), State: q.Get("state"), Reason: q.Get("reason"), Kind: q.Get("kind")}
	day, err := a.att.DeskDay(r.Context(), page.Viewer(r), q.Get("est"), q.Get("date"), f)
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	a.pages.Render(w, r, http.StatusOK, "desk", "desk.title", deskData{DayView: day, States: attendance.States, Kinds: attendance.DayKinds})
}
