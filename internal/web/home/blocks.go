package home

import (
	"html"
	"html/template"
	"strings"
	"time"

	"cartable/internal/i18n"
	"cartable/internal/timetable"
	"cartable/internal/web/page"
)

// Block is one box of the home page, the frame every "what do I need
// today?" answer fits: a heading, a count, a few items each leading to its
// page, what to say when there is nothing, and a link to the page that
// holds them all. A block of a coming issue (absences to justify, latest
// grades, unread messages) is one more builder returning a Block, added
// to its profile's parts in home.go; the template needs no change.
type Block struct {
	ID       string // the heading's HTML id ("b-today"), unique on the page
	Heading  string
	Count    string // "2 changements"; empty: no count shown
	Items    []Item
	More     string // "and 3 more": items left out; empty when none
	Empty    string // said when there are no items
	Link     string // the page holding them all; empty: none
	LinkText string
	Lead     bool // something waits: the block goes to the top of the page
}

// Item is one line of a block: what it is, when, who or where, what
// changed, and its state.
type Item struct {
	Href, Label string
	When        string   // "08:00–08:55", a day, an instant
	Detail      string   // teacher, room, class, author…
	Text        string   // a short plain text (a homework's instruction)
	Notes       []string // changes and facts in words
	State       string   // CSS class: cancelled, changed, now, done
	Tick        *Tick    // a homework's done-tick
}

// Tick is a homework's done state: a form for the student, a fact for the
// relative.
type Tick struct {
	ID   string
	Done bool
	Mine bool // the viewer is the student: they may tick
}

// maxItems bounds a block's list; the link leads to the rest.
const maxItems = 8

// lessonItems turns lessons into items; a lesson that takes place another
// day than day (moved away) says when. (page.LessonViews would also build
// each lesson's week-grid card, unused here.)
func lessonItems(lang string, ls []timetable.Lesson, now time.Time, day string) []Item {
	out := make([]Item, 0, len(ls))
	for _, l := range ls {
		start, end := l.Start.In(timetable.Paris), l.End.In(timetable.Paris)
		it := Item{Href: "/lessons/" + l.Slot.ID + "/" + l.Date, Label: l.Slot.SubjectName,
			When: start.Format("15:04") + "–" + end.Format("15:04"), Notes: page.Explain(lang, l)}
		where := page.TeacherNames(l.Teachers)
		if l.Room != nil {
			where += " · " + l.Room.Name
		}
		if len(l.Slot.Audiences) > 0 {
			where += " · " + l.Audience()
		}
		it.Detail = where
		switch {
		case l.Cancelled():
			it.State = "cancelled"
		case l.Changed():
			it.State = "changed"
		}
		if !now.Before(l.Start) && now.Before(l.End) {
			it.State = strings.TrimSpace(it.State + " now")
			it.Notes = append([]string{i18n.T(lang, "tt.now")}, it.Notes...)
		}
		if start.Format(timetable.DateFormat) != day {
			it.When = i18n.DayName(lang, start) + " " + it.When
		}
		out = append(out, it)
	}
	return out
}

// changed counts the lessons changed in some way.
func changed(ls []timetable.Lesson) int {
	n := 0
	for _, l := range ls {
		if l.Changed() {
			n++
		}
	}
	return n
}

// limit keeps at most maxItems items and says how many more there are.
func (b *Block) limit(lang string) {
	if n := len(b.Items) - maxItems; n > 0 {
		b.Items, b.More = b.Items[:maxItems], i18n.N(lang, "home.more", n)
	}
}

// countOf writes a count with its plural form, or nothing for zero when
// zero goes without saying.
func countOf(lang, key string, n int) string {
	if n == 0 {
		return ""
	}
	return i18n.N(lang, key, n)
}

