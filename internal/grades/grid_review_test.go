package grades_test

import (
	"errors"
	"strconv"
	"sync"
	"testing"

	"cartable/internal/check"
)

// Two saves of one grid at once, each from a page drawn before the
// other's: neither undoes the other, and the history chains each row's
// changes (every "before" is the previous "after").
func TestReviewConcurrentGridSaves(t *testing.T) {
	f := newFixture(t)
	v := f.viewer(f.teacher, true)
	id := f.create(v)
	roster := f.roster()
	blank := map[string]string{}
	for _, st := range roster {
		blank[st] = ""
	}
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for k := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cells := map[string]string{}
			for i, st := range roster {
				cells[st] = ""
				if i%2 == k {
					cells[st] = strconv.Itoa(10 + k)
				}
			}
			_, errs[k] = f.svc.SaveMarksSeen(f.ctx, v, id, cells, blank)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := f.count(`SELECT COUNT(*) FROM gr_marks WHERE evaluation_id = ?`, id); n != len(roster) {
		t.Errorf("%d marks kept of %d typed", n, len(roster))
	}
	// Both change one row at once from the same page: one wins, the other
	// is told and changes nothing.
	shown := map[string]string{roster[0]: "10"}
	for k := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[k] = f.svc.SaveMarksSeen(f.ctx, v, id, map[string]string{roster[0]: strconv.Itoa(15 + k)}, shown)
		}()
	}
	wg.Wait()
	refused := 0
	for _, err := range errs {
		var ps check.Problems
		if errors.As(err, &ps) && ps[0].Code == "changed-meanwhile" && ps[0].Field == roster[0] {
			refused++
		} else if err != nil {
			t.Fatal(err)
		}
	}
	if refused != 1 {
		t.Errorf("%d of two racing changes refused", refused)
	}
	rows, err := f.d.Query(f.ctx, `SELECT student_id, before_state, after_state FROM gr_history WHERE subject = ? ORDER BY id`, "mark:"+id)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	last := map[string]string{}
	for rows.Next() {
		var st, before, after string
		if err := rows.Scan(&st, &before, &after); err != nil {
			t.Fatal(err)
		}
		if before != last[st] {
			t.Errorf("history of %s: %q → %q after %q", st, before, after, last[st])
		}
		last[st] = after
	}
}
