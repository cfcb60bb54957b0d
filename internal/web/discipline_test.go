package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"cartable/internal/demo"
	"cartable/internal/discipline"
	"cartable/internal/notify"
	"cartable/internal/timetable"
)

// disCast is who the discipline tests sign in as: a student of the
// collège, one of their legal guardians, a teacher of theirs, and everyone
// who must be refused or served otherwise.
type disCast struct {
	e                                        *env
	student, otherStudent                    demo.Account
	relative, otherRelative                  demo.Account
	teacher, otherTeacher                    demo.Account
	head, deputy, cpe, secretary, otherHead  demo.Account
	studentID, otherStudentID, otherTeacherS string
}

// disDay is the tests' day: a Tuesday of the demo's school year.
var disDay = time.Date(2026, 12, 8, 11, 0, 0, 0, timetable.Paris)

func newDisCast(t *testing.T) *disCast {
	e := newEnv(t, 60)
	e.clock.mu.Lock()
	e.clock.at = disDay
	e.clock.mu.Unlock()
	ctx := context.Background()
	c := &disCast{e: e}
	onlyMain := func(a demo.Account) bool {
		return len(a.Establishments) == 1 && a.Establishments[0] == demo.MainUAI
	}
	c.student = e.account(func(a demo.Account) bool {
		return a.Profile == "student" && onlyMain(a) && len(a.Relatives) > 0
	})
	c.studentID = e.person(c.student.Login).ID
	guardians := map[string]bool{}
	for _, g := range e.relatives(c.studentID) {
		guardians[g.Login] = true
	}
	c.relative = e.account(func(a demo.Account) bool { return guardians[a.Login] && slices.Contains(a.Children, c.student.Login) })
	c.otherRelative = e.account(func(a demo.Account) bool {
		return a.Profile == "relative" && !slices.Contains(a.Children, c.student.Login)
	})
	c.otherStudent = e.account(func(a demo.Account) bool {
		return a.Profile == "student" && onlyMain(a) && a.Login != c.student.Login
	})
	c.otherStudentID = e.person(c.otherStudent.Login).ID
	c.teacher = e.account(func(a demo.Account) bool {
		return a.Profile == "teacher" && onlyMain(a) && teaches(ctx, t, e, e.person(a.Login).ID, c.studentID)
	})
	c.otherTeacher = e.account(func(a demo.Account) bool {
		return a.Profile == "teacher" && onlyMain(a) && !teaches(ctx, t, e, e.person(a.Login).ID, c.studentID) &&
			len(taughtClasses(ctx, t, e, e.person(a.Login).ID)) > 0
	})
	main := func(f string) demo.Account {
		return e.account(func(a demo.Account) bool { return has(f)(a) && a.Profile == "staff" && onlyMain(a) })
	}
	c.head, c.deputy, c.cpe, c.secretary = main("head"), main("deputy"), main("cpe"), main("secretary")
	c.otherHead = e.account(func(a demo.Account) bool { return has("head")(a) && a.Establishment == demo.SecondUAI })
	// The demo's own discipline (written around the real today) would
	// blur the counts: the tests start from none.
	for _, table := range []string{"dis_history", "dis_punishments", "dis_sanctions", "dis_protagonists", "dis_incidents", "notifications"} {
		if _, err := e.db.Exec(ctx, `DELETE FROM `+table); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

var linkRe = regexp.MustCompile(`href="(/discipline[^"#]*)`)

// give posts a punishment form as b and returns the answer.
func give(b *browser, student string, form url.Values) response {
	f := url.Values{"csrf": {b.csrf()}, "student": {student}}
	for k, v := range form {
		f[k] = v
	}
	return b.post("/discipline/punish", f)
}

func decide(b *browser, student string, form url.Values) response {
	f := url.Values{"csrf": {b.csrf()}, "student": {student}}
	for k, v := range form {
		f[k] = v
	}
	return b.post("/discipline/sanction", f)
}

func (c *disCast) count(table string) int {
	return c.e.count(`SELECT COUNT(*) FROM ` + table)
}

// TestDisciplineAccessMatrix: every page and form as each role, refusals
// answered as a missing page and nothing written.
func TestDisciplineAccessMatrix(t *testing.T) {
	c := newDisCast(t)
	e := c.e
	teacher := e.signIn(c.teacher.Login)
	r := give(teacher, c.studentID, url.Values{"kind": {"detention"}, "reason": {"Bavardages répétés"}, "on_date": {"2026-12-10"},
		"start": {"16:00"}, "duration": {"60"}, "place": {"Salle 104"}, "work": {"Exercices 3 à 5"}, "private_note": {"Prévenir le professeur principal"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("teacher gives a detention: %d %.300s", r.status, r.body)
	}
	var punID string
	if err := e.db.QueryRow(context.Background(), `SELECT id FROM dis_punishments WHERE student_id = ?`, c.studentID).Scan(&punID); err != nil {
		t.Fatal(err)
	}
	head := e.signIn(c.head.Login)
	r = decide(head, c.studentID, url.Values{"kind": {"warning"}, "decided_on": {"2026-12-08"}, "reason": {"Insolence envers un adulte"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("head decides a warning: %d %.300s", r.status, r.body)
	}
	cpe := e.signIn(c.cpe.Login)
	est := e.count(`SELECT COUNT(*) FROM dis_sanctions`)
	if est != 1 {
		t.Fatalf("%d sanctions", est)
	}
	var estID string
	e.db.QueryRow(context.Background(), `SELECT establishment_id FROM dis_sanctions`).Scan(&estID)
	r = cpe.post("/discipline/incidents", url.Values{"csrf": {cpe.csrf()}, "est": {estID}, "occurred_on": {"2026-12-07"},
		"occurred_at": {"10:15"}, "place": {"Cour"}, "incident_kind": {"violence"}, "seriousness": {"2"},
		"description": {"Bousculade à la récréation"}, "p0_student": {c.studentID}, "p0_role": {"author"},
		"p1_student": {c.otherStudentID}, "p1_role": {"victim"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("CPE records an incident: %d %.500s", r.status, r.body)
	}
	incID := strings.TrimSuffix(strings.TrimPrefix(r.header.Get("Location"), "/discipline/incidents/"), "?saved=1")

	type want struct {
		who    string
		status int
	}
	pages := []struct {
		path string
		ok   []string // who gets 200; everyone else 404 (or a redirect for /discipline)
	}{
		{"/discipline/students/" + c.studentID, []string{"student", "relative", "teacher", "head", "deputy", "cpe"}},
		{"/discipline/punish?student=" + c.studentID, []string{"teacher", "head", "deputy", "cpe"}},
		{"/discipline/punishments/" + punID, []string{"teacher", "head", "deputy", "cpe"}},
		{"/discipline/sanction?student=" + c.studentID, []string{"head"}},
		{"/discipline/incidents/new?est=" + estID, []string{"head", "deputy", "cpe"}},
		{"/discipline/incidents/" + incID, []string{"head", "deputy", "cpe"}},
		{"/discipline/history?est=" + estID, []string{"head", "cpe"}},
		{"/discipline/export.csv?est=" + estID, []string{"head", "deputy", "cpe"}},
	}
	cast := map[string]demo.Account{"student": c.student, "relative": c.relative, "teacher": c.teacher, "head": c.head,
		"deputy": c.deputy, "cpe": c.cpe, "otherStudent": c.otherStudent, "otherRelative": c.otherRelative,
		"otherTeacher": c.otherTeacher, "secretary": c.secretary, "otherHead": c.otherHead}
	browsers := map[string]*browser{}
	for who, a := range cast {
		browsers[who] = e.signIn(a.Login)
	}
	for _, p := range pages {
		for who, b := range browsers {
			want := http.StatusNotFound
			if slices.Contains(p.ok, who) {
				want = http.StatusOK
			}
			if r := b.get(p.path); r.status != want {
				t.Errorf("%s GET %s: %d, want %d", who, p.path, r.status, want)
			}
		}
	}
	// Every discipline link a page offers opens for its reader.
	for _, p := range pages {
		for who, b := range browsers {
			if !slices.Contains(p.ok, who) {
				continue
			}
			for _, m := range linkRe.FindAllStringSubmatch(b.get(p.path).body, -1) {
				link := strings.ReplaceAll(m[1], "&amp;", "&")
				if r := b.get(link); r.status != http.StatusOK && r.status != http.StatusSeeOther {
					t.Errorf("%s: %s offers %s, which answers %d", who, p.path, link, r.status)
				}
			}
		}
	}
	// What each audience's page holds.
	fam := browsers["relative"].get("/discipline/students/" + c.studentID).body
	for _, s := range []string{"Retenue", "Bavardages répétés", "Avertissement", "Salle 104"} {
		if !strings.Contains(fam, s) {
			t.Errorf("the family's view lacks %q", s)
		}
	}
	for _, s := range []string{"Prévenir le professeur principal", "Bousculade", "/discipline/incidents/"} {
		if strings.Contains(fam, s) {
			t.Errorf("the family's view shows %q", s)
		}
	}
	other := e.person(c.otherStudent.Login)
	if strings.Contains(fam, other.LastName) && other.LastName != e.person(c.student.Login).LastName {
		t.Errorf("the family's view names another protagonist")
	}
	tv := browsers["teacher"].get("/discipline/students/" + c.studentID).body
	if strings.Contains(tv, "Avertissement") || strings.Contains(tv, "Insolence") {
		t.Error("a teacher reads a sanction")
	}
	if !strings.Contains(tv, "Prévenir le professeur principal") {
		t.Error("the author does not read their private note")
	}
	if hv := browsers["deputy"].get("/discipline/students/" + c.studentID).body; !strings.Contains(hv, "Prévenir le professeur principal") ||
		!strings.Contains(hv, "Avertissement") {
		t.Error("school life does not read the whole record")
	}
	// /discipline: the student's own record, a relative's child's; the
	// secretary sees nothing.
	if r := browsers["student"].get("/discipline"); r.status != http.StatusOK || !strings.Contains(r.body, "Bavardages répétés") {
		t.Errorf("student /discipline: %d", r.status)
	}
	if r := browsers["relative"].get("/discipline?child=" + c.studentID); r.status != http.StatusOK || !strings.Contains(r.body, "Bavardages répétés") {
		t.Errorf("relative /discipline: %d", r.status)
	}
	if r := browsers["otherRelative"].get("/discipline?child=" + c.studentID); r.status != http.StatusNotFound {
		t.Errorf("another family's /discipline?child=: %d", r.status)
	}
	for who, want := range map[string]int{"teacher": 200, "cpe": 200, "head": 200, "deputy": 200, "secretary": 404} {
		if r := browsers[who].get("/discipline"); r.status != want {
			t.Errorf("%s /discipline: %d, want %d", who, r.status, want)
		}
	}
	if strings.Contains(browsers["secretary"].get("/").body, `href="/discipline"`) {
		t.Error("the secretary's menu offers the discipline pages")
	}

	// Writes refused: nothing changes.
	before := [4]int{c.count("dis_punishments"), c.count("dis_sanctions"), c.count("dis_incidents"), c.count("dis_history")}
	posts := []struct {
		who, path string
		form      url.Values
	}{
		{"otherTeacher", "/discipline/punish", url.Values{"student": {c.studentID}, "kind": {"note"}, "reason": {"x"}}},
		{"student", "/discipline/punish", url.Values{"student": {c.studentID}, "kind": {"note"}, "reason": {"x"}}},
		{"relative", "/discipline/punish", url.Values{"student": {c.studentID}, "kind": {"note"}, "reason": {"x"}}},
		{"secretary", "/discipline/punish", url.Values{"student": {c.studentID}, "kind": {"note"}, "reason": {"x"}}},
		{"otherHead", "/discipline/punish", url.Values{"student": {c.studentID}, "kind": {"note"}, "reason": {"x"}}},
		{"teacher", "/discipline/punish", url.Values{"student": {"forged0000000000"}, "kind": {"note"}, "reason": {"x"}}},
		{"deputy", "/discipline/sanction", url.Values{"student": {c.studentID}, "kind": {"warning"}, "decided_on": {"2026-12-08"}, "reason": {"x"}}},
		{"cpe", "/discipline/sanction", url.Values{"student": {c.studentID}, "kind": {"warning"}, "decided_on": {"2026-12-08"}, "reason": {"x"}}},
		{"teacher", "/discipline/sanction", url.Values{"student": {c.studentID}, "kind": {"warning"}, "decided_on": {"2026-12-08"}, "reason": {"x"}}},
		{"otherHead", "/discipline/sanction", url.Values{"student": {c.studentID}, "kind": {"warning"}, "decided_on": {"2026-12-08"}, "reason": {"x"}}},
		{"otherTeacher", "/discipline/punishments/" + punID, url.Values{"kind": {"note"}, "reason": {"changed"}}},
		{"relative", "/discipline/punishments/" + punID + "/cancel", nil},
		{"teacher", "/discipline/incidents", url.Values{"est": {estID}, "occurred_on": {"2026-12-07"}, "occurred_at": {"10:00"},
			"place": {"Cour"}, "incident_kind": {"other"}, "seriousness": {"1"}, "description": {"x"}}},
		{"otherHead", "/discipline/incidents/" + incID, url.Values{"occurred_on": {"2026-12-07"}, "occurred_at": {"10:00"},
			"place": {"Cour"}, "incident_kind": {"other"}, "seriousness": {"1"}, "description": {"x"}}},
		{"deputy", "/discipline/sanctions/forged/revoke", url.Values{"revoked_on": {"2026-12-08"}, "revocation_reason": {"x"}}},
	}
	for _, p := range posts {
		b := browsers[p.who]
		f := url.Values{"csrf": {b.csrf()}}
		for k, v := range p.form {
			f[k] = v
		}
		if r := b.post(p.path, f); r.status != http.StatusNotFound {
			t.Errorf("%s POST %s: %d, want 404", p.who, p.path, r.status)
		}
	}
	after := [4]int{c.count("dis_punishments"), c.count("dis_sanctions"), c.count("dis_incidents"), c.count("dis_history")}
	if before != after {
		t.Errorf("refused writes changed rows: %v → %v", before, after)
	}
	if n := e.count(`SELECT COUNT(*) FROM audit_events WHERE action = 'access-refused'`); n < len(posts) {
		t.Errorf("%d refusals audited for %d refused posts", n, len(posts))
	}

	// The family is told of the punishment and the sanction, once each.
	ns, err := notify.Pending(context.Background(), sys, e.db, e.person(c.relative.Login).ID)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int{}
	for _, n := range ns {
		if n.About == c.studentID {
			kinds[n.Kind]++
		}
	}
	if kinds["punishment"] != 1 || kinds["sanction"] != 1 {
		t.Errorf("notices to the guardian: %v", kinds)
	}
	first := e.person(c.student.Login).FirstName
	if page := browsers["relative"].get("/notifications").body; !strings.Contains(page, "Une punition a été donnée à "+first) ||
		!strings.Contains(page, "Une décision disciplinaire concerne "+first) {
		t.Error("the guardian's notifications do not tell the punishment and the sanction")
	}

	// The establishment's CSV: school life's, formulas defused.
	if r := give(teacher, c.studentID, url.Values{"kind": {"note"}, "reason": {"=HYPERLINK(\"http://x\")"}}); r.status != http.StatusSeeOther {
		t.Fatalf("note: %d", r.status)
	}
	csv := browsers["cpe"].get("/discipline/export.csv?est=" + estID)
	if !strings.HasPrefix(csv.header.Get("Content-Type"), "text/csv") || !strings.Contains(csv.body, "Bavardages répétés") ||
		!strings.Contains(csv.body, "Avertissement") || !strings.Contains(csv.body, `'=HYPERLINK`) || strings.Contains(csv.body, "Prévenir le professeur") {
		t.Errorf("export: %s %.600s", csv.header.Get("Content-Type"), csv.body)
	}

	// The incident processed: its history says so, before → after.
	r = cpe.post("/discipline/incidents/"+incID, url.Values{"csrf": {cpe.csrf()}, "occurred_on": {"2026-12-07"},
		"occurred_at": {"10:15"}, "place": {"Cour"}, "incident_kind": {"violence"}, "seriousness": {"3"},
		"description": {"Bousculade à la récréation"}, "p0_student": {c.studentID}, "p0_role": {"author"},
		"p1_student": {c.otherStudentID}, "p1_role": {"victim"}, "processed": {"1"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("incident processed: %d %.300s", r.status, r.body)
	}
	var was, is string
	if err := e.db.QueryRow(context.Background(), `SELECT before_state, after_state FROM dis_history WHERE subject = ? AND before_state <> ''`,
		"incident:"+incID).Scan(&was, &is); err != nil {
		t.Fatal(err)
	}
	if was != `{"processed":"false","seriousness":"2"}` || is != `{"processed":"true","seriousness":"3"}` {
		t.Errorf("incident history: %s → %s", was, is)
	}
	if h := browsers["head"].get("/discipline/history?est=" + estID).body; !strings.Contains(h, "Gravité") || !strings.Contains(h, "<ins>oui</ins>") {
		t.Error("the history page does not show the incident's change")
	}
}

// TestDisciplineSecondFactorOwed: staff whose establishment requires the
// second factor reach nothing with the password alone.
func TestDisciplineSecondFactorOwed(t *testing.T) {
	c := newDisCast(t)
	e := c.e
	e.requireMFA()
	e.enrolAppAtSignIn(c.head.Login)
	b, csrf := e.passwordOnly(c.head.Login)
	if r := b.get("/discipline/sanction?student=" + c.studentID); r.status != http.StatusSeeOther || r.header.Get("Location") != "/sign-in/second-factor" {
		t.Fatalf("sanction form with the factor owed: %d %s", r.status, r.header.Get("Location"))
	}
	r := b.post("/discipline/sanction", url.Values{"csrf": {csrf}, "student": {c.studentID}, "kind": {"warning"},
		"decided_on": {"2026-12-08"}, "reason": {"x"}})
	if r.status != http.StatusForbidden || c.count("dis_sanctions") != 0 {
		t.Fatalf("sanction posted with the factor owed: %d, %d rows", r.status, c.count("dis_sanctions"))
	}
}

// TestDisciplineBadInput: clear messages, nothing written, what was typed
// kept.
func TestDisciplineBadInput(t *testing.T) {
	c := newDisCast(t)
	e := c.e
	head := e.signIn(c.head.Login)
	teacher := e.signIn(c.teacher.Login)
	cpe := e.signIn(c.cpe.Login)
	cases := []struct {
		name string
		b    *browser
		path string
		form url.Values
		want []string // in the page
	}{
		{"9-day exclusion", head, "/discipline/sanction", url.Values{"student": {c.studentID}, "kind": {"school-exclusion"},
			"decided_on": {"2026-12-08"}, "reason": {"Racket dans la cour"}, "days": {"9"}, "starts_on": {"2026-12-10"}},
			[]string{"8 jours au plus", "Racket dans la cour", `value="9"`}},
		{"21 hours of responsabilisation", head, "/discipline/sanction", url.Values{"student": {c.studentID}, "kind": {"responsibility"},
			"decided_on": {"2026-12-08"}, "reason": {"Tags au gymnase"}, "hours": {"21"}},
			[]string{"20 heures au plus", "Tags au gymnase", `value="21"`}},
		{"suspension of a warning", head, "/discipline/sanction", url.Values{"student": {c.studentID}, "kind": {"warning"},
			"decided_on": {"2026-12-08"}, "reason": {"x"}, "suspension": {"total"}, "suspended_until": {"2027-07-03"}},
			[]string{"seules les sanctions 3 à 6"}},
		{"suspension too short", head, "/discipline/sanction", url.Values{"student": {c.studentID}, "kind": {"class-exclusion"},
			"decided_on": {"2026-12-08"}, "reason": {"x"}, "days": {"2"}, "starts_on": {"2026-12-09"}, "suspension": {"total"},
			"suspended_until": {"2027-01-15"}}, []string{"au moins jusqu&#39;à la fin de l&#39;année scolaire"}},
		{"decision in the future", head, "/discipline/sanction", url.Values{"student": {c.studentID}, "kind": {"warning"},
			"decided_on": {"2026-12-20"}, "reason": {"x"}}, []string{"dans le futur"}},
		{"detention outside the school year", teacher, "/discipline/punish", url.Values{"student": {c.studentID}, "kind": {"detention"},
			"reason": {"Oubli de matériel"}, "on_date": {"2027-08-20"}, "start": {"16:00"}, "duration": {"60"}, "place": {"Salle 12"}},
			[]string{"n&#39;est pas dans l&#39;année scolaire", "Oubli de matériel", `value="2027-08-20"`, `value="Salle 12"`}},
		{"exclusion without its report", teacher, "/discipline/punish", url.Values{"student": {c.studentID}, "kind": {"lesson-exclusion"},
			"reason": {"Refus de travailler"}, "lesson": {"forged/2026-12-07"}},
			[]string{"Rapport écrit au CPE et au chef d&#39;établissement : à remplir", "Refus de travailler"}},
		{"extra work without due date", teacher, "/discipline/punish", url.Values{"student": {c.studentID}, "kind": {"extra-work"},
			"reason": {"Travail non fait"}, "work": {"Rédaction"}}, []string{"À rendre le : à remplir", "Rédaction"}},
		{"forged protagonist", cpe, "/discipline/incidents", url.Values{"occurred_on": {"2026-12-07"},
			"occurred_at": {"10:00"}, "place": {"Préau"}, "incident_kind": {"damage"}, "seriousness": {"2"},
			"description": {"Vitre cassée"}, "p0_student": {"forgedstudent01"}, "p0_role": {"author"}}, nil},
	}
	var estID string
	if err := e.db.QueryRow(context.Background(), `SELECT establishment_id FROM memberships WHERE person_id = ?`, e.person(c.cpe.Login).ID).Scan(&estID); err != nil {
		t.Fatal(err)
	}
	cases[len(cases)-1].form.Set("est", estID)
	cases[len(cases)-1].want = []string{"n&#39;est pas un élève de l&#39;établissement", "Vitre cassée", `value="Préau"`}
	// A student of the other school, real but out of reach, is refused alike.
	before := [4]int{c.count("dis_punishments"), c.count("dis_sanctions"), c.count("dis_incidents"), c.count("dis_history")}
	for _, k := range cases {
		f := url.Values{"csrf": {k.b.csrf()}}
		for n, v := range k.form {
			f[n] = v
		}
		r := k.b.post(k.path, f)
		if r.status != http.StatusUnprocessableEntity {
			t.Errorf("%s: %d, want 422 (%.300s)", k.name, r.status, r.body)
			continue
		}
		for _, w := range k.want {
			if !strings.Contains(r.body, w) {
				t.Errorf("%s: the page lacks %q", k.name, w)
			}
		}
	}
	after := [4]int{c.count("dis_punishments"), c.count("dis_sanctions"), c.count("dis_incidents"), c.count("dis_history")}
	if before != after {
		t.Errorf("refused forms changed rows: %v → %v", before, after)
	}
	if n := e.count(`SELECT COUNT(*) FROM notifications`); n != 0 {
		t.Errorf("%d notices queued by refused forms", n)
	}
}

// TestSanctionRemovalSuspensionAndHistory: the removal dates of R511-13,
// a suspension and its revocation within its period, a removed sanction
// hidden then purged, and the history of changes.
func TestSanctionRemovalSuspensionAndHistory(t *testing.T) {
	c := newDisCast(t)
	e := c.e
	ctx := context.Background()
	head := e.signIn(c.head.Login)
	for _, f := range []url.Values{
		{"kind": {"warning"}, "decided_on": {"2026-12-08"}, "reason": {"Insolence"}},
		{"kind": {"responsibility"}, "decided_on": {"2026-12-07"}, "reason": {"Dégradation"}, "hours": {"20"}},
		{"kind": {"class-exclusion"}, "decided_on": {"2026-12-07"}, "reason": {"Violence"}, "days": {"3"}, "starts_on": {"2026-12-09"},
			"suspension": {"partial"}, "suspended_units": {"2"}, "suspended_until": {"2027-07-03"}},
		{"kind": {"school-exclusion"}, "decided_on": {"2026-12-08"}, "reason": {"Menaces"}, "days": {"8"}, "starts_on": {"2026-12-10"},
			"suspension": {"total"}, "suspended_until": {"2027-12-07"}},
		{"kind": {"permanent-exclusion"}, "decided_on": {"2026-12-04"}, "reason": {"Agression"}, "suspension": {"total"},
			"suspended_until": {"2029-07-03"}},
	} {
		if r := decide(head, c.studentID, f); r.status != http.StatusSeeOther {
			t.Fatalf("%s: %d %.400s", f.Get("kind"), r.status, r.body)
		}
	}
	removal := map[string]string{}
	rows, err := e.db.Query(ctx, `SELECT kind, removal_on, board_on FROM dis_sanctions`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var k, on, board string
		rows.Scan(&k, &on, &board)
		removal[k] = on
		if k == "permanent-exclusion" && board != "2026-12-04" {
			t.Errorf("permanent exclusion's board date: %q", board)
		}
	}
	rows.Close()
	wantRemoval := map[string]string{"warning": "2027-07-04", "responsibility": "2027-07-04", "class-exclusion": "2027-12-07",
		"school-exclusion": "2027-12-08", "permanent-exclusion": ""}
	for k, w := range wantRemoval {
		if removal[k] != w {
			t.Errorf("%s leaves the record on %q, want %q", k, removal[k], w)
		}
	}
	// The same rule in the domain's function.
	y := discipline.Year{StartsOn: "2026-09-01", EndsOn: "2027-07-03"}
	if d := discipline.RemovalDate(discipline.ClassExclusion, "2027-02-29", y); d != "" {
		t.Errorf("removal of an impossible date: %q", d)
	}
	if lo, hi := discipline.SuspensionBounds(discipline.Responsibility, "2026-12-07", y); lo != "2027-07-03" || hi != "2027-07-03" {
		t.Errorf("responsabilisation's suspension bounds: %s %s", lo, hi)
	}
	// Revocation: of the exclusion from the school, later, by the head.
	var schoolEx string
	e.db.QueryRow(ctx, `SELECT id FROM dis_sanctions WHERE kind = 'school-exclusion'`).Scan(&schoolEx)
	rv := func(on, reason string) response {
		return head.post("/discipline/sanctions/"+schoolEx+"/revoke", url.Values{"csrf": {head.csrf()}, "student": {c.studentID},
			"revoked_on": {on}, "revocation_reason": {reason}})
	}
	if r := rv("2026-12-08", "Récidive"); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "doit suivre la décision") ||
		!strings.Contains(r.body, "Récidive") {
		t.Errorf("revocation on the day of the decision: %d", r.status)
	}
	deputy := e.signIn(c.deputy.Login)
	if r := deputy.post("/discipline/sanctions/"+schoolEx+"/revoke", url.Values{"csrf": {deputy.csrf()}, "student": {c.studentID},
		"revoked_on": {"2026-12-08"}, "revocation_reason": {"x"}}); r.status != http.StatusNotFound {
		t.Errorf("deputy revokes: %d", r.status)
	}
	e.clock.Add(3 * 24 * time.Hour) // Friday 11 December
	head = e.signIn(c.head.Login)
	if r := rv("2026-12-11", "Nouvelle bagarre"); r.status != http.StatusSeeOther {
		t.Fatalf("revocation: %d %.300s", r.status, r.body)
	}
	if r := rv("2026-12-11", "Encore"); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "déjà été révoqué") {
		t.Errorf("second revocation: %d", r.status)
	}
	rel := e.signIn(c.relative.Login)
	if body := rel.get("/discipline/students/" + c.studentID).body; !strings.Contains(body, "Sursis révoqué le") || !strings.Contains(body, "Nouvelle bagarre") {
		t.Error("the family does not see the revocation")
	}

	// History: a punishment edited, then read by the head and the CPE.
	teacher := e.signIn(c.teacher.Login)
	if r := give(teacher, c.studentID, url.Values{"kind": {"detention"}, "reason": {"Retards"}, "on_date": {"2026-12-16"},
		"start": {"16:00"}, "duration": {"60"}, "place": {"Salle 104"}}); r.status != http.StatusSeeOther {
		t.Fatalf("detention: %d %.300s", r.status, r.body)
	}
	var pun string
	e.db.QueryRow(ctx, `SELECT id FROM dis_punishments`).Scan(&pun)
	if r := teacher.post("/discipline/punishments/"+pun, url.Values{"csrf": {teacher.csrf()}, "kind": {"detention"}, "reason": {"Retards"},
		"on_date": {"2026-12-16"}, "start": {"16:00"}, "duration": {"60"}, "place": {"Salle 104"}, "outcome": {"not-done"}}); r.status != http.StatusSeeOther {
		t.Fatalf("outcome: %d %.300s", r.status, r.body)
	}
	for _, who := range []demo.Account{c.head, c.cpe} {
		b := e.signIn(who.Login)
		h := b.get("/discipline/history")
		if h.status != 200 || !strings.Contains(h.body, "retenue non effectuée") && !strings.Contains(h.body, "not-done") {
			t.Errorf("%s history: %d", who.Login, h.status)
		}
		if !strings.Contains(h.body, "Nouvelle bagarre") || !strings.Contains(h.body, "Punition") {
			t.Errorf("%s history lacks the revocation or the punishment", who.Login)
		}
	}

	// The day after the end of the school year: warnings and
	// responsabilisation leave the record; the purge deletes them and their
	// history.
	e.clock.mu.Lock()
	e.clock.at = time.Date(2027, 7, 4, 10, 0, 0, 0, timetable.Paris)
	e.clock.mu.Unlock()
	head = e.signIn(c.head.Login)
	body := head.get("/discipline/students/" + c.studentID).body
	if strings.Contains(body, "Insolence") || strings.Contains(body, "Dégradation") || !strings.Contains(body, "Violence") {
		t.Error("removed sanctions still shown, or a kept one hidden")
	}
	if h := head.get("/discipline/history").body; strings.Contains(h, "Insolence") {
		t.Error("the history shows a removed sanction")
	}
	n, err := discipline.Purge(ctx, sys, e.db, time.Date(2027, 7, 4, 10, 0, 0, 0, timetable.Paris))
	if err != nil || n != 2 {
		t.Fatalf("purge: %d, %v", n, err)
	}
	if k := e.count(`SELECT COUNT(*) FROM dis_history WHERE subject LIKE 'sanction:%'`); k != 4 {
		t.Errorf("%d history rows of sanctions left, want the 3 kept sanctions' and the revocation", k)
	}
	// A year after their decision, the temporary exclusions go; the
	// permanent one stays.
	n, err = discipline.Purge(ctx, sys, e.db, time.Date(2027, 12, 8, 10, 0, 0, 0, timetable.Paris))
	if err != nil || n != 2 || c.count("dis_sanctions") != 1 {
		t.Fatalf("second purge: %d, %v, %d left", n, err, c.count("dis_sanctions"))
	}
	if _, err := discipline.Purge(ctx, nil, e.db, time.Now()); err == nil {
		t.Error("a purge without the system viewer")
	}
}
