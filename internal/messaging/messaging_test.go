package messaging_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"cartable/internal/access"
	"cartable/internal/check"
	"cartable/internal/db"
	"cartable/internal/dbtest"
	"cartable/internal/directory"
	"cartable/internal/files"
	"cartable/internal/messaging"
	"cartable/internal/roles"
)

// world: establishment A (class 6A: teacher t1 heads it and teaches it;
// students s1, s2, s3; guardians p1 of s1, p2 of s2, p3 of s3; CPE cA,
// head hA, operator admA; t2 teaches nothing) and B (head hB, student s9
// with guardian p9).
type world struct {
	d       *db.DB
	svc     *messaging.Service
	p       *access.Policy
	people  map[string]string
	A, B    string
	classA  string
	classB  string
	clock   time.Time
	viewers map[string]*access.Viewer
}

func newWorld(t *testing.T) *world {
	t.Helper()
	ctx := context.Background()
	w := &world{d: dbtest.Open(t), people: map[string]string{}, clock: time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)}
	sys := access.System("test")
	err := w.d.Tx(ctx, func(tx *db.Tx) error {
		var errs []error
		ck := func(err error) { errs = append(errs, err) }
		est := func(uai string) string {
			e := &directory.Establishment{UAI: uai, Name: uai, Kind: "college"}
			ck(directory.CreateEstablishment(ctx, sys, tx, e))
			return e.ID
		}
		w.A, w.B = est("0750001A"), est("0750002B")
		class := func(e, code string) string {
			y := &directory.SchoolYear{EstablishmentID: e, Label: "2026-2027", StartsOn: "2026-09-01", EndsOn: "2027-07-04"}
			ck(directory.CreateSchoolYear(ctx, sys, tx, y))
			c := &directory.Class{EstablishmentID: e, SchoolYearID: y.ID, Code: code, Name: code}
			ck(directory.CreateClass(ctx, sys, tx, c))
			return c.ID
		}
		w.classA, w.classB = class(w.A, "6A"), class(w.B, "2B")
		person := func(login, profile, e string) string {
			p := &directory.Person{Profile: profile, Login: login, LastName: strings.ToUpper(login), FirstName: login, Active: true}
			ck(directory.CreatePerson(ctx, sys, tx, p, ""))
			ck(directory.AddMembership(ctx, sys, tx, p.ID, e))
			w.people[login] = p.ID
			return p.ID
		}
		t1 := person("t1", roles.Teacher, w.A)
		person("t2", roles.Teacher, w.A)
		ck(directory.AddHeadTeacher(ctx, sys, tx, w.classA, t1))
		for i, s := range []string{"s1", "s2", "s3"} {
			sid := person(s, roles.Student, w.A)
			ck(directory.Enrol(ctx, sys, tx, sid, w.classA))
			pid := person("p"+string(rune('1'+i)), roles.Relative, w.A)
			ck(directory.Link(ctx, sys, tx, directory.FamilyLink{StudentID: sid, RelativeID: pid, Relationship: "mere", LegalGuardian: true, Contact: true}))
		}
		ck(directory.AddFunction(ctx, sys, tx, person("cA", roles.Staff, w.A), w.A, roles.CPE))
		ck(directory.AddFunction(ctx, sys, tx, person("hA", roles.Staff, w.A), w.A, roles.Head))
		person("admA", roles.Admin, w.A)
		ck(directory.AddFunction(ctx, sys, tx, person("hB", roles.Staff, w.B), w.B, roles.Head))
		s9 := person("s9", roles.Student, w.B)
		ck(directory.Enrol(ctx, sys, tx, s9, w.classB))
		ck(directory.Link(ctx, sys, tx, directory.FamilyLink{StudentID: s9, RelativeID: person("p9", roles.Relative, w.B), Relationship: "pere", LegalGuardian: true}))
		return errors.Join(errs...)
	})
	if err != nil {
		t.Fatal(err)
	}
	w.p = access.New(w.d)
	w.svc = &messaging.Service{DB: w.d, Now: func() time.Time { return w.clock }}
	return w
}

