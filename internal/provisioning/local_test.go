package provisioning_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"cartable/internal/dbtest"
	"cartable/internal/provisioning"
)

func TestSIECLEAndSTS(t *testing.T) {
	d := dbtest.Open(t)
	dl := read(t, provisioning.SIECLE, "testdata/siecle/ElevesSansAdresses.xml", "testdata/siecle/ResponsablesAvecAdresses.xml")
	if !dl.Complete || dl.Date != "2026-09-01" || dl.Structures[0].UAI != "0750003C" {
		t.Fatalf("delivery %+v", dl)
	}
	sum, err := provisioning.Import(ctx, system, d, dl, provisioning.Options{Now: at(day0)})
	if err != nil {
		t.Fatal(err)
	}
	for k, n := range map[[2]string]int{{"establishment", "created"}: 1, {"student", "created"}: 2, {"relative", "created"}: 3,
		{"class", "created"}: 2, {"group", "created"}: 1, {"family_link", "added"}: 4, {"enrolment", "added"}: 2} {
		if got := sum.Count(k[0], k[1]); got != n {
			t.Errorf("%s %s: %d, want %d (%v)", k[0], k[1], got, n, sum.Counts)
		}
	}
	if sum.Report.WarningCounts["dangling-student"] != 1 {
		t.Errorf("warnings %v", sum.Report.WarningCounts)
	}
	// Keys are namespaced by source and establishment.
	s := person(t, d, "siecle:0750003C:5001")
	if s.FirstName != "Chloé" || s.LastName != "BERNARD" || s.BirthDate != "2013-05-03" || s.Login != "chloe.bernard" {
		t.Errorf("5001 = %+v", s)
	}
	if p := person(t, d, "siecle:0750003C:9002"); p.Address != "Via Roma 1" || p.City != "TORINO (ITALIE)" || p.Title != "M." {
		t.Errorf("9002 = %+v", p)
	}
	var legal, contact bool
	if err := d.QueryRow(ctx, `SELECT legal_guardian, contact FROM family_links f JOIN people r ON r.id = f.relative_id
		JOIN people s ON s.id = f.student_id WHERE r.external_id = 'siecle:0750003C:9003' AND s.external_id = 'siecle:0750003C:5002'`).Scan(&legal, &contact); err != nil {
		t.Fatal(err)
	}
	if legal || !contact {
		t.Errorf("5002–9003: legal %v contact %v", legal, contact)
	}
	// The student who left (DATE_SORTIE) is not imported.
	if n := count(t, d, `SELECT COUNT(*) FROM people WHERE external_id = 'siecle:0750003C:5003'`); n != 0 {
		t.Error("the student who left was imported")
	}

	// STS: staff and teaching services of the same establishment.
	sum, err = provisioning.Import(ctx, system, d, read(t, provisioning.STS, "testdata/sts/sts_emp_0750003C_2026.xml"), provisioning.Options{Now: at(day0)})
	if err != nil {
		t.Fatal(err)
	}
	for k, n := range map[[2]string]int{{"teacher", "created"}: 2, {"staff", "created"}: 1, {"assignment", "added"}: 3,
		{"head_teacher", "added"}: 1, {"function", "added"}: 1, {"group_class", "unchanged"}: 0} {
		if got := sum.Count(k[0], k[1]); got != n {
			t.Errorf("sts %s %s: %d, want %d (%v)", k[0], k[1], got, n, sum.Counts)
		}
	}
	if sum.Report.WarningCounts["dangling-teacher"] != 1 {
		t.Errorf("warnings %v", sum.Report.WarningCounts)
	}
	if got := column(t, d, `SELECT c.code FROM group_classes gc JOIN classes c ON c.id = gc.class_id JOIN groups g ON g.id = gc.group_id
		WHERE g.code = '6-ALL'`); !slices.Equal(got, []string{"6C"}) {
		t.Errorf("6-ALL draws from %v", got)
	}
	// SIECLE created the classes with their codes; STS names them.
	if got := column(t, d, `SELECT name FROM classes`); !slices.Equal(got, []string{"Sixième C", "Troisième A"}) {
		t.Errorf("classes %v", got)
	}
	if sum.Count("class", "updated") != 2 || sum.Count("group", "updated") != 1 {
		t.Errorf("names: %v", sum.Counts)
	}
	// Each export rules its own family only: SIECLE again leaves the staff.
	sum, err = provisioning.Import(ctx, system, d, read(t, provisioning.SIECLE, "testdata/siecle/ElevesSansAdresses.xml", "testdata/siecle/ResponsablesAvecAdresses.xml"),
		provisioning.Options{Now: at(day0)})
	if err != nil || sum.Changes() != 0 {
		t.Fatalf("SIECLE again: %v %v", err, sum.Counts)
	}
	// A locally fed establishment refuses the academic feed, and the
	// reverse: one person, one account.
	dir := copyDir(t, completeDir, func(name string, b []byte) []byte {
		return []byte(strings.ReplaceAll(string(b), "0750002B", "0750003C"))
	})
	_, err = provisioning.Import(ctx, system, d, read(t, provisioning.AAF, dir), provisioning.Options{Now: at(day0)})
	if re, ok := provisioning.AsReadError(err); !ok || re.Issues[0].Code != "establishment-fed-locally" {
		t.Fatalf("err = %v", err)
	}
}

