package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"cartable/internal/demo"
	"cartable/internal/roles"
)

const webPDF = "%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"

// A draft keeps its attachments over HTTP: saved with the draft, shown
// when it is reopened, kept by a refused send, removed one by one, sent
// with the message, deleted with a discarded draft; nobody else touches it.
func TestMessagesDraftAttachments(t *testing.T) {
	e := newEnv(t, 120)
	c := e.carnet(t)
	teacher := e.signIn(c.teacher)
	csrf := teacher.csrf()
	me := e.person(c.teacher).ID
	form := url.Values{"csrf": {csrf}, "to": {c.guardianIDs[0]}, "subject": {"Sortie"}, "body": {"Voir le programme."}, "action": {"draft"}}
	r := teacher.postMultipart("/messages/new", form, map[string]string{"programme.pdf": webPDF})
	wantStatus(t, "draft with a file", r, http.StatusOK)
	if !strings.Contains(r.body, "Brouillon enregistré") || !strings.Contains(r.body, "programme.pdf") {
		t.Fatalf("the saved draft does not show its file: %.2000s", r.body)
	}
	draft := e.strs(`SELECT id FROM msg_drafts WHERE author_id = ?`, me)[0]
	file := e.strs(`SELECT file_id FROM msg_draft_attachments WHERE draft_id = ?`, draft)[0]
	if p := teacher.get("/messages/new?draft=" + draft); !strings.Contains(p.body, "programme.pdf") || !strings.Contains(p.body, `name="remove" value="`+file+`"`) {
		t.Fatal("the reopened draft lost its attachment")
	}
	wantStatus(t, "the author downloads the draft's file", teacher.get("/files/"+file), http.StatusOK)

	// Nobody else: another teacher, a family, through the draft or the file.
	for _, login := range []string{c.otherTeacher, c.guardians[0]} {
		b := e.signIn(login)
		bc := b.csrf()
		wantStatus(t, login+" attaches to the draft", b.postMultipart("/messages/new", url.Values{"csrf": {bc}, "draft": {draft}, "subject": {"x"},
			"action": {"draft"}}, map[string]string{"intrus.pdf": webPDF}), http.StatusNotFound)
		wantStatus(t, login+" removes the draft's file", b.post("/messages/new", url.Values{"csrf": {bc}, "draft": {draft}, "remove": {file}}), http.StatusNotFound)
		wantStatus(t, login+" discards the draft", b.post("/messages/new", url.Values{"csrf": {bc}, "draft": {draft}, "action": {"discard"}}), http.StatusNotFound)
		wantStatus(t, login+" downloads the draft's file", b.get("/files/"+file), http.StatusNotFound)
	}
	if n := e.count(`SELECT COUNT(*) FROM msg_draft_attachments WHERE draft_id = ?`, draft); n != 1 {
		t.Fatalf("%d attachments after the intrusions", n)
	}

	// A refused send (someone of another establishment) keeps the draft,
	// its file and the one just chosen.
	refused := url.Values{"csrf": {csrf}, "to": {e.person(c.foreignHead).ID}, "subject": {"Sortie"}, "body": {"Voir le programme."},
		"draft": {draft}, "action": {"send"}}
	r = teacher.postMultipart("/messages/new", refused, map[string]string{"autorisation.pdf": webPDF})
	wantStatus(t, "a refused send", r, http.StatusUnprocessableEntity)
	if !strings.Contains(r.body, "On n&#39;écrit qu&#39;aux personnes actives") || !strings.Contains(r.body, "programme.pdf") || !strings.Contains(r.body, "autorisation.pdf") {
		t.Fatalf("the refusal lacks the rule or the draft's files: %.3000s", r.body)
	}
	if n := e.count(`SELECT COUNT(*) FROM msg_draft_attachments WHERE draft_id = ?`, draft); n != 2 {
		t.Fatalf("the draft holds %d files after the refused send, want 2", n)
	}
	// Remove the second one.
	second := e.strs(`SELECT a.file_id FROM msg_draft_attachments a JOIN files f ON f.id = a.file_id WHERE a.draft_id = ? AND f.name = 'autorisation.pdf'`, draft)[0]
	r = teacher.post("/messages/new", url.Values{"csrf": {csrf}, "to": {c.guardianIDs[0]}, "subject": {"Sortie"}, "body": {"Voir le programme."},
		"draft": {draft}, "remove": {second}})
	wantStatus(t, "remove a file", r, http.StatusOK)
	if !strings.Contains(r.body, "Pièce jointe retirée") || strings.Contains(r.body, "autorisation.pdf") || e.count(`SELECT COUNT(*) FROM files WHERE id = ?`, second) != 0 {
		t.Fatal("the removed file is still there")
	}
	// Sent: the file goes with the message.
	r = teacher.post("/messages/new", url.Values{"csrf": {csrf}, "to": {c.guardianIDs[0]}, "subject": {"Sortie"}, "body": {"Voir le programme."},
		"draft": {draft}, "action": {"send"}})
	wantStatus(t, "send", r, http.StatusSeeOther)
	conv := convRe.FindStringSubmatch(r.header.Get("Location"))[1]
	g := e.signIn(c.guardians[0])
	if p := g.get("/messages/c/" + conv); !strings.Contains(p.body, "programme.pdf") {
		t.Fatal("the recipient does not see the draft's file")
	}
	if d := g.get("/messages/c/" + conv + "/files/" + file); d.status != http.StatusOK || d.body != webPDF {
		t.Fatalf("the recipient downloads the draft's file: %d", d.status)
	}
	if n := e.count(`SELECT COUNT(*) FROM msg_drafts WHERE author_id = ?`, me); n != 0 {
		t.Error("the draft outlived the send")
	}
	// Discarded: the draft and its file are gone.
	r = teacher.postMultipart("/messages/new", url.Values{"csrf": {csrf}, "subject": {"Brouillon"}, "action": {"draft"}}, map[string]string{"jete.pdf": webPDF})
	wantStatus(t, "another draft", r, http.StatusOK)
	draft = e.strs(`SELECT id FROM msg_drafts WHERE author_id = ?`, me)[0]
	file = e.strs(`SELECT file_id FROM msg_draft_attachments WHERE draft_id = ?`, draft)[0]
	wantStatus(t, "discard", teacher.post("/messages/new", url.Values{"csrf": {csrf}, "draft": {draft}, "action": {"discard"}}), http.StatusSeeOther)
	if e.count(`SELECT COUNT(*) FROM msg_drafts WHERE id = ?`, draft)+e.count(`SELECT COUNT(*) FROM files WHERE id = ?`, file) != 0 {
		t.Error("the discarded draft or its file outlives it")
	}
}

