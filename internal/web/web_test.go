package web_test

import (
	"compress/gzip"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"cartable/internal/access"
	"cartable/internal/audit"
	"cartable/internal/auth"
	"cartable/internal/db"
	"cartable/internal/dbtest"
	"cartable/internal/demo"
	"cartable/internal/directory"
	"cartable/internal/files"
	"cartable/internal/web"
)

// env is a real server over a real database holding the demo school.
type env struct {
	t        testing.TB
	db       *db.DB
	srv      *web.Server
	ts       *httptest.Server
	accounts []demo.Account
	clock    *clock
	secrets  map[string]string // login → TOTP secret, of those signInStrong enrolled
}

type clock struct {
	mu sync.Mutex
	at time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.at }
func (c *clock) Add(d time.Duration) { c.mu.Lock(); c.at = c.at.Add(d); c.mu.Unlock() }

func newEnv(t testing.TB, students int) *env {
	t.Helper()
	ctx := context.Background()
	d := dbtest.Open(t)
	var accts []demo.Account
	err := d.Tx(ctx, func(tx *db.Tx) (err error) {
		if accts, err = demo.Generate(ctx, access.System("test"), tx, demo.Options{Seed: 1, Students: students}); err != nil {
			return err
		}
		return demo.GenerateTimetable(ctx, access.System("test"), tx, demo.TimetableOptions{Seed: 1, Today: time.Now().Format("2006-01-02")})
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
	s, err := web.New(web.Options{DB: d, BaseURL: "http://127.0.0.1", Log: slog.New(slog.DiscardHandler), Files: store})
	if err != nil {
		t.Fatal(err)
	}
	c := &clock{at: time.Now()}
	s.Sessions.Now = c.Now
	s.Now = c.Now
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(ts.Close)
	return &env{t: t, db: d, srv: s, ts: ts, accounts: accts, clock: c}
}

// browser is a cookie-keeping client that does not follow redirects.
type browser struct {
	e      *env
	client *http.Client
}

func (e *env) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{e: e, client: &http.Client{Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

type response struct {
	status int
	header http.Header
	body   string
}

func (b *browser) do(method, path string, form url.Values, hdr map[string]string) response {
	b.e.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, b.e.ts.URL+path, body)
	if err != nil {
		b.e.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := b.client.Do(req)
	if err != nil {
		b.e.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return response{status: resp.StatusCode, header: resp.Header, body: string(raw)}
}

func (b *browser) get(path string) response { return b.do("GET", path, nil, nil) }
func (b *browser) post(path string, form url.Values) response {
	return b.do("POST", path, form, nil)
}

var csrfRe = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func (b *browser) csrf() string {
	b.e.t.Helper()
	m := csrfRe.FindStringSubmatch(b.get("/").body)
	if m == nil {
		b.e.t.Fatal("no csrf token on the home page")
	}
	return m[1]
}

func (e *env) signIn(login string) *browser {
	e.t.Helper()
	b := e.browser()
	r := b.post("/sign-in", url.Values{"login": {login}, "password": {demo.DefaultPassword}})
	if secret := e.secrets[login]; secret != "" && r.header.Get("Location") == "/sign-in/second-factor" {
		// An app set up by signInStrong: its next code completes the sign-in.
		e.clock.Add(30 * time.Second)
		code, _ := auth.TOTPCode(secret, e.clock.Now())
		r = b.post("/sign-in/second-factor", url.Values{"csrf": {formToken(e.t, b.get("/sign-in/second-factor").body)},
			"method": {"totp"}, "code": {code}})
	}
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/" {
		e.t.Fatalf("sign-in of %s: status %d → %s, body %.200s", login, r.status, r.header.Get("Location"), r.body)
	}
	return b
}

func (e *env) account(pred func(demo.Account) bool) demo.Account {
	e.t.Helper()
	for _, a := range e.accounts {
		if pred(a) {
			return a
		}
	}
	e.t.Fatal("no demo account matches")
	return demo.Account{}
}

// sys reads the directory for the tests' own checks: the system viewer.
var sys = access.System("test")

func (e *env) person(login string) directory.Person {
	e.t.Helper()
	ps, err := directory.PeopleByLogins(context.Background(), sys, e.db, []string{login})
	if err != nil || len(ps) != 1 {
		e.t.Fatalf("person %s: %v", login, err)
	}
	return ps[0]
}

// row is a person's whole row.
func (e *env) row(id string) directory.Person {
	e.t.Helper()
	p, err := directory.PersonRow(context.Background(), sys, e.db, id)
	if err != nil {
		e.t.Fatalf("person %s: %v", id, err)
	}
	return p
}

// record is a person's record (classes, groups, family, teaching).
func (e *env) record(id string) *directory.Record {
	e.t.Helper()
	p, err := directory.ViewPerson(context.Background(), sys, e.db, id)
	if err != nil || p.Record == nil {
		e.t.Fatalf("record of %s: %v", id, err)
	}
	return p.Record
}

// roster is the active students of a class, by name.
func (e *env) roster(classID string) []directory.Person {
	e.t.Helper()
	c, err := directory.ViewClass(context.Background(), sys, e.db, classID)
	if err != nil {
		e.t.Fatalf("class %s: %v", classID, err)
	}
	out := make([]directory.Person, len(c.Roster))
	for i, s := range c.Roster {
		out[i] = e.row(s.ID)
	}
	return out
}

// relatives is the active relatives of a student.
func (e *env) relatives(studentID string) []directory.Person {
	e.t.Helper()
	var out []directory.Person
	for _, k := range e.record(studentID).Relatives {
		out = append(out, e.row(k.ID))
	}
	return out
}

// memberships lists the establishments a person is attached to.
func (e *env) memberships(id string) []string {
	e.t.Helper()
	ms, err := directory.Memberships(context.Background(), sys, e.db, id)
	if err != nil {
		e.t.Fatalf("establishments of %s: %v", id, err)
	}
	return ms
}

func has(s ...string) func(demo.Account) bool {
	return func(a demo.Account) bool {
		for _, f := range a.Functions {
			if f == s[0] {
				return true
			}
		}
		return false
	}
}

func TestSignInFlow(t *testing.T) {
	e := newEnv(t, 60)
	b := e.browser()

	r := b.get("/")
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/sign-in" {
		t.Fatalf("anonymous home: %d %s", r.status, r.header.Get("Location"))
	}
	r = b.get("/sign-in")
	if r.status != 200 || !strings.Contains(r.body, "Se connecter") || !strings.Contains(r.body, `lang="fr"`) {
		t.Fatalf("sign-in page is not the French form: %d", r.status)
	}

	student := e.account(func(a demo.Account) bool { return a.Profile == "student" })
	// A wrong password and an unknown login get the same answer, and the
	// typed login is kept in the form.
	wrong := b.post("/sign-in", url.Values{"login": {student.Login}, "password": {"not-the-password"}})
	unknown := b.post("/sign-in", url.Values{"login": {"nobody.here"}, "password": {"not-the-password"}})
	for _, r := range []response{wrong, unknown} {
		if r.status != http.StatusUnauthorized || !strings.Contains(r.body, "Identifiant ou mot de passe incorrect") {
			t.Fatalf("failed sign-in: %d %.300s", r.status, r.body)
		}
	}
	if !strings.Contains(wrong.body, `value="`+student.Login+`"`) {
		t.Error("the typed login was not kept after a failed sign-in")
	}
	if r := b.post("/sign-in", url.Values{"login": {student.Login}}); r.status != http.StatusUnprocessableEntity {
		t.Errorf("missing password: status %d", r.status)
	}
	if r := b.post("/sign-in", url.Values{"login": {strings.Repeat("a", 20000)}, "password": {"x"}}); r.status != http.StatusBadRequest && r.status != http.StatusUnauthorized {
		t.Errorf("oversized form: status %d", r.status)
	}

	b = e.signIn(student.Login)
	home := b.get("/")
	if home.status != 200 || !strings.Contains(home.body, "Bonjour") || !strings.Contains(home.body, strings.SplitN(student.Name, " ", 2)[0]) {
		t.Fatalf("student home: %d %.300s", home.status, home.body)
	}
	// Sign-out needs the form token.
	if r := b.post("/sign-out", url.Values{}); r.status != http.StatusForbidden {
		t.Errorf("sign-out without token: status %d", r.status)
	}
	token := b.csrf()
	if r := b.post("/sign-out", url.Values{"csrf": {token}}); r.status != http.StatusSeeOther {
		t.Fatalf("sign-out: status %d", r.status)
	}
	if r := b.get("/"); r.status != http.StatusSeeOther {
		t.Errorf("after sign-out the session still works: %d", r.status)
	}

	// The trail holds the failures and the success, and no login text.
	events, err := audit.List(context.Background(), e.db, audit.Filter{Action: audit.SignIn, Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	var fail, ok int
	for _, ev := range events {
		if strings.Contains(ev.Target, "nobody") || strings.Contains(ev.Target, student.Login) {
			t.Errorf("audit target holds a login: %q", ev.Target)
		}
		switch ev.Outcome {
		case audit.Failure:
			fail++
		case audit.Success:
			ok++
		}
	}
	if fail < 2 || ok < 1 {
		t.Errorf("audit: %d failures, %d successes", fail, ok)
	}
	outs, _ := audit.List(context.Background(), e.db, audit.Filter{Action: audit.SignOut})
	if len(outs) != 1 {
		t.Errorf("sign-out audited %d times", len(outs))
	}
}

// sessionToken is the session cookie the browser holds, "" when none.
func (b *browser) sessionToken() string {
	u, _ := url.Parse(b.e.ts.URL)
	for _, c := range b.client.Jar.Cookies(u) {
		if c.Name == "cartable" {
			return c.Value
		}
	}
	return ""
}

// signedOut checks that a request was sent to the sign-in page, that the
// browser's cookie was cleared and that the session behind token is gone
// from the database.
func (e *env) signedOut(b *browser, r response, token, what string) {
	e.t.Helper()
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/sign-in" {
		e.t.Fatalf("%s: %d to %q, want 303 to /sign-in", what, r.status, r.header.Get("Location"))
	}
	if b.sessionToken() != "" {
		e.t.Errorf("%s: the session cookie was not cleared", what)
	}
	var n int
	if err := e.db.QueryRow(context.Background(), `SELECT COUNT(*) FROM sessions WHERE token_hash = ?`, auth.HashToken(token)).Scan(&n); err != nil {
		e.t.Fatal(err)
	}
	if n != 0 {
		e.t.Errorf("%s: the session row is still there", what)
	}
	if _, err := e.srv.Sessions.Lookup(context.Background(), token); !errors.Is(err, auth.ErrNoSession) {
		e.t.Errorf("%s: the token still opens a session: %v", what, err)
	}
}

func TestSessionTimeouts(t *testing.T) {
	e := newEnv(t, 30)
	teacher := e.account(func(a demo.Account) bool { return a.Profile == "teacher" })
	b := e.signIn(teacher.Login)
	token := b.sessionToken()
	if token == "" {
		t.Fatal("no session cookie after sign-in")
	}
	e.clock.Add(20 * time.Minute)
	if r := b.get("/"); r.status != 200 {
		t.Fatalf("20 minutes idle should keep the session: %d", r.status)
	}
	// The idle limit is 30 minutes since the last request: a second before
	// it, the session still works (and the request renews it).
	e.clock.Add(30*time.Minute - time.Second)
	if r := b.get("/"); r.status != 200 {
		t.Fatalf("a second before the idle limit the session should work: %d", r.status)
	}
	e.clock.Add(30 * time.Minute)
	e.signedOut(b, b.get("/"), token, "30 minutes idle")

	// Absolute limit: active every 20 minutes, the session works until a
	// second before 12 hours and ends at 12 hours.
	b = e.signIn(teacher.Login)
	token = b.sessionToken()
	for i := 0; i < 35; i++ {
		e.clock.Add(20 * time.Minute)
		if r := b.get("/"); r.status != 200 {
			t.Fatalf("session ended early, after %d×20 minutes", i+1)
		}
	}
	e.clock.Add(20*time.Minute - time.Second)
	if r := b.get("/"); r.status != 200 {
		t.Fatalf("a second before the absolute limit the session should work: %d", r.status)
	}
	e.clock.Add(time.Second)
	e.signedOut(b, b.get("/"), token, "the absolute limit")

	// A forged cookie is just anonymous.
	f := e.browser()
	u, _ := url.Parse(e.ts.URL)
	f.client.Jar.SetCookies(u, []*http.Cookie{{Name: "cartable", Value: "forged-token"}})
	e.signedOut(f, f.get("/"), "forged-token", "forged cookie")
}

func TestDeactivatedAccountIsSignedOut(t *testing.T) {
	e := newEnv(t, 30)
	st := e.account(func(a demo.Account) bool { return a.Profile == "student" })
	b := e.signIn(st.Login)
	if _, err := e.db.Exec(context.Background(), `UPDATE people SET active = FALSE WHERE login = ?`, st.Login); err != nil {
		t.Fatal(err)
	}
	if r := b.get("/"); r.status != http.StatusSeeOther {
		t.Fatalf("a deactivated account still sees pages: %d", r.status)
	}
	r := e.browser().post("/sign-in", url.Values{"login": {st.Login}, "password": {demo.DefaultPassword}})
	if r.status != http.StatusUnauthorized || !strings.Contains(r.body, "Identifiant ou mot de passe incorrect") {
		t.Fatalf("a deactivated account can sign in: %d", r.status)
	}
}

func TestCrossOriginPostRefused(t *testing.T) {
	e := newEnv(t, 30)
	st := e.account(func(a demo.Account) bool { return a.Profile == "student" })
	r := e.browser().do("POST", "/sign-in", url.Values{"login": {st.Login}, "password": {demo.DefaultPassword}},
		map[string]string{"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"})
	if r.status != http.StatusForbidden {
		t.Fatalf("cross-site sign-in: %d", r.status)
	}
}

func TestRelativeSeesOwnChildrenOnly(t *testing.T) {
	e := newEnv(t, 120)
	byLogin := map[string]demo.Account{}
	for _, a := range e.accounts {
		byLogin[a.Login] = a
	}
	// A parent of two children at least, one of whom has another relative.
	parent := e.account(func(a demo.Account) bool {
		if a.Profile != "relative" || len(a.Children) < 2 {
			return false
		}
		for _, c := range a.Children {
			for _, r := range byLogin[c].Relatives {
				if r != a.Login {
					return true
				}
			}
		}
		return false
	})
	b := e.signIn(parent.Login)
	home := b.get("/")
	for _, c := range parent.Children {
		p := e.person(c)
		if !strings.Contains(home.body, p.FirstName) {
			t.Errorf("home of a parent lacks child %s", c)
		}
		r := b.get("/?child=" + p.ID)
		if r.status != 200 || !strings.Contains(r.body, p.FirstName) {
			t.Errorf("switching to own child: %d", r.status)
		}
		if r := b.get("/people/" + p.ID); r.status != 200 {
			t.Errorf("own child's record: %d", r.status)
		}
	}
	// The parent's refusals, newest first: none so far.
	me := e.person(parent.Login)
	refusals := func() []string {
		events, err := audit.List(context.Background(), e.db, audit.Filter{ActorID: me.ID, Action: audit.AccessRefused})
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, ev := range events {
			if ev.Outcome != audit.Denied {
				t.Errorf("refusal audited with outcome %q", ev.Outcome)
			}
			out = append(out, ev.Target)
		}
		return out
	}
	if r := refusals(); len(r) != 0 {
		t.Fatalf("the parent's own children were refused: %v", r)
	}
	// refused asks for path and checks the answer is a 404 that shows
	// nothing of the person, audited as a refusal naming them.
	refused := func(path string, p directory.Person, what string) {
		t.Helper()
		before := refusals()
		r := b.get(path)
		if r.status != http.StatusNotFound || strings.Contains(r.body, p.LastName+"</") || (p.BirthDate != "" && strings.Contains(r.body, p.BirthDate)) {
			t.Errorf("%s for %s: %d", path, what, r.status)
		}
		after := refusals()
		if len(after) != len(before)+1 || after[0] != "person:"+p.ID {
			t.Errorf("%s for %s: refusals audited %v, want one more naming person:%s", path, what, after, p.ID)
		}
	}
	// Another family's child: nothing, on every route.
	mine := map[string]bool{}
	for _, c := range parent.Children {
		mine[c] = true
	}
	other := e.account(func(a demo.Account) bool { return a.Profile == "student" && !mine[a.Login] })
	op := e.person(other.Login)
	for _, path := range []string{"/?child=" + op.ID, "/people/" + op.ID} {
		refused(path, op, "another family's child")
	}
	// The other relatives of the children are not visible to this parent.
	coParents := map[string]bool{}
	for _, c := range parent.Children {
		for _, k := range e.relatives(e.person(c).ID) {
			if k.Login != parent.Login && !coParents[k.ID] {
				coParents[k.ID] = true
				refused("/people/"+k.ID, k, "the co-parent")
			}
		}
	}
	if len(coParents) == 0 {
		t.Fatal("no child has another relative: the test proves nothing about co-parents")
	}
}

func TestStudentAndTeacherScopes(t *testing.T) {
	e := newEnv(t, 120)
	ctx := context.Background()
	st := e.account(func(a demo.Account) bool { return a.Profile == "student" && len(a.Classes) > 0 })
	sp := e.person(st.Login)
	classes := e.record(sp.ID).Classes
	mates := e.roster(classes[0].ID)
	var mate directory.Person
	for _, m := range mates {
		if m.ID != sp.ID {
			mate = m
			break
		}
	}
	b := e.signIn(st.Login)
	r := b.get("/people/" + mate.ID)
	if r.status != 200 || !strings.Contains(r.body, mate.LastName) {
		t.Fatalf("classmate's card: %d", r.status)
	}
	if mate.BirthDate != "" && strings.Contains(r.body, mate.BirthDate) {
		t.Error("a student sees a classmate's birth date")
	}
	if r := b.get("/classes/" + classes[0].ID); r.status != 200 || !strings.Contains(r.body, mate.LastName) {
		t.Errorf("own class roster: %d", r.status)
	}
	all, _ := directory.ClassesOfEstablishment(ctx, e.db, classes[0].EstablishmentID)
	for _, c := range all {
		if c.ID != classes[0].ID {
			if r := b.get("/classes/" + c.ID); r.status != http.StatusNotFound {
				t.Errorf("a student opens another class: %d", r.status)
			}
			others := e.roster(c.ID)
			if len(others) > 0 {
				if r := b.get("/people/" + others[0].ID); r.status != http.StatusNotFound && !sharesGroup(ctx, t, e, sp.ID, others[0].ID) {
					t.Errorf("a student sees a student of another class: %d", r.status)
				}
			}
			break
		}
	}

	// A teacher sees the roster of a class taught, and not another's.
	teacher := e.account(func(a demo.Account) bool { return a.Profile == "teacher" })
	tp := e.person(teacher.Login)
	tb := e.signIn(teacher.Login)
	taught := taughtClasses(ctx, t, e, tp.ID)
	if len(taught) == 0 {
		t.Fatal("demo teacher teaches nothing")
	}
	if r := tb.get("/classes/" + taught[0]); r.status != 200 || !strings.Contains(r.body, "<ol class=\"roster\">") {
		t.Errorf("teacher's own class: %d", r.status)
	}
	set := map[string]bool{}
	for _, c := range taught {
		set[c] = true
	}
	for _, c := range all {
		if !set[c.ID] {
			r := tb.get("/classes/" + c.ID)
			if r.status != 200 || strings.Contains(r.body, "<ol class=\"roster\">") {
				t.Errorf("teacher on a class not taught: %d, roster shown=%v", r.status, strings.Contains(r.body, "roster"))
			}
			stu := e.roster(c.ID)
			if len(stu) > 0 && !teaches(ctx, t, e, tp.ID, stu[0].ID) {
				if r := tb.get("/people/" + stu[0].ID); r.status != http.StatusNotFound {
					t.Errorf("teacher sees a student not taught: %d", r.status)
				}
			}
			break
		}
	}
}

// taughtClasses lists the classes a teacher teaches, directly or through a
// group drawn from them, or heads.
func taughtClasses(ctx context.Context, t *testing.T, e *env, teacher string) []string {
	ids, err := db.Strings(ctx, e.db, `SELECT a.class_id FROM teaching_assignments a WHERE a.teacher_id = ? AND a.class_id IS NOT NULL
		UNION SELECT gc.class_id FROM teaching_assignments a JOIN group_classes gc ON gc.group_id = a.group_id WHERE a.teacher_id = ?
		UNION SELECT h.class_id FROM head_teachers h WHERE h.teacher_id = ?`, teacher, teacher, teacher)
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(ids)
	return ids
}

func sharesGroup(ctx context.Context, t *testing.T, e *env, a, b string) bool {
	var n int
	if err := e.db.QueryRow(ctx, `SELECT COUNT(*) FROM group_members x JOIN group_members y ON x.group_id = y.group_id
		WHERE x.student_id = ? AND y.student_id = ?`, a, b).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n > 0
}

func teaches(ctx context.Context, t *testing.T, e *env, teacher, student string) bool {
	var n int
	if err := e.db.QueryRow(ctx, `SELECT COUNT(*) FROM teaching_assignments a WHERE a.teacher_id = ? AND (
		a.class_id IN (SELECT class_id FROM enrolments WHERE student_id = ?) OR
		a.group_id IN (SELECT group_id FROM group_members WHERE student_id = ?))`, teacher, student, student).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n > 0
}

func TestForeignEstablishmentRefused(t *testing.T) {
	e := newEnv(t, 60)
	ctx := context.Background()
	head := e.account(func(a demo.Account) bool {
		return has("head")(a) && a.Establishment == demo.MainUAI && len(a.Establishments) == 1
	})
	b := e.signIn(head.Login)
	main, _ := directory.EstablishmentByUAI(ctx, e.db, demo.MainUAI)
	second, _ := directory.EstablishmentByUAI(ctx, e.db, demo.SecondUAI)
	if r := b.get("/establishments/" + main.ID); r.status != 200 {
		t.Errorf("own establishment: %d", r.status)
	}
	if r := b.get("/establishments/" + second.ID); r.status != http.StatusNotFound {
		t.Errorf("foreign establishment: %d", r.status)
	}
	classes, _ := directory.ClassesOfEstablishment(ctx, e.db, second.ID)
	if r := b.get("/classes/" + classes[0].ID); r.status != http.StatusNotFound {
		t.Errorf("foreign class: %d", r.status)
	}
	for _, s := range e.roster(classes[0].ID) {
		if len(e.memberships(s.ID)) == 1 {
			if r := b.get("/people/" + s.ID); r.status != http.StatusNotFound {
				t.Errorf("foreign student: %d", r.status)
			}
			break
		}
	}
}

var externalRef = regexp.MustCompile(`(?i)(src|href|action)="(https?:)?//`)

func TestEveryProfilePageIsLightAndSelfContained(t *testing.T) {
	e := newEnv(t, 120)
	profiles := map[string]bool{}
	for _, a := range e.accounts {
		key := a.Profile + strings.Join(a.Functions, ",")
		if profiles[key] {
			continue
		}
		profiles[key] = true
		b := e.signIn(a.Login)
		r := b.do("GET", "/", nil, map[string]string{"Accept-Encoding": "gzip"})
		if r.status != 200 {
			t.Fatalf("%s home: %d", key, r.status)
		}
		if r.header.Get("Content-Encoding") != "gzip" {
			t.Fatalf("%s home is not compressed", key)
		}
		if len(r.body) > 30<<10 {
			t.Errorf("%s home weighs %d bytes compressed", key, len(r.body))
		}
		zr, err := gzip.NewReader(strings.NewReader(r.body))
		if err != nil {
			t.Fatal(err)
		}
		html, _ := io.ReadAll(zr)
		if externalRef.Match(html) {
			t.Errorf("%s home refers to another host: %s", key, externalRef.Find(html))
		}
		for _, want := range []string{`<main id="main"`, `href="/legal"`, `lang="fr"`, `<a class="skip"`} {
			if !strings.Contains(string(html), want) {
				t.Errorf("%s home lacks %s", key, want)
			}
		}
		h := r.header
		if csp := h.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") || strings.Contains(csp, "unsafe-inline") {
			t.Errorf("CSP: %q", csp)
		}
		if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") == "" {
			t.Errorf("security headers missing: %v", h)
		}
	}
	if len(profiles) < 6 {
		t.Errorf("only %d kinds of accounts tried", len(profiles))
	}
}

func TestLegalPageLanguageAndProbes(t *testing.T) {
	e := newEnv(t, 30)
	b := e.browser()
	r := b.get("/legal")
	if r.status != 200 || !strings.Contains(r.body, "trois mois") || !strings.Contains(r.body, "Responsable du traitement") {
		t.Fatalf("legal page: %d", r.status)
	}
	r = b.post("/language", url.Values{"lang": {"en"}, "next": {"/legal"}})
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/legal" {
		t.Fatalf("language switch: %d %s", r.status, r.header.Get("Location"))
	}
	r = b.get("/legal")
	if !strings.Contains(r.body, "three months") || !strings.Contains(r.body, `lang="en"`) {
		t.Fatal("English legal page not served after switching")
	}
	if r := b.post("/language", url.Values{"lang": {"en"}, "next": {"//evil.example/"}}); r.header.Get("Location") != "/" {
		t.Errorf("open redirect through next: %s", r.header.Get("Location"))
	}
	if r := b.get("/healthz"); r.status != 200 {
		t.Errorf("healthz: %d", r.status)
	}
	if r := b.get("/readyz"); r.status != 200 {
		t.Errorf("readyz: %d", r.status)
	}
	if r := b.get("/no/such/page"); r.status != 404 {
		t.Errorf("unknown page: %d", r.status)
	}
	if r := b.get("/static/style.css"); r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/css") {
		t.Errorf("stylesheet: %d %s", r.status, r.header.Get("Content-Type"))
	}
}
