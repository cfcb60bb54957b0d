package i18n

import (
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestDates(t *testing.T) {
	// 31 January 23:30 UTC is already 1 February in Paris (winter, UTC+1).
	feb := time.Date(2027, 1, 31, 23, 30, 0, 0, time.UTC)
	// 1 June 06:05 UTC is 08:05 in Paris (summer, UTC+2).
	jun := time.Date(2026, 6, 1, 6, 5, 0, 0, time.UTC)
	cases := []struct{ got, want string }{
		{Date("fr", feb), "1er février 2027"},
		{Date("en", feb), "1 February 2027"},
		{Date("fr", jun.AddDate(0, 0, 1)), "2 juin 2026"},
		{ShortDate("fr", feb), "1er févr. 2027"},
		{ShortDate("en", feb), "1 Feb 2027"},
		{DayName("fr", feb), "lundi 1er février"},
		{DayName("en", feb), "Monday 1 February"},
		{LongDate("fr", jun), "lundi 1er juin 2026"},
		{LongDate("en", jun), "Monday 1 June 2026"},
		{DateTime("fr", jun), "1er juin 2026 à 08:05"},
		{DateTime("en", jun), "1 June 2026 at 08:05"},
		{Clock(feb), "00:30"},
		{Weekday("fr", time.Saturday), "samedi"},
		{Month("fr", time.August), "août"},
	}
	for i, c := range cases {
		if c.got != c.want {
			t.Errorf("case %d: got %q, want %q", i, c.got, c.want)
		}
	}
}

// CLDR plural rules for integers: French "one" is 0 and 1, English only 1.
func TestPluralRules(t *testing.T) {
	for n, want := range map[int]string{0: "0 élève", 1: "1 élève", 2: "2 élèves", 1000: "1000 élèves"} {
		if got := N("fr", "class.students", n); got != want {
			t.Errorf("fr %d: %q, want %q", n, got, want)
		}
	}
	for n, want := range map[int]string{0: "0 students", 1: "1 student", 2: "2 students"} {
		if got := N("en", "class.students", n); got != want {
			t.Errorf("en %d: %q, want %q", n, got, want)
		}
	}
}

// countedPlural finds a count written before a plural noun ("%d fichiers",
// "%d seconds"): such a message is wrong for 1 (and in French for 0) and
// must be a .one/.other pair read through N.
var countedPlural = regexp.MustCompile(`%d [\p{L}]+[sx]\b`)

// Words after a count that are not plural nouns.
var notPlural = map[string]bool{"au plus": true, "at most": true, "sur": true, "pour": true, "dans": true, "chez": true, "is": true, "was": true, "has": true, "as": true}

// Messages whose count is a constant of the code, never 0 or 1.
var constantCount = map[string]bool{
	"account.password.rule": true, // the minimum strength, 80 bits
	"cal.toolong":           true, // a feed name's maximum length
}

// pending lists the messages still to turn into .one/.other pairs; each
// area's work empties its own entries.
var pending = map[string]bool{}

func TestCountsArePlurals(t *testing.T) {
	for _, lang := range Languages {
		for _, k := range Keys(lang) {
			if strings.HasSuffix(k, ".other") || strings.HasSuffix(k, ".one") || constantCount[k] || pending[k] {
				continue
			}
			msg := catalogs[lang][k]
			for _, m := range countedPlural.FindAllString(msg, -1) {
				if notPlural[strings.TrimPrefix(m, "%d ")] {
					continue
				}
				t.Errorf("%s %s: %q counts with a fixed plural (%q): make it a .one/.other pair and use N", lang, k, msg, m)
			}
		}
	}
}
