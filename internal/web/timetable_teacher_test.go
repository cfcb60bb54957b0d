package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	ics "github.com/emersion/go-ical"

	"cartable/internal/demo"
	"cartable/internal/timetable"
)

// A teacher marks a test planned and adds a note on their own lesson; the
// changes staff made stay; nobody else may do it.
func TestTeacherAnnotatesOwnLesson(t *testing.T) {
	e := newTTEnv(t, 60)
	est := e.query(`SELECT id FROM establishments WHERE uai = ?`, demo.MainUAI)[0]
	row := e.query(`SELECT s.id || '|' || t.teacher_id || '|' || a.class_id || '|' || COALESCE(s.room_id, '') FROM tt_slots s
		JOIN tt_slot_teachers t ON t.slot_id = s.id JOIN tt_slot_audiences a ON a.slot_id = s.id
		WHERE s.establishment_id = ? AND s.weekday = 3 AND s.alternation_id IS NULL AND a.class_id IS NOT NULL
		AND NOT EXISTS (SELECT 1 FROM tt_changes c WHERE c.slot_id = s.id AND c.on_date = '2026-12-02')
		ORDER BY s.id LIMIT 1`, est)[0]
	p := strings.Split(row, "|")
	slot, teacherID, class, room := p[0], p[1], p[2], p[3]
	path := "/lessons/" + slot + "/2026-12-02"
	other := e.query(`SELECT id FROM tt_rooms WHERE establishment_id = ? AND id <> ? ORDER BY code LIMIT 1`, est, room)[0]

	// The head moves the lesson to another room first.
	h := e.signIn(e.account(has("head")).Login)
	if r := h.post(path+"/change", url.Values{"csrf": {h.csrf()}, "room": {other}}); r.status != http.StatusSeeOther {
		t.Fatalf("head's change: %d", r.status)
	}

	teacher := e.signIn(e.login(teacherID))
	r := teacher.get(path)
	if r.status != 200 || !strings.Contains(r.body, "Signaler sur ce cours") || strings.Contains(r.body, `name="cancelled"`) {
		t.Fatalf("the teacher's lesson page: %d, annotate form %v, full form %v", r.status,
			strings.Contains(r.body, "Signaler sur ce cours"), strings.Contains(r.body, `name="cancelled"`))
	}
	// A note too long: refused, nothing saved, the typed note kept.
	long := strings.Repeat("é", 501) // characters, not bytes, as the form counts
	r = teacher.post(path+"/change", url.Values{"csrf": {teacher.csrf()}, "test": {"1"}, "note": {long}})
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, long) {
		t.Fatalf("a too long note: %d", r.status)
	}
	if got := e.query(`SELECT test_planned FROM tt_changes WHERE slot_id = ? AND on_date = '2026-12-02'`, slot); len(got) != 1 || truthy(got[0]) {
		t.Fatalf("a refused note changed the lesson: %v", got)
	}
	// Fields beyond the teacher's reach are ignored: no cancellation.
	r = teacher.post(path+"/change", url.Values{"csrf": {teacher.csrf()}, "test": {"1"}, "note": {"Contrôle chapitre 3"},
		"cancelled": {"1"}, "reason": {"strike"}, "room": {""}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("the teacher's annotation: %d %.300s", r.status, r.body)
	}
	got := e.query(`SELECT test_planned || '|' || cancelled || '|' || COALESCE(new_room_id, '') || '|' || note || '|' || changed_by
		FROM tt_changes WHERE slot_id = ? AND on_date = '2026-12-02'`, slot)
	if len(got) != 1 {
		t.Fatalf("changes: %v", got)
	}
	f := strings.Split(got[0], "|")
	if !truthy(f[0]) || truthy(f[1]) || f[2] != other || f[3] != "Contrôle chapitre 3" || f[4] != teacherID {
		t.Fatalf("after the annotation: %v", f)
	}
	if n := e.query(`SELECT payload FROM notification_outbox WHERE subject = ? ORDER BY id DESC LIMIT 1`, "lesson:"+slot+"/2026-12-02"); len(n) != 1 || !strings.Contains(n[0], `"test":true`) {
		t.Errorf("outbox: %v", n)
	}
	// The class sees it, in words.
	student := e.query(`SELECT p.login FROM enrolments en JOIN people p ON p.id = en.student_id WHERE en.class_id = ? ORDER BY p.login LIMIT 1`, class)[0]
	if r := e.signIn(student).get(path); r.status != 200 || !strings.Contains(r.body, "Contrôle chapitre 3") || !strings.Contains(r.body, "Devoir surveillé") {
		t.Errorf("the student's lesson page: %d", r.status)
	}

	// Refusals: another teacher, a student, a parent; nothing changes.
	otherTeacher := e.query(`SELECT p.login FROM people p JOIN memberships m ON m.person_id = p.id WHERE m.establishment_id = ?
		AND p.profile = 'teacher' AND p.id NOT IN (SELECT teacher_id FROM tt_slot_teachers WHERE slot_id = ?) ORDER BY p.login LIMIT 1`, est, slot)[0]
	parent := e.account(func(a demo.Account) bool { return a.Profile == "relative" })
	for _, login := range []string{otherTeacher, student, parent.Login} {
		b := e.signIn(login)
		if r := b.post(path+"/change", url.Values{"csrf": {b.csrf()}, "test": {""}, "note": {"piraté"}}); r.status != 404 {
			t.Errorf("%s annotates someone else's lesson: %d", login, r.status)
		}
		if r := b.get(path); strings.Contains(r.body, "Signaler sur ce cours") {
			t.Errorf("%s is offered the annotation form", login)
		}
	}
	if again := e.query(`SELECT test_planned || '|' || cancelled || '|' || COALESCE(new_room_id, '') || '|' || note || '|' || changed_by
		FROM tt_changes WHERE slot_id = ? AND on_date = '2026-12-02'`, slot); len(again) != 1 || again[0] != got[0] {
		t.Fatalf("a refused annotation changed the lesson: %v", again)
	}
}

