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
	"cartable/internal/files"
	"cartable/internal/news"
	"cartable/internal/timetable"
)

// withFiles gives the world a real file store and lets the policy see the
// world's clock (a recipient reads an attachment within the news's window).
func withFiles(t *testing.T, w *world) *files.Store {
	t.Helper()
	store, err := files.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	w.svc.Files = store
	w.p.SetClock(func() time.Time { return w.now })
	return store
}

func (w *world) audited(t *testing.T, action, id string) int {
	t.Helper()
	return w.count(t, `SELECT COUNT(*) FROM audit_events WHERE action = ? AND target = ?`, action, "news:"+id)
}

func editOf(n news.News) news.Edit {
	e := news.Edit{Title: n.Title, Body: n.Body, AckRequired: n.AckRequired}
	e.From = n.From.In(timetable.Paris).Format(timetable.DateFormat)
	if !n.AckDeadline.IsZero() {
		e.AckBy = n.AckDeadline.AddDate(0, 0, -1).In(timetable.Paris).Format(timetable.DateFormat)
	}
	return e
}

// A correction keeps the acknowledgements; "ask again" moves them to the
// history and asks every recipient again; both audited. Only the author
// edits; faults change nothing.
func TestEditNews(t *testing.T) {
	ctx := context.Background()
	w := build(t)
	id, err := w.svc.Create(ctx, w.v(t, "t1"), toFamilies(w))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.Acknowledge(ctx, w.v(t, "p1"), id); err != nil {
		t.Fatal(err)
	}
	w.now = w.now.Add(2 * 24 * time.Hour) // shown since two days: its first day no longer moves
	n, e, err := w.svc.EditOf(ctx, w.v(t, "t1"), id)
	if err != nil || e.Title != "Sortie au musée" || e.AckBy != "2026-12-10" {
		t.Fatalf("the form as it stands: %+v %v", e, err)
	}
	// Refusals: another teacher, the head (who withdraws but does not
	// rewrite), a recipient, the other establishment's head, a forged id.
	for _, login := range []string{"t9", "hA", "p1", "hB", "s1"} {
		_, _, err := w.svc.EditOf(ctx, w.v(t, login), id)
		denied(t, err, login+" opens the edit form")
		denied(t, w.svc.Change(ctx, w.v(t, login), id, editOf(n)), login+" edits")
	}
	denied(t, w.svc.Change(ctx, w.v(t, "t1"), "forged", editOf(n)), "a forged id")
	// Faults: named, nothing changed.
	bad := editOf(n)
	bad.Title, bad.From, bad.AckBy = "", "2026-12-20", "2026-12-01"
	err = w.svc.Change(ctx, w.v(t, "t1"), id, bad)
	if ps, ok := check.As(err); !ok || !ps.Has("title") || !ps.Has("from") || !ps.Has("ackby") {
		t.Fatalf("problems: %v", err)
	}
	bad = editOf(n)
	bad.AckRequired, bad.AskAgain = false, true
	if ps, ok := check.As(w.svc.Change(ctx, w.v(t, "t1"), id, bad)); !ok || !ps.Has("askagain") {
		t.Fatal("asking again without acknowledgement is not a problem")
	}
	if w.audited(t, news.AuditEdited, id) != 0 {
		t.Fatal("a refused or faulty edit was audited")
	}
	// A correction: the text changes, p1's acknowledgement stays.
	fix := editOf(n)
	fix.Body, fix.AckBy = "Autorisation à signer, départ 8 h.", "2026-12-12"
	if err := w.svc.Change(ctx, w.v(t, "t1"), id, fix); err != nil {
		t.Fatal(err)
	}
	v, err := w.svc.View(ctx, w.v(t, "p1"), id)
	if err != nil || v.Reader.Body != fix.Body || v.Reader.AckedAt.IsZero() || v.Reader.EditedAt.IsZero() {
		t.Fatalf("after a correction: %+v %v", v.Reader, err)
	}
	if w.audited(t, news.AuditEdited, id) != 1 || w.count(t, `SELECT COUNT(*) FROM notifications WHERE kind = 'news-changed'`) != 0 {
		t.Fatal("the correction: audit or notices wrong")
	}
	// Ask again: p1's acknowledgement goes to the history, all three acknowledge again.
	again := fix
	again.AskAgain = true
	if err := w.svc.Change(ctx, w.v(t, "t1"), id, again); err != nil {
		t.Fatal(err)
	}
	if w.audited(t, news.AuditAskAgain, id) != 1 || w.audited(t, news.AuditEdited, id) != 2 {
		t.Fatal("asking again is not audited")
	}
	if n := w.count(t, `SELECT COUNT(*) FROM notifications WHERE kind = 'news-changed' AND dedupe_key = ?`, "news-changed/"+id+"/2"); n != 3 {
		t.Fatalf("news-changed notices: %d", n)
	}
	if n := w.count(t, `SELECT COUNT(*) FROM news_ack_history WHERE news_id = ? AND person_id = ? AND round = 1`, id, w.people["p1"]); n != 1 {
		t.Fatal("the previous acknowledgement is not kept")
	}
	if got, _ := w.svc.ToAcknowledge(ctx, w.v(t, "p1"), 10); len(got) != 1 {
		t.Fatal("p1 is not asked again")
	}
	tr, err := w.svc.View(ctx, w.v(t, "t1"), id)
	if err != nil || tr.Author.Acked != 0 || tr.Author.AckRound != 2 {
		t.Fatalf("tracking after asking again: %+v %v", tr.Author, err)
	}
	var prev int
	for _, r := range tr.Author.Recipients {
		if !r.PreviousAck.IsZero() {
			prev++
		}
	}
	if prev != 1 {
		t.Fatalf("%d previous acknowledgements shown", prev)
	}
	var buf bytes.Buffer
	if err := w.svc.Export(ctx, w.v(t, "t1"), id, &buf); err != nil || !strings.Contains(buf.String(), "previously_acknowledged_at") {
		t.Fatalf("export: %v %s", err, buf.String())
	}
	// Acknowledging marks the news-changed notice read.
	if _, err := w.svc.Acknowledge(ctx, w.v(t, "p1"), id); err != nil {
		t.Fatal(err)
	}
	if n := w.count(t, `SELECT COUNT(*) FROM notifications WHERE recipient_id = ? AND kind = 'news-changed' AND read_at IS NULL`, w.people["p1"]); n != 0 {
		t.Fatal("the news-changed notice still waits")
	}
	// A news not shown yet: a new first day moves its notices.
	later := toFamilies(w)
	later.From, later.AckBy = "2026-12-20", "2026-12-24"
	lid, err := w.svc.Create(ctx, w.v(t, "t1"), later)
	if err != nil {
		t.Fatal(err)
	}
	ln, le, err := w.svc.EditOf(ctx, w.v(t, "t1"), lid)
	if err != nil || le.From != "2026-12-20" {
		t.Fatalf("%+v %v", le, err)
	}
	le.From = "2026-12-22"
	if err := w.svc.Change(ctx, w.v(t, "t1"), lid, le); err != nil {
		t.Fatal(err)
	}
	day, _ := time.ParseInLocation(timetable.DateFormat, "2026-12-22", timetable.Paris)
	if n := w.count(t, `SELECT COUNT(*) FROM notifications WHERE dedupe_key = ? AND not_before = ?`, "news/"+lid, day.Unix()); n != 3 || !ln.From.Before(day) {
		t.Fatalf("%d notices moved to the new first day", n)
	}
}

