package classlog

import "testing"

// School days count Monday to Friday; a due date on a weekend counts as
// the Monday after it.
func TestSchoolDays(t *testing.T) {
	for _, c := range []struct {
		from, to string
		n        int
	}{
		{"2026-12-01", "2026-12-02", 1}, // Tuesday to Wednesday
		{"2026-12-04", "2026-12-07", 1}, // Friday to Monday
		{"2026-12-01", "2026-12-08", 5}, // a week
		{"2026-12-01", "2026-12-06", 4}, // Tuesday to Sunday: by Monday
	} {
		if got := schoolDaysBetween(c.from, c.to); got != c.n {
			t.Errorf("schoolDaysBetween(%s, %s) = %d, want %d", c.from, c.to, got, c.n)
		}
	}
	for _, c := range []struct {
		from string
		n    int
		want string
	}{{"2026-12-03", 4, "2026-12-09"}, {"2026-12-04", 1, "2026-12-07"}, {"2026-12-07", 5, "2026-12-14"}, {"2026-12-07", 0, "2026-12-07"}} {
		if got := addSchoolDays(c.from, c.n); got != c.want {
			t.Errorf("addSchoolDays(%s, %d) = %s, want %s", c.from, c.n, got, c.want)
		}
	}
}
