package home

import (
	"net/http"

	"cartable/internal/attendance"
	"cartable/internal/i18n"
	"cartable/internal/timetable"
	"cartable/internal/web/page"
)

// registerBlock is the teacher's "Appels à faire aujourd'hui": each of
// today's lessons whose register they may take, with its state; none when
// they take no register today.
func (a *Area) registerBlock(r *http.Request, today []timetable.Lesson) ([]Block, error) {
	if a.Registers == nil {
		return nil, nil
	}
	lang, now := page.Lang(r), a.kit.Now()
	states, err := a.Registers.RegisterStates(r.Context(), page.Viewer(r), today)
	if err != nil || len(states) == 0 {
		return nil, err
	}
	var ls []timetable.Lesson
	for _, l := range today {
		if _, ok := states[l.Key()]; ok {
			ls = append(ls, l)
		}
	}
	items := lessonItems(lang, ls, now, now.In(timetable.Paris).Format(timetable.DateFormat))
	left := 0
	for i, l := range ls {
		st := states[l.Key()]
		items[i].Href = "/registers/" + l.Key()
		items[i].Notes = append([]string{i18n.T(lang, "reg.link.state", i18n.T(lang, "reg.state."+st))}, items[i].Notes...)
		if st == attendance.Done {
			items[i].State = "done"
		} else {
			left++
		}
	}
	b := Block{ID: "b-registers", Heading: i18n.T(lang, "reg.home.todo"), Count: countOf(lang, "reg.home.todo.count", left),
		Items: items, Empty: i18n.T(lang, "reg.home.todo.none")}
	b.limit(lang)
	return []Block{b}, nil
}

// lateRegisterBlocks are school life's "Appels non faits": per
// establishment the viewer follows (CPE, head, deputy), today's registers
// not done some minutes after their lesson began.
func (a *Area) lateRegisterBlocks(r *http.Request) ([]Block, error) {
	if a.Registers == nil {
		return nil, nil
	}
	ctx, v, lang, now := r.Context(), page.Viewer(r), page.Lang(r), a.kit.Now()
	schools, err := a.Registers.Following(ctx, v)
	if err != nil {
		return nil, err
	}
	today := now.In(timetable.Paris).Format(timetable.DateFormat)
	var out []Block
	for _, s := range schools {
		d, err := a.Registers.Day(ctx, v, s.ID, today, now)
		if err != nil {
			return nil, err
		}
		var late []timetable.Lesson
		for _, reg := range d.Registers {
			if reg.Late {
				late = append(late, reg.Lesson)
			}
		}
		b := Block{ID: "b-registers-late", Heading: i18n.T(lang, "reg.home.late"), Count: countOf(lang, "reg.home.late.count", len(late)),
			Items: lessonItems(lang, late, now, today), Empty: i18n.T(lang, "reg.home.late.none"),
			Link: "/registers/day?est=" + s.ID, LinkText: i18n.T(lang, "reg.home.late.link")}
		if len(schools) > 1 {
			b.ID += "-" + s.ID
			b.Heading = i18n.T(lang, "home.in", b.Heading, s.Name)
		}
		for i, l := range late {
			b.Items[i].Href = "/registers/" + l.Key()
		}
		b.limit(lang)
		out = append(out, b)
	}
	return out, nil
}
