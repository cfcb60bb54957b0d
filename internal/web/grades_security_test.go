package web_test

// An attacker's review of grades: stale or concurrent saves, forged ids,
// audiences and the links each one is offered.

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"cartable/internal/demo"
	"cartable/internal/timetable"
)

var inputTag = regexp.MustCompile(`<input[^>]*>`)
var attr = regexp.MustCompile(`\b(name|value)="([^"]*)"`)
var textareaTag = regexp.MustCompile(`(?s)<textarea[^>]*\bname="([^"]*)"[^>]*>(.*?)</textarea>`)
var selectTag = regexp.MustCompile(`(?s)<select[^>]*\bname="([^"]*)"[^>]*>(.*?)</select>`)
var selectedOption = regexp.MustCompile(`<option value="([^"]*)" selected>`)

// formFields reads the inputs, text areas and lists of a page as a
// browser would post them (checkboxes aside).
func formFields(body string) url.Values {
	out := url.Values{}
	for _, tag := range inputTag.FindAllString(body, -1) {
		var name, value string
		for _, m := range attr.FindAllStringSubmatch(tag, -1) {
			if m[1] == "name" {
				name = html.UnescapeString(m[2])
			} else {
				value = html.UnescapeString(m[2])
			}
		}
		if name != "" {
			out.Add(name, value)
		}
	}
	for _, m := range textareaTag.FindAllStringSubmatch(body, -1) {
		out.Add(html.UnescapeString(m[1]), html.UnescapeString(m[2]))
	}
	for _, m := range selectTag.FindAllStringSubmatch(body, -1) {
		value := ""
		if o := selectedOption.FindStringSubmatch(m[2]); o != nil {
			value = html.UnescapeString(o[1])
		}
		out.Add(html.UnescapeString(m[1]), value)
	}
	return out
}

// gbEvaluation creates an evaluation of the cast's teaching in trimester
// 1 and returns its grid's path.
func (e *env) gbEvaluation(b *browser, c gbCast) string {
	e.t.Helper()
	form := url.Values{"csrf": {b.csrf()}, "teaching": {"class:" + c.class + "/" + c.subject}, "title": {"Contrôle"},
		"held_on": {"2026-11-18"}, "scale": {"20"}, "coefficient": {"1"}, "kind": {"summative"}, "to20": {"1"},
		"period": {e.strs(`SELECT p.id FROM periods p JOIN school_years y ON y.id = p.school_year_id WHERE y.establishment_id = ? AND p.number = 1`, c.est)[0]}}
	r := b.post("/gradebook/new", form)
	m := evalLocation.FindStringSubmatch(r.header.Get("Location"))
	if r.status != http.StatusSeeOther || m == nil {
		e.t.Fatalf("create: %d → %s", r.status, r.header.Get("Location"))
	}
	return "/gradebook/evaluations/" + m[1]
}

func (e *env) markOf(grid, student string) string {
	e.t.Helper()
	id := strings.TrimPrefix(grid, "/gradebook/evaluations/")
	if e.count(`SELECT COUNT(*) FROM gr_marks WHERE evaluation_id = ? AND student_id = ?`, id, student) == 0 {
		return ""
	}
	return e.strs(`SELECT COALESCE(CAST(value_x100 AS TEXT), special) FROM gr_marks WHERE evaluation_id = ? AND student_id = ?`, id, student)[0]
}

