package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"cartable/internal/demo"
	"cartable/internal/roles"
)

// carnet is the cast of the correspondence-note tests, in the demo
// collège: a teacher of a class, a student of it with two legal guardians
// (separated parents, each signing for themself), a classmate, and those
// who must not reach the notes.
type carnet struct {
	teacher, class, student, classmate string
	guardians                          [2]string // logins
	guardianIDs                        [2]string
	otherTeacher                       string // of the collège, not the student's
	otherFamily                        string // a legal guardian of a student of another class
	kin                                string // a relative of the student who is not a legal guardian
	cpe, foreignHead                   string
	studentLogin                       string
}

func (e *env) carnet(t *testing.T) carnet {
	t.Helper()
	ctx := context.Background()
	var c carnet
	err := e.db.QueryRow(ctx, `SELECT a.teacher_id, a.class_id, m.student_id FROM teaching_assignments a
		JOIN enrolments m ON m.class_id = a.class_id JOIN classes k ON k.id = a.class_id JOIN establishments x ON x.id = k.establishment_id
		JOIN people tp ON tp.id = a.teacher_id
		WHERE x.uai = ? AND tp.profile = 'teacher' AND NOT EXISTS (SELECT 1 FROM functions f WHERE f.person_id = a.teacher_id)
		AND (SELECT COUNT(*) FROM family_links f JOIN people g ON g.id = f.relative_id WHERE f.student_id = m.student_id AND f.legal_guardian AND g.active) = 2
		ORDER BY a.teacher_id, m.student_id LIMIT 1`, demo.MainUAI).Scan(&c.teacher, &c.class, &c.student)
	if err != nil {
		t.Fatalf("no teacher and student with two guardians: %v", err)
	}
	gs := e.strs(`SELECT g.login FROM family_links f JOIN people g ON g.id = f.relative_id WHERE f.student_id = ? AND f.legal_guardian ORDER BY g.login`, c.student)
	c.guardians = [2]string{gs[0], gs[1]}
	c.guardianIDs = [2]string{e.person(gs[0]).ID, e.person(gs[1]).ID}
	c.teacher, c.studentLogin = e.row(c.teacher).Login, e.row(c.student).Login
	for _, s := range e.roster(c.class) {
		if s.ID != c.student && teaches(ctx, t, e, e.person(c.teacher).ID, s.ID) {
			c.classmate = s.ID
			break
		}
	}
	for _, a := range e.accounts {
		p := a.Profile
		switch {
		case p == roles.Teacher && c.otherTeacher == "" && len(a.Functions) == 0 && a.Establishment == demo.MainUAI &&
			!teaches(ctx, t, e, e.person(a.Login).ID, c.student):
			c.otherTeacher = a.Login
		case p == roles.Staff && c.cpe == "" && a.Establishment == demo.MainUAI && has(roles.CPE)(a):
			c.cpe = a.Login
		case p == roles.Staff && c.foreignHead == "" && a.Establishment == demo.SecondUAI && len(a.Establishments) == 1 && has(roles.Head)(a):
			c.foreignHead = a.Login
		}
	}
	c.otherFamily = e.strs(`SELECT g.login FROM family_links f JOIN people g ON g.id = f.relative_id JOIN enrolments m ON m.student_id = f.student_id
		JOIN classes k ON k.id = m.class_id JOIN establishments x ON x.id = k.establishment_id
		WHERE f.legal_guardian AND m.class_id <> ? AND x.uai = ? AND NOT EXISTS (SELECT 1 FROM family_links o WHERE o.relative_id = g.id AND o.student_id = ?)
		ORDER BY g.login LIMIT 1`, c.class, demo.MainUAI, c.student)[0]
	// A relative of another student also linked to ours, but not as a legal
	// guardian (a grandparent, "personne en charge").
	c.kin = e.strs(`SELECT g.login FROM family_links f JOIN people g ON g.id = f.relative_id
		WHERE f.student_id <> ? AND NOT EXISTS (SELECT 1 FROM family_links o WHERE o.relative_id = g.id AND o.student_id = ?)
		AND g.login <> ? ORDER BY g.login LIMIT 1`, c.student, c.student, c.otherFamily)[0]
	if _, err := e.db.Exec(ctx, `INSERT INTO family_links (student_id, relative_id, relationship, legal_guardian, contact) VALUES (?, ?, 'autre', FALSE, TRUE)`,
		c.student, e.person(c.kin).ID); err != nil {
		t.Fatal(err)
	}
	if c.classmate == "" || c.otherTeacher == "" || c.cpe == "" || c.foreignHead == "" {
		t.Fatalf("incomplete cast: %+v", c)
	}
	return c
}

