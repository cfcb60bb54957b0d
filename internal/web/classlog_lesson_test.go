package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"cartable/internal/access"
	"cartable/internal/audit"
	"cartable/internal/demo"
	"cartable/internal/i18n"
	"cartable/internal/timetable"
)

// classlogState is everything the class log holds, to tell that a refused
// request changed nothing.
func (e *env) classlogState() string {
	e.t.Helper()
	return strings.Join(e.query(`SELECT id || '|' || author_id || '|' || COALESCE(slot_id, '') || '|' || lesson_date || '|' ||
		COALESCE(class_id, '') || COALESCE(group_id, '') || '|' || title || '|' || body || '|' || updated_at FROM classlog_entries ORDER BY id`), "\n") +
		"\n#" + strings.Join(e.query(`SELECT id || '|' || entry_id || '|' || COALESCE(due_slot_id, '') || '|' || due_date || '|' || description
		FROM homework ORDER BY id`), "\n") +
		"\n#" + strings.Join(e.query(`SELECT entry_id || '|' || file_id FROM classlog_attachments ORDER BY entry_id, file_id`), "\n") +
		"\n#" + strings.Join(e.query(`SELECT id FROM files ORDER BY id`), "\n")
}

// refusalAudited tells whether an access refusal of actor on target was
// recorded.
func (e *env) refusalAudited(actor, target string) bool {
	e.t.Helper()
	events, err := audit.List(context.Background(), e.db, audit.Filter{Action: audit.AccessRefused, ActorID: actor, Limit: 1000})
	if err != nil {
		e.t.Fatal(err)
	}
	for _, ev := range events {
		if ev.Target == target && ev.Outcome == audit.Denied {
			return true
		}
	}
	return false
}

// tuesdayLesson finds, in the main demo school, a weekly Tuesday lesson of
// one class and one teacher, running on 1 and 8 December with nothing
// written nor changed yet, and a colleague who teaches that class another
// lesson. It returns the slot, its teacher, the class, the establishment
// and the colleague.
func tuesdayLesson(e *env) (slot, teacher, class, est, colleague string) {
	e.t.Helper()
	row := e.query(`SELECT s.id || '|' || t.teacher_id || '|' || a.class_id || '|' || s.establishment_id || '|' || MIN(ta.teacher_id)
		FROM tt_slots s JOIN tt_slot_teachers t ON t.slot_id = s.id JOIN tt_slot_audiences a ON a.slot_id = s.id
		JOIN establishments x ON x.id = s.establishment_id
		JOIN teaching_assignments ta ON ta.class_id = a.class_id AND ta.teacher_id <> t.teacher_id
		WHERE x.uai = ? AND s.weekday = 2 AND a.class_id IS NOT NULL AND s.alternation_id IS NULL AND NOT s.exceptional
		AND s.valid_from <= '2026-12-01' AND s.valid_to >= '2026-12-08'
		AND (SELECT COUNT(*) FROM tt_slot_audiences y WHERE y.slot_id = s.id) = 1
		AND (SELECT COUNT(*) FROM tt_slot_teachers y WHERE y.slot_id = s.id) = 1
		AND NOT EXISTS (SELECT 1 FROM classlog_entries c WHERE c.slot_id = s.id AND c.lesson_date IN ('2026-12-01', '2026-12-08'))
		AND NOT EXISTS (SELECT 1 FROM tt_changes c WHERE c.slot_id = s.id AND c.on_date IN ('2026-12-01', '2026-12-08'))
		GROUP BY s.id, t.teacher_id, a.class_id, s.establishment_id ORDER BY s.id LIMIT 1`, demo.MainUAI)
	if len(row) == 0 {
		e.t.Fatal("the demo has no Tuesday lesson of one class and one teacher, with a colleague in that class")
	}
	p := strings.Split(row[0], "|")
	return p[0], p[1], p[2], p[3], p[4]
}