// Two pages of one grid (two tabs, or two teachers of the teaching): the
// second save keeps the marks the first wrote, and a mark changed over
// someone else's change is refused, naming the row and the mark now.
func TestGradesGridStaleSaveKeepsOthersMarks(t *testing.T) {
	e := newEnv(t, 120)
	e.setClock(time.Date(2026, 11, 20, 10, 0, 0, 0, timetable.Paris))
	c := e.gbCast()
	b := e.signInStrong(c.teacher)
	grid := e.gbEvaluation(b, c)

	pageA, pageB := b.get(grid), b.get(grid)
	formA := formFields(pageA.body)
	formA.Set("m."+c.roster[0], "12")
	if r := b.post(grid+"/marks", formA); r.status != http.StatusSeeOther {
		t.Fatalf("first save: %d", r.status)
	}
	formB := formFields(pageB.body)
	formB.Set("m."+c.roster[1], "15")
	if r := b.post(grid+"/marks", formB); r.status != http.StatusSeeOther {
		t.Fatalf("second save: %d", r.status)
	}
	if got := e.markOf(grid, c.roster[0]); got != "1200" {
		t.Errorf("the first save's mark became %q after a save from an older page", got)
	}
	if got := e.markOf(grid, c.roster[1]); got != "1500" {
		t.Errorf("second save's mark %q", got)
	}

	// From the first page again: changing the mark someone else wrote
	// since is refused, nothing saved, the row named.
	stale := formFields(pageA.body)
	stale.Set("m."+c.roster[1], "9")
	stale.Set("m."+c.roster[2], "10")
	r := b.post(grid+"/marks", stale)
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, c.names[1]+" : quelqu&#39;un d&#39;autre a changé cette note") ||
		!strings.Contains(r.body, "elle vaut maintenant 15") || !strings.Contains(r.body, `value="9"`) {
		t.Fatalf("change over another's: %d %.600s", r.status, r.body)
	}
	if got, other := e.markOf(grid, c.roster[1]), e.markOf(grid, c.roster[2]); got != "1500" || other != "" {
		t.Errorf("a refused save changed marks: %q %q", got, other)
	}
	// The page it answers shows the mark now: saving again is deliberate.
	again := formFields(r.body)
	if r := b.post(grid+"/marks", again); r.status != http.StatusSeeOther || e.markOf(grid, c.roster[1]) != "900" {
		t.Errorf("deliberate save: %d %q", r.status, e.markOf(grid, c.roster[1]))
	}
	// A row the form does not carry is left alone.
	if r := b.post(grid+"/marks", url.Values{"csrf": {b.csrf()}, "m." + c.roster[2]: {"11"}}); r.status != http.StatusSeeOther {
		t.Fatalf("one row: %d", r.status)
	}
	if got := e.markOf(grid, c.roster[0]); got != "1200" {
		t.Errorf("a row absent from the form lost its mark: %q", got)
	}
	// The history tells each change once, before → after, in order.
	id := strings.TrimPrefix(grid, "/gradebook/evaluations/")
	if got := strings.Join(e.strs(`SELECT before_state || '→' || after_state FROM gr_history WHERE subject = ? AND student_id = ? ORDER BY id`,
		"mark:"+id, c.roster[1]), " "); got != "→15 15→9" {
		t.Errorf("history of the contested row: %q", got)
	}
}

