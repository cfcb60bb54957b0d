package web_test

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"cartable/internal/demo"
	"cartable/internal/roles"
)

// The head designates an elected parent representative on the rules page:
// the demo's is listed and removed, a guardian is found by name and
// designated for a class, and another family of that class reaches them at
// its next request; forged people and classes change nothing; nobody but
// the head reaches the page or its forms. Each change is audited.
func TestParentRepresentativesPage(t *testing.T) {
	e := newEnv(t, 120)
	c := e.carnet(t)
	head := e.account(func(a demo.Account) bool {
		return a.Profile == roles.Staff && a.Establishment == demo.MainUAI && has(roles.Head)(a)
	}).Login
	mainID := e.strs(`SELECT id FROM establishments WHERE uai = ?`, demo.MainUAI)[0]
	h := e.signIn(head)
	csrf := h.csrf()

	// The demo's representative is listed; the head removes them.
	demoReps := e.strs(`SELECT r.id || ' ' || p.first_name || ' ' || p.last_name FROM parent_representatives r
		JOIN people p ON p.id = r.person_id WHERE r.establishment_id = ?`, mainID)
	if len(demoReps) != 1 {
		t.Fatalf("demo representatives %v, want one", demoReps)
	}
	repID, repName, _ := strings.Cut(demoReps[0], " ")
	page := h.get("/messages/rules")
	wantStatus(t, "rules", page, http.StatusOK)
	if !strings.Contains(page.body, `id="reps-list"`) || !strings.Contains(page.body, repName) {
		t.Fatalf("the demo's representative is not listed: %.3000s", page.body)
	}
	wantStatus(t, "remove", h.post("/messages/rules/reps/"+repID+"/remove", url.Values{"csrf": {csrf}}), http.StatusSeeOther)
	if n := e.count(`SELECT COUNT(*) FROM parent_representatives`); n != 0 {
		t.Fatalf("%d representatives after the removal", n)
	}

	// Another family of the class does not reach the guardian yet.
	rep := c.guardianIDs[0]
	last := e.strs(`SELECT last_name FROM people WHERE id = ?`, rep)[0]
	family := e.signIn(e.row(e.relativeOf(c.classmate, c.class)).Login)
	reaches := func() bool {
		r := family.get("/messages/why?q=" + url.QueryEscape(last))
		wantStatus(t, "why", r, http.StatusOK)
		return strings.Contains(r.body, `href="/messages/new?to=`+rep+`"`)
	}
	if reaches() {
		t.Fatal("another family reaches the guardian before any designation")
	}

	// The search by name, then among the class's families.
	found := h.get("/messages/rules?q=" + url.QueryEscape(last))
	if !strings.Contains(found.body, `name="person" value="`+rep+`"`) {
		t.Fatalf("the guardian is not found by name: %.3000s", found.body)
	}
	found = h.get("/messages/rules?q=&class=" + c.class)
	if !strings.Contains(found.body, `name="person" value="`+rep+`"`) || !strings.Contains(found.body, `<option value="`+c.class+`" selected>`) {
		t.Fatalf("the guardian is not among the class's families: %.4000s", found.body[strings.Index(found.body, `id="reps"`):])
	}

	// Forged people and classes: 422, the field named, nothing written.
	foreign := e.strs(`SELECT p.id FROM people p JOIN memberships m ON m.person_id = p.id JOIN establishments x ON x.id = m.establishment_id
		WHERE x.uai = ? AND p.profile = 'relative' AND NOT EXISTS (SELECT 1 FROM memberships o WHERE o.person_id = p.id AND o.establishment_id = ?)
		ORDER BY p.id LIMIT 1`, demo.SecondUAI, mainID)[0]
	foreignClass := e.strs(`SELECT c.id FROM classes c JOIN establishments x ON x.id = c.establishment_id WHERE x.uai = ? ORDER BY c.id LIMIT 1`, demo.SecondUAI)[0]
	for what, form := range map[string]url.Values{
		"a student":                        {"person": {c.student}},
		"a teacher":                        {"person": {e.person(c.teacher).ID}},
		"another establishment's relative": {"person": {foreign}},
		"another establishment's class":    {"person": {rep}, "rep-class": {foreignClass}},
	} {
		form.Set("csrf", csrf)
		r := h.post("/messages/rules/reps", form)
		wantStatus(t, what, r, http.StatusUnprocessableEntity)
		if !strings.Contains(r.body, `id="rep-problems"`) {
			t.Errorf("%s: no message naming the field", what)
		}
	}
	for _, login := range []string{c.teacher, c.cpe, c.guardians[0]} {
		b := e.signIn(login)
		wantStatus(t, login+" designates", b.post("/messages/rules/reps", url.Values{"csrf": {b.csrf()}, "person": {rep}}), http.StatusNotFound)
	}
	fh := e.signIn(c.foreignHead)
	wantStatus(t, "the head of another establishment designates here", fh.post("/messages/rules/reps",
		url.Values{"csrf": {fh.csrf()}, "est": {mainID}, "person": {rep}}), http.StatusNotFound)
	if n := e.count(`SELECT COUNT(*) FROM parent_representatives`); n != 0 {
		t.Fatalf("%d representatives after refusals", n)
	}

	// The designation: listed, audited, seen by the family at its next request.
	r := h.post("/messages/rules/reps", url.Values{"csrf": {csrf}, "person": {rep}, "rep-class": {c.class}})
	wantStatus(t, "designate", r, http.StatusSeeOther)
	if page = h.get("/messages/rules?rep=added"); !strings.Contains(page.body, last) || !strings.Contains(page.body, "Représentant désigné") {
		t.Fatal("the designation is not shown")
	}
	if !reaches() {
		t.Error("another family of the class does not reach its representative at its next request")
	}
	r = h.post("/messages/rules/reps", url.Values{"csrf": {csrf}, "person": {rep}, "rep-class": {c.class}})
	wantStatus(t, "twice", r, http.StatusUnprocessableEntity)
	if !strings.Contains(r.body, "déjà représentant") {
		t.Error("designated twice without a clear message")
	}
	if n := e.count(`SELECT COUNT(*) FROM audit_events WHERE action IN ('parent-rep-added', 'parent-rep-removed') AND actor_id = ?`,
		e.person(head).ID); n != 2 {
		t.Errorf("%d audit events, want 2", n)
	}
}

