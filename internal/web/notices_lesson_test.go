package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"cartable/internal/access"
	"cartable/internal/demo"
	"cartable/internal/timetable"
)

// The head cancels a lesson through its page; the server's round turns
// the change into notices: a legal guardian of a pupil of the class reads
// it on their notifications page in words (subject, day, time), and so
// does the lesson's teacher; the head who made the change, and a family
// of another class, do not get it.
func TestLessonCancelledTellsTheFamilies(t *testing.T) {
	e := newTTEnv(t, 60)
	est := e.query(`SELECT id FROM establishments WHERE uai = ?`, demo.MainUAI)[0]
	row := e.query(`SELECT s.id || '|' || t.teacher_id || '|' || a.class_id FROM tt_slots s
		JOIN tt_slot_teachers t ON t.slot_id = s.id JOIN tt_slot_audiences a ON a.slot_id = s.id
		WHERE s.establishment_id = ? AND s.weekday = 3 AND s.alternation_id IS NULL AND a.class_id IS NOT NULL
		AND (SELECT COUNT(*) FROM tt_slot_audiences y WHERE y.slot_id = s.id) = 1
		AND NOT EXISTS (SELECT 1 FROM tt_changes c WHERE c.slot_id = s.id AND c.on_date = '2026-12-02')
		ORDER BY s.id LIMIT 1`, est)[0]
	p := strings.Split(row, "|")
	slot, teacherID, class := p[0], p[1], p[2]
	path := "/lessons/" + slot + "/2026-12-02"
	parent := e.query(`SELECT MIN(f.relative_id) FROM family_links f JOIN enrolments en ON en.student_id = f.student_id
		JOIN people r ON r.id = f.relative_id WHERE en.class_id = ? AND f.legal_guardian AND r.active`, class)[0]
	other := e.query(`SELECT MIN(f.relative_id) FROM family_links f JOIN enrolments en ON en.student_id = f.student_id
		JOIN people r ON r.id = f.relative_id WHERE en.class_id <> ? AND f.legal_guardian AND r.active
		AND NOT EXISTS (SELECT 1 FROM family_links g JOIN enrolments x ON x.student_id = g.student_id WHERE g.relative_id = f.relative_id AND x.class_id = ?)`,
		class, class)[0]

	head := e.signIn(e.account(has("head")).Login)
	if r := head.post(path+"/change", url.Values{"csrf": {head.csrf()}, "cancelled": {"1"}, "reason": {"teacher-absent"}}); r.status != http.StatusSeeOther {
		t.Fatalf("the head's cancellation: %d %.300s", r.status, r.body)
	}
	if n, err := timetable.AnnounceChanges(context.Background(), access.System("test"), e.db, ttNow, 10000); err != nil || n == 0 {
		t.Fatalf("the round: %d %v", n, err)
	}
	subject := e.query(`SELECT su.name FROM tt_slots s JOIN subjects su ON su.id = s.subject_id WHERE s.id = ?`, slot)[0]
	link := `href="` + path + `"`
	for who, id := range map[string]string{"the parent": parent, "the teacher": teacherID} {
		r := e.signIn(e.login(id)).get("/notifications")
		i := strings.Index(r.body, link)
		if r.status != 200 || i < 0 {
			t.Fatalf("%s's notifications lack the lesson: %d %.1500s", who, r.status, r.body)
		}
		text := r.body[i:min(len(r.body), i+400)]
		if !strings.Contains(text, "Cours annulé") || !strings.Contains(text, "2 décembre 2026") || !strings.Contains(text, subject) {
			t.Errorf("%s's notice: %s", who, text)
		}
	}
	if r := e.signIn(e.login(other)).get("/notifications"); strings.Contains(r.body, link) {
		t.Errorf("another class's family is told: %.800s", r.body)
	}
	if r := head.get("/notifications"); strings.Contains(r.body, link) {
		t.Errorf("the author is told of their own change")
	}
}
