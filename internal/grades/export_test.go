package grades_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"strings"
	"testing"

	"cartable/internal/grades"
)

func TestCSVExports(t *testing.T) {
	sc := newSchool(t)
	ctx := context.Background()
	// A title a spreadsheet would take for a formula.
	if _, err := sc.d.Exec(ctx, `UPDATE gr_evaluations SET title = '=HYPERLINK("x")' WHERE id = ?`, sc.e2); err != nil {
		t.Fatal(err)
	}
	if _, err := sc.d.Exec(ctx, `INSERT INTO gr_settings (establishment_id, show_mean, show_min_max, show_median) VALUES (?, TRUE, FALSE, FALSE)`,
		sc.est); err != nil {
		t.Fatal(err)
	}
	r, err := sc.s.StudentResults(ctx, sc.parent, sc.student, "")
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := grades.WriteStudentCSV(&buf, "fr", r); err != nil {
		t.Fatal(err)
	}
	cr := csv.NewReader(strings.NewReader(buf.String()))
	cr.Comma = ';'
	rows, err := cr.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	// Header, e1, e2, the subject's average, the overall average.
	if len(rows) != 5 {
		t.Fatalf("%d rows: %q", len(rows), rows)
	}
	if e1 := rows[1]; e1[3] != "12" || e1[5] != "2" || e1[6] == "" || e1[7] != "" || e1[8] != "" || e1[9] != "" {
		t.Errorf("e1 %q: the mean only", e1)
	}
	if rows[2][1] != `'=HYPERLINK("x")` {
		t.Errorf("a formula is kept as text: %q", rows[2][1])
	}
	if rows[3][3] != "13,33" || rows[4][3] != "13,33" {
		t.Errorf("averages %q %q", rows[3], rows[4])
	}
	c, err := sc.s.ClassResults(ctx, sc.teacher, sc.teaching, "")
	if err != nil {
		t.Fatal(err)
	}
	buf.Reset()
	if err := grades.WriteClassCSV(&buf, "en", c); err != nil {
		t.Fatal(err)
	}
	rows, err = csv.NewReader(strings.NewReader(buf.String())).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	// Header, a line per student, four statistics.
	if len(rows) != 1+len(sc.students)+4 || len(rows[0]) != 2+3+1 {
		t.Fatalf("class csv: %d rows of %d columns", len(rows), len(rows[0]))
	}
	for _, row := range rows[1 : 1+len(sc.students)] {
		if row[0] == "" || row[5] == "" {
			t.Errorf("student row %q", row)
		}
	}
	if last := rows[len(rows)-1]; last[0] != "Median" || last[2] == "" {
		t.Errorf("median row %q", last)
	}
}
