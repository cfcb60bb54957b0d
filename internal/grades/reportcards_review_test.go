package grades_test

import (
	"strconv"
	"sync"
	"testing"
	"time"

	"cartable/internal/grades"
)

// A correction published on a later day leaves the family the version it
// replaces until that day; the new one is not theirs before it.
func TestReviewCorrectionPublishedLater(t *testing.T) {
	w := newWorld(t)
	ctx := w.ctx
	if _, err := w.s.Publish(ctx, w.viewer(w.head), w.class, w.period, grades.PublishInput{PublishOn: "2026-12-10"}); err != nil {
		t.Fatal(err)
	}
	id := w.one(`SELECT id FROM gr_report_cards WHERE student_id = ? AND period_id = ?`, w.pupils[0], w.period)
	w.now = time.Date(2026, 12, 11, 8, 0, 0, 0, time.UTC)
	id2, err := w.s.Correct(ctx, w.viewer(w.head), id, grades.CorrectInput{Reason: "Appréciation corrigée", PublishOn: "2026-12-20"})
	if err != nil {
		t.Fatal(err)
	}
	family := func(want string) {
		t.Helper()
		other := id2
		if want == id2 {
			other = id
		}
		if v, err := w.s.Card(ctx, w.viewer(w.relative), want); err != nil || !v.Latest {
			t.Errorf("the family's card %s: %v (latest %v)", want, err, v.Latest)
		}
		if _, _, err := w.s.CardPDF(ctx, w.viewer(w.relative), want); err != nil {
			t.Errorf("the family's PDF: %v", err)
		}
		denied(t, "the family reads the other version", errOf(w.s.Card(ctx, w.viewer(w.relative), other)))
		idx, err := w.s.Index(ctx, w.viewer(w.relative))
		if err != nil || len(idx.Cards) != 1 || idx.Cards[0].ID != want {
			t.Errorf("the family's list: %+v %v", idx.Cards, err)
		}
	}
	family(id)
	w.now = time.Date(2026, 12, 20, 8, 0, 0, 0, time.UTC)
	family(id2)
}

// Publishing twice at once freezes one version 1 per student; correcting
// one card twice at once makes one version 2.
func TestReviewConcurrentPublishAndCorrect(t *testing.T) {
	w := newWorld(t)
	ctx := w.ctx
	head := w.viewer(w.head)
	var wg sync.WaitGroup
	ns, errs := make([]int, 2), make([]error, 2)
	for k := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ns[k], errs[k] = w.s.Publish(ctx, head, w.class, w.period, grades.PublishInput{PublishOn: "2026-12-10"})
		}()
	}
	wg.Wait()
	if ns[0]+ns[1] != len(w.pupils) || (errs[0] == nil) == (errs[1] == nil) {
		t.Errorf("two publications: %v %v", ns, errs)
	}
	if n := w.one(`SELECT COUNT(*) FROM gr_report_cards WHERE class_id = ? AND period_id = ?`, w.class, w.period); n != strconv.Itoa(len(w.pupils)) {
		t.Errorf("%s cards for %d students", n, len(w.pupils))
	}
	id := w.one(`SELECT id FROM gr_report_cards WHERE student_id = ? AND period_id = ?`, w.pupils[0], w.period)
	for k := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[k] = w.s.Correct(ctx, head, id, grades.CorrectInput{Reason: "Correction " + strconv.Itoa(k)})
		}()
	}
	wg.Wait()
	if (errs[0] == nil) == (errs[1] == nil) {
		t.Errorf("two corrections of one card: %v", errs)
	}
	if n := w.one(`SELECT COUNT(*) FROM gr_report_cards WHERE student_id = ? AND period_id = ?`, w.pupils[0], w.period); n != "2" {
		t.Errorf("%s versions", n)
	}
}