// The council's appraisals, mention and orientation, the CPE's appraisal
// and the end-of-cycle positioning are assessments like marks: a session
// that passed only its password reads the council and is offered the
// step-up, and every write of it is refused, nothing written.
func TestGradesCouncilAndCycleNeedSecondFactor(t *testing.T) {
	c := newCmpCast(t)
	e := c.e
	cpe := e.strs(`SELECT p.login FROM functions f JOIN people p ON p.id = f.person_id JOIN establishments es ON es.id = f.establishment_id
		WHERE es.uai = ? AND f.function = 'cpe' ORDER BY p.login LIMIT 1`, demo.MainUAI)[0]
	council := "/report-cards/class/" + c.class3 + "/" + c.t1
	entries := func() int {
		return e.count(`SELECT COUNT(*) FROM gr_council_entries WHERE student_id = ? AND period_id = ?`, c.studentID, c.t1)
	}
	before := entries()
	lifeOf := func() string {
		if e.count(`SELECT COUNT(*) FROM gr_council_entries WHERE student_id = ? AND period_id = ?`, c.studentID, c.t1) == 0 {
			return ""
		}
		return e.strs(`SELECT life_appraisal FROM gr_council_entries WHERE student_id = ? AND period_id = ?`, c.studentID, c.t1)[0]
	}
	general := func() string {
		if e.count(`SELECT COUNT(*) FROM gr_council_entries WHERE student_id = ? AND period_id = ?`, c.studentID, c.t1) == 0 {
			return ""
		}
		return e.strs(`SELECT general_appraisal FROM gr_council_entries WHERE student_id = ? AND period_id = ?`, c.studentID, c.t1)[0]
	}
	was := general()

	weak := e.signIn(c.headTeacher)
	r := weak.get(council)
	if r.status != http.StatusOK || strings.Contains(r.body, `name="general/`) || !strings.Contains(r.body, "/sign-in/second-factor?next=") {
		t.Fatalf("password-only council page: %d, form shown or no step-up", r.status)
	}
	r = weak.post(council, url.Values{"csrf": {weak.csrf()}, "council": {"1"}, "student": {c.studentID},
		"general/" + c.studentID: {"Écrit sans second facteur."}, "mention/" + c.studentID: {"felicitations"}})
	if r.status == http.StatusSeeOther || general() != was || entries() != before {
		t.Errorf("password-only council write: %d, general %q", r.status, general())
	}
	weakCPE := e.signIn(cpe)
	r = weakCPE.post(council, url.Values{"csrf": {weakCPE.csrf()}, "life": {"1"}, "student": {c.studentID},
		"life/" + c.studentID: {"Écrit sans second facteur."}})
	if r.status == http.StatusSeeOther || strings.Contains(lifeOf(), "sans second facteur") {
		t.Errorf("password-only CPE write: %d", r.status)
	}

	// With a second factor: the CPE writes school life's appraisal only.
	strongCPE := e.signInStrong(cpe)
	if r := strongCPE.post(council, url.Values{"csrf": {strongCPE.csrf()}, "life": {"1"}, "student": {c.studentID},
		"life/" + c.studentID: {"Assidu et ponctuel."}}); r.status != http.StatusSeeOther || lifeOf() != "Assidu et ponctuel." {
		t.Errorf("CPE's appraisal: %d %q", r.status, lifeOf())
	}
	if r := strongCPE.post(council, url.Values{"csrf": {strongCPE.csrf()}, "council": {"1"}, "student": {c.studentID},
		"general/" + c.studentID: {"Le CPE écrit l'appréciation générale."}}); r.status != http.StatusNotFound || general() != was {
		t.Errorf("CPE writes the general appraisal: %d %q", r.status, general())
	}

	// The end-of-cycle positioning: the grid asks for the step-up, a
	// posted one is refused.
	cycle := "/competences/cycle/" + c.class3
	if r := weak.get(cycle); r.status != http.StatusSeeOther || !strings.HasPrefix(r.header.Get("Location"), "/sign-in/second-factor?next=") {
		t.Errorf("password-only cycle grid: %d → %s", r.status, r.header.Get("Location"))
	}
	if r := weak.get("/competences"); !strings.Contains(r.body, cycle) {
		t.Errorf("the password-only desk lost its cycle grid")
	}
	r = weak.post(cycle, cmpForm(weak, url.Values{"cy." + c.studentID + ".CPD_FRA": {"4"}}))
	if r.status == http.StatusSeeOther || e.count(`SELECT COUNT(*) FROM gr_cycle_positions WHERE student_id = ?`, c.studentID) != 0 {
		t.Errorf("password-only positioning: %d", r.status)
	}
}

