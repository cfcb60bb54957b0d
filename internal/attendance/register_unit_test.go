package attendance

import (
	"testing"
	"time"

	"cartable/internal/timetable"
)

func TestAlertTimeWithinTheHours(t *testing.T) {
	st := DefaultSettings
	st.AlertDelay = 15
	at := func(d string, h, m int) time.Time {
		day, _ := timetable.ParseDate(d)
		return timetable.At(day, h*60+m)
	}
	for _, c := range []struct{ now, want time.Time }{
		{at("2026-12-07", 8, 5), at("2026-12-07", 8, 20)},    // the delay
		{at("2026-12-07", 6, 0), at("2026-12-07", 7, 0)},     // before the hours: their start
		{at("2026-12-07", 19, 50), at("2026-12-08", 7, 0)},   // after them: the next morning
		{at("2026-12-07", 19, 44), at("2026-12-07", 19, 59)}, // just in
	} {
		if got := AlertTime(st, c.now); !got.Equal(c.want) {
			t.Errorf("%v: %v, want %v", c.now, got, c.want)
		}
	}
	if DefaultSettings.HalfDay(749) != "am" || DefaultSettings.HalfDay(750) != "pm" {
		t.Error("half-days split at 12:30")
	}
}

func TestCheckRegister(t *testing.T) {
	day, _ := timetable.ParseDate("2026-12-07")
	l := timetable.Lesson{Slot: &timetable.Slot{ID: "s"}, Date: "2026-12-07", Start: timetable.At(day, 480), End: timetable.At(day, 535)}
	reg := Register{Lesson: l, Rows: []Row{{Student: Student{ID: "a"}}, {Student: Student{ID: "b"}}}}
	ok := RegisterInput{Rows: []MarkInput{{Student: "a", Absent: true}, {Student: "b", LateChosen: true, Late: "10", LeftAt: "08:40", Remark: "ok"}}}
	if ps := CheckRegister(ok, reg); len(ps) != 0 {
		t.Fatalf("a good form: %v", ps)
	}
	for name, c := range map[string]struct {
		in   MarkInput
		code string
	}{
		"forged":       {MarkInput{Student: "x", Absent: true}, "unknown-student"},
		"not minutes":  {MarkInput{Student: "a", LateChosen: true, Late: "dix"}, "not-minutes"},
		"too late":     {MarkInput{Student: "a", LateChosen: true, Late: "56"}, "minutes-range"},
		"zero":         {MarkInput{Student: "a", LateChosen: true, Late: "0"}, "minutes-range"},
		"no minutes":   {MarkInput{Student: "a", LateChosen: true}, "minutes-required"},
		"not a time":   {MarkInput{Student: "a", LeftAt: "midi"}, "not-time"},
		"after it":     {MarkInput{Student: "a", LeftAt: "09:00"}, "time-range"},
		"absent, gone": {MarkInput{Student: "a", Absent: true, LeftAt: "08:30"}, "absent-and-present"},
	} {
		ps := CheckRegister(RegisterInput{Rows: []MarkInput{c.in}}, reg)
		if len(ps) != 1 || ps[0].Code != c.code {
			t.Errorf("%s: %v", name, ps)
		}
	}
}

func TestExemptionApplies(t *testing.T) {
	d := func(s string) time.Time { x, _ := timetable.ParseDate(s); return x }
	e := exemptionRow{SubjectID: "eps", StartDate: "2026-11-30", EndDate: "2027-01-31", Weekdays: "1,4", EveryOther: true}
	for date, want := range map[string]bool{"2026-11-30": true, "2026-12-03": true, "2026-12-07": false, "2026-12-14": true, "2026-12-01": false} {
		if got := e.applies("eps", d(date)); got != want {
			t.Errorf("%s: %v", date, got)
		}
	}
	if e.applies("maths", d("2026-11-30")) {
		t.Error("another subject")
	}
}
