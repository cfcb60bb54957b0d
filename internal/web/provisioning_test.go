package web_test

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cartable/internal/demo"
	"cartable/internal/directory"
	"cartable/internal/i18n"
	"cartable/internal/roles"
)

const provFixtures = "../provisioning/testdata"

// zipOf packs the files of a fixture folder, edited by edit when given.
func provZip(t *testing.T, dir string, edit func(name string, b []byte) []byte) []byte {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if edit != nil {
			if b = edit(e.Name(), b); b == nil {
				continue
			}
		}
		w, _ := zw.Create(e.Name())
		w.Write(b)
	}
	zw.Close()
	return buf.Bytes()
}

// upload posts files as the upload form does.
func (b *browser) provUpload(fields url.Values, files map[string][]byte) response {
	b.e.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("csrf", b.csrf())
	for k, vs := range fields {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	for name, content := range files {
		w, _ := mw.CreateFormFile("files", name)
		w.Write(content)
	}
	mw.Close()
	req, _ := http.NewRequest("POST", b.e.ts.URL+"/provisioning/uploads", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := b.client.Do(req)
	if err != nil {
		b.e.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return response{status: resp.StatusCode, header: resp.Header, body: string(raw)}
}

func (b *browser) provPost(path string, form url.Values) response {
	b.e.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	form.Set("csrf", b.csrf())
	return b.post(path, form)
}

func (e *env) provCount(query string, args ...any) int {
	e.t.Helper()
	var n int
	if err := e.db.QueryRow(context.Background(), query, args...).Scan(&n); err != nil {
		e.t.Fatalf("%s: %v", query, err)
	}
	return n
}

var (
	provOperator = func(a demo.Account) bool { return a.Profile == roles.Admin }
	provHead     = func(a demo.Account) bool {
		return a.Profile == roles.Staff && a.Establishment == demo.MainUAI && has(roles.Head)(a)
	}
)

func TestProvisioningUploadReviewConfirm(t *testing.T) {
	e := newEnv(t, 60)
	admin := e.signIn(e.account(provOperator).Login)
	r := admin.get("/provisioning")
	if r.status != 200 || !strings.Contains(r.body, "Importer une livraison") || !strings.Contains(r.body, `enctype="multipart/form-data"`) {
		t.Fatalf("provisioning page: %d %.300s", r.status, r.body)
	}
	r = admin.provUpload(url.Values{"source": {"aaf"}}, map[string][]byte{"livraison.zip": provZip(t, provFixtures+"/aaf/complete", nil)})
	if r.status != http.StatusSeeOther || !strings.HasPrefix(r.header.Get("Location"), "/provisioning/uploads/") {
		t.Fatalf("upload: %d %.500s", r.status, r.body)
	}
	review := r.header.Get("Location")
	// Reviewed, not applied.
	if n := e.provCount(`SELECT COUNT(*) FROM people WHERE external_id IS NOT NULL`); n != 0 {
		t.Fatalf("%d people imported before confirmation", n)
	}
	r = admin.get(review)
	// Counts read as phrases that agree with their number ("1 classe
	// créée", never "classes créés 1"); the page is named after the upload.
	for _, want := range []string{"<li>4 élèves créés</li>", "<li>3 classes créées</li>", "<li>1 groupe créé</li>",
		"responsables sans aucun élève", "<title>Import en attente du " + i18n.DateTime("fr", e.clock.Now()) + " · Annuaire académique (AAF) · Cartable</title>",
		"(1er septembre 2026)"} {
		if !strings.Contains(r.body, want) {
			t.Errorf("the review lacks %q", want)
		}
	}
	if r.status != 200 || t.Failed() {
		t.Fatalf("review: %d %s", r.status, r.body[strings.Index(r.body, "<main"):])
	}
	// Nobody else reaches the upload.
	head := e.signIn(e.account(provHead).Login)
	if r := head.get(review); r.status != http.StatusNotFound {
		t.Errorf("another user sees the upload: %d", r.status)
	}
	if r := head.provPost(review+"/confirm", nil); r.status != http.StatusNotFound {
		t.Errorf("another user confirms the upload: %d", r.status)
	}
	r = admin.provPost(review+"/confirm", nil)
	if r.status != http.StatusSeeOther || !strings.HasPrefix(r.header.Get("Location"), "/provisioning/imports/") {
		t.Fatalf("confirm: %d %.500s", r.status, r.body)
	}
	run := r.header.Get("Location")
	if n := e.provCount(`SELECT COUNT(*) FROM people WHERE external_id IS NOT NULL`); n != 14 {
		t.Fatalf("%d people imported", n)
	}
	// The operator is attached to the establishments they brought in.
	me := e.person(e.account(provOperator).Login)
	if n := e.provCount(`SELECT COUNT(*) FROM memberships m JOIN establishments x ON x.id = m.establishment_id
		WHERE m.person_id = ? AND x.uai IN ('0750001A', '0750002B')`, me.ID); n != 2 {
		t.Errorf("operator attached to %d new establishments", n)
	}
	r = admin.get(run)
	if r.status != 200 || !strings.Contains(r.body, "appliquée") || !strings.Contains(r.body, "COLLEGE JEAN MOULIN") {
		t.Fatalf("run page: %d %.500s", r.status, r.body)
	}
	if r := admin.get("/provisioning"); !strings.Contains(r.body, run) {
		t.Error("the history does not list the import")
	}
	// The upload is gone once applied; the head of the demo collège, who
	// manages none of these establishments, does not see the run.
	if r := admin.get(review); r.status != http.StatusNotFound {
		t.Errorf("the applied upload is still there: %d", r.status)
	}
	if r := head.get(run); r.status != http.StatusNotFound {
		t.Errorf("the head sees another establishment's import: %d", r.status)
	}
}

func TestProvisioningRefusals(t *testing.T) {
	e := newEnv(t, 60)
	parent := e.signIn(e.account(func(a demo.Account) bool { return a.Profile == roles.Relative }).Login)
	teacher := e.signIn(e.account(func(a demo.Account) bool { return a.Profile == roles.Teacher }).Login)
	for _, b := range []*browser{parent, teacher} {
		if r := b.get("/provisioning"); r.status != http.StatusNotFound {
			t.Errorf("provisioning page for a parent or teacher: %d", r.status)
		}
		if r := b.provUpload(url.Values{"source": {"aaf"}}, map[string][]byte{"d.zip": provZip(t, provFixtures+"/aaf/complete", nil)}); r.status != http.StatusNotFound {
			t.Errorf("upload by a parent or teacher: %d", r.status)
		}
	}
	// The head may feed their own establishment, not bring others in.
	head := e.signIn(e.account(provHead).Login)
	if r := head.get("/provisioning"); r.status != 200 {
		t.Fatalf("head: %d", r.status)
	}
	r := head.provUpload(url.Values{"source": {"aaf"}}, map[string][]byte{"d.zip": provZip(t, provFixtures+"/aaf/complete", nil)})
	if r.status != http.StatusForbidden || !strings.Contains(r.body, "0750001A") || !strings.Contains(r.body, "que vous ne gérez pas") {
		t.Fatalf("head uploading other establishments: %d %.500s", r.status, r.body)
	}
	if n := e.provCount(`SELECT COUNT(*) FROM import_uploads`); n != 0 {
		t.Error("a refused upload was stored")
	}
	if n := e.provCount(`SELECT COUNT(*) FROM audit_events WHERE action = 'access-refused'`); n == 0 {
		t.Error("the refusal was not audited")
	}
	// Too large: refused before anything is read, with a page that says so.
	req, _ := http.NewRequest("POST", e.ts.URL+"/provisioning/uploads", io.LimitReader(zeroes{}, 65<<20))
	req.ContentLength = 65 << 20
	req.Header.Set("Content-Type", "multipart/form-data; boundary=x")
	if resp, err := head.client.Do(req); err != nil {
		t.Fatal(err)
	} else {
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(string(b), "64 Mo") {
			t.Errorf("oversized upload: %d", resp.StatusCode)
		}
	}
	// Without the form token: refused.
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("source", "aaf")
	mw.Close()
	req, _ = http.NewRequest("POST", e.ts.URL+"/provisioning/uploads", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := head.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("upload without the form token: %d", resp.StatusCode)
	}
}

func TestProvisioningHeadImportsOwnExport(t *testing.T) {
	e := newEnv(t, 60)
	head := e.signIn(e.account(provHead).Login)
	est, err := directory.EstablishmentByUAI(context.Background(), e.db, demo.MainUAI)
	if err != nil {
		t.Fatal(err)
	}
	students, _ := os.ReadFile(provFixtures + "/siecle/ElevesSansAdresses.xml")
	students = bytes.ReplaceAll(students, []byte("0750003C"), []byte(demo.MainUAI))
	r := head.provUpload(url.Values{"source": {"siecle"}, "establishment": {est.ID}}, map[string][]byte{"eleves.xml": students})
	if r.status != http.StatusSeeOther {
		t.Fatalf("upload: %d %.800s", r.status, r.body)
	}
	if r := head.provPost(r.header.Get("Location")+"/confirm", nil); r.status != http.StatusSeeOther {
		t.Fatalf("confirm: %d %.800s", r.status, r.body)
	}
	if n := e.provCount(`SELECT COUNT(*) FROM people WHERE external_id LIKE 'siecle:` + demo.MainUAI + `:%'`); n != 2 {
		t.Errorf("%d students imported", n)
	}
	// The demo's own people (no join key) are untouched by a complete export.
	if n := e.provCount(`SELECT COUNT(*) FROM people WHERE NOT active`); n != 0 {
		t.Errorf("%d people deactivated", n)
	}
}

func TestProvisioningErrorsKeepTheForm(t *testing.T) {
	e := newEnv(t, 60)
	admin := e.signIn(e.account(provOperator).Login)
	broken := provZip(t, provFixtures+"/aaf/complete", func(name string, b []byte) []byte {
		if strings.Contains(name, "PersRelEleve") {
			return bytes.Replace(b, []byte("</value>"), []byte("</valeur>"), 1)
		}
		return b
	})
	r := admin.provUpload(url.Values{"source": {"aaf"}}, map[string][]byte{"d.zip": broken})
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "TEST_Complet_20260901_PersRelEleve_0000.xml:5") ||
		!strings.Contains(r.body, "XML mal formé") || !strings.Contains(r.body, `<option value="aaf" selected>`) {
		t.Fatalf("broken delivery: %d %.1500s", r.status, r.body[strings.Index(r.body, "<main"):])
	}
	r = admin.provUpload(url.Values{"source": {"csv"}}, map[string][]byte{"a.csv": []byte("id;nom;prénom;profil\n")})
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "Choisissez l’établissement") || !strings.Contains(r.body, `<option value="csv" selected>`) {
		t.Fatalf("csv without establishment: %d %.800s", r.status, r.body)
	}
	if n := e.provCount(`SELECT COUNT(*) FROM people WHERE external_id IS NOT NULL`); n != 0 {
		t.Error("a failed upload imported people")
	}
}

func TestProvisioningGuardInTheWeb(t *testing.T) {
	e := newEnv(t, 60)
	admin := e.signIn(e.account(provOperator).Login)
	r := admin.provUpload(url.Values{"source": {"aaf"}}, map[string][]byte{"d.zip": provZip(t, provFixtures+"/aaf/complete", nil)})
	admin.provPost(r.header.Get("Location")+"/confirm", nil)
	truncated := provZip(t, provFixtures+"/aaf/complete", func(name string, b []byte) []byte {
		if strings.Contains(name, "Eleve_0000") {
			return nil
		}
		return b
	})
	r = admin.provUpload(url.Values{"source": {"aaf"}}, map[string][]byte{"d.zip": truncated})
	review := r.header.Get("Location")
	r = admin.get(review)
	if !strings.Contains(r.body, "au-delà de la limite") || !strings.Contains(r.body, `name="allow"`) {
		t.Fatalf("review of a truncated feed: %.2000s", r.body)
	}
	r = admin.provPost(review+"/confirm", nil)
	if r.status != http.StatusConflict || !strings.Contains(r.body, "trop de départs") {
		t.Fatalf("confirm without the override: %d %.500s", r.status, r.body)
	}
	if n := e.provCount(`SELECT COUNT(*) FROM people WHERE external_id IS NOT NULL AND NOT active`); n != 0 {
		t.Fatalf("%d people deactivated by a refused import", n)
	}
	r = admin.provPost(review+"/confirm", url.Values{"allow": {"1"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("confirm with the override: %d %.500s", r.status, r.body)
	}
	if n := e.provCount(`SELECT COUNT(*) FROM people WHERE external_id IN ('S1', 'S2') AND NOT active`); n != 2 {
		t.Errorf("%d students deactivated", n)
	}
}

func TestRolloverInTheWeb(t *testing.T) {
	e := newEnv(t, 60)
	head := e.signIn(e.account(provHead).Login)
	est, _ := directory.EstablishmentByUAI(context.Background(), e.db, demo.MainUAI)
	base := "/provisioning/establishments/" + est.ID + "/rollover"
	y, err := directory.CurrentSchoolYear(context.Background(), e.db, est.ID, e.clock.Now().Format("2006-01-02"))
	if err != nil {
		t.Fatal(err)
	}
	var start int
	for _, c := range y.Label[:4] {
		start = start*10 + int(c-'0')
	}
	next := url.QueryEscape(strings.Join([]string{provItoa(start + 1), provItoa(start + 2)}, "-"))
	r := head.get(base)
	if r.status != 200 || !strings.Contains(r.body, `value="`+provItoa(start+1)+"-"+provItoa(start+2)+`"`) {
		t.Fatalf("rollover form: %d %.500s", r.status, r.body)
	}
	r = head.get(base + "?year=" + next)
	if r.status != 200 || !strings.Contains(r.body, "clôt "+y.Label) || !strings.Contains(r.body, "Clore l’année") {
		t.Fatalf("preview: %d %.1000s", r.status, r.body)
	}
	if r := head.get(base + "?year=2030"); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "deux années consécutives") {
		t.Errorf("bad year: %d", r.status)
	}
	classes := e.provCount(`SELECT COUNT(*) FROM classes WHERE school_year_id = ?`, y.ID)
	r = head.provPost(base, url.Values{"year": {provItoa(start+1) + "-" + provItoa(start+2)}})
	if r.status != http.StatusSeeOther || r.header.Get("Location") != base {
		t.Fatalf("rollover: %d %.500s", r.status, r.body)
	}
	// Post/redirect/get: the outcome shows once, a reload proposes nothing.
	if r := head.get(base); r.status != 200 || !strings.Contains(r.body, "C’est fait : "+provItoa(start+1)+"-"+provItoa(start+2)) {
		t.Fatalf("after the rollover: %d %.800s", r.status, mainOf(r.body))
	}
	if r := head.get(base); r.status != 200 || strings.Contains(r.body, "C’est fait") {
		t.Errorf("the outcome shows twice: %d", r.status)
	}
	if n := e.provCount(`SELECT COUNT(*) FROM school_years WHERE id = ? AND closed`, y.ID); n != 1 {
		t.Error("the year is not closed")
	}
	if n := e.provCount(`SELECT COUNT(*) FROM classes WHERE school_year_id = ?`, y.ID); n != classes {
		t.Error("the closed year's classes were not kept")
	}
	// A teacher may not.
	teacher := e.signIn(e.account(func(a demo.Account) bool { return a.Profile == roles.Teacher }).Login)
	if r := teacher.get(base); r.status != http.StatusNotFound {
		t.Errorf("teacher on the rollover: %d", r.status)
	}
	if r := teacher.provPost(base, url.Values{"year": {"2040-2041"}}); r.status != http.StatusNotFound {
		t.Errorf("teacher rolling over: %d", r.status)
	}
}

func provItoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for n > 0 {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
	}
	return string(b)
}

func TestClosingAndReopeningAccounts(t *testing.T) {
	e := newEnv(t, 60)
	head := e.signIn(e.account(provHead).Login)
	est, _ := directory.EstablishmentByUAI(context.Background(), e.db, demo.MainUAI)
	base := "/provisioning/establishments/" + est.ID + "/accounts"
	student := e.account(func(a demo.Account) bool { return a.Profile == roles.Student && a.Establishment == demo.MainUAI })
	pupil := e.signIn(student.Login)
	if r := pupil.get("/"); r.status != 200 {
		t.Fatal("the student cannot see their home")
	}
	// A login that is not of this establishment: refused, the form keeps it.
	r := head.provPost(base+"/close", url.Values{"login": {"nobody.here"}})
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `value="nobody.here"`) || !strings.Contains(r.body, "Aucun compte") {
		t.Fatalf("unknown login: %d %.500s", r.status, r.body)
	}
	// The operator ranks above the head: refused, and the page says why.
	if r := head.provPost(base+"/close", url.Values{"login": {e.account(provOperator).Login}}); r.status != http.StatusForbidden || !strings.Contains(r.body, "son rang égale ou dépasse le vôtre") {
		t.Errorf("the head closing the operator's account: %d", r.status)
	}
	r = head.provPost(base+"/close", url.Values{"login": {student.Login}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("close: %d %.500s", r.status, r.body)
	}
	// At once: signed out, not listed.
	if r := pupil.get("/"); r.status != http.StatusSeeOther || r.header.Get("Location") != "/sign-in" {
		t.Errorf("the closed account still browses: %d", r.status)
	}
	p := e.person(student.Login)
	r = head.get(base + "?done=closed")
	purge := i18n.ShortDate("fr", e.clock.Now().Add(90*24*time.Hour))
	if r.status != 200 || !strings.Contains(r.body, p.LastName) || !strings.Contains(r.body, purge) || !strings.Contains(r.body, "Le compte est fermé") {
		t.Fatalf("closed accounts: %d %.1500s", r.status, r.body)
	}
	// The person's choice about their contributions.
	if r := head.provPost("/provisioning/people/"+p.ID+"/choice", url.Values{"establishment": {est.ID}, "objects": {"1"}}); r.status != http.StatusSeeOther {
		t.Fatalf("choice: %d", r.status)
	}
	if n := e.provCount(`SELECT COUNT(*) FROM account_closures WHERE person_id = ? AND objects`, p.ID); n != 1 {
		t.Error("the objection was not recorded")
	}
	// Nothing of the query string is shown as a notice.
	if r := head.get(base + "?error=Appelez+le+0800&done=Appelez"); r.status != 200 || strings.Contains(r.body, "Appelez") {
		t.Errorf("a query string reached the page: %d", r.status)
	}
	// A teacher may neither list nor reopen.
	teacher := e.signIn(e.account(func(a demo.Account) bool { return a.Profile == roles.Teacher }).Login)
	if r := teacher.get(base); r.status != http.StatusNotFound {
		t.Errorf("teacher lists closed accounts: %d", r.status)
	}
	if r := teacher.provPost("/provisioning/people/"+p.ID+"/reactivate", url.Values{"establishment": {est.ID}}); r.status != http.StatusNotFound {
		t.Errorf("teacher reopens: %d", r.status)
	}
	r = head.provPost("/provisioning/people/"+p.ID+"/reactivate", url.Values{"establishment": {est.ID}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("reactivate: %d", r.status)
	}
	if again := e.signIn(student.Login); again.get("/").status != 200 {
		t.Error("the reopened account cannot sign in")
	}
}

type zeroes struct{}

func (zeroes) Read(b []byte) (int, error) {
	clear(b)
	return len(b), nil
}
