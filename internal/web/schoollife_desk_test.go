package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"cartable/internal/demo"
	"cartable/internal/directory"
	"cartable/internal/roles"
	"cartable/internal/timetable"
)

// The CPE's desk, the student's record, absences over time, exemptions,
// collective absences, settings and reasons, the history: through real
// HTTP, every route refused to those who may not (as a missing page), the
// history written with each change, confidential reasons sealed for a
// teacher.

var mainCPE = func(a demo.Account) bool {
	return a.Profile == roles.Staff && a.Establishment == demo.MainUAI && len(a.Establishments) == 1 && has(roles.CPE)(a)
}

// deskCast is the people of the desk's tests.
type deskCast struct {
	student, other           directory.Person // two students of the collège, in different families
	relative, otherRelative  string           // logins: the student's relative, a relative of another family only
	teacher, otherTeacher    string           // logins: a teacher of the student's class, one who teaches none of the student's classes and groups
	cpe, head, secretary     string           // logins in the collège
	secondHead, secondPupil  string           // the lycée's head (login) and one of its students (ID)
	reasonMedical, reasonIll string           // the collège's reasons: confidential, plain
	day                      string           // a school day of the year, next week
}

func (e *env) deskCast() deskCast {
	e.t.Helper()
	var c deskCast
	main, _ := directory.EstablishmentByUAI(context.Background(), e.db, demo.MainUAI)
	for _, a := range e.accounts {
		if a.Profile != roles.Student || a.Establishment != demo.MainUAI || len(a.Relatives) == 0 {
			continue
		}
		if c.student.ID == "" {
			c.student = e.person(a.Login)
			c.relative = a.Relatives[0]
			continue
		}
		shared := false
		for _, r := range a.Relatives {
			shared = shared || r == c.relative
		}
		if !shared && c.other.ID == "" {
			c.other = e.person(a.Login)
			for _, r := range a.Relatives {
				kids := e.account(func(x demo.Account) bool { return x.Login == r }).Children
				if len(kids) == 1 {
					c.otherRelative = r
				}
			}
			if c.otherRelative == "" {
				c.other = directory.Person{}
			}
		}
	}
	if c.other.ID == "" {
		e.t.Fatal("no second family")
	}
	t := e.query(`SELECT DISTINCT ta.teacher_id FROM teaching_assignments ta JOIN enrolments en ON en.class_id = ta.class_id
		WHERE en.student_id = ? ORDER BY ta.teacher_id`, c.student.ID)
	if len(t) == 0 {
		e.t.Fatal("the student has no teacher")
	}
	c.teacher = e.login(t[0])
	o := e.query(`SELECT p.id FROM people p JOIN memberships m ON m.person_id = p.id WHERE p.profile = 'teacher' AND m.establishment_id = ?
		AND p.id NOT IN (SELECT person_id FROM functions)
		AND p.id NOT IN (SELECT teacher_id FROM teaching_assignments WHERE class_id IN (SELECT class_id FROM enrolments WHERE student_id = ?)
			OR group_id IN (SELECT group_id FROM group_members WHERE student_id = ?))
		AND p.id NOT IN (SELECT teacher_id FROM head_teachers WHERE class_id IN (SELECT class_id FROM enrolments WHERE student_id = ?))
		ORDER BY p.id`, main.ID, c.student.ID, c.student.ID, c.student.ID)
	if len(o) == 0 {
		e.t.Fatal("no teacher outside the student's classes")
	}
	c.otherTeacher = e.login(o[0])
	c.cpe = e.account(mainCPE).Login
	c.head = e.account(mainHead).Login
	c.secretary = e.account(mainSecretary).Login
	c.secondHead = e.account(secondHead).Login
	second, _ := directory.EstablishmentByUAI(context.Background(), e.db, demo.SecondUAI)
	c.secondPupil = e.query(`SELECT p.id FROM people p JOIN memberships m ON m.person_id = p.id WHERE p.profile = 'student' AND m.establishment_id = ?
		ORDER BY p.id LIMIT 1`, second.ID)[0]
	// The reasons are written the first time they are needed: the CPE's
	// settings page.
	if r := e.signIn(c.cpe).get("/school-life/settings"); r.status != 200 {
		e.t.Fatalf("settings: %d", r.status)
	}
	c.reasonMedical = e.query(`SELECT id FROM att_reasons WHERE establishment_id = ? AND label = 'Rendez-vous médical'`, main.ID)[0]
	c.reasonIll = e.query(`SELECT id FROM att_reasons WHERE establishment_id = ? AND label = 'Maladie'`, main.ID)[0]
	d := timetable.Monday(e.clock.Now().In(timetable.Paris)).AddDate(0, 0, 8) // Tuesday next week
	c.day = d.Format(timetable.DateFormat)
	return c
}

