package register

import (
	"net/http"
	"time"

	"cartable/internal/attendance"
	"cartable/internal/i18n"
	"cartable/internal/timetable"
	"cartable/internal/web/page"
)

type dayData struct {
	Day     attendance.Day
	Schools []attendance.Named
	Today   bool
	Now     time.Time
}

// PageTitle names the day and the establishment.
func (d dayData) PageTitle(lang string) string {
	dt, _ := timetable.ParseDate(d.Day.Date)
	return i18n.T(lang, "reg.title.day", d.Day.Name, i18n.DayName(lang, dt))
}

type printData struct{ dayData }

// PageTitle names the printed register of the day.
func (d printData) PageTitle(lang string) string {
	dt, _ := timetable.ParseDate(d.Day.Date)
	return i18n.T(lang, "reg.title.print", d.Day.Name, i18n.DayName(lang, dt))
}

// load reads the day the request asks for (?est=, the first establishment
// the viewer follows by default; ?date=, today by default).
func (a *Area) load(w http.ResponseWriter, r *http.Request, marks bool) (dayData, bool) {
	ctx, v, now := r.Context(), page.Viewer(r), a.kit.Now()
	d := dayData{Now: now}
	var err error
	if d.Schools, err = a.att.Following(ctx, v); err != nil {
		a.kit.Fail(w, r, err)
		return d, false
	}
	est := r.URL.Query().Get("est")
	if est == "" && len(d.Schools) > 0 {
		est = d.Schools[0].ID
	}
	today := now.In(timetable.Paris).Format(timetable.DateFormat)
	date := r.URL.Query().Get("date")
	if date == "" {
		date = today
	}
	d.Today = date == today
	if marks {
		d.Day, err = a.att.Printable(ctx, v, est, date, now)
	} else {
		d.Day, err = a.att.Day(ctx, v, est, date, now)
	}
	if err != nil {
		a.kit.Fail(w, r, err)
		return d, false
	}
	return d, true
}

// day is school life's view of the registers of a day; today's refreshes
// itself every minute (no script: a Refresh header).
func (a *Area) day(w http.ResponseWriter, r *http.Request) {
	d, ok := a.load(w, r, false)
	if !ok {
		return
	}
	if d.Today {
		w.Header().Set("Refresh", "60")
	}
	a.pages.Render(w, r, http.StatusOK, "day", "reg.day.title", d)
}

// print is the register of the day with every mark, to print.
func (a *Area) print(w http.ResponseWriter, r *http.Request) {
	d, ok := a.load(w, r, true)
	if !ok {
		return
	}
	a.pages.Render(w, r, http.StatusOK, "print", "reg.print.title", printData{d})
}
