package delivery_test

import (
	"context"
	"errors"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"cartable/internal/access"
	"cartable/internal/db"
	"cartable/internal/dbtest"
	"cartable/internal/delivery"
	"cartable/internal/directory"
	"cartable/internal/i18n"
	"cartable/internal/jobs"
	"cartable/internal/mail"
	"cartable/internal/mail/smtptest"
	"cartable/internal/notify"
	"cartable/internal/roles"
)

var sys = access.System("delivery-test")

type fixture struct {
	d      *db.DB
	est    string
	people map[string]*directory.Person
	now    time.Time
	del    *delivery.Deliverer
	worker *jobs.Worker
}

// newFixture makes an establishment and people with an e-mail address
// each, and a deliverer whose clock the test moves.
func newFixture(t *testing.T, logins ...string) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{d: dbtest.Open(t), people: map[string]*directory.Person{}}
	e := &directory.Establishment{UAI: "0750001A", Name: "A", Kind: "college"}
	err := f.d.Tx(ctx, func(tx *db.Tx) error {
		if err := directory.CreateEstablishment(ctx, sys, tx, e); err != nil {
			return err
		}
		for _, login := range logins {
			p := &directory.Person{Profile: roles.Relative, Login: login, LastName: login, FirstName: login, Active: true, Email: login + "@example.org"}
			if err := directory.CreatePerson(ctx, sys, tx, p, ""); err != nil {
				return err
			}
			if err := directory.AddMembership(ctx, sys, tx, p.ID, e.ID); err != nil {
				return err
			}
			f.people[login] = p
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	f.est = e.ID
	f.now = time.Date(2026, 12, 4, 10, 0, 0, 0, i18n.Zone) // a Friday
	clock := func() time.Time { return f.now }
	f.del = &delivery.Deliverer{DB: f.d, BaseURL: "https://ent.example.fr", Now: clock,
		Text: func(lang, kind string, args map[string]string) string { return lang + ":" + kind + ":" + args["child"] }}
	q := &jobs.Queue{DB: f.d, Policy: jobs.Policy{Backoff: time.Minute}, Now: clock}
	f.worker = &jobs.Worker{Queue: q, ID: "test", Handlers: f.del.Handlers(sys)}
	return f
}

func (f *fixture) viewer(login string) *access.Viewer { return &access.Viewer{ID: f.people[login].ID} }

func (f *fixture) notice(t *testing.T, login, kind, child string, at time.Time) {
	t.Helper()
	_, err := notify.Queue(context.Background(), sys, f.d, notify.Notice{Establishment: f.est, Recipient: f.people[login].ID,
		Kind: kind, Key: kind + "/" + child + "/" + strconv.FormatInt(at.UnixNano(), 10), Args: map[string]string{"child": child},
		Link: "/school-life", NotBefore: at})
	if err != nil {
		t.Fatal(err)
	}
}

// drain runs every due job.
func (f *fixture) drain(t *testing.T) int {
	t.Helper()
	n := 0
	for {
		ran, err := f.worker.RunOne(context.Background(), sys)
		if err != nil {
			t.Fatal(err)
		}
		if !ran {
			return n
		}
		n++
	}
}

func smtpServer(t *testing.T) (*smtptest.Server, *mail.SMTP) {
	t.Helper()
	s, err := smtptest.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	host, port, _ := net.SplitHostPort(s.Addr)
	p, _ := strconv.Atoi(port)
	return s, &mail.SMTP{Host: host, Port: p, From: "Cartable <ent@example.fr>", Security: mail.None, Timeout: 5 * time.Second}
}

// received waits for the next e-mail; its Data is then the headers and
// the decoded plain-text part (the HTML part is checked in mail_test.go).
func received(t *testing.T, s *smtptest.Server) smtptest.Message {
	t.Helper()
	m, p := receivedParsed(t, s)
	head, _, _ := strings.Cut(strings.ReplaceAll(m.Data, "\r\n", "\n"), "\n\n")
	m.Data = head + "\n\n" + p.text
	return m
}

func jobStats(t *testing.T, d *db.DB) jobs.Stats {
	t.Helper()
	st, err := jobs.Count(context.Background(), sys, d)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// An immediate e-mail waits while the SMTP server is down, then leaves in
// the recipient's language; a person on the default (daily digest) gets
// nothing at once.
func TestImmediateMailRetriedUntilSent(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, "alice", "bob")
	s, err := delivery.Mine(ctx, f.viewer("alice"), f.d)
	if err != nil {
		t.Fatal(err)
	}
	if s.Mode(delivery.SchoolLife, delivery.Email) != delivery.Daily || s.Mode(delivery.SchoolLife, delivery.Push) != delivery.Immediate {
		t.Fatalf("defaults: e-mail %s, push %s", s.Mode(delivery.SchoolLife, delivery.Email), s.Mode(delivery.SchoolLife, delivery.Push))
	}
	s.Lang = "en"
	s.SetMode(delivery.SchoolLife, delivery.Email, delivery.Immediate)
	if err := delivery.Save(ctx, f.viewer("alice"), f.d, s); err != nil {
		t.Fatal(err)
	}
	f.notice(t, "alice", "absence", "Léa", f.now)
	f.notice(t, "bob", "absence", "Tom", f.now)

	// A server nobody listens on: the job fails and waits.
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	f.del.Mail = &mail.SMTP{Host: "127.0.0.1", Port: port, From: "ent@example.fr", Security: mail.None, Timeout: time.Second}
	if n, err := f.del.Dispatch(ctx, sys); err != nil || n != 2 {
		t.Fatalf("dispatch: %d %v", n, err)
	}
	if n, _ := f.del.Dispatch(ctx, sys); n != 0 {
		t.Fatalf("a notice handed over twice (%d)", n)
	}
	if n := f.drain(t); n != 1 {
		t.Fatalf("%d jobs ran, want alice's e-mail only", n)
	}
	if st := jobStats(t, f.d); st.Waiting != 1 || st.Retried != 1 || st.Failed != 0 {
		t.Fatalf("after a failed send: %+v", st)
	}

	srv, smtp := smtpServer(t)
	f.del.Mail = smtp
	if n := f.drain(t); n != 0 {
		t.Fatal("the retry ran before its backoff")
	}
	f.now = f.now.Add(time.Minute)
	if n := f.drain(t); n != 1 {
		t.Fatalf("retry: %d jobs ran", n)
	}
	m := received(t, srv)
	if len(m.To) != 1 || m.To[0] != "alice@example.org" {
		t.Fatalf("sent to %v", m.To)
	}
	for _, want := range []string{"Cartable: new notification", "en:absence:L", "https://ent.example.fr/school-life", "https://ent.example.fr/notifications/settings"} {
		if !strings.Contains(m.Data, want) {
			t.Errorf("the e-mail lacks %q:\n%s", want, m.Data)
		}
	}
	if st := jobStats(t, f.d); st.Waiting != 0 {
		t.Fatalf("jobs left: %+v", st)
	}
}

// During quiet hours an immediate message waits for their end.
func TestQuietHoursDelay(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, "alice")
	s, _ := delivery.Mine(ctx, f.viewer("alice"), f.d)
	s.Quiet, s.QuietFrom, s.QuietTo = true, 22*60, 7*60
	s.SetMode(delivery.Marks, delivery.Email, delivery.Immediate)
	if err := delivery.Save(ctx, f.viewer("alice"), f.d, s); err != nil {
		t.Fatal(err)
	}
	_, f.del.Mail = smtpServer(t)
	f.now = time.Date(2026, 12, 4, 23, 30, 0, 0, i18n.Zone)
	f.notice(t, "alice", "marks", "Léa", f.now)
	if _, err := f.del.Dispatch(ctx, sys); err != nil {
		t.Fatal(err)
	}
	var runAt int64
	if err := f.d.QueryRow(ctx, `SELECT run_at FROM jobs`).Scan(&runAt); err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2026, 12, 5, 7, 0, 0, 0, i18n.Zone).Unix(); runAt != want {
		t.Fatalf("run at %v, want 07:00 the next morning", time.Unix(runAt, 0).In(i18n.Zone))
	}
}

