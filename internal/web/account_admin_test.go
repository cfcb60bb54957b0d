package web_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"cartable/internal/access"
	"cartable/internal/audit"
	"cartable/internal/auth"
	"cartable/internal/demo"
	"cartable/internal/directory"
	"cartable/internal/provisioning"
	"cartable/internal/roles"
)

// Account administration across establishments and ranks, replayed through
// HTTP: every attack is refused, changes nothing and leaves an audit event;
// the legitimate acts still work.

// acct is what the tests compare before and after an attack.
type acct struct {
	hash     string
	factors  auth.Enrolled
	codes    int
	active   bool
	sessions int
	ests     []string
}

func (e *env) acct(id string) acct {
	e.t.Helper()
	ctx := context.Background()
	var a acct
	if err := e.db.QueryRow(ctx, `SELECT password_hash, active FROM people WHERE id = ?`, id).Scan(&a.hash, &a.active); err != nil {
		e.t.Fatal(err)
	}
	a.factors = auth.Enrolled{TOTP: e.provCount(`SELECT COUNT(*) FROM totp_credentials WHERE person_id = ? AND confirmed`, id) > 0,
		Passkeys:      e.provCount(`SELECT COUNT(*) FROM webauthn_credentials WHERE person_id = ?`, id),
		RecoveryCodes: e.provCount(`SELECT COUNT(*) FROM recovery_codes WHERE person_id = ? AND used_at IS NULL`, id)}
	a.codes = e.provCount(`SELECT COUNT(*) FROM activation_codes WHERE person_id = ?`, id)
	a.sessions = e.provCount(`SELECT COUNT(*) FROM sessions WHERE person_id = ?`, id)
	a.ests = e.memberships(id)
	slices.Sort(a.ests)
	return a
}

func (a acct) equal(b acct) bool {
	return a.hash == b.hash && a.factors == b.factors && a.codes == b.codes && a.active == b.active &&
		a.sessions == b.sessions && slices.Equal(a.ests, b.ests)
}

// enrolTOTP gives a person a confirmed authenticator app, as they would
// from a complete session of theirs with a recent password.
func (e *env) enrolTOTP(id string) {
	e.t.Helper()
	ctx := context.Background()
	v, err := e.srv.Policy.Viewer(ctx, id)
	if err != nil {
		e.t.Fatal(err)
	}
	p, err := directory.PersonRow(ctx, v, e.db, id)
	if err != nil {
		e.t.Fatal(err)
	}
	se := auth.Session{PersonID: id, Person: p, MFADone: true, ReauthAt: e.clock.Now()}
	set, err := e.srv.Auth.StartTOTP(ctx, v, se, "")
	if err != nil {
		e.t.Fatal(err)
	}
	code, _ := auth.TOTPCode(set.Secret, e.clock.Now())
	if _, err := e.srv.Auth.ConfirmTOTP(ctx, v, se, code, ""); err != nil {
		e.t.Fatal(err)
	}
}

// unactivate makes accounts look freshly imported: no password yet.
func (e *env) unactivate(ids ...string) {
	e.t.Helper()
	for _, id := range ids {
		if _, err := e.db.Exec(context.Background(), `UPDATE people SET password_hash = '' WHERE id = ?`, id); err != nil {
			e.t.Fatal(err)
		}
		if _, err := e.db.Exec(context.Background(), `DELETE FROM account_settings WHERE person_id = ?`, id); err != nil {
			e.t.Fatal(err)
		}
	}
}

// refusals counts the access-refused events about a target.
func (e *env) refusals(target string) int {
	e.t.Helper()
	ev, err := audit.List(context.Background(), e.db, audit.Filter{Action: audit.AccessRefused, Limit: 1000})
	if err != nil {
		e.t.Fatal(err)
	}
	n := 0
	for _, x := range ev {
		if x.Target == target && x.Outcome == audit.Denied {
			n++
		}
	}
	return n
}

// twoSchools finds the demo's family across both establishments: a
// relative attached to both, and their children in each.
func (e *env) twoSchools() (parent demo.Account, inMain, inSecond directory.Person) {
	e.t.Helper()
	parent = e.account(func(a demo.Account) bool { return a.Profile == roles.Relative && len(a.Establishments) == 2 })
	for _, c := range parent.Children {
		k := e.person(c)
		main, _ := directory.EstablishmentByUAI(context.Background(), e.db, demo.MainUAI)
		if slices.Contains(e.memberships(k.ID), main.ID) {
			inMain = k
		} else {
			inSecond = k
		}
	}
	if inMain.ID == "" || inSecond.ID == "" {
		e.t.Fatalf("the two-school family has no child in each establishment: %v", parent.Children)
	}
	return parent, inMain, inSecond
}

