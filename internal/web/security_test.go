package web_test

import (
	"context"
	"io"
	"log/slog"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"net/netip"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"cartable/internal/access"
	"cartable/internal/audit"
	"cartable/internal/auth"
	"cartable/internal/demo"
	"cartable/internal/directory"
	cmail "cartable/internal/mail"
	"cartable/internal/mail/smtptest"
	"cartable/internal/roles"
	"cartable/internal/web"
)

// requireMFA gives the demo establishments the default policy: a second
// factor for teachers, staff and admins (the demo itself relaxes it).
func (e *env) requireMFA() {
	e.t.Helper()
	ctx := context.Background()
	for _, uai := range []string{demo.MainUAI, demo.SecondUAI} {
		est, err := directory.EstablishmentByUAI(ctx, e.db, uai)
		if err != nil {
			e.t.Fatal(err)
		}
		if err := auth.SetMFAPolicy(ctx, e.db, access.System("test"), est.ID, auth.DefaultMFAProfiles, nil, time.Now()); err != nil {
			e.t.Fatal(err)
		}
	}
}

// smtp starts a real SMTP server and points the server's mail at it.
func (e *env) smtp() *smtptest.Server {
	e.t.Helper()
	srv, err := smtptest.Start()
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(srv.Close)
	host, port, _ := net.SplitHostPort(srv.Addr)
	p, _ := strconv.Atoi(port)
	e.srv.Auth.Mail = &cmail.SMTP{Host: host, Port: p, From: "Cartable <ent@college.example.fr>", Security: cmail.None}
	return srv
}

func receive(t *testing.T, srv *smtptest.Server) (to, subject, body string) {
	t.Helper()
	select {
	case m := <-srv.Messages:
		msg, err := mail.ReadMessage(strings.NewReader(m.Data))
		if err != nil {
			t.Fatal(err)
		}
		subject, _ = new(mimeWordDecoder).DecodeHeader(msg.Header.Get("Subject"))
		raw, _ := io.ReadAll(quotedprintable.NewReader(msg.Body))
		return m.To[0], subject, string(raw)
	case <-time.After(10 * time.Second):
		t.Fatal("no e-mail received")
	}
	return
}

func formToken(t testing.TB, body string) string {
	t.Helper()
	m := csrfRe.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no form token in %.300s", body)
	}
	return m[1]
}

func (b *browser) cookie(name string) string {
	u, _ := url.Parse(b.e.ts.URL)
	for _, c := range b.client.Jar.Cookies(u) {
		if c.Name == name {
			return c.Value
		}
	}
	return ""
}

var (
	secretRe   = regexp.MustCompile(`id="secret">([A-Z2-7 ]+)<`)
	recoveryRe = regexp.MustCompile(`<li><code>([a-z0-9]{5}-[a-z0-9]{5})</code></li>`)
)

