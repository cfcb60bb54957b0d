package web_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"cartable/internal/demo"
)

// setupSnapshot is every room and week pattern of the database, to prove
// that refused requests changed nothing.
func (e *env) setupSnapshot() string {
	e.t.Helper()
	rooms := e.query(`SELECT id || '|' || establishment_id || '|' || code || '|' || name FROM tt_rooms ORDER BY id`)
	alts := e.query(`SELECT id || '|' || code || '|' || label FROM tt_alternations ORDER BY id`)
	weeks := e.query(`SELECT alternation_id || '|' || monday FROM tt_alternation_weeks ORDER BY 1`)
	return strings.Join(rooms, "\n") + "\n--\n" + strings.Join(alts, "\n") + "\n--\n" + strings.Join(weeks, "\n")
}

func TestTimetableSetupRoomsAndWeeks(t *testing.T) {
	e := newTTEnv(t, 60)
	head := e.account(func(a demo.Account) bool {
		return has("head")(a) && a.Establishment == demo.MainUAI && len(a.Establishments) == 1
	})
	h := e.signIn(head.Login)
	est := e.query(`SELECT id FROM establishments WHERE uai = ?`, demo.MainUAI)[0]
	base := "/timetable/manage/" + est
	csrf := h.csrf()

	r := h.get(base)
	if !strings.Contains(r.body, `href="`+base+`/rooms"`) || !strings.Contains(r.body, `href="`+base+`/weeks"`) {
		t.Fatal("the management page has no link to the setup pages")
	}
	if r := h.get(base + "/rooms"); r.status != 200 || !strings.Contains(r.body, "Ajouter une salle") {
		t.Fatalf("rooms page: %d", r.status)
	}

	// Rooms: bad input keeps what was typed and names the field.
	before := e.setupSnapshot()
	r = h.post(base+"/rooms", url.Values{"csrf": {csrf}, "code": {"  "}, "name": {"Bibliothèque du 2e"}})
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "Code : à renseigner") || !strings.Contains(r.body, `value="Bibliothèque du 2e"`) {
		t.Fatalf("room without a code: %d %s", r.status, alertOf(r.body))
	}
	existing := e.query(`SELECT code FROM tt_rooms WHERE establishment_id = ? ORDER BY code LIMIT 1`, est)[0]
	r = h.post(base+"/rooms", url.Values{"csrf": {csrf}, "code": {" " + strings.ToLower(existing) + " "}, "name": {"Doublon"}})
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "Code : une autre salle a déjà le code « "+existing+" »") ||
		!strings.Contains(r.body, `value="Doublon"`) {
		t.Fatalf("duplicate room code: %d %s", r.status, alertOf(r.body))
	}
	if r := h.post(base+"/rooms", url.Values{"code": {"X1"}, "name": {"Sans jeton"}}); r.status != http.StatusForbidden {
		t.Errorf("room without the form token: %d", r.status)
	}
	if e.setupSnapshot() != before {
		t.Fatal("a refused room was saved")
	}
	r = h.post(base+"/rooms", url.Values{"csrf": {csrf}, "code": {" B204 "}, "name": {"Salle B204"}})
	if r.status != http.StatusSeeOther || r.header.Get("Location") != base+"/rooms?saved=added" {
		t.Fatalf("add a room: %d %s", r.status, alertOf(r.body))
	}
	room := e.query(`SELECT id FROM tt_rooms WHERE establishment_id = ? AND code = 'B204' AND name = 'Salle B204'`, est)
	if len(room) != 1 {
		t.Fatal("the room is not stored, trimmed")
	}
	roomID := room[0]
	if r := h.get(base + "/rooms?saved=added"); !strings.Contains(r.body, "La salle est ajoutée.") || !strings.Contains(r.body, "Salle B204") {
		t.Error("the room list does not show the new room")
	}
	if r := h.get(base + "/rooms/" + roomID); r.status != 200 || !strings.Contains(r.body, `value="B204"`) {
		t.Fatalf("edit page: %d", r.status)
	}
	r = h.post(base+"/rooms/"+roomID, url.Values{"csrf": {csrf}, "code": {"B204"}, "name": {""}})
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "Nom : à renseigner") || !strings.Contains(r.body, `value="B204"`) {
		t.Fatalf("rename to nothing: %d %s", r.status, alertOf(r.body))
	}
	if r := h.post(base+"/rooms/"+roomID, url.Values{"csrf": {csrf}, "code": {"B204"}, "name": {"Salle B 204 (étage 2)"}}); r.status != http.StatusSeeOther {
		t.Fatalf("rename: %d %s", r.status, alertOf(r.body))
	}
	if n := e.query(`SELECT name FROM tt_rooms WHERE id = ?`, roomID); n[0] != "Salle B 204 (étage 2)" {
		t.Fatalf("renamed room: %v", n)
	}

	// Week patterns: the weeks of the year with their holidays.
	r = h.get(base + "/weeks")
	if r.status != 200 || !strings.Contains(r.body, `name="week" value="2026-11-30"`) || !strings.Contains(r.body, "Vacances, aucun cours") {
		t.Fatalf("weeks page: %d", r.status)
	}
	before = e.setupSnapshot()
	r = h.post(base+"/weeks", url.Values{"csrf": {csrf}, "code": {"Q"}, "label": {"Quinzaine du samedi"}, "mode": {"custom"},
		"week": {"2026-11-30", "2026-12-08"}})
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "Semaines : « 2026-12-08 » n&#39;est pas le lundi") ||
		!strings.Contains(r.body, `value="Quinzaine du samedi"`) || !strings.Contains(r.body, `name="week" value="2026-11-30" checked`) {
		t.Fatalf("pattern with a bad week: %d %s", r.status, alertOf(r.body))
	}
	r = h.post(base+"/weeks", url.Values{"csrf": {csrf}, "code": {"sa"}, "label": {"Encore A"}, "mode": {"alternate"}, "start": {"2026-11-30"}})
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "Code : une autre alternance a déjà le code « SA »") {
		t.Fatalf("duplicate pattern code: %d %s", r.status, alertOf(r.body))
	}
	if e.setupSnapshot() != before {
		t.Fatal("a refused pattern was saved")
	}
	r = h.post(base+"/weeks", url.Values{"csrf": {csrf}, "code": {"Q"}, "label": {"Quinzaine du samedi"}, "mode": {"alternate"}, "start": {"2026-11-30"}})
	if r.status != http.StatusSeeOther || r.header.Get("Location") != base+"/weeks?saved=added" {
		t.Fatalf("add a pattern: %d %s", r.status, alertOf(r.body))
	}
	altID := e.query(`SELECT id FROM tt_alternations WHERE establishment_id = ? AND code = 'Q'`, est)[0]
	weeks := e.query(`SELECT monday FROM tt_alternation_weeks WHERE alternation_id = ? ORDER BY monday`, altID)
	if !slices.Contains(weeks, "2026-11-30") || slices.Contains(weeks, "2026-12-07") || !slices.Contains(weeks, "2026-12-14") ||
		slices.ContainsFunc(weeks, func(m string) bool { return m < "2026-11-30" }) {
		t.Fatalf("every other week from 30 November: %v", weeks)
	}

	// A Saturday lesson in the new room, on the new pattern, shows in the
	// room's timetable in its weeks only.
	class := e.query(`SELECT id FROM classes WHERE establishment_id = ? ORDER BY code LIMIT 1`, est)[0]
	row := strings.Split(e.query(`SELECT s.subject_id || '|' || t.teacher_id FROM tt_slots s JOIN tt_slot_teachers t ON t.slot_id = s.id
		JOIN tt_slot_audiences a ON a.slot_id = s.id WHERE a.class_id = ? ORDER BY s.id LIMIT 1`, class)[0], "|")
	r = h.post(base+"/slots", url.Values{"csrf": {csrf}, "day": {"6"}, "start": {"16:00"}, "duration": {"55"}, "subject": {row[0]},
		"teacher": {row[1]}, "audience": {"c:" + class}, "room": {roomID}, "alternation": {altID}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("lesson in the new room: %d %s", r.status, alertOf(r.body))
	}
	slot := e.query(`SELECT id FROM tt_slots WHERE room_id = ?`, roomID)[0]
	if r := h.get("/timetable/rooms/" + roomID); r.status != 200 || !strings.Contains(r.body, "/lessons/"+slot+"/2026-12-05") {
		t.Fatalf("the room timetable does not show the lesson: %d", r.status)
	}
	if r := h.get("/timetable/rooms/" + roomID + "?week=2026-12-07"); strings.Contains(r.body, "/lessons/"+slot+"/") {
		t.Fatal("the lesson shows in a week outside its pattern")
	}

	// In use: neither the room nor the pattern can be deleted.
	r = h.post(base+"/rooms/"+roomID+"/delete", url.Values{"csrf": {csrf}})
	if r.status != http.StatusConflict || !strings.Contains(r.body, "cette salle est celle de 1 cours hebdomadaire") {
		t.Fatalf("delete a room in use: %d %s", r.status, alertOf(r.body))
	}
	r = h.post(base+"/weeks/"+altID+"/delete", url.Values{"csrf": {csrf}})
	if r.status != http.StatusConflict || !strings.Contains(r.body, "1 cours hebdomadaire suit cette alternance") {
		t.Fatalf("delete a pattern in use: %d %s", r.status, alertOf(r.body))
	}
	if len(e.query(`SELECT id FROM tt_slots WHERE id = ? AND room_id = ? AND alternation_id = ?`, slot, roomID, altID)) != 1 {
		t.Fatal("a refused deletion changed the lesson")
	}

	// Edit the pattern's weeks by ticking them: the lesson follows at once.
	r = h.get(base + "/weeks/" + altID)
	if r.status != 200 || !strings.Contains(r.body, `name="week" value="2026-11-30" checked`) || strings.Contains(r.body, `value="2026-12-07" checked`) {
		t.Fatalf("edit page of a pattern: %d", r.status)
	}
	r = h.post(base+"/weeks/"+altID, url.Values{"csrf": {csrf}, "code": {"Q"}, "label": {"Samedis de décembre"}, "mode": {"custom"},
		"week": {"2026-11-30", "2026-12-07"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("edit the weeks: %d %s", r.status, alertOf(r.body))
	}
	if w := e.query(`SELECT monday FROM tt_alternation_weeks WHERE alternation_id = ? ORDER BY monday`, altID); !slices.Equal(w, []string{"2026-11-30", "2026-12-07"}) {
		t.Fatalf("weeks after the edit: %v", w)
	}
	if r := h.get("/timetable/rooms/" + roomID + "?week=2026-12-07"); !strings.Contains(r.body, "/lessons/"+slot+"/2026-12-12") {
		t.Fatal("the room timetable did not follow the new weeks")
	}

	// Refused for a teacher, a relative, a student and the head of the
	// other establishment; nothing changes.
	second := e.query(`SELECT id FROM establishments WHERE uai = ?`, demo.SecondUAI)[0]
	otherRoom := e.query(`SELECT id FROM tt_rooms WHERE establishment_id = ? ORDER BY code LIMIT 1`, second)
	before = e.setupSnapshot()
	teacher := e.account(func(a demo.Account) bool { return a.Profile == "teacher" && a.Establishment == demo.MainUAI })
	relative := e.account(func(a demo.Account) bool { return a.Profile == "relative" })
	student := e.account(func(a demo.Account) bool { return a.Profile == "student" && a.Establishment == demo.MainUAI })
	otherHead := e.account(func(a demo.Account) bool {
		return has("head")(a) && a.Establishment == demo.SecondUAI && !slices.Contains(a.Establishments, demo.MainUAI)
	})
	for _, who := range []demo.Account{teacher, relative, student, otherHead} {
		b := e.signIn(who.Login)
		tok := b.csrf()
		for _, path := range []string{base + "/rooms", base + "/rooms/" + roomID, base + "/weeks", base + "/weeks/" + altID} {
			if r := b.get(path); r.status != http.StatusNotFound && r.status != http.StatusForbidden {
				t.Errorf("%s (%s) GET %s: %d", who.Login, who.Profile, path, r.status)
			}
		}
		for path, form := range map[string]url.Values{
			base + "/rooms":                       {"code": {"PIRATE"}, "name": {"Pirate"}},
			base + "/rooms/" + roomID:             {"code": {"PIRATE"}, "name": {"Pirate"}},
			base + "/rooms/" + roomID + "/delete": {},
			base + "/weeks":                       {"code": {"P"}, "label": {"Pirate"}, "mode": {"alternate"}, "start": {"2026-11-30"}},
			base + "/weeks/" + altID:              {"code": {"P"}, "label": {"Pirate"}, "mode": {"custom"}, "week": {"2026-11-30"}},
			base + "/weeks/" + altID + "/delete":  {},
		} {
			form.Set("csrf", tok)
			if r := b.post(path, form); r.status != http.StatusNotFound && r.status != http.StatusForbidden {
				t.Errorf("%s (%s) POST %s: %d", who.Login, who.Profile, path, r.status)
			}
		}
	}
	// The head may not reach another establishment's room through their own.
	if len(otherRoom) == 1 {
		if r := h.get(base + "/rooms/" + otherRoom[0]); r.status != http.StatusNotFound {
			t.Errorf("another establishment's room through one's own: %d", r.status)
		}
		if r := h.post(base+"/rooms/"+otherRoom[0]+"/delete", url.Values{"csrf": {csrf}}); r.status != http.StatusNotFound {
			t.Errorf("delete another establishment's room through one's own: %d", r.status)
		}
	}
	if after := e.setupSnapshot(); after != before {
		t.Fatal("a refused request changed rooms or week patterns")
	}

	// Once the lesson is gone, both can be deleted.
	if r := h.post(base+"/slots/"+slot+"/delete", url.Values{"csrf": {csrf}}); r.status != http.StatusSeeOther {
		t.Fatalf("delete the lesson: %d", r.status)
	}
	if r := h.post(base+"/rooms/"+roomID+"/delete", url.Values{"csrf": {csrf}}); r.status != http.StatusSeeOther {
		t.Fatalf("delete the room: %d %s", r.status, alertOf(r.body))
	}
	if r := h.post(base+"/weeks/"+altID+"/delete", url.Values{"csrf": {csrf}}); r.status != http.StatusSeeOther {
		t.Fatalf("delete the pattern: %d %s", r.status, alertOf(r.body))
	}
	if len(e.query(`SELECT id FROM tt_rooms WHERE id = ?`, roomID))+len(e.query(`SELECT id FROM tt_alternations WHERE id = ?`, altID)) != 0 {
		t.Fatal("deleted room or pattern still stored")
	}
	if r := h.get(base + "/rooms/" + roomID); r.status != http.StatusNotFound {
		t.Errorf("deleted room's page: %d", r.status)
	}
}

// alertOf extracts the alert of a page, for failure messages.
func alertOf(body string) string {
	i := strings.Index(body, `role="alert"`)
	if i < 0 {
		return ""
	}
	end := min(len(body), i+600)
	return body[i:end]
}
