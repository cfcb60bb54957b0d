package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

var newsFileRe = regexp.MustCompile(`href="(/news/[^/"]+/files/[^"]+)"`)

// A teacher's news with an attachment (a refused type named, the form kept
// as typed), read by a guardian, refused to those outside the audience;
// corrected (acknowledgements kept), then asked again; a session owing its
// second factor changes nothing; withdrawn, the news and its file leave the
// guardian's reach but stay in the teacher's records.
func TestNewsEditAttachWithdraw(t *testing.T) {
	e := newEnv(t, 120)
	e.srv.Policy.SetClock(e.clock.Now) // the window of a news's file is the policy's too; the test moves time
	c := e.carnet(t)
	teacher := e.signInStrong(c.teacher)
	csrf := teacher.csrf()
	form := url.Values{"csrf": {csrf}, "title": {"Sortie au musée"}, "body": {"Autorisation jointe."}, "targets": {"class:" + c.class},
		"families": {"1"}, "ack": {"1"}, "ackby": {"2027-06-30"}, "action": {"publish"}}
	before := e.count(`SELECT COUNT(*) FROM news`)
	r := teacher.postMultipart("/news", form, map[string]string{"outil.exe": "MZ\x90\x00binary"})
	wantStatus(t, "refused type", r, http.StatusUnprocessableEntity)
	if !strings.Contains(r.body, "type de fichier refusé (outil.exe)") || !strings.Contains(r.body, `value="Sortie au musée"`) ||
		!strings.Contains(r.body, "Autorisation jointe.") {
		t.Fatalf("refused type: no clear message or the form is lost: %.3000s", r.body)
	}
	if e.count(`SELECT COUNT(*) FROM news`) != before || e.count(`SELECT COUNT(*) FROM files`) != 0 {
		t.Fatal("a refused form wrote something")
	}
	pdf := "%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
	r = teacher.postMultipart("/news", form, map[string]string{"autorisation.pdf": pdf})
	wantStatus(t, "publish with a file", r, http.StatusSeeOther)
	id := strings.TrimSuffix(strings.TrimPrefix(r.header.Get("Location"), "/news/"), "?saved=published")

	g1 := e.signIn(c.guardians[0])
	g1csrf := g1.csrf()
	page := g1.get("/news/" + id)
	m := newsFileRe.FindStringSubmatch(page.body)
	if m == nil || !strings.Contains(page.body, "autorisation.pdf") {
		t.Fatalf("the guardian does not see the attachment: %.2000s", page.body)
	}
	file := m[1]
	dl := g1.get(file)
	if wantStatus(t, "download", dl, http.StatusOK); dl.body != pdf || !strings.HasPrefix(dl.header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("download: %q %v", dl.body, dl.header)
	}
	fileID := file[strings.LastIndex(file, "/")+1:]
	// A guardian the news does not address (not c.otherFamily, who may also have a child in the class).
	outsider := e.strs(`SELECT g.login FROM people g WHERE g.profile = 'relative' AND g.active AND NOT EXISTS (SELECT 1 FROM news_recipients r
		WHERE r.news_id = ? AND r.person_id = g.id) ORDER BY g.login LIMIT 1`, id)[0]
	outsiders := []string{outsider, c.kin, c.studentLogin, c.otherTeacher, c.foreignHead, c.cpe}
	for _, login := range outsiders {
		b := e.signIn(login)
		wantStatus(t, login+" downloads", b.get(file), http.StatusNotFound)
		wantStatus(t, login+" downloads it as a stored file", b.get("/files/"+fileID), http.StatusNotFound)
		wantStatus(t, login+" opens the edit form", b.get("/news/"+id+"/edit"), http.StatusNotFound)
		bc := b.csrf()
		wantStatus(t, login+" edits", b.post("/news/"+id+"/edit", url.Values{"csrf": {bc}, "title": {"Pirate"}, "body": {"x"}}), http.StatusNotFound)
		wantStatus(t, login+" withdraws", b.post("/news/"+id+"/withdraw", url.Values{"csrf": {bc}, "confirm": {"1"}}), http.StatusNotFound)
	}
	wantStatus(t, "a forged file", g1.get("/news/"+id+"/files/forged"), http.StatusNotFound)
	wantStatus(t, "a recipient edits", g1.get("/news/"+id+"/edit"), http.StatusNotFound)
	wantStatus(t, "a recipient withdraws", g1.post("/news/"+id+"/withdraw", url.Values{"csrf": {g1csrf}, "confirm": {"1"}}), http.StatusNotFound)
	wantStatus(t, "acknowledge", g1.post("/news/"+id+"/ack", url.Values{"csrf": {g1csrf}}), http.StatusSeeOther)

	// The edit form; a fault keeps what was typed.
	ef := teacher.get("/news/" + id + "/edit")
	if wantStatus(t, "the edit form", ef, http.StatusOK); !strings.Contains(ef.body, `value="Sortie au musée"`) || !strings.Contains(ef.body, `name="askagain"`) {
		t.Fatalf("edit form: %.2000s", ef.body)
	}
	edit := url.Values{"csrf": {csrf}, "title": {" "}, "body": {"Départ à 8 h, texte gardé."}, "ack": {"1"}, "ackby": {"2027-06-30"}}
	r = teacher.post("/news/"+id+"/edit", edit)
	if wantStatus(t, "empty title", r, http.StatusUnprocessableEntity); !strings.Contains(r.body, "Titre : à remplir") || !strings.Contains(r.body, "Départ à 8 h, texte gardé.") {
		t.Fatal("the faulty edit is not shown again as typed")
	}
	// A correction keeps the acknowledgement.
	edit.Set("title", "Sortie au musée (horaires)")
	r = teacher.post("/news/"+id+"/edit", edit)
	if wantStatus(t, "correct", r, http.StatusSeeOther); !strings.HasSuffix(r.header.Get("Location"), "saved=edited") {
		t.Fatal(r.header.Get("Location"))
	}
	if p := g1.get("/news/" + id); !strings.Contains(p.body, `id="acked"`) || !strings.Contains(p.body, "Départ à 8 h") || !strings.Contains(p.body, `id="edited"`) {
		t.Fatal("after a correction the guardian's acknowledgement or the new text is missing")
	}
	// A session owing its second factor changes nothing.
	owing, ocsrf := e.passwordOnly(c.teacher)
	wantStatus(t, "edit owing the second factor", owing.post("/news/"+id+"/edit", url.Values{"csrf": {ocsrf}, "title": {"Autre"}, "body": {"x"},
		"askagain": {"1"}, "ack": {"1"}, "ackby": {"2027-06-30"}}), http.StatusForbidden)
	wantStatus(t, "withdraw owing the second factor", owing.post("/news/"+id+"/withdraw", url.Values{"csrf": {ocsrf}, "confirm": {"1"}}), http.StatusForbidden)
	if e.count(`SELECT COUNT(*) FROM news WHERE id = ? AND title = 'Sortie au musée (horaires)' AND withdrawn_at = 0 AND ack_round = 1`, id) != 1 {
		t.Fatal("a session owing its second factor changed the news")
	}
	// Ask again: the guardian acknowledges again; the tracking keeps the previous one.
	edit.Set("askagain", "1")
	r = teacher.post("/news/"+id+"/edit", edit)
	if wantStatus(t, "ask again", r, http.StatusSeeOther); !strings.HasSuffix(r.header.Get("Location"), "saved=askedagain") {
		t.Fatal(r.header.Get("Location"))
	}
	if p := g1.get("/news/" + id); !strings.Contains(p.body, `id="acknowledge"`) {
		t.Fatal("the guardian is not asked again")
	}
	if p := teacher.get("/news/" + id); !strings.Contains(p.body, "Confirmation précédente") {
		t.Fatal("the tracking does not show the previous acknowledgements")
	}
	if e.count(`SELECT COUNT(*) FROM audit_events WHERE target = ? AND action IN ('news-edited', 'news-ask-again')`, "news:"+id) != 3 {
		t.Fatal("edits not audited")
	}
	// Withdraw: the box must be ticked; then the guardian loses it, the teacher keeps it.
	r = teacher.post("/news/"+id+"/withdraw", url.Values{"csrf": {csrf}})
	if !strings.HasSuffix(r.header.Get("Location"), "saved=confirm") || g1.get("/news/"+id).status != http.StatusOK {
		t.Fatal("withdrawn without confirmation")
	}
	r = teacher.post("/news/"+id+"/withdraw", url.Values{"csrf": {csrf}, "confirm": {"1"}})
	if wantStatus(t, "withdraw", r, http.StatusSeeOther); !strings.HasSuffix(r.header.Get("Location"), "saved=withdrawn") {
		t.Fatal(r.header.Get("Location"))
	}
	wantStatus(t, "the guardian opens a withdrawn news", g1.get("/news/"+id), http.StatusNotFound)
	wantStatus(t, "the guardian downloads a withdrawn news's file", g1.get(file), http.StatusNotFound)
	if p := teacher.get("/news/" + id); !strings.Contains(p.body, `id="withdrawn"`) || teacher.get(file).body != pdf {
		t.Fatal("the teacher's records are lost")
	}
	if e.count(`SELECT COUNT(*) FROM notifications WHERE dedupe_key LIKE ?`, "news%/"+id+"%") != 0 {
		t.Fatal("the withdrawn news's notices remain")
	}
}