var (
	mainHead = func(a demo.Account) bool {
		return a.Profile == roles.Staff && a.Establishment == demo.MainUAI && len(a.Establishments) == 1 && has(roles.Head)(a)
	}
	mainSecretary = func(a demo.Account) bool {
		return a.Profile == roles.Staff && a.Establishment == demo.MainUAI && has(roles.Secretary)(a)
	}
	secondHead = func(a demo.Account) bool {
		return a.Profile == roles.Staff && a.Establishment == demo.SecondUAI && has(roles.Head)(a)
	}
)

// The head of one school may not take over a parent who also has a child
// in another school (the letter would have let them in, then to the other
// school's pupil), nor end their sessions or remove their second factors.
func TestHeadCannotTakeOverAParentOfAnotherSchool(t *testing.T) {
	e := newEnv(t, 60)
	parent, _, inSecond := e.twoSchools()
	p := e.person(parent.Login)
	e.enrolTOTP(p.ID)
	// A session waiting for its second factor, which must survive.
	e.browser().post("/sign-in", url.Values{"login": {parent.Login}, "password": {demo.DefaultPassword}})
	// Not activated yet: the letter would be allowed if the head could act.
	e.unactivate(p.ID)
	before := e.acct(p.ID)
	head := e.signIn(e.account(mainHead).Login)
	csrf := head.csrf()
	// The parent's page says why the head may not manage the account.
	if r := head.get("/people/" + p.ID); r.status != 200 || strings.Contains(r.body, "/admin/people/"+p.ID+"/account") ||
		!strings.Contains(r.body, "seul un administrateur rattaché à tous ses établissements peut le gérer") {
		t.Errorf("the parent's page for the head: %d", r.status)
	}
	for _, c := range []struct{ method, path string }{
		{"GET", "/admin/people/" + p.ID + "/account"},
		{"POST", "/admin/people/" + p.ID + "/activation"},
		{"POST", "/admin/people/" + p.ID + "/sessions/end"},
		{"POST", "/admin/people/" + p.ID + "/second-factors/remove"},
	} {
		n := e.refusals("person:" + p.ID)
		var r response
		if c.method == "GET" {
			r = head.get(c.path)
		} else {
			r = head.post(c.path, url.Values{"csrf": {csrf}})
		}
		if r.status != http.StatusForbidden || !strings.Contains(r.body, "rattaché aussi à un autre établissement") || strings.Contains(r.body, "%PDF") {
			t.Errorf("%s %s by the head of one school: %d %.300s", c.method, c.path, r.status, r.body)
		}
		if e.refusals("person:"+p.ID) != n+1 {
			t.Errorf("%s %s: refusal not audited", c.method, c.path)
		}
	}
	if after := e.acct(p.ID); !after.equal(before) {
		t.Fatalf("a refused attack changed the account: %+v → %+v", before, after)
	}
	if ev, _ := audit.List(context.Background(), e.db, audit.Filter{Action: audit.ActivationIssued}); len(ev) != 0 {
		t.Fatal("an activation code was issued")
	}
	// The class letters of the head's school leave that parent out too,
	// and say so on their first page.
	_, inMain, _ := e.twoSchools()
	classes := e.record(inMain.ID).Classes
	for _, m := range e.roster(classes[0].ID) {
		for _, k := range e.relatives(m.ID) {
			e.unactivate(k.ID)
		}
	}
	r := head.post("/admin/classes/"+classes[0].ID+"/activation", url.Values{"csrf": {csrf}, "who": {"relatives"}})
	if r.status != http.StatusOK {
		t.Fatalf("the head's class letters: %d %.300s", r.status, r.body)
	}
	codes, text := letterCodes(t, []byte(r.body))
	if _, ok := codes[parent.Login]; ok || len(codes) == 0 {
		t.Fatalf("the class letters: %d codes, one for the two-school parent: %v", len(codes), ok)
	}
	if !strings.Contains(text, "Comptes que vous ne pouvez pas gérer, sans courrier :") {
		t.Errorf("the first page does not say some accounts were left out:\n%.600s", text)
	}
	if e.acct(p.ID).codes != 0 {
		t.Fatal("the class letters issued the two-school parent a code")
	}
	// The other school's pupil stays out of the head's reach.
	if r := head.get("/people/" + inSecond.ID); r.status != http.StatusNotFound {
		t.Fatalf("the head reads the other school's pupil: %d", r.status)
	}
}