func absenceForm(c deskCast, csrf string, over map[string]string) url.Values {
	f := url.Values{"csrf": {csrf}, "start-date": {c.day}, "start-time": {"08:00"}, "end-date": {c.day}, "end-time": {"12:00"},
		"reason": {c.reasonMedical}, "state": {"reason-given"}, "comment": {"Appel de la mère, suivi infirmière"}}
	for k, v := range over {
		f.Set(k, v)
	}
	return f
}

func TestSchoolLifeDeskAbsences(t *testing.T) {
	e := newEnv(t, 60)
	c := e.deskCast()
	cpe := e.signIn(c.cpe)
	csrf := cpe.csrf()

	// The CPE records an absence; it is on the record and on the day.
	r := cpe.post("/school-life/students/"+c.student.ID+"/absences", absenceForm(c, csrf, nil))
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/school-life/students/"+c.student.ID+"?done=saved" {
		t.Fatalf("record an absence: %d %s %.300s", r.status, r.header.Get("Location"), r.body)
	}
	ids := e.query(`SELECT id FROM att_absences WHERE student_id = ? AND start_date = ?`, c.student.ID, c.day)
	if len(ids) != 1 {
		t.Fatalf("%d absences", len(ids))
	}
	abs := ids[0]
	if n := e.count(`SELECT COUNT(*) FROM att_history WHERE subject = ? AND before_state = '' AND actor = ?`, "absence:"+abs, e.person(c.cpe).ID); n != 1 {
		t.Errorf("creation history rows: %d", n)
	}
	rec := cpe.get("/school-life/students/" + c.student.ID)
	if rec.status != 200 || !strings.Contains(rec.body, "Rendez-vous médical") || !strings.Contains(rec.body, "suivi infirmière") {
		t.Fatalf("the CPE's record: %d %.500s", rec.status, rec.body)
	}
	day := cpe.get("/school-life?date=" + c.day)
	if day.status != 200 || !strings.Contains(day.body, c.student.LastName) {
		t.Fatalf("the day: %d", day.status)
	}
	if f := cpe.get("/school-life?date=" + c.day + "&kind=late"); strings.Contains(f.body, "/school-life/absences/"+abs) {
		t.Error("the lateness filter shows an absence")
	}
	if f := cpe.get("/school-life?date=" + c.day + "&reason=" + c.reasonIll); strings.Contains(f.body, "/school-life/absences/"+abs) {
		t.Error("the reason filter shows another reason's absence")
	}

	// Bad input: 422, the field named, nothing changed, what was typed kept.
	before := e.count(`SELECT COUNT(*) FROM att_absences`) + e.count(`SELECT COUNT(*) FROM att_history`)
	for _, bad := range []struct {
		name, field, want string
		over              map[string]string
	}{
		{"end before start", "end-date", "la fin doit venir après le début", map[string]string{"end-time": "07:00"}},
		{"overlap", "start-date", "chevauche une absence", map[string]string{"start-time": "10:00", "end-time": "15:00", "comment": "texte tapé 42"}},
		{"unknown reason", "reason", "motif inconnu", map[string]string{"start-time": "14:00", "end-time": "16:00", "reason": "forged-reason"}},
		{"out of the year", "start-date", "hors de l&#39;année scolaire", map[string]string{"start-date": "2031-01-07", "end-date": "2031-01-07"}},
		{"bad time", "start-time", "heure impossible", map[string]string{"start-time": "25:99"}},
	} {
		r := cpe.post("/school-life/students/"+c.student.ID+"/absences", absenceForm(c, csrf, bad.over))
		if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, bad.want) || !strings.Contains(r.body, `id="`+bad.field+`" name="`+bad.field+`"`) {
			t.Errorf("%s: %d, %.200s", bad.name, r.status, r.body)
		}
		if !strings.Contains(r.body, `id="`+bad.field+`"`) || !strings.Contains(r.body, `aria-invalid="true"`) {
			t.Errorf("%s: the field is not marked", bad.name)
		}
		if v := bad.over["comment"]; v != "" && !strings.Contains(r.body, v) {
			t.Errorf("%s: the typed comment was lost", bad.name)
		}
	}
	// A reason of the lycée is unknown in the collège.
	second, _ := directory.EstablishmentByUAI(context.Background(), e.db, demo.SecondUAI)
	if r := e.signIn(c.secondHead).get("/school-life/settings"); r.status != 200 {
		t.Fatalf("the lycée's settings: %d", r.status)
	}
	theirs := e.query(`SELECT id FROM att_reasons WHERE establishment_id = ? ORDER BY id LIMIT 1`, second.ID)[0]
	if r := cpe.post("/school-life/students/"+c.student.ID+"/absences", absenceForm(c, csrf, map[string]string{"start-time": "14:00", "end-time": "16:00", "reason": theirs})); r.status != http.StatusUnprocessableEntity {
		t.Errorf("another school's reason: %d", r.status)
	}
	if after := e.count(`SELECT COUNT(*) FROM att_absences`) + e.count(`SELECT COUNT(*) FROM att_history`); after != before {
		t.Errorf("refused forms changed something: %d rows → %d", before, after)
	}

	// The state moves on; the history has before → after.
	r = cpe.post("/school-life/absences/"+abs, absenceForm(c, csrf, map[string]string{"state": "justified"}))
	if r.status != http.StatusSeeOther {
		t.Fatalf("update: %d %.300s", r.status, r.body)
	}
	if n := e.count(`SELECT COUNT(*) FROM att_history WHERE subject = ? AND before_state LIKE '%reason-given%' AND after_state LIKE '%justified%'`, "absence:"+abs); n != 1 {
		t.Errorf("the change of state is not in the history: %d", n)
	}
	if r := cpe.post("/school-life/absences/"+abs, absenceForm(c, csrf, map[string]string{"end-time": "07:00"})); r.status != http.StatusUnprocessableEntity {
		t.Errorf("update ending before it starts: %d", r.status)
	}
	h := cpe.get("/school-life/students/" + c.student.ID + "/history")
	if h.status != 200 || !strings.Contains(h.body, "Justifiée") || !strings.Contains(h.body, "Rendez-vous médical") {
		t.Errorf("the student's history: %d %.300s", h.status, h.body)
	}
	if h := e.signIn(c.head).get("/school-life/history"); h.status != 200 || !strings.Contains(h.body, c.student.LastName) {
		t.Errorf("the establishment's history for the head: %d", h.status)
	}

	// Confidential reasons: sealed for a teacher of the class, shown to the
	// family and the student; the follow-up comment for school life only.
	for _, who := range []struct {
		login    string
		sealed   bool
		readable bool
	}{{c.teacher, true, true}, {c.relative, false, true}, {e.login(c.student.ID), false, true}, {c.head, false, true}} {
		r := e.signIn(who.login).get("/school-life/students/" + c.student.ID)
		if r.status != 200 {
			t.Errorf("%s reads the record: %d", who.login, r.status)
			continue
		}
		if strings.Contains(r.body, "Rendez-vous médical") == who.sealed || strings.Contains(r.body, "motif confidentiel") != who.sealed {
			t.Errorf("%s: confidential reason sealed=%v wrongly", who.login, who.sealed)
		}
		staff := who.login == c.head
		if strings.Contains(r.body, "suivi infirmière") != staff {
			t.Errorf("%s: the follow-up comment shown=%v", who.login, !staff)
		}
	}

	// Delete: gone, and the history keeps what it was.
	if r := cpe.post("/school-life/absences/"+abs+"/delete", url.Values{"csrf": {csrf}}); r.status != http.StatusSeeOther {
		t.Fatalf("delete: %d", r.status)
	}
	if n := e.count(`SELECT COUNT(*) FROM att_history WHERE subject = ? AND after_state = ''`, "absence:"+abs); n != 1 {
		t.Errorf("deletion history rows: %d", n)
	}
}