func truthy(s string) bool { return s == "1" || s == "true" }

// A teacher's calendar feed holds the homework they set (and no one
// else's), with the class it is for.
func TestTeacherFeedHasHomeworkSet(t *testing.T) {
	e := newTTEnv(t, 60)
	teacherID := e.query(`SELECT e.author_id FROM homework h JOIN classlog_entries e ON e.id = h.entry_id WHERE NOT e.draft
		GROUP BY e.author_id ORDER BY COUNT(*) DESC, e.author_id LIMIT 1`)[0]
	mine := e.query(`SELECT h.id FROM homework h JOIN classlog_entries e ON e.id = h.entry_id WHERE e.author_id = ? AND NOT e.draft`, teacherID)
	others := e.query(`SELECT h.id FROM homework h JOIN classlog_entries e ON e.id = h.entry_id WHERE e.author_id <> ?`, teacherID)
	if len(mine) == 0 || len(others) == 0 {
		t.Fatalf("demo homework: %d of the teacher, %d of others", len(mine), len(others))
	}
	b := e.signIn(e.login(teacherID))
	r := b.createFeed("Agenda")
	m := regexp.MustCompile(`value="http://[^"]+(/feeds/[A-Za-z0-9_-]+\.ics)"`).FindStringSubmatch(r.body)
	if r.status != 200 || m == nil {
		t.Fatalf("create feed: %d", r.status)
	}
	r = e.browser().get(m[1])
	cal, err := ics.NewDecoder(strings.NewReader(r.body)).Decode()
	if err != nil {
		t.Fatalf("feed: %d %v", r.status, err)
	}
	events := map[string]ics.Event{}
	for _, ev := range cal.Events() {
		uid, _ := ev.Props.Text(ics.PropUID)
		events[uid] = ev
	}
	for _, id := range mine {
		ev, ok := events["hw-"+id+"@cartable"]
		if !ok {
			t.Fatalf("homework %s set by the teacher is missing from their feed", id)
		}
		want := e.query(`SELECT su.name || ', ' || COALESCE(c.name, g.name) FROM homework h JOIN classlog_entries e ON e.id = h.entry_id
			JOIN subjects su ON su.id = e.subject_id LEFT JOIN classes c ON c.id = h.class_id LEFT JOIN groups g ON g.id = h.group_id
			WHERE h.id = ?`, id)[0]
		if s, _ := ev.Props.Text(ics.PropSummary); s != "Travail donné : "+want {
			t.Errorf("homework %s: summary %q, want %q", id, s, "Travail donné : "+want)
		}
	}
	for _, id := range others {
		if _, ok := events["hw-"+id+"@cartable"]; ok {
			t.Fatalf("a colleague's homework %s is in the teacher's feed", id)
		}
	}
}

