package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"cartable/internal/demo"
	"cartable/internal/ids"
	"cartable/internal/timetable"
)

// cmpCast is who the competences pages are tried as, around the demo
// collège's first 3e class.
type cmpCast struct {
	e                                  *env
	class3, class5, subject, t1, eval  string
	teacher, otherTeacher, headTeacher string // logins
	student, relative, otherRelative   string
	head, otherHead                    string
	studentID, otherStudentID          string
	teaching                           string
}

func newCmpCast(t *testing.T) *cmpCast {
	e := newEnv(t, 60)
	e.withoutDemoGrades()
	e.clock.mu.Lock()
	e.clock.at = time.Date(2026, 12, 8, 11, 0, 0, 0, timetable.Paris)
	e.clock.mu.Unlock()
	ctx := context.Background()
	c := &cmpCast{e: e}
	one := func(dst *string, q string, args ...any) {
		t.Helper()
		if err := e.db.QueryRow(ctx, q, args...).Scan(dst); err != nil {
			t.Fatalf("cast %q: %v", q, err)
		}
	}
	login := func(id string) string {
		var l string
		one(&l, `SELECT login FROM people WHERE id = ?`, id)
		return l
	}
	var est, other, year, teacherID, headTeacherID string
	one(&est, `SELECT id FROM establishments WHERE uai = ?`, demo.MainUAI)
	one(&other, `SELECT id FROM establishments WHERE uai = ?`, demo.SecondUAI)
	one(&c.class3, `SELECT id FROM classes WHERE establishment_id = ? AND level = '3e' ORDER BY code LIMIT 1`, est)
	one(&c.class5, `SELECT id FROM classes WHERE establishment_id = ? AND level = '5e' ORDER BY code LIMIT 1`, est)
	one(&year, `SELECT school_year_id FROM classes WHERE id = ?`, c.class3)
	one(&c.t1, `SELECT id FROM periods WHERE school_year_id = ? AND number = 1`, year)
	one(&headTeacherID, `SELECT teacher_id FROM head_teachers WHERE class_id = ?`, c.class3)
	one(&teacherID, `SELECT teacher_id FROM teaching_assignments WHERE class_id = ? AND teacher_id <> ? ORDER BY id LIMIT 1`, c.class3, headTeacherID)
	one(&c.subject, `SELECT subject_id FROM teaching_assignments WHERE class_id = ? AND teacher_id = ? ORDER BY id LIMIT 1`, c.class3, teacherID)
	c.teacher, c.headTeacher = login(teacherID), login(headTeacherID)
	var otherTeacherID string
	one(&otherTeacherID, `SELECT p.id FROM people p JOIN memberships m ON m.person_id = p.id WHERE p.profile = 'teacher'
		AND m.establishment_id = ? AND NOT EXISTS (SELECT 1 FROM teaching_assignments a WHERE a.teacher_id = p.id AND a.class_id = ?)
		AND NOT EXISTS (SELECT 1 FROM head_teachers h WHERE h.teacher_id = p.id AND h.class_id = ?) ORDER BY p.id LIMIT 1`, est, c.class3, c.class3)
	c.otherTeacher = login(otherTeacherID)
	one(&c.studentID, `SELECT e.student_id FROM enrolments e JOIN family_links l ON l.student_id = e.student_id
		WHERE e.class_id = ? AND l.legal_guardian ORDER BY e.student_id LIMIT 1`, c.class3)
	c.student = login(c.studentID)
	var rel, otherRel, head, otherHead string
	one(&rel, `SELECT relative_id FROM family_links WHERE student_id = ? AND legal_guardian ORDER BY relative_id LIMIT 1`, c.studentID)
	one(&otherRel, `SELECT p.id FROM people p WHERE p.profile = 'relative' AND NOT EXISTS
		(SELECT 1 FROM family_links l WHERE l.relative_id = p.id AND l.student_id = ?) ORDER BY p.id LIMIT 1`, c.studentID)
	one(&c.otherStudentID, `SELECT student_id FROM enrolments WHERE class_id = ? AND student_id <> ? ORDER BY student_id LIMIT 1`, c.class3, c.studentID)
	one(&head, `SELECT person_id FROM functions WHERE establishment_id = ? AND function = 'head'`, est)
	one(&otherHead, `SELECT person_id FROM functions WHERE establishment_id = ? AND function = 'head'`, other)
	c.relative, c.otherRelative, c.head, c.otherHead = login(rel), login(otherRel), login(head), login(otherHead)
	c.teaching = "class:" + c.class3 + "/" + c.subject
	// An evaluation of the first term with the student's mark (the entry
	// side is another area's).
	c.eval = ids.New()
	if _, err := e.db.Exec(ctx, `INSERT INTO gr_evaluations (id, establishment_id, class_id, subject_id, period_id, title,
		held_on, scale_x100, coef_x100, publish_on, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'Contrôle cmp', '2026-10-05', 2000, 100, '2026-10-06', 0, 0)`,
		c.eval, est, c.class3, c.subject, c.t1); err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.Exec(ctx, `INSERT INTO gr_marks (evaluation_id, student_id, value_x100, updated_at) VALUES (?, ?, 1450, 0)`, c.eval, c.studentID); err != nil {
		t.Fatal(err)
	}
	return c
}