// v is a fresh viewer (one per request, as the pages have).
func (w *world) v(t *testing.T, login string) *access.Viewer {
	t.Helper()
	v, err := w.p.Viewer(context.Background(), w.people[login])
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func (w *world) ids(logins ...string) []string {
	var out []string
	for _, l := range logins {
		out = append(out, w.people[l])
	}
	return out
}

func (w *world) count(t *testing.T, q string, args ...any) int {
	t.Helper()
	var n int
	if err := w.d.QueryRow(context.Background(), q, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func refusedBy(t *testing.T, err error, rule string) *messaging.Refused {
	t.Helper()
	var r *messaging.Refused
	if !errors.As(err, &r) || r.Why.RuleID != rule || r.Why.FR == "" || r.Why.EN == "" {
		t.Fatalf("got %v, want a refusal by rule %s", err, rule)
	}
	if !errors.Is(err, access.ErrDenied) {
		t.Errorf("a refused recipient is not an access refusal: %v", err)
	}
	return r
}

func TestClassFamiliesWithReceipts(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	t1 := w.v(t, "t1")
	groups, err := w.svc.Groups(ctx, t1)
	if err != nil {
		t.Fatal(err)
	}
	var refs []string
	for _, g := range groups {
		refs = append(refs, g.Ref)
	}
	if strings.Join(refs, " ") != "families:"+w.classA {
		t.Fatalf("t1's groups = %v, want the families of 6A only (t1 is the only teacher of 6A)", refs)
	}
	conv, err := w.svc.Send(ctx, t1, messaging.Compose{Groups: refs, Subject: "Sortie au musée", Body: "Bonjour,\n\nla sortie a lieu **jeudi**."})
	if err != nil {
		t.Fatal(err)
	}
	if n := w.count(t, `SELECT COUNT(*) FROM notifications WHERE kind = 'message'`); n != 3 {
		t.Errorf("%d notices, want one per family (3)", n)
	}
	if n := w.count(t, `SELECT COUNT(*) FROM notifications WHERE kind = 'message' AND args LIKE '%musée%'`); n != 0 {
		t.Errorf("a notice carries the subject")
	}
	for _, login := range []string{"p1", "p2", "p3"} {
		n, err := w.svc.Unread(ctx, w.v(t, login))
		if err != nil || n != 1 {
			t.Errorf("%s unread = %d, %v", login, n, err)
		}
	}
	c, err := w.svc.Open(ctx, w.v(t, "p1"), conv)
	if err != nil {
		t.Fatal(err)
	}
	// As in blind copy: p1 sees the teacher and themself, the other two
	// families are counted, not named.
	if len(c.Messages) != 1 || len(c.Messages[0].Receipts) != 0 || len(c.Participants) != 2 || c.Hidden != 2 {
		t.Errorf("p1 reads %+v", c)
	}
	if list, _ := w.svc.Folder(ctx, w.v(t, "p1"), messaging.Inbox, 0); len(list) != 1 || len(list[0].With) != 1 || list[0].Others != 2 {
		t.Errorf("p1's inbox names %+v", list)
	}
	if list, _ := w.svc.Folder(ctx, t1, messaging.Sent, 0); len(list) != 1 || len(list[0].With) != 3 {
		t.Errorf("t1's sent folder %+v", list)
	}
	c, err = w.svc.Open(ctx, t1, conv)
	if err != nil {
		t.Fatal(err)
	}
	var read []string
	for _, r := range c.Messages[0].Receipts {
		read = append(read, r.Person.FirstName+"="+map[bool]string{true: "read", false: "unread"}[!r.ReadAt.IsZero()])
	}
	if strings.Join(read, " ") != "p1=read p2=unread p3=unread" {
		t.Errorf("receipts %v", read)
	}
	if n, _ := w.svc.Unread(ctx, w.v(t, "p1")); n != 0 {
		t.Errorf("p1 still has %d unread", n)
	}

	// Nobody else reads it: not the head, not the operator, not another
	// teacher, not a student of the class, not the head of B.
	for _, login := range []string{"hA", "admA", "t2", "s1", "cA", "hB"} {
		if _, err := w.svc.Open(ctx, w.v(t, login), conv); !errors.Is(err, access.ErrDenied) {
			t.Errorf("%s opens the conversation: %v", login, err)
		}
		if err := w.svc.Reply(ctx, w.v(t, login), conv, "intrusion", false); !errors.Is(err, access.ErrDenied) {
			t.Errorf("%s replies to the conversation: %v", login, err)
		}
	}
	if _, err := w.svc.Open(ctx, access.System("x"), conv); !errors.Is(err, access.ErrDenied) {
		t.Errorf("the system opens the conversation: %v", err)
	}

	// A parent answers; a reply to all except families reaches t1 only.
	if err := w.svc.Reply(ctx, w.v(t, "p2"), conv, "Merci, bien noté.", true); err != nil {
		t.Fatal(err)
	}
	for login, want := range map[string]int{"t1": 1, "p1": 0, "p3": 1} {
		if n, _ := w.svc.Unread(ctx, w.v(t, login)); n != want {
			t.Errorf("%s unread after the reply = %d, want %d", login, n, want)
		}
	}
	// Replying to all from a parent: the other families are refused by the
	// rules (relative>relative) since they wrote nothing.
	err = w.svc.Reply(ctx, w.v(t, "p2"), conv, "À tous", false)
	if r := refusedBy(t, err, "relative>relative"); r.Name != "" {
		t.Errorf("the refusal names a person p2 may not see: %q", r.Name)
	}
}

func TestSendRefusals(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	send := func(login string, to []string, subject, body string) error {
		_, err := w.svc.Send(ctx, w.v(t, login), messaging.Compose{Recipients: to, Subject: subject, Body: body})
		return err
	}
	// A student to another family's relative, to the head: refused by
	// rule, nothing written. A student names their own relative's name.
	refusedBy(t, send("s1", w.ids("p2"), "Bonjour", "Salut"), "student>relative")
	if r := refusedBy(t, send("s1", w.ids("p1"), "Bonjour", "Salut"), "student>relative"); r.Name != "p1 P1" {
		t.Errorf("refusal of a visible person names %q", r.Name)
	}
	refusedBy(t, send("s1", w.ids("t1", "hA"), "Bonjour", "Salut"), "student>direction")
	refusedBy(t, send("p1", w.ids("p2"), "Bonjour", "Salut"), "relative>relative")
	refusedBy(t, send("p1", w.ids("s2"), "Bonjour", "Salut"), "relative>student")
	refusedBy(t, send("t2", w.ids("s1"), "Bonjour", "Salut"), "teacher>student")
	refusedBy(t, send("hA", w.ids("s9"), "Bonjour", "Salut"), "same-establishment")
	refusedBy(t, send("hA", []string{"forged"}, "Bonjour", "Salut"), "same-establishment")
	refusedBy(t, send("admA", w.ids("hA"), "Bonjour", "Salut"), "operators")
	if n := w.count(t, `SELECT COUNT(*) FROM msg_conversations`); n != 0 {
		t.Fatalf("%d conversations written by refused sends", n)
	}
	// Bad input: the field is named.
	for _, c := range []struct {
		login, subject, body, field, code string
		to                                []string
	}{
		{"t1", "", "texte", "subject", "required", w.ids("p1")},
		{"t1", strings.Repeat("x", 201), "texte", "subject", "too-long", w.ids("p1")},
		{"t1", "Objet", "  ", "body", "required", w.ids("p1")},
		{"t1", "Objet", "<p><br></p>", "body", "required", w.ids("p1")},
		{"t1", "Objet", strings.Repeat("a", 300000), "body", "too-long", w.ids("p1")},
		{"t1", "Objet", `<p>x</p><script>alert(1)</script>`, "body", "active-content", w.ids("p1")},
		{"t1", "Objet", "texte", "recipients", "required", nil},
		{"t1", "Objet", "texte", "recipients", "required", w.ids("t1")},
	} {
		err := send(c.login, c.to, c.subject, c.body)
		ps, ok := check.As(err)
		if !ok || !ps.Has(c.field) || ps[0].Code != c.code {
			t.Errorf("%s %q/%.20q: %v, want %s %s", c.login, c.subject, c.body, err, c.field, c.code)
		}
	}
	// Students cannot mass-message: no groups, few people.
	_, err := w.svc.Send(ctx, w.v(t, "s1"), messaging.Compose{Groups: []string{"teachers:" + w.classA}, Subject: "x", Body: "x"})
	if ps, ok := check.As(err); !ok || ps[0].Code != "no-groups-for-students" {
		t.Errorf("a student's group message: %v", err)
	}
	if gs, _ := w.svc.Groups(ctx, w.v(t, "s1")); len(gs) != 0 {
		t.Errorf("a student is offered groups %v", gs)
	}
	// A group of another establishment, a forged group.
	for _, g := range []string{"families:" + w.classB, "families:nope", "everyone:" + w.classA, "families"} {
		_, err := w.svc.Send(ctx, w.v(t, "hA"), messaging.Compose{Groups: []string{g}, Subject: "x", Body: "x"})
		if ps, ok := check.As(err); !ok || !ps.Has("recipients") {
			t.Errorf("group %q: %v", g, err)
		}
	}
	// The teacher who does not teach 6A is offered no group of it, and is
	// refused when forging it.
	if gs, _ := w.svc.Groups(ctx, w.v(t, "t2")); len(gs) != 1 || gs[0].Kind != "teachers" {
		t.Errorf("t2's groups %v, want 6A's teachers only", gs)
	}
	_, err = w.svc.Send(ctx, w.v(t, "t2"), messaging.Compose{Groups: []string{"families:" + w.classA}, Subject: "x", Body: "x"})
	refusedBy(t, err, "teacher>relative")
	if n := w.count(t, `SELECT COUNT(*) FROM msg_conversations`); n != 0 {
		t.Fatalf("%d conversations written by refused sends", n)
	}
}

func TestReplyRuleFoldersDraftsReports(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	// The head writes to a student, who may answer the head though the
	// rules do not let students write to the direction.
	conv, err := w.svc.Send(ctx, w.v(t, "hA"), messaging.Compose{Recipients: w.ids("s1"), Subject: "Convocation", Body: "Viens me voir."})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.svc.Reply(ctx, w.v(t, "s1"), conv, "D'accord.", false); err != nil {
		t.Fatalf("the reply rule: %v", err)
	}
	// Folders.
	s1 := w.v(t, "s1")
	list, err := w.svc.Folder(ctx, s1, messaging.Inbox, 0)
	if err != nil || len(list) != 1 || list[0].Subject != "Convocation" || len(list[0].With) != 1 {
		t.Fatalf("s1's inbox %+v, %v", list, err)
	}
	if err := w.svc.Move(ctx, s1, conv, messaging.Archive); err != nil {
		t.Fatal(err)
	}
	if list, _ = w.svc.Folder(ctx, s1, messaging.Archive, 0); len(list) != 1 {
		t.Errorf("archive %v", list)
	}
	if err := w.svc.Move(ctx, s1, conv, "nowhere"); err == nil {
		t.Error("an unknown folder was accepted")
	}
	if err := w.svc.Move(ctx, w.v(t, "t1"), conv, messaging.Trash); !errors.Is(err, access.ErrDenied) {
		t.Errorf("a non-participant moves it: %v", err)
	}
	// A new answer brings it back to the inbox.
	if err := w.svc.Reply(ctx, w.v(t, "hA"), conv, "Demain 10 h.", false); err != nil {
		t.Fatal(err)
	}
	if list, _ = w.svc.Folder(ctx, s1, messaging.Inbox, 0); len(list) != 1 || !list[0].Unread {
		t.Errorf("inbox after an answer %+v", list)
	}

	// Drafts: saved, updated, kept by a refused send, deleted when sent.
	p1 := w.v(t, "p1")
	id, err := w.svc.SaveDraft(ctx, p1, messaging.Draft{Recipients: w.ids("p2"), Subject: "Covoiturage", Body: "Bonjour"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.SaveDraft(ctx, w.v(t, "p2"), messaging.Draft{ID: id, Subject: "vol"}); !errors.Is(err, access.ErrDenied) {
		t.Errorf("another person rewrites the draft: %v", err)
	}
	_, err = w.svc.Send(ctx, p1, messaging.Compose{Recipients: w.ids("p2"), Subject: "Covoiturage", Body: "Bonjour", DraftID: id})
	refusedBy(t, err, "relative>relative")
	if ds, _ := w.svc.Drafts(ctx, p1); len(ds) != 1 || ds[0].Subject != "Covoiturage" {
		t.Fatalf("draft after a refused send %+v", ds)
	}
	if _, err := w.svc.SaveDraft(ctx, p1, messaging.Draft{ID: id, Recipients: w.ids("t1"), Subject: "Question", Body: "Bonjour"}); err != nil {
		t.Fatal(err)
	}
	conv2, err := w.svc.Send(ctx, p1, messaging.Compose{Recipients: w.ids("t1"), Subject: "Question", Body: "Bonjour", DraftID: id})
	if err != nil {
		t.Fatal(err)
	}
	if ds, _ := w.svc.Drafts(ctx, p1); len(ds) != 0 {
		t.Errorf("draft kept after sending %+v", ds)
	}

	// t1 reports p1's message; the CPE gets it, the teacher who reported
	// and others do not read the queue; the author cannot report their own.
	c, err := w.svc.Open(ctx, w.v(t, "t1"), conv2)
	if err != nil {
		t.Fatal(err)
	}
	msg := c.Messages[0].ID
	if err := w.svc.Report(ctx, w.v(t, "p1"), msg, "moi"); err == nil {
		t.Error("the author reported their own message")
	}
	if err := w.svc.Report(ctx, w.v(t, "hA"), msg, "curieux"); !errors.Is(err, access.ErrDenied) {
		t.Errorf("a non-participant reported: %v", err)
	}
	if err := w.svc.Report(ctx, w.v(t, "t1"), msg, ""); err == nil {
		t.Error("a report without a reason")
	}
	if err := w.svc.Report(ctx, w.v(t, "t1"), msg, "Ton déplacé"); err != nil {
		t.Fatal(err)
	}
	if n := w.count(t, `SELECT COUNT(*) FROM notifications WHERE kind = 'message-report' AND recipient_id = ?`, w.people["cA"]); n != 1 {
		t.Errorf("the CPE got %d report notices", n)
	}
	reports, err := w.svc.Reports(ctx, w.v(t, "cA"), w.A)
	if err != nil || len(reports) != 1 || reports[0].Message.Body == "" || reports[0].Reason != "Ton déplacé" {
		t.Fatalf("reports %+v, %v", reports, err)
	}
	for _, login := range []string{"t1", "p1", "admA", "hB"} {
		if _, err := w.svc.Reports(ctx, w.v(t, login), w.A); !errors.Is(err, access.ErrDenied) {
			t.Errorf("%s reads the reports: %v", login, err)
		}
	}
	if err := w.svc.CloseReport(ctx, w.v(t, "t1"), reports[0].ID); !errors.Is(err, access.ErrDenied) {
		t.Errorf("t1 closes a report: %v", err)
	}
	if err := w.svc.CloseReport(ctx, w.v(t, "cA"), reports[0].ID); err != nil {
		t.Fatal(err)
	}
	// The CPE still does not read the conversation itself.
	if _, err := w.svc.Open(ctx, w.v(t, "cA"), conv2); !errors.Is(err, access.ErrDenied) {
		t.Errorf("the CPE reads a reported conversation: %v", err)
	}

	// Search: only people the rules allow.
	found, err := w.svc.Search(ctx, w.v(t, "s1"), "p")
	if err == nil && len(found) != 0 {
		t.Errorf("a one-letter search found %v", found)
	}
	for login, want := range map[string]string{"s1": "t1 cA", "p1": "t1 cA hA", "t2": "t1 cA hA"} {
		var names []string
		for _, term := range []string{"t1", "ca", "ha", "p2", "s2", "adm"} {
			found, err := w.svc.Search(ctx, w.v(t, login), term)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range found {
				names = append(names, p.FirstName)
			}
		}
		if strings.Join(names, " ") != want {
			t.Errorf("%s finds %v, want %s", login, names, want)
		}
	}
}

func TestRetentionAndPurge(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	if _, err := w.svc.Send(ctx, w.v(t, "t1"), messaging.Compose{Recipients: w.ids("p1"), Subject: "Ancien", Body: "x"}); err != nil {
		t.Fatal(err)
	}
	hA := w.v(t, "hA")
	if d, err := w.svc.Retention(ctx, hA, w.A); err != nil || d != messaging.DefaultRetentionDays {
		t.Fatalf("default retention %d, %v", d, err)
	}
	for _, days := range []int{0, 29, 3*365 + 1} {
		if ps, ok := check.As(w.svc.SetRetention(ctx, hA, w.A, days)); !ok || !ps.Has("retention") {
			t.Errorf("retention %d accepted", days)
		}
	}
	for _, login := range []string{"cA", "t1", "admA", "hB"} {
		if err := w.svc.SetRetention(ctx, w.v(t, login), w.A, 60); !errors.Is(err, access.ErrDenied) {
			t.Errorf("%s sets A's retention: %v", login, err)
		}
	}
	if err := w.svc.SetRetention(ctx, hA, w.A, 60); err != nil {
		t.Fatal(err)
	}
	if _, err := messaging.Purge(ctx, hA, w.d, time.Now()); !errors.Is(err, access.ErrDenied) {
		t.Errorf("the head runs the purge: %v", err)
	}
	sys := access.System("purge")
	if n, err := messaging.Purge(ctx, sys, w.d, w.clock.Add(59*24*time.Hour)); err != nil || n != 0 {
		t.Errorf("purge within retention: %d, %v", n, err)
	}
	if n, err := messaging.Purge(ctx, sys, w.d, w.clock.Add(61*24*time.Hour)); err != nil || n != 1 {
		t.Errorf("purge after retention: %d, %v", n, err)
	}
	for _, table := range []string{"msg_conversations", "msg_messages", "msg_participants", "msg_receipts"} {
		if n := w.count(t, `SELECT COUNT(*) FROM `+table); n != 0 {
			t.Errorf("%s keeps %d rows", table, n)
		}
	}
}

func TestWhyNot(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	// s1 knows their own relative and classmates, and may write to none of
	// them; another family's relative is not even listed.
	got := map[string]string{}
	for _, term := range []string{"p1", "p2", "s2", "ha", "t1"} {
		list, err := w.svc.WhyNot(ctx, w.v(t, "s1"), term)
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range list {
			got[u.Person.FirstName] = u.Why.RuleID
		}
	}
	want := map[string]string{"p1": "student>relative", "s2": "student>student", "hA": "student>direction"}
	if len(got) != len(want) {
		t.Errorf("s1's unreachable %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("s1 → %s: %q, want %q", k, got[k], v)
		}
	}
}

func TestAttachments(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	store, err := files.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	w.svc.Files = store
	pdf := "%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
	t1 := w.v(t, "t1")
	// A refused type, an empty file, too many files: the field named,
	// nothing written, no file kept.
	for code, ups := range map[string][]messaging.Upload{
		"refused-type":   {{Name: "virus.exe", Body: strings.NewReader("MZ\x90\x00binary")}},
		"empty":          {{Name: "vide.pdf", Body: strings.NewReader("")}},
		"too-many-files": {{}, {}, {}, {}, {}, {}},
	} {
		_, err := w.svc.Send(ctx, t1, messaging.Compose{Recipients: w.ids("p1"), Subject: "Pièce", Body: "Voir la pièce jointe", Attachments: ups})
		if ps, ok := check.As(err); !ok || !ps.Has("attachments") || ps[0].Code != code {
			t.Errorf("%s: %v", code, err)
		}
	}
	if n := w.count(t, `SELECT COUNT(*) FROM files`); n != 0 {
		t.Fatalf("%d files kept by refused sends", n)
	}
	conv, err := w.svc.Send(ctx, t1, messaging.Compose{Recipients: w.ids("p1"), Subject: "Pièce", Body: "Voir la pièce jointe",
		Attachments: []messaging.Upload{{Name: "sortie.pdf", Body: strings.NewReader(pdf)}}})
	if err != nil {
		t.Fatal(err)
	}
	c, err := w.svc.Open(ctx, w.v(t, "p1"), conv)
	if err != nil || len(c.Messages[0].Attachments) != 1 {
		t.Fatalf("attachments %+v, %v", c, err)
	}
	fileID := c.Messages[0].Attachments[0].ID
	if _, data, err := w.svc.File(ctx, w.v(t, "p1"), conv, fileID); err != nil || string(data) != pdf {
		t.Fatalf("the recipient downloads: %v", err)
	}
	// The record exists; the store seals every blob (internal/files).
	if n := w.count(t, `SELECT COUNT(*) FROM files WHERE id = ?`, fileID); n != 1 {
		t.Fatal("no file record")
	}
	// Nobody else: not the head, not the operator, not through another
	// conversation, not through the policy's download (read-file).
	for _, login := range []string{"hA", "admA", "p2", "cA"} {
		if _, _, err := w.svc.File(ctx, w.v(t, login), conv, fileID); !errors.Is(err, access.ErrDenied) {
			t.Errorf("%s downloads the attachment: %v", login, err)
		}
		if _, _, err := store.Read(ctx, w.v(t, login), w.d, fileID); !errors.Is(err, access.ErrDenied) {
			t.Errorf("%s reads the attachment through the store: %v", login, err)
		}
	}
	other, err := w.svc.Send(ctx, w.v(t, "p1"), messaging.Compose{Recipients: w.ids("t1"), Subject: "Autre", Body: "x"})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := w.svc.File(ctx, w.v(t, "p1"), other, fileID); !errors.Is(err, access.ErrDenied) {
		t.Errorf("an attachment read through another conversation: %v", err)
	}
	// The purge takes the file with its conversation.
	if n, err := messaging.Purge(ctx, access.System("purge"), w.d, w.clock.Add(400*24*time.Hour)); err != nil || n != 2 {
		t.Fatalf("purge: %d, %v", n, err)
	}
	if n := w.count(t, `SELECT COUNT(*) FROM files`); n != 0 {
		t.Errorf("%d file records outlive their conversation", n)
	}
}

func TestRuleEditsAudited(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	hA := w.v(t, "hA")
	if err := w.svc.SetRule(ctx, hA, w.A, "student>teacher", access.ScopeLinked); err != nil { // the default: no change
		t.Fatal(err)
	}
	if err := w.svc.SetRule(ctx, hA, w.A, "student>student", access.ScopeLinked); err != nil {
		t.Fatal(err)
	}
	if n := w.count(t, `SELECT COUNT(*) FROM audit_events WHERE action = 'comm-rule-changed' AND actor_id = ?`, w.people["hA"]); n != 1 {
		t.Errorf("%d audit events, want 1", n)
	}
	if err := w.svc.SetRule(ctx, w.v(t, "cA"), w.A, "student>student", access.ScopeAll); !errors.Is(err, access.ErrDenied) {
		t.Errorf("the CPE edits the rules: %v", err)
	}
	// Classmates may now write to each other in A.
	if _, err := w.svc.Send(ctx, w.v(t, "s1"), messaging.Compose{Recipients: w.ids("s2"), Subject: "Exposé", Body: "On le prépare ?"}); err != nil {
		t.Errorf("after the edit: %v", err)
	}
}