// The survey's one-click reminder: to those who have not answered, once a
// day; refused to anyone else.
func TestSurveyRemindPage(t *testing.T) {
	e := newEnv(t, 120)
	c := e.carnet(t)
	teacher := e.signIn(c.teacher)
	csrf := teacher.csrf()
	r := teacher.post("/surveys", url.Values{"csrf": {csrf}, "title": {"Voyage à Rome"}, "targets": {"class:" + c.class}, "families": {"1"},
		"anonymous": {"1"}, "closes": {"2027-06-30"}, "q1.kind": {"single"}, "q1.label": {"Participera ?"}, "q1.choices": {"Oui\r\nNon"}})
	wantStatus(t, "publish", r, http.StatusSeeOther)
	id := strings.TrimSuffix(strings.TrimPrefix(r.header.Get("Location"), "/surveys/"), "?saved=published")
	asked := e.count(`SELECT COUNT(*) FROM survey_recipients WHERE survey_id = ?`, id)
	g1 := e.signIn(c.guardians[0])
	q := e.strs(`SELECT id FROM survey_questions WHERE survey_id = ?`, id)[0]
	yes := e.strs(`SELECT id FROM survey_choices WHERE question_id = ? ORDER BY position`, q)[0]
	wantStatus(t, "answer", g1.post("/surveys/"+id+"/answer", url.Values{"csrf": {g1.csrf()}, "c-" + q: {yes}}), http.StatusSeeOther)
	if p := teacher.get("/surveys/" + id); !strings.Contains(p.body, `id="remind"`) {
		t.Fatal("no reminder button")
	}
	for _, login := range []string{c.guardians[1], c.otherTeacher, c.foreignHead, c.studentLogin} {
		b := e.signIn(login)
		wantStatus(t, login+" reminds", b.post("/surveys/"+id+"/remind", url.Values{"csrf": {b.csrf()}}), http.StatusNotFound)
	}
	r = teacher.post("/surveys/"+id+"/remind", url.Values{"csrf": {csrf}})
	if wantStatus(t, "remind", r, http.StatusSeeOther); !strings.HasSuffix(r.header.Get("Location"), "saved=reminded") {
		t.Fatal(r.header.Get("Location"))
	}
	if n := e.count(`SELECT COUNT(*) FROM notifications WHERE kind = 'survey-reminder'`); n != asked-1 {
		t.Fatalf("%d reminders, want %d", n, asked-1)
	}
	r = teacher.post("/surveys/"+id+"/remind", url.Values{"csrf": {csrf}})
	if !strings.HasSuffix(r.header.Get("Location"), "saved=notagain") || e.count(`SELECT COUNT(*) FROM notifications WHERE kind = 'survey-reminder'`) != asked-1 {
		t.Fatal("a second reminder the same day")
	}
	if p := teacher.get("/surveys/" + id + "?saved=notagain"); !strings.Contains(p.body, `id="reminded"`) || !strings.Contains(p.body, "déjà été envoyée") {
		t.Fatal("the page does not say the reminder was sent")
	}
}
