package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"cartable/internal/demo"
)

// block is the HTML of the home page's block whose heading has id, or ""
// when the page has none.
func block(body, id string) string {
	i := strings.Index(body, `aria-labelledby="`+id+`"`)
	if i < 0 {
		return ""
	}
	j := strings.Index(body[i:], "</section>")
	return body[i : i+j]
}

// item is the HTML of the list item holding marker in a block, or "".
func item(blk, marker string) string {
	i := strings.Index(blk, marker)
	if i < 0 {
		return ""
	}
	start := strings.LastIndex(blk[:i], `<li class="item`)
	end := strings.Index(blk[i:], "</li>\n")
	if start < 0 || end < 0 {
		return blk[i:]
	}
	return blk[start : i+end]
}

// A student's home page at 09:30 on Monday 30 November: today's lessons,
// tomorrow's with the lesson cancelled for a teacher's absence told in
// words, the homework due tomorrow with a tick that stays, and the page
// titled by its day. The child's relative sees the same with the tick as a
// fact, may not tick, and may not name another family's child.
func TestHomeStudentAndRelative(t *testing.T) {
	e := newTTEnv(t, 120)
	row := e.query(`SELECT a.class_id || '|' || c.slot_id || '|' || su.name FROM tt_changes c
		JOIN tt_slots s ON s.id = c.slot_id JOIN subjects su ON su.id = s.subject_id
		JOIN tt_slot_audiences a ON a.slot_id = c.slot_id
		WHERE c.cancelled AND c.reason = 'teacher-absent' AND c.on_date = '2026-12-01' AND a.class_id IS NOT NULL
		AND EXISTS (SELECT 1 FROM homework h WHERE h.class_id = a.class_id AND h.due_date = '2026-12-01')
		ORDER BY 1 LIMIT 1`)
	if len(row) == 0 {
		t.Fatal("the demo cancels no lesson on Tuesday 1 December of a class with homework due then")
	}
	p := strings.Split(row[0], "|")
	class, slot, subject := p[0], p[1], p[2]
	student := e.query(`SELECT e.student_id FROM enrolments e JOIN family_links f ON f.student_id = e.student_id
		WHERE e.class_id = ? ORDER BY 1 LIMIT 1`, class)[0]
	parent := e.query(`SELECT relative_id FROM family_links WHERE student_id = ? ORDER BY 1 LIMIT 1`, student)[0]
	hw := e.query(`SELECT id FROM homework WHERE class_id = ? AND due_date = '2026-12-01' ORDER BY id`, class)

	s := e.signIn(e.login(student))
	r := s.get("/")
	if r.status != 200 || !strings.Contains(r.body, "<title>Accueil · lundi 30 novembre · Cartable</title>") {
		t.Fatalf("student's home: %d, title %q", r.status, title(r))
	}
	if today := block(r.body, "b-today"); !strings.Contains(today, "<h2 id=\"b-today\">Aujourd&#39;hui") || strings.Count(today, `<li class="item`) == 0 {
		t.Errorf("no lessons today: %.400s", today)
	}
	next := block(r.body, "b-next")
	if !strings.Contains(next, "Demain, mardi 1er décembre") {
		t.Fatalf("tomorrow's block: %.300s", next)
	}
	cancelled := item(next, `/lessons/`+slot+`/2026-12-01"`)
	if !strings.Contains(cancelled, subject) || !strings.Contains(cancelled, "Cours annulé — motif : professeur absent") ||
		!strings.Contains(cancelled, `class="item cancelled`) {
		t.Errorf("the cancelled lesson is not told: %q", cancelled)
	}
	due := block(r.body, "b-due")
	if !strings.Contains(due, "À faire pour demain, mardi 1er décembre") {
		t.Errorf("homework block: %.300s", due)
	}
	for _, h := range hw {
		if !strings.Contains(due, `id="tick-`+h+`"`) {
			t.Errorf("homework %s due tomorrow is not on the home page with its tick", h)
		}
	}

	// The tick is posted from the home page and stays there.
	csrf := csrfRe.FindStringSubmatch(r.body)[1]
	r = s.post("/home/homework/"+hw[0]+"/done", url.Values{"csrf": {csrf}, "done": {"1"}})
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/?saved=done#hw-"+hw[0] {
		t.Fatalf("tick: %d %s", r.status, r.header.Get("Location"))
	}
	r = s.get("/?saved=done")
	done := item(block(r.body, "b-due"), `id="hw-`+hw[0]+`"`)
	if !strings.Contains(done, `id="undo-`+hw[0]+`"`) || !strings.Contains(done, "fait ✓") || !strings.Contains(r.body, "C&#39;est noté.") {
		t.Errorf("the tick did not stay: %q", done)
	}

	// The relative: the same blocks for the child, the tick as a fact.
	pb := e.signIn(e.login(parent))
	r = pb.get("/?child=" + student)
	if r.status != 200 || !strings.Contains(item(block(r.body, "b-next"), `/lessons/`+slot+`/2026-12-01"`), "Cours annulé") {
		t.Fatalf("the relative does not see tomorrow's cancelled lesson: %d", r.status)
	}
	due = block(r.body, "b-due")
	if d := item(due, `id="hw-`+hw[0]+`"`); !strings.Contains(d, "fait ✓") || strings.Contains(d, "<form") {
		t.Errorf("the relative's view of the ticked homework: %q", d)
	}
	if len(hw) > 1 {
		if d := item(due, `id="hw-`+hw[1]+`"`); !strings.Contains(d, "à faire") {
			t.Errorf("the relative's view of the homework not ticked: %q", d)
		}
	}
	if strings.Contains(due, "/home/homework/") {
		t.Error("the relative is offered a tick")
	}
	pcsrf := csrfRe.FindStringSubmatch(r.body)[1]
	if r := pb.post("/home/homework/"+hw[0]+"/done", url.Values{"csrf": {pcsrf}, "done": {"0"}}); r.status != http.StatusNotFound {
		t.Errorf("the relative unticks: %d", r.status)
	}
	// Another family's child, and a forged one, are refused like missing pages.
	other := e.query(`SELECT student_id FROM enrolments WHERE student_id NOT IN
		(SELECT student_id FROM family_links WHERE relative_id = ?) ORDER BY 1 LIMIT 1`, parent)[0]
	for _, id := range []string{other, "nobody"} {
		if r := pb.get("/?child=" + id); r.status != http.StatusNotFound || strings.Contains(r.body, "b-due") {
			t.Errorf("?child=%s: %d", id, r.status)
		}
	}
	// Nor may a student tick another class's homework.
	foreign := e.query(`SELECT id FROM homework WHERE class_id <> ? AND group_id IS NULL ORDER BY id LIMIT 1`, class)[0]
	if r := s.post("/home/homework/"+foreign+"/done", url.Values{"csrf": {csrf}, "done": {"1"}}); r.status != http.StatusNotFound {
		t.Errorf("a student ticks another class's homework: %d", r.status)
	}
	if n := e.query(`SELECT COUNT(*) FROM homework_done WHERE homework_id = ?`, foreign); n[0] != "0" {
		t.Error("the forged tick was stored")
	}
}

