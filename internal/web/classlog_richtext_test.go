package web_test

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// Rich text is escaped exactly once: in the pages that show it (stored
// sanitised HTML, never read again as plain text), in the text boxes that
// edit it (the text as typed, not the stored entities), in plain-text
// places (titles, homework lists, the calendar feed); a script is refused
// with what was typed kept, and one written around the application never
// reaches a page.
func TestClassLogRichTextIsEscapedOnce(t *testing.T) {
	e := newTTEnv(t, 120)
	ctx := context.Background()
	slot, teacher, class, _, _ := tuesdayLesson(e)
	lesson := "/lessons/" + slot + "/2026-12-01"
	tb := e.signIn(e.login(teacher))
	noDouble := func(where, body string) {
		t.Helper()
		for _, bad := range []string{"&amp;amp;", "&amp;lt;", "&amp;gt;", "&amp;#", "<script", "onerror"} {
			if strings.Contains(body, bad) {
				t.Errorf("%s holds %q: %s", where, bad, regexp.MustCompile(`.{0,80}`+regexp.QuoteMeta(bad)+`.{0,40}`).FindString(body))
			}
		}
	}

	// A script: refused, what was typed kept, escaped once.
	before := e.classlogState()
	r := tb.upload(lesson+"/log", entryFields(tb, "Tom & Jerry", "body", "Tom & Jerry <script>alert(1)</script>"), "", "", nil)
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "contient un script") ||
		!strings.Contains(r.body, ">Tom &amp; Jerry &lt;script&gt;alert(1)&lt;/script&gt;</textarea>") || !strings.Contains(r.body, `value="Tom &amp; Jerry"`) {
		t.Fatalf("a script: %d %s", r.status, alertRe.FindString(r.body))
	}
	noDouble("the refused form", strings.ReplaceAll(r.body, "&lt;script", ""))
	if e.classlogState() != before {
		t.Fatal("an entry with a script was saved")
	}

	// Plain text with "&" and "<", and formatting.
	r = tb.upload(lesson+"/log", entryFields(tb, "Tom & Jerry <b>x</b>", "body", "Tom & Jerry, 1 < 2",
		"hw0_description", "Tom & Jerry <b>x</b>", "hw0_due", "2026-12-03", "hw0_handin", "upload"), "", "", nil)
	if r.status != http.StatusSeeOther {
		t.Fatalf("save: %d %s", r.status, alertRe.FindString(r.body))
	}
	entry := e.query(`SELECT id FROM classlog_entries WHERE slot_id = ? AND lesson_date = '2026-12-01'`, slot)[0]
	stored := e.query(`SELECT body FROM classlog_entries WHERE id = ?`, entry)[0]
	if stored != "Tom &amp; Jerry, 1 &lt; 2" {
		t.Fatalf("stored body: %q", stored)
	}
	page := tb.get(lesson)
	for _, want := range []string{
		`<div class="prose">Tom &amp; Jerry, 1 &lt; 2</div>`,                              // the body, shown as stored
		`>Tom &amp; Jerry &lt;b&gt;x&lt;/b&gt; <small>`,                                   // the title, plain text
		`: Tom &amp; Jerry x — `,                                                          // the homework, plain text
		`>Tom &amp; Jerry, 1 &lt; 2</textarea>`,                                           // the body's text box
		`name="hw0_description" rows="2">Tom &amp; Jerry &lt;b&gt;x&lt;/b&gt;</textarea>`, // the homework's
	} {
		if !strings.Contains(page.body, want) {
			t.Errorf("the lesson page lacks %s", want)
		}
	}
	noDouble("the lesson page", page.body)

	// The form saved again as the browser shows it changes nothing.
	text := func(name string) string {
		m := regexp.MustCompile(`name="` + name + `"[^>]*>([^<]*)</textarea>`).FindStringSubmatch(page.body)
		if m == nil {
			t.Fatalf("no text box %s", name)
		}
		return htmlUnescape(m[1])
	}
	hw := e.query(`SELECT id FROM homework WHERE entry_id = ?`, entry)[0]
	r = tb.upload(lesson+"/log", entryFields(tb, "Tom & Jerry <b>x</b>", "id", entry, "body", text("body"), "hw0_id", hw,
		"hw0_description", text("hw0_description"), "hw0_due", "2026-12-03", "hw0_handin", "upload"), "", "", nil)
	if r.status != http.StatusSeeOther {
		t.Fatalf("save again: %d %s", r.status, alertRe.FindString(r.body))
	}
	if got := e.query(`SELECT body FROM classlog_entries WHERE id = ?`, entry)[0]; got != stored {
		t.Errorf("the body saved again: %q", got)
	}
	if got := e.query(`SELECT description FROM homework WHERE id = ?`, hw)[0]; got != "Tom &amp; Jerry <b>x</b>" {
		t.Errorf("the homework saved again: %q", got)
	}

	// The class sees it escaped once, with its formatting.
	student := e.signIn(e.login(e.query(`SELECT student_id FROM enrolments WHERE class_id = ? ORDER BY 1 LIMIT 1`, class)[0]))
	log := student.get("/classlog/classes/" + class + "?to=2026-12-05")
	if !strings.Contains(log.body, `<div class="prose">Tom &amp; Jerry, 1 &lt; 2</div>`) || !strings.Contains(log.body, ": Tom &amp; Jerry x — ") {
		t.Errorf("the class log page: %s", regexp.MustCompile(`(?s)<article.*?</article>`).FindString(log.body))
	}
	noDouble("the class log page", log.body)
	list := student.get("/homework?from=2026-11-30")
	if !strings.Contains(list.body, `<div class="prose">Tom &amp; Jerry <b>x</b></div>`) {
		t.Errorf("the homework list: %s", regexp.MustCompile(`(?s)<div class="prose">.*?</div>`).FindString(list.body))
	}
	noDouble("the homework list", list.body)

	// The teacher's calendar feed: plain text, no entity at all.
	r = tb.createFeed("Téléphone")
	m := regexp.MustCompile(`value="http://[^"]+(/feeds/[A-Za-z0-9_-]+\.ics)"`).FindStringSubmatch(r.body)
	if m == nil {
		t.Fatalf("create feed: %d", r.status)
	}
	feed := e.browser().get(m[1])
	unfolded := strings.ReplaceAll(feed.body, "\r\n ", "")
	if !strings.Contains(unfolded, "DESCRIPTION:Tom & Jerry x\r\n") || strings.Contains(unfolded, "&amp;") || strings.Contains(unfolded, "&lt;") {
		t.Errorf("the feed's homework: %s", regexp.MustCompile(`DESCRIPTION:Tom.*`).FindString(unfolded))
	}

	// Written around the application: shown without its script, and the
	// text box does not hand it back either.
	if _, err := e.db.Exec(ctx, `UPDATE classlog_entries SET body = ? WHERE id = ?`,
		`<p>Tom &amp; Jerry</p><script>alert(1)</script><img src=x onerror=alert(2)><p onclick="x()">clic</p>`, entry); err != nil {
		t.Fatal(err)
	}
	page = tb.get(lesson)
	if !strings.Contains(page.body, `<div class="prose"><p>Tom &amp; Jerry</p><p>clic</p></div>`) {
		t.Errorf("a row written around the application: %s", regexp.MustCompile(`(?s)<div class="prose">.*?</div>`).FindString(page.body))
	}
	noDouble("the lesson page of a row written around the application", page.body)
	noDouble("the class log page of a row written around the application", student.get("/classlog/classes/"+class+"?to=2026-12-05").body)
}