// otherTeacher returns an active teacher of the establishment who is none
// of those given and neither teaches nor heads the class.
func (e *env) otherTeacher(est, class string, not ...string) string {
	e.t.Helper()
	for _, id := range e.query(`SELECT p.id FROM people p JOIN memberships m ON m.person_id = p.id
		WHERE m.establishment_id = ? AND p.profile = 'teacher' AND p.active
		AND NOT EXISTS (SELECT 1 FROM teaching_assignments a WHERE a.teacher_id = p.id AND a.class_id = ?)
		AND NOT EXISTS (SELECT 1 FROM head_teachers h WHERE h.teacher_id = p.id AND h.class_id = ?) ORDER BY p.id`, est, class, class) {
		if !strings.Contains(strings.Join(not, " "), id) {
			return id
		}
	}
	e.t.Fatal("no other teacher in the establishment")
	return ""
}

// entryFields is a filled class log form.
func entryFields(b *browser, title string, kv ...string) map[string]string {
	m := map[string]string{"csrf": b.csrf(), "title": title, "category": "lesson", "body": "<p>Cours</p>",
		"hw0_description": "", "hw0_due": "", "hw0_lesson": "", "hw0_handin": "none"}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}

// The class log of a lesson is written by that lesson's teachers: its
// teacher, a co-teacher, the replacement of that very occurrence. A
// colleague teaching the same class another lesson, a teacher of another
// establishment, forged lessons, audiences and entries are refused (404),
// audited, and change nothing; an author who no longer teaches the lesson
// no longer edits, attaches to, copies or deletes their entry.
func TestClassLogIsWrittenByTheLessonsTeachers(t *testing.T) {
	e := newTTEnv(t, 120)
	ctx := context.Background()
	slot, teacher, class, est, colleague := tuesdayLesson(e)
	lesson, next := "/lessons/"+slot+"/2026-12-01", "/lessons/"+slot+"/2026-12-08"
	coTeacher := e.otherTeacher(est, class, teacher, colleague)
	replacement := e.otherTeacher(est, class, teacher, colleague, coTeacher)
	foreign := e.query(`SELECT p.id FROM people p JOIN memberships m ON m.person_id = p.id JOIN establishments x ON x.id = m.establishment_id
		WHERE x.uai = ? AND p.profile = 'teacher' AND p.active
		AND NOT EXISTS (SELECT 1 FROM memberships o WHERE o.person_id = p.id AND o.establishment_id = ?) ORDER BY p.id LIMIT 1`, demo.SecondUAI, est)[0]
	otherClass := e.query(`SELECT id FROM classes WHERE establishment_id = ? AND id <> ? ORDER BY id LIMIT 1`, est, class)[0]
	tb, cb := e.signIn(e.login(teacher)), e.signIn(e.login(colleague))
	entries := func(date string) []string {
		return e.query(`SELECT author_id || '|' || title FROM classlog_entries WHERE slot_id = ? AND lesson_date = ? ORDER BY 1`, slot, date)
	}

	// The colleague sees the lesson of a class taught, without the form,
	// and cannot post into it.
	if r := cb.get(lesson); r.status != 200 || strings.Contains(r.body, `name="title"`) {
		t.Fatalf("a colleague's view of the lesson: %d, form shown: %v", r.status, strings.Contains(r.body, `name="title"`))
	}
	before := e.classlogState()
	if r := cb.upload(lesson+"/log", entryFields(cb, "Intrusion"), "", "", nil); r.status != http.StatusNotFound {
		t.Fatalf("a colleague of the class publishes into the lesson: %d", r.status)
	}
	if !e.refusalAudited(colleague, "lesson-occurrence:"+slot+"/2026-12-01") {
		t.Error("the colleague's attempt is not audited")
	}
	// A teacher of another establishment: the lesson is not even there.
	fb := e.signIn(e.login(foreign))
	if r := fb.upload(lesson+"/log", entryFields(fb, "Intrusion"), "", "", nil); r.status != http.StatusNotFound {
		t.Fatalf("a teacher of another establishment publishes: %d", r.status)
	}
	if !e.refusalAudited(foreign, "lesson:"+slot) {
		t.Error("the foreign teacher's attempt is not audited")
	}
	// Forged lessons: an unknown slot, a day the lesson does not run, no
	// date at all; for the lesson's own teacher too.
	for _, path := range []string{"/lessons/nope/2026-12-01", "/lessons/" + slot + "/2026-12-02", "/lessons/" + slot + "/1-12-2026",
		"/lessons/" + slot + "/2027-12-07"} {
		for _, b := range []*browser{tb, cb} {
			if r := b.upload(path+"/log", entryFields(b, "Intrusion"), "", "", nil); r.status != http.StatusNotFound {
				t.Errorf("%s: %d", path, r.status)
			}
		}
	}
	if e.classlogState() != before {
		t.Fatal("a refused write changed the class log")
	}

	// The lesson's teacher publishes; so does a co-teacher.
	if r := tb.upload(lesson+"/log", entryFields(tb, "Les fractions"), "", "", nil); r.status != http.StatusSeeOther {
		t.Fatalf("the lesson's teacher publishes: %d %s", r.status, alertRe.FindString(r.body))
	}
	if _, err := e.db.Exec(ctx, `INSERT INTO tt_slot_teachers (slot_id, teacher_id) VALUES (?, ?)`, slot, coTeacher); err != nil {
		t.Fatal(err)
	}
	xb := e.signIn(e.login(coTeacher))
	if r := xb.get(lesson); r.status != 200 || !strings.Contains(r.body, `name="title"`) {
		t.Fatalf("the co-teacher's view of the lesson: %d", r.status)
	}
	r := xb.upload(lesson+"/log", entryFields(xb, "Atelier"), "attachment", "fiche.pdf", pdf("fiche"))
	if r.status != http.StatusSeeOther {
		t.Fatalf("the co-teacher publishes: %d %s", r.status, alertRe.FindString(r.body))
	}
	if got := strings.Join(entries("2026-12-01"), ","); !strings.Contains(got, teacher+"|Les fractions") || !strings.Contains(got, coTeacher+"|Atelier") {
		t.Fatalf("entries of the lesson: %s", got)
	}
	mine := e.query(`SELECT id FROM classlog_entries WHERE slot_id = ? AND lesson_date = '2026-12-01' AND author_id = ?`, slot, teacher)[0]
	theirs := e.query(`SELECT id FROM classlog_entries WHERE slot_id = ? AND lesson_date = '2026-12-01' AND author_id = ?`, slot, coTeacher)[0]
	fiche := e.query(`SELECT file_id FROM classlog_attachments WHERE entry_id = ?`, theirs)[0]

	// Forged audience and forged entry: refused, audited, nothing changed.
	before = e.classlogState()
	if r := tb.upload(lesson+"/log", entryFields(tb, "Ailleurs", "audience", "c:"+otherClass), "", "", nil); r.status != http.StatusNotFound {
		t.Errorf("an audience the lesson does not have: %d", r.status)
	}
	if !e.refusalAudited(teacher, "class:"+otherClass) {
		t.Error("the forged audience is not audited")
	}
	// The teacher's own entry, posted through another occurrence's form.
	if r := tb.upload(next+"/log", entryFields(tb, "Déplacée", "id", mine), "", "", nil); r.status != http.StatusNotFound {
		t.Errorf("an entry edited through another occurrence's form: %d", r.status)
	}
	if !e.refusalAudited(teacher, "classlog-entry:"+mine) {
		t.Error("the entry posted through another occurrence is not audited")
	}
	// A colleague's entry, posted through the lesson's own form.
	if r := xb.upload(lesson+"/log", entryFields(xb, "Réécrite", "id", mine), "", "", nil); r.status != http.StatusNotFound {
		t.Errorf("a co-teacher edits the teacher's entry: %d", r.status)
	}
	if e.classlogState() != before {
		t.Fatal("a forged audience or entry changed the class log")
	}

	// The replacement of 8 December writes that occurrence's log, and only
	// that one.
	head := e.signIn(e.account(func(a demo.Account) bool {
		return has("head")(a) && a.Establishment == demo.MainUAI && len(a.Establishments) == 1
	}).Login)
	if r := head.post(next+"/change", url.Values{"csrf": {head.csrf()}, "replacement": {replacement}}); r.status != http.StatusSeeOther {
		t.Fatalf("the head records a replacement: %d %s", r.status, r.body)
	}
	rb := e.signIn(e.login(replacement))
	if r := rb.get(next); r.status != 200 || !strings.Contains(r.body, `name="title"`) {
		t.Fatalf("the replacement's view of the lesson: %d", r.status)
	}
	if r := rb.upload(next+"/log", entryFields(rb, "Remplacement"), "", "", nil); r.status != http.StatusSeeOther {
		t.Fatalf("the replacement publishes: %d %s", r.status, alertRe.FindString(r.body))
	}
	if got := entries("2026-12-08"); len(got) != 1 || got[0] != replacement+"|Remplacement" {
		t.Fatalf("entries of the replaced occurrence: %v", got)
	}
	before = e.classlogState()
	if r := rb.upload(lesson+"/log", entryFields(rb, "Remplacement"), "", "", nil); r.status != http.StatusNotFound {
		t.Errorf("the replacement writes an occurrence not replaced: %d", r.status)
	}
	if e.classlogState() != before {
		t.Fatal("the replacement's refused write changed the class log")
	}

	// The co-teacher leaves the lesson: their entry stays, but they no
	// longer edit it, attach to it, remove its files, copy or delete it.
	if _, err := e.db.Exec(ctx, `DELETE FROM tt_slot_teachers WHERE slot_id = ? AND teacher_id = ?`, slot, coTeacher); err != nil {
		t.Fatal(err)
	}
	before = e.classlogState()
	for what, r := range map[string]response{
		"edit":   xb.upload(lesson+"/log", entryFields(xb, "Atelier modifié", "id", theirs), "", "", nil),
		"attach": xb.upload(lesson+"/log", entryFields(xb, "Atelier", "id", theirs), "attachment", "plan.pdf", pdf("plan")),
		"remove": xb.post("/classlog/entries/"+theirs+"/attachments/"+fiche+"/remove", url.Values{"csrf": {xb.csrf()}}),
		"copy":   xb.post("/classlog/entries/"+theirs+"/copy", url.Values{"csrf": {xb.csrf()}, "target": {"c:" + otherClass}}),
		"delete": xb.post("/classlog/entries/"+theirs+"/delete", url.Values{"csrf": {xb.csrf()}}),
	} {
		if r.status != http.StatusNotFound {
			t.Errorf("%s by a former co-teacher: %d", what, r.status)
		}
	}
	if e.classlogState() != before || !e.hasBlob(fiche) {
		t.Fatal("a former co-teacher changed their entry")
	}
	if !e.refusalAudited(coTeacher, "classlog-entry:"+theirs) {
		t.Error("the former co-teacher's attempts are not audited")
	}
	// The colleague of the class cannot delete or edit the teacher's entry.
	if r := cb.post("/classlog/entries/"+mine+"/delete", url.Values{"csrf": {cb.csrf()}}); r.status != http.StatusNotFound {
		t.Errorf("a colleague deletes the teacher's entry: %d", r.status)
	}
	// The lesson's teacher still edits their entry.
	if r := tb.upload(lesson+"/log", entryFields(tb, "Les fractions, suite", "id", mine), "", "", nil); r.status != http.StatusSeeOther {
		t.Fatalf("the teacher edits their entry: %d %s", r.status, alertRe.FindString(r.body))
	}
	if got := e.query(`SELECT title FROM classlog_entries WHERE id = ?`, mine); got[0] != "Les fractions, suite" {
		t.Errorf("title after the edit: %v", got)
	}
}

