package web_test

import (
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"cartable/internal/demo"
)

// justifyEnv is the demo collège on Monday 2026-11-30 with the demo's
// absences and justifications (internal/demo/justifications.go).
type justifyEnv struct {
	*env
	student, guardian, other string // a student with an absence to justify, their legal guardian, another family's guardian
	absence                  string // that absence
	cpe, teacher, head2      string // logins
}

func newJustifyEnv(t *testing.T) *justifyEnv {
	e := newTTEnv(t, 60)
	j := &justifyEnv{env: e}
	// The demo's absence still to justify, in November (the one of the
	// student over the counter is in October).
	row := e.query(`SELECT a.id || ' ' || a.student_id FROM att_absences a WHERE a.state = 'no-reason' AND a.start_date <= '2026-11-28' AND a.end_date >= '2026-11-20'
		AND NOT EXISTS (SELECT 1 FROM att_justification_covers c WHERE c.absence_id = a.id) ORDER BY a.start_date LIMIT 1`)
	if len(row) != 1 {
		t.Fatal("the demo has no absence to justify")
	}
	j.absence, j.student, _ = strings.Cut(row[0], " ")
	j.guardian = e.login(e.query(`SELECT MIN(relative_id) FROM family_links WHERE student_id = ? AND legal_guardian`, j.student)[0])
	j.other = e.login(e.query(`SELECT MIN(f.relative_id) FROM family_links f WHERE f.legal_guardian AND f.relative_id NOT IN
		(SELECT relative_id FROM family_links WHERE student_id = ?)`, j.student)[0])
	j.cpe = e.account(func(a demo.Account) bool { return has("cpe")(a) && a.Establishment == demo.MainUAI }).Login
	j.head2 = e.account(func(a demo.Account) bool { return has("head")(a) && a.Establishment == demo.SecondUAI }).Login
	j.teacher = e.account(func(a demo.Account) bool { return a.Profile == "teacher" && len(a.Functions) == 0 }).Login
	return j
}

func (j *justifyEnv) count(q string, args ...any) string {
	j.t.Helper()
	return j.query(q, args...)[0]
}

// form is a justification's fields.
func (j *justifyEnv) form(b *browser, child string, extra url.Values) url.Values {
	f := url.Values{"csrf": {b.csrf()}, "child": {child}, "from": {"2026-11-20"}, "to": {"2026-11-28"},
		"reason": {j.count(`SELECT r.id FROM att_reasons r JOIN att_absences a ON a.establishment_id = r.establishment_id
			WHERE a.id = ? AND r.label = 'Maladie'`, j.absence)}, "body": {"Grippe, certificat joint."}}
	for k, v := range extra {
		f[k] = v
	}
	return f
}

var pdfDoc = []byte("%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n")