// The history of changes is the head's alone (ReadGradesAudit): the
// deputy, who manages grading, is neither offered it nor let in; nor is
// the head of another establishment or a teacher.
func TestGradesHistoryIsTheHeads(t *testing.T) {
	e := newEnv(t, 60)
	c := e.gbCast()
	deputy := e.strs(`SELECT p.login FROM functions f JOIN people p ON p.id = f.person_id WHERE f.establishment_id = ? AND f.function = 'deputy'
		AND NOT EXISTS (SELECT 1 FROM functions h WHERE h.person_id = f.person_id AND h.function = 'head') ORDER BY p.login LIMIT 1`, c.est)[0]
	otherHead := e.strs(`SELECT p.login FROM functions f JOIN people p ON p.id = f.person_id WHERE f.establishment_id <> ? AND f.function = 'head'
		ORDER BY p.login LIMIT 1`, c.est)[0]
	history := "/gradebook/history?est=" + c.est
	h := e.signIn(c.head)
	if r := h.get("/gradebook/settings?est=" + c.est); r.status != http.StatusOK || !strings.Contains(r.body, `href="/gradebook/history?est=`+c.est+`"`) {
		t.Errorf("the head's settings lack the history: %d", r.status)
	}
	if r := h.get(history); r.status != http.StatusOK {
		t.Errorf("the head's history: %d", r.status)
	}
	d := e.signIn(deputy)
	for _, p := range []string{"/gradebook", "/gradebook/settings?est=" + c.est, "/gradebook/periods?est=" + c.est, "/gradebook/coefficients?est=" + c.est} {
		if r := d.get(p); r.status != http.StatusOK || strings.Contains(r.body, "/gradebook/history") {
			t.Errorf("the deputy's %s: %d, offers the history: %v", p, r.status, strings.Contains(r.body, "/gradebook/history"))
		}
	}
	for who, b := range map[string]*browser{"deputy": d, "other head": e.signIn(otherHead), "teacher": e.signIn(c.teacher)} {
		if r := b.get(history); r.status != http.StatusNotFound {
			t.Errorf("%s reads the history: %d", who, r.status)
		}
	}
}

// A draft is kept for those who enter the teaching's marks (a
// password-only session of its teacher too, for after the step-up); the
// head, who reads every teaching, keeps none on another's grid.
func TestGradesDraftIsForTheTeacher(t *testing.T) {
	e := newEnv(t, 60)
	e.setClock(time.Date(2026, 11, 20, 10, 0, 0, 0, timetable.Paris))
	c := e.gbCast()
	weak := e.signIn(c.teacher) // before the step-up sets up a second factor
	grid := e.gbEvaluation(e.signInStrong(c.teacher), c)
	id := strings.TrimPrefix(grid, "/gradebook/evaluations/")
	h := e.signIn(c.head)
	if r := h.post(grid+"/draft", url.Values{"csrf": {h.csrf()}, "m." + c.roster[0]: {"20"}}); r.status != http.StatusNotFound {
		t.Errorf("the head's draft on a teacher's grid: %d", r.status)
	}
	if n := e.count(`SELECT COUNT(*) FROM gr_drafts WHERE evaluation_id = ?`, id); n != 0 {
		t.Errorf("%d drafts kept", n)
	}
	if r := weak.post(grid+"/draft", url.Values{"csrf": {weak.csrf()}, "m." + c.roster[0]: {"12"}}); r.status != http.StatusNoContent {
		t.Errorf("the teacher's password-only draft: %d", r.status)
	}
}

