package discipline

import (
	"testing"

	"cartable/internal/check"
)

var year = Year{StartsOn: "2026-09-01", EndsOn: "2027-07-03"}

func codes(ps check.Problems) map[string]string {
	out := map[string]string{}
	for _, p := range ps {
		out[p.Field] = p.Code
	}
	return out
}

func TestRemovalDates(t *testing.T) {
	for _, c := range []struct{ kind, decided, want string }{
		{Warning, "2026-09-15", "2027-07-04"},
		{Reprimand, "2027-07-03", "2027-07-04"},
		{Responsibility, "2026-12-07", "2027-07-04"},
		{ClassExclusion, "2026-12-07", "2027-12-07"},
		{SchoolExclusion, "2027-01-31", "2028-01-31"},
		{PermanentExclusion, "2026-12-07", ""},
	} {
		if got := RemovalDate(c.kind, c.decided, year); got != c.want {
			t.Errorf("%s decided %s: removal %q, want %q", c.kind, c.decided, got, c.want)
		}
	}
	for _, c := range []struct{ kind, decided, lo, hi string }{
		{Responsibility, "2026-12-07", "2027-07-03", "2027-07-03"},
		{ClassExclusion, "2026-12-07", "2027-07-03", "2027-12-06"},
		{PermanentExclusion, "2026-12-07", "2027-07-03", "2029-07-03"},
	} {
		if lo, hi := SuspensionBounds(c.kind, c.decided, year); lo != c.lo || hi != c.hi {
			t.Errorf("%s: suspension until [%s, %s], want [%s, %s]", c.kind, lo, hi, c.lo, c.hi)
		}
	}
}

func TestCheckSanction(t *testing.T) {
	today := "2026-12-08"
	for _, c := range []struct {
		name string
		in   SanctionInput
		want map[string]string
	}{
		{"warning", SanctionInput{Kind: Warning, DecidedOn: today, Reason: "x"}, map[string]string{}},
		{"unknown kind", SanctionInput{Kind: "retenue", DecidedOn: today, Reason: "x"}, map[string]string{"kind": "bad-choice"}},
		{"20 hours", SanctionInput{Kind: Responsibility, DecidedOn: today, Reason: "x", Hours: "20"}, map[string]string{}},
		{"21 hours", SanctionInput{Kind: Responsibility, DecidedOn: today, Reason: "x", Hours: "21"}, map[string]string{"hours": "too-many-hours"}},
		{"9 days", SanctionInput{Kind: ClassExclusion, DecidedOn: today, Reason: "x", Days: "9", StartsOn: today}, map[string]string{"days": "too-many-days"}},
		{"0 days", SanctionInput{Kind: SchoolExclusion, DecidedOn: today, Reason: "x", Days: "0", StartsOn: today}, map[string]string{"days": "too-small"}},
		{"no start", SanctionInput{Kind: SchoolExclusion, DecidedOn: today, Reason: "x", Days: "3"}, map[string]string{"starts_on": "required"}},
		{"starts before", SanctionInput{Kind: SchoolExclusion, DecidedOn: today, Reason: "x", Days: "3", StartsOn: "2026-12-01"}, map[string]string{"starts_on": "before-decision"}},
		{"future", SanctionInput{Kind: Warning, DecidedOn: "2026-12-09", Reason: "x"}, map[string]string{"decided_on": "future"}},
		{"outside the year", SanctionInput{Kind: Warning, DecidedOn: "2026-08-31", Reason: "x"}, map[string]string{"decided_on": "outside-year"}},
		{"warning suspended", SanctionInput{Kind: Warning, DecidedOn: today, Reason: "x", Suspension: TotalSuspension, SuspendedUntil: "2027-07-03"},
			map[string]string{"suspension": "not-suspendable"}},
		{"partial", SanctionInput{Kind: ClassExclusion, DecidedOn: today, Reason: "x", Days: "4", StartsOn: today, Suspension: PartialSuspension,
			SuspendedUnits: "3", SuspendedUntil: "2027-07-03"}, map[string]string{}},
		{"partial, all of it", SanctionInput{Kind: ClassExclusion, DecidedOn: today, Reason: "x", Days: "4", StartsOn: today, Suspension: PartialSuspension,
			SuspendedUnits: "4", SuspendedUntil: "2027-07-03"}, map[string]string{"suspended_units": "bad-units"}},
		{"partial permanent", SanctionInput{Kind: PermanentExclusion, DecidedOn: today, Reason: "x", Suspension: PartialSuspension,
			SuspendedUntil: "2027-07-03"}, map[string]string{"suspension": "partial-permanent"}},
		{"too short", SanctionInput{Kind: ClassExclusion, DecidedOn: today, Reason: "x", Days: "2", StartsOn: today, Suspension: TotalSuspension,
			SuspendedUntil: "2027-06-30"}, map[string]string{"suspended_until": "suspension-too-short"}},
		{"too long", SanctionInput{Kind: ClassExclusion, DecidedOn: today, Reason: "x", Days: "2", StartsOn: today, Suspension: TotalSuspension,
			SuspendedUntil: "2027-12-08"}, map[string]string{"suspended_until": "suspension-too-long"}},
	} {
		got := codes(CheckSanction(c.in, year, today))
		if len(got) != len(c.want) {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
			continue
		}
		for f, code := range c.want {
			if got[f] != code {
				t.Errorf("%s: %v, want %v", c.name, got, c.want)
			}
		}
	}
}