// A secretary may not remove the head's second factors, issue them a
// letter or end their sessions; nor act on another secretary.
func TestSecretaryCannotActOnTheHead(t *testing.T) {
	e := newEnv(t, 60)
	headAcct := e.account(mainHead)
	h := e.person(headAcct.Login)
	headSession := e.signIn(headAcct.Login)
	e.enrolTOTP(h.ID)
	sec := e.account(mainSecretary)
	other := e.account(func(a demo.Account) bool { return mainSecretary(a) && a.Login != sec.Login })
	sb := e.signIn(sec.Login)
	csrf := sb.csrf()
	for _, target := range []directory.Person{h, e.person(other.Login)} {
		before := e.acct(target.ID)
		for _, path := range []string{"/second-factors/remove", "/activation", "/sessions/end"} {
			n := e.refusals("person:" + target.ID)
			r := sb.post("/admin/people/"+target.ID+path, url.Values{"csrf": {csrf}})
			if r.status != http.StatusForbidden || !strings.Contains(r.body, "son rang égale ou dépasse le vôtre") {
				t.Errorf("secretary POST %s on %s: %d %.300s", path, target.Login, r.status, r.body)
			}
			if e.refusals("person:"+target.ID) != n+1 {
				t.Errorf("secretary POST %s on %s: refusal not audited", path, target.Login)
			}
		}
		if r := sb.get("/admin/people/" + target.ID + "/account"); r.status != http.StatusForbidden {
			t.Errorf("secretary opens %s's account page: %d", target.Login, r.status)
		}
		if r := sb.get("/people/" + target.ID); r.status != 200 || strings.Contains(r.body, "/admin/people/"+target.ID+"/account") ||
			!strings.Contains(r.body, "Vous ne pouvez pas gérer ce compte : son rang égale ou dépasse le vôtre.") {
			t.Errorf("%s's page for the secretary: %d", target.Login, r.status)
		}
		if after := e.acct(target.ID); !after.equal(before) {
			t.Fatalf("a refused attack changed %s's account: %+v → %+v", target.Login, before, after)
		}
	}
	if en := e.acct(h.ID).factors; !en.TOTP {
		t.Fatal("the head's second factor is gone")
	}
	if r := headSession.get("/"); r.status != http.StatusOK {
		t.Fatalf("the head's session ended: %d", r.status)
	}
	// Nor may the secretary close the head's account from the directory
	// pages, and the page says why.
	est, _ := directory.EstablishmentByUAI(context.Background(), e.db, demo.MainUAI)
	before := e.acct(h.ID)
	r := sb.provPost("/provisioning/establishments/"+est.ID+"/accounts/close", url.Values{"login": {headAcct.Login}})
	if r.status != http.StatusForbidden || !strings.Contains(r.body, "son rang égale ou dépasse le vôtre") || !strings.Contains(r.body, `value="`+headAcct.Login+`"`) {
		t.Fatalf("secretary closes the head: %d %.500s", r.status, r.body)
	}
	if after := e.acct(h.ID); !after.equal(before) || !after.active {
		t.Fatalf("the refused closing changed the head's account: %+v → %+v", before, after)
	}
	if e.refusals("membership:"+h.ID+"@"+est.ID) != 1 {
		t.Error("the refused closing was not audited")
	}
	// One's own account is never managed from these pages.
	me := e.person(sec.Login)
	if r := sb.post("/admin/people/"+me.ID+"/second-factors/remove", url.Values{"csrf": {csrf}}); r.status != http.StatusForbidden || !strings.Contains(r.body, "Sécurité du compte") {
		t.Fatalf("secretary on their own account: %d", r.status)
	}
}