// What the teachers published since the last visit appears once: during
// the visit it stays (a reload, coming back from a lesson), and after a
// pause the next visit no longer shows it. The relative has a visit of
// their own.
func TestHomeNewsSinceLastVisit(t *testing.T) {
	e := newTTEnv(t, 120)
	slot, teacher, class, _, _ := tuesdayLesson(e)
	student := e.query(`SELECT e.student_id FROM enrolments e JOIN family_links f ON f.student_id = e.student_id
		WHERE e.class_id = ? ORDER BY 1 LIMIT 1`, class)[0]
	parent := e.query(`SELECT relative_id FROM family_links WHERE student_id = ? ORDER BY 1 LIMIT 1`, student)[0]

	s := e.signIn(e.login(student))
	if r := s.get("/"); !strings.Contains(block(r.body, "b-news"), "Publié ces sept derniers jours") {
		t.Fatalf("first visit: %.300s", block(r.body, "b-news"))
	}
	pb := e.signIn(e.login(parent))
	pb.get("/?child=" + student)
	// Forty minutes later (the session kept alive elsewhere): a new visit,
	// with nothing new.
	e.clock.Add(20 * time.Minute)
	s.get("/timetable")
	pb.get("/timetable")
	e.clock.Add(20 * time.Minute)
	r := s.get("/")
	if news := block(r.body, "b-news"); !strings.Contains(news, "Rien de nouveau depuis votre dernière visite.") {
		t.Fatalf("second visit: %.400s", news)
	}

	// The teacher writes tomorrow's lesson up ahead, with homework.
	e.clock.Add(5 * time.Minute)
	tb := e.signIn(e.login(teacher))
	if r := tb.upload("/lessons/"+slot+"/2026-12-01/log", entryFields(tb, "Les volcans", "hw0_description", "Lire la page 40",
		"hw0_due", "2026-12-08"), "", "", nil); r.status != http.StatusSeeOther {
		t.Fatalf("the teacher's entry: %d %s", r.status, alertRe.FindString(r.body))
	}
	e.clock.Add(2 * time.Minute)
	for i, what := range []string{"the page after", "a reload"} {
		r = s.get("/")
		news := block(r.body, "b-news")
		it := item(news, "Les volcans")
		if !strings.Contains(it, `href="/lessons/`+slot+`/2026-12-01"`) || !strings.Contains(it, "1 travail donné") ||
			!strings.Contains(news, "1 nouveauté") {
			t.Fatalf("%s: the new entry is not shown: %.500s", what, news)
		}
		if i == 0 {
			e.clock.Add(10 * time.Minute)
		}
	}
	// After a pause, the next visit has it no more.
	e.clock.Add(20 * time.Minute)
	s.get("/timetable")
	e.clock.Add(20 * time.Minute)
	if r := s.get("/"); strings.Contains(r.body, "Les volcans") {
		t.Error("the entry is still new at the next visit")
	}
	// The relative has not visited since (their session ended meanwhile,
	// not their visits): it is new for them.
	pb = e.signIn(e.login(parent))
	if r := pb.get("/?child=" + student); !strings.Contains(block(r.body, "b-news"), "Les volcans") {
		t.Error("the relative does not see the new entry")
	}
}

