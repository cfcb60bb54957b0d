package home

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"time"

	"cartable/internal/access"
	"cartable/internal/classlog"
	"cartable/internal/directory"
	"cartable/internal/i18n"
	"cartable/internal/richtext"
	"cartable/internal/timetable"
	"cartable/internal/web/page"
)

// maxNews bounds the entries the news block lists.
const maxNews = 6

// pupilParts are the blocks of a student's home page, or of a relative's
// for the chosen child: today, the next day, the homework due then, what
// the teachers published since the last visit, the notes to sign, the
// absences to justify and the latest marks. school is the student's
// school page (for the class log's link).
func (a *Area) pupilParts(p *parts, studentID string, school *directory.StudentSchool) {
	p.add(func(r *http.Request) ([]Block, error) { return a.dayBlocks(r, studentID) })
	p.add(func(r *http.Request) ([]Block, error) { return a.newsBlocks(r, studentID, school) })
	p.add(func(r *http.Request) ([]Block, error) { return a.toSignBlocks(r, studentID) })    // notes.go
	p.add(func(r *http.Request) ([]Block, error) { return a.toJustifyBlocks(r, studentID) }) // justify.go
	p.add(func(r *http.Request) ([]Block, error) { return a.latestMarks(r, studentID) })     // grades.go
}

// childQuery is the query naming the child a relative looks at, "" on a
// student's own page.
func childQuery(r *http.Request, studentID string) string {
	if studentID == page.Viewer(r).ID {
		return ""
	}
	return "child=" + url.QueryEscape(studentID)
}

// dayBlocks: the student's day, the next day and the homework due then.
func (a *Area) dayBlocks(r *http.Request, studentID string) ([]Block, error) {
	ctx, v, lang, now := r.Context(), page.Viewer(r), page.Lang(r), a.kit.Now()
	q := childQuery(r, studentID)
	ag, err := a.weeks.Agenda(ctx, v, a.db, timetable.Target{Kind: timetable.TargetStudent, ID: studentID}, now)
	if errors.Is(err, access.ErrDenied) {
		err = nil // no timetable to show: the other blocks still are
	}
	if err != nil {
		return nil, err
	}
	blocks := agendaBlocks(lang, ag, now, q)

	due := ag.NextDate
	if due == "" {
		due = now.In(timetable.Paris).AddDate(0, 0, 1).Format(timetable.DateFormat)
	}
	hw, err := a.log.HomeworkOfStudent(ctx, v, studentID, due, due)
	if err != nil {
		return nil, err
	}
	return append(blocks, dueBlock(lang, hw, due, now, q == "", q)), nil
}

// newsBlocks: what the teachers published since the last visit.
func (a *Area) newsBlocks(r *http.Request, studentID string, school *directory.StudentSchool) ([]Block, error) {
	ctx, v, lang, now := r.Context(), page.Viewer(r), page.Lang(r), a.kit.Now()
	// The visit and the news are read at once; the news after the
	// visit's start are kept then.
	var visit directory.Visit
	var recent classlog.Recent
	err := a.db.Together(ctx,
		func(ctx context.Context) (err error) {
			visit, err = directory.HomeVisit(ctx, v, a.db, studentID, now)
			return err
		},
		func(ctx context.Context) (err error) {
			recent, err = a.log.RecentNews(ctx, v, studentID, maxNews)
			return err
		})
	if err != nil {
		return nil, err
	}
	news, more := recent.Since(visit.Since)
	classLog := ""
	if school != nil && len(school.Schooling) > 0 {
		classLog = "/classlog/classes/" + school.Schooling[0].Class.ID
	}
	return []Block{newsBlock(lang, news, more, visit, classLog)}, nil
}

// agendaBlocks: today's lessons, the next day's, and the changes after;
// q is the query naming the child for a relative ("" otherwise).
func agendaBlocks(lang string, ag timetable.Agenda, now time.Time, q string) []Block {
	day := now.In(timetable.Paris)
	today := day.Format(timetable.DateFormat)
	withQ := func(p string, extra ...string) string {
		vs := append([]string{}, extra...)
		if q != "" {
			vs = append(vs, q)
		}
		for i, x := range vs {
			if i == 0 {
				p += "?" + x
			} else {
				p += "&" + x
			}
		}
		return p
	}
	out := []Block{{ID: "b-today", Heading: i18n.T(lang, "home.today"), Count: countOf(lang, "home.changes", changed(ag.Today)),
		Items: lessonItems(lang, ag.Today, now, today), Empty: i18n.T(lang, "home.today.none"),
		Link: withQ("/timetable", "day="+today), LinkText: i18n.T(lang, "home.today.link")}}
	next := Block{ID: "b-next", Heading: i18n.T(lang, "home.nextday.unknown"), Empty: i18n.T(lang, "home.nextday.none"),
		Link: withQ("/timetable"), LinkText: i18n.T(lang, "home.week")}
	if ag.NextDate != "" {
		next.Heading = dayHeading(lang, "home.tomorrow", "home.nextday", ag.NextDate, day)
		next.Count = countOf(lang, "home.changes", changed(ag.Next))
		next.Items = lessonItems(lang, ag.Next, now, ag.NextDate)
		next.Link = withQ("/timetable", "day="+ag.NextDate)
		next.LinkText = i18n.T(lang, "home.nextday.link")
	}
	out = append(out, next)
	if len(ag.Later) > 0 {
		later := Block{ID: "b-later", Heading: i18n.T(lang, "home.later"), Count: countOf(lang, "home.changes", len(ag.Later)),
			Items: lessonItems(lang, ag.Later, now, ""), Link: withQ("/timetable"), LinkText: i18n.T(lang, "home.week")}
		out = append(out, later)
	}
	for i := range out {
		out[i].limit(lang)
	}
	return out
}

