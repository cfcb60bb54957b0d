package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"cartable/internal/demo"
)

// TestTimetableImportCounts: the import report counts with the plural
// rule ("1 cours signalé … a été ignoré").
func TestTimetableImportCounts(t *testing.T) {
	e := newTTEnv(t, 60)
	h := e.signIn(e.account(func(a demo.Account) bool { return has("head")(a) && a.Establishment == demo.MainUAI }).Login)
	est := e.query(`SELECT id FROM establishments WHERE uai = ?`, demo.MainUAI)[0]
	teacher := e.login(e.query(`SELECT t.teacher_id FROM tt_slot_teachers t JOIN tt_slots s ON s.id = t.slot_id WHERE s.establishment_id = ? ORDER BY 1 LIMIT 1`, est)[0])
	class := e.query(`SELECT code FROM classes WHERE establishment_id = ? ORDER BY code LIMIT 1`, est)[0]
	room := e.query(`SELECT code FROM tt_rooms WHERE establishment_id = ? ORDER BY code LIMIT 1`, est)[0]
	csv := "jour;début;durée;matière;enseignant;classe;salle\nlundi;08:00;55;MATHS;" + teacher + ";" + class + ";" + room +
		"\nlundi;25:00;55;MATHS;" + teacher + ";" + class + ";" + room + "\n"
	r := h.upload("/timetable/manage/"+est+"/import", map[string]string{"csrf": h.csrf(), "skip": "1"}, "file", "edt.csv", []byte(csv))
	// Post/redirect/get: the report shows once on the page redirected to.
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/timetable/manage/"+est {
		t.Fatalf("applied import: %d", r.status)
	}
	r = h.get("/timetable/manage/" + est)
	if r.status != 200 || !strings.Contains(r.body, "Import terminé : 1 cours, 0 salle créée, 0 alternance.") ||
		!strings.Contains(r.body, "1 cours signalé ci-dessous a été ignoré.") {
		t.Fatalf("import report: %d %s", r.status, regexp.MustCompile(`(?s)<section class="card" aria-labelledby="rep-h".*?</section>`).FindString(r.body))
	}
	if r := h.get("/timetable/manage/" + est); strings.Contains(r.body, "Import terminé") {
		t.Error("the report shows twice")
	}
}

// TestTimetableEndedLessonDate: the refusal to change an ended lesson
// names its last day in words, not as a stored ISO date.
func TestTimetableEndedLessonDate(t *testing.T) {
	e := newTTEnv(t, 60) // Monday 30 November 2026
	h := e.signIn(e.account(func(a demo.Account) bool { return has("head")(a) && a.Establishment == demo.MainUAI }).Login)
	est := e.query(`SELECT id FROM establishments WHERE uai = ?`, demo.MainUAI)[0]
	class := e.query(`SELECT id FROM classes WHERE establishment_id = ? ORDER BY code LIMIT 1`, est)[0]
	row := strings.Split(e.query(`SELECT s.subject_id || '|' || t.teacher_id FROM tt_slots s JOIN tt_slot_teachers t ON t.slot_id = s.id
		JOIN tt_slot_audiences a ON a.slot_id = s.id WHERE a.class_id = ? ORDER BY s.id LIMIT 1`, class)[0], "|")
	form := url.Values{"csrf": {h.csrf()}, "date": {"2026-11-28"}, "start": {"09:00"}, "duration": {"60"},
		"subject": {row[0]}, "teacher": {row[1]}, "audience": {"c:" + class}}
	if r := h.post("/timetable/manage/"+est+"/slots", form); r.status != http.StatusSeeOther {
		t.Fatalf("exceptional lesson last Saturday: %d %s", r.status, alertOf(r.body))
	}
	slot := e.query(`SELECT id FROM tt_slots WHERE exceptional AND valid_from = '2026-11-28'`)[0]
	form.Set("start", "10:00")
	r := h.post("/timetable/manage/"+est+"/slots/"+slot, form)
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "dernière séance le 28 novembre 2026") || strings.Contains(alertOf(r.body), "2026-11-28") {
		t.Errorf("changing an ended lesson: %d %s", r.status, alertOf(r.body))
	}
}