// A homework due "at a lesson" names a real lesson of the entry's class or
// group (or one the author teaches), in the same establishment, on or
// after the entry's date. Anything else is a field error on the form, with
// everything typed kept and nothing saved, never a server error; a lesson
// refused that way is audited (only a forged or stale form sends one).
func TestClassLogDueLessonIsChecked(t *testing.T) {
	e := newTTEnv(t, 120)
	ctx := context.Background()
	slot, teacher, class, est, _ := tuesdayLesson(e)
	lesson := "/lessons/" + slot + "/2026-12-01"
	tb := e.signIn(e.login(teacher))
	// first returns "SLOT/DATE" of the first lesson of a target between two
	// dates that keep says yes to.
	first := func(kind, id, from, to string, keep func(timetable.Lesson) bool) string {
		t.Helper()
		ls, err := timetable.Lessons(ctx, access.System("test"), e.db, timetable.Target{Kind: kind, ID: id}, from, to)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range ls {
			if !l.Cancelled() && keep(l) {
				return l.Key()
			}
		}
		return ""
	}
	ofClass := func(l timetable.Lesson) bool {
		for _, a := range l.Slot.Audiences {
			if a.ClassID == class && a.GroupID == "" {
				return true
			}
		}
		return false
	}
	taughtBy := func(id string) func(timetable.Lesson) bool {
		return func(l timetable.Lesson) bool {
			for _, p := range l.Slot.Teachers {
				if p.ID == id {
					return true
				}
			}
			return false
		}
	}
	valid := first(timetable.TargetClass, class, "2026-12-02", "2026-12-18", ofClass)
	earlier := first(timetable.TargetClass, class, "2026-11-23", "2026-11-30", ofClass)
	// A lesson of the establishment, of another class, taught by another.
	notMine := ""
	for _, c := range e.query(`SELECT id FROM classes WHERE establishment_id = ? AND id <> ? ORDER BY id`, est, class) {
		if notMine = first(timetable.TargetClass, c, "2026-12-02", "2026-12-18", func(l timetable.Lesson) bool {
			return !taughtBy(teacher)(l) && !ofClass(l)
		}); notMine != "" {
			break
		}
	}
	foreignClass := e.query(`SELECT c.id FROM classes c JOIN establishments x ON x.id = c.establishment_id WHERE x.uai = ? ORDER BY c.id LIMIT 1`, demo.SecondUAI)[0]
	foreign := first(timetable.TargetClass, foreignClass, "2026-12-02", "2026-12-18", func(timetable.Lesson) bool { return true })
	// The lesson of the class, a day it does not run.
	validSlot, validDate, _ := strings.Cut(valid, "/")
	wrongDay := validSlot + "/" + mustAddDays(t, validDate, 1)
	for name, v := range map[string]string{"valid": valid, "earlier": earlier, "not mine": notMine, "foreign": foreign} {
		if v == "" {
			t.Fatalf("the demo has no %s lesson to choose", name)
		}
	}

	before := e.classlogState()
	for _, c := range []struct{ what, value, says string }{
		{"an unknown lesson", "nope/2026-12-03", "séance impossible « nope/2026-12-03 »"},
		{"a lesson of another establishment", foreign, "séance impossible « " + foreign + " »"},
		{"a lesson of another class, not the teacher's", notMine, "séance impossible « " + notMine + " »"},
		{"the class's lesson on a day it does not run", wrongDay, "séance impossible « " + wrongDay + " »"},
		{"a lesson before the entry's", earlier, "la date de remise (" + i18n.DayName("fr", mustParse(t, earlier[strings.Index(earlier, "/")+1:])) + ") précède la séance"},
		{"no date", "nope", "séance impossible « nope »"},
		{"an impossible date", validSlot + "/2026-13-45", "séance impossible « " + validSlot + "/2026-13-45 »"},
	} {
		r := tb.upload(lesson+"/log", entryFields(tb, "Devoirs pour la suite", "body", "Tom & Jerry", "hw0_description", "Exercice 4 page 12",
			"hw0_lesson", c.value, "hw0_minutes", "15", "hw0_handin", "paper"), "", "", nil)
		if r.status != http.StatusUnprocessableEntity {
			t.Errorf("%s: %d", c.what, r.status)
			continue
		}
		for _, want := range []string{"Travail n° 1, Pour la séance : " + c.says, `value="Devoirs pour la suite"`, ">Tom &amp; Jerry</textarea>",
			">Exercice 4 page 12</textarea>", `value="15"`, `<option value="` + c.value + `" selected>`,
			`name="hw0_lesson" aria-invalid="true"`} {
			if !strings.Contains(r.body, want) {
				t.Errorf("%s: the page lacks %q\n%s", c.what, want, alertRe.FindString(r.body))
			}
		}
	}
	if e.classlogState() != before {
		t.Fatal("a refused due lesson saved something")
	}
	for _, v := range []string{foreign, notMine, wrongDay} {
		if !e.refusalAudited(teacher, "lesson-occurrence:"+v) {
			t.Errorf("the refused lesson %s is not audited", v)
		}
	}

	// A lesson of the class, and one the teacher teaches another class or
	// group (when the demo has one), are accepted.
	own := first(timetable.TargetTeacher, teacher, "2026-12-02", "2026-12-18", func(l timetable.Lesson) bool { return !ofClass(l) })
	t.Logf("due at the class's lesson %s; at the teacher's lesson of another audience %q", valid, own)
	fields := entryFields(tb, "Devoirs pour la suite", "hw0_description", "Exercice 4 page 12", "hw0_lesson", valid, "hw0_handin", "paper")
	if own != "" {
		fields["hw1_description"], fields["hw1_lesson"], fields["hw1_due"], fields["hw1_handin"] = "Lecture", own, "", "none"
	}
	if r := tb.upload(lesson+"/log", fields, "", "", nil); r.status != http.StatusSeeOther {
		t.Fatalf("a lesson of the class: %d %s", r.status, alertRe.FindString(r.body))
	}
	got := e.query(`SELECT h.due_slot_id || '/' || h.due_date FROM homework h JOIN classlog_entries c ON c.id = h.entry_id
		WHERE c.slot_id = ? AND c.lesson_date = '2026-12-01' ORDER BY h.description`, slot)
	want := []string{valid}
	if own != "" {
		want = []string{valid, own}
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("homework due at %v, want %v", got, want)
	}

	// Every lesson the form offers is one the save takes.
	page := tb.get("/lessons/" + slot + "/2026-12-08")
	sel := regexp.MustCompile(`(?s)name="hw0_lesson".*?</select>`).FindString(page.body)
	offered := regexp.MustCompile(`<option value="([^"]+)"`).FindAllStringSubmatch(sel, -1)
	if len(offered) == 0 {
		t.Fatal("the form offers no lesson to set homework for")
	}
	fields = entryFields(tb, "La suite")
	for i, o := range offered {
		p := fmt.Sprintf("hw%d_", i)
		fields[p+"description"], fields[p+"lesson"], fields[p+"due"], fields[p+"handin"] = "Travail", o[1], "", "none"
	}
	if r := tb.upload("/lessons/"+slot+"/2026-12-08/log", fields, "", "", nil); r.status != http.StatusSeeOther {
		t.Fatalf("the lessons offered (%d): %d %s", len(offered), r.status, alertRe.FindString(r.body))
	}
}