// Digests: the daily one gathers the day's notices of the categories a
// person gets daily; the weekly one, on Friday evening, the week's;
// planning twice sends once.
func TestDigests(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, "alice", "bob", "carol")
	srv, smtp := smtpServer(t)
	f.del.Mail = smtp
	b, _ := delivery.Mine(ctx, f.viewer("bob"), f.d)
	for _, c := range delivery.Categories {
		b.SetMode(c, delivery.Email, delivery.Weekly)
	}
	if err := delivery.Save(ctx, f.viewer("bob"), f.d, b); err != nil {
		t.Fatal(err)
	}
	c, _ := delivery.Mine(ctx, f.viewer("carol"), f.d)
	c.SetMode(delivery.Marks, delivery.Email, delivery.Off)
	if err := delivery.Save(ctx, f.viewer("carol"), f.d, c); err != nil {
		t.Fatal(err)
	}
	f.notice(t, "alice", "absence", "Léa", f.now)
	f.notice(t, "alice", "marks", "Léa", f.now.Add(time.Hour))
	f.notice(t, "alice", "absence", "Old", f.now.AddDate(0, 0, -2)) // not today's
	f.notice(t, "bob", "absence", "Tom", f.now.AddDate(0, 0, -3))
	f.notice(t, "carol", "marks", "Zoé", f.now)

	f.now = time.Date(2026, 12, 4, 18, 5, 0, 0, i18n.Zone)
	if _, err := f.del.Dispatch(ctx, sys); err != nil {
		t.Fatal(err)
	}
	// A daily and a weekly round for each hour a person may choose.
	for i, want := range []int{2 * (delivery.MaxDigestHour - delivery.MinDigestHour + 1), 0} {
		if n, err := f.del.ScheduleDigests(ctx, sys); err != nil || n != want {
			t.Fatalf("schedule #%d: %d %v, want %d", i+1, n, err, want)
		}
	}
	f.drain(t)
	got := map[string]string{}
	for range 2 {
		m := received(t, srv)
		got[m.To[0]] = m.Data
	}
	select {
	case m := <-srv.Messages:
		t.Fatalf("an extra e-mail to %v", m.To)
	case <-time.After(100 * time.Millisecond):
	}
	a := got["alice@example.org"]
	if !strings.Contains(a, "fr:absence:L") || !strings.Contains(a, "fr:marks:L") || strings.Contains(a, "Old") || !strings.Contains(a, "aujourd") {
		t.Errorf("alice's daily digest:\n%s", a)
	}
	if bd := got["bob@example.org"]; !strings.Contains(bd, "fr:absence:Tom") || !strings.Contains(bd, "semaine") {
		t.Errorf("bob's weekly digest:\n%s", bd)
	}
	if _, ok := got["carol@example.org"]; ok {
		t.Error("carol turned marks off by e-mail and got a digest")
	}
}

