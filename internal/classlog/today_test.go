package classlog_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"cartable/internal/access"
	"cartable/internal/classlog"
	"cartable/internal/db"
	"cartable/internal/dbtest"
	"cartable/internal/demo"
	"cartable/internal/timetable"
)

// The home page's reads answer for the viewer: a student's news for the
// student and their relatives, refused to another family and to a teacher
// who does not follow the student; a teacher's lessons to write are their
// own begun lessons without their entry; hand-ins are those of the
// viewer's own homework.
func TestHomeReadsAnswerForTheViewer(t *testing.T) {
	ctx := context.Background()
	d := dbtest.Open(t)
	if err := d.Tx(ctx, func(tx *db.Tx) error {
		if _, err := demo.Generate(ctx, system, tx, demo.Options{Seed: 1, Students: 30}); err != nil {
			return err
		}
		return demo.GenerateTimetable(ctx, system, tx, demo.TimetableOptions{Seed: 1, Today: "2026-11-30"})
	}); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 30, 11, 0, 0, 0, timetable.Paris)
	p := access.New(d)
	p.SetClock(func() time.Time { return now })
	s := &classlog.Service{DB: d, Policy: p, Now: func() time.Time { return now }}
	one := func(q string, args ...any) string {
		t.Helper()
		var v string
		if err := d.QueryRow(ctx, q, args...).Scan(&v); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return v
	}
	viewer := func(id string) *access.Viewer {
		t.Helper()
		v, err := p.Viewer(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	student := one(`SELECT MIN(student_id) FROM family_links`)
	parent := one(`SELECT MIN(relative_id) FROM family_links WHERE student_id = ?`, student)
	stranger := one(`SELECT MIN(relative_id) FROM family_links WHERE relative_id NOT IN (SELECT relative_id FROM family_links WHERE student_id = ?)`, student)
	week := now.Add(-7 * 24 * time.Hour)
	for _, id := range []string{student, parent} {
		news, _, err := newsSince(ctx, s, viewer(id), student, week, 5)
		if err != nil || len(news) == 0 {
			t.Errorf("%s's news of the student: %d, %v", id, len(news), err)
		}
	}
	if _, _, err := newsSince(ctx, s, viewer(stranger), student, week, 5); !errors.Is(err, access.ErrDenied) {
		t.Errorf("another family reads the news: %v", err)
	}
	// Nothing is new since now.
	if news, more, err := newsSince(ctx, s, viewer(student), student, now, 5); err != nil || len(news) != 0 || more {
		t.Errorf("news since now: %d %v %v", len(news), more, err)
	}
	// Entries written before a visit that began an hour ago: one whose
	// scheduled publication came during the visit is news (as changed
	// since, being written before), one scheduled later than now is not,
	// and one changed during the visit is news too.
	visit := now.Add(-time.Hour)
	entries, err := db.Strings(ctx, d, `SELECT e.id FROM classlog_entries e JOIN enrolments en ON en.class_id = e.class_id
		WHERE en.student_id = ? AND NOT e.draft ORDER BY e.id LIMIT 3`, student)
	if err != nil || len(entries) != 3 {
		t.Fatalf("the student's class entries: %v %v", entries, err)
	}
	before := visit.Add(-time.Hour).Unix()
	set := func(id string, created, updated, publish int64) {
		t.Helper()
		if _, err := d.Exec(ctx, `UPDATE classlog_entries SET created_at = ?, updated_at = ?, publish_at = ? WHERE id = ?`, created, updated, publish, id); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := d.Exec(ctx, `UPDATE classlog_entries SET updated_at = ?, publish_at = 0 WHERE updated_at > ?`, before, before); err != nil {
		t.Fatal(err)
	}
	set(entries[0], before, before, visit.Add(30*time.Minute).Unix()) // published during the visit
	set(entries[1], before, before, now.Add(time.Hour).Unix())        // not yet published
	set(entries[2], before, visit.Add(10*time.Minute).Unix(), 0)      // changed during the visit
	news, more, err := newsSince(ctx, s, viewer(parent), student, visit, 5)
	if err != nil || more || len(news) != 2 || news[0].EntryID != entries[0] || news[1].EntryID != entries[2] || !news[0].Changed || !news[1].Changed {
		t.Fatalf("news of the visit %+v %v %v, want %s (published during it) then %s (changed during it)", news, more, err, entries[0], entries[2])
	}

	// A teacher's Monday morning: every lesson begun by 11:00 and given by
	// them is to write (the demo writes only the days before), no other.
	teacher := one(`SELECT MIN(t.teacher_id) FROM tt_slot_teachers t JOIN tt_slots s ON s.id = t.slot_id
		WHERE s.weekday = 1 AND s.start_min < 600 AND s.alternation_id IS NULL`)
	tv := viewer(teacher)
	ls, err := timetable.Lessons(ctx, tv, d, timetable.Target{Kind: timetable.TargetTeacher, ID: teacher}, "2026-11-30", "2026-11-30")
	if err != nil {
		t.Fatal(err)
	}
	toWrite, err := s.ToWrite(ctx, tv, ls)
	if err != nil {
		t.Fatal(err)
	}
	want := 0
	for _, l := range ls {
		if !l.Start.After(now) && !l.Cancelled() && (!l.Replaced() || l.Change.Replacement.ID == teacher) {
			want++
		}
	}
	if want == 0 || len(toWrite) != want {
		t.Errorf("%d lessons to write, want %d", len(toWrite), want)
	}
	// Another teacher is offered none of these lessons.
	other := one(`SELECT MIN(id) FROM people WHERE profile = 'teacher' AND id <> ?`, teacher)
	if got, err := s.ToWrite(ctx, viewer(other), ls); err != nil || len(got) != 0 {
		t.Errorf("another teacher is offered %d of them (%v)", len(got), err)
	}
	// No hand-in yet.
	if hs, _, err := s.HandInsSince(ctx, tv, week, 5); err != nil || len(hs) != 0 {
		t.Errorf("hand-ins: %+v %v", hs, err)
	}
}

// newsSince lists a student's news after since as the home page does: the
// window's, then those after the visit's start.
func newsSince(ctx context.Context, s *classlog.Service, v *access.Viewer, student string, since time.Time, limit int) ([]classlog.NewsItem, bool, error) {
	r, err := s.RecentNews(ctx, v, student, limit)
	if err != nil {
		return nil, false, err
	}
	items, more := r.Since(since)
	return items, more, nil
}