func TestCSV(t *testing.T) {
	d := dbtest.Open(t)
	files, err := provisioning.FilesFromPaths([]string{"testdata/csv/eleves-fr.csv", "testdata/csv/people-en-cp1252.csv"})
	if err != nil {
		t.Fatal(err)
	}
	dl, err := provisioning.ReadCSV(files, "0750004D", false)
	if err != nil {
		t.Fatal(err)
	}
	sum, err := provisioning.Import(ctx, system, d, dl, provisioning.Options{Now: at(day0)})
	if err != nil {
		t.Fatal(err)
	}
	for k, n := range map[[2]string]int{{"student", "created"}: 3, {"relative", "created"}: 2, {"teacher", "created"}: 1,
		{"class", "created"}: 2, {"family_link", "added"}: 1} {
		if got := sum.Count(k[0], k[1]); got != n {
			t.Errorf("%s %s: %d, want %d (%v)", k[0], k[1], got, n, sum.Counts)
		}
	}
	if sum.Report.WarningCounts["bad-date"] != 1 {
		t.Errorf("warnings %v", sum.Report.Warnings)
	}
	// The classes a spreadsheet creates are named with the lines naming
	// them, for the review to ask (CheckConfirm).
	if got := fmt.Sprint(sum.NewStructures); got != "[{class 4B 0750004D [eleves-fr.csv:2 eleves-fr.csv:3] 0} {class 5A 0750004D [people-en-cp1252.csv:2] 0}]" {
		t.Errorf("new structures: %s", got)
	}
	if ps := provisioning.CheckConfirm(provisioning.ConfirmForm{Summary: sum}); len(ps) != 1 || ps[0].Field != "create" {
		t.Errorf("unacknowledged classes: %v", ps)
	}
	if ps := provisioning.CheckConfirm(provisioning.ConfirmForm{Summary: sum, Create: true}); len(ps) != 0 {
		t.Errorf("acknowledged classes: %v", ps)
	}
	if w := sum.Report.Warnings[0]; w.File != "eleves-fr.csv" || w.Line != 3 {
		t.Errorf("bad date reported at %s", w.Where())
	}
	if p := person(t, d, "csv:0750004D:C101"); p.LastName != `PETIT; DIT "LE GRAND"` {
		t.Errorf("quoted cell: %q", p.LastName)
	}
	if p := person(t, d, "csv:0750004D:P1"); p.FirstName != "René" {
		t.Errorf("Windows-1252: %q", p.FirstName)
	}
	// Complete: the students missing from the sheet leave; the other
	// profiles, absent from it, stay.
	only := filepath.Join(t.TempDir(), "only.csv")
	os.WriteFile(only, []byte("identifiant,nom,prenom,profil,classe\nC100,Petit,Léon,élève,4B\n"), 0o644)
	files, _ = provisioning.FilesFromPaths([]string{only})
	dl, err = provisioning.ReadCSV(files, "0750004D", true)
	if err != nil {
		t.Fatal(err)
	}
	sum, err = provisioning.Import(ctx, system, d, dl, provisioning.Options{Now: at(day0), AllowMassDeactivation: true})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Count("student", "deactivated") != 2 || sum.Count("relative", "deactivated") != 0 || sum.Count("teacher", "deactivated") != 0 {
		t.Errorf("complete sheet: %v", sum.Counts)
	}
}

func TestCSVErrors(t *testing.T) {
	for name, c := range map[string]struct {
		body string
		line int
		code string
	}{
		"missing column": {"nom;prénom;profil\nA;B;élève\n", 1, "csv-missing-column"},
		"bad profile":    {"id;nom;prénom;profil\n1;A;B;élève\n2;C;D;cuisinier\n", 3, "csv-bad-profile"},
		"empty name":     {"id,nom,prénom,profil\n1,,B,élève\n", 2, "csv-missing-field"},
		"bad quotes":     {"id,nom,prénom,profil\n1,\"A,B,élève\n", 2, "csv-syntax"},
	} {
		t.Run(name, func(t *testing.T) {
			f := filepath.Join(t.TempDir(), "sheet.csv")
			os.WriteFile(f, []byte(c.body), 0o644)
			files, _ := provisioning.FilesFromPaths([]string{f})
			_, err := provisioning.ReadCSV(files, "0750004D", false)
			var re *provisioning.ReadError
			if !errors.As(err, &re) || re.Issues[0].Code != c.code || re.Issues[0].Line != c.line || re.Issues[0].File != "sheet.csv" {
				t.Fatalf("err = %v", err)
			}
		})
	}
}