// Withdrawing: the author or the head; recipients no longer see it, its
// notices are retracted, the tracking is kept; a draft is deleted.
func TestWithdrawNews(t *testing.T) {
	ctx := context.Background()
	w := build(t)
	id, err := w.svc.Create(ctx, w.v(t, "t1"), toFamilies(w))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.Acknowledge(ctx, w.v(t, "p2"), id); err != nil {
		t.Fatal(err)
	}
	for _, login := range []string{"t9", "p1", "hB", "cA", "s1"} {
		_, err := w.svc.Withdraw(ctx, w.v(t, login), id, true)
		denied(t, err, login+" withdraws")
	}
	_, err = w.svc.Withdraw(ctx, w.v(t, "t1"), "forged", true)
	denied(t, err, "a forged id")
	if _, err := w.svc.Withdraw(ctx, w.v(t, "t1"), id, false); err == nil {
		t.Fatal("withdrawn without confirmation")
	} else if _, ok := check.As(err); !ok {
		t.Fatalf("no confirmation: %v", err)
	}
	if deleted, err := w.svc.Withdraw(ctx, w.v(t, "hA"), id, true); err != nil || deleted {
		t.Fatalf("the head withdraws: %v %v", deleted, err)
	}
	if w.audited(t, news.AuditWithdrawn, id) != 1 {
		t.Fatal("not audited")
	}
	for _, login := range []string{"p1", "p2", "p3"} {
		_, err := w.svc.View(ctx, w.v(t, login), id)
		denied(t, err, login+" reads a withdrawn news")
		if got, _ := w.svc.Mine(ctx, w.v(t, login), 10); len(got) != 0 {
			t.Fatalf("%s still lists it", login)
		}
	}
	_, err = w.svc.Acknowledge(ctx, w.v(t, "p1"), id)
	denied(t, err, "acknowledging a withdrawn news")
	if n := w.count(t, `SELECT COUNT(*) FROM notifications WHERE dedupe_key = ?`, "news/"+id); n != 0 {
		t.Fatalf("%d notices left", n)
	}
	tr, err := w.svc.View(ctx, w.v(t, "t1"), id)
	if err != nil || !tr.Author.Withdrawn() || tr.Author.Acked != 1 {
		t.Fatalf("the author's records: %+v %v", tr.Author, err)
	}
	_, err = w.svc.Remind(ctx, w.v(t, "t1"), id)
	denied(t, err, "reminding a withdrawn news")
	_, _, err = w.svc.EditOf(ctx, w.v(t, "t1"), id)
	denied(t, err, "editing a withdrawn news")
	_, err = w.svc.Withdraw(ctx, w.v(t, "t1"), id, true)
	denied(t, err, "withdrawn twice")
	// A draft: its author deletes it; the head never sees it.
	in := toFamilies(w)
	in.Publish = false
	draft, err := w.svc.Create(ctx, w.v(t, "t1"), in)
	if err != nil {
		t.Fatal(err)
	}
	_, err = w.svc.Withdraw(ctx, w.v(t, "hA"), draft, true)
	denied(t, err, "the head deletes a draft")
	if deleted, err := w.svc.Withdraw(ctx, w.v(t, "t1"), draft, true); err != nil || !deleted {
		t.Fatalf("delete the draft: %v %v", deleted, err)
	}
	if n := w.count(t, `SELECT COUNT(*) FROM news WHERE id = ?`, draft); n != 0 {
		t.Fatal("the draft is still there")
	}
}

