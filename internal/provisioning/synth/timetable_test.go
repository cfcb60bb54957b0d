package synth

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Every establishment gets a timetable in which no teacher, class or
// group is in two places at once, and every class its teachers' hours.
func TestTimetablesHaveNoClash(t *testing.T) {
	dir := t.TempDir()
	o := Options{People: 9000, Establishments: 3}
	c, err := Timetables(dir, o)
	if err != nil {
		t.Fatal(err)
	}
	if c.Files != 3 || c.Short != 0 {
		t.Fatalf("%+v: want 3 files, no teaching short of hours", c)
	}
	lessons := 0
	for i := range 3 {
		f, err := os.Open(filepath.Join(dir, uai(i)+".csv"))
		if err != nil {
			t.Fatal(err)
		}
		r := csv.NewReader(f)
		r.Comma = ';'
		rows, err := r.ReadAll()
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]int{}
		perClass := map[string]int{}
		for n, row := range rows[1:] {
			day, start, teacher, class, group := row[0], row[1], row[4], row[5], row[6]
			for _, who := range []string{"t:" + teacher, "c:" + class, "g:" + group} {
				if who == "c:" || who == "g:" {
					continue
				}
				if prev, ok := seen[who+"@"+day+start]; ok {
					t.Fatalf("%s line %d: %s already busy on line %d", uai(i), n+2, who, prev)
				}
				seen[who+"@"+day+start] = n + 2
			}
			if class != "" {
				perClass[class]++
			}
			if !strings.HasPrefix(teacher, "P") {
				t.Fatalf("teacher %q is not a delivery's external ID", teacher)
			}
		}
		for class, n := range perClass {
			if n < 12 || n > 32 {
				t.Errorf("%s %s: %d lessons a week", uai(i), class, n)
			}
		}
		lessons += len(rows) - 1
	}
	if lessons != c.Lessons {
		t.Fatalf("files hold %d lessons, counted %d", lessons, c.Lessons)
	}
}
