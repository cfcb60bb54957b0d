package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"cartable/internal/demo"
	"cartable/internal/timetable"
)

// gbCast is a teacher of a class in a subject, with the class's roster.
type gbCast struct {
	teacher, class, subject, est string
	other                        string // a teacher of another class, not its head teacher
	head                         string
	roster                       []string // student IDs by name
	names                        []string // "LAST First"
}

func (e *env) gbCast() gbCast {
	e.t.Helper()
	var c gbCast
	if err := e.db.QueryRow(e.t.Context(), `SELECT p.login, a.class_id, a.subject_id, a.establishment_id FROM teaching_assignments a
		JOIN people p ON p.id = a.teacher_id JOIN establishments es ON es.id = a.establishment_id
		WHERE es.uai = ? AND a.class_id IS NOT NULL ORDER BY a.id LIMIT 1`, demo.MainUAI).Scan(&c.teacher, &c.class, &c.subject, &c.est); err != nil {
		e.t.Fatal(err)
	}
	c.other = e.strs(`SELECT p.login FROM teaching_assignments a JOIN people p ON p.id = a.teacher_id WHERE a.establishment_id = ?
		AND a.teacher_id NOT IN (SELECT teacher_id FROM teaching_assignments WHERE class_id = ?)
		AND a.teacher_id NOT IN (SELECT teacher_id FROM head_teachers WHERE class_id = ?) ORDER BY a.id LIMIT 1`, c.est, c.class, c.class)[0]
	c.head = e.strs(`SELECT p.login FROM functions f JOIN people p ON p.id = f.person_id WHERE f.establishment_id = ? AND f.function = 'head'
		ORDER BY p.login LIMIT 1`, c.est)[0]
	c.roster = e.strs(`SELECT p.id FROM enrolments en JOIN people p ON p.id = en.student_id WHERE en.class_id = ? AND p.active
		ORDER BY p.last_name, p.first_name, p.id`, c.class)
	c.names = e.strs(`SELECT p.last_name || ' ' || p.first_name FROM enrolments en JOIN people p ON p.id = en.student_id
		WHERE en.class_id = ? AND p.active ORDER BY p.last_name, p.first_name, p.id`, c.class)
	return c
}

var evalLocation = regexp.MustCompile(`^/gradebook/evaluations/([A-Za-z0-9]+)$`)