// Forged ids and the wrong audience, through every door of grades: a
// mark for a student outside the class or establishment, a period or a
// sub-subject of elsewhere, another subject's or class's table, a
// classmate's or another family's child's results, an evaluation before
// its publication day, another establishment's head.
func TestGradesForgedIdsAndAudiences(t *testing.T) {
	e := newEnv(t, 120)
	e.setClock(time.Date(2026, 11, 20, 10, 0, 0, 0, timetable.Paris))
	c := e.gbCast()
	student := c.roster[0]
	classmate := c.roster[1]
	login := func(id string) string { return e.strs(`SELECT login FROM people WHERE id = ?`, id)[0] }
	relative := e.strs(`SELECT g.login FROM family_links f JOIN people g ON g.id = f.relative_id WHERE f.student_id = ? AND f.legal_guardian
		ORDER BY g.login LIMIT 1`, student)[0]
	otherFamily := e.strs(`SELECT g.login FROM family_links f JOIN people g ON g.id = f.relative_id WHERE g.profile = 'relative'
		AND NOT EXISTS (SELECT 1 FROM family_links o WHERE o.relative_id = g.id AND o.student_id = ?) ORDER BY g.login LIMIT 1`, student)[0]
	outsider := e.strs(`SELECT p.id FROM people p WHERE p.profile = 'student' AND p.id NOT IN (SELECT student_id FROM enrolments WHERE class_id = ?)
		ORDER BY p.id LIMIT 1`, c.class)[0]
	foreign := e.strs(`SELECT en.student_id FROM enrolments en JOIN classes cl ON cl.id = en.class_id WHERE cl.establishment_id <> ?
		ORDER BY en.student_id LIMIT 1`, c.est)[0]
	foreignPeriod := e.strs(`SELECT p.id FROM periods p JOIN school_years y ON y.id = p.school_year_id WHERE y.establishment_id <> ?
		ORDER BY p.id LIMIT 1`, c.est)[0]
	colleague := e.strs(`SELECT p.login FROM teaching_assignments a JOIN people p ON p.id = a.teacher_id WHERE a.class_id = ? AND a.subject_id <> ?
		AND a.teacher_id NOT IN (SELECT teacher_id FROM teaching_assignments WHERE class_id = ? AND subject_id = ?)
		AND a.teacher_id NOT IN (SELECT teacher_id FROM head_teachers WHERE class_id = ?) ORDER BY p.login LIMIT 1`, c.class, c.subject, c.class, c.subject, c.class)[0]
	otherHead := e.strs(`SELECT p.login FROM functions f JOIN people p ON p.id = f.person_id WHERE f.establishment_id <> ? AND f.function = 'head'
		ORDER BY p.login LIMIT 1`, c.est)[0]

	b := e.signInStrong(c.teacher)
	grid := e.gbEvaluation(b, c)
	id := strings.TrimPrefix(grid, "/gradebook/evaluations/")
	form := formFields(b.get(grid).body)
	form.Set("m."+student, "13")
	form.Set("m."+outsider, "20")
	form.Set("m."+foreign, "20")
	if r := b.post(grid+"/marks", form); r.status != http.StatusSeeOther {
		t.Fatalf("save: %d", r.status)
	}
	if n := e.count(`SELECT COUNT(*) FROM gr_marks WHERE evaluation_id = ? AND student_id IN (?, ?)`, id, outsider, foreign); n != 0 {
		t.Errorf("%d marks for students outside the class", n)
	}
	ap := "/gradebook/class/" + c.class + "/" + c.subject + "/appraisals"
	if r := b.post(ap, url.Values{"csrf": {b.csrf()}, "period": {foreignPeriod}, "a." + student: {"Bien."}}); r.status != http.StatusNotFound {
		t.Errorf("appraisal in another establishment's period: %d", r.status)
	}
	if n := e.count(`SELECT COUNT(*) FROM gr_appraisals WHERE period_id = ?`, foreignPeriod); n != 0 {
		t.Errorf("%d appraisals in another establishment's period", n)
	}
	// A sub-subject of another subject, a period of elsewhere: named.
	otherSub := e.strs(`SELECT ss.id FROM gr_sub_subjects ss WHERE ss.subject_id <> ? ORDER BY ss.id LIMIT 1`, c.subject)
	edit := formFields(b.get(grid + "/edit").body)
	edit.Set("title", "Contrôle")
	edit.Set("period", foreignPeriod)
	if len(otherSub) > 0 {
		edit.Set("sub_subject", otherSub[0])
	}
	if r := b.post(grid+"/edit", edit); r.status != http.StatusUnprocessableEntity {
		t.Errorf("forged period or sub-subject: %d", r.status)
	}

	// An evaluation families see only from its publication day.
	period1 := e.strs(`SELECT p.id FROM periods p JOIN school_years y ON y.id = p.school_year_id WHERE y.establishment_id = ? AND p.number = 1`, c.est)[0]
	later := url.Values{"csrf": {b.csrf()}, "title": {"Devoir surprise"}, "held_on": {"2026-11-18"}, "period": {period1}, "scale": {"20"},
		"coefficient": {"1"}, "kind": {"summative"}, "to20": {"1"}, "publish_on": {"2026-11-30"}}
	if r := b.post(grid+"/edit", later); r.status != http.StatusSeeOther {
		t.Fatalf("publish later: %d %.300s", r.status, r.body)
	}
	s := e.signIn(login(student))
	for _, p := range []string{"/grades", "/grades?student=" + classmate, "/grades/export.csv", "/grades/subject/" + c.subject + "?period=year"} {
		r := s.get(p)
		if strings.Contains(r.body, "Devoir surprise") {
			t.Errorf("the student sees an unpublished evaluation on %s", p)
		}
	}
	teaching := "/grades/teaching/class/" + c.class + "/" + c.subject
	for who, br := range map[string]*browser{"student": s, "relative": e.signIn(relative), "other family": e.signIn(otherFamily),
		"colleague": e.signIn(colleague), "other head": e.signIn(otherHead), "other class's teacher": e.signIn(c.other)} {
		for _, p := range []string{teaching, teaching + "/export.csv", grid} {
			if r := br.get(p); r.status != http.StatusNotFound {
				t.Errorf("%s opens %s: %d", who, p, r.status)
			}
		}
	}
	for who, br := range map[string]*browser{"other family": e.signIn(otherFamily), "colleague": e.signIn(colleague),
		"other head": e.signIn(otherHead)} {
		q := "child=" + student
		if who != "other family" {
			q = "student=" + student
		}
		for _, p := range []string{"/grades?" + q, "/grades/export.csv?" + q, "/grades/explain?" + q + "&subject=" + c.subject,
			"/grades/subject/" + c.subject + "?" + q} {
			if r := br.get(p); r.status != http.StatusNotFound {
				t.Errorf("%s reads the student's %s: %d", who, p, r.status)
			}
		}
	}
	// The what-if answers from the student's own marks, stores nothing.
	before := e.count(`SELECT COUNT(*) FROM gr_marks`) + e.count(`SELECT COUNT(*) FROM gr_history`)
	r := s.post("/grades/simulate", url.Values{"csrf": {s.csrf()}, "subject": {c.subject}, "period": {period1},
		"student": {classmate}, "mark-" + id: {"20"}, "value-1": {"20"}, "scale-1": {"20"}, "coef-1": {"1"}})
	if before != e.count(`SELECT COUNT(*) FROM gr_marks`)+e.count(`SELECT COUNT(*) FROM gr_history`) {
		t.Error("the what-if stored something")
	}
	if r.status == http.StatusOK && strings.Contains(r.body, "Devoir surprise") {
		t.Error("the what-if shows an unpublished evaluation")
	}
}