// Closing an account from one establishment ends only the person's
// attachment there when they are attached elsewhere: the account stays
// open for the other establishment. Reopening a whole account needs the
// right on every establishment it is attached to.
func TestClosingFromOneSchoolKeepsTheOther(t *testing.T) {
	e := newEnv(t, 60)
	ctx := context.Background()
	main, _ := directory.EstablishmentByUAI(ctx, e.db, demo.MainUAI)
	second, _ := directory.EstablishmentByUAI(ctx, e.db, demo.SecondUAI)
	parent, inMain, inSecond := e.twoSchools()
	p := e.person(parent.Login)
	head := e.signIn(e.account(mainHead).Login)
	r := head.provPost("/provisioning/establishments/"+main.ID+"/accounts/close", url.Values{"login": {parent.Login}})
	if r.status != http.StatusSeeOther || !strings.Contains(r.header.Get("Location"), "done=detached") {
		t.Fatalf("close the two-school parent from the collège: %d %s", r.status, r.header.Get("Location"))
	}
	if page := head.get(r.header.Get("Location")); !strings.Contains(page.body, "reste ouvert pour ses autres établissements") {
		t.Errorf("the page does not say the account stays open elsewhere")
	}
	after := e.acct(p.ID)
	if !after.active || !slices.Equal(after.ests, []string{second.ID}) {
		t.Fatalf("after closing from the collège: active %v, attached to %v (want the lycée only)", after.active, after.ests)
	}
	ev, _ := audit.List(ctx, e.db, audit.Filter{Action: provisioning.AuditDetach})
	if len(ev) != 1 || ev[0].Target != "person:"+p.ID || ev[0].EstablishmentID != main.ID {
		t.Fatalf("detach audited as %+v", ev)
	}
	// The parent still signs in and sees the lycée child, not the collège one.
	pb := e.signIn(parent.Login)
	if r := pb.get("/people/" + inSecond.ID); r.status != http.StatusOK {
		t.Errorf("the parent lost the lycée child: %d", r.status)
	}
	if r := pb.get("/people/" + inMain.ID); r.status != http.StatusNotFound {
		t.Errorf("the parent still sees the collège child: %d", r.status)
	}
	// The collège may not close them again: they are no longer attached there.
	if r := head.provPost("/provisioning/establishments/"+main.ID+"/accounts/close", url.Values{"login": {parent.Login}}); r.status != http.StatusUnprocessableEntity {
		t.Errorf("closing again from the collège: %d", r.status)
	}
	// From their last establishment, the account closes.
	lh := e.signIn(e.account(secondHead).Login)
	r = lh.provPost("/provisioning/establishments/"+second.ID+"/accounts/close", url.Values{"login": {parent.Login}})
	if r.status != http.StatusSeeOther || !strings.Contains(r.header.Get("Location"), "done=closed") {
		t.Fatalf("close from the lycée: %d %s", r.status, r.header.Get("Location"))
	}
	if e.acct(p.ID).active {
		t.Fatal("closing from the last establishment left the account open")
	}
	if r := lh.provPost("/provisioning/people/"+p.ID+"/reactivate", url.Values{"establishment": {second.ID}}); r.status != http.StatusSeeOther {
		t.Fatalf("the lycée reopens: %d", r.status)
	}

	// A two-school teacher closed as a whole (by the feed, say): the head
	// of one school may not reopen the account alone; the operator
	// attached to both may.
	teacher := e.account(func(a demo.Account) bool { return a.Profile == roles.Teacher && len(a.Establishments) == 2 })
	tp := e.person(teacher.Login)
	if err := provisioning.Deactivate(ctx, access.System("test"), e.db, tp.ID, e.clock.Now()); err != nil {
		t.Fatal(err)
	}
	before := e.acct(tp.ID)
	n := e.refusals("person:" + tp.ID)
	for _, path := range []string{"/reactivate", "/choice"} {
		r := head.provPost("/provisioning/people/"+tp.ID+path, url.Values{"establishment": {main.ID}, "objects": {"1"}})
		if r.status != http.StatusForbidden || !strings.Contains(r.body, "rattaché aussi à un autre établissement") {
			t.Fatalf("the collège head %s the two-school teacher: %d %.300s", path, r.status, r.body)
		}
	}
	if e.refusals("person:"+tp.ID) != n+2 {
		t.Error("the refused reopening was not audited")
	}
	if after := e.acct(tp.ID); !after.equal(before) || e.provCount(`SELECT COUNT(*) FROM account_closures WHERE person_id = ?`, tp.ID) != 0 {
		t.Fatalf("a refused reopening changed the account: %+v → %+v", before, after)
	}
	op := e.signIn(e.account(provOperator).Login)
	if r := op.provPost("/provisioning/people/"+tp.ID+"/reactivate", url.Values{"establishment": {main.ID}}); r.status != http.StatusSeeOther {
		t.Fatalf("the operator attached to both reopens: %d", r.status)
	}
	if !e.acct(tp.ID).active {
		t.Fatal("the operator's reopening did not take")
	}
}