// htmlUnescape reads back a text box's content as the browser does.
func htmlUnescape(s string) string {
	return strings.NewReplacer("&lt;", "<", "&gt;", ">", "&#34;", `"`, "&#39;", "'", "&quot;", `"`, "&amp;", "&").Replace(s)
}

// The teacher's edit form gives back each homework instruction and the
// body as typed (what the new-entry form takes), never the stored markup;
// saved again unchanged, nothing stored changes. The demo's entries open
// the same way.
func TestEditFormGivesBackWhatWasTyped(t *testing.T) {
	e := newTTEnv(t, 120)
	slot, teacher, _, _, _ := tuesdayLesson(e)
	lesson := "/lessons/" + slot + "/2026-12-01"
	tb := e.signIn(e.login(teacher))
	body := "Correction des exercices.\r\n\r\nÀ retenir : la définition\r\net les deux exemples."
	// Lines due on different days: the form lists them by due date.
	typed := []string{"Exercices 1 à 3", "Lire le chapitre 4.\r\n\r\nFaire l'exercice 2\r\npage 40", `Tom & Jerry's "quote" <b>gras</b>`, "a < b, c > d"}
	fields := entryFields(tb, "Séance du jour", "body", body)
	for i, d := range typed {
		p := fmt.Sprintf("hw%d_", i)
		fields[p+"description"], fields[p+"due"], fields[p+"lesson"], fields[p+"handin"] = d, fmt.Sprintf("2026-12-%02d", 3+i), "", "none"
	}
	if r := tb.upload(lesson+"/log", fields, "", "", nil); r.status != http.StatusSeeOther {
		t.Fatalf("save: %d %s", r.status, alertRe.FindString(r.body))
	}
	entry := e.query(`SELECT id FROM classlog_entries WHERE slot_id = ? AND lesson_date = '2026-12-01'`, slot)[0]
	stored := func() []string {
		return append(e.query(`SELECT body FROM classlog_entries WHERE id = ?`, entry),
			e.query(`SELECT id || '|' || description FROM homework WHERE entry_id = ? ORDER BY created_at, id`, entry)...)
	}
	before := stored()
	page := tb.get(lesson)
	box := func(name string) string {
		t.Helper()
		m := regexp.MustCompile(`name="` + name + `"[^>]*>([^<]*)</textarea>`).FindStringSubmatch(page.body)
		if m == nil {
			t.Fatalf("no text box %s", name)
		}
		return htmlUnescape(m[1])
	}
	lf := func(s string) string { return strings.ReplaceAll(s, "\r\n", "\n") }
	if got := box("body"); got != lf(body) {
		t.Errorf("the body's box holds %q, typed %q", got, body)
	}
	again := entryFields(tb, "Séance du jour", "id", entry, "body", box("body"))
	for i, d := range typed {
		p := fmt.Sprintf("hw%d_", i)
		got := box(p + "description")
		if got != lf(d) {
			t.Errorf("homework %d's box holds %q, typed %q", i+1, got, d)
		}
		id := regexp.MustCompile(`name="` + p + `id" value="([^"]*)"`).FindStringSubmatch(page.body)[1]
		// As a browser sends a text box: CRLF line ends.
		again[p+"id"], again[p+"description"], again[p+"due"], again[p+"lesson"], again[p+"handin"] = id, strings.ReplaceAll(got, "\n", "\r\n"), fmt.Sprintf("2026-12-%02d", 3+i), "", "none"
	}
	if strings.Contains(page.body, "&lt;p&gt;") {
		t.Error("the edit form shows stored paragraphs")
	}
	if r := tb.upload(lesson+"/log", again, "", "", nil); r.status != http.StatusSeeOther {
		t.Fatalf("save again: %d %s", r.status, alertRe.FindString(r.body))
	}
	if after := stored(); !slices.Equal(after, before) {
		t.Errorf("saved unchanged, the stored text changed:\n got %q\nwant %q", after, before)
	}

	// A demo entry with homework, opened by its author.
	row := strings.Split(e.query(`SELECT c.author_id || '|' || c.slot_id || '|' || c.lesson_date FROM classlog_entries c
		WHERE EXISTS (SELECT 1 FROM homework h WHERE h.entry_id = c.id) AND c.slot_id IS NOT NULL ORDER BY c.id LIMIT 1`)[0], "|")
	r := e.signIn(e.login(row[0])).get("/lessons/" + row[1] + "/" + row[2])
	if r.status != 200 || !strings.Contains(r.body, `name="hw0_description"`) || strings.Contains(r.body, "&lt;p&gt;") || strings.Contains(r.body, "&lt;ul&gt;") {
		t.Errorf("a demo entry's edit form: %d, shows markup: %v", r.status, strings.Contains(r.body, "&lt;"))
	}
}