// dayHeading names a coming day: "Demain, mardi 8 décembre" for tomorrow,
// "Lundi 7 décembre" otherwise (tomorrowKey and otherKey take the day).
func dayHeading(lang, tomorrowKey, otherKey, date string, today time.Time) string {
	d, _ := timetable.ParseDate(date)
	if date == today.AddDate(0, 0, 1).Format(timetable.DateFormat) {
		return i18n.T(lang, tomorrowKey, i18n.DayName(lang, d))
	}
	return i18n.T(lang, otherKey, i18n.DayName(lang, d))
}

// dueBlock lists the homework due on date with its done state: a tick for
// the student, the fact for a relative.
func dueBlock(lang string, hw []classlog.Homework, date string, now time.Time, mine bool, q string) Block {
	today := now.In(timetable.Paris)
	list := "/homework"
	if q != "" {
		list += "?" + q
	}
	b := Block{ID: "b-due", Heading: dayHeading(lang, "home.due.tomorrow", "home.due", date, today),
		Count: countOf(lang, "home.due.count", len(hw)), Empty: dayHeading(lang, "home.due.none.tomorrow", "home.due.none", date, today),
		Link: list, LinkText: i18n.T(lang, "home.due.all")}
	for _, h := range hw {
		it := Item{Href: list + "#hw-" + h.ID, Label: h.SubjectName, Detail: h.Structure,
			Text: short(richtext.Text(h.Description), 160), Tick: &Tick{ID: h.ID, Done: h.Done, Mine: mine}}
		if h.Minutes > 0 {
			it.Detail += " · " + i18n.N(lang, "tt.minutes", h.Minutes)
		}
		if h.HandIn != "none" {
			n := i18n.T(lang, "hw.handin."+h.HandIn)
			if h.Submitted {
				n += " — " + i18n.T(lang, "hw.handedin", i18n.DateTime(lang, h.SubmittedAt))
			}
			it.Notes = append(it.Notes, n)
		}
		if h.Done {
			it.State = "done"
		}
		b.Items = append(b.Items, it)
	}
	b.limit(lang)
	return b
}

// newsBlock lists the entries published or changed since the visit began.
func newsBlock(lang string, news []classlog.NewsItem, more bool, visit directory.Visit, classLog string) Block {
	b := Block{ID: "b-news", Heading: i18n.T(lang, "home.news"), Empty: i18n.T(lang, "home.news.none"),
		Link: classLog, LinkText: i18n.T(lang, "home.news.all")}
	if visit.First {
		b.Heading, b.Empty = i18n.T(lang, "home.news.first"), i18n.T(lang, "home.news.first.none")
	}
	b.Count = countOf(lang, "home.news.count", len(news))
	if more {
		b.Count = i18n.T(lang, "home.news.many", len(news))
		b.More = i18n.T(lang, "home.news.more")
	}
	for _, n := range news {
		it := Item{Label: n.SubjectName + " — " + n.Title, When: i18n.DateTime(lang, n.At), Detail: n.Structure + " · " + n.AuthorName}
		if n.SlotID != "" {
			it.Href = "/lessons/" + n.SlotID + "/" + n.LessonDate
		} else if n.GroupID != "" {
			it.Href = "/classlog/groups/" + n.GroupID
		} else {
			it.Href = "/classlog/classes/" + n.ClassID
		}
		if n.Changed {
			it.Notes = append(it.Notes, i18n.T(lang, "home.news.changed"))
		}
		if n.Homework > 0 {
			it.Notes = append(it.Notes, i18n.N(lang, "home.news.homework", n.Homework))
		}
		if n.Attachments > 0 {
			it.Notes = append(it.Notes, i18n.N(lang, "home.news.files", n.Attachments))
		}
		b.Items = append(b.Items, it)
	}
	return b
}

// short cuts a plain text to at most n characters, at a word if it can.
func short(s string, n int) string {
	rs := []rune(s)
	if len(rs) <= n {
		return s
	}
	cut := n
	for i := n; i > n*3/4; i-- {
		if rs[i] == ' ' {
			cut = i
			break
		}
	}
	return string(rs[:cut]) + "…"
}