func TestJustificationSentReviewedAndCounted(t *testing.T) {
	j := newJustifyEnv(t)
	g := j.signIn(j.guardian)
	before := j.count(`SELECT COUNT(*) FROM att_justifications`)

	// The family sees the absence to justify, on its page and at home.
	r := g.get("/justifications?child=" + j.student)
	if r.status != 200 || !strings.Contains(r.body, `id="item-`+j.absence+`"`) || !strings.Contains(r.body, "À justifier") {
		t.Fatalf("the family's page: %d %.300s", r.status, r.body)
	}
	if r := g.get("/?child=" + j.student); !strings.Contains(r.body, `id="b-tojustify"`) || !strings.Contains(r.body, "#item-"+j.absence) {
		t.Fatalf("the home block of absences to justify is missing")
	}

	// Bad input: dates outside the school year, a document of a refused
	// type; nothing saved, what was typed kept.
	f := j.form(g, j.student, url.Values{"from": {"2026-08-20"}, "body": {"Texte tapé"}})
	r = g.uploadFiles("/justifications", f, []upFile{{"document", "scan.exe", []byte("MZ....")}}, false)
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "en dehors de l&#39;année scolaire") ||
		!strings.Contains(r.body, "n&#39;est pas un PDF") || !strings.Contains(r.body, "Texte tapé") || !strings.Contains(r.body, `value="2026-08-20"`) {
		t.Fatalf("bad input: %d %s", r.status, r.body)
	}
	// A document whose content is not what its name says.
	r = g.uploadFiles("/justifications", j.form(g, j.student, nil), []upFile{{"document", "certificat.pdf", []byte("just some text, not a PDF")}}, false)
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "certificat.pdf") {
		t.Fatalf("a fake PDF: %d %s", r.status, r.body)
	}
	// A document too large (the tests' store takes 64 KB).
	big := append(append([]byte{}, pdfDoc...), make([]byte, 100<<10)...)
	r = g.uploadFiles("/justifications", j.form(g, j.student, url.Values{"body": {"Encore tapé"}}), []upFile{{"document", "gros.pdf", big}}, false)
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "le document dépasse") || !strings.Contains(r.body, "Encore tapé") {
		t.Fatalf("a document too large: %d %s", r.status, r.body)
	}
	// A period with nothing to justify.
	r = g.uploadFiles("/justifications", j.form(g, j.student, url.Values{"from": {"2026-09-07"}, "to": {"2026-09-07"}}), nil, false)
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "rien à justifier") {
		t.Fatalf("nothing to justify: %d", r.status)
	}
	if n := j.count(`SELECT COUNT(*) FROM att_justifications`); n != before {
		t.Fatalf("a refused form saved a justification (%s → %s)", before, n)
	}
	if n := j.count(`SELECT state FROM att_absences WHERE id = ?`, j.absence); n != "no-reason" {
		t.Fatalf("a refused form changed the absence: %s", n)
	}

	// Refusals: another family, a relative who is not a legal guardian, the
	// student, a forged absence id.
	o := j.signIn(j.other)
	if r := o.uploadFiles("/justifications", j.form(o, j.student, nil), nil, false); r.status != 404 {
		t.Errorf("another family's justification: %d", r.status)
	}
	if r := o.get("/justifications?child=" + j.student); r.status != 404 {
		t.Errorf("another family reads the child's absences: %d", r.status)
	}
	if nl := j.query(`SELECT f.relative_id FROM family_links f JOIN people p ON p.id = f.student_id WHERE NOT f.legal_guardian AND p.active
		AND f.student_id IN (SELECT e.student_id FROM enrolments e) ORDER BY f.relative_id LIMIT 1`); len(nl) == 1 {
		child := j.count(`SELECT MIN(student_id) FROM family_links WHERE relative_id = ? AND NOT legal_guardian`, nl[0])
		nb := j.signIn(j.login(nl[0]))
		if r := nb.uploadFiles("/justifications", j.form(nb, child, nil), nil, false); r.status != 404 {
			t.Errorf("a relative who is not a legal guardian justifies: %d", r.status)
		}
		if r := nb.get("/justifications?child=" + child); r.status == 200 && strings.Contains(r.body, `action="/justifications"`) {
			t.Error("a relative who is not a legal guardian is offered the form")
		}
	} else {
		t.Error("the demo has no relative who is not a legal guardian")
	}
	s := j.signIn(j.login(j.student))
	if r := s.uploadFiles("/justifications", j.form(s, j.student, nil), nil, false); r.status != 404 {
		t.Errorf("the student justifies: %d", r.status)
	}
	if r := s.get("/justifications"); r.status != 200 || strings.Contains(r.body, `action="/justifications"`) || !strings.Contains(r.body, `id="item-`+j.absence+`"`) {
		t.Errorf("the student's own page: %d", r.status)
	}
	if r := s.get("/"); !strings.Contains(r.body, `id="b-tojustify"`) || !strings.Contains(r.body, `href="/justifications#item-`+j.absence+`"`) {
		t.Error("the student's home does not lead to their absences")
	}
	foreign := j.count(`SELECT MIN(id) FROM att_absences WHERE student_id <> ?`, j.student)
	if r := g.uploadFiles("/justifications", j.form(g, j.student, url.Values{"absence": {foreign}}), nil, false); r.status != 404 {
		t.Errorf("a forged absence id: %d", r.status)
	}
	if r := g.uploadFiles("/justifications", j.form(g, j.student, url.Values{"absence": {"nope"}, "from": {"bad"}}), nil, false); r.status != 404 {
		t.Errorf("a forged absence id in a form with problems: %d", r.status)
	}
	if n := j.count(`SELECT COUNT(*) FROM att_justifications`); n != before {
		t.Fatalf("a refusal saved a justification")
	}

	// The guardian justifies with a certificate: the absence is covered
	// and moves to "reason given", in its history.
	r = g.uploadFiles("/justifications", j.form(g, j.student, url.Values{"absence": {j.absence}}), []upFile{{"document", "certificat.pdf", pdfDoc}}, false)
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/justifications?child="+j.student+"&saved=1" {
		t.Fatalf("justify: %d %s", r.status, r.body)
	}
	jid := j.count(`SELECT id FROM att_justifications WHERE student_id = ? AND state = 'pending' ORDER BY created_at DESC LIMIT 1`, j.student)
	fileID := j.count(`SELECT file_id FROM att_justifications WHERE id = ?`, jid)
	if n := j.count(`SELECT COUNT(*) FROM att_justification_covers WHERE justification_id = ? AND absence_id = ?`, jid, j.absence); n != "1" {
		t.Fatal("the justification does not cover the absence")
	}
	if st := j.count(`SELECT state FROM att_absences WHERE id = ?`, j.absence); st != "reason-given" {
		t.Fatalf("absence %s", st)
	}
	// Justified, it leaves the home's block (which reads only what is
	// still to justify), and stays on the family's page.
	if r := g.get("/?child=" + j.student); strings.Contains(r.body, "#item-"+j.absence) {
		t.Error("the home still asks to justify an absence whose reason was given")
	}
	if r := g.get("/justifications?child=" + j.student); !strings.Contains(r.body, `id="item-`+j.absence+`"`) {
		t.Error("the justified absence left the family's page")
	}
	if n := j.count(`SELECT COUNT(*) FROM att_history WHERE subject = ?`, "absence:"+j.absence); n < "2" {
		t.Fatalf("the absence's history holds %s changes", n)
	}

	// An absence declared ahead: recorded (source "family") and covered.
	r = g.uploadFiles("/justifications", j.form(g, j.student, url.Values{"from": {"2026-12-03"}, "fromtime": {"08:00"}, "to": {"2026-12-03"},
		"totime": {"12:00"}, "ahead": {"1"}}), nil, false)
	if r.status != http.StatusSeeOther {
		t.Fatalf("an absence declared ahead: %d %s", r.status, r.body)
	}
	if n := j.count(`SELECT COUNT(*) FROM att_absences a JOIN att_justification_covers c ON c.absence_id = a.id
		WHERE a.student_id = ? AND a.source = 'family' AND a.state = 'reason-given' AND a.start_date = '2026-12-03' AND a.end_min = 720`, j.student); n != "1" {
		t.Fatal("the absence declared ahead is not recorded")
	}
	// The same again: it overlaps the absence just declared.
	r = g.uploadFiles("/justifications", j.form(g, j.student, url.Values{"from": {"2026-12-03"}, "fromtime": {"10:00"}, "to": {"2026-12-03"},
		"totime": {"11:00"}, "ahead": {"1"}}), nil, false)
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "déjà enregistrée") {
		t.Fatalf("an absence declared twice: %d", r.status)
	}
	// Ahead, but in the past: said.
	r = g.uploadFiles("/justifications", j.form(g, j.student, url.Values{"from": {"2026-11-02"}, "to": {"2026-11-02"}, "ahead": {"1"}}), nil, false)
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "avant aujourd&#39;hui") {
		t.Fatalf("ahead in the past: %d", r.status)
	}

	// School life's queue, oldest first, with the document.
	c := j.signIn(j.cpe)
	r = c.get("/school-life/justifications")
	if r.status != 200 || !strings.Contains(r.body, `id="j-`+jid+`"`) || !strings.Contains(r.body, "/files/"+fileID) {
		t.Fatalf("the queue: %d", r.status)
	}
	if r := c.get("/"); !strings.Contains(r.body, `id="b-review"`) || !strings.Contains(r.body, `id="b-compulsory"`) {
		t.Error("the CPE's home blocks are missing")
	}
	if r := c.get("/files/" + fileID); r.status != 200 || r.header.Get("Content-Type") != "application/pdf" {
		t.Errorf("the CPE downloads the document: %d", r.status)
	}
	for _, who := range []string{j.teacher, j.other, j.login(j.student), j.head2} {
		if r := j.signIn(who).get("/files/" + fileID); r.status != 404 {
			t.Errorf("%s downloads the document: %d", who, r.status)
		}
	}
	for _, who := range []string{j.teacher, j.guardian, j.login(j.student), j.head2} {
		b := j.signIn(who)
		if r := b.get("/school-life/justifications"); r.status != 404 && who != j.head2 || strings.Contains(r.body, `id="j-`+jid+`"`) {
			t.Errorf("%s opens the queue: %d", who, r.status)
		}
		if r := b.post("/school-life/justifications/"+jid+"/review", url.Values{"csrf": {b.csrf()}, "decision": {"accept"}}); r.status != 404 {
			t.Errorf("%s reviews: %d", who, r.status)
		}
	}

	if r := c.post("/school-life/justifications/nope/review", url.Values{"csrf": {c.csrf()}, "decision": {"accept"}}); r.status != 404 {
		t.Errorf("a forged justification id: %d", r.status)
	}
	// Refused without a message: said, nothing changed; with one: the
	// absence is not accepted, the family told.
	r = c.post("/school-life/justifications/"+jid+"/review", url.Values{"csrf": {c.csrf()}, "decision": {"refuse"}, "answer": {"  "}})
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "à remplir") {
		t.Fatalf("a refusal without a message: %d", r.status)
	}
	r = c.post("/school-life/justifications/"+jid+"/review", url.Values{"csrf": {c.csrf()}, "decision": {"refuse"}, "answer": {"Certificat illisible."}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("refuse: %d", r.status)
	}
	if st := j.count(`SELECT state FROM att_absences WHERE id = ?`, j.absence); st != "not-accepted" {
		t.Fatalf("absence after the refusal: %s", st)
	}
	if n := j.count(`SELECT COUNT(*) FROM notifications WHERE kind = 'justification-reviewed' AND dedupe_key = ?`, "justification-reviewed/"+jid); n != "1" {
		t.Fatal("the family was not told")
	}
	if r := g.get("/justifications?child=" + j.student); !strings.Contains(r.body, "Certificat illisible.") || !strings.Contains(r.body, "Refusé") {
		t.Error("the family does not see the outcome")
	}
	// Reviewed twice: said.
	if r := c.post("/school-life/justifications/"+jid+"/review", url.Values{"csrf": {c.csrf()}, "decision": {"accept"}}); r.status != http.StatusUnprocessableEntity {
		t.Errorf("a second review: %d", r.status)
	}

	// The demo's pending justification (a legitimate reason), accepted:
	// its absence is justified, and the period's counts say so.
	pending := j.count(`SELECT j.id FROM att_justifications j WHERE j.state = 'pending' ORDER BY j.created_at LIMIT 1`)
	ps := j.count(`SELECT student_id FROM att_justifications WHERE id = ?`, pending)
	period := j.count(`SELECT p.id FROM periods p JOIN school_years y ON y.id = p.school_year_id JOIN establishments e ON e.id = y.establishment_id
		WHERE e.uai = ? AND p.starts_on <= '2026-11-27' AND p.ends_on >= '2026-11-27'`, demo.MainUAI)
	csvOf := func() string {
		r := c.get("/school-life/counts.csv?period=" + period)
		if r.status != 200 || !strings.HasPrefix(r.body, "\ufeffClasse;Nom;Prénom;") {
			t.Fatalf("csv: %d %.80q", r.status, r.body)
		}
		return r.body
	}
	lineOf := func(csv, student string) string {
		last := j.count(`SELECT last_name FROM people WHERE id = ?`, student)
		for _, l := range strings.Split(csv, "\n") {
			if strings.Contains(l, ";"+last+";") {
				return l
			}
		}
		return ""
	}
	was := lineOf(csvOf(), ps)
	if r := c.post("/school-life/justifications/"+pending+"/review", url.Values{"csrf": {c.csrf()}, "decision": {"accept"}}); r.status != http.StatusSeeOther {
		t.Fatalf("accept: %d", r.status)
	}
	if n := j.count(`SELECT COUNT(*) FROM att_justification_covers c JOIN att_absences a ON a.id = c.absence_id
		WHERE c.justification_id = ? AND a.state <> 'justified'`, pending); n != "0" {
		t.Fatal("an accepted justification left its absences unjustified")
	}
	// Its morning is now justified: one more justified half-day, one
	// fewer unjustified.
	fields := func(l string) (int, int) {
		f := strings.Split(l, ";")
		if len(f) < 5 {
			t.Fatalf("csv line %q", l)
		}
		a, _ := strconv.Atoi(f[3])
		b, _ := strconv.Atoi(f[4])
		return a, b
	}
	now := lineOf(csvOf(), ps)
	j0, u0 := fields(was)
	j1, u1 := fields(now)
	if j1 != j0+1 || u1 != u0-1 {
		t.Errorf("the counts did not change: %q → %q", was, now)
	}
	if r := c.get("/school-life/counts?period=" + period); r.status != 200 || !strings.Contains(r.body, "Demi-journées non justifiées") {
		t.Errorf("the counts page: %d", r.status)
	}

	// The record as a PDF, read back.
	r = g.get("/school-life/students/" + j.student + "/record.pdf")
	if r.status != 200 || r.header.Get("Content-Type") != "application/pdf" {
		t.Fatalf("record.pdf: %d", r.status)
	}
	if tool, err := exec.LookPath("pdftotext"); err == nil {
		p := filepath.Join(t.TempDir(), "r.pdf")
		os.WriteFile(p, []byte(r.body), 0o600)
		out, err := exec.Command(tool, "-layout", p, "-").Output()
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"Relevé de vie scolaire", "Certificat", "non recevable", "Trimestre 1"} {
			if !strings.Contains(string(out), want) {
				t.Errorf("the PDF lacks %q:\n%s", want, out)
			}
		}
	} else if os.Getenv("CI") != "" {
		t.Fatal("pdftotext is needed to read the record back")
	}
	if r := o.get("/school-life/students/" + j.student + "/record.pdf"); r.status != 404 {
		t.Errorf("another family downloads the record: %d", r.status)
	}
}

