package web_test

import (
	"net/http"
	"net/url"
	"regexp"
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
		r = b.get("/timetable?week=2026-11-30")
		if !strings.Contains(r.body, "Semaine du lundi 30 novembre 2026") || strings.Contains(r.body, "sont terminés") {
			t.Errorf("%s: the week asked for is not shown as is", when)
		}
		// One page, one address: the week that opens by default is linked
		// without its date.
		if !strings.Contains(r.body, `<a href="/timetable" rel="next">`) {
			t.Errorf("%s: \"next week\" is not the default view's address", when)
		}
	}
	current := func(when string, at time.Time) {
		t.Helper()
		e.clock.set(at)
		b := e.signIn(student.Login)
		r := b.get("/timetable")
		if !strings.Contains(r.body, "Semaine du lundi 30 novembre 2026") || strings.Contains(r.body, "sont terminés") {
			t.Errorf("%s: the default view is not this week", when)
		}
		if !strings.Contains(r.body, `<a href="/timetable">Cette semaine</a>`) || !strings.Contains(r.body, `<a href="/timetable?week=2026-12-07" rel="next">`) {
			t.Errorf("%s: \"this week\" is not the default view's address, or \"next week\" not dated", when)
		}
		if r := b.get("/timetable?week=2026-12-07"); !strings.Contains(r.body, `<a href="/timetable" rel="prev">`) {
			t.Errorf("%s: from next week, \"previous week\" is not the default view's address", when)
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
		r := p.get("/timetable?child=" + student.ID)
		if !strings.Contains(r.body, lesson) || !strings.Contains(r.body, `<a href="/timetable?week=2026-11-30`) {
			t.Error("a relative's view of the child on Sunday is not the coming week")
		}
		// The first child's tab is /timetable itself; the others name theirs.
		nav := regexp.MustCompile(`(?s)<nav [^>]*class="tabs noprint">.*?</nav>`).FindString(r.body)
		tabs := regexp.MustCompile(`<li><a href="(/timetable[^"]*)"`).FindAllStringSubmatch(nav, -1)
		if len(tabs) == 0 || tabs[0][1] != "/timetable" {
			t.Errorf("children's tabs: %v", tabs)
		}
		for _, tab := range tabs[1:] {
			if !strings.HasPrefix(tab[1], "/timetable?child=") {
				t.Errorf("another child's tab: %s", tab[1])
			}
		}
	}
	admin := e.signIn(e.account(func(a demo.Account) bool { return a.Profile == "admin" }).Login)
	if r := admin.get("/timetable"); r.status != 200 || !strings.Contains(r.body, "Semaine du lundi 7 décembre 2026") {
		t.Errorf("operator's timetable page on Saturday: %d", r.status)
	}
}

