package grades_test

import (
	"testing"
)

// A make-up test two students sat: the class statistics would tell each
// the other's mark (twice the mean less one's own), so families see none
// over fewer than three marks; the staff see them.
func TestReviewFewMarksNoStatistics(t *testing.T) {
	f := newFixture(t)
	v := f.viewer(f.teacher, true)
	id := f.create(v)
	roster := f.roster()
	if _, err := f.svc.SaveMarks(f.ctx, v, id, map[string]string{roster[0]: "12", roster[1]: "16"}); err != nil {
		t.Fatal(err)
	}
	stats := func(viewer string, student string) (count int, mean, max float64) {
		t.Helper()
		res, err := f.svc.StudentResults(f.ctx, f.viewer(viewer, false), student, f.period1)
		if err != nil {
			t.Fatal(err)
		}
		sr, ok := res.Subject(f.subject)
		if !ok {
			t.Fatal("no subject")
		}
		for _, e := range sr.Evaluations {
			if e.ID == id {
				return e.Class.Count, e.Class.Mean, e.Class.Max
			}
		}
		t.Fatal("no evaluation")
		return
	}
	if n, mean, max := stats(roster[0], roster[0]); n != 0 || mean != 0 || max != 0 {
		t.Errorf("the student sees statistics over two marks: %d, mean %v, max %v", n, mean, max)
	}
	head := f.str(`SELECT person_id FROM functions WHERE establishment_id = ? AND function = 'head' ORDER BY person_id LIMIT 1`, f.est)
	if n, mean, _ := stats(head, roster[0]); n != 2 || mean != 14 {
		t.Errorf("the head's statistics: %d, mean %v", n, mean)
	}
	// A third mark: families see them again.
	if _, err := f.svc.SaveMarks(f.ctx, v, id, map[string]string{roster[0]: "12", roster[1]: "16", roster[2]: "11"}); err != nil {
		t.Fatal(err)
	}
	if n, mean, _ := stats(roster[0], roster[0]); n != 3 || mean != 13 {
		t.Errorf("statistics over three marks: %d, mean %v", n, mean)
	}
}