// Settings: a person reads and changes their own only; a bad value names
// its field and changes nothing.
func TestSettingsRefusals(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, "alice")
	if _, err := delivery.Mine(ctx, sys, f.d); !errors.Is(err, access.ErrDenied) {
		t.Fatalf("the system read a person's settings: %v", err)
	}
	s, _ := delivery.Mine(ctx, f.viewer("alice"), f.d)
	s.SetMode(delivery.Marks, delivery.Push, delivery.Daily)
	var fe *delivery.FieldError
	if err := delivery.Save(ctx, f.viewer("alice"), f.d, s); !errors.As(err, &fe) || fe.Field != "mode.marks.push" {
		t.Fatalf("a push digest: %v", err)
	}
	s, _ = delivery.Mine(ctx, f.viewer("alice"), f.d)
	s.Quiet, s.QuietFrom = true, 25*60
	if err := delivery.Save(ctx, f.viewer("alice"), f.d, s); !errors.As(err, &fe) || fe.Field != "quiet_from" {
		t.Fatalf("quiet hours at 25:00: %v", err)
	}
	s, _ = delivery.Mine(ctx, f.viewer("alice"), f.d)
	if s.Quiet || s.Mode(delivery.Marks, delivery.Push) != delivery.Immediate {
		t.Fatal("a refused save changed something")
	}
}