// A teacher's home page: today's begun lessons without an entry are to
// write until written; the work handed in since the last visit leads to
// the hand-ins. A teacher of another class sees neither.
func TestHomeTeacher(t *testing.T) {
	e := newTTEnv(t, 120)
	// A lesson of today (Monday 30 November) begun by 09:30, of one
	// teacher, not cancelled, written by nobody.
	row := e.query(`SELECT s.id || '|' || t.teacher_id FROM tt_slots s JOIN tt_slot_teachers t ON t.slot_id = s.id
		JOIN establishments x ON x.id = s.establishment_id
		WHERE x.uai = ? AND s.weekday = 1 AND s.start_min <= 510 AND s.alternation_id IS NULL AND NOT s.exceptional
		AND s.valid_from <= '2026-11-30' AND s.valid_to >= '2026-11-30'
		AND (SELECT COUNT(*) FROM tt_slot_teachers y WHERE y.slot_id = s.id) = 1
		AND NOT EXISTS (SELECT 1 FROM tt_changes c WHERE c.slot_id = s.id AND c.on_date = '2026-11-30')
		AND EXISTS (SELECT 1 FROM homework h JOIN classlog_entries ce ON ce.id = h.entry_id
			WHERE ce.author_id = t.teacher_id AND h.handin = 'upload' AND h.class_id IS NOT NULL AND h.due_date >= '2026-11-30')
		ORDER BY s.id LIMIT 1`, demo.MainUAI)
	if len(row) == 0 {
		t.Fatal("the demo has no Monday morning lesson of a teacher who set work to upload")
	}
	p := strings.Split(row[0], "|")
	slot, teacher := p[0], p[1]
	lesson := "/lessons/" + slot + "/2026-11-30"

	tb := e.signIn(e.login(teacher))
	r := tb.get("/")
	toWrite := block(r.body, "b-towrite")
	if !strings.Contains(toWrite, `href="`+lesson+`#form-h"`) {
		t.Fatalf("the begun lesson is not to write: %.500s", toWrite)
	}
	if hb := block(r.body, "b-handins"); !strings.Contains(hb, "Aucun travail remis ces sept derniers jours.") {
		t.Errorf("hand-ins before any: %.300s", hb)
	}

	// A student hands work in.
	row = e.query(`SELECT h.id || '|' || en.student_id FROM homework h JOIN classlog_entries ce ON ce.id = h.entry_id
		JOIN enrolments en ON en.class_id = h.class_id
		WHERE ce.author_id = ? AND h.handin = 'upload' AND h.due_date >= '2026-11-30' ORDER BY h.id, en.student_id LIMIT 1`, teacher)
	p = strings.Split(row[0], "|")
	hw, student := p[0], p[1]
	sb := e.signIn(e.login(student))
	if r := sb.upload("/homework/"+hw+"/hand-in", map[string]string{"csrf": sb.csrf()}, "file", "copie.pdf", pdf("copie")); r.status != http.StatusSeeOther {
		t.Fatalf("hand-in: %d %s", r.status, alertRe.FindString(r.body))
	}

	// The teacher writes the lesson up.
	if r := tb.upload(lesson+"/log", entryFields(tb, "Séance du lundi"), "", "", nil); r.status != http.StatusSeeOther {
		t.Fatalf("the entry: %d %s", r.status, alertRe.FindString(r.body))
	}
	r = tb.get("/")
	if strings.Contains(block(r.body, "b-towrite"), lesson) {
		t.Error("the lesson written up is still to write")
	}
	hb := block(r.body, "b-handins")
	if it := item(hb, `href="/homework/`+hw+`/hand-ins"`); !strings.Contains(it, "1 copie remise") {
		t.Errorf("the hand-in is not shown: %.500s", hb)
	}
	if r := tb.get("/homework/" + hw + "/hand-ins"); r.status != 200 {
		t.Errorf("the hand-ins page: %d", r.status)
	}

	// A teacher of another class: neither the lesson nor the hand-ins, and
	// no tick.
	class := e.query(`SELECT class_id FROM homework WHERE id = ?`, hw)[0]
	est := e.query(`SELECT establishment_id FROM homework WHERE id = ?`, hw)[0]
	ob := e.signIn(e.login(e.otherTeacher(est, class, teacher)))
	r = ob.get("/")
	if strings.Contains(r.body, hw) || strings.Contains(r.body, lesson) {
		t.Error("another teacher's home shows this teacher's lesson or hand-ins")
	}
	if r := ob.get("/homework/" + hw + "/hand-ins"); r.status != http.StatusNotFound {
		t.Errorf("another teacher opens the hand-ins: %d", r.status)
	}
	if r := ob.post("/home/homework/"+hw+"/done", url.Values{"csrf": {ob.csrf()}, "done": {"1"}}); r.status != http.StatusNotFound {
		t.Errorf("a teacher ticks: %d", r.status)
	}
}