// The head changes a weekly lesson in place: a co-teacher and a room are
// added, a clash is refused with what was typed kept, another
// establishment's lesson is not found.
func TestHeadChangesALesson(t *testing.T) {
	e := newTTEnv(t, 60)
	est := e.query(`SELECT id FROM establishments WHERE uai = ?`, demo.MainUAI)[0]
	h := e.signIn(e.account(has("head")).Login)
	row := e.query(`SELECT s.id || '|' || s.subject_id || '|' || t.teacher_id || '|' || a.class_id || '|' || s.weekday || '|' || s.start_min
		FROM tt_slots s JOIN tt_slot_teachers t ON t.slot_id = s.id JOIN tt_slot_audiences a ON a.slot_id = s.id
		WHERE s.establishment_id = ? AND a.class_id IS NOT NULL AND s.alternation_id IS NULL AND NOT s.exceptional
		AND (SELECT COUNT(*) FROM tt_slot_teachers x WHERE x.slot_id = s.id) = 1 ORDER BY s.id LIMIT 1`, est)[0]
	p := strings.Split(row, "|")
	slot, subject, teacher, class, day, start := p[0], p[1], p[2], p[3], p[4], p[5]
	r := h.get("/timetable/manage/" + est + "?class=" + class + "&edit=" + slot)
	if r.status != 200 || !strings.Contains(r.body, `action="/timetable/manage/`+est+`/slots/`+slot+`"`) || !strings.Contains(r.body, "Modifier le cours") {
		t.Fatalf("edit form: %d", r.status)
	}
	// A co-teacher free at that time in every week, and a free room.
	var startMin int
	fmt.Sscan(start, &startMin)
	co := e.query(`SELECT p.id FROM people p JOIN memberships m ON m.person_id = p.id WHERE m.establishment_id = ? AND p.profile = 'teacher'
		AND p.id NOT IN (SELECT t.teacher_id FROM tt_slot_teachers t JOIN tt_slots s ON s.id = t.slot_id WHERE s.weekday = ?
		AND s.start_min < ? + 55 AND s.start_min + s.duration_min > ?) ORDER BY p.id LIMIT 1`, est, day, startMin, startMin)[0]
	room := e.query(`SELECT r.id FROM tt_rooms r WHERE r.establishment_id = ? AND r.id NOT IN (SELECT COALESCE(s.room_id, '') FROM tt_slots s
		WHERE s.weekday = ? AND s.start_min < ? + 55 AND s.start_min + s.duration_min > ?) ORDER BY r.code LIMIT 1`, est, day, startMin, startMin)[0]
	form := url.Values{"csrf": {h.csrf()}, "class": {class}, "day": {day}, "start": {timetable.HHMM(startMin)}, "duration": {"55"},
		"subject": {subject}, "teacher": {teacher, co}, "audience": {"c:" + class, ""}, "room": {room}}
	if r := h.post("/timetable/manage/"+est+"/slots/"+slot, form); r.status != http.StatusSeeOther {
		t.Fatalf("change: %d %s", r.status, regexp.MustCompile(`(?s)<div class="alert".*?</div>`).FindString(r.body))
	}
	// The lesson has begun: it ends yesterday, and a new one holds the
	// change from today (ttNow) on.
	if got := e.query(`SELECT valid_to FROM tt_slots WHERE id = ?`, slot); got[0] != "2026-11-29" {
		t.Fatalf("the old lesson ends on %v", got)
	}
	if got := e.query(`SELECT teacher_id FROM tt_slot_teachers WHERE slot_id = ? ORDER BY teacher_id`, slot); len(got) != 1 {
		t.Fatalf("the old lesson's teachers changed: %v", got)
	}
	next := e.query(`SELECT s.id FROM tt_slots s JOIN tt_slot_teachers t ON t.slot_id = s.id WHERE t.teacher_id = ? AND s.valid_from = '2026-11-30'
		AND s.room_id = ?`, co, room)
	if len(next) != 1 {
		t.Fatalf("no new lesson from today with the co-teacher and the room: %v", next)
	}
	if got := e.query(`SELECT teacher_id FROM tt_slot_teachers WHERE slot_id = ? ORDER BY teacher_id`, next[0]); len(got) != 2 {
		t.Fatalf("teachers after the change: %v", got)
	}
	// The old lesson is history: it cannot be changed any more.
	if r := h.post("/timetable/manage/"+est+"/slots/"+slot, form); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "ce cours est terminé") {
		t.Fatalf("changing an ended lesson: %d", r.status)
	}
	slot = next[0]
	// Onto another lesson of the same class: refused, typed values kept.
	other := e.query(`SELECT s.weekday || '|' || s.start_min FROM tt_slots s JOIN tt_slot_audiences a ON a.slot_id = s.id
		WHERE a.class_id = ? AND s.id <> ? AND s.alternation_id IS NULL AND NOT s.exceptional AND s.valid_to >= '2026-11-30'
		ORDER BY s.id LIMIT 1`, class, slot)[0]
	q := strings.Split(other, "|")
	var otherStart int
	fmt.Sscan(q[1], &otherStart)
	form.Set("day", q[0])
	form.Set("start", timetable.HHMM(otherStart))
	r = h.post("/timetable/manage/"+est+"/slots/"+slot, form)
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "chevauche") || !strings.Contains(r.body, `value="`+timetable.HHMM(otherStart)+`"`) ||
		!strings.Contains(r.body, `<option value="`+co+`" selected>`) || !strings.Contains(r.body, `id="s-aud-0" aria-invalid="true"`) {
		t.Fatalf("clash: %d", r.status)
	}
	if got := e.query(`SELECT weekday || '|' || start_min FROM tt_slots WHERE id = ?`, slot); got[0] != day+"|"+start {
		t.Fatalf("a refused change moved the lesson: %v", got)
	}
	// A teacher may not change lessons; the lycée's head does not find it.
	tb := e.signIn(e.login(teacher))
	if r := tb.post("/timetable/manage/"+est+"/slots/"+slot, url.Values{"csrf": {tb.csrf()}}); r.status != 404 {
		t.Errorf("a teacher changes a lesson: %d", r.status)
	}
	lycee := e.query(`SELECT id FROM establishments WHERE uai <> ? ORDER BY uai LIMIT 1`, demo.MainUAI)[0]
	other2 := e.query(`SELECT p.login FROM people p JOIN functions f ON f.person_id = p.id WHERE f.establishment_id = ? AND f.function = 'head'`, lycee)
	if len(other2) == 0 {
		t.Fatal("the lycée has no head")
	}
	{
		oh := e.signIn(other2[0])
		form.Set("csrf", oh.csrf())
		if r := oh.post("/timetable/manage/"+lycee+"/slots/"+slot, form); r.status != 404 {
			t.Errorf("another establishment's head changes the lesson: %d", r.status)
		}
	}
}

