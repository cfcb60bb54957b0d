package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// A teacher posts news to a class's families needing an acknowledgement;
// a guardian sees it on the home page and in the to-do list and
// acknowledges; the teacher's tracking shows it, reminds the others once a
// day and exports the acknowledgements. Those outside the audience never
// reach it.
func TestNewsAcknowledgement(t *testing.T) {
	e := newEnv(t, 120)
	c := e.carnet(t)
	teacher := e.signIn(c.teacher)
	csrf := teacher.csrf()
	form := teacher.get("/news/new")
	wantStatus(t, "the form", form, http.StatusOK)
	if !strings.Contains(form.body, `value="class:`+c.class+`"`) || strings.Contains(form.body, `value="profile:relative"`) {
		t.Fatal("the teacher's form offers the wrong audiences")
	}
	demoNews := e.count(`SELECT COUNT(*) FROM news`)
	news := func() int { return e.count(`SELECT COUNT(*) FROM news`) - demoNews }

	// Bad input: the message names the field, nothing is written, the form keeps what was typed.
	r := teacher.post("/news", url.Values{"csrf": {csrf}, "title": {" "}, "body": {"Texte gardé"}, "targets": {"class:" + c.class}, "families": {"1"}})
	wantStatus(t, "empty title", r, http.StatusUnprocessableEntity)
	if !strings.Contains(r.body, "Titre : à remplir") || !strings.Contains(r.body, "Texte gardé") || !strings.Contains(r.body, `value="class:`+c.class+`" checked`) {
		t.Fatal("the faulty form is not shown again as typed")
	}
	r = teacher.post("/news", url.Values{"csrf": {csrf}, "title": {"Sortie"}, "body": {"Texte"}, "targets": {"class:" + c.class}, "families": {"1"}, "ack": {"1"}})
	wantStatus(t, "acknowledgement without a deadline", r, http.StatusUnprocessableEntity)
	// Refusals: an audience out of reach, a student or a relative who publishes.
	wantStatus(t, "a teacher to every family", teacher.post("/news", url.Values{"csrf": {csrf}, "title": {"T"}, "body": {"B"},
		"targets": {"profile:relative"}}), http.StatusNotFound)
	other := e.signIn(c.otherTeacher)
	wantStatus(t, "another teacher to the class", other.post("/news", url.Values{"csrf": {other.csrf()}, "title": {"T"}, "body": {"B"},
		"targets": {"class:" + c.class}, "families": {"1"}}), http.StatusNotFound)
	student := e.signIn(c.studentLogin)
	wantStatus(t, "a student's form", student.get("/news/new"), http.StatusNotFound)
	g1 := e.signIn(c.guardians[0])
	g1csrf := g1.csrf()
	wantStatus(t, "a relative publishes", g1.post("/news", url.Values{"csrf": {g1csrf}, "title": {"T"}, "body": {"B"},
		"targets": {"class:" + c.class}, "families": {"1"}}), http.StatusNotFound)
	if n := news(); n != 0 {
		t.Fatalf("%d news written by faulty or refused forms", n)
	}

	// Published to the class's families, acknowledgement by a deadline.
	r = teacher.post("/news", url.Values{"csrf": {csrf}, "title": {"Visite du planétarium"}, "body": {"Merci de confirmer."},
		"targets": {"class:" + c.class}, "families": {"1"}, "ack": {"1"}, "ackby": {"2027-06-30"}, "action": {"publish"}})
	wantStatus(t, "publish", r, http.StatusSeeOther)
	loc := r.header.Get("Location")
	id := strings.TrimSuffix(strings.TrimPrefix(loc, "/news/"), "?saved=published")
	guardians := e.count(`SELECT COUNT(DISTINCT f.relative_id) FROM family_links f JOIN enrolments m ON m.student_id = f.student_id
		JOIN people s ON s.id = f.student_id JOIN people g ON g.id = f.relative_id WHERE m.class_id = ? AND f.legal_guardian AND s.active AND g.active`, c.class)
	if n := e.count(`SELECT COUNT(*) FROM news_recipients WHERE news_id = ?`, id); n != guardians || n < 2 {
		t.Fatalf("%d recipients, want the class's %d guardians", n, guardians)
	}
	if n := e.count(`SELECT COUNT(*) FROM notifications WHERE kind = 'news' AND dedupe_key = ?`, "news/"+id); n != guardians {
		t.Fatalf("%d notices", n)
	}

	// The guardian: home block, to-do list, the news, acknowledgement.
	if home := g1.get("/"); !strings.Contains(block(home.body, "b-toack"), "Visite du planétarium") {
		t.Fatal("the guardian's home does not show the news to acknowledge")
	}
	if todo := g1.get("/todo"); !strings.Contains(todo.body, "Visite du planétarium") || !strings.Contains(todo.body, "confirmer la lecture") {
		t.Fatal("the to-do list misses the news")
	}
	if p := g1.get("/news/" + id); !strings.Contains(p.body, `id="acknowledge"`) {
		t.Fatal("no acknowledgement button")
	}
	wantStatus(t, "acknowledge", g1.post("/news/"+id+"/ack", url.Values{"csrf": {g1csrf}}), http.StatusSeeOther)
	if p := g1.get("/news/" + id); !strings.Contains(p.body, `id="acked"`) {
		t.Fatal("the acknowledgement is not shown")
	}
	if home := g1.get("/"); strings.Contains(block(home.body, "b-toack"), "Visite du planétarium") {
		t.Fatal("an acknowledged news still waits on the home page")
	}
	// Outside the audience: another family, a relative not guardian, the student, the foreign head.
	outsider := e.strs(`SELECT g.login FROM people g WHERE g.profile = 'relative' AND g.active AND NOT EXISTS (SELECT 1 FROM news_recipients r
		WHERE r.news_id = ? AND r.person_id = g.id) ORDER BY g.login LIMIT 1`, id)[0]
	for _, login := range []string{outsider, c.kin, c.studentLogin, c.foreignHead, c.otherTeacher} {
		b := e.signIn(login)
		wantStatus(t, login+" opens the news", b.get("/news/"+id), http.StatusNotFound)
		wantStatus(t, login+" acknowledges", b.post("/news/"+id+"/ack", url.Values{"csrf": {b.csrf()}}), http.StatusNotFound)
		wantStatus(t, login+" exports", b.get("/news/"+id+"/export.csv"), http.StatusNotFound)
		wantStatus(t, login+" reminds", b.post("/news/"+id+"/remind", url.Values{"csrf": {b.csrf()}}), http.StatusNotFound)
	}

	// The author's tracking, the reminder (once a day), the export.
	p := teacher.get("/news/" + id)
	if strings.Count(p.body, "Pas encore confirmé") != guardians-1 {
		t.Fatalf("tracking shows %d not acknowledged, want %d", strings.Count(p.body, "Pas encore confirmé"), guardians-1)
	}
	r = teacher.post("/news/"+id+"/remind", url.Values{"csrf": {csrf}})
	if wantStatus(t, "remind", r, http.StatusSeeOther); !strings.HasSuffix(r.header.Get("Location"), "saved=reminded") {
		t.Fatalf("remind: %s", r.header.Get("Location"))
	}
	if n := e.count(`SELECT COUNT(*) FROM notifications WHERE kind = 'news-reminder'`); n != guardians-1 {
		t.Fatalf("%d reminders", n)
	}
	r = teacher.post("/news/"+id+"/remind", url.Values{"csrf": {csrf}})
	if !strings.HasSuffix(r.header.Get("Location"), "saved=already") || e.count(`SELECT COUNT(*) FROM notifications WHERE kind = 'news-reminder'`) != guardians-1 {
		t.Fatal("a second reminder the same day")
	}
	csv := teacher.get("/news/" + id + "/export.csv")
	if wantStatus(t, "export", csv, http.StatusOK); !strings.HasPrefix(csv.header.Get("Content-Type"), "text/csv") ||
		strings.Count(csv.body, "\n") != guardians+1 {
		t.Fatalf("export: %q", csv.body)
	}
	if list := teacher.get("/news"); !strings.Contains(list.body, "Visite du planétarium") {
		t.Fatal("the author's list misses the news")
	}
}

