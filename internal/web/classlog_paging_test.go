package web_test

import (
	"net/http"
	"strings"
	"testing"
)

// The class log's way back goes straight to the latest earlier entry that
// the reader reads, over the weeks without any, and says when there is
// none; a draft leads its author back, not the class. Pages are named for
// the class and the span they show.
func TestClassLogOlderSkipsEmptyWeeks(t *testing.T) {
	e := newTTEnv(t, 120)
	slot, teacher, class, _, _ := tuesdayLesson(e)
	tb := e.signIn(e.login(teacher))
	sb := e.signIn(e.login(e.query(`SELECT student_id FROM enrolments WHERE class_id = ? ORDER BY 1 LIMIT 1`, class)[0]))
	log := "/classlog/classes/" + class
	// The demo writes the two weeks before today: nothing before 16
	// November. The default span (to two weeks ahead) reaches back to 10
	// November: nothing older yet.
	for who, b := range map[string]*browser{"teacher": tb, "student": sb} {
		if r := b.get(log); r.status != 200 || !strings.Contains(r.body, "Aucune séance plus ancienne.") || strings.Contains(r.body, `rel="prev"`) {
			t.Fatalf("%s: the way back from a log without older entries: %d", who, r.status)
		}
	}
	// A published entry in October and a draft in September.
	for date, draft := range map[string]string{"2026-10-13": "", "2026-09-08": "1"} {
		if r := tb.upload("/lessons/"+slot+"/"+date+"/log", entryFields(tb, "Séance du "+date, "draft", draft), "", "", nil); r.status != http.StatusSeeOther {
			t.Fatalf("the entry of %s: %d %s", date, r.status, alertRe.FindString(r.body))
		}
	}
	for who, b := range map[string]*browser{"teacher": tb, "student": sb} {
		r := b.get(log)
		if !strings.Contains(r.body, `<a rel="prev" href="?to=2026-10-13">`) {
			t.Fatalf("%s: the way back does not skip to 13 October", who)
		}
		r = b.get(log + "?to=2026-10-13")
		if r.status != 200 || !strings.Contains(r.body, "Séance du 2026-10-13") || !strings.Contains(r.body, `<a href="?">Séances récentes</a>`) {
			t.Fatalf("%s: the span ending 13 October: %d", who, r.status)
		}
		if got := title(r); !strings.HasPrefix(got, "Cahier de textes · ") || !strings.Contains(got, "13 oct. 2026") || got == title(b.get(log)) {
			t.Errorf("%s: the span's title %q", who, got)
		}
	}
	// From there: the author goes back to their draft, the class is told
	// there is nothing older.
	if r := tb.get(log + "?to=2026-10-13"); !strings.Contains(r.body, `<a rel="prev" href="?to=2026-09-08">`) {
		t.Error("the author's way back skips their draft")
	}
	if r := sb.get(log + "?to=2026-10-13"); !strings.Contains(r.body, "Aucune séance plus ancienne.") || strings.Contains(r.body, "2026-09-08") {
		t.Error("the class is led to a draft")
	}
	// Another class's student reads none of it.
	other := e.query(`SELECT student_id FROM enrolments WHERE class_id <> ? AND student_id NOT IN (SELECT student_id FROM enrolments WHERE class_id = ?)
		ORDER BY 1 LIMIT 1`, class, class)[0]
	if r := e.signIn(e.login(other)).get(log + "?to=2026-10-13"); r.status != 404 {
		t.Errorf("another class's student reads the log: %d", r.status)
	}
}

// A lesson page is titled by its subject, class and day: two lessons, or
// two days of one lesson, never share a title.
func TestLessonPagesAreTitledByTheirLesson(t *testing.T) {
	e := newTTEnv(t, 120)
	slot, teacher, class, _, _ := tuesdayLesson(e)
	tb := e.signIn(e.login(teacher))
	subject := e.query(`SELECT su.name FROM tt_slots s JOIN subjects su ON su.id = s.subject_id WHERE s.id = ?`, slot)[0]
	name := e.query(`SELECT name FROM classes WHERE id = ?`, class)[0]
	a, b := tb.get("/lessons/"+slot+"/2026-12-01"), tb.get("/lessons/"+slot+"/2026-12-08")
	if want := subject + " · " + name + " · mardi 1er décembre · Cartable"; title(a) != want {
		t.Errorf("the lesson's title: %q, want %q", title(a), want)
	}
	if title(a) == title(b) {
		t.Errorf("two days of a lesson share the title %q", title(a))
	}
}