// The head's office and the CPE see, on a day with a teacher absent, who
// is absent and which lessons are cancelled; a teacher, the operator and
// the head of the other school do not.
func TestHomeStaffDay(t *testing.T) {
	e := newTTEnv(t, 120)
	day := e.query(`SELECT MIN(c.on_date) FROM tt_changes c JOIN establishments x ON x.id = c.establishment_id
		WHERE x.uai = ? AND c.cancelled AND c.reason = 'teacher-absent'`, demo.MainUAI)[0]
	at, err := time.ParseInLocation("2006-01-02 15:04", day+" 09:30", ttNow.Location())
	if err != nil {
		t.Fatalf("no day of absence in the demo: %v", err)
	}
	e.clock.Add(at.Sub(ttNow))
	absent := e.query(`SELECT DISTINCT p.last_name FROM tt_changes c JOIN tt_slot_teachers t ON t.slot_id = c.slot_id
		JOIN people p ON p.id = t.teacher_id JOIN establishments x ON x.id = c.establishment_id
		WHERE x.uai = ? AND c.cancelled AND c.reason = 'teacher-absent' AND c.on_date = ?`, demo.MainUAI, day)
	cancelled := e.query(`SELECT c.slot_id FROM tt_changes c JOIN establishments x ON x.id = c.establishment_id
		WHERE x.uai = ? AND c.cancelled AND c.on_date = ? ORDER BY 1`, demo.MainUAI, day)

	for _, fn := range []string{"head", "cpe"} {
		a := e.account(func(a demo.Account) bool { return a.Establishment == demo.MainUAI && has(fn)(a) })
		b := e.signIn(a.Login)
		r := b.get("/")
		ab := block(r.body, "b-absent")
		for _, name := range absent {
			if !strings.Contains(ab, name) {
				t.Errorf("%s: absent teacher %s not listed: %.400s", fn, name, ab)
			}
		}
		cb := block(r.body, "b-cancelled")
		if n := strings.Count(cb, `<li class="item cancelled`); n != min(len(cancelled), 8) {
			t.Errorf("%s: %d cancelled lessons listed, the day has %d", fn, n, len(cancelled))
		}
		if !strings.Contains(cb, `/lessons/`+cancelled[0]+`/`+day+`"`) {
			t.Errorf("%s: the cancelled lesson does not lead to its page", fn)
		}
		if r := b.get("/lessons/" + cancelled[0] + "/" + day); r.status != 200 {
			t.Errorf("%s opens the cancelled lesson: %d", fn, r.status)
		}
	}
	teacher := e.account(func(a demo.Account) bool { return a.Profile == "teacher" && a.Establishment == demo.MainUAI })
	admin := e.account(func(a demo.Account) bool { return a.Profile == "admin" })
	otherHead := e.account(func(a demo.Account) bool { return a.Establishment == demo.SecondUAI && has("head")(a) })
	for _, a := range []demo.Account{teacher, admin, otherHead} {
		r := e.signIn(a.Login).get("/")
		if r.status != 200 {
			t.Fatalf("%s's home: %d", a.Login, r.status)
		}
		for _, name := range absent {
			if strings.Contains(block(r.body, "b-absent"), name) {
				t.Errorf("%s (%s) sees the absent teacher %s", a.Login, a.Profile, name)
			}
		}
		if strings.Contains(r.body, `/lessons/`+cancelled[0]+`/`+day) {
			t.Errorf("%s (%s) sees the cancelled lessons of the day", a.Login, a.Profile)
		}
	}
	// The same teacher made deputy of the school sees the day, from the
	// policy's function rule (a sign-in loads the functions anew).
	est := e.query(`SELECT id FROM establishments WHERE uai = ?`, demo.MainUAI)[0]
	if _, err := e.db.Exec(context.Background(), `INSERT INTO functions (person_id, establishment_id, function) VALUES (?, ?, 'deputy')`,
		e.person(teacher.Login).ID, est); err != nil {
		t.Fatal(err)
	}
	r := e.signIn(teacher.Login).get("/")
	for _, name := range absent {
		if !strings.Contains(block(r.body, "b-absent"), name) {
			t.Errorf("the teacher who is deputy does not see the absent teacher %s", name)
		}
	}
	if !strings.Contains(block(r.body, "b-cancelled"), `/lessons/`+cancelled[0]+`/`+day) {
		t.Error("the teacher who is deputy does not see the day's cancelled lessons")
	}
}