func TestForcedTOTPEnrolmentSignInAndRecoveryCodes(t *testing.T) {
	e := newEnv(t, 40)
	e.requireMFA()
	teacher := e.account(func(a demo.Account) bool { return a.Profile == "teacher" })
	me := e.person(teacher.Login)
	b := e.browser()
	r := b.post("/sign-in", url.Values{"login": {teacher.Login}, "password": {demo.DefaultPassword}})
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/sign-in/second-factor" {
		t.Fatalf("sign-in of a teacher without second factor: %d → %s", r.status, r.header.Get("Location"))
	}
	// Nothing else is possible before the enrolment.
	for _, p := range []string{"/", "/people/" + me.ID, "/account"} {
		if r := b.get(p); r.status != http.StatusSeeOther || r.header.Get("Location") != "/sign-in/second-factor" {
			t.Fatalf("GET %s before enrolment: %d → %s", p, r.status, r.header.Get("Location"))
		}
	}
	r = b.get("/sign-in/second-factor")
	if r.status != 200 || !strings.Contains(r.body, "Protégez votre compte") {
		t.Fatalf("enrolment page: %d %.300s", r.status, r.body)
	}
	csrf := formToken(t, r.body)
	if r := b.post("/account/password", url.Values{"csrf": {csrf}, "current": {demo.DefaultPassword}, "new": {"x"}}); r.status != http.StatusForbidden {
		t.Fatalf("a state change before enrolment: %d", r.status)
	}
	if r := b.post("/account/totp/start", url.Values{"csrf": {csrf}}); r.status != http.StatusSeeOther {
		t.Fatalf("start: %d %.300s", r.status, r.body)
	}
	r = b.get("/account/totp")
	m := secretRe.FindStringSubmatch(r.body)
	if r.status != 200 || m == nil || !strings.Contains(r.body, `<svg class="qr"`) {
		t.Fatalf("TOTP page without QR code or secret: %d %.500s", r.status, r.body)
	}
	secret := strings.ReplaceAll(m[1], " ", "")
	// A second enrolment while one is pending changes nothing.
	r = b.post("/account/totp/start", url.Values{"csrf": {csrf}})
	if m2 := secretRe.FindStringSubmatch(r.body); r.status != http.StatusConflict || m2 == nil || strings.ReplaceAll(m2[1], " ", "") != secret {
		t.Fatalf("second enrolment: %d", r.status)
	}
	if r := b.post("/account/totp/confirm", url.Values{"csrf": {csrf}, "code": {"123456"}}); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "ne correspond pas") {
		t.Fatalf("wrong code: %d", r.status)
	}
	if r := b.get("/"); r.status != http.StatusSeeOther {
		t.Fatal("a wrong code opened the session")
	}
	before := b.cookie("cartable")
	code, _ := auth.TOTPCode(secret, e.clock.Now())
	// Post/redirect/get: the codes are shown once, on the page the
	// confirmation leads to, and never in its address.
	r = b.post("/account/totp/confirm", url.Values{"csrf": {csrf}, "code": {code}})
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/account/recovery-codes" {
		t.Fatalf("confirm: %d to %q", r.status, r.header.Get("Location"))
	}
	r = b.get("/account/recovery-codes")
	codes := recoveryRe.FindAllStringSubmatch(r.body, -1)
	if r.status != 200 || len(codes) != 10 {
		t.Fatalf("recovery codes page: %d, %d recovery codes", r.status, len(codes))
	}
	if r := b.get("/account/recovery-codes"); r.status != http.StatusSeeOther || recoveryRe.MatchString(r.body) {
		t.Fatalf("the codes are shown again on a reload: %d", r.status)
	}
	if after := b.cookie("cartable"); after == before || after == "" {
		t.Error("the session identifier did not change with the privilege")
	}
	if r := b.get("/"); r.status != 200 {
		t.Fatalf("home after enrolment: %d", r.status)
	}
	if b.cookie("cartable-device") == "" {
		t.Error("the browser was not marked as known")
	}

	// Next sign-in: the code already used is refused, the next one works.
	b2 := e.browser()
	if r := b2.post("/sign-in", url.Values{"login": {teacher.Login}, "password": {demo.DefaultPassword}}); r.header.Get("Location") != "/sign-in/second-factor" {
		t.Fatalf("second sign-in: %d → %s", r.status, r.header.Get("Location"))
	}
	r = b2.get("/sign-in/second-factor")
	csrf2 := formToken(t, r.body)
	if !strings.Contains(r.body, `autocomplete="one-time-code"`) {
		t.Fatalf("verification page: %.300s", r.body)
	}
	if r := b2.post("/sign-in/second-factor", url.Values{"csrf": {csrf2}, "method": {"totp"}, "code": {code}}); r.status != http.StatusUnauthorized {
		t.Fatalf("a reused code: %d", r.status)
	}
	e.clock.Add(30 * time.Second)
	next, _ := auth.TOTPCode(secret, e.clock.Now())
	if r := b2.post("/sign-in/second-factor", url.Values{"csrf": {csrf2}, "method": {"totp"}, "code": {next}}); r.status != http.StatusSeeOther || r.header.Get("Location") != "/" {
		t.Fatalf("next code: %d %s", r.status, r.header.Get("Location"))
	}
	if r := b2.get("/"); r.status != 200 {
		t.Fatalf("home: %d", r.status)
	}

	// Recovery codes work once each.
	useRecovery := func(c string) int {
		b := e.browser()
		b.post("/sign-in", url.Values{"login": {teacher.Login}, "password": {demo.DefaultPassword}})
		tok := formToken(t, b.get("/sign-in/second-factor").body)
		return b.post("/sign-in/second-factor", url.Values{"csrf": {tok}, "method": {"recovery"}, "code": {c}}).status
	}
	if st := useRecovery(strings.ToUpper(codes[0][1])); st != http.StatusSeeOther {
		t.Fatalf("recovery code: %d", st)
	}
	if st := useRecovery(codes[0][1]); st != http.StatusUnauthorized {
		t.Fatalf("a recovery code used twice: %d", st)
	}
	if st := useRecovery(strings.Repeat("x", 5000)); st != http.StatusUnauthorized {
		t.Fatalf("oversized code: %d", st)
	}
	events, _ := audit.List(context.Background(), e.db, audit.Filter{Action: audit.SecondFactor})
	var failed int
	for _, ev := range events {
		if ev.Outcome == audit.Failure {
			failed++
		}
	}
	if failed < 3 {
		t.Errorf("%d failed second factors audited, want 3", failed)
	}
}

