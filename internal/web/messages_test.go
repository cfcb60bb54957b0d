package web_test

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"cartable/internal/demo"
	"cartable/internal/roles"
)

var convRe = regexp.MustCompile(`^/messages/c/([^?]+)\?saved=sent$`)

func TestMessagesPages(t *testing.T) {
	e := newEnv(t, 120)
	c := e.carnet(t)
	head := e.account(func(a demo.Account) bool {
		return a.Profile == roles.Staff && a.Establishment == demo.MainUAI && has(roles.Head)(a)
	}).Login
	className := e.strs(`SELECT name FROM classes WHERE id = ?`, c.class)[0]

	// The teacher writes to the class's families in one message.
	teacher := e.signIn(c.teacher)
	csrf := teacher.csrf()
	form := teacher.get("/messages/new")
	wantStatus(t, "the form", form, http.StatusOK)
	group := "families:" + c.class
	if !strings.Contains(form.body, `value="`+group+`"`) || !strings.Contains(form.body, "Les familles de la classe "+className) {
		t.Fatal("the teacher is not offered the families of their class")
	}
	// Bad input: the field named, what was typed kept, a draft saved.
	r := teacher.post("/messages/new", url.Values{"csrf": {csrf}, "group": {group}, "subject": {"Sortie"}, "body": {" "}, "action": {"send"}})
	wantStatus(t, "empty body", r, http.StatusUnprocessableEntity)
	if !strings.Contains(r.body, "Message : à remplir") || !strings.Contains(r.body, `value="Sortie"`) || !strings.Contains(r.body, `value="`+group+`" checked`) {
		t.Fatalf("empty body: no clear message or the form lost what was typed: %.2000s", r.body)
	}
	if n := e.count(`SELECT COUNT(*) FROM msg_drafts WHERE author_id = ?`, e.person(c.teacher).ID); n != 1 {
		t.Errorf("%d drafts kept after a faulty send", n)
	}
	draft := e.strs(`SELECT id FROM msg_drafts WHERE author_id = ?`, e.person(c.teacher).ID)[0]
	r = teacher.post("/messages/new", url.Values{"csrf": {csrf}, "group": {group}, "subject": {"Sortie au musée"}, "draft": {draft},
		"body": {"Bonjour,\n\nla sortie a lieu jeudi."}, "action": {"send"}})
	wantStatus(t, "send", r, http.StatusSeeOther)
	m := convRe.FindStringSubmatch(r.header.Get("Location"))
	if m == nil {
		t.Fatalf("send goes to %s", r.header.Get("Location"))
	}
	conv := m[1]
	if n := e.count(`SELECT COUNT(*) FROM msg_drafts WHERE author_id = ?`, e.person(c.teacher).ID); n != 0 {
		t.Errorf("the draft outlived the send")
	}

	// A guardian reads it; the teacher sees who read it.
	g1 := e.signIn(c.guardians[0])
	inbox := g1.get("/messages")
	wantStatus(t, "inbox", inbox, http.StatusOK)
	if !strings.Contains(inbox.body, "Sortie au musée") || !strings.Contains(inbox.body, "1 non lu") {
		t.Fatal("the guardian's inbox does not show the unread message")
	}
	read := g1.get("/messages/c/" + conv)
	wantStatus(t, "the guardian reads", read, http.StatusOK)
	// As in blind copy: the other families, even the co-parent, are not named.
	if other := e.person(c.guardians[1]); strings.Contains(read.body, other.FirstName+" "+other.LastName) || !strings.Contains(read.body, "copie cachée") {
		t.Error("a family sees the names of the other recipients")
	}
	page := teacher.get("/messages/c/" + conv)
	if !strings.Contains(page.body, "Accusés de lecture") || !strings.Contains(page.body, "lu le") || !strings.Contains(page.body, "non lu") {
		t.Fatal("the teacher does not see per-recipient receipts")
	}

	// Participants only: not the head, the CPE, another teacher, the head
	// of another establishment.
	for _, login := range []string{head, c.cpe, c.otherTeacher, c.foreignHead, c.studentLogin} {
		wantStatus(t, login+" opens the conversation", e.signIn(login).get("/messages/c/"+conv), http.StatusNotFound)
	}

	// The guardian reports it to school life; the CPE sees it in the queue.
	g1csrf := g1.csrf()
	msgID := e.strs(`SELECT id FROM msg_messages WHERE conversation_id = ?`, conv)[0]
	wantStatus(t, "report", g1.post("/messages/c/"+conv+"/report", url.Values{"csrf": {g1csrf}, "message": {msgID}, "reason": {"Erreur de date"}}), http.StatusSeeOther)
	if q := e.signIn(c.cpe).get("/messages/reports"); !strings.Contains(q.body, "Erreur de date") || !strings.Contains(q.body, "Sortie au musée") {
		t.Fatal("the CPE's queue misses the report")
	}
	wantStatus(t, "a teacher reads the reports", teacher.get("/messages/reports"), http.StatusNotFound)

	// A student writing to another family's parent is told why not; the
	// draft is kept.
	student := e.signIn(c.studentLogin)
	scsrf := student.csrf()
	r = student.post("/messages/new", url.Values{"csrf": {scsrf}, "to": {e.person(c.otherFamily).ID}, "subject": {"Coucou"},
		"body": {"Salut"}, "action": {"send"}})
	wantStatus(t, "student to another family", r, http.StatusUnprocessableEntity)
	if !strings.Contains(r.body, "Les élèves ne peuvent pas écrire aux parents") || !strings.Contains(r.body, `value="Coucou"`) {
		t.Fatalf("the refusal does not give the rule or loses the text: %.3000s", r.body)
	}
	if n := e.count(`SELECT COUNT(*) FROM msg_drafts WHERE author_id = ?`, e.person(c.studentLogin).ID); n != 1 {
		t.Errorf("the refused message is not kept as a draft (%d)", n)
	}
	why := student.get("/messages/why?q=" + url.QueryEscape(e.person(c.guardians[0]).LastName))
	if !strings.Contains(why.body, "Les élèves ne peuvent pas écrire aux parents") {
		t.Fatalf("why-not does not answer for the student's own parent: %.2000s", why.body)
	}
	// Autosave (the script's request) answers the draft's id.
	r = student.post("/messages/draft", url.Values{"csrf": {scsrf}, "subject": {"En cours"}, "body": {"Bonjour"}})
	wantStatus(t, "autosave", r, http.StatusOK)
	if n := e.count(`SELECT COUNT(*) FROM msg_drafts WHERE id = ? AND subject = 'En cours'`, strings.TrimSpace(r.body)); n != 1 {
		t.Fatal("the autosaved draft is not stored under the id answered")
	}

	// The head's page of the rules; nobody else's.
	h := e.signIn(head)
	rules := h.get("/messages/rules")
	wantStatus(t, "rules", rules, http.StatusOK)
	if !strings.Contains(rules.body, `name="rule.student&gt;student"`) || !strings.Contains(rules.body, "représentants élus") {
		t.Fatal("the rules page lacks the matrix")
	}
	for _, login := range []string{c.teacher, c.cpe} {
		wantStatus(t, login+" reads the rules", e.signIn(login).get("/messages/rules"), http.StatusNotFound)
	}
	mainID := e.strs(`SELECT id FROM establishments WHERE uai = ?`, demo.MainUAI)[0]
	wantStatus(t, "the head of another establishment reads this one's rules",
		e.signIn(c.foreignHead).get("/messages/rules?est="+mainID), http.StatusNotFound)
	hcsrf := h.csrf()
	wantStatus(t, "bad retention", h.post("/messages/rules", url.Values{"csrf": {hcsrf}, "retention": {"5"}}), http.StatusUnprocessableEntity)
	wantStatus(t, "save rules", h.post("/messages/rules", url.Values{"csrf": {hcsrf}, "retention": {"200"}, "rule.student>student": {"linked"}}), http.StatusSeeOther)
	if rules = h.get("/messages/rules"); !strings.Contains(rules.body, `value="200"`) || !strings.Contains(rules.body, "modifiée par l") {
		t.Fatal("the edit is not shown")
	}
}

