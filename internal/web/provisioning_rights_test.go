package web_test

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"cartable/internal/demo"
	"cartable/internal/directory"
	"cartable/internal/roles"
)

// The rights of an import reach every person it changes: a delta that
// names no establishment must not let anyone rewrite people by join key.

// aafDelta packs AAF delta files, one per type ("PersEducNat", "Eleve",
// "PersRelEleve"), each holding the given requests.
func aafDelta(t *testing.T, files map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for typ, requests := range files {
		w, err := zw.Create("ATK_Delta_20261001_" + typ + "_0000.xml")
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?>`+"\n<ficAlimMENESR>\n"+requests+"</ficAlimMENESR>\n")
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// aafModify is a modifyRequest replacing one attribute of the person with
// that join key.
func aafModify(category, key, attr, value string) string {
	return `<modifyRequest>
<operationalAttributes><attr name="categoriePersonne"><value>` + category + `</value></attr></operationalAttributes>
<identifier><id>` + key + `</id></identifier>
<modifications><modification name="` + attr + `" operation="replace"><value>` + value + `</value></modification></modifications>
</modifyRequest>
`
}

func aafDelete(category, key string) string {
	return `<deleteRequest>
<operationalAttributes><attr name="categoriePersonne"><value>` + category + `</value></attr></operationalAttributes>
<identifier><id>` + key + `</id></identifier>
</deleteRequest>
`
}

// joinKey gives a demo person a join key, as if a feed had created them.
func (e *env) joinKey(login, key string) directory.Person {
	e.t.Helper()
	p := e.person(login)
	if _, err := e.db.Exec(context.Background(), `UPDATE people SET external_id = ? WHERE id = ?`, key, p.ID); err != nil {
		e.t.Fatal(err)
	}
	return p
}

func (e *env) emailOf(id string) string {
	e.t.Helper()
	var s string
	if err := e.db.QueryRow(context.Background(), `SELECT email FROM people WHERE id = ?`, id).Scan(&s); err != nil {
		e.t.Fatal(err)
	}
	return s
}

func (e *env) refusalsBy(id string) int {
	e.t.Helper()
	return e.provCount(`SELECT COUNT(*) FROM audit_events WHERE action = 'access-refused' AND actor_id = ? AND outcome = 'denied'`, id)
}

// countingBodies serves the same server again, counting the bytes any
// handler reads from request bodies.
func countingBodies(e *env) (*env, *atomic.Int64) {
	var n atomic.Int64
	h := e.srv.Handler()
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = bodyCounter{r.Body, &n}
		h.ServeHTTP(w, r)
	}))
	e.t.Cleanup(ts.Close)
	c := *e
	c.ts = ts
	return &c, &n
}

type bodyCounter struct {
	io.ReadCloser
	n *atomic.Int64
}

func (c bodyCounter) Read(b []byte) (int, error) {
	n, err := c.ReadCloser.Read(b)
	c.n.Add(int64(n))
	return n, err
}

var (
	provHeadOfSecond = func(a demo.Account) bool {
		return a.Profile == roles.Staff && a.Establishment == demo.SecondUAI && has(roles.Head)(a)
	}
	inBoth = func(profile string) func(a demo.Account) bool {
		return func(a demo.Account) bool { return a.Profile == profile && len(a.Establishments) == 2 }
	}
	onlyMain = func(profile string) func(a demo.Account) bool {
		return func(a demo.Account) bool {
			return a.Profile == profile && len(a.Establishments) == 1 && a.Establishments[0] == demo.MainUAI
		}
	}
)

// The attack of the review: a delta naming no establishment replaces the
// head's e-mail (a password reset then goes to the new address). Nobody
// without the rights over the head's establishment gets anywhere, and
// those with none are refused before their upload is read.
func TestProvisioningDeltaTakeoverRefused(t *testing.T) {
	e := newEnv(t, 60)
	ce, read := countingBodies(e)
	headAcct := e.account(provHead)
	head := e.joinKey(headAcct.Login, "K-HEAD")
	before := e.emailOf(head.ID)
	attack := aafDelta(t, map[string]string{"PersEducNat": aafModify("PersEducNat", "K-HEAD", "mail", "pirate@evil.example")})

	// An upload that got through is confirmed, as the attacker would.
	replay := func(b *browser, r response) {
		if r.status == http.StatusSeeOther && strings.HasPrefix(r.header.Get("Location"), "/provisioning/uploads/") {
			b.provPost(r.header.Get("Location")+"/confirm", nil)
		}
	}
	for _, who := range []struct {
		name string
		acct demo.Account
	}{
		{"student", e.account(onlyMain(roles.Student))},
		{"relative", e.account(func(a demo.Account) bool { return a.Profile == roles.Relative })},
		{"teacher", e.account(onlyMain(roles.Teacher))},
		{"deputy", e.account(func(a demo.Account) bool { return a.Establishment == demo.MainUAI && has(roles.Deputy)(a) })},
	} {
		b := ce.signIn(who.acct.Login)
		id := e.person(who.acct.Login).ID
		refused := e.refusalsBy(id)
		read.Store(0)
		r := b.provUpload(url.Values{"source": {"aaf"}}, map[string][]byte{"delta.zip": attack})
		if r.status != http.StatusNotFound {
			t.Errorf("%s uploading a delta: %d %.300s", who.name, r.status, r.body)
		}
		replay(b, r)
		if n := read.Load(); n != 0 {
			t.Errorf("%s: %d bytes of the upload were read before the refusal", who.name, n)
		}
		if e.refusalsBy(id) != refused+1 {
			t.Errorf("%s: the refusal was not audited", who.name)
		}
	}

	// The head of the other establishment may upload, but not this delta.
	other := e.account(provHeadOfSecond)
	b := e.signIn(other.Login)
	otherID := e.person(other.Login).ID
	refused := e.refusalsBy(otherID)
	r := b.provUpload(url.Values{"source": {"aaf"}}, map[string][]byte{"delta.zip": attack})
	if r.status != http.StatusForbidden || !strings.Contains(r.body, "que vous ne gérez pas") || strings.Contains(r.body, demo.MainUAI) {
		t.Errorf("head of the other establishment: %d %.500s", r.status, r.body)
	}
	replay(b, r)
	if e.refusalsBy(otherID) != refused+1 {
		t.Error("the other head's refusal was not audited")
	}
	// Nor by deleting the head.
	r = b.provUpload(url.Values{"source": {"aaf"}}, map[string][]byte{"delta.zip": aafDelta(t, map[string]string{"PersEducNat": aafDelete("PersEducNat", "K-HEAD")})})
	if r.status != http.StatusForbidden {
		t.Errorf("head of the other establishment deleting this one's head: %d", r.status)
	}
	replay(b, r)

	if got := e.emailOf(head.ID); got != before {
		t.Fatalf("the head's e-mail became %q", got)
	}
	if n := e.provCount(`SELECT COUNT(*) FROM people WHERE id = ? AND active`, head.ID); n != 1 {
		t.Fatal("the head was deactivated")
	}
	if n := e.provCount(`SELECT COUNT(*) FROM import_uploads`); n != 0 {
		t.Errorf("%d refused uploads stored", n)
	}
	if n := e.provCount(`SELECT COUNT(*) FROM import_runs`); n != 0 {
		t.Errorf("%d imports recorded", n)
	}

	// The operator, attached to both establishments, may.
	admin := e.signIn(e.account(provOperator).Login)
	r = admin.provUpload(url.Values{"source": {"aaf"}}, map[string][]byte{"delta.zip": aafDelta(t, map[string]string{"PersEducNat": aafModify("PersEducNat", "K-HEAD", "mail", "direction@college.example.fr")})})
	if r.status != http.StatusSeeOther {
		t.Fatalf("operator: %d %.500s", r.status, r.body)
	}
	if r = admin.provPost(r.header.Get("Location")+"/confirm", nil); r.status != http.StatusSeeOther {
		t.Fatalf("operator's confirmation: %d %.500s", r.status, r.body)
	}
	if got := e.emailOf(head.ID); got != "direction@college.example.fr" {
		t.Errorf("the operator's delta gave %q", got)
	}
}

// A head answers for the people of their establishment only: someone also
// attached to another establishment, or an operator, is out of their
// reach, while their own students stay theirs.
func TestProvisioningHeadDeltaScope(t *testing.T) {
	e := newEnv(t, 60)
	head := e.signIn(e.account(provHead).Login)
	headID := e.person(e.account(provHead).Login).ID

	shared := e.joinKey(e.account(inBoth(roles.Teacher)).Login, "K-SHARED")
	family := e.joinKey(e.account(inBoth(roles.Relative)).Login, "K-FAMILY")
	operator := e.joinKey(e.account(provOperator).Login, "K-OPERATOR")
	// An operator attached to this establishment only.
	if _, err := e.db.Exec(context.Background(), `DELETE FROM memberships WHERE person_id = ? AND establishment_id =
		(SELECT id FROM establishments WHERE uai = ?)`, operator.ID, demo.SecondUAI); err != nil {
		t.Fatal(err)
	}
	pupil := e.joinKey(e.account(onlyMain(roles.Student)).Login, "K-PUPIL")

	for _, c := range []struct {
		name, typ, request string
		id                 string
	}{
		{"a teacher of both establishments", "PersEducNat", aafModify("PersEducNat", "K-SHARED", "mail", "pirate@evil.example"), shared.ID},
		{"a relative with children in both", "PersRelEleve", aafModify("PersRelEleve", "K-FAMILY", "mail", "pirate@evil.example"), family.ID},
		{"an operator", "PersEducNat", aafModify("PersEducNat", "K-OPERATOR", "mail", "pirate@evil.example"), operator.ID},
	} {
		before := e.emailOf(c.id)
		refused := e.refusalsBy(headID)
		r := head.provUpload(url.Values{"source": {"aaf"}}, map[string][]byte{"delta.zip": aafDelta(t, map[string]string{c.typ: c.request})})
		if r.status != http.StatusForbidden || !strings.Contains(r.body, "demandez à l’opérateur") {
			t.Errorf("head changing %s: %d %.500s", c.name, r.status, r.body)
		}
		if r.status == http.StatusSeeOther {
			head.provPost(r.header.Get("Location")+"/confirm", nil)
		}
		if got := e.emailOf(c.id); got != before {
			t.Errorf("%s: e-mail became %q", c.name, got)
		}
		if e.refusalsBy(headID) != refused+1 {
			t.Errorf("%s: the refusal was not audited", c.name)
		}
	}
	// Closing the teacher of both establishments: refused as well.
	r := head.provUpload(url.Values{"source": {"aaf"}}, map[string][]byte{"delta.zip": aafDelta(t, map[string]string{"PersEducNat": aafDelete("PersEducNat", "K-SHARED")})})
	if r.status != http.StatusForbidden {
		t.Errorf("head deactivating a teacher of both establishments: %d", r.status)
	}
	if n := e.provCount(`SELECT COUNT(*) FROM people WHERE id = ? AND active`, shared.ID); n != 1 {
		t.Error("the shared teacher was deactivated")
	}
	if n := e.provCount(`SELECT COUNT(*) FROM import_uploads`); n != 0 {
		t.Errorf("%d refused uploads stored", n)
	}

	// Their own student: reviewed, applied.
	r = head.provUpload(url.Values{"source": {"aaf"}}, map[string][]byte{"delta.zip": aafDelta(t, map[string]string{"Eleve": aafModify("Eleve", "K-PUPIL", "mail", "eleve@college.example.fr")})})
	if r.status != http.StatusSeeOther {
		t.Fatalf("head changing their own student: %d %.800s", r.status, r.body)
	}
	if r = head.provPost(r.header.Get("Location")+"/confirm", nil); r.status != http.StatusSeeOther {
		t.Fatalf("head's confirmation: %d %.800s", r.status, r.body)
	}
	if got := e.emailOf(pupil.ID); got != "eleve@college.example.fr" {
		t.Errorf("the student's e-mail is %q", got)
	}
}

// The confirmation checks the rights again on the changes as they will be
// applied: a student who joined another establishment since the review is
// no longer the head's alone.
func TestProvisioningConfirmRechecksTheRights(t *testing.T) {
	e := newEnv(t, 60)
	ctx := context.Background()
	head := e.signIn(e.account(provHead).Login)
	headID := e.person(e.account(provHead).Login).ID
	pupil := e.joinKey(e.account(onlyMain(roles.Student)).Login, "K-PUPIL")
	before := e.emailOf(pupil.ID)
	r := head.provUpload(url.Values{"source": {"aaf"}}, map[string][]byte{"delta.zip": aafDelta(t, map[string]string{"Eleve": aafModify("Eleve", "K-PUPIL", "mail", "autre@example.org")})})
	if r.status != http.StatusSeeOther {
		t.Fatalf("upload: %d %.500s", r.status, r.body)
	}
	review := r.header.Get("Location")
	second, err := directory.EstablishmentByUAI(ctx, e.db, demo.SecondUAI)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.Exec(ctx, `INSERT INTO memberships (person_id, establishment_id) VALUES (?, ?)`, pupil.ID, second.ID); err != nil {
		t.Fatal(err)
	}
	refused := e.refusalsBy(headID)
	if r := head.provPost(review+"/confirm", nil); r.status != http.StatusNotFound {
		t.Fatalf("confirmation beyond the rights: %d %.500s", r.status, r.body)
	}
	if got := e.emailOf(pupil.ID); got != before {
		t.Errorf("the student's e-mail became %q", got)
	}
	if e.refusalsBy(headID) != refused+1 {
		t.Error("the refused confirmation was not audited")
	}
	if n := e.provCount(`SELECT COUNT(*) FROM import_runs`); n != 0 {
		t.Errorf("%d imports recorded", n)
	}
}
