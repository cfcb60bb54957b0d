package letters

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
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
	for _, want := range []string{"Collège Île-de-Ré", "Hélène Gaëlle", "3 rue des Œillets", "helene.gaelle", "ABCD-EFGH-JKMN", "1 novembre 2026", "https://ent.example.fr/activate", "Noé Gaëlle", "adresse électronique personnelle"} {
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
