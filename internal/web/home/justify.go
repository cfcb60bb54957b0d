package home

import (
	"net/http"
	"net/url"

	"cartable/internal/attendance"
	"cartable/internal/i18n"
	"cartable/internal/timetable"
	"cartable/internal/web/page"
)

// toJustifyBlocks is the "absences to justify" of a relative's chosen child
// or of a student themself: the absences and lateness still without a
// reason or not accepted. Nil without the attendance service.
func (a *Area) toJustifyBlocks(r *http.Request, studentID string) ([]Block, error) {
	if a.Attendance == nil {
		return nil, nil
	}
	lang := page.Lang(r)
	items, err := a.Attendance.ToJustify(r.Context(), page.Viewer(r), studentID)
	if err != nil {
		return nil, err
	}
	link := "/justifications?child=" + url.QueryEscape(studentID)
	if studentID == page.Viewer(r).ID {
		link = "/justifications" // a student's own
	}
	b := Block{ID: "b-tojustify", Heading: i18n.T(lang, "home.tojustify"), Count: countOf(lang, "home.tojustify.count", len(items)),
		Empty: i18n.T(lang, "home.tojustify.none"), Link: link, LinkText: i18n.T(lang, "home.tojustify.link")}
	for _, it := range items {
		b.Items = append(b.Items, Item{Href: link + "#item-" + it.ID, Label: i18n.T(lang, "just.kind."+it.Kind),
			When: itemWhen(lang, it), State: "changed"})
	}
	b.limit(lang)
	return []Block{b}, nil
}

// itemWhen writes when an absence or a lateness was.
func itemWhen(lang string, it attendance.Item) string {
	day := func(d string) string {
		t, err := timetable.ParseDate(d)
		if err != nil {
			return d
		}
		return i18n.DayName(lang, t)
	}
	switch {
	case it.Kind == "late":
		return i18n.T(lang, "just.late.when", day(it.StartDate), timetable.HHMM(it.StartMin), it.Minutes)
	case it.StartDate == it.EndDate:
		return i18n.T(lang, "just.abs.day", day(it.StartDate), timetable.HHMM(it.StartMin), timetable.HHMM(it.EndMin))
	}
	return i18n.T(lang, "just.abs.days", day(it.StartDate), timetable.HHMM(it.StartMin), day(it.EndDate), timetable.HHMM(it.EndMin))
}

// schoolLifeBlocks are the CPE's and direction's "justifications to
// review" and "compulsory schooling" (the students over the L131-8
// counter in the last complete month), per establishment whose school
// life they manage.
func (a *Area) schoolLifeBlocks(r *http.Request) ([]Block, error) {
	if a.Attendance == nil {
		return nil, nil
	}
	ctx, v, lang := r.Context(), page.Viewer(r), page.Lang(r)
	ests, err := a.Attendance.Establishments(ctx, v)
	if err != nil {
		return nil, err
	}
	month := attendance.LastCompleteMonth(a.kit.Now())
	var out []Block
	for _, e := range ests {
		suffix, heading := "", func(key string, args ...any) string { return i18n.T(lang, key, args...) }
		if len(ests) > 1 {
			suffix = "-" + e.ID
			heading = func(key string, args ...any) string {
				return i18n.T(lang, "home.in", i18n.T(lang, key, args...), e.Name)
			}
		}
		q, err := a.Attendance.Queue(ctx, v, e.ID)
		if err != nil {
			return nil, err
		}
		est := url.QueryEscape(e.ID)
		review := Block{ID: "b-review" + suffix, Heading: heading("home.review"), Count: countOf(lang, "home.review.count", len(q)),
			Empty: i18n.T(lang, "home.review.none"), Link: "/school-life/justifications?est=" + est, LinkText: i18n.T(lang, "home.review.link")}
		for _, j := range q {
			review.Items = append(review.Items, Item{Href: "/school-life/justifications?est=" + est + "#j-" + j.ID,
				Label: j.Student.FirstName + " " + j.Student.LastName, Detail: j.Student.Class, When: i18n.DateTime(lang, j.CreatedAt)})
		}
		c, err := a.Attendance.MonthlyCounter(ctx, v, e.ID, month)
		if err != nil {
			return nil, err
		}
		link := "/school-life/counter?est=" + est + "&month=" + month
		counter := Block{ID: "b-compulsory" + suffix, Heading: heading("home.compulsory", month), Count: countOf(lang, "home.compulsory.count", len(c.Lines)),
			Empty: i18n.T(lang, "home.compulsory.none"), Link: link, LinkText: i18n.T(lang, "home.compulsory.link")}
		for _, l := range c.Lines {
			counter.Items = append(counter.Items, Item{Href: link + "#over-" + l.Student.ID, Label: l.Student.Name(), Detail: l.Student.Class,
				Notes: []string{i18n.N(lang, "rep.halfdays", len(l.HalfDays))}})
		}
		review.limit(lang)
		counter.limit(lang)
		out = append(out, review, counter)
	}
	return out, nil
}
