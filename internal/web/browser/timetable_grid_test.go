package browser_test

import (
	"context"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"cartable/internal/access"
	"cartable/internal/demo"
	"cartable/internal/directory"
	"cartable/internal/timetable"
)

// gridNow is the stopped clock of the week grid's test: Tuesday
// 1 December 2026, 10:40 in Paris, a school day of the demo year.
var gridNow = time.Date(2026, 12, 1, 10, 40, 0, 0, timetable.Paris)

// box is an element's place on the page, in CSS pixels.
type box struct {
	Top, Bottom, Left, Right, Width float64
	Display                         string
}

// boxes are the places of the elements matching sel, in document order.
func (b *tab) boxes(sel string) []box {
	b.t.Helper()
	return eval[[]box](b, `[...document.querySelectorAll(`+jsString(sel)+`)].map(e => {
		const r = e.getBoundingClientRect();
		return {Top: r.top + scrollY, Bottom: r.bottom + scrollY, Left: r.left, Right: r.right, Width: r.width, Display: getComputedStyle(e).display};
	})`)
}

// overflow is how far the page is wider than the window (0: none).
func (b *tab) overflow() int {
	b.t.Helper()
	return eval[int](b, `document.documentElement.scrollWidth - document.documentElement.clientWidth`)
}

// parallelClass finds a class of the collège whose week of day holds two
// lessons at once (groups of the class side by side), and that day.
func (s *suite) parallelClass(monday time.Time) (class directory.Class, day string) {
	s.t.Helper()
	ctx := context.Background()
	classes, err := directory.ClassesOfEstablishment(ctx, s.db, s.mainEstablishment())
	if err != nil {
		s.t.Fatal(err)
	}
	for _, c := range classes {
		ls, err := timetable.Lessons(ctx, access.System("test"), s.db, timetable.Target{Kind: timetable.TargetClass, ID: c.ID},
			monday.Format(timetable.DateFormat), monday.AddDate(0, 0, 4).Format(timetable.DateFormat))
		if err != nil {
			s.t.Fatal(err)
		}
		for i := 1; i < len(ls); i++ {
			if ls[i].Date == ls[i-1].Date && ls[i].Start.Equal(ls[i-1].Start) {
				return c, ls[i].Start.In(timetable.Paris).Format(timetable.DateFormat)
			}
		}
	}
	s.t.Fatal("no class of the collège has two lessons at once")
	return directory.Class{}, ""
}

