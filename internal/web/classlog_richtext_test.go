package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
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
	if !strings.Contains(log.body, `<div class="prose">Tom &amp; Jerry, 1 &lt; 2</div>`) || !strings.Contains(log.body, ": Tom &amp; Jerry x</li>") {
		t.Errorf("the class log page: %s", regexp.MustCompile(`(?s)<article.*?</article>`).FindString(log.body))
	}
	noDouble("the class log page", log.body)
	list := student.get("/homework?from=2026-11-30")
	if !strings.Contains(list.body, `<div class="prose">Tom &amp; Jerry <b>x</b></div>`) {
		t.Errorf("the homework list: %s", regexp.MustCompile(`(?s)<div class="prose">.*?</div>`).FindString(list.body))
	}
	noDouble("the homework list", list.body)

	// The teacher's calendar feed: plain text, no entity at all.
	r = tb.post("/calendar/feeds", url.Values{"csrf": {tb.csrf()}, "label": {"Téléphone"}})
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
