package letters

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cartable/internal/i18n"
)

func TestLetterOpensAndHoldsTheCode(t *testing.T) {
	tool, err := exec.LookPath("pdftotext")
	if err != nil {
		// CI installs it and must run this check; a developer's machine
		// with Go alone skips it rather than fail.
		if os.Getenv("CI") == "" {
			t.Skip("pdftotext is needed to read the letter back: install Debian's poppler-utils (.ci/run does)")
		}
		t.Fatal("pdftotext is needed to read the letter back: install Debian's poppler-utils (.ci/run does)")
	}
	var buf bytes.Buffer
	day := time.Date(2026, 9, 1, 10, 0, 0, 0, time.UTC)
	err = Write(&buf, []Letter{
		{Establishment: "Collège Île-de-Ré", City: "Saint-Martin", Name: "Hélène Gaëlle", Address: []string{"3 rue des Œillets", "17410 Saint-Martin-de-Ré"},
			Profile: "relative", Children: []string{"Noé Gaëlle"}, Login: "helene.gaelle", Code: "ABCD-EFGH-JKMN", ExpiresAt: day.AddDate(0, 2, 0), URL: "https://ent.example.fr", Date: day},
		{Establishment: "Collège Île-de-Ré", Name: "Noé Gaëlle", Profile: "student", Login: "noe.gaelle", Code: "PQRS-TUVW-XYZ2", ExpiresAt: day.AddDate(0, 2, 0), URL: "https://ent.example.fr", Date: day},
	})
	if err != nil {
		t.Fatal(err)
	}
	f := filepath.Join(t.TempDir(), "l.pdf")
	os.WriteFile(f, buf.Bytes(), 0o600)
	out, err := exec.Command(tool, "-layout", f, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext cannot open the letter: %v", err)
	}
	pages := strings.Split(string(out), "\f")
	if len(pages) < 2 {
		t.Fatalf("%d pages", len(pages))
	}
	for _, want := range []string{"Collège Île-de-Ré", "Hélène Gaëlle", "3 rue des Œillets", "helene.gaelle", "ABCD-EFGH-JKMN", "1er novembre 2026", "https://ent.example.fr/activate", "Noé Gaëlle", "adresse électronique"} {
		if !strings.Contains(pages[0], want) {
			t.Errorf("page 1 lacks %q", want)
		}
	}
	if !strings.Contains(pages[1], "PQRS-TUVW-XYZ2") || !strings.Contains(pages[1], "Ne donne jamais ton mot de passe") {
		t.Errorf("page 2 (student):\n%s", pages[1])
	}
}

// A letter without an address (its printer may not read it) shows the
// name alone in the window; a batch that left people out starts with a
// page that counts them, without names.
func TestBatchCoverAndLetterWithoutAddress(t *testing.T) {
	tool, err := exec.LookPath("pdftotext")
	if err != nil {
		if os.Getenv("CI") == "" {
			t.Skip("pdftotext is needed to read the letter back: install Debian's poppler-utils (.ci/run does)")
		}
		t.Fatal("pdftotext is needed to read the letter back: install Debian's poppler-utils (.ci/run does)")
	}
	var buf bytes.Buffer
	day := time.Date(2026, 9, 1, 10, 0, 0, 0, time.UTC)
	err = WriteBatch(&buf, []Letter{{Establishment: "Collège A", City: "Paris", Name: "Hélène Gaëlle", Profile: "relative",
		Login: "helene.gaelle", Code: "ABCD-EFGH-JKMN", ExpiresAt: day.AddDate(0, 2, 0), URL: "https://ent.example.fr", Date: day}},
		Skipped{Activated: 3, OutOfReach: 2})
	if err != nil {
		t.Fatal(err)
	}
	f := filepath.Join(t.TempDir(), "l.pdf")
	os.WriteFile(f, buf.Bytes(), 0o600)
	out, err := exec.Command(tool, "-layout", f, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext cannot open the letters: %v", err)
	}
	pages := strings.Split(string(out), "\f")
	if len(pages) < 2 {
		t.Fatalf("%d pages", len(pages))
	}
	for _, want := range []string{"Courriers produits : 1.", "Comptes déjà activés, sans courrier : 3.", "Comptes que vous ne pouvez pas gérer, sans courrier : 2."} {
		if !strings.Contains(pages[0], want) {
			t.Errorf("first page lacks %q:\n%s", want, pages[0])
		}
	}
	if strings.Contains(pages[0], "ABCD-EFGH-JKMN") || !strings.Contains(pages[1], "ABCD-EFGH-JKMN") || !strings.Contains(pages[1], "Hélène Gaëlle") {
		t.Errorf("pages:\n%s", out)
	}
	// A batch without left-outs starts with the letter.
	buf.Reset()
	if err := Write(&buf, []Letter{{Name: "Noé", Profile: "student", Login: "noe", Code: "PQRS-TUVW-XYZ2", Date: day, ExpiresAt: day}}); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(f, buf.Bytes(), 0o600)
	out, _ = exec.Command(tool, "-layout", f, "-").Output()
	if !strings.Contains(strings.Split(string(out), "\f")[0], "PQRS-TUVW-XYZ2") {
		t.Errorf("a batch without left-outs does not start with the letter:\n%s", out)
	}
}