func TestSchoolLifeDeskAccess(t *testing.T) {
	e := newEnv(t, 60)
	c := e.deskCast()
	cpe := e.signIn(c.cpe)
	csrf := cpe.csrf()
	if r := cpe.post("/school-life/students/"+c.student.ID+"/absences", absenceForm(c, csrf, nil)); r.status != http.StatusSeeOther {
		t.Fatalf("record: %d", r.status)
	}
	abs := e.query(`SELECT id FROM att_absences WHERE student_id = ? AND start_date = ?`, c.student.ID, c.day)[0]
	if r := cpe.post("/school-life/students/"+c.student.ID+"/exemptions", url.Values{"csrf": {csrf}, "start-date": {c.day}, "end-date": {c.day},
		"weekdays": {"2"}, "attendance": {"1"}}); r.status != http.StatusSeeOther {
		t.Fatalf("exemption: %d %.300s", r.status, r.body)
	}
	ex := e.query(`SELECT id FROM att_exemptions WHERE student_id = ?`, c.student.ID)[0]
	class := e.record(c.student.ID).Classes[0].ID
	if r := cpe.post("/school-life/collective", url.Values{"csrf": {csrf}, "est": {e.memberships(c.student.ID)[0]}, "audience": {"class:" + class},
		"label": {"Sortie au musée"}, "start-date": {c.day}, "start-time": {"13:00"}, "end-date": {c.day}, "end-time": {"17:00"}}); r.status != http.StatusSeeOther {
		t.Fatalf("collective: %d %.300s", r.status, r.body)
	}
	coll := e.query(`SELECT id FROM att_collective`)[0]
	main := e.memberships(c.student.ID)[0]
	// The lycée's reasons exist before the counts are taken.
	if r := e.signIn(c.secondHead).get("/school-life/settings"); r.status != 200 {
		t.Fatalf("the lycée's own settings: %d", r.status)
	}
	if r := cpe.get("/school-life?date=" + c.day); !strings.Contains(r.body, "Sortie au musée") || !strings.Contains(r.body, "en sortie avec sa classe") {
		t.Error("the trip is not on the day, or the absent student is not shown out with the class")
	}

	// The establishment's pages name the collège: the lycée's head has
	// their own desk, not this one.
	reads := []string{"/school-life?est=" + main, "/school-life/settings?est=" + main, "/school-life/collective?est=" + main, "/school-life/history?est=" + main,
		"/school-life/students/" + c.student.ID + "/history", "/school-life/students/" + c.student.ID + "/absences/new",
		"/school-life/students/" + c.student.ID + "/exemptions/new", "/school-life/absences/" + abs}
	record := "/school-life/students/" + c.student.ID
	writes := map[string]url.Values{
		"/school-life/students/" + c.student.ID + "/absences":   absenceForm(c, "", map[string]string{"start-date": c.day, "start-time": "14:00", "end-time": "15:00"}),
		"/school-life/absences/" + abs:                          absenceForm(c, "", map[string]string{"state": "not-accepted"}),
		"/school-life/absences/" + abs + "/delete":              {},
		"/school-life/students/" + c.student.ID + "/exemptions": {"start-date": {c.day}},
		"/school-life/exemptions/" + ex + "/delete":             {},
		"/school-life/collective":                               {"est": {main}, "audience": {"class:" + class}, "label": {"x"}, "start-date": {c.day}},
		"/school-life/collective/" + coll + "/delete":           {},
		"/school-life/settings":                                 {"est": {main}, "unit": {"hour"}, "boundary": {"12:00"}},
		"/school-life/reasons":                                  {"est": {main}, "label": {"Nouveau"}},
	}
	state := func() int {
		return e.count(`SELECT COUNT(*) FROM att_absences`) + e.count(`SELECT COUNT(*) FROM att_history`) + e.count(`SELECT COUNT(*) FROM att_exemptions`) +
			e.count(`SELECT COUNT(*) FROM att_collective`) + e.count(`SELECT COUNT(*) FROM att_settings`) + e.count(`SELECT COUNT(*) FROM att_reasons`)
	}
	before := state()
	for _, who := range []struct {
		name, login string
		record      bool // reads the student's record
	}{
		{"student", e.login(c.student.ID), true},
		{"relative of another family", c.otherRelative, false},
		{"teacher of another class", c.otherTeacher, false},
		{"teacher of the class", c.teacher, true},
		{"relative", c.relative, true},
		{"secretary", c.secretary, false},
		{"head of another school", c.secondHead, false},
	} {
		b := e.signIn(who.login)
		tok := b.csrf()
		for _, p := range reads {
			if r := b.get(p); r.status != http.StatusNotFound {
				t.Errorf("%s GET %s: %d", who.name, p, r.status)
			}
		}
		if r := b.get(record); (r.status == 200) != who.record || (r.status != 200 && r.status != 404) {
			t.Errorf("%s GET the record: %d", who.name, r.status)
		}
		for p, f := range writes {
			g := url.Values{}
			for k, v := range f {
				g[k] = v
			}
			g.Set("csrf", tok)
			if r := b.post(p, g); r.status != http.StatusNotFound {
				t.Errorf("%s POST %s: %d", who.name, p, r.status)
			}
		}
		if strings.Contains(b.get("/").body, `href="/school-life"`) != (who.login == c.secondHead) {
			t.Errorf("%s: the menu's desk entry is wrong", who.name)
		}
	}
	if after := state(); after != before {
		t.Errorf("refused requests changed something: %d → %d", before, after)
	}
	// Forged ids: another school's student, unknown ids, for the CPE.
	for _, p := range []string{"/school-life/students/" + c.secondPupil, "/school-life/students/" + c.secondPupil + "/absences/new",
		"/school-life/students/nope", "/school-life/absences/nope", "/school-life/students/" + e.person(c.relative).ID,
		"/school-life/settings?est=" + e.memberships(c.secondPupil)[0]} {
		if r := cpe.get(p); r.status != http.StatusNotFound {
			t.Errorf("CPE GET %s: %d", p, r.status)
		}
	}
	for p, f := range map[string]url.Values{
		"/school-life/students/" + c.secondPupil + "/absences":   absenceForm(c, csrf, nil),
		"/school-life/students/" + c.secondPupil + "/exemptions": {"csrf": {csrf}, "start-date": {c.day}},
		"/school-life/absences/nope/delete":                      {"csrf": {csrf}},
		"/school-life/collective":                                {"csrf": {csrf}, "est": {e.memberships(c.secondPupil)[0]}, "audience": {"class:" + class}, "label": {"x"}, "start-date": {c.day}},
		"/school-life/settings":                                  {"csrf": {csrf}, "est": {e.memberships(c.secondPupil)[0]}, "unit": {"hour"}},
		"/school-life/reasons/" + c.reasonIll:                    {"csrf": {csrf}, "est": {e.memberships(c.secondPupil)[0]}, "label": {"x"}},
	} {
		if r := cpe.post(p, f); r.status != http.StatusNotFound {
			t.Errorf("CPE POST %s: %d", p, r.status)
		}
	}
	// A class of another school in the collège's collective form is a
	// problem of the field.
	otherClass := e.query(`SELECT id FROM classes WHERE establishment_id = ? LIMIT 1`, e.memberships(c.secondPupil)[0])[0]
	if r := cpe.post("/school-life/collective", url.Values{"csrf": {csrf}, "est": {main}, "audience": {"class:" + otherClass}, "label": {"x"},
		"start-date": {c.day}}); r.status != http.StatusUnprocessableEntity {
		t.Errorf("another school's class: %d", r.status)
	}
	if after := state(); after != before {
		t.Errorf("forged requests changed something: %d → %d", before, after)
	}
	// The deputy runs school life but does not read its history.
	deputy := e.account(func(a demo.Account) bool {
		return a.Profile == roles.Staff && a.Establishment == demo.MainUAI && has(roles.Deputy)(a)
	})
	db := e.signIn(deputy.Login)
	if r := db.get("/school-life"); r.status != 200 || strings.Contains(r.body, `href="/school-life/history"`) {
		t.Errorf("deputy's desk: %d", r.status)
	}
	if r := db.get("/school-life/history"); r.status != http.StatusNotFound {
		t.Errorf("deputy's history: %d", r.status)
	}
	// The CPE is offered the desk.
	if !strings.Contains(cpe.get("/").body, `href="/school-life"`) {
		t.Error("the CPE has no menu entry")
	}
}

