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
	"cartable/internal/demo"
	"cartable/internal/i18n"
	"cartable/internal/timetable"
)

// subjectLessons lists the not cancelled lessons of a subject that a class
// attends as itself, from a day on, for three weeks.
func (e *env) subjectLessons(class, subject, from string) []timetable.Lesson {
	e.t.Helper()
	d, _ := timetable.ParseDate(from)
	ls, err := timetable.Lessons(context.Background(), access.System("test"), e.db, timetable.Target{Kind: timetable.TargetClass, ID: class},
		from, d.AddDate(0, 0, 21).Format(timetable.DateFormat))
	if err != nil {
		e.t.Fatal(err)
	}
	var out []timetable.Lesson
	for _, l := range ls {
		if l.Slot.SubjectID == subject && !l.Cancelled() && len(l.Slot.Audiences) == 1 && l.Slot.Audiences[0].ClassID == class && l.Slot.Audiences[0].GroupID == "" {
			out = append(out, l)
		}
	}
	return out
}

// plusSchoolDays is the n-th day after from that is neither a Saturday
// nor a Sunday.
func plusSchoolDays(t *testing.T, from string, n int) string {
	d := mustParse(t, from)
	for n > 0 {
		d = d.AddDate(0, 0, 1)
		if d.Weekday() != time.Saturday && d.Weekday() != time.Sunday {
			n--
		}
	}
	return d.Format(timetable.DateFormat)
}

