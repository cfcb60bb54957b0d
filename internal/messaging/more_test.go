package messaging_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"cartable/internal/access"
	"cartable/internal/check"
	"cartable/internal/files"
	"cartable/internal/messaging"
)

const testPDF = "%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"

func pdf(name string) messaging.Upload {
	return messaging.Upload{Name: name, Body: strings.NewReader(testPDF)}
}

func problem(t *testing.T, err error, field, code string) {
	t.Helper()
	ps, ok := check.As(err)
	if !ok || !ps.Has(field) || ps[0].Code != code {
		t.Fatalf("got %v, want the problem %s/%s", err, field, code)
	}
}

func denied(t *testing.T, what string, err error) {
	t.Helper()
	if !errors.Is(err, access.ErrDenied) {
		t.Errorf("%s: got %v, want a refusal", what, err)
	}
}

// A draft keeps its attachments: saved while drafting, there again when
// reopened, kept by a failed send, sent with the message; removed one by
// one; deleted with a discarded draft. Nobody else attaches to it.
func TestDraftAttachments(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	store, err := files.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	w.svc.Files = store
	t1 := w.v(t, "t1")
	id, err := w.svc.SaveDraft(ctx, t1, messaging.Draft{Recipients: w.ids("p1"), Subject: "Sortie", Body: "Voir le programme"}, pdf("programme.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	d, err := w.svc.GetDraft(ctx, w.v(t, "t1"), id)
	if err != nil || len(d.Attachments) != 1 || d.Attachments[0].Name != "programme.pdf" {
		t.Fatalf("the reopened draft: %+v, %v", d, err)
	}
	fileID := d.Attachments[0].ID
	// Sealed at rest like a message's: the stored blob is not the file.
	var key string
	if err := w.d.QueryRow(ctx, `SELECT storage_key FROM files WHERE id = ?`, fileID).Scan(&key); err != nil {
		t.Fatal(err)
	}
	if raw, err := store.Backend.Get(ctx, key); err != nil || strings.Contains(string(raw), "%PDF") {
		t.Fatalf("the draft's file is not sealed at rest: %v", err)
	}
	// Its author reads it; nobody else, not even its future recipient.
	if _, _, err := store.Read(ctx, w.v(t, "t1"), w.d, fileID); err != nil {
		t.Errorf("the author reads the draft's file: %v", err)
	}
	for _, login := range []string{"p1", "hA", "t2"} {
		_, _, err := store.Read(ctx, w.v(t, login), w.d, fileID)
		denied(t, login+" reads a draft's file", err)
	}

	// Refusals: another teacher, another family, a forged draft id, a
	// forged file id; a reply draft in a conversation one is not part of.
	for _, login := range []string{"t2", "p2", "p9"} {
		_, err := w.svc.SaveDraft(ctx, w.v(t, login), messaging.Draft{ID: id, Body: "vol"}, pdf("intrus.pdf"))
		denied(t, login+" attaches to another's draft", err)
		denied(t, login+" removes a file of another's draft", w.svc.RemoveDraftAttachment(ctx, w.v(t, login), id, fileID))
		denied(t, login+" discards another's draft", w.svc.DeleteDraft(ctx, w.v(t, login), id))
		_, err = w.svc.Send(ctx, w.v(t, login), messaging.Compose{Recipients: w.ids("t1"), Subject: "x", Body: "x", DraftID: id})
		denied(t, login+" sends another's draft", err)
	}
	_, err = w.svc.SaveDraft(ctx, t1, messaging.Draft{ID: "forged", Body: "x"})
	denied(t, "a forged draft id", err)
	denied(t, "a forged file id", w.svc.RemoveDraftAttachment(ctx, t1, id, "forged"))
	conv, err := w.svc.Send(ctx, t1, messaging.Compose{Recipients: w.ids("p1"), Subject: "Privé", Body: "Entre nous"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = w.svc.SaveDraft(ctx, w.v(t, "p2"), messaging.Draft{Conversation: conv, Body: "je m'invite"}, pdf("x.pdf"))
	denied(t, "a non-participant drafts an answer with a file", err)
	_, err = w.svc.SaveDraft(ctx, w.v(t, "p2"), messaging.Draft{Conversation: "forged", Body: "x"})
	denied(t, "a draft in a forged conversation", err)
	if n := w.count(t, `SELECT COUNT(*) FROM files`); n != 1 {
		t.Fatalf("%d files after the refusals, want 1", n)
	}

	// Failed sends keep the draft and its file: a recipient refused (another
	// establishment), an oversized body, too many files, a file too large.
	_, err = w.svc.Send(ctx, t1, messaging.Compose{Recipients: w.ids("p9"), Subject: "Sortie", Body: "x", DraftID: id})
	refusedBy(t, err, "same-establishment")
	_, err = w.svc.Send(ctx, t1, messaging.Compose{Recipients: w.ids("p1"), Subject: "Sortie", Body: strings.Repeat("a", messaging.MaxBody+10), DraftID: id})
	problem(t, err, "body", "too-long")
	_, err = w.svc.Send(ctx, t1, messaging.Compose{Recipients: w.ids("p1"), Subject: "Sortie", Body: "x", DraftID: id,
		Attachments: []messaging.Upload{pdf("1.pdf"), pdf("2.pdf"), pdf("3.pdf"), pdf("4.pdf"), pdf("5.pdf")}})
	problem(t, err, "attachments", "too-many-files")
	store.MaxSize = 20
	_, err = w.svc.Send(ctx, t1, messaging.Compose{Recipients: w.ids("p1"), Subject: "Sortie", Body: "x", DraftID: id, Attachments: []messaging.Upload{pdf("gros.pdf")}})
	problem(t, err, "attachments", "too-large")
	store.MaxSize = 10 << 20
	if n := w.count(t, `SELECT COUNT(*) FROM msg_draft_attachments WHERE draft_id = ? AND file_id = ?`, id, fileID); n != 1 {
		t.Fatal("a failed send lost the draft's attachment")
	}
	if n := w.count(t, `SELECT COUNT(*) FROM files`); n != 1 {
		t.Fatalf("%d files after the failed sends, want 1", n)
	}
	// Adding to the draft: more than five refused, nothing kept.
	_, err = w.svc.SaveDraft(ctx, t1, messaging.Draft{ID: id, Recipients: w.ids("p1"), Subject: "Sortie", Body: "x"},
		pdf("1.pdf"), pdf("2.pdf"), pdf("3.pdf"), pdf("4.pdf"), pdf("5.pdf"))
	problem(t, err, "attachments", "too-many-files")
	if _, err := w.svc.SaveDraft(ctx, t1, messaging.Draft{ID: id, Recipients: w.ids("p1"), Subject: "Sortie", Body: "Voir le programme et l'autorisation"},
		pdf("autorisation.pdf")); err != nil {
		t.Fatal(err)
	}

	// Sent: both files go with the message, the draft is gone.
	conv, err = w.svc.Send(ctx, t1, messaging.Compose{Recipients: w.ids("p1"), Subject: "Sortie", Body: "Voir les pièces", DraftID: id})
	if err != nil {
		t.Fatal(err)
	}
	c, err := w.svc.Open(ctx, w.v(t, "p1"), conv)
	if err != nil || len(c.Messages[0].Attachments) != 2 {
		t.Fatalf("the message's attachments: %+v, %v", c, err)
	}
	if _, data, err := w.svc.File(ctx, w.v(t, "p1"), conv, fileID); err != nil || string(data) != testPDF {
		t.Fatalf("the recipient reads the draft's file once sent: %v", err)
	}
	if n := w.count(t, `SELECT COUNT(*) FROM msg_drafts`) + w.count(t, `SELECT COUNT(*) FROM msg_draft_attachments`); n != 0 {
		t.Fatal("the draft outlived the send")
	}

	// Remove one file, then discard the draft: the files are deleted and
	// their blobs erased.
	id2, err := w.svc.SaveDraft(ctx, w.v(t, "t1"), messaging.Draft{Subject: "Brouillon"}, pdf("a.pdf"), pdf("b.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	d, _ = w.svc.GetDraft(ctx, w.v(t, "t1"), id2)
	if len(d.Attachments) != 2 {
		t.Fatalf("draft attachments %+v", d.Attachments)
	}
	keys := map[string]string{}
	for _, a := range d.Attachments {
		var k string
		w.d.QueryRow(ctx, `SELECT storage_key FROM files WHERE id = ?`, a.ID).Scan(&k)
		keys[a.ID] = k
	}
	if err := w.svc.RemoveDraftAttachment(ctx, w.v(t, "t1"), id2, d.Attachments[0].ID); err != nil {
		t.Fatal(err)
	}
	if d2, _ := w.svc.GetDraft(ctx, w.v(t, "t1"), id2); len(d2.Attachments) != 1 || d2.Attachments[0].ID != d.Attachments[1].ID {
		t.Fatalf("after removing one: %+v", d2.Attachments)
	}
	if err := w.svc.DeleteDraft(ctx, w.v(t, "t1"), id2); err != nil {
		t.Fatal(err)
	}
	for _, a := range d.Attachments {
		if n := w.count(t, `SELECT COUNT(*) FROM files WHERE id = ?`, a.ID); n != 0 {
			t.Errorf("the file %s of a discarded draft outlives it", a.Name)
		}
		if _, err := store.Backend.Get(ctx, keys[a.ID]); err == nil {
			t.Errorf("the blob of %s is still stored", a.Name)
		}
	}

	// An answer's draft keeps its file too and sends it with the answer;
	// a draft of another conversation is refused.
	p1 := w.v(t, "p1")
	rd, err := w.svc.SaveDraft(ctx, p1, messaging.Draft{Conversation: conv, Body: "Signée"}, pdf("signee.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	other, err := w.svc.Send(ctx, w.v(t, "p1"), messaging.Compose{Recipients: w.ids("t1"), Subject: "Autre", Body: "x"})
	if err != nil {
		t.Fatal(err)
	}
	denied(t, "a draft sent in another conversation", w.svc.Answer(ctx, w.v(t, "p1"), messaging.Answer{Conversation: other, Body: "x", DraftID: rd}))
	if err := w.svc.Answer(ctx, w.v(t, "p1"), messaging.Answer{Conversation: conv, Body: "Signée", DraftID: rd}); err != nil {
		t.Fatal(err)
	}
	c, _ = w.svc.Open(ctx, w.v(t, "t1"), conv)
	if len(c.Messages) != 2 || len(c.Messages[1].Attachments) != 1 || c.Messages[1].Attachments[0].Name != "signee.pdf" {
		t.Fatalf("the answer's attachment: %+v", c.Messages)
	}

	// The purge takes an old draft with its file.
	if _, err := w.svc.SaveDraft(ctx, w.v(t, "t2"), messaging.Draft{Subject: "Oublié"}, pdf("vieux.pdf")); err != nil {
		t.Fatal(err)
	}
	before := w.count(t, `SELECT COUNT(*) FROM files`)
	if _, err := messaging.Purge(ctx, access.System("purge"), w.d, w.clock.Add(400*24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if n := w.count(t, `SELECT COUNT(*) FROM files`); n != 0 || before != 4 {
		t.Errorf("files before the purge %d (want 4), after %d (want 0)", before, n)
	}
}

// A closed discussion is read by its participants and answered by nobody;
// its author reopens it. A message to families may be sent closed.
func TestClosedDiscussions(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	conv, err := w.svc.Send(ctx, w.v(t, "t1"), messaging.Compose{Recipients: w.ids("s1", "s2"), Subject: "Exposé", Body: "Rendez-le lundi."})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.svc.Reply(ctx, w.v(t, "s1"), conv, "D'accord.", true); err != nil {
		t.Fatal(err)
	}
	// Only its author closes it: not a participant, not the head, not
	// through a forged id.
	denied(t, "a participant closes", w.svc.Close(ctx, w.v(t, "s1"), conv, true))
	denied(t, "the head closes", w.svc.Close(ctx, w.v(t, "hA"), conv, true))
	denied(t, "a forged conversation", w.svc.Close(ctx, w.v(t, "t1"), "forged", true))
	if err := w.svc.Close(ctx, w.v(t, "t1"), conv, true); err != nil {
		t.Fatal(err)
	}
	c, err := w.svc.Open(ctx, w.v(t, "s2"), conv)
	if err != nil || !c.Closed || c.CanClose || c.ClosedBy.ID != w.people["t1"] || len(c.Messages) != 2 {
		t.Fatalf("a participant reads the closed discussion: %+v, %v", c, err)
	}
	if c, _ := w.svc.Open(ctx, w.v(t, "t1"), conv); !c.CanClose {
		t.Error("its author may not reopen it")
	}
	n := w.count(t, `SELECT COUNT(*) FROM msg_messages`)
	for _, login := range []string{"s1", "s2", "t1"} {
		problem(t, w.svc.Reply(ctx, w.v(t, login), conv, "Encore un mot", false), "conversation", "closed")
	}
	denied(t, "a non-participant answers a closed discussion", w.svc.Reply(ctx, w.v(t, "s3"), conv, "x", false))
	if w.count(t, `SELECT COUNT(*) FROM msg_messages`) != n {
		t.Fatal("an answer was written in a closed discussion")
	}
	if err := w.svc.Close(ctx, w.v(t, "t1"), conv, false); err != nil {
		t.Fatal(err)
	}
	if err := w.svc.Reply(ctx, w.v(t, "s2"), conv, "Merci.", true); err != nil {
		t.Errorf("an answer once reopened: %v", err)
	}

	// "Les destinataires ne peuvent pas répondre": staff only.
	conv, err = w.svc.Send(ctx, w.v(t, "t1"), messaging.Compose{Groups: []string{"families:" + w.classA}, Subject: "Photo de classe",
		Body: "Jeudi matin.", NoReply: true})
	if err != nil {
		t.Fatal(err)
	}
	problem(t, w.svc.Reply(ctx, w.v(t, "p1"), conv, "Merci", true), "conversation", "closed")
	for _, login := range []string{"s1", "p1"} {
		_, err = w.svc.Send(ctx, w.v(t, login), messaging.Compose{Recipients: w.ids("t1"), Subject: "x", Body: "x", NoReply: true})
		problem(t, err, "noreply", "staff-only")
	}
}

// A person who does not accept new messages from students or families:
// the refusal names them and gives the reason; staff still write to them;
// whoever they wrote to may answer them; the CPE and teachers cannot
// choose it.
func TestDoesNotAcceptMessages(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	for _, login := range []string{"cA", "t1", "s1", "admA"} {
		denied(t, login+" refuses messages", w.v(t, login).SetMessageRefusal(ctx, w.d, access.MessageRefusal{Families: true}))
		if ok, _ := w.v(t, login).MayRefuseMessages(ctx); ok {
			t.Errorf("%s is offered the choice", login)
		}
	}
	// Students may write to the direction in A, for this test.
	if err := w.svc.SetRule(ctx, w.v(t, "hA"), w.A, "student>direction", access.ScopeAll); err != nil {
		t.Fatal(err)
	}
	if err := w.v(t, "hA").SetMessageRefusal(ctx, w.d, access.MessageRefusal{Students: true, Families: true}); err != nil {
		t.Fatal(err)
	}
	if r, err := w.v(t, "hA").MessageRefusal(ctx); err != nil || !r.Students || !r.Families {
		t.Fatalf("the head's choice: %+v, %v", r, err)
	}
	for login, word := range map[string]string{"p1": "des familles", "s1": "des élèves"} {
		_, err := w.svc.Send(ctx, w.v(t, login), messaging.Compose{Recipients: w.ids("hA"), Subject: "Rendez-vous", Body: "Bonjour"})
		r := refusedBy(t, err, "does-not-accept")
		if r.Name != "hA HA" || !strings.Contains(r.Why.FR, word) || !strings.Contains(r.Why.FR, "vie scolaire") {
			t.Errorf("%s: the refusal %+v does not name the head or say why", login, r)
		}
		why, err := w.v(t, login).WhyWrite(ctx, w.people["hA"])
		if err != nil || why.Allowed || why.RuleID != "does-not-accept" {
			t.Errorf("%s: WhyWrite %+v, %v", login, why, err)
		}
		if ok, _ := w.v(t, login).Writable(ctx, w.ids("hA", "cA")); ok[w.people["hA"]] || !ok[w.people["cA"]] {
			t.Errorf("%s: Writable %v", login, ok)
		}
	}
	// Staff write to the head whatever the choice; the head writes to a
	// family, who may answer (the reply rule).
	if _, err := w.svc.Send(ctx, w.v(t, "t1"), messaging.Compose{Recipients: w.ids("hA"), Subject: "Conseil", Body: "Bonjour"}); err != nil {
		t.Errorf("a teacher writes to the head: %v", err)
	}
	conv, err := w.svc.Send(ctx, w.v(t, "hA"), messaging.Compose{Recipients: w.ids("p1"), Subject: "Convocation", Body: "Venez lundi."})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.svc.Reply(ctx, w.v(t, "p1"), conv, "Entendu.", false); err != nil {
		t.Errorf("the family answers the head who wrote to them: %v", err)
	}
	// A relative declines other families; a student still reaches their own
	// relative when the rules let students write to theirs.
	if err := w.svc.SetRule(ctx, w.v(t, "hA"), w.A, "student>relative", access.ScopeLinked); err != nil {
		t.Fatal(err)
	}
	if err := w.v(t, "p1").SetMessageRefusal(ctx, w.d, access.MessageRefusal{Students: true}); err != nil {
		t.Fatal(err)
	}
	if ok, _ := w.v(t, "s1").Writable(ctx, w.ids("p1")); !ok[w.people["p1"]] {
		t.Error("a student's own parent declines them")
	}
	// Accepting again.
	if err := w.v(t, "hA").SetMessageRefusal(ctx, w.d, access.MessageRefusal{}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.Send(ctx, w.v(t, "p1"), messaging.Compose{Recipients: w.ids("hA"), Subject: "Rendez-vous", Body: "Bonjour"}); err != nil {
		t.Errorf("once the head accepts again: %v", err)
	}
}

// The rules' edits and the refusals are facts of the directory's version:
// a viewer of the same version asks no statement for them, an edit bumps
// the version and the next request sees it.
func TestCommFactsCached(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	facts := &access.Facts{}
	version := func() int64 {
		var n int64
		if err := w.d.QueryRow(ctx, `SELECT n FROM directory_version WHERE id = 1`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	viewer := func(login string) *access.Viewer {
		v, err := w.p.ViewerAt(ctx, facts, w.people[login], version())
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	list := w.ids("t1", "t2", "cA", "hA", "p1", "p2", "s2", "s3")
	writable := func(login string) (map[string]bool, int64) {
		v := viewer(login)
		before := w.d.Statements()
		ok, err := v.Writable(ctx, list)
		if err != nil {
			t.Fatal(err)
		}
		return ok, w.d.Statements() - before
	}
	if _, n := writable("s1"); n == 0 {
		t.Fatal("the first request loaded nothing?")
	}
	ok, n := writable("s1")
	if n != 0 {
		t.Errorf("a second request of the same version sent %d statements for Writable", n)
	}
	if ok[w.people["s2"]] || !ok[w.people["t1"]] || !ok[w.people["cA"]] {
		t.Fatalf("s1 writes to %v", ok)
	}
	// An edit of the rules, as another replica would: the next request sees it.
	if _, err := w.d.Exec(ctx, `INSERT INTO comm_rules (establishment_id, sender, recipient, scope, changed_by, changed_at)
		VALUES (?, 'student', 'student', 'linked', ?, 0)`, w.A, w.people["hA"]); err != nil {
		t.Fatal(err)
	}
	if ok, _ := writable("s1"); !ok[w.people["s2"]] {
		t.Error("the rule's edit is not seen at the next request")
	}
	if _, err := w.d.Exec(ctx, `INSERT INTO comm_refusals (person_id, from_students, from_families, changed_at) VALUES (?, TRUE, FALSE, 0)`,
		w.people["s2"]); err != nil {
		t.Fatal(err)
	}
	// A student cannot refuse (the row counts for nothing), so s2 stays reachable.
	if ok, _ := writable("s1"); !ok[w.people["s2"]] {
		t.Error("a student's refusal row counted")
	}
	if _, err := w.d.Exec(ctx, `INSERT INTO comm_refusals (person_id, from_students, from_families, changed_at) VALUES (?, FALSE, TRUE, 0)`,
		w.people["hA"]); err != nil {
		t.Fatal(err)
	}
	if ok, _ := writable("p1"); ok[w.people["hA"]] || !ok[w.people["cA"]] {
		t.Errorf("the head's refusal is not seen at the next request: %v", ok)
	}
	if _, err := w.d.Exec(ctx, `DELETE FROM comm_rules`); err != nil {
		t.Fatal(err)
	}
	if ok, _ := writable("s1"); ok[w.people["s2"]] {
		t.Error("the rule's removal is not seen at the next request")
	}
}

// The head designates and removes elected parent representatives: a
// family reaches its class's representative at the next request (the
// designation bumps the directory's version), forged people and classes
// change nothing, every change is audited.
func TestParentRepresentativesDesignated(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	facts := &access.Facts{}
	viewer := func(login string) *access.Viewer {
		var n int64
		if err := w.d.QueryRow(ctx, `SELECT n FROM directory_version WHERE id = 1`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		v, err := w.p.ViewerAt(ctx, facts, w.people[login], n)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	writes := func(from, to string) bool {
		ok, err := viewer(from).Writable(ctx, w.ids(to))
		if err != nil {
			t.Fatal(err)
		}
		return ok[w.people[to]]
	}
	if writes("p2", "p1") || writes("p1", "p2") {
		t.Fatal("families write to each other before any designation")
	}
	hA := viewer("hA")
	// Candidates: A's relatives only, by name or among a class's families.
	found, err := w.svc.RepCandidates(ctx, hA, w.A, "p", "")
	if err != nil {
		t.Fatal(err)
	}
	if got := names(found); got != "p1 p2 p3" {
		t.Errorf("candidates %q, want p1 p2 p3", got)
	}
	if found, _ = w.svc.RepCandidates(ctx, hA, w.A, "", w.classB); len(found) != 0 {
		t.Errorf("another establishment's class gives %v", found)
	}
	if _, err := w.svc.RepCandidates(ctx, viewer("cA"), w.A, "p", ""); !errors.Is(err, access.ErrDenied) {
		t.Errorf("the CPE searches candidates: %v", err)
	}
	// Forged people and classes: a problem, nothing written.
	for _, c := range []struct{ who, person, class, field string }{
		{"hA", "s1", "", "rep-person"}, // a student
		{"hA", "t1", "", "rep-person"}, // a teacher
		{"hA", "p9", "", "rep-person"}, // a relative of B
		{"hA", "nobody", "", "rep-person"},
		{"hA", "p1", w.classB, "rep-class"}, // B's class
	} {
		person := w.people[c.person]
		if person == "" {
			person = c.person
		}
		err := w.svc.AddRepresentative(ctx, viewer(c.who), w.A, person, c.class)
		if ps, ok := check.As(err); !ok || !ps.Has(c.field) {
			t.Errorf("%s designates %s (class %q): %v, want a problem on %s", c.who, c.person, c.class, err, c.field)
		}
	}
	for _, who := range []string{"cA", "hB", "p1", "t1"} {
		if err := w.svc.AddRepresentative(ctx, viewer(who), w.A, w.people["p1"], w.classA); !errors.Is(err, access.ErrDenied) {
			t.Errorf("%s designates in A: %v", who, err)
		}
	}
	if n := w.count(t, `SELECT COUNT(*) FROM parent_representatives`); n != 0 {
		t.Fatalf("%d designations after refusals", n)
	}
	if err := w.svc.AddRepresentative(ctx, hA, w.A, w.people["p1"], w.classA); err != nil {
		t.Fatal(err)
	}
	if err := w.svc.AddRepresentative(ctx, viewer("hA"), w.A, w.people["p1"], w.classA); err == nil {
		t.Error("designated twice")
	}
	if !writes("p2", "p1") || !writes("p1", "p3") || writes("s2", "p1") || writes("p9", "p1") {
		t.Error("the designation is not seen at the next request as it should")
	}
	if writes("p2", "p3") {
		t.Error("a family writes to another that represents nobody")
	}
	if _, err := w.svc.Send(ctx, viewer("p2"), messaging.Compose{Recipients: w.ids("p1"), Subject: "Conseil de classe", Body: "Bonjour"}); err != nil {
		t.Errorf("a family writes to its class's representative: %v", err)
	}
	reps, err := w.svc.Representatives(ctx, viewer("hA"), w.A)
	if err != nil || len(reps) != 1 || reps[0].Person.ID != w.people["p1"] || reps[0].ClassName != "6A" {
		t.Fatalf("representatives %+v, %v", reps, err)
	}
	if err := w.svc.RemoveRepresentative(ctx, viewer("hB"), w.B, reps[0].ID); err == nil {
		t.Error("B's head removes A's representative")
	}
	if err := w.svc.RemoveRepresentative(ctx, viewer("hA"), w.A, reps[0].ID); err != nil {
		t.Fatal(err)
	}
	if writes("p2", "p1") {
		t.Error("the removal is not seen at the next request")
	}
	if n := w.count(t, `SELECT COUNT(*) FROM audit_events WHERE action IN ('parent-rep-added', 'parent-rep-removed') AND actor_id = ?`, w.people["hA"]); n != 2 {
		t.Errorf("%d audit events, want 2", n)
	}
}

func names(ps []messaging.Person) string {
	var out []string
	for _, p := range ps {
		out = append(out, p.FirstName)
	}
	return strings.Join(out, " ")
}
