package timetable

import (
	"fmt"
	"html/template"
	"strconv"
	"strings"
	"time"

	"cartable/internal/i18n"
	"cartable/internal/timetable"
)

// The week on a time grid. On wide screens the stylesheet lays each day
// out as rows of five minutes from the week's first hour to its last, and
// places every lesson's list item by classes written here: the hour and
// the five-minute row it starts and ends at (relative to the first hour),
// and its lane when lessons of the day overlap (parallel groups side by
// side). The page's content security policy allows no inline style, hence
// classes rather than style attributes. Phones ignore the classes and show
// the list; screen readers always read the list, in time order.

const (
	gridStep  = 5 // minutes per row of the grid
	gridLanes = 6 // most lessons shown side by side; more share lanes
)

// Class names, built once: the week view is the most requested page.
var (
	gridHour, gridRow, gridEndHour, gridEndRow [25]string
	gridSpan                                   [25]string
	gridDays                                   = [...]string{"", " g-d1", " g-d2", " g-d3", " g-d4", " g-d5", " g-d6", " g-d7"}
	gridLane                                   [gridLanes + 1][gridLanes]string // [K][I]: lane I of K; [0][0] none
)

func init() {
	for i := range 25 {
		gridHour[i] = " g-h" + strconv.Itoa(i)
		gridRow[i] = " g-m" + strconv.Itoa(i)
		gridEndHour[i] = " g-eh" + strconv.Itoa(i)
		gridEndRow[i] = " g-em" + strconv.Itoa(i)
		gridSpan[i] = "grid g-n" + strconv.Itoa(i)
	}
	for k := 2; k <= gridLanes; k++ {
		for i := range k {
			gridLane[k][i] = fmt.Sprintf(" g-l%d%d", k, i)
		}
	}
	// A row offset of zero needs no class: the stylesheet's default.
	gridHour[0], gridRow[0], gridEndHour[0], gridEndRow[0] = "", "", "", ""
}

// nowMark is the line drawn across today's column at the current time.
type nowMark struct {
	Class string // its row
	Label string // "10:35"
}

// weekGrid is the placement of a week's lessons.
type weekGrid struct {
	First, Hours int      // the first hour shown and how many
	Lessons      []string // classes of each lesson, in the order given
}

// minuteOfDay is t's minute of the day in Paris; an end on a later day
// (never stored, but a moved lesson could be typed so) counts as midnight.
func minuteOfDay(t time.Time, day time.Time) int {
	p := t.In(timetable.Paris)
	if p.Year() != day.Year() || p.YearDay() != day.YearDay() {
		return 24 * 60
	}
	return p.Hour()*60 + p.Minute()
}

// placeOnGrid places lessons sorted by start (as timetable.Period returns
// them) on the grid of their week.
func placeOnGrid(ls []timetable.Lesson) weekGrid {
	var g weekGrid
	if len(ls) == 0 {
		return g
	}
	scratch := make([]int, 3*len(ls)) // one allocation: the page is hot
	starts, ends, lanes := scratch[:len(ls)], scratch[len(ls):2*len(ls)], scratch[2*len(ls):]
	first, last := 24*60, 0
	for i, l := range ls {
		day := l.Start.In(timetable.Paris)
		s := minuteOfDay(l.Start, day) / gridStep
		e := (minuteOfDay(l.End, day) + gridStep - 1) / gridStep
		if e <= s {
			e = s + 1
		}
		starts[i], ends[i] = s, e
		first, last = min(first, s*gridStep), max(last, e*gridStep)
	}
	// Lanes, day by day.
	for from := 0; from < len(ls); {
		day := dayOf(ls[from].Start)
		to := from + 1
		for to < len(ls) && dayOf(ls[to].Start) == day {
			to++
		}
		laneDay(starts[from:to], ends[from:to], lanes[from:to])
		from = to
	}
	g.First = first / 60
	g.Hours = min(max((last+59)/60-g.First, 1), 24)
	perHour := 60 / gridStep
	origin := g.First * perHour
	g.Lessons = make([]string, len(ls))
	for i := range ls {
		s, e := starts[i]-origin, ends[i]-origin
		k, at := lanes[i]>>8, lanes[i]&0xff
		g.Lessons[i] = gridHour[s/perHour] + gridRow[s%perHour] + gridEndHour[e/perHour] + gridEndRow[e%perHour] + gridLane[k][at]
	}
	return g
}

func dayOf(t time.Time) int {
	p := t.In(timetable.Paris)
	return p.Year()*1000 + p.YearDay()
}

// laneDay gives the lessons of one day (sorted by start) their lanes: a
// cluster of lessons overlapping one another shares its width into as
// many lanes as it needs at once. lanes[i] is set to K<<8 | I for lane I
// of K (0 when the lesson is alone); past gridLanes, lanes are shared.
func laneDay(starts, ends, lanes []int) {
	var laneEnds [gridLanes]int // end of the last lesson of each lane
	for from := 0; from < len(starts); {
		n, end, to := 0, ends[from], from
		for ; to < len(starts) && (to == from || starts[to] < end); to++ {
			l := 0
			for l < n && laneEnds[l] > starts[to] {
				l++
			}
			if l == n {
				if n < gridLanes {
					n++
				} else {
					l = (to - from) % gridLanes // no free lane: share one
				}
			}
			laneEnds[l], lanes[to] = max(laneEnds[l], ends[to]), l
			end = max(end, ends[to])
		}
		for i := from; i < to; i++ {
			if n > 1 {
				lanes[i] |= n << 8
			} else {
				lanes[i] = 0
			}
		}
		from = to
	}
}

// hourLabels are the marks of the time scale.
var hourLabels = func() (out [24]string) {
	for h := range out {
		out[h] = fmt.Sprintf("%02d:00", h)
	}
	return out
}()

// scale is the grid's time scale, one mark per hour, written once here
// rather than by the template (a dozen items on every week page).
func (g weekGrid) scale() template.HTML {
	var b strings.Builder
	b.Grow(32 + g.Hours*32)
	b.WriteString(`<div class="hours" aria-hidden="true">`)
	for h := range g.Hours {
		if c := gridHour[h]; c != "" {
			b.WriteString(`<span class="` + c[1:] + `">`)
		} else {
			b.WriteString(`<span>`)
		}
		b.WriteString(hourLabels[g.First+h] + `</span>`)
	}
	b.WriteString(`</div>`)
	return template.HTML(b.String()) // class names and times: nothing to escape
}

// now places the current time on the grid, if within its hours.
func (g weekGrid) now(now time.Time) *nowMark {
	p := now.In(timetable.Paris)
	m := p.Hour()*60 + p.Minute()
	if g.Hours == 0 || m < g.First*60 || m >= (g.First+g.Hours)*60 {
		return nil
	}
	r := m/gridStep - g.First*60/gridStep
	perHour := 60 / gridStep
	return &nowMark{Class: gridHour[r/perHour] + gridRow[r%perHour], Label: i18n.Clock(now)}
}