func cmpForm(b *browser, vals url.Values) url.Values {
	f := url.Values{"csrf": {b.csrf()}}
	for k, v := range vals {
		f[k] = v
	}
	return f
}

func TestCompetencesPages(t *testing.T) {
	c := newCmpCast(t)
	e := c.e
	page := "/competences/evaluations/" + c.eval

	// The teacher, stepped up: an item for their subject, the items of the
	// evaluation, a grid with a bad cell, then a good one.
	weak := e.signIn(c.teacher) // before the step-up sets up a second factor
	teacher := e.signInStrong(c.teacher)
	if r := teacher.get("/competences"); r.status != http.StatusOK || !strings.Contains(r.body, page) {
		t.Fatalf("teacher's desk: %d, no link to the evaluation", r.status)
	}
	r := teacher.post("/competences/items", cmpForm(teacher, url.Values{"teaching": {c.teaching}, "component": {"CPD_FRA"}, "label": {""}}))
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "Intitulé : à renseigner.") {
		t.Fatalf("empty label: %d %.400s", r.status, r.body)
	}
	r = teacher.post("/competences/items", cmpForm(teacher, url.Values{"teaching": {c.teaching}, "component": {"CPD_FRA"}, "label": {"Argumenter à l'oral"}}))
	if r.status != http.StatusSeeOther {
		t.Fatalf("teacher's item: %d %.400s", r.status, r.body)
	}
	var item string
	if err := e.db.QueryRow(context.Background(), `SELECT id FROM gr_competence_items WHERE label = ?`, "Argumenter à l'oral").Scan(&item); err != nil {
		t.Fatal(err)
	}
	if r := teacher.get(page); r.status != http.StatusOK || !strings.Contains(r.body, `value="`+item+`"`) {
		t.Fatalf("the item is not offered: %d", r.status)
	}
	if r := teacher.post(page+"/items", cmpForm(teacher, url.Values{"item": {item}})); r.status != http.StatusSeeOther {
		t.Fatalf("choose items: %d %.300s", r.status, r.body)
	}
	cell := "lv." + c.studentID + "." + item
	r = teacher.post(page+"/levels", cmpForm(teacher, url.Values{cell: {"7"}, "lv." + c.otherStudentID + "." + item: {"tbm"}}))
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "colonne « Argumenter à l&#39;oral »") ||
		!strings.Contains(r.body, "« 7 » n&#39;est pas un niveau") || !strings.Contains(r.body, `value="7"`) || !strings.Contains(r.body, `value="tbm"`) {
		t.Fatalf("bad cell: %d %.2000s", r.status, r.body)
	}
	if n := e.count(`SELECT COUNT(*) FROM gr_levels`); n != 0 {
		t.Fatalf("a refused grid saved %d levels", n)
	}
	if r := teacher.post(page+"/levels", cmpForm(teacher, url.Values{cell: {"3"}, "lv." + c.otherStudentID + "." + item: {"tbm"}})); r.status != http.StatusSeeOther {
		t.Fatalf("good grid: %d %.300s", r.status, r.body)
	}
	if n := e.count(`SELECT COUNT(*) FROM gr_levels`); n != 2 {
		t.Fatalf("levels stored: %d", n)
	}

	// Password only: the grid is read-only with the way to step up; a post
	// is sent there.
	if r := weak.get(page); r.status != http.StatusOK || !strings.Contains(r.body, "/sign-in/second-factor?next=") || strings.Contains(r.body, `name="`+cell+`"`) {
		t.Errorf("password-only grid: %d", r.status)
	}
	if r := weak.post(page+"/levels", cmpForm(weak, url.Values{cell: {"1"}})); r.status != http.StatusSeeOther ||
		!strings.HasPrefix(r.header.Get("Location"), "/sign-in/second-factor?next=") {
		t.Errorf("password-only post: %d → %s", r.status, r.header.Get("Location"))
	}

	// Refused as a missing page, nothing written.
	strong := map[string]*browser{}
	for _, who := range []string{c.otherTeacher, c.student, c.otherRelative, c.otherHead} {
		b := e.signInStrong(who)
		strong[who] = b
		if r := b.get(page); r.status != http.StatusNotFound {
			t.Errorf("%s reads the grid: %d", who, r.status)
		}
		if r := b.post(page+"/levels", cmpForm(b, url.Values{cell: {"1"}})); r.status != http.StatusNotFound {
			t.Errorf("%s posts the grid: %d", who, r.status)
		}
	}
	if n := e.count(`SELECT COUNT(*) FROM gr_levels WHERE level = 1`); n != 0 {
		t.Errorf("a refused post wrote %d levels", n)
	}

	// The family reads the level with its explanation; another family not.
	rel := e.signIn(c.relative)
	if r := rel.get("/competences"); r.status != http.StatusSeeOther || r.header.Get("Location") != "/competences/student/"+c.studentID {
		t.Errorf("relative's desk: %d → %s", r.status, r.header.Get("Location"))
	}
	r = rel.get("/competences/student/" + c.studentID + "?period=" + c.t1)
	if r.status != http.StatusOK || !strings.Contains(r.body, "maîtrise satisfaisante") || !strings.Contains(r.body, "Argumenter à l&#39;oral") {
		t.Errorf("relative's page: %d %.1500s", r.status, r.body)
	}
	if r := strong[c.otherRelative].get("/competences/student/" + c.studentID); r.status != http.StatusNotFound {
		t.Errorf("other family: %d", r.status)
	}
	if r := strong[c.student].get("/competences/student/" + c.otherStudentID); r.status != http.StatusNotFound {
		t.Errorf("a classmate's page: %d", r.status)
	}

	// The brevet: the student and their family see the mark with its steps.
	if r := strong[c.student].get("/brevet"); r.status != http.StatusOK || !strings.Contains(r.body, "14,50") || !strings.Contains(r.body, "60 %") {
		t.Errorf("student's brevet: %d %.1500s", r.status, r.body)
	}
	if r := rel.get("/brevet?child=" + c.studentID); r.status != http.StatusOK || !strings.Contains(r.body, "Contrôle continu du brevet") {
		t.Errorf("relative's brevet: %d", r.status)
	}
	if r := strong[c.otherRelative].get("/brevet?child=" + c.studentID); r.status != http.StatusNotFound {
		t.Errorf("other family's brevet: %d", r.status)
	}
}