func TestCheckPunishmentAndIncident(t *testing.T) {
	ok := PunishmentInput{Kind: Detention, Reason: "x", OnDate: "2026-12-10", Start: "16:00", Duration: "60", Place: "Salle 1"}
	if ps := CheckPunishment(ok, year); len(ps) != 0 {
		t.Errorf("detention: %v", ps)
	}
	bad := ok
	bad.OnDate, bad.Start, bad.Duration, bad.Outcome = "2027-07-10", "25:00", "500", "maybe"
	want := map[string]string{"on_date": "outside-year", "start": "bad-time", "duration": "bad-duration", "outcome": "bad-choice"}
	if got := codes(CheckPunishment(bad, year)); len(got) != len(want) || got["on_date"] != want["on_date"] || got["outcome"] != want["outcome"] {
		t.Errorf("bad detention: %v", got)
	}
	if got := codes(CheckPunishment(PunishmentInput{Kind: LessonExclusion, Reason: "x", Lesson: "slot/2026-12-07"}, year)); got["report"] != "required" {
		t.Errorf("exclusion without report: %v", got)
	}
	in := IncidentInput{OccurredOn: "2026-12-07", OccurredAt: "10:10", Place: "Cour", Kind: "violence", Seriousness: "5", Description: "x",
		Protagonists: []ProtagonistInput{{StudentID: "a", Role: Author}, {StudentID: "a", Role: Victim}, {StudentID: "b", Role: "bully"}, {}}}
	got := codes(CheckIncident(in, year))
	if got["seriousness"] != "bad-seriousness" || got["protagonists.1"] != "duplicate-student" || got["protagonists.2"] != "bad-role" || len(got) != 3 {
		t.Errorf("incident: %v", got)
	}
}

func TestCheckRevocation(t *testing.T) {
	s := Sanction{Kind: ClassExclusion, DecidedOn: "2026-12-07", Suspension: TotalSuspension, SuspendedUntil: "2027-07-03"}
	for _, c := range []struct{ on, today, want string }{
		{"2026-12-10", "2026-12-10", ""},
		{"2026-12-07", "2026-12-10", "revoked-before"},
		{"2026-12-11", "2026-12-10", "future"},
		{"2027-07-04", "2027-08-01", "revoked-after"},
	} {
		got := codes(CheckRevocation(RevocationInput{RevokedOn: c.on, Reason: "récidive"}, s, c.today))["revoked_on"]
		if got != c.want {
			t.Errorf("revoked on %s: %q, want %q", c.on, got, c.want)
		}
	}
	s.RevokedOn = "2026-12-10"
	if got := codes(CheckRevocation(RevocationInput{RevokedOn: "2026-12-11", Reason: "x"}, s, "2026-12-11")); got["revoked_on"] != "already-revoked" {
		t.Errorf("revoked twice: %v", got)
	}
	s = Sanction{Kind: Warning, DecidedOn: "2026-12-07", Suspension: NoSuspension}
	if got := codes(CheckRevocation(RevocationInput{RevokedOn: "2026-12-11", Reason: "x"}, s, "2026-12-11")); got["revoked_on"] != "not-suspended" {
		t.Errorf("no suspension: %v", got)
	}
}