func TestSchoolLifeDeskOwedFactor(t *testing.T) {
	e := newEnv(t, 30)
	e.requireMFA()
	cpe := e.account(mainCPE)
	e.enrolTOTP(e.person(cpe.Login).ID)
	b, _ := e.passwordOnly(cpe.Login)
	for _, p := range []string{"/school-life", "/school-life/settings", "/school-life/history"} {
		if r := b.get(p); r.status != http.StatusSeeOther || r.header.Get("Location") != "/sign-in/second-factor" {
			t.Errorf("GET %s owing the second factor: %d %s", p, r.status, r.header.Get("Location"))
		}
	}
	_ = time.Now
}

func TestSchoolLifeSettings(t *testing.T) {
	e := newEnv(t, 30)
	c := e.deskCast()
	cpe := e.signIn(c.cpe)
	csrf := cpe.csrf()
	main := e.memberships(c.student.ID)[0]
	good := url.Values{"csrf": {csrf}, "est": {main}, "unit": {"hour"}, "boundary": {"12:15"}, "opens-before": {"5"}, "late-after": {"20"},
		"alert-delay": {"10"}, "alert-from": {"07:30"}, "alert-until": {"19:00"}, "max-absences": {"6"}, "max-lateness": {"4"}, "max-incidents": {"2"}}
	bad := url.Values{}
	for k, v := range good {
		bad[k] = v
	}
	bad.Set("boundary", "33:00")
	bad.Set("max-absences", "0")
	r := cpe.post("/school-life/settings", bad)
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "heure impossible") || !strings.Contains(r.body, `value="33:00"`) {
		t.Fatalf("bad settings: %d %.300s", r.status, r.body)
	}
	if n := e.count(`SELECT COUNT(*) FROM att_settings`); n != 0 {
		t.Errorf("bad settings were written")
	}
	if r := cpe.post("/school-life/settings", good); r.status != http.StatusSeeOther {
		t.Fatalf("settings: %d %.300s", r.status, r.body)
	}
	if u := e.query(`SELECT unit FROM att_settings WHERE establishment_id = ?`, main); len(u) != 1 || u[0] != "hour" {
		t.Errorf("unit: %v", u)
	}
	if r := cpe.get("/school-life/settings"); !strings.Contains(r.body, `value="12:15"`) {
		t.Error("the saved boundary is not shown")
	}
	// Reasons: a new one, a duplicate refused, one made inactive.
	if r := cpe.post("/school-life/reasons", url.Values{"csrf": {csrf}, "est": {main}, "label": {"Stage en entreprise"}, "legitimate": {"1"}, "active": {"1"}}); r.status != http.StatusSeeOther {
		t.Fatalf("new reason: %d %.300s", r.status, r.body)
	}
	if r := cpe.post("/school-life/reasons", url.Values{"csrf": {csrf}, "est": {main}, "label": {"maladie"}, "active": {"1"}}); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "existe déjà") {
		t.Errorf("duplicate reason: %d", r.status)
	}
	if r := cpe.post("/school-life/reasons/"+c.reasonIll, url.Values{"csrf": {csrf}, "est": {main}, "label": {"Maladie"}, "legitimate": {"1"}}); r.status != http.StatusSeeOther {
		t.Errorf("reason made inactive: %d", r.status)
	}
	if a := e.query(`SELECT CASE WHEN active THEN 'yes' ELSE 'no' END FROM att_reasons WHERE id = ?`, c.reasonIll); a[0] != "no" {
		t.Errorf("reason still active")
	}
	// An inactive reason is no longer offered for a new absence.
	if r := cpe.post("/school-life/students/"+c.student.ID+"/absences", absenceForm(c, csrf, map[string]string{"reason": c.reasonIll})); r.status != http.StatusUnprocessableEntity {
		t.Errorf("inactive reason accepted: %d", r.status)
	}
}

