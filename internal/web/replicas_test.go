package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"cartable/internal/access"
	"cartable/internal/db"
	"cartable/internal/dbtest"
	"cartable/internal/demo"
	"cartable/internal/files"
	"cartable/internal/roles"
	"cartable/internal/web"
)

// Two replicas over one database, each with its own cache of viewers'
// facts: a change to the directory made elsewhere (another replica, an
// import, an operator's SQL) decides the very next request on both, in
// either direction.
func TestFactsCacheAcrossReplicas(t *testing.T) {
	ctx := context.Background()
	urls, d0, accts, e := twoReplicas(t)
	var relative demo.Account
	for _, a := range accts {
		if a.Profile == "relative" {
			relative = a
			break
		}
	}
	me := e.person(relative.Login)
	kids := e.query(`SELECT student_id FROM family_links WHERE relative_id = ? ORDER BY student_id`, me.ID)
	if len(kids) == 0 {
		t.Fatal("the relative has no child")
	}
	child := kids[0]
	// One browser for both replicas: a cookie jar ignores ports, so the
	// session opened on the first goes to the second as well.
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.PostForm(urls[0]+"/sign-in", url.Values{"login": {relative.Login}, "password": {demo.DefaultPassword}})
	if err != nil || resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-in: %v %v", err, resp)
	}
	resp.Body.Close()
	body := func(i int, path string) (int, string) {
		t.Helper()
		resp, err := client.Get(urls[i] + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	onReplica := func(i int, path string) int {
		t.Helper()
		code, _ := body(i, path)
		return code
	}
	// The home page's top (the children, their classes) is kept per
	// directory version: a renamed child is seen on both replicas at once.
	for i := range urls {
		if code, b := body(i, "/"); code != http.StatusOK || strings.Contains(b, "Zéphyrine") {
			t.Fatalf("replica %d: home before the rename: %d", i, code)
		}
	}
	if _, err := d0.Exec(ctx, `UPDATE people SET first_name = 'Zéphyrine' WHERE id = ?`, child); err != nil {
		t.Fatal(err)
	}
	for i := range urls {
		if code, b := body(i, "/?child="+child); code != http.StatusOK || !strings.Contains(b, "Zéphyrine") {
			t.Fatalf("replica %d: home after the rename: %d, new name shown: %v", i, code, strings.Contains(b, "Zéphyrine"))
		}
	}
	page := "/people/" + child
	for i := range urls {
		if got := onReplica(i, page); got != http.StatusOK {
			t.Fatalf("replica %d: the child's page before the change: %d", i, got)
		}
	}
	var link struct {
		rel               string
		guardian, contact bool
	}
	if err := d0.QueryRow(ctx, `SELECT relationship, legal_guardian, contact FROM family_links WHERE student_id = ? AND relative_id = ?`,
		child, me.ID).Scan(&link.rel, &link.guardian, &link.contact); err != nil {
		t.Fatal(err)
	}
	if _, err := d0.Exec(ctx, `DELETE FROM family_links WHERE student_id = ? AND relative_id = ?`, child, me.ID); err != nil {
		t.Fatal(err)
	}
	for i := range urls {
		if got := onReplica(i, page); got != http.StatusNotFound {
			t.Fatalf("replica %d: the child's page once the link is gone: %d", i, got)
		}
	}
	if _, err := d0.Exec(ctx, `INSERT INTO family_links (student_id, relative_id, relationship, legal_guardian, contact) VALUES (?, ?, ?, ?, ?)`,
		child, me.ID, link.rel, link.guardian, link.contact); err != nil {
		t.Fatal(err)
	}
	for i := range urls {
		if got := onReplica(i, page); got != http.StatusOK {
			t.Fatalf("replica %d: the child's page once the link is back: %d", i, got)
		}
	}
}

// twoReplicas starts two servers over one database (the demo of 30
// students), each with its own Facts cache.
func twoReplicas(t *testing.T) (urls []string, d0 *db.DB, accts []demo.Account, e *env) {
	ctx := context.Background()
	u := dbtest.URL(t)
	for i := 0; i < 2; i++ {
		d, err := db.Open(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { d.Close() })
		if i == 0 {
			if _, err := d.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			if err := d.Tx(ctx, func(tx *db.Tx) (err error) {
				accts, err = demo.Generate(ctx, access.System("test"), tx, demo.Options{Seed: 1, Students: 30})
				return err
			}); err != nil {
				t.Fatal(err)
			}
			d0 = d
		}
		store, err := files.Open(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		s, err := web.New(web.Options{DB: d, BaseURL: "http://127.0.0.1", Log: slog.New(slog.DiscardHandler), Files: store})
		if err != nil {
			t.Fatal(err)
		}
		ts := httptest.NewServer(s.Handler())
		t.Cleanup(ts.Close)
		urls = append(urls, ts.URL)
	}
	e = &env{t: t, db: d0, accounts: accts, clock: &clock{at: time.Now()}}
	return urls, d0, accts, e
}

// The communication rules' edits are facts of the directory's version too:
// the head's edit through one replica decides the next request on the
// other, which had cached the rules before.
func TestCommRulesAcrossReplicas(t *testing.T) {
	urls, _, accts, e := twoReplicas(t)
	var student, head demo.Account
	for _, a := range accts {
		if student.Login == "" && a.Profile == roles.Student {
			student = a
		}
		if head.Login == "" && has(roles.Head)(a) {
			head = a
		}
	}
	me := e.person(student.Login)
	mates := e.query(`SELECT o.student_id FROM enrolments m JOIN enrolments o ON o.class_id = m.class_id
		WHERE m.student_id = ? AND o.student_id <> ? ORDER BY o.student_id`, me.ID, me.ID)
	if len(mates) == 0 {
		t.Fatal("the student has no classmate")
	}
	mate := e.row(mates[0])
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
	sc := client(student.Login)
	refused := func(i int) bool {
		t.Helper()
		resp, err := sc.Get(urls[i] + "/messages/why?q=" + url.QueryEscape(mate.LastName))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return strings.Contains(string(b), "Les élèves ne peuvent pas écrire aux élèves")
	}
	for i := range urls {
		if !refused(i) {
			t.Fatalf("replica %d: a classmate reachable by default", i)
		}
	}
	hc := client(head.Login)
	resp, err := hc.Get(urls[0] + "/messages/rules")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindSubmatch(b)
	if m == nil {
		t.Fatal("no form token on the rules page")
	}
	resp, err = hc.PostForm(urls[0]+"/messages/rules", url.Values{"csrf": {string(m[1])}, "retention": {"365"}, "rule.student>student": {"linked"}})
	if err != nil || resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("the head's edit: %v %v", err, resp)
	}
	resp.Body.Close()
	for i := range urls {
		if refused(i) {
			t.Errorf("replica %d: the edit made on replica 0 is not seen at the next request", i)
		}
	}
}
