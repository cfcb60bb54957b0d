package web_test

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"cartable/internal/demo"
	"cartable/internal/directory"
	"cartable/internal/i18n"
)

// pdfWords reads a PDF back with pdftotext, its words separated by single
// spaces (the PDF breaks lines where it likes).
func pdfWords(t *testing.T, pdf []byte) string {
	t.Helper()
	tool, err := exec.LookPath("pdftotext")
	if err != nil {
		if os.Getenv("CI") == "" {
			t.Skip("pdftotext is needed to read the letters back: install Debian's poppler-utils (.ci/run does)")
		}
		t.Fatal("pdftotext is needed to read the letters back: install Debian's poppler-utils (.ci/run does)")
	}
	f := filepath.Join(t.TempDir(), "letter.pdf")
	if err := os.WriteFile(f, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(tool, f, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return strings.Join(strings.Fields(string(out)), " ")
}

// An activation letter promises only what Cartable has, and its steps are
// those the activation page takes: followed to the letter through HTTP,
// for a relative (who gives a recovery e-mail), a student (who does not),
// and a student whose establishment requires a second factor (the letter
// says so, and the activation asks for it).
func TestActivationLetterTellsTheActivationAsItIs(t *testing.T) {
	e := newEnv(t, 40)
	ctx := context.Background()
	head := e.signIn(e.account(provHead).Login)
	est, _ := directory.EstablishmentByUAI(ctx, e.db, demo.MainUAI)
	classes, _ := directory.ClassesOfEstablishment(ctx, e.db, est.ID)
	// A family of this establishment alone: the head manages its accounts.
	var student, relative directory.Person
	for _, s := range e.roster(classes[0].ID) {
		for _, k := range e.relatives(s.ID) {
			if relative.ID == "" && len(e.memberships(s.ID)) == 1 && len(e.memberships(k.ID)) == 1 {
				student, relative = s, k
			}
		}
	}
	if relative.ID == "" {
		t.Fatal("no family of the collège alone")
	}
	e.unactivate(student.ID, relative.ID)

	codeRE := regexp.MustCompile(`Code d'activation : ([A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4})`)
	letter := func(id string) (text, code string) {
		t.Helper()
		r := head.post("/admin/people/"+id+"/activation", url.Values{"csrf": {head.csrf()}})
		if r.status != 200 || r.header.Get("Content-Type") != "application/pdf" {
			t.Fatalf("letter: %d %.300s", r.status, r.body)
		}
		text = pdfWords(t, []byte(r.body))
		m := codeRE.FindStringSubmatch(text)
		if m == nil {
			t.Fatalf("no code in the letter:\n%s", text)
		}
		return text, m[1]
	}
	next, finish := i18n.T("fr", "activate.next"), i18n.T("fr", "activate.finish")
	if r := e.browser().get("/activate"); !strings.Contains(r.body, ">"+next+"</button>") {
		t.Fatalf("the activation page's first button is not %q", next)
	}
	promises := func(who, text string) {
		t.Helper()
		for _, never := range []string{"vie scolaire", "messages", "notes", "absences"} {
			if strings.Contains(strings.ToLower(text), never) {
				t.Errorf("%s's letter promises %q:\n%s", who, never, text)
			}
		}
		for _, want := range []string{"emploi du temps", "cahier de textes", "travail à faire", "« " + next + " »", "« " + finish + " »"} {
			if !strings.Contains(text, want) {
				t.Errorf("%s's letter lacks %q:\n%s", who, want, text)
			}
		}
	}

	// The relative: the second step asks for the recovery e-mail, as the
	// letter says; no second factor in the demo's establishments.
	text, code := letter(relative.ID)
	promises("relative", text)
	if !strings.Contains(text, "adresse électronique de secours (obligatoire)") || strings.Contains(text, "3. ") {
		t.Errorf("relative's letter:\n%s", text)
	}
	b := e.browser()
	r := b.post("/activate", url.Values{"login": {relative.Login}, "code": {code}})
	if r.status != 200 || !strings.Contains(r.body, `name="email"`) || !strings.Contains(r.body, ">"+finish+"</button>") {
		t.Fatalf("step 2 of the relative: %d %.500s", r.status, r.body)
	}
	const pw = "Le-jardin-de-mamie-a-9-roses"
	r = b.post("/activate", url.Values{"step": {"2"}, "login": {relative.Login}, "code": {code}, "relative": {"1"},
		"password": {pw}, "confirm": {pw}, "email": {"parent@example.org"}})
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/" {
		t.Fatalf("relative's activation: %d %s", r.status, r.header.Get("Location"))
	}

	// The student: no e-mail, in the letter or on the page.
	text, code = letter(student.ID)
	promises("student", text)
	if strings.Contains(text, "adresse électronique") || strings.Contains(text, "double authentification") {
		t.Errorf("student's letter:\n%s", text)
	}
	r = e.browser().post("/activate", url.Values{"login": {student.Login}, "code": {code}})
	if r.status != 200 || strings.Contains(r.body, `name="email"`) {
		t.Fatalf("step 2 of the student asks an e-mail: %d", r.status)
	}

	// The establishment now requires a second factor of its students: a new
	// letter says it is the third step, and the activation leads there.
	if r := head.post("/admin/establishments/"+est.ID+"/security", url.Values{"csrf": {head.csrf()},
		"profile": {"student", "teacher", "staff", "admin"}}); r.status != http.StatusSeeOther {
		t.Fatalf("security policy: %d", r.status)
	}
	text, code = letter(student.ID)
	if !strings.Contains(text, "3. Ton établissement demande une double authentification : configure tout de suite") {
		t.Errorf("the letter does not announce the second factor:\n%s", text)
	}
	b = e.browser()
	b.post("/activate", url.Values{"login": {student.Login}, "code": {code}})
	r = b.post("/activate", url.Values{"step": {"2"}, "login": {student.Login}, "code": {code}, "password": {pw}, "confirm": {pw}})
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/sign-in/second-factor" {
		t.Fatalf("student's activation under a required second factor: %d %s", r.status, r.header.Get("Location"))
	}
}