func TestEndingASessionTakesEffectOnTheNextRequest(t *testing.T) {
	e := newEnv(t, 40)
	st := e.account(func(a demo.Account) bool { return a.Profile == "student" })
	a, b := e.signIn(st.Login), e.signIn(st.Login)
	page := a.get("/account")
	if page.status != 200 {
		t.Fatalf("account page: %d", page.status)
	}
	handles := regexp.MustCompile(`name="session" value="([0-9a-f]+)"`).FindAllStringSubmatch(page.body, -1)
	if len(handles) != 2 || !strings.Contains(page.body, "cet appareil") {
		t.Fatalf("%d sessions listed", len(handles))
	}
	// The current session comes first (most recent activity); find the other.
	cur := regexp.MustCompile(`(?s)<tr class="current">.*?name="session" value="([0-9a-f]+)"`).FindStringSubmatch(page.body)
	var other string
	for _, h := range handles {
		if h[1] != cur[1] {
			other = h[1]
		}
	}
	csrf := formToken(t, page.body)
	if r := a.post("/account/sessions/end", url.Values{"csrf": {csrf}, "session": {other}}); r.status != http.StatusSeeOther {
		t.Fatalf("end session: %d", r.status)
	}
	if r := b.get("/"); r.status != http.StatusSeeOther || r.header.Get("Location") != "/sign-in" {
		t.Fatalf("the ended session still works: %d", r.status)
	}
	if r := a.get("/"); r.status != 200 {
		t.Fatalf("the current session was ended too: %d", r.status)
	}
	if r := a.post("/account/sessions/end", url.Values{"csrf": {csrf}, "session": {other}}); r.status != http.StatusNotFound {
		t.Fatalf("ending an ended session: %d", r.status)
	}
	// An administrator ends every session of the student.
	admin := e.account(func(a demo.Account) bool { return a.Profile == "admin" })
	ad := e.signIn(admin.Login)
	p := e.person(st.Login)
	if r := ad.post("/admin/people/"+p.ID+"/sessions/end", url.Values{"csrf": {ad.csrf()}}); r.status != http.StatusSeeOther {
		t.Fatalf("admin ends sessions: %d", r.status)
	}
	if r := a.get("/"); r.status != http.StatusSeeOther {
		t.Fatal("the administrator's ending did not take effect")
	}
	// A teacher may not; the refusal looks like a missing page.
	teacher := e.account(func(a demo.Account) bool { return a.Profile == "teacher" })
	tb := e.signIn(teacher.Login)
	if r := tb.get("/admin/people/" + p.ID + "/account"); r.status != http.StatusNotFound {
		t.Fatalf("a teacher opened an account page: %d", r.status)
	}
	if r := tb.post("/admin/people/"+p.ID+"/sessions/end", url.Values{"csrf": {tb.csrf()}}); r.status != http.StatusNotFound {
		t.Fatalf("a teacher ended sessions: %d", r.status)
	}
}