// render writes the blocks' HTML, every value escaped here once: the
// template engine escaping field by field was half the page's cost. csrf
// is the form token of the done-ticks.
func render(lang, csrf string, blocks []Block) template.HTML {
	if len(blocks) == 0 {
		return ""
	}
	esc := html.EscapeString
	var b strings.Builder
	b.Grow(1024 * len(blocks))
	b.WriteString(`<div class="blocks">`)
	for _, bl := range blocks {
		b.WriteString("\n<section class=\"card block\" aria-labelledby=\"" + esc(bl.ID) + "\">\n<h2 id=\"" + esc(bl.ID) + "\">" + esc(bl.Heading))
		if bl.Count != "" {
			b.WriteString(` <span class="count">` + esc(bl.Count) + `</span>`)
		}
		b.WriteString("</h2>\n")
		if len(bl.Items) == 0 {
			b.WriteString(`<p class="empty">` + esc(bl.Empty) + "</p>\n")
		} else {
			b.WriteString("<ul class=\"items\">\n")
			for _, it := range bl.Items {
				writeItem(&b, lang, csrf, it)
			}
			b.WriteString("</ul>\n")
			if bl.More != "" {
				b.WriteString("<p>" + esc(bl.More) + "</p>\n")
			}
		}
		if bl.Link != "" {
			b.WriteString(`<p><a href="` + esc(bl.Link) + `">` + esc(bl.LinkText) + "</a></p>\n")
		}
		b.WriteString("</section>")
	}
	b.WriteString("</div>\n")
	return template.HTML(b.String())
}

// writeItem writes one item of a block: one <li>…</li> line.
func writeItem(b *strings.Builder, lang, csrf string, it Item) {
	esc := html.EscapeString
	b.WriteString(`<li class="item`)
	if it.State != "" {
		b.WriteString(" " + esc(it.State))
	}
	b.WriteString(`"`)
	if it.Tick != nil {
		b.WriteString(` id="hw-` + esc(it.Tick.ID) + `"`)
	}
	b.WriteString(`><p class="what">`)
	if it.When != "" {
		b.WriteString(`<span class="when">` + esc(it.When) + "</span> ")
	}
	if it.Href != "" {
		b.WriteString(`<a href="` + esc(it.Href) + `">` + esc(it.Label) + "</a>")
	} else {
		b.WriteString(esc(it.Label))
	}
	b.WriteString("</p>")
	if it.Detail != "" {
		b.WriteString(`<p class="who">` + esc(it.Detail) + "</p>")
	}
	if it.Text != "" {
		b.WriteString("<p>" + esc(it.Text) + "</p>")
	}
	if len(it.Notes) > 0 {
		b.WriteString(`<ul class="notes">`)
		for _, n := range it.Notes {
			b.WriteString("<li>" + esc(n) + "</li>")
		}
		b.WriteString("</ul>")
	}
	if t := it.Tick; t != nil {
		id := esc(t.ID)
		b.WriteString(`<div class="tick">`)
		switch {
		case t.Mine && t.Done:
			b.WriteString(`<form method="post" action="/home/homework/` + id + `/done" class="inline"><input type="hidden" name="csrf" value="` + esc(csrf) +
				`"><span class="status">` + esc(i18n.T(lang, "hw.isdone")) + `</span> <input type="hidden" name="done" value="0"><button type="submit" id="undo-` + id + `">` +
				esc(i18n.T(lang, "hw.undo")) + "</button></form>")
		case t.Mine:
			b.WriteString(`<form method="post" action="/home/homework/` + id + `/done" class="inline"><input type="hidden" name="csrf" value="` + esc(csrf) +
				`"><input type="hidden" name="done" value="1"><button type="submit" id="tick-` + id + `">` + esc(i18n.T(lang, "hw.tick")) + "</button></form>")
		case t.Done:
			b.WriteString(`<span class="status">` + esc(i18n.T(lang, "hw.isdone")) + "</span>")
		default:
			b.WriteString(`<span class="status">` + esc(i18n.T(lang, "hw.todo")) + "</span>")
		}
		b.WriteString("</div>")
	}
	b.WriteString("</li>\n")
}
