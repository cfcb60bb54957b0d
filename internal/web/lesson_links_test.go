package web_test

import (
	"net/http"
	"regexp"
	"slices"
	"testing"

	"cartable/internal/demo"
)

var detailsRe = regexp.MustCompile(`(?s)<section class="card" aria-labelledby="l-h">(.*?)</section>`)

// TestLessonAudienceLinksOpen: the class or group of a lesson page leads
// each viewer to a page that opens for them: its class log for its
// teachers, students and the head; its directory page for the CPE and the
// secretary, who see the lesson but not the class log (the class log link
// was a 404 for the CPE).
func TestLessonAudienceLinksOpen(t *testing.T) {
	e := newTTEnv(t, 120)
	row := e.query(`SELECT s.id || '|' || a.class_id || '|' || t.teacher_id FROM tt_slots s
		JOIN tt_slot_audiences a ON a.slot_id = s.id JOIN tt_slot_teachers t ON t.slot_id = s.id
		JOIN establishments x ON x.id = s.establishment_id
		WHERE x.uai = ? AND s.weekday = 2 AND a.class_id IS NOT NULL AND s.alternation_id IS NULL
		AND (SELECT COUNT(*) FROM tt_slot_audiences x WHERE x.slot_id = s.id) = 1
		ORDER BY s.id LIMIT 1`, demo.MainUAI)
	group := e.query(`SELECT s.id || '|' || a.group_id FROM tt_slots s JOIN tt_slot_audiences a ON a.slot_id = s.id
		JOIN establishments x ON x.id = s.establishment_id
		WHERE x.uai = ? AND s.weekday = 2 AND a.group_id IS NOT NULL AND s.alternation_id IS NULL ORDER BY s.id LIMIT 1`, demo.MainUAI)
	if len(row) == 0 || len(group) == 0 {
		t.Fatal("no class or group lesson on Tuesdays in the demo")
	}
	parse := func(s string) []string { return regexp.MustCompile(`\|`).Split(s, -1) }
	cl, gr := parse(row[0]), parse(group[0])
	student := e.query(`SELECT student_id FROM enrolments WHERE class_id = ? ORDER BY 1 LIMIT 1`, cl[1])[0]
	main := func(a demo.Account) bool { return a.Establishment == demo.MainUAI }
	viewers := map[string]struct {
		login string
		want  map[string]string // lesson → the link expected in its details
	}{
		"teacher": {e.login(cl[2]), map[string]string{cl[0]: "/classlog/classes/" + cl[1]}},
		"student": {e.login(student), map[string]string{cl[0]: "/classlog/classes/" + cl[1]}},
		"head": {e.account(func(a demo.Account) bool { return has("head")(a) && main(a) }).Login,
			map[string]string{cl[0]: "/classlog/classes/" + cl[1], gr[0]: "/classlog/groups/" + gr[1]}},
		"cpe": {e.account(func(a demo.Account) bool { return has("cpe")(a) && main(a) }).Login,
			map[string]string{cl[0]: "/classes/" + cl[1], gr[0]: "/groups/" + gr[1]}},
		"secretary": {e.account(func(a demo.Account) bool { return has("secretary")(a) && main(a) }).Login,
			map[string]string{cl[0]: "/classes/" + cl[1], gr[0]: "/groups/" + gr[1]}},
	}
	for who, v := range viewers {
		b := e.signIn(v.login)
		for slot, want := range v.want {
			r := b.get("/lessons/" + slot + "/2026-12-01")
			m := detailsRe.FindStringSubmatch(r.body)
			if r.status != 200 || m == nil {
				t.Fatalf("%s: lesson page %d", who, r.status)
			}
			var links []string
			for _, h := range hrefRe.FindAllStringSubmatch(m[1], -1) {
				links = append(links, h[1])
			}
			if !slices.Contains(links, want) {
				t.Errorf("%s: the lesson's details link %v, want %s", who, links, want)
			}
			for _, l := range links {
				if r := b.get(l); r.status != http.StatusOK {
					t.Errorf("%s: %s on the lesson page answers %d", who, l, r.status)
				}
			}
		}
	}
}