// BenchmarkSchoolLifeDay: the CPE's day view of the whole demo collège
// (600 students, its demo term of absences), one request after another.
// The goal is under 50 ms a request on an idle machine.
func BenchmarkSchoolLifeDay(b *testing.B) {
	e := newEnv(b, 600)
	cpe := e.signIn(e.account(mainCPE).Login)
	day := e.clock.Now().In(timetable.Paris)
	for day.Weekday() == time.Saturday || day.Weekday() == time.Sunday {
		day = day.AddDate(0, 0, -1)
	}
	path := "/school-life?date=" + day.Format(timetable.DateFormat)
	if r := cpe.get(path); r.status != 200 {
		b.Fatalf("day view: %d", r.status)
	}
	before := e.db.Statements()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if r := cpe.get(path); r.status != 200 {
			b.Fatalf("day view: %d", r.status)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(e.db.Statements()-before)/float64(b.N), "queries/op")
}

func TestSchoolLifeExemptionForm(t *testing.T) {
	e := newEnv(t, 30)
	c := e.deskCast()
	cpe := e.signIn(c.cpe)
	csrf := cpe.csrf()
	path := "/school-life/students/" + c.student.ID + "/exemptions"
	before := e.count(`SELECT COUNT(*) FROM att_exemptions`)
	for _, bad := range []struct {
		name, field, want string
		form              url.Values
	}{
		{"forged subject", "subject", "choix impossible", url.Values{"subject": {"forged"}, "start-date": {c.day}, "comment": {"gardé tel quel"}}},
		{"one week in two without days", "weekdays", "cochez les jours", url.Values{"start-date": {c.day}, "every-other-week": {"1"}, "comment": {"gardé tel quel"}}},
		{"a Sunday", "weekdays", "choix impossible", url.Values{"start-date": {c.day}, "weekdays": {"7"}, "comment": {"gardé tel quel"}}},
		{"end before start", "end-date", "la fin doit venir", url.Values{"start-date": {c.day}, "end-date": {"2026-09-01"}, "comment": {"gardé tel quel"}}},
	} {
		bad.form.Set("csrf", csrf)
		r := cpe.post(path, bad.form)
		if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, bad.want) || !strings.Contains(r.body, "gardé tel quel") {
			t.Errorf("%s: %d %.300s", bad.name, r.status, r.body)
		}
	}
	if n := e.count(`SELECT COUNT(*) FROM att_exemptions`); n != before {
		t.Errorf("refused exemptions were written: %d → %d", before, n)
	}
	pe := e.query(`SELECT id FROM subjects WHERE code = '100100' AND establishment_id = ?`, e.memberships(c.student.ID)[0])[0]
	r := cpe.post(path, url.Values{"csrf": {csrf}, "subject": {pe}, "start-date": {c.day}, "end-date": {c.day}, "weekdays": {"2", "4"},
		"every-other-week": {"1"}, "comment": {"Certificat du médecin"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("exemption: %d %.300s", r.status, r.body)
	}
	// Its comment is school life's: the teacher of the class sees the
	// exemption, not the comment.
	rec := e.signIn(c.teacher).get("/school-life/students/" + c.student.ID)
	if !strings.Contains(rec.body, "Éducation physique") || strings.Contains(rec.body, "Certificat du médecin") {
		t.Errorf("the teacher's view of the exemption: %.300s", rec.body)
	}
	if n := e.count(`SELECT COUNT(*) FROM att_history WHERE student_id = ? AND subject LIKE 'exemption:%'`, c.student.ID); n < 1 {
		t.Error("the exemption is not in the history")
	}
}