func TestCompulsorySchoolingCounterAndTasks(t *testing.T) {
	j := newJustifyEnv(t)
	c := j.signIn(j.cpe)
	// The demo's student over the counter in October (holidays from the
	// 17th): listed with four half-days, a task raised once.
	r := c.get("/school-life/counter")
	if r.status != 200 || !strings.Contains(r.body, "2026-10") || !strings.Contains(r.body, "4 demi-journées") {
		t.Fatalf("the counter: %d %s", r.status, r.body)
	}
	tasks := j.query(`SELECT id FROM att_tasks WHERE kind = 'compulsory-schooling' AND key = '2026-10' ORDER BY id`)
	c.get("/school-life/counter?month=2026-10")
	again := j.query(`SELECT id FROM att_tasks WHERE kind = 'compulsory-schooling' AND key = '2026-10' ORDER BY id`)
	if len(tasks) == 0 || len(again) != len(tasks) {
		t.Fatalf("tasks raised: %d, then %d", len(tasks), len(again))
	}
	if r := c.get("/school-life/counter?month=octobre"); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "n&#39;est pas un mois") {
		t.Errorf("a bad month: %d", r.status)
	}
	for _, who := range []string{j.teacher, j.guardian, j.login(j.student), j.head2} {
		b := j.signIn(who)
		if r := b.post("/school-life/tasks/"+tasks[0]+"/done", url.Values{"csrf": {b.csrf()}}); r.status != 404 {
			t.Errorf("%s marks a task done: %d", who, r.status)
		}
	}
	if r := c.post("/school-life/tasks/nope/done", url.Values{"csrf": {c.csrf()}}); r.status != 404 {
		t.Errorf("a forged task id: %d", r.status)
	}
	if r := c.post("/school-life/tasks/"+tasks[0]+"/done", url.Values{"csrf": {c.csrf()}, "month": {"2026-10"}}); r.status != http.StatusSeeOther {
		t.Fatalf("done: %d", r.status)
	}
	if n := j.count(`SELECT COUNT(*) FROM att_tasks WHERE id = ? AND done_at IS NOT NULL`, tasks[0]); n != "1" {
		t.Fatal("the task is not done")
	}
	// September has no student over the counter.
	if r := c.get("/school-life/counter?month=2026-09"); !strings.Contains(r.body, "Aucun élève n&#39;atteint") {
		t.Error("September's counter")
	}
}