// Appraisals too: a save from a page drawn before another's keeps the
// other's texts, and one changed over another's change is refused.
func TestGradesAppraisalsStaleSaveKeepsOthers(t *testing.T) {
	e := newEnv(t, 60)
	e.setClock(time.Date(2026, 11, 20, 10, 0, 0, 0, timetable.Paris))
	c := e.gbCast()
	b := e.signInStrong(c.teacher)
	period := e.strs(`SELECT p.id FROM periods p JOIN school_years y ON y.id = p.school_year_id WHERE y.establishment_id = ? AND p.number = 1`, c.est)[0]
	ap := "/gradebook/class/" + c.class + "/" + c.subject + "/appraisals"
	body := func(st string) string {
		if e.count(`SELECT COUNT(*) FROM gr_appraisals WHERE period_id = ? AND student_id = ? AND subject_id = ?`, period, st, c.subject) == 0 {
			return ""
		}
		return e.strs(`SELECT body FROM gr_appraisals WHERE period_id = ? AND student_id = ? AND subject_id = ?`, period, st, c.subject)[0]
	}
	page := b.get(ap + "?period=" + period).body
	blank := func() url.Values {
		f := formFields(page) // the textareas are not inputs: post them empty, as shown
		for _, st := range c.roster {
			f.Set("a."+st, "")
		}
		return f
	}
	a := blank()
	a.Set("a."+c.roster[0], "Bon trimestre.")
	if r := b.post(ap, a); r.status != http.StatusSeeOther {
		t.Fatalf("first save: %d", r.status)
	}
	stale := blank()
	stale.Set("a."+c.roster[1], "Des progrès.")
	if r := b.post(ap, stale); r.status != http.StatusSeeOther {
		t.Fatalf("second save: %d", r.status)
	}
	if body(c.roster[0]) != "Bon trimestre." || body(c.roster[1]) != "Des progrès." {
		t.Errorf("after two saves: %q %q", body(c.roster[0]), body(c.roster[1]))
	}
	over := blank()
	over.Set("a."+c.roster[0], "Trimestre moyen.")
	r := b.post(ap, over)
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, c.names[0]+" : quelqu&#39;un d&#39;autre a changé cette appréciation") ||
		!strings.Contains(r.body, ">Trimestre moyen.</textarea>") || !strings.Contains(r.body, ">Des progrès.</textarea>") {
		t.Fatalf("change over another's: %d %.500s", r.status, r.body)
	}
	if body(c.roster[0]) != "Bon trimestre." {
		t.Errorf("a refused save changed %q", body(c.roster[0]))
	}
}