func (e *env) strs(q string, args ...any) []string {
	e.t.Helper()
	out := e.query(q, args...)
	if len(out) == 0 {
		e.t.Fatalf("no row for %s", q)
	}
	return out
}

// notesState is what the liaison tables and their notices hold.
func (e *env) notesState() string {
	e.t.Helper()
	return strings.Join([]string{
		strings.Join(e.query(`SELECT id || subject || student_id FROM liaison_notes ORDER BY id`), ","),
		strings.Join(e.query(`SELECT note_id || guardian_id || signed_at FROM liaison_signatures ORDER BY note_id, guardian_id`), ","),
		strings.Join(e.query(`SELECT id || body FROM liaison_replies ORDER BY id`), ","),
		strings.Join(e.query(`SELECT id FROM notifications ORDER BY id`), ","),
	}, "|")
}

func wantStatus(t *testing.T, what string, r response, status int) {
	t.Helper()
	if r.status != status {
		t.Fatalf("%s: status %d, want %d; body %.300s", what, r.status, status, r.body)
	}
}

func TestCorrespondenceNotes(t *testing.T) {
	e := newEnv(t, 120)
	c := e.carnet(t)
	ctx := context.Background()

	teacher := e.signIn(c.teacher)
	csrf := teacher.csrf()
	wantStatus(t, "the form's choice", teacher.get("/notes/new"), http.StatusOK)
	form := teacher.get("/notes/new?in=class:" + c.class)
	wantStatus(t, "the class's form", form, http.StatusOK)
	if !strings.Contains(form.body, `value="`+c.student+`"`) {
		t.Fatal("the class's form does not offer the student")
	}

	// Bad input: a clear message, nothing written, what was typed kept.
	before := e.notesState()
	for _, bad := range []struct {
		name string
		form url.Values
		want string
	}{
		{"empty text", url.Values{"students": {c.student}, "subject": {"Retard répété"}, "body": {"  "}}, "Texte du mot : à remplir"},
		{"text too long", url.Values{"students": {c.student}, "subject": {"Retard répété"}, "body": {strings.Repeat("é", 4001)}}, "trop long"},
		{"no student", url.Values{"subject": {"Retard répété"}, "body": {"Bonjour"}}, "cochez au moins un élève"},
		{"subject too long", url.Values{"students": {c.student}, "subject": {strings.Repeat("x", 151)}, "body": {"Bonjour"}}, "Objet : trop long"},
	} {
		bad.form.Set("csrf", csrf)
		bad.form.Set("in", "class:"+c.class)
		r := teacher.post("/notes", bad.form)
		wantStatus(t, bad.name, r, http.StatusUnprocessableEntity)
		if !strings.Contains(r.body, bad.want) {
			t.Errorf("%s: no message %q", bad.name, bad.want)
		}
		if s := bad.form.Get("subject"); len(s) < 100 && !strings.Contains(r.body, `value="`+s+`"`) {
			t.Errorf("%s: the subject typed is lost", bad.name)
		}
		if bad.form.Get("students") != "" && !strings.Contains(r.body, `value="`+c.student+`" checked`) {
			t.Errorf("%s: the student ticked is lost", bad.name)
		}
	}
	// Refusals: a forged student, a student the teacher does not teach.
	for name, students := range map[string][]string{"forged": {c.student, "forged-id"}, "not taught": {c.student, e.person(c.otherFamily).ID}} {
		r := teacher.post("/notes", url.Values{"csrf": {csrf}, "students": students, "subject": {"Objet"}, "body": {"Texte"}})
		wantStatus(t, name, r, http.StatusNotFound)
	}
	other := e.signIn(c.otherTeacher)
	ocsrf := other.csrf()
	wantStatus(t, "another class's teacher writes", other.post("/notes", url.Values{"csrf": {ocsrf}, "students": {c.student},
		"subject": {"Objet"}, "body": {"Texte"}}), http.StatusNotFound)
	wantStatus(t, "another class's teacher opens the class's form", other.get("/notes/new?in=class:"+c.class), http.StatusNotFound)
	wantStatus(t, "another class's teacher opens the student's form", other.get("/notes/new?student="+c.student), http.StatusNotFound)
	if after := e.notesState(); after != before {
		t.Fatal("a refused or faulty note changed something")
	}

	// Two students at once: one note each, a notice to each guardian.
	r := teacher.post("/notes", url.Values{"csrf": {csrf}, "in": {"class:" + c.class}, "students": {c.student, c.classmate},
		"subject": {"Oubli du cahier"}, "body": {"Bonjour,\nle cahier est resté à la maison.\nCordialement."}})
	wantStatus(t, "write", r, http.StatusSeeOther)
	if loc := r.header.Get("Location"); loc != "/notes?saved=written" {
		t.Fatalf("write sends to %s", loc)
	}
	note := e.strs(`SELECT id FROM liaison_notes WHERE student_id = ? AND subject = 'Oubli du cahier'`, c.student)[0]
	mate := e.strs(`SELECT id FROM liaison_notes WHERE student_id = ? AND subject = 'Oubli du cahier'`, c.classmate)[0]
	for _, g := range c.guardianIDs {
		if n := e.count(`SELECT COUNT(*) FROM notifications WHERE recipient_id = ? AND kind = 'note-to-sign' AND dedupe_key = ?`, g, "note-to-sign/"+note); n != 1 {
			t.Fatalf("guardian %s has %d notices of the note", g, n)
		}
	}

	// The author sees who has not signed.
	page := teacher.get("/notes/" + note)
	wantStatus(t, "the author's note", page, http.StatusOK)
	if strings.Count(page.body, "Pas encore signé") != 2 {
		t.Fatal("the author does not see both guardians unsigned")
	}
	if list := teacher.get("/notes"); !strings.Contains(list.body, "Oubli du cahier") {
		t.Fatal("the author's list misses the note")
	}
	if home := teacher.get("/"); !strings.Contains(block(home.body, "b-awaiting"), "Oubli du cahier") {
		t.Fatal("the author's home does not show the note awaiting signature")
	}

	// Each guardian signs for themself, once.
	g1, g2 := e.signIn(c.guardians[0]), e.signIn(c.guardians[1])
	g1csrf, g2csrf := g1.csrf(), g2.csrf()
	if home := g1.get("/?child=" + c.student); !strings.Contains(block(home.body, "b-tosign"), "Oubli du cahier") {
		t.Fatal("the guardian's home does not show the note to sign")
	}
	if list := g1.get("/notes?child=" + c.student); !strings.Contains(list.body, "Oubli du cahier") || !strings.Contains(list.body, "À signer") {
		t.Fatal("the guardian's list does not show the note to sign")
	}
	wantStatus(t, "a guardian opens the classmate's note", g1.get("/notes/"+mate), http.StatusNotFound)
	wantStatus(t, "a guardian signs the classmate's note", g1.post("/notes/"+mate+"/sign", url.Values{"csrf": {g1csrf}}), http.StatusNotFound)
	wantStatus(t, "sign", g1.post("/notes/"+note+"/sign", url.Values{"csrf": {g1csrf}}), http.StatusSeeOther)
	first := e.strs(`SELECT CAST(signed_at AS TEXT) FROM liaison_signatures WHERE note_id = ? AND guardian_id = ?`, note, c.guardianIDs[0])[0]
	e.clock.Add(20 * time.Minute)
	wantStatus(t, "sign again", g1.post("/notes/"+note+"/sign", url.Values{"csrf": {g1csrf}}), http.StatusSeeOther)
	if again := e.strs(`SELECT CAST(signed_at AS TEXT) FROM liaison_signatures WHERE note_id = ? AND guardian_id = ?`, note, c.guardianIDs[0]); len(again) != 1 || again[0] != first {
		t.Fatalf("signing twice wrote another instant: %v, then %v", first, again)
	}
	if home := g1.get("/?child=" + c.student); strings.Contains(block(home.body, "b-tosign"), "Oubli du cahier") {
		t.Fatal("a signed note is still to sign on the home page")
	}
	// Signing is what the notice asked: it is read for the signer only.
	if n := e.count(`SELECT COUNT(*) FROM notifications WHERE dedupe_key = ? AND read_at IS NULL`, "note-to-sign/"+note); n != 1 {
		t.Fatalf("%d unread notices of the note once one guardian signed, want the other guardian's only", n)
	}
	page = teacher.get("/notes/" + note)
	if strings.Count(page.body, "Pas encore signé") != 1 || !strings.Contains(page.body, "A pris connaissance le") {
		t.Fatal("the author does not see one guardian signed, the other not")
	}
	if list := teacher.get("/notes"); !strings.Contains(list.body, "Signatures : 1 sur 2") {
		t.Fatal("the author's list does not count one signature of two guardians")
	}
	wantStatus(t, "second guardian signs", g2.post("/notes/"+note+"/sign", url.Values{"csrf": {g2csrf}}), http.StatusSeeOther)
	if n := e.count(`SELECT COUNT(*) FROM liaison_signatures WHERE note_id = ?`, note); n != 2 {
		t.Fatalf("%d acknowledgements, want one per guardian", n)
	}
	if page = teacher.get("/notes/" + note); strings.Contains(page.body, "Pas encore signé") {
		t.Fatal("both signed, the author still sees a guardian unsigned")
	}

	// Answers: a thread per guardian; the other guardian does not read it.
	before = e.notesState()
	r = g1.post("/notes/"+note+"/reply", url.Values{"csrf": {g1csrf}, "reply": {"   "}})
	wantStatus(t, "empty answer", r, http.StatusUnprocessableEntity)
	if !strings.Contains(r.body, "Réponse : à remplir") {
		t.Fatal("the empty answer's message is missing")
	}
	r = g1.post("/notes/"+note+"/reply", url.Values{"csrf": {g1csrf}, "reply": {strings.Repeat("a", 2001)}})
	wantStatus(t, "answer too long", r, http.StatusUnprocessableEntity)
	if !strings.Contains(r.body, strings.Repeat("a", 2001)) {
		t.Fatal("the answer typed is lost")
	}
	wantStatus(t, "a guardian answers in the other's thread", g1.post("/notes/"+note+"/reply",
		url.Values{"csrf": {g1csrf}, "thread": {c.guardianIDs[1]}, "reply": {"Bonjour"}}), http.StatusNotFound)
	if e.notesState() != before {
		t.Fatal("a faulty or refused answer changed something")
	}
	wantStatus(t, "answer", g1.post("/notes/"+note+"/reply", url.Values{"csrf": {g1csrf}, "reply": {"Merci, nous en parlons ce soir."}}), http.StatusSeeOther)
	if page = g2.get("/notes/" + note); strings.Contains(page.body, "nous en parlons ce soir") {
		t.Fatal("the other guardian reads the first one's answer")
	}
	if page = teacher.get("/notes/" + note); !strings.Contains(page.body, "nous en parlons ce soir") {
		t.Fatal("the author does not read the answer")
	}
	if n := e.count(`SELECT COUNT(*) FROM notifications WHERE recipient_id = ? AND kind = 'note-reply'`, e.person(c.teacher).ID); n != 1 {
		t.Fatalf("the author has %d answer notices", n)
	}
	wantStatus(t, "the author answers a forged thread", teacher.post("/notes/"+note+"/reply",
		url.Values{"csrf": {csrf}, "thread": {"forged"}, "reply": {"Bonjour"}}), http.StatusNotFound)
	wantStatus(t, "the author answers", teacher.post("/notes/"+note+"/reply",
		url.Values{"csrf": {csrf}, "thread": {c.guardianIDs[0]}, "reply": {"Merci pour votre retour."}}), http.StatusSeeOther)
	if page = g1.get("/notes/" + note); !strings.Contains(page.body, "Merci pour votre retour.") {
		t.Fatal("the guardian does not read the author's answer")
	}
	if list := teacher.get("/notes"); !strings.Contains(list.body, "Signatures : 2 sur 2 · 2 réponses") {
		t.Fatal("the author's list does not count two signatures of two and two answers")
	}

	// The student reads, signs nothing, answers nothing.
	student := e.signIn(c.studentLogin)
	scsrf := student.csrf()
	page = student.get("/notes/" + note)
	wantStatus(t, "the student's note", page, http.StatusOK)
	if strings.Contains(page.body, "/notes/"+note+"/sign") || strings.Contains(page.body, "nous en parlons") {
		t.Fatal("the student is offered to sign or reads the family's answers")
	}
	if list := student.get("/notes"); !strings.Contains(list.body, "Oubli du cahier") {
		t.Fatal("the student's list misses the note")
	}
	wantStatus(t, "the student signs", student.post("/notes/"+note+"/sign", url.Values{"csrf": {scsrf}}), http.StatusNotFound)
	wantStatus(t, "the student answers", student.post("/notes/"+note+"/reply", url.Values{"csrf": {scsrf}, "reply": {"x"}}), http.StatusNotFound)
	wantStatus(t, "the student opens the classmate's", student.get("/notes/"+mate), http.StatusNotFound)
	wantStatus(t, "the student opens the form", student.get("/notes/new"), http.StatusNotFound)
	wantStatus(t, "a guardian opens the form", g1.get("/notes/new?student="+c.student), http.StatusNotFound)
	before = e.notesState()
	for name, b := range map[string]*browser{"the student": student, "a guardian": g1} {
		r := b.post("/notes", url.Values{"csrf": {map[string]string{"the student": scsrf, "a guardian": g1csrf}[name]},
			"students": {c.student}, "subject": {"Objet"}, "body": {"Texte"}})
		wantStatus(t, name+" writes a note", r, http.StatusNotFound)
	}
	if e.notesState() != before {
		t.Fatal("a student or a guardian wrote a note")
	}

	// A relative who is not a legal guardian reads only.
	kin := e.signIn(c.kin)
	kcsrf := kin.csrf()
	page = kin.get("/notes/" + note)
	wantStatus(t, "the non-guardian's note", page, http.StatusOK)
	if strings.Contains(page.body, "/notes/"+note+"/sign") || strings.Contains(page.body, "nous en parlons") {
		t.Fatal("a relative who is not a legal guardian may sign or reads the answers")
	}
	wantStatus(t, "a non-guardian signs", kin.post("/notes/"+note+"/sign", url.Values{"csrf": {kcsrf}}), http.StatusNotFound)
	wantStatus(t, "a non-guardian answers", kin.post("/notes/"+note+"/reply", url.Values{"csrf": {kcsrf}, "reply": {"x"}}), http.StatusNotFound)
	if home := kin.get("/?child=" + c.student); strings.Contains(home.body, `id="b-tosign"`) {
		t.Fatal("a relative who is not a legal guardian has notes to sign")
	}

	// Those with no business with the note.
	before = e.notesState()
	for _, login := range []string{c.otherFamily, c.otherTeacher, c.foreignHead} {
		b := e.signIn(login)
		bc := b.csrf()
		wantStatus(t, login+" opens the note", b.get("/notes/"+note), http.StatusNotFound)
		wantStatus(t, login+" signs", b.post("/notes/"+note+"/sign", url.Values{"csrf": {bc}}), http.StatusNotFound)
		wantStatus(t, login+" answers", b.post("/notes/"+note+"/reply", url.Values{"csrf": {bc}, "thread": {c.guardianIDs[0]}, "reply": {"x"}}), http.StatusNotFound)
		if list := b.get("/notes"); list.status != http.StatusOK || strings.Contains(list.body, "Oubli du cahier") {
			t.Fatalf("%s's list: %d, or shows the note", login, list.status)
		}
	}
	wantStatus(t, "a relative names another child", e.signIn(c.otherFamily).get("/notes?child="+c.student), http.StatusNotFound)
	for _, path := range []string{"/notes/forged", "/notes/forged/sign", "/notes/forged/reply"} {
		method := "GET"
		if strings.HasSuffix(path, "sign") || strings.HasSuffix(path, "reply") {
			method = "POST"
		}
		r := g1.do(method, path, url.Values{"csrf": {g1csrf}, "reply": {"x"}}, nil)
		wantStatus(t, "forged "+path, r, http.StatusNotFound)
	}
	if e.notesState() != before {
		t.Fatal("a refused request changed something")
	}

	// School life: the classmate's note is unsigned in the establishment's list.
	cpe := e.signIn(c.cpe)
	list := cpe.get("/notes")
	at := strings.Index(list.body, `id="est-h"`)
	if at < 0 || !strings.Contains(list.body[at:], `id="n-`+mate+`"`) {
		t.Fatal("the CPE's list misses the establishment's unsigned note")
	}
	if strings.Contains(list.body[at:], `id="n-`+note+`"`) {
		t.Fatal("a note signed by both guardians is in the unsigned list")
	}
	wantStatus(t, "the CPE opens the note", cpe.get("/notes/"+note), http.StatusOK)
	_ = ctx
}

