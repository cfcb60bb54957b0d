package web_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"cartable/internal/demo"
)

// TestOperatorOpensRoomTimetables: every "timetable of this room" link of
// the operator's rooms page opens (the operator edits the rooms and the
// lessons: access grants them the rooms' weeks of their establishments).
func TestOperatorOpensRoomTimetables(t *testing.T) {
	e := newTTEnv(t, 60)
	admin := e.signIn(e.account(func(a demo.Account) bool { return a.Profile == "admin" }).Login)
	for _, est := range e.query(`SELECT id FROM establishments ORDER BY uai`) {
		r := admin.get("/timetable/manage/" + est + "/rooms")
		links := regexp.MustCompile(`href="(/timetable/rooms/[^"]+)"`).FindAllStringSubmatch(r.body, -1)
		rooms := e.query(`SELECT id FROM tt_rooms WHERE establishment_id = ?`, est)
		if r.status != 200 || len(links) != len(rooms) || len(rooms) == 0 {
			t.Fatalf("rooms page of %s: %d, %d links for %d rooms", est, r.status, len(links), len(rooms))
		}
		for _, l := range links {
			if r := admin.get(l[1]); r.status != 200 || !strings.Contains(r.body, `<h1>Emploi du temps — `) {
				t.Errorf("operator opens %s: %d", l[1], r.status)
			}
		}
	}
	// Still refused to a student and to a relative.
	room := e.query(`SELECT id FROM tt_rooms ORDER BY code LIMIT 1`)[0]
	for _, who := range []func(demo.Account) bool{
		func(a demo.Account) bool { return a.Profile == "student" },
		func(a demo.Account) bool { return a.Profile == "relative" },
	} {
		if r := e.signIn(e.account(who).Login).get("/timetable/rooms/" + room); r.status != http.StatusNotFound {
			t.Errorf("a %s opens a room timetable: %d", e.account(who).Profile, r.status)
		}
	}
}