// postMultipart sends a form with files, as a browser does.
func (b *browser) postMultipart(path string, form url.Values, files map[string]string) response {
	b.e.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, vs := range form {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	for name, content := range files {
		fw, _ := mw.CreateFormFile("attachments", name)
		fw.Write([]byte(content))
	}
	mw.Close()
	req, _ := http.NewRequest("POST", b.e.ts.URL+path, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := b.client.Do(req)
	if err != nil {
		b.e.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return response{status: resp.StatusCode, header: resp.Header, body: string(raw)}
}

func TestMessagesAttachments(t *testing.T) {
	e := newEnv(t, 120)
	c := e.carnet(t)
	teacher := e.signIn(c.teacher)
	csrf := teacher.csrf()
	form := url.Values{"csrf": {csrf}, "to": {c.guardianIDs[0]}, "subject": {"Autorisation"}, "body": {"Ci-joint l'autorisation."}, "action": {"send"}}
	r := teacher.postMultipart("/messages/new", form, map[string]string{"outil.exe": "MZ\x90\x00binary"})
	wantStatus(t, "refused type", r, http.StatusUnprocessableEntity)
	if !strings.Contains(r.body, "type de fichier refusé") || !strings.Contains(r.body, `value="Autorisation"`) {
		t.Fatalf("refused type: no clear message or the text is lost: %.2000s", r.body)
	}
	pdf := "%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
	r = teacher.postMultipart("/messages/new", form, map[string]string{"autorisation.pdf": pdf})
	wantStatus(t, "send with a file", r, http.StatusSeeOther)
	conv := convRe.FindStringSubmatch(r.header.Get("Location"))[1]
	file := e.strs(`SELECT a.file_id FROM msg_attachments a JOIN msg_messages m ON m.id = a.message_id WHERE m.conversation_id = ?`, conv)[0]
	g := e.signIn(c.guardians[0])
	if page := g.get("/messages/c/" + conv); !strings.Contains(page.body, "autorisation.pdf") {
		t.Fatal("the recipient does not see the attachment")
	}
	d := g.get("/messages/c/" + conv + "/files/" + file)
	wantStatus(t, "download", d, http.StatusOK)
	if d.body != pdf || !strings.Contains(d.header.Get("Content-Disposition"), "attachment") {
		t.Fatal("the download is not the file, as an attachment")
	}
	// The policy's read-file knows the participants: the file store serves them too.
	wantStatus(t, "a participant through /files", g.get("/files/"+file), http.StatusOK)
	for _, who := range []*browser{e.signIn(c.cpe), e.signIn(c.guardians[1])} {
		wantStatus(t, "a non-participant downloads", who.get("/messages/c/"+conv+"/files/"+file), http.StatusNotFound)
		wantStatus(t, "a non-participant through /files", who.get("/files/"+file), http.StatusNotFound)
	}
}

// Folders, answers to staff only, and a draft by the button, over HTTP.
func TestMessagesFoldersAndReplies(t *testing.T) {
	e := newEnv(t, 120)
	c := e.carnet(t)
	teacher := e.signIn(c.teacher)
	csrf := teacher.csrf()
	// A draft by the button: the form comes back with it saved.
	r := teacher.post("/messages/new", url.Values{"csrf": {csrf}, "to": {c.guardianIDs[0], c.guardianIDs[1]}, "subject": {"Rendez-vous"},
		"body": {"Pouvez-vous passer"}, "action": {"draft"}})
	wantStatus(t, "draft", r, http.StatusOK)
	if !strings.Contains(r.body, "Brouillon enregistré") || !strings.Contains(r.body, `value="Rendez-vous"`) {
		t.Fatal("the draft button does not keep the form")
	}
	if d := teacher.get("/messages?folder=drafts"); !strings.Contains(d.body, "Rendez-vous") {
		t.Fatal("the drafts folder misses the draft")
	}
	draft := e.strs(`SELECT id FROM msg_drafts WHERE author_id = ?`, e.person(c.teacher).ID)[0]
	if d := teacher.get("/messages/new?draft=" + draft); !strings.Contains(d.body, `value="Rendez-vous"`) || !strings.Contains(d.body, `value="`+c.guardianIDs[1]+`" checked`) {
		t.Fatal("a draft does not reopen as it was")
	}
	wantStatus(t, "another's draft", e.signIn(c.otherTeacher).get("/messages/new?draft="+draft), http.StatusNotFound)
	r = teacher.post("/messages/new", url.Values{"csrf": {csrf}, "to": {c.guardianIDs[0], c.guardianIDs[1]}, "subject": {"Rendez-vous"},
		"body": {"Pouvez-vous passer jeudi ?"}, "draft": {draft}, "action": {"send"}})
	wantStatus(t, "send", r, http.StatusSeeOther)
	conv := convRe.FindStringSubmatch(r.header.Get("Location"))[1]

	// A guardian answers "to all except parents and students": the other
	// guardian gets nothing; then archives the conversation.
	g1, g2 := e.signIn(c.guardians[0]), e.signIn(c.guardians[1])
	g1csrf := g1.csrf()
	page := g1.get("/messages/c/" + conv)
	// A family answers the staff of the conversation: no "reply to all",
	// which the rules would refuse (the other families are out of reach).
	if !strings.Contains(page.body, `name="to" value="staff" class="primary"`) || strings.Contains(page.body, `value="all"`) {
		t.Fatal("a family is offered a reply its rules refuse, or no reply to the staff")
	}
	wantStatus(t, "reply", g1.post("/messages/c/"+conv+"/reply", url.Values{"csrf": {g1csrf}, "body": {"Oui, à 17 h."}, "to": {"staff"}}), http.StatusSeeOther)
	g2.get("/messages/c/" + conv) // reads the first message
	if n := e.count(`SELECT COUNT(*) FROM msg_receipts r JOIN msg_messages m ON m.id = r.message_id
		WHERE m.conversation_id = ? AND m.author_id = ? AND r.person_id = ?`, conv, c.guardianIDs[0], c.guardianIDs[1]); n != 0 {
		t.Error("the answer to staff only reached the other parent")
	}
	// A refused answer to all (the other parent never wrote): the rule, the text kept.
	r = g1.post("/messages/c/"+conv+"/reply", url.Values{"csrf": {g1csrf}, "body": {"Et à tous"}, "to": {"all"}})
	wantStatus(t, "reply to all from a parent", r, http.StatusUnprocessableEntity)
	if !strings.Contains(r.body, "représentants élus") || !strings.Contains(r.body, "Et à tous") {
		t.Fatalf("the refused answer lacks the rule or the text: %.2000s", r.body)
	}
	wantStatus(t, "archive", g1.post("/messages/c/"+conv+"/move", url.Values{"csrf": {g1csrf}, "folder": {"archive"}}), http.StatusSeeOther)
	if a := g1.get("/messages?folder=archive"); !strings.Contains(a.body, "Rendez-vous") {
		t.Fatal("the archive misses the conversation")
	}
	if in := g1.get("/messages"); strings.Contains(in.body, "Rendez-vous") {
		t.Fatal("an archived conversation stays in the inbox")
	}
	wantStatus(t, "an unknown folder", g1.get("/messages?folder=secret"), http.StatusNotFound)
	cpe := e.signIn(c.cpe)
	wantStatus(t, "move by a non-participant", cpe.post("/messages/c/"+conv+"/move",
		url.Values{"csrf": {cpe.csrf()}, "folder": {"trash"}}), http.StatusNotFound)
}