func TestCompetencesCycleAndAdmin(t *testing.T) {
	c := newCmpCast(t)
	e := c.e
	cycle := "/competences/cycle/" + c.class3

	ht := e.signInStrong(c.headTeacher) // positioning needs a second factor
	if r := ht.get("/competences"); r.status != http.StatusOK || !strings.Contains(r.body, cycle) || !strings.Contains(r.body, "/brevet/class/"+c.class3) {
		t.Fatalf("head teacher's desk: %d", r.status)
	}
	if r := ht.get(cycle); r.status != http.StatusOK || !strings.Contains(r.body, "CPD_FRA") {
		t.Fatalf("cycle grid: %d", r.status)
	}
	name := "cy." + c.studentID + ".CPD_FRA"
	r := ht.post(cycle, cmpForm(ht, url.Values{name: {"9"}, "cy." + c.studentID + ".MET_APP": {"3"}}))
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "« 9 » n&#39;est pas un positionnement") || !strings.Contains(r.body, `value="9"`) {
		t.Fatalf("bad cycle cell: %d %.1500s", r.status, r.body)
	}
	if n := e.count(`SELECT COUNT(*) FROM gr_cycle_positions`); n != 0 {
		t.Fatalf("refused grid saved %d", n)
	}
	if r := ht.post(cycle, cmpForm(ht, url.Values{name: {"4"}, "cy." + c.studentID + ".MET_APP": {"disp"}})); r.status != http.StatusSeeOther {
		t.Fatalf("cycle save: %d %.300s", r.status, r.body)
	}
	if n := e.count(`SELECT COUNT(*) FROM gr_cycle_positions WHERE student_id = ?`, c.studentID); n != 2 {
		t.Errorf("positions: %d", n)
	}
	if r := ht.get("/brevet/class/" + c.class3); r.status != http.StatusOK || !strings.Contains(r.body, "14,50") {
		t.Errorf("class brevet: %d", r.status)
	}
	if r := ht.get("/competences/cycle/" + c.class5); r.status != http.StatusNotFound {
		t.Errorf("another class's cycle: %d", r.status)
	}
	for _, who := range []string{c.teacher, c.student, c.relative, c.otherHead} {
		b := e.signIn(who)
		if r := b.get(cycle); r.status != http.StatusNotFound {
			t.Errorf("%s reads the cycle grid: %d", who, r.status)
		}
		if r := b.get("/brevet/class/" + c.class3); r.status != http.StatusNotFound {
			t.Errorf("%s reads the class's brevet: %d", who, r.status)
		}
	}

	// The head's items.
	head := e.signIn(c.head)
	if r := head.get("/competences/items"); r.status != http.StatusOK {
		t.Fatalf("items page: %d", r.status)
	}
	var est string
	e.db.QueryRow(context.Background(), `SELECT establishment_id FROM classes WHERE id = ?`, c.class3).Scan(&est)
	r = head.post("/competences/items", cmpForm(head, url.Values{"establishment": {est}, "component": {"NOPE"}, "label": {"Coopérer"}}))
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "« NOPE » n&#39;est pas un domaine du socle") || !strings.Contains(r.body, `value="Coopérer"`) {
		t.Fatalf("bad item: %d %.1500s", r.status, r.body)
	}
	if r := head.post("/competences/items", cmpForm(head, url.Values{"establishment": {est}, "component": {"FRM_CIT"}, "label": {"Coopérer"}})); r.status != http.StatusSeeOther {
		t.Fatalf("item: %d", r.status)
	}
	var coop string
	e.db.QueryRow(context.Background(), `SELECT id FROM gr_competence_items WHERE label = 'Coopérer'`).Scan(&coop)
	tb := e.signIn(c.teacher)
	if r := tb.post("/competences/items/"+coop+"/delete", cmpForm(tb, url.Values{"establishment": {est}})); r.status != http.StatusNotFound {
		t.Errorf("a teacher deletes an item: %d", r.status)
	}
	if r := head.post("/competences/items/"+coop+"/delete", cmpForm(head, url.Values{"establishment": {est}})); r.status != http.StatusSeeOther ||
		e.count(`SELECT COUNT(*) FROM gr_competence_items WHERE id = ?`, coop) != 0 {
		t.Errorf("delete an unused item: %d", r.status)
	}
	if r := e.signIn(c.otherHead).get("/competences/items?establishment=" + est); r.status != http.StatusNotFound {
		t.Errorf("head of another establishment: %d", r.status)
	}
	if r := e.signIn(c.teacher).get("/competences/items?establishment=" + est); r.status != http.StatusNotFound {
		t.Errorf("teacher on the items admin: %d", r.status)
	}
}