func TestAttemptLimitingLockNoticeAndKnownDevice(t *testing.T) {
	e := newEnv(t, 40)
	srv := e.smtp()
	teacher := e.account(func(a demo.Account) bool { return a.Profile == "teacher" })
	me := e.person(teacher.Login)
	// The owner's usual browser, known before the attack.
	usual := e.signIn(teacher.Login)
	usual.post("/sign-out", url.Values{"csrf": {usual.csrf()}})

	attacker := e.browser()
	key := auth.LoginKey("login", teacher.Login)
	for i := 1; i <= 10; i++ {
		r := attacker.post("/sign-in", url.Values{"login": {strings.ToUpper(teacher.Login)}, "password": {"devine-" + strconv.Itoa(i)}})
		if r.status != http.StatusUnauthorized {
			t.Fatalf("failure %d: %d %.200s", i, r.status, r.body)
		}
		wait, _, err := e.srv.Auth.Attempts.Wait(context.Background(), key)
		if err != nil {
			t.Fatal(err)
		}
		if (i <= 3) != (wait == 0) {
			t.Fatalf("after failure %d: wait %s", i, wait)
		}
		if wait == 0 {
			continue
		}
		// During the wait even the right password is refused, and the
		// refusal is not counted as a failure.
		probe := attacker.post("/sign-in", url.Values{"login": {teacher.Login}, "password": {demo.DefaultPassword}})
		if s, _ := strconv.Atoi(probe.header.Get("Retry-After")); probe.status != http.StatusTooManyRequests || time.Duration(s)*time.Second != wait {
			t.Fatalf("after failure %d: %d, Retry-After %q, wait %s", i, probe.status, probe.header.Get("Retry-After"), wait)
		}
		if i < 10 {
			e.clock.Add(wait)
		}
	}
	// Locked: even the right password waits, from a new browser.
	r := e.browser().post("/sign-in", url.Values{"login": {teacher.Login}, "password": {demo.DefaultPassword}})
	if r.status != http.StatusTooManyRequests || !strings.Contains(r.body, "Trop de tentatives") {
		t.Fatalf("locked account: %d", r.status)
	}
	to, subject, body := receive(t, srv)
	if to != me.Email || !strings.Contains(subject, "bloquées") || !strings.Contains(body, teacher.Login) {
		t.Fatalf("lock notice to %s: %q\n%s", to, subject, body)
	}
	if ev, _ := audit.List(context.Background(), e.db, audit.Filter{Action: audit.AccountLocked}); len(ev) != 1 || ev[0].Target != "person:"+me.ID {
		t.Fatalf("lock audited %d times", len(ev))
	}
	// The owner's usual browser is not locked out.
	if r := usual.post("/sign-in", url.Values{"login": {teacher.Login}, "password": {demo.DefaultPassword}}); r.status != http.StatusSeeOther {
		t.Fatalf("the owner's known browser is locked out: %d", r.status)
	}
	// The lock ends by itself after 15 minutes.
	e.clock.Add(15*time.Minute + time.Second)
	if r := e.browser().post("/sign-in", url.Values{"login": {teacher.Login}, "password": {demo.DefaultPassword}}); r.status != http.StatusSeeOther {
		t.Fatalf("after the lock: %d", r.status)
	}
}