func TestCategories(t *testing.T) {
	for kind, want := range map[string]delivery.Category{
		"absence": delivery.SchoolLife, "lateness": delivery.SchoolLife, "register-late": delivery.SchoolLife,
		"justification-reviewed": delivery.SchoolLife, "punishment": delivery.SchoolLife, "sanction": delivery.SchoolLife,
		"exclusion-report": delivery.SchoolLife, "marks": delivery.Marks, "note-to-sign": delivery.Messages,
		"note-reminder": delivery.Messages, "note-reply": delivery.Messages, "something-new": delivery.News,
		"lesson-cancelled": delivery.Timetable, "lesson-changed": delivery.Timetable, "lesson-restored": delivery.Timetable,
		"homework": delivery.Homework, "homework-changed": delivery.Homework,
	} {
		if got := delivery.CategoryOf(kind); got != want {
			t.Errorf("%s: %s, want %s", kind, got, want)
		}
	}
}

// A relative who chose nothing gets homework in the workspace only, and
// timetable changes like any other category; once they switch homework
// on, it leaves like the rest. Other profiles keep the plain defaults.
func TestRelativesHomeworkOffByDefault(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, "alice")
	s, err := delivery.Mine(ctx, f.viewer("alice"), f.d)
	if err != nil {
		t.Fatal(err)
	}
	if s.Mode(delivery.Homework, delivery.Email) != delivery.Off || s.Mode(delivery.Homework, delivery.Push) != delivery.Off ||
		s.Mode(delivery.Timetable, delivery.Email) != delivery.Daily || s.Mode(delivery.Timetable, delivery.Push) != delivery.Immediate {
		t.Fatalf("a relative's defaults: homework %s/%s, timetable %s/%s", s.Mode(delivery.Homework, delivery.Email),
			s.Mode(delivery.Homework, delivery.Push), s.Mode(delivery.Timetable, delivery.Email), s.Mode(delivery.Timetable, delivery.Push))
	}
	if delivery.DefaultFor(false, delivery.Homework, delivery.Email) != delivery.Daily {
		t.Fatal("a student's homework default changed")
	}
	srv, smtp := smtpServer(t)
	f.del.Mail = smtp
	s.SetMode(delivery.Timetable, delivery.Email, delivery.Immediate)
	if err := delivery.Save(ctx, f.viewer("alice"), f.d, s); err != nil {
		t.Fatal(err)
	}
	f.notice(t, "alice", "homework", "Léa", f.now)
	f.notice(t, "alice", "lesson-cancelled", "Tom", f.now)
	if _, err := f.del.Dispatch(ctx, sys); err != nil {
		t.Fatal(err)
	}
	if n := f.drain(t); n != 1 {
		t.Fatalf("%d jobs ran, want the lesson's e-mail only", n)
	}
	if m := received(t, srv); !strings.Contains(m.Data, "fr:lesson-cancelled:Tom") {
		t.Fatalf("the e-mail: %s", m.Data)
	}
	s.SetMode(delivery.Homework, delivery.Email, delivery.Immediate)
	if err := delivery.Save(ctx, f.viewer("alice"), f.d, s); err != nil {
		t.Fatal(err)
	}
	f.notice(t, "alice", "homework-changed", "Zoé", f.now.Add(-time.Second))
	if _, err := f.del.Dispatch(ctx, sys); err != nil {
		t.Fatal(err)
	}
	if n := f.drain(t); n != 1 {
		t.Fatalf("%d jobs ran once homework is switched on", n)
	}
	if m := received(t, srv); !strings.Contains(m.Data, "fr:homework-changed:Z") {
		t.Fatalf("the e-mail: %s", m.Data)
	}
}