// The CPE records a teacher's absence on a lesson: cancelled with its
// reason, seen by the class; the CPE still cannot manage the timetable.
func TestCPECancelsALesson(t *testing.T) {
	e := newTTEnv(t, 60)
	est := e.query(`SELECT id FROM establishments WHERE uai = ?`, demo.MainUAI)[0]
	row := e.query(`SELECT s.id || '|' || a.class_id FROM tt_slots s JOIN tt_slot_audiences a ON a.slot_id = s.id
		WHERE s.establishment_id = ? AND s.weekday = 3 AND s.alternation_id IS NULL AND a.class_id IS NOT NULL
		AND NOT EXISTS (SELECT 1 FROM tt_changes c WHERE c.slot_id = s.id AND c.on_date = '2026-12-02') ORDER BY s.id LIMIT 1`, est)[0]
	p := strings.Split(row, "|")
	slot, class := p[0], p[1]
	path := "/lessons/" + slot + "/2026-12-02"
	cpe := e.signIn(e.account(has("cpe")).Login)
	if r := cpe.get(path); r.status != 200 || !strings.Contains(r.body, `name="cancelled"`) {
		t.Fatalf("the CPE's lesson page: %d, change form %v", r.status, strings.Contains(r.body, `name="cancelled"`))
	}
	if r := cpe.post(path+"/change", url.Values{"csrf": {cpe.csrf()}, "cancelled": {"1"}, "reason": {"teacher-absent"}}); r.status != http.StatusSeeOther {
		t.Fatalf("the CPE cancels: %d", r.status)
	}
	student := e.query(`SELECT p.login FROM enrolments en JOIN people p ON p.id = en.student_id WHERE en.class_id = ? ORDER BY p.login LIMIT 1`, class)[0]
	if r := e.signIn(student).get(path); !strings.Contains(r.body, "Cours annulé") || !strings.Contains(r.body, "professeur absent") {
		t.Errorf("the student does not read the cancellation in words")
	}
	if r := cpe.get("/timetable/manage/" + est); r.status != 404 {
		t.Errorf("the CPE opens the timetable management: %d", r.status)
	}
}