// Every route of the justifications and reports, for each profile: what
// opens (200/303) and what is refused (404).
func TestSchoolLifeReportRoutesAccess(t *testing.T) {
	j := newJustifyEnv(t)
	period := j.count(`SELECT p.id FROM periods p JOIN school_years y ON y.id = p.school_year_id JOIN establishments e ON e.id = y.establishment_id
		WHERE e.uai = ? ORDER BY p.number LIMIT 1`, demo.MainUAI)
	est := j.count(`SELECT id FROM establishments WHERE uai = ?`, demo.MainUAI)
	other := j.count(`SELECT id FROM establishments WHERE uai = ?`, demo.SecondUAI)
	routes := []string{"/school-life/justifications", "/school-life/counts", "/school-life/counts.csv?period=" + period, "/school-life/counter",
		"/school-life/justifications?est=" + other, "/school-life/counts?est=" + other, "/school-life/counter?est=" + other,
		"/school-life/counts?est=" + est + "&period=nope", "/school-life/counts.csv?period=nope",
		"/school-life/students/" + j.student + "/record.pdf", "/justifications", "/justifications?child=" + j.student}
	want := map[string][]int{
		j.cpe:              {200, 200, 200, 200, 404, 404, 404, 404, 404, 200, 404, 404},
		j.guardian:         {404, 404, 404, 404, 404, 404, 404, 404, 404, 200, 200, 200},
		j.other:            {404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 200, 404},
		j.login(j.student): {404, 404, 404, 404, 404, 404, 404, 404, 404, 200, 200, 200},
		j.teacher:          {404, 404, 404, 404, 404, 404, 404, 404, 404, -1, 404, 404},
		// The head of the lycée: their own establishment only.
		j.head2: {200, 200, 404, 200, 200, 200, 200, 404, 404, 404, 404, 404},
	}
	for who, codes := range want {
		b := j.signIn(who)
		for i, path := range routes {
			if codes[i] < 0 {
				continue // depends on whether the teacher teaches the student
			}
			if r := b.get(path); r.status != codes[i] {
				t.Errorf("%s GET %s: %d, want %d", who, path, r.status, codes[i])
			}
		}
	}
	// Signed out: every page leads to the sign-in.
	anon := j.browser()
	for _, path := range routes {
		if r := anon.get(path); r.status != http.StatusSeeOther {
			t.Errorf("signed out GET %s: %d", path, r.status)
		}
	}
}

var rawKey = regexp.MustCompile(`\b(just|rep|home)\.[a-z][a-z.-]+[a-z]\b`)

// Every page of the justifications and reports speaks French and English:
// no catalog key shows through.
func TestSchoolLifeReportPagesHaveTheirWords(t *testing.T) {
	j := newJustifyEnv(t)
	for _, who := range []struct {
		login string
		paths []string
	}{
		{j.guardian, []string{"/justifications?child=" + j.student, "/?child=" + j.student}},
		{j.cpe, []string{"/school-life/justifications", "/school-life/counts", "/school-life/counter", "/"}},
	} {
		b := j.signIn(who.login)
		for _, lang := range []string{"fr", "en"} {
			b.post("/language", url.Values{"csrf": {b.csrf()}, "lang": {lang}})
			for _, p := range who.paths {
				r := b.get(p)
				if r.status != 200 {
					t.Fatalf("%s %s: %d", lang, p, r.status)
				}
				if m := rawKey.FindString(r.body); m != "" {
					t.Errorf("%s %s shows the key %s", lang, p, m)
				}
				if lang == "en" && !strings.Contains(r.body, `lang="en"`) {
					t.Errorf("%s is not in English", p)
				}
			}
		}
	}
}
