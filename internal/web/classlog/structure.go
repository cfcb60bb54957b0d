package classlog

import (
	"net/http"
	"strings"
	"time"

	"cartable/internal/access"
	"cartable/internal/classlog"
	"cartable/internal/i18n"
	"cartable/internal/roles"
	"cartable/internal/timetable"
	"cartable/internal/web/page"
)

type structureLogData struct {
	Me       string // the viewer: their own entries offer attachment removal
	Name     string // the class's or group's
	Heading  string
	Entries  []classlog.Entry
	From, To string
	// Older is the "to" of the previous span holding entries, "" when
	// there is none; Latest tells that the span is not the default one
	// (a link leads back to it).
	Older    string
	Latest   bool
	Saved    string
	Now      time.Time
	Relative bool // the viewer reads a child's hand-ins
}

// PageTitle names the log: the class or group, and the span shown.
func (d structureLogData) PageTitle(lang string) string {
	return strings.Join([]string{i18n.T(lang, "log.title"), d.Name, i18n.T(lang, "log.range", day(lang, d.From), day(lang, d.To))}, " · ")
}

func day(lang, iso string) string {
	t, err := timetable.ParseDate(iso)
	if err != nil {
		return iso
	}
	return i18n.ShortDate(lang, t)
}

// span is how many days the log shows at once, ending at "to".
const span = 35

// structureLog lists a class's or group's class log, five weeks at a time
// ending two weeks ahead (or at ?to=). The way back goes straight to the
// latest earlier entry, over the weeks without any.
func (a *Area) structureLog(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	res, key := access.Class(id), "class.heading"
	if strings.HasPrefix(r.URL.Path, "/classlog/groups/") {
		res, key = access.Group(id), "group.heading"
	}
	d := structureLogData{Saved: r.URL.Query().Get("saved"), Now: a.kit.Now(), Me: page.Viewer(r).ID,
		Relative: page.Viewer(r).Profile == roles.Relative}
	today := d.Now.In(timetable.Paris)
	latest := time.Date(today.Year(), today.Month(), today.Day()+14, 0, 0, 0, 0, timetable.Paris)
	to, err := timetable.ParseDate(r.URL.Query().Get("to"))
	if err != nil {
		to = latest
	}
	d.Latest = !to.Equal(latest)
	from := to.AddDate(0, 0, 1-span)
	d.From, d.To = from.Format(timetable.DateFormat), to.Format(timetable.DateFormat)
	log, err := a.log.OfStructure(r.Context(), page.Viewer(r), res, d.From, d.To)
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	d.Name, d.Older = log.Name, log.Older
	d.Heading, d.Entries = i18n.T(page.Lang(r), key, log.Name), log.Entries
	a.pages.Render(w, r, http.StatusOK, "classlog", "log.title", d)
}
