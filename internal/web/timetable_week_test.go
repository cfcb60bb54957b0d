package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"cartable/internal/demo"
	"cartable/internal/timetable"
)

func (c *clock) set(at time.Time) { c.mu.Lock(); c.at = at; c.mu.Unlock() }

// TestTimetableWeekendShowsComingWeek: on Saturday and Sunday, and on
// Friday once the week's lessons are over, /timetable opens on the coming
// week, so that Monday's cancelled lesson is in sight; Saturday-morning
// lessons keep the week until they end; a week asked for is shown as is.
func TestTimetableWeekendShowsComingWeek(t *testing.T) {
	sat := time.Date(2026, 12, 5, 10, 0, 0, 0, timetable.Paris)
	e := newTTEnvAt(t, 60, sat) // the demo's absent teacher is absent on Monday 7 December
	est := e.query(`SELECT id FROM establishments WHERE uai = ?`, demo.MainUAI)[0]
	cancelled := e.query(`SELECT c.slot_id || '|' || a.class_id FROM tt_changes c JOIN tt_slot_audiences a ON a.slot_id = c.slot_id
		WHERE c.cancelled AND c.on_date = '2026-12-07' AND c.establishment_id = ? AND a.class_id IS NOT NULL ORDER BY 1 LIMIT 1`, est)
	if len(cancelled) != 1 {
		t.Fatal("the demo cancelled no class lesson on Monday 7 December")
	}
	slot, class, _ := strings.Cut(cancelled[0], "|")
	lesson := "/lessons/" + slot + "/2026-12-07"
	student := e.roster(class)[0]

	// Each visit signs in afresh: the clock jumps over days, beyond a
	// session's idle time.
	coming := func(when string, at time.Time) {
		t.Helper()
		e.clock.set(at)
		b := e.signIn(student.Login)
		r := b.get("/timetable")
		if r.status != 200 || !strings.Contains(r.body, "Semaine du lundi 7 décembre 2026") || !strings.Contains(r.body, lesson) ||
			!strings.Contains(r.body, "Les cours de cette semaine sont terminés") {
			t.Errorf("%s: the default view is not the coming week with Monday's cancelled lesson (%d)", when, r.status)
		}
		if !strings.Contains(r.body, `href="/timetable?week=2026-11-30">Cette semaine</a>`) {
			t.Errorf("%s: no way back to this week", when)
		}
		if r := b.get("/timetable?week=2026-11-30"); !strings.Contains(r.body, "Semaine du lundi 30 novembre 2026") || strings.Contains(r.body, "sont terminés") {
			t.Errorf("%s: the week asked for is not shown as is", when)
		}
	}
	current := func(when string, at time.Time) {
		t.Helper()
		e.clock.set(at)
		b := e.signIn(student.Login)
		if r := b.get("/timetable"); !strings.Contains(r.body, "Semaine du lundi 30 novembre 2026") || strings.Contains(r.body, "sont terminés") {
			t.Errorf("%s: the default view is not this week", when)
		}
	}
	coming("Saturday", sat)
	coming("Sunday", time.Date(2026, 12, 6, 18, 0, 0, 0, timetable.Paris))
	coming("Friday evening", time.Date(2026, 12, 4, 18, 30, 0, 0, timetable.Paris))
	current("Friday morning", time.Date(2026, 12, 4, 7, 0, 0, 0, timetable.Paris))
	current("Thursday evening", time.Date(2026, 12, 3, 22, 0, 0, 0, timetable.Paris))
	current("Monday", time.Date(2026, 11, 30, 7, 0, 0, 0, timetable.Paris))

	// A Saturday-morning lesson keeps the week until it ends.
	e.clock.set(time.Date(2026, 12, 5, 7, 0, 0, 0, timetable.Paris))
	head := e.signIn(e.account(func(a demo.Account) bool { return has("head")(a) && a.Establishment == demo.MainUAI }).Login)
	row := strings.Split(e.query(`SELECT s.subject_id || '|' || t.teacher_id FROM tt_slots s JOIN tt_slot_teachers t ON t.slot_id = s.id
		JOIN tt_slot_audiences a ON a.slot_id = s.id WHERE a.class_id = ? ORDER BY s.id LIMIT 1`, class)[0], "|")
	r := head.post("/timetable/manage/"+est+"/slots", url.Values{"csrf": {head.csrf()}, "date": {"2026-12-05"}, "start": {"09:00"},
		"duration": {"120"}, "subject": {row[0]}, "teacher": {row[1]}, "audience": {"c:" + class}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("exceptional Saturday lesson: %d %s", r.status, alertOf(r.body))
	}
	current("Saturday before its lesson", time.Date(2026, 12, 5, 8, 0, 0, 0, timetable.Paris))
	current("Saturday during its lesson", time.Date(2026, 12, 5, 10, 59, 0, 0, timetable.Paris))
	coming("Saturday after its lesson", time.Date(2026, 12, 5, 11, 0, 0, 0, timetable.Paris))

	// A relative's child tab and an operator (no timetable of their own)
	// follow the same rule.
	e.clock.set(time.Date(2026, 12, 6, 9, 0, 0, 0, timetable.Paris))
	parent := e.relatives(student.ID)
	if len(parent) > 0 {
		p := e.signIn(parent[0].Login)
		if r := p.get("/timetable?child=" + student.ID); !strings.Contains(r.body, lesson) || !strings.Contains(r.body, `href="/timetable?week=2026-11-30&amp;child=`+student.ID+`"`) {
			t.Error("a relative's view of the child on Saturday is not the coming week")
		}
	}
	admin := e.signIn(e.account(func(a demo.Account) bool { return a.Profile == "admin" }).Login)
	if r := admin.get("/timetable"); r.status != 200 || !strings.Contains(r.body, "Semaine du lundi 7 décembre 2026") {
		t.Errorf("operator's timetable page on Saturday: %d", r.status)
	}
}
