package classlog

import (
	"net/http"
	"strings"
	"time"

	"cartable/internal/access"
	"cartable/internal/classlog"
	"cartable/internal/i18n"
	"cartable/internal/timetable"
	"cartable/internal/web/page"
)

type structureLogData struct {
	Me       string // the viewer: their own entries offer attachment removal
	Heading  string
	Entries  []classlog.Entry
	From, To string
	Prev     string
	Saved    string
	Now      time.Time
}

// structureLog lists a class's or group's class log, five weeks at a time
// ending two weeks ahead (or at ?to=).
func (a *Area) structureLog(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	res, key := access.Class(id), "class.heading"
	if strings.HasPrefix(r.URL.Path, "/classlog/groups/") {
		res, key = access.Group(id), "group.heading"
	}
	d := structureLogData{Saved: r.URL.Query().Get("saved"), Now: a.kit.Now(), Me: page.Viewer(r).ID}
	to, err := timetable.ParseDate(r.URL.Query().Get("to"))
	if err != nil {
		today := d.Now.In(timetable.Paris)
		to = time.Date(today.Year(), today.Month(), today.Day()+14, 0, 0, 0, 0, timetable.Paris)
	}
	from := to.AddDate(0, 0, -34)
	d.From, d.To = from.Format(timetable.DateFormat), to.Format(timetable.DateFormat)
	d.Prev = from.AddDate(0, 0, -1).Format(timetable.DateFormat)
	log, err := a.log.OfStructure(r.Context(), page.Viewer(r), res, d.From, d.To)
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	d.Heading, d.Entries = i18n.T(page.Lang(r), key, log.Name), log.Entries
	a.pages.Render(w, r, http.StatusOK, "classlog", "log.title", d)
}