// TestTimetableWeekGrid: the week view carries the time grid's placement
// (hours from the week's first to its last, each lesson's start and end
// rows, lanes for lessons at the same time), the current time on today's
// column only, and a title naming whose week it is.
func TestTimetableWeekGrid(t *testing.T) {
	e := newTTEnv(t, 60) // Monday 30 November 2026, 09:30
	est := e.query(`SELECT id FROM establishments WHERE uai = ?`, demo.MainUAI)[0]
	head := e.signIn(e.account(func(a demo.Account) bool { return has("head")(a) && a.Establishment == demo.MainUAI }).Login)

	// A class whose groups have lessons at the same time.
	var class, name string
	for _, c := range e.query(`SELECT id || '|' || name FROM classes WHERE establishment_id = ? ORDER BY code`, est) {
		id, n, _ := strings.Cut(c, "|")
		if r := head.get("/timetable/classes/" + id); strings.Contains(r.body, " g-l21") {
			class, name = id, n
			break
		}
	}
	if class == "" {
		t.Fatal("no class timetable places two lessons side by side")
	}
	r := head.get("/timetable/classes/" + class)
	if !regexp.MustCompile(`<div class="week grid g-n\d+ g-d[56]">`).MatchString(r.body) {
		t.Fatalf("no time grid: %s", regexp.MustCompile(`<div class="week[^>]*>`).FindString(r.body))
	}
	// The scale runs from 08:00 (the first lesson) hour by hour.
	if !strings.Contains(r.body, `<div class="hours" aria-hidden="true"><span>08:00</span><span class="g-h1">09:00</span>`) {
		t.Errorf("time scale: %s", regexp.MustCompile(`<div class="hours".*?</div>`).FindString(r.body))
	}
	// A 08:00–08:55 lesson: row 0 to 11 rows of five minutes; a 10:05 one
	// starts 2 hours and 1 row after 08:00.
	if !regexp.MustCompile(`<li class="lesson[a-z ]* g-em11( g-l\d\d)?"><p class="when"><time datetime="2026-1[12]-\d\dT08:00">`).MatchString(r.body) {
		t.Error("no 08:00–08:55 lesson placed at the top")
	}
	if !regexp.MustCompile(`class="lesson[a-z ]* g-h2 g-m1 g-eh3( g-l\d\d)?"><p class="when"><time datetime="2026-1[12]-\d\dT10:05">`).MatchString(r.body) {
		t.Error("no 10:05–11:00 lesson placed 2 h 5 min after 08:00")
	}
	// The current time, 09:30: on Monday's column, 1 h 30 after 08:00.
	if n := strings.Count(r.body, `class="nowline`); n != 1 || !strings.Contains(r.body, `<p class="nowline g-h1 g-m6" aria-hidden="true"><span>09:30</span></p>`) {
		t.Errorf("current-time lines: %d", n)
	}
	if i, j := strings.Index(r.body, `id="d-2026-11-30"`), strings.Index(r.body, `class="nowline`); i < 0 || j < i || strings.Contains(r.body[i:j], `id="d-2026-12-01"`) {
		t.Error("the current-time line is not on today's column")
	}
	// Another week has no line; a week of holidays no grid.
	if r := head.get("/timetable/classes/" + class + "?week=2026-12-07"); strings.Contains(r.body, "nowline") || !strings.Contains(r.body, "week grid") {
		t.Error("next week: a current-time line, or no grid")
	}
	if r := head.get("/timetable/classes/" + class + "?week=2026-12-21"); strings.Contains(r.body, "week grid") || !strings.Contains(r.body, "Vacances de Noël") {
		t.Error("a week of holidays is drawn on a grid")
	}
	// The day view is a grid of one column.
	if r := head.get("/timetable/classes/" + class + "?day=2026-12-01"); !strings.Contains(r.body, " g-d1\"") {
		t.Error("the day view is not a one-column grid")
	}

	// Titles name whose timetable and which week or day; no two alike.
	room := e.query(`SELECT id FROM tt_rooms WHERE establishment_id = ? ORDER BY code LIMIT 1`, est)[0]
	student := e.roster(class)[0]
	slot := e.query(`SELECT s.id FROM tt_slots s JOIN tt_slot_audiences a ON a.slot_id = s.id WHERE a.class_id = ? ORDER BY s.id LIMIT 1`, class)[0]
	alt := e.query(`SELECT id FROM tt_alternations WHERE establishment_id = ? ORDER BY code LIMIT 1`, est)[0]
	titles := map[string]string{}
	for path, want := range map[string][]string{
		"/timetable/classes/" + class:                                    {"Classe " + name, "semaine du lundi 30 novembre"},
		"/timetable/classes/" + class + "?week=2026-12-07":               {"Classe " + name, "semaine du lundi 7 décembre"},
		"/timetable/classes/" + class + "?day=2026-12-01":                {"Classe " + name, "mardi 1er décembre"},
		"/timetable/rooms/" + room:                                       {"semaine du lundi 30 novembre"},
		"/timetable/people/" + student.ID:                                {student.FirstName, "semaine du lundi 30 novembre"},
		"/timetable":                                                     {"semaine du lundi 30 novembre"},
		"/timetable/manage/" + est:                                       {"Gérer l'emploi du temps de"},
		"/timetable/manage/" + est + "?class=" + class:                   {name + " · Gérer l'emploi du temps de"},
		"/timetable/manage/" + est + "?class=" + class + "&edit=" + slot: {"Modifier le cours — ", " · " + name + " · Gérer l'emploi du temps de"},
		"/timetable/manage/" + est + "/weeks/" + alt:                     {"Modifier l'alternance « ", "Semaines A/B et alternances — "},
		"/timetable/manage/" + est + "/rooms":                            {"Salles — "},
		"/timetable/manage/" + est + "/rooms/" + room:                    {"Modifier la salle ", "Salles — "},
		"/timetable/manage/" + est + "/weeks":                            {"Semaines A/B et alternances — "},
	} {
		r := head.get(path)
		got := title(r)
		for _, w := range want {
			if r.status != 200 || !strings.Contains(got, w) {
				t.Errorf("%s: title %q does not say %q (%d)", path, got, w, r.status)
			}
		}
		if other, ok := titles[got]; ok {
			t.Errorf("%s and %s share the title %q", path, other, got)
		}
		titles[got] = path
	}
}