// A letter never replaces a password: refused for an activated account,
// with an explanation, an audit event and nothing changed.
func TestNoLetterForAnActivatedAccount(t *testing.T) {
	e := newEnv(t, 60)
	head := e.signIn(e.account(mainHead).Login)
	st := e.account(func(a demo.Account) bool {
		return a.Profile == roles.Student && len(a.Establishments) == 1 && a.Establishment == demo.MainUAI
	})
	p := e.person(st.Login)
	before := e.acct(p.ID)
	if page := head.get("/admin/people/" + p.ID + "/account"); page.status != 200 || strings.Contains(page.body, `/activation"`) || !strings.Contains(page.body, "déjà activé") {
		t.Fatalf("the account page of an activated account offers a letter: %d", page.status)
	}
	r := head.post("/admin/people/"+p.ID+"/activation", url.Values{"csrf": {head.csrf()}})
	if r.status != http.StatusConflict || !strings.Contains(r.body, "Mot de passe oublié") || strings.HasPrefix(r.body, "%PDF") {
		t.Fatalf("letter for an activated account: %d %.300s", r.status, r.body)
	}
	if after := e.acct(p.ID); !after.equal(before) {
		t.Fatalf("the refused letter changed the account: %+v → %+v", before, after)
	}
	ev, _ := audit.List(context.Background(), e.db, audit.Filter{Action: audit.ActivationIssued})
	if len(ev) != 1 || ev[0].Outcome != audit.Denied || ev[0].Target != "person:"+p.ID {
		t.Fatalf("the refused letter was audited as %+v", ev)
	}
	if again := e.signIn(st.Login); again.get("/").status != 200 {
		t.Fatal("the student's password no longer works")
	}
}

// What must keep working: the head on their own school's teacher and
// single-school parent; the secretary on a teacher; the operator attached
// to both schools on the two-school parent, whose letter leaves the address
// block empty (the operator may not read family addresses) while the
// head's letter prints it.
func TestLegitimateAccountAdministration(t *testing.T) {
	e := newEnv(t, 60)
	head := e.signIn(e.account(mainHead).Login)
	teacher := e.account(func(a demo.Account) bool {
		return a.Profile == roles.Teacher && len(a.Establishments) == 1 && a.Establishment == demo.MainUAI
	})
	tp := e.person(teacher.Login)
	tSession := e.signIn(teacher.Login)
	e.enrolTOTP(tp.ID)
	csrf := head.csrf()
	if r := head.get("/admin/people/" + tp.ID + "/account"); r.status != 200 {
		t.Fatalf("head opens a teacher's account page: %d", r.status)
	}
	if r := head.get("/people/" + tp.ID); !strings.Contains(r.body, "/admin/people/"+tp.ID+"/account") || strings.Contains(r.body, "Vous ne pouvez pas gérer") {
		t.Errorf("the teacher's page for the head does not link to the account page")
	}
	if r := head.post("/admin/people/"+tp.ID+"/second-factors/remove", url.Values{"csrf": {csrf}}); r.status != http.StatusSeeOther {
		t.Fatalf("head removes a teacher's factors: %d", r.status)
	}
	if a := e.acct(tp.ID); a.factors.Any() || a.sessions != 0 {
		t.Fatalf("after the removal: %+v", a)
	}
	if r := tSession.get("/"); r.status != http.StatusSeeOther {
		t.Fatal("the teacher's session survived the removal")
	}
	sec := e.signIn(e.account(mainSecretary).Login)
	if r := sec.post("/admin/people/"+tp.ID+"/sessions/end", url.Values{"csrf": {sec.csrf()}}); r.status != http.StatusSeeOther {
		t.Fatalf("secretary ends a teacher's sessions: %d", r.status)
	}

	// A single-school parent, not activated yet: the head's letter has the
	// address, and the code activates the account.
	parent := e.account(func(a demo.Account) bool {
		return a.Profile == roles.Relative && len(a.Establishments) == 1 && a.Establishment == demo.MainUAI
	})
	pp := e.person(parent.Login)
	if pp.Address == "" {
		t.Fatal("the demo parent has no address")
	}
	e.unactivate(pp.ID)
	r := head.post("/admin/people/"+pp.ID+"/activation", url.Values{"csrf": {csrf}})
	if r.status != 200 || !strings.HasPrefix(r.body, "%PDF-") {
		t.Fatalf("head's letter for a parent: %d %.300s", r.status, r.body)
	}
	codes, text := letterCodes(t, []byte(r.body))
	if codes[parent.Login] == "" || !strings.Contains(text, pp.Address) {
		t.Fatalf("the head's letter lacks the code or the address:\n%s", text)
	}

	// The operator attached to both schools, on the two-school parent.
	two, inMain, inSecond := e.twoSchools()
	p2 := e.person(two.Login)
	e.unactivate(p2.ID)
	op := e.signIn(e.account(provOperator).Login)
	r = op.post("/admin/people/"+p2.ID+"/activation", url.Values{"csrf": {op.csrf()}})
	if r.status != 200 || !strings.HasPrefix(r.body, "%PDF-") {
		t.Fatalf("operator's letter for the two-school parent: %d %.300s", r.status, r.body)
	}
	codes, text = letterCodes(t, []byte(r.body))
	code := codes[two.Login]
	if code == "" {
		t.Fatalf("no code on the operator's letter:\n%s", text)
	}
	if p2.Address == "" || strings.Contains(text, p2.Address) || (p2.PostalCode != "" && strings.Contains(text, p2.PostalCode)) {
		t.Fatalf("the operator's letter prints the family's address:\n%s", text)
	}
	for _, k := range []directory.Person{inMain, inSecond} {
		if !strings.Contains(text, k.FirstName+" "+k.LastName) {
			t.Errorf("the letter does not name the child %s", k.Login)
		}
	}
	const pw = "Les-deux-ecoles-de-nos-enfants-9"
	b := e.browser()
	if r := b.post("/activate", url.Values{"step": {"2"}, "login": {two.Login}, "code": {code}, "relative": {"1"},
		"password": {pw}, "confirm": {pw}, "email": {"famille@example.org"}}); r.status != http.StatusSeeOther {
		t.Fatalf("activation with the operator's letter: %d %.300s", r.status, r.body)
	}
	// Once used, the same code cannot replace the chosen password.
	if r := e.browser().post("/activate", url.Values{"login": {two.Login}, "code": {code}}); r.status != http.StatusUnauthorized {
		t.Fatalf("the used code: %d", r.status)
	}
	if ok, _ := auth.VerifyPassword(e.acct(p2.ID).hash, pw); !ok {
		t.Fatal("the chosen password does not open the account")
	}
}

