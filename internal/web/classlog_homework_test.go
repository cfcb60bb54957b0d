package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"cartable/internal/richtext"
)

// A homework line keeps its identity across the teacher's edits: the
// students' hand-ins and done-ticks stay with it, whatever changes; a
// forged line ID reaches no other entry; a line holding hand-ins is only
// removed on explicit confirmation.
func TestHomeworkLineKeepsItsIdentity(t *testing.T) {
	e := newTTEnv(t, 120)
	row := e.query(`SELECT s.id || '|' || t.teacher_id || '|' || a.class_id || '|' || ta.class_id FROM tt_slots s
		JOIN tt_slot_teachers t ON t.slot_id = s.id JOIN tt_slot_audiences a ON a.slot_id = s.id
		JOIN teaching_assignments ta ON ta.teacher_id = t.teacher_id AND ta.subject_id = s.subject_id
			AND ta.class_id IS NOT NULL AND ta.class_id <> a.class_id
		WHERE s.weekday = 2 AND a.class_id IS NOT NULL AND s.alternation_id IS NULL
		AND (SELECT COUNT(*) FROM tt_slot_audiences x WHERE x.slot_id = s.id) = 1
		AND NOT EXISTS (SELECT 1 FROM classlog_entries c WHERE c.slot_id = s.id AND c.lesson_date = '2026-12-01')
		ORDER BY s.id, ta.class_id LIMIT 1`)
	if len(row) == 0 {
		t.Fatal("the demo has no lesson whose teacher teaches the subject to another class")
	}
	parts := strings.Split(row[0], "|")
	slot, teacher, class, other := parts[0], parts[1], parts[2], parts[3]
	lesson := "/lessons/" + slot + "/2026-12-01"
	tb := e.signIn(e.login(teacher))
	students := e.query(`SELECT student_id FROM enrolments WHERE class_id = ? ORDER BY 1 LIMIT 2`, class)
	if len(students) != 2 {
		t.Fatal("the demo class has fewer than two students")
	}
	s1, s2 := e.signIn(e.login(students[0])), e.signIn(e.login(students[1]))

	// line is one homework line of the form, as the browser sends it.
	type line struct{ id, desc, due, handin string }
	save := func(title string, lines []line, extra ...string) response {
		t.Helper()
		v := url.Values{"csrf": {tb.csrf()}, "title": {title}, "category": {"lesson"}, "body": {"<p>Cours</p>"}}
		if entry := e.query(`SELECT id FROM classlog_entries WHERE slot_id = ? AND lesson_date = '2026-12-01'`, slot); len(entry) == 1 {
			v.Set("id", entry[0])
		}
		for i, l := range lines {
			p := fmt.Sprintf("hw%d_", i)
			v.Set(p+"id", l.id)
			v.Set(p+"description", l.desc)
			v.Set(p+"due", l.due)
			v.Set(p+"lesson", "")
			v.Set(p+"minutes", "20")
			v.Set(p+"handin", l.handin)
		}
		for i := 0; i+1 < len(extra); i += 2 {
			v.Set(extra[i], extra[i+1])
		}
		return tb.uploadFiles(lesson+"/log", v, nil, false)
	}
	// state sums up a homework row with its ticks and hand-ins.
	state := func(hw string) string {
		t.Helper()
		r := e.query(`SELECT entry_id || '|' || due_date || '|' || description || '|' || handin FROM homework WHERE id = ?`, hw)
		if len(r) == 0 {
			return "gone"
		}
		return fmt.Sprint(r, e.query(`SELECT student_id FROM homework_done WHERE homework_id = ? ORDER BY 1`, hw),
			e.query(`SELECT student_id || ':' || file_id FROM homework_submissions WHERE homework_id = ? ORDER BY 1`, hw))
	}

	// The entry with two lines: one handed in online, one on paper.
	if r := save("Les fractions", []line{{"", "Exercices 1 à 3", "2026-12-03", "upload"}, {"", "Lire le chapitre 4", "2026-12-04", "paper"}}); r.status != http.StatusSeeOther {
		t.Fatalf("first save: %d %s", r.status, alertRe.FindString(r.body))
	}
	entry := e.query(`SELECT id FROM classlog_entries WHERE slot_id = ? AND lesson_date = '2026-12-01'`, slot)[0]
	hwA := e.query(`SELECT id FROM homework WHERE entry_id = ? AND description LIKE '%Exercices 1 à 3%'`, entry)[0]
	hwB := e.query(`SELECT id FROM homework WHERE entry_id = ? AND description LIKE '%Lire le chapitre 4%'`, entry)[0]
	r := tb.get(lesson)
	for i, id := range []string{hwA, hwB} {
		if !strings.Contains(r.body, fmt.Sprintf(`name="hw%d_id" value="%s"`, i, id)) {
			t.Fatalf("the edit form does not carry line %d's homework", i+1)
		}
	}

	// The first student hands in a file (which ticks it done); the second
	// ticks both lines done.
	if r := s1.uploadFiles("/homework/"+hwA+"/hand-in", url.Values{"csrf": {s1.csrf()}},
		[]upFile{{"file", "devoir.pdf", pdf("mon devoir")}}, false); r.status != http.StatusSeeOther {
		t.Fatalf("hand-in: %d", r.status)
	}
	handed := e.query(`SELECT file_id FROM homework_submissions WHERE homework_id = ? AND student_id = ?`, hwA, students[0])[0]
	for _, hw := range []string{hwA, hwB} {
		if r := s2.post("/homework/"+hw+"/done", url.Values{"csrf": {s2.csrf()}, "done": {"1"}}); r.status != http.StatusSeeOther {
			t.Fatalf("tick: %d", r.status)
		}
	}
	ticksA := fmt.Sprint(e.query(`SELECT student_id FROM homework_done WHERE homework_id = ? ORDER BY 1`, hwA))
	if ticksA != fmt.Sprint(students) {
		t.Fatalf("ticks before the edit: %s", ticksA)
	}

	// The teacher pushes the deadline back a day and fixes the wording:
	// same homework, hand-in and ticks kept, the file still stored.
	if r := save("Les fractions", []line{{hwA, "Exercices 1 à 4 (corrigés en classe)", "2026-12-04", "upload"},
		{hwB, "Lire le chapitre 4", "2026-12-04", "paper"}}); r.status != http.StatusSeeOther {
		t.Fatalf("edit: %d %s", r.status, alertRe.FindString(r.body))
	}
	if got := e.query(`SELECT id FROM homework WHERE entry_id = ? ORDER BY id`, entry); !slices.Equal(got, sorted(hwA, hwB)) {
		t.Fatalf("the edit replaced the homework rows: %v", got)
	}
	desc, _ := richtext.Clean("Exercices 1 à 4 (corrigés en classe)")
	wantA := fmt.Sprint([]string{entry + "|2026-12-04|" + desc + "|upload"}, students,
		[]string{students[0] + ":" + handed})
	if got := state(hwA); got != wantA {
		t.Fatalf("the edited line:\n got %s\nwant %s", got, wantA)
	}
	if !e.hasBlob(handed) {
		t.Fatal("the blob of the work handed in left the data directory")
	}
	r = tb.get("/homework/" + hwA + "/hand-ins")
	if r.status != 200 || !strings.Contains(r.body, `href="/files/`+handed+`"`) || !strings.Contains(r.body, "devoir.pdf") ||
		!strings.Contains(r.body, "corrigés en classe") {
		t.Fatalf("the hand-ins page after the edit: %d", r.status)
	}
	if r := tb.get("/files/" + handed); r.status != 200 || !strings.Contains(r.body, "mon devoir") {
		t.Errorf("the teacher downloads the work after the edit: %d", r.status)
	}
	if r := s1.get("/homework"); !strings.Contains(r.body, `id="hw-`+hwA+`"`) || !strings.Contains(r.body, "corrigés en classe") ||
		!strings.Contains(r.body, "remis le") {
		t.Error("the student's list lost the hand-in or the new wording")
	}
	if r := tb.get(lesson); !strings.Contains(r.body, "1 élève a remis son travail") {
		t.Error("the edit form does not say the line holds hand-ins")
	}

	// Hand-in mode away from "upload": the work stays, readable by the
	// teacher (the link stays on their list); no new upload is taken.
	if r := save("Les fractions", []line{{hwA, "Exercices 1 à 4 (corrigés en classe)", "2026-12-04", "paper"},
		{hwB, "Lire le chapitre 4", "2026-12-04", "paper"}}); r.status != http.StatusSeeOther {
		t.Fatalf("hand-in mode to paper: %d %s", r.status, alertRe.FindString(r.body))
	}
	wantA = strings.Replace(wantA, "|upload]", "|paper]", 1)
	if got := state(hwA); got != wantA {
		t.Fatalf("the line after the mode change:\n got %s\nwant %s", got, wantA)
	}
	if r := tb.get("/homework/" + hwA + "/hand-ins"); r.status != 200 || !strings.Contains(r.body, `href="/files/`+handed+`"`) {
		t.Errorf("the hand-ins page once on paper: %d", r.status)
	}
	if r := tb.get("/files/" + handed); r.status != 200 {
		t.Errorf("the teacher downloads the work once on paper: %d", r.status)
	}
	if r := tb.get("/homework"); !strings.Contains(r.body, `href="/homework/`+hwA+`/hand-ins"`) {
		t.Error("the teacher's list no longer leads to the work handed in")
	}
	if r := s1.uploadFiles("/homework/"+hwA+"/hand-in", url.Values{"csrf": {s1.csrf()}},
		[]upFile{{"file", "autre.pdf", pdf("autre")}}, false); r.status != http.StatusNotFound {
		t.Errorf("an upload for homework on paper: %d", r.status)
	}
	if got := state(hwA); got != wantA || !e.hasBlob(handed) {
		t.Errorf("the refused upload changed the line: %s", got)
	}

	// A copy to another class gets homework of its own.
	if r := tb.post("/classlog/entries/"+entry+"/copy", url.Values{"csrf": {tb.csrf()}, "target": {"c:" + other}}); r.status != http.StatusSeeOther {
		t.Fatalf("copy: %d", r.status)
	}
	cp := e.query(`SELECT id FROM classlog_entries WHERE class_id = ? AND title = 'Les fractions'`, other)[0]
	cpHw := e.query(`SELECT id FROM homework WHERE entry_id = ? ORDER BY id`, cp)
	if len(cpHw) != 2 || slices.Contains(cpHw, hwA) || slices.Contains(cpHw, hwB) {
		t.Fatalf("the copy's homework: %v", cpHw)
	}
	if n := e.query(`SELECT COUNT(*) FROM homework_done WHERE homework_id IN (?, ?)`, cpHw[0], cpHw[1]); n[0] != "0" {
		t.Error("the copy's homework came with ticks")
	}

	// Forged line IDs: the copy's homework and another entry's, written
	// to or emptied in this entry's form. Nothing of theirs changes; a
	// written line is new to this entry.
	foreign := e.query(`SELECT h.id FROM homework h WHERE h.entry_id NOT IN (?, ?) AND EXISTS (SELECT 1 FROM homework_done d WHERE d.homework_id = h.id)
		ORDER BY h.id LIMIT 1`, entry, cp)
	if len(foreign) == 0 {
		foreign = e.query(`SELECT id FROM homework WHERE entry_id NOT IN (?, ?) ORDER BY id LIMIT 1`, entry, cp)
	}
	before := map[string]string{}
	for _, id := range append(cpHw, foreign...) {
		before[id] = state(id)
	}
	if r := save("Les fractions", []line{{hwA, "Exercices 1 à 4 (corrigés en classe)", "2026-12-04", "paper"},
		{hwB, "Lire le chapitre 4", "2026-12-04", "paper"},
		{cpHw[0], "Piraté", "2026-12-05", "none"}, {foreign[0], "Piraté aussi", "2026-12-05", "none"}, {cpHw[1], "", "", "none"}},
		"hw4_discard", "1"); r.status != http.StatusSeeOther {
		t.Fatalf("save with forged IDs: %d %s", r.status, alertRe.FindString(r.body))
	}
	for id, was := range before {
		if got := state(id); got != was {
			t.Errorf("a forged ID changed homework %s:\n got %s\nwant %s", id, got, was)
		}
	}
	mine := e.query(`SELECT id FROM homework WHERE entry_id = ? ORDER BY id`, entry)
	if len(mine) != 4 || !slices.Contains(mine, hwA) || !slices.Contains(mine, hwB) {
		t.Fatalf("this entry's homework after the forged save: %v", mine)
	}
	if got := state(hwA); got != wantA {
		t.Errorf("the forged save changed the handed-in line: %s", got)
	}

	// Removing the line with a hand-in: refused, named, nothing saved,
	// everything typed kept, and the confirmation offered.
	r = save("Les fractions, suite", []line{{hwA, "", "", "paper"}, {hwB, "Lire le chapitre 4 et 5", "2026-12-04", "paper"}})
	alert := alertRe.FindString(r.body)
	if r.status != http.StatusUnprocessableEntity {
		t.Fatalf("removing a line with hand-ins: %d %s", r.status, alert)
	}
	want := "Travail n° 1 (« Exercices 1 à 4 (corrigés en classe) », pour le vendredi 4 décembre) : 1 élève a remis son travail ; il n&#39;est pas supprimé."
	if !strings.Contains(alert, want) {
		t.Errorf("the refusal does not say %q:\n%s", want, alert)
	}
	for _, kept := range []string{`value="Les fractions, suite"`, "Lire le chapitre 4 et 5", `name="hw0_id" value="` + hwA + `"`,
		`name="hw1_id" value="` + hwB + `"`, `name="hw0_discard" value="1"`, `id="hw0-desc" name="hw0_description" rows="2" aria-describedby="hw0-handins" aria-invalid="true"></textarea>`} {
		if !strings.Contains(r.body, kept) {
			t.Errorf("the refused form lost %q", kept)
		}
	}
	if strings.Contains(r.body, `name="hw1_discard"`) {
		t.Error("the confirmation is offered for a line that is kept")
	}
	if got := e.query(`SELECT title FROM classlog_entries WHERE id = ?`, entry)[0]; got != "Les fractions" {
		t.Errorf("the refused save changed the title: %q", got)
	}
	if got := state(hwA); got != wantA || !e.hasBlob(handed) {
		t.Errorf("the refused save changed the handed-in line: %s", got)
	}
	if got := e.query(`SELECT description FROM homework WHERE id = ?`, hwB)[0]; strings.Contains(got, "et 5") {
		t.Errorf("the refused save changed the other line: %q", got)
	}

	// A form without the line IDs (a page older than the save): its lines
	// are new, so the handed-in homework would go; refused the same way.
	r = save("Les fractions", []line{{"", "Exercices 1 à 4 (corrigés)", "2026-12-04", "paper"}})
	alert = alertRe.FindString(r.body)
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(alert,
		"Un travail à faire (« Exercices 1 à 4 (corrigés en classe) », pour le vendredi 4 décembre) n&#39;est plus dans le formulaire : 1 élève a remis son travail") {
		t.Errorf("a form without the line IDs: %d %s", r.status, alert)
	}
	if got := state(hwA); got != wantA {
		t.Errorf("the form without IDs changed the handed-in line: %s", got)
	}

	// Deleting the whole entry would erase the work handed in: only on
	// explicit confirmation, which the page offers.
	if r := tb.get(lesson); !strings.Contains(r.body, `name="discard_handins"`) {
		t.Error("the delete form does not offer to confirm the hand-ins' removal")
	}
	if r := tb.post("/classlog/entries/"+entry+"/delete", url.Values{"csrf": {tb.csrf()}}); r.status != http.StatusConflict ||
		!strings.Contains(r.body, "travaux remis") {
		t.Errorf("deleting an entry with hand-ins, unconfirmed: %d", r.status)
	}
	if got := state(hwA); got != wantA || !e.hasBlob(handed) {
		t.Errorf("an unconfirmed delete changed the handed-in line: %s", got)
	}

	// Removing lines without hand-ins needs no confirmation (their ticks
	// go with them); removing the handed-in line with it erases the work.
	var keep []line
	for _, id := range mine {
		if id != hwA && id != hwB {
			keep = append(keep, line{id, "", "", "none"})
		}
	}
	if r := save("Les fractions", append([]line{{hwA, "Exercices 1 à 4 (corrigés en classe)", "2026-12-04", "paper"}, {hwB, "", "", "paper"}}, keep...)); r.status != http.StatusSeeOther {
		t.Fatalf("removing lines without hand-ins: %d %s", r.status, alertRe.FindString(r.body))
	}
	if got := e.query(`SELECT id FROM homework WHERE entry_id = ?`, entry); !slices.Equal(got, []string{hwA}) {
		t.Fatalf("homework after removing the lines without hand-ins: %v", got)
	}
	if n := e.query(`SELECT COUNT(*) FROM homework_done WHERE homework_id = ?`, hwB); n[0] != "0" {
		t.Error("a removed line's ticks stayed")
	}
	if r := save("Les fractions", []line{{hwA, "", "", "paper"}}, "hw0_discard", "1"); r.status != http.StatusSeeOther {
		t.Fatalf("confirmed removal: %d %s", r.status, alertRe.FindString(r.body))
	}
	if got := state(hwA); got != "gone" {
		t.Errorf("the confirmed removal kept the line: %s", got)
	}
	if e.hasBlob(handed) || len(e.query(`SELECT id FROM files WHERE id = ?`, handed)) != 0 {
		t.Error("the work of a removed line is still stored")
	}
	if r := tb.get("/files/" + handed); r.status != http.StatusNotFound {
		t.Errorf("download of the removed work: %d", r.status)
	}
	if q := e.query(`SELECT storage_key FROM file_erasures`); len(q) != 0 {
		t.Errorf("blobs left waiting for erasure: %v", q)
	}
	for id, was := range before {
		if got := state(id); got != was {
			t.Errorf("the removals changed homework %s of another entry", id)
		}
	}
}

func sorted(xs ...string) []string {
	slices.Sort(xs)
	return xs
}