// A teacher asks the class's families an anonymous survey; a guardian
// finds it in the to-do list, answers (a faulty answer is shown again as
// typed), cannot answer twice; the teacher reads the counts and texts.
func TestSurveyPages(t *testing.T) {
	e := newEnv(t, 120)
	c := e.carnet(t)
	teacher := e.signIn(c.teacher)
	csrf := teacher.csrf()
	wantStatus(t, "the form", teacher.get("/surveys/new"), http.StatusOK)
	form := url.Values{"csrf": {csrf}, "title": {"Voyage à Rome"}, "targets": {"class:" + c.class}, "families": {"1"}, "anonymous": {"1"},
		"q1.kind": {"single"}, "q1.label": {"Votre enfant participera-t-il ?"}, "q1.required": {"1"}, "q1.choices": {"Oui\r\nNon"},
		"q2.kind": {"text"}, "q2.label": {"Remarques"}}
	r := teacher.post("/surveys", form)
	wantStatus(t, "no deadline", r, http.StatusUnprocessableEntity)
	if !strings.Contains(r.body, "Dernier jour pour répondre : à remplir") || !strings.Contains(r.body, "Votre enfant participera-t-il ?") {
		t.Fatal("the faulty survey form is not shown again as typed")
	}
	student := e.signIn(c.studentLogin)
	wantStatus(t, "a student's survey form", student.get("/surveys/new"), http.StatusNotFound)
	form.Set("closes", "2027-06-30")
	r = teacher.post("/surveys", form)
	wantStatus(t, "publish", r, http.StatusSeeOther)
	id := strings.TrimSuffix(strings.TrimPrefix(r.header.Get("Location"), "/surveys/"), "?saved=published")

	g1 := e.signIn(c.guardians[0])
	g1csrf := g1.csrf()
	if todo := g1.get("/todo"); !strings.Contains(todo.body, "Voyage à Rome") || !strings.Contains(todo.body, "répondre au sondage") {
		t.Fatal("the to-do list misses the survey")
	}
	page := g1.get("/surveys/" + id)
	wantStatus(t, "the guardian's survey", page, http.StatusOK)
	q := e.strs(`SELECT id FROM survey_questions WHERE survey_id = ? ORDER BY position`, id)
	yes := e.strs(`SELECT id FROM survey_choices WHERE question_id = ? ORDER BY position`, q[0])[0]
	r = g1.post("/surveys/"+id+"/answer", url.Values{"csrf": {g1csrf}, "t-" + q[1]: {"Texte gardé"}})
	if wantStatus(t, "a required question left out", r, http.StatusUnprocessableEntity); !strings.Contains(r.body, "Texte gardé") {
		t.Fatal("the answer typed is lost")
	}
	wantStatus(t, "answer", g1.post("/surveys/"+id+"/answer", url.Values{"csrf": {g1csrf}, "c-" + q[0]: {yes}, "t-" + q[1]: {"Très bien"}}), http.StatusSeeOther)
	r = g1.post("/surveys/"+id+"/answer", url.Values{"csrf": {g1csrf}, "c-" + q[0]: {yes}})
	if !strings.HasSuffix(r.header.Get("Location"), "saved=already") || e.count(`SELECT COUNT(*) FROM survey_responses WHERE survey_id = ?`, id) != 1 {
		t.Fatal("a second answer")
	}
	for _, login := range []string{c.kin, c.studentLogin, c.otherTeacher, c.foreignHead} {
		b := e.signIn(login)
		wantStatus(t, login+" opens the survey", b.get("/surveys/"+id), http.StatusNotFound)
		wantStatus(t, login+" answers", b.post("/surveys/"+id+"/answer", url.Values{"csrf": {b.csrf()}, "c-" + q[0]: {yes}}), http.StatusNotFound)
	}
	res := teacher.get("/surveys/" + id)
	if wantStatus(t, "results", res, http.StatusOK); !strings.Contains(res.body, "Très bien") || !strings.Contains(res.body, "1 (100 %)") {
		t.Fatalf("results: %.2000s", res.body)
	}
}
