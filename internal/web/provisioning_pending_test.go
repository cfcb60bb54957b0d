package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"cartable/internal/auth"
	"cartable/internal/demo"
	"cartable/internal/directory"
	"cartable/internal/i18n"
	"cartable/internal/roles"
)

var (
	provSecretary = func(a demo.Account) bool {
		return a.Profile == roles.Staff && a.Establishment == demo.MainUAI && has(roles.Secretary)(a)
	}
	provLyceeHead = func(a demo.Account) bool {
		return a.Profile == roles.Staff && a.Establishment == demo.SecondUAI && has(roles.Head)(a)
	}
)

// mainCSV is a spreadsheet of the demo collège: one new student, in the
// class given.
func mainCSV(class string) map[string][]byte {
	return map[string][]byte{"eleves.csv": []byte("identifiant;nom;prénom;profil;classe\nX1;Nouvelle;Inès;élève;" + class + "\n")}
}

// An upload left unconfirmed is listed on the provisioning page, to its
// sender and to whoever provisions all it concerns, with who sent it,
// when, what and until when it waits; from there it is reviewed,
// confirmed or discarded. Nobody else reaches it, by the list or by its
// address, and the rights are asked again at each step.
func TestPendingUploadsListedToWhoMayHandleThem(t *testing.T) {
	e := newEnv(t, 60)
	ctx := context.Background()
	est, _ := directory.EstablishmentByUAI(ctx, e.db, demo.MainUAI)
	classes, _ := directory.ClassesOfEstablishment(ctx, e.db, est.ID)
	headAcct := e.account(provHead)
	head := e.signIn(headAcct.Login)
	r := head.provUpload(url.Values{"source": {"csv"}, "establishment": {est.ID}}, mainCSV(classes[0].Code))
	if r.status != http.StatusSeeOther {
		t.Fatalf("upload: %d %.800s", r.status, r.body)
	}
	review := r.header.Get("Location")
	id := strings.TrimPrefix(review, "/provisioning/uploads/")
	sent := e.clock.Now()

	// The sender left the review: the upload waits on the provisioning page.
	r = head.get("/provisioning")
	if r.status != 200 || !strings.Contains(r.body, `href="`+review+`"`) || !strings.Contains(r.body, `action="`+review+`/cancel"`) ||
		!strings.Contains(r.body, i18n.DateTime("fr", sent)) || !strings.Contains(r.body, i18n.DateTime("fr", sent.Add(24*time.Hour))) ||
		!strings.Contains(r.body, "Tableur (CSV)") || !strings.Contains(r.body, "1 fichier<") || !strings.Contains(r.body, est.Name) {
		t.Fatalf("the sender’s pending list: %d %s", r.status, r.body[strings.Index(r.body, "prov-pend-h"):])
	}
	// A secretary of the same collège sees it, named after its sender, and
	// may review it.
	sec := e.signIn(e.account(provSecretary).Login)
	name := e.person(headAcct.Login).DisplayName()
	if r := sec.get("/provisioning"); !strings.Contains(r.body, `href="`+review+`"`) || !strings.Contains(r.body, name) {
		t.Errorf("the secretary's pending list: %.3000s", r.body[strings.Index(r.body, "<main"):])
	}
	if r := sec.get(review); r.status != 200 || !strings.Contains(r.body, "par "+name) {
		t.Errorf("the secretary's review: %d", r.status)
	}

	// Nobody else: not listed, and the review, the confirmation and the
	// discard answer as a missing page, for the upload and for forged ids.
	lycee := e.signIn(e.account(provLyceeHead).Login)
	teacher := e.signIn(e.account(func(a demo.Account) bool { return a.Profile == roles.Teacher && a.Establishment == demo.MainUAI }).Login)
	student := e.signIn(e.account(func(a demo.Account) bool { return a.Profile == roles.Student && a.Establishment == demo.MainUAI }).Login)
	cpe := e.signIn(e.account(func(a demo.Account) bool {
		return a.Profile == roles.Staff && a.Establishment == demo.MainUAI && has(roles.CPE)(a)
	}).Login)
	if r := lycee.get("/provisioning"); r.status != 200 || strings.Contains(r.body, id) {
		t.Errorf("the lycée's head sees the collège's upload: %d", r.status)
	}
	for who, b := range map[string]*browser{"the lycée's head": lycee, "a teacher": teacher, "a student": student, "the CPE": cpe, "the sender": head} {
		for _, target := range []string{id, "forged" + id[6:], "0000000000000000"} {
			if who == "the sender" && target == id {
				continue
			}
			path := "/provisioning/uploads/" + target
			if r := b.get(path); r.status != http.StatusNotFound {
				t.Errorf("%s reviews %s: %d", who, target, r.status)
			}
			if r := b.provPost(path+"/confirm", nil); r.status != http.StatusNotFound {
				t.Errorf("%s confirms %s: %d", who, target, r.status)
			}
			if r := b.provPost(path+"/cancel", nil); r.status != http.StatusNotFound {
				t.Errorf("%s discards %s: %d", who, target, r.status)
			}
		}
		if who != "the lycée's head" && who != "the sender" {
			if r := b.get("/provisioning"); r.status != http.StatusNotFound {
				t.Errorf("%s lists uploads: %d", who, r.status)
			}
		}
	}
	if n := e.provCount(`SELECT COUNT(*) FROM import_uploads WHERE id = ?`, id); n != 1 {
		t.Fatal("a refused discard removed the upload")
	}

	// The secretary discards it: gone for everyone, nothing applied.
	r = sec.provPost(review+"/cancel", nil)
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/provisioning?done=discarded" {
		t.Fatalf("discard: %d %s", r.status, r.header.Get("Location"))
	}
	if r := sec.get("/provisioning?done=discarded"); !strings.Contains(r.body, "abandonné") || strings.Contains(r.body, id) {
		t.Error("the discard is not said, or the upload still listed")
	}
	if r := head.get(review); r.status != http.StatusNotFound {
		t.Errorf("the discarded upload: %d", r.status)
	}
	if n := e.provCount(`SELECT COUNT(*) FROM people WHERE external_id LIKE 'csv:%'`); n != 0 {
		t.Error("a discarded upload imported people")
	}

	// The sender who lost the right to provision loses the upload too.
	r = head.provUpload(url.Values{"source": {"csv"}, "establishment": {est.ID}}, mainCSV(classes[0].Code))
	review = r.header.Get("Location")
	if _, err := e.db.Exec(ctx, `DELETE FROM functions WHERE person_id = ?`, e.person(headAcct.Login).ID); err != nil {
		t.Fatal(err)
	}
	if r := head.get(review); r.status != http.StatusNotFound {
		t.Errorf("the former head reviews their upload: %d", r.status)
	}
	if r := head.provPost(review+"/cancel", nil); r.status != http.StatusNotFound {
		t.Errorf("the former head discards their upload: %d", r.status)
	}
	if r := sec.provPost(review+"/confirm", nil); r.status != http.StatusSeeOther {
		t.Fatalf("the secretary confirms the former head's upload: %d %.500s", r.status, r.body)
	}
	if n := e.provCount(`SELECT COUNT(*) FROM people WHERE external_id LIKE 'csv:%'`); n != 1 {
		t.Errorf("%d people imported", n)
	}

	// An upload waits a day: then it is gone from the list and the review.
	r = sec.provUpload(url.Values{"source": {"csv"}, "establishment": {est.ID}}, mainCSV(classes[0].Code))
	review = r.header.Get("Location")
	e.clock.Add(24*time.Hour + time.Minute)
	sec = e.signIn(e.account(provSecretary).Login)
	if r := sec.get("/provisioning"); strings.Contains(r.body, review) || !strings.Contains(r.body, "Aucun import en attente") {
		t.Error("an expired upload is listed")
	}
	if r := sec.get(review); r.status != http.StatusNotFound {
		t.Errorf("an expired upload is reviewed: %d", r.status)
	}
}