// Class letters: the operator's print no address at all; the head's do.
// Activated accounts get no letter and the first page says how many.
func TestClassLettersAddressOnlyForReadContact(t *testing.T) {
	e := newEnv(t, 40)
	ctx := context.Background()
	est, _ := directory.EstablishmentByUAI(ctx, e.db, demo.MainUAI)
	classes, _ := directory.ClassesOfEstablishment(ctx, e.db, est.ID)
	class := classes[0]
	students := e.roster(class.ID)
	var people []directory.Person
	for _, s := range students {
		people = append(people, s)
		people = append(people, e.relatives(s.ID)...)
	}
	var ids []string
	for _, p := range people {
		ids = append(ids, p.ID)
	}
	e.unactivate(ids[1:]...) // the first student keeps their password
	addresses := func(text string) int {
		n := 0
		for _, p := range people {
			if p.Address != "" && strings.Contains(text, p.Address) {
				n++
			}
		}
		return n
	}
	op := e.signIn(e.account(provOperator).Login)
	r := op.post("/admin/classes/"+class.ID+"/activation", url.Values{"csrf": {op.csrf()}, "who": {"both"}})
	if r.status != 200 || !strings.HasPrefix(r.body, "%PDF-") {
		t.Fatalf("operator's class letters: %d", r.status)
	}
	codes, text := letterCodes(t, []byte(r.body))
	if len(codes) == 0 {
		t.Fatal("no letters")
	}
	if n := addresses(text); n != 0 {
		t.Fatalf("the operator's letters print %d postal addresses", n)
	}
	if _, ok := codes[students[0].Login]; ok {
		t.Fatal("a letter for an activated account")
	}
	if !strings.Contains(text, "Comptes déjà activés, sans courrier : 1") {
		t.Errorf("the first page does not count the activated account:\n%.800s", text)
	}
	if e.acct(students[0].ID).codes != 0 {
		t.Fatal("a code was issued for an activated account")
	}
	head := e.signIn(e.account(mainHead).Login)
	r = head.post("/admin/classes/"+class.ID+"/activation", url.Values{"csrf": {head.csrf()}, "who": {"both"}})
	if r.status != 200 {
		t.Fatalf("head's class letters: %d", r.status)
	}
	if _, text := letterCodes(t, []byte(r.body)); addresses(text) == 0 {
		t.Fatal("the head's letters print no address")
	}
}
