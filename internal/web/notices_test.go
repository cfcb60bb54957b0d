package web_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"cartable/internal/access"
	"cartable/internal/notify"
	"cartable/internal/web/page"
)

// A notice queued for a parent shows first on their home page and on
// their notifications page, written from its kind and arguments, with a
// link that stays on the site; "mark all read" empties the home block.
// Another family sees none of it.
func TestNoticesOfTheirRecipientOnly(t *testing.T) {
	e := newEnv(t, 40)
	rows := e.query(`SELECT f.relative_id || '|' || m.establishment_id FROM family_links f JOIN memberships m ON m.person_id = f.relative_id
		WHERE f.legal_guardian GROUP BY f.relative_id, m.establishment_id ORDER BY 1 LIMIT 2`)
	if len(rows) < 2 {
		t.Fatal("the demo has fewer than two guardians")
	}
	parent, est, _ := strings.Cut(rows[0], "|")
	other, _, _ := strings.Cut(rows[1], "|")
	ctx := context.Background()
	for i, link := range []string{"/homework", "https://evil.example/x"} {
		if _, err := notify.Queue(ctx, access.System("test"), e.db, notify.Notice{Establishment: est, Recipient: parent,
			Kind: "unknown-kind", Key: "k" + string(rune('0'+i)), Link: link}); err != nil {
			t.Fatal(err)
		}
	}
	b := e.signIn(e.login(parent))
	r := b.get("/")
	blk := block(r.body, "b-notices")
	if r.status != 200 || !strings.Contains(blk, "2 non lues") || strings.Count(blk, "Vous avez une nouvelle notification.") != 2 {
		t.Fatalf("home block: %d %.600s", r.status, blk)
	}
	if strings.Contains(blk, "evil.example") || !strings.Contains(blk, `href="/homework"`) {
		t.Errorf("links of the home block: %.600s", blk)
	}
	r = b.get("/notifications")
	if r.status != 200 || strings.Count(r.body, `class="unread"`) != 2 || strings.Contains(r.body, "evil.example") {
		t.Fatalf("notifications page: %d %.800s", r.status, r.body)
	}
	if r := b.post("/notifications/read", url.Values{"csrf": {b.csrf()}}); r.status != 303 {
		t.Fatalf("mark read: %d", r.status)
	}
	if blk := block(b.get("/").body, "b-notices"); blk != "" {
		t.Errorf("the block stays once all is read: %.300s", blk)
	}
	if r := b.get("/notifications"); strings.Contains(r.body, `class="unread"`) || !strings.Contains(r.body, "Vous avez une nouvelle notification.") {
		t.Errorf("read notices: %.600s", r.body)
	}
	o := e.signIn(e.login(other))
	if r := o.get("/notifications"); !strings.Contains(r.body, "Aucune notification.") {
		t.Errorf("another family sees the notices: %.600s", r.body)
	}
	if blk := block(o.get("/").body, "b-notices"); blk != "" {
		t.Errorf("another family's home has the block: %.300s", blk)
	}
}

// Every kind of notice the domains queue is written in words in both
// languages, dates as the language writes them, a review by its outcome.
func TestNoticeTexts(t *testing.T) {
	args := map[string]string{"child": "Léa", "student": "Léa", "date": "2026-12-07", "time": "08:00–08:55", "subject": "Mathématiques",
		"audience": "6A", "class": "6A"}
	for _, kind := range []string{"absence", "lateness", "register-late", "justification-reviewed", "punishment", "sanction",
		"exclusion-report", "note-to-sign", "note-reminder", "note-reply", "lesson-cancelled", "lesson-changed", "lesson-restored",
		"homework", "homework-changed"} {
		for _, lang := range []string{"fr", "en"} {
			got := page.NoticeText(lang, kind, args)
			if got == page.NoticeText(lang, "no-such-kind", args) || strings.Contains(got, "{") {
				t.Errorf("%s in %s: %q", kind, lang, got)
			}
		}
	}
	if got := page.NoticeText("fr", "absence", args); !strings.Contains(got, "7 décembre 2026") || !strings.Contains(got, "Léa") {
		t.Errorf("absence: %q", got)
	}
	// A lesson changed in several ways: each part in the reader's words,
	// every date as the language writes it.
	lesson := map[string]string{"subject": "Mathématiques", "audience": "4B", "date": "2026-12-07", "time": "08:00",
		"parts": "moved,room,replacement,test", "new_date": "2026-12-08", "new_time": "10:05–11:00", "room": "Salle 102", "teacher": "Mme DURAND"}
	for lang, want := range map[string][]string{
		"fr": {"Cours modifié : Mathématiques (4B), le 7 décembre 2026 à 08:00.", "déplacé au 8 décembre 2026, 10:05–11:00",
			"Changement de salle : Salle 102.", "Remplacement assuré par Mme DURAND.", "Un contrôle est prévu."},
		"en": {"Lesson changed: Mathématiques (4B), 7 December 2026 at 08:00.", "moved to 8 December 2026", "Room change: Salle 102.",
			"Replacement teacher: Mme DURAND.", "A test is planned."},
	} {
		got := page.NoticeText(lang, "lesson-changed", lesson)
		for _, w := range want {
			if !strings.Contains(got, w) {
				t.Errorf("lesson-changed in %s lacks %q: %q", lang, w, got)
			}
		}
	}
	if got := page.NoticeText("fr", "lesson-changed", map[string]string{"subject": "Anglais", "parts": "room", "room": "B12"}); strings.Contains(got, "contrôle") || strings.Contains(got, "{") {
		t.Errorf("one part only: %q", got)
	}
	accepted := map[string]string{"child": "Léa", "state": "accepted"}
	if got := page.NoticeText("fr", "justification-reviewed", accepted); !strings.Contains(got, "accepté") {
		t.Errorf("accepted: %q", got)
	}
	accepted["state"] = "refused"
	if got := page.NoticeText("en", "justification-reviewed", accepted); !strings.Contains(got, "not accepted") {
		t.Errorf("refused: %q", got)
	}
}