// Competence levels too: a save from a grid drawn before another's keeps
// the other's levels, one changed over another's change is refused.
func TestGradesLevelsStaleSaveKeepsOthers(t *testing.T) {
	c := newCmpCast(t)
	e := c.e
	e.setClock(time.Date(2026, 11, 20, 10, 0, 0, 0, timetable.Paris))
	b := e.signInStrong(c.teacher)
	if r := b.post("/competences/items", cmpForm(b, url.Values{"teaching": {c.teaching}, "component": {"CPD_FRA"}, "label": {"Lire à voix haute"}})); r.status != http.StatusSeeOther {
		t.Fatalf("item: %d", r.status)
	}
	item := e.strs(`SELECT id FROM gr_competence_items WHERE label = ?`, "Lire à voix haute")[0]
	page := "/competences/evaluations/" + c.eval
	if r := b.post(page+"/items", cmpForm(b, url.Values{"item": {item}})); r.status != http.StatusSeeOther {
		t.Fatalf("choose: %d", r.status)
	}
	level := func(st string) string {
		if e.count(`SELECT COUNT(*) FROM gr_levels WHERE evaluation_id = ? AND student_id = ?`, c.eval, st) == 0 {
			return ""
		}
		return e.strs(`SELECT CAST(level AS TEXT) FROM gr_levels WHERE evaluation_id = ? AND student_id = ?`, c.eval, st)[0]
	}
	pageA, pageB := b.get(page).body, b.get(page).body
	a := formFields(pageA)
	a.Set("lv."+c.studentID+"."+item, "3")
	if r := b.post(page+"/levels", a); r.status != http.StatusSeeOther {
		t.Fatalf("first save: %d %.300s", r.status, r.body)
	}
	stale := formFields(pageB)
	stale.Set("lv."+c.otherStudentID+"."+item, "2")
	if r := b.post(page+"/levels", stale); r.status != http.StatusSeeOther {
		t.Fatalf("second save: %d", r.status)
	}
	if level(c.studentID) != "3" || level(c.otherStudentID) != "2" {
		t.Errorf("after two saves: %q %q", level(c.studentID), level(c.otherStudentID))
	}
	over := formFields(pageA)
	over.Set("lv."+c.otherStudentID+"."+item, "4")
	r := b.post(page+"/levels", over)
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "quelqu&#39;un d&#39;autre a changé ce niveau") {
		t.Fatalf("change over another's: %d %.400s", r.status, r.body)
	}
	if level(c.otherStudentID) != "2" {
		t.Errorf("a refused save changed %q", level(c.otherStudentID))
	}
}