// A copy's homework is not due on the original's dates: the copy form
// proposes, for homework due at the next lesson, the target class's next
// lesson after the copy's date, and otherwise the same number of school
// days; the teacher changes them before saving. A due date before the
// copy, or no date, is said and kept; a due date for a homework of another
// entry (a forged form) is refused and audited; nothing is copied then.
func TestCopyShiftsTheDueDates(t *testing.T) {
	e := newTTEnv(t, 120)
	// A Tuesday lesson of one class and one teacher, who teaches its
	// subject to another class in weekly lessons.
	row := e.query(`SELECT s.id || '|' || t.teacher_id || '|' || a.class_id || '|' || s.subject_id || '|' || MIN(b.class_id)
		FROM tt_slots s JOIN tt_slot_teachers t ON t.slot_id = s.id JOIN tt_slot_audiences a ON a.slot_id = s.id
		JOIN establishments x ON x.id = s.establishment_id
		JOIN tt_slot_teachers t2 ON t2.teacher_id = t.teacher_id JOIN tt_slots s2 ON s2.id = t2.slot_id AND s2.subject_id = s.subject_id
		JOIN tt_slot_audiences b ON b.slot_id = s2.id AND b.class_id IS NOT NULL AND b.class_id <> a.class_id
		WHERE x.uai = ? AND s.weekday = 2 AND a.class_id IS NOT NULL AND s.alternation_id IS NULL AND NOT s.exceptional AND s2.alternation_id IS NULL
		AND (SELECT COUNT(*) FROM tt_slot_audiences y WHERE y.slot_id = s.id) = 1
		AND (SELECT COUNT(*) FROM tt_slot_teachers y WHERE y.slot_id = s.id) = 1
		AND NOT EXISTS (SELECT 1 FROM classlog_entries c WHERE c.slot_id = s.id AND c.lesson_date = '2026-12-01')
		AND NOT EXISTS (SELECT 1 FROM tt_changes c WHERE c.slot_id = s.id AND c.on_date = '2026-12-01')
		GROUP BY s.id, t.teacher_id, a.class_id, s.subject_id ORDER BY s.id LIMIT 1`, demo.MainUAI)
	if len(row) == 0 {
		t.Fatal("the demo has no teacher of one subject in two classes")
	}
	p := strings.Split(row[0], "|")
	slot, teacher, class, subject, target := p[0], p[1], p[2], p[3], p[4]
	lesson := "/lessons/" + slot + "/2026-12-01"
	tb := e.signIn(e.login(teacher))

	// The entry: one homework due at the class's next lesson, one on a
	// Sunday (no lesson: "by Monday").
	next := e.subjectLessons(class, subject, "2026-12-02")
	if len(next) == 0 {
		t.Fatal("the class has no next lesson of the subject")
	}
	if r := tb.upload(lesson+"/log", entryFields(tb, "Les fractions", "hw0_description", "Exercices pour la prochaine séance",
		"hw0_lesson", next[0].Key(), "hw0_handin", "none", "hw1_description", "Fiche pour lundi", "hw1_due", "2026-12-06",
		"hw1_lesson", "", "hw1_handin", "none"), "", "", nil); r.status != http.StatusSeeOther {
		t.Fatalf("save: %d %s", r.status, alertRe.FindString(r.body))
	}
	entry := e.query(`SELECT id FROM classlog_entries WHERE slot_id = ? AND lesson_date = '2026-12-01'`, slot)[0]
	hwNext := e.query(`SELECT id FROM homework WHERE entry_id = ? AND due_slot_id IS NOT NULL`, entry)[0]
	hwDate := e.query(`SELECT id FROM homework WHERE entry_id = ? AND due_slot_id IS NULL`, entry)[0]

	// The lesson page's copy form is a GET to the copy page.
	if r := tb.get(lesson); !strings.Contains(r.body, `<form method="get" action="/classlog/entries/`+entry+`/copy"`) ||
		!strings.Contains(r.body, `<option value="c:`+target+`"`) || strings.Contains(r.body, `<option value="c:`+class+`">`) {
		t.Fatal("the lesson page does not offer the copy form (or offers the entry's own class)")
	}
	// Without a date: the target's first lesson of the subject from the
	// entry's day on; the proposals follow it.
	theirs := e.subjectLessons(target, subject, "2026-12-01")
	if len(theirs) < 2 {
		t.Fatal("the target class has too few lessons of the subject")
	}
	copyDate := theirs[0].Date
	after := e.subjectLessons(target, subject, mustAddDays(t, copyDate, 1))
	wantNext, wantDate := after[0].Date, plusSchoolDays(t, copyDate, 4)
	copyPage := "/classlog/entries/" + entry + "/copy"
	r := tb.get(copyPage + "?target=c:" + target)
	for _, s := range []string{`name="date" value="` + copyDate + `"`, `name="due_` + hwNext + `" value="` + wantNext + `"`,
		`name="due_` + hwDate + `" value="` + wantDate + `"`, "proposé : la prochaine séance de ", "proposé : 4 jours de classe après la copie",
		`<form method="post" action="` + copyPage + `"`} {
		if !strings.Contains(r.body, s) {
			t.Errorf("the copy page lacks %s", s)
		}
	}
	if r.status != 200 || !strings.HasPrefix(title(r), "Copier une séance · Les fractions · ") {
		t.Errorf("the copy page: %d, titled %q", r.status, title(r))
	}

	// A copy for 7 December is due after 7 December.
	later := e.subjectLessons(target, subject, "2026-12-08")
	r = tb.get(copyPage + "?target=c:" + target + "&date=2026-12-07")
	for _, s := range []string{`name="date" value="2026-12-07"`, `name="due_` + hwNext + `" value="` + later[0].Date + `"`,
		`name="due_` + hwDate + `" value="2026-12-11"`} {
		if !strings.Contains(r.body, s) {
			t.Errorf("the copy page for 7 December lacks %s", s)
		}
	}

	post := func(b *browser, dues map[string]string) response {
		v := url.Values{"csrf": {b.csrf()}, "target": {"c:" + target}, "date": {copyDate}}
		for id, d := range dues {
			v.Set("due_"+id, d)
		}
		return b.post(copyPage, v)
	}
	before := e.classlogState()
	// Bad dates: said, what was typed kept, nothing copied.
	for _, c := range []struct{ due, says string }{
		{mustAddDays(t, copyDate, -1), "Travail n° 2, date dans la copie : la date de remise (" + isoDayFR(t, mustAddDays(t, copyDate, -1)) + ") précède la séance"},
		{"demain", "Travail n° 2, date dans la copie : date impossible « demain »"},
	} {
		r := post(tb, map[string]string{hwNext: wantNext, hwDate: c.due})
		if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, c.says) || !strings.Contains(r.body, `value="`+c.due+`"`) {
			t.Errorf("due %q: %d %s", c.due, r.status, alertRe.FindString(r.body))
		}
	}
	// A forged form: a due date for another entry's homework.
	foreign := e.query(`SELECT id FROM homework WHERE entry_id <> ? ORDER BY id LIMIT 1`, entry)[0]
	if r := post(tb, map[string]string{hwNext: wantNext, foreign: wantDate}); r.status != 404 || !e.refusalAudited(teacher, "homework:"+foreign) {
		t.Errorf("a forged homework in the copy form: %d", r.status)
	}
	// A student cannot copy, nor see the copy form.
	student := e.query(`SELECT student_id FROM enrolments WHERE class_id = ? ORDER BY 1 LIMIT 1`, class)[0]
	sb := e.signIn(e.login(student))
	if r := sb.get(copyPage + "?target=c:" + target); r.status != 404 {
		t.Errorf("a student opens the copy form: %d", r.status)
	}
	if r := post(sb, map[string]string{hwNext: wantNext}); r.status != 404 {
		t.Errorf("a student copies: %d", r.status)
	}
	if e.classlogState() != before {
		t.Fatal("a refused copy changed something")
	}

	// Saved with the teacher's own date for the second homework.
	chosen := mustAddDays(t, copyDate, 7)
	r = post(tb, map[string]string{hwNext: wantNext, hwDate: chosen})
	if r.status != http.StatusSeeOther {
		t.Fatalf("copy: %d %s", r.status, alertRe.FindString(r.body))
	}
	cp := e.query(`SELECT id FROM classlog_entries WHERE class_id = ? AND title = 'Les fractions'`, target)
	if len(cp) != 1 {
		t.Fatalf("copies: %v", cp)
	}
	got := e.query(`SELECT description || '|' || due_date || '|' || COALESCE(due_slot_id, '') FROM homework WHERE entry_id = ? ORDER BY due_date`, cp[0])
	want := []string{"<p>Exercices pour la prochaine séance</p>|" + wantNext + "|" + after[0].Slot.ID, "<p>Fiche pour lundi</p>|" + chosen + "|"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("the copy's homework:\n got %v\nwant %v", got, want)
	}
	if loc := r.header.Get("Location"); loc != "/classlog/classes/"+target+"?saved=copy&to="+copyDate+"#e-"+cp[0] {
		t.Errorf("after the copy: %s", loc)
	}
	// The target class reads it; its students' list leads to it.
	ts := e.signIn(e.login(e.query(`SELECT student_id FROM enrolments WHERE class_id = ? ORDER BY 1 LIMIT 1`, target)[0]))
	r = ts.get("/homework?from=" + copyDate)
	link := regexp.MustCompile(`href="(/classlog/classes/` + target + `\?to=` + copyDate + `#e-` + cp[0] + `)"`).FindStringSubmatch(r.body)
	if link == nil {
		t.Fatalf("the target's student's list does not lead to the copy")
	}
	if r := ts.get(strings.Split(link[1], "#")[0]); r.status != 200 || !strings.Contains(r.body, `id="e-`+cp[0]+`"`) {
		t.Errorf("the copy's class log: %d", r.status)
	}
}

// isoDayFR writes a day as the French pages do.
func isoDayFR(t *testing.T, iso string) string {
	return i18n.DayName("fr", mustParse(t, iso))
}
