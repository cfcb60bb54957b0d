package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"cartable/internal/access"
	"cartable/internal/demo"
	"cartable/internal/notify"
	"cartable/internal/timetable"
)

// registerForm is the register form of students (all present) with the
// changes given as "p:ID" → "absent"… pairs.
func registerForm(b *browser, students []string, done bool, kv ...string) url.Values {
	f := url.Values{"csrf": {b.csrf()}, "student": students}
	for _, s := range students {
		f.Set("p:"+s, "present")
	}
	if done {
		f.Set("done", "1")
	}
	for i := 0; i+1 < len(kv); i += 2 {
		f.Set(kv[i], kv[i+1])
	}
	return f
}

// registerState is what registers, marks, absences and notices hold, to
// tell that a refused save changed nothing.
func (e *env) registerState() string {
	e.t.Helper()
	return strings.Join(e.query(`SELECT slot_id || lesson_date || state FROM att_registers ORDER BY 1`), ",") + "#" +
		strings.Join(e.query(`SELECT student_id || kind || minutes || note FROM att_marks ORDER BY 1`), ",") + "#" +
		strings.Join(e.query(`SELECT student_id || start_min || end_min FROM att_absences ORDER BY 1`), ",") + "#" +
		strings.Join(e.query(`SELECT recipient_id || dedupe_key FROM notifications ORDER BY 1`), ",")
}

func (e *env) setClock(t time.Time) { e.clock.mu.Lock(); e.clock.at = t; e.clock.mu.Unlock() }