// readBack renders letters and reads them back, one page a string, its
// words separated by single spaces (pdftotext breaks lines where the PDF
// does).
func readBack(t *testing.T, ls []Letter) []string {
	t.Helper()
	tool, err := exec.LookPath("pdftotext")
	if err != nil {
		if os.Getenv("CI") == "" {
			t.Skip("pdftotext is needed to read the letter back: install Debian's poppler-utils (.ci/run does)")
		}
		t.Fatal("pdftotext is needed to read the letter back: install Debian's poppler-utils (.ci/run does)")
	}
	var buf bytes.Buffer
	if err := Write(&buf, ls); err != nil {
		t.Fatal(err)
	}
	f := filepath.Join(t.TempDir(), "l.pdf")
	os.WriteFile(f, buf.Bytes(), 0o600)
	out, err := exec.Command(tool, f, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext cannot open the letter: %v", err)
	}
	var pages []string
	for _, p := range strings.Split(string(out), "\f") {
		if p = strings.Join(strings.Fields(p), " "); p != "" {
			pages = append(pages, p)
		}
	}
	if len(pages) != len(ls) {
		t.Fatalf("%d pages for %d letters", len(pages), len(ls))
	}
	return pages
}

// A letter promises what Cartable serves (timetable, class log, homework,
// teachers' documents), not the modules still to come (school life,
// grades, messages), and tells the activation's steps exactly as the page
// takes them: the buttons by their names on the page, the recovery e-mail
// for a relative only (the activation asks no one else), the second factor
// only where the establishment requires it.
func TestLetterPromisesWhatExistsAndTellsTheActivationAsItIs(t *testing.T) {
	day := time.Date(2026, 9, 1, 10, 0, 0, 0, time.UTC)
	base := Letter{Establishment: "Collège A", City: "Paris", Code: "ABCD-EFGH-JKMN", ExpiresAt: day.AddDate(0, 2, 0), URL: "https://ent.example.fr", Date: day}
	relative, student, teacher, required := base, base, base, base
	relative.Name, relative.Profile, relative.Login, relative.Children = "Hélène Gaëlle", "relative", "helene.gaelle", []string{"Noé Gaëlle"}
	student.Name, student.Profile, student.Login = "Noé Gaëlle", "student", "noe.gaelle"
	teacher.Name, teacher.Profile, teacher.Login = "Paul Prof", "teacher", "paul.prof"
	required.Name, required.Profile, required.Login, required.SecondFactor = "Marc Gaëlle", "relative", "marc.gaelle", true
	pages := readBack(t, []Letter{relative, student, teacher, required})

	// The page's own words (internal/web/signin/templates/activate.html).
	next, finish := i18n.T("fr", "activate.next"), i18n.T("fr", "activate.finish")
	for i, p := range pages {
		for _, never := range []string{"vie scolaire", "messages", "messagerie", "notes", "absences"} {
			if strings.Contains(strings.ToLower(p), never) {
				t.Errorf("letter %d promises %q, which Cartable does not have:\n%s", i, never, p)
			}
		}
		for _, want := range []string{"emploi du temps", "cahier de textes", "travail à faire", "documents joints",
			"« " + next + " »", "« " + finish + " »"} {
			if !strings.Contains(p, want) {
				t.Errorf("letter %d lacks %q:\n%s", i, want, p)
			}
		}
	}
	mail := "adresse électronique de secours (obligatoire)"
	factor := "double authentification : configure"
	factorAdult := "demande une double authentification pour ce compte : configurez tout de suite"
	if !strings.Contains(pages[0], mail) || strings.Contains(pages[0], factorAdult) || !strings.Contains(pages[0], "Activez la double authentification") {
		t.Errorf("relative's letter:\n%s", pages[0])
	}
	if strings.Contains(pages[1], "adresse électronique") || strings.Contains(pages[1], factor) || !strings.Contains(pages[1], "Choisis un mot de passe et saisis-le deux fois") {
		t.Errorf("student's letter:\n%s", pages[1])
	}
	if strings.Contains(pages[2], "adresse électronique") || strings.Contains(pages[2], factorAdult) {
		t.Errorf("teacher's letter asks for an e-mail or a second factor:\n%s", pages[2])
	}
	if !strings.Contains(pages[3], mail) || !strings.Contains(pages[3], "3. L'établissement "+factorAdult) || strings.Contains(pages[3], "Activez la double authentification") {
		t.Errorf("letter of a relative whose establishment requires a second factor:\n%s", pages[3])
	}
	student.SecondFactor = true
	if p := readBack(t, []Letter{student})[0]; !strings.Contains(p, "3. Ton établissement demande une "+factor) {
		t.Errorf("student's letter with a second factor required:\n%s", p)
	}
}