// A teacher creates an evaluation and types a column from the keyboard:
// bad input is named by its row and field and keeps what was typed; a
// password-only session is sent to the second factor without losing
// anything; another teacher finds nothing.
func TestGradebookEntry(t *testing.T) {
	e := newEnv(t, 120)
	e.setClock(time.Date(2026, 11, 20, 10, 0, 0, 0, timetable.Paris))
	c := e.gbCast()
	teaching := "class:" + c.class + "/" + c.subject

	// Password only: the list opens, entering sends to the step-up.
	weak := e.signIn(c.teacher)
	if r := weak.get("/gradebook"); r.status != http.StatusOK || !strings.Contains(r.body, "/gradebook/class/"+c.class+"/"+c.subject) {
		t.Fatalf("gradebook of a password-only session: %d", r.status)
	}
	newPath := "/gradebook/new?teaching=" + teaching
	if r := weak.get(newPath); r.status != http.StatusSeeOther || r.header.Get("Location") != "/sign-in/second-factor?next="+url.QueryEscape(newPath) {
		t.Fatalf("password-only new evaluation: %d → %s", r.status, r.header.Get("Location"))
	}

	b := e.signInStrong(c.teacher)
	csrf := b.csrf()
	form := url.Values{"csrf": {csrf}, "teaching": {teaching}, "title": {"Contrôle de fractions"}, "held_on": {"2026-11-18"},
		"scale": {"20"}, "coefficient": {"0"}, "kind": {"summative"}, "to20": {"1"}}
	form.Set("period", e.strs(`SELECT p.id FROM periods p JOIN school_years y ON y.id = p.school_year_id WHERE y.establishment_id = ? AND p.number = 1`, c.est)[0])
	r := b.post("/gradebook/new", form)
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "Coefficient :") || !strings.Contains(r.body, `value="Contrôle de fractions"`) {
		t.Fatalf("coefficient 0: %d %.400s", r.status, r.body)
	}
	form.Set("coefficient", "1000")
	if r := b.post("/gradebook/new", form); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "« 1000 » n&#39;est pas un coefficient") {
		t.Fatalf("coefficient 1000: %d", r.status)
	}
	form.Set("coefficient", "2")
	r = b.post("/gradebook/new", form)
	m := evalLocation.FindStringSubmatch(r.header.Get("Location"))
	if r.status != http.StatusSeeOther || m == nil {
		t.Fatalf("create: %d → %s", r.status, r.header.Get("Location"))
	}
	id := m[1]
	grid := "/gradebook/evaluations/" + id
	r = b.get(grid)
	for _, want := range []string{`<label for="m-` + c.roster[0] + `">`, `inputmode="decimal"`, `/competences/evaluations/` + id,
		`/grades/teaching/class/` + c.class + `/` + c.subject, `src="/gradebook/grid.js`} {
		if !strings.Contains(r.body, want) {
			t.Errorf("grid lacks %s", want)
		}
	}

	// One bad cell: nothing saved, each bad row named, everything typed kept.
	cells := url.Values{"csrf": {csrf}, "m." + c.roster[0]: {"14,5"}, "m." + c.roster[1]: {"25"}, "m." + c.roster[2]: {"xyz"}, "m." + c.roster[3]: {"abs"}}
	r = b.post(grid+"/marks", cells)
	if r.status != http.StatusUnprocessableEntity {
		t.Fatalf("bad column: %d", r.status)
	}
	for _, want := range []string{c.names[1] + " : La note 25 dépasse le barème", c.names[2] + " : « xyz » n&#39;est pas un code", `value="14,5"`, `value="xyz"`} {
		if !strings.Contains(r.body, want) {
			t.Errorf("refused grid lacks %q", want)
		}
	}
	if n := e.count(`SELECT COUNT(*) FROM gr_marks WHERE evaluation_id = ?`, id); n != 0 {
		t.Errorf("%d marks saved from a bad column", n)
	}
	// A pasted column of the wrong length: both counts said, nothing lost.
	paste := "12\n13\n"
	r = b.post(grid+"/marks", url.Values{"csrf": {csrf}, "paste": {paste}, "m." + c.roster[0]: {"9"}})
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "compte 2 lignes mais la liste compte "+itoa(len(c.roster))+" élèves") ||
		!strings.Contains(r.body, ">"+paste+"</textarea>") || !strings.Contains(r.body, `value="9"`) {
		t.Fatalf("short paste: %d %.300s", r.status, r.body)
	}
	// The right column pasted saves at once.
	lines := make([]string, len(c.roster))
	for i := range lines {
		lines[i] = itoa(10 + i%10)
	}
	lines[1] = "abs"
	r = b.post(grid+"/marks", url.Values{"csrf": {csrf}, "paste": {strings.Join(lines, "\r\n") + "\r\n"}})
	if r.status != http.StatusSeeOther || r.header.Get("Location") != grid+"?saved="+itoa(len(c.roster)) {
		t.Fatalf("paste: %d → %s %.300s", r.status, r.header.Get("Location"), r.body)
	}
	if n := e.count(`SELECT COUNT(*) FROM gr_marks WHERE evaluation_id = ?`, id); n != len(c.roster) {
		t.Errorf("%d marks saved", n)
	}
	// A change is recorded, before → after.
	if r := b.post(grid+"/marks", url.Values{"csrf": {csrf}, "m." + c.roster[0]: {"18"}, "m." + c.roster[1]: {"abs"}}); r.status != http.StatusSeeOther {
		t.Fatalf("change: %d", r.status)
	}
	if got := e.strs(`SELECT before_state || '→' || after_state FROM gr_history WHERE subject = ? AND student_id = ? ORDER BY id DESC LIMIT 1`,
		"mark:"+id, c.roster[0])[0]; got != "10→18" {
		t.Errorf("history %q", got)
	}

	// The draft: posted as one types, shown over the stored marks.
	if r := b.post(grid+"/draft", url.Values{"csrf": {csrf}, "m." + c.roster[0]: {"17"}}); r.status != http.StatusNoContent {
		t.Fatalf("draft: %d", r.status)
	}
	if r := b.get(grid); !strings.Contains(r.body, "Brouillon non enregistré du") || !strings.Contains(r.body, `value="17"`) {
		t.Errorf("draft not shown")
	}

	// A password-only session posting marks: refused, the step-up offered,
	// the typed marks kept as a draft and shown back.
	r = weak.post(grid+"/marks", url.Values{"csrf": {weak.csrf()}, "m." + c.roster[0]: {"11,5"}})
	if r.status != http.StatusForbidden || !strings.Contains(r.body, "/sign-in/second-factor?next="+url.QueryEscape(grid)) ||
		!strings.Contains(r.body, "11,5") || !strings.Contains(r.body, c.names[0]) {
		t.Fatalf("password-only save: %d %.500s", r.status, r.body)
	}
	if r := weak.get(grid); r.status != http.StatusSeeOther || !strings.HasPrefix(r.header.Get("Location"), "/sign-in/second-factor?next=") {
		t.Errorf("password-only grid: %d", r.status)
	}

	// Another teacher finds nothing, even strongly signed in.
	o := e.signInStrong(c.other)
	if r := o.get(grid); r.status != http.StatusNotFound {
		t.Errorf("another teacher's grid: %d", r.status)
	}
	if r := o.post(grid+"/marks", url.Values{"csrf": {o.csrf()}, "m." + c.roster[0]: {"0"}}); r.status != http.StatusNotFound {
		t.Errorf("another teacher's save: %d", r.status)
	}
	if r := o.get("/gradebook/settings"); r.status != http.StatusNotFound {
		t.Errorf("a teacher's settings: %d", r.status)
	}

	// Appraisals: one too long is refused naming its student, the others kept.
	ap := "/gradebook/class/" + c.class + "/" + c.subject + "/appraisals"
	if r := b.get(ap + "?period=" + form.Get("period")); r.status != http.StatusOK || !strings.Contains(r.body, `<label for="a-`+c.roster[0]+`">`) {
		t.Fatalf("appraisals page: %d", r.status)
	}
	r = b.post(ap, url.Values{"csrf": {csrf}, "period": {form.Get("period")}, "a." + c.roster[0]: {"Bon travail."},
		"a." + c.roster[1]: {strings.Repeat("a", 301)}})
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, c.names[1]+" : l&#39;appréciation fait 301 caractères") ||
		!strings.Contains(r.body, ">Bon travail.</textarea>") {
		t.Errorf("long appraisal: %d %.300s", r.status, r.body)
	}
	if r := b.post(ap, url.Values{"csrf": {csrf}, "period": {form.Get("period")}, "a." + c.roster[0]: {"Bon travail."}}); r.status != http.StatusSeeOther {
		t.Errorf("appraisal: %d", r.status)
	}
	if r := b.get(grid + "/edit"); r.status != http.StatusOK || !strings.Contains(r.body, `value="Contrôle de fractions"`) {
		t.Errorf("edit page: %d", r.status)
	}

	// The head closes trimester 1: entry is refused with a clear message.
	h := e.signIn(c.head)
	period := form.Get("period")
	if r := h.post("/gradebook/periods/"+period, url.Values{"csrf": {h.csrf()}, "est": {c.est}, "entry_deadline": {"2026-11-19"}}); r.status != http.StatusSeeOther {
		t.Fatalf("deadline: %d %.300s", r.status, r.body)
	}
	r = b.post(grid+"/marks", url.Values{"csrf": {csrf}, "m." + c.roster[0]: {"5"}})
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "la saisie de cette période s&#39;est terminée le 19 novembre 2026") {
		t.Errorf("locked period: %d", r.status)
	}
	if r := h.get("/gradebook/history?est=" + c.est + "&evaluation=" + id); r.status != http.StatusOK || !strings.Contains(r.body, "Contrôle de fractions") || !strings.Contains(r.body, "<ins>18</ins>") {
		t.Errorf("history page: %d", r.status)
	}
	r = h.post("/gradebook/periods/"+period, url.Values{"csrf": {h.csrf()}, "est": {c.est}, "entry_deadline": {"2026-11-19"}, "reopened_until": {"2026-11-10"}})
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "Saisie rouverte jusqu&#39;au : le 10 novembre 2026 n&#39;est pas après") {
		t.Errorf("reopening before the deadline: %d %.300s", r.status, r.body)
	}
	r = h.post("/gradebook/coefficients", url.Values{"csrf": {h.csrf()}, "est": {c.est}, "subject": {c.subject}, "target": {"class:" + c.class}, "coefficient": {"0"}})
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "« 0 » n&#39;est pas un coefficient") {
		t.Errorf("coefficient 0: %d", r.status)
	}
	for _, p := range []string{"/gradebook/settings", "/gradebook/periods", "/gradebook/coefficients", "/gradebook"} {
		if r := h.get(p); r.status != http.StatusOK {
			t.Errorf("%s: %d", p, r.status)
		}
	}
	r = h.post("/gradebook/settings", url.Values{"csrf": {h.csrf()}, "est": {c.est}, "rounding": {"0,3"}, "rounding_mode": {"nearest"},
		"year_mode": {"periods"}, "level_mode": {"mean"}, "level1": {"5"}, "level2": {"10"}, "level3": {"15"}, "level4": {"20"}})
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "Arrondi des moyennes (pas) : « 0,3 »") {
		t.Errorf("bad rounding: %d", r.status)
	}
}

// The grid's script is served from the application itself.
func TestGradebookScript(t *testing.T) {
	e := newEnv(t, 30)
	r := e.browser().get("/gradebook/grid.js")
	if r.status != http.StatusOK || !strings.Contains(r.body, "localStorage") {
		t.Fatalf("grid.js: %d", r.status)
	}
}
