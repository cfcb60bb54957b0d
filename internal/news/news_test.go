package news_test

import (
	"bytes"
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
	"cartable/internal/news"
	"cartable/internal/roles"
)

// world: establishments A and B.
//
//	6A (A): s1 (guardians p1, p2; p7 related, not guardian), s2 (guardian p3, named "=cmd")
//	2B (B): s5 (guardian p5)
//	t1 teaches 6A; t9 teaches nothing; hA head and cA CPE of A; hB head of B
type world struct {
	d      *db.DB
	p      *access.Policy
	people map[string]string
	ests   map[string]string
	class  map[string]string
	now    time.Time
	svc    *news.Service
}

func build(t *testing.T) *world {
	t.Helper()
	ctx := context.Background()
	w := &world{d: dbtest.Open(t), people: map[string]string{}, ests: map[string]string{}, class: map[string]string{},
		now: time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)}
	w.p = access.New(w.d)
	w.svc = &news.Service{DB: w.d, Now: func() time.Time { return w.now }}
	err := w.d.Tx(ctx, func(tx *db.Tx) error {
		var errs []error
		ck := func(err error) { errs = append(errs, err) }
		sys := access.System("test")
		for _, k := range []string{"A", "B"} {
			e := &directory.Establishment{UAI: "075000" + k + "X", Name: k, Kind: "college"}
			ck(directory.CreateEstablishment(ctx, sys, tx, e))
			w.ests[k] = e.ID
			y := &directory.SchoolYear{EstablishmentID: e.ID, Label: "2026-2027", StartsOn: "2026-09-01", EndsOn: "2027-07-04"}
			ck(directory.CreateSchoolYear(ctx, sys, tx, y))
			s := &directory.Subject{EstablishmentID: e.ID, Code: "061300", Name: "Maths"}
			ck(directory.CreateSubject(ctx, sys, tx, s))
			name := map[string]string{"A": "6A", "B": "2B"}[k]
			c := &directory.Class{EstablishmentID: e.ID, SchoolYearID: y.ID, Code: name, Name: name}
			ck(directory.CreateClass(ctx, sys, tx, c))
			w.class[name] = c.ID
			w.class["subject"+k] = s.ID
		}
		person := func(login, profile, first string, est string) string {
			p := &directory.Person{Profile: profile, Login: login, LastName: strings.ToUpper(login), FirstName: first, Active: true}
			ck(directory.CreatePerson(ctx, sys, tx, p, ""))
			ck(directory.AddMembership(ctx, sys, tx, p.ID, w.ests[est]))
			w.people[login] = p.ID
			return p.ID
		}
		student := func(login, est, class string) string {
			id := person(login, roles.Student, login, est)
			ck(directory.Enrol(ctx, sys, tx, id, w.class[class]))
			return id
		}
		link := func(s, r string, guardian bool) {
			ck(directory.Link(ctx, sys, tx, directory.FamilyLink{StudentID: s, RelativeID: r, Relationship: "mere", LegalGuardian: guardian}))
		}
		s1, s2, s5 := student("s1", "A", "6A"), student("s2", "A", "6A"), student("s5", "B", "2B")
		link(s1, person("p1", roles.Relative, "p1", "A"), true)
		link(s1, person("p2", roles.Relative, "p2", "A"), true)
		link(s1, person("p7", roles.Relative, "p7", "A"), false)
		link(s2, person("p3", roles.Relative, "=cmd", "A"), true)
		link(s5, person("p5", roles.Relative, "p5", "B"), true)
		t1 := person("t1", roles.Teacher, "t1", "A")
		ck(directory.CreateAssignment(ctx, sys, tx, &directory.Assignment{EstablishmentID: w.ests["A"], TeacherID: t1,
			ClassID: w.class["6A"], SubjectID: w.class["subjectA"]}))
		person("t9", roles.Teacher, "t9", "A")
		ck(directory.AddFunction(ctx, sys, tx, person("hA", roles.Staff, "hA", "A"), w.ests["A"], roles.Head))
		ck(directory.AddFunction(ctx, sys, tx, person("cA", roles.Staff, "cA", "A"), w.ests["A"], roles.CPE))
		ck(directory.AddFunction(ctx, sys, tx, person("hB", roles.Staff, "hB", "B"), w.ests["B"], roles.Head))
		return errors.Join(errs...)
	})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func (w *world) v(t *testing.T, login string) *access.Viewer {
	t.Helper()
	v, err := w.p.Viewer(context.Background(), w.people[login])
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func (w *world) count(t *testing.T, q string, args ...any) int {
	t.Helper()
	var n int
	if err := w.d.QueryRow(context.Background(), q, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func denied(t *testing.T, err error, what string) {
	t.Helper()
	if !errors.Is(err, access.ErrDenied) {
		t.Fatalf("%s: want a refusal, got %v", what, err)
	}
}

func toFamilies(w *world) news.Input {
	return news.Input{Title: "Sortie au musée", Body: "Autorisation à signer.", Targets: []string{"class:" + w.class["6A"]},
		ClassFamilies: true, AckRequired: true, AckBy: "2026-12-10", Publish: true}
}

func TestPublishAcknowledgeTrackRemind(t *testing.T) {
	ctx := context.Background()
	w := build(t)
	id, err := w.svc.Create(ctx, w.v(t, "t1"), toFamilies(w))
	if err != nil {
		t.Fatal(err)
	}
	// The legal guardians of 6A, each once; not the related non-guardian, not the students.
	if n := w.count(t, `SELECT COUNT(*) FROM news_recipients WHERE news_id = ?`, id); n != 3 {
		t.Fatalf("recipients: %d", n)
	}
	if n := w.count(t, `SELECT COUNT(*) FROM notifications WHERE kind = 'news' AND dedupe_key = ?`, "news/"+id); n != 3 {
		t.Fatalf("notices: %d", n)
	}
	// Readers: exactly the recipients.
	for login, want := range map[string]int{"p1": 1, "p2": 1, "p3": 1, "p7": 0, "s1": 0, "p5": 0, "t9": 0, "hB": 0} {
		got, err := w.svc.Mine(ctx, w.v(t, login), 10)
		if err != nil || len(got) != want {
			t.Fatalf("%s: %d news, %v", login, len(got), err)
		}
	}
	for _, login := range []string{"p7", "s1", "p5", "t9", "hB", "cA"} {
		_, err := w.svc.View(ctx, w.v(t, login), id)
		denied(t, err, login+" views")
	}
	_, err = w.svc.View(ctx, w.v(t, "p1"), "forged")
	denied(t, err, "forged id")
	// p1 reads then acknowledges (once); p7 may not.
	view, err := w.svc.View(ctx, w.v(t, "p1"), id)
	if err != nil || view.Reader == nil || !view.Reader.Awaits() {
		t.Fatalf("p1's view: %+v %v", view, err)
	}
	if ok, err := w.svc.Acknowledge(ctx, w.v(t, "p1"), id); !ok || err != nil {
		t.Fatalf("ack: %v %v", ok, err)
	}
	if ok, err := w.svc.Acknowledge(ctx, w.v(t, "p1"), id); ok || err != nil {
		t.Fatalf("ack again: %v %v", ok, err)
	}
	_, err = w.svc.Acknowledge(ctx, w.v(t, "p7"), id)
	denied(t, err, "p7 acknowledges")
	if n := w.count(t, `SELECT COUNT(*) FROM notifications WHERE recipient_id = ? AND dedupe_key = ? AND read_at IS NULL`, w.people["p1"], "news/"+id); n != 0 {
		t.Fatal("the acknowledged news's notice still waits")
	}
	if got, _ := w.svc.ToAcknowledge(ctx, w.v(t, "p1"), 10); len(got) != 0 {
		t.Fatal("still to acknowledge")
	}
	if got, _ := w.svc.ToAcknowledge(ctx, w.v(t, "p2"), 10); len(got) != 1 {
		t.Fatal("p2 has nothing to acknowledge")
	}
	// Tracking: the author and the head; not the CPE, another teacher, the other head.
	for _, login := range []string{"t1", "hA"} {
		view, err := w.svc.View(ctx, w.v(t, login), id)
		if err != nil || view.Author == nil {
			t.Fatalf("%s tracking: %v", login, err)
		}
		if view.Author.Acked != 1 || view.Author.Read != 1 || len(view.Author.Pending()) != 2 {
			t.Fatalf("%s tracking: %+v", login, view.Author)
		}
	}
	// One reminder a day, to those who have not acknowledged.
	_, err = w.svc.Remind(ctx, w.v(t, "p2"), id)
	denied(t, err, "a recipient reminds")
	_, err = w.svc.Remind(ctx, w.v(t, "t9"), id)
	denied(t, err, "another teacher reminds")
	if k, err := w.svc.Remind(ctx, w.v(t, "t1"), id); k != 2 || err != nil {
		t.Fatalf("remind: %d %v", k, err)
	}
	if _, err := w.svc.Remind(ctx, w.v(t, "hA"), id); !errors.Is(err, news.ErrRemindedToday) {
		t.Fatalf("second reminder: %v", err)
	}
	w.now = w.now.Add(24 * time.Hour)
	if k, err := w.svc.Remind(ctx, w.v(t, "t1"), id); k != 2 || err != nil {
		t.Fatalf("remind the next day: %d %v", k, err)
	}
	// CSV export, formula guarded; refused to others.
	var buf bytes.Buffer
	if err := w.svc.Export(ctx, w.v(t, "t1"), id, &buf); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "'=cmd") || strings.Contains(buf.String(), "\n=cmd") || strings.Count(buf.String(), "\n") != 4 {
		t.Fatalf("csv:\n%s", buf.String())
	}
	denied(t, w.svc.Export(ctx, w.v(t, "p1"), id, &buf), "a recipient exports")
	denied(t, w.svc.Export(ctx, w.v(t, "hB"), id, &buf), "the other head exports")
	// A directory change afterwards does not rewrite who was addressed.
	if err := directory.Link(ctx, access.System("test"), w.d, directory.FamilyLink{StudentID: w.people["s2"], RelativeID: w.people["p7"], LegalGuardian: true}); err != nil {
		t.Fatal(err)
	}
	if got, _ := w.svc.Mine(ctx, w.v(t, "p7"), 10); len(got) != 0 {
		t.Fatal("a guardian linked later reads the news")
	}
}

func TestWhoPublishesWhat(t *testing.T) {
	ctx := context.Background()
	w := build(t)
	est := func(in news.Input, e string, targets ...string) news.Input {
		in.Establishment, in.Targets = w.ests[e], targets
		return in
	}
	in := toFamilies(w)
	for _, c := range []struct {
		login string
		in    news.Input
	}{
		{"t1", est(in, "A", "profile:relative")}, // a teacher: not the whole establishment
		{"t9", in},                               // a teacher of another class
		{"s1", in},                               // a student
		{"p1", in},                               // a relative
		{"hB", est(in, "B", "class:"+w.class["6A"])}, // the head of another establishment
		{"hA", est(in, "A", "class:"+w.class["2B"])}, // a class of another establishment
		{"hA", est(in, "B", "profile:relative")},     // another establishment named
		{"t1", est(in, "A", "class:forged")},         // a forged class
	} {
		_, err := w.svc.Create(ctx, w.v(t, c.login), c.in)
		denied(t, err, c.login+" publishes "+strings.Join(c.in.Targets, ","))
	}
	if n := w.count(t, `SELECT COUNT(*) FROM news`); n != 0 {
		t.Fatalf("refused news written: %d", n)
	}
	// The head to a profile and a function of the whole establishment.
	id, err := w.svc.Create(ctx, w.v(t, "hA"), est(news.Input{Title: "Conseil", Body: "…", Publish: true}, "A", "profile:teacher", "function:cpe"))
	if err != nil {
		t.Fatal(err)
	}
	if n := w.count(t, `SELECT COUNT(*) FROM news_recipients WHERE news_id = ?`, id); n != 3 {
		t.Fatalf("teachers and the CPE: %d", n)
	}
	// The CPE to every family of A: not B's.
	id, err = w.svc.Create(ctx, w.v(t, "cA"), est(news.Input{Title: "Grève", Body: "…", Publish: true}, "A", "profile:relative"))
	if err != nil {
		t.Fatal(err)
	}
	if n := w.count(t, `SELECT COUNT(*) FROM news_recipients WHERE news_id = ?`, id); n != 3 {
		t.Fatalf("families of A: %d", n)
	}
}

func TestBadInputDraftAndWindow(t *testing.T) {
	ctx := context.Background()
	w := build(t)
	in := toFamilies(w)
	in.Title, in.AckBy, in.ClassFamilies, in.Until = " ", "2026-12-01", false, "bad"
	_, err := w.svc.Create(ctx, w.v(t, "t1"), in)
	ps, ok := check.As(err)
	if !ok || !ps.Has("title") || !ps.Has("ackby") || !ps.Has("who") || !ps.Has("until") {
		t.Fatalf("problems: %v", err)
	}
	if n := w.count(t, `SELECT COUNT(*) FROM news`); n != 0 {
		t.Fatal("written despite problems")
	}
	// A draft: no recipient, nobody told, until its author publishes it.
	in = toFamilies(w)
	in.Publish = false
	id, err := w.svc.Create(ctx, w.v(t, "t1"), in)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := w.svc.Mine(ctx, w.v(t, "p1"), 10); len(got) != 0 || w.count(t, `SELECT COUNT(*) FROM notifications`) != 0 {
		t.Fatal("a draft is out")
	}
	_, err = w.svc.Publish(ctx, w.v(t, "hA"), id)
	denied(t, err, "someone else publishes the draft")
	_, err = w.svc.View(ctx, w.v(t, "hA"), id)
	denied(t, err, "the head reads a teacher's draft")
	if got, _ := w.svc.Written(ctx, w.v(t, "hA"), 10); len(got) != 0 {
		t.Fatal("the head lists a teacher's draft")
	}
	if k, err := w.svc.Publish(ctx, w.v(t, "t1"), id); k != 3 || err != nil {
		t.Fatalf("publish: %d %v", k, err)
	}
	_, err = w.svc.Publish(ctx, w.v(t, "t1"), id)
	denied(t, err, "published twice")
	// A window: from tomorrow, until the day after.
	in = toFamilies(w)
	in.AckRequired, in.From, in.Until = false, "2026-12-08", "2026-12-09"
	if _, err := w.svc.Create(ctx, w.v(t, "t1"), in); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		at   time.Time
		want int
	}{{w.now, 1}, {time.Date(2026, 12, 8, 8, 0, 0, 0, time.UTC), 2}, {time.Date(2026, 12, 10, 8, 0, 0, 0, time.UTC), 1}} {
		w.now = c.at
		if got, _ := w.svc.Mine(ctx, w.v(t, "p1"), 10); len(got) != c.want {
			t.Fatalf("at %s: %d news", c.at, len(got))
		}
	}
	// Written: the author's list, and the head's (who follows A).
	for login, want := range map[string]int{"t1": 2, "hA": 2, "cA": 0, "t9": 0} {
		got, err := w.svc.Written(ctx, w.v(t, login), 10)
		if err != nil || len(got) != want {
			t.Fatalf("%s written: %d %v", login, len(got), err)
		}
	}
}