// Attachments: sealed at rest, read by the recipients (while they see the
// news), the author and the head; refused types named, nothing written.
func TestNewsAttachments(t *testing.T) {
	ctx := context.Background()
	w := build(t)
	withFiles(t, w)
	pdf := "%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
	in := toFamilies(w)
	in.Attachments = []news.Upload{{Name: "autorisation.pdf", Body: strings.NewReader(pdf)}, {Name: "virus.exe", Body: strings.NewReader("MZ\x90\x00binary")}}
	_, err := w.svc.Create(ctx, w.v(t, "t1"), in)
	if ps, ok := check.As(err); !ok || !ps.Has("attachments") || !strings.Contains(ps.Error(), "virus.exe") {
		t.Fatalf("a refused type: %v", err)
	}
	if n := w.count(t, `SELECT COUNT(*) FROM news`) + w.count(t, `SELECT COUNT(*) FROM files`); n != 0 {
		t.Fatalf("%d rows written by a refused form", n)
	}
	in.Attachments = []news.Upload{{Name: "autorisation.pdf", Body: strings.NewReader(pdf)}}
	id, err := w.svc.Create(ctx, w.v(t, "t1"), in)
	if err != nil {
		t.Fatal(err)
	}
	v, err := w.svc.View(ctx, w.v(t, "p1"), id)
	if err != nil || len(v.Reader.Attachments) != 1 {
		t.Fatalf("the recipient's view: %+v %v", v.Reader, err)
	}
	file := v.Reader.Attachments[0].ID
	for _, login := range []string{"p1", "t1", "hA"} {
		f, data, err := w.svc.File(ctx, w.v(t, login), id, file)
		if err != nil || string(data) != pdf || f.ContentType != "application/pdf" {
			t.Fatalf("%s reads the file: %v", login, err)
		}
	}
	// Sealed at rest: the blob is not the PDF.
	if blob, err := w.svc.Files.Backend.Get(ctx, w.ests["A"]+"/"+file); err != nil || bytes.Contains(blob, []byte("%PDF")) {
		t.Fatalf("not sealed: %v", err)
	}
	for _, login := range []string{"p7", "p5", "s1", "t9", "hB", "cA"} {
		_, _, err := w.svc.File(ctx, w.v(t, login), id, file)
		denied(t, err, login+" reads the attachment")
		_, err = files.Info(ctx, w.v(t, login), w.d, file)
		denied(t, err, login+" read-file")
	}
	_, _, err = w.svc.File(ctx, w.v(t, "p1"), id, "forged")
	denied(t, err, "a forged file")
	// Another news's file through this one: refused.
	other, err := w.svc.Create(ctx, w.v(t, "hA"), news.Input{Establishment: w.ests["A"], Title: "Conseil", Body: "…", Targets: []string{"profile:teacher"},
		Publish: true, Attachments: []news.Upload{{Name: "ordre.txt", Body: strings.NewReader("Ordre du jour")}}})
	if err != nil {
		t.Fatal(err)
	}
	ov, _ := w.svc.View(ctx, w.v(t, "hA"), other)
	_, _, err = w.svc.File(ctx, w.v(t, "p1"), id, ov.Author.Attachments[0].ID)
	denied(t, err, "another news's file")
	// An edit removes it and adds another; the purge keeps the attached file.
	n, e, err := w.svc.EditOf(ctx, w.v(t, "t1"), id)
	if err != nil {
		t.Fatal(err)
	}
	_ = n
	e.Remove = []string{file}
	e.Attachments = []news.Upload{{Name: "plan.png", Body: strings.NewReader("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")}}
	if err := w.svc.Change(ctx, w.v(t, "t1"), id, e); err != nil {
		t.Fatal(err)
	}
	if n := w.count(t, `SELECT COUNT(*) FROM files WHERE id = ?`, file); n != 0 {
		t.Fatal("the removed file is kept")
	}
	if k, err := files.DeleteUnreferenced(ctx, access.System("test"), w.d, w.now.Add(time.Hour).Unix()+1e9); err != nil || k != 0 {
		t.Fatalf("the purge deleted %d attached files: %v", k, err)
	}
	// Withdrawn: the recipients no longer read it; the author does.
	if _, err := w.svc.Withdraw(ctx, w.v(t, "t1"), id, true); err != nil {
		t.Fatal(err)
	}
	tv, _ := w.svc.View(ctx, w.v(t, "t1"), id)
	png := tv.Author.Attachments[0].ID
	_, _, err = w.svc.File(ctx, w.v(t, "p1"), id, png)
	denied(t, err, "a recipient reads a withdrawn news's file")
	_, err = files.Info(ctx, w.v(t, "p1"), w.d, png)
	denied(t, err, "read-file of a withdrawn news's file")
	if _, _, err := w.svc.File(ctx, w.v(t, "t1"), id, png); err != nil {
		t.Fatalf("the author's records: %v", err)
	}
}