// The council's form too: the head and the head teacher saving from
// pages drawn at once keep each other's entries; a field changed over
// another's change is refused, nothing saved.
func TestGradesCouncilStaleSaveKeepsOthers(t *testing.T) {
	c := newCmpCast(t)
	e := c.e
	ht, hd := e.signInStrong(c.headTeacher), e.signInStrong(c.head)
	council := "/report-cards/class/" + c.class3 + "/" + c.t1
	general := func(st string) string {
		if e.count(`SELECT COUNT(*) FROM gr_council_entries WHERE student_id = ? AND period_id = ?`, st, c.t1) == 0 {
			return ""
		}
		return e.strs(`SELECT general_appraisal FROM gr_council_entries WHERE student_id = ? AND period_id = ?`, st, c.t1)[0]
	}
	pageHT, pageHead := ht.get(council).body, hd.get(council).body
	a := formFields(pageHT)
	a.Set("general/"+c.studentID, "Trimestre sérieux.")
	if r := ht.post(council, a); r.status != http.StatusSeeOther {
		t.Fatalf("head teacher's save: %d %.300s", r.status, r.body)
	}
	b := formFields(pageHead)
	b.Set("general/"+c.otherStudentID, "Des efforts à poursuivre.")
	if r := hd.post(council, b); r.status != http.StatusSeeOther {
		t.Fatalf("head's save: %d", r.status)
	}
	if general(c.studentID) != "Trimestre sérieux." || general(c.otherStudentID) != "Des efforts à poursuivre." {
		t.Errorf("after two saves: %q %q", general(c.studentID), general(c.otherStudentID))
	}
	over := formFields(pageHT)
	over.Set("general/"+c.otherStudentID, "Trimestre moyen.")
	r := ht.post(council, over)
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "quelqu&#39;un d&#39;autre a changé ce champ") ||
		!strings.Contains(r.body, ">Trimestre moyen.</textarea>") || !strings.Contains(r.body, ">Trimestre sérieux.</textarea>") {
		t.Fatalf("change over another's: %d %.500s", r.status, r.body)
	}
	if general(c.otherStudentID) != "Des efforts à poursuivre." {
		t.Errorf("a refused save changed %q", general(c.otherStudentID))
	}
}

// The end-of-cycle grid too: the head teacher and the head saving from
// grids drawn at once keep each other's positions; a cell changed over
// another's change is refused.
func TestGradesCycleStaleSaveKeepsOthers(t *testing.T) {
	c := newCmpCast(t)
	e := c.e
	ht, hd := e.signInStrong(c.headTeacher), e.signInStrong(c.head)
	cycle := "/competences/cycle/" + c.class3
	pos := func(st, comp string) string {
		if e.count(`SELECT COUNT(*) FROM gr_cycle_positions WHERE student_id = ? AND component = ?`, st, comp) == 0 {
			return ""
		}
		return e.strs(`SELECT CAST(position AS TEXT) FROM gr_cycle_positions WHERE student_id = ? AND component = ?`, st, comp)[0]
	}
	// Only the cells each one means to set: the grid is prefilled with
	// suggestions, which a save would position too.
	only := func(body string, set map[string]string) url.Values {
		f := url.Values{}
		for k, v := range formFields(body) {
			if !strings.HasPrefix(k, "cy.") {
				f[k] = v
			}
		}
		for k, v := range set {
			f.Set(k, v)
		}
		return f
	}
	pageHT, pageHead := ht.get(cycle).body, hd.get(cycle).body
	if r := ht.post(cycle, only(pageHT, map[string]string{"cy." + c.studentID + ".CPD_FRA": "3"})); r.status != http.StatusSeeOther {
		t.Fatalf("head teacher's save: %d %.300s", r.status, r.body)
	}
	if r := hd.post(cycle, only(pageHead, map[string]string{"cy." + c.studentID + ".CPD_FRA": "", "cy." + c.studentID + ".MET_APP": "2"})); r.status != http.StatusSeeOther {
		t.Fatalf("head's save: %d %.300s", r.status, r.body)
	}
	if pos(c.studentID, "CPD_FRA") != "3" || pos(c.studentID, "MET_APP") != "2" {
		t.Errorf("after two saves: %q %q", pos(c.studentID, "CPD_FRA"), pos(c.studentID, "MET_APP"))
	}
	r := ht.post(cycle, only(pageHT, map[string]string{"cy." + c.studentID + ".MET_APP": "4"}))
	if r.status != http.StatusUnprocessableEntity || pos(c.studentID, "MET_APP") != "2" {
		t.Errorf("change over another's: %d %q", r.status, pos(c.studentID, "MET_APP"))
	}
}