func TestPasswordChangeNeedsTheCurrentOne(t *testing.T) {
	e := newEnv(t, 40)
	st := e.account(func(a demo.Account) bool { return a.Profile == "student" })
	b, other := e.signIn(st.Login), e.signIn(st.Login)
	csrf := b.csrf()
	change := func(current, fresh, again string) response {
		return b.post("/account/password", url.Values{"csrf": {csrf}, "current": {current}, "new": {fresh}, "confirm": {again}})
	}
	const good = "Trois-ours-mangent-7-crêpes"
	for _, c := range []struct {
		current, fresh, again string
		status                int
		msg                   string
	}{
		{"pas-le-bon", good, good, 401, "mot de passe actuel est incorrect"},
		{demo.DefaultPassword, "court", "court", 422, "trop court"},
		{demo.DefaultPassword, "Azertyuiop2024!", "Azertyuiop2024!", 422, "les plus courants"},
		{demo.DefaultPassword, good, good + "x", 422, "différentes"},
		{demo.DefaultPassword, demo.DefaultPassword, demo.DefaultPassword, 422, "doit être différent"},
	} {
		r := change(c.current, c.fresh, c.again)
		if r.status != c.status || !strings.Contains(r.body, c.msg) {
			t.Fatalf("change(%q, %q): %d, want %d %q", c.current, c.fresh, r.status, c.status, c.msg)
		}
	}
	if r := other.get("/"); r.status != 200 {
		t.Fatal("a refused change ended the other session")
	}
	before := b.cookie("cartable")
	if r := change(demo.DefaultPassword, good, good); r.status != http.StatusSeeOther {
		t.Fatalf("good change: %d", r.status)
	}
	if b.cookie("cartable") == before {
		t.Error("the session identifier did not change with the password")
	}
	if r := b.get("/"); r.status != 200 {
		t.Fatal("the current session ended")
	}
	if r := other.get("/"); r.status != http.StatusSeeOther {
		t.Fatal("the other session survived the password change")
	}
	if r := e.browser().post("/sign-in", url.Values{"login": {st.Login}, "password": {demo.DefaultPassword}}); r.status != http.StatusUnauthorized {
		t.Fatalf("old password: %d", r.status)
	}
	if r := e.browser().post("/sign-in", url.Values{"login": {st.Login}, "password": {good}}); r.status != http.StatusSeeOther {
		t.Fatalf("new password: %d", r.status)
	}
}

