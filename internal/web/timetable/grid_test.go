package timetable

import (
	"strings"
	"testing"
	"time"

	"cartable/internal/timetable"
)

func lessonAt(day, from, to string) timetable.Lesson {
	d, _ := timetable.ParseDate(day)
	at := func(hm string) time.Time {
		t, _ := time.Parse("15:04", hm)
		return timetable.At(d, t.Hour()*60+t.Minute())
	}
	return timetable.Lesson{Slot: &timetable.Slot{}, Date: day, Start: at(from), End: at(to)}
}

func TestPlaceOnGrid(t *testing.T) {
	ls := []timetable.Lesson{
		lessonAt("2026-11-30", "08:00", "10:00"), // A: two hours, beside B then C
		lessonAt("2026-11-30", "08:00", "08:55"), // B
		lessonAt("2026-11-30", "09:00", "09:55"), // C: after B, in B's lane
		lessonAt("2026-11-30", "10:05", "11:00"), // alone
		lessonAt("2026-12-01", "13:32", "14:27"), // off the five-minute rows
	}
	g := placeOnGrid(ls)
	if g.First != 8 || g.Hours != 7 {
		t.Fatalf("hours %d + %d, want 8 + 7 (08:00 to 15:00)", g.First, g.Hours)
	}
	want := []string{
		" g-eh2 g-l20",
		" g-em11 g-l21",
		" g-h1 g-eh1 g-em11 g-l21",
		" g-h2 g-m1 g-eh3",
		" g-h5 g-m6 g-eh6 g-em6", // 13:30 (rounded down) to 14:30 (rounded up)
	}
	for i, w := range want {
		if g.Lessons[i] != w {
			t.Errorf("lesson %d: %q, want %q", i, g.Lessons[i], w)
		}
	}
	// Seven lessons at once: six lanes, the seventh shares one.
	var seven []timetable.Lesson
	for range 7 {
		seven = append(seven, lessonAt("2026-11-30", "08:00", "09:00"))
	}
	g = placeOnGrid(seven)
	for i, c := range g.Lessons {
		if !strings.HasSuffix(c, " g-l6"+string(rune('0'+i%6))) {
			t.Errorf("lesson %d of seven: %q", i, c)
		}
	}
	// The current time: on the grid's rows, only within its hours.
	g = placeOnGrid(ls)
	if m := g.now(time.Date(2026, 11, 30, 9, 34, 0, 0, timetable.Paris)); m == nil || m.Class != " g-h1 g-m6" || m.Label != "09:34" {
		t.Errorf("now at 09:34: %+v", m)
	}
	for _, hm := range [][2]int{{7, 59}, {15, 0}} {
		if m := g.now(time.Date(2026, 11, 30, hm[0], hm[1], 0, 0, timetable.Paris)); m != nil {
			t.Errorf("now at %02d:%02d is outside the grid: %+v", hm[0], hm[1], m)
		}
	}
	if s := string(g.scale()); !strings.HasPrefix(s, `<div class="hours" aria-hidden="true"><span>08:00</span><span class="g-h1">09:00</span>`) ||
		!strings.HasSuffix(s, `<span class="g-h6">14:00</span></div>`) {
		t.Errorf("scale: %s", s)
	}
}