// Automatic reminders: three days before the last day and on its eve, to
// those who have not acknowledged, once each whatever the rounds; a
// survey on its eve, to those who have not answered.
func TestAutomaticReminders(t *testing.T) {
	ctx := context.Background()
	w := build(t)
	sys := access.System("test")
	in := toFamilies(w)
	in.AckBy = "2026-12-14" // d3: 11 Dec 08:00 Paris; eve: 13 Dec 08:00 Paris
	id, err := w.svc.Create(ctx, w.v(t, "t1"), in)
	if err != nil {
		t.Fatal(err)
	}
	late := toFamilies(w) // last day tomorrow: published after its eve's reminder time
	late.AckBy, late.Title = "2026-12-08", "Demain"
	lateID, err := w.svc.Create(ctx, w.v(t, "t1"), late)
	if err != nil {
		t.Fatal(err)
	}
	sid, err := w.svc.CreateSurvey(ctx, w.v(t, "t1"), surveyInput(w, true)) // closes 14 Dec: eve 13 Dec
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.RemindDue(ctx, w.v(t, "hA"), w.now); !errors.Is(err, access.ErrDenied) {
		t.Fatal("a person runs the automatic reminders")
	}
	if _, err := w.svc.Acknowledge(ctx, w.v(t, "p1"), id); err != nil {
		t.Fatal(err)
	}
	sv := w.survey(t, "p3", sid).Form.Survey
	if err := w.svc.Answer(ctx, w.v(t, "p3"), sid, answers(sv, "Oui", nil, "")); err != nil {
		t.Fatal(err)
	}
	at := func(day string, hour int) time.Time {
		d, _ := time.ParseInLocation(timetable.DateFormat, day, timetable.Paris)
		return d.Add(time.Duration(hour) * time.Hour)
	}
	reminders := func(key string) int {
		return w.count(t, `SELECT COUNT(*) FROM notifications WHERE dedupe_key = ?`, key)
	}
	for _, c := range []struct {
		when time.Time
		want int
	}{
		{at("2026-12-07", 11), 0}, // the late news's eve: published less than a day before
		{at("2026-12-10", 12), 0},
		{at("2026-12-11", 9), 2}, // d3: p2 and p3
		{at("2026-12-11", 10), 0},
		{at("2026-12-12", 9), 0},
		{at("2026-12-13", 7), 0},
		{at("2026-12-13", 8), 2 + 2}, // eve: p2 and p3; the survey's eve: p1 and p2
		{at("2026-12-13", 20), 0},
	} {
		if n, err := w.svc.RemindDue(ctx, sys, c.when); err != nil || n != c.want {
			t.Fatalf("at %s: %d reminders, want %d (%v)", c.when, n, c.want, err)
		}
	}
	if reminders("news-reminder/"+id+"/1/auto-d3-2026-12-11") != 2 || reminders("news-reminder/"+id+"/1/auto-eve-2026-12-13") != 2 || reminders("survey-reminder/"+sid+"/eve") != 2 {
		t.Fatal("reminder keys")
	}
	if n := w.count(t, `SELECT COUNT(*) FROM notifications WHERE kind = 'news-reminder' AND dedupe_key LIKE ?`, "news-reminder/"+lateID+"%"); n != 0 {
		t.Fatal("the late news was reminded")
	}
	if n := w.count(t, `SELECT COUNT(*) FROM notifications WHERE kind = 'survey-reminder' AND recipient_id = ?`, w.people["p3"]); n != 0 {
		t.Fatal("one who answered was reminded")
	}
	// A new deadline: its reminders follow.
	w.now = at("2026-12-13", 9)
	_, e, err := w.svc.EditOf(ctx, w.v(t, "t1"), id)
	if err != nil {
		t.Fatal(err)
	}
	e.AckBy = "2026-12-20"
	if err := w.svc.Change(ctx, w.v(t, "t1"), id, e); err != nil {
		t.Fatal(err)
	}
	if n, err := w.svc.RemindDue(ctx, sys, at("2026-12-17", 9)); err != nil || n != 2 {
		t.Fatalf("after a new deadline: %d %v", n, err)
	}
}