// Two replicas handing over together hand each notice over once; a
// notice read in the workspace before its e-mail leaves is not sent.
func TestHandOverOnceAndReadNotSent(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, "alice")
	srv, smtp := smtpServer(t)
	f.del.Mail = smtp
	s, _ := delivery.Mine(ctx, f.viewer("alice"), f.d)
	s.SetMode(delivery.SchoolLife, delivery.Email, delivery.Immediate)
	if err := delivery.Save(ctx, f.viewer("alice"), f.d, s); err != nil {
		t.Fatal(err)
	}
	const n = 1200
	err := f.d.Tx(ctx, func(tx *db.Tx) error {
		for i := range n {
			if _, err := notify.Queue(ctx, sys, tx, notify.Notice{Establishment: f.est, Recipient: f.people["alice"].ID, Kind: "absence",
				Key: "absence/" + strconv.Itoa(i), Args: map[string]string{"child": "Léa"}, Link: "/school-life", NotBefore: f.now}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	other := *f.del
	var wg sync.WaitGroup
	totals := make([]int, 2)
	for i, d := range []*delivery.Deliverer{f.del, &other} {
		wg.Go(func() {
			k, err := d.Dispatch(ctx, sys)
			if err != nil {
				t.Error(err)
			}
			totals[i] = k
		})
	}
	wg.Wait()
	if totals[0]+totals[1] != n {
		t.Fatalf("handed over %v, want %d in all", totals, n)
	}
	if st := jobStats(t, f.d); st.Waiting != n {
		t.Fatalf("%d e-mail jobs, want %d", st.Waiting, n)
	}
	// Alice reads everything in the workspace: the e-mails are not sent.
	alice := &access.Viewer{ID: f.people["alice"].ID}
	if err := notify.MarkAllRead(ctx, alice, f.d); err != nil {
		t.Fatal(err)
	}
	f.drain(t)
	select {
	case m := <-srv.Messages:
		t.Fatalf("an e-mail for a notice already read: %.200s", m.Data)
	case <-time.After(100 * time.Millisecond):
	}
	if st := jobStats(t, f.d); st.Waiting != 0 || st.Failed != 0 {
		t.Fatalf("jobs after the run: %+v", st)
	}
}

// Each person's digest leaves at their hour; after a change of hour the
// next digest starts where the last one ended: nothing twice, nothing
// skipped. An hour outside 06–22 is refused naming its field.
func TestDigestHourPerPerson(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, "alice", "bob", "carol", "dave")
	srv, smtp := smtpServer(t)
	f.del.Mail = smtp
	setHour := func(login string, h int) {
		t.Helper()
		s, _ := delivery.Mine(ctx, f.viewer(login), f.d)
		s.DigestHour = h
		if err := delivery.Save(ctx, f.viewer(login), f.d, s); err != nil {
			t.Fatal(err)
		}
	}
	at := func(day, hour, minute int) time.Time { return time.Date(2026, 12, day, hour, minute, 0, 0, i18n.Zone) }
	// run plans and sends what is due at t, and returns who got what.
	run := func(tm time.Time) map[string]string {
		t.Helper()
		f.now = tm
		if _, err := f.del.ScheduleDigests(ctx, sys); err != nil {
			t.Fatal(err)
		}
		f.drain(t)
		got := map[string]string{}
		for {
			select {
			case m := <-srv.Messages:
				got[strings.TrimSuffix(m.To[0], "@example.org")] = m.Data
				continue
			case <-time.After(100 * time.Millisecond):
			}
			return got
		}
	}
	setHour("alice", 8)
	setHour("carol", 18)
	setHour("dave", 20)
	for _, who := range []string{"alice", "bob", "carol"} {
		f.notice(t, who, "absence", who+"Thu21", at(3, 21, 0))
	}
	f.notice(t, "dave", "absence", "daveWed21", at(2, 21, 0))
	if got := run(at(3, 20, 5)); len(got) != 1 || got["dave"] == "" {
		t.Fatalf("Thursday 20:05: %v", keys(got))
	}
	f.notice(t, "dave", "absence", "daveThu22", at(3, 22, 0))
	f.notice(t, "carol", "absence", "carolThu19", at(3, 19, 0))

	if got := run(at(4, 8, 5)); len(got) != 1 || !strings.Contains(got["alice"], "aliceThu21") {
		t.Fatalf("Friday 08:05, alice only: %v", keys(got))
	}
	got := run(at(4, 18, 5))
	if len(got) != 2 || !strings.Contains(got["bob"], "bobThu21") || !strings.Contains(got["carol"], "carolThu19") {
		t.Fatalf("Friday 18:05, bob and carol: %v", keys(got))
	}
	// Carol moves to 20:00, dave to 18:00, at 19:00.
	f.now = at(4, 19, 0)
	setHour("carol", 20)
	setHour("dave", 18)
	f.notice(t, "carol", "absence", "carolFri1830", at(4, 18, 30))
	got = run(at(4, 20, 5))
	if len(got) != 1 || !strings.Contains(got["carol"], "carolFri1830") || strings.Contains(got["carol"], "carolThu21") {
		t.Fatalf("Friday 20:05, carol, without what her 18:00 digest held: %v\n%s", keys(got), got["carol"])
	}
	got = run(at(5, 18, 5))
	if len(got) != 1 || !strings.Contains(got["dave"], "daveThu22") || strings.Contains(got["dave"], "daveWed21") {
		t.Fatalf("Saturday 18:05, dave, with what came after his last 20:00 digest: %v\n%s", keys(got), got["dave"])
	}

	var fe *delivery.FieldError
	for _, h := range []int{5, 23, -1} {
		s, _ := delivery.Mine(ctx, f.viewer("bob"), f.d)
		s.DigestHour = h
		if err := delivery.Save(ctx, f.viewer("bob"), f.d, s); !errors.As(err, &fe) || fe.Field != "digest_hour" {
			t.Errorf("hour %d: %v", h, err)
		}
	}
	if s, _ := delivery.Mine(ctx, f.viewer("bob"), f.d); s.DigestHour != delivery.DefaultDigestHour {
		t.Errorf("a refused hour was stored: %d", s.DigestHour)
	}
}

func keys(m map[string]string) []string {
	var k []string
	for x := range m {
		k = append(k, x)
	}
	return k
}

// Jobs are at least once: a replica killed after the SMTP server took an
// e-mail and before its job was marked done sends it again once the lease
// runs out. The second copy carries the same Message-ID, so mailboxes
// that drop duplicates show one message.
func TestMailSentAgainKeepsItsMessageID(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, "alice")
	s, _ := delivery.Mine(ctx, f.viewer("alice"), f.d)
	s.SetMode(delivery.SchoolLife, delivery.Email, delivery.Immediate)
	if err := delivery.Save(ctx, f.viewer("alice"), f.d, s); err != nil {
		t.Fatal(err)
	}
	srv, smtp := smtpServer(t)
	f.del.Mail = smtp
	f.notice(t, "alice", "absence", "Léa", f.now)
	f.notice(t, "alice", "absence", "Tom", f.now)
	if _, err := f.del.Dispatch(ctx, sys); err != nil {
		t.Fatal(err)
	}
	id := func(m smtptest.Message) string {
		for _, l := range strings.Split(m.Data, "\n") {
			if v, ok := strings.CutPrefix(l, "Message-ID: "); ok {
				return v
			}
		}
		t.Fatalf("no Message-ID:\n%s", m.Data)
		return ""
	}
	if n := f.drain(t); n != 2 {
		t.Fatalf("%d jobs ran", n)
	}
	first := map[string]bool{id(received(t, srv)): true, id(received(t, srv)): true}
	if len(first) != 2 {
		t.Fatalf("two notices' e-mails share a Message-ID: %v", first)
	}
	// As if the replica had died before marking them done.
	if _, err := f.d.Exec(ctx, `UPDATE jobs SET done_at = NULL WHERE kind = ?`, delivery.KindMailNotice); err != nil {
		t.Fatal(err)
	}
	if n := f.drain(t); n != 2 {
		t.Fatalf("%d jobs ran again", n)
	}
	for range 2 {
		if again := id(received(t, srv)); !first[again] {
			t.Errorf("the e-mail sent again has a new Message-ID %s, want one of %v", again, first)
		}
	}
}