// The register of a lesson: taken by its teacher (and the replacement of
// that day, and school life), refused to everyone else; marks make,
// extend and shrink the absence; guardians are alerted once per
// half-day, in the register's transaction; bad input changes nothing and
// keeps what was typed; school life sees the registers not taken.
func TestRegisterOfALesson(t *testing.T) {
	e := newTTEnv(t, 120)
	ctx := context.Background()
	slot, teacher, class, est, colleague := tuesdayLesson(e)
	const day = "2026-12-01"
	path := "/registers/" + slot + "/" + day
	students := e.query(`SELECT e.student_id FROM enrolments e JOIN people p ON p.id = e.student_id WHERE e.class_id = ? AND p.active
		ORDER BY (SELECT COUNT(*) FROM family_links f WHERE f.student_id = e.student_id AND NOT f.legal_guardian) DESC, e.student_id`, class)
	if len(students) < 3 {
		t.Fatal("the class has too few students")
	}
	absent, late := students[0], students[1]
	tb := e.signIn(e.login(teacher))
	baseline := e.registerState() // the demo's past registers

	// Access: the teacher opens it; a colleague of the class, a teacher of
	// another school, the other school's head, a relative and a student
	// are told it does not exist.
	if r := tb.get(path); r.status != 200 || !strings.Contains(r.body, `name="p:`+absent+`"`) {
		t.Fatalf("the teacher's register: %d", r.status)
	}
	foreign := e.query(`SELECT p.id FROM people p JOIN memberships m ON m.person_id = p.id JOIN establishments x ON x.id = m.establishment_id
		WHERE x.uai = ? AND p.profile = 'teacher' AND p.active
		AND NOT EXISTS (SELECT 1 FROM memberships o WHERE o.person_id = p.id AND o.establishment_id = ?) ORDER BY p.id LIMIT 1`, demo.SecondUAI, est)[0]
	otherHead := e.query(`SELECT f.person_id FROM functions f JOIN establishments x ON x.id = f.establishment_id
		WHERE x.uai = ? AND f.function = 'head' AND NOT EXISTS (SELECT 1 FROM memberships o WHERE o.person_id = f.person_id AND o.establishment_id = ?)
		ORDER BY 1 LIMIT 1`, demo.SecondUAI, est)[0]
	parent := e.query(`SELECT relative_id FROM family_links WHERE student_id = ? ORDER BY legal_guardian DESC, relative_id LIMIT 1`, absent)[0]
	for who, id := range map[string]string{"colleague": colleague, "foreign teacher": foreign, "other head": otherHead, "relative": parent, "student": absent} {
		b := e.signIn(e.login(id))
		if r := b.get(path); r.status != http.StatusNotFound {
			t.Errorf("%s opens the register: %d", who, r.status)
		}
		if r := b.post(path, registerForm(b, students, true, "p:"+absent, "absent")); r.status != http.StatusNotFound {
			t.Errorf("%s saves the register: %d", who, r.status)
		}
	}
	if !e.refusalAudited(colleague, "lesson-occurrence:"+slot+"/"+day) {
		t.Error("the colleague's attempt is not audited")
	}
	// Days the lesson does not run, outside the year, unknown lessons.
	for _, p := range []string{"/registers/" + slot + "/2026-12-02", "/registers/" + slot + "/2027-12-07", "/registers/nope/" + day, "/registers/" + slot + "/1-12-2026"} {
		if r := tb.get(p); r.status != http.StatusNotFound {
			t.Errorf("%s: %d", p, r.status)
		}
	}
	if e.registerState() != baseline {
		t.Fatal("refusals wrote something")
	}

	// Not open yet on Monday: said, nothing saved.
	if r := tb.post(path, registerForm(tb, students, true, "p:"+absent, "absent")); r.status != http.StatusUnprocessableEntity {
		t.Fatalf("a register saved the day before: %d", r.status)
	}
	lesson, err := timetable.LessonAt(ctx, access.System("test"), e.db, slot, day)
	if err != nil {
		t.Fatal(err)
	}
	e.setClock(lesson.Start.Add(5 * time.Minute))
	tb = e.signIn(e.login(teacher)) // the session of the day before has expired

	// Bad input: a forged student, minutes not a number or out of range.
	stranger := e.query(`SELECT e.student_id FROM enrolments e WHERE e.class_id <> ? ORDER BY 1 LIMIT 1`, class)[0]
	for name, f := range map[string]url.Values{
		"forged student": registerForm(tb, append([]string{stranger}, students...), true, "p:"+stranger, "absent"),
		"minutes":        registerForm(tb, students, true, "p:"+late, "late", "late:"+late, "dix"),
		"range":          registerForm(tb, students, true, "p:"+late, "late", "late:"+late, "900"),
		"left":           registerForm(tb, students, true, "left:"+late, "25:00"),
	} {
		r := tb.post(path, f)
		if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `role="alert"`) {
			t.Errorf("%s: %d", name, r.status)
		}
		if name == "minutes" && !strings.Contains(r.body, `value="dix"`) {
			t.Error("what was typed is lost")
		}
	}
	if e.registerState() != baseline {
		t.Fatal("bad input wrote something")
	}

	// Three taps: absent, validate. One late, material forgotten.
	r := tb.post(path, registerForm(tb, students, true, "p:"+absent, "absent", "p:"+late, "late", "late:"+late, "7", "material:"+students[2], "1"))
	if r.status != http.StatusSeeOther {
		t.Fatalf("the register is saved: %d %s", r.status, alertRe.FindString(r.body))
	}
	if got := e.query(`SELECT state FROM att_registers WHERE slot_id = ? AND lesson_date = ?`, slot, day); len(got) != 1 || got[0] != "done" {
		t.Fatalf("register state: %v", got)
	}
	_, from, to := spanOfLesson(lesson)
	abs := e.query(`SELECT id || '|' || start_min || '|' || end_min || '|' || source FROM att_absences WHERE student_id = ? AND start_date = ?`, absent, day)
	if len(abs) != 1 || !strings.HasSuffix(abs[0], "|"+itoa(from)+"|"+itoa(to)+"|register") {
		t.Fatalf("the absence made: %v (lesson %d–%d)", abs, from, to)
	}
	if n := e.count(`SELECT COUNT(*) FROM att_marks WHERE student_id = ? AND kind = 'late' AND minutes = 7 AND lesson_date = ?`, late, day); n != 1 {
		t.Fatalf("lateness: %d", n)
	}
	if n := e.count(`SELECT COUNT(*) FROM att_history WHERE student_id = ? AND after_state LIKE ?`, absent, "%"+slot+"%"); n < 1 {
		t.Fatalf("history of the absent student: %d rows", n)
	}
	// Alerts: the guardians only, once.
	guardians := e.query(`SELECT relative_id FROM family_links WHERE student_id = ? AND legal_guardian ORDER BY 1`, absent)
	others := e.query(`SELECT relative_id FROM family_links WHERE student_id = ? AND NOT legal_guardian ORDER BY 1`, absent)
	half := "am"
	if from >= 750 {
		half = "pm"
	}
	key := "absence/" + absent + "/" + day + "/" + half
	if got := e.query(`SELECT recipient_id FROM notifications WHERE dedupe_key = ? ORDER BY 1`, key); strings.Join(got, ",") != strings.Join(guardians, ",") || len(got) == 0 {
		t.Fatalf("alerted %v, guardians %v", got, guardians)
	}
	for _, o := range others {
		if n := e.count(`SELECT COUNT(*) FROM notifications WHERE recipient_id = ?`, o); n != 0 {
			t.Errorf("a relative who is not a guardian is alerted")
		}
	}
	pending, err := notify.Pending(ctx, access.System("test"), e.db, guardians[0])
	var ns []notify.Notice // the absence's (the demo tells some lesson changes too)
	for _, n := range pending {
		if n.Kind == "absence" || n.Kind == "lateness" {
			ns = append(ns, n)
		}
	}
	if err != nil || len(ns) != 1 || ns[0].Kind != "absence" || ns[0].Args["subject"] != lesson.Slot.SubjectName {
		t.Fatalf("the notice: %+v %v", ns, err)
	}
	if n := e.count(`SELECT COUNT(*) FROM notifications WHERE kind = 'lateness' AND about_id = ?`, late); n == 0 {
		t.Error("no alert for the lateness")
	}
	// Unmarked then marked again: no second alert for the half-day; the
	// absence goes and comes back, audited.
	if r := tb.post(path, registerForm(tb, students, true, "p:"+late, "late", "late:"+late, "7")); r.status != http.StatusSeeOther {
		t.Fatalf("correction: %d", r.status)
	}
	if n := e.count(`SELECT COUNT(*) FROM att_absences WHERE student_id = ? AND start_date = ?`, absent, day); n != 0 {
		t.Fatalf("the absence of an unmarked student stays: %d", n)
	}
	if r := tb.post(path, registerForm(tb, students, true, "p:"+absent, "absent", "p:"+late, "late", "late:"+late, "7")); r.status != http.StatusSeeOther {
		t.Fatalf("marked again: %d", r.status)
	}
	if n := e.count(`SELECT COUNT(*) FROM notifications WHERE dedupe_key = ?`, key); n != len(guardians) {
		t.Fatalf("alerts for the half-day: %d, guardians %d", n, len(guardians))
	}

	// The next lesson of the class that day, within a break: the CPE takes
	// it; the absence is extended, not doubled; unmarking the first lesson
	// shrinks it to the second.
	cpe := e.query(`SELECT person_id FROM functions WHERE establishment_id = ? AND function = 'cpe' ORDER BY 1 LIMIT 1`, est)[0]
	cb := e.signIn(e.login(cpe))
	ls, err := timetable.Lessons(ctx, access.System("test"), e.db, timetable.Target{Kind: timetable.TargetStudent, ID: absent}, day, day)
	if err != nil {
		t.Fatal(err)
	}
	var next *timetable.Lesson
	for i, l := range ls {
		near := l.Start.After(lesson.Start) && !l.Start.After(lesson.End.Add(30*time.Minute)) ||
			l.Start.Before(lesson.Start) && !l.End.Before(lesson.Start.Add(-30*time.Minute))
		if near && !l.Cancelled() {
			next = &ls[i]
			break
		}
	}
	if next == nil {
		var got []string
		for _, l := range ls {
			got = append(got, l.Start.Format("15:04")+"-"+l.End.Format("15:04"))
		}
		t.Log("no lesson of the student within a break after the first: extension not tested", lesson.Start, got)
	} else {
		np := "/registers/" + next.Key()
		if r := cb.get(np); r.status != 200 {
			t.Fatalf("the CPE's view of a register: %d", r.status)
		}
		nstudents := []string{absent}
		e.setClock(lesson.Start.Add(10 * time.Minute))
		cb, tb = e.signIn(e.login(cpe)), e.signIn(e.login(teacher))
		if r := cb.post(np, registerForm(cb, nstudents, true, "p:"+absent, "absent")); r.status != http.StatusSeeOther {
			t.Fatalf("the CPE saves: %d %s", r.status, alertRe.FindString(r.body))
		}
		_, nfrom, nto := spanOfLesson(*next)
		if got := e.query(`SELECT start_min || '-' || end_min FROM att_absences WHERE student_id = ? AND start_date = ?`, absent, day); len(got) != 1 || got[0] != itoa(min(from, nfrom))+"-"+itoa(max(to, nto)) {
			t.Fatalf("extended absence: %v", got)
		}
		if n := e.count(`SELECT COUNT(*) FROM notifications WHERE about_id = ? AND kind = 'absence'`, absent); n != len(guardians) {
			t.Fatalf("a second alert in the half-day: %d", n)
		}
		if r := tb.post(path, registerForm(tb, students, true)); r.status != http.StatusSeeOther {
			t.Fatalf("unmark: %d", r.status)
		}
		if got := e.query(`SELECT start_min || '-' || end_min FROM att_absences WHERE student_id = ? AND start_date = ?`, absent, day); len(got) != 1 || got[0] != itoa(nfrom)+"-"+itoa(nto) {
			t.Fatalf("shrunk absence: %v", got)
		}
	}

	// A family's absence covering the lesson: the mark links to it and
	// leaves it alone; no alert.
	fam := students[2]
	if _, err := e.db.Exec(ctx, `INSERT INTO att_absences (id, establishment_id, student_id, start_date, start_min, end_date, end_min, source, created_by, created_at, updated_at)
		VALUES ('famabs', ?, ?, ?, 0, ?, 1440, 'family', ?, 0, 0)`, est, fam, day, day, parent); err != nil {
		t.Fatal(err)
	}
	if r := tb.post(path, registerForm(tb, students, true, "p:"+fam, "absent")); r.status != http.StatusSeeOther {
		t.Fatalf("family absence: %d", r.status)
	}
	if got := e.query(`SELECT COALESCE(absence_id, '') FROM att_marks WHERE student_id = ? AND kind = 'absent' AND slot_id = ? AND lesson_date = ?`, fam, slot, day); len(got) != 1 || got[0] != "famabs" {
		t.Fatalf("mark linked to %v", got)
	}
	if r := tb.post(path, registerForm(tb, students, true)); r.status != http.StatusSeeOther {
		t.Fatal("unmark")
	}
	if n := e.count(`SELECT COUNT(*) FROM att_absences WHERE id = 'famabs' AND start_min = 0 AND end_min = 1440`); n != 1 {
		t.Fatal("the family's absence was touched")
	}

	// School life's day: the registers not taken 15 minutes after their
	// start are listed as late; the taken one is not.
	e.setClock(time.Date(2026, 12, 1, 17, 0, 0, 0, timetable.Paris))
	cb, tb = e.signIn(e.login(cpe)), e.signIn(e.login(teacher))
	r = cb.get("/registers/day?date=" + day)
	if r.status != 200 || !strings.Contains(r.body, "Non fait, en retard") {
		t.Fatalf("the CPE's day: %d", r.status)
	}
	if r.header.Get("Refresh") == "" {
		t.Error("today's view does not refresh")
	}
	if tb.get("/registers/day").status != http.StatusNotFound {
		t.Error("a teacher opens school life's day")
	}
	if r := cb.get("/registers/day/print?date=" + day); r.status != 200 || !strings.Contains(r.body, "print-register") {
		t.Fatalf("printable register: %d", r.status)
	}
	if r := cb.get("/"); !strings.Contains(r.body, "Appels non faits") {
		t.Error("the CPE's home has no block of registers not taken")
	}
	// Reminders: once per register.
	n1, err := e.srv.Attendance.RemindLate(ctx, access.System("test"), e.clock.Now())
	if err != nil || n1 == 0 {
		t.Fatalf("reminders: %d %v", n1, err)
	}
	stmts := e.db.Statements()
	if n2, err := e.srv.Attendance.RemindLate(ctx, access.System("test"), e.clock.Now()); err != nil || n2 != 0 {
		t.Fatalf("reminded twice: %d %v", n2, err)
	}
	// A round that finds every late register's teachers told reads the
	// day and writes nothing: not a transaction per late register.
	if n := e.db.Statements() - stmts; n >= int64(n1) {
		t.Errorf("a round with nothing to tell sent %d statements for %d registers told", n, n1)
	}
	if n := e.count(`SELECT COUNT(*) FROM notifications WHERE kind = 'register-late' AND dedupe_key = ?`, "register-late/"+slot+"/"+day); n != 0 {
		t.Error("a register done is chased")
	}
	// A late register begun after its teachers were told: the next round
	// marks it chased, and the one after writes nothing at all.
	keys := e.query(`SELECT dedupe_key FROM notifications WHERE kind = 'register-late' ORDER BY dedupe_key LIMIT 1`)
	begun := strings.Split(strings.TrimPrefix(keys[0], "register-late/"), "/")
	if _, err := e.db.Exec(ctx, `INSERT INTO att_registers (slot_id, lesson_date, establishment_id, state, taken_by, started_at)
		VALUES (?, ?, ?, 'in-progress', ?, 0)`, begun[0], begun[1], est, teacher); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var writes []string
	e.db.Trace = func(q string) {
		if w := strings.ToUpper(strings.Fields(q)[0]); w != "SELECT" && w != "WITH" {
			mu.Lock()
			writes = append(writes, q)
			mu.Unlock()
		}
	}
	defer func() { e.db.Trace = nil }()
	for round, want := range []int{1, 0} {
		writes = nil
		if n, err := e.srv.Attendance.RemindLate(ctx, access.System("test"), e.clock.Now()); err != nil || n != 0 {
			t.Fatalf("round %d after the register was begun: %d notices, %v", round, n, err)
		}
		if len(writes) != want {
			t.Errorf("round %d after the register was begun: %d writes, want %d: %q", round, len(writes), want, writes)
		}
	}
	if n := e.count(`SELECT COUNT(*) FROM att_registers WHERE slot_id = ? AND lesson_date = ? AND reminded_at IS NOT NULL`, begun[0], begun[1]); n != 1 {
		t.Error("the begun register was not marked chased")
	}
}