func mustParse(t *testing.T, date string) time.Time {
	t.Helper()
	d, err := timetable.ParseDate(date)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func mustAddDays(t *testing.T, date string, n int) string {
	t.Helper()
	d, err := timetable.ParseDate(date)
	if err != nil {
		t.Fatal(err)
	}
	return d.AddDate(0, 0, n).Format(timetable.DateFormat)
}

// A copy goes to a class or group of the entry's establishment that its
// author teaches the entry's subject to. A group of another establishment
// the author teaches there is refused with a message (the copy would reach
// nobody); one they do not teach, or a forged target, is refused as
// unknown (404) and audited; nothing is created either way.
func TestClassLogCopyStaysInItsEstablishment(t *testing.T) {
	e := newTTEnv(t, 120)
	ctx := context.Background()
	// A teacher of both demo schools, and their lesson of one audience in
	// the first week of December.
	row := e.query(`SELECT p.id || '|' || s.id || '|' || s.establishment_id || '|' || s.subject_id FROM people p
		JOIN tt_slot_teachers t ON t.teacher_id = p.id JOIN tt_slots s ON s.id = t.slot_id
		WHERE p.profile = 'teacher' AND (SELECT COUNT(*) FROM memberships m WHERE m.person_id = p.id) > 1
		AND s.alternation_id IS NULL AND NOT s.exceptional AND s.weekday BETWEEN 1 AND 5
		AND (SELECT COUNT(*) FROM tt_slot_audiences a WHERE a.slot_id = s.id) = 1 ORDER BY p.id, s.id LIMIT 1`)
	if len(row) == 0 {
		t.Fatal("the demo has no teacher of both schools with a lesson")
	}
	p := strings.Split(row[0], "|")
	teacher, slot, est, subject := p[0], p[1], p[2], p[3]
	ls, err := timetable.Lessons(ctx, access.System("test"), e.db, timetable.Target{Kind: timetable.TargetTeacher, ID: teacher}, "2026-11-30", "2026-12-11")
	if err != nil {
		t.Fatal(err)
	}
	date := ""
	for _, l := range ls {
		if l.Slot.ID == slot && date == "" {
			date = l.Date
		}
	}
	if date == "" {
		t.Fatal("the lesson does not run in the first weeks of December")
	}
	tb := e.signIn(e.login(teacher))
	if r := tb.upload("/lessons/"+slot+"/"+date+"/log", entryFields(tb, "Les fractions", "hw0_description", "Exercices",
		"hw0_due", "2026-12-14"), "", "", nil); r.status != http.StatusSeeOther {
		t.Fatalf("the entry to copy: %d %s", r.status, alertRe.FindString(r.body))
	}
	entry := e.query(`SELECT id FROM classlog_entries WHERE slot_id = ? AND lesson_date = ? AND author_id = ?`, slot, date, teacher)[0]
	other := e.query(`SELECT establishment_id FROM memberships WHERE person_id = ? AND establishment_id <> ? ORDER BY 1 LIMIT 1`, teacher, est)[0]
	groups := e.query(`SELECT id FROM groups WHERE establishment_id = ? ORDER BY id LIMIT 2`, other)
	if len(groups) < 2 {
		t.Fatal("the other school has fewer than two groups")
	}
	taughtThere, notTaught := groups[0], groups[1]
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := e.db.Exec(ctx, q, args...); err != nil {
			t.Fatal(err)
		}
	}
	exec(`DELETE FROM teaching_assignments WHERE teacher_id = ? AND group_id = ?`, teacher, notTaught)
	exec(`INSERT INTO teaching_assignments (id, establishment_id, teacher_id, group_id, subject_id)
		SELECT 'copy-test-1', ?, ?, ?, MIN(id) FROM subjects WHERE establishment_id = ?`, other, teacher, taughtThere, other)
	// A class of the entry's school taught another subject only.
	classes := e.query(`SELECT c.id FROM classes c WHERE c.establishment_id = ?
		AND NOT EXISTS (SELECT 1 FROM teaching_assignments a WHERE a.class_id = c.id AND a.teacher_id = ?)
		AND NOT EXISTS (SELECT 1 FROM tt_slot_audiences a JOIN tt_slot_teachers x ON x.slot_id = a.slot_id WHERE a.class_id = c.id AND x.teacher_id = ?)
		ORDER BY c.id LIMIT 2`, est, teacher, teacher)
	if len(classes) < 2 {
		t.Fatal("the school has fewer than two classes the teacher does not teach")
	}
	otherSubject, sameSubject := classes[0], classes[1]
	exec(`INSERT INTO teaching_assignments (id, establishment_id, teacher_id, class_id, subject_id)
		SELECT 'copy-test-2', ?, ?, ?, MIN(id) FROM subjects WHERE establishment_id = ? AND id <> ?`, est, teacher, otherSubject, est, subject)
	exec(`INSERT INTO teaching_assignments (id, establishment_id, teacher_id, class_id, subject_id) VALUES ('copy-test-3', ?, ?, ?, ?)`,
		est, teacher, sameSubject, subject)

	copyTo := func(b *browser, target string) response {
		return b.post("/classlog/entries/"+entry+"/copy", url.Values{"csrf": {b.csrf()}, "target": {target}, "date": {"2026-12-10"}})
	}
	before := e.classlogState()
	for _, c := range []struct {
		what, target string
		status       int
		says, audit  string
	}{
		{"a group of the other school, taught there", "g:" + taughtThere, http.StatusUnprocessableEntity, "appartient à un autre établissement", ""},
		{"a group of the other school, not taught", "g:" + notTaught, http.StatusNotFound, "", "group:" + notTaught},
		{"a class taught another subject", "c:" + otherSubject, http.StatusUnprocessableEntity, "vous n&#39;enseignez pas la matière", ""},
		{"a forged kind of target", "x:" + sameSubject, http.StatusNotFound, "", "structure:x:" + sameSubject},
		{"a target without identifier", "c:", http.StatusNotFound, "", "structure:c:"},
		{"an unknown class", "c:nope", http.StatusNotFound, "", "class:nope"},
		{"no target", "", http.StatusUnprocessableEntity, "Choisissez la classe ou le groupe", ""},
	} {
		r := copyTo(tb, c.target)
		if r.status != c.status || !strings.Contains(r.body, c.says) {
			t.Errorf("copy to %s: %d, want %d with %q", c.what, r.status, c.status, c.says)
		}
		if c.status == http.StatusUnprocessableEntity && !strings.Contains(strings.ToLower(r.body), "rien n&#39;a été copié") {
			t.Errorf("copy to %s does not say that nothing was copied", c.what)
		}
		if c.audit != "" && !e.refusalAudited(teacher, c.audit) {
			t.Errorf("copy to %s: not audited", c.what)
		}
	}
	if e.classlogState() != before {
		t.Fatal("a refused copy created or changed something")
	}
	// A colleague cannot copy the teacher's entry, even to a class taught.
	colleague := e.query(`SELECT teacher_id FROM teaching_assignments WHERE establishment_id = ? AND teacher_id <> ? ORDER BY 1 LIMIT 1`, est, teacher)[0]
	cb := e.signIn(e.login(colleague))
	if r := copyTo(cb, "c:"+sameSubject); r.status != http.StatusNotFound || !e.refusalAudited(colleague, "classlog-entry:"+entry) {
		t.Errorf("a colleague copies the entry: %d", r.status)
	}
	// A class of the entry's school taught the same subject: copied.
	if r := copyTo(tb, "c:"+sameSubject); r.status != http.StatusSeeOther {
		t.Fatalf("copy to a class taught the subject: %d %s", r.status, r.body)
	}
	if got := e.query(`SELECT establishment_id || '|' || lesson_date FROM classlog_entries WHERE class_id = ? AND title = 'Les fractions'`, sameSubject); len(got) != 1 || got[0] != est+"|2026-12-10" {
		t.Errorf("the copy: %v", got)
	}
}
