package attendance

import "testing"

func TestCheckAbsence(t *testing.T) {
	for _, c := range []struct {
		in    AbsenceInput
		field string // "" when valid
		code  string
	}{
		{AbsenceInput{StartDate: "2026-12-07", StartTime: "08:00", EndTime: "12:00"}, "", ""},
		{AbsenceInput{StartDate: "2026-12-07", EndDate: "2026-12-09"}, "", ""},
		{AbsenceInput{StartDate: "2026-12-07", StartTime: "10:00", EndTime: "09:00"}, "end-date", "end-before-start"},
		{AbsenceInput{StartDate: "2026-12-07", EndDate: "2026-12-06"}, "end-date", "end-before-start"},
		{AbsenceInput{StartDate: "7/12/2026"}, "start-date", "bad-date"},
		{AbsenceInput{}, "start-date", "required"},
		{AbsenceInput{StartDate: "2026-12-07", StartTime: "25:00"}, "start-time", "bad-time"},
		{AbsenceInput{StartDate: "2026-12-07", State: "justified"}, "reason", "reason-needed"},
		{AbsenceInput{StartDate: "2026-12-07", State: "forged"}, "state", "bad-choice"},
	} {
		ps := CheckAbsence(c.in)
		if c.field == "" {
			if len(ps) > 0 {
				t.Errorf("%+v: %v", c.in, ps)
			}
			continue
		}
		found := false
		for _, p := range ps {
			found = found || (p.Field == c.field && p.Code == c.code)
		}
		if !found {
			t.Errorf("%+v: want %s on %s, got %v", c.in, c.code, c.field, ps)
		}
	}
}

func TestCheckSettingsAndReason(t *testing.T) {
	ok := SettingsInput{Unit: "half-day", Boundary: "12:30", OpensBefore: "10", LateAfter: "15", AlertDelay: "0", AlertFrom: "07:00",
		AlertUntil: "20:00", MaxAbsences: "5", MaxLateness: "3", MaxIncidents: "3"}
	if ps := CheckSettings(ok); len(ps) > 0 {
		t.Fatal(ps)
	}
	bad := ok
	bad.Unit, bad.AlertUntil, bad.MaxAbsences = "week", "06:00", "x"
	ps := CheckSettings(bad)
	for _, f := range []string{"unit", "alert-until", "max-absences"} {
		if !ps.Has(f) {
			t.Errorf("no problem on %s: %v", f, ps)
		}
	}
	if ps := CheckReason(ReasonInput{Label: "  "}); !ps.Has("label") {
		t.Error("an empty label is accepted")
	}
}

func TestExemptionAppliesOnDays(t *testing.T) {
	one := Exemption{StartDate: "2026-12-07", EndDate: "2026-12-11"}
	if !one.Applies("2026-12-09") || one.Applies("2026-12-12") || one.Applies("2026-12-06") {
		t.Error("one-off exemption")
	}
	weekly := Exemption{StartDate: "2026-12-07", EndDate: "2027-01-31", Weekdays: []int{2}}
	if !weekly.Applies("2026-12-08") || weekly.Applies("2026-12-09") || !weekly.Applies("2026-12-15") {
		t.Error("weekly exemption")
	}
	other := Exemption{StartDate: "2026-12-09", EndDate: "2027-01-31", Weekdays: []int{2}, EveryOtherWeek: true}
	// The week of the start (its Tuesday is before the start) counts as
	// week 0: the Tuesdays of weeks 0, 2, 4… apply.
	if other.Applies("2026-12-08") || other.Applies("2026-12-15") || !other.Applies("2026-12-22") {
		t.Error("one week in two")
	}
}