func TestCorrespondenceNotesOweTheSecondFactor(t *testing.T) {
	e := newEnv(t, 60)
	c := e.carnet(t)
	e.enrolTOTP(e.person(c.teacher).ID)
	b, csrf := e.passwordOnly(c.teacher)
	before := e.notesState()
	for _, r := range []response{b.get("/notes"), b.get("/notes/new")} {
		if r.status != http.StatusSeeOther || r.header.Get("Location") != "/sign-in/second-factor" {
			t.Fatalf("a session owing its second factor: %d → %s", r.status, r.header.Get("Location"))
		}
	}
	r := b.post("/notes", url.Values{"csrf": {csrf}, "students": {c.student}, "subject": {"Objet"}, "body": {"Texte"}})
	wantStatus(t, "a session owing its second factor writes", r, http.StatusForbidden)
	if e.notesState() != before {
		t.Fatal("a session owing its second factor wrote a note")
	}
}

func TestCorrespondenceNoteReminders(t *testing.T) {
	e := newEnv(t, 60)
	c := e.carnet(t)
	ctx := context.Background()
	teacher := e.signIn(c.teacher)
	wantStatus(t, "write", teacher.post("/notes", url.Values{"csrf": {teacher.csrf()}, "students": {c.student},
		"subject": {"Absence de travail"}, "body": {"Bonjour"}}), http.StatusSeeOther)
	note := e.strs(`SELECT id FROM liaison_notes WHERE student_id = ? AND subject = 'Absence de travail'`, c.student)[0]
	reminders := func(guardian string) int {
		return e.count(`SELECT COUNT(*) FROM notifications WHERE recipient_id = ? AND kind = 'note-reminder' AND dedupe_key LIKE ?`,
			guardian, "note-reminder/"+note+"/%")
	}
	notes := e.srv.Notes()
	now := e.clock.Now()
	if _, err := notes.Remind(ctx, sys, now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if reminders(c.guardianIDs[0]) != 0 {
		t.Fatal("reminded before the delay")
	}
	g1 := e.signIn(c.guardians[0])
	wantStatus(t, "sign", g1.post("/notes/"+note+"/sign", url.Values{"csrf": {g1.csrf()}}), http.StatusSeeOther)
	later := now.Add(72 * time.Hour)
	for range 3 { // the same day, three runs (replicas, restarts)
		if _, err := notes.Remind(ctx, sys, later); err != nil {
			t.Fatal(err)
		}
	}
	if got := [2]int{reminders(c.guardianIDs[0]), reminders(c.guardianIDs[1])}; got != [2]int{0, 1} {
		t.Fatalf("reminders after a day's runs (signed, unsigned): %v, want [0 1]", got)
	}
	if _, err := notes.Remind(ctx, sys, later.Add(24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if n := reminders(c.guardianIDs[1]); n != 2 {
		t.Fatalf("%d reminders after the next day, want 2", n)
	}
	if _, err := notes.Remind(ctx, sys, now.Add(31*24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if n := reminders(c.guardianIDs[1]); n != 2 {
		t.Fatalf("reminded after a month (%d reminders): school life follows it up", n)
	}
	v, err := e.srv.Policy.Viewer(ctx, e.person(c.teacher).ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := notes.Remind(ctx, v, later); err == nil {
		t.Fatal("a person runs the reminders")
	}
}