// A designation made on one replica is seen by the other at its next
// request: parent_representatives bumps the directory's version.
func TestParentRepresentativesAcrossReplicas(t *testing.T) {
	urls, _, accts, e := twoReplicas(t)
	var head demo.Account
	for _, a := range accts {
		if head.Login == "" && a.Establishment == demo.MainUAI && has(roles.Head)(a) {
			head = a
		}
	}
	// Two guardians of two students of one class, of no shared child.
	pair := e.query(`SELECT e1.class_id || ' ' || f1.relative_id || ' ' || f2.relative_id
		FROM enrolments e1 JOIN enrolments e2 ON e2.class_id = e1.class_id AND e2.student_id > e1.student_id
		JOIN classes c ON c.id = e1.class_id JOIN establishments x ON x.id = c.establishment_id
		JOIN family_links f1 ON f1.student_id = e1.student_id AND f1.legal_guardian
		JOIN family_links f2 ON f2.student_id = e2.student_id AND f2.legal_guardian
		WHERE x.uai = ? AND NOT EXISTS (SELECT 1 FROM family_links o WHERE o.relative_id = f1.relative_id AND o.student_id = e2.student_id)
		AND NOT EXISTS (SELECT 1 FROM family_links o WHERE o.relative_id = f2.relative_id AND o.student_id = e1.student_id)
		ORDER BY 1 LIMIT 1`, demo.MainUAI)
	if len(pair) == 0 {
		t.Fatal("no two families in a class")
	}
	parts := strings.Fields(pair[0])
	class, rep, other := parts[0], parts[1], parts[2]
	client := func(login string) *http.Client {
		jar, _ := cookiejar.New(nil)
		c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		resp, err := c.PostForm(urls[0]+"/sign-in", url.Values{"login": {login}, "password": {demo.DefaultPassword}})
		if err != nil || resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("sign-in %s: %v %v", login, err, resp)
		}
		resp.Body.Close()
		return c
	}
	get := func(c *http.Client, u string) string {
		t.Helper()
		resp, err := c.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	oc := client(e.row(other).Login)
	reaches := func(i int) bool {
		t.Helper()
		return strings.Contains(get(oc, urls[i]+"/messages/why?q="+url.QueryEscape(e.row(rep).LastName)), `href="/messages/new?to=`+rep+`"`)
	}
	for i := range urls {
		if reaches(i) {
			t.Fatalf("replica %d: another family reachable before any designation", i)
		}
	}
	hc := client(head.Login)
	m := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(get(hc, urls[0]+"/messages/rules"))
	if m == nil {
		t.Fatal("no form token on the rules page")
	}
	resp, err := hc.PostForm(urls[0]+"/messages/rules/reps", url.Values{"csrf": {m[1]}, "person": {rep}, "rep-class": {class}})
	if err != nil || resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("the head's designation: %v %v", err, resp)
	}
	resp.Body.Close()
	for i := range urls {
		if !reaches(i) {
			t.Errorf("replica %d: the designation made on replica 0 is not seen at the next request", i)
		}
	}
}