// letterCodes reads the PDF back with pdftotext and returns login → code.
func letterCodes(t *testing.T, pdf []byte) (map[string]string, string) {
	t.Helper()
	tool, err := exec.LookPath("pdftotext")
	if err != nil {
		// CI installs it and must run this check; a developer's machine
		// with Go alone skips it rather than fail.
		if os.Getenv("CI") == "" {
			t.Skip("pdftotext is needed to read the letters back: install Debian's poppler-utils (.ci/run does)")
		}
		t.Fatal("pdftotext is needed to read the letters back: install Debian's poppler-utils (.ci/run does)")
	}
	f := filepath.Join(t.TempDir(), "letters.pdf")
	if err := os.WriteFile(f, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(tool, "-layout", f, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	text := string(out)
	codes := map[string]string{}
	for _, page := range strings.Split(text, "\f") {
		l := regexp.MustCompile(`Identifiant :\s+(\S+)`).FindStringSubmatch(page)
		c := regexp.MustCompile(`Code d'activation :\s+([A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4})`).FindStringSubmatch(page)
		if l != nil && c != nil {
			codes[l[1]] = c[1]
		}
	}
	return codes, text
}

func TestActivationLettersAndFirstSignIn(t *testing.T) {
	e := newEnv(t, 40)
	ctx := context.Background()
	admin := e.account(func(a demo.Account) bool { return a.Profile == "admin" })
	ad := e.signIn(admin.Login)
	est, _ := directory.EstablishmentByUAI(ctx, e.db, demo.MainUAI)
	classes, _ := directory.ClassesOfEstablishment(ctx, e.db, est.ID)
	class := classes[0]
	students := e.roster(class.ID)
	// Freshly imported accounts have no password yet (the demo's have one,
	// and a letter never replaces a password).
	for _, s := range students {
		e.unactivate(s.ID)
		for _, k := range e.relatives(s.ID) {
			e.unactivate(k.ID)
		}
	}
	r := ad.post("/admin/classes/"+class.ID+"/activation", url.Values{"csrf": {ad.csrf()}, "who": {"both"}, "days": {"30"}})
	if r.status != 200 || r.header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(r.body, "%PDF-") {
		t.Fatalf("class letters: %d %s", r.status, r.header.Get("Content-Type"))
	}
	codes, text := letterCodes(t, []byte(r.body))
	if len(codes) <= len(students) {
		t.Fatalf("%d letters for %d students and their relatives", len(codes), len(students))
	}
	for _, want := range []string{est.Name, "Code d'activation", "Ne communiquez jamais le mot de passe", "/activate"} {
		if !strings.Contains(text, want) {
			t.Errorf("the letters do not say %q", want)
		}
	}
	var relative, student directory.Person
	for login := range codes {
		p := e.person(login)
		if p.Profile == roles.Relative && relative.ID == "" {
			relative = p
		}
		if p.Profile == roles.Student && student.ID == "" {
			student = p
		}
	}
	if relative.ID == "" || student.ID == "" {
		t.Fatal("no letter for a relative or a student")
	}
	code := codes[relative.Login]

	b := e.browser()
	if r := b.post("/activate", url.Values{"login": {relative.Login}, "code": {"AAAA-BBBB-CCCC"}}); r.status != http.StatusUnauthorized {
		t.Fatalf("wrong code: %d", r.status)
	}
	r = b.post("/activate", url.Values{"login": {relative.Login}, "code": {strings.ToLower(code)}})
	if r.status != 200 || !strings.Contains(r.body, `name="email"`) {
		t.Fatalf("step 1: %d %.300s", r.status, r.body)
	}
	step2 := func(pw, email string) response {
		return b.post("/activate", url.Values{"step": {"2"}, "login": {relative.Login}, "code": {code}, "relative": {"1"},
			"password": {pw}, "confirm": {pw}, "email": {email}})
	}
	const pw = "Le-jardin-de-mamie-a-9-roses"
	if r := step2("soleil2024", "parent@example.org"); r.status != 422 || !strings.Contains(r.body, `value="parent@example.org"`) {
		t.Fatalf("weak password: %d (typed e-mail kept?)", r.status)
	}
	if r := step2(pw, ""); r.status != 422 || !strings.Contains(r.body, "adresse électronique de secours est nécessaire") {
		t.Fatalf("no e-mail: %d", r.status)
	}
	if r := step2(pw, "pas-une-adresse"); r.status != 422 {
		t.Fatalf("bad e-mail: %d", r.status)
	}
	if r := b.get("/"); r.status != http.StatusSeeOther {
		t.Fatal("a failed activation opened a session")
	}
	if r := step2(pw, "parent@example.org"); r.status != http.StatusSeeOther || r.header.Get("Location") != "/" {
		t.Fatalf("activation: %d %s", r.status, r.header.Get("Location"))
	}
	if r := b.get("/"); r.status != 200 {
		t.Fatalf("home after activation: %d", r.status)
	}
	if r := b.get("/account"); !strings.Contains(r.body, `name="email" type="email" autocomplete="email" maxlength="254" value="parent@example.org"`) {
		t.Fatal("the recovery e-mail is not the one chosen at activation")
	}
	// Single use.
	if r := e.browser().post("/activate", url.Values{"login": {relative.Login}, "code": {code}}); r.status != http.StatusUnauthorized {
		t.Fatalf("code used twice: %d", r.status)
	}
	// Expiry.
	e.clock.Add(31 * 24 * time.Hour)
	if r := e.browser().post("/activate", url.Values{"login": {student.Login}, "code": {codes[student.Login]}}); r.status != http.StatusGone || !strings.Contains(r.body, "expiré") {
		t.Fatalf("expired code: %d", r.status)
	}
	// Oversized fields: a clear refusal.
	if r := e.browser().post("/activate", url.Values{"login": {strings.Repeat("a", 300)}, "code": {"x"}}); r.status != 422 {
		t.Fatalf("oversized login: %d", r.status)
	}
	// A relative, a teacher: no letters.
	e.clock.Add(-31 * 24 * time.Hour)
	teacher := e.account(func(a demo.Account) bool { return a.Profile == "teacher" })
	tb := e.signIn(teacher.Login)
	if r := tb.post("/admin/classes/"+class.ID+"/activation", url.Values{"csrf": {tb.csrf()}}); r.status != http.StatusNotFound {
		t.Fatalf("a teacher made letters: %d", r.status)
	}
	if r := b.post("/admin/people/"+student.ID+"/activation", url.Values{"csrf": {b.csrf()}}); r.status != http.StatusNotFound {
		t.Fatalf("a relative made a letter: %d", r.status)
	}
}

func TestPasswordResetByEmailNeverSkipsTheSecondFactor(t *testing.T) {
	e := newEnv(t, 40)
	srv := e.smtp()
	e.requireMFA()
	teacher := e.account(func(a demo.Account) bool { return a.Profile == "teacher" })
	me := e.person(teacher.Login)
	// The teacher sets up an app first.
	b := e.browser()
	b.post("/sign-in", url.Values{"login": {teacher.Login}, "password": {demo.DefaultPassword}})
	csrf := formToken(t, b.get("/sign-in/second-factor").body)
	b.post("/account/totp/start", url.Values{"csrf": {csrf}})
	secret := strings.ReplaceAll(secretRe.FindStringSubmatch(b.get("/account/totp").body)[1], " ", "")
	code, _ := auth.TOTPCode(secret, e.clock.Now())
	if r := b.post("/account/totp/confirm", url.Values{"csrf": {csrf}, "code": {code}}); r.status != http.StatusSeeOther {
		t.Fatalf("enrolment: %d", r.status)
	}

	anon := e.browser()
	// Post/redirect/get, to the same page whether the login exists or not:
	// a reload sends nothing more.
	for _, login := range []string{"personne.inconnue", teacher.Login} {
		r := anon.post("/password/forgot", url.Values{"login": {login}})
		if r.status != http.StatusSeeOther || r.header.Get("Location") != "/password/forgot?sent=1" {
			t.Fatalf("forgot %s: %d to %q", login, r.status, r.header.Get("Location"))
		}
	}
	if r := anon.get("/password/forgot?sent=1"); r.status != 200 || !strings.Contains(r.body, "Si ce compte existe") {
		t.Fatalf("the page after the request: %d", r.status)
	}
	to, _, body := receive(t, srv)
	if to != me.Email {
		t.Fatalf("reset link sent to %s", to)
	}
	link := regexp.MustCompile(`/password/reset/[A-Za-z0-9_-]+`).FindString(body)
	if link == "" || !strings.Contains(body, e.srv.BaseURL+link) {
		t.Fatalf("no link in:\n%s", body)
	}
	select {
	case m := <-srv.Messages:
		t.Fatalf("an e-mail was sent for an unknown login: %v", m.To)
	default:
	}
	if r := anon.get(link); r.status != 200 || !strings.Contains(r.body, "Choisir un nouveau mot de passe") {
		t.Fatalf("reset form: %d", r.status)
	}
	if r := anon.post(link, url.Values{"password": {"abc"}, "confirm": {"abc"}}); r.status != 422 {
		t.Fatalf("weak reset: %d", r.status)
	}
	const fresh = "Quatre-chats-gris-sous-la-pluie"
	if r := anon.post(link, url.Values{"password": {fresh}, "confirm": {fresh}}); r.status != http.StatusSeeOther || r.header.Get("Location") != "/sign-in?notice=reset" {
		t.Fatalf("reset: %d %s", r.status, r.header.Get("Location"))
	}
	if r := b.get("/"); r.status != http.StatusSeeOther {
		t.Fatal("the reset left a session open")
	}
	if r := anon.post(link, url.Values{"password": {fresh + "2"}, "confirm": {fresh + "2"}}); r.status != http.StatusNotFound {
		t.Fatalf("link used twice: %d", r.status)
	}
	// The new password opens only the second-factor step.
	r := e.browser().post("/sign-in", url.Values{"login": {teacher.Login}, "password": {fresh}})
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/sign-in/second-factor" {
		t.Fatalf("sign-in after reset: %d %s", r.status, r.header.Get("Location"))
	}
	// A link expires after 30 minutes.
	e.clock.Add(2 * time.Hour)
	anon.post("/password/forgot", url.Values{"login": {teacher.Login}})
	_, _, body = receive(t, srv)
	link = regexp.MustCompile(`/password/reset/[A-Za-z0-9_-]+`).FindString(body)
	e.clock.Add(31 * time.Minute)
	if r := anon.get(link); r.status != http.StatusGone || !strings.Contains(r.body, "expiré") {
		t.Fatalf("expired link: %d", r.status)
	}
	if r := anon.get("/password/reset/forged-token"); r.status != http.StatusNotFound {
		t.Fatalf("forged link: %d", r.status)
	}
}

func TestForgedCookieAndSecondFactorPolicyPage(t *testing.T) {
	e := newEnv(t, 40)
	r := e.browser().do("GET", "/", nil, map[string]string{"Cookie": "cartable=" + strings.Repeat("A", 43)})
	if r.status != http.StatusSeeOther || !strings.Contains(r.header.Get("Set-Cookie"), "Max-Age=0") {
		t.Fatalf("forged cookie: %d %q", r.status, r.header.Get("Set-Cookie"))
	}
	ctx := context.Background()
	est, _ := directory.EstablishmentByUAI(ctx, e.db, demo.MainUAI)
	head := e.account(has("head"))
	hb := e.signIn(head.Login)
	page := hb.get("/admin/establishments/" + est.ID + "/security")
	if page.status != 200 {
		t.Fatalf("security page: %d", page.status)
	}
	csrf := formToken(t, page.body)
	if r := hb.post("/admin/establishments/"+est.ID+"/security", url.Values{"csrf": {csrf}, "profile": {"pirate"}}); r.status != 422 {
		t.Fatalf("unknown profile: %d", r.status)
	}
	if r := hb.post("/admin/establishments/"+est.ID+"/security", url.Values{"csrf": {csrf}, "profile": {"student", "teacher"}, "function": {"cpe"}}); r.status != http.StatusSeeOther {
		t.Fatalf("save: %d", r.status)
	}
	set, _ := e.srv.Auth.SecurityOf(ctx, access.System("test"), est.ID)
	if pol := set.Policy; !slices.Equal(pol.Profiles, []string{"student", "teacher"}) || !slices.Equal(pol.Functions, []string{"cpe"}) {
		t.Fatalf("policy %+v", pol)
	}
	// Students of the establishment must now enrol.
	st := e.account(func(a demo.Account) bool { return a.Profile == "student" && a.Establishment == demo.MainUAI })
	if r := e.browser().post("/sign-in", url.Values{"login": {st.Login}, "password": {demo.DefaultPassword}}); r.header.Get("Location") != "/sign-in/second-factor" {
		t.Fatalf("student after the policy change: %s", r.header.Get("Location"))
	}
	teacher := e.account(func(a demo.Account) bool { return a.Profile == "teacher" && a.Establishment == demo.MainUAI })
	tb := e.browser()
	tb.post("/sign-in", url.Values{"login": {teacher.Login}, "password": {demo.DefaultPassword}})
	if r := tb.get("/admin/establishments/" + est.ID + "/security"); r.status != http.StatusSeeOther {
		t.Fatalf("a teacher owing a second factor reached the policy page: %d", r.status)
	}
}

func TestClientAddressFromTrustedProxiesOnly(t *testing.T) {
	e := newEnv(t, 30)
	for _, c := range []struct {
		trusted []netip.Prefix
		want    string
	}{{nil, "127.0.0.1"}, {[]netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}, "203.0.113.9"}} {
		s, err := web.New(web.Options{DB: e.db, BaseURL: "http://127.0.0.1", Log: slog.New(slog.DiscardHandler), TrustedProxies: c.trusted})
		if err != nil {
			t.Fatal(err)
		}
		ts := httptest.NewServer(s.Handler())
		req, _ := http.NewRequest("POST", ts.URL+"/sign-in", strings.NewReader("login=nobody&password=x"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Forwarded-For", "198.51.100.7, 203.0.113.9")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		ts.Close()
		ev, _ := audit.List(context.Background(), e.db, audit.Filter{Action: audit.SignIn, Limit: 1})
		if len(ev) != 1 || ev[0].SourceIP != c.want {
			t.Fatalf("trusted %v: address %q, want %q", c.trusted, ev[0].SourceIP, c.want)
		}
	}
}

type mimeWordDecoder = mime.WordDecoder