// spanOfLesson is the minutes of the day a lesson spans.
func spanOfLesson(l timetable.Lesson) (string, int, int) {
	s, e := l.Start.In(timetable.Paris), l.End.In(timetable.Paris)
	return s.Format(timetable.DateFormat), s.Hour()*60 + s.Minute(), e.Hour()*60 + e.Minute()
}

func itoa(n int) string { return strings.TrimSpace(strings.Repeat(" ", 0) + fmtInt(n)) }

func fmtInt(n int) string {
	if n == 0 {
		return "0"
	}
	s := ""
	for n > 0 {
		s = string(rune('0'+n%10)) + s
		n /= 10
	}
	return s
}

// The replacement of one occurrence takes its register, and only that
// one's; the teacher's home, the lesson page and the week view lead to
// the registers they take and to no other; a session still owing its
// second factor opens none.
func TestRegisterLinksReplacementAndSecondFactor(t *testing.T) {
	e := newTTEnv(t, 120)
	slot, teacher, class, est, colleague := tuesdayLesson(e)
	replacement := e.otherTeacher(est, class, teacher, colleague)
	head := e.signIn(e.account(func(a demo.Account) bool {
		return has("head")(a) && a.Establishment == demo.MainUAI && len(a.Establishments) == 1
	}).Login)
	if r := head.post("/lessons/"+slot+"/2026-12-08/change", url.Values{"csrf": {head.csrf()}, "replacement": {replacement}}); r.status != http.StatusSeeOther {
		t.Fatalf("the head records a replacement: %d", r.status)
	}
	rb := e.signIn(e.login(replacement))
	if r := rb.get("/registers/" + slot + "/2026-12-08"); r.status != 200 {
		t.Fatalf("the replacement's register: %d", r.status)
	}
	if r := rb.get("/registers/" + slot + "/2026-12-01"); r.status != http.StatusNotFound {
		t.Fatalf("the replacement opens an occurrence not replaced: %d", r.status)
	}
	if r := rb.get("/lessons/" + slot + "/2026-12-08"); !strings.Contains(r.body, `href="/registers/`+slot+`/2026-12-08"`) {
		t.Error("the replaced lesson's page has no link to its register")
	}

	// Links: the teacher's lesson page and week; not a colleague's.
	tb, cb := e.signIn(e.login(teacher)), e.signIn(e.login(colleague))
	link := `href="/registers/` + slot + `/2026-12-01"`
	if r := tb.get("/lessons/" + slot + "/2026-12-01"); !strings.Contains(r.body, link) {
		t.Error("the teacher's lesson page has no link to the register")
	}
	if r := cb.get("/lessons/" + slot + "/2026-12-01"); r.status != 200 || strings.Contains(r.body, "/registers/") {
		t.Errorf("a colleague's view of the lesson links to its register: %d", r.status)
	}
	if r := tb.get("/timetable?week=2026-11-30"); !strings.Contains(r.body, link) {
		t.Error("the teacher's week has no link to the register")
	}
	// The home: today's registers (Tuesday 1 December, 9:00).
	e.setClock(time.Date(2026, 12, 1, 9, 0, 0, 0, timetable.Paris))
	tb = e.signIn(e.login(teacher))
	if r := tb.get("/"); !strings.Contains(r.body, "Appels à faire aujourd&#39;hui") && !strings.Contains(r.body, "Appels à faire aujourd'hui") {
		t.Error("the teacher's home has no block of registers")
	} else if !strings.Contains(r.body, link) {
		t.Error("the teacher's home does not link to the day's register")
	}

	// A class away (a trip) is shown away, not expected; so is a student
	// exempted without attendance from the subject.
	ctx := context.Background()
	lesson, err := timetable.LessonAt(ctx, access.System("test"), e.db, slot, "2026-12-01")
	if err != nil {
		t.Fatal(err)
	}
	kids := e.query(`SELECT student_id FROM enrolments WHERE class_id = ? ORDER BY student_id`, class)
	if _, err := e.db.Exec(ctx, `INSERT INTO att_exemptions (id, establishment_id, student_id, subject_id, start_date, end_date, attendance, created_by, created_at)
		VALUES ('ex1', ?, ?, ?, '2026-11-01', '2027-01-31', FALSE, 'test', 0)`, est, kids[0], lesson.Slot.SubjectID); err != nil {
		t.Fatal(err)
	}
	if r := tb.get("/registers/" + slot + "/2026-12-01"); !strings.Contains(r.body, "Dispensé") || strings.Contains(r.body, `name="p:`+kids[0]+`"`) {
		t.Error("an exempted student is expected")
	}
	if _, err := e.db.Exec(ctx, `INSERT INTO att_collective (id, establishment_id, class_id, label, start_date, start_min, end_date, end_min, created_by, created_at)
		VALUES ('trip', ?, ?, 'Musée', '2026-12-01', 0, '2026-12-01', 1440, 'test', 0)`, est, class); err != nil {
		t.Fatal(err)
	}
	if r := tb.get("/registers/" + slot + "/2026-12-01"); !strings.Contains(r.body, "Sortie : Musée") || strings.Contains(r.body, `name="p:`) {
		t.Error("a class on a trip is expected")
	}

	// Second factor owed: the register is not reached.
	e.requireMFA()
	b, _ := e.passwordOnly(e.login(teacher))
	if r := b.get("/registers/" + slot + "/2026-12-01"); r.status == 200 {
		t.Fatal("a session owing its second factor opens a register")
	}
	f := registerForm(tb, []string{}, true)
	f.Set("csrf", "x")
	if r := b.post("/registers/"+slot+"/2026-12-01", f); r.status == http.StatusSeeOther && r.header.Get("Location") != "/sign-in/second-factor" {
		t.Fatalf("a session owing its second factor saves: %d %s", r.status, r.header.Get("Location"))
	}
	if n := e.count(`SELECT COUNT(*) FROM att_registers WHERE lesson_date = '2026-12-01'`); n != 0 {
		t.Fatal("a register was written")
	}
}

