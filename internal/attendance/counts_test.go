package attendance

import (
	"testing"

	"cartable/internal/check"
)

// abs is an absence for the counting tests.
func abs(sd string, sm int, ed string, em int, state string, legit bool) countedAbsence {
	return countedAbsence{ID: sd + state, StartDate: sd, StartMin: sm, EndDate: ed, EndMin: em, State: state, Legitimate: legit}
}

// 2026-11-30 is a Monday; 2026-12-05 a Saturday, 2026-12-06 a Sunday.
func noHolidays(string) bool { return false }

func countOf(t *testing.T, set Settings, from, to string, closed func(string) bool, as ...countedAbsence) Counts {
	t.Helper()
	st := &student{absences: as, excluded: map[int][]window{}}
	return st.counts(set, dayNum(from), dayNum(to), closed)
}

func TestHalfDaysAcrossTheBoundary(t *testing.T) {
	set := DefaultSettings // boundary 12:30
	// 11:00–14:00: one morning and one afternoon.
	c := countOf(t, set, "2026-11-30", "2026-12-04", noHolidays, abs("2026-11-30", 660, "2026-11-30", 840, NoReason, false))
	if c.UnjustifiedHalfDays != 2 || c.JustifiedHalfDays != 0 || c.MissedHours != 3 {
		t.Fatalf("across the boundary: %+v", c)
	}
	// Two absences the same morning count once.
	c = countOf(t, set, "2026-11-30", "2026-12-04", noHolidays,
		abs("2026-11-30", 480, "2026-11-30", 535, Justified, true), abs("2026-11-30", 600, "2026-11-30", 655, Justified, true))
	if c.JustifiedHalfDays != 1 || c.UnjustifiedHalfDays != 0 || c.MissedHours != 2 {
		t.Fatalf("two in a morning: %+v", c)
	}
	// A half-day is justified only if every absence in it is.
	c = countOf(t, set, "2026-11-30", "2026-12-04", noHolidays,
		abs("2026-11-30", 480, "2026-11-30", 535, Justified, true), abs("2026-11-30", 600, "2026-11-30", 655, ReasonGiven, true))
	if c.JustifiedHalfDays != 0 || c.UnjustifiedHalfDays != 1 {
		t.Fatalf("mixed morning: %+v", c)
	}
	// Ending exactly at the boundary stays in the morning; starting at it is the afternoon.
	c = countOf(t, set, "2026-11-30", "2026-12-04", noHolidays, abs("2026-11-30", 600, "2026-11-30", 750, NoReason, false),
		abs("2026-12-01", 750, "2026-12-01", 800, NoReason, false))
	if c.UnjustifiedHalfDays != 2 {
		t.Fatalf("at the boundary: %+v", c)
	}
	// Another boundary moves the count.
	set.BoundaryMin = 14 * 60
	c = countOf(t, set, "2026-11-30", "2026-12-04", noHolidays, abs("2026-11-30", 660, "2026-11-30", 840, NoReason, false))
	if c.UnjustifiedHalfDays != 1 {
		t.Fatalf("boundary at 14:00: %+v", c)
	}
}

func TestHalfDaysAcrossDaysWeekendsAndHolidays(t *testing.T) {
	set := DefaultSettings
	// Thursday 14:00 to the next Tuesday 10:00: Thursday afternoon, Friday
	// (2), no Saturday nor Sunday, Monday (2), Tuesday morning = 6.
	c := countOf(t, set, "2026-11-01", "2026-12-31", noHolidays, abs("2026-12-03", 840, "2026-12-08", 600, Justified, true))
	if c.JustifiedHalfDays != 6 || c.UnjustifiedHalfDays != 0 {
		t.Fatalf("over a weekend: %+v", c)
	}
	// Friday to Monday over a holiday on Monday: Friday only.
	closed := func(d string) bool { return d == "2026-12-07" }
	c = countOf(t, set, "2026-11-01", "2026-12-31", closed, abs("2026-12-04", 480, "2026-12-07", 1080, NoReason, false))
	if c.UnjustifiedHalfDays != 2 || c.MissedHours != 10 {
		t.Fatalf("over a holiday: %+v", c)
	}
	// A Saturday morning lesson missed counts.
	c = countOf(t, set, "2026-11-01", "2026-12-31", noHolidays, abs("2026-12-05", 480, "2026-12-05", 600, NoReason, false))
	if c.UnjustifiedHalfDays != 1 {
		t.Fatalf("a Saturday: %+v", c)
	}
	// Only the period's days count.
	c = countOf(t, set, "2026-12-01", "2026-12-01", noHolidays, abs("2026-11-30", 480, "2026-12-02", 1080, NoReason, false))
	if c.UnjustifiedHalfDays != 2 {
		t.Fatalf("clipped to the period: %+v", c)
	}
}