// A closed discussion over HTTP: read by its participants, answered by
// nobody (the answer kept as a draft), closed and reopened by its author
// only; a message to families whose recipients cannot answer.
func TestMessagesClosedDiscussions(t *testing.T) {
	e := newEnv(t, 120)
	c := e.carnet(t)
	teacher := e.signIn(c.teacher)
	csrf := teacher.csrf()
	r := teacher.post("/messages/new", url.Values{"csrf": {csrf}, "to": {e.person(c.studentLogin).ID}, "subject": {"Exposé"},
		"body": {"Rendez-le lundi."}, "action": {"send"}})
	wantStatus(t, "send to the student", r, http.StatusSeeOther)
	conv := convRe.FindStringSubmatch(r.header.Get("Location"))[1]
	student := e.signIn(c.studentLogin)
	scsrf := student.csrf()
	if p := student.get("/messages/c/" + conv); strings.Contains(p.body, `action="/messages/c/`+conv+`/close"`) {
		t.Error("a recipient is offered to close the discussion")
	}
	wantStatus(t, "the student closes", student.post("/messages/c/"+conv+"/close", url.Values{"csrf": {scsrf}, "state": {"closed"}}), http.StatusNotFound)
	wantStatus(t, "a forged conversation", teacher.post("/messages/c/forged/close", url.Values{"csrf": {csrf}, "state": {"closed"}}), http.StatusNotFound)
	cpe := e.signIn(c.cpe)
	wantStatus(t, "the CPE closes", cpe.post("/messages/c/"+conv+"/close", url.Values{"csrf": {cpe.csrf()}, "state": {"closed"}}), http.StatusNotFound)
	wantStatus(t, "close", teacher.post("/messages/c/"+conv+"/close", url.Values{"csrf": {csrf}, "state": {"closed"}}), http.StatusSeeOther)
	p := student.get("/messages/c/" + conv)
	wantStatus(t, "the student reads the closed discussion", p, http.StatusOK)
	if !strings.Contains(p.body, "Discussion fermée") || !strings.Contains(p.body, "Rendez-le lundi.") || strings.Contains(p.body, `id="reply"`) {
		t.Fatal("the closed discussion is not shown as closed, or still offers an answer")
	}
	r = student.post("/messages/c/"+conv+"/reply", url.Values{"csrf": {scsrf}, "body": {"Je peux le rendre mardi ?"}, "to": {"all"}})
	wantStatus(t, "the student answers a closed discussion", r, http.StatusUnprocessableEntity)
	if !strings.Contains(r.body, "la discussion est fermée") {
		t.Fatalf("no clear refusal: %.2000s", r.body)
	}
	if n := e.count(`SELECT COUNT(*) FROM msg_messages WHERE conversation_id = ?`, conv); n != 1 {
		t.Fatal("an answer was written in the closed discussion")
	}
	if n := e.count(`SELECT COUNT(*) FROM msg_drafts WHERE conversation_id = ? AND body = ?`, conv, "Je peux le rendre mardi ?"); n != 1 {
		t.Error("the refused answer is not kept as a draft")
	}
	if p := teacher.get("/messages/c/" + conv); !strings.Contains(p.body, "Rouvrir la discussion") {
		t.Fatal("the author is not offered to reopen")
	}
	wantStatus(t, "reopen", teacher.post("/messages/c/"+conv+"/close", url.Values{"csrf": {csrf}, "state": {"open"}}), http.StatusSeeOther)
	wantStatus(t, "the student answers once reopened", student.post("/messages/c/"+conv+"/reply",
		url.Values{"csrf": {scsrf}, "body": {"Merci."}, "to": {"all"}}), http.StatusSeeOther)

	// "Les destinataires ne peuvent pas répondre", to the class's families.
	form := teacher.get("/messages/new")
	if !strings.Contains(form.body, `name="noreply"`) {
		t.Fatal("the teacher is not offered the no-reply option")
	}
	if f := student.get("/messages/new"); strings.Contains(f.body, `name="noreply"`) {
		t.Error("a student is offered the no-reply option")
	}
	// The choice is kept with the draft.
	r = teacher.post("/messages/new", url.Values{"csrf": {csrf}, "group": {"families:" + c.class}, "subject": {"Photo de classe"},
		"body": {"Jeudi"}, "noreply": {"1"}, "action": {"draft"}})
	wantStatus(t, "a no-reply draft", r, http.StatusOK)
	draft := e.strs(`SELECT id FROM msg_drafts WHERE author_id = ? AND subject = 'Photo de classe'`, e.person(c.teacher).ID)[0]
	if f := teacher.get("/messages/new?draft=" + draft); !strings.Contains(f.body, `name="noreply" value="1" aria-describedby="noreply-help" checked`) {
		t.Error("the reopened draft forgot that the recipients cannot answer")
	}
	r = teacher.post("/messages/new", url.Values{"csrf": {csrf}, "group": {"families:" + c.class}, "subject": {"Photo de classe"},
		"body": {"Jeudi matin."}, "noreply": {"1"}, "draft": {draft}, "action": {"send"}})
	wantStatus(t, "a no-reply message", r, http.StatusSeeOther)
	conv = convRe.FindStringSubmatch(r.header.Get("Location"))[1]
	g := e.signIn(c.guardians[0])
	if p := g.get("/messages/c/" + conv); !strings.Contains(p.body, "Discussion fermée") || strings.Contains(p.body, `id="reply"`) {
		t.Fatal("the families may answer a no-reply message")
	}
	wantStatus(t, "a family answers a no-reply message", g.post("/messages/c/"+conv+"/reply",
		url.Values{"csrf": {g.csrf()}, "body": {"Merci"}, "to": {"staff"}}), http.StatusUnprocessableEntity)
	r = student.post("/messages/new", url.Values{"csrf": {scsrf}, "to": {e.person(c.teacher).ID}, "subject": {"x"}, "body": {"x"},
		"noreply": {"1"}, "action": {"send"}})
	wantStatus(t, "a student's forged no-reply", r, http.StatusUnprocessableEntity)
}

