package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"cartable/internal/timetable"
)

// The report cards' pages through real HTTP: the head teacher fills the
// council (a refused field keeps what was typed), the head publishes on a
// date, the family reads the card and its PDF from that date only.
func TestReportCardPages(t *testing.T) {
	e := newEnv(t, 60)
	e.withoutDemoGrades()
	e.clock.mu.Lock()
	e.clock.at = time.Date(2026, 12, 7, 10, 0, 0, 0, timetable.Paris)
	e.clock.mu.Unlock()
	ctx := context.Background()
	one := func(q string, args ...any) string {
		t.Helper()
		var s string
		if err := e.db.QueryRow(ctx, q, args...).Scan(&s); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return s
	}
	est := one(`SELECT id FROM establishments WHERE uai = '0750999X' OR id IN (SELECT establishment_id FROM classes) ORDER BY uai LIMIT 1`)
	class := one(`SELECT c.id FROM classes c JOIN head_teachers h ON h.class_id = c.id WHERE c.establishment_id = ?
		AND (SELECT COUNT(*) FROM enrolments e WHERE e.class_id = c.id) > 2 ORDER BY c.code LIMIT 1`, est)
	period := one(`SELECT p.id FROM periods p JOIN classes c ON c.school_year_id = p.school_year_id WHERE c.id = ? AND p.number = 1`, class)
	student := one(`SELECT e.student_id FROM enrolments e JOIN people p ON p.id = e.student_id WHERE e.class_id = ?
		AND EXISTS (SELECT 1 FROM family_links f WHERE f.student_id = e.student_id) ORDER BY p.last_name, p.id LIMIT 1`, class)
	name := one(`SELECT last_name FROM people WHERE id = ?`, student)
	login := func(id string) string { return one(`SELECT login FROM people WHERE id = ?`, id) }
	headTeacher := login(one(`SELECT teacher_id FROM head_teachers WHERE class_id = ?`, class))
	head := login(one(`SELECT person_id FROM functions WHERE establishment_id = ? AND function = 'head'`, est))
	relative := login(one(`SELECT relative_id FROM family_links WHERE student_id = ? ORDER BY relative_id LIMIT 1`, student))
	other := login(one(`SELECT relative_id FROM family_links WHERE relative_id NOT IN (SELECT relative_id FROM family_links WHERE student_id = ?)
		ORDER BY relative_id LIMIT 1`, student))
	subject := one(`SELECT subject_id FROM teaching_assignments WHERE class_id = ? ORDER BY subject_id LIMIT 1`, class)
	if _, err := e.db.Exec(ctx, `INSERT INTO gr_evaluations (id, establishment_id, class_id, subject_id, period_id, title, held_on, scale_x100,
		coef_x100, publish_on, created_at, updated_at) VALUES ('ev-web-1', ?, ?, ?, ?, 'Contrôle', '2026-10-05', 2000, 100, '2026-10-05', 1, 1)`,
		est, class, subject, period); err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.Exec(ctx, `INSERT INTO gr_marks (evaluation_id, student_id, value_x100, updated_at) VALUES ('ev-web-1', ?, 1475, 1)`, student); err != nil {
		t.Fatal(err)
	}
	councilPath := "/report-cards/class/" + class + "/" + period

	ht := e.signInStrong(headTeacher) // writing the council needs a second factor
	if r := ht.get("/report-cards"); r.status != http.StatusOK || !strings.Contains(r.body, councilPath) {
		t.Fatalf("head teacher's list: %d", r.status)
	}
	r := ht.get(councilPath)
	if r.status != http.StatusOK || !strings.Contains(r.body, "14,75") || !strings.Contains(r.body, `name="general/`+student+`"`) {
		t.Fatalf("council page: %d %.300s", r.status, r.body)
	}
	if strings.Contains(r.body, `name="life/`) || strings.Contains(r.body, "/publish") {
		t.Error("the head teacher is offered the CPE's field or publication")
	}
	typed := strings.Repeat("Très bien. ", 30) // 329 characters once trimmed
	r = ht.post(councilPath, url.Values{"csrf": {ht.csrf()}, "council": {"1"}, "student": {student},
		"general/" + student: {typed}, "mention/" + student: {"compliments"}})
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, strings.TrimSpace(typed)) || !strings.Contains(r.body, name) ||
		!strings.Contains(r.body, "329") {
		t.Fatalf("too long: %d", r.status)
	}
	r = ht.post(councilPath, url.Values{"csrf": {ht.csrf()}, "council": {"1"}, "student": {student},
		"general/" + student: {"Un trimestre encourageant."}, "mention/" + student: {"encouragements"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("save: %d %.300s", r.status, r.body)
	}
	if r := ht.post(councilPath+"/publish", url.Values{"csrf": {ht.csrf()}, "publish_on": {"2026-12-10"}}); r.status != http.StatusNotFound {
		t.Errorf("the head teacher publishes: %d", r.status)
	}
	fam := e.signIn(relative)
	if r := fam.get(councilPath); r.status != http.StatusNotFound {
		t.Errorf("a relative opens the council: %d", r.status)
	}

	hd := e.signIn(head)
	if r := hd.post(councilPath+"/publish", url.Values{"csrf": {hd.csrf()}, "publish_on": {"2026-12-10"}}); r.status != http.StatusSeeOther {
		t.Fatalf("publish: %d %.300s", r.status, r.body)
	}
	card := one(`SELECT id FROM gr_report_cards WHERE student_id = ? AND period_id = ?`, student, period)
	if r := fam.get("/report-cards/" + card); r.status != http.StatusNotFound {
		t.Errorf("the family reads the card before its day: %d", r.status)
	}
	if r := fam.get("/report-cards"); strings.Contains(r.body, card) {
		t.Error("the family's list shows the card before its day")
	}
	e.clock.Add(3 * 24 * time.Hour)
	fam, hd, ht = e.signIn(relative), e.signIn(head), e.signIn(headTeacher) // the clock ended the sessions
	if r := fam.get("/report-cards"); !strings.Contains(r.body, "/report-cards/"+card) {
		t.Errorf("the family's list lacks the card: %.500s", r.body)
	}
	r = fam.get("/report-cards/" + card)
	if r.status != http.StatusOK || !strings.Contains(r.body, "14,75") || !strings.Contains(r.body, "Un trimestre encourageant.") {
		t.Fatalf("card page: %d", r.status)
	}
	if r := fam.get("/report-cards/" + card + ".pdf"); r.status != http.StatusOK || !strings.HasPrefix(r.body, "%PDF") ||
		r.header.Get("Content-Type") != "application/pdf" {
		t.Errorf("card PDF: %d %q", r.status, r.header.Get("Content-Type"))
	}
	if r := e.signIn(other).get("/report-cards/" + card); r.status != http.StatusNotFound {
		t.Errorf("another family reads the card: %d", r.status)
	}
	if r := hd.get(councilPath + ".pdf"); r.status != http.StatusOK || !strings.HasPrefix(r.body, "%PDF") {
		t.Errorf("class PDF: %d", r.status)
	}
	// The demo holds no national ids: the export is refused, naming students.
	if r := hd.get("/report-cards/lsu/" + class + "/" + period + ".xml"); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, name) {
		t.Errorf("LSU without ids: %d", r.status)
	}
	if r := ht.get("/report-cards/lsu/" + class + "/" + period + ".xml"); r.status != http.StatusNotFound {
		t.Errorf("the head teacher exports: %d", r.status)
	}
	// A correction: version 2, marked, the first kept.
	r = hd.post("/report-cards/"+card+"/correct", url.Values{"csrf": {hd.csrf()}, "reason": {"Appréciation corrigée"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("correct: %d %.300s", r.status, r.body)
	}
	if r := fam.get(r.header.Get("Location")); r.status != http.StatusOK || !strings.Contains(r.body, "version 2, remplace la version du") {
		t.Errorf("version 2: %d", r.status)
	}
	if r := fam.get("/report-cards/" + card); r.status != http.StatusNotFound {
		t.Errorf("the family reads the replaced version: %d", r.status)
	}
	if r := hd.get("/report-cards/" + card); r.status != http.StatusOK {
		t.Errorf("the head reads version 1: %d", r.status)
	}
}