func TestUnitsDayAndHour(t *testing.T) {
	set := DefaultSettings
	set.Unit = "day"
	c := countOf(t, set, "2026-11-30", "2026-12-04", noHolidays, abs("2026-11-30", 660, "2026-12-01", 840, NoReason, false))
	if c.Unjustified != 2 || c.UnjustifiedHalfDays != 4 || c.Unit != "day" {
		t.Fatalf("days: %+v", c)
	}
	set.Unit = "hour"
	c = countOf(t, set, "2026-11-30", "2026-12-04", noHolidays, abs("2026-11-30", 490, "2026-11-30", 610, NoReason, false))
	if c.Unjustified != 3 { // 08:10–10:10 touches the hours 8, 9 and 10
		t.Fatalf("hours: %+v", c)
	}
}

func TestCollectiveAndExemptionsDoNotCount(t *testing.T) {
	set := DefaultSettings
	st := &student{absences: []countedAbsence{abs("2026-11-30", 480, "2026-11-30", 1080, NoReason, false)}, excluded: map[int][]window{}}
	st.exclude("2026-11-30", 0, "2026-11-30", 750) // a trip in the morning
	c := st.counts(set, dayNum("2026-11-30"), dayNum("2026-11-30"), noHolidays)
	if c.UnjustifiedHalfDays != 1 || c.MissedHours != 6 {
		t.Fatalf("a trip in the morning: %+v", c)
	}
}

func TestFiguresAreBounded(t *testing.T) {
	st := &student{lateness: 5000, excluded: map[int][]window{}}
	if c := st.counts(DefaultSettings, 0, 1, noHolidays); c.Lateness != MaxFigure {
		t.Fatalf("lateness %d", c.Lateness)
	}
}

func TestUnexcusedStates(t *testing.T) {
	for _, c := range []struct {
		state string
		legit bool
		want  bool
	}{{NoReason, false, true}, {ReasonGiven, false, true}, {ReasonGiven, true, false}, {NotAccepted, true, true}, {Justified, true, false}} {
		if got := (countedAbsence{State: c.state, Legitimate: c.legit}).unexcused(); got != c.want {
			t.Errorf("%s legit=%v: %v", c.state, c.legit, got)
		}
	}
}

func TestCheckJustification(t *testing.T) {
	rs := []Reason{{ID: "r1", Active: true}, {ID: "r2", Active: false}}
	ok := JustificationInput{FromDate: "2026-11-30", FromTime: "08:00", ToDate: "2026-11-30", ToTime: "12:00", ReasonID: "r1"}
	if ps := CheckJustification(ok, rs, "2026-09-01", "2027-07-03", "2026-12-01", "", 0); len(ps) != 0 {
		t.Fatalf("a good form: %v", ps)
	}
	codes := func(ps check.Problems) map[string]string {
		out := map[string]string{}
		for _, p := range ps {
			out[p.Field] = p.Code
		}
		return out
	}
	bad := ok
	bad.FromDate, bad.ToDate, bad.ReasonID, bad.ToTime = "2026-08-20", "2026-08-21", "r2", "25:00"
	got := codes(CheckJustification(bad, rs, "2026-09-01", "2027-07-03", "2026-12-01", "scan.exe", 10))
	want := map[string]string{"from": "outside-year", "to": "outside-year", "totime": "time", "reason": "unknown", "document": "type"}
	for f, c := range want {
		if got[f] != c {
			t.Errorf("%s: %q, want %q (%v)", f, got[f], c, got)
		}
	}
	bad = ok
	bad.ToTime, bad.Ahead = "07:00", true
	got = codes(CheckJustification(bad, rs, "2026-09-01", "2027-07-03", "2026-12-01", "x.pdf", MaxDocument+1))
	if got["to"] != "before-start" || got["from"] != "past" || got["document"] != "too-large" {
		t.Errorf("order, ahead, size: %v", got)
	}
}