// Whom one receives messages from: the head declines families; a parent
// writing to the head is told who and why; staff still write; the choice
// is not offered to teachers and the CPE.
func TestMessagesDoesNotAccept(t *testing.T) {
	e := newEnv(t, 120)
	c := e.carnet(t)
	headLogin := e.account(func(a demo.Account) bool {
		return a.Profile == roles.Staff && a.Establishment == demo.MainUAI && has(roles.Head)(a)
	}).Login
	head := e.signIn(headLogin)
	hp := head.get("/messages/preferences")
	wantStatus(t, "the head's preferences", hp, http.StatusOK)
	if !strings.Contains(hp.body, `name="families"`) {
		t.Fatal("no choice on the preferences page")
	}
	if f := head.get("/messages"); !strings.Contains(f.body, "/messages/preferences") {
		t.Error("the folder page does not link the preferences")
	}
	for _, login := range []string{c.teacher, c.cpe, c.studentLogin} {
		b := e.signIn(login)
		wantStatus(t, login+" reads the preferences", b.get("/messages/preferences"), http.StatusNotFound)
		wantStatus(t, login+" declines families", b.post("/messages/preferences", url.Values{"csrf": {b.csrf()}, "families": {"1"}}), http.StatusNotFound)
	}
	wantStatus(t, "decline families", head.post("/messages/preferences", url.Values{"csrf": {head.csrf()}, "families": {"1"}}), http.StatusSeeOther)
	if hp := head.get("/messages/preferences"); !strings.Contains(hp.body, `name="families" value="1" checked`) {
		t.Fatal("the choice is not shown back")
	}
	hd := e.person(headLogin)
	g := e.signIn(c.guardians[0])
	r := g.post("/messages/new", url.Values{"csrf": {g.csrf()}, "to": {hd.ID}, "subject": {"Rendez-vous"}, "body": {"Bonjour"}, "action": {"send"}})
	wantStatus(t, "a parent writes to the head", r, http.StatusUnprocessableEntity)
	if !strings.Contains(r.body, hd.FirstName+" "+hd.LastName) || !strings.Contains(r.body, "a choisi de ne pas recevoir de nouveaux messages des familles") ||
		!strings.Contains(r.body, `value="Rendez-vous"`) {
		t.Fatalf("the refusal does not name the head, say why, or keep the text: %.3000s", r.body)
	}
	if why := g.get("/messages/why?q=" + url.QueryEscape(hd.LastName)); !strings.Contains(why.body, "a choisi de ne pas recevoir") {
		t.Error("why-not does not give the head's choice")
	}
	teacher := e.signIn(c.teacher)
	wantStatus(t, "a teacher writes to the head", teacher.post("/messages/new", url.Values{"csrf": {teacher.csrf()}, "to": {hd.ID},
		"subject": {"Conseil"}, "body": {"Bonjour"}, "action": {"send"}}), http.StatusSeeOther)
	wantStatus(t, "accept again", head.post("/messages/preferences", url.Values{"csrf": {head.csrf()}}), http.StatusSeeOther)
	wantStatus(t, "the parent writes once accepted", g.post("/messages/new", url.Values{"csrf": {g.csrf()}, "to": {hd.ID},
		"subject": {"Rendez-vous"}, "body": {"Bonjour"}, "action": {"send"}}), http.StatusSeeOther)
}