// TestBrowserWeekGrid: on a wide screen the week is a time grid — lessons
// placed by their hours, the same length for the same duration, parallel
// group lessons side by side, the current time marked across today's
// column — and on a phone the same page is the list, without horizontal
// overflow.
func TestBrowserWeekGrid(t *testing.T) {
	s := newSuiteAt(t, gridNow)
	head := s.account("head of the collège", func(a demo.Account) bool { return hasFunction("head")(a) && a.Establishment == demo.MainUAI })
	class, day := s.parallelClass(timetable.Monday(gridNow))
	b := s.newTab()
	b.viewport(1280, 900)
	b.signIn(head.Login)
	path := "/timetable/classes/" + class.ID
	if st := b.open(path); st != http.StatusOK {
		t.Fatalf("class timetable: %d", st)
	}
	if d := eval[string](b, `getComputedStyle(document.querySelector('.week')).display`); d != "grid" || b.count(".week.grid") != 1 {
		t.Fatalf("no time grid at 1280 px (display %s)", d)
	}
	if hours := b.boxes(".hours span"); len(hours) < 6 || hours[0].Display == "none" {
		t.Fatalf("the time scale is missing: %v", hours)
	}
	if title := eval[string](b, `document.title`); !strings.Contains(title, class.Name) || !strings.Contains(title, "semaine du lundi 30 novembre") {
		t.Errorf("page title %q names neither the class nor the week", title)
	}

	// Lessons of one day: later ones lower, never overlapping unless side
	// by side; equal durations equal heights; an hour is an hour.
	lessons := b.boxes(`#d-` + day + ` ~ ol .lesson`)
	starts := eval[[]string](b, `[...document.querySelectorAll('#d-`+day+` ~ ol .lesson time')].map(t => t.getAttribute('datetime'))`)
	if len(lessons) < 3 || len(starts) != len(lessons) {
		t.Fatalf("%s: %d lessons", day, len(lessons))
	}
	side := 0
	for i := 1; i < len(lessons); i++ {
		p, l := lessons[i-1], lessons[i]
		switch {
		case starts[i] == starts[i-1]:
			side++
			if abs(p.Top-l.Top) > 1 || l.Left < p.Right-1 || p.Width > lessons[0].Width*0.6 {
				t.Errorf("parallel lessons at %s are not side by side: %+v %+v", starts[i], p, l)
			}
		case l.Top < p.Bottom-1:
			t.Errorf("lesson at %s (top %.0f) overlaps the one before (bottom %.0f)", starts[i], l.Top, p.Bottom)
		}
	}
	if side == 0 {
		t.Errorf("no lessons side by side on %s", day)
	}
	hour := b.boxes(".hours span")
	perHour := hour[1].Top - hour[0].Top
	for i, l := range lessons {
		st, _ := time.ParseInLocation("2006-01-02T15:04", starts[i], timetable.Paris)
		want := hour[0].Top + perHour*float64(st.Hour()*60+st.Minute()-firstHour(b)*60)/60
		if abs(l.Top-want) > perHour/12+2 {
			t.Errorf("lesson at %s drawn at %.0f px, its hour puts it at %.0f px", starts[i], l.Top, want)
		}
	}
	// The current time: a line across today's column, between 10:00 and 11:00.
	now := b.boxes(".today-col .nowline")
	if len(now) != 1 || now[0].Display == "none" {
		t.Fatalf("no current-time line on today's column: %v", now)
	}
	if want := hour[0].Top + perHour*(float64(10-firstHour(b))+40.0/60); abs(now[0].Top-want) > perHour/12+2 {
		t.Errorf("the 10:40 line is at %.0f px, want about %.0f", now[0].Top, want)
	}
	if b.text(".today-col .nowline") != "10:40" {
		t.Errorf("current-time line says %q", b.text(".today-col .nowline"))
	}
	if o := b.overflow(); o > 0 {
		t.Errorf("the grid overflows by %d px at 1280 px", o)
	}
	b.screenshot("week-grid-1280")
	// axe-core, when the suite has it: the grid keeps the list's semantics.
	axe := ""
	if os.Getenv(envAxe) != "" {
		axe = loadAxe(t)
		b.audit("week grid at 1280 px", axe)
	}

	// A phone: the list, one lesson under another, no scale, no line.
	b.viewport(390, 844)
	b.open(path)
	if o := b.overflow(); o > 0 {
		t.Errorf("the week overflows by %d px at 390 px", o)
	}
	if d := eval[string](b, `getComputedStyle(document.querySelector('.hours')).display + getComputedStyle(document.querySelector('.nowline')).display`); d != "nonenone" {
		t.Errorf("time scale or current-time line shown on a phone: %s", d)
	}
	lessons = b.boxes(`#d-` + day + ` ~ ol .lesson`)
	for i := 1; i < len(lessons); i++ {
		if lessons[i].Top < lessons[i-1].Bottom || abs(lessons[i].Left-lessons[0].Left) > 1 {
			t.Errorf("on a phone, lesson %d is not under the one before: %+v %+v", i, lessons[i-1], lessons[i])
		}
	}
	b.screenshot("week-list-390")
	if axe != "" {
		b.audit("week list at 390 px", axe)
	}
}

func firstHour(b *tab) int {
	b.t.Helper()
	first, _ := time.Parse("15:04", strings.TrimSpace(eval[string](b, `document.querySelector('.hours span').textContent`)))
	return first.Hour()
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}