// A spreadsheet naming a class or group the establishment does not have
// would create it: the review names each, with the lines naming it, and
// nothing is applied until the confirmation ticks "Créer …"; without the
// tick the page says why and keeps everything as it was.
func TestSpreadsheetNamesTheClassesItWouldCreate(t *testing.T) {
	e := newEnv(t, 60)
	ctx := context.Background()
	est, _ := directory.EstablishmentByUAI(ctx, e.db, demo.MainUAI)
	classes, _ := directory.ClassesOfEstablishment(ctx, e.db, est.ID)
	known := classes[0].Code
	head := e.signIn(e.account(provHead).Login)
	sheet := "identifiant;nom;prénom;profil;classe;groupes\n" +
		"Y1;Durand;Léa;élève;" + known + ";\n" +
		"Y2;Durand;Noé;élève;4Z;LATIN-Z\n" +
		"Y3;Martin;Zoé;élève;" + known + ";\n" +
		"Y4;Martin;Eva;élève;4Z;\n"
	r := head.provUpload(url.Values{"source": {"csv"}, "establishment": {est.ID}}, map[string][]byte{"eleves.csv": []byte(sheet)})
	if r.status != http.StatusSeeOther {
		t.Fatalf("upload: %d %.800s", r.status, r.body)
	}
	review := r.header.Get("Location")
	r = head.get(review)
	for _, want := range []string{
		"Classes et groupes que le tableur créerait",
		"classe <strong>4Z</strong> (lignes <code>eleves.csv:3</code>, <code>eleves.csv:5</code>)",
		"groupe <strong>LATIN-Z</strong> (ligne <code>eleves.csv:3</code>)",
		`name="create" value="1"`, "Créer la classe 4Z et le groupe LATIN-Z",
	} {
		if !strings.Contains(r.body, want) {
			t.Errorf("the review lacks %q", want)
		}
	}
	if strings.Contains(r.body, "<strong>"+known+"</strong>") {
		t.Error("the review names a class that exists")
	}
	if t.Failed() {
		t.Fatalf("%s", r.body[strings.Index(r.body, "<main"):])
	}
	// Without the tick: nothing applied, and the page says why.
	r = head.provPost(review+"/confirm", nil)
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "Rien n’a été appliqué") || !strings.Contains(r.body, `name="create" value="1" aria-describedby="create-help review-error">`) {
		t.Fatalf("confirmation without the tick: %d %.3000s", r.status, r.body)
	}
	if n := e.provCount(`SELECT COUNT(*) FROM classes WHERE code = '4Z'`) + e.provCount(`SELECT COUNT(*) FROM groups WHERE code = 'LATIN-Z'`) +
		e.provCount(`SELECT COUNT(*) FROM people WHERE external_id LIKE 'csv:%'`); n != 0 {
		t.Fatalf("%d rows written without the tick", n)
	}
	// With it: created, and the students in them.
	r = head.provPost(review+"/confirm", url.Values{"create": {"1"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("confirmation with the tick: %d %.1000s", r.status, r.body)
	}
	if n := e.provCount(`SELECT COUNT(*) FROM enrolments n JOIN classes c ON c.id = n.class_id WHERE c.code = '4Z'`); n != 2 {
		t.Errorf("%d students in the new class", n)
	}
	if n := e.provCount(`SELECT COUNT(*) FROM groups WHERE code = 'LATIN-Z'`); n != 1 {
		t.Errorf("the new group: %d", n)
	}
}

// An import that brings establishments in attaches the operator to them;
// their default rule requires a second factor of administrators, so the
// operator without one will have to set one up at their next sign-in. The
// review says so before anything is applied, naming the establishments,
// and the next sign-in indeed asks for it. Who already has a factor, or
// brings no establishment in, is not warned.
func TestReviewWarnsOfTheSecondFactorNewEstablishmentsRequire(t *testing.T) {
	e := newEnv(t, 60)
	opAcct := e.account(provOperator)
	op := e.signIn(opAcct.Login)
	r := op.provUpload(url.Values{"source": {"aaf"}}, map[string][]byte{"d.zip": provZip(t, provFixtures+"/aaf/complete", nil)})
	review := r.header.Get("Location")
	r = op.get(review)
	for _, want := range []string{`id="factor-owed"`, "À votre prochaine connexion, une double authentification vous sera demandée.",
		"COLLEGE JEAN MOULIN (0750001A), LYCEE VICTOR HUGO (0750002B).", `aria-describedby="factor-owed"`, `href="/account"`} {
		if !strings.Contains(r.body, want) {
			t.Errorf("the review lacks %q", want)
		}
	}
	if t.Failed() {
		t.Fatalf("%s", r.body[strings.Index(r.body, "<main"):])
	}
	// Today the operator signs in with the password alone; once the import
	// is applied, the next sign-in asks for the enrolment announced.
	if r := op.provPost(review+"/confirm", nil); r.status != http.StatusSeeOther {
		t.Fatalf("confirm: %d", r.status)
	}
	e.passwordOnly(opAcct.Login)

	// Nothing to say when no establishment comes in (the head's own
	// spreadsheet), or when the operator already has a factor.
	head := e.signIn(e.account(provHead).Login)
	est, _ := directory.EstablishmentByUAI(context.Background(), e.db, demo.MainUAI)
	classes, _ := directory.ClassesOfEstablishment(context.Background(), e.db, est.ID)
	r = head.provUpload(url.Values{"source": {"csv"}, "establishment": {est.ID}}, mainCSV(classes[0].Code))
	if r := head.get(r.header.Get("Location")); r.status != 200 || strings.Contains(r.body, "factor-owed") {
		t.Errorf("the head's review warns of a second factor: %d", r.status)
	}
	// The operator sets up an app as asked, then brings two more
	// establishments in: nothing to warn of.
	secret := e.enrolAppAtSignIn(opAcct.Login)
	e.clock.Add(time.Minute)
	op, csrf := e.passwordOnly(opAcct.Login)
	code, _ := auth.TOTPCode(secret, e.clock.Now())
	if r := op.post("/sign-in/second-factor", url.Values{"csrf": {csrf}, "method": {"totp"}, "code": {code}}); r.status != http.StatusSeeOther {
		t.Fatalf("second factor: %d", r.status)
	}
	others := provZip(t, provFixtures+"/aaf/complete", func(name string, b []byte) []byte {
		if !strings.Contains(name, "EtabEducNat") {
			return nil
		}
		return []byte(strings.NewReplacer("1001", "3001", "0750001A", "0750031A", "1002", "3002", "0750002B", "0750032B").Replace(string(b)))
	})
	r = op.provUpload(url.Values{"source": {"aaf"}}, map[string][]byte{"d.zip": others})
	if r.status != http.StatusSeeOther {
		t.Fatalf("upload: %d %.1000s", r.status, r.body)
	}
	if r := op.get(r.header.Get("Location")); r.status != 200 || !strings.Contains(r.body, "0750031A") || strings.Contains(r.body, "factor-owed") {
		t.Errorf("the review warns an operator who has a second factor: %d", r.status)
	}
}
