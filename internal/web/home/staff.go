package home

import (
	"net/http"

	"cartable/internal/directory"
	"cartable/internal/i18n"
	"cartable/internal/timetable"
	"cartable/internal/web/page"
)

// staffBlocks are the blocks of those who follow an establishment's day
// (head, deputy, secretary, CPE): the teachers absent today, the lessons
// cancelled, the other changes; one set per establishment they follow
// (named when there are several).
func (a *Area) staffBlocks(r *http.Request, schools []directory.School) ([]Block, error) {
	ctx, v, lang, now := r.Context(), page.Viewer(r), page.Lang(r), a.kit.Now()
	today := now.In(timetable.Paris).Format(timetable.DateFormat)
	days, err := a.weeks.DayChanges(ctx, v, a.db, today)
	if err != nil {
		return nil, err
	}
	if len(days) > 1 && schools == nil { // a teacher holding a function in two schools
		if schools, err = directory.MySchools(ctx, v, a.db); err != nil {
			return nil, err
		}
	}
	names := map[string]string{}
	for _, s := range schools {
		names[s.Establishment.ID] = s.Establishment.Name
	}
	var out []Block
	for _, d := range days {
		suffix, heading := "", func(key string) string { return i18n.T(lang, key) }
		if len(days) > 1 {
			suffix = "-" + d.EstablishmentID
			heading = func(key string) string { return i18n.T(lang, "home.in", i18n.T(lang, key), names[d.EstablishmentID]) }
		}
		absent := Block{ID: "b-absent" + suffix, Heading: heading("home.absent"), Count: countOf(lang, "home.absent.count", len(d.Absent)),
			Empty: i18n.T(lang, "home.absent.none")}
		for _, p := range d.Absent {
			absent.Items = append(absent.Items, Item{Href: "/timetable/people/" + p.ID + "?day=" + today, Label: p.Name()})
		}
		cancelled := Block{ID: "b-cancelled" + suffix, Heading: heading("home.cancelled"), Count: countOf(lang, "home.cancelled.count", len(d.Cancelled)),
			Items: lessonItems(lang, d.Cancelled, now, today), Empty: i18n.T(lang, "home.cancelled.none")}
		other := Block{ID: "b-changed" + suffix, Heading: heading("home.changed"), Count: countOf(lang, "home.changes", len(d.Changed)),
			Items: lessonItems(lang, d.Changed, now, today), Empty: i18n.T(lang, "home.changed.none"),
			Link: "/timetable", LinkText: i18n.T(lang, "home.timetables")}
		for _, b := range []*Block{&absent, &cancelled, &other} {
			b.limit(lang)
		}
		out = append(out, absent, cancelled, other)
	}
	late, err := a.lateRegisterBlocks(r)
	if err != nil {
		return nil, err
	}
	return append(late, out...), nil
}