// A lesson changed after it began is split (internal/timetable): the
// registers of its occurrences from that day, with their marks, go to the
// new lesson; a change of day that would leave a register behind is
// refused.
func TestRegistersFollowASplitLesson(t *testing.T) {
	e := newTTEnv(t, 120)
	ctx := context.Background()
	slot, teacher, class, est, _ := tuesdayLesson(e)
	lesson, err := timetable.LessonAt(ctx, access.System("test"), e.db, slot, "2026-12-08")
	if err != nil {
		t.Fatal(err)
	}
	e.setClock(lesson.Start.Add(5 * time.Minute))
	tb := e.signIn(e.login(teacher))
	students := e.query(`SELECT student_id FROM enrolments WHERE class_id = ? ORDER BY 1`, class)
	if r := tb.post("/registers/"+slot+"/2026-12-08", registerForm(tb, students, true, "p:"+students[0], "absent")); r.status != http.StatusSeeOther {
		t.Fatalf("register: %d", r.status)
	}
	n := timetable.NewSlot{ID: slot, EstablishmentID: est, Weekday: 3, StartMin: lesson.Slot.StartMin, DurationMin: lesson.Slot.DurationMin,
		SubjectID: lesson.Slot.SubjectID, TeacherIDs: []string{teacher}, ClassIDs: []string{class}}
	if _, err := timetable.UpdateSlot(ctx, access.System("test"), e.db, n, "2026-12-01"); err == nil || !strings.Contains(err.Error(), "has-changes") {
		t.Fatalf("a new day leaving a register behind: %v", err)
	}
	n.Weekday = 2
	id, err := timetable.UpdateSlot(ctx, access.System("test"), e.db, n, "2026-12-01")
	if err != nil || id == slot {
		t.Fatalf("split: %s %v", id, err)
	}
	if got := e.query(`SELECT slot_id FROM att_marks WHERE student_id = ? AND lesson_date = '2026-12-08'`, students[0]); len(got) != 1 || got[0] != id {
		t.Fatalf("the mark stays on %v", got)
	}
	if r := tb.get("/registers/" + id + "/2026-12-08"); r.status != 200 || !strings.Contains(r.body, "reg-done") {
		t.Fatalf("the register on the new lesson: %d", r.status)
	}
}