// A survey's one-click reminder: its author or the head, once a day, to
// those who have not answered (the "answered" flag, never the answers).
func TestRemindSurvey(t *testing.T) {
	ctx := context.Background()
	w := build(t)
	sid, err := w.svc.CreateSurvey(ctx, w.v(t, "t1"), surveyInput(w, true))
	if err != nil {
		t.Fatal(err)
	}
	sv := w.survey(t, "p1", sid).Form.Survey
	if err := w.svc.Answer(ctx, w.v(t, "p1"), sid, answers(sv, "Oui", nil, "")); err != nil {
		t.Fatal(err)
	}
	for _, login := range []string{"p2", "t9", "hB", "cA", "s1"} {
		_, err := w.svc.RemindSurvey(ctx, w.v(t, login), sid)
		denied(t, err, login+" reminds")
	}
	_, err = w.svc.RemindSurvey(ctx, w.v(t, "t1"), "forged")
	denied(t, err, "a forged survey")
	if k, err := w.svc.RemindSurvey(ctx, w.v(t, "t1"), sid); err != nil || k != 2 {
		t.Fatalf("remind: %d %v", k, err)
	}
	if _, err := w.svc.RemindSurvey(ctx, w.v(t, "hA"), sid); !errors.Is(err, news.ErrRemindedToday) {
		t.Fatalf("twice a day: %v", err)
	}
	if r := w.survey(t, "t1", sid).Results; !r.RemindedToday || !r.TakesAnswers {
		t.Fatalf("results: %+v", r)
	}
	w.now = w.now.Add(24 * time.Hour)
	if k, err := w.svc.RemindSurvey(ctx, w.v(t, "hA"), sid); err != nil || k != 2 {
		t.Fatalf("the next day, the head: %d %v", k, err)
	}
	w.now = time.Date(2026, 12, 15, 9, 0, 0, 0, time.UTC)
	_, err = w.svc.RemindSurvey(ctx, w.v(t, "t1"), sid)
	denied(t, err, "a closed survey")
	// A draft reminds nobody.
	in := surveyInput(w, false)
	in.Publish, in.ClosesOn = false, "2026-12-30"
	draft, err := w.svc.CreateSurvey(ctx, w.v(t, "t1"), in)
	if err != nil {
		t.Fatal(err)
	}
	_, err = w.svc.RemindSurvey(ctx, w.v(t, "t1"), draft)
	denied(t, err, "a draft")
}
